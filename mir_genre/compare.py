"""``python -m mir_genre.compare``: extractor x classifier pipelines, evaluated honestly.

Builds every requested pipeline from the registry, evaluates each with one or more
protocols (artist-filtered k-fold by default), prints a leaderboard on stdout and, with
``--out``, writes ``results.csv``, ``results.json``, figures, ``report.md`` and a
self-contained ``report.html`` (see `mir_genre.report`).

How the work is organised
-------------------------
Extractors are stateless (scikit-learn tag ``requires_fit=False``), so each distinct
extractor configuration runs ONCE over all tracks (with the per-track ``--cache`` and
``--n-jobs``) and only the classifier is cross-validated on the feature matrix; an
extractor whose tags say it must be fitted is refitted inside every fold instead.
Classifiers whose ``fit`` takes ``groups`` (xgboost, the deep models) receive the
training artists, so their early-stopping hold-out is split by artist too.  Every fold
of an honest protocol is checked with `mir_genre.model_selection.check_no_leakage`.

Results are written after every finished pipeline, so Ctrl-C keeps them (and the feature
cache) and exits with status 130.
"""

import argparse
import contextlib
import hashlib
import importlib.util
import shlex
import sys
import threading
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ._cli import (
    add_dataset_arguments,
    dataset_kwargs,
    error_exit,
    load_dataset_from_args,
)
from ._common import one_line, plain
from .exceptions import DataError, LeakageError, LeakageWarning, MirGenreError, ParameterError
from .specs import accepts_groups

__all__ = [
    "CLASSICAL_PIPELINES",
    "DEEP_PIPELINE_CPU",
    "DEEP_PIPELINE_GPU",
    "FEATURE_PIPELINES",
    "dataset_checksum",
    "default_pipelines",
    "check_protocols",
    "main",
    "make_parser",
    "requested_specs",
    "resolve_specs",
]

#: Default pipelines for audio datasets: classical features and classifiers.  xgboost gets
#: one thread: on a few shared cores its OpenMP threads stall each other (seconds per fold
#: instead of a fraction of one), and tree building on a few hundred tracks gains nothing.
CLASSICAL_PIPELINES = (
    "tzanetakis57+mlp",
    "tzanetakis57+xgboost[n_jobs=1]",
    "mfcc_deltas+svm",
)
#: Default deep pipeline on a CPU: a narrower CNN on 64 mel bands that trains in about
#: 40 s per fold on 2 cores.  It trains a fixed 30 epochs: at this size the early-stopping
#: hold-out is a handful of artists, whose noisy loss stopped training after a few epochs
#: (accuracy near chance), while 30 epochs reached 0.71 on a held-out fold.
DEEP_PIPELINE_CPU = (
    "mel_patches[n_mels=64]+cnn[filters=(16, 32, 64, 64),dense_units=64,epochs=30,"
    "batch_size=16,learning_rate=0.003,validation_fraction=0.0]"
)
#: Default deep pipeline when the Keras backend sees a GPU: full-size settings.
DEEP_PIPELINE_GPU = "mel_patches+cnn"
#: Default pipelines for datasets of ready-made features (``feature_table``).
FEATURE_PIPELINES = ("mlp", "xgboost[n_jobs=1]", "svm", "logistic_regression")
#: Default protocol.
DEFAULT_PROTOCOL = "artist:5"

# Optional dependencies of default pipelines: left out, with a note, when missing.
_NEEDS = {"xgboost": "xgboost", "cnn": "keras"}

_EPILOG = """\
examples:
  python -m mir_genre.compare
      the default pipelines on the built-in synthetic dataset, artist-filtered 5-fold
  python -m mir_genre.compare --protocol artist:5,random:5 --out results/
      also a random split, to see how much it flatters each pipeline; report in results/
  python -m mir_genre.compare --dataset gtzan --root ~/data/gtzan --protocol fault-filtered
      GTZAN's fault-filtered split (Kereliuk, Sturm & Larsen 2015)
  python -m mir_genre.compare --extractors tzanetakis57,mfcc_deltas --classifiers svm,mlp
      a grid: every extractor with every classifier
  python -m mir_genre.compare --extractors tzanetakis57,tzanetakis57+chroma --classifiers svm
      does adding chroma features to tzanetakis57 help? (a+b joins their features)
  python -m mir_genre.compare --pipelines "mel_patches[n_mels=96]+cnn[epochs=40]"
      one pipeline with parameters (Python literals in square brackets)
  python -m mir_genre.compare --dataset feature_table --root features_30_sec.csv \\
          --classifiers svm,logistic_regression
      ready-made features: a pipeline is a classifier alone
  python -m mir_genre.compare --scheduler tcp://10.0.0.5:8786 --n-jobs -1
      extraction and folds on a Dask cluster
  python -m mir_genre.compare --list
      datasets, extractors, classifiers, the Keras backend and any broken plugin

protocols:
  artist:K        K-fold over artists, stratified by genre (honest; the default)
  fault-filtered  GTZAN's artist-disjoint train/test split (fault-filtered+valid: train+valid)
  predefined      the dataset's own train/test split
  random:K        K-fold ignoring artists: only to show how much it inflates scores
"""


# --------------------------------------------------------------------------- parser


def make_parser():
    """Build the argument parser of ``python -m mir_genre.compare``.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> args = make_parser().parse_args(["--protocol", "artist:5,random:5", "--quiet"])
    >>> args.protocol, args.quiet, args.dataset
    ('artist:5,random:5', True, 'synthetic')
    """
    parser = argparse.ArgumentParser(
        prog="python -m mir_genre.compare",
        description="Evaluate extractor x classifier pipelines with honest (artist-filtered) "
        "protocols and print a leaderboard; optionally write CSV/JSON results, figures and "
        "an HTML report.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_dataset_arguments(parser)
    group = parser.add_argument_group("pipelines")
    group.add_argument(
        "--pipelines",
        metavar="SPECS",
        help="comma-separated pipelines 'extractor+classifier' (a classifier alone for a "
        "feature table; 'a+b+classifier' joins two extractors' features), each name with "
        "optional [param=value,...]; default: "
        f"{', '.join(CLASSICAL_PIPELINES)} and a CNN on mel_patches (audio), "
        f"{', '.join(FEATURE_PIPELINES)} (features)",
    )
    group.add_argument(
        "--extractors",
        metavar="NAMES",
        help="comma-separated extractors, combined with every --classifiers entry ('a+b' "
        "joins two)",
    )
    group.add_argument(
        "--classifiers",
        metavar="NAMES",
        help="comma-separated classifiers (alone for a feature table)",
    )
    group = parser.add_argument_group("evaluation")
    group.add_argument(
        "--protocol",
        default=DEFAULT_PROTOCOL,
        metavar="NAMES",
        help="comma-separated protocols: artist:K, fault-filtered, fault-filtered+valid, "
        f"predefined, random:K (default: {DEFAULT_PROTOCOL})",
    )
    group.add_argument(
        "--seed", type=int, default=0, help="seed of the classifiers and folds (default: 0)"
    )
    group = parser.add_argument_group("running")
    group.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        metavar="N",
        help="parallel extraction and folds (-1: all cores; default 1, or the whole "
        "cluster with --scheduler)",
    )
    group.add_argument(
        "--cache",
        metavar="DIR",
        help="per-track feature cache (default: the 'features' folder of mir_genre's cache, "
        "$MIR_GENRE_CACHE/features when that is set)",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address (e.g. tcp://host:8786): extraction and folds run on "
        "that cluster (needs mir_genre[dask])",
    )
    group = parser.add_argument_group("output")
    group.add_argument(
        "--out",
        metavar="DIR",
        help="write results.csv, results.json, figures, report.md and report.html here",
    )
    group.add_argument(
        "--list",
        action="store_true",
        help="list datasets, extractors, classifiers, the Keras backend and broken plugins",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress output (progress bars are drawn only when stderr is a terminal)",
    )
    return parser


# --------------------------------------------------------------------------- defaults


def _keras_backend():
    """Return the Keras backend the deep models would use (None: none installed)."""
    if importlib.util.find_spec("keras") is None:
        return None
    from .classifiers.keras import backend

    try:
        return backend.choose_backend()
    except ParameterError:
        return None


def default_pipelines(kind="audio", *, backend="auto"):
    """Return the pipelines compared when none are named.

    Parameters
    ----------
    kind : {"audio", "features"}, default="audio"
        The dataset's kind.
    backend : BackendChoice, None or "auto", default="auto"
        The Keras backend choice (`mir_genre.classifiers.keras.choose_backend`); "auto"
        asks it; None means no deep model.  When the backend sees a GPU the deep
        pipeline uses full-size settings, else CPU-sized ones.

    Returns
    -------
    list of str
        Pipeline specs.

    Examples
    --------
    >>> default_pipelines("features")
    ['mlp', 'xgboost[n_jobs=1]', 'svm', 'logistic_regression']
    >>> default_pipelines("audio", backend=None)
    ['tzanetakis57+mlp', 'tzanetakis57+xgboost[n_jobs=1]', 'mfcc_deltas+svm']
    """
    if kind == "features":
        return list(FEATURE_PIPELINES)
    specs = list(CLASSICAL_PIPELINES)
    if backend == "auto":
        backend = _keras_backend()
    if backend is not None:
        specs.append(DEEP_PIPELINE_GPU if backend.n_gpus > 0 else DEEP_PIPELINE_CPU)
    return specs


def _available(specs, notes):
    """Drop default pipelines whose optional dependency is missing, with a note."""
    kept = []
    for spec in specs:
        module = _NEEDS.get(spec.classifier)
        if module and importlib.util.find_spec(module) is None:
            notes.append(
                f"{spec.name} left out: it needs {module} (pip install 'mir_genre[{module}]')"
            )
            continue
        kept.append(spec)
    return kept


# --------------------------------------------------------------------------- specs


def _names(text, option):
    from .specs import parse_specs

    # parse_specs reads a lone name as a classifier: reuse it for any component name.
    specs = parse_specs(text)
    for spec in specs:
        if spec.extractor:
            raise ParameterError(
                f"{option} takes names (with optional [param=value]) separated by commas; "
                f"{str(spec)!r} joins two with '+'. Use --pipelines for whole pipelines."
            )
    return [(spec.classifier, spec.classifier_params) for spec in specs]


def _joined_names(text):
    """``--extractors``: each comma-separated entry is one extractor or several joined."""
    from .specs import parse_specs

    # Read each entry as a spec whose last part is a classifier, then move that part back.
    return [
        (*spec.extractors, (spec.classifier, spec.classifier_params)) for spec in parse_specs(text)
    ]


def requested_specs(args):
    """Return the pipelines named by ``--pipelines`` or an extractor x classifier grid.

    Every name is looked up in the registry, so a typo fails before any data is loaded.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options (``pipelines``, ``extractors``, ``classifiers``).

    Returns
    -------
    list of PipelineSpec or None
        None when nothing was named (the defaults for the dataset's kind apply).  A grid
        with only ``--classifiers`` gives classifier-only specs (for feature tables).

    Raises
    ------
    ParameterError
        For bad spec syntax, an unknown name (the message lists the known ones), or
        ``--extractors`` without ``--classifiers``.
    PluginError
        For a plugin that fails to load.
    """
    from .registry import load_plugin
    from .specs import PipelineSpec, parse_specs

    if args.pipelines:
        specs = parse_specs(args.pipelines)
    elif args.extractors or args.classifiers:
        classifiers = _names(args.classifiers, "--classifiers") if args.classifiers else []
        extractors = _joined_names(args.extractors) if args.extractors else []
        if extractors and classifiers:
            specs = [PipelineSpec(c, cp, e) for e in extractors for c, cp in classifiers]
        elif classifiers:
            specs = [PipelineSpec(c, p) for c, p in classifiers]
        else:
            raise ParameterError(
                "--extractors needs --classifiers: the grid pairs every extractor with every "
                "classifier, e.g. --extractors tzanetakis57,mfcc_deltas --classifiers svm,mlp."
            )
    else:
        return None
    for spec in specs:
        for name, _ in spec.extractors:
            load_plugin("extractors", name)
        if spec.classifier:
            load_plugin("classifiers", spec.classifier)
    return list({str(spec): spec for spec in specs}.values())


def resolve_specs(specs, dataset):
    """Check the requested pipelines against the dataset's kind, or pick the defaults.

    Parameters
    ----------
    specs : list of PipelineSpec or None
        From `requested_specs`; None for the defaults.
    dataset : Dataset
        The dataset; ``kind="features"`` takes classifiers alone, audio needs
        extractor+classifier.

    Returns
    -------
    specs : list of PipelineSpec
        The pipelines to compare.
    notes : list of str
        Default pipelines left out because an optional dependency is missing.

    Raises
    ------
    ParameterError
        For a spec that does not fit the dataset's kind.
    """
    from .specs import parse_spec

    notes = []
    features = dataset.kind == "features"
    if specs is None:
        kind = "features" if features else "audio"
        specs = _available([parse_spec(s) for s in default_pipelines(kind)], notes)
    for spec in specs:
        if features and spec.extractor:
            raise ParameterError(
                f"Dataset {dataset.name!r} holds ready-made features (kind 'features'), so "
                f"there is nothing to extract: name a classifier alone, e.g. "
                f"{spec.classifier!r} (--classifiers svm,mlp), not {spec.name!r}."
            )
        if not features and not spec.extractor:
            raise ParameterError(
                f"Dataset {dataset.name!r} holds audio, so a pipeline needs an extractor and "
                f"a classifier: {str(spec)!r} names only a classifier; write e.g. "
                f"'tzanetakis57+{spec.classifier}' (or --extractors with --classifiers; "
                "extractors: see --list)."
            )
    if not specs:
        raise ParameterError("No pipeline to compare; name some with --pipelines.")
    return specs, notes


def check_protocols(text):
    """Split ``--protocol`` and check every name (before any data is loaded).

    Parameters
    ----------
    text : str
        Comma-separated protocol names.

    Returns
    -------
    list of str
        Without duplicates, in the order given.

    Raises
    ------
    ParameterError
        For an unknown protocol or a bad number of folds.

    Examples
    --------
    >>> check_protocols("artist:5, random:5,artist:5")
    ['artist:5', 'random:5']
    """
    from .model_selection import make_cv

    protocols = list(dict.fromkeys(p.strip() for p in str(text).split(",") if p.strip()))
    if not protocols:
        raise ParameterError("--protocol is empty; use e.g. --protocol artist:5.")
    for protocol in protocols:
        if protocol not in ("fault-filtered", "fault-filtered+valid", "predefined"):
            make_cv(protocol)  # raises for unknown names and bad fold counts
    return protocols


def _labels(specs):
    """Short names (``tzanetakis57+svm``), with parameters only where names repeat."""
    counts = {}
    for spec in specs:
        counts[spec.name] = counts.get(spec.name, 0) + 1
    return [spec.name if counts[spec.name] == 1 else str(spec) for spec in specs]


def _build(spec, dataset, *, memory, n_jobs, seed):
    """build_pipeline with the dataset's clip length and the extractor's shape parameters."""
    from .specs import build_pipeline, dataset_defaults

    defaults = dataset_defaults(spec, dataset)
    return build_pipeline(spec, memory=memory, n_jobs=n_jobs, random_state=seed, defaults=defaults)


# --------------------------------------------------------------------------- protocols


def _error_text(exc):
    return f"{type(exc).__name__}: {one_line(exc)}"


def make_splits(dataset, protocols, *, seed):
    """Build every protocol's folds, checking the honest ones for leakage.

    Parameters
    ----------
    dataset : Dataset
        The dataset.
    protocols : list of str
        Protocol names (`mir_genre.model_selection.make_cv`).
    seed : int or None
        Seed of the folds.

    Returns
    -------
    splits : dict of str to list of (train, test)
        Folds per protocol.
    info : list of dict
        ``name``, ``honest``, ``n_folds``, ``splitter`` per protocol.
    notes : list of str
        One-line notes (a random split's leakage, a dataset without artists).

    Raises
    ------
    ParameterError
        For an unknown protocol or one the dataset cannot support.
    LeakageError
        If an artist protocol puts an artist on both sides (a bug, never expected).
    """
    from .model_selection import check_no_leakage, make_cv

    n = len(dataset)
    X = np.zeros((n, 1))
    y, groups, tracks = dataset.y, dataset.groups, dataset.track_ids
    splits, info, notes = {}, [], []
    if not dataset.has_artists:
        notes.append(
            f"dataset {dataset.name!r} has no artist information: every track is its own "
            "group, so no protocol can keep an artist's tracks together"
        )
    for protocol in protocols:
        cv = make_cv(protocol, dataset, random_state=seed)
        is_random = protocol.startswith("random")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", LeakageWarning)
            try:
                folds = list(cv.split(X, y, groups))
            except ParameterError:
                raise
            except ValueError as exc:  # scikit-learn's splitters: too few tracks per genre...
                raise ParameterError(
                    f"Protocol {protocol!r} cannot split dataset {dataset.name!r} "
                    f"({len(dataset)} tracks): {one_line(exc)} Use fewer folds."
                ) from exc
        for warning in caught:
            if issubclass(warning.category, LeakageWarning):
                notes.append(f"{protocol}: {one_line(warning.message)}")
            else:
                warnings.warn_explicit(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
        honest = not is_random
        if honest:
            try:
                check_no_leakage(cv, X, y, groups, track_ids=tracks)
            except LeakageError as exc:
                if protocol.startswith("artist:"):
                    raise
                honest = False
                notes.append(f"{protocol} is not artist-disjoint: {one_line(exc)}")
        splits[protocol] = folds
        info.append(
            {"name": protocol, "honest": honest, "n_folds": len(folds), "splitter": repr(cv)}
        )
    return splits, info, notes


# --------------------------------------------------------------------------- running


def _take(X, index):
    if isinstance(X, np.ndarray):
        return X[index]
    return [X[i] for i in index]


@contextlib.contextmanager
def _collect_warnings(into):
    """Record warnings as one-line strings instead of printing (or raising) them.

    Only in the main thread: `warnings.catch_warnings` swaps process-wide state, so in a
    worker thread (Dask, joblib threads) warnings are left to the worker's own handling.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # As Python does outside __main__: deprecations are for developers, not reports.
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
        try:
            yield
        finally:
            for w in caught:
                text = f"{w.category.__name__}: {one_line(w.message)}"
                if text not in into:
                    into.append(text)


def _run_fold(estimator, X, y, groups, train, test, groups_param):
    """Fit a clone on ``train``, score it on ``test``; never raises (but KeyboardInterrupt)."""
    from sklearn.base import clone
    from sklearn.metrics import accuracy_score, f1_score

    record = {"n_train": int(len(train)), "n_test": int(len(test)), "warnings": []}
    with _collect_warnings(record["warnings"]):
        try:
            model = clone(estimator)
            kwargs = {groups_param: groups[train]} if groups_param else {}
            start = time.perf_counter()
            model.fit(_take(X, train), y[train], **kwargs)
            fitted = time.perf_counter()
            y_pred = np.asarray(model.predict(_take(X, test)))
            record["predict_seconds"] = time.perf_counter() - fitted
            record["fit_seconds"] = fitted - start
        except Exception as exc:  # reported in the leaderboard; the other pipelines go on
            record["error"] = _error_text(exc)
            return record
    y_true = y[test]
    record["accuracy"] = float(accuracy_score(y_true, y_pred))
    # Macro-F1 over the genres of this fold's test set: with few artists per genre a fold
    # may lack a genre, and counting it as F1 = 0 would penalise the split, not the model.
    record["macro_f1"] = float(
        f1_score(y_true, y_pred, labels=np.unique(y_true), average="macro", zero_division=0)
    )
    record["y_true"] = [str(v) for v in y_true]
    record["y_pred"] = [str(v) for v in y_pred]
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    history = getattr(final, "history_", None)
    if isinstance(history, dict):
        record["history"] = {k: [float(v) for v in values] for k, values in history.items()}
    return record


def _groups_param(classifier, *, step=None):
    """Name of the fit parameter that takes the training artists, or None."""
    if not accepts_groups(classifier):
        return None
    return f"{step}__groups" if step else "groups"


def _extract(extractor, X, *, quiet, warnings_into):
    from sklearn.base import clone

    from .specs import set_runtime_params

    extractor = set_runtime_params(clone(extractor), verbose=not quiet)
    with _collect_warnings(warnings_into):
        start = time.perf_counter()
        features = extractor.fit_transform(X)
        return features, time.perf_counter() - start


def _params(pipe):
    from sklearn.base import BaseEstimator

    return {
        key: plain(value)
        for key, value in pipe.get_params(deep=True).items()
        if key != "steps" and not isinstance(value, BaseEstimator)
    }


def _plan(specs, dataset, *, memory, n_jobs, seed):
    """Build every pipeline and decide which extractions can be shared."""
    from sklearn.utils import get_tags

    from .features._base import RUNTIME_PARAMS
    from .specs import extractor_members

    items = []
    for spec, label in zip(specs, _labels(specs), strict=True):
        pipe = _build(
            spec, dataset, memory=memory if spec.extractor else None, n_jobs=n_jobs, seed=seed
        )
        members = extractor_members(pipe.steps[0][1]) if spec.extractor else []
        if spec.extractor is None:
            key = ("<dataset>",)  # X already holds the features
        elif any(get_tags(m).requires_fit for m in members):
            key = None  # a fitted extractor: the whole pipeline is refitted in every fold
        else:
            # Stateless: one extraction per distinct configuration serves every pipeline.
            computed = [
                sorted(
                    (k, repr(v))
                    for k, v in m.get_params(deep=False).items()
                    if k not in RUNTIME_PARAMS
                )
                for m in members
            ]
            key = (spec.extractor, repr(computed))
        record = {
            "label": label,
            "spec": str(spec),
            "params": _params(pipe),
            "deep": False,
            "extract_seconds": None,
            "runs": [],
        }
        items.append(
            {
                "spec": spec,
                "label": label,
                "pipeline": pipe,
                "classifier": pipe.steps[-1][1],
                "features_key": key,
                "record": record,
            }
        )
    return items


def _features(item, dataset, cache, *, quiet):
    """Return a pipeline's feature matrix, extracted on first use and shared via ``cache``."""
    key = item["features_key"]
    if key == ("<dataset>",):
        return {"X": dataset.X, "warnings": []}
    if key is None:
        return {"X": None, "warnings": []}
    if key not in cache:
        features = {"X": None, "warnings": [], "error": None}
        try:
            features["X"], features["seconds"] = _extract(
                item["pipeline"].steps[0][1],
                dataset.X,
                quiet=quiet,
                warnings_into=features["warnings"],
            )
        except Exception as exc:  # reported for every pipeline that needs it
            features["error"] = _error_text(exc)
        cache[key] = features
    return cache[key]


def _evaluate_pipeline(item, dataset, splits, features, *, n_jobs, quiet):
    """Evaluate one pipeline under every protocol; returns its results record."""
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    record = item["record"]
    record["runs"] = []
    if features.get("error"):
        for protocol in splits:
            record["runs"].append(
                {
                    "protocol": protocol,
                    "error": f"feature extraction failed: {features['error']}",
                    "warnings": list(features["warnings"]),
                    "folds": [],
                }
            )
        return record
    if features.get("X") is not None:
        estimator, X = item["classifier"], features["X"]
        groups_param = _groups_param(estimator)
    else:  # fit the whole pipeline inside every fold
        estimator, X = item["pipeline"], dataset.X
        step, classifier = item["pipeline"].steps[-1]
        groups_param = _groups_param(classifier, step=step)
    y, groups = dataset.y, dataset.groups
    for protocol, folds in splits.items():
        run = {"protocol": protocol, "error": None, "warnings": [], "folds": []}
        if features.get("warnings"):
            run["warnings"] += features["warnings"]
        jobs = (
            delayed(_run_fold)(estimator, X, y, groups, train, test, groups_param)
            for train, test in folds
        )
        results = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
        bar = tqdm(
            results,
            total=len(folds),
            desc=f"{record['label']} [{protocol}]",
            unit="fold",
            disable=quiet,
            leave=False,
            file=sys.stderr,
        )
        for index, fold in enumerate(bar):
            fold["fold"] = index
            for text in fold.pop("warnings"):
                if text not in run["warnings"]:
                    run["warnings"].append(text)
            if fold.get("error"):
                run["error"] = f"fold {index}: {fold['error']}"
                break
            run["folds"].append(fold)
        bar.close()
        if any("history" in fold for fold in run["folds"]):
            record["deep"] = True
        record["runs"].append(run)
    return record


# --------------------------------------------------------------------------- context


def dataset_checksum(dataset):
    """sha256 over every track's id, genre, artist and path (identifies the evaluation data).

    Parameters
    ----------
    dataset : Dataset
        The dataset.

    Returns
    -------
    str
        Hex digest.
    """
    digest = hashlib.sha256()
    meta = dataset.metadata
    for row in zip(meta["track_id"], meta["genre"], meta["artist"], meta["path"], strict=True):
        cells = ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in row]
        digest.update(("\t".join(cells) + "\n").encode("utf-8"))
    return digest.hexdigest()


def _versions():
    from .model_file import library_versions

    return library_versions("keras", "jax", "xgboost")


def _dataset_info(dataset, args):
    groups = dataset.groups
    try:
        arguments = plain(dataset_kwargs(args))
    except MirGenreError:  # already validated when the dataset loaded
        arguments = {}
    return {
        "name": dataset.name,
        "kind": dataset.kind,
        "n_tracks": len(dataset),
        "n_genres": int(dataset.metadata["genre"].nunique()),
        "n_artists": int(len({g for g in groups if str(g).startswith("artist:")})),
        "genres": sorted(str(g) for g in set(dataset.y)),
        "sha256": dataset_checksum(dataset),
        "arguments": arguments,
    }


@contextlib.contextmanager
def _cluster(address):
    """Connect to a Dask scheduler and route joblib (extraction and folds) through it."""
    if not address:
        yield None
        return
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise ParameterError(
            "--scheduler needs dask.distributed: pip install 'mir_genre[dask]'."
        ) from exc
    import joblib

    try:
        client = Client(address)
    except (OSError, TimeoutError) as exc:
        raise DataError(
            f"Could not connect to the Dask scheduler at {address!r} ({one_line(exc)}); "
            "check the address (e.g. tcp://host:8786) and that the scheduler runs."
        ) from exc
    try:
        with joblib.parallel_config(backend="dask"):
            yield client
    finally:
        client.close()


# --------------------------------------------------------------------------- --list


def _list_lines():
    from . import registry
    from .model_selection import PROTOCOLS

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        infos = registry.discover(include_disabled=True)
    reported = {str(info.error) for info in infos if info.error is not None}
    extra = [f"warning: {one_line(w.message)}" for w in caught if str(w.message) not in reported]
    lines = []
    for kind in ("datasets", "extractors", "classifiers"):
        names = [info.name for info in infos if info.kind == kind and info.status == "ok"]
        lines.append(f"{kind + ':':<15}{', '.join(names) or 'none'}")
    lines.append(f"{'protocols:':<15}{', '.join(PROTOCOLS)}")
    try:
        backend = _keras_backend()
        text = str(backend) if backend else "none installed (pip install 'mir_genre[keras]')"
    except Exception as exc:  # a broken keras install is reported, not fatal
        text = f"unavailable ({_error_text(exc)})"
    lines.append(f"{'keras backend:':<15}{text}")
    broken = [info for info in infos if info.status == "broken"]
    lines.append(f"{'broken:':<15}{len(broken) or 'none'}")
    for info in broken:
        cause = getattr(info.error, "__cause__", None) or info.error
        lines.append(f"  {info.kind[:-1]} {info.name} ({info.target}): {_error_text(cause)}")
    disabled = [info for info in infos if info.status == "disabled"]
    if disabled:
        lines.append(
            f"{'disabled:':<15}{', '.join(f'{i.kind[:-1]} {i.name}' for i in disabled)} "
            "(MIR_GENRE_DISABLE_PLUGIN_AUTOLOAD is set)"
        )
    lines.append(
        f"{'defaults:':<15}audio: {', '.join(CLASSICAL_PIPELINES)}, and a CNN "
        f"(CPU: {DEEP_PIPELINE_CPU}; GPU: {DEEP_PIPELINE_GPU})"
    )
    lines.append(f"{'':<15}features: {', '.join(FEATURE_PIPELINES)}")
    return lines, extra


# --------------------------------------------------------------------------- main


def _say(quiet, *parts):
    if not quiet:
        print(*parts, file=sys.stderr)


def _summary_line(record):
    parts = []
    for run in record["runs"]:
        if run["error"]:
            parts.append(f"{run['protocol']} failed")
        else:
            accuracy = np.mean([f["accuracy"] for f in run["folds"]])
            parts.append(f"{run['protocol']} accuracy {accuracy:.3f}")
    return f"{record['label']}: {', '.join(parts)} ({record['seconds']:.1f} s)"


def _print_leaderboard(results):
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


def main(argv=None):
    """Run ``python -m mir_genre.compare``.

    Parameters
    ----------
    argv : list of str or None, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        0 when every pipeline finished; 1 when some failed (they are in the leaderboard),
        when the data is missing or a Dask scheduler cannot be reached; 2 for usage
        errors (unknown names, bad options); 130 when interrupted (finished results are
        kept).
    """
    from .datasets._base import cache_dir

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.pipelines and (args.extractors or args.classifiers):
        parser.error(
            "--pipelines names whole pipelines; it cannot be combined with --extractors or "
            "--classifiers (which build a grid)"
        )
    if args.list:
        lines, extra = _list_lines()
        print("\n".join(lines))
        for line in extra:
            print(line, file=sys.stderr)
        return 0

    try:
        protocols = check_protocols(args.protocol)
        requested = requested_specs(args)
    except MirGenreError as exc:  # unknown names, bad syntax, broken plugins
        return error_exit(exc)
    try:
        dataset = load_dataset_from_args(args)
    except DataError as exc:  # missing files: the message says how to get them
        return error_exit(exc, code=1)
    except MirGenreError as exc:
        return error_exit(exc)
    except TypeError as exc:  # a --dataset-arg the loader does not take
        return error_exit(f"dataset {args.dataset!r}: {exc}; check --dataset-arg.")

    scheduler_jobs = -1 if args.scheduler else 1
    n_jobs = args.n_jobs if args.n_jobs is not None else scheduler_jobs
    memory = Path(args.cache) if args.cache else cache_dir("features")
    try:
        specs, notes = resolve_specs(requested, dataset)
        splits, protocol_info, split_notes = make_splits(dataset, protocols, seed=args.seed)
        notes += split_notes
        items = _plan(specs, dataset, memory=memory, n_jobs=n_jobs, seed=args.seed)
    except LeakageError as exc:
        return error_exit(exc, code=1)
    except MirGenreError as exc:  # bad parameters, protocol misfits
        return error_exit(exc)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)

    results = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m mir_genre.compare " + shlex.join(argv),
        "seed": args.seed,
        "dataset": _dataset_info(dataset, args),
        "protocols": protocol_info,
        "versions": _versions(),
        "keras_backend": None,
        "feature_cache": str(memory),
        "notes": notes,
        "interrupted": False,
        "pipelines": [],
    }
    out = Path(args.out) if args.out else None
    if out is not None:
        from .report import write_results

        write_results(results, out)
    cache = {}
    remaining = {}
    for item in items:
        remaining[item["features_key"]] = remaining.get(item["features_key"], 0) + 1
    failed = 0
    # Progress bars redraw in place, which only a terminal shows as such: in a log file
    # or CI output every redraw is kept. Elsewhere the one-line summaries say enough.
    no_bars = args.quiet or not sys.stderr.isatty()
    try:
        with _cluster(args.scheduler):
            for item in items:
                start = time.perf_counter()
                key = item["features_key"]
                features = _features(item, dataset, cache, quiet=no_bars)
                item["record"]["extract_seconds"] = features.get("seconds")
                record = _evaluate_pipeline(
                    item, dataset, splits, features, n_jobs=n_jobs, quiet=no_bars
                )
                remaining[key] -= 1
                if key in cache and not remaining[key]:
                    del cache[key]  # free the feature matrix once no pipeline needs it
                record["seconds"] = time.perf_counter() - start
                results["pipelines"].append(record)
                failed += any(run["error"] for run in record["runs"])
                if record["deep"] and results["keras_backend"] is None:
                    from .classifiers.keras.backend import configure_backend

                    results["keras_backend"] = str(configure_backend())
                for run in record["runs"]:
                    for text in run["warnings"]:
                        print(
                            f"warning: {record['label']} [{run['protocol']}]: {text}",
                            file=sys.stderr,
                        )
                _say(args.quiet, _summary_line(record))
                if out is not None:
                    write_results(results, out)
    except KeyboardInterrupt:
        results["interrupted"] = True
        kept = [p["label"] for p in results["pipelines"]]
        if out is not None:
            write_results(results, out)
        if kept:
            _print_leaderboard(results)
        where = f" in {out / 'results.csv'} and {out / 'results.json'}" if out else ""
        print(
            f"interrupted: kept {len(kept)} finished pipeline(s){where}"
            f"{': ' + ', '.join(kept) if kept else ''}; the feature cache in {memory} is kept "
            "too, so a rerun skips the extracted tracks.",
            file=sys.stderr,
        )
        return 130
    except MirGenreError as exc:  # e.g. the Dask scheduler cannot be reached
        return error_exit(exc, code=1)

    _print_leaderboard(results)
    if all(p["honest"] for p in protocol_info):
        _say(
            args.quiet,
            f"(add random:5 to --protocol, e.g. --protocol {protocols[0]},random:5, to see how "
            "much a random split would flatter these scores)",
        )
    if out is not None:
        from .report import write_report

        written = write_report(results, out)
        _say(
            args.quiet,
            f"wrote {out / 'results.csv'}, {out / 'results.json'}, {len(written) - 2} figure(s), "
            f"{out / 'report.md'} and {out / 'report.html'}",
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
