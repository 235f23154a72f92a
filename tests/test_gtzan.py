"""GTZAN loader: metadata manifest, sha256 checks, parsers, layouts, corrupt files, groups.

Never touches the network: downloads go through a fake ``pooch.retrieve``.
"""

import re
import shutil
import warnings
from pathlib import Path

import pooch
import pytest
import soundfile as sf

import mir_genre
from mir_genre.datasets import Dataset, gtzan
from mir_genre.datasets.gtzan import (
    GENRES,
    REMOTES,
    fetch_metadata,
    load_gtzan,
    read_artist_index,
    read_split,
)
from mir_genre.exceptions import DataError, DataNotFoundError, DataWarning

from .conftest import REPO


@pytest.fixture(autouse=True)
def _no_env(monkeypatch, tmp_path):
    # Each test decides its own metadata source and cache; nothing leaks from the shell.
    monkeypatch.delenv("MIR_GENRE_GTZAN_METADATA", raising=False)
    monkeypatch.delenv("MIR_GENRE_GTZAN_ROOT", raising=False)
    monkeypatch.setenv("MIR_GENRE_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def meta_dir(gtzan_dir):
    return gtzan_dir


# --- manifest -------------------------------------------------------------------------


def _readme_remotes():
    text = (REPO / "datasets" / "README.md").read_text()
    rows = {}
    in_table = False
    for line in text.splitlines():
        if line.startswith("<!-- remotes-table"):
            in_table = True
            continue
        if in_table:
            if not line.startswith("|"):
                break
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[0] in ("name", "---"):
                continue
            name, path, url, sha = cells
            rows[name] = (url, sha, path)
    return rows


def test_readme_table_matches_remotes():
    rows = _readme_remotes()
    assert rows == {name: (r.url, r.sha256, r.path) for name, r in REMOTES.items()}


def test_remotes_match_sources_md(gtzan_dir):
    text = (gtzan_dir / "SOURCES.md").read_text()
    for remote in REMOTES.values():
        line = next(ln for ln in text.splitlines() if ln.startswith(f"| {remote.path} "))
        assert remote.url in line
        assert remote.sha256 in line


def test_remote_paths_and_hashes_are_well_formed():
    assert set(REMOTES) == {"train", "valid", "test", "artist_index"}
    for remote in REMOTES.values():
        assert re.fullmatch(r"[0-9a-f]{64}", remote.sha256)
        assert remote.url.startswith("https://raw.githubusercontent.com/")
        assert remote.url.endswith(Path(remote.path).name)
    assert len(GENRES) == 10


# --- parsers --------------------------------------------------------------------------


def test_read_artist_index(meta_dir):
    index = read_artist_index(meta_dir / REMOTES["artist_index"].path)
    assert len(index) == 1000
    assert index["track_id"].is_unique
    assert index["artist"].isna().sum() == 81
    assert (index["artist"] == "").sum() == 0
    first = index.iloc[0]
    assert first["track_id"] == "blues.00000" and first["artist"] == "John Lee Hooker"
    assert index.set_index("track_id").loc["jazz.00054", "artist"] is None


def test_read_splits_sizes_and_disjoint(meta_dir):
    splits = {n: read_split(meta_dir / REMOTES[n].path) for n in ("train", "valid", "test")}
    assert {n: len(v) for n, v in splits.items()} == {"train": 443, "valid": 197, "test": 290}
    assert splits["train"][0] == "blues.00029"
    sets = {n: set(v) for n, v in splits.items()}
    assert all(len(sets[n]) == len(splits[n]) for n in sets)
    assert not sets["train"] & sets["valid"]
    assert not sets["train"] & sets["test"]
    assert not sets["valid"] & sets["test"]


def test_fault_filtered_split_is_artist_disjoint(meta_dir):
    index = read_artist_index(meta_dir / REMOTES["artist_index"].path).set_index("track_id")
    artists = {
        n: set(index.loc[read_split(meta_dir / REMOTES[n].path), "artist"].dropna())
        for n in ("train", "valid", "test")
    }
    assert not artists["train"] & artists["test"]


def test_parsers_reject_garbage(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("not a track\n")
    with pytest.raises(DataError, match=r"bad\.txt.*line 1"):
        read_split(bad)
    with pytest.raises(DataError, match=r"bad\.txt.*line 1"):
        read_artist_index(bad)


# --- fetch_metadata: local folder ----------------------------------------------------


def test_fetch_metadata_local_verifies(meta_dir):
    paths = fetch_metadata(meta_dir)
    assert set(paths) == set(REMOTES)
    assert paths["test"] == meta_dir / "splits" / "test_filtered.txt"


def test_fetch_metadata_env_var(meta_dir, monkeypatch):
    monkeypatch.setenv("MIR_GENRE_GTZAN_METADATA", str(meta_dir))
    monkeypatch.setattr(pooch, "retrieve", _no_download)
    assert fetch_metadata()["artist_index"] == meta_dir / "meta" / "GTZANindex.txt"


def _copy_meta(meta_dir, dest):
    for remote in REMOTES.values():
        target = dest / remote.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(meta_dir / remote.path, target)
    return dest


def test_fetch_metadata_tampered_copy(meta_dir, tmp_path):
    local = _copy_meta(meta_dir, tmp_path / "meta_copy")
    target = local / REMOTES["test"].path
    data = bytearray(target.read_bytes())
    data[0] ^= 0x01
    target.write_bytes(bytes(data))
    found = gtzan._sha256(target)
    with pytest.raises(DataError) as info:
        fetch_metadata(local)
    message = str(info.value)
    assert REMOTES["test"].sha256 in message and found in message
    assert "test_filtered.txt" in message and REMOTES["test"].url in message


def test_fetch_metadata_missing_file(meta_dir, tmp_path):
    local = _copy_meta(meta_dir, tmp_path / "meta_copy")
    (local / REMOTES["artist_index"].path).unlink()
    with pytest.raises(DataNotFoundError, match="GTZANindex.txt") as info:
        fetch_metadata(local)
    assert REMOTES["artist_index"].url in str(info.value)


def test_fetch_metadata_not_a_folder(tmp_path):
    with pytest.raises(DataNotFoundError, match="metadata_dir"):
        fetch_metadata(tmp_path / "nowhere")


# --- fetch_metadata: download (faked) ------------------------------------------------


def _no_download(*args, **kwargs):
    raise AssertionError("no download expected")


def test_fetch_metadata_downloads_with_pinned_hash(meta_dir, tmp_path, monkeypatch):
    by_url = {r.url: r for r in REMOTES.values()}
    calls = []

    def fake_retrieve(url, known_hash, fname=None, path=None, **kwargs):
        remote = by_url[url]
        assert known_hash == f"sha256:{remote.sha256}"
        calls.append(url)
        target = Path(path) / fname
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(meta_dir / remote.path, target)
        return str(target)

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    paths = fetch_metadata()
    assert sorted(calls) == sorted(by_url)
    assert paths["train"] == tmp_path / "cache" / "gtzan" / "train_filtered.txt"
    assert len(read_split(paths["train"])) == 443


def test_fetch_metadata_download_hash_mismatch(monkeypatch):
    def fake_retrieve(url, known_hash, fname=None, path=None, **kwargs):
        raise ValueError(
            f"SHA256 hash of downloaded file ({url}) does not match the known hash: expected "
            f"{known_hash} but got {'0' * 64}. Deleted download for safety."
        )

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    with pytest.raises(DataError, match="does not match the pinned sha256") as info:
        fetch_metadata()
    assert "0" * 64 in str(info.value)
    assert not isinstance(info.value, DataNotFoundError)


def test_fetch_metadata_offline(monkeypatch):
    def fake_retrieve(url, **kwargs):
        raise ConnectionError("network unreachable")

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    with pytest.raises(DataNotFoundError, match="metadata_dir"):
        fetch_metadata()


# --- load_gtzan -----------------------------------------------------------------------

_FEW = ["blues.00000", "blues.00001", "jazz.00000", "classical.00001"]


def _plant(sample_dir, base, tracks=_FEW, ext="wav"):
    """Link (or convert) sample clips into ``base/<genre>/<track>.<ext>``."""
    for track in tracks:
        genre = track.split(".")[0]
        folder = base / genre
        folder.mkdir(parents=True, exist_ok=True)
        source = sample_dir / genre / f"{track}.wav"
        if ext == "wav":
            (folder / f"{track}.wav").symlink_to(source)
        else:
            y, sr = sf.read(source, dtype="int16", frames=22050)
            sf.write(folder / f"{track}.{ext}", y, sr, format=ext.upper(), subtype="PCM_16")
    return base


@pytest.mark.parametrize(
    ("parts", "ext", "layout"),
    [
        (("genres",), "au", "marsyas"),
        (("genres",), "wav", "marsyas"),
        (("Data", "genres_original"), "wav", "kaggle"),
        ((), "wav", "flat"),
    ],
)
def test_load_gtzan_layouts(gtzan_dir, meta_dir, tmp_path, parts, ext, layout):
    root = tmp_path / "gtzan"
    _plant(gtzan_dir / "sample", root.joinpath(*parts), ext=ext)
    ds = load_gtzan(root, metadata_dir=meta_dir)
    assert isinstance(ds, Dataset)
    assert ds.track_ids.tolist() == sorted(_FEW)
    assert all(p.endswith(f".{ext}") and Path(p).exists() for p in ds.X)
    assert f"{layout} layout" in ds.description
    assert ds.metadata["genre"].tolist() == [t.split(".")[0] for t in sorted(_FEW)]
    assert (ds.metadata["duration"] > 0.9).all()
    assert ds.validate().ok


def test_load_gtzan_sample(gtzan_dir, gtzan_sample, meta_dir):
    ds = load_gtzan(gtzan_dir / "sample", metadata_dir=meta_dir)
    assert len(ds) == len(gtzan_sample) == 20
    assert sorted(ds.X) == sorted(str(p) for p in gtzan_sample)
    assert set(ds.y) == set(GENRES)
    assert ds.metadata["duration"].between(29.0, 31.0).all()
    meta = ds.metadata.set_index("track_id")
    assert meta.loc["blues.00000", "artist"] == "John Lee Hooker"
    assert meta.loc["blues.00000", "title"] == "One Bourbon, One Scotch And One Beer"
    # The split column follows the fault-filtered lists ("" for tracks left out).
    lists = {n: set(read_split(meta_dir / REMOTES[n].path)) for n in ("train", "valid", "test")}
    for track, split in meta["split"].items():
        expected = next((n for n, ids in lists.items() if track in ids), "")
        assert split == expected
    for name, idx in ds.splits.items():
        assert set(ds.track_ids[idx]) <= lists[name]
    assert ds.validate().ok


def test_load_gtzan_groups(gtzan_dir, meta_dir, tmp_path):
    root = _plant(gtzan_dir / "sample", tmp_path / "gtzan", tracks=["blues.00000", "blues.00001"])
    # jazz.00050 has no artist in the index: plant a clip under that name.
    (root / "jazz").mkdir()
    (root / "jazz" / "jazz.00050.wav").symlink_to(gtzan_dir / "sample/jazz/jazz.00000.wav")
    ds = load_gtzan(root, metadata_dir=meta_dir)
    groups = dict(zip(ds.track_ids, ds.groups, strict=True))
    assert groups["blues.00000"] == groups["blues.00001"] == "artist:John Lee Hooker"
    assert groups["jazz.00050"] == "track:jazz.00050"
    assert ds.metadata.set_index("track_id").loc["jazz.00050", "artist"] is None


def test_load_gtzan_excludes_corrupt_file(gtzan_dir, meta_dir, tmp_path):
    root = tmp_path / "kaggle"
    base = _plant(gtzan_dir / "sample", root / "Data" / "genres_original")
    # Like the Kaggle copy's jazz.00054.wav: bytes, but no RIFF header.
    (base / "jazz" / "jazz.00054.wav").write_bytes(b"\x00" * 4096)
    (base / "jazz" / "jazz.00055.wav").write_bytes(b"")
    with pytest.warns(DataWarning, match="jazz.00054.wav") as record:
        ds = load_gtzan(root, metadata_dir=meta_dir)
    assert len(record) == 1
    message = str(record[0].message)
    assert "jazz.00055.wav" in message and "2 corrupt" in message and "RIFF" in message
    assert "jazz.00054" not in ds.track_ids and "jazz.00055" not in ds.track_ids
    assert ds.track_ids.tolist() == sorted(_FEW)


def test_load_gtzan_missing_root(tmp_path):
    with pytest.raises(DataNotFoundError, match="Kaggle") as info:
        load_gtzan(tmp_path / "nowhere")
    assert "nowhere" in str(info.value) and "genres_original" in str(info.value)
    with pytest.raises(DataNotFoundError, match="MIR_GENRE_GTZAN_ROOT"):
        load_gtzan()


def test_load_gtzan_empty_root(tmp_path):
    (tmp_path / "genres" / "blues").mkdir(parents=True)
    (tmp_path / "genres" / "blues" / "notes.txt").write_text("x")
    with pytest.raises(DataNotFoundError, match="No GTZAN audio.*marsyas"):
        load_gtzan(tmp_path)


def test_load_gtzan_env_root(gtzan_dir, meta_dir, monkeypatch):
    monkeypatch.setenv("MIR_GENRE_GTZAN_ROOT", str(gtzan_dir / "sample"))
    monkeypatch.setenv("MIR_GENRE_GTZAN_METADATA", str(meta_dir))
    monkeypatch.setattr(pooch, "retrieve", _no_download)
    ds = mir_genre.load_dataset("gtzan")
    assert len(ds) == 20 and ds.has_artists


def test_load_dataset_gtzan(gtzan_dir, meta_dir):
    ds = mir_genre.load_dataset("gtzan", root=gtzan_dir / "sample", metadata_dir=meta_dir)
    assert ds.name == "gtzan" and len(ds) == 20


def test_load_gtzan_without_metadata_warns(gtzan_dir):
    with pytest.warns(DataWarning, match="artist-filtered evaluation is impossible"):
        ds = load_gtzan(gtzan_dir / "sample", metadata_dir=False)
    assert not ds.has_artists and ds.splits == {}


def test_load_gtzan_offline_without_metadata_raises(gtzan_dir, monkeypatch):
    def fake_retrieve(url, **kwargs):
        raise ConnectionError("network unreachable")

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DataNotFoundError, match="metadata_dir"):
            load_gtzan(gtzan_dir / "sample")
