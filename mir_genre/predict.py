"""``python -m mir_genre.predict MODEL FILE...``: the genre of whole songs, any length.

A model is trained on clips of a fixed length (30 s for GTZAN, 5 s for the synthetic
dataset); a song is cut into windows of that length, the model gives the genre
probabilities of every window, and the song's probabilities are their mean.  Windows
start at 0, W, 2W, ...; when what is left at the end is at least half a window, one
more window ends exactly at the end of the song (it overlaps the one before, so every
window holds real audio).  A song shorter than one window is one window as it is:
extractors that need a fixed length (``mel_patches``) pad it with silence themselves,
as they did for short training clips, while summary statistics (``tzanetakis57``...)
are computed over the song alone, because silence would change them (padding 1-3 s
excerpts of 5-s synthetic clips to 5 s took a logistic regression on ``tzanetakis57``
from 0.61-0.72 accuracy to chance).

A song is decoded once, from start to end, one window at a time, by
`mir_genre.streaming.stream_windows` (the window rule is
`mir_genre.streaming.window_starts`), so
a 10-minute song never sits in memory whole.

Files that cannot be read are reported on stderr and the others go on; the exit code
is then 1.
"""

import argparse
import json
import sys

import numpy as np

from ._cli import capture_warnings, error_exit, n_jobs_type, print_warnings
from .streaming import stream_windows, window_starts  # window_starts: importable here too

__all__ = ["make_parser", "main", "predict_file", "window_starts"]

#: Windows sent through the model at once (bounds memory: 8 x 30 s of audio is 21 MB).
BATCH_WINDOWS = 8

_EPILOG = """\
examples:
  python -m mir_genre.predict genres.model song.mp3 album/
      genre and top-3 probabilities of song.mp3 and of every audio file under album/
  python -m mir_genre.predict genres.model music/ --json > predictions.json
      the same as JSON
  python -m mir_genre.predict genres.model --info
      what the model is: pipeline, classes, dataset, score, versions
"""


def make_parser():
    """Build the argument parser of ``python -m mir_genre.predict``.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> args = make_parser().parse_args(["m.model", "a.wav", "--top", "2"])
    >>> args.model, args.paths, args.top
    ('m.model', ['a.wav'], 2)
    """
    parser = argparse.ArgumentParser(
        prog="python -m mir_genre.predict",
        description="Predict the genre of audio files with a model from "
        "`python -m mir_genre.train`.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model", metavar="MODEL", help="model file")
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="FILE",
        help="audio files and/or folders (searched recursively)",
    )
    parser.add_argument("--json", action="store_true", help="write JSON instead of a table")
    parser.add_argument(
        "--top", type=int, default=3, metavar="K", help="genres listed per file (default 3)"
    )
    parser.add_argument(
        "--n-jobs",
        type=n_jobs_type,
        default=None,
        help="parallel workers for the windows of a file",
    )
    parser.add_argument(
        "--info", action="store_true", help="describe the model (with FILEs: then predict)"
    )
    return parser


def _transform(pipeline, X, n_jobs):
    """Run every step but the last on ``X``.

    Extractors are stateless: a fresh clone transforms a window exactly as the fitted
    step would, without the fitted step's record of the training input's width.
    """
    from sklearn.base import clone

    from .specs import extractor_members, set_runtime_params

    for _, step in pipeline.steps[:-1]:
        if any(m.__sklearn_tags__().requires_fit for m in extractor_members(step)):
            X = step.transform(X)
            continue
        fresh = clone(step)  # joined extractors: a union of fresh clones
        if n_jobs is not None:
            set_runtime_params(fresh, n_jobs=n_jobs)
        X = fresh.transform(X)
    return X


def predict_file(model, path, *, n_jobs=None):
    """Genre probabilities of one song: the mean over its windows.

    Parameters
    ----------
    model : ModelFile
        A model loaded with `mir_genre.model_file.load_model`.
    path : str or os.PathLike
        The song (any length, any format `mir_genre.audio.load` decodes).
    n_jobs : int or None, default=None
        Parallel workers of the extractor.

    Returns
    -------
    dict
        ``probabilities`` (np.ndarray [shape=(n_classes,)] in the order of
        ``model.classes``), ``windows`` (int) and ``seconds`` (float).

    Raises
    ------
    AudioError
        If the file cannot be decoded.
    """
    sr, window = model.info["sr"], model.info["window_seconds"]
    classifier = model.classifier
    total_proba, n_windows, batch, stats = np.zeros(len(model.classes)), 0, [], {}

    def flush():
        features = _transform(model.pipeline, np.stack(batch), n_jobs)
        batch.clear()
        return np.asarray(classifier.predict_proba(features), dtype=float).sum(axis=0)

    for y in stream_windows(path, sr=sr, window=window, stats=stats):
        batch.append(y)
        n_windows += 1
        if len(batch) == BATCH_WINDOWS:
            total_proba += flush()
    if batch:
        total_proba += flush()
    return {
        "probabilities": total_proba / n_windows,
        "windows": n_windows,
        "seconds": float(stats["seconds"]),
    }


def _expand(paths):
    """Return (audio files, {path: error}) for the given files and folders."""
    from .audio import AUDIO_EXTENSIONS, find_audio

    files, failed = [], {}
    for path in paths:
        try:
            found = find_audio([path])
        except FileNotFoundError as exc:
            failed[str(path)] = str(exc)
            continue
        if not found:
            failed[str(path)] = f"no audio files ({', '.join(AUDIO_EXTENSIONS)}) in this folder"
        files += found
    return files, failed


def _describe(model):
    info = model.info
    ds, proto = info.get("dataset", {}), info.get("protocol", {})
    score = proto.get("score")
    score_text = "none recorded" if score is None else f"{score:.3f} accuracy"
    lines = [
        f"model      {model.path} (format_version {model.format_version}, created "
        f"{info.get('created', '?')})",
        f"pipeline   {info.get('spec', '?')} (steps: {' + '.join(info.get('steps', []))})",
        f"classes    {', '.join(model.classes)}",
        f"dataset    {ds.get('name', '?')}: {ds.get('n_tracks', '?')} tracks, "
        f"{ds.get('n_artists', '?')} artists",
        f"protocol   {proto.get('name', '?')}: {score_text}",
        f"windows    {info.get('window_seconds')} s at {info.get('sr')} Hz",
        "versions   " + ", ".join(f"{k} {v}" for k, v in info.get("versions", {}).items()),
    ]
    return "\n".join(lines)


def _top(classes, proba, k):
    order = np.argsort(-proba, kind="stable")[:k]
    return [(classes[i], float(proba[i])) for i in order]


class _Table:
    """The readable output: one row per file, printed as soon as it is known."""

    def __init__(self, files, top):
        self.width = max([len("file")] + [len(str(f)) for f in files])
        self.top = top
        self.started = False

    def row(self, path, result, top):
        if not self.started:
            print(f"{'file':<{self.width}}  windows  {'genre':<12}  top {self.top}")
            self.started = True
        ranked = "  ".join(f"{genre} {p:.2f}" for genre, p in top)
        print(f"{str(path):<{self.width}}  {result['windows']:>7}  {top[0][0]:<12}  {ranked}")
        sys.stdout.flush()


def _predict_all(model, files, args):
    """Predict every file; return (results, {path: error message})."""
    from .exceptions import MirGenreError

    classes = model.classes
    table = None if args.json else _Table(files, args.top)
    results, failed = [], {}
    for path in files:
        try:
            result = predict_file(model, path, n_jobs=args.n_jobs)
        except (MirGenreError, ValueError, OSError, RuntimeError) as exc:
            message = f"{type(exc).__name__}: {exc}"
            failed[str(path)] = message
            named = str(path) in str(exc)
            print(f"error: {message if named else f'{path}: {message}'}", file=sys.stderr)
            continue
        top = _top(classes, result["probabilities"], args.top)
        results.append(
            {
                "file": str(path),
                "genre": top[0][0],
                "top": [{"genre": g, "probability": round(p, 6)} for g, p in top],
                "windows": result["windows"],
                "seconds": round(result["seconds"], 3),
            }
        )
        if table is not None:
            table.row(path, result, top)
    return results, failed


def _main(argv=None):
    """Run ``python -m mir_genre.predict``.

    Parameters
    ----------
    argv : list of str or None, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        0 when every file was predicted; 1 when any file could not be read; 2 for usage
        errors (missing or unusable model file, bad options).
    """
    from .exceptions import MirGenreError
    from .model_file import load_model

    parser = make_parser()
    args = parser.parse_args(argv)
    if args.top < 1:
        parser.error(f"--top must be at least 1; got {args.top}")
    if not args.paths and not args.info:
        parser.error("give audio files or folders to predict (or --info)")
    # Library deprecations are for developers, not for someone tagging their music.
    with capture_warnings() as caught:
        try:
            model = load_model(args.model)
        except MirGenreError as exc:
            print_warnings(caught.lines)
            return error_exit(exc)
        if args.info:
            print(_describe(model))
            if not args.paths:
                print_warnings(caught.lines)
                return 0
        if model.extractor is None:
            print_warnings(caught.lines)
            return error_exit(
                f"model '{args.model}' was trained on the feature table "
                f"{model.info.get('dataset', {}).get('name', '?')!r} whose columns are not "
                "those of a registered extractor, so it has no way to compute them from "
                "audio. Train on audio (e.g. --dataset gtzan or folder) or on a table of "
                "tzanetakis57 features (python -m mir_genre.extract writes one)."
            )
        if not model.info.get("sr") or not model.info.get("window_seconds"):
            print_warnings(caught.lines)
            return error_exit(
                f"model '{args.model}' does not record the sampling rate and clip length it "
                "was trained on, so songs cannot be cut into windows; retrain it with "
                "python -m mir_genre.train."
            )
        files, failed = _expand(args.paths)
        n_inputs = len(files) + len(failed)
        for path, message in failed.items():
            print(f"error: {path}: {message}", file=sys.stderr)
        results, unreadable = _predict_all(model, files, args)
        failed.update(unreadable)
    print_warnings(caught.lines)
    if args.json:
        document = {
            "model": str(args.model),
            "spec": model.info.get("spec"),
            "classes": model.classes,
            "window_seconds": model.info.get("window_seconds"),
            "results": results,
            "errors": [{"file": f, "error": e} for f, e in failed.items()],
        }
        json.dump(document, sys.stdout, indent=2)
        print()
    if failed:
        print(
            f"{len(failed)} of {n_inputs} input(s) could not be predicted (listed above)",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv=None):
    """Run ``python -m mir_genre.predict`` (see `_main`); Ctrl-C: one line, exit 130.

    The files predicted before the interruption are already on stdout (one row each).

    Parameters
    ----------
    argv : list of str or None, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        As `_main`, or 130 when interrupted.
    """
    from ._cli import interrupted

    try:
        return _main(argv)
    except KeyboardInterrupt:
        return interrupted(
            "stopped; the files predicted before it have their rows above (with --json, "
            "none: the document is printed only at the end)."
        )


if __name__ == "__main__":
    raise SystemExit(main())
