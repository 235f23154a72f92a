"""Helpers shared by the Essentia extractors: importing, input conversion, non-finite values."""

import sys
import threading

import numpy as np

__all__ = [
    "ESSENTIA_RATE",
    "SILENCE_PEAK",
    "algorithm",
    "as_essentia",
    "essentia_standard",
    "finite",
    "resample",
]

#: Rate that RhythmExtractor2013 and OnsetRate assume for their input, in Hz.
ESSENTIA_RATE = 44100

#: A clip whose peak absolute amplitude is below this is treated as digital silence.
SILENCE_PEAK = 1e-5


def essentia_standard():
    """Import and return ``essentia.standard`` without its import-time INFO lines.

    Importing it prints ``MusicExtractorSVM: no classifier models were configured``
    once per process (every worker of ``n_jobs``); Essentia's own ``log.infoActive``
    switch is turned off for the import only and then put back as it was.

    Returns
    -------
    module
        ``essentia.standard``.
    """
    if "essentia.standard" not in sys.modules:
        import essentia

        active = essentia.log.infoActive
        essentia.log.infoActive = False
        try:
            import essentia.standard  # noqa: F401
        finally:
            essentia.log.infoActive = active
    return sys.modules["essentia.standard"]


_ALGORITHMS = threading.local()


def algorithm(name, **config):
    """Return a configured ``essentia.standard`` algorithm of this thread, reset for reuse.

    Building an algorithm costs more than running it on a short clip (about 25 ms for
    ``RhythmExtractor2013``), so each thread keeps one instance per name and
    configuration.  Instances are never shared between threads (Essentia's algorithms
    are not thread-safe), and each is reset before it is handed out, so no state of an
    earlier clip carries over.

    Parameters
    ----------
    name : str
        Algorithm name, e.g. ``"OnsetRate"``.
    **config
        Its configuration.

    Returns
    -------
    essentia.standard algorithm
    """
    cache = getattr(_ALGORITHMS, "cache", None)
    if cache is None:
        cache = _ALGORITHMS.cache = {}
    key = (name, tuple(sorted(config.items())))
    if key not in cache:
        cache[key] = getattr(essentia_standard(), name)(**config)
    algo = cache[key]
    algo.reset()
    return algo


def as_essentia(y, *, min_length=0):
    """Return ``y`` as the contiguous 1-D float32 array Essentia expects.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float
        Mono audio.
    min_length : int >= 0, default=0
        Clips shorter than this are zero-padded at the end to this many samples, so that
        even a clip shorter than one frame gives one frame.

    Returns
    -------
    np.ndarray [shape=(max(n, min_length),)], float32
    """
    y = np.ascontiguousarray(np.asarray(y, dtype=np.float32).ravel())
    if y.size < min_length:
        y = np.pad(y, (0, min_length - y.size))
    return y


def finite(values):
    """Return ``values`` as float64 with every NaN or infinity replaced by 0.

    Essentia reports degenerate frames (digital silence, a clip shorter than one frame)
    with well-defined values for most descriptors, but a few ratios can still be 0/0 or
    x/0.  A feature that cannot be measured is set to 0, deliberately, so that every row
    stays usable by scikit-learn estimators, which reject NaN.

    Parameters
    ----------
    values : array-like
        Feature values.

    Returns
    -------
    np.ndarray, float64
    """
    return np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)


def resample(y, *, sr, target):
    """Resample float32 audio with Essentia's ``Resample`` (libsamplerate).

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float32
        Mono audio at ``sr``.
    sr : int > 0
        Rate of ``y``.
    target : int > 0
        Rate wanted.

    Returns
    -------
    np.ndarray, float32
        ``y`` unchanged when ``sr == target``.
    """
    if sr == target:
        return y
    resampler = algorithm(
        "Resample", inputSampleRate=float(sr), outputSampleRate=float(target), quality=1
    )
    return np.asarray(resampler(y), dtype=np.float32)
