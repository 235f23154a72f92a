"""scikit-learn's estimator checks over mir_genre's own extractors (2-D form) and classifiers."""

import importlib.util
import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

import mir_genre
from mir_genre import registry
from mir_genre.classifiers.keras.base import DeepGenreClassifier
from mir_genre.registry import load_plugin


def _instances(kind, *, exclude=()):
    """Cheap instances of mir_genre's own plugins of a kind.

    Installed third-party plugins are left out: each distribution runs the same checks
    in its own tests, through `mir_genre.testing.check_plugin`.
    """
    out = []
    for name in mir_genre.list_plugins(kind):
        if not registry._is_core(registry._active(kind)[name]):
            continue
        cls = load_plugin(kind, name)
        if exclude and issubclass(cls, exclude):
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


@parametrize_with_checks(_instances("classifiers", exclude=(DeepGenreClassifier,)))
def test_sklearn_compatible_classifier(estimator, check):
    with warnings.catch_warnings():
        # Several checks fit pure noise, which an MLP cannot fit to its tolerance; the
        # warning says so and is not a failure of the estimator's contract.
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def _deep_instances():
    # One mel band: any toy row of the checks is then a valid (1, n_frames) spectrogram.
    return [est.set_params(n_mels=1) for est in _instances("classifiers") if _is_deep(est)]


def _is_deep(estimator):
    return isinstance(estimator, DeepGenreClassifier)


def _deep_expected_failed_checks(estimator):
    reason = (
        "the cheap test parameters train a tiny network for one epoch, which does not reach "
        "the check's 0.83 accuracy on toy blobs; tests/test_deep.py checks that the deep "
        "models learn, on spectrograms of generated genres"
    )
    return {"check_classifiers_train": reason}


@pytest.mark.skipif(importlib.util.find_spec("keras") is None, reason="needs the keras extra")
@parametrize_with_checks(_deep_instances(), expected_failed_checks=_deep_expected_failed_checks)
def test_sklearn_compatible_deep_classifier(estimator, check):
    check(estimator)
