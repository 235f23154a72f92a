"""What ``python -m mir_genre.compare`` prints and writes (its module keeps the options).

- `ResultsWriter`: results.csv and results.json rewritten after every finished pipeline;
  a write that fails (a full disk) is reported once, naming the folder and the reason,
  retried after the next pipeline, and never stops the run;
- the one-line summary of a pipeline, the leaderboard (with the parameters an inner
  search chose most often), the ``--list`` lines and the dataset's description in the
  results.
"""

import sys

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
    """

    def __init__(self, out):
        self.out = out
        self.error = None
        self._reported = False

    def __call__(self, results):
        """Write ``results``; return whether it worked (True without ``out``)."""
        from .report import write_results

        if self.out is None:
            return True
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
