"""``python -m mir_genre.train``: fit one pipeline on a dataset and save it as one model file.

The pipeline is a spec (``"tzanetakis57+svm"``, ``"mel_patches+cnn[epochs=20]"``; see
`mir_genre.specs`).  It is fitted on every track of the dataset, or, with
``--protocol fault-filtered`` / ``predefined``, on the train part of the dataset's own
split and scored on its test part.  With ``--protocol artist:K`` it is first
cross-validated over artists, to record an honest score, and then fitted on every track.

The features of every track are extracted once: extractors are stateless, so
cross-validating the classifier on them is the same as cross-validating the pipeline,
and no fold reads a file twice.  Splits, folds and the rule for unreadable tracks are
those of `mir_genre.evaluation`, as in ``python -m mir_genre.compare``: a track that
cannot be read is left out of the folds (made on the whole dataset) and of the final
fit, with a warning naming the file and the reason; the model file lists them under
``dataset.unreadable``.  No readable track at all is an error.

The model file (`mir_genre.model_file`) holds a model card, spec and parameters,
classes, library versions, dataset, protocol and scores, the clip length and sampling
rate it was trained on, and when, followed by the fitted pipeline in skops format,
which runs no code when loaded.  ``python -m mir_genre.predict`` reads it.

The model file's folder and the cache are created and probed, and every parameter
value of the pipeline checked, before any track is read; Ctrl-C stops with one line
and exit code 130, the feature cache keeping the tracks extracted so far.

A classifier trained on a feature table whose columns are the ``tzanetakis57``
features (the public GTZAN ``features_30_sec.csv``) gets that extractor put in front of
it, so the model predicts from audio like any other.
"""

import argparse
import time
import warnings

import numpy as np

from ._cli import (
    add_dataset_arguments,
    capture_warnings,
    check_writable_dir,
    check_writable_file,
    dataset_kwargs,
    error_exit,
    interrupted,
    load_dataset_from_args,
    n_jobs_type,
    print_warnings,
)
from .datasets import clip_seconds
from .exceptions import ParameterError
from .specs import accepts_groups

__all__ = ["make_parser", "main"]

#: Default spec by dataset kind (``--pipeline`` not given).
DEFAULT_PIPELINES = {"audio": "tzanetakis57+svm", "features": "svm"}

#: Clip length assumed when a dataset does not know the length of its tracks.
FALLBACK_CLIP_SECONDS = 30.0

_EPILOG = """\
examples:
  python -m mir_genre.train -o synthetic.model
      tzanetakis57+svm on the built-in synthetic dataset, all tracks
  python -m mir_genre.train --dataset gtzan --root gtzan/ --protocol artist:5 -o gtzan.model
      5-fold artist-filtered cross-validation score recorded, then fitted on every track
  python -m mir_genre.train --dataset gtzan --root gtzan/ --protocol fault-filtered \\
      --pipeline "mel_patches+cnn[epochs=40]" --cache .cache -o cnn.model
      fitted on the fault-filtered train part, scored on its test part
  python -m mir_genre.train --dataset feature_table --root features_30_sec.csv -o table.model
      an SVM on the public 57-feature table; it predicts from audio through tzanetakis57

protocols:
  all (default)                  fit on every track, no score
  artist:K                       K-fold CV over artists, then fit on every track
  random:K                       K-fold CV ignoring artists (inflated; for comparison only)
  fault-filtered, predefined     fit on the dataset's train split, score on its test split
  fault-filtered+valid           fit on train+valid, score on test

model file:
  A JSON model card (dataset, protocol and scores, classes, versions; predict --info
  prints it) followed by the fitted pipeline in skops format: parameters and arrays, no
  code. predict builds only trusted types (mir_genre's, registered plugins',
  scikit-learn's, NumPy's, SciPy's) and refuses others by name unless --trust names them.
"""


def make_parser():
    """Build the argument parser of ``python -m mir_genre.train``.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> args = make_parser().parse_args(["-o", "m.model", "--protocol", "artist:5"])
    >>> args.output, args.protocol, args.dataset
    ('m.model', 'artist:5', 'synthetic')
    """
    parser = argparse.ArgumentParser(
        prog="python -m mir_genre.train",
        description="Fit one pipeline on a dataset and save it as a model file for "
        "`python -m mir_genre.predict`.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-p",
        "--pipeline",
        metavar="SPEC",
        help="'extractor[p=v]+classifier[p=v]', or 'a+b+classifier' to join two "
        "extractors' features (default: tzanetakis57+svm for audio, svm for feature "
        "tables); `python -m mir_genre plugins` lists the names",
    )
    parser.add_argument(
        "-o", "--output", metavar="MODEL", required=True, help="model file to write"
    )
    parser.add_argument(
        "--protocol",
        default="all",
        metavar="NAME",
        help="all (default), artist:K, random:K, fault-filtered, fault-filtered+valid or "
        "predefined (see below)",
    )
    add_dataset_arguments(parser)
    run = parser.add_argument_group("run")
    run.add_argument(
        "--seed", type=int, default=0, help="random seed of the classifier and folds (default 0)"
    )
    run.add_argument(
        "--n-jobs",
        type=n_jobs_type,
        default=None,
        help="parallel extraction workers (-1: all cores)",
    )
    run.add_argument(
        "--cache", metavar="DIR", help="per-track feature cache (reused by later runs)"
    )
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    return parser


class _UsageError(Exception):
    """A problem with the options: reported with exit code 2."""


def _build(spec, dataset, args):
    """Build the pipeline, giving extractors the dataset's clip length and sampling rate."""
    from .specs import build_pipeline, dataset_defaults, set_runtime_params

    try:
        defaults = dataset_defaults(spec, dataset)
    except ParameterError as exc:
        raise _UsageError(str(exc)) from exc
    pipeline = build_pipeline(
        spec, memory=args.cache, n_jobs=args.n_jobs, random_state=args.seed, defaults=defaults
    )
    if spec.extractor:
        set_runtime_params(pipeline.steps[0][1], verbose=not args.quiet)
    return pipeline


def _features(extractor, dataset):
    """Extract every track once: ``(features, readable rows, failures)``.

    Tracks that cannot be read are left out with a warning naming each file and the
    reason (`mir_genre.evaluation.drop_unreadable`); none readable is a DataError.
    """
    from .evaluation import drop_unreadable, extract_features

    features, failures = extract_features(extractor, dataset.X)
    return features, drop_unreadable(failures, dataset), failures


def _fit(classifier, F, y, groups, index=None):
    index = slice(None) if index is None else index
    params = {"groups": groups[index]} if accepts_groups(classifier) else {}
    return classifier.fit(F[index], y[index], **params)


def _train(classifier, F, dataset, protocol, seed, *, splits=None, keep=None):
    """Fit ``classifier`` as the protocol says; return (fitted classifier, protocol info).

    ``splits`` are `mir_genre.evaluation.make_splits`'s (made here when None); ``keep``
    marks the readable rows of ``F`` (None: all).  Folds run through the evaluation
    engine's fold runner, as in compare; a failing fold raises RuntimeError.
    """
    from .evaluation import make_splits, readable_folds, run_folds

    y, groups = dataset.y, dataset.groups
    rows = np.arange(len(y)) if keep is None else np.flatnonzero(keep)
    info = {"name": protocol, "metric": "accuracy"}
    if protocol == "all":
        info.update(fit_on="all", n_train=len(rows), score=None)
        return _fit(classifier, F, y, groups, rows), info
    if splits is None:
        splits = make_splits(dataset, [protocol], seed=seed, leakage="warn")[0]
    folds = readable_folds(splits[protocol], keep)
    cv = protocol.partition(":")[0] in ("artist", "random")  # else one train/test split
    # Warnings reach train's own capture (capture=False): they go into the model file.
    folds_run = run_folds(classifier, F, y, groups, folds, capture=False, keep_model=not cv)
    records = list(folds_run)
    for record in records:
        if record.get("error"):
            hint = ""
            if cv and record["error"].startswith("ValueError"):
                hint = (
                    " (a fold's training part may be too small for the classifier: use "
                    "fewer folds or more tracks)"
                )
            raise RuntimeError(f"{protocol} fold {record['fold']}: {record['error']}{hint}")
    scores = [record["accuracy"] for record in records]
    if cv:
        info.update(
            scores=scores,
            score=float(np.mean(scores)),
            score_std=float(np.std(scores)),
            n_folds=len(scores),
            fit_on="all",
            n_train=len(rows),
        )
        return _fit(classifier, F, y, groups, rows), info
    (train, test), record = folds[0], records[0]
    shared = set(groups[train]) & set(groups[test])
    info.update(
        scores=[record["accuracy"]],
        score=record["accuracy"],
        fit_on="train",
        n_train=len(train),
        n_test=len(test),
        shared_artists=len(shared),
    )
    return record["model"], info


def _table_extractor(dataset):
    """Return the registered extractor whose output columns are the table's, or None."""
    from .registry import get_extractor

    if dataset.kind != "features" or not dataset.feature_names:
        return None
    extractor = get_extractor("tzanetakis57")
    names = [str(n) for n in extractor.get_feature_names_out()]
    return extractor if names == [str(n) for n in dataset.feature_names] else None


def _step_params(pipeline):
    return {name: step.get_params(deep=False) for name, step in pipeline.steps}


def _summary(info, output):
    ds, proto = info["dataset"], info["protocol"]
    lines = [
        f"dataset   {ds['name']}: {ds['n_tracks']} tracks, {ds['n_genres']} genres, "
        f"{ds['n_artists']} artists ({ds['kind']})",
        f"pipeline  {info['spec']}",
    ]
    if info.get("features_from"):
        lines[-1] += f" (predicts from audio through {info['features_from']})"
    if proto.get("score") is None:
        lines.append("protocol  all: no held-out score (use --protocol artist:5 for one)")
    elif proto.get("n_folds"):
        folds = ", ".join(f"{s:.3f}" for s in proto["scores"])
        lines.append(
            f"protocol  {proto['name']}: accuracy {proto['score']:.3f} +- "
            f"{proto['score_std']:.3f} over {proto['n_folds']} folds ({folds})"
        )
    else:
        lines.append(
            f"protocol  {proto['name']}: accuracy {proto['score']:.3f} on {proto['n_test']} "
            f"test tracks ({proto['shared_artists']} artists shared with train)"
        )
    fit_on = "every track" if proto["fit_on"] == "all" else "the train split"
    lines.append(
        f"model     fitted on {fit_on} ({proto['n_train']} tracks); {info['fit_seconds']:.1f} s "
        "in all"
    )
    lines.append(f"windows   predict cuts songs into {info['window_seconds']:g}-s windows")
    if info.get("sr"):
        lines[-1] += f" at {info['sr']} Hz"
    lines.append(f"saved     {output}")
    return "\n".join(lines)


def _run(args):
    """Load the dataset and fit the pipeline; return it with its description."""
    from sklearn.pipeline import Pipeline

    from .evaluation import check_spec_fits_dataset, make_splits, unreadable_records
    from .exceptions import DataWarning, MirGenreError
    from .provenance import dataset_summary, library_versions
    from .specs import extractor_members, parse_spec, set_runtime_params

    try:
        dataset = load_dataset_from_args(args)
        spec = parse_spec(args.pipeline or DEFAULT_PIPELINES[dataset.kind])
        check_spec_fits_dataset(spec, dataset, option="--pipeline")
        table_extractor = None if spec.extractor else _table_extractor(dataset)
        clip = clip_seconds(dataset)
        if clip is None and (dataset.kind == "audio" or table_extractor is not None):
            warnings.warn(
                f"Dataset {dataset.name!r} does not know the length of its clips; predict "
                f"will cut songs into {FALLBACK_CLIP_SECONDS:g}-s windows.",
                DataWarning,
                stacklevel=2,
            )
            clip = FALLBACK_CLIP_SECONDS
        pipeline = _build(spec, dataset, args)
        splits = None
        if args.protocol != "all":
            # Check the protocol against the dataset now, not after a long extraction.
            splits = make_splits(dataset, [args.protocol], seed=args.seed, leakage="warn")[0]
    except (MirGenreError, ValueError) as exc:
        raise _UsageError(str(exc)) from exc

    start = time.perf_counter()
    classifier_name, classifier = pipeline.steps[-1]
    if spec.extractor:
        extractor = pipeline.steps[0][1]
        F, keep, failures = _features(extractor, dataset)
    else:
        extractor, keep, failures = table_extractor, None, []
        F = np.asarray(dataset.X, dtype=float)  # plain array: no column names to carry
    classifier, protocol = _train(
        classifier, F, dataset, args.protocol, args.seed, splits=splits, keep=keep
    )
    if failures:
        dataset = dataset.subset(keep)  # describe the tracks the model was trained on
    fit_seconds = time.perf_counter() - start

    features_from = None
    if extractor is not None:
        set_runtime_params(extractor, memory=None, n_jobs=None, verbose=False)
        ext_name = spec.extractor or "tzanetakis57"
        features_from = None if spec.extractor else ext_name
        pipeline = Pipeline([(ext_name, extractor), (classifier_name, classifier)])
    else:
        pipeline = Pipeline([(classifier_name, classifier)])

    rates = {getattr(m, "sr", None) for m in extractor_members(extractor)} - {None}
    sr = rates.pop() if len(rates) == 1 else None  # build_pipeline checked they agree
    if sr is None and dataset.kind == "audio":
        sr = dataset.sr
    duration_param = getattr(extractor, "_fixed_duration_param", None)
    window = getattr(extractor, duration_param) if duration_param else clip
    info = {
        "spec": str(spec),
        "steps": [name for name, _ in pipeline.steps],
        "params": _step_params(pipeline),
        "classes": [str(c) for c in classifier.classes_],
        "input": "audio" if extractor is not None else "features",
        "features_from": features_from,
        "clip_seconds": clip,
        "window_seconds": window,
        "sr": sr,
        "dataset": {
            **dataset_summary(dataset),
            "n_unreadable": len(failures),
            "unreadable": unreadable_records(failures),
            "options": dataset_kwargs(args),
        },
        "protocol": protocol,
        "seed": args.seed,
        "fit_seconds": round(fit_seconds, 3),
        "versions": library_versions(),
    }
    return pipeline, info


def _check_places(args):
    """Refuse, before any work, a model file or a cache that could not be written."""
    check_writable_file(args.output, what="-o/--output")
    if args.cache:
        check_writable_dir(args.cache, what="--cache")


def main(argv=None):
    """Run ``python -m mir_genre.train`` (see `_main`), with one line for Ctrl-C.

    Parameters
    ----------
    argv : list of str or None, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        As `_main`; 130 when interrupted (no model is written; the feature cache keeps
        the tracks extracted so far).
    """
    args = make_parser().parse_args(argv)
    try:
        _check_places(args)
    except ParameterError as exc:
        return error_exit(exc, code=2)
    try:
        return _main(args)
    except KeyboardInterrupt:
        kept = (
            f"the feature cache in {args.cache} keeps the tracks extracted so far, so a "
            "rerun with the same --cache skips them"
            if args.cache
            else "pass --cache DIR so that a rerun can skip the tracks already extracted"
        )
        return interrupted(f"no model was written to {args.output}; {kept}.")


def _main(args):
    """Train and save the model the parsed options ``args`` describe.

    Parameters
    ----------
    args : argparse.Namespace
        From `make_parser`.

    Returns
    -------
    int
        0 when the model was saved; 1 when training failed; 2 for usage errors (bad
        spec, unknown or misplaced name, bad parameter value, protocol or dataset
        option, missing dataset files; all found before any track is read).
    """
    from .exceptions import MirGenreError
    from .model_file import save_model

    # Library deprecations are for developers, not for someone training a model.
    with capture_warnings() as caught:
        try:
            pipeline, info = _run(args)
        except _UsageError as exc:
            print_warnings(caught.lines)
            return error_exit(exc, code=2)
        except (MirGenreError, ValueError, OSError, RuntimeError) as exc:
            print_warnings(caught.lines)
            return error_exit(f"training failed: {exc}", code=1)
    info["warnings"] = print_warnings(caught.lines)
    with capture_warnings() as caught:  # a type that loading must be told to trust
        try:
            path = save_model(args.output, pipeline, **info)
        except OSError as exc:
            return error_exit(f"could not write the model file: {exc}", code=1)
    print_warnings(caught.lines)
    print(_summary(info, path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
