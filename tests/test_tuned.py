"""Hyperparameters searched inside the honest protocol (mir_genre.classifiers.tuned)."""

import contextlib
import io
import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.estimator_checks import parametrize_with_checks

import mir_genre
from mir_genre import compare, evaluation
from mir_genre._compare_output import chosen_params, print_leaderboard
from mir_genre.classifiers import KNNClassifier, LogisticClassifier, SVMClassifier, Tuned
from mir_genre.exceptions import ParameterError
from mir_genre.model_selection import ArtistKFold
from mir_genre.registry import load_plugin


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


class RowRecorder(ClassifierMixin, BaseEstimator):
    """Record the rows (column 0 holds the row number) every fit and predict sees."""

    events = []

    def __init__(self, *, p=0):
        self.p = p

    def fit(self, X, y):
        RowRecorder.events.append(("fit", np.asarray(X)[:, 0].astype(int)))
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        RowRecorder.events.append(("predict", np.asarray(X)[:, 0].astype(int)))
        return np.full(len(X), self.classes_[0])


def _inner_splits(events):
    """The (train, test) rows of every inner fit-then-score, and the final refit's rows."""
    pairs, i = [], 0
    while i + 1 < len(events) and (events[i][0], events[i + 1][0]) == ("fit", "predict"):
        pairs.append((events[i][1], events[i + 1][1]))
        i += 2
    return pairs, events[i]


def _recorded_search(X, groups, y, cv=3):
    # Shuffled, so that folds of consecutive tracks do not follow artists by accident.
    order = np.random.default_rng(1).permutation(len(X))
    X, y = X[order], y[order]
    groups = None if groups is None else groups[order]
    RowRecorder.events.clear()
    rows = np.c_[order, X]  # column 0: the row number in the unshuffled order
    Tuned(RowRecorder(), param_grid={"p": [0, 1]}, cv=cv).fit(rows, y, groups)
    return _inner_splits(list(RowRecorder.events))


def test_no_inner_split_shares_an_artist(genres):
    X, y, groups = genres
    pairs, refit = _recorded_search(X, groups, y)
    assert len(pairs) == 2 * 3  # two candidates, three inner folds each
    for train, test in pairs:
        assert not set(groups[train]) & set(groups[test])
        assert len(train) + len(test) == len(X)
    assert refit[0] == "fit" and sorted(refit[1]) == list(range(len(X)))


def test_without_groups_the_inner_folds_split_tracks_and_do_share_artists(genres):
    # The check above can fail: folds of tracks put one artist on both sides.
    X, y, groups = genres
    pairs, _ = _recorded_search(X, None, y)
    assert len(pairs) == 6
    assert all(set(groups[train]) & set(groups[test]) for train, test in pairs)


def test_nested_in_the_outer_folds_the_search_sees_only_training_artists(genres):
    X, y, groups = genres
    rows = np.c_[np.arange(len(X)), X]
    outer = list(ArtistKFold(3).split(X, y, groups))
    tuned = Tuned(RowRecorder(), param_grid={"p": [0, 1]})
    for train, test in outer:
        RowRecorder.events.clear()
        param = evaluation._groups_param(tuned)
        [record] = evaluation.run_folds(tuned, rows, y, groups, [(train, test)])
        assert param == "groups" and "error" not in record
        assert record["best_params"] == {"p": 0}
        events = list(RowRecorder.events)
        pairs, refit = _inner_splits(events[:-1])  # the last predict is the outer test
        assert len(pairs) == 6 and sorted(refit[1]) == sorted(train)
        for inner_train, inner_test in pairs:
            assert set(inner_train) | set(inner_test) == set(train)
            assert not set(groups[inner_train]) & set(groups[inner_test])
        assert sorted(events[-1][1]) == sorted(test)


def test_the_obviously_best_value_is_chosen(genres):
    # gamma=1e4 on standardised features makes the RBF kernel a delta: unseen artists
    # are then classified by the intercepts alone, at chance.
    X, y, groups = genres
    tuned = Tuned(SVMClassifier(random_state=0), param_grid={"gamma": [1e4, "scale"]})
    tuned.fit(X, y, groups)
    assert tuned.best_params_ == {"gamma": "scale"}
    scores = dict(
        zip(
            map(str, tuned.cv_results_["param_gamma"]),
            tuned.cv_results_["mean_test_score"],
            strict=True,
        )
    )
    assert scores["scale"] > 0.9 > 0.5 > scores["10000.0"]
    assert tuned.best_score_ == pytest.approx(scores["scale"])
    assert (tuned.predict(X) == y).mean() > 0.9
    assert tuned.classes_.tolist() == ["blues", "jazz", "metal"]


def test_search_true_is_the_same_search_as_tuned(genres):
    X, y, groups = genres
    searched = LogisticClassifier(search=True).fit(X, y, groups)
    tuned = Tuned(LogisticClassifier()).fit(X, y, groups)
    assert searched.best_params_ == tuned.best_params_
    assert set(searched.best_params_) == {"C"}
    assert [k for k in searched.cv_results_ if k.startswith("split")] == [
        f"split{i}_test_score" for i in range(3)
    ]
    refit = LogisticClassifier(**searched.best_params_).fit(X, y)
    np.testing.assert_allclose(searched.predict_proba(X), refit.predict_proba(X))
    # search=False ignores nothing silently: a plain fit is the plain model.
    assert not hasattr(LogisticClassifier().fit(X, y, groups), "best_params_")


@pytest.mark.parametrize(
    "make", [lambda: Tuned(KNNClassifier()), lambda: KNNClassifier(search=True)]
)
def test_groups_of_the_wrong_length_are_refused(genres, make):
    X, y, groups = genres
    with pytest.raises(ParameterError, match=f"got 5 groups for {len(X)} tracks"):
        make().fit(X, y, groups[:5])


def test_too_few_artists_for_the_inner_folds_is_explained(genres):
    X, y, groups = genres
    two = np.where(np.arange(len(X)) % 2, "a", "b")
    with pytest.raises(ParameterError, match="needs at least 3 artists; groups has 2"):
        KNNClassifier(search=True).fit(X, y, two)


@pytest.mark.parametrize(
    "name", ["svm", "logistic_regression", "knn", "random_forest", "mlp", "xgboost"]
)
def test_every_default_grid_names_valid_values(name):
    cls = load_plugin("classifiers", name)
    grid = cls._search_grid
    assert grid and set(grid) <= set(cls().get_params())
    for key, values in grid.items():
        for value in values:
            cls(**{key: value})._validate_params()  # raises on a value out of range
    assert ("search" in cls().get_params()) == (name != "xgboost")


def test_xgboost_is_tuned_on_its_default_grid(genres):
    pytest.importorskip("xgboost")
    X, y, groups = genres
    xgb = load_plugin("classifiers", "xgboost")(n_estimators=10, early_stopping_rounds=None)
    tuned = Tuned(xgb).fit(X, y, groups)
    assert set(tuned.best_params_) == {"max_depth", "learning_rate"}
    assert len(tuned.cv_results_["params"]) == 3 * 2


def test_a_classifier_without_a_grid_needs_one(genres):
    X, y, groups = genres
    with pytest.raises(ParameterError, match="no default search grid; pass param_grid"):
        Tuned(RowRecorder()).fit(X, y, groups)


@pytest.fixture(scope="module")
def tiny():
    return mir_genre.load_dataset(
        "synthetic", genres=["classical", "metal"], n_artists=3, tracks_per_artist=2, duration=1.0
    )


def test_evaluate_records_the_inner_choice_of_every_fold(tiny, capsys):
    spec = "mfcc_deltas[n_mfcc=8]+svm[search=True]"
    results = mir_genre.evaluate(spec, tiny, "artist:3")
    [run] = results["pipelines"][0]["runs"]
    assert run["error"] is None and len(run["folds"]) == 3
    grid = SVMClassifier._search_grid
    for fold in run["folds"]:
        assert "error" not in fold, fold.get("error")
        assert set(fold["best_params"]) == {"C", "gamma"}
        assert fold["best_params"]["C"] in grid["C"]
        assert fold["best_params"]["gamma"] in grid["gamma"]
    print_leaderboard(results)
    out = capsys.readouterr().out
    assert "chosen by the inner search" in out
    assert f"{results['pipelines'][0]['label']}: {chosen_params(results['pipelines'][0])}" in out
    assert "C=" in out and "/3 folds" in out


def test_compare_writes_and_prints_the_inner_choice(tiny, tmp_path, monkeypatch):
    spec = "mfcc_deltas[n_mfcc=8]+knn[search=True]"
    monkeypatch.setattr(compare, "load_dataset_from_args", lambda args: tiny)
    argv = ["--pipelines", spec, "--protocol", "artist:3", "-q", "--out", str(tmp_path)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert compare.main(argv) == 0
    [pipeline] = json.loads((tmp_path / "results.json").read_text())["pipelines"]
    folds = pipeline["runs"][0]["folds"]
    assert len(folds) == 3
    assert all(
        f["best_params"]["n_neighbors"] in KNNClassifier._search_grid["n_neighbors"] for f in folds
    )
    line = f"  {pipeline['label']}: {chosen_params(pipeline)}"
    assert line in out.getvalue().splitlines() and "n_neighbors=" in line


def test_chosen_params_counts_over_every_fold():
    runs = [
        {"folds": [{"best_params": {"C": 10, "gamma": "scale"}}, {"error": "x"}]},
        {
            "folds": [
                {"best_params": {"C": 1, "gamma": "scale"}},
                {"best_params": {"C": 10, "gamma": 0.01}},
            ]
        },
    ]
    assert chosen_params({"runs": runs}) == "C=10 (2/3 folds), gamma='scale' (2/3 folds)"
    assert chosen_params({"runs": [{"folds": [{"accuracy": 1.0}]}]}) == ""


# One classifier that searches itself and the wrapper (both share tuned.py's search).
@parametrize_with_checks(
    [
        KNNClassifier(search=True),
        Tuned(LogisticClassifier(), param_grid={"C": [0.1, 1.0]}),
    ]
)
def test_sklearn_compatible_tuned_classifier(estimator, check):
    check(estimator)
