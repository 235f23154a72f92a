"""Segment voting: train on short segments of each track, predict per track.

The public "3-second" GTZAN table cuts each track into ten segments before any split,
so segments of one track land on both sides and inflate the score.  `SegmentVoting` cuts
INSIDE the estimator: a cross-validation split sees whole tracks, and only the tracks on
the training side are segmented for training.  The gain from segmenting can therefore
be measured without leakage.
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import assert_all_finite, check_is_fitted, column_or_1d

from ..audio import is_path_sequence, load
from ..exceptions import ParameterError
from ..features._base import check_audio_batch, forget_width
from ..streaming import window_starts
from ._targets import check_genres, check_labels
from .sklearn_models import ProbabilisticPredictMixin

__all__ = ["SegmentVoting", "segment_audio"]


def segment_audio(y, *, sr, segment_seconds=3.0, hop_seconds=None):
    """Cut one clip into equal-length segments.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono audio.
    sr : int > 0
        Sampling rate of ``y``.
    segment_seconds : float > 0, default=3.0
        Segment length.
    hop_seconds : float > 0 or None, default=None
        Distance between segment starts; None means ``segment_seconds`` (no overlap).

    Returns
    -------
    np.ndarray [shape=(n_segments, round(segment_seconds * sr))]
        The segments, placed by `mir_genre.streaming.window_starts` with tails dropped; a
        clip shorter than one segment gives one, zero-padded.

    Examples
    --------
    >>> import numpy as np
    >>> segment_audio(np.zeros(100, dtype=np.float32), sr=10, segment_seconds=3.0).shape
    (3, 30)
    """
    size = max(1, int(round(segment_seconds * sr)))
    hop = size if hop_seconds is None else max(1, int(round(hop_seconds * sr)))
    if len(y) <= size:
        return np.pad(y, (0, size - len(y)))[np.newaxis]
    starts = window_starts(len(y), size, hop=hop, min_tail=None)
    return np.stack([y[s : s + size] for s in starts])


class SegmentVoting(ProbabilisticPredictMixin, ClassifierMixin, BaseEstimator):
    """Extract features per segment, train on segments, predict per track by mean probability.

    Parameters
    ----------
    extractor : transformer
        A feature extractor (e.g. ``mir_genre.get_extractor("tzanetakis57")``); it sees
        2-D arrays of segments at its own ``sr``.
    classifier : classifier
        Any classifier with ``predict_proba``.
    segment_seconds : float > 0, default=3.0
        Segment length.
    hop_seconds : float > 0 or None, default=None
        Distance between segment starts (None: no overlap).

    Attributes
    ----------
    extractor_ : transformer
        The clone of ``extractor`` that extracts the segment features in `fit` and
        `predict_proba` (extractors are stateless: it is never fitted).
    classifier_ : classifier
        The clone of ``classifier`` fitted on segment features.
    classes_ : np.ndarray
        Genres seen in `fit`.
    n_segments_ : int
        Segments the classifier was trained on.

    Examples
    --------
    >>> import numpy as np
    >>> import mir_genre
    >>> sr = 22050
    >>> t = np.arange(2 * sr) / sr
    >>> X = np.stack([np.sin(2 * np.pi * f * t) for f in (200, 210, 2000, 2100)]).astype("float32")
    >>> clf = SegmentVoting(
    ...     mir_genre.get_extractor("mfcc_deltas", n_mfcc=8),
    ...     mir_genre.get_classifier("logistic_regression"),
    ...     segment_seconds=0.5,
    ... ).fit(X, ["low", "low", "high", "high"])
    >>> clf.n_segments_, clf.predict(X[[0]]).tolist()
    (16, ['low'])
    """

    _parameter_constraints = {
        "extractor": [HasMethods(["transform"])],
        "classifier": [HasMethods(["fit", "predict_proba"])],
        "segment_seconds": [Interval(Real, 0, None, closed="neither")],
        "hop_seconds": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(self, extractor, classifier, *, segment_seconds=3.0, hop_seconds=None):
        self.extractor = extractor
        self.classifier = classifier
        self.segment_seconds = segment_seconds
        self.hop_seconds = hop_seconds

    def _sr(self, extractor):
        sr = getattr(extractor, "sr", None)
        if sr is None:
            raise ParameterError(
                f"SegmentVoting needs an extractor with an 'sr' parameter; "
                f"{type(extractor).__name__} has none."
            )
        return sr

    def _tracks(self, X, *, reset):
        """Return each track's mono audio at the extractor's rate (a list or 2-D array)."""
        sr = self._sr(self.extractor)
        if is_path_sequence(X):
            if reset:
                forget_width(self)
            return [load(path, sr=sr)[0] for path in X]
        return check_audio_batch(self, X, reset=reset)

    def _segment_features(self, extractor, X, *, reset=False):
        """Return (features of all segments, track index of each segment)."""
        sr = self._sr(extractor)
        blocks, owner = [], []
        for i, y in enumerate(self._tracks(X, reset=reset)):
            segments = segment_audio(
                y, sr=sr, segment_seconds=self.segment_seconds, hop_seconds=self.hop_seconds
            )
            blocks.append(extractor.transform(segments))
            owner.append(np.full(len(segments), i))
        return np.concatenate(blocks), np.concatenate(owner)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Segment every track, extract segment features, fit the classifier on them.

        Parameters
        ----------
        X : sequence of str or np.ndarray [shape=(n_tracks, n_samples)]
            Audio file paths, or mono float audio at the extractor's ``sr``.
        y : array-like of shape (n_tracks,)
            Genre per track (every segment inherits its track's genre).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        check_labels(self, y)
        y = column_or_1d(y, warn=True)
        if y.dtype.kind in "fc":
            assert_all_finite(y, input_name="y")
        check_genres(self, y)
        self.extractor_ = clone(self.extractor)
        features, owner = self._segment_features(self.extractor_, X, reset=True)
        if owner.max() + 1 != len(y):
            raise ParameterError(f"X has {owner.max() + 1} tracks but y has {len(y)} labels.")
        self.classifier_ = clone(self.classifier).fit(features, y[owner])
        self.classes_ = self.classifier_.classes_
        self.n_segments_ = len(owner)
        return self

    def predict_proba(self, X):
        """Mean of the segment probabilities of each track.

        Parameters
        ----------
        X : sequence of str or np.ndarray [shape=(n_tracks, n_samples)]
            Audio file paths, or mono float audio at the extractor's ``sr``.

        Returns
        -------
        np.ndarray of shape (n_tracks, n_classes)
        """
        check_is_fitted(self)
        features, owner = self._segment_features(self.extractor_, X)
        proba = self.classifier_.predict_proba(features)
        n_tracks = owner.max() + 1
        sums = np.zeros((n_tracks, proba.shape[1]))
        np.add.at(sums, owner, proba)
        return sums / np.bincount(owner, minlength=n_tracks)[:, np.newaxis]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True  # file paths
        return tags
