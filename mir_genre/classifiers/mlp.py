"""A multi-layer perceptron for track-level audio features."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval

from .sklearn_models import SEARCH_CONSTRAINTS, _ScaledClassifier

__all__ = ["MLPGenreClassifier"]


class MLPGenreClassifier(_ScaledClassifier):
    """Multi-layer perceptron on standardised features, with early stopping.

    Defaults suit 57- to ~200-dimensional summaries (tzanetakis57, mfcc_deltas, chroma).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256, 128)
        Units per hidden layer.
    alpha : float >= 0, default=1e-3
        L2 penalty.
    learning_rate_init : float > 0, default=1e-3
        Adam step size.
    max_iter : int > 0, default=500
        Most epochs.
    early_stopping : bool, default=True
        Stop when the score on a held-out 10% stops improving (needs >= 20 tracks;
        smaller training sets train for ``max_iter`` epochs).
    random_state : int, RandomState or None, default=None
        Seed of initialisation, shuffling and the held-out part.
    search : bool, default=False
        Choose ``alpha`` (``_search_grid``) by an inner grid search on
        artist-disjoint folds of the training tracks; the search overrides them.
    search_cv : int >= 2, default=3
        Inner folds of the search.

    Attributes
    ----------
    classes_ : np.ndarray
        The labels seen in `fit`.
    model_ : sklearn.pipeline.Pipeline
        Scaler and `sklearn.neural_network.MLPClassifier`.
    n_iter_ : int
        Epochs run.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.r_[np.zeros((20, 3)), np.ones((20, 3))]
    >>> y = ["jazz"] * 20 + ["metal"] * 20
    >>> MLPGenreClassifier(random_state=0).fit(X, y).predict([[1.0, 1.0, 1.0]])
    array(['metal'], dtype='<U5')
    """

    _parameter_constraints = {
        "hidden_layer_sizes": [tuple, list],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "random_state": ["random_state"],
        **SEARCH_CONSTRAINTS,
    }
    _search_grid = {"alpha": [1e-4, 1e-3, 1e-2, 1e-1]}

    def __init__(
        self,
        *,
        hidden_layer_sizes=(256, 128),
        alpha=1e-3,
        learning_rate_init=1e-3,
        max_iter=500,
        early_stopping=True,
        random_state=None,
        search=False,
        search_cv=3,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.alpha = alpha
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.random_state = random_state
        self.search = search
        self.search_cv = search_cv

    def _make_model(self, y):
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier(
            hidden_layer_sizes=tuple(self.hidden_layer_sizes),
            alpha=self.alpha,
            learning_rate_init=self.learning_rate_init,
            max_iter=self.max_iter,
            # A 10% hold-out of fewer than two tracks cannot measure anything.
            early_stopping=self.early_stopping and len(y) >= 20,
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
        return {"hidden_layer_sizes": (32,), "learning_rate_init": 0.01, "early_stopping": False}
