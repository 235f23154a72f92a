"""Summary statistics over frames, shared by the frame-wise extractors."""

import numpy as np

from ..exceptions import ParameterError

__all__ = ["STATS", "check_names", "check_stats", "summarize", "stat_names"]

#: Statistics a frame-wise extractor can summarise with, applied over time (last axis).
STATS = {
    "mean": np.mean,
    "std": np.std,
    "var": np.var,
    "min": np.min,
    "max": np.max,
    "median": np.median,
}


def check_names(values, *, allowed, param, owner):
    """Validate a parameter that lists names from a fixed set; return it as a tuple.

    Parameters
    ----------
    values : sequence of str
        The parameter's value.
    allowed : sequence of str
        The names it may contain.
    param : str
        The parameter's name, for the error message.
    owner : str
        Function or class name, for the error message.

    Returns
    -------
    tuple of str

    Raises
    ------
    ParameterError
        If ``values`` is a plain string or not a sequence, is empty, has duplicates or
        names outside ``allowed``.

    Examples
    --------
    >>> check_names(["mean"], allowed=STATS, param="stats", owner="MFCCDeltas")
    ('mean',)
    """
    example = tuple(list(allowed)[:2])
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise ParameterError(
            f"The {param!r} parameter of {owner} must be a sequence of names such as "
            f"{example}; got {values!r}."
        )
    values = tuple(values)
    unknown = [v for v in values if v not in allowed]
    if not values or unknown or len(set(values)) != len(values):
        raise ParameterError(
            f"The {param!r} parameter of {owner} must be a non-empty sequence of distinct names "
            f"from {list(allowed)}; got {values!r}."
        )
    return values


def check_stats(stats, *, owner):
    """Validate a ``stats`` parameter (names from `STATS`); return it as a tuple.

    Parameters
    ----------
    stats : sequence of str
        Names from `STATS`.
    owner : str
        Function or class name, for the error message.

    Returns
    -------
    tuple of str

    Raises
    ------
    ParameterError
        As `check_names`.

    Examples
    --------
    >>> check_stats(["mean", "std"], owner="MFCCDeltas")
    ('mean', 'std')
    """
    return check_names(stats, allowed=STATS, param="stats", owner=owner)


def summarize(M, stats):
    """Summarise each row of ``M`` over frames; stat-major order.

    Parameters
    ----------
    M : np.ndarray [shape=(d, t)]
        Frame-wise features.
    stats : sequence of str
        Names from `STATS`.

    Returns
    -------
    np.ndarray [shape=(len(stats) * d,)], float64
        ``[stat0(row0), ..., stat0(row d-1), stat1(row0), ...]``.

    Examples
    --------
    >>> import numpy as np
    >>> summarize(np.array([[1.0, 3.0], [2.0, 2.0]]), ["mean", "max"])
    array([2., 2., 3., 2.])
    """
    return np.concatenate([STATS[s](M, axis=-1) for s in stats]).astype(np.float64)


def stat_names(prefix, stats, labels):
    """Feature names matching `summarize`: ``{prefix}_{stat}_{label}``.

    Parameters
    ----------
    prefix : str
        Feature family, e.g. ``"mfcc"``.
    stats : sequence of str
        Statistic names.
    labels : sequence
        One label per row (coefficient index, pitch class, ...).

    Returns
    -------
    list of str

    Examples
    --------
    >>> stat_names("mfcc", ["mean"], range(2))
    ['mfcc_mean_0', 'mfcc_mean_1']
    """
    return [f"{prefix}_{stat}_{label}" for stat in stats for label in labels]
