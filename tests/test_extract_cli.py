"""In-process tests of ``python -m mir_genre.extract`` (mir_genre.extract.main)."""

import io
import re
import shutil

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

import mir_genre
from mir_genre.extract import AUDIO_EXTENSIONS, find_audio, main

from .conftest import make_tone

SR = 22050
FAST = ["-q", "-e", "mfcc_deltas"]


def _names(extractor):
    return list(mir_genre.get_extractor(extractor).get_feature_names_out())


def _write(path, seconds=1.0, seed=0, freq=440.0):
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, make_tone(seconds, freq=freq, seed=seed), SR)
    return path


@pytest.fixture
def music(tmp_path):
    """A folder tree with audio files at several depths and some non-audio files."""
    root = tmp_path / "music"
    files = [
        _write(root / "a.wav", seed=0, freq=220.0),
        _write(root / "rock" / "b.flac", seed=1, freq=330.0),
        _write(root / "rock" / "live" / "c.WAV", seed=2, freq=440.0),
    ]
    (root / "notes.txt").write_text("not audio")
    (root / "rock" / "cover.jpg").write_bytes(b"\xff\xd8\xff not audio either")
    (root / "rock" / "README").write_text("no extension")
    (root / "empty_folder").mkdir()
    return root, sorted(files)


@pytest.fixture
def bad_files(tmp_path, wav_files):
    """A WAV without a RIFF header (like GTZAN's jazz.00054.wav) and a 0-byte file."""
    corrupt = tmp_path / "bad" / "jazz.00054.wav"
    corrupt.parent.mkdir()
    corrupt.write_bytes(b"\0\0\0\0" + wav_files[0].read_bytes()[4:])
    empty = tmp_path / "bad" / "empty.wav"
    empty.touch()
    return corrupt, empty


def _read_csv(path):
    return pd.read_csv(path)


# --------------------------------------------------------------------------- tables


def test_csv_columns_and_rows(wav_files, tmp_path, capsys):
    out = tmp_path / "features.csv"
    assert main([*map(str, wav_files), *FAST, "-o", str(out)]) == 0
    table = _read_csv(out)
    assert list(table.columns) == ["filename", *_names("mfcc_deltas")]
    assert list(table["filename"]) == [str(p) for p in wav_files]
    assert table.shape == (len(wav_files), 1 + len(_names("mfcc_deltas")))
    expected = mir_genre.get_extractor("mfcc_deltas").transform(wav_files)
    np.testing.assert_allclose(table.iloc[:, 1:].to_numpy(), expected, rtol=1e-6, atol=1e-6)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""  # -q and -o: nothing printed


def test_csv_on_stdout_without_output(wav_files, capsys):
    assert main([str(wav_files[0]), str(wav_files[1]), *FAST]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(table.columns) == ["filename", *_names("mfcc_deltas")]
    assert list(table["filename"]) == [str(wav_files[0]), str(wav_files[1])]


def test_parquet_round_trip(wav_files, tmp_path):
    pytest.importorskip("pyarrow")
    csv, parquet = tmp_path / "f.csv", tmp_path / "out" / "f.parquet"
    assert main([*map(str, wav_files), *FAST, "-o", str(csv)]) == 0
    assert main([*map(str, wav_files), *FAST, "-o", str(parquet)]) == 0
    table = pd.read_parquet(parquet)
    assert list(table.columns) == ["filename", *_names("mfcc_deltas")]
    assert (table.dtypes.iloc[1:] == np.float64).all()
    pd.testing.assert_frame_equal(table, _read_csv(csv), check_dtype=False, rtol=1e-12)


def test_default_extractor_is_tzanetakis57(tmp_path, capsys):
    clip = _write(tmp_path / "clip.wav", seconds=2.0)
    out = tmp_path / "t.csv"
    assert main([str(clip), "-q", "-o", str(out)]) == 0
    table = _read_csv(out)
    assert list(table.columns) == ["filename", *_names("tzanetakis57")]
    assert table.shape == (1, 58)
    assert np.isfinite(table.iloc[:, 1:].to_numpy()).all()


def test_two_extractors_side_by_side(wav_files, tmp_path):
    out = tmp_path / "both.csv"
    argv = [*map(str, wav_files[:2]), "-q", "-e", "mfcc_deltas", "-e", "chroma", "-o", str(out)]
    assert main(argv) == 0
    table = _read_csv(out)
    assert list(table.columns) == ["filename", *_names("mfcc_deltas"), *_names("chroma")]
    assert len(table) == 2
    assert not table.isna().any().any()


def test_same_extractor_twice_is_a_clear_error(wav_files, tmp_path):
    with pytest.raises(SystemExit, match="clashing column names"):
        main([str(wav_files[0]), "-q", "-e", "chroma", "-e", "chroma"])


def test_progress_and_summary_without_quiet(wav_files, tmp_path, capsys):
    out = tmp_path / "f.csv"
    assert main([*map(str, wav_files), "-e", "mfcc_deltas", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    n = len(_names("mfcc_deltas"))
    assert f"extracted {len(wav_files)} track(s) x {n} feature(s) to {out}" in err


# --------------------------------------------------------------------------- folders


def test_folder_scan_is_recursive_and_ignores_non_audio(music, tmp_path):
    root, files = music
    out = tmp_path / "scan.csv"
    assert main([str(root), *FAST, "-o", str(out)]) == 0
    table = _read_csv(out)
    assert sorted(table["filename"]) == sorted(str(p) for p in files)
    assert not table["filename"].str.contains(r"\.txt|\.jpg|README").any()


def test_find_audio_keeps_explicit_files_and_order(music):
    root, files = music
    explicit = root / "notes.txt"
    found = find_audio([explicit, root / "rock"])
    assert found[0] == explicit  # a file named on the command line is kept as given
    assert sorted(found[1:]) == sorted(p for p in files if "rock" in p.parts)
    assert all(p.suffix.lower() in AUDIO_EXTENSIONS for p in found[1:])


def test_folder_without_audio(tmp_path, capsys):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("x")
    assert main([str(folder), *FAST]) == 1
    assert "no audio files" in capsys.readouterr().err


# --------------------------------------------------------------------------- bad files


def _check_bad_files_listed(err, bad):
    assert "could not read 2 file(s)" in err
    for path in bad:
        assert re.search(rf"^  {re.escape(str(path))}: AudioError: ", err, flags=re.M), err
    assert "corrupt" in err and "empty (0 bytes)" in err


def test_bad_files_exit_1_and_keep_good_rows(wav_files, bad_files, tmp_path, capsys):
    out = tmp_path / "f.csv"
    argv = [str(wav_files[0]), str(bad_files[0]), str(wav_files[1]), str(bad_files[1])]
    assert main([*argv, *FAST, "-o", str(out)]) == 1
    table = _read_csv(out)
    assert list(table["filename"]) == [str(wav_files[0]), str(wav_files[1])]
    assert not table.isna().any().any()
    err = capsys.readouterr().err
    _check_bad_files_listed(err, bad_files)
    assert "--skip-bad" in err


def test_bad_files_in_a_scanned_folder(wav_files, bad_files, tmp_path, capsys):
    folder = bad_files[0].parent
    for path in wav_files[:2]:
        shutil.copy(path, folder / path.name)
    out = tmp_path / "f.csv"
    assert main([str(folder), *FAST, "-o", str(out)]) == 1
    assert len(_read_csv(out)) == 2
    _check_bad_files_listed(capsys.readouterr().err, bad_files)


def test_skip_bad_exits_0_and_still_lists_them(wav_files, bad_files, tmp_path, capsys):
    out = tmp_path / "f.csv"
    argv = [*map(str, wav_files), *map(str, bad_files), *FAST, "--skip-bad", "-o", str(out)]
    assert main(argv) == 0
    assert list(_read_csv(out)["filename"]) == [str(p) for p in wav_files]
    err = capsys.readouterr().err
    _check_bad_files_listed(err, bad_files)
    assert "exit code 1" not in err


def test_bad_files_with_two_extractors_listed_once(wav_files, bad_files, tmp_path, capsys):
    out = tmp_path / "f.csv"
    argv = [str(wav_files[0]), *map(str, bad_files), "-q", "-e", "mfcc_deltas", "-e", "chroma"]
    assert main([*argv, "-o", str(out)]) == 1
    assert len(_read_csv(out)) == 1
    err = capsys.readouterr().err
    _check_bad_files_listed(err, bad_files)
    assert err.count(str(bad_files[1])) == 2  # once as the path, once in the message


@pytest.mark.parametrize("skip_bad", [False, True])
def test_all_files_bad_exits_1(bad_files, tmp_path, skip_bad, capsys):
    out = tmp_path / "f.csv"
    argv = [*map(str, bad_files), *FAST, "-o", str(out)] + (["--skip-bad"] if skip_bad else [])
    assert main(argv) == 1  # nothing could be extracted
    assert len(_read_csv(out)) == 0
    _check_bad_files_listed(capsys.readouterr().err, bad_files)


# --------------------------------------------------------------------------- demo, cache


def test_demo(capsys):
    assert main(["--demo", *FAST]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(table["filename"]) == [f"demo_{i:02d}.wav" for i in range(4)]
    assert list(table.columns) == ["filename", *_names("mfcc_deltas")]
    assert np.isfinite(table.iloc[:, 1:].to_numpy()).all()


def test_cache_gives_the_identical_table(wav_files, tmp_path):
    cache = tmp_path / "cache"
    first, second, plain = tmp_path / "1.csv", tmp_path / "2.csv", tmp_path / "plain.csv"
    paths = list(map(str, wav_files))
    assert main([*paths, *FAST, "--cache", str(cache), "-o", str(first)]) == 0
    assert any(p.is_file() for p in cache.rglob("*"))  # something was cached
    assert main([*paths, *FAST, "--cache", str(cache), "-o", str(second)]) == 0
    assert main([*paths, *FAST, "-o", str(plain)]) == 0
    assert first.read_bytes() == second.read_bytes() == plain.read_bytes()


def test_cache_sees_a_changed_file(tmp_path):
    clip = _write(tmp_path / "clip.wav", freq=220.0)
    cache, first, second = tmp_path / "cache", tmp_path / "1.csv", tmp_path / "2.csv"
    assert main([str(clip), *FAST, "--cache", str(cache), "-o", str(first)]) == 0
    _write(clip, seconds=1.5, freq=880.0)  # new content, new size
    assert main([str(clip), *FAST, "--cache", str(cache), "-o", str(second)]) == 0
    assert first.read_bytes() != second.read_bytes()


# --------------------------------------------------------------------------- usage errors


def test_unknown_extractor_exit_2(wav_files, capsys):
    assert main([str(wav_files[0]), "-q", "-e", "no_such_extractor"]) == 2
    err = capsys.readouterr().err
    assert "no_such_extractor" in err
    for name in mir_genre.list_plugins("extractors"):
        assert repr(name) in err


def test_no_paths_and_no_demo(capsys):
    with pytest.raises(SystemExit) as info:
        main(["-q"])
    assert info.value.code == 2
    assert "give audio files or folders, or --demo" in capsys.readouterr().err


def test_paths_and_demo(wav_files, capsys):
    with pytest.raises(SystemExit) as info:
        main([str(wav_files[0]), "--demo", "-q"])
    assert info.value.code == 2
    assert "not both" in capsys.readouterr().err


def test_bad_output_suffix(wav_files, tmp_path, capsys):
    out = tmp_path / "features.xlsx"
    with pytest.raises(SystemExit) as info:
        main([str(wav_files[0]), *FAST, "-o", str(out)])
    assert info.value.code == 2
    assert re.search(
        r"--output must end in \.csv or \.parquet; got '.*features\.xlsx'", capsys.readouterr().err
    )
    assert not out.exists()


def test_nonexistent_path(wav_files, tmp_path, capsys):
    missing = tmp_path / "no" / "such.wav"
    with pytest.raises(SystemExit) as info:
        main([str(wav_files[0]), str(missing), *FAST])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"No such file or folder: '{missing}'" in err


def test_help_mentions_examples(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--skip-bad" in out and "--demo" in out and "examples:" in out
