"""Keras 3 deep models; the backend is chosen by :mod:`.backend` before keras is imported."""

import importlib

from .backend import BACKENDS, BackendChoice, choose_backend, configure_backend, gpu_count

_LAZY = {
    "DeepGenreClassifier": ".base",
    "augment_patches": ".base",
    "GenreCNN": ".models",
    "GenreCRNN": ".models",
    "GenreResNet": ".models",
    "GenreRNN": ".baselines",
    "DenseBaseline": ".baselines",
    "mfcc_matrix": ".baselines",
}

__all__ = [
    "BACKENDS",
    "BackendChoice",
    "choose_backend",
    "configure_backend",
    "gpu_count",
    *sorted(_LAZY),
]


def __getattr__(name):
    # The model modules import nothing heavy either, but keep the package import minimal.
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
