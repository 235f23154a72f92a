"""Summary statistics over frames, shared by the frame-wise extractors."""

import numpy as np

from ..exceptions import ParameterError

__all__ = ["STATS", "Moments", "check_names", "check_stats", "summarize", "stat_names"]

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


class Moments:
    """Mean and variance over frames, accumulated chunk by chunk.

    Each chunk is reduced by the same numpy calls a whole-clip computation makes
    (`numpy.mean` and `numpy.var` in the chunk's dtype); the chunks are then combined
    in float64 with the parallel-variance formula (Chan, Golub and LeVeque).  One chunk
    therefore gives exactly ``np.mean(values)`` and ``np.var(values)``, and several give
    the moments of all frames joined, without keeping them.

    Parameters
    ----------
    axis : int or None, default=None
        Axis of the frames: None pools every value of a chunk (as ``np.mean(M)``), -1
        keeps one statistic per row (as ``np.mean(M, axis=-1)``).

    Examples
    --------
    >>> import numpy as np
    >>> m = Moments()
    >>> m.add(np.array([1.0, 2.0])); m.add(np.array([3.0, 4.0, 5.0]))
    >>> float(m.mean), float(m.var)
    (3.0, 2.0)
    """

    def __init__(self, axis=None):
        self.axis = axis
        self.n = 0
        self.mean = 0.0
        self._m2 = 0.0

    def add(self, values):
        """Fold the frames of one chunk in.

        Parameters
        ----------
        values : np.ndarray
            The chunk's values; frames along ``axis``.
        """
        n = values.size if self.axis is None else values.shape[self.axis]
        if n == 0:
            return
        mean = np.asarray(np.mean(values, axis=self.axis), dtype=np.float64)
        m2 = np.asarray(np.var(values, axis=self.axis), dtype=np.float64) * n
        total = self.n + n
        delta = mean - self.mean
        self.mean = self.mean + delta * (n / total)
        self._m2 = self._m2 + m2 + delta**2 * (self.n * n / total)
        self.n = total

    @property
    def var(self):
        """Population variance (``ddof=0``) of everything added."""
        return self._m2 / self.n
