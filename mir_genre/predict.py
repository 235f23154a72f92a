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

A song is decoded once, from start to end, one window at a time (the window before is
kept to build the last, overlapping one), so a 10-minute song never sits in memory
whole.  Formats libsndfile cannot read are decoded whole by `mir_genre.audio.load`
(through audioread).

Files that cannot be read are reported on stderr and the others go on; the exit code
is then 1.
"""

import argparse
import contextlib
import json
import os
import sys
import warnings

import numpy as np

from ._cli import capture_warnings, error_exit, print_warnings
from .audio import MP3_FRAME, quiet_native_stderr
from .exceptions import AudioError

__all__ = ["make_parser", "main", "predict_file", "window_starts"]

#: Windows sent through the model at once (bounds memory: 8 x 30 s of audio is 21 MB).
BATCH_WINDOWS = 8

#: A tail shorter than this fraction of a window is left out rather than predicted.
MIN_TAIL_FRACTION = 0.5

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
        "--n-jobs", type=int, default=None, help="parallel workers for the windows of a file"
    )
    parser.add_argument(
        "--info", action="store_true", help="describe the model (with FILEs: then predict)"
    )
    return parser


def window_starts(total, window, *, min_tail=MIN_TAIL_FRACTION):
    """Start times of the windows that cover a song.

    Parameters
    ----------
    total : float >= 0
        Length of the song in seconds.
    window : float > 0
        Window length in seconds.
    min_tail : float in [0, 1], default=0.5
        What is left after the last full window becomes one more window, ending at the
        end of the song, when it is at least this fraction of a window.

    Returns
    -------
    list of float
        Start times in seconds; ``[0.0]`` for a song no longer than one window.

    Examples
    --------
    >>> window_starts(15.0, 5.0)
    [0.0, 5.0, 10.0]
    >>> window_starts(13.0, 5.0)
    [0.0, 5.0, 8.0]
    >>> window_starts(11.0, 5.0)
    [0.0, 5.0]
    >>> window_starts(3.0, 5.0)
    [0.0]
    """
    if total <= window:
        return [0.0]
    # A hair of tolerance: 14.9999999 s of 5-s windows is three windows, not two and a tail.
    n_full = int(np.floor(total / window + 1e-9))
    starts = [k * window for k in range(n_full)]
    tail = total - n_full * window
    if tail > 1e-9 and tail >= min_tail * window:
        starts.append(total - window)
    return [float(s) for s in starts]


def _read_blocks(path, *, sr, window):
    """Yield ``(block, native_sr)``: the decoded file in consecutive window-long blocks.

    Blocks are ``(frames, channels)`` float32 arrays at the file's own rate; the last
    one is shorter (possibly empty).  libsndfile formats are read from start to end,
    never seeking; other formats are decoded whole by `mir_genre.audio.load`.
    """
    import soundfile as sf

    from .audio import load

    try:
        f = sf.SoundFile(os.fspath(path))
    except Exception:  # not a libsndfile format, or not audio: load says which
        y, _ = load(path, sr=sr)
        size = int(round(window * sr))
        for start in range(0, len(y) + 1, size):
            yield y[start : start + size, np.newaxis], sr
        return
    with f:
        size = int(round(window * f.samplerate))
        chunk, quiet = size, contextlib.nullcontext
        if f.format == "MP3":
            # libsndfile's MP3 decoder returns wrong samples near the end of a read that
            # stops inside an MPEG frame (1152 samples, or 576): read whole frames.  It
            # still has libmpg123 print "part2_3_length (...) too large for available bit
            # count" on stderr, although the samples then equal those of a whole-file
            # read (python-soundfile issue #402): keep that quiet.
            chunk, quiet = -(-size // MP3_FRAME) * MP3_FRAME, quiet_native_stderr
        buffer = np.zeros((0, f.channels), dtype=np.float32)
        while True:
            try:
                with quiet():
                    data = f.read(chunk, dtype="float32", always_2d=True)
            except Exception as exc:  # a file damaged after its header
                raise AudioError(
                    f"Could not decode audio file '{path}' after {f.tell() / f.samplerate:.1f} "
                    f"s: {exc}. Re-encode the file (e.g. with ffmpeg) or exclude it."
                ) from exc
            buffer = np.concatenate([buffer, data]) if len(buffer) else data
            while len(buffer) >= size:
                yield buffer[:size], f.samplerate
                buffer = buffer[size:]
            if len(data) < chunk:
                yield buffer, f.samplerate
                return


def _prepare(block, *, path, native_sr, sr, window):
    """Mix a block to mono, resample it to ``sr`` and, with ``window``, fix its length."""
    import librosa

    from .audio import fix_duration

    if not np.isfinite(block).all():
        raise AudioError(
            f"Audio file '{path}' contains NaN or infinite samples; re-encode it as "
            "integer PCM or repair it."
        )
    y = block.mean(axis=1) if block.shape[1] > 1 else block[:, 0]
    if native_sr != sr:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            y = librosa.resample(y, orig_sr=native_sr, target_sr=sr, res_type="soxr_hq")
    if window is not None:
        y = fix_duration(y, sr=sr, duration=window)
    return np.ascontiguousarray(y, dtype=np.float32)


def _iter_windows(path, *, sr, window, stats):
    """Yield the windows of a song (mono, at ``sr``) as `window_starts` places them.

    Full windows are ``round(window * sr)`` samples; a song shorter than one window is
    yielded whole.  ``stats["seconds"]`` is set to the song's length at the end.
    """
    previous, n_frames, native_sr = None, 0, sr
    prepare = {"path": path, "sr": sr}
    for block, native_sr in _read_blocks(path, sr=sr, window=window):
        n_frames += len(block)
        size = int(round(window * native_sr))
        if len(block) == size:
            yield _prepare(block, native_sr=native_sr, window=window, **prepare)
            previous = block
            continue
        if previous is None:  # the whole song is shorter than one window: as it is
            if len(block) == 0:
                raise AudioError(f"Audio file '{path}' contains no samples; remove the file.")
            yield _prepare(block, native_sr=native_sr, window=None, **prepare)
        elif len(block) > 0 and len(block) >= MIN_TAIL_FRACTION * size:
            # The tail: one more window ending at the end of the song, no padding.
            last = np.concatenate([previous[len(block) :], block])
            yield _prepare(last, native_sr=native_sr, window=window, **prepare)
    stats["seconds"] = n_frames / native_sr


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

    for y in _iter_windows(path, sr=sr, window=window, stats=stats):
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


def main(argv=None):
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


if __name__ == "__main__":
    raise SystemExit(main())
