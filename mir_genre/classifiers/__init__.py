"""Classifiers: scikit-learn compatible, string genre labels in and out.

Heavy dependencies (keras, xgboost) are imported only inside the estimators that need
them, so importing this package is cheap.
"""

import importlib

_LAZY = {
    "SVMClassifier": ".sklearn_models",
    "LogisticClassifier": ".sklearn_models",
    "KNNClassifier": ".sklearn_models",
    "RandomForest": ".sklearn_models",
    "MLPGenreClassifier": ".mlp",
    "XGBoostGenreClassifier": ".xgb",
    "SegmentVoting": ".segment",
    "Tuned": ".tuned",
    "segment_audio": ".segment",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
