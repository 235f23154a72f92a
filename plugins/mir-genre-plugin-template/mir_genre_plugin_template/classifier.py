"""A classifier plugin: nearest class centroid on standardised features.

Genre strings in and out (``classes_``), ``predict_proba`` (a softmax of negative
distances to the centroids), parameters validated in ``fit``: what mir_genre's compare
and pipelines expect of every classifier.
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["NearestCentroidClassifier"]


class NearestCentroidClassifier(ClassifierMixin, BaseEstimator):
    """Nearest centroid of standardised features, with softmax probabilities.

    Parameters
    ----------
    temperature : float > 0, default=1.0
        Softness of the probabilities: ``softmax(-distance / temperature)``.

    Attributes
    ----------
    classes_ : np.ndarray
        Genres seen in `fit`.
    centroids_ : np.ndarray of shape (n_classes, n_features)
        Class means of the standardised features.
    mean_, scale_ : np.ndarray of shape (n_features,)
        Standardisation learnt in `fit`.

    Examples
    --------
    >>> clf = NearestCentroidClassifier().fit([[0.0], [0.2], [1.0], [1.2]], ["a", "a", "b", "b"])
    >>> clf.predict([[0.9]])
    array(['b'], dtype='<U1')
    """

    _parameter_constraints = {"temperature": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, *, temperature=1.0):
        self.temperature = temperature

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Learn the standardisation and the class centroids.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Genre labels.

        Returns
        -------
        self : object
        """
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        self.mean_ = X.mean(axis=0)
        self.scale_ = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        Z = (X - self.mean_) / self.scale_
        self.centroids_ = np.stack([Z[y_enc == k].mean(axis=0) for k in range(len(self.classes_))])
        return self

    def predict_proba(self, X):
        """Softmax of negative distances to the centroids.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        np.ndarray of shape (n_samples, n_classes)
        """
        from scipy.special import softmax

        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        Z = (X - self.mean_) / self.scale_
        distance = np.linalg.norm(Z[:, None, :] - self.centroids_[None], axis=2)
        return softmax(-distance / self.temperature, axis=1)

    def predict(self, X):
        """Most probable genre per row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        np.ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
