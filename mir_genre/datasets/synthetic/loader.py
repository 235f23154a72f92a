"""Loader of the synthetic dataset: `load_synthetic`, its parameter checks and its cache.

This module owns the public entry point, the checks of its parameters, the metadata
table (track ids, artists, the artist-disjoint split) and the cache: one ``.npy`` per
parameter set, next to a JSON of the parameters, keyed by the parameters and
`_GENERATOR_VERSION` and written through the shared :func:`mir_genre._common.atomic_write`.
"""

import hashlib
import json
import os
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd

from ..._common import atomic_write
from ...exceptions import ParameterError
from .._base import METADATA_COLUMNS, Dataset, cache_dir
from .recipes import _GENRES, GTZAN_GENRES
from .render import _GENERATOR_VERSION, _generate

__all__ = ["load_synthetic"]


def _check_int(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ParameterError(
            f"The {name!r} parameter of load_synthetic must be an integer >= {minimum}; "
            f"got {value!r}. Pass e.g. {name}={max(minimum, 1)}."
        )
    return int(value)


def _check_genres(genres):
    if genres is None:
        return list(GTZAN_GENRES)
    if isinstance(genres, str):
        raise ParameterError(
            f"The 'genres' parameter of load_synthetic must be a list of genre names, not a "
            f"single string; got {genres!r}. Use genres=[{genres!r}]."
        )
    try:
        genres = list(genres)
    except TypeError:
        raise ParameterError(
            f"The 'genres' parameter of load_synthetic must be None or a list of genre "
            f"names from {list(GTZAN_GENRES)}; got {genres!r}."
        ) from None
    if not genres:
        raise ParameterError(
            "The 'genres' parameter of load_synthetic must name at least one genre; got an "
            f"empty list. Use genres=None for all of {list(GTZAN_GENRES)}."
        )
    unknown = [g for g in genres if not isinstance(g, str) or g not in _GENRES]
    if unknown:
        raise ParameterError(
            f"The 'genres' parameter of load_synthetic has unknown genres {unknown}; the "
            f"valid genres are {list(GTZAN_GENRES)}."
        )
    duplicates = sorted({g for g in genres if genres.count(g) > 1})
    if duplicates:
        raise ParameterError(
            f"The 'genres' parameter of load_synthetic lists {duplicates} more than once; "
            "name each genre once."
        )
    return genres


def _check_params(genres, n_artists, tracks_per_artist, duration, sr, seed, cache):
    genres = _check_genres(genres)
    n_artists = _check_int(n_artists, "n_artists", 1)
    tracks_per_artist = _check_int(tracks_per_artist, "tracks_per_artist", 1)
    sr = _check_int(sr, "sr", 1)
    if sr < 4000:
        raise ParameterError(
            f"The 'sr' parameter of load_synthetic must be at least 4000 Hz so the "
            f"instruments fit below the Nyquist frequency; got sr={sr}. Use e.g. sr=22050."
        )
    seed = _check_int(seed, "seed", 0)
    if (
        isinstance(duration, bool)
        or not isinstance(duration, Real)
        or not np.isfinite(duration)
        or duration <= 0
    ):
        raise ParameterError(
            f"The 'duration' parameter of load_synthetic must be a finite number of "
            f"seconds > 0; got {duration!r}. Use e.g. duration=5.0."
        )
    n_samples = round(float(duration) * sr)
    if n_samples < 1:
        raise ParameterError(
            f"The 'duration' parameter of load_synthetic gives no samples at sr={sr}: "
            f"round({duration!r} * {sr}) = 0. Use a longer duration."
        )
    if not (cache is None or isinstance(cache, (str, os.PathLike))):
        raise ParameterError(
            f"The 'cache' parameter of load_synthetic must be 'auto', None or a folder "
            f"path; got {cache!r}."
        )
    return genres, n_artists, tracks_per_artist, float(duration), sr, seed, n_samples


def _cache_folder(cache):
    """Return the folder of cached arrays, or None when caching is off."""
    if cache is None:
        return None
    if isinstance(cache, str) and cache == "auto":
        return cache_dir("synthetic")
    return Path(cache).expanduser()


def _metadata(genres, n_artists, tracks_per_artist, duration):
    width = max(2, len(str(tracks_per_artist)))
    rows = []
    for genre in genres:
        for artist in range(1, n_artists + 1):
            if n_artists >= 2:
                split = "test" if artist == n_artists else "train"
            else:
                split = ""
            for track in range(1, tracks_per_artist + 1):
                rows.append(
                    {
                        "track_id": f"{genre}.a{artist}.t{track:0{width}d}",
                        "path": "",
                        "genre": genre,
                        "artist": f"{genre}_artist_{artist}",
                        "title": "",
                        "split": split,
                        "duration": duration,
                    }
                )
    return pd.DataFrame(rows, columns=list(METADATA_COLUMNS))


def load_synthetic(
    *,
    genres=None,
    n_artists=4,
    tracks_per_artist=5,
    duration=5.0,
    sr=22050,
    seed=0,
    cache="auto",
):
    """Generate (or load from the cache) a synthetic genre dataset with artists.

    Every genre has its own tempo, rhythm, harmony and timbre; every artist a fixed
    signature (key, timbre, drum kit, mix, equaliser, tempo) shared by all its tracks,
    so that, as with GTZAN, artist-filtered evaluation scores lower than a random split.
    See :mod:`mir_genre.datasets.synthetic` for the recipes.

    Parameters
    ----------
    genres : list of str or None, default=None
        Genres to generate, from `GTZAN_GENRES`; None for all ten.
    n_artists : int >= 1, default=4
        Artists per genre.
    tracks_per_artist : int >= 1, default=5
        Tracks per artist.
    duration : float > 0, default=5.0
        Length of every track in seconds.
    sr : int >= 4000, default=22050
        Sampling rate.
    seed : int >= 0, default=0
        Seed of everything random: the same seed gives bitwise the same audio.
    cache : "auto", str, os.PathLike or None, default="auto"
        Where the generated audio is cached as ``.npy`` (with a JSON of the parameters):
        ``"auto"`` uses ``$MIR_GENRE_CACHE/synthetic`` or, when that variable is unset,
        ``pooch.os_cache("mir_genre")/synthetic``; a path uses that folder; None never
        caches.

    Returns
    -------
    Dataset
        ``name="synthetic"``, ``kind="audio"``, ``X`` a float32 array
        [shape=(len(genres) * n_artists * tracks_per_artist, round(duration * sr))] of
        mono audio in [-1, 1], ordered by genre, artist, track.  Track ids look like
        ``"jazz.a1.t03"``, artists like ``"jazz_artist_1"``.  The predefined split is
        artist-disjoint: the last artist of every genre is ``"test"``, the others
        ``"train"`` (no split, ``""``, when ``n_artists == 1``).

    Raises
    ------
    ParameterError
        If a parameter breaks its rule (an unknown genre, a count < 1, a non-positive
        duration, ...).

    Examples
    --------
    >>> ds = load_synthetic(genres=["jazz", "metal"], n_artists=2, tracks_per_artist=1,
    ...                     duration=1.0, cache=None)
    >>> ds.X.shape, ds.X.dtype
    ((4, 22050), dtype('float32'))
    >>> ds.metadata[["track_id", "artist", "split"]].values.tolist()[:2]
    [['jazz.a1.t01', 'jazz_artist_1', 'train'], ['jazz.a2.t01', 'jazz_artist_2', 'test']]
    """
    genres, n_artists, tracks_per_artist, duration, sr, seed, n_samples = _check_params(
        genres, n_artists, tracks_per_artist, duration, sr, seed, cache
    )
    metadata = _metadata(genres, n_artists, tracks_per_artist, duration)
    folder = _cache_folder(cache)
    params = {
        "version": _GENERATOR_VERSION,
        "genres": genres,
        "n_artists": n_artists,
        "tracks_per_artist": tracks_per_artist,
        "duration": duration,
        "sr": sr,
        "seed": seed,
    }
    X = None
    if folder is not None:
        key = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:20]
        npy = folder / f"synthetic_{key}.npy"
        X = _read_cache(npy, (len(metadata), n_samples))
    if X is None:
        X = _generate(genres, n_artists, tracks_per_artist, n_samples, sr, seed)
        if folder is not None:
            # The JSON goes first: a complete .npy is the mark of a complete entry.
            text = json.dumps(params, indent=1, sort_keys=True).encode()
            atomic_write(npy.with_suffix(".json"), lambda fh: fh.write(text))
            atomic_write(npy, lambda fh: np.save(fh, X, allow_pickle=False))
    description = (
        f"Synthetic music: {len(genres)} genres x {n_artists} artists x {tracks_per_artist} "
        f"tracks of {duration:g} s at {sr} Hz, seed {seed}, generated by "
        "mir_genre.datasets.synthetic (genre recipes plus a per-artist signature)."
    )
    return Dataset("synthetic", X, metadata, sr=sr, kind="audio", description=description)


def _read_cache(path, shape):
    """Return the cached array, or None if it is absent, unreadable or misshapen."""
    if not path.is_file():
        return None
    try:
        X = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if X.shape != shape or X.dtype != np.float32:
        return None
    return X
