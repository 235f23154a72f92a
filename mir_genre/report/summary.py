"""The summary model of a comparison: one table of scores and one list of leaderboard rows.

`summarize` turns the results dictionary into numbers (one row per pipeline and
protocol, ranked); `build_leaderboard` turns those numbers into the formatted rows and
the verdict that every renderer shows.  Rank, failures, inflation and the winner are
worked out here once: the text, Markdown and HTML renderers only lay the strings out.
"""

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Inflated",
    "Leaderboard",
    "LeaderboardRow",
    "Winner",
    "build_leaderboard",
    "reference_protocol",
    "summarize",
]

#: Columns of the table `summarize` returns.
SUMMARY_COLUMNS = (
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
)


def reference_protocol(results):
    """Return the protocol pipelines are ranked by: the first artist-filtered honest one.

    Parameters
    ----------
    results : dict
        The comparison results (see `mir_genre.report`).

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


def reference_is_honest(results, reference):
    """Tell whether the reference protocol is honest (inflation is measured against it only).

    Parameters
    ----------
    results : dict
        The comparison results (see `mir_genre.report`).
    reference : str or None
        A protocol name, usually ``reference_protocol(results)``.

    Returns
    -------
    bool

    Examples
    --------
    >>> reference_is_honest({"protocols": [{"name": "random:5", "honest": False}]}, "random:5")
    False
    """
    return any(p["name"] == reference and p["honest"] for p in results.get("protocols", []))


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
        The comparison results (see `mir_genre.report`).

    Returns
    -------
    pandas.DataFrame
        Columns ``rank`` (1 = best; None for a pipeline without a reference score),
        ``pipeline``, ``spec``, ``protocol``, ``honest``, ``accuracy_mean``,
        ``accuracy_std``, ``macro_f1_mean``, ``macro_f1_std``, ``fit_seconds`` and
        ``predict_seconds`` (means per fold), ``n_tracks`` (tracks in train or test of
        some fold), ``n_folds``, ``inflation`` (for protocols that are not honest: their
        accuracy minus the reference accuracy, in points, i.e. x 100) and ``error``.

    See Also
    --------
    build_leaderboard : The same rows, formatted for display.

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
    if not rows:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    table = pd.DataFrame(rows)
    reference_scores = {
        row["pipeline"]: row["accuracy_mean"]
        for row in rows
        if row["protocol"] == reference and row["accuracy_mean"] is not None
    }
    honest_reference = reference_is_honest(results, reference)

    def inflation(name, accuracy, is_honest):
        base = reference_scores.get(name)
        if is_honest or not honest_reference or accuracy is None or base is None:
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
    return table[list(SUMMARY_COLUMNS)].reset_index(drop=True)


# --------------------------------------------------------------------------- formatting


def _missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def _fmt(value, spec):
    return "" if _missing(value) else format(value, spec)


def _score(mean, std):
    if _missing(mean):
        return ""
    return f"{mean:.3f}" + ("" if _missing(std) else f" ± {std:.3f}")


def _count(value):
    return "" if _missing(value) else str(int(value))


def _points(value):
    return "" if _missing(value) else f"{value:+.1f} pts"


def _protocol_kind(name, honest):
    if honest:
        return "honest"
    return "random" if name.startswith("random") else "not honest"


@dataclass(frozen=True)
class LeaderboardRow:
    """One formatted row of the leaderboard: one pipeline under one protocol.

    Every score is a ready-made string (empty when there is nothing to show), so the
    renderers only place them.

    Attributes
    ----------
    rank : int or None
        1 = best; None for a pipeline without a score under the reference protocol.
    first : bool
        Whether this is the pipeline's first row (tables name a pipeline once).
    pipeline, spec : str
        The pipeline's short label and its full spec.
    protocol : str
        The protocol's name, e.g. ``"artist:5"``.
    protocol_kind : {"honest", "random", "not honest"}
        How far the protocol's scores can be trusted.
    protocol_label : str
        The protocol's name, with `` (not honest)`` after one that leaks without being
        a random split (a random split says what it is).
    honest : bool
        Whether the protocol is artist- and track-disjoint.
    best : bool
        An honest row of the winning pipeline.
    accuracy, macro_f1 : str
        Mean ± std over folds, e.g. ``"0.750 ± 0.083"``.
    fit_seconds, predict_seconds : str
        Mean seconds per fold, e.g. ``"1.50"``.
    tracks : str
        Tracks in one fold's train and test sets.
    inflation : str
        What the protocol adds over the honest reference, e.g. ``"+16.7 pts"``.
    error : str or None
        Why the run failed (None when it did not); the renderers shorten it.
    """

    rank: int | None
    first: bool
    pipeline: str
    spec: str
    protocol: str
    protocol_kind: str
    protocol_label: str
    honest: bool
    best: bool
    accuracy: str
    macro_f1: str
    fit_seconds: str
    predict_seconds: str
    tracks: str
    inflation: str
    error: str | None


@dataclass(frozen=True)
class Inflated:
    """What a leaking protocol reported for the winner.

    Attributes
    ----------
    protocol : str
        The protocol, e.g. ``"random:5"``.
    accuracy : str
        Its mean accuracy, e.g. ``"0.917"``.
    points : str
        Its accuracy minus the honest one, in points, e.g. ``"+16.7"``.
    """

    protocol: str
    accuracy: str
    points: str


@dataclass(frozen=True)
class Winner:
    """The best pipeline under the reference protocol.

    Attributes
    ----------
    pipeline : str
        Its label.
    accuracy : str
        Mean ± std over folds under the reference protocol.
    inflated : tuple of Inflated
        What each leaking protocol reported for it (none without an honest reference).
    """

    pipeline: str
    accuracy: str
    inflated: tuple[Inflated, ...]


@dataclass(frozen=True)
class Leaderboard:
    """Everything a leaderboard shows, formatted once for every renderer.

    Attributes
    ----------
    reference : str or None
        The protocol pipelines are ranked by (`reference_protocol`).
    honest : bool
        Whether that protocol is honest.
    rows : tuple of LeaderboardRow
        One per pipeline and protocol, best pipeline first, failed pipelines last.
    winner : Winner or None
        None when no pipeline finished.
    all_honest : bool
        Whether every row is honest (no random split was run).
    inflation_range : tuple of str or None
        Smallest and largest inflation over all pipelines (e.g. ``("+16.7", "+20.0")``),
        when more than one was measured.
    """

    reference: str | None
    honest: bool
    rows: tuple[LeaderboardRow, ...]
    winner: Winner | None
    all_honest: bool
    inflation_range: tuple[str, str] | None


def build_leaderboard(results):
    """Format the leaderboard once: ranks, scores, failures, inflation and the winner.

    Parameters
    ----------
    results : dict
        The comparison results (see `mir_genre.report`).

    Returns
    -------
    Leaderboard

    See Also
    --------
    summarize : The unformatted numbers.
    format_leaderboard : The leaderboard as plain text.

    Examples
    --------
    >>> fold = {"accuracy": 0.5, "macro_f1": 0.4, "fit_seconds": 1.0, "predict_seconds": 0.1,
    ...         "n_train": 8, "n_test": 2}
    >>> results = {"protocols": [{"name": "artist:5", "honest": True}], "pipelines": [
    ...     {"label": "a+b", "spec": "a+b", "runs": [
    ...         {"protocol": "artist:5", "error": None, "folds": [fold]}]}]}
    >>> board = build_leaderboard(results)
    >>> row = board.rows[0]
    >>> row.rank, row.pipeline, row.accuracy, row.tracks, row.best
    (1, 'a+b', '0.500', '10', True)
    >>> board.winner.pipeline
    'a+b'
    """
    summary = summarize(results)
    reference = reference_protocol(results)
    winners = summary[(summary["rank"] == 1) & (summary["protocol"] == reference)]
    best = winners.iloc[0] if len(winners) else None
    winner = None
    if best is not None:
        inflated = summary[
            (summary["pipeline"] == best["pipeline"]) & summary["inflation"].notna()
        ]
        winner = Winner(
            pipeline=best["pipeline"],
            accuracy=_score(best["accuracy_mean"], best["accuracy_std"]),
            inflated=tuple(
                Inflated(row.protocol, f"{row.accuracy_mean:.3f}", f"{row.inflation:+.1f}")
                for row in inflated.itertuples(index=False)
            ),
        )
    rows, last = [], None
    for row in summary.itertuples(index=False):
        first = row.pipeline != last
        last = row.pipeline
        failed = bool(row.error)
        kind = _protocol_kind(row.protocol, row.honest)
        rows.append(
            LeaderboardRow(
                rank=row.rank,
                first=first,
                pipeline=row.pipeline,
                spec=row.spec,
                protocol=row.protocol,
                protocol_kind=kind,
                protocol_label=row.protocol + (" (not honest)" if kind == "not honest" else ""),
                honest=bool(row.honest),
                best=bool(winner and row.pipeline == winner.pipeline and row.honest),
                accuracy="" if failed else _score(row.accuracy_mean, row.accuracy_std),
                macro_f1="" if failed else _score(row.macro_f1_mean, row.macro_f1_std),
                fit_seconds="" if failed else _fmt(row.fit_seconds, ".2f"),
                predict_seconds="" if failed else _fmt(row.predict_seconds, ".2f"),
                tracks="" if failed else _count(row.n_tracks),
                inflation="" if failed else _points(row.inflation),
                error=row.error if failed else None,
            )
        )
    inflation = summary["inflation"].dropna()
    return Leaderboard(
        reference=reference,
        honest=reference_is_honest(results, reference),
        rows=tuple(rows),
        winner=winner,
        all_honest=bool(summary["honest"].all()),
        inflation_range=(
            (f"{inflation.min():+.1f}", f"{inflation.max():+.1f}") if len(inflation) > 1 else None
        ),
    )
