"""The scikit-learn classifiers people reach for on audio features, with scaling built in.

Each is a small estimator around a scikit-learn model: features are standardised
inside (so a pipeline ``extractor -> classifier`` needs no extra step), labels are
genre strings, and ``classes_`` / ``predict_proba`` behave as usual.

With ``search=True`` each chooses its main hyperparameters (its ``_search_grid``) by a
grid search whose inner folds never split an artist (`mir_genre.classifiers.tuned`);
the fitted classifier then also has ``best_params_``, ``best_score_`` and
``cv_results_``.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ..exceptions import DataWarning
from ._targets import check_genres, check_groups, check_labels

__all__ = ["SVMClassifier", "LogisticClassifier", "KNNClassifier", "RandomForest"]

#: The constraints of ``search`` and ``search_cv``, which every scaled classifier takes.
SEARCH_CONSTRAINTS = {
    "search": ["boolean"],
    "search_cv": [Interval(Integral, 2, None, closed="left")],
}


class ProbabilisticPredictMixin:
    """``predict`` as the argmax of ``predict_proba``, over ``classes_``."""

    def predict(self, X):
        """Predict one genre per row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        np.ndarray of shape (n_samples,)
            The most probable label of each row, from ``classes_``.
        """
        check_is_fitted(self)
        # The argmax of predict_proba, so that predictions and probabilities never disagree
        # (SVC's own predict uses the decision function, which can differ from Platt scaling).
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class _ScaledClassifier(ProbabilisticPredictMixin, ClassifierMixin, BaseEstimator):
    """Standardise the features, then fit the model `_make_model` builds."""

    _parameter_constraints: dict = {}
    _scale = True

    def _make_model(self, y):  # pragma: no cover - abstract
        raise NotImplementedError

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, groups=None):
        """Fit the scaler and the model (after an inner search with ``search=True``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features, e.g. the output of an extractor.
        y : array-like of shape (n_samples,)
            Genre labels (strings or integers).
        groups : array-like of shape (n_samples,) or None, default=None
            Artist per track.  With ``search=True`` the inner folds of the search are
            split by artist (`mir_genre.model_selection.ArtistKFold`); without a search
            they are only checked.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        check_labels(self, y)
        X, y = validate_data(self, X, y)
        self.classes_, _ = check_genres(self, y)
        groups = check_groups(self, groups, len(X))
        if self.search:
            return self._fit_searched(X, y, groups)
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        steps = [StandardScaler()] if self._scale else []
        self.model_ = make_pipeline(*steps, self._make_model(y)).fit(X, y)
        if hasattr(self.model_[-1], "n_iter_"):  # iterative solvers report their iterations
            self.n_iter_ = self.model_[-1].n_iter_
        return self

    def _fit_searched(self, X, y, groups):
        """Choose the parameters of ``_search_grid`` on artist-disjoint inner folds."""
        from sklearn.base import clone

        from .tuned import run_search, search_grid

        base = clone(self).set_params(search=False)
        search = run_search(base, X, y, groups, param_grid=search_grid(self), cv=self.search_cv)
        best = search.best_estimator_
        self.model_ = best.model_
        if hasattr(best, "n_iter_"):
            self.n_iter_ = best.n_iter_
        self.best_params_ = search.best_params_
        self.best_score_ = float(search.best_score_)
        self.cv_results_ = search.cv_results_
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


class SVMClassifier(_ScaledClassifier):
    """RBF support vector machine on standardised features.

    Parameters
    ----------
    C : float > 0, default=10.0
        Regularisation strength (inverse).
    kernel : {"rbf", "linear", "poly", "sigmoid"}, default="rbf"
        Kernel.
    gamma : {"scale", "auto"} or float > 0, default="scale"
        Kernel coefficient.
    random_state : int, RandomState or None, default=None
        Seed of the probability calibration.
    search : bool, default=False
        Choose ``C`` and ``gamma`` (``_search_grid``) by an inner grid search on
        artist-disjoint folds of the training tracks; the search overrides them.
    search_cv : int >= 2, default=3
        Inner folds of the search.

    Attributes
    ----------
    classes_ : np.ndarray
        The labels seen in `fit`.
    model_ : sklearn.pipeline.Pipeline
        Scaler and `sklearn.svm.SVC` with Platt-scaled probabilities
        (`sklearn.calibration.CalibratedClassifierCV`).

    Examples
    --------
    >>> import numpy as np
    >>> noise = np.random.default_rng(0).normal(0, 0.1, (20, 2))
    >>> X = np.r_[np.zeros((10, 2)), np.ones((10, 2))] + noise
    >>> y = ["jazz"] * 10 + ["metal"] * 10
    >>> SVMClassifier(random_state=0).fit(X, y).predict([[1.0, 1.0]])
    array(['metal'], dtype='<U5')
    """

    _parameter_constraints = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "kernel": [StrOptions({"rbf", "linear", "poly", "sigmoid"})],
        "gamma": [StrOptions({"scale", "auto"}), Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        **SEARCH_CONSTRAINTS,
    }
    _search_grid = {"C": [0.1, 1.0, 10.0, 100.0], "gamma": ["scale", 0.01, 0.001]}

    def __init__(
        self,
        *,
        C=10.0,
        kernel="rbf",
        gamma="scale",
        random_state=None,
        search=False,
        search_cv=3,
    ):
        self.C = C
        self.kernel = kernel
        self.gamma = gamma
        self.random_state = random_state
        self.search = search
        self.search_cv = search_cv

    def _make_model(self, y):
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.model_selection import StratifiedKFold
        from sklearn.svm import SVC

        svc = SVC(C=self.C, kernel=self.kernel, gamma=self.gamma, random_state=self.random_state)
        smallest = np.unique(y, return_counts=True)[1].min()
        if smallest < 2:
            warnings.warn(
                "SVMClassifier: a genre has a single training example, too few for Platt "
                "scaling's out-of-fold decisions; its probabilities are a softmax of the "
                "decision values instead (uncalibrated, same ranking). Give every genre at "
                "least two tracks for calibrated probabilities.",
                DataWarning,
                stacklevel=4,
            )
            return _SoftmaxSVC(svc)
        # Platt scaling fitted on out-of-fold decisions; the smallest class bounds the folds.
        n_splits = min(5, smallest)
        cv = StratifiedKFold(n_splits, shuffle=True, random_state=self.random_state)
        return CalibratedClassifierCV(svc, method="sigmoid", cv=cv, ensemble=False)


class _SoftmaxSVC(ClassifierMixin, BaseEstimator):
    """An SVC whose probabilities are the softmax of its one-vs-rest decision values."""

    def __init__(self, svc):
        self.svc = svc

    def fit(self, X, y):
        """Fit a clone of the SVC."""
        from sklearn.base import clone

        self.svc_ = clone(self.svc).fit(X, y)
        self.classes_ = self.svc_.classes_
        return self

    def predict_proba(self, X):
        """Softmax of the decision values, columns in the order of ``classes_``."""
        from scipy.special import softmax

        decision = self.svc_.decision_function(X)
        if decision.ndim == 1:  # two classes: one signed distance
            decision = np.c_[-decision, decision]
        return softmax(decision, axis=1)


class LogisticClassifier(_ScaledClassifier):
    """Multinomial logistic regression on standardised features.

    Parameters
    ----------
    C : float > 0, default=1.0
        Regularisation strength (inverse).
    max_iter : int > 0, default=2000
        Solver iterations.
    search : bool, default=False
        Choose ``C`` (``_search_grid``) by an inner grid search on
        artist-disjoint folds of the training tracks; the search overrides them.
    search_cv : int >= 2, default=3
        Inner folds of the search.

    Attributes
    ----------
    classes_ : np.ndarray
        The labels seen in `fit`.
    model_ : sklearn.pipeline.Pipeline
        Scaler and `sklearn.linear_model.LogisticRegression`.
    n_iter_ : np.ndarray
        Solver iterations used.

    Examples
    --------
    >>> clf = LogisticClassifier().fit([[0.0], [0.1], [1.0], [1.1]], ["a", "a", "b", "b"])
    >>> clf.predict([[0.9]])
    array(['b'], dtype='<U1')
    """

    _parameter_constraints = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        **SEARCH_CONSTRAINTS,
    }
    _search_grid = {"C": [0.01, 0.1, 1.0, 10.0, 100.0]}

    def __init__(self, *, C=1.0, max_iter=2000, search=False, search_cv=3):
        self.C = C
        self.max_iter = max_iter
        self.search = search
        self.search_cv = search_cv

    def _make_model(self, y):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, max_iter=self.max_iter)


class KNNClassifier(_ScaledClassifier):
    """k-nearest neighbours on standardised features.

    Parameters
    ----------
    n_neighbors : int > 0, default=5
        Neighbours consulted (fewer when the training set is smaller).
    weights : {"uniform", "distance"}, default="distance"
        Vote weighting.
    search : bool, default=False
        Choose ``n_neighbors`` (``_search_grid``) by an inner grid search on
        artist-disjoint folds of the training tracks; the search overrides them.
    search_cv : int >= 2, default=3
        Inner folds of the search.

    Attributes
    ----------
    classes_ : np.ndarray
        The labels seen in `fit`.
    model_ : sklearn.pipeline.Pipeline
        Scaler and `sklearn.neighbors.KNeighborsClassifier`.

    Examples
    --------
    >>> KNNClassifier(n_neighbors=1).fit([[0.0], [1.0]], ["a", "b"]).predict([[0.8]])
    array(['b'], dtype='<U1')
    """

    _parameter_constraints = {
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "weights": [StrOptions({"uniform", "distance"})],
        **SEARCH_CONSTRAINTS,
    }
    _search_grid = {"n_neighbors": [1, 3, 5, 9, 15]}

    def __init__(self, *, n_neighbors=5, weights="distance", search=False, search_cv=3):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.search = search
        self.search_cv = search_cv

    def _make_model(self, y):
        from sklearn.neighbors import KNeighborsClassifier

        # A fold of a small dataset may hold fewer tracks than neighbours asked for.
        n_neighbors = min(self.n_neighbors, len(y))
        return KNeighborsClassifier(n_neighbors=n_neighbors, weights=self.weights)


class RandomForest(_ScaledClassifier):
    """Random forest (no scaling needed; trees are invariant to it).

    Parameters
    ----------
    n_estimators : int > 0, default=300
        Trees.
    max_features : {"sqrt", "log2"}, int, float or None, default="sqrt"
        Features tried per split.
    n_jobs : int or None, default=None
        Trees fitted in parallel.
    random_state : int, RandomState or None, default=None
        Seed.
    search : bool, default=False
        Choose ``max_features`` and ``n_estimators`` (``_search_grid``) by an inner grid search on
        artist-disjoint folds of the training tracks; the search overrides them.
    search_cv : int >= 2, default=3
        Inner folds of the search.

    Attributes
    ----------
    classes_ : np.ndarray
        The labels seen in `fit`.
    model_ : sklearn.pipeline.Pipeline
        `sklearn.ensemble.RandomForestClassifier`.

    Examples
    --------
    >>> RandomForest(n_estimators=10, random_state=0).fit([[0.0], [1.0]], ["a", "b"]).classes_
    array(['a', 'b'], dtype='<U1')
    """

    _scale = False
    _parameter_constraints = {
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "max_features": [
            StrOptions({"sqrt", "log2"}),
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="right"),
            None,
        ],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        **SEARCH_CONSTRAINTS,
    }
    _search_grid = {"max_features": ["sqrt", 0.3], "n_estimators": [100, 300]}

    def __init__(
        self,
        *,
        n_estimators=300,
        max_features="sqrt",
        n_jobs=None,
        random_state=None,
        search=False,
        search_cv=3,
    ):
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.search = search
        self.search_cv = search_cv

    def _make_model(self, y):
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(
            n_estimators=self.n_estimators,
            max_features=self.max_features,
            n_jobs=self.n_jobs,
            random_state=self.random_state,
        )

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests and `mir_genre.testing.check_plugin`.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {"n_estimators": 10}
