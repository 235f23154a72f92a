"""The one rule for unreadable tracks: left out of every fold, reported by file and reason.

See the notes of :mod:`mir_genre.evaluation`.
"""

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
            part, failed = member.extract(X, errors="collect")
        else:
            part, failed = member.transform(X), []
        parts.append(part)
        for failure in failed:
            by_index.setdefault(failure.index, failure)
    return np.hstack(parts), [by_index[i] for i in sorted(by_index)]


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
