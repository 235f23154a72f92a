"""Behaviour of the registered classifiers beyond scikit-learn's generic checks."""

import sys

import numpy as np
import pytest

import mir_genre
from mir_genre.classifiers.keras.base import DeepGenreClassifier
from mir_genre.exceptions import ParameterError
from mir_genre.registry import load_plugin

# Classifiers of feature vectors; the deep models (spectrogram rows) are in test_deep.py.
CLASSIFIERS = [
    name
    for name in mir_genre.list_plugins("classifiers")
    if not issubclass(load_plugin("classifiers", name), DeepGenreClassifier)
]


@pytest.fixture(scope="module")
def genres():
    """Three genres of 5-D features, six artists each with an offset of its own."""
    rng = np.random.default_rng(0)
    X, y, groups = [], [], []
    for g, genre in enumerate(["blues", "jazz", "metal"]):
        for a in range(6):
            offset = rng.normal(0, 0.5, 5)
            for _ in range(8):
                X.append(np.eye(5)[g] * 3 + offset + rng.normal(0, 0.3, 5))
                y.append(genre)
                groups.append(f"{genre}-{a}")
    return np.array(X), np.array(y, dtype=object), np.array(groups)


def make(name, **params):
    cls = load_plugin("classifiers", name)
    if "random_state" in cls().get_params():
        params.setdefault("random_state", 0)
    return cls(**params)


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_string_labels_and_probabilities(name, genres):
    X, y, _ = genres
    clf = make(name).fit(X, y)
    assert clf.classes_.tolist() == ["blues", "jazz", "metal"]
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert set(clf.predict(X)) <= set(y)
    assert (clf.predict(X) == y).mean() > 0.9


@pytest.mark.parametrize("name", [n for n in CLASSIFIERS if n in ("mlp", "xgboost", "svm")])
def test_random_state_makes_fits_repeatable(name, genres):
    X, y, _ = genres
    np.testing.assert_array_equal(
        make(name).fit(X, y).predict_proba(X), make(name).fit(X, y).predict_proba(X)
    )


def test_xgboost_early_stopping_holds_out_whole_artists(genres):
    X, y, groups = genres
    clf = make("xgboost", n_estimators=300, early_stopping_rounds=10)
    y_enc = np.unique(y, return_inverse=True)[1]
    clf.classes_ = np.unique(y)
    train, valid = clf._holdout(y_enc, groups)
    assert not set(groups[train]) & set(groups[valid])
    clf.fit(X, y, groups=groups)
    assert clf.best_iteration_ is not None and clf.best_iteration_ < 300
    # Through a pipeline, groups reach the classifier as a fit parameter.
    pipe = mir_genre.make_pipeline(
        mir_genre.get_extractor("mfcc_deltas", n_fft=256, hop_length=64, n_mfcc=5, n_mels=20),
        "xgboost",
    )
    assert pipe.steps[-1][0] == "xgboost"


def test_xgboost_without_early_stopping_or_with_tiny_data(genres):
    X, y, _ = genres
    assert (
        make("xgboost", early_stopping_rounds=None, n_estimators=5).fit(X, y).best_iteration_
        is None
    )
    # Two tracks per class: nothing can be held out, all trees are trained.
    small = make("xgboost", n_estimators=5).fit(X[::24], y[::24])
    assert small.best_iteration_ is None


def test_xgboost_missing_gives_install_hint(genres, monkeypatch):
    X, y, _ = genres
    monkeypatch.setitem(sys.modules, "xgboost", None)
    with pytest.raises(ParameterError, match="pip install"):
        make("xgboost").fit(X, y)


def test_svm_with_one_track_of_a_genre_warns_and_still_gives_probabilities():
    from mir_genre.exceptions import DataWarning

    X = np.array([[0.0, 0.0], [0.1, 0.0], [1.0, 1.0], [1.1, 0.9], [3.0, 0.0]])
    y = ["jazz", "jazz", "metal", "metal", "pop"]  # one pop track: no out-of-fold Platt
    with pytest.warns(DataWarning, match="single training example"):
        clf = mir_genre.get_classifier("svm", random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.predict([[3.0, 0.1]]).tolist() == ["pop"]


# mir_genre's own classifiers and its musicnn plugin's (third-party plugins check their own).
ALL_CLASSIFIERS = [
    name
    for name in mir_genre.list_plugins("classifiers")
    if load_plugin("classifiers", name).__module__.startswith(("mir_genre.", "mir_genre_musicnn"))
]


def _cheap(name):
    cls = load_plugin("classifiers", name)
    return cls(**getattr(cls, "get_test_params", dict)())


def _rows(name, n):
    """Input rows the classifier accepts: features, or spectrograms for the deep models."""
    est = _cheap(name)
    if isinstance(est, DeepGenreClassifier):
        frames = est.get_params().get("patch_seconds", 0.2) * 22050 / 512
        return np.random.default_rng(0).random((n, est.n_mels * (int(frames) + 2)))
    return np.random.default_rng(0).random((n, 5))


@pytest.mark.parametrize("name", ALL_CLASSIFIERS)
@pytest.mark.parametrize(
    ("labels", "match"),
    [
        (["rock", "jazz", None, "rock", "jazz", "rock"], r"1 missing genre label .* position 2"),
        (["rock", np.nan, "jazz", "rock", "jazz", np.nan], r"2 missing genre labels"),
        (["rock", "jazz", 3, "rock", "jazz", "rock"], r"mix strings and numbers"),
        (["rock"] * 6, r"at least two genres.*one class only"),
    ],
    ids=["none", "nan", "mixed", "one-genre"],
)
def test_bad_labels_are_refused_with_the_fix(name, labels, match):
    y = np.array(labels, dtype=object)
    with pytest.raises(ParameterError, match=match):
        _cheap(name).fit(_rows(name, len(y)), y)


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in ALL_CLASSIFIERS
        if "groups" in load_plugin("classifiers", n).fit.__code__.co_varnames
    ],
)
def test_groups_of_the_wrong_length_are_refused(name):
    y = np.array(["rock", "jazz"] * 5, dtype=object)
    with pytest.raises(ParameterError, match=r"got 3 groups for 10 tracks"):
        _cheap(name).fit(_rows(name, len(y)), y, groups=["a", "b", "c"])
    with pytest.raises(ParameterError, match=r"missing groups"):
        _cheap(name).fit(_rows(name, len(y)), y, groups=["a", None] * 5)
