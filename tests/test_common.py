"""scikit-learn's estimator checks over every registered extractor (2-D form) and classifier."""

import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

import mir_genre
from mir_genre.classifiers.keras.base import DeepGenreClassifier
from mir_genre.registry import load_plugin


def _instances(kind, *, exclude=()):
    out = []
    for name in mir_genre.list_plugins(kind):
        cls = load_plugin(kind, name)
        if issubclass(cls, exclude):
            continue
        params = cls.get_test_params() if hasattr(cls, "get_test_params") else {}
        out.append(cls(**params))
    return out


def _expected_failed_checks(estimator):
    return {
        "check_estimators_dtypes": (
            "integer arrays are rejected on purpose: integer PCM has an arbitrary scale "
            "(16-bit, 24-bit...), so extractors ask for float audio instead of guessing"
        ),
    }


@parametrize_with_checks(_instances("extractors"), expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_extractor(estimator, check):
    check(estimator)


# The Keras models are left out here: their rows must be flattened spectrograms (a
# multiple of n_mels wide) and every fit builds and compiles a network, so the generic
# checks' toy arrays do not fit them as they are. tests/test_deep.py covers their contract.
@parametrize_with_checks(_instances("classifiers", exclude=(DeepGenreClassifier,)))
def test_sklearn_compatible_classifier(estimator, check):
    with warnings.catch_warnings():
        # Several checks fit pure noise, which an MLP cannot fit to its tolerance; the
        # warning says so and is not a failure of the estimator's contract.
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
