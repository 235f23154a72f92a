"""load_fma on a small generated fake in FMA's layout (tracks.csv with two header rows)."""

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from sklearn.model_selection import StratifiedGroupKFold, cross_val_score

import mir_genre
from mir_genre.datasets import Dataset
from mir_genre.datasets.fma import BIBTEX, ENV_ROOT, LICENSE_INFO, load_fma
from mir_genre.exceptions import DataError, DataNotFoundError, DataWarning, ParameterError

from .conftest import make_tone

HAS_MP3 = "MP3" in sf.available_formats()
needs_mp3 = pytest.mark.skipif(not HAS_MP3, reason="this libsndfile cannot write MP3")
SR = 22050

# track_id, artist id, artist name, genre_top, split, subset, title, full duration (s).
# Artists 5 and 6 share a name: they must still be two groups (FMA groups by id).
TRACKS = [
    (2, 1, "Ann", "Rock", "training", "small", "r1", 168.0),
    (5, 1, "Ann", "Rock", "training", "small", "r2", 25.0),
    (10, 2, "Ben", "Rock", "test", "small", "r3", 200.0),
    (20, 2, "Ben", "Rock", "test", "small", "r4", 300.0),
    (140, 3, "Cy", "Pop", "training", "small", "p1", 100.0),
    (141, 3, "Cy", "Pop", "training", "small", "p2", 100.0),
    (1234, 4, "Dee", "Pop", "validation", "small", "p3", 100.0),
    (1235, 4, "Dee", "Pop", "validation", "small", "p4", 100.0),
    (3000, 5, "Twin", "Folk", "training", "small", "f1", 100.0),
    (3001, 5, "Twin", "Folk", "training", "small", "f2", 100.0),
    (140000, 6, "Twin", "Folk", "test", "small", "f3", 100.0),
    (140001, 6, "Twin", "Folk", "test", "small", "f4", 100.0),
    (50, 7, "Eli", "Jazz", "training", "medium", "j1", 100.0),
    (51, 7, "Eli", "Jazz", "test", "medium", "j2", 100.0),
    (52, 1, "Ann", "Rock", "training", "medium", "r5", 100.0),
    (99999, 8, "Fay", None, "training", "large", "x1", 100.0),
]
SMALL = [t for t in TRACKS if t[5] == "small"]
MEDIUM = [t for t in TRACKS if t[5] in ("small", "medium")]
FREQ = {"Rock": 300.0, "Pop": 700.0, "Folk": 1500.0, "Jazz": 2500.0}


def write_tracks_csv(path, rows=TRACKS, drop=()):
    """Write tracks.csv the way FMA ships it: two header rows and an index-name row."""
    columns = pd.MultiIndex.from_tuples(
        [
            ("album", "title"),
            ("artist", "id"),
            ("artist", "name"),
            ("set", "split"),
            ("set", "subset"),
            ("track", "duration"),
            ("track", "genre_top"),
            ("track", "title"),
        ]
    )
    data = [
        ["an album", aid, name, split, subset, dur, genre, title]
        for _, aid, name, genre, split, subset, title, dur in rows
    ]
    index = pd.Index([row[0] for row in rows], name="track_id")
    table = pd.DataFrame(data, index=index, columns=columns).drop(columns=list(drop))
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path)
    return path


def audio_path(root, subset, tid):
    return root / f"fma_{subset}" / f"{tid:06d}"[:3] / f"{tid:06d}.mp3"


def write_audio(root, subset, rows):
    for i, (tid, _, _, genre, *_) in enumerate(rows):
        path = audio_path(root, subset, tid)
        path.parent.mkdir(parents=True, exist_ok=True)
        if HAS_MP3:
            y = make_tone(1.0, sr=SR, freq=FREQ.get(genre, 440.0) * (1 + 0.03 * i), seed=i)
            sf.write(path, y, SR, format="MP3")
        else:  # the loader only checks that the files exist
            path.write_bytes(b"")


@pytest.fixture(scope="module")
def fma_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("fma")
    write_tracks_csv(root / "fma_metadata" / "tracks.csv")
    write_audio(root, "small", SMALL)
    write_audio(root, "medium", MEDIUM)
    return root


def test_small_subset(fma_root):
    ds = load_fma(fma_root)
    assert isinstance(ds, Dataset)
    assert ds.name == "fma_small"
    assert ds.track_ids.tolist() == [f"{t[0]:06d}" for t in sorted(SMALL)]
    assert set(ds.y) == {"Rock", "Pop", "Folk"}
    assert ds.X == [str(audio_path(fma_root, "small", t[0])) for t in sorted(SMALL)]
    assert ds.X[-1].endswith("fma_small/140/140001.mp3")
    assert ds.X[0].endswith("fma_small/000/000002.mp3")
    assert list(ds.metadata.columns[:7]) == list(mir_genre.datasets.METADATA_COLUMNS)


def test_medium_includes_small(fma_root):
    ds = load_fma(fma_root, subset="medium")
    assert ds.name == "fma_medium"
    assert sorted(int(t) for t in ds.track_ids) == sorted(t[0] for t in MEDIUM)
    assert set(ds.y) == {"Rock", "Pop", "Folk", "Jazz"}
    assert set(ds.metadata["subset"]) == {"small", "medium"}
    assert all("/fma_medium/" in x for x in ds.X)


def test_splits_mapped(fma_root):
    ds = load_fma(fma_root)
    expected = {"training": "train", "validation": "valid", "test": "test"}
    assert ds.metadata["split"].tolist() == [expected[t[4]] for t in sorted(SMALL)]
    assert sorted(ds.splits) == ["test", "train", "valid"]
    assert len(ds.splits["train"]) == 6
    # FMA's split is artist-filtered: no artist group on two sides.
    train, test = set(ds.groups[ds.splits["train"]]), set(ds.groups[ds.splits["test"]])
    assert not train & test


def test_artist_groups_follow_artist_ids(fma_root):
    ds = load_fma(fma_root)
    meta = ds.metadata.set_index("track_id")
    groups = dict(zip(ds.track_ids, ds.groups, strict=True))
    assert groups["000002"] == groups["000005"] == "artist:Ann"
    assert meta.loc["000002", "artist_id"] == 1
    # Two artists named "Twin" with ids 5 and 6: two groups.
    assert groups["003000"] == groups["003001"]
    assert groups["140000"] == groups["140001"]
    assert groups["003000"] != groups["140000"]
    assert meta.loc["003000", "artist"].startswith("Twin")
    assert len(set(ds.groups)) == 6


def test_titles_and_durations(fma_root):
    ds = load_fma(fma_root)
    meta = ds.metadata.set_index("track_id")
    assert meta.loc["000002", "title"] == "r1"
    assert meta.loc["000002", "duration"] == 30.0  # the clip, not the 168-s track
    assert meta.loc["000002", "track_duration"] == 168.0
    assert meta.loc["000005", "duration"] == 25.0  # shorter than a clip


def test_missing_audio_warns_and_excludes(tmp_path):
    root = tmp_path / "fma"
    write_tracks_csv(root / "fma_metadata" / "tracks.csv")
    write_audio(root, "small", SMALL[2:])
    with pytest.warns(DataWarning, match=r"2 of the 12 tracks .* left out .*000002, 000005"):
        ds = load_fma(root)
    assert len(ds) == 10
    assert "000002" not in set(ds.track_ids)


def test_no_audio_at_all(tmp_path):
    root = tmp_path / "fma"
    write_tracks_csv(root / "fma_metadata" / "tracks.csv")
    (root / "fma_small").mkdir()
    with pytest.raises(DataNotFoundError, match="None of the 12 audio files"):
        load_fma(root)


def test_missing_tracks_csv(tmp_path):
    write_audio(tmp_path, "small", SMALL[:1])
    with pytest.raises(
        DataNotFoundError,
        match=r"(?s)tracks\.csv.*github\.com/mdeff/fma.*fma_metadata\.zip.*fma_small\.zip",
    ):
        load_fma(tmp_path)


def test_missing_root_and_audio_folder(tmp_path, monkeypatch):
    with pytest.raises(DataNotFoundError, match="FMA folder not found.*mdeff/fma"):
        load_fma(tmp_path / "nowhere")
    monkeypatch.delenv(ENV_ROOT, raising=False)
    with pytest.raises(DataNotFoundError, match=f"pass root= or set .*{ENV_ROOT}"):
        load_fma()
    write_tracks_csv(tmp_path / "fma_metadata" / "tracks.csv")
    with pytest.raises(DataNotFoundError, match="audio folder not found.*fma_medium"):
        load_fma(tmp_path, subset="medium")


def test_metadata_dir(fma_root, tmp_path):
    other = write_tracks_csv(tmp_path / "meta" / "tracks.csv", rows=SMALL[:4] + SMALL[6:8])
    ds = load_fma(fma_root, metadata_dir=other.parent)
    assert len(ds) == 6


def test_env_var_root(fma_root, monkeypatch):
    monkeypatch.setenv(ENV_ROOT, str(fma_root))
    assert len(load_fma()) == len(SMALL)


def test_unknown_subset(fma_root):
    with pytest.raises(ParameterError, match=r"subset must be one of .*'tiny'"):
        load_fma(fma_root, subset="tiny")


def test_bad_tracks_csv(tmp_path):
    write_audio(tmp_path, "small", SMALL)
    write_tracks_csv(tmp_path / "fma_metadata" / "tracks.csv", drop=[("artist", "id")])
    with pytest.raises(DataError, match=r"lacks the column\(s\) \[\('artist', 'id'\)\]"):
        load_fma(tmp_path)
    pd.DataFrame({"a": [1]}).to_csv(tmp_path / "fma_metadata" / "tracks.csv", index=False)
    with pytest.raises(DataError, match="tracks.csv"):
        load_fma(tmp_path)


def test_constants():
    assert "Defferrard" in BIBTEX and "1612.01840" in BIBTEX
    assert "CC BY 4.0" in LICENSE_INFO


def test_load_dataset_by_name(fma_root):
    ds = mir_genre.load_dataset("fma", root=fma_root, subset="medium")
    assert ds.name == "fma_medium" and len(ds) == len(MEDIUM)


@needs_mp3
def test_audio_readable(fma_root):
    ds = load_fma(fma_root)
    assert ds.validate().ok


@needs_mp3
def test_cross_validation_end_to_end(fma_root):
    ds = load_fma(fma_root)
    pipe = mir_genre.make_pipeline(
        mir_genre.get_extractor("mfcc_deltas", n_fft=512, hop_length=256, n_mfcc=8, n_mels=32),
        "logistic_regression",
    )
    scores = cross_val_score(pipe, ds.X, ds.y, groups=ds.groups, cv=StratifiedGroupKFold(2))
    assert scores.shape == (2,)
    assert np.isfinite(scores).all()
