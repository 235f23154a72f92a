"""SegmentVoting: segments are cut inside the estimator, so CV never splits a track."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.utils.estimator_checks import parametrize_with_checks

import mir_genre
from mir_genre.classifiers.segment import SegmentVoting, segment_audio
from mir_genre.exceptions import ParameterError
from mir_genre.features import MFCCDeltas
from mir_genre.model_selection import ArtistKFold


def cheap_voting(**params):
    return SegmentVoting(
        MFCCDeltas(**MFCCDeltas.get_test_params()),
        mir_genre.get_classifier("logistic_regression"),
        **{"segment_seconds": 0.005, **params},
    )


_EXPECTED_FAILURES = {
    "check_estimators_dtypes": "integer arrays are rejected on purpose (integer PCM scale)",
    "check_classifier_data_not_an_array": (
        "the check feeds an integer toy array, rejected on purpose (integer PCM scale)"
    ),
    "check_classifiers_train": (
        "each row of the toy blobs is treated as a few-sample waveform; its MFCCs do not "
        "keep the blob geometry, so the check's 0.83 accuracy bar does not apply"
    ),
}


@parametrize_with_checks([cheap_voting()], expected_failed_checks=lambda est: _EXPECTED_FAILURES)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.mark.parametrize(
    ("n", "seconds", "hop", "expected"),
    [(100, 3.0, None, (3, 30)), (100, 3.0, 1.0, (8, 30)), (20, 3.0, None, (1, 30))],
)
def test_segment_audio(n, seconds, hop, expected):
    y = np.arange(n, dtype=np.float32)
    segments = segment_audio(y, sr=10, segment_seconds=seconds, hop_seconds=hop)
    assert segments.shape == expected
    assert segments[0, 0] == 0 and (n < 30 or segments[-1, -1] <= n - 1)


def test_voting_on_paths_and_cross_validation_by_artist(wav_files):
    ds = mir_genre.load_dataset(
        "synthetic",
        genres=["jazz", "metal"],
        n_artists=3,
        tracks_per_artist=2,
        duration=3.0,
        cache=None,
    )
    clf = SegmentVoting(
        mir_genre.get_extractor("mfcc_deltas", n_mfcc=13),
        mir_genre.get_classifier("logistic_regression"),
        segment_seconds=1.0,
    )
    scores = cross_val_score(clf, ds.X, ds.y, groups=ds.groups, cv=ArtistKFold(3))
    assert scores.mean() > 0.5
    clf.fit(ds.X, ds.y)
    assert clf.n_segments_ == 3 * len(ds)
    proba = clf.predict_proba(ds.X[:2])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # File paths work too (2-s files at the extractor's rate: two segments each).
    fitted = cheap_voting(segment_seconds=1.0).fit(wav_files, ["a", "a", "b", "b"])
    assert fitted.n_segments_ == 8 and len(fitted.predict(wav_files)) == 4


def test_bad_input():
    with pytest.raises(ParameterError, match="labels"):
        cheap_voting().fit(np.zeros((3, 100)), ["a", "b"])
    with pytest.raises(ParameterError, match="float audio"):
        cheap_voting().fit(np.zeros((2, 100), dtype=np.int16), ["a", "b"])
