"""Keras 3 deep models; the backend is chosen by :mod:`.backend` before keras is imported."""

from .backend import BACKENDS, BackendChoice, choose_backend, configure_backend, gpu_count

__all__ = ["BACKENDS", "BackendChoice", "choose_backend", "configure_backend", "gpu_count"]
