"""Summary statistics over frames, shared by the frame-wise extractors."""

import numpy as np

from ..exceptions import ParameterError

__all__ = ["STATS", "check_stats", "summarize", "stat_names"]

#: Statistics a frame-wise extractor can summarise with, applied over time (last axis).
STATS = {
    "mean": np.mean,
    "std": np.std,
    "var": np.var,
    "min": np.min,
    "max": np.max,
    "median": np.median,
}


def check_stats(stats, *, owner):
    """Validate a ``stats`` parameter; return it as a tuple.

    Parameters
    ----------
    stats : sequence of str
        Names from `STATS`.
    owner : str
        Class name to mention in the error message.

    Returns
    -------
    tuple of str

    Raises
    ------
    ParameterError
        If ``stats`` is empty, a plain string, has duplicates or unknown names.

    Examples
    --------
    >>> check_stats(["mean", "std"], owner="MFCCDeltas")
    ('mean', 'std')
    """
    if isinstance(stats, str) or not hasattr(stats, "__iter__"):
        raise ParameterError(
            f"The 'stats' parameter of {owner} must be a sequence of names such as "
            f"('mean', 'std'); got {stats!r}."
        )
    stats = tuple(stats)
    unknown = [s for s in stats if s not in STATS]
    if not stats or unknown or len(set(stats)) != len(stats):
        raise ParameterError(
            f"The 'stats' parameter of {owner} must be a non-empty sequence of distinct names "
            f"from {sorted(STATS)}; got {stats!r}."
        )
    return stats


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
