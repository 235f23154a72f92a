"""mir_genre.testing.check_plugin: passes conforming plugins, names what is wrong otherwise."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from mir_genre.features.mfcc import MFCCDeltas
from mir_genre.testing import check_plugin


def test_builtin_extractor_and_classifier_conform():
    passed = check_plugin("mfcc_deltas")
    assert {"registry", "both input forms", "pickling", "check_fit_idempotent"} <= set(passed)
    assert "pickling" in check_plugin("logistic_regression", estimator_checks=False)


class _ShortNames(MFCCDeltas):
    def _n_features(self):
        return len(super()._feature_names())

    def _feature_names(self):
        return super()._feature_names()[:-1]


class _Crashes(MFCCDeltas):
    def _extract(self, y):
        raise RuntimeError("boom")


class _IgnoresFiles(MFCCDeltas):
    def _load(self, path):
        return 0.5 * super()._load(path)  # files at another scale than array input


class _NoProba(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.repeat(self.classes_[0], len(X))

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), 0.5)


@pytest.mark.parametrize(
    ("plugin", "match"),
    [
        (_ShortNames, "'feature names'"),
        (_IgnoresFiles, "'both input forms'"),
        (_NoProba, "'predict_proba'"),
        (_Crashes, "'basic use': RuntimeError: boom"),
        ("no_such_plugin", "not registered"),
        (42, "takes a registered name"),
    ],
)
def test_nonconforming_plugins_fail_with_the_check_named(plugin, match):
    with pytest.raises(AssertionError, match=match):
        check_plugin(plugin, estimator_checks=False)
