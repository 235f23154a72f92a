"""The one rule for unreadable tracks: left out of every fold, reported by file and reason.

See the notes of :mod:`mir_genre.evaluation`.
"""

import errno
import os
import warnings

import numpy as np

from ..exceptions import DataError
from .splits import _error_text


def extract_features(extractor, X):
    """Extract every track, collecting the tracks that cannot be read instead of raising.

    Parameters
    ----------
    extractor : estimator instance
        An extractor, or a `sklearn.pipeline.FeatureUnion` of them (joined extractors
        run in turn; a track any of them cannot read is unreadable).
    X : sequence of str or os.PathLike, or np.ndarray [shape=(n_clips, n_samples)]
        Audio file paths, or equal-length mono float audio.

    Returns
    -------
    features : np.ndarray [shape=(n_clips, n_features)]
        One row per track; the rows of unreadable tracks are NaN.
    failures : list of ExtractionFailure
        The unreadable tracks (``index``, ``source``: the file, ``error``), in order.
    """
    from ..specs import extractor_members

    extractor.fit(X)
    parts, by_index = [], {}
    for member in extractor_members(extractor):  # joined extractors: each in turn
        if hasattr(member, "extract"):
            part, failed = extract_member(member, X)
        else:
            part, failed = member.transform(X), []
        parts.append(part)
        for failure in failed:
            by_index.setdefault(failure.index, failure)
    return np.hstack(parts), [by_index[i] for i in sorted(by_index)]


#: What a cache that cannot be written raises: the disk is full, over quota, read-only.
_CACHE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def _cache_location(member):
    memory = getattr(member, "memory", None)
    location = getattr(memory, "location", memory)
    return os.fspath(location) if isinstance(location, (str, os.PathLike)) else None


def _is_cache_fault(error, location):
    """Whether a track failed because the cache could not be written, not its audio."""
    if not isinstance(error, OSError):
        return False
    filename = error.filename
    if location and isinstance(filename, (str, os.PathLike)):
        inside = os.path.abspath(os.fspath(filename))
        if os.path.commonpath([inside, os.path.abspath(location)]) == os.path.abspath(location):
            return True
    return error.errno in _CACHE_ERRNOS


def extract_member(member, X):
    """``member.extract(X, errors="collect")``, redoing without the cache what it failed.

    A per-track cache that cannot be written (a full disk, a read-only folder) makes
    every track that was not cached yet fail with that error, though its audio reads
    fine.  Those tracks are extracted again without the cache and a ``RuntimeWarning``
    names the cache folder and the reason; the tracks cached before are kept and read
    from it.

    Parameters
    ----------
    member : BaseExtractor
        One extractor (with ``extract`` and ``memory``).
    X : sequence of str or os.PathLike, or np.ndarray [shape=(n_clips, n_samples)]
        The tracks.

    Returns
    -------
    features : np.ndarray [shape=(n_clips, n_features)]
    failures : list of ExtractionFailure
        The tracks that could not be read, in order.
    """
    from sklearn.base import clone

    location = _cache_location(member)
    try:
        features, failures = member.extract(X, errors="collect")
    except OSError as exc:  # the cache folder itself could not be set up
        if location is None or not _is_cache_fault(exc, location):
            raise
        features, failures = clone(member).set_params(memory=None).extract(X, errors="collect")
        _warn_cache(location, exc, len(X), 0)
        return features, failures
    faults = [f for f in failures if _is_cache_fault(f.error, location)]
    if not faults or location is None:
        return features, failures
    rows = [f.index for f in faults]
    again, failed = (
        clone(member)
        .set_params(memory=None)
        .extract(X[rows] if isinstance(X, np.ndarray) else [X[i] for i in rows], errors="collect")
    )
    features[rows] = again
    moved = {f.index: f for f in failed}
    redone = []
    for at, row in enumerate(rows):
        if at in moved:  # the audio itself fails too: report that error
            failure = moved[at]
            source = f"X[{row}]" if isinstance(X, np.ndarray) else failure.source
            redone.append(type(failure)(row, source, failure.error))
    kept = [f for f in failures if f not in faults]
    _warn_cache(location, faults[0].error, len(rows), len(X) - len(failures))
    return features, sorted(kept + redone, key=lambda f: f.index)


def _warn_cache(location, error, n_redone, n_cached):
    warnings.warn(
        f"The feature cache {location!r} could not be written ({_error_text(error)}); "
        f"{n_redone} track(s) were extracted without it, so they are not cached; the "
        f"{n_cached} track(s) read from or written to it before are kept. Free space "
        "there, fix its permissions, or choose another cache folder.",
        RuntimeWarning,
        stacklevel=3,
    )


def unreadable_records(failures):
    """Describe unreadable tracks as ``{"file": ..., "error": "Type: message"}`` dicts.

    Parameters
    ----------
    failures : list of ExtractionFailure
        From `extract_features`.

    Returns
    -------
    list of dict
    """
    return [{"file": str(f.source), "error": _error_text(f.error)} for f in failures]


def drop_unreadable(failures, dataset):
    """Apply the unreadable-track rule: warn about the failures, return the readable rows.

    Parameters
    ----------
    failures : list of ExtractionFailure
        From `extract_features`.
    dataset : Dataset
        The dataset the features are of.

    Returns
    -------
    np.ndarray of bool [shape=(n_tracks,)]
        True for the tracks that were read.

    Warns
    -----
    DataWarning
        When some tracks could not be read: each file (the first five) and its reason.

    Raises
    ------
    DataError
        When no track could be read, with the first file and its reason.
    """
    from ..exceptions import DataWarning

    keep = np.ones(len(dataset), dtype=bool)
    if not failures:
        return keep
    if len(failures) == len(dataset):
        first = failures[0]
        raise DataError(
            f"No track of dataset {dataset.name!r} could be read; the first, "
            f"{first.source}, failed with {_error_text(first.error)}. Check that the files "
            "exist and decode (e.g. with `python -m mir_genre.extract` on one of them)."
        )
    listed = "; ".join(f"{r['file']}: {r['error']}" for r in unreadable_records(failures[:5]))
    more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
    warnings.warn(
        f"{len(failures)} of {len(dataset)} track(s) could not be read and were left out: "
        f"{listed}{more}",
        DataWarning,
        stacklevel=2,
    )
    keep[[f.index for f in failures]] = False
    return keep


def readable_folds(folds, keep):
    """Return the folds without the unreadable tracks.

    Parameters
    ----------
    folds : list of (train, test)
        Row indices per fold, made on the whole dataset (`make_splits`).
    keep : np.ndarray of bool or None
        The readable rows (`drop_unreadable`); None when every track was read.

    Returns
    -------
    list of (train, test)

    Examples
    --------
    >>> import numpy as np
    >>> folds = [(np.array([0, 1]), np.array([2, 3])), (np.array([2, 3]), np.array([0, 1]))]
    >>> [t.tolist() for _, t in readable_folds(folds, np.array([True, False, True, True]))]
    [[2, 3], [0]]
    """
    if keep is None or keep.all():
        return folds
    return [(train[keep[train]], test[keep[test]]) for train, test in folds]
