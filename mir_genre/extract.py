"""``python -m mir_genre.extract``: a feature table from a folder or a list of audio files.

One row per track, a ``filename`` column, then the named features of every requested
extractor.  Files that cannot be read are listed on stderr, never silently dropped; the
exit code is 1 when any failed unless ``--skip-bad`` is given.  Files of the folders
given that are not read (an extension that is not audio, a dangling link, a FIFO...)
are listed on stderr with the reason; hidden files (``.DS_Store``) are not.

The output file and the cache are checked before the first track is read; a table that
cannot be written at the end is kept in a spare file (the message names it); a cache
that cannot be written (a full disk) is bypassed with a warning, never counted as
unreadable audio; Ctrl-C stops with one line and exit code 130, keeping the cache.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

# find_audio and AUDIO_EXTENSIONS live in mir_genre.audio; kept importable from here.
from ._cli import n_jobs_type
from .audio import AUDIO_EXTENSIONS, HIDDEN, describe_skipped, find_audio

__all__ = ["AUDIO_EXTENSIONS", "find_audio", "make_parser", "main", "write_demo_clips"]


_EPILOG = """\
examples:
  python -m mir_genre.extract music/ -o features.csv
      57 GTZAN-table features of every audio file under music/ (recursively)
  python -m mir_genre.extract a.wav b.mp3 -e mfcc_deltas -e chroma -o feats.parquet
      two extractors side by side, as Parquet (needs pyarrow)
  python -m mir_genre.extract music/ --n-jobs 4 --cache .mir_genre_cache
      parallel, with a per-track cache: an interrupted run resumes where it stopped
  python -m mir_genre.extract --demo
      extract a few generated clips, to try the tool without any audio
"""


def write_demo_clips(folder, *, n_clips=4, seconds=5.0, sr=22050, seed=0):
    """Write a few short generated music-like clips (chords over a beat) as WAV files.

    Parameters
    ----------
    folder : str or os.PathLike
        Where to write; created if missing.
    n_clips : int > 0, default=4
        Number of clips.
    seconds : float > 0, default=5.0
        Length of each clip.
    sr : int > 0, default=22050
        Sampling rate.
    seed : int, default=0
        Random seed (the clips are deterministic for a seed).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_demo_clips(tempfile.mkdtemp(), n_clips=2, seconds=0.5)]
    ['demo_00.wav', 'demo_01.wav']
    """
    import soundfile as sf

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    paths = []
    for i in range(n_clips):
        root = 110.0 * 2 ** (rng.integers(0, 12) / 12)
        chord = sum(np.sin(2 * np.pi * root * r * t) for r in (1.0, 1.26, 1.5)) / 3
        bpm = rng.uniform(70, 170)
        beat = (t * bpm / 60) % 1.0
        drums = rng.standard_normal(t.size) * np.exp(-beat * 30)
        y = 0.5 * chord + 0.3 * drums
        path = folder / f"demo_{i:02d}.wav"
        sf.write(path, (0.8 * y / np.abs(y).max()).astype(np.float32), sr)
        paths.append(path)
    return paths


def make_parser():
    """Build the argument parser of ``python -m mir_genre.extract``.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> make_parser().parse_args(["music", "-e", "chroma"]).extractor
    ['chroma']
    """
    parser = argparse.ArgumentParser(
        prog="python -m mir_genre.extract",
        description="Extract features of audio files into a table (CSV or Parquet), "
        "one row per track.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths", nargs="*", help="audio files and/or folders (searched recursively)"
    )
    parser.add_argument(
        "-e",
        "--extractor",
        action="append",
        metavar="NAME",
        help="registered extractor (repeatable; default: tzanetakis57). "
        "`python -m mir_genre plugins` lists them",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="output table, .csv or .parquet (default: CSV on stdout)",
    )
    parser.add_argument(
        "--n-jobs", type=n_jobs_type, default=1, help="parallel workers (-1: all cores)"
    )
    parser.add_argument("--cache", metavar="DIR", help="per-track feature cache directory")
    parser.add_argument(
        "--skip-bad",
        action="store_true",
        help="exit 0 even when some files cannot be read (they are still listed on stderr)",
    )
    parser.add_argument(
        "--demo", action="store_true", help="extract a few generated clips instead of PATHS"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    return parser


def _report_skipped(skipped):
    """List on stderr what the folder scan left out and why (hidden files are not listed)."""
    summary = describe_skipped(skipped)
    if summary:
        n_skipped = sum(reason != HIDDEN for _, reason in skipped)
        print(f"skipped {n_skipped} file(s) in the folders given:", file=sys.stderr)
        for part in summary.split("; "):
            print(f"  {part}", file=sys.stderr)


def _table(paths, extractors, *, n_jobs, cache, quiet):
    """Run every extractor; return (DataFrame of good rows, {path: error})."""
    import pandas as pd

    from .evaluation import extract_member
    from .registry import get_extractor

    blocks, failed = [], {}
    for name in extractors:
        est = get_extractor(name, n_jobs=n_jobs, memory=cache, verbose=not quiet)
        features, failures = extract_member(est, [str(p) for p in paths])
        for failure in failures:
            failed.setdefault(failure.source, failure.error)
        blocks.append(pd.DataFrame(features, columns=est.get_feature_names_out()))
    table = pd.concat(blocks, axis=1)
    dup = table.columns[table.columns.duplicated()].unique()
    if len(dup):
        raise SystemExit(
            f"error: extractors {extractors} produce clashing column names "
            f"({list(dup)[:3]}...); extract them into separate tables."
        )
    table.insert(0, "filename", [str(p) for p in paths])
    keep = ~table["filename"].isin(list(failed))
    return table[keep].reset_index(drop=True), failed


def _write_table(table, path):
    """Write the table to ``path`` (CSV or Parquet by suffix) in one atomic step."""
    from ._common import atomic_write

    if path.suffix.lower() == ".parquet":
        return atomic_write(path, lambda fh: table.to_parquet(fh, index=False))
    return atomic_write(path, table.to_csv(index=False))


def _keep_table(table, out, error, cache):
    """Write the table that could not go to ``out`` elsewhere; return the message."""
    from ._common import one_line

    reason = f"{type(error).__name__}: {one_line(error)}"
    places = ([Path(cache)] if cache else []) + [Path(tempfile.gettempdir())]
    for place in places:
        try:
            fd, spare = tempfile.mkstemp(
                dir=place, prefix=f"{out.stem}.kept-", suffix=out.suffix.lower()
            )
            os.close(fd)
        except OSError:
            continue
        try:
            _write_table(table, Path(spare))
        except OSError:
            Path(spare).unlink(missing_ok=True)
            continue
        return (
            f"could not write the table to {str(out)!r} ({reason}); it was written to "
            f"{spare!r} instead: move it where you want it."
        )
    kept = (
        f"the per-track cache in {cache!r} keeps the features, so a rerun with the same "
        "--cache rebuilds the table without extracting again"
        if cache
        else "pass --cache DIR so that a rerun does not extract everything again"
    )
    return (
        f"could not write the table to {str(out)!r} ({reason}), nor to a spare file in "
        f"{', '.join(str(p) for p in places)}; {kept}. Free space or choose another -o."
    )


def _interrupted_message(cache):
    if cache:
        return (
            f"no table was written; the per-track cache in {cache} keeps the tracks "
            "extracted so far, so a rerun with the same --cache skips them."
        )
    return "no table was written (pass --cache DIR so that a rerun can resume)."


def main(argv=None):
    """Run ``python -m mir_genre.extract``.

    The output file and the cache folder are checked (created and probed) before any
    track is read.  A table that cannot be written at the end (a full disk) is kept in
    a spare file whose name is printed.  Ctrl-C stops with one line and exit code 130;
    the per-track cache keeps the tracks extracted so far.

    Parameters
    ----------
    argv : list of str or None, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        0 on success; 1 when some files could not be read (without ``--skip-bad``),
        nothing could be extracted, or the table could not be written where asked;
        2 for usage errors (including an output or cache that cannot be written);
        130 when interrupted.
    """
    from ._cli import check_writable_dir, check_writable_file, error_exit, interrupted

    parser = make_parser()
    args = parser.parse_args(argv)
    if args.demo == bool(args.paths):
        parser.error("give audio files or folders, or --demo (not both)")
    if args.output and Path(args.output).suffix.lower() not in (".csv", ".parquet"):
        parser.error(f"--output must end in .csv or .parquet; got '{args.output}'")
    from .exceptions import ParameterError

    try:
        if args.output:
            check_writable_file(args.output, what="-o/--output")
        if args.cache:
            check_writable_dir(args.cache, what="--cache")
    except ParameterError as exc:
        return error_exit(exc)
    try:
        return _run(parser, args)
    except KeyboardInterrupt:
        return interrupted(_interrupted_message(args.cache))


def _run(parser, args):
    from ._cli import capture_warnings, error_exit, print_warnings
    from .exceptions import MirGenreError

    extractors = args.extractor or ["tzanetakis57"]
    with tempfile.TemporaryDirectory(prefix="mir_genre_demo_") as tmp:
        skipped = []
        try:
            paths = write_demo_clips(tmp) if args.demo else find_audio(args.paths, skipped=skipped)
        except FileNotFoundError as exc:
            parser.error(str(exc))
        _report_skipped(skipped)
        if not paths:
            print(
                f"error: no audio files ({', '.join(AUDIO_EXTENSIONS)}) found under "
                f"{' '.join(args.paths)}",
                file=sys.stderr,
            )
            return 1
        with capture_warnings() as caught:
            try:
                table, failed = _table(
                    paths, extractors, n_jobs=args.n_jobs, cache=args.cache, quiet=args.quiet
                )
            except MirGenreError as exc:  # unknown extractor, broken plugin, bad parameter
                print_warnings(caught.lines)
                return error_exit(exc)
        print_warnings(caught.lines)
        if args.demo:
            table["filename"] = [Path(f).name for f in table["filename"]]
    if args.output:
        out = Path(args.output)
        try:
            _write_table(table, out)
        except OSError as exc:
            return error_exit(_keep_table(table, out, exc, args.cache), code=1)
    else:
        table.to_csv(sys.stdout, index=False)
    if not args.quiet:
        where = f" to {args.output}" if args.output else ""
        print(
            f"extracted {len(table)} track(s) x {table.shape[1] - 1} feature(s){where}",
            file=sys.stderr,
        )
    if failed:
        print(f"could not read {len(failed)} file(s):", file=sys.stderr)
        for source, error in failed.items():
            print(f"  {source}: {type(error).__name__}: {error}", file=sys.stderr)
        if not args.skip_bad:
            print(
                "(exit code 1; pass --skip-bad to accept the table without them)", file=sys.stderr
            )
            return 1
    return 0 if len(table) else 1


if __name__ == "__main__":
    raise SystemExit(main())
