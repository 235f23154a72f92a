"""Leakage-safe evaluation: artist-filtered, fault-filtered and predefined splits.

Published GTZAN results are mostly inflated by random splits that put one artist (or
segments of one track) on both sides; on the public 57-feature table a random 5-fold
split scores 16-18 points higher than an artist-grouped one (logistic regression, SVM).
The splitters here are scikit-learn CV objects (use them as ``cv=`` in
`~sklearn.model_selection.cross_val_score` or `~sklearn.model_selection.GridSearchCV`),
and `check_no_leakage` proves a CV keeps artists and tracks apart.
"""

import warnings

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.model_selection._split import BaseCrossValidator

from .exceptions import LeakageError, LeakageWarning, ParameterError

__all__ = [
    "ArtistKFold",
    "RandomKFold",
    "PredefinedDatasetSplit",
    "FaultFilteredSplit",
    "check_no_leakage",
    "make_cv",
    "PROTOCOLS",
]

#: Protocol names understood by `make_cv` (``K`` is the number of folds).
PROTOCOLS = ("artist:K", "random:K", "fault-filtered", "fault-filtered+valid", "predefined")


class ArtistKFold(StratifiedGroupKFold):
    """K-fold over artists, stratified by genre: no artist is ever on both sides.

    A `~sklearn.model_selection.StratifiedGroupKFold` that insists on ``groups``.
    Tracks without a known artist form their own group (see
    `mir_genre.datasets.artist_groups`), so they fall on one side only.

    Parameters
    ----------
    n_splits : int >= 2, default=5
        Number of folds.
    shuffle : bool, default=False
        Shuffle the groups before splitting.
    random_state : int, RandomState or None, default=None
        Seed used when ``shuffle=True``.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array(["rock", "rock", "jazz", "jazz"] * 2)
    >>> groups = np.array(["a", "a", "b", "b", "c", "c", "d", "d"])
    >>> for train, test in ArtistKFold(2).split(np.zeros(8), y, groups):
    ...     assert not set(groups[train]) & set(groups[test])
    """

    def split(self, X, y=None, groups=None):
        """Generate train/test indices; ``groups`` (artist ids) is required.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Tracks (paths, audio or features); only the length is used.
        y : array-like of shape (n_samples,)
            Genres, for stratification.
        groups : array-like of shape (n_samples,)
            Artist group per track, e.g. ``dataset.groups``.

        Yields
        ------
        train, test : np.ndarray of int
            Indices of each fold.

        Raises
        ------
        ParameterError
            If ``groups`` is missing or has fewer distinct values than ``n_splits``.
        """
        if groups is None:
            raise ParameterError(
                "ArtistKFold needs the artist of every track: pass groups=dataset.groups, "
                "e.g. cross_val_score(pipe, ds.X, ds.y, groups=ds.groups, cv=ArtistKFold(5))."
            )
        n_groups = len(np.unique(np.asarray(groups)))
        if n_groups < self.n_splits:
            raise ParameterError(
                f"ArtistKFold(n_splits={self.n_splits}) needs at least {self.n_splits} "
                f"artists; groups has {n_groups}. Use fewer folds."
            )
        return super().split(X, y, groups)


class RandomKFold(StratifiedKFold):
    """Stratified k-fold over tracks, ignoring artists: for comparison only.

    Random splits put tracks of one artist on both sides and overstate accuracy (by
    16-18 points on GTZAN's 57-feature table).  When ``groups`` reaches `split` and an
    artist straddles a fold, a `~mir_genre.exceptions.LeakageWarning` says so.

    Parameters
    ----------
    n_splits : int >= 2, default=5
        Number of folds.
    shuffle : bool, default=True
        Shuffle before splitting.
    random_state : int, RandomState or None, default=None
        Seed used when ``shuffle=True``.

    Examples
    --------
    >>> import numpy as np, warnings
    >>> y = np.array(["rock", "jazz"] * 4)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     folds = list(RandomKFold(2, random_state=0).split(np.zeros(8), y, groups=["a"] * 8))
    >>> caught[0].category.__name__
    'LeakageWarning'
    """

    def __init__(self, n_splits=5, *, shuffle=True, random_state=None):
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)

    def split(self, X, y, groups=None):
        """Generate train/test indices, warning when artists straddle folds.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Tracks; only the length is used.
        y : array-like of shape (n_samples,)
            Genres, for stratification.
        groups : array-like of shape (n_samples,) or None
            Artist group per track; only used for the warning.

        Yields
        ------
        train, test : np.ndarray of int
            Indices of each fold.
        """
        folds = list(super().split(X, y))
        if groups is not None:
            groups = np.asarray(groups)
            shared = set()
            for train, test in folds:
                shared |= set(groups[train]) & set(groups[test])
            if shared:
                warnings.warn(
                    f"A random split puts {len(shared)} of {len(set(groups))} artists on both "
                    "sides of a fold, so the score overstates accuracy on unseen artists "
                    "(by 16-18 points on GTZAN's feature table). Use ArtistKFold for honest "
                    "numbers.",
                    LeakageWarning,
                    stacklevel=2,
                )
        yield from folds


class PredefinedDatasetSplit(BaseCrossValidator):
    """One train/test split from a dataset's predefined split labels.

    Parameters
    ----------
    split : array-like of str, or a Dataset
        Split name per track (``dataset.metadata["split"]``), or the dataset itself.
    train : str or tuple of str, default="train"
        Split name(s) to train on.
    test : str or tuple of str, default="test"
        Split name(s) to test on.  Tracks in neither are left out.

    Examples
    --------
    >>> cv = PredefinedDatasetSplit(["train", "valid", "test", "train"])
    >>> [(tr.tolist(), te.tolist()) for tr, te in cv.split([0, 1, 2, 3])]
    [([0, 3], [2])]
    """

    def __init__(self, split, *, train="train", test="test"):
        self.split_labels = _split_labels(split)
        self.train = train
        self.test = test

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return 1: a predefined split is a single fold.

        Parameters
        ----------
        X, y, groups : object
            Ignored.

        Returns
        -------
        int
        """
        return 1

    def _iter_test_masks(self, X=None, y=None, groups=None):  # pragma: no cover - unused
        raise NotImplementedError

    def split(self, X, y=None, groups=None):
        """Yield the one (train, test) pair.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Tracks; must have one row per split label.
        y, groups : object
            Ignored.

        Yields
        ------
        train, test : np.ndarray of int

        Raises
        ------
        ParameterError
            If ``X`` and the split labels differ in length, or a side is empty.
        """
        n = len(X)
        if n != len(self.split_labels):
            raise ParameterError(
                f"{type(self).__name__} has {len(self.split_labels)} split labels but X has "
                f"{n} rows; build the splitter from the same dataset as X."
            )
        names = [self.train] if isinstance(self.train, str) else list(self.train)
        test_names = [self.test] if isinstance(self.test, str) else list(self.test)
        train = np.flatnonzero(np.isin(self.split_labels, names))
        test = np.flatnonzero(np.isin(self.split_labels, test_names))
        for side, idx, wanted in (("train", train, names), ("test", test, test_names)):
            if len(idx) == 0:
                present = sorted(set(self.split_labels) - {""})
                raise ParameterError(
                    f"{type(self).__name__}: no track is in the {side} split {wanted}; the "
                    f"dataset's split labels are {present or 'all empty (no predefined split)'}."
                )
        yield train, test

    def __repr__(self):
        return f"{type(self).__name__}(train={self.train!r}, test={self.test!r})"


class FaultFilteredSplit(PredefinedDatasetSplit):
    """The fault-filtered GTZAN split of Kereliuk, Sturm & Larsen (2015).

    443 train, 197 valid and 290 test tracks, artist-disjoint, with the repeated and
    mislabelled excerpts removed.

    Parameters
    ----------
    split : array-like of str, or a Dataset
        ``"train"``/``"valid"``/``"test"``/``""`` per track, as the GTZAN loaders give.
    include_valid : bool, default=False
        Train on train+valid (the usual headline protocol) instead of train only.

    Examples
    --------
    >>> cv = FaultFilteredSplit(["train", "valid", "test"], include_valid=True)
    >>> [(tr.tolist(), te.tolist()) for tr, te in cv.split([0, 1, 2])]
    [([0, 1], [2])]
    """

    def __init__(self, split, *, include_valid=False):
        super().__init__(
            split, train=("train", "valid") if include_valid else "train", test="test"
        )
        self.include_valid = include_valid


def _split_labels(split):
    from .datasets import Dataset

    if isinstance(split, Dataset):
        split = split.metadata["split"]
    labels = np.asarray(
        ["" if s is None or (isinstance(s, float) and np.isnan(s)) else str(s) for s in split],
        dtype=object,
    )
    return labels


def check_no_leakage(cv, X, y=None, groups=None, *, track_ids=None):
    """Raise if any fold of ``cv`` puts one artist or one track on both sides.

    Parameters
    ----------
    cv : cross-validation object
        Anything with ``split(X, y, groups)``.
    X : array-like of shape (n_samples, ...)
        Tracks (or segments).
    y : array-like of shape (n_samples,) or None
        Labels passed to ``cv.split``.
    groups : array-like of shape (n_samples,) or None
        Artist group per sample; checked when given.
    track_ids : array-like of shape (n_samples,) or None
        Track per sample (segments of a track share it); checked when given.

    Returns
    -------
    int
        The number of folds checked.

    Raises
    ------
    LeakageError
        Naming the fold, how many artists/tracks are shared, and a few of them.
    ParameterError
        If neither ``groups`` nor ``track_ids`` is given.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import KFold
    >>> groups = np.array(["a", "a", "b", "b"])
    >>> check_no_leakage(ArtistKFold(2), np.zeros(4), ["x", "x", "y", "y"], groups)
    2
    >>> check_no_leakage(KFold(2), np.zeros(4), groups=np.array(["a", "b", "a", "b"]))
    Traceback (most recent call last):
    ...
    mir_genre.exceptions.LeakageError: Fold 0 of KFold(...) puts 2 artist(s) on both sides ...
    """
    if groups is None and track_ids is None:
        raise ParameterError(
            "check_no_leakage needs groups (artists) and/or track_ids to check; pass "
            "groups=dataset.groups."
        )
    checks = [
        (what, np.asarray(values))
        for what, values in (("artist", groups), ("track", track_ids))
        if values is not None
    ]
    with warnings.catch_warnings():
        # Splitters that ignore groups (KFold...) say so; that is what is being checked.
        warnings.filterwarnings("ignore", message="The groups parameter is ignored by")
        folds = list(cv.split(X, y, groups))
    n_folds = 0
    for fold, (train, test) in enumerate(folds):
        n_folds += 1
        for what, values in checks:
            shared = sorted(set(values[train]) & set(values[test]), key=str)
            if shared:
                raise LeakageError(
                    f"Fold {fold} of {cv!r} puts {len(shared)} {what}(s) on both sides "
                    f"(e.g. {', '.join(map(str, shared[:3]))}); its scores would overstate "
                    "accuracy. Use ArtistKFold with groups=dataset.groups, or a predefined "
                    "artist-disjoint split."
                )
    return n_folds


def make_cv(protocol, dataset=None, *, random_state=None):
    """Build the splitter for a protocol name.

    Parameters
    ----------
    protocol : str
        ``"artist:K"`` (`ArtistKFold`), ``"random:K"`` (`RandomKFold`, for comparison
        only), ``"fault-filtered"`` (GTZAN train -> test), ``"fault-filtered+valid"``
        (train+valid -> test) or ``"predefined"`` (the dataset's own train -> test).
    dataset : Dataset or None, default=None
        Needed for the predefined protocols.
    random_state : int or None, default=None
        Seed for the shuffled k-fold protocols (``artist:K`` shuffles when given).

    Returns
    -------
    cross-validation object

    Raises
    ------
    ParameterError
        For an unknown protocol, a bad ``K``, or a predefined protocol without a dataset.

    Examples
    --------
    >>> make_cv("artist:5")
    ArtistKFold(n_splits=5, random_state=None, shuffle=False)
    """
    name, _, k = str(protocol).partition(":")
    if name in ("artist", "random"):
        if not k.isdigit() or int(k) < 2:
            raise ParameterError(
                f"Protocol {protocol!r} needs a number of folds >= 2, e.g. '{name}:5'."
            )
        if name == "artist":
            shuffle = random_state is not None
            return ArtistKFold(int(k), shuffle=shuffle, random_state=random_state)
        return RandomKFold(int(k), random_state=random_state)
    if name in ("fault-filtered", "fault-filtered+valid", "predefined") and not k:
        if dataset is None:
            raise ParameterError(f"Protocol {protocol!r} needs the dataset whose split it uses.")
        if name == "predefined":
            return PredefinedDatasetSplit(dataset)
        return FaultFilteredSplit(dataset, include_valid=name.endswith("+valid"))
    raise ParameterError(
        f"Unknown evaluation protocol {protocol!r}; use one of {', '.join(PROTOCOLS)}."
    )
