"""The figures of a comparison report, drawn with matplotlib.

Each figure is a `matplotlib.figure.Figure` rendered by the Agg canvas and saved as
PNG: no pyplot state, no window, nothing left open after saving.  `make_figures` draws
every figure a report shows; the ``plot_*`` functions draw one each.
"""

import re
from pathlib import Path

import numpy as np

from .summary import reference_is_honest, reference_protocol, summarize

__all__ = [
    "make_figures",
    "per_genre_f1",
    "plot_confusion",
    "plot_learning_curves",
    "plot_leaderboard",
    "plot_per_genre_f1",
    "slug",
]

# Colours: honest scores blue, the part a random split adds orange, failures red.
_HONEST = "#2f6fb0"
_INFLATION = "#e8862a"
_OTHER = "#4d4d4d"
_FOLD_COLOURS = ("#2f6fb0", "#e8862a", "#3a9d5d", "#c0392b", "#8e5ea2", "#7f7f7f")


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
    honest = reference_is_honest(results, reference)
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
