"""Faults the command-line tools meet, each created by its test: output paths that cannot
be written (under a regular file, a read-only folder), a full disk (an injected
``ENOSPC``), a bad parameter or ``--n-jobs``, and Ctrl-C (an injected KeyboardInterrupt).
Every one must be reported before any work where it can be, in one clear line, keeping
what was already done."""

import errno
import os
import re
import weakref

import joblib.memory
import pandas as pd
import pytest
from joblib._store_backends import FileSystemStoreBackend

import mir_genre.compare
import mir_genre.extract
import mir_genre.predict
import mir_genre.train
from mir_genre._common import atomic_write, check_n_jobs, check_writable_dir, check_writable_file
from mir_genre.exceptions import ParameterError

FAST = ["-q", "-e", "mfcc_deltas"]
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _enospc(path):
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


@pytest.fixture
def afile(tmp_path):
    """A regular file, to put output paths under."""
    path = tmp_path / "afile"
    path.write_text("not a folder")
    return path


@pytest.fixture
def read_only(tmp_path):
    """A folder nobody may write into (skipped as root: root ignores permissions)."""
    if ROOT:
        pytest.skip("running as root, which ignores folder permissions")
    path = tmp_path / "locked"
    path.mkdir()
    path.chmod(0o500)
    yield path
    path.chmod(0o700)


@pytest.fixture
def no_extraction(monkeypatch):
    """Fail the test if extraction starts: the checks must come first."""

    def refuse(*args, **kwargs):
        raise AssertionError("extraction started before the check")

    monkeypatch.setattr(mir_genre.extract, "_table", refuse)


# --------------------------------------------------------------------------- helpers


def test_writable_file_under_a_file_names_the_file(afile):
    with pytest.raises(ParameterError, match=r"'.*afile' is a file, not a folder"):
        check_writable_file(afile / "out.csv", what="-o")
    assert afile.read_text() == "not a folder"


def test_writable_dir_in_a_read_only_folder_says_permission(read_only):
    with pytest.raises(ParameterError, match=r"cannot be written: Permission denied \(no perm"):
        check_writable_dir(read_only / "cache", what="--cache")


def test_writable_file_probe_leaves_nothing_behind(tmp_path):
    target = tmp_path / "new" / "deeper" / "model.mgm"
    assert check_writable_file(target, what="-o") == target
    assert target.parent.is_dir() and list(target.parent.iterdir()) == []


def test_writable_file_that_is_a_folder(tmp_path):
    with pytest.raises(ParameterError, match="is a folder; name a file in it"):
        check_writable_file(tmp_path, what="-o")


def test_writable_dir_on_a_full_disk(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise _enospc(tmp_path / "cache")

    monkeypatch.setattr("mir_genre._common.tempfile.mkstemp", full)
    with pytest.raises(ParameterError, match="cannot be written: No space left on device"):
        check_writable_dir(tmp_path / "cache", what="--cache")


@pytest.mark.parametrize("value", [0, 1.5, "2", True])
def test_n_jobs_rule(value):
    with pytest.raises(ParameterError, match=r"None, -1 \(all cores\) or a positive number"):
        check_n_jobs(value)


def test_atomic_write_failure_keeps_the_old_file(tmp_path, monkeypatch):
    target = atomic_write(tmp_path / "results.csv", "old")

    def full(src, dst):
        raise _enospc(dst)

    monkeypatch.setattr("mir_genre._common.os.replace", full)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]


# --------------------------------------------------------------------------- extract


def test_extract_output_under_a_file(wav_files, afile, no_extraction, capsys):
    code = mir_genre.extract.main([*map(str, wav_files), *FAST, "-o", str(afile / "out.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "-o/--output" in err and "afile' is a file, not a folder" in err
    assert "Traceback" not in err


def test_extract_output_in_a_read_only_folder(wav_files, read_only, no_extraction, capsys):
    code = mir_genre.extract.main([*map(str, wav_files), *FAST, "-o", str(read_only / "t.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "Permission denied" in err and str(read_only) in err


def test_extract_cache_under_a_file(wav_files, afile, no_extraction, capsys):
    code = mir_genre.extract.main([*map(str, wav_files), *FAST, "--cache", str(afile / "c")])
    err = capsys.readouterr().err
    assert code == 2
    assert "--cache" in err and "is a file, not a folder" in err
    assert "Traceback" not in err


def test_extract_n_jobs_zero_is_refused_by_the_parser(wav_files, no_extraction, capsys):
    with pytest.raises(SystemExit) as exit_info:
        mir_genre.extract.main([*map(str, wav_files), *FAST, "--n-jobs", "0"])
    assert exit_info.value.code == 2
    assert "--n-jobs: must be -1 (all cores" in capsys.readouterr().err


def test_extract_write_failure_keeps_the_table(wav_files, tmp_path, monkeypatch, capsys):
    reference = tmp_path / "reference.csv"
    assert mir_genre.extract.main([*map(str, wav_files), *FAST, "-o", str(reference)]) == 0
    out, cache = tmp_path / "out" / "table.csv", tmp_path / "cache"
    write = mir_genre.extract._write_table

    def full_disk(table, path):
        if path == out:
            raise _enospc(path)
        return write(table, path)

    monkeypatch.setattr(mir_genre.extract, "_write_table", full_disk)
    code = mir_genre.extract.main(
        [*map(str, wav_files), *FAST, "-o", str(out), "--cache", str(cache)]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert f"could not write the table to '{out}'" in err and "No space left on device" in err
    spare = re.search(r"it was written to '([^']+)' instead", err).group(1)
    assert os.path.dirname(spare) == str(cache)  # next to the cache
    pd.testing.assert_frame_equal(pd.read_csv(spare), pd.read_csv(reference))
    assert not out.exists()


def test_extract_write_failure_everywhere_points_at_the_cache(
    wav_files, tmp_path, monkeypatch, capsys
):
    def full_disk(table, path):
        raise _enospc(path)

    monkeypatch.setattr(mir_genre.extract, "_write_table", full_disk)
    cache = tmp_path / "cache"
    out = tmp_path / "table.parquet"
    code = mir_genre.extract.main(
        [*map(str, wav_files), *FAST, "-o", str(out), "--cache", str(cache)]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "nor to a spare file" in err and f"the per-track cache in '{cache}' keeps" in err
    assert list(cache.rglob("output.pkl"))  # the features are cached


def _full_cache_disk(monkeypatch):
    """Every file written into a joblib cache fails with ENOSPC (directories still work)."""

    def full(self, to_write, filename, write_func):
        raise _enospc(filename)

    monkeypatch.setattr(FileSystemStoreBackend, "_concurrency_safe_write", full)
    # joblib remembers in memory which functions it has checked; start from a clean slate
    # so it writes the function's code into this cache, as a fresh process would.
    monkeypatch.setattr(joblib.memory, "_FUNCTION_HASHES", weakref.WeakKeyDictionary())


def test_extract_full_cache_disk_still_gives_every_row(wav_files, tmp_path, monkeypatch, capsys):
    reference = tmp_path / "reference.csv"
    assert mir_genre.extract.main([*map(str, wav_files), *FAST, "-o", str(reference)]) == 0
    cache, out = tmp_path / "cache", tmp_path / "table.csv"
    _full_cache_disk(monkeypatch)
    code = mir_genre.extract.main(
        [*map(str, wav_files), *FAST, "-o", str(out), "--cache", str(cache)]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert "could not read" not in err
    assert f"The feature cache '{cache}' could not be written" in err
    assert "No space left on device" in err
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(reference))


def test_extract_full_cache_disk_keeps_what_was_cached(wav_files, tmp_path, monkeypatch, capsys):
    cache, out = tmp_path / "cache", tmp_path / "table.csv"
    first = [*map(str, wav_files[:2]), *FAST, "-o", str(out), "--cache", str(cache)]
    assert mir_genre.extract.main(first) == 0
    cached = sorted(cache.rglob("output.pkl"))
    assert len(cached) == 2
    _full_cache_disk(monkeypatch)
    code = mir_genre.extract.main(
        [*map(str, wav_files), *FAST, "-o", str(out), "--cache", str(cache)]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert "could not read" not in err and "No space left on device" in err
    assert len(pd.read_csv(out)) == len(wav_files)
    assert sorted(cache.rglob("output.pkl")) == cached


def test_extract_ctrl_c_is_one_line_and_keeps_the_cache(wav_files, tmp_path, monkeypatch, capsys):
    cache, out = tmp_path / "cache", tmp_path / "table.csv"
    # Cache two tracks, then interrupt a run over all of them.
    assert mir_genre.extract.main([*map(str, wav_files[:2]), *FAST, "--cache", str(cache)]) == 0
    capsys.readouterr()
    cached = sorted(cache.rglob("output.pkl"))

    def ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("mir_genre.evaluation.tracks.extract_member", ctrl_c)
    monkeypatch.setattr("mir_genre.evaluation.extract_member", ctrl_c)
    code = mir_genre.extract.main(
        [*map(str, wav_files), *FAST, "-o", str(out), "--cache", str(cache)]
    )
    captured = capsys.readouterr()
    assert code == 130
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted:"), captured.err
    assert str(cache) in lines[0]
    assert not out.exists()
    assert sorted(cache.rglob("output.pkl")) == cached


def test_permission_error_says_permission_even_as_root(tmp_path, monkeypatch):
    # Root ignores folder modes, so the refusal is injected where the probe writes.
    def denied(*args, dir=None, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dir))

    monkeypatch.setattr("mir_genre._common.tempfile.mkstemp", denied)
    with pytest.raises(ParameterError, match=r"Permission denied \(no permission to write"):
        check_writable_file(tmp_path / "model.mgm", what="-o/--output")


# --------------------------------------------------------------------------- compare

TINY = [
    "--dataset-arg",
    "genres=['classical', 'metal']",
    "--dataset-arg",
    "n_artists=3",
    "--dataset-arg",
    "tracks_per_artist=2",
    "--dataset-arg",
    "duration=1.0",
    "-q",
]
LOGISTIC = "mfcc_deltas[n_mfcc=8]+logistic_regression"
KNN = "mfcc_deltas[n_mfcc=8]+knn[n_neighbors=3]"


@pytest.fixture
def nothing_loads(monkeypatch):
    """Fail the test if compare or train loads the dataset: the checks must come first."""

    def refuse(args):
        raise AssertionError("the dataset was loaded before the check")

    monkeypatch.setattr(mir_genre.compare, "load_dataset_from_args", refuse)
    monkeypatch.setattr(mir_genre.train, "load_dataset_from_args", refuse)


def test_compare_out_under_a_file(afile, tmp_path, nothing_loads, capsys):
    code = mir_genre.compare.main(
        [*TINY, "--pipelines", LOGISTIC, "--out", str(afile / "out"), "--cache", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("error: --out ") and "afile' is a file, not a folder" in err


def test_compare_cache_under_a_file(afile, nothing_loads, capsys):
    code = mir_genre.compare.main([*TINY, "--pipelines", LOGISTIC, "--cache", str(afile / "c")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: --cache ") and "is a file, not a folder" in err


def test_compare_out_in_a_read_only_folder(read_only, tmp_path, nothing_loads, capsys):
    argv = [*TINY, "--pipelines", LOGISTIC, "--cache", str(tmp_path / "c")]
    code = mir_genre.compare.main([*argv, "--out", str(read_only / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "Permission denied" in err


def test_compare_n_jobs_zero_is_refused(nothing_loads, capsys):
    with pytest.raises(SystemExit) as exit_info:
        mir_genre.compare.main([*TINY, "--n-jobs", "0"])
    assert exit_info.value.code == 2
    assert "--n-jobs: must be -1 (all cores" in capsys.readouterr().err


def test_compare_bad_value_in_one_spec_fails_before_the_dataset_loads(nothing_loads, capsys):
    specs = f"{LOGISTIC},mfcc_deltas[n_mfcc=abc]+svm"
    code = mir_genre.compare.main([*TINY, "--pipelines", specs])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "mfcc_deltas[n_mfcc='abc']+svm" in err and "'n_mfcc' parameter" in err
    assert "must be an int in the range [1, inf)" in err and "mfcc_deltas[n_mfcc=20]" in err


def test_compare_svm_first_names_the_order(nothing_loads, capsys):
    code = mir_genre.compare.main([*TINY, "--pipelines", "svm+tzanetakis57"])
    err = capsys.readouterr().err
    assert code == 2
    assert (
        "'svm' is a classifier; write extractor(s) first, then one classifier, e.g. "
        "tzanetakis57+svm" in err
    )


def test_compare_full_disk_mid_run_keeps_the_earlier_results(tmp_path, monkeypatch, capsys):
    import json

    import mir_genre.report

    out = tmp_path / "out"
    write = mir_genre.report.write_results
    calls = []

    def full_after_the_first_pipeline(results, folder):
        calls.append(len(results["pipelines"]))
        if len(results["pipelines"]) >= 2:
            raise _enospc(folder / "results.json")
        return write(results, folder)

    monkeypatch.setattr(mir_genre.report, "write_results", full_after_the_first_pipeline)
    argv = [*TINY, "--pipelines", f"{LOGISTIC},{KNN}", "--protocol", "artist:3"]
    code = mir_genre.compare.main([*argv, "--out", str(out), "--cache", str(tmp_path / "c")])
    captured = capsys.readouterr()
    assert code == 1
    assert "mfcc_deltas+logistic_regression" in captured.out
    assert "mfcc_deltas+knn" in captured.out  # the run went on: both on the leaderboard
    assert f"could not write results.csv and results.json in {out}" in captured.err
    assert captured.err.count("could not write results.csv") == 1  # reported once
    assert "No space left on device" in captured.err and "Traceback" not in captured.err
    saved = json.loads((out / "results.json").read_text())
    assert [p["label"] for p in saved["pipelines"]] == ["mfcc_deltas+logistic_regression"]
    assert calls[-1] == 2 and len(calls) >= 4  # retried at the end


def test_compare_ctrl_c_before_the_run_is_one_line(tmp_path, monkeypatch, capsys):
    def ctrl_c(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(mir_genre.compare, "load_dataset_from_args", ctrl_c)
    code = mir_genre.compare.main([*TINY, "--cache", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 130 and captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted: ")


# --------------------------------------------------------------------------- train


def _train(*argv):
    return mir_genre.train.main([*TINY, "--pipeline", LOGISTIC, *argv])


def test_train_output_under_a_file(afile, nothing_loads, capsys):
    code = _train("-o", str(afile / "m.mgm"))
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("error: -o/--output ") and "is a file, not a folder" in err


def test_train_output_in_a_read_only_folder(read_only, nothing_loads, capsys):
    code = _train("-o", str(read_only / "m.mgm"))
    err = capsys.readouterr().err
    assert code == 2 and "Permission denied" in err and str(read_only) in err


def test_train_output_on_a_full_disk_is_found_first(tmp_path, nothing_loads, monkeypatch, capsys):
    def full(*args, dir=None, **kwargs):
        raise _enospc(dir)

    monkeypatch.setattr("mir_genre._common.tempfile.mkstemp", full)
    code = _train("-o", str(tmp_path / "m.mgm"))
    err = capsys.readouterr().err
    assert code == 2 and "No space left on device" in err and str(tmp_path) in err


def test_train_cache_under_a_file(afile, tmp_path, nothing_loads, capsys):
    code = _train("-o", str(tmp_path / "m.mgm"), "--cache", str(afile / "c"))
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: --cache ")


def test_train_n_jobs_zero_is_refused(tmp_path, nothing_loads, capsys):
    with pytest.raises(SystemExit) as exit_info:
        _train("-o", str(tmp_path / "m.mgm"), "--n-jobs", "0")
    assert exit_info.value.code == 2
    assert "--n-jobs: must be -1 (all cores" in capsys.readouterr().err


def test_train_bad_value_fails_before_extraction(tmp_path, monkeypatch, capsys):
    def no_extraction(*args, **kwargs):
        raise AssertionError("extraction started before the parameters were checked")

    monkeypatch.setattr(mir_genre.train, "_features", no_extraction)
    out = tmp_path / "m.mgm"
    code = mir_genre.train.main(
        [*TINY, "--pipeline", "mfcc_deltas[n_mfcc=abc]+svm", "-o", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2 and "'n_mfcc' parameter of MFCCDeltas must be an int" in err
    assert not out.exists()


def test_train_ctrl_c_is_one_line_and_keeps_the_cache(tmp_path, monkeypatch, capsys):
    from mir_genre.evaluation import tracks

    cache, out = tmp_path / "cache", tmp_path / "m.mgm"
    extract = tracks.extract_member

    def ctrl_c_after_extraction(member, X):
        extract(member, X)
        raise KeyboardInterrupt  # during training, with every track extracted and cached

    monkeypatch.setattr(tracks, "extract_member", ctrl_c_after_extraction)
    code = _train("-o", str(out), "--cache", str(cache))
    captured = capsys.readouterr()
    assert code == 130
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted: no model was written")
    assert str(cache) in lines[0]
    assert not out.exists()
    assert len(list(cache.rglob("output.pkl"))) == 12  # every track stays cached


# --------------------------------------------------------------------------- predict


def test_predict_ctrl_c_is_one_line_and_keeps_the_rows_printed(tmp_path, monkeypatch, capsys):
    import soundfile as sf

    from .conftest import make_tone

    model = tmp_path / "m.mgm"
    assert _train("-o", str(model)) == 0
    songs = []
    for i in range(3):
        songs.append(tmp_path / f"song{i}.wav")
        sf.write(songs[-1], make_tone(1.0, freq=220.0 * (i + 1), seed=i), 22050)
    capsys.readouterr()
    predict_file = mir_genre.predict.predict_file
    done = []

    def ctrl_c_on_the_third(model, path, **kwargs):
        if len(done) == 2:
            raise KeyboardInterrupt
        done.append(path)
        return predict_file(model, path, **kwargs)

    monkeypatch.setattr(mir_genre.predict, "predict_file", ctrl_c_on_the_third)
    code = mir_genre.predict.main([str(model), *map(str, songs)])
    captured = capsys.readouterr()
    assert code == 130
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted: "), captured.err
    rows = captured.out.splitlines()[1:]  # after the header
    assert [row.split()[0] for row in rows] == [str(p) for p in songs[:2]]


def test_compare_full_cache_disk_evaluates_every_track(tmp_path, monkeypatch, capsys):
    import json

    _full_cache_disk(monkeypatch)
    cache, out = tmp_path / "cache", tmp_path / "out"
    argv = [*TINY, "--pipelines", LOGISTIC, "--protocol", "artist:3", "--out", str(out)]
    code = mir_genre.compare.main([*argv, "--cache", str(cache)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert f"The feature cache '{cache}' could not be written" in err
    assert "No space left on device" in err and "could not be read" not in err
    record = json.loads((out / "results.json").read_text())["pipelines"][0]
    assert record["unreadable"] == []
    assert sum(fold["n_test"] for fold in record["runs"][0]["folds"]) == 12
