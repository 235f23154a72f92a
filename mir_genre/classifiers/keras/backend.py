"""Choose the Keras 3 backend before keras is first imported.

Keras 3 reads ``KERAS_BACKEND`` once, at import.  The rule, in order:

1. ``KERAS_BACKEND`` set by the user is respected;
2. keras already imported (by the user, with whatever backend) is used as it is, with a
   warning when it differs from what this rule would have picked;
3. an installed backend that sees a GPU: jax, then torch, then tensorflow;
4. an installed backend on the CPU, in the same order;
5. none installed: an error that says what to install.
"""

import importlib.util
import logging
import os
import sys
import warnings
from dataclasses import dataclass, field

from ...exceptions import MirGenreWarning, ParameterError

__all__ = [
    "BACKENDS",
    "BackendChoice",
    "choose_backend",
    "configure_backend",
    "device_names",
    "gpu_count",
    "jax_compilation_cache",
]

logger = logging.getLogger("mir_genre")

#: Backends in order of preference.
BACKENDS = ("jax", "torch", "tensorflow")


@dataclass(frozen=True)
class BackendChoice:
    """The Keras backend chosen and why.

    Attributes
    ----------
    name : str
        ``"jax"``, ``"torch"``, ``"tensorflow"`` (or another backend keras knows).
    reason : str
        Why it was chosen, for logs and ``python -m mir_genre info``.
    n_gpus : int
        GPUs the backend sees (0 when unknown or none).
    installed : tuple of str
        The backends found installed.
    """

    name: str
    reason: str
    n_gpus: int = 0
    installed: tuple = field(default=())

    def __str__(self):
        device = f"{self.n_gpus} GPU(s)" if self.n_gpus else "CPU"
        return f"{self.name} on {device} ({self.reason})"


def _installed(name):
    return importlib.util.find_spec(name) is not None


def gpu_count(name):
    """Count the GPUs a backend sees (imports that backend; 0, logged, on any failure).

    Parameters
    ----------
    name : {"jax", "torch", "tensorflow"}
        Backend.

    Returns
    -------
    int
    """
    try:
        if name == "jax":
            import jax

            try:
                return len(jax.devices("gpu"))
            except RuntimeError:  # no GPU platform
                return 0
        if name == "torch":
            import torch

            return torch.cuda.device_count() if torch.cuda.is_available() else 0
        if name == "tensorflow":
            import tensorflow as tf

            return len(tf.config.list_physical_devices("GPU"))
    except Exception as exc:  # a broken install sees no GPU; the CPU fallback still applies
        logger.warning(
            "Could not ask %s for GPUs (%s: %s); counting none, so it runs on the CPU. "
            "Reinstall %s to use a GPU.", name, type(exc).__name__, exc, name,
        )  # fmt: skip
        return 0
    return 0


def device_names(name):
    """Name the devices a backend computes on (imports that backend).

    Parameters
    ----------
    name : {"jax", "torch", "tensorflow"}
        Backend.

    Returns
    -------
    list of str
        ``"gpu:0 NVIDIA H200"`` for each GPU the backend sees, else ``["cpu"]``; a
        backend that cannot be asked gives ``["cpu"]`` too (`gpu_count` logs why).

    Examples
    --------
    >>> device_names("jax")  # doctest: +SKIP
    ['gpu:0 NVIDIA H200']
    """
    if not gpu_count(name):
        return ["cpu"]
    try:
        if name == "jax":
            import jax

            return [f"gpu:{i} {d.device_kind}" for i, d in enumerate(jax.devices("gpu"))]
        if name == "torch":
            import torch

            return [
                f"gpu:{i} {torch.cuda.get_device_name(i)}"
                for i in range(torch.cuda.device_count())
            ]
        if name == "tensorflow":
            import tensorflow as tf

            names = []
            for i, device in enumerate(tf.config.list_physical_devices("GPU")):
                details = tf.config.experimental.get_device_details(device)
                names.append(f"gpu:{i} {details.get('device_name', device.name)}")
            return names
    except Exception as exc:  # the count worked, the names did not: still say GPU
        logger.warning("Could not name the GPUs of %s (%s: %s).", name, type(exc).__name__, exc)
        return [f"gpu:{i}" for i in range(gpu_count(name))]
    return ["cpu"]


def choose_backend(*, environ=None, installed=None, probe=gpu_count, imported_backend="auto"):
    """Apply the backend rule (see the module docstring) without side effects.

    Parameters
    ----------
    environ : mapping or None, default=None
        Environment to read ``KERAS_BACKEND`` from (``os.environ`` when None).
    installed : sequence of str or None, default=None
        Backends to consider installed (found with `importlib.util.find_spec` when None).
    probe : callable, default=gpu_count
        ``probe(name) -> int`` GPUs seen by a backend.
    imported_backend : str, None or "auto", default="auto"
        Backend of an already imported keras; None when keras is not imported; "auto"
        looks keras up in ``sys.modules``.

    Returns
    -------
    BackendChoice

    Raises
    ------
    ParameterError
        When no backend is installed and none is set.

    Examples
    --------
    >>> choose_backend(environ={}, installed=["torch", "jax"], probe=lambda name: 0,
    ...                imported_backend=None).name
    'jax'
    >>> choose_backend(environ={}, installed=["jax", "torch"],
    ...                probe=lambda name: 1 if name == "torch" else 0, imported_backend=None).name
    'torch'
    """
    environ = os.environ if environ is None else environ
    if installed is None:
        installed = [name for name in BACKENDS if _installed(name)]
    installed = tuple(name for name in BACKENDS if name in installed)
    if imported_backend == "auto":
        imported_backend = None
        if "keras" in sys.modules:
            try:
                imported_backend = sys.modules["keras"].backend.backend()
            except Exception:  # a half-imported keras: decide as if it were not there
                imported_backend = None

    requested = environ.get("KERAS_BACKEND")
    if imported_backend is not None:
        preferred = requested or (installed[0] if installed else None)
        if preferred and preferred != imported_backend:
            warnings.warn(
                f"keras was already imported with the {imported_backend!r} backend, so "
                f"mir_genre uses it instead of {preferred!r}. Set KERAS_BACKEND before "
                "importing keras to choose.",
                MirGenreWarning,
                stacklevel=2,
            )
        return BackendChoice(
            imported_backend, "keras was already imported with it", installed=installed
        )
    if requested:
        return BackendChoice(requested, "KERAS_BACKEND is set", installed=installed)
    for name in installed:
        n_gpus = probe(name)
        if n_gpus:
            return BackendChoice(name, "installed and sees a GPU", n_gpus, installed)
    if installed:
        return BackendChoice(installed[0], "no backend sees a GPU", 0, installed)
    raise ParameterError(
        "The deep classifiers need a Keras 3 backend and none is installed: "
        "pip install 'mir_genre[keras]' (keras + jax), or install torch or tensorflow, "
        "or set KERAS_BACKEND."
    )


_CHOICE = None


def jax_compilation_cache(environ=None):
    """Where JAX keeps compiled programs between runs: ``$MIR_GENRE_CACHE/jax`` by default.

    Every fold of a cross-validation and every run of the same model compiles the same
    training step (about 10 s on a CPU for the CNN); JAX's persistent compilation cache
    serves the later ones.  JAX's own setting (``JAX_COMPILATION_CACHE_DIR``) wins; set
    ``MIR_GENRE_JAX_CACHE=0`` to leave JAX's cache off.

    Parameters
    ----------
    environ : mapping or None, default=None
        Environment to read (``os.environ`` when None).

    Returns
    -------
    str or None
        The folder to give JAX, or None to leave JAX's configuration alone.

    Examples
    --------
    >>> jax_compilation_cache({"MIR_GENRE_CACHE": "/data/cache"})
    '/data/cache/jax'
    >>> jax_compilation_cache({"JAX_COMPILATION_CACHE_DIR": "/mine"}) is None
    True
    """
    from ...datasets._base import cache_dir

    environ = os.environ if environ is None else environ
    if environ.get("JAX_COMPILATION_CACHE_DIR") or environ.get("MIR_GENRE_JAX_CACHE") == "0":
        return None
    return str(cache_dir("jax", environ=environ))


def configure_backend():
    """Choose the backend once, export it as ``KERAS_BACKEND`` and log the choice.

    Call before importing keras; the deep classifiers do so in ``fit``.  On JAX, the
    persistent compilation cache is switched on (see `jax_compilation_cache`).

    Returns
    -------
    BackendChoice
    """
    global _CHOICE
    if _CHOICE is None or "keras" not in sys.modules:
        _CHOICE = choose_backend()
        os.environ["KERAS_BACKEND"] = _CHOICE.name
        logger.info("Keras backend: %s", _CHOICE)
        if _CHOICE.name == "jax":
            folder = jax_compilation_cache()
            if folder is not None:
                import jax

                if jax.config.jax_compilation_cache_dir is None:
                    jax.config.update("jax_compilation_cache_dir", folder)
    return _CHOICE
