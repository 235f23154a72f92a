"""Feature-table loader: 57 columns, parent track ids for segments, artists and splits.

Never touches the network: downloads go through a fake ``pooch.retrieve``.
"""

import numpy as np
import pandas as pd
import pooch
import pytest
from sklearn.model_selection import (
    StratifiedGroupKFold,
    StratifiedKFold,
    cross_val_score,
)

import mir_genre
from mir_genre.datasets.feature_table import load_feature_table, parse_table_filename
from mir_genre.datasets.gtzan import REMOTES, read_artist_index, read_split
from mir_genre.exceptions import DataError, DataNotFoundError, DataWarning
from mir_genre.features.tzanetakis import TZANETAKIS57_NAMES

TABLE_30 = "features_30_sec.csv"
TABLE_3 = "features_3_sec_partial_classical_jazz_rock.csv"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch, tmp_path):
    monkeypatch.delenv("MIR_GENRE_GTZAN_METADATA", raising=False)
    monkeypatch.delenv("MIR_GENRE_FEATURE_TABLE", raising=False)
    monkeypatch.setenv("MIR_GENRE_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def table30(gtzan_dir):
    return load_feature_table(gtzan_dir / TABLE_30, metadata_dir=gtzan_dir)


@pytest.fixture(scope="module")
def table3(gtzan_dir):
    return load_feature_table(gtzan_dir / TABLE_3, metadata_dir=gtzan_dir)


def _no_download(*args, **kwargs):
    raise AssertionError("no download expected")


def test_parse_table_filename():
    assert parse_table_filename("classical.00000.3.wav") == ("classical.00000", 3)
    assert parse_table_filename("blues.00099.wav") == ("blues.00099", -1)
    assert parse_table_filename("song.mp3") is None


def test_table30_shape_and_names(table30, gtzan_dir):
    assert table30.kind == "features"
    assert table30.X.shape == (1000, 57) and table30.X.dtype == np.float64
    assert table30.feature_names == list(TZANETAKIS57_NAMES)
    raw = pd.read_csv(gtzan_dir / TABLE_30)
    np.testing.assert_array_equal(table30.X, raw[list(TZANETAKIS57_NAMES)].to_numpy())
    meta = table30.metadata
    assert meta["path"].tolist() == raw["filename"].tolist()
    assert meta["genre"].tolist() == raw["label"].tolist()
    assert (meta["segment"] == -1).all()
    assert meta["track_id"].is_unique and meta["track_id"].iloc[0] == "blues.00000"
    assert meta["duration"].between(29.0, 31.0).all()


def test_table30_artists_and_splits(table30):
    assert {k: len(v) for k, v in table30.splits.items()} == {
        "train": 443,
        "valid": 197,
        "test": 290,
    }
    meta = table30.metadata.set_index("track_id")
    assert meta.loc["blues.00000", "artist"] == "John Lee Hooker"
    assert meta["artist"].isna().sum() == 81
    groups = dict(zip(table30.track_ids, table30.groups, strict=True))
    assert groups["blues.00000"] == groups["blues.00001"] == "artist:John Lee Hooker"
    assert groups["jazz.00054"] == "track:jazz.00054"


def test_table3_segments_share_track_and_split(table3, gtzan_dir):
    meta = table3.metadata
    assert table3.X.shape == (2996, 57)
    assert set(meta["genre"]) == {"classical", "jazz", "rock"}
    first = meta.iloc[3]
    assert (first["path"], first["track_id"], first["segment"]) == (
        "classical.00000.3.wav",
        "classical.00000",
        3,
    )
    assert meta["segment"].between(0, 9).all()
    # One track -> one group, one split, one artist.
    per_track = meta.assign(group=table3.groups).groupby("track_id")
    assert (per_track["group"].nunique() == 1).all()
    assert (per_track["split"].nunique() == 1).all()
    assert per_track.ngroups == 300
    # No track straddles the predefined train/test split.
    splits = table3.splits
    train, test = set(table3.track_ids[splits["train"]]), set(table3.track_ids[splits["test"]])
    assert train and test and not train & test
    expected_test = set(read_split(gtzan_dir / REMOTES["test"].path))
    assert test <= expected_test
    # Artists come from the index.
    index = read_artist_index(gtzan_dir / REMOTES["artist_index"].path).set_index("track_id")
    for track, artist in meta.groupby("track_id")["artist"].first().items():
        expected = index.loc[track, "artist"]
        assert artist == expected or (artist is None and expected is None)
    assert table3.has_artists


def test_table3_group_kfold_keeps_segments_together(table3):
    cv = StratifiedGroupKFold(5)
    for train, test in cv.split(table3.X, table3.y, groups=table3.groups):
        assert not set(table3.track_ids[train]) & set(table3.track_ids[test])


def test_load_dataset_feature_table(gtzan_dir):
    ds = mir_genre.load_dataset("feature_table", path=gtzan_dir / TABLE_3, metadata_dir=gtzan_dir)
    assert ds.name == "feature_table" and len(ds) == 2996


def test_env_vars(gtzan_dir, monkeypatch):
    monkeypatch.setenv("MIR_GENRE_FEATURE_TABLE", str(gtzan_dir / TABLE_3))
    monkeypatch.setenv("MIR_GENRE_GTZAN_METADATA", str(gtzan_dir))
    monkeypatch.setattr(pooch, "retrieve", _no_download)
    ds = load_feature_table()
    assert len(ds) == 2996 and ds.has_artists


def test_metadata_dir_false_warns(gtzan_dir, monkeypatch):
    monkeypatch.setattr(pooch, "retrieve", _no_download)
    with pytest.warns(DataWarning, match="artist filtering is impossible"):
        ds = load_feature_table(gtzan_dir / TABLE_3, metadata_dir=False)
    assert not ds.has_artists and ds.splits == {}
    assert ds.metadata["track_id"].nunique() == 300


def test_offline_without_metadata_raises(gtzan_dir, monkeypatch):
    def fake_retrieve(url, **kwargs):
        raise ConnectionError("network unreachable")

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    with pytest.raises(DataNotFoundError, match="metadata_dir"):
        load_feature_table(gtzan_dir / TABLE_3)


def test_download_hash_mismatch_is_data_error(gtzan_dir, monkeypatch):
    def fake_retrieve(url, known_hash, **kwargs):
        raise ValueError(f"SHA256 hash of downloaded file ({url}) does not match {known_hash}")

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    with pytest.raises(DataError, match="pinned sha256"):
        load_feature_table(gtzan_dir / TABLE_3)


def test_missing_path(tmp_path):
    with pytest.raises(DataNotFoundError, match="MIR_GENRE_FEATURE_TABLE.*Kaggle"):
        load_feature_table()
    with pytest.raises(DataNotFoundError, match="nowhere.csv"):
        load_feature_table(tmp_path / "nowhere.csv")


def test_missing_columns(gtzan_dir, tmp_path):
    raw = pd.read_csv(gtzan_dir / TABLE_30, nrows=5)
    path = tmp_path / "short.csv"
    raw.drop(columns=["tempo", "mfcc20_var"]).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"short\.csv.*\['tempo', 'mfcc20_var'\]"):
        load_feature_table(path, metadata_dir=gtzan_dir)


def test_non_finite_features(gtzan_dir, tmp_path):
    raw = pd.read_csv(gtzan_dir / TABLE_30, nrows=5)
    raw.loc[2, "rms_mean"] = np.nan
    path = tmp_path / "nan.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"blues\.00002\.wav"):
        load_feature_table(path, metadata_dir=gtzan_dir)


def test_non_gtzan_names_warn(gtzan_dir, tmp_path):
    raw = pd.read_csv(gtzan_dir / TABLE_30, nrows=4)
    raw["filename"] = [f"song{i}.wav" for i in range(4)]
    path = tmp_path / "mine.csv"
    raw.to_csv(path, index=False)
    with pytest.warns(DataWarning, match="not GTZAN's"):
        ds = load_feature_table(path, metadata_dir=gtzan_dir)
    assert ds.track_ids.tolist() == ["song0", "song1", "song2", "song3"]


def test_artist_grouped_cv_is_lower_than_random(table30):
    clf = mir_genre.get_classifier("logistic_regression")
    grouped = cross_val_score(
        clf, table30.X, table30.y, groups=table30.groups, cv=StratifiedGroupKFold(5)
    ).mean()
    random = cross_val_score(
        clf, table30.X, table30.y, cv=StratifiedKFold(5, shuffle=True, random_state=0)
    ).mean()
    print(f"logistic_regression 30-s table: artist 5-fold {grouped:.3f}, random {random:.3f}")
    assert 0.3 < grouped < 0.8
    assert random > grouped + 0.05


# -- frame-wise .npz tables (the published musicnn GTZAN taggrams' layout) -----------------


def _frame_table(path, clips, seed=0):
    """An .npz with 3 frames per clip: X (frames x 4), Y (genre index), IDS (clip per frame)."""
    rng = np.random.default_rng(seed)
    ids = np.repeat(clips, 3)
    X = rng.uniform(0, 1, (len(ids), 4)).astype(np.float32)
    genres = sorted({c.split("/")[0] for c in clips})
    Y = np.array([genres.index(i.split("/")[0]) for i in ids])
    np.savez(path, X=X, Y=Y, IDS=ids)
    return X, ids


def test_frame_table_rows_are_clip_means(gtzan_dir, tmp_path):
    clips = ["blues/blues.00029.au", "rock/rock.00012.au", "blues/blues.00000.au"]
    X, ids = _frame_table(tmp_path / "train.npz", clips)
    ds = load_feature_table(tmp_path / "train.npz", metadata_dir=gtzan_dir)
    assert ds.kind == "features" and ds.feature_names == ["mean_0", "mean_1", "mean_2", "mean_3"]
    assert ds.metadata["track_id"].tolist() == ["blues.00029", "rock.00012", "blues.00000"]
    assert ds.y.tolist() == ["blues", "rock", "blues"]
    np.testing.assert_allclose(ds.X[1], X[ids == clips[1]].mean(axis=0), rtol=1e-6)
    # GTZAN artists and splits attach through the track ids.
    assert ds.metadata["artist"].notna().all() and set(ds.metadata["split"]) <= {
        "train", "valid", "test", ""
    }  # fmt: skip


def test_frame_table_folder_joins_its_files(gtzan_dir, tmp_path):
    _frame_table(tmp_path / "a.npz", ["blues/blues.00029.au"])
    _frame_table(tmp_path / "b.npz", ["rock/rock.00012.au", "jazz/jazz.00001.au"], seed=1)
    ds = load_feature_table(tmp_path, metadata_dir=gtzan_dir)
    assert ds.X.shape == (3, 4) and sorted(ds.y) == ["blues", "jazz", "rock"]


def test_frame_table_errors_name_the_file(tmp_path):
    with pytest.raises(DataNotFoundError, match="no .npz"):
        load_feature_table(tmp_path, metadata_dir=False)
    np.savez(tmp_path / "bad.npz", X=np.zeros((4, 2)))
    with pytest.raises(DataError, match="bad.npz.*'IDS'"):
        load_feature_table(tmp_path / "bad.npz", metadata_dir=False)
    np.savez(tmp_path / "bad.npz", X=np.zeros((4, 2)), IDS=np.array(["a/a.00001.au"] * 3))
    with pytest.raises(DataError, match="one id per row"):
        load_feature_table(tmp_path / "bad.npz", metadata_dir=False)
    with pytest.raises(DataNotFoundError, match="missing.npz"):
        load_feature_table(tmp_path / "missing.npz", metadata_dir=False)


def test_published_musicnn_taggrams_reproduce_the_fault_filtered_score(gtzan_dir):
    """Per-clip mean MSD_musicnn taggram + StandardScaler + SVC: 0.800 on the FF test."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    folder = gtzan_dir / "musicnn"
    if not folder.is_dir():
        pytest.skip("the published musicnn taggrams are not in the shared data")
    ds = load_feature_table(folder, metadata_dir=gtzan_dir)
    assert ds.X.shape == (733, 50)
    split = ds.metadata["split"].to_numpy()
    train, test = split == "train", split == "test"
    model = make_pipeline(StandardScaler(), SVC()).fit(ds.X[train], ds.y[train])
    accuracy = (model.predict(ds.X[test]) == ds.y[test]).mean()
    assert accuracy == pytest.approx(0.800, abs=0.0005)


def test_kaggle_table_named_features_csv_is_not_taken_for_fma(gtzan_dir, tmp_path):
    raw = pd.read_csv(gtzan_dir / TABLE_30, nrows=6)
    raw.to_csv(tmp_path / "features.csv", index=False)
    ds = load_feature_table(tmp_path / "features.csv", metadata_dir=gtzan_dir)
    assert ds.X.shape == (6, 57) and ds.feature_names == list(TZANETAKIS57_NAMES)
    assert ds.metadata["artist"].iloc[0] == "John Lee Hooker"
