"""Where a result came from: library versions and a description of the dataset.

``python -m mir_genre.compare`` writes these into ``results.json`` and
``python -m mir_genre.train`` into the model file's header, so both record the same
things in the same way.
"""

import hashlib
import importlib.metadata
import sys

__all__ = [
    "OPTIONAL_LIBRARIES",
    "dataset_checksum",
    "dataset_info",
    "dataset_summary",
    "library_versions",
    "n_artists",
]

#: Optional libraries whose version every record names ("not installed" when absent).
OPTIONAL_LIBRARIES = ("xgboost", "keras")


def _version(name):
    # xgboost also ships as the CPU-only "xgboost-cpu" distribution.
    for distribution in (name, "xgboost-cpu") if name == "xgboost" else (name,):
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "not installed"


def library_versions(*extra):
    """Versions of mir_genre and of the libraries a result depends on.

    The core libraries and `OPTIONAL_LIBRARIES` are always listed.  Once Keras has been
    imported (a deep model ran) its backend is known too: ``keras_backend`` names it
    and the backend's own version is added.

    Parameters
    ----------
    *extra : str
        More distributions to report (e.g. ``"jax"``).

    Returns
    -------
    dict of str to str
        ``{"mir_genre": ..., "python": ..., "numpy": ..., ...}``; a library that is not
        installed reads ``"not installed"``.

    Examples
    --------
    >>> versions = library_versions()
    >>> {"mir_genre", "scikit-learn", "librosa", "keras", "xgboost"} <= set(versions)
    True
    """
    import platform

    from . import __version__

    versions = {"mir_genre": __version__, "python": platform.python_version()}
    core = ("numpy", "scipy", "scikit-learn", "librosa", "joblib", "soundfile")
    for name in dict.fromkeys((*core, *OPTIONAL_LIBRARIES, *extra)):
        versions[name] = _version(name)
    keras = sys.modules.get("keras")
    if keras is not None:
        backend = keras.backend.backend()
        versions["keras_backend"] = backend
        versions[backend] = _version(backend)
    return versions


def n_artists(dataset):
    """Count the distinct known artists (tracks without an artist are not counted).

    Parameters
    ----------
    dataset : Dataset
        The dataset.

    Returns
    -------
    int
    """
    return len({g for g in dataset.groups if str(g).startswith("artist:")})


def dataset_summary(dataset):
    """Return the counts every record of a dataset starts with.

    Parameters
    ----------
    dataset : Dataset
        The dataset.

    Returns
    -------
    dict
        ``name``, ``kind``, ``n_tracks``, ``n_genres`` and ``n_artists`` (distinct known
        artists).

    Examples
    --------
    >>> import mir_genre
    >>> ds = mir_genre.load_dataset(
    ...     "synthetic", genres=["jazz", "rock"], n_artists=2, tracks_per_artist=1, duration=0.1
    ... )
    >>> dataset_summary(ds)
    {'name': 'synthetic', 'kind': 'audio', 'n_tracks': 4, 'n_genres': 2, 'n_artists': 4}
    """
    return {
        "name": dataset.name,
        "kind": dataset.kind,
        "n_tracks": len(dataset),
        "n_genres": int(dataset.metadata["genre"].nunique()),
        "n_artists": n_artists(dataset),
    }


def dataset_info(dataset):
    """Return `dataset_summary` plus the genres and `dataset_checksum` (a results record).

    Parameters
    ----------
    dataset : Dataset
        The dataset.

    Returns
    -------
    dict
        ``name``, ``kind``, ``n_tracks``, ``n_genres``, ``n_artists``, ``genres``
        (sorted) and ``sha256``.
    """
    return {
        **dataset_summary(dataset),
        "genres": sorted(str(g) for g in set(dataset.y)),
        "sha256": dataset_checksum(dataset),
    }


def dataset_checksum(dataset):
    """sha256 over every track's id, genre, artist and path (identifies the evaluation data).

    Parameters
    ----------
    dataset : Dataset
        The dataset.

    Returns
    -------
    str
        Hex digest.
    """
    digest = hashlib.sha256()
    meta = dataset.metadata
    for row in zip(meta["track_id"], meta["genre"], meta["artist"], meta["path"], strict=True):
        cells = ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in row]
        digest.update(("\t".join(cells) + "\n").encode("utf-8"))
    return digest.hexdigest()
