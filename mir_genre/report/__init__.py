"""Tables, plots and reports of a pipeline comparison (``python -m mir_genre.compare``).

Everything here works on the plain, JSON-able ``results`` dictionary that
`mir_genre.compare` builds and saves as ``results.json``, so a report can be rebuilt from
a saved file without re-running anything::

    import json
    from mir_genre.report import write_report

    write_report(json.load(open("out/results.json")), "out")

The results dictionary
----------------------
``dataset``
    ``name``, ``kind``, ``n_tracks``, ``n_genres``, ``n_artists``, ``genres``, ``sha256``.
``protocols``
    One dict per protocol in the order asked: ``name`` (``"artist:5"``), ``honest``
    (artist- and track-disjoint, checked fold by fold), ``n_folds``, ``splitter``.
``pipelines``
    One dict per pipeline: ``label`` (short unique name), ``spec``, ``params``, ``deep``,
    ``extract_seconds`` and ``runs``, one per protocol, each with ``protocol``, ``error``
    (None or ``"Type: message"``), ``warnings`` and ``folds``.  A fold has ``fold``,
    ``n_train``, ``n_test``, ``accuracy``, ``macro_f1``, ``fit_seconds``,
    ``predict_seconds``, ``y_true``, ``y_pred`` and, for deep models, ``history``.

Plots are drawn on `matplotlib.figure.Figure` objects rendered by the Agg canvas: no
pyplot state, no window, nothing left open after saving.
"""

import base64
import html
import json
import math
import re
from pathlib import Path

import numpy as np

from ._common import atomic_write, one_line

__all__ = [
    "RESULT_COLUMNS",
    "format_leaderboard",
    "headline",
    "reference_protocol",
    "summarize",
    "write_report",
    "write_results",
]

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

# Colours: honest scores blue, the part a random split adds orange, failures red.
_HONEST = "#2f6fb0"
_INFLATION = "#e8862a"
_OTHER = "#4d4d4d"
_FOLD_COLOURS = ("#2f6fb0", "#e8862a", "#3a9d5d", "#c0392b", "#8e5ea2", "#7f7f7f")


# --------------------------------------------------------------------------- tables


def reference_protocol(results):
    """Return the protocol pipelines are ranked by: the first artist-filtered honest one.

    Parameters
    ----------
    results : dict
        The comparison results (see the module docstring).

    Returns
    -------
    str or None
        The protocol name; the first protocol when none is honest; None without any.

    Examples
    --------
    >>> reference_protocol({"protocols": [
    ...     {"name": "random:5", "honest": False}, {"name": "fault-filtered", "honest": True},
    ...     {"name": "artist:5", "honest": True}]})
    'artist:5'
    """
    protocols = results.get("protocols", [])
    for test in (
        lambda p: p["honest"] and p["name"].startswith("artist:"),
        lambda p: p["honest"],
        lambda p: True,
    ):
        for protocol in protocols:
            if test(protocol):
                return protocol["name"]
    return None


def _mean(values):
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if values else math.nan


def _std(values):
    values = [v for v in values if v is not None]
    return float(np.std(values)) if len(values) > 1 else math.nan


def summarize(results):
    """One row per pipeline and protocol, best honest pipeline first.

    Pipelines are ranked by their mean accuracy under `reference_protocol`; failed
    pipelines come last.  Within a pipeline, rows follow the order of the protocols.

    Parameters
    ----------
    results : dict
        The comparison results (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        Columns ``rank`` (1 = best; None for a pipeline without a reference score),
        ``pipeline``, ``spec``, ``protocol``, ``honest``, ``accuracy_mean``,
        ``accuracy_std``, ``macro_f1_mean``, ``macro_f1_std``, ``fit_seconds`` and
        ``predict_seconds`` (means per fold), ``n_tracks`` (tracks in train or test of
        some fold), ``n_folds``, ``inflation`` (for protocols that are not honest: their
        accuracy minus the reference accuracy, in points, i.e. x 100) and ``error``.

    Examples
    --------
    >>> fold = {"accuracy": 0.5, "macro_f1": 0.4, "fit_seconds": 1.0, "predict_seconds": 0.1,
    ...         "n_train": 8, "n_test": 2}
    >>> results = {"protocols": [{"name": "artist:5", "honest": True}], "pipelines": [
    ...     {"label": "a+b", "spec": "a+b", "runs": [
    ...         {"protocol": "artist:5", "error": None, "folds": [fold]}]}]}
    >>> summarize(results)[["rank", "pipeline", "accuracy_mean"]].values.tolist()
    [[1, 'a+b', 0.5]]
    """
    import pandas as pd

    honest = {p["name"]: bool(p["honest"]) for p in results.get("protocols", [])}
    order = {p["name"]: i for i, p in enumerate(results.get("protocols", []))}
    reference = reference_protocol(results)
    rows = []
    for position, pipeline in enumerate(results.get("pipelines", [])):
        for run in pipeline.get("runs", []):
            folds = [f for f in run.get("folds", []) if f.get("accuracy") is not None]
            error = run.get("error")
            rows.append(
                {
                    "pipeline": pipeline["label"],
                    "spec": pipeline["spec"],
                    "protocol": run["protocol"],
                    "honest": honest.get(run["protocol"], False),
                    "accuracy_mean": _mean([f["accuracy"] for f in folds]) if not error else None,
                    "accuracy_std": _std([f["accuracy"] for f in folds]) if not error else None,
                    "macro_f1_mean": _mean([f["macro_f1"] for f in folds]) if not error else None,
                    "macro_f1_std": _std([f["macro_f1"] for f in folds]) if not error else None,
                    "fit_seconds": _mean([f["fit_seconds"] for f in folds]) if folds else None,
                    "predict_seconds": (
                        _mean([f["predict_seconds"] for f in folds]) if folds else None
                    ),
                    "n_tracks": sum(f["n_train"] + f["n_test"] for f in folds[:1]) or None,
                    "n_folds": len(folds),
                    "error": error,
                    "_position": position,
                    "_order": order.get(run["protocol"], len(order)),
                }
            )
    columns = [
        "rank",
        "pipeline",
        "spec",
        "protocol",
        "honest",
        "accuracy_mean",
        "accuracy_std",
        "macro_f1_mean",
        "macro_f1_std",
        "fit_seconds",
        "predict_seconds",
        "n_tracks",
        "n_folds",
        "inflation",
        "error",
    ]
    if not rows:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(rows)
    reference_scores = {
        row["pipeline"]: row["accuracy_mean"]
        for row in rows
        if row["protocol"] == reference and row["accuracy_mean"] is not None
    }
    reference_is_honest = _reference_honest(results, reference)

    def inflation(name, accuracy, is_honest):
        base = reference_scores.get(name)
        if is_honest or not reference_is_honest or accuracy is None or base is None:
            return None
        return 100 * (accuracy - base)

    table["inflation"] = [
        inflation(*row)
        for row in zip(table["pipeline"], table["accuracy_mean"], table["honest"], strict=True)
    ]
    ranked = sorted(
        {name for name, score in reference_scores.items() if score == score},
        key=lambda name: (-reference_scores[name], name),
    )
    rank = {name: i + 1 for i, name in enumerate(ranked)}
    table["rank"] = [rank.get(name) for name in table["pipeline"]]
    table["_key"] = [rank.get(name, len(rank) + 1) for name in table["pipeline"]]
    table = table.sort_values(["_key", "_position", "_order"], kind="stable")
    table["rank"] = pd.Series(
        [None if r is None or r != r else int(r) for r in table["rank"]],
        index=table.index,
        dtype=object,
    )
    # pandas >= 3 stores missing strings as NaN: keep "no error" as None, a falsy value.
    table["error"] = pd.Series(
        [e if isinstance(e, str) and e else None for e in table["error"]],
        index=table.index,
        dtype=object,
    )
    return table[columns].reset_index(drop=True)


def _reference_honest(results, reference):
    # Inflation is measured against an honest reference only.
    return any(p["name"] == reference and p["honest"] for p in results.get("protocols", []))


def _fmt(value, spec=".3f"):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return format(value, spec)


def _score(mean, std):
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return ""
    return f"{mean:.3f}" + (f" ± {std:.3f}" if std is not None and std == std else "")


def _count(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(int(value))


def _protocol_label(name, honest):
    # Random protocols say what they are; anything else that leaks gets flagged.
    return name if honest or name.startswith("random") else f"{name} (not honest)"


def format_leaderboard(results, *, width=None):
    """Format the leaderboard as plain text, one row per pipeline and protocol.

    Parameters
    ----------
    results : dict
        The comparison results (see the module docstring).
    width : int or None, default=None
        Longest error text shown (None: unlimited).

    Returns
    -------
    str
        A table with columns rank, pipeline, protocol, accuracy (mean ± std over folds),
        macro-F1, fit and predict seconds (mean per fold), tracks and inflation (points
        a random split adds over the reference protocol), then one line naming the best
        honest pipeline.
    """
    summary = summarize(results)
    header = (
        "rank",
        "pipeline",
        "protocol",
        "accuracy",
        "macro-F1",
        "fit s",
        "predict s",
        "tracks",
        "inflation",
    )
    rows, errors = [], []
    last = None
    for row in summary.itertuples(index=False):
        first = row.pipeline != last
        last = row.pipeline
        protocol = _protocol_label(row.protocol, row.honest)
        if row.error:
            cells = (
                "-" if first else "",
                row.pipeline if first else "",
                protocol,
                "FAILED",
                "",
                "",
                "",
                "",
                "",
            )
            errors.append(f"  {row.pipeline} / {row.protocol}: {one_line(row.error, width)}")
        else:
            cells = (
                (str(row.rank) if row.rank is not None else "-") if first else "",
                row.pipeline if first else "",
                protocol,
                _score(row.accuracy_mean, row.accuracy_std),
                _score(row.macro_f1_mean, row.macro_f1_std),
                _fmt(row.fit_seconds, ".2f"),
                _fmt(row.predict_seconds, ".2f"),
                _count(row.n_tracks),
                _fmt(row.inflation, "+.1f") + (" pts" if _fmt(row.inflation) else ""),
            )
        rows.append(cells)
    if not rows:
        return "no results"
    table = [header, *rows]
    right = {3, 4, 5, 6, 7, 8}
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = []
    for r in table:
        cells = [
            c.rjust(w) if i in right or i == 0 else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "-" * len(lines[0]))
    if errors:
        lines += ["", "failed:", *errors]
    verdict = headline(results)
    if verdict:
        lines += ["", verdict]
    return "\n".join(lines)


def headline(results):
    """One sentence: the best honest pipeline, and what a random split would have said.

    Parameters
    ----------
    results : dict
        The comparison results (see the module docstring).

    Returns
    -------
    str
        Empty when no pipeline finished.
    """
    summary = summarize(results)
    reference = reference_protocol(results)
    best = summary[(summary["rank"] == 1) & (summary["protocol"] == reference)]
    if best.empty:
        return ""
    best = best.iloc[0]
    honest = _reference_honest(results, reference)
    text = (
        f"best{' honest' if honest else ''} pipeline under {reference}: {best['pipeline']} "
        f"(accuracy {_score(best['accuracy_mean'], best['accuracy_std'])})"
    )
    inflated = summary[(summary["pipeline"] == best["pipeline"]) & summary["inflation"].notna()]
    for row in inflated.itertuples(index=False):
        text += (
            f"; {row.protocol} would have reported {row.accuracy_mean:.3f} "
            f"({row.inflation:+.1f} points)"
        )
    if not honest:
        text += " -- no honest protocol was run: these scores may overstate accuracy"
    return text + "."


# --------------------------------------------------------------------------- files


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
        The comparison results (see the module docstring).
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


def slug(text):
    """Return a file-name-safe version of a pipeline label.

    Parameters
    ----------
    text : str
        E.g. ``"mel_patches[n_mels=64]+cnn"``.

    Returns
    -------
    str

    Examples
    --------
    >>> slug("mel_patches[n_mels=64]+cnn")
    'mel_patches_n_mels_64_cnn'
    """
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:80] or "pipeline"


# --------------------------------------------------------------------------- plots


def _figure(width, height):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _save(fig, path):
    fig.savefig(path, format="png", dpi=100)
    fig.clear()  # nothing keeps the figure alive after saving
    return Path(path)


def _reference_run(pipeline, reference):
    for run in pipeline.get("runs", []):
        if run["protocol"] == reference and not run.get("error") and run.get("folds"):
            return run
    return None


def plot_leaderboard(results, path):
    """Horizontal bars: honest accuracy per pipeline, and what a random split adds.

    Parameters
    ----------
    results : dict
        The comparison results.
    path : str or os.PathLike
        PNG to write.

    Returns
    -------
    pathlib.Path or None
        The file, or None when no pipeline has a score.
    """
    summary = summarize(results)
    reference = reference_protocol(results)
    ref = summary[(summary["protocol"] == reference) & summary["accuracy_mean"].notna()]
    if ref.empty:
        return None
    names = list(ref["pipeline"])
    honest = _reference_honest(results, reference)
    fig = _figure(11, 1.4 + 0.6 * len(names))
    ax = fig.add_subplot()
    positions = np.arange(len(names))[::-1]
    means = ref["accuracy_mean"].to_numpy(dtype=float)
    stds = np.nan_to_num(ref["accuracy_std"].to_numpy(dtype=float))
    ax.barh(
        positions,
        means,
        xerr=stds,
        color=_HONEST if honest else _OTHER,
        height=0.6,
        error_kw={"ecolor": "#1b1b1b", "capsize": 3, "lw": 1},
        label=f"{reference}{' (honest)' if honest else ''}",
        zorder=3,
    )
    shown_inflation = False
    others = summary[(summary["protocol"] != reference) & summary["accuracy_mean"].notna()]
    marker_protocols = []
    for y, name, mean in zip(positions, names, means, strict=True):
        rows = others[others["pipeline"] == name]
        inflated = rows[rows["inflation"].notna()]
        if len(inflated):
            top = float(inflated["accuracy_mean"].iloc[0])
            if top > mean:
                ax.barh(
                    y,
                    top - mean,
                    left=mean,
                    height=0.6,
                    color=_INFLATION,
                    alpha=0.55,
                    hatch="///",
                    edgecolor=_INFLATION,
                    label=None if shown_inflation else f"added by {inflated['protocol'].iloc[0]}",
                    zorder=2,
                )
                shown_inflation = True
            else:  # the random split scored lower: mark where
                ax.plot(top, y, marker="|", markersize=16, mew=2, color=_INFLATION, zorder=5)
            ax.text(
                max(top, mean + stds[list(names).index(name)]) + 0.01,
                y,
                f"{100 * (top - mean):+.1f} pts",
                va="center",
                fontsize=9,
                color="#a0520f",
            )
        inside = mean > 0.08  # short bars get their value in dark text beside them
        ax.text(
            0.01 if inside else mean + 0.01,
            y,
            f"{mean:.3f}",
            va="center",
            ha="left",
            fontsize=9,
            color="white" if inside else "#1b1b1b",
            zorder=4,
        )
        for row in rows[rows["inflation"].isna()].itertuples(index=False):
            if row.protocol not in marker_protocols:
                marker_protocols.append(row.protocol)
            ax.plot(
                row.accuracy_mean,
                y,
                marker="Dd^s"[marker_protocols.index(row.protocol) % 4],
                color="#111111",
                linestyle="none",
                zorder=5,
                label=row.protocol,
            )
    n_genres = results.get("dataset", {}).get("n_genres") or 0
    if n_genres:
        ax.axvline(1 / n_genres, color="#888888", ls="--", lw=1, zorder=1)
        ax.text(1 / n_genres, -0.62, " chance", color="#666666", fontsize=8, va="center")
    ax.set_yticks(positions, names)
    ax.set_ylim(-0.85, len(names) - 0.4)
    ax.set_xlim(0, 1.08)
    ax.set_xlabel("accuracy (mean over folds, error bar = std)")
    ax.grid(axis="x", color="#dddddd", zorder=0)
    ax.spines[["top", "right"]].set_visible(False)
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(
        unique.values(),
        unique.keys(),
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=4,
        frameon=False,
        fontsize=9,
    )
    return _save(fig, path)


def plot_confusion(y_true, y_pred, labels, path, *, title=""):
    """Confusion matrix, coloured by row share (recall), annotated with counts.

    Parameters
    ----------
    y_true, y_pred : sequence of str
        True and predicted genres, pooled over folds.
    labels : sequence of str
        Genres in display order.
    path : str or os.PathLike
        PNG to write.
    title : str, default=""
        Figure title.

    Returns
    -------
    pathlib.Path
    """
    from sklearn.metrics import confusion_matrix

    labels = list(labels)
    counts = confusion_matrix(list(y_true), list(y_pred), labels=labels)
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    size = 2.2 + 0.45 * len(labels)
    fig = _figure(size + 0.8, size)
    ax = fig.add_subplot()
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for (i, j), count in np.ndenumerate(counts):
        if count:
            ax.text(
                j,
                i,
                str(count),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if share[i, j] > 0.55 else "#1b1b1b",
            )
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title, fontsize=9)
    fig.colorbar(image, ax=ax, shrink=0.8, label="share of the true genre")
    return _save(fig, path)


def per_genre_f1(y_true, y_pred, labels):
    """F1 of every genre (pooled predictions).

    Parameters
    ----------
    y_true, y_pred : sequence of str
        True and predicted genres.
    labels : sequence of str
        Genres.

    Returns
    -------
    np.ndarray of float [shape=(len(labels),)]

    Examples
    --------
    >>> per_genre_f1(["a", "a", "b"], ["a", "b", "b"], ["a", "b"]).round(3).tolist()
    [0.667, 0.667]
    """
    from sklearn.metrics import f1_score

    return f1_score(list(y_true), list(y_pred), labels=list(labels), average=None, zero_division=0)


def plot_per_genre_f1(scores, labels, path, *, title=""):
    """Plot grouped bars of F1 per genre, one bar per pipeline.

    Parameters
    ----------
    scores : dict of str to array-like
        Pipeline label -> F1 per genre (in the order of ``labels``).
    labels : sequence of str
        Genres.
    path : str or os.PathLike
        PNG to write.
    title : str, default=""
        Figure title.

    Returns
    -------
    pathlib.Path
    """
    from matplotlib import colormaps

    labels = list(labels)
    n = max(len(scores), 1)
    fig = _figure(max(7.0, 0.55 * len(labels) * (1 + 0.25 * n)), 3.8)
    ax = fig.add_subplot()
    width = 0.8 / n
    colours = colormaps["tab10"]
    for i, (name, values) in enumerate(scores.items()):
        x = np.arange(len(labels)) - 0.4 + width * (i + 0.5)
        ax.bar(x, values, width=width, label=name, color=colours(i % 10), zorder=3)
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("F1")
    ax.grid(axis="y", color="#dddddd", zorder=0)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(n, 3), frameon=False, fontsize=8
    )
    if title:
        fig.suptitle(title, fontsize=10)
    return _save(fig, path)


def plot_learning_curves(histories, path, *, title=""):
    """Loss and accuracy per epoch of every fold (train solid, validation dashed).

    Parameters
    ----------
    histories : list of dict
        One Keras ``history_`` per fold (``loss``, ``val_loss``, ``accuracy``,
        ``val_accuracy``; missing keys are skipped).
    path : str or os.PathLike
        PNG to write.
    title : str, default=""
        Figure title.

    Returns
    -------
    pathlib.Path
    """
    fig = _figure(10, 3.6)
    axes = fig.subplots(1, 2)
    for ax, metric in zip(axes, ("loss", "accuracy"), strict=True):
        for i, history in enumerate(histories):
            colour = _FOLD_COLOURS[i % len(_FOLD_COLOURS)]
            for key, style in ((metric, "-"), (f"val_{metric}", "--")):
                values = (history or {}).get(key)
                if values:
                    epochs = np.arange(1, len(values) + 1)
                    label = f"fold {i}" if style == "-" else None
                    ax.plot(epochs, values, style, color=colour, label=label, lw=1.4)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.grid(color="#e3e3e3")
        ax.spines[["top", "right"]].set_visible(False)
        validated = any(f"val_{metric}" in (history or {}) for history in histories)
        legend = "solid: training, dashed: validation" if validated else "training"
        ax.set_title(f"{metric} ({legend})", fontsize=9)
    axes[0].legend(fontsize=8, frameon=False)
    if title:
        fig.suptitle(title, fontsize=10)
    return _save(fig, path)


# --------------------------------------------------------------------------- reports


def _pooled(run):
    y_true, y_pred = [], []
    for fold in run["folds"]:
        y_true += list(fold.get("y_true") or [])
        y_pred += list(fold.get("y_pred") or [])
    return y_true, y_pred


def make_figures(results, out_dir):
    """Draw every figure of the report into ``out_dir``.

    Parameters
    ----------
    results : dict
        The comparison results.
    out_dir : str or os.PathLike
        Output folder.

    Returns
    -------
    dict
        ``{"leaderboard": path or None, "per_genre_f1": path or None,
        "confusion": {label: path}, "learning_curves": {label: path}}``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    reference = reference_protocol(results)
    genres = list(results.get("dataset", {}).get("genres") or [])
    figures = {
        "leaderboard": plot_leaderboard(results, out_dir / "leaderboard.png"),
        "per_genre_f1": None,
        "confusion": {},
        "learning_curves": {},
    }
    order = [name for name in dict.fromkeys(summarize(results)["pipeline"])]
    pipelines = sorted(
        results.get("pipelines", []),
        key=lambda p: order.index(p["label"]) if p["label"] in order else len(order),
    )
    f1 = {}
    for pipeline in pipelines:
        run = _reference_run(pipeline, reference)
        if run is None:
            continue
        y_true, y_pred = _pooled(run)
        labels = genres or sorted(set(y_true) | set(y_pred))
        if y_true:
            accuracy = float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
            figures["confusion"][pipeline["label"]] = plot_confusion(
                y_true,
                y_pred,
                labels,
                out_dir / f"confusion_{slug(pipeline['label'])}.png",
                title=f"{pipeline['label']}: {reference}, {len(run['folds'])} fold(s) pooled, "
                f"accuracy {accuracy:.3f}",
            )
            f1[pipeline["label"]] = per_genre_f1(y_true, y_pred, labels)
        histories = [fold.get("history") for fold in run["folds"] if fold.get("history")]
        if histories:
            figures["learning_curves"][pipeline["label"]] = plot_learning_curves(
                histories,
                out_dir / f"learning_curves_{slug(pipeline['label'])}.png",
                title=f"{pipeline['label']}: learning curves per fold ({reference})",
            )
    if f1:
        figures["per_genre_f1"] = plot_per_genre_f1(
            f1,
            genres or _labels_of(results),
            out_dir / "per_genre_f1.png",
            title=f"F1 per genre ({reference}, folds pooled)",
        )
    return figures


def _labels_of(results):
    labels = set()
    for pipeline in results.get("pipelines", []):
        for run in pipeline.get("runs", []):
            for fold in run.get("folds", []):
                labels |= set(fold.get("y_true") or [])
    return sorted(labels)


def _data_uri(path):
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"data:image/png;base64,{data}"


_CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
margin:0;background:#f4f5f7;color:#1d2430;line-height:1.45}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:34px 0 10px;
border-bottom:2px solid #dfe3e8;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.sub{color:#5a6473;margin:0 0 18px;font-size:14px}
.verdict{background:#fff;border-left:6px solid #2f6fb0;padding:14px 18px;border-radius:6px;
box-shadow:0 1px 3px rgba(0,0,0,.08);font-size:16px}
.verdict .big{font-size:21px;font-weight:600}
.verdict .warn{color:#a0520f;font-weight:600}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:14px 0}
.card{background:#fff;border-radius:6px;padding:10px 14px;min-width:150px;
box-shadow:0 1px 3px rgba(0,0,0,.08)}.card b{display:block;font-size:18px}
.card span{color:#5a6473;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
table{border-collapse:collapse;background:#fff;font-size:13px;width:100%;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
th,td{padding:6px 10px;border-bottom:1px solid #e7eaee;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.best td{background:#eaf3ff;font-weight:600}tr.random td{color:#6b5a44;background:#fffaf3}
tr.failed td{color:#b42318;background:#fff5f4}.infl{color:#a0520f;font-weight:600}
.pill{display:inline-block;font-size:11px;padding:1px 7px;border-radius:9px;margin-left:4px}
.pill.honest{background:#e3eefb;color:#1f4f86}.pill.random{background:#fde8d4;color:#8a4510}
img{max-width:100%;height:auto;background:#fff;border-radius:6px;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px}
figure{margin:0}figcaption{font-size:12px;color:#5a6473;margin-top:4px}
code,pre{font-family:SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
pre{background:#fff;padding:10px 12px;border-radius:6px;overflow-x:auto;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;font-size:13px}
dt{color:#5a6473}dd{margin:0}
"""


def _verdict(results, summary, reference):
    best = summary[(summary["rank"] == 1) & (summary["protocol"] == reference)]
    honest = _reference_honest(results, reference)
    if best.empty:
        return "<p>No pipeline finished.</p>"
    best = best.iloc[0]
    esc = html.escape
    text = (
        f'<div class="big">Winner under {esc(reference)}'
        f"{' (artist-filtered, honest)' if honest else ''}: {esc(best['pipeline'])}"
        f" &mdash; accuracy {_score(best['accuracy_mean'], best['accuracy_std'])}</div>"
    )
    inflated = summary[(summary["pipeline"] == best["pipeline"]) & summary["inflation"].notna()]
    for row in inflated.itertuples(index=False):
        text += (
            f"<div>A random split ({esc(row.protocol)}) would have reported "
            f"{row.accuracy_mean:.3f}: "
            f'<span class="warn">{row.inflation:+.1f} points of inflation</span>.</div>'
        )
    if not honest:
        text += (
            '<div class="warn">No honest protocol was run: these scores may overstate '
            "accuracy on unseen artists.</div>"
        )
    elif summary["honest"].all():
        text += (
            "<div>No random split was run; add <code>random:5</code> to "
            "<code>--protocol</code> to see how much one would flatter these scores.</div>"
        )
    all_inflation = summary["inflation"].dropna()
    if len(all_inflation) > 1:
        text += (
            f"<div>Across pipelines a random split moves accuracy by "
            f"{all_inflation.min():+.1f} to {all_inflation.max():+.1f} points.</div>"
        )
    return f'<div class="verdict">{text}</div>'


def _html_table(summary, best_name):
    esc = html.escape
    head = (
        "<tr><th>rank</th><th>pipeline</th><th>protocol</th><th>accuracy</th>"
        "<th>macro-F1</th><th>fit s</th><th>predict s</th><th>tracks</th>"
        "<th>inflation</th></tr>"
    )
    body, last = [], None
    for row in summary.itertuples(index=False):
        first = row.pipeline != last
        last = row.pipeline
        pill = (
            '<span class="pill honest">honest</span>'
            if row.honest
            else '<span class="pill random">'
            f"{'random' if row.protocol.startswith('random') else 'not honest'}</span>"
        )
        name = f'<span title="{esc(row.spec)}">{esc(row.pipeline)}</span>' if first else ""
        rank = (str(row.rank) if row.rank is not None else "&ndash;") if first else ""
        if row.error:
            body.append(
                f'<tr class="failed"><td>{rank}</td><td>{name}</td><td>{esc(row.protocol)}'
                f'{pill}</td><td colspan="6">failed: {esc(one_line(row.error, 300))}</td></tr>'
            )
            continue
        css = "best" if row.pipeline == best_name and row.honest else ""
        css = "random" if not row.honest else css
        inflation = (
            f'<span class="infl">{row.inflation:+.1f} pts</span>'
            if row.inflation is not None and row.inflation == row.inflation
            else ""
        )
        body.append(
            f'<tr class="{css}"><td>{rank}</td><td>{name}</td><td>{esc(row.protocol)}{pill}</td>'
            f'<td class="num">{_score(row.accuracy_mean, row.accuracy_std)}</td>'
            f'<td class="num">{_score(row.macro_f1_mean, row.macro_f1_std)}</td>'
            f'<td class="num">{_fmt(row.fit_seconds, ".2f")}</td>'
            f'<td class="num">{_fmt(row.predict_seconds, ".2f")}</td>'
            f'<td class="num">{_count(row.n_tracks)}</td><td class="num">{inflation}</td></tr>'
        )
    return f"<table>{head}{''.join(body)}</table>"


def _write_html(results, figures, summary, path):
    esc = html.escape
    reference = reference_protocol(results)
    dataset = results.get("dataset", {})
    best = summary[(summary["rank"] == 1) & (summary["protocol"] == reference)]
    best_name = best["pipeline"].iloc[0] if len(best) else None
    protocols = ", ".join(
        f"{esc(p['name'])} ({'honest' if p['honest'] else 'random, for comparison'})"
        for p in results.get("protocols", [])
    )
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>mir_genre comparison: {esc(dataset.get('name', ''))}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>Genre classification: {esc(dataset.get('name', ''))}</h1>",
        f"<p class='sub'>{dataset.get('n_tracks', '?')} tracks, "
        f"{dataset.get('n_genres', '?')} genres, {dataset.get('n_artists', '?')} artists "
        f"&middot; protocols: {protocols} &middot; {esc(results.get('created', ''))}</p>",
        _verdict(results, summary, reference),
    ]
    if results.get("interrupted"):
        parts.append(
            "<p class='warn'><b>The run was interrupted</b>: only finished pipelines are "
            "shown.</p>"
        )
    parts.append("<h2>Leaderboard</h2>")
    if figures.get("leaderboard"):
        parts.append(
            f"<figure><img alt='accuracy per pipeline' src='{_data_uri(figures['leaderboard'])}'>"
            "<figcaption>Blue: accuracy under the honest protocol (mean over folds, error bar "
            "= std). Orange hatched: what a random split adds on top.</figcaption></figure>"
        )
    parts.append(_html_table(summary, best_name))
    specs = [
        (p["label"], p["spec"]) for p in results.get("pipelines", []) if p["label"] != p["spec"]
    ]
    if specs:
        parts.append(
            "<h3>Pipeline specs</h3><dl>"
            + "".join(f"<dt>{esc(a)}</dt><dd><code>{esc(b)}</code></dd>" for a, b in specs)
            + "</dl>"
        )
    if figures.get("per_genre_f1"):
        parts.append(
            "<h2>Per-genre F1</h2>"
            f"<figure><img alt='F1 per genre' src='{_data_uri(figures['per_genre_f1'])}'>"
            f"<figcaption>Predictions of all folds of {esc(reference or '')} pooled."
            "</figcaption></figure>"
        )
    if figures.get("confusion"):
        parts.append("<h2>Confusion matrices</h2><div class='grid'>")
        for label, png in figures["confusion"].items():
            parts.append(
                f"<figure><img alt='confusion matrix of {esc(label)}' src='{_data_uri(png)}'>"
                f"<figcaption>{esc(label)} ({esc(reference or '')}, folds pooled; colour = "
                "share of the true genre, numbers = tracks)</figcaption></figure>"
            )
        parts.append("</div>")
    if figures.get("learning_curves"):
        parts.append("<h2>Learning curves (deep models)</h2>")
        for label, png in figures["learning_curves"].items():
            parts.append(
                f"<figure><img alt='learning curves of {esc(label)}' src='{_data_uri(png)}'>"
                f"<figcaption>{esc(label)}</figcaption></figure>"
            )
    notes = [
        f"{esc(p['label'])} / {esc(run['protocol'])}: {esc(w)}"
        for p in results.get("pipelines", [])
        for run in p.get("runs", [])
        for w in run.get("warnings", [])
    ] + [esc(n) for n in results.get("notes", [])]
    if notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{n}</li>" for n in notes) + "</ul>")
    versions = results.get("versions", {})
    facts = [
        ("command", f"<code>{esc(results.get('command', ''))}</code>"),
        ("dataset sha256", f"<code>{esc(dataset.get('sha256', ''))}</code>"),
        ("seed", esc(str(results.get("seed")))),
        ("keras backend", esc(str(results.get("keras_backend") or "not used"))),
        ("versions", esc(", ".join(f"{k} {v}" for k, v in versions.items()))),
    ]
    parts.append(
        "<h2>Reproducibility</h2><dl>"
        + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
        + "</dl><p class='sub'>Every fold and parameter: results.json; one row per fold: "
        "results.csv.</p></main></body></html>"
    )
    atomic_write(path, "\n".join(parts) + "\n")
    return Path(path)


def _md_table(summary):
    lines = [
        "| rank | pipeline | protocol | accuracy | macro-F1 | fit s | predict s | tracks "
        "| inflation |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in summary.itertuples(index=False):
        rank = str(row.rank) if row.rank is not None else "-"
        protocol = _protocol_label(row.protocol, row.honest)
        if row.error:
            lines.append(
                f"| {rank} | {row.pipeline} | {protocol} | failed: "
                f"{one_line(row.error, 200).replace('|', '/')} | | | | | |"
            )
            continue
        inflation = (
            f"{row.inflation:+.1f} pts"
            if row.inflation is not None and row.inflation == row.inflation
            else ""
        )
        lines.append(
            f"| {rank} | {row.pipeline} | {protocol} | "
            f"{_score(row.accuracy_mean, row.accuracy_std)} | "
            f"{_score(row.macro_f1_mean, row.macro_f1_std)} | {_fmt(row.fit_seconds, '.2f')} | "
            f"{_fmt(row.predict_seconds, '.2f')} | {_count(row.n_tracks)} | {inflation} |"
        )
    return lines


def _write_markdown(results, figures, summary, path):
    reference = reference_protocol(results)
    dataset = results.get("dataset", {})
    lines = [
        f"# Genre classification: {dataset.get('name', '')}",
        "",
        f"{dataset.get('n_tracks', '?')} tracks, {dataset.get('n_genres', '?')} genres, "
        f"{dataset.get('n_artists', '?')} artists; protocols: "
        + ", ".join(
            f"{p['name']} ({'honest' if p['honest'] else 'random'})"
            for p in results.get("protocols", [])
        ),
        "",
        f"**{headline(results) or 'No pipeline finished.'}**",
        "",
        "## Leaderboard",
        "",
    ]
    if figures.get("leaderboard"):
        lines += [f"![accuracy per pipeline]({Path(figures['leaderboard']).name})", ""]
    lines += _md_table(summary)
    specs = [p for p in results.get("pipelines", []) if p["label"] != p["spec"]]
    if specs:
        lines += ["", "Pipeline specs:", ""] + [f"- {p['label']}: `{p['spec']}`" for p in specs]
    if figures.get("per_genre_f1"):
        lines += [
            "",
            "## Per-genre F1",
            "",
            f"![F1 per genre]({Path(figures['per_genre_f1']).name})",
        ]
    if figures.get("confusion"):
        lines += ["", f"## Confusion matrices ({reference}, folds pooled)", ""]
        for label, png in figures["confusion"].items():
            lines += [f"### {label}", "", f"![confusion matrix of {label}]({Path(png).name})", ""]
    if figures.get("learning_curves"):
        lines += ["", "## Learning curves (deep models)", ""]
        for label, png in figures["learning_curves"].items():
            lines += [f"![learning curves of {label}]({Path(png).name})", ""]
    versions = results.get("versions", {})
    lines += [
        "",
        "## Reproducibility",
        "",
        f"- command: `{results.get('command', '')}`",
        f"- dataset sha256: `{dataset.get('sha256', '')}`",
        f"- seed: {results.get('seed')}",
        f"- keras backend: {results.get('keras_backend') or 'not used'}",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        "",
    ]
    atomic_write(path, "\n".join(lines))
    return Path(path)


def write_report(results, out_dir):
    """Write the figures, ``report.md`` (linking them) and a self-contained ``report.html``.

    ``report.html`` embeds every figure as a base64 data URI and carries its CSS inline:
    it can be mailed or archived alone.  Figures: ``leaderboard.png`` (honest accuracy
    per pipeline with the inflation of a random split), ``per_genre_f1.png``,
    ``confusion_<pipeline>.png`` (reference protocol, folds pooled) and, for deep
    models, ``learning_curves_<pipeline>.png``.

    Parameters
    ----------
    results : dict
        The comparison results (see the module docstring).
    out_dir : str or os.PathLike
        Output folder (created if missing).

    Returns
    -------
    list of pathlib.Path
        Every file written.
    """
    out_dir = Path(out_dir)
    figures = make_figures(results, out_dir)
    summary = summarize(results)
    html_path = _write_html(results, figures, summary, out_dir / "report.html")
    md_path = _write_markdown(results, figures, summary, out_dir / "report.md")
    pngs = [figures["leaderboard"], figures["per_genre_f1"]]
    pngs += list(figures["confusion"].values()) + list(figures["learning_curves"].values())
    return [p for p in pngs if p is not None] + [html_path, md_path]
