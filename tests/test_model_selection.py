"""Artist-filtered, fault-filtered and predefined splits, and the leakage check."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

import mir_genre
from mir_genre.datasets import Dataset
from mir_genre.exceptions import LeakageError, LeakageWarning, ParameterError
from mir_genre.model_selection import (
    ArtistKFold,
    FaultFilteredSplit,
    PredefinedDatasetSplit,
    RandomKFold,
    check_no_leakage,
    make_cv,
)


@pytest.fixture
def table():
    """Features for 3 genres x 4 artists x 3 tracks; each artist has an offset of its own."""
    rng = np.random.default_rng(0)
    rows, meta = [], []
    for g, genre in enumerate(["blues", "jazz", "rock"]):
        for a in range(4):
            offset = rng.normal(0, 1.0, 5)
            for t in range(3):
                rows.append(np.r_[g, 0, 0, 0, 0] + offset + rng.normal(0, 0.1, 5))
                split = ["train", "train", "valid", "test"][a]
                meta.append((f"{genre}.{a}.{t}", genre, f"{genre}-artist{a}", split))
    metadata = pd.DataFrame(meta, columns=["track_id", "genre", "artist", "split"])
    metadata["path"] = ""
    metadata["title"] = ""
    metadata["duration"] = 30.0
    return Dataset("table", np.array(rows), metadata, kind="features")


def test_artist_kfold_keeps_artists_apart_and_stratifies(table):
    cv = ArtistKFold(4, shuffle=True, random_state=0)
    assert check_no_leakage(cv, table.X, table.y, table.groups) == 4
    for _, test in cv.split(table.X, table.y, table.groups):
        assert set(table.y[test]) == {"blues", "jazz", "rock"}


def test_artist_kfold_requires_groups(table):
    with pytest.raises(ParameterError, match="groups=dataset.groups"):
        next(ArtistKFold(3).split(table.X, table.y))
    with pytest.raises(ParameterError, match="at least 20 artists"):
        next(ArtistKFold(20).split(table.X, table.y, table.groups))


def test_leakage_check_catches_a_planted_leak(table):
    # KFold without shuffling keeps most artists together, except where a fold boundary
    # cuts through one artist's tracks: exactly the leak the check must find.
    with pytest.raises(LeakageError, match="artist"):
        check_no_leakage(KFold(5), table.X, table.y, table.groups)
    # A leak of one track (segments of a track on both sides) is caught by track_ids.
    segments = np.repeat(table.track_ids, 2)
    X = np.repeat(table.X, 2, axis=0)
    with pytest.raises(LeakageError, match="track"):
        check_no_leakage(KFold(3, shuffle=True, random_state=0), X, track_ids=segments)
    with pytest.raises(ParameterError, match="groups"):
        check_no_leakage(KFold(3), X)


def test_random_split_warns_that_it_overstates(table):
    with pytest.warns(LeakageWarning, match="overstates accuracy"):
        list(RandomKFold(3, random_state=0).split(table.X, table.y, table.groups))
    # Without groups there is nothing to warn about.
    assert len(list(RandomKFold(3, random_state=0).split(table.X, table.y))) == 3


def test_artist_split_scores_lower_than_random_split(table):
    clf = mir_genre.get_classifier("knn", n_neighbors=1)
    artist = cross_val_score(clf, table.X, table.y, groups=table.groups, cv=ArtistKFold(4))
    with pytest.warns(LeakageWarning):
        random = cross_val_score(
            clf, table.X, table.y, groups=table.groups, cv=RandomKFold(4, random_state=0)
        )
    assert random.mean() > artist.mean() + 0.2


@pytest.mark.parametrize(("include_valid", "n_train"), [(False, 18), (True, 27)])
def test_fault_filtered_split(table, include_valid, n_train):
    cv = FaultFilteredSplit(table, include_valid=include_valid)
    ((train, test),) = list(cv.split(table.X))
    assert len(train) == n_train and len(test) == 9
    assert set(table.metadata["split"][test]) == {"test"}
    assert check_no_leakage(cv, table.X, table.y, table.groups) == 1
    scores = cross_val_score(
        mir_genre.get_classifier("logistic_regression"), table.X, table.y, cv=cv
    )
    assert scores.shape == (1,)


def test_predefined_split_errors(table):
    with pytest.raises(ParameterError, match="same dataset"):
        next(PredefinedDatasetSplit(table).split(table.X[:5]))
    with pytest.raises(ParameterError, match="no track is in the test split"):
        next(PredefinedDatasetSplit(table, test="holdout").split(table.X))
    with pytest.raises(ParameterError, match="no predefined split"):
        next(PredefinedDatasetSplit([""] * 3).split([0, 1, 2]))


def test_splitters_work_in_grid_search(table):
    search = GridSearchCV(
        mir_genre.get_classifier("logistic_regression"),
        {"C": [0.1, 1.0]},
        cv=ArtistKFold(3),
    )
    search.fit(table.X, table.y, groups=table.groups)
    assert search.best_params_["C"] in (0.1, 1.0)


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        ("artist:5", ArtistKFold),
        ("random:3", RandomKFold),
        ("fault-filtered", FaultFilteredSplit),
        ("fault-filtered+valid", FaultFilteredSplit),
        ("predefined", PredefinedDatasetSplit),
    ],
)
def test_make_cv(table, protocol, expected):
    cv = make_cv(protocol, table, random_state=0)
    assert isinstance(cv, expected)
    assert getattr(cv, "include_valid", protocol.endswith("+valid")) == protocol.endswith("+valid")


@pytest.mark.parametrize(
    ("protocol", "match"),
    [("artist", "number of folds"), ("random:1", "number of folds"), ("loo", "Unknown")],
)
def test_make_cv_errors(protocol, match):
    with pytest.raises(ParameterError, match=match):
        make_cv(protocol)
    with pytest.raises(ParameterError, match="needs the dataset"):
        make_cv("fault-filtered")
