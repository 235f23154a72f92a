"""How much does the pretrained musicnn add?  Honest accuracy on real GTZAN data.

Runs ``python -m mir_genre.compare`` (in process) and writes its leaderboards to
``benchmarks/MUSICNN_ACCURACY.md`` (``write_results.py`` copies that file into
RESULTS.md):

- the 499 real GTZAN excerpts of 2-3 s (``gtzan/excerpts``), ``artist:5`` and
  ``random:5``: musicnn's taggram with an SVM and logistic regression, tzanetakis57 alone,
  and both joined; then the fine-tuned network (new layer only) against the penultimate
  embedding with logistic regression;
- the 20 sample clips (``artist:2``: two clips per genre allow two folds at most);
- the published MSD musicnn taggrams of GTZAN (``gtzan/musicnn``, frames averaged per
  clip) under the fault-filtered split, ``artist:5`` and ``random:5``.

Needs the musicnn plugin (``pip install ./plugins/mir-genre-musicnn``) and the real data.

    python benchmarks/musicnn_accuracy.py [--gtzan DIR] [--cache DIR]
"""

import argparse
import contextlib
import io
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
AUDIO_PIPELINES = (
    "musicnn+svm,musicnn+logistic_regression,tzanetakis57+svm,musicnn+tzanetakis57+svm"
)
FINETUNE_PIPELINES = (
    "musicnn_mel+musicnn_finetune,musicnn[output=embedding,layer=penultimate]+logistic_regression"
)

RUNS = (
    ("499 GTZAN excerpts (2-3 s)", "excerpts", AUDIO_PIPELINES, "artist:5,random:5"),
    ("499 GTZAN excerpts: fine-tuning", "excerpts", FINETUNE_PIPELINES, "artist:5"),
    ("20 GTZAN sample clips (30 s)", "sample", AUDIO_PIPELINES, "artist:2,random:2"),
)


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
    if code != 0:
        raise SystemExit(f"compare failed (exit {code}):\n{err.getvalue()}")
    return out.getvalue().split("\npipelines:")[0].strip()


def main(argv=None):
    """Run every comparison and write MUSICNN_ACCURACY.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gtzan", type=Path, default=_default_gtzan())
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args(argv)
    cache = args.cache or Path(tempfile.mkdtemp(prefix="musicnn_accuracy_"))
    gtzan = str(args.gtzan)
    lines = [
        "# musicnn: honest accuracy on real GTZAN data",
        "",
        "Written by `python benchmarks/musicnn_accuracy.py` (leaderboards of",
        "`python -m mir_genre.compare`, seed 0; `artist:K` keeps every artist on one side of",
        "each split, `random:K` shows what a random split would claim).",
        "",
    ]
    for title, folder, pipelines, protocol in RUNS:
        started = time.perf_counter()
        board = leaderboard(
            ["--dataset", "gtzan", "--root", f"{gtzan}/{folder}", "--metadata-dir", gtzan,
             "--pipelines", pipelines, "--protocol", protocol, "--cache", str(cache)]
        )  # fmt: skip
        minutes = (time.perf_counter() - started) / 60
        lines += [f"## {title}", "", f"({minutes:.1f} min on this machine)", "", "```text"]
        lines += [board, "```", ""]
    board = leaderboard(
        ["--dataset", "feature_table", "--root", f"{gtzan}/musicnn", "--metadata-dir", gtzan,
         "--classifiers", "svm[C=1.0],svm,logistic_regression",
         "--protocol", "fault-filtered,artist:5,random:5"]
    )  # fmt: skip
    lines += [
        "## Published MSD musicnn taggrams of GTZAN (feature table, 733 clips)",
        "",
        "`svm[C=1.0]` is scikit-learn's default SVC, as the published 0.800 used; mir_genre's",
        "`svm` defaults to `C=10`.",
        "",
        "```text",
        board,
        "```",
        "",
    ]
    (HERE / "MUSICNN_ACCURACY.md").write_text("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
