"""Plain-text and Markdown renderings of the leaderboard (`build_leaderboard`'s rows).

The text table is what ``python -m mir_genre.compare`` prints; the Markdown report is
``report.md``.  Both lay out the rows and the verdict of one `Leaderboard`, so they
agree with each other and with the HTML report on every rank, score and failure.
"""

from pathlib import Path

from .._common import one_line
from .summary import build_leaderboard

__all__ = ["format_leaderboard", "headline", "render_markdown"]

_HEADER = (
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


def format_leaderboard(results, *, width=None):
    """Format the leaderboard as plain text, one row per pipeline and protocol.

    Parameters
    ----------
    results : dict
        The comparison results (see `mir_genre.report`).
    width : int or None, default=None
        Longest error text shown (None: unlimited).

    Returns
    -------
    str
        A table with columns rank, pipeline, protocol, accuracy (mean ± std over folds),
        macro-F1, fit and predict seconds (mean per fold), tracks and inflation (points
        a random split adds over the reference protocol), then one line naming the best
        honest pipeline.

    See Also
    --------
    headline : The last line alone.
    """
    board = build_leaderboard(results)
    rows, errors = [], []
    for row in board.rows:
        rank = ("-" if row.rank is None else str(row.rank)) if row.first else ""
        name = row.pipeline if row.first else ""
        if row.error:
            rows.append((rank, name, row.protocol_label, "FAILED", "", "", "", "", ""))
            errors.append(f"  {row.pipeline} / {row.protocol}: {one_line(row.error, width)}")
            continue
        rows.append(
            (
                rank,
                name,
                row.protocol_label,
                row.accuracy,
                row.macro_f1,
                row.fit_seconds,
                row.predict_seconds,
                row.tracks,
                row.inflation,
            )
        )
    if not rows:
        return "no results"
    table = [_HEADER, *rows]
    left = {1, 2}  # names left-aligned, numbers (and the rank) right-aligned
    widths = [max(len(r[i]) for r in table) for i in range(len(_HEADER))]
    lines = []
    for r in table:
        cells = [
            c.ljust(w) if i in left else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "-" * len(lines[0]))
    if errors:
        lines += ["", "failed:", *errors]
    verdict = _headline(board)
    if verdict:
        lines += ["", verdict]
    return "\n".join(lines)


def headline(results):
    """One sentence: the best honest pipeline, and what a random split would have said.

    Parameters
    ----------
    results : dict
        The comparison results (see `mir_genre.report`).

    Returns
    -------
    str
        Empty when no pipeline finished.

    Examples
    --------
    >>> fold = {"accuracy": 0.5, "macro_f1": 0.4, "fit_seconds": 1.0, "predict_seconds": 0.1,
    ...         "n_train": 8, "n_test": 2}
    >>> headline({"protocols": [{"name": "artist:5", "honest": True}], "pipelines": [
    ...     {"label": "a+b", "spec": "a+b", "runs": [
    ...         {"protocol": "artist:5", "error": None, "folds": [fold, fold]}]}]})
    'best honest pipeline under artist:5: a+b (accuracy 0.500 ± 0.000).'
    """
    return _headline(build_leaderboard(results))


def _headline(board):
    winner = board.winner
    if winner is None:
        return ""
    text = (
        f"best{' honest' if board.honest else ''} pipeline under {board.reference}: "
        f"{winner.pipeline} (accuracy {winner.accuracy})"
    )
    for other in winner.inflated:
        text += f"; {other.protocol} would have reported {other.accuracy} ({other.points} points)"
    if not board.honest:
        text += " -- no honest protocol was run: these scores may overstate accuracy"
    return text + "."


def _markdown_table(board):
    lines = [
        "| rank | pipeline | protocol | accuracy | macro-F1 | fit s | predict s | tracks "
        "| inflation |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in board.rows:
        start = (
            f"| {'-' if row.rank is None else row.rank} | {row.pipeline} | {row.protocol_label}"
        )
        if row.error:
            # A '|' in an error message would end its cell.
            error = one_line(row.error, 200).replace("|", "/")
            lines.append(f"{start} | failed: {error} | | | | | |")
            continue
        cells = (
            row.accuracy,
            row.macro_f1,
            row.fit_seconds,
            row.predict_seconds,
            row.tracks,
            row.inflation,
        )
        lines.append(" | ".join((start, *cells)) + " |")
    return lines


def render_markdown(results, figures, board):
    """Render ``report.md``: the leaderboard and links to the figures next to it.

    Parameters
    ----------
    results : dict
        The comparison results (see `mir_genre.report`).
    figures : dict
        What `make_figures` returned; figures are linked by file name.
    board : Leaderboard
        ``build_leaderboard(results)``.

    Returns
    -------
    str
        The Markdown text.
    """
    reference = board.reference
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
        f"**{_headline(board) or 'No pipeline finished.'}**",
        "",
        "## Leaderboard",
        "",
    ]
    if figures.get("leaderboard"):
        lines += [f"![accuracy per pipeline]({Path(figures['leaderboard']).name})", ""]
    lines += _markdown_table(board)
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
    return "\n".join(lines)
