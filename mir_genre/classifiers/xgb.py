"""Gradient-boosted trees (XGBoost) with early stopping on an artist-aware hold-out.

xgboost is an optional dependency (``pip install "mir_genre[xgboost]"``, which installs
the CPU-only ``xgboost-cpu`` build); it is imported only when a model is fitted.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from ..exceptions import ParameterError
from ._targets import check_genres, check_groups, check_labels
from .sklearn_models import ProbabilisticPredictMixin

__all__ = ["XGBoostGenreClassifier"]


def _import_xgboost():
    try:
        import xgboost
    except ImportError as exc:
        raise ParameterError(
            "The 'xgboost' classifier needs the xgboost package: pip install "
            "'mir_genre[xgboost]' (or xgboost-cpu)."
        ) from exc
    return xgboost


class XGBoostGenreClassifier(ProbabilisticPredictMixin, ClassifierMixin, BaseEstimator):
    """XGBoost on audio features, string labels in and out, with early stopping.

    Trees need no feature scaling.  With ``early_stopping_rounds`` set, a
    ``validation_fraction`` of the training tracks is held out to pick the number of
    trees; when ``groups`` (artists) are passed to `fit` the hold-out is split by group,
    so the stopping point is not tuned on the training artists themselves.

    Parameters
    ----------
    n_estimators : int > 0, default=500
        Most boosting rounds.
    learning_rate : float > 0, default=0.05
        Shrinkage.
    max_depth : int > 0, default=4
        Tree depth.
    subsample : float in (0, 1], default=0.8
        Rows sampled per tree.
    colsample_bytree : float in (0, 1], default=0.8
        Features sampled per tree.
    early_stopping_rounds : int > 0 or None, default=30
        Stop after this many rounds without improvement on the hold-out; None trains
        all ``n_estimators`` rounds on all tracks (as does a training set with fewer
        than 5 tracks in some genre).
    validation_fraction : float in (0, 0.5], default=0.15
        Share of tracks (or groups) held out for early stopping.
    n_jobs : int or None, default=None
        Threads.
    random_state : int or None, default=None
        Seed.

    Attributes
    ----------
    classes_ : np.ndarray
        The labels seen in `fit`.
    model_ : xgboost.XGBClassifier
        The fitted booster (trained on integer codes of ``classes_``).
    best_iteration_ : int or None
        Round chosen by early stopping (None when it did not run).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.r_[np.zeros((20, 2)), np.ones((20, 2))]
    >>> y = ["jazz"] * 20 + ["metal"] * 20
    >>> clf = XGBoostGenreClassifier(n_estimators=20, random_state=0).fit(X, y)
    >>> clf.predict([[1.0, 1.0]])
    array(['metal'], dtype='<U5')
    """

    _parameter_constraints = {
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_depth": [Interval(Integral, 1, None, closed="left")],
        "subsample": [Interval(Real, 0, 1, closed="right")],
        "colsample_bytree": [Interval(Real, 0, 1, closed="right")],
        "early_stopping_rounds": [Interval(Integral, 1, None, closed="left"), None],
        "validation_fraction": [Interval(Real, 0, 0.5, closed="right")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }
    # The grid `mir_genre.classifiers.tuned.Tuned` searches when given none.
    _search_grid = {"max_depth": [3, 4, 6], "learning_rate": [0.05, 0.1]}

    def __init__(
        self,
        *,
        n_estimators=500,
        learning_rate=0.05,
        max_depth=4,
        subsample=0.8,
        colsample_bytree=0.8,
        early_stopping_rounds=30,
        validation_fraction=0.15,
        n_jobs=None,
        random_state=None,
    ):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _holdout(self, y_enc, groups):
        """Return (train, valid) indices for early stopping, or None when it cannot run."""
        from sklearn.model_selection import GroupShuffleSplit, StratifiedShuffleSplit

        n_classes = len(self.classes_)
        # A hold-out from fewer than 5 tracks per genre would leave too little on each side.
        if self.early_stopping_rounds is None or np.bincount(y_enc).min() < 5:
            return None
        seed = np.random.RandomState(self.random_state).randint(2**31 - 1)
        try:
            if groups is not None:
                splitter = GroupShuffleSplit(
                    1, test_size=self.validation_fraction, random_state=seed
                )
                train, valid = next(splitter.split(y_enc, y_enc, groups))
            else:
                splitter = StratifiedShuffleSplit(
                    1,
                    test_size=max(self.validation_fraction, n_classes / len(y_enc)),
                    random_state=seed,
                )
                train, valid = next(splitter.split(y_enc, y_enc))
        except ValueError:  # too few tracks to hold any out
            return None
        # The booster needs every class among its training rows.
        if len(np.unique(y_enc[train])) < n_classes or len(valid) == 0:
            return None
        return train, valid

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, groups=None):
        """Fit the booster, holding out tracks (by group when given) for early stopping.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Genre labels.
        groups : array-like of shape (n_samples,) or None, default=None
            Artist per track, to split the early-stopping hold-out by artist.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        xgboost = _import_xgboost()
        check_labels(self, y)
        X, y = validate_data(self, X, y)
        self.classes_, y_enc = check_genres(self, y)
        holdout = self._holdout(y_enc, check_groups(self, groups, len(y)))
        n_classes = len(self.classes_)
        params = dict(
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            max_depth=self.max_depth,
            subsample=self.subsample,
            colsample_bytree=self.colsample_bytree,
            n_jobs=self.n_jobs,
            random_state=self.random_state,
            objective="multi:softprob" if n_classes > 2 else "binary:logistic",
            tree_method="hist",
        )
        if holdout is None:
            self.model_ = xgboost.XGBClassifier(**params).fit(X, y_enc)
            self.best_iteration_ = None
        else:
            train, valid = holdout
            self.model_ = xgboost.XGBClassifier(
                **params, early_stopping_rounds=self.early_stopping_rounds
            )
            self.model_.fit(
                X[train], y_enc[train], eval_set=[(X[valid], y_enc[valid])], verbose=False
            )
            self.best_iteration_ = int(self.model_.best_iteration)
        return self

    def predict_proba(self, X):
        """Probability of every class, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        np.ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        return self.model_.predict_proba(validate_data(self, X, reset=False))

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests and `mir_genre.testing.check_plugin`.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {"n_estimators": 10, "early_stopping_rounds": 3}
