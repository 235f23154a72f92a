"""Essentia feature extractors for mir_genre, registered as ``mir_genre.extractors`` plugins.

Three scikit-learn transformers, each a thin wrapper of a pure function:

``essentia_lowlevel`` (:class:`~mir_genre_essentia.lowlevel.EssentiaLowLevel`)
    frame-wise spectral descriptors, MFCC, GFCC and HPCP summarised per track;
``essentia_rhythm`` (:class:`~mir_genre_essentia.rhythm.EssentiaRhythm`)
    BPM, beat confidence, onset rate, BPM-histogram peaks and danceability;
``essentia_tonal`` (:class:`~mir_genre_essentia.tonal.EssentiaTonal`)
    key and scale, tuning frequency, chord statistics and HPCP.

Importing this package does not import Essentia; each extraction does, inside the call.
Essentia algorithm instances are not thread-safe, so every call builds its own and
extraction is parallelised by process only (``n_jobs`` uses joblib's default ``loky``
backend, which runs worker processes).

This distribution is licensed AGPL-3.0-or-later, because Essentia is.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
