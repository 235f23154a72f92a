"""Hyperparameters searched inside the honest protocol: an artist-disjoint inner search.

`Tuned` wraps a classifier in `sklearn.model_selection.GridSearchCV` whose folds are
`mir_genre.model_selection.ArtistKFold` over the artists given to `fit`, so no inner
split ever scores a parameter on an artist it trained on.  Inside an evaluation fold
this is nested cross-validation: the outer fold's test artists are never seen by the
search.  The scikit-learn classifiers take ``search=True`` (``svm[search=True]`` in a
pipeline spec), which runs the same search over their own ``_search_grid``.

``groups`` reach the search explicitly, ``search.fit(X, y, groups=groups)``: without
metadata routing GridSearchCV hands them to its splitter, which is all the search
needs, and enabling routing (``sklearn.set_config(enable_metadata_routing=True)``) is
a global switch that would change every other estimator of the process as well.
"""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from ..exceptions import ParameterError
from ._targets import check_genres, check_groups, check_labels

__all__ = ["Tuned", "inner_splitter"]


def inner_splitter(n_splits, groups):
    """Make the inner folds of a search: by artist when ``groups`` is given.

    Parameters
    ----------
    n_splits : int >= 2
        Inner folds.
    groups : array-like or None
        Artist per training track.

    Returns
    -------
    splitter
        `mir_genre.model_selection.ArtistKFold` with ``groups``, else
        `sklearn.model_selection.StratifiedKFold` over tracks.  Neither shuffles, so a
        refit on the same data makes the same choice.

    Examples
    --------
    >>> type(inner_splitter(3, ["a", "b", "c"])).__name__
    'ArtistKFold'
    >>> type(inner_splitter(3, None)).__name__
    'StratifiedKFold'
    """
    from sklearn.model_selection import StratifiedKFold

    from ..model_selection import ArtistKFold

    if groups is not None:
        return ArtistKFold(n_splits)
    return StratifiedKFold(n_splits)


def search_grid(estimator, param_grid=None):
    """Pick the grid to search: ``param_grid``, else the estimator's ``_search_grid``.

    Parameters
    ----------
    estimator : estimator instance
        The classifier to tune.
    param_grid : dict or list of dict or None, default=None
        An explicit grid (parameter name -> candidate values).

    Returns
    -------
    dict or list of dict

    Raises
    ------
    ParameterError
        When neither is given.
    """
    grid = param_grid if param_grid is not None else getattr(estimator, "_search_grid", None)
    if not grid:
        raise ParameterError(
            f"{type(estimator).__name__} has no default search grid; pass param_grid, "
            "e.g. Tuned(estimator, param_grid={'C': [0.1, 1, 10]})."
        )
    return grid


def run_search(estimator, X, y, groups, *, param_grid, cv, scoring="accuracy", n_jobs=None):
    """Fit a `GridSearchCV` of ``estimator`` with artist-disjoint inner folds.

    Parameters
    ----------
    estimator : estimator instance
        Cloned for every candidate.
    X : array-like of shape (n_samples, n_features)
        Training features.
    y : array-like of shape (n_samples,)
        Genres.
    groups : np.ndarray or None
        Artists (already checked); they choose the inner folds.
    param_grid : dict or list of dict
        Candidates.
    cv : int >= 2
        Inner folds.
    scoring : str or callable, default="accuracy"
        Inner score.
    n_jobs : int or None, default=None
        Candidates fitted in parallel.

    Returns
    -------
    sklearn.model_selection.GridSearchCV
        Fitted (refit on all of ``X``).
    """
    from sklearn.model_selection import GridSearchCV

    search = GridSearchCV(
        estimator,
        param_grid,
        cv=inner_splitter(cv, groups),
        scoring=scoring,
        n_jobs=n_jobs,
        refit=True,
        error_score="raise",  # a candidate that cannot fit is a bug to see, not a NaN
    )
    # Passed explicitly: without metadata routing GridSearchCV gives them to the splitter.
    return search.fit(X, y, groups=groups)


class Tuned(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """A classifier whose hyperparameters are chosen by an artist-disjoint grid search.

    Parameters
    ----------
    estimator : classifier instance
        The classifier to tune (cloned; never fitted itself).
    param_grid : dict or list of dict or None, default=None
        Parameter name -> candidate values; None uses the estimator's ``_search_grid``
        (defined next to each of mir_genre's classifiers).
    cv : int >= 2, default=3
        Inner folds: `mir_genre.model_selection.ArtistKFold` when `fit` gets ``groups``,
        else stratified folds of tracks.
    scoring : str or callable, default="accuracy"
        What the search maximises.
    n_jobs : int or None, default=None
        Candidates fitted in parallel.

    Attributes
    ----------
    best_estimator_ : estimator
        The estimator with ``best_params_``, refitted on all training tracks.
    best_params_ : dict
        The parameters the inner search chose.
    best_score_ : float
        Their mean inner score.
    cv_results_ : dict
        `sklearn.model_selection.GridSearchCV.cv_results_`.
    classes_ : np.ndarray
        The labels seen in `fit`.

    Examples
    --------
    >>> import numpy as np
    >>> from mir_genre.classifiers import KNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(0, 1, (12, 2)), rng.normal(4, 1, (12, 2))]
    >>> y = ["jazz"] * 12 + ["metal"] * 12
    >>> groups = [f"artist{i // 4}" for i in range(24)]
    >>> tuned = Tuned(KNNClassifier(), param_grid={"n_neighbors": [1, 3]}).fit(X, y, groups)
    >>> sorted(tuned.best_params_)
    ['n_neighbors']
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "param_grid": [dict, list, None],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "scoring": [str, callable],
        "n_jobs": [Integral, None],
    }

    def __init__(self, estimator, *, param_grid=None, cv=3, scoring="accuracy", n_jobs=None):
        self.estimator = estimator
        self.param_grid = param_grid
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs

    def fit(self, X, y, groups=None):
        """Search the grid on artist-disjoint inner folds, then refit the best on all.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features (tune the classifier step of an audio pipeline, not the pipeline).
        y : array-like of shape (n_samples,)
            Genre labels.
        groups : array-like of shape (n_samples,) or None, default=None
            Artist per track; the inner folds never split an artist.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        self._validate_params()
        check_labels(self, y)
        X, y = validate_data(self, X, y)
        check_genres(self, y)
        groups = check_groups(self, groups, len(X))
        grid = search_grid(self.estimator, self.param_grid)
        search = run_search(
            clone(self.estimator),
            X,
            y,
            groups,
            param_grid=grid,
            cv=self.cv,
            scoring=self.scoring,
            n_jobs=self.n_jobs,
        )
        self.best_estimator_ = search.best_estimator_
        self.best_params_ = search.best_params_
        self.best_score_ = float(search.best_score_)
        self.cv_results_ = search.cv_results_
        self.classes_ = self.best_estimator_.classes_
        return self

    def predict(self, X):
        """Predict with the best estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        np.ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return np.asarray(self.best_estimator_.predict(X))

    def predict_proba(self, X):
        """Probabilities of the best estimator, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        np.ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        return self.best_estimator_.predict_proba(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.input_tags = inner.input_tags
        tags.classifier_tags = inner.classifier_tags
        return tags
