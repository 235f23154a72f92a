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
    def _extract_file(self, path):
        # Files at another scale than array input (MFCCDeltas streams files through
        # _extract_file, not _load).
        return self._extract(0.5 * self._load(path))


class _WrongWidth(MFCCDeltas):
    def _extract(self, y):
        return super()._extract(y)[:-1]  # one value fewer than the names


class _NoSampleRate(MFCCDeltas):
    def get_params(self, deep=True):
        return {k: v for k, v in super().get_params(deep=deep).items() if k != "sr"}


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
        (_WrongWidth, r"PluginError: _WrongWidth._extract returned .* names 30 features"),
        (_NoSampleRate, "'extractor parameters': the constructor lacks sr"),
        ("no_such_plugin", "not registered"),
        (42, "takes a registered name"),
    ],
)
def test_nonconforming_plugins_fail_with_the_check_named(plugin, match):
    with pytest.raises(AssertionError, match=match):
        check_plugin(plugin, estimator_checks=False)


def test_broken_plugin_fails_once_before_the_estimator_checks():
    # mir_genre's own checks run first, so a broken extractor gets one clear message
    # instead of the same error repeated by a dozen scikit-learn checks.
    with pytest.raises(AssertionError, match="'basic use'"):
        check_plugin(_WrongWidth)
