"""scikit-learn's estimator checks over every registered extractor (the 2-D array form)."""

from sklearn.utils.estimator_checks import parametrize_with_checks

import mir_genre
from mir_genre.registry import load_plugin


def _instances():
    out = []
    for name in mir_genre.list_plugins("extractors"):
        cls = load_plugin("extractors", name)
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


@parametrize_with_checks(_instances(), expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_extractor(estimator, check):
    check(estimator)
