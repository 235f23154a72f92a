"""load_folder: a user's library with one sub-folder per genre."""

import warnings

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from sklearn.model_selection import StratifiedGroupKFold, cross_val_score

import mir_genre
from mir_genre.datasets import Dataset
from mir_genre.datasets.folder import load_folder
from mir_genre.exceptions import DataError, DataNotFoundError, DataWarning, ParameterError

from .conftest import make_tone

SR = 8000
FORMATS = {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG"}


def write_clip(path, *, artist=None, title=None, freq=440.0, seed=0, seconds=1.0):
    """Write a short clip, with artist/title tags when given (works for WAV, FLAC, OGG)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = FORMATS[path.suffix]
    subtype = "VORBIS" if fmt == "OGG" else None
    y = make_tone(seconds, sr=SR, freq=freq, seed=seed)
    with sf.SoundFile(path, "w", SR, 1, format=fmt, subtype=subtype) as f:
        if artist is not None:
            f.artist = artist
        if title is not None:
            f.title = title
        f.write(y)
    return path


# (relative path, artist tag, title tag); 3 genres, 3 formats, a nested album folder.
LIBRARY = [
    ("blues/a1.wav", "Alice", "Blue One"),
    ("blues/a2.flac", "Alice", None),
    ("blues/album/b1.ogg", "Bob", "Deep"),
    ("blues/c1.wav", "Carol", None),
    ("rock/d1.flac", "Dave", "Loud"),
    ("rock/d2.wav", "Dave", None),
    ("rock/e1.ogg", "Eve", None),
    ("rock/f1.wav", "Frank", None),
    ("jazz/g1.wav", "Gina", None),
    ("jazz/g2.flac", "Gina", None),
    ("jazz/h1.wav", "Hank", None),
    ("jazz/i1.ogg", "Ivy", None),
]
BASE_FREQ = {"blues": 220.0, "rock": 550.0, "jazz": 1200.0}


def make_library(root, *, tags=True, entries=LIBRARY):
    for i, (rel, artist, title) in enumerate(entries):
        genre = rel.split("/")[0]
        write_clip(
            root / rel,
            artist=artist if tags else None,
            title=title if tags else None,
            freq=BASE_FREQ.get(genre, 440.0) * (1 + 0.05 * (i % 4)),
            seed=i,
        )
    return root


@pytest.fixture
def tagged(tmp_path):
    return make_library(tmp_path / "lib")


@pytest.fixture
def untagged(tmp_path):
    return make_library(tmp_path / "lib", tags=False)


def write_csv(path, rows, columns=("path", "artist")):
    pd.DataFrame(rows, columns=list(columns)).to_csv(path, index=False)
    return path


def test_artists_from_tags(tagged):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = load_folder(tagged)
    assert isinstance(ds, Dataset)
    assert ds.name == "folder"
    assert len(ds) == len(LIBRARY)
    meta = ds.metadata.set_index("track_id")
    assert meta.loc["blues/album/b1", "artist"] == "Bob"
    assert meta.loc["blues/album/b1", "genre"] == "blues"
    assert meta.loc["blues/a1", "title"] == "Blue One"
    assert meta.loc["blues/a2", "title"] == "a2"  # no title tag: the file stem
    assert set(ds.y) == {"blues", "rock", "jazz"}
    assert ds.splits == {}
    assert (ds.metadata["split"] == "").all()
    np.testing.assert_allclose(ds.metadata["duration"], 1.0)
    assert ds.X == ds.metadata["path"].tolist()
    assert all(isinstance(x, str) for x in ds.X)
    assert ds.has_artists


def test_metadata_columns_and_order(tagged):
    ds = load_folder(tagged)
    assert list(ds.metadata.columns[:7]) == list(mir_genre.datasets.METADATA_COLUMNS)
    assert ds.metadata["track_id"].tolist() == sorted(r.rsplit(".", 1)[0] for r, _, _ in LIBRARY)


def test_groups_follow_artists(tagged):
    ds = load_folder(tagged)
    groups = dict(zip(ds.track_ids, ds.groups, strict=True))
    assert groups["blues/a1"] == groups["blues/a2"] == "artist:Alice"
    assert groups["jazz/g1"] == groups["jazz/g2"]
    assert groups["blues/a1"] != groups["blues/c1"]
    assert len(set(ds.groups)) == 9


def test_artists_from_csv_override_tags(tagged, tmp_path):
    csv = write_csv(
        tmp_path / "artists.csv",
        [("blues/a1.wav", "Zed"), (str(tagged / "rock" / "d1.flac"), "Yan")],
    )
    ds = load_folder(tagged, artists=csv)
    meta = ds.metadata.set_index("track_id")
    assert meta.loc["blues/a1", "artist"] == "Zed"  # relative path
    assert meta.loc["rock/d1", "artist"] == "Yan"  # absolute path
    assert meta.loc["blues/a2", "artist"] == "Alice"  # not in the CSV: from its tag


def test_artists_from_csv_without_tags(untagged, tmp_path):
    rows = [(rel, artist) for rel, artist, _ in LIBRARY]
    csv = write_csv(untagged / "artists.csv", rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = load_folder(untagged, artists="artists.csv")  # relative: looked up in root
    assert ds.metadata["artist"].notna().all()
    assert len(set(ds.groups)) == 9
    # A DataFrame or a mapping works as well.
    by_frame = load_folder(untagged, artists=pd.read_csv(csv))
    by_dict = load_folder(untagged, artists=dict(rows))
    assert by_frame.groups.tolist() == ds.groups.tolist() == by_dict.groups.tolist()


def test_unknown_csv_paths_warn(tagged, tmp_path):
    csv = write_csv(
        tmp_path / "artists.csv",
        [("blues/a1.wav", "Alice"), ("blues/nope.wav", "X"), ("funk/z.mp3", "Y")],
    )
    with pytest.warns(DataWarning, match=r"2 path\(s\) in artists CSV .*'blues/nope.wav'"):
        load_folder(tagged, artists=csv)


def test_bad_csv_names_file_and_columns(tagged, tmp_path):
    csv = write_csv(tmp_path / "bad.csv", [("blues/a1.wav", "A")], columns=("file", "who"))
    with pytest.raises(DataError, match=r"bad\.csv.*\['path', 'artist'\].*path,artist"):
        load_folder(tagged, artists=csv)


def test_missing_csv(tagged, tmp_path):
    with pytest.raises(DataNotFoundError, match="Artist file not found.*path,artist"):
        load_folder(tagged, artists=tmp_path / "none.csv")


def test_conflicting_csv_rows(tagged, tmp_path):
    csv = write_csv(tmp_path / "a.csv", [("blues/a1.wav", "A"), ("blues/a1.wav", "B")])
    with pytest.raises(DataError, match="two different artists"):
        load_folder(tagged, artists=csv)


def test_no_artists_warns_and_groups_per_track(untagged):
    with pytest.warns(
        DataWarning,
        match=r"(?si)No artist is known for any of the 12 tracks.*artist filtering is "
        r"impossible.*one group per track.*track-level splits.*artists=.*tag the files",
    ):
        ds = load_folder(untagged)
    assert ds.metadata["artist"].isna().all()
    assert not ds.has_artists
    assert len(set(ds.groups)) == len(ds)
    assert all(g.startswith("track:") for g in ds.groups)


def test_read_tags_false_ignores_tags(tagged):
    with pytest.warns(DataWarning, match="read_tags=False"):
        ds = load_folder(tagged, read_tags=False)
    assert ds.metadata["artist"].isna().all()
    assert ds.metadata["title"].tolist() == [p.rsplit("/", 1)[-1] for p in ds.track_ids]
    np.testing.assert_allclose(ds.metadata["duration"], 1.0)  # still read


def test_partial_artists_warn_with_count(tmp_path):
    entries = [
        (rel, artist if i % 4 else None, None) for i, (rel, artist, _) in enumerate(LIBRARY)
    ]
    root = make_library(tmp_path / "lib", entries=entries)
    with pytest.warns(DataWarning, match=r"3 of 12 tracks .* have no artist"):
        ds = load_folder(root)
    groups = pd.Series(ds.groups, index=ds.track_ids)
    unknown = groups[ds.metadata["artist"].isna().to_numpy()]
    assert len(unknown) == 3
    assert unknown.str.startswith("track:").all()
    assert unknown.nunique() == 3  # unknown artists never share a group


def test_non_audio_and_hidden_files_ignored(tagged):
    (tagged / "rock" / "cover.jpg").write_bytes(b"\xff\xd8")
    (tagged / "rock" / "notes.txt").write_text("liner notes")
    (tagged / "rock" / "._d1.flac").write_bytes(b"\x00\x05\x16\x07")  # macOS resource fork
    (tagged / ".trash").mkdir()
    write_clip(tagged / ".trash" / "old.wav")
    write_clip(tagged / "loose.wav")  # not in a genre folder
    with pytest.warns(DataWarning, match="3 file") as record:
        ds = load_folder(tagged)
    assert len(ds) == len(LIBRARY)
    # Every skipped file is named with its reason; hidden ones are left out of the list.
    (message,) = [str(w.message) for w in record if "not used as tracks" in str(w.message)]
    assert "2 extension not scanned (.jpg: 1, .txt: 1): 'rock/cover.jpg', 'rock/notes.txt'" in (
        message
    )
    assert "not in a genre folder: 'loose.wav'" in message
    assert "._d1.flac" not in message and ".trash" not in message
    assert not any(p.endswith((".jpg", ".txt", "._d1.flac", "old.wav", "loose.wav")) for p in ds.X)


def test_extensions_parameter(tagged):
    with pytest.warns(DataWarning, match=r"3 extension not scanned \(\.ogg: 3\)"):
        ds = load_folder(tagged, extensions=["WAV", ".flac"])
    assert {p.rsplit(".", 1)[1] for p in ds.X} == {"wav", "flac"}
    with pytest.raises(ParameterError, match="extensions"):
        load_folder(tagged, extensions=[])


def test_same_stem_keeps_ids_unique(tagged):
    write_clip(tagged / "rock" / "d2.flac", artist="Dave")
    ds = load_folder(tagged)
    assert ds.metadata["track_id"].is_unique
    assert {"rock/d2.wav", "rock/d2.flac"} <= set(ds.track_ids)


def test_empty_genre_folder_warns(tagged):
    (tagged / "empty").mkdir()
    with pytest.warns(DataWarning, match="'empty'"):
        ds = load_folder(tagged)
    assert "empty" not in set(ds.y)


@pytest.mark.parametrize(
    ("setup", "error", "match"),
    [
        ("missing", DataNotFoundError, "Music folder not found.*one sub-folder per genre"),
        ("file", DataNotFoundError, "must be a folder.*Expected layout"),
        ("empty", DataNotFoundError, "No genre folders.*Expected layout"),
        ("no_audio", DataNotFoundError, "No audio files.*Expected layout"),
        ("one_genre", DataError, "only 1 genre folder.*at least 2"),
    ],
)
def test_layout_errors(tmp_path, setup, error, match):
    root = tmp_path / "lib"
    if setup == "file":
        root.write_text("not a folder")
    elif setup == "empty":
        root.mkdir()
        write_clip(root / "loose.wav")
    elif setup == "no_audio":
        (root / "rock").mkdir(parents=True)
        (root / "rock" / "readme.txt").write_text("x")
    elif setup == "one_genre":
        write_clip(root / "rock" / "a.wav", artist="A")
        write_clip(root / "rock" / "b.wav", artist="B")
    with pytest.raises(error, match=match):
        load_folder(root)


def test_bad_parameter_types(tagged):
    with pytest.raises(ParameterError, match="root must be the path"):
        load_folder(42)
    with pytest.raises(ParameterError, match="artists must be"):
        load_folder(tagged, artists=3.5)


def test_load_dataset_by_name(tagged):
    ds = mir_genre.load_dataset("folder", root=tagged)
    assert ds.name == "folder" and len(ds) == len(LIBRARY)


def test_validate_flags_corrupt_file(tagged):
    corrupt = tagged / "rock" / "broken.wav"
    corrupt.write_bytes(b"this is not a RIFF file" * 10)
    with pytest.warns(DataWarning, match="1 of 13 tracks"):
        ds = load_folder(tagged)
    row = ds.metadata.set_index("track_id").loc["rock/broken"]
    assert np.isnan(row["duration"])  # kept, with an unknown duration
    report = ds.validate()
    assert not report.ok
    assert list(report.unreadable) == [str(corrupt)]
    assert report.missing == []


def test_cross_validation_end_to_end(tagged):
    ds = load_folder(tagged)
    pipe = mir_genre.make_pipeline(
        mir_genre.get_extractor("mfcc_deltas", n_fft=512, hop_length=256, n_mfcc=8, n_mels=32),
        "logistic_regression",
    )
    scores = cross_val_score(pipe, ds.X, ds.y, groups=ds.groups, cv=StratifiedGroupKFold(2))
    assert scores.shape == (2,)
    assert np.isfinite(scores).all()


def test_mutagen_used_when_installed(untagged, monkeypatch):
    """mutagen is optional: when importable, it fills in tags libsndfile did not give."""
    import sys
    import types

    class FakeFile:
        def __init__(self, path):
            self.tags = {"artist": [f"M-{path.parent.name}"], "title": ["from mutagen"]}
            self.info = types.SimpleNamespace(length=1.0)

    fake = types.ModuleType("mutagen")
    fake.File = lambda path, easy=True: FakeFile(path)
    monkeypatch.setitem(sys.modules, "mutagen", fake)
    ds = load_folder(untagged)
    assert set(ds.metadata["artist"]) == {"M-blues", "M-album", "M-rock", "M-jazz"}
    assert (ds.metadata["title"] == "from mutagen").all()


def test_without_mutagen(untagged, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "mutagen", None)  # import mutagen raises ImportError
    with pytest.warns(DataWarning, match="No artist is known"):
        load_folder(untagged)


def test_unreadable_file_is_logged_with_the_reason(tagged, caplog):
    corrupt = tagged / "rock" / "broken.wav"
    corrupt.write_bytes(b"this is not a RIFF file" * 10)
    with caplog.at_level("WARNING", logger="mir_genre"), pytest.warns(DataWarning):
        load_folder(tagged)
    messages = [r.getMessage() for r in caplog.records if str(corrupt) in r.getMessage()]
    assert len(messages) == 1, caplog.text
    assert "libsndfile" in messages[0] and "kept" in messages[0]
