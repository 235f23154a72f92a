"""Does adding Essentia features to tzanetakis57 help?  Artist-filtered accuracy, by fold.

Runs ``python -m mir_genre.compare`` (in process) over every feature set below with three
classifiers, on the built-in synthetic dataset (``artist:5``) and, when the files are
there, on the 20 real GTZAN clips of the sample (``artist:2``: two clips per genre allow
two folds at most), once per seed (a seed reshuffles which artists share a fold).  Each
feature set is compared with tzanetakis57 alone on the same folds, and the table goes to
``benchmarks/ESSENTIA_ACCURACY.md``.  Needs the Essentia plugin
(``pip install ./plugins/mir-genre-essentia``).

    python benchmarks/essentia_accuracy.py [--gtzan DIR] [--seeds 0,1,2] [--cache DIR]
"""

import argparse
import contextlib
import io
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
BASE = "tzanetakis57"
ESSENTIA = ("essentia_lowlevel", "essentia_rhythm", "essentia_tonal")
FEATURE_SETS = (
    BASE,
    *(f"{BASE}+{name}" for name in ESSENTIA),
    "+".join((BASE, *ESSENTIA)),
    "+".join(ESSENTIA),
)
CLASSIFIERS = ("svm", "mlp", "logistic_regression")


def _default_gtzan():
    import os

    root = os.environ.get("MIR_GENRE_DATA")
    return Path(root) / "gtzan" if root else HERE.parent.parent / "shared" / "data" / "gtzan"


def run_compare(dataset_args, protocol, seed, *, cache, out):
    """Run compare over every feature set x classifier; return its per-fold results."""
    from mir_genre.compare import main

    pipelines = ",".join(f"{f}+{c}" for f in FEATURE_SETS for c in CLASSIFIERS)
    argv = [*dataset_args, "--pipelines", pipelines, "--protocol", protocol]
    argv += ["--seed", str(seed), "--n-jobs", "2", "--cache", str(cache), "--out", str(out)]
    messages = io.StringIO()
    with contextlib.redirect_stderr(messages), contextlib.redirect_stdout(io.StringIO()):
        code = main([*argv, "-q"])
    if code != 0:
        raise SystemExit(f"compare failed (exit {code}):\n{messages.getvalue()}")
    table = pd.read_csv(Path(out) / "results.csv")
    table["seed"] = seed
    return table


def paired(table):
    """Mean accuracy of each feature set, and its difference from tzanetakis57 fold by fold.

    Parameters
    ----------
    table : pd.DataFrame
        compare's ``results.csv`` rows (``pipeline``, ``fold``, ``accuracy``) with a
        ``seed`` column.

    Returns
    -------
    pd.DataFrame
        One row per classifier and feature set: ``accuracy`` (mean over folds),
        ``delta`` (mean paired difference from tzanetakis57), ``se`` (its standard
        error), ``better``/``worse`` (folds), ``folds``.
    """
    table = table.assign(
        classifier=table["pipeline"].str.rsplit("+", n=1).str[1],
        features=table["pipeline"].str.rsplit("+", n=1).str[0],
    )
    rows = []
    for classifier, group in table.groupby("classifier", sort=False):
        by_fold = group.set_index(["seed", "fold"])
        base = by_fold.loc[by_fold["features"] == BASE, "accuracy"]
        for features in FEATURE_SETS:
            accuracy = by_fold.loc[by_fold["features"] == features, "accuracy"]
            diff = (accuracy - base).dropna()
            rows.append(
                {
                    "classifier": classifier,
                    "features": features,
                    "accuracy": accuracy.mean(),
                    "delta": diff.mean(),
                    "se": diff.std(ddof=1) / np.sqrt(len(diff)),
                    "better": int((diff > 0).sum()),
                    "worse": int((diff < 0).sum()),
                    "folds": len(diff),
                }
            )
    return pd.DataFrame(rows)


def markdown(result):
    """One row per feature set, one column per classifier: accuracy and paired change."""
    header = "| features | " + " | ".join(CLASSIFIERS) + " |"
    lines = [header, "|" + "---|" * (len(CLASSIFIERS) + 1)]
    for features in FEATURE_SETS:
        cells = []
        for classifier in CLASSIFIERS:
            row = result[(result.features == features) & (result.classifier == classifier)]
            row = row.iloc[0]
            if features == BASE:
                cells.append(f"{row.accuracy:.3f}")
            else:
                cells.append(
                    f"{row.accuracy:.3f} ({100 * row.delta:+.1f} ± {100 * row.se:.1f} pts, "
                    f"{row.better}/{row.worse})"
                )
        lines.append(f"| {features} | " + " | ".join(cells) + " |")
    return lines


def describe(dataset, protocol, seeds):
    """Facts about a dataset and its folds that bound what they can show."""
    from mir_genre.model_selection import make_cv

    y, groups = np.asarray(dataset.y), np.asarray(dataset.groups)
    per_genre = pd.Series(groups).groupby(y).nunique()
    seen, n_train = [], []
    for seed in seeds:
        cv = make_cv(protocol, dataset, random_state=seed)
        for train, test in cv.split(np.zeros(len(y)), y, groups):
            seen.append(np.isin(y[test], y[train]).mean())
            n_train.append(len(train))
    return (
        f"{len(dataset)} tracks, {per_genre.size} genres, {len(set(groups))} artists; "
        f"{int((per_genre == 1).sum())} genre(s) have a single artist.  Folds train on "
        f"{min(n_train)} to {max(n_train)} tracks; on average {100 * np.mean(seen):.0f}% of "
        "the test tracks belong to a genre the training part holds at all (the ceiling "
        "of any classifier)"
    )


def main(argv=None):
    """Run the study and write ESSENTIA_ACCURACY.md next to this script."""
    import mir_genre

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gtzan", type=Path, default=_default_gtzan(), help="GTZAN folder")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds")
    parser.add_argument("--cache", type=Path, help="feature cache (default: a temporary one)")
    args = parser.parse_args(argv)
    missing = [n for n in ESSENTIA if n not in mir_genre.list_plugins("extractors")]
    if missing:
        raise SystemExit(
            f"the Essentia extractors {missing} are not installed: "
            "pip install ./plugins/mir-genre-essentia"
        )
    seeds = [int(s) for s in args.seeds.split(",")]
    studies = [("synthetic (built in)", [], "artist:5", mir_genre.load_dataset("synthetic"))]
    sample = args.gtzan / "sample"
    if sample.is_dir():
        gtzan_args = ["--dataset", "gtzan", "--root", str(sample)]
        gtzan_args += ["--metadata-dir", str(args.gtzan)]
        dataset = mir_genre.load_dataset("gtzan", root=sample, metadata_dir=args.gtzan)
        studies.append(("20 real GTZAN clips (sample)", gtzan_args, "artist:2", dataset))
    else:
        print(f"{sample} not found: the real clips are left out", file=sys.stderr)

    lines = [
        "# Essentia features joined with tzanetakis57: artist-filtered accuracy",
        "",
        "Written by `python benchmarks/essentia_accuracy.py` (seeds "
        f"{', '.join(map(str, seeds))}).  Each cell: mean accuracy over all folds of all "
        "seeds; for the joined sets, in brackets, the mean change from tzanetakis57 alone "
        "with the same classifier on the same folds ± its standard error, and the number "
        "of folds where it did better/worse.  Joined pipelines are written "
        "`tzanetakis57+essentia_rhythm+svm` (one `FeatureUnion`); every classifier "
        "standardises its inputs.",
    ]
    with tempfile.TemporaryDirectory() as scratch:
        cache = args.cache or Path(scratch) / "cache"
        for title, dataset_args, protocol, dataset in studies:
            tables = [
                run_compare(
                    dataset_args, protocol, seed, cache=cache, out=Path(scratch) / f"{seed}"
                )
                for seed in seeds
            ]
            result = paired(pd.concat(tables, ignore_index=True))
            lines += ["", f"## {title}, {protocol}", ""]
            lines += [f"{describe(dataset, protocol, seeds)}.", ""]
            lines += markdown(result)
            print(f"{title}: done", file=sys.stderr)
    (HERE / "ESSENTIA_ACCURACY.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
