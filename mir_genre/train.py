"""``python -m mir_genre.train``: fit one pipeline on a dataset and save it as one model file.

The pipeline is a spec (``"tzanetakis57+svm"``, ``"mel_patches+cnn[epochs=20]"``; see
`mir_genre.specs`).  It is fitted on every track of the dataset, or, with
``--protocol fault-filtered`` / ``predefined``, on the train part of the dataset's own
split and scored on its test part.  With ``--protocol artist:K`` it is first
cross-validated over artists, to record an honest score, and then fitted on every track.

The features of every track are extracted once: extractors are stateless, so
cross-validating the classifier on them is the same as cross-validating the pipeline,
and no fold reads a file twice.  The model file (`mir_genre.model_file`) holds the
fitted pipeline and a description of it: spec and parameters, classes, library
versions, dataset, protocol and scores, the clip length and sampling rate it was
trained on, and when.  ``python -m mir_genre.predict`` reads it.

A classifier trained on a feature table whose columns are the ``tzanetakis57``
features (the public GTZAN ``features_30_sec.csv``) gets that extractor put in front of
it, so the model predicts from audio like any other.
"""

import argparse
import sys
import time
import warnings

import numpy as np

from ._cli import (
    add_dataset_arguments,
    dataset_kwargs,
    error_exit,
    load_dataset_from_args,
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
        "--n-jobs", type=int, default=None, help="parallel extraction workers (-1: all cores)"
    )
    run.add_argument(
        "--cache", metavar="DIR", help="per-track feature cache (reused by later runs)"
    )
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    return parser


class _UsageError(Exception):
    """A problem with the options: reported with exit code 2."""


def _check_spec_fits_dataset(spec, dataset):
    if dataset.kind == "features" and spec.extractor:
        raise _UsageError(
            f"Dataset {dataset.name!r} is a feature table: its tracks are already features, "
            f"so the pipeline cannot start with the extractor {spec.extractor!r}. Give a "
            f"classifier alone, e.g. --pipeline {spec.classifier}."
        )
    if dataset.kind == "audio" and not spec.extractor:
        raise _UsageError(
            f"Dataset {dataset.name!r} is audio, so the pipeline needs an extractor in front "
            f"of the classifier, e.g. --pipeline tzanetakis57+{spec.classifier}."
        )


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
    """Extract every track once; leave out (with a warning) tracks that cannot be read."""
    from .exceptions import DataError, DataWarning
    from .specs import extractor_members

    extractor.fit(dataset.X)
    parts, by_index = [], {}
    for member in extractor_members(extractor):  # joined extractors: each in turn
        if hasattr(member, "extract"):
            part, failed = member.extract(dataset.X, errors="collect")
        else:
            part, failed = member.transform(dataset.X), []
        parts.append(part)
        for failure in failed:
            by_index.setdefault(failure.index, failure)
    features = np.hstack(parts)
    failures = [by_index[i] for i in sorted(by_index)]
    if failures:
        if len(failures) == len(dataset):
            first = failures[0]
            raise DataError(
                f"No track of dataset {dataset.name!r} could be read; the first, "
                f"{first.source}, failed with {type(first.error).__name__}: {first.error}"
            )
        listed = "; ".join(f"{f.source}: {f.error}" for f in failures[:5])
        more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
        warnings.warn(
            f"{len(failures)} track(s) could not be read and were left out: {listed}{more}",
            DataWarning,
            stacklevel=2,
        )
        keep = np.ones(len(dataset), dtype=bool)
        keep[[f.index for f in failures]] = False
        return features[keep], dataset.subset(keep), len(failures)
    return features, dataset, 0


def _fit(classifier, F, y, groups, index=None):
    index = slice(None) if index is None else index
    params = {"groups": groups[index]} if accepts_groups(classifier) else {}
    return classifier.fit(F[index], y[index], **params)


def _train(classifier, F, dataset, protocol, seed):
    """Fit ``classifier`` as the protocol says; return (fitted classifier, protocol info)."""
    from sklearn.base import clone
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import cross_validate

    from .model_selection import make_cv

    y, groups = dataset.y, dataset.groups
    info = {"name": protocol, "metric": "accuracy"}
    if protocol == "all":
        info.update(fit_on="all", n_train=len(y), score=None)
        return _fit(classifier, F, y, groups), info
    cv = make_cv(protocol, dataset, random_state=seed)
    name = protocol.partition(":")[0]
    if name in ("artist", "random"):
        params = {"groups": groups} if accepts_groups(classifier) else {}
        try:
            result = cross_validate(
                clone(classifier),
                F,
                y,
                groups=groups,
                cv=cv,
                scoring="accuracy",
                params=params,
                error_score="raise",
            )
        except ValueError as exc:
            raise ValueError(
                f"{protocol} cross-validation: {exc} (a fold's training part may be too small "
                "for the classifier: use fewer folds or more tracks)"
            ) from exc
        scores = [float(s) for s in result["test_score"]]
        info.update(
            scores=scores,
            score=float(np.mean(scores)),
            score_std=float(np.std(scores)),
            n_folds=len(scores),
            fit_on="all",
            n_train=len(y),
        )
        return _fit(classifier, F, y, groups), info
    train, test = next(cv.split(F, y, groups))
    fitted = _fit(classifier, F, y, groups, train)
    score = float(accuracy_score(y[test], fitted.predict(F[test])))
    shared = set(groups[train]) & set(groups[test])
    info.update(
        scores=[score],
        score=score,
        fit_on="train",
        n_train=len(train),
        n_test=len(test),
        shared_artists=len(shared),
    )
    return fitted, info


def _table_extractor(dataset):
    """Return the registered extractor whose output columns are the table's, or None."""
    from .registry import get_extractor

    if dataset.kind != "features" or not dataset.feature_names:
        return None
    extractor = get_extractor("tzanetakis57")
    names = [str(n) for n in extractor.get_feature_names_out()]
    return extractor if names == [str(n) for n in dataset.feature_names] else None


def _versions():
    from .model_file import library_versions

    extra = [name for name in ("xgboost", "keras") if name in sys.modules]
    versions = library_versions(*extra)
    if "keras" in sys.modules:
        backend = sys.modules["keras"].backend.backend()
        versions["keras_backend"] = backend
        versions.update(library_versions(backend))
    return versions


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

    from .exceptions import DataWarning, MirGenreError
    from .model_selection import make_cv
    from .specs import extractor_members, parse_spec, set_runtime_params

    try:
        dataset = load_dataset_from_args(args)
        spec = parse_spec(args.pipeline or DEFAULT_PIPELINES[dataset.kind])
        _check_spec_fits_dataset(spec, dataset)
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
        if args.protocol != "all":
            # Check the protocol against the dataset now, not after a long extraction.
            cv = make_cv(args.protocol, dataset, random_state=args.seed)
            list(cv.split(np.zeros(len(dataset)), dataset.y, dataset.groups))
    except (MirGenreError, ValueError) as exc:
        raise _UsageError(str(exc)) from exc

    start = time.perf_counter()
    classifier_name, classifier = pipeline.steps[-1]
    if spec.extractor:
        extractor = pipeline.steps[0][1]
        F, dataset, n_failed = _features(extractor, dataset)
    else:
        extractor, n_failed = table_extractor, 0
        F = np.asarray(dataset.X, dtype=float)  # plain array: no column names to carry
    classifier, protocol = _train(classifier, F, dataset, args.protocol, args.seed)
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
            "name": dataset.name,
            "kind": dataset.kind,
            "n_tracks": len(dataset),
            "n_genres": int(len(set(dataset.y))),
            "n_artists": int(sum(str(g).startswith("artist:") for g in set(dataset.groups))),
            "n_unreadable": n_failed,
            "options": dataset_kwargs(args),
        },
        "protocol": protocol,
        "seed": args.seed,
        "fit_seconds": round(fit_seconds, 3),
        "versions": _versions(),
    }
    return pipeline, info


def main(argv=None):
    """Run ``python -m mir_genre.train``.

    Parameters
    ----------
    argv : list of str or None, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        0 when the model was saved; 1 when training failed; 2 for usage errors (bad
        spec, unknown name, protocol or dataset option, missing dataset files).
    """
    from .exceptions import MirGenreError
    from .model_file import save_model

    args = make_parser().parse_args(argv)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # Library deprecations are for developers, not for someone training a model.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        try:
            pipeline, info = _run(args)
        except _UsageError as exc:
            print_warnings(caught)
            return error_exit(exc, code=2)
        except (MirGenreError, ValueError, OSError, RuntimeError) as exc:
            print_warnings(caught)
            return error_exit(f"training failed: {exc}", code=1)
    info["warnings"] = print_warnings(caught)
    try:
        path = save_model(args.output, pipeline, **info)
    except OSError as exc:
        return error_exit(f"could not write the model file: {exc}", code=1)
    print(_summary(info, path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
