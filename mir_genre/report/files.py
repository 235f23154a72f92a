"""The files of a comparison: ``results.csv``, ``results.json`` and the reports.

`write_results` saves the numbers (rewritten after every pipeline, so an interrupted
run leaves complete files); `write_report` draws the figures and writes ``report.md``
and the self-contained ``report.html`` from one `build_leaderboard`.
"""

import json
import time
from pathlib import Path

from .._common import atomic_write
from .html import render_html
from .plots import make_figures
from .render import render_markdown
from .summary import build_leaderboard

__all__ = ["RESULT_COLUMNS", "write_report", "write_results"]

#: Columns of ``results.csv``: one row per pipeline x protocol x fold.
RESULT_COLUMNS = (
    "dataset",
    "pipeline",
    "spec",
    "protocol",
    "honest",
    "fold",
    "n_train",
    "n_test",
    "accuracy",
    "macro_f1",
    "fit_seconds",
    "predict_seconds",
    "error",
)


def _fold_rows(results):
    dataset = results.get("dataset", {}).get("name", "")
    honest = {p["name"]: bool(p["honest"]) for p in results.get("protocols", [])}
    for pipeline in results.get("pipelines", []):
        for run in pipeline.get("runs", []):
            base = {
                "dataset": dataset,
                "pipeline": pipeline["label"],
                "spec": pipeline["spec"],
                "protocol": run["protocol"],
                "honest": honest.get(run["protocol"], False),
            }
            if run.get("error") or not run.get("folds"):
                yield {**base, "error": run.get("error") or "no folds"}
                continue
            for fold in run["folds"]:
                yield {
                    **base,
                    **{k: fold.get(k) for k in RESULT_COLUMNS if k in fold},
                    "error": fold.get("error"),
                }


def write_results(results, out_dir):
    """Write ``results.csv`` (one row per pipeline x protocol x fold) and ``results.json``.

    Both files are replaced atomically, so they can be rewritten after every pipeline
    and an interrupted run leaves complete files.

    Parameters
    ----------
    results : dict
        The comparison results (see `mir_genre.report`).
    out_dir : str or os.PathLike
        Output folder (created if missing).

    Returns
    -------
    list of pathlib.Path
        The two files.
    """
    import pandas as pd

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame(list(_fold_rows(results)), columns=list(RESULT_COLUMNS))
    csv_path, json_path = out_dir / "results.csv", out_dir / "results.json"
    atomic_write(csv_path, table.to_csv(index=False))
    atomic_write(json_path, json.dumps(results, indent=1, default=str) + "\n")
    return [csv_path, json_path]


def write_report(results, out_dir, *, seconds=None):
    """Write the figures, ``report.md`` (linking them) and a self-contained ``report.html``.

    ``report.html`` embeds every figure as a base64 data URI and carries its CSS inline:
    it can be mailed or archived alone.  Figures: ``leaderboard.png`` (honest accuracy
    per pipeline with the inflation of a random split), ``per_genre_f1.png``,
    ``confusion_<pipeline>.png`` (reference protocol, folds pooled) and, for deep
    models, ``learning_curves_<pipeline>.png``.

    Parameters
    ----------
    results : dict
        The comparison results (see `mir_genre.report`).
    out_dir : str or os.PathLike
        Output folder (created if missing).
    seconds : dict or None, default=None
        When given, the wall-clock seconds of ``figures``, ``report.html`` and
        ``report.md`` are added to it under those keys.

    Returns
    -------
    list of pathlib.Path
        Every file written.
    """
    out_dir = Path(out_dir)
    seconds = {} if seconds is None else seconds

    def timed(stage, make):
        start = time.perf_counter()
        value = make()
        seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - start
        return value

    figures = timed("figures", lambda: make_figures(results, out_dir))
    board = build_leaderboard(results)
    html_path = timed(
        "report.html",
        lambda: atomic_write(out_dir / "report.html", render_html(results, figures, board)),
    )
    md_path = timed(
        "report.md",
        lambda: atomic_write(out_dir / "report.md", render_markdown(results, figures, board)),
    )
    pngs = [figures["leaderboard"], figures["per_genre_f1"]]
    pngs += list(figures["confusion"].values()) + list(figures["learning_curves"].values())
    return [p for p in pngs if p is not None] + [html_path, md_path]
