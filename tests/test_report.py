"""Tables, figures and reports of mir_genre.report, from hand-made comparison results."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from mir_genre import report

GENRES = ["classical", "jazz", "metal"]


def _fold(index, accuracy, *, history=None, n=6):
    # n_test tracks, of which round(accuracy * n) are right.
    y_true = [GENRES[i % 3] for i in range(n)]
    right = round(accuracy * n)
    y_pred = y_true[:right] + [GENRES[(GENRES.index(g) + 1) % 3] for g in y_true[right:]]
    fold = {
        "fold": index,
        "n_train": 12,
        "n_test": n,
        "accuracy": accuracy,
        "macro_f1": accuracy - 0.05,
        "fit_seconds": 1.0 + index,
        "predict_seconds": 0.1,
        "y_true": y_true,
        "y_pred": y_pred,
    }
    if history is not None:
        fold["history"] = history
    return fold


def _run(protocol, accuracies, **kwargs):
    folds = [_fold(i, a, **kwargs) for i, a in enumerate(accuracies)]
    return {"protocol": protocol, "error": None, "warnings": [], "folds": folds}


def make_results(*, interrupted=False, protocols=("artist:2", "random:2")):
    history = {
        "loss": [1.2, 0.9, 0.7],
        "val_loss": [1.3, 1.1, 1.0],
        "accuracy": [0.4, 0.6, 0.7],
        "val_accuracy": [0.3, 0.5, 0.5],
    }
    scores = {
        "tzanetakis57+svm": {"artist:2": [0.5, 0.5], "random:2": [0.8333, 0.8333]},
        "mfcc_deltas+mlp": {"artist:2": [0.6667, 0.8333], "random:2": [1.0, 0.8333]},
        "mel_patches+cnn": {"artist:2": [0.3333, 0.5], "random:2": [0.5, 0.6667]},
    }
    pipelines = []
    for label, by_protocol in scores.items():
        deep = label.endswith("cnn")
        runs = [
            _run(p, by_protocol[p], history=history if deep else None)
            for p in protocols
            if p in by_protocol
        ]
        spec = label if not deep else "mel_patches[n_mels=64]+cnn[epochs=3]"
        pipelines.append({"label": label, "spec": spec, "params": {}, "deep": deep, "runs": runs})
    pipelines.append(
        {
            "label": "tzanetakis57+xgboost",
            "spec": "tzanetakis57+xgboost",
            "params": {},
            "deep": False,
            "runs": [
                {
                    "protocol": p,
                    "error": "fold 0: ValueError: boom | with a pipe",
                    "warnings": [],
                    "folds": [],
                }
                for p in protocols
            ],
        }
    )
    return {
        "created": "2024-01-01T00:00:00+00:00",
        "command": "python -m mir_genre.compare --protocol artist:2,random:2",
        "seed": 0,
        "dataset": {
            "name": "toy",
            "kind": "audio",
            "n_tracks": 12,
            "n_genres": 3,
            "n_artists": 4,
            "genres": GENRES,
            "sha256": "0" * 64,
        },
        "protocols": [
            {"name": p, "honest": not p.startswith("random"), "n_folds": 2, "splitter": ""}
            for p in protocols
        ],
        "versions": {"mir_genre": "0.1.0", "numpy": np.__version__},
        "keras_backend": "jax on CPU (test)",
        "notes": ["random:2: a random split puts artists on both sides"],
        "interrupted": interrupted,
        "pipelines": pipelines,
    }


def test_reference_protocol_prefers_an_artist_protocol():
    results = {
        "protocols": [
            {"name": "random:5", "honest": False},
            {"name": "predefined", "honest": True},
            {"name": "artist:5", "honest": True},
        ]
    }
    assert report.reference_protocol(results) == "artist:5"
    results["protocols"].pop()
    assert report.reference_protocol(results) == "predefined"
    assert report.reference_protocol({"protocols": [{"name": "random:5", "honest": False}]}) == (
        "random:5"
    )
    assert report.reference_protocol({"protocols": []}) is None


def test_summary_ranks_the_best_honest_pipeline_first_and_measures_inflation():
    summary = report.summarize(make_results())
    order = list(dict.fromkeys(summary["pipeline"]))
    assert order == [
        "mfcc_deltas+mlp",
        "tzanetakis57+svm",
        "mel_patches+cnn",
        "tzanetakis57+xgboost",
    ]
    ranks = dict(zip(summary["pipeline"], summary["rank"], strict=True))
    assert ranks["mfcc_deltas+mlp"] == 1 and ranks["tzanetakis57+xgboost"] is None
    row = summary[(summary["pipeline"] == "mfcc_deltas+mlp") & (summary["protocol"] == "random:2")]
    assert row["inflation"].iloc[0] == pytest.approx(100 * (0.91665 - 0.75))
    honest = summary[summary["honest"]]
    assert honest["inflation"].isna().all()  # inflation is what a random split adds
    assert row["accuracy_std"].iloc[0] == pytest.approx(np.std([1.0, 0.8333]))
    assert row["n_tracks"].iloc[0] == 18 and row["n_folds"].iloc[0] == 2
    failed = summary[summary["pipeline"] == "tzanetakis57+xgboost"]
    assert failed["error"].str.contains("boom").all()


def test_without_an_honest_protocol_nothing_is_called_inflation():
    results = make_results(protocols=("random:2",))
    summary = report.summarize(results)
    assert summary["inflation"].isna().all()
    assert "no honest protocol was run" in report.headline(results)


def test_text_leaderboard_shows_scores_failures_inflation_and_the_winner():
    text = report.format_leaderboard(make_results())
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["rank", "pipeline", "protocol"]
    assert lines[2].split()[:3] == ["1", "mfcc_deltas+mlp", "artist:2"]
    assert "0.750 ± 0.083" in lines[2]
    assert "+16.7 pts" in lines[3] and "random:2" in lines[3]
    assert "FAILED" in text and "tzanetakis57+xgboost / artist:2: fold 0: ValueError: boom" in text
    assert lines[-1].startswith("best honest pipeline under artist:2: mfcc_deltas+mlp")
    assert "random:2 would have reported 0.917 (+16.7 points)" in lines[-1]


def test_results_files_one_row_per_fold_and_the_whole_dictionary(tmp_path):
    results = make_results()
    paths = report.write_results(results, tmp_path / "out")
    assert [p.name for p in paths] == ["results.csv", "results.json"]
    table = pd.read_csv(paths[0])
    assert list(table.columns) == list(report.RESULT_COLUMNS)
    assert len(table) == 3 * 2 * 2 + 2  # three pipelines x two protocols x two folds + failures
    failed = table[table["pipeline"] == "tzanetakis57+xgboost"]
    assert failed["error"].str.contains("boom").all() and failed["fold"].isna().all()
    assert table[table["protocol"] == "random:2"]["honest"].eq(False).all()
    assert json.loads(paths[1].read_text()) == results
    assert sorted(p.name for p in paths[0].parent.iterdir()) == ["results.csv", "results.json"]


def _png(path):
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_is_self_contained_and_links_its_figures(tmp_path):
    import matplotlib.pyplot as plt

    figures_before = plt.get_fignums()
    written = report.write_report(make_results(), tmp_path)
    assert plt.get_fignums() == figures_before  # no pyplot figure left open
    names = sorted(p.name for p in written)
    assert names == sorted(
        [
            "leaderboard.png",
            "per_genre_f1.png",
            "confusion_mfcc_deltas_mlp.png",
            "confusion_tzanetakis57_svm.png",
            "confusion_mel_patches_cnn.png",
            "learning_curves_mel_patches_cnn.png",  # deep models only
            "report.html",
            "report.md",
        ]
    )
    pngs = [p for p in written if p.suffix == ".png"]
    assert all(_png(p) for p in pngs)

    html = (tmp_path / "report.html").read_text()
    refs = re.findall(r"""(?:src|href)\s*=\s*['"]([^'"]*)""", html)
    assert len(refs) == len(pngs) and all(r.startswith("data:image/png;base64,") for r in refs)
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)  # base64 may hold "http"
    assert "<script" not in text and "<link" not in text and "http" not in text.lower()
    assert "<style>" in html
    assert "Winner under artist:2 (artist-filtered, honest): mfcc_deltas+mlp" in html
    assert "+16.7 points of inflation" in html
    assert "failed: fold 0: ValueError: boom" in html
    assert "mel_patches[n_mels=64]+cnn[epochs=3]" in html  # full spec of a short label

    md = (tmp_path / "report.md").read_text()
    links = re.findall(r"\]\(([^)]+)\)", md)
    assert sorted(links) == sorted(p.name for p in pngs)
    assert "| 1 | mfcc_deltas+mlp | artist:2 | 0.750 ± 0.083 |" in md
    assert "boom / with a pipe" in md  # a '|' in an error would break the Markdown table


def test_interrupted_run_and_no_finished_pipeline(tmp_path):
    results = make_results(interrupted=True)
    report.write_report(results, tmp_path / "a")
    assert "The run was interrupted" in (tmp_path / "a" / "report.html").read_text()

    results["pipelines"] = results["pipelines"][-1:]  # only the failed one
    written = report.write_report(results, tmp_path / "b")
    assert [p.name for p in written] == ["report.html", "report.md"]
    assert "No pipeline finished" in (tmp_path / "b" / "report.html").read_text()
    assert report.headline(results) == ""


def test_learning_curves_skip_missing_keys(tmp_path):
    path = report.plot_learning_curves(
        [{"loss": [1.0, 0.5]}, {"loss": [1.1, 0.6], "val_loss": [1.2, 0.9]}], tmp_path / "lc.png"
    )
    assert _png(path)


def test_per_genre_f1_and_confusion(tmp_path):
    f1 = report.per_genre_f1(["a", "a", "b", "c"], ["a", "b", "b", "c"], ["a", "b", "c"])
    np.testing.assert_allclose(f1, [2 / 3, 2 / 3, 1.0])
    assert _png(report.plot_confusion(["a", "b"], ["a", "a"], ["a", "b"], tmp_path / "c.png"))


def test_slug_makes_file_names():
    assert report.slug("mel_patches[n_mels=64]+cnn[filters=(8, 16)]") == (
        "mel_patches_n_mels_64_cnn_filters_8_16"
    )
    assert report.slug("+++") == "pipeline"


def test_html_escapes_labels_errors_and_notes(tmp_path):
    results = make_results()
    nasty = '<script>alert("x")</script> & co'
    results["pipelines"][0]["label"] = nasty
    results["dataset"]["name"] = "toy <i>&</i>"
    results["dataset"]["genres"] = ["r&b", "<script>x</script>", "metal"]
    for pipeline in results["pipelines"]:
        for run in pipeline["runs"]:
            run["warnings"] = ["a <b>bold</b> warning & more"]
            for fold in run["folds"]:
                rename = dict(zip(GENRES, results["dataset"]["genres"], strict=True))
                fold["y_true"] = [rename[g] for g in fold["y_true"]]
                fold["y_pred"] = [rename[g] for g in fold["y_pred"]]
    results["pipelines"][-1]["runs"][0]["error"] = "ValueError: x < y & 'q'"
    report.write_report(results, tmp_path)
    html = (tmp_path / "report.html").read_text()
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    assert "<script" not in text and "<i>" not in text and "<b>" not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co" in text
    assert "toy &lt;i&gt;&amp;&lt;/i&gt;" in text
    assert "a &lt;b&gt;bold&lt;/b&gt; warning &amp; more" in text
    assert "failed: ValueError: x &lt; y &amp; &#39;q&#39;" in text
    # Every '&' left starts an entity: nothing was inserted unescaped.
    assert "&" not in re.sub(r"&(#[0-9]+|#x[0-9a-fA-F]+|[a-z]+);", "", text)
    # The Markdown report and the text table keep the label as it is.
    assert nasty in (tmp_path / "report.md").read_text()
    assert nasty in report.format_leaderboard(results)


def test_text_markdown_and_html_show_the_same_rows(tmp_path):
    results = make_results()
    board = report.build_leaderboard(results)
    assert [(r.rank, r.pipeline, r.protocol) for r in board.rows if r.first] == [
        (1, "mfcc_deltas+mlp", "artist:2"),
        (2, "tzanetakis57+svm", "artist:2"),
        (3, "mel_patches+cnn", "artist:2"),
        (None, "tzanetakis57+xgboost", "artist:2"),
    ]
    assert [r.best for r in board.rows[:2]] == [True, False]
    assert board.rows[1].inflation == "+16.7 pts" and board.rows[0].inflation == ""
    assert board.winner.inflated[0].points == "+16.7"
    report.write_report(results, tmp_path)
    html = (tmp_path / "report.html").read_text()
    md = (tmp_path / "report.md").read_text()
    text = report.format_leaderboard(results)
    for row in board.rows:
        for cell in (row.accuracy, row.macro_f1, row.fit_seconds, row.inflation):
            assert cell in html and cell in md and cell in text
    assert html.count('<tr class="failed">') == md.count("| failed: ") == text.count("FAILED")
