"""The checks every classifier runs on its genre labels and artist groups in ``fit``.

One rule for all of them (scikit-learn models, xgboost, the deep models): a label per
track, none missing, of one type, at least two genres; ``groups`` (the artists used
for the early-stopping hold-out) one per track.  Each failure is a `ParameterError`
that says what is wrong and how to fix it, instead of a ``TypeError`` from deep inside
NumPy or a model that can only ever answer one genre.
"""

import numpy as np
from sklearn.utils.multiclass import check_classification_targets

from ..exceptions import ParameterError

__all__ = ["check_genres", "check_groups", "check_labels"]


def _missing(y):
    """Positions of None and NaN entries of an object array."""
    return [i for i, v in enumerate(y) if v is None or (isinstance(v, float) and np.isnan(v))]


def check_labels(estimator, y):
    """Refuse missing genre labels (None/NaN) and labels mixing strings and numbers.

    Runs on ``y`` as the user gave it, before `sklearn.utils.validation.validate_data`
    (which would fail on them with a ``TypeError`` from NumPy's sort, or turn a NaN in a
    list of strings into the genre ``"nan"``).  Numeric arrays pass through: there,
    scikit-learn's own check refuses NaN.

    Parameters
    ----------
    estimator : estimator instance
        The classifier being fitted (named in the messages).
    y : array-like
        The labels.

    Raises
    ------
    ParameterError
        For None/NaN labels, or labels mixing strings and numbers.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> check_labels(SVC(), ["rock", "jazz", "rock"])
    >>> check_labels(SVC(), ["rock", None])
    Traceback (most recent call last):
    ...
    mir_genre.exceptions.ParameterError: SVC got 1 missing genre label (None or NaN) at ...
    """
    if y is None or (isinstance(y, np.ndarray) and y.dtype != object):
        return  # scikit-learn's checks say what is wrong
    try:
        values = np.asarray(y, dtype=object).ravel()
    except (TypeError, ValueError):  # ragged or odd input: validate_data says what
        return
    name = type(estimator).__name__
    missing = _missing(values)
    if missing:
        many = len(missing) > 1
        shown = ", ".join(map(str, missing[:5])) + (" ..." if len(missing) > 5 else "")
        raise ParameterError(
            f"{name} got {len(missing)} missing genre label{'s' * many} (None or NaN) at "
            f"position{'s' * many} {shown}; every track needs its genre. Drop those tracks "
            "or label them."
        )
    strings = [v for v in values if isinstance(v, str)]
    others = [v for v in values if not isinstance(v, str)]
    if strings and others:
        raise ParameterError(
            f"{name} got genre labels that mix strings and numbers (e.g. {strings[0]!r} "
            f"and {others[0]!r}); use one type, e.g. np.asarray(y).astype(str)."
        )


def check_genres(estimator, y):
    """Encode validated genre labels; refuse a single genre.

    Parameters
    ----------
    estimator : estimator instance
        The classifier being fitted (named in the messages).
    y : np.ndarray [shape=(n_tracks,)]
        The labels, as `sklearn.utils.validation.validate_data` returned them (after
        `check_labels` on the user's ``y``).

    Returns
    -------
    classes : np.ndarray
        The sorted distinct genres.
    y_encoded : np.ndarray of int
        Each label's index in ``classes``.

    Raises
    ------
    ParameterError
        For one genre only: the model could only ever answer that genre.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.svm import SVC
    >>> check_genres(SVC(), np.array(["rock", "jazz", "rock"]))
    (array(['jazz', 'rock'], dtype='<U4'), array([1, 0, 1]))
    """
    check_classification_targets(y)
    classes, y_encoded = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ParameterError(
            f"{type(estimator).__name__} needs tracks of at least two genres to learn from; "
            f"y holds one class only ({classes.tolist()}), so the model could only ever "
            "answer that genre. Add tracks of other genres."
        )
    return classes, y_encoded


def check_groups(estimator, groups, n_tracks):
    """Check the artist ``groups`` given to ``fit``: one per track, none missing.

    Parameters
    ----------
    estimator : estimator instance
        The classifier being fitted (named in the messages).
    groups : array-like or None
        Artist (or any group id) per track; None passes through.
    n_tracks : int
        Rows of ``X``.

    Returns
    -------
    np.ndarray or None

    Raises
    ------
    ParameterError
        When ``groups`` is not 1-D, has another length than ``X``, or holds None/NaN.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> check_groups(SVC(), ["a", "b"], 3)
    Traceback (most recent call last):
    ...
    mir_genre.exceptions.ParameterError: SVC.fit got 2 groups for 3 tracks; ...
    """
    if groups is None:
        return None
    name = type(estimator).__name__
    groups = np.asarray(groups)
    if groups.ndim != 1 or len(groups) != n_tracks:
        shape = len(groups) if groups.ndim == 1 else f"an array of shape {groups.shape}"
        raise ParameterError(
            f"{name}.fit got {shape} groups for {n_tracks} tracks; groups gives each track "
            "its artist (one value per row of X, in the same order), e.g. dataset.groups."
        )
    missing = _missing(groups) if groups.dtype == object else []
    if groups.dtype.kind == "f":
        missing = np.flatnonzero(np.isnan(groups)).tolist()
    if missing:
        raise ParameterError(
            f"{name}.fit got {len(missing)} missing groups (None or NaN), first at position "
            f"{missing[0]}; give every track an artist (tracks without one can each be their "
            "own group, as mir_genre.datasets.artist_groups does)."
        )
    return groups
