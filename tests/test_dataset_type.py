"""The Dataset type: groups, splits, subsets and validate()."""

import hashlib

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from mir_genre.datasets import Dataset, artist_groups
from mir_genre.exceptions import ParameterError

from .conftest import make_tone


def _meta(paths, artists):
    return pd.DataFrame(
        {
            "track_id": [f"t{i}" for i in range(len(paths))],
            "path": [str(p) for p in paths],
            "genre": ["rock", "jazz"] * (len(paths) // 2),
            "artist": artists,
            "title": "",
            "split": ["train", "test"] * (len(paths) // 2),
            "duration": 1.0,
        }
    )


def test_validate_reports_missing_corrupt_and_checksum(tmp_path):
    good, corrupt, tampered, missing = (tmp_path / f"{n}.wav" for n in "abcd")
    for path in (good, tampered):
        sf.write(path, make_tone(0.5), 22050)
    corrupt.write_bytes(b"no RIFF header here" * 20)
    expected = hashlib.sha256(good.read_bytes()).hexdigest()
    paths = [good, corrupt, tampered, missing]
    ds = Dataset(
        "toy",
        [str(p) for p in paths],
        _meta(paths, ["A", "A", "B", None]),
        checksums={str(good): expected, str(tampered): "0" * 64},
    )
    report = ds.validate()
    assert not report.ok
    assert report.missing == [str(missing)]
    assert list(report.unreadable) == [str(corrupt)]
    assert list(report.invalid_checksums) == [str(tampered)]
    assert "1 missing" in str(report) and "checksum mismatch" in str(report)
    assert ds.subset([0]).validate().ok


def test_groups_splits_and_subset():
    ds = Dataset("toy", np.zeros((4, 10)), _meta(["", "", "", ""], ["A", "A", " ", np.nan]))
    assert ds.groups.tolist() == ["artist:A", "artist:A", "track:t2", "track:t3"]
    assert {k: v.tolist() for k, v in ds.splits.items()} == {"test": [1, 3], "train": [0, 2]}
    sub = ds.subset([1, 3])
    assert len(sub) == 2 and sub.X.shape == (2, 10) and sub.y.tolist() == ["jazz", "jazz"]
    assert "4 tracks" in repr(ds)


def test_bad_construction():
    with pytest.raises(ParameterError, match="columns"):
        Dataset("toy", [1], pd.DataFrame({"track_id": ["a"]}))
    with pytest.raises(ParameterError, match="X has 3 tracks"):
        Dataset("toy", [1, 2, 3], _meta(["", ""], ["A", "B"]))


def test_artist_groups_unknown_never_merge():
    groups = artist_groups([None, None, "track:x"], ["a", "b", "c"])
    assert len(set(groups)) == 3
