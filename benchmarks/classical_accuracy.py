"""Which classical features?  Honest accuracy on real GTZAN data.

Runs ``python -m mir_genre.compare`` (in process) and writes its leaderboards to
``benchmarks/CLASSICAL_ACCURACY.md`` (``write_results.py`` copies that file into
RESULTS.md):

- the 499 real GTZAN excerpts of 2-3 s (``gtzan/excerpts``), ``artist:5``: texture
  windows (``texture``), FMA's 518 features (``fma518``), tzanetakis57, mfcc_deltas,
  their joins, with the SVM as it is and tuned inside every training fold
  (``svm[search=True]``: an artist-disjoint grid search);
- the 20 sample clips (``artist:2``);
- Marsyas's own texture-window table of GTZAN (``gtzan/marsyas``) under the
  fault-filtered split (train+valid, then test).

    python benchmarks/classical_accuracy.py [--gtzan DIR] [--cache DIR] [--quick]
"""

import argparse
import contextlib
import io
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
AUDIO = (
    "texture+svm,fma518+svm,tzanetakis57+svm,mfcc_deltas+svm,"
    "texture+tzanetakis57+svm,fma518+tzanetakis57+svm,"
    "texture+svm[search=True],fma518+svm[search=True],tzanetakis57+svm[search=True]"
)
QUICK = "texture+svm,fma518+svm,tzanetakis57+svm,texture+svm[search=True]"
TABLE = "svm[C=1.0],svm,logistic_regression,svm[search=True]"


def _untuned(pipelines):
    return ",".join(p for p in pipelines.split(",") if "search=True" not in p)


def _default_gtzan():
    import os

    root = os.environ.get("MIR_GENRE_DATA")
    return Path(root) / "gtzan" if root else HERE.parent.parent / "shared" / "data" / "gtzan"


def leaderboard(argv):
    """Run compare quietly; return its leaderboard (stdout up to the pipeline list)."""
    from mir_genre.compare import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "-q"])
    if code not in (0, 1):  # 1: some pipeline failed; the leaderboard lists it with its error
        raise SystemExit(f"compare failed (exit {code}):\n{err.getvalue()}")
    return out.getvalue().split("\npipelines:")[0].strip()


def main(argv=None):
    """Run every comparison and write CLASSICAL_ACCURACY.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gtzan", type=Path, default=_default_gtzan())
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--quick", action="store_true", help="fewer audio pipelines")
    args = parser.parse_args(argv)
    cache = args.cache or Path(tempfile.mkdtemp(prefix="classical_accuracy_"))
    gtzan = str(args.gtzan)
    audio = QUICK if args.quick else AUDIO
    runs = (
        ("499 GTZAN excerpts (2-3 s)", "excerpts", audio, "artist:5"),
        # Two clips per genre leave too few artists for an inner search: untuned only.
        ("20 GTZAN sample clips (30 s)", "sample", _untuned(audio), "artist:2"),
    )
    command = "python benchmarks/classical_accuracy.py" + (" --quick" if args.quick else "")
    lines = [
        "# Which classical features?  Honest accuracy on real GTZAN data",
        "",
        f"Written by `{command}` (leaderboards of `python -m mir_genre.compare`, seed 0;",
        "`artist:K` keeps every artist on one side of each split; `svm[search=True]` picks C",
        "and gamma by an artist-disjoint grid search inside each training fold).",
        "",
    ]
    for title, folder, pipelines, protocol in runs:
        started = time.perf_counter()
        board = leaderboard(
            ["--dataset", "gtzan", "--root", f"{gtzan}/{folder}", "--metadata-dir", gtzan,
             "--pipelines", pipelines, "--protocol", protocol, "--cache", str(cache)]
        )  # fmt: skip
        minutes = (time.perf_counter() - started) / 60
        lines += [f"## {title}", "", f"({minutes:.1f} min on this machine)", "", "```text"]
        lines += [board, "```", ""]
    started = time.perf_counter()
    board = leaderboard(
        ["--dataset", "feature_table", "--root", f"{gtzan}/marsyas/genres_default.arff",
         "--metadata-dir", gtzan, "--classifiers", TABLE,
         "--protocol", "fault-filtered+valid,artist:5"]
    )  # fmt: skip
    minutes = (time.perf_counter() - started) / 60
    lines += [
        "## Marsyas's texture-window table of GTZAN (feature table)",
        "",
        f"({minutes:.1f} min on this machine) `svm[C=1.0]` is scikit-learn's default SVC;",
        "mir_genre's `svm` defaults to `C=10`.",
        "",
        "```text",
        board,
        "```",
        "",
    ]
    (HERE / "CLASSICAL_ACCURACY.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
