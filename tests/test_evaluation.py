"""The evaluation engine (mir_genre.evaluation) and the rules compare and train share."""

import contextlib
import io
import json
import sys
import threading
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

import mir_genre
from mir_genre import compare, evaluation, provenance, registry, train
from mir_genre._cli import capture_warnings, print_warnings
from mir_genre.datasets._base import Dataset
from mir_genre.exceptions import DataError, DataWarning, LeakageWarning, ParameterError
from mir_genre.model_file import read_info
from mir_genre.specs import parse_spec

TINY = {"genres": ["classical", "metal"], "n_artists": 3, "tracks_per_artist": 2, "duration": 1.0}
LOGISTIC = "mfcc_deltas[n_mfcc=8]+logistic_regression"


@pytest.fixture(scope="module")
def tiny():
    return mir_genre.load_dataset("synthetic", **TINY)


def _on_disk(dataset, folder, bad=()):
    """The dataset with every clip in a WAV file; the tracks at ``bad`` are damaged."""
    paths = []
    for index, (track, clip) in enumerate(zip(dataset.track_ids, dataset.X, strict=True)):
        path = folder / f"{track}.wav"
        if index in bad:
            path.write_bytes(b"RIFF\x00\x00 this is not audio")
        else:
            sf.write(path, clip, dataset.sr)
        paths.append(str(path))
    meta = dataset.metadata.assign(path=paths)
    return Dataset(dataset.name, paths, meta, kind="audio")


@pytest.fixture(scope="module")
def one_bad(tiny, tmp_path_factory):
    folder = tmp_path_factory.mktemp("one_bad")
    return _on_disk(tiny, folder, bad=(1,))


@pytest.fixture(scope="module")
def feature_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("features")


def _run(module, argv, dataset, monkeypatch):
    monkeypatch.setattr(module, "load_dataset_from_args", lambda args: dataset)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = module.main(argv)
    return SimpleNamespace(code=code, out=out.getvalue(), err=err.getvalue())


# --------------------------------------------------------------------------- evaluate


def test_evaluate_scores_every_pipeline_on_the_same_folds(tiny, feature_cache):
    knn = "mfcc_deltas[n_mfcc=8]+knn[n_neighbors=3]"
    results = mir_genre.evaluate(
        [LOGISTIC, knn], tiny, "artist:3,random:3", memory=feature_cache, seed=1
    )
    assert [p["name"] for p in results["protocols"]] == ["artist:3", "random:3"]
    assert [p["honest"] for p in results["protocols"]] == [True, False]
    assert results["dataset"]["sha256"] == provenance.dataset_checksum(tiny)
    assert any("artists on both sides" in note for note in results["notes"])
    splits, _, _ = evaluation.make_splits(tiny, ["artist:3", "random:3"], seed=1)
    for record in results["pipelines"]:
        assert record["unreadable"] == [] and record["extract_seconds"] is not None
        for run, folds in zip(record["runs"], splits.values(), strict=True):
            assert run["error"] is None
            tests = [sorted(tiny.track_ids[test]) for _, test in folds]
            y_true = [fold["y_true"] for fold in run["folds"]]
            assert y_true == [list(tiny.y[test]) for _, test in folds]
            assert [fold["n_test"] for fold in run["folds"]] == [len(t) for t in tests]


def test_evaluate_gives_the_scores_compare_reports(tiny, feature_cache, tmp_path, monkeypatch):
    results = mir_genre.evaluate(LOGISTIC, tiny, ["artist:3"], memory=feature_cache)
    argv = ["--pipelines", LOGISTIC, "--protocol", "artist:3", "-q"]
    argv += ["--cache", str(feature_cache), "--out", str(tmp_path)]
    assert _run(compare, argv, tiny, monkeypatch).code == 0
    written = json.loads((tmp_path / "results.json").read_text())
    ours, theirs = (r["pipelines"][0]["runs"][0]["folds"] for r in (results, written))
    assert [f["accuracy"] for f in ours] == [f["accuracy"] for f in theirs]
    assert [f["y_pred"] for f in ours] == [f["y_pred"] for f in theirs]


@pytest.mark.parametrize(
    ("pipelines", "protocols", "message"),
    [
        ("svm", "artist:3", "needs an extractor in front of the classifier"),
        ([], "artist:3", "at least one pipeline"),
        (LOGISTIC, "", "No protocol given"),
        (LOGISTIC, "artist:3,leave-one-out", "Unknown evaluation protocol"),
        (LOGISTIC, "artist:7", "at least 7 artists"),
    ],
)
def test_evaluate_rejects_bad_input_before_extracting(tiny, pipelines, protocols, message):
    with pytest.raises(ParameterError, match=message):
        mir_genre.evaluate(pipelines, tiny, protocols)


# --------------------------------------------------------------------------- spec vs dataset


def test_one_check_of_specs_against_the_dataset_kind(tiny):
    table = Dataset("table", np.zeros((len(tiny), 3)), tiny.metadata, kind="features")
    evaluation.check_spec_fits_dataset(parse_spec("svm"), table)
    evaluation.check_spec_fits_dataset(parse_spec("tzanetakis57+svm"), tiny)
    with pytest.raises(ParameterError, match="ready-made features") as exc:
        evaluation.check_spec_fits_dataset(parse_spec("tzanetakis57+svm"), table, option="-p")
    assert "but 'tzanetakis57+svm' starts with the extractor 'tzanetakis57'" in str(exc.value)
    assert "e.g. -p svm" in str(exc.value)
    with pytest.raises(ParameterError, match="names only a classifier") as exc:
        evaluation.check_spec_fits_dataset(parse_spec("svm"), tiny, option="--pipeline")
    assert "e.g. --pipeline tzanetakis57+svm" in str(exc.value)


def test_one_genre_is_refused_before_any_work(monkeypatch, tmp_path):
    """A model trained on one genre could only answer it: compare, train, evaluate say so."""
    one = mir_genre.load_dataset("synthetic", **{**TINY, "genres": ["metal"]})
    spec = "mfcc_deltas[n_mfcc=8]+logistic_regression"
    with pytest.raises(ParameterError, match=r"1 genre \('metal'\).*at least two"):
        mir_genre.evaluate(spec, one, "artist:3")
    out = tmp_path / "m.model"
    result = _run(train, ["--pipeline", spec, "-q", "-o", str(out)], one, monkeypatch)
    assert result.code == 2 and "at least two" in result.err and not out.exists()
    result = _run(
        compare, ["--pipelines", spec, "-q", "--out", str(tmp_path / "c")], one, monkeypatch
    )
    assert result.code == 2 and "at least two" in result.err


# --------------------------------------------------------------------------- unreadable tracks


def _bad_file(dataset):
    return dataset.X[1]


def test_an_unreadable_track_is_left_out_of_every_fold(one_bad, feature_cache):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = evaluation.evaluate(LOGISTIC, one_bad, "artist:3", memory=feature_cache)
    assert not [w for w in caught if w.category is DataWarning]  # recorded in the run
    record = results["pipelines"][0]
    [unreadable] = record["unreadable"]
    assert unreadable["file"] == _bad_file(one_bad)
    assert unreadable["error"].split(":")[0] in ("AudioError", "LibsndfileError")
    run = record["runs"][0]
    assert run["error"] is None
    [warned] = [w for w in run["warnings"] if w.startswith("DataWarning")]
    assert f"1 of 12 track(s) could not be read and were left out: {_bad_file(one_bad)}: " in (
        warned
    )
    assert unreadable["error"] in warned  # the reason
    splits, _, _ = evaluation.make_splits(one_bad, ["artist:3"], seed=0)
    for fold, (train_rows, test_rows) in zip(run["folds"], splits["artist:3"], strict=True):
        assert fold["n_train"] == len(set(train_rows) - {1})
        assert fold["n_test"] == len(set(test_rows) - {1})
    assert sum(f["n_test"] for f in run["folds"]) == 11


def test_compare_reports_the_unreadable_file_and_goes_on(one_bad, monkeypatch, tmp_path):
    argv = ["--pipelines", LOGISTIC, "--protocol", "artist:3", "-q", "--out", str(tmp_path)]
    result = _run(compare, [*argv, "--cache", str(tmp_path / "cache")], one_bad, monkeypatch)
    assert result.code == 0, result.err
    warned = [line for line in result.err.splitlines() if "could not be read" in line]
    assert len(warned) == 1
    assert warned[0].startswith("warning: mfcc_deltas+logistic_regression [artist:3]: ")
    assert _bad_file(one_bad) in warned[0]
    written = json.loads((tmp_path / "results.json").read_text())
    assert [u["file"] for u in written["pipelines"][0]["unreadable"]] == [_bad_file(one_bad)]
    assert _bad_file(one_bad) in (tmp_path / "report.html").read_text()


def test_train_reports_the_unreadable_file_and_goes_on(one_bad, monkeypatch, tmp_path):
    out = tmp_path / "m.model"
    argv = ["--pipeline", LOGISTIC, "--protocol", "artist:3", "-q", "-o", str(out)]
    result = _run(train, argv, one_bad, monkeypatch)
    assert result.code == 0, result.err
    warned = [line for line in result.err.splitlines() if "could not be read" in line]
    assert len(warned) == 1 and warned[0].startswith("warning: DataWarning: 1 of 12 track(s)")
    assert _bad_file(one_bad) in warned[0]
    info = read_info(out)
    assert info["dataset"]["n_tracks"] == 11 and info["dataset"]["n_unreadable"] == 1
    [unreadable] = info["dataset"]["unreadable"]
    assert unreadable["file"] == _bad_file(one_bad) and unreadable["error"] in warned[0]
    assert any(_bad_file(one_bad) in w for w in info["warnings"])
    assert info["protocol"]["n_train"] == 11 and info["protocol"]["n_folds"] == 3


def test_no_readable_track_is_an_error_in_compare_and_train(tiny, tmp_path, monkeypatch):
    dead = _on_disk(tiny, tmp_path, bad=range(len(tiny)))
    first = dead.X[0]
    argv = ["--pipelines", LOGISTIC, "--protocol", "artist:3", "-q"]
    result = _run(compare, [*argv, "--cache", str(tmp_path / "c")], dead, monkeypatch)
    assert result.code == 1
    assert "feature extraction failed: DataError: No track of dataset 'synthetic'" in result.out
    assert f"the first, {first}, failed with" in result.out
    argv = ["--pipeline", LOGISTIC, "-q", "-o", str(tmp_path / "m.model")]
    result = _run(train, argv, dead, monkeypatch)
    assert result.code == 1
    assert "training failed: No track of dataset 'synthetic' could be read" in result.err
    assert first in result.err and not (tmp_path / "m.model").exists()


def test_drop_unreadable_lists_five_files_then_counts(tiny):
    failures = [
        SimpleNamespace(index=i, source=f"t{i}.wav", error=OSError("truncated")) for i in range(7)
    ]
    with pytest.warns(DataWarning) as caught:
        keep = evaluation.drop_unreadable(failures, tiny)
    assert keep.tolist() == [False] * 7 + [True] * 5
    message = str(caught[0].message)
    assert "7 of 12 track(s)" in message and "t4.wav: OSError: truncated" in message
    assert "t5.wav" not in message and message.endswith(" and 2 more")
    assert evaluation.drop_unreadable([], tiny).all()
    with pytest.raises(DataError, match="the first, t0.wav, failed with OSError: truncated"):
        evaluation.drop_unreadable(
            [
                SimpleNamespace(index=i, source=f"t{i}.wav", error=OSError("truncated"))
                for i in range(12)
            ],
            tiny,
        )


def test_a_fold_left_without_readable_tracks_is_an_error():
    X, y, groups = np.zeros((4, 1)), np.array(["a", "b", "a", "b"]), np.array(list("wxyz"))
    svm = mir_genre.get_classifier("svm")
    [fold] = evaluation.run_folds(svm, X, y, groups, [(np.arange(4), np.arange(0))])
    assert fold["error"] == "DataError: no readable track is left in this fold's test part"


# --------------------------------------------------------------------------- splits


def test_make_splits_can_leave_the_leakage_warning_to_the_caller(tiny):
    with pytest.warns(LeakageWarning, match="A random split puts"):
        _, info, notes = evaluation.make_splits(tiny, ["random:3"], seed=0, leakage="warn")
    assert info[0]["honest"] is False and notes == []
    _, _, notes = evaluation.make_splits(tiny, ["random:3"], seed=0)
    assert len(notes) == 1 and notes[0].startswith("random:3: A random split puts")
    with pytest.raises(ParameterError, match="leakage must be 'note' or 'warn'; got 'x'"):
        evaluation.make_splits(tiny, ["random:3"], seed=0, leakage="x")


# --------------------------------------------------------------------------- warnings


def test_capture_warnings_records_each_once_without_deprecations():
    seen = ["UserWarning: old"]
    with capture_warnings(seen) as log:
        warnings.warn("old", stacklevel=2)
        warnings.warn("new\n  line", RuntimeWarning, stacklevel=2)
        warnings.warn("new\n  line", RuntimeWarning, stacklevel=2)
        warnings.warn("internal", DeprecationWarning, stacklevel=2)
        warnings.warn("later", PendingDeprecationWarning, stacklevel=2)
    assert log.lines == ["UserWarning: old", "RuntimeWarning: new line"]
    assert seen == ["UserWarning: old", "RuntimeWarning: new line"]


def test_capture_warnings_leaves_worker_threads_alone():
    lines = []

    def worker():
        with warnings.catch_warnings(record=True) as outside:
            warnings.simplefilter("always")
            with capture_warnings() as log:
                warnings.warn("from a thread", stacklevel=2)
            lines.extend([log.lines, [str(w.message) for w in outside]])

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert lines == [[], ["from a thread"]]


def test_print_warnings_prints_once_and_returns_sorted(capsys):
    assert print_warnings(["b: 2", "a: 1", "b: 2"]) == ["a: 1", "b: 2"]
    assert capsys.readouterr().err == "warning: b: 2\nwarning: a: 1\n"


# --------------------------------------------------------------------------- provenance


def test_library_versions_name_the_optional_libraries_and_the_keras_backend(monkeypatch):
    versions = provenance.library_versions("jax")
    assert {"mir_genre", "python", "numpy", "scikit-learn", "xgboost", "keras", "jax"} <= set(
        versions
    )
    fake = SimpleNamespace(backend=SimpleNamespace(backend=lambda: "no_such_backend"))
    monkeypatch.setitem(sys.modules, "keras", fake)
    versions = provenance.library_versions()
    assert versions["keras_backend"] == "no_such_backend"
    assert versions["no_such_backend"] == "not installed"
    assert mir_genre.model_file.library_versions is provenance.library_versions


def test_dataset_summary_counts_known_artists_only(tiny):
    meta = tiny.metadata.copy()
    meta.loc[:3, "artist"] = None  # four tracks without an artist: four groups, no artist
    summary = provenance.dataset_summary(Dataset("x", tiny.X, meta, sr=tiny.sr))
    assert summary["n_artists"] == provenance.n_artists(tiny) - 2 == 4
    assert summary["n_tracks"] == 12 and summary["n_genres"] == 2


# --------------------------------------------------------------------------- listing


def test_compare_list_and_plugins_share_one_listing(monkeypatch, capsys):
    from mir_genre import __main__ as cli

    real = registry.discover

    def discover(*args, **kwargs):
        warnings.warn("Extractor 'dup' is registered more than once", RuntimeWarning, stacklevel=2)
        broken = registry.PluginInfo(
            "extractors",
            "half",
            "third_party:Half",
            "third-party 0.1",
            error=mir_genre.PluginError("Extractor 'half' failed to load"),
        )
        warnings.warn(
            str(broken.error), RuntimeWarning, stacklevel=2
        )  # reported by the table: not again
        return [*real(*args, **kwargs), broken]

    monkeypatch.setattr(registry, "discover", discover)
    infos, other = cli.discover_plugins()
    assert other == ["Extractor 'dup' is registered more than once"]
    half = next(info for info in infos if info.name == "half")
    assert cli.plugin_error_text(half.error) == "Extractor 'half' failed to load"
    assert compare.main(["--list"]) == 0
    captured = capsys.readouterr()
    assert "  extractor half (third_party:Half): Extractor 'half' failed to load" in captured.out
    assert captured.err == "warning: Extractor 'dup' is registered more than once\n"
    assert cli.main(["plugins"]) == 0
    captured = capsys.readouterr()
    assert "Extractor 'half' failed to load" in captured.out
    assert captured.err == "warning: Extractor 'dup' is registered more than once\n"


def test_a_failing_fold_fails_training_with_the_fold_and_the_reason(tiny, monkeypatch, tmp_path):
    # A fault only the fit meets (a bad parameter value is now refused before any work).
    from mir_genre.classifiers.sklearn_models import LogisticClassifier

    def cannot_fit(self, y):
        raise ValueError("The solver could not fit these features")

    monkeypatch.setattr(LogisticClassifier, "_make_model", cannot_fit)
    out = tmp_path / "m.model"
    spec = "mfcc_deltas[n_mfcc=8]+logistic_regression"
    argv = ["--pipeline", spec, "--protocol", "artist:3", "-q", "-o", str(out)]
    result = _run(train, argv, tiny, monkeypatch)
    assert result.code == 1 and not out.exists()
    assert result.err.startswith(
        "error: training failed: artist:3 fold 0: ValueError: The solver could not fit"
    )
