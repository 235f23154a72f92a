"""In-process tests of ``python -m mir_genre.compare`` (mir_genre.compare.main)."""

import contextlib
import importlib.util
import io
import json
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

import mir_genre
from mir_genre import _compare_output as compare_output
from mir_genre import compare, evaluation, registry, report
from mir_genre.compare import main
from mir_genre.specs import parse_spec

TINY = {
    "genres": ["classical", "metal"],
    "n_artists": 3,
    "tracks_per_artist": 2,
    "duration": 1.0,
}
TINY_ARGS = [arg for key, value in TINY.items() for arg in ("--dataset-arg", f"{key}={value!r}")]
LOGISTIC = "mfcc_deltas[n_mfcc=8]+logistic_regression"
KNN = "mfcc_deltas[n_mfcc=8]+knn[n_neighbors=3]"
# GenreCNN.get_test_params()-sized; n_mels and hop_length reach the cnn from mel_patches.
DEEP = (
    "mel_patches[n_mels=8,n_fft=512,hop_length=256]+cnn[filters=(4,),dense_units=8,"
    "patch_seconds=0.2,epochs=2,batch_size=8,random_state=0,jit_compile=False]"
)
HAS_KERAS = importlib.util.find_spec("keras") is not None


@pytest.fixture(scope="module")
def feature_cache(tmp_path_factory):
    """One feature cache for the module, so the tiny dataset is extracted once."""
    return tmp_path_factory.mktemp("features")


def run_main(argv, cache):
    """Run main() capturing stdout and stderr (works in module-scoped fixtures too)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--cache", str(cache)])
    return SimpleNamespace(code=code, out=out.getvalue(), err=err.getvalue())


@pytest.fixture
def compare_tiny(feature_cache):
    def _run(*argv):
        return run_main([*TINY_ARGS, "-q", *argv], feature_cache)

    return _run


@pytest.fixture(scope="module")
def full_run(tmp_path_factory, feature_cache):
    """Two classical pipelines and a tiny CNN under an artist and a random protocol."""
    out_dir = tmp_path_factory.mktemp("compare_out")
    pipelines = [LOGISTIC, KNN] + ([DEEP] if HAS_KERAS else [])
    result = run_main(
        [
            *TINY_ARGS,
            "--pipelines",
            ",".join(pipelines),
            "--protocol",
            "artist:3,random:3",
            "--out",
            str(out_dir),
        ],
        feature_cache,
    )
    result.dir = out_dir
    result.pipelines = pipelines
    result.results = json.loads((out_dir / "results.json").read_text())
    return result


# --------------------------------------------------------------------------- a full run


def test_leaderboard_on_stdout_progress_on_stderr(full_run):
    assert full_run.code == 0, full_run.err
    lines = full_run.out.splitlines()
    assert lines[0].startswith("synthetic: 12 tracks, 2 genres, 6 artists (sha256 ")
    header = next(line for line in lines if line.startswith("rank"))
    assert header.split() == [
        "rank",
        "pipeline",
        "protocol",
        "accuracy",
        "macro-F1",
        "fit",
        "s",
        "predict",
        "s",
        "tracks",
        "inflation",
    ]
    first = lines[lines.index(header) + 2].split()
    assert first[0] == "1" and first[2] == "artist:3"
    for label in ("mfcc_deltas+logistic_regression", "mfcc_deltas+knn"):
        assert label in full_run.out
    assert re.search(r"best honest pipeline under artist:3: \S+ \(accuracy", full_run.out)
    assert "(sha256" in full_run.out and "Traceback" not in full_run.err
    # The progress lines go to stderr, one per finished pipeline; no progress bars, as
    # stderr is not a terminal here (a log would keep every redraw).
    assert "mfcc_deltas+knn: artist:3 accuracy" in full_run.err
    assert "fold/s" not in full_run.err and "\r" not in full_run.err
    assert "wrote " in full_run.err and "report.html" in full_run.err


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("quiet", [False, True])
def test_progress_bars_only_on_a_terminal_and_not_when_quiet(quiet, feature_cache):
    err = _Terminal()
    argv = [*TINY_ARGS, "--pipelines", LOGISTIC, "--protocol", "artist:3"]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        assert main([*argv, *(["-q"] if quiet else []), "--cache", str(feature_cache)]) == 0
    assert ("fold" in err.getvalue()) is not quiet


def test_random_protocol_is_a_one_line_note_and_its_inflation_is_shown(full_run):
    notes = [line for line in full_run.err.splitlines() if line.startswith("note: random:3")]
    assert len(notes) == 1 and "artists on both sides" in notes[0]
    summary = report.summarize(full_run.results)
    for name in summary["pipeline"].unique():
        rows = summary[summary["pipeline"] == name].set_index("protocol")
        expected = 100 * (
            rows.loc["random:3", "accuracy_mean"] - rows.loc["artist:3", "accuracy_mean"]
        )
        assert rows.loc["random:3", "inflation"] == pytest.approx(expected)
        assert np.isnan(rows.loc["artist:3", "inflation"])
        assert f"{expected:+.1f} pts" in full_run.out
    protocols = {p["name"]: p["honest"] for p in full_run.results["protocols"]}
    assert protocols == {"artist:3": True, "random:3": False}


def test_results_csv_has_one_row_per_pipeline_protocol_and_fold(full_run):
    table = pd.read_csv(full_run.dir / "results.csv")
    assert list(table.columns) == list(report.RESULT_COLUMNS)
    assert len(table) == len(full_run.pipelines) * 2 * 3
    assert table["error"].isna().all()
    assert (table["n_train"] + table["n_test"] == 12).all()
    assert table["accuracy"].between(0, 1).all() and table["macro_f1"].between(0, 1).all()
    assert set(table["dataset"]) == {"synthetic"}
    assert (table["honest"] == (table["protocol"] == "artist:3")).all()


def test_results_json_records_everything_needed_to_reproduce(full_run):
    results = full_run.results
    assert set(results["versions"]) >= {"mir_genre", "numpy", "scikit-learn", "librosa", "keras"}
    assert results["seed"] == 0
    assert results["command"].startswith("python -m mir_genre.compare --dataset-arg")
    dataset = mir_genre.load_dataset("synthetic", **TINY)
    assert results["dataset"]["sha256"] == compare.dataset_checksum(dataset)
    assert results["dataset"]["genres"] == ["classical", "metal"]
    pipelines = {p["label"]: p for p in results["pipelines"]}
    logistic = pipelines["mfcc_deltas+logistic_regression"]
    assert logistic["spec"] == LOGISTIC
    assert logistic["params"]["mfcc_deltas__n_mfcc"] == 8
    assert logistic["params"]["logistic_regression__C"] == 1.0
    for run in logistic["runs"]:
        assert [f["fold"] for f in run["folds"]] == [0, 1, 2]
        for fold in run["folds"]:
            assert len(fold["y_true"]) == len(fold["y_pred"]) == fold["n_test"]
            assert "history" not in fold
    assert logistic["deep"] is False


@pytest.mark.skipif(not HAS_KERAS, reason="the keras extra is not installed")
def test_deep_pipeline_gets_shape_parameters_and_records_learning_curves(full_run):
    deep = next(p for p in full_run.results["pipelines"] if p["label"] == "mel_patches+cnn")
    params = deep["params"]
    assert params["mel_patches__duration"] == 1.0  # the dataset's clip length
    assert params["cnn__n_mels"] == 8 and params["cnn__hop_length"] == 256  # from the extractor
    assert deep["deep"] is True and full_run.results["keras_backend"]
    for fold in deep["runs"][0]["folds"]:
        assert {"loss", "accuracy"} <= set(fold["history"])
    assert (full_run.dir / "learning_curves_mel_patches_cnn.png").exists()
    assert "mel_patches+cnn = " + DEEP in full_run.out  # the full spec under the table


def test_report_files_exist_and_html_is_self_contained(full_run):
    pngs = sorted(p.name for p in full_run.dir.glob("*.png"))
    expected = ["leaderboard.png", "per_genre_f1.png"] + [
        f"confusion_{report.slug(p['label'])}.png" for p in full_run.results["pipelines"]
    ]
    expected += ["learning_curves_mel_patches_cnn.png"] if HAS_KERAS else []
    assert pngs == sorted(expected)
    for name in pngs:
        assert (full_run.dir / name).read_bytes()[:4] == b"\x89PNG"
    html = (full_run.dir / "report.html").read_text()
    refs = re.findall(r"""(?:src|href)\s*=\s*['"]([^'"]*)""", html)
    assert len(refs) == len(pngs) and all(r.startswith("data:image/png;base64,") for r in refs)
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)  # base64 may hold "http"
    assert "<script" not in text and "<link" not in text and "http" not in text.lower()
    md = (full_run.dir / "report.md").read_text()
    assert sorted(re.findall(r"\]\(([^)]+\.png)\)", md)) == pngs


# --------------------------------------------------------------------------- timings

SHARED = "mfcc_deltas[n_mfcc=8]"  # the extraction LOGISTIC and KNN share


def test_timings_name_every_stage_in_the_order_they_ran(full_run):
    names = [s["stage"] for s in full_run.results["timings"]["stages"]]
    n_pipelines = len(full_run.results["pipelines"])
    n_extractions = 2 if HAS_KERAS else 1
    assert names == [
        "setup",
        "dataset",
        "planning",
        *["extraction"] * n_extractions,
        *["folds"] * n_pipelines,
        "results files",
        "figures",
        "report.html",
        "report.md",
        "other",
    ]
    dataset = full_run.results["timings"]["stages"][1]
    assert dataset["name"] == "synthetic" and dataset["n_tracks"] == 12


def test_timings_are_non_negative_and_add_up_to_the_total(full_run):
    timings = full_run.results["timings"]
    total = timings["total_seconds"]
    seconds = [s["seconds"] for s in timings["stages"]]
    assert total > 0 and min(seconds) >= 0
    # "other" takes the rest, so the stages add up (to the rounding of each).
    assert sum(seconds) == pytest.approx(total, abs=1e-3 * len(seconds))
    assert sum(seconds[:-1]) <= total + 1e-3 * len(seconds)
    # Every pipeline's own time is inside the total.
    assert sum(p["seconds"] for p in full_run.results["pipelines"]) <= total


def test_a_shared_extraction_is_listed_once_with_the_pipelines_sharing_it(full_run):
    extractions = [s for s in full_run.results["timings"]["stages"] if s["stage"] == "extraction"]
    shared = [s for s in extractions if s["name"] == SHARED]
    assert len(shared) == 1
    labels = ["mfcc_deltas+logistic_regression", "mfcc_deltas+knn"]
    assert shared[0]["pipelines"] == labels and shared[0]["n_tracks"] == 12
    records = {p["label"]: p for p in full_run.results["pipelines"]}
    # The seconds are those spent once, reported on both pipelines' records.
    assert shared[0]["seconds"] == pytest.approx(records[labels[0]]["extract_seconds"], abs=1e-3)
    assert records[labels[1]]["extract_seconds"] == records[labels[0]]["extract_seconds"]
    if HAS_KERAS:
        (deep,) = [s for s in extractions if s["name"] != SHARED]
        assert deep["name"].startswith("mel_patches[") and deep["pipelines"] == ["mel_patches+cnn"]


def test_folds_add_up_the_fit_and_predict_seconds_per_protocol(full_run):
    records = {p["label"]: p for p in full_run.results["pipelines"]}
    folds = [s for s in full_run.results["timings"]["stages"] if s["stage"] == "folds"]
    assert [s["name"] for s in folds] == list(records)
    for stage in folds:
        runs = records[stage["name"]]["runs"]
        assert [p["protocol"] for p in stage["protocols"]] == ["artist:3", "random:3"]
        for protocol, run in zip(stage["protocols"], runs, strict=True):
            assert protocol["n_folds"] == len(run["folds"]) == 3
            expected = sum(f["fit_seconds"] for f in run["folds"])
            assert protocol["fit_seconds"] == pytest.approx(expected, abs=1e-3)
            expected = sum(f["predict_seconds"] for f in run["folds"])
            assert protocol["predict_seconds"] == pytest.approx(expected, abs=1e-3)
        fit = sum(p["fit_seconds"] for p in stage["protocols"])
        assert stage["fit_seconds"] == pytest.approx(fit, abs=1e-3)
        # Folds run one after the other here, so fitting is part of the stage's time.
        assert stage["fit_seconds"] <= stage["seconds"] + 1e-3


def test_the_time_table_follows_the_report_on_stderr_only(full_run):
    assert "time:" not in full_run.out
    lines = full_run.err.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("time: "))
    assert lines[start - 1].startswith("wrote ")
    table = lines[start + 1 :]
    assert len(table) == len(full_run.results["timings"]["stages"])
    assert table[0].split()[0] == "setup" and table[-1].split()[0] == "other"
    shared = [line for line in table if line.split()[:2] == ["extract", SHARED]]
    assert len(shared) == 1 and "shared by 2 pipelines" in shared[0]
    assert any(line.split()[:2] == ["folds", "mfcc_deltas+knn"] for line in table)
    # Aligned: every seconds column ends at the same place.
    assert len({line.index(" s ") for line in table}) == 1


@pytest.mark.parametrize("quiet", [False, True])
def test_the_time_table_is_left_out_when_quiet(quiet, feature_cache):
    argv = [*TINY_ARGS, "--pipelines", LOGISTIC, "--protocol", "artist:3"]
    result = run_main([*argv, *(["-q"] if quiet else [])], feature_cache)
    assert result.code == 0, result.err
    assert ("time: " in result.err) is not quiet
    assert "time: " not in result.out
    if not quiet:  # nothing written without --out: no such stages
        assert "results files" not in result.err and "figures" not in result.err


def test_timing_lines_show_share_and_details():
    timings = {
        "total_seconds": 20.0,
        "stages": [
            {"stage": "dataset", "name": "synthetic", "n_tracks": 4, "seconds": 2.0},
            {
                "stage": "extraction",
                "name": "tzanetakis57",
                "n_tracks": 4,
                "pipelines": ["a", "b"],
                "seconds": 10.0,
            },
            {
                "stage": "folds",
                "name": "tzanetakis57+svm",
                "fit_seconds": 3.25,
                "predict_seconds": 0.5,
                "protocols": [],
                "seconds": 4.0,
            },
            {"stage": "other", "seconds": 4.0},
        ],
    }
    lines = compare_output.timing_lines(timings)
    assert lines[0] == "time: 20.0 s in all"
    assert lines[2].split() == [
        "extract", "tzanetakis57", "10.0", "s", "50%", "4", "tracks,", "shared", "by", "2",
        "pipelines",
    ]  # fmt: skip
    assert lines[3].split()[-6:] == ["fit", "3.2", "s,", "predict", "0.5", "s"]


# --------------------------------------------------------------------------- failures


def test_a_failing_pipeline_is_reported_while_the_others_finish(
    compare_tiny, monkeypatch, tmp_path
):
    # A fault only the run meets (a bad parameter value is refused before it: see
    # test_a_bad_parameter_value_is_refused_before_any_extraction): the fit itself fails.
    from mir_genre.classifiers.sklearn_models import LogisticClassifier

    def failing_fit(self, y):
        raise ValueError("The solver could not fit these features")

    monkeypatch.setattr(LogisticClassifier, "_make_model", failing_fit)
    bad = "mfcc_deltas[n_mfcc=8]+logistic_regression[C=0.5]"
    result = compare_tiny(
        "--pipelines", f"{bad},{KNN}", "--protocol", "artist:3", "--out", str(tmp_path)
    )
    assert result.code == 1
    lines = result.out.splitlines()
    assert any(line.split()[:2] == ["1", "mfcc_deltas+knn"] for line in lines)
    failed_row = next(line for line in lines if line.startswith("   -"))
    assert failed_row.split() == ["-", "mfcc_deltas+logistic_regression", "artist:3", "FAILED"]
    assert (
        "mfcc_deltas+logistic_regression / artist:3: fold 0: ValueError: The solver could "
        "not fit" in result.out
    )
    table = pd.read_csv(tmp_path / "results.csv")
    assert table.loc[table["spec"] == bad, "error"].str.contains("ValueError").all()
    assert (tmp_path / "report.html").exists()


def test_a_bad_parameter_value_is_refused_before_any_extraction(
    compare_tiny, monkeypatch, tmp_path
):
    def no_extraction(*args, **kwargs):
        raise AssertionError("extraction started before the parameters were checked")

    monkeypatch.setattr(evaluation.pipelines, "extract_features", no_extraction)
    specs = f"{KNN},mfcc_deltas[n_mfcc=abc]+svm"
    result = compare_tiny("--pipelines", specs, "--protocol", "artist:3", "--out", str(tmp_path))
    assert result.code == 2 and result.out == ""
    assert result.err.count("\n") == 1
    assert result.err.startswith(
        "error: Pipeline spec \"mfcc_deltas[n_mfcc='abc']+svm\": The 'n_mfcc' parameter of "
        "MFCCDeltas must be an int in the range [1, inf). Got 'abc' instead."
    )
    assert "mfcc_deltas[n_mfcc=20] (its default)" in result.err
    assert not (tmp_path / "results.json").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--pipelines", "svm+tzanetakis57"], "'svm' is a classifier; write extractor(s) first"),
        (["--pipelines", "mfcc_deltas+chroma"], "'chroma' is an extractor; write extractor(s)"),
        (["--extractors", "svm", "--classifiers", "knn"], "'svm' is a classifier"),
    ],
)
def test_spec_order_errors_name_the_misplaced_component(argv, message, feature_cache):
    result = run_main([*TINY_ARGS, *argv], feature_cache)
    assert result.code == 2 and result.err.count("\n") == 1
    assert message in result.err and "e.g. " in result.err
    assert "Unknown" not in result.err


def test_warnings_of_a_fit_become_one_line_each(compare_tiny):
    result = compare_tiny(
        "--pipelines",
        "mfcc_deltas[n_mfcc=8]+logistic_regression[max_iter=1]",
        "--protocol",
        "artist:3",
    )
    assert result.code == 0
    warned = [line for line in result.err.splitlines() if line.startswith("warning:")]
    assert len(warned) == 1 and "ConvergenceWarning" in warned[0]  # once, not once per fold


def test_ctrl_c_keeps_finished_results_and_the_feature_cache(compare_tiny, monkeypatch, tmp_path):
    evaluate = evaluation._evaluate_pipeline
    calls = []

    def interrupted_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(evaluation.pipelines, "_evaluate_pipeline", interrupted_on_the_second)
    cache = tmp_path / "cache"
    result = run_main(
        [
            *TINY_ARGS,
            "-q",
            "--pipelines",
            f"{LOGISTIC},{KNN}",
            "--protocol",
            "artist:3",
            "--out",
            str(tmp_path / "out"),
        ],
        cache,
    )
    assert result.code == 130
    table = pd.read_csv(tmp_path / "out" / "results.csv")
    assert set(table["pipeline"]) == {"mfcc_deltas+logistic_regression"} and len(table) == 3
    saved = json.loads((tmp_path / "out" / "results.json").read_text())
    assert saved["interrupted"] is True and len(saved["pipelines"]) == 1
    # The timings cover what ran: the shared extraction and the finished pipeline's folds.
    stages = [(s["stage"], s.get("name")) for s in saved["timings"]["stages"]]
    assert ("extraction", "mfcc_deltas[n_mfcc=8]") in stages
    assert [name for stage, name in stages if stage == "folds"] == [
        "mfcc_deltas+logistic_regression"
    ]
    assert "interrupted: kept 1 finished pipeline(s)" in result.err
    assert "mfcc_deltas+logistic_regression" in result.out  # the finished leaderboard
    assert any(cache.rglob("*.pkl")), "the feature cache was not kept"
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("argv", "message", "listed"),
    [
        (
            ["--pipelines", "mfcc_deltas+no_such_model"],
            "Unknown classifier 'no_such_model'",
            "'svm'",
        ),
        (
            ["--extractors", "no_such_feature", "--classifiers", "svm"],
            "Unknown extractor 'no_such_feature'",
            "'tzanetakis57'",
        ),
        (
            ["--extractors", "tzanetakis57+no_such_feature", "--classifiers", "svm"],
            "Unknown extractor 'no_such_feature'",
            "'tzanetakis57'",
        ),
        (["--dataset", "no_such_set"], "Unknown dataset 'no_such_set'", "'synthetic'"),
        (["--protocol", "artist:3,bogus"], "Unknown evaluation protocol 'bogus'", "artist:K"),
        (["--pipelines", "svm"], "needs an extractor and a classifier", "tzanetakis57+svm"),
        (["--extractors", "mfcc_deltas"], "--extractors needs --classifiers", "tzanetakis57"),
        (["--pipelines", "mfcc_deltas+svm[C=[1,]"], "Pipeline spec", "not a Python literal"),
        (["--pipelines", LOGISTIC, "--protocol", "random:7"], "cannot split", "fewer folds"),
        (["--pipelines", LOGISTIC, "--protocol", "artist:7"], "at least 7 artists", "6"),
    ],
)
def test_bad_names_exit_2_with_one_error_line(argv, message, listed, feature_cache):
    result = run_main([*TINY_ARGS, *argv], feature_cache)
    assert result.code == 2
    assert result.err.startswith("error: ") and result.err.count("\n") == 1
    assert message in result.err and listed in result.err
    assert result.out == ""


def test_conflicting_pipeline_options_are_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--pipelines", LOGISTIC, "--classifiers", "svm"])
    assert exc.value.code == 2
    assert "--pipelines names whole pipelines" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("dataset", "target", "hint"),
    [
        ("gtzan", "no_gtzan_here", "Get GTZAN from Kaggle"),
        ("feature_table", "no_table.csv", "Download features_30_sec.csv"),
    ],
)
def test_missing_dataset_says_how_to_get_it(dataset, target, hint, tmp_path, capsys):
    code = main(["--dataset", dataset, "--root", str(tmp_path / target), "-q"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: ") and hint in err and "Traceback" not in err


# --------------------------------------------------------------------------- --list


def test_list_shows_plugins_backend_and_broken_plugins(monkeypatch, capsys):
    real = registry.discover

    def discover(*args, **kwargs):
        broken = registry.PluginInfo(
            "classifiers",
            "half_done",
            "third_party.models:Half",
            "third-party 0.1",
            error=mir_genre.PluginError("cannot load"),
        )
        broken.error.__cause__ = ImportError("No module named 'third_party'")
        return [*real(*args, **kwargs), broken]

    monkeypatch.setattr(registry, "discover", discover)
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    sections = {line.split(":")[0]: line for line in out.splitlines() if not line.startswith(" ")}
    assert "synthetic" in sections["datasets"] and "feature_table" in sections["datasets"]
    assert "tzanetakis57" in sections["extractors"] and "mel_patches" in sections["extractors"]
    assert "svm" in sections["classifiers"] and "half_done" not in sections["classifiers"]
    assert "artist:K" in sections["protocols"]
    assert "keras backend" in sections
    assert sections["broken"].split() == ["broken:", "1"]
    assert (
        "  classifier half_done (third_party.models:Half): ImportError: No module named "
        "'third_party'" in out
    )


# --------------------------------------------------------------------------- defaults


def test_default_deep_pipeline_follows_the_gpu(monkeypatch):
    from mir_genre.classifiers.keras import backend

    choice = backend.BackendChoice("jax", "faked for the test", n_gpus=1, installed=("jax",))
    monkeypatch.setattr(compare.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(backend, "choose_backend", lambda: choice)
    specs = compare.default_pipelines("audio")
    assert specs == [*compare.CLASSICAL_PIPELINES, compare.DEEP_PIPELINE_GPU]

    cpu = backend.BackendChoice("jax", "faked", n_gpus=0, installed=("jax",))
    monkeypatch.setattr(backend, "choose_backend", lambda: cpu)
    assert compare.default_pipelines("audio")[-1] == compare.DEEP_PIPELINE_CPU

    def no_backend():
        raise mir_genre.ParameterError("none installed")

    monkeypatch.setattr(backend, "choose_backend", no_backend)
    assert compare.default_pipelines("audio") == list(compare.CLASSICAL_PIPELINES)
    assert compare.default_pipelines("features") == list(compare.FEATURE_PIPELINES)


def test_defaults_leave_out_pipelines_whose_dependency_is_missing(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        compare.importlib.util, "find_spec", lambda name: None if name == "xgboost" else real(name)
    )
    notes = []
    specs = compare._available([parse_spec(s) for s in compare.CLASSICAL_PIPELINES], notes)
    assert [s.name for s in specs] == ["tzanetakis57+mlp", "mfcc_deltas+svm"]
    assert notes == [
        "tzanetakis57+xgboost left out: it needs xgboost (pip install 'mir_genre[xgboost]')"
    ]


def test_fixed_duration_extractors_get_the_clip_length_unless_the_spec_sets_it():
    dataset = mir_genre.load_dataset("synthetic", **TINY)
    pipe = evaluation._build(parse_spec("mel_patches+cnn"), dataset, memory=None, n_jobs=1, seed=0)
    assert pipe[0].duration == 1.0 and pipe[-1].n_mels == pipe[0].n_mels == 128
    pipe = evaluation._build(
        parse_spec("mel_patches[duration=0.5,n_mels=16,hop_length=128]+cnn[hop_length=128]"),
        dataset,
        memory=None,
        n_jobs=1,
        seed=3,
    )
    assert pipe[0].duration == 0.5 and pipe[-1].n_mels == 16
    assert pipe[-1].hop_length == 128 and pipe[-1].random_state == 3  # the spec wins


# --------------------------------------------------------------------------- efficiency


def test_each_extractor_configuration_is_extracted_once(compare_tiny, monkeypatch):
    extract = evaluation._extract
    calls = []

    def counting(extractor, X, **kwargs):
        calls.append(extractor.get_params()["n_mfcc"])
        return extract(extractor, X, **kwargs)

    monkeypatch.setattr(evaluation.pipelines, "_extract", counting)
    other = "mfcc_deltas[n_mfcc=9]+logistic_regression"
    result = compare_tiny("--pipelines", f"{LOGISTIC},{KNN},{other}", "--protocol", "artist:3")
    assert result.code == 0 and sorted(calls) == [8, 9]


def test_extractor_grid_entries_may_join_extractors():
    args = compare.make_parser().parse_args(
        [
            "--extractors",
            "tzanetakis57,tzanetakis57+chroma[n_fft=4096]",
            "--classifiers",
            "svm,knn",
        ]
    )
    specs = [str(spec) for spec in compare.requested_specs(args)]
    assert specs == [
        "tzanetakis57+svm",
        "tzanetakis57+knn",
        "tzanetakis57+chroma[n_fft=4096]+svm",
        "tzanetakis57+chroma[n_fft=4096]+knn",
    ]


def test_joined_extractors_are_one_pipeline_extracted_once(compare_tiny, monkeypatch, tmp_path):
    extract = evaluation._extract
    calls = []

    def counting(extractor, X, **kwargs):
        calls.append(type(extractor).__name__)
        return extract(extractor, X, **kwargs)

    monkeypatch.setattr(evaluation.pipelines, "_extract", counting)
    joined = "mfcc_deltas[n_mfcc=8]+chroma"
    pipelines = [LOGISTIC, f"{joined}+logistic_regression", f"{joined}+knn[n_neighbors=3]"]
    result = compare_tiny(
        "--pipelines", ",".join(pipelines), "--protocol", "artist:3", "--out", str(tmp_path)
    )
    assert result.code == 0, result.err
    assert sorted(calls) == ["FeatureUnion", "MFCCDeltas"]  # the union once for both
    table = pd.read_csv(tmp_path / "results.csv")
    assert set(table["pipeline"]) == {
        "mfcc_deltas+logistic_regression",
        "mfcc_deltas+chroma+logistic_regression",
        "mfcc_deltas+chroma+knn",
    }
    assert table["accuracy"].notna().all()


def test_an_extractor_that_requires_fit_is_refitted_in_every_fold(
    compare_tiny, monkeypatch, tmp_path
):
    import sklearn.utils

    baseline = compare_tiny(
        "--pipelines", LOGISTIC, "--protocol", "artist:3", "--out", str(tmp_path / "a")
    )
    real = sklearn.utils.get_tags

    def needs_fit(estimator):
        tags = real(estimator)
        if hasattr(estimator, "n_mfcc"):
            tags.requires_fit = True
        return tags

    monkeypatch.setattr(sklearn.utils, "get_tags", needs_fit)
    monkeypatch.setattr(evaluation.pipelines, "_extract", pytest.fail)  # must not be used
    result = compare_tiny(
        "--pipelines", LOGISTIC, "--protocol", "artist:3", "--out", str(tmp_path / "b")
    )
    assert baseline.code == result.code == 0
    a, b = (pd.read_csv(tmp_path / d / "results.csv") for d in "ab")
    np.testing.assert_allclose(a["accuracy"], b["accuracy"])
    # No extraction stage: the time is in the folds, which say so.
    stages = json.loads((tmp_path / "b" / "results.json").read_text())["timings"]["stages"]
    assert "extraction" not in [s["stage"] for s in stages]
    (folds,) = [s for s in stages if s["stage"] == "folds"]
    assert folds["extraction_in_folds"] is True


class GroupRecorder(ClassifierMixin, BaseEstimator):
    """Predicts the first class; remembers the groups its fit received."""

    seen = []

    def fit(self, X, y, groups=None):
        GroupRecorder.seen.append(None if groups is None else list(groups))
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_training_artists_reach_a_fit_that_takes_groups():
    X, y = np.zeros((6, 2)), np.array(["a", "a", "b", "b", "a", "b"])
    groups = np.array(["g1", "g1", "g2", "g2", "g3", "g3"])
    GroupRecorder.seen.clear()
    param = evaluation._groups_param(GroupRecorder())
    fold = evaluation._run_fold(
        GroupRecorder(), X, y, groups, np.arange(4), np.arange(4, 6), param
    )
    assert param == "groups" and GroupRecorder.seen == [["g1", "g1", "g2", "g2"]]
    assert fold["accuracy"] == 0.5 and fold["y_pred"] == ["a", "a"]
    xgb = mir_genre.get_classifier("xgboost")
    assert evaluation._groups_param(xgb, step="xgboost") == "xgboost__groups"
    # A classifier whose fit takes no groups (mir_genre's own all take them now).
    from sklearn.svm import SVC

    assert evaluation._groups_param(SVC()) is None


# --------------------------------------------------------------------------- datasets, clusters


def test_feature_table_takes_classifiers_alone(gtzan_dir, tmp_path):
    table = ["--dataset", "feature_table", "--root", str(gtzan_dir / "features_30_sec.csv")]
    table += ["--metadata-dir", str(gtzan_dir), "-q"]
    result = run_main(
        [*table, "--classifiers", "logistic_regression", "--protocol", "artist:3,random:3"],
        tmp_path,
    )
    assert result.code == 0, result.err
    assert "feature_table: 1000 tracks, 10 genres" in result.out
    rows = [line.split() for line in result.out.splitlines() if "random:3" in line]
    assert rows and rows[0][-1] == "pts" and float(rows[0][-2]) > 5  # random flatters
    result = run_main([*table, "--pipelines", "tzanetakis57+svm"], tmp_path)
    assert result.code == 2 and "ready-made features" in result.err


def test_feature_table_defaults_are_classifiers(gtzan_dir):
    dataset = mir_genre.load_dataset(
        "feature_table", path=gtzan_dir / "features_30_sec.csv", metadata_dir=gtzan_dir
    )
    specs, _ = compare.resolve_specs(None, dataset)
    expected = [parse_spec(s) for s in compare.FEATURE_PIPELINES]
    if importlib.util.find_spec("xgboost") is None:
        expected = [s for s in expected if s.classifier != "xgboost"]
    assert specs == expected and all(s.extractor is None for s in specs)


def test_extraction_and_folds_run_on_a_dask_cluster(compare_tiny, tmp_path):
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    local = compare_tiny(
        "--pipelines", LOGISTIC, "--protocol", "artist:3", "--out", str(tmp_path / "a")
    )
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as stream,
    ):
        result = run_main(
            [
                *TINY_ARGS,
                "-q",
                "--pipelines",
                LOGISTIC,
                "--protocol",
                "artist:3",
                "--scheduler",
                cluster.scheduler_address,
                "--out",
                str(tmp_path / "b"),
            ],
            tmp_path / "fresh_cache",  # so that extraction runs on the cluster too
        )
    assert local.code == result.code == 0, result.err
    keys = [str(task["key"]) for task in stream.data]
    # joblib batches calls into tasks named after the function: tracks, then folds.
    assert any("_run_one" in key for key in keys), keys  # extraction
    assert sum("_run_fold" in key for key in keys) == 3, keys  # one task per fold
    a, b = (pd.read_csv(tmp_path / d / "results.csv") for d in "ab")
    np.testing.assert_allclose(a["accuracy"], b["accuracy"])


def test_unreachable_scheduler_is_an_error(compare_tiny, monkeypatch):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    import dask.distributed

    def refuse(address):
        raise OSError(f"Timed out trying to connect to {address}")

    monkeypatch.setattr(dask.distributed, "Client", refuse)
    result = compare_tiny(
        "--pipelines", LOGISTIC, "--protocol", "artist:3", "--scheduler", "tcp://nowhere:1"
    )
    assert result.code == 1 and "Could not connect to the Dask scheduler" in result.err
