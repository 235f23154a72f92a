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

__all__ = ["describe", "make_parser", "main", "predict_file", "window_starts"]

#: Windows sent through the model at once (bounds memory: 8 x 30 s of audio is 21 MB).
BATCH_WINDOWS = 8

_EPILOG = """\
examples:
  python -m mir_genre.predict genres.model song.mp3 album/
      genre and top-3 probabilities of song.mp3 and of every audio file under album/
  python -m mir_genre.predict genres.model music/ --json > predictions.json
      the same as JSON
  python -m mir_genre.predict genres.model --info
      the model card: pipeline, classes, dataset, protocol and scores, versions
      (read from the file's header; nothing is loaded)
  python -m mir_genre.predict shared.model song.mp3 --trust some_pkg.module.Class
      load a model holding a type outside the default trust list

model files:
  A model file is a JSON model card followed by the fitted pipeline in skops format:
  parameters and arrays, no code. Loading builds only trusted types (mir_genre's, those
  of registered plugins, scikit-learn's, NumPy's, SciPy's); any other type is refused by
  name unless --trust names it. format_version 1 files are pickles, which run code when
  loaded: they are refused unless --unsafe-pickle is given.
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
        "--info",
        action="store_true",
        help="print the model card from the file's header, loading nothing (with FILEs: "
        "then predict)",
    )
    parser.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="TYPES",
        help="comma-separated type names (package.module.Class) to trust besides the "
        "defaults, for a model file that needs them (the refusal lists them)",
    )
    parser.add_argument(
        "--unsafe-pickle",
        action="store_true",
        help="also load format_version 1 model files, which are pickles: this RUNS ANY "
        "CODE THE FILE HOLDS; only for files from a source you trust",
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


def _field(mapping, key, default=None):
    """``mapping[key]`` when the header has it (headers are data: any JSON at all)."""
    return mapping.get(key, default) if isinstance(mapping, dict) else default


def _number(value, spec=".3f"):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "?"
    return format(value, spec)


def _score_text(proto):
    score, name = _field(proto, "score"), str(_field(proto, "name", "?"))
    if score is None:
        text = "no held-out score (fitted on every track; --protocol artist:5 records one)"
    elif _field(proto, "n_folds"):
        scores = _field(proto, "scores", [])
        folds = ", ".join(map(_number, scores)) if isinstance(scores, list) else "?"
        text = (
            f"accuracy {_number(score)} +- {_number(_field(proto, 'score_std'))} over "
            f"{_field(proto, 'n_folds')} folds ({folds})"
        )
    else:
        text = (
            f"accuracy {_number(score)} on {_field(proto, 'n_test', '?')} test tracks "
            f"({_field(proto, 'shared_artists', '?')} artists shared with train)"
        )
    if name.startswith("random") and score is not None:
        text += "; a random split ignores artists, so this score is inflated"
    return f"{name}: {text}"


def describe(path, info):
    """Return the model card of a model file, from its header alone (nothing is loaded).

    Parameters
    ----------
    path : str or os.PathLike
        The model file (for the first line).
    info : dict
        Its header (`mir_genre.model_file.read_info`).

    Returns
    -------
    str
        One line per item: format and trust, pipeline, input, classes, dataset,
        protocol and honest scores, what it was fitted on, versions, warnings.
    """
    from .model_file import PICKLE_FORMAT_VERSIONS

    version, ds, proto = _field(info, "format_version"), info.get("dataset"), info.get("protocol")
    if version in PICKLE_FORMAT_VERSIONS:
        fmt = (
            f"format_version {version}: a pickle, which runs code when loaded; predict "
            "refuses it unless --unsafe-pickle is given (retrain it to get a safe file)"
        )
        trust = "not checked (a pickle can build anything)"
    else:
        payload = info.get("payload")
        fmt = (
            f"format_version {version}: skops {_field(payload, 'skops', '?')} (parameters "
            "and arrays; no code runs on load)"
        )
        needs = _field(payload, "needs_trust", [])
        trust = (
            f"needs --trust {','.join(map(str, needs))} (as the header says; checked "
            "again on load)"
            if needs
            else "the default trust list suffices (as the header says; checked again on load)"
        )
    classes = info.get("classes") if isinstance(info.get("classes"), list) else []
    if info.get("input") == "features":
        source = "features: the dataset's feature columns (predict needs audio features)"
    else:
        source = (
            f"audio: songs cut into {_number(info.get('window_seconds'), 'g')}-s windows at "
            f"{info.get('sr', '?')} Hz"
        )
        if info.get("features_from"):
            source += f", through {info['features_from']}"
    fit_on = "every track" if _field(proto, "fit_on") == "all" else "the train split"
    unreadable = _field(ds, "n_unreadable") or 0
    versions = info.get("versions") if isinstance(info.get("versions"), dict) else {}
    caught = info.get("warnings") if isinstance(info.get("warnings"), list) else []
    steps = info.get("steps") if isinstance(info.get("steps"), list) else []
    lines = [
        f"model      {path} (created {info.get('created', '?')})",
        f"format     {fmt}",
        f"trust      {trust}",
        f"pipeline   {info.get('spec', '?')} (steps: {' + '.join(map(str, steps))})",
        f"input      {source}",
        f"classes    {len(classes)}: {', '.join(map(str, classes))}",
        f"dataset    {_field(ds, 'name', '?')}: {_field(ds, 'n_tracks', '?')} tracks, "
        f"{_field(ds, 'n_genres', '?')} genres, {_field(ds, 'n_artists', '?')} artists"
        + (f"; {unreadable} unreadable tracks left out" if unreadable else ""),
        f"protocol   {_score_text(proto)}",
        f"fitted on  {fit_on} ({_field(proto, 'n_train', '?')} tracks), seed "
        f"{info.get('seed', '?')}",
        "versions   " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        f"warnings   {len(caught)} during training"
        + "".join(f"\n           {line}" for line in caught[:5]),
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
    from .model_file import load_model, read_info

    parser = make_parser()
    args = parser.parse_args(argv)
    if args.top < 1:
        parser.error(f"--top must be at least 1; got {args.top}")
    if not args.paths and not args.info:
        parser.error("give audio files or folders to predict (or --info)")
    # Library deprecations are for developers, not for someone tagging their music.
    with capture_warnings() as caught:
        try:
            if args.info:  # the header alone: --info never loads the pipeline
                print(describe(args.model, read_info(args.model)))
                if not args.paths:
                    print_warnings(caught.lines)
                    return 0
            trusted = [name for item in args.trust for name in item.split(",")]
            model = load_model(args.model, trusted=trusted, allow_pickle=args.unsafe_pickle)
        except MirGenreError as exc:
            print_warnings(caught.lines)
            return error_exit(exc)
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
