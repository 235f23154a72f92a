"""What ``python -m mir_genre.compare`` prints and writes (its module keeps the options).

- `ResultsWriter`: results.csv and results.json rewritten after every finished pipeline;
  a write that fails (a full disk) is reported once, naming the folder and the reason,
  retried after the next pipeline, and never stops the run;
- the one-line summary of a pipeline, the leaderboard (with the parameters an inner
  search chose most often), the ``--list`` lines and the dataset's description in the
  results;
- `Stopwatch` and `run_timings`: where the run's wall-clock time went (results.json's
  ``timings``), and `timing_lines`, the table printed at the end of a verbose run.
"""

import sys
import time

import numpy as np

from ._common import one_line, plain
from .exceptions import MirGenreError


def say(quiet, *parts):
    """Print progress on stderr unless ``quiet``."""
    if not quiet:
        print(*parts, file=sys.stderr)


def dataset_description(dataset, args):
    """Describe the dataset for the results: counts, checksum, the loader's arguments."""
    from ._cli import dataset_kwargs
    from .provenance import dataset_info

    try:
        arguments = plain(dataset_kwargs(args))
    except MirGenreError:  # already validated when the dataset loaded
        arguments = {}
    return {**dataset_info(dataset), "arguments": arguments}


def list_lines(classical, deep_cpu, deep_gpu, features):
    """``--list``: the plugin summary and the default pipelines; extra warning lines."""
    from .__main__ import discover_plugins, summary_lines

    infos, other = discover_plugins()
    lines = summary_lines(infos)
    lines.append(
        f"{'defaults:':<15}audio: {', '.join(classical)}, and a CNN "
        f"(CPU: {deep_cpu}; GPU: {deep_gpu})"
    )
    lines.append(f"{'':<15}features: {', '.join(features)}")
    return lines, [f"warning: {line}" for line in other]


def summary_line(record):
    """One line per finished pipeline: accuracy (or failure) per protocol and its time."""
    parts = []
    for run in record["runs"]:
        if run["error"]:
            parts.append(f"{run['protocol']} failed")
        else:
            accuracy = np.mean([f["accuracy"] for f in run["folds"]])
            parts.append(f"{run['protocol']} accuracy {accuracy:.3f}")
    return f"{record['label']}: {', '.join(parts)} ({record['seconds']:.1f} s)"


def print_leaderboard(results):
    """Print the leaderboard on stdout, and the full spec behind every short label."""
    from .report import format_leaderboard

    dataset = results["dataset"]
    print(
        f"{dataset['name']}: {dataset['n_tracks']} tracks, {dataset['n_genres']} genres, "
        f"{dataset['n_artists']} artists (sha256 {dataset['sha256'][:12]})"
    )
    print()
    print(format_leaderboard(results))
    specs = [(p["label"], p["spec"]) for p in results["pipelines"] if p["label"] != p["spec"]]
    if specs:
        print()
        print("pipelines:")
        for label, spec in specs:
            print(f"  {label} = {spec}")
    chosen = [(p["label"], chosen_params(p)) for p in results["pipelines"]]
    chosen = [(label, text) for label, text in chosen if text]
    if chosen:
        print()
        print("chosen by the inner search (most frequent value over the folds):")
        for label, text in chosen:
            print(f"  {label}: {text}")


def chosen_params(record):
    """Say which value an inner search chose most often per parameter, over all folds.

    Parameters
    ----------
    record : dict
        One pipeline of the results (its runs' folds carry ``best_params`` when the
        classifier searched its hyperparameters).

    Returns
    -------
    str
        ``"C=10 (2/3 folds), gamma=0.01 (3/3 folds)"``, or ``""`` without a search.

    Examples
    --------
    >>> folds = [{"best_params": {"C": c}} for c in (10, 1, 10)]
    >>> chosen_params({"runs": [{"folds": folds}]})
    'C=10 (2/3 folds)'
    """
    from collections import Counter

    folds = [
        f["best_params"] for run in record["runs"] for f in run["folds"] if "best_params" in f
    ]
    counts = {}
    for params in folds:
        for name, value in params.items():
            counts.setdefault(name, Counter())[
                repr(value) if isinstance(value, str) else value
            ] += 1
    parts = []
    for name, counter in sorted(counts.items()):
        value, n = counter.most_common(1)[0]
        parts.append(f"{name}={value} ({n}/{len(folds)} folds)")
    return ", ".join(parts)


class ResultsWriter:
    """Write results.csv and results.json into ``out`` (None: nothing) as pipelines finish.

    Each write replaces both files whole (`mir_genre._common.atomic_write`), so a failed
    one leaves those of the last successful write.  A failure is reported on stderr once,
    with the folder and the reason, and the next call tries again.

    Attributes
    ----------
    error : OSError or None
        Why the last write failed; None after a successful one.

    seconds : float
        Wall-clock time spent writing, over every call.
    n_writes : int
        How many writes were tried.
    """

    def __init__(self, out):
        self.out = out
        self.error = None
        self.seconds = 0.0
        self.n_writes = 0
        self._reported = False

    def __call__(self, results):
        """Write ``results``; return whether it worked (True without ``out``)."""
        from .report import write_results

        if self.out is None:
            return True
        start = time.perf_counter()
        self.n_writes += 1
        try:
            write_results(results, self.out)
        except OSError as exc:
            self.error = exc
            if not self._reported:
                print(
                    f"error: could not write results.csv and results.json in {self.out} "
                    f"({self.reason}); the run goes on, writing them again after every "
                    "pipeline, and the leaderboard is printed at the end.",
                    file=sys.stderr,
                )
                self._reported = True
            return False
        finally:
            self.seconds += time.perf_counter() - start
        self.error = None
        return True

    @property
    def reason(self):
        """The last error as ``Type: message``."""
        return f"{type(self.error).__name__}: {one_line(self.error)}" if self.error else ""

    def final_error(self):
        """Return the closing message when the results could not be written in the end."""
        return (
            f"could not write the results in {self.out} ({self.reason}); the leaderboard "
            "above is the only copy of this run's scores (results.json there, if any, is "
            "from an earlier write). Free space or choose another --out, then rerun: the "
            "feature cache makes the rerun skip extraction."
        )


# --------------------------------------------------------------------------- timings

#: Stages timed before the pipelines run, in this order (`Stopwatch.lap`).
BEFORE_RUN = ("setup", "dataset", "planning")


class Stopwatch:
    """Wall-clock seconds of a run's stages, from the moment it is created.

    Attributes
    ----------
    start : float
        `time.perf_counter` when the run began.
    seconds : dict of str to float
        Seconds per stage, in the order the stages were first timed.

    Examples
    --------
    >>> clock = Stopwatch()
    >>> clock.lap("setup") >= 0 and list(clock.seconds) == ["setup"]
    True
    """

    def __init__(self):
        self.start = time.perf_counter()
        self.seconds = {}
        self._mark = self.start

    def lap(self, stage):
        """Give ``stage`` the time since the last lap (or the start); return it."""
        now = time.perf_counter()
        seconds, self._mark = now - self._mark, now
        self.add(stage, seconds)
        return seconds

    def add(self, stage, seconds):
        """Add ``seconds`` to ``stage``."""
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def elapsed(self):
        """Seconds since the start."""
        return time.perf_counter() - self.start


def _extractor_text(spec):
    """Return the extractor part of a spec with its parameters (``mel_patches[n_mels=64]``)."""
    from .specs import PipelineSpec

    return "+".join(str(PipelineSpec(name, params)) for name, params in spec.extractors)


def _fold_seconds(record):
    """Fit and predict seconds of a pipeline's folds, in all and per protocol."""
    protocols = []
    for run in record["runs"]:
        folds = run["folds"]
        protocols.append(
            {
                "protocol": run["protocol"],
                "n_folds": len(folds),
                "fit_seconds": round(sum(f["fit_seconds"] for f in folds), 3),
                "predict_seconds": round(sum(f["predict_seconds"] for f in folds), 3),
            }
        )
    fit = round(sum(p["fit_seconds"] for p in protocols), 3)
    predict = round(sum(p["predict_seconds"] for p in protocols), 3)
    return fit, predict, protocols


def run_timings(clock, items, writer, *, dataset_name, n_tracks):
    """Say where a run's wall-clock time went: results.json's ``timings``.

    Parameters
    ----------
    clock : Stopwatch
        Started when the run began; its stages `BEFORE_RUN` come first, any other (the
        report's ``figures``, ``report.html``, ``report.md``) after the pipelines.
    items : list of dict
        The plan (`mir_genre.evaluation.plan`); the records of finished pipelines carry
        ``seconds``.
    writer : ResultsWriter
        Its ``seconds`` and ``n_writes`` (results.csv and results.json).
    dataset_name : str
        The dataset's name.
    n_tracks : int
        Tracks in the dataset (each extraction runs over all of them).

    Returns
    -------
    dict
        ``total_seconds`` (since the run began) and ``stages``, in the order they ran:
        ``setup``, ``dataset``, ``planning``, one ``extraction`` per distinct extractor
        configuration (``name``, ``n_tracks``, ``pipelines`` sharing it), one ``folds``
        per finished pipeline (``name``, ``fit_seconds``, ``predict_seconds`` and
        ``protocols``; ``extraction_in_folds`` when the extractor is fitted in every
        fold), ``results files`` (with ``n_writes``), the report's stages and ``other``:
        the rest, so the stages' ``seconds`` add up to ``total_seconds``.
    """
    stages = []

    def add(stage, seconds, **extra):
        stages.append({"stage": stage, **extra, "seconds": round(max(seconds, 0.0), 3)})

    for stage in BEFORE_RUN:
        if stage in clock.seconds:
            extra = {"name": dataset_name, "n_tracks": n_tracks} if stage == "dataset" else {}
            add(stage, clock.seconds[stage], **extra)
    sharing = {}  # features key -> the items using it, in the order they run
    for item in items:
        if item["features_key"] not in (None, ("<dataset>",)):
            sharing.setdefault(item["features_key"], []).append(item)
    extracted_by = {}  # id of the record that ran the extraction -> its seconds
    for group in sharing.values():
        record = group[0]["record"]  # the first pipeline extracts, the others reuse it
        if record["extract_seconds"] is None:
            continue
        extracted_by[id(record)] = record["extract_seconds"]
        add(
            "extraction",
            record["extract_seconds"],
            name=_extractor_text(group[0]["spec"]),
            n_tracks=n_tracks,
            pipelines=[item["label"] for item in group],
        )
    for item in items:
        record = item["record"]
        if record.get("seconds") is None:  # not finished
            continue
        fit, predict, protocols = _fold_seconds(record)
        extra = {"extraction_in_folds": True} if item["features_key"] is None else {}
        add(
            "folds",
            record["seconds"] - extracted_by.get(id(record), 0.0),
            name=item["label"],
            **extra,
            fit_seconds=fit,
            predict_seconds=predict,
            protocols=protocols,
        )
    if writer.n_writes:
        add("results files", writer.seconds, n_writes=writer.n_writes)
    for stage, seconds in clock.seconds.items():
        if stage not in BEFORE_RUN:
            add(stage, seconds)
    total = clock.elapsed()
    add("other", total - sum(stage["seconds"] for stage in stages))
    return {"total_seconds": round(total, 3), "stages": stages}


def _stage_label(stage):
    if stage["stage"] == "extraction":
        return f"extract {stage['name']}"
    if stage["stage"] == "folds":
        return f"folds {stage['name']}"
    if stage["stage"] == "dataset":
        return f"dataset {stage['name']}"
    return stage["stage"]


def _stage_detail(stage):
    if stage["stage"] in ("extraction", "dataset"):
        n = len(stage.get("pipelines", []))
        return f"{stage['n_tracks']} tracks" + (f", shared by {n} pipelines" if n > 1 else "")
    if stage["stage"] == "folds":
        text = f"fit {stage['fit_seconds']:.1f} s, predict {stage['predict_seconds']:.1f} s"
        return text + (
            ", extraction inside every fold" if stage.get("extraction_in_folds") else ""
        )
    if stage["stage"] == "results files":
        return f"{stage['n_writes']} writes"
    return ""


def timing_lines(timings):
    """Return the time table printed at the end of a verbose run.

    Parameters
    ----------
    timings : dict
        From `run_timings`.

    Returns
    -------
    list of str
        ``time: T s in all``, then one aligned line per stage: seconds, share of the
        total and details.

    Examples
    --------
    >>> timings = {"total_seconds": 10.0, "stages": [
    ...     {"stage": "setup", "seconds": 1.0}, {"stage": "other", "seconds": 9.0}]}
    >>> for line in timing_lines(timings):
    ...     print(line)
    time: 10.0 s in all
      setup     1.0 s    10%
      other     9.0 s    90%
    """
    total = timings["total_seconds"]
    labels = [_stage_label(stage) for stage in timings["stages"]]
    width = max(map(len, labels), default=0)
    lines = [f"time: {total:.1f} s in all"]
    for label, stage in zip(labels, timings["stages"], strict=True):
        share = 100 * stage["seconds"] / total if total > 0 else 0.0
        detail = _stage_detail(stage)
        line = f"  {label:<{width}}  {stage['seconds']:6.1f} s  {share:4.0f}%"
        lines.append(f"{line}  {detail}" if detail else line)
    return lines
