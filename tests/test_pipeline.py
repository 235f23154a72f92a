"""Extractors and classifiers compose into scikit-learn pipelines and cross-validation."""

import numpy as np
import pytest
from sklearn.model_selection import GroupKFold, cross_val_score

import mir_genre

from .conftest import make_tone


@pytest.mark.parametrize("classifier", ["svm", "logistic_regression", "knn", "random_forest"])
def test_pipeline_cross_validates_by_group(classifier):
    # Two "genres" (low and high tones), three "artists" each with two tracks.
    X = np.stack(
        [make_tone(0.5, freq=f * (1 + 0.02 * k), seed=k) for f in (200, 2000) for k in range(6)]
    )
    y = np.repeat(["low", "high"], 6)
    groups = np.tile(np.repeat([0, 1, 2], 2), 2) + np.repeat([0, 3], 6)
    pipe = mir_genre.make_pipeline(
        mir_genre.get_extractor("mfcc_deltas", n_fft=512, hop_length=256, n_mfcc=8, n_mels=32),
        classifier,
    )
    scores = cross_val_score(pipe, X, y, groups=groups, cv=GroupKFold(3))
    assert scores.mean() > 0.8
    pipe.fit(X, y)
    assert set(pipe.predict(X[:2])) <= {"low", "high"}
    assert pipe.predict_proba(X[:2]).shape == (2, 2)
