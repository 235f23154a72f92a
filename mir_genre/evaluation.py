"""The evaluation engine: pipelines scored under evaluation protocols.

`evaluate` is the whole engine behind one call; ``python -m mir_genre.compare`` runs
the same steps one pipeline at a time (so it can write results as they finish) and
``python -m mir_genre.train`` uses the same splits, fold runner and unreadable-track
rule for its cross-validation.

How the work is organised
-------------------------
Extractors are stateless (scikit-learn tag ``requires_fit=False``), so each distinct
extractor configuration runs ONCE over all tracks (with the per-track ``memory`` cache
and ``n_jobs``) and only the classifier is cross-validated on the feature matrix; an
extractor whose tags say it must be fitted is refitted inside every fold instead.
Classifiers whose ``fit`` takes ``groups`` (xgboost, the deep models) receive the
training artists, so their early-stopping hold-out is split by artist too.  Every fold
of an honest protocol is checked with `mir_genre.model_selection.check_no_leakage`.

Unreadable tracks
-----------------
A track that cannot be read (a damaged file, such as GTZAN's ``jazz.00054.wav``) is
left out, and the evaluation goes on with the others: its row is dropped from every
fold of every protocol (the folds themselves are made once, on the whole dataset, so
every pipeline is scored on the same folds), and a ``DataWarning`` names each file and
the reason.  When no track can be read at all it is an error.  This is the rule of
`extract_features` and `drop_unreadable`, for compare and train alike.

.. versionchanged:: 0.1.0
   compare used to fail the whole pipeline on one unreadable track; train dropped the
   track but re-made its folds on the remaining tracks.  Both now leave the track out
   of folds made on the whole dataset.  An extractor that must be fitted reads its
   tracks inside every fold, so there an unreadable track still fails the pipeline
   (the error names the file).
"""

import contextlib
import sys
import time
import warnings

import numpy as np

from ._cli import capture_warnings
from ._common import one_line, plain
from .exceptions import DataError, LeakageError, LeakageWarning, ParameterError
from .specs import accepts_groups

__all__ = [
    "check_protocols",
    "check_spec_fits_dataset",
    "dask_cluster",
    "drop_unreadable",
    "evaluate",
    "extract_features",
    "make_splits",
    "plan",
    "readable_folds",
    "run_folds",
    "run_pipelines",
    "unreadable_records",
]


# --------------------------------------------------------------------------- checks


def check_spec_fits_dataset(spec, dataset, *, option=None):
    """Check that a pipeline spec fits the dataset's kind.

    Audio needs an extractor in front of the classifier; a dataset of ready-made
    features (``kind="features"``, e.g. a feature table) takes a classifier alone.

    Parameters
    ----------
    spec : PipelineSpec
        The pipeline (`mir_genre.specs.parse_spec`).
    dataset : Dataset
        The dataset.
    option : str or None, default=None
        The command-line option that named the spec (``"--pipeline"``), for the fix.

    Raises
    ------
    ParameterError
        When the spec does not fit, with the spec to write instead.

    Examples
    --------
    >>> import mir_genre
    >>> from mir_genre.specs import parse_spec
    >>> ds = mir_genre.load_dataset(
    ...     "synthetic", genres=["jazz", "rock"], n_artists=2, tracks_per_artist=1, duration=0.1
    ... )
    >>> check_spec_fits_dataset(parse_spec("tzanetakis57+svm"), ds)
    >>> check_spec_fits_dataset(parse_spec("svm"), ds)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mir_genre.exceptions.ParameterError: Dataset 'synthetic' holds audio, so a pipeline ...
    """
    where = f"{option} " if option else ""
    if dataset.kind == "features" and spec.extractor:
        raise ParameterError(
            f"Dataset {dataset.name!r} is a feature table: it holds ready-made features "
            f"(kind 'features'), so there is nothing to extract, but {str(spec)!r} starts "
            f"with the extractor {spec.extractor!r}. Name a classifier alone, e.g. "
            f"{where}{spec.classifier}."
        )
    if dataset.kind != "features" and not spec.extractor:
        raise ParameterError(
            f"Dataset {dataset.name!r} holds audio, so a pipeline needs an extractor and a "
            f"classifier: {str(spec)!r} names only a classifier, and it needs an extractor "
            f"in front of the classifier, e.g. {where}tzanetakis57+{spec.classifier} "
            "(`python -m mir_genre plugins --kind extractors` lists them)."
        )


# --------------------------------------------------------------------------- protocols


def _error_text(exc):
    return f"{type(exc).__name__}: {one_line(exc)}"


def make_splits(dataset, protocols, *, seed, leakage="note"):
    """Build every protocol's folds, checking the honest ones for leakage.

    Parameters
    ----------
    dataset : Dataset
        The dataset.
    protocols : list of str
        Protocol names (`mir_genre.model_selection.make_cv`).
    seed : int or None
        Seed of the folds.
    leakage : {"note", "warn"}, default="note"
        What a random split's `LeakageWarning` becomes: a one-line note in ``notes``
        (for a report), or the warning itself, raised again for the caller.

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

    if leakage not in ("note", "warn"):
        raise ParameterError(f"leakage must be 'note' or 'warn'; got {leakage!r}.")
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
            if issubclass(warning.category, LeakageWarning) and leakage == "note":
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


def check_protocols(protocols):
    """Check every protocol name (before any data is loaded).

    Parameters
    ----------
    protocols : str or list of str
        Protocol names (comma-separated in a string).

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
    >>> check_protocols("artist:5, random:5,artist:5")  # compare's --protocol
    ['artist:5', 'random:5']
    """
    from .model_selection import make_cv

    if isinstance(protocols, str):
        protocols = protocols.split(",")
    protocols = list(dict.fromkeys(str(p).strip() for p in protocols if str(p).strip()))
    if not protocols:
        raise ParameterError("No protocol given (--protocol is empty); use e.g. artist:5.")
    for protocol in protocols:
        if protocol not in ("fault-filtered", "fault-filtered+valid", "predefined"):
            make_cv(protocol)  # raises for unknown names and bad fold counts
    return protocols


@contextlib.contextmanager
def dask_cluster(address, *, option="scheduler"):
    """Connect to a Dask scheduler and route joblib (extraction and folds) through it.

    Parameters
    ----------
    address : str or None
        The scheduler's address (``tcp://host:8786``); None runs locally.
    option : str, default="scheduler"
        The option that named it, for the error messages.

    Yields
    ------
    dask.distributed.Client or None

    Raises
    ------
    ParameterError
        When dask.distributed is not installed.
    DataError
        When the scheduler cannot be reached.
    """
    if not address:
        yield None
        return
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise ParameterError(
            f"{option} needs dask.distributed: pip install 'mir_genre[dask]'."
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


# --------------------------------------------------------------------------- tracks


def extract_features(extractor, X):
    """Extract every track, collecting the tracks that cannot be read instead of raising.

    Parameters
    ----------
    extractor : estimator instance
        An extractor, or a `sklearn.pipeline.FeatureUnion` of them (joined extractors
        run in turn; a track any of them cannot read is unreadable).
    X : sequence of str or os.PathLike, or np.ndarray [shape=(n_clips, n_samples)]
        Audio file paths, or equal-length mono float audio.

    Returns
    -------
    features : np.ndarray [shape=(n_clips, n_features)]
        One row per track; the rows of unreadable tracks are NaN.
    failures : list of ExtractionFailure
        The unreadable tracks (``index``, ``source``: the file, ``error``), in order.
    """
    from .specs import extractor_members

    extractor.fit(X)
    parts, by_index = [], {}
    for member in extractor_members(extractor):  # joined extractors: each in turn
        if hasattr(member, "extract"):
            part, failed = member.extract(X, errors="collect")
        else:
            part, failed = member.transform(X), []
        parts.append(part)
        for failure in failed:
            by_index.setdefault(failure.index, failure)
    return np.hstack(parts), [by_index[i] for i in sorted(by_index)]


def unreadable_records(failures):
    """Describe unreadable tracks as ``{"file": ..., "error": "Type: message"}`` dicts.

    Parameters
    ----------
    failures : list of ExtractionFailure
        From `extract_features`.

    Returns
    -------
    list of dict
    """
    return [{"file": str(f.source), "error": _error_text(f.error)} for f in failures]


def drop_unreadable(failures, dataset):
    """Apply the unreadable-track rule: warn about the failures, return the readable rows.

    Parameters
    ----------
    failures : list of ExtractionFailure
        From `extract_features`.
    dataset : Dataset
        The dataset the features are of.

    Returns
    -------
    np.ndarray of bool [shape=(n_tracks,)]
        True for the tracks that were read.

    Warns
    -----
    DataWarning
        When some tracks could not be read: each file (the first five) and its reason.

    Raises
    ------
    DataError
        When no track could be read, with the first file and its reason.
    """
    from .exceptions import DataWarning

    keep = np.ones(len(dataset), dtype=bool)
    if not failures:
        return keep
    if len(failures) == len(dataset):
        first = failures[0]
        raise DataError(
            f"No track of dataset {dataset.name!r} could be read; the first, "
            f"{first.source}, failed with {_error_text(first.error)}. Check that the files "
            "exist and decode (e.g. with `python -m mir_genre.extract` on one of them)."
        )
    listed = "; ".join(f"{r['file']}: {r['error']}" for r in unreadable_records(failures[:5]))
    more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
    warnings.warn(
        f"{len(failures)} of {len(dataset)} track(s) could not be read and were left out: "
        f"{listed}{more}",
        DataWarning,
        stacklevel=2,
    )
    keep[[f.index for f in failures]] = False
    return keep


def readable_folds(folds, keep):
    """Return the folds without the unreadable tracks.

    Parameters
    ----------
    folds : list of (train, test)
        Row indices per fold, made on the whole dataset (`make_splits`).
    keep : np.ndarray of bool or None
        The readable rows (`drop_unreadable`); None when every track was read.

    Returns
    -------
    list of (train, test)

    Examples
    --------
    >>> import numpy as np
    >>> folds = [(np.array([0, 1]), np.array([2, 3])), (np.array([2, 3]), np.array([0, 1]))]
    >>> [t.tolist() for _, t in readable_folds(folds, np.array([True, False, True, True]))]
    [[2, 3], [0]]
    """
    if keep is None or keep.all():
        return folds
    return [(train[keep[train]], test[keep[test]]) for train, test in folds]


# --------------------------------------------------------------------------- folds


def _take(X, index):
    if isinstance(X, np.ndarray):
        return X[index]
    return [X[i] for i in index]


def _run_fold(
    estimator, X, y, groups, train, test, groups_param, *, capture=True, keep_model=False
):
    """Fit a clone on ``train``, score it on ``test``; never raises (but KeyboardInterrupt).

    With ``capture`` the warnings become the record's ``warnings`` lines; without, they
    reach the caller's own warning handling.  ``keep_model`` keeps the fitted clone in
    the record's ``model``.
    """
    from sklearn.base import clone
    from sklearn.metrics import accuracy_score, f1_score

    record = {"n_train": int(len(train)), "n_test": int(len(test)), "warnings": []}
    if not len(train) or not len(test):
        part = "training" if not len(train) else "test"
        record["error"] = f"DataError: no readable track is left in this fold's {part} part"
        return record
    with capture_warnings(record["warnings"]) if capture else contextlib.nullcontext():
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
    if keep_model:
        record["model"] = model
    return record


def _groups_param(classifier, *, step=None):
    """Name of the fit parameter that takes the training artists, or None."""
    if not accepts_groups(classifier):
        return None
    return f"{step}__groups" if step else "groups"


def run_folds(estimator, X, y, groups, folds, *, n_jobs=None, capture=True, keep_model=False):
    """Fit and score ``estimator`` on every fold (with joblib, so Dask can run them).

    Parameters
    ----------
    estimator : estimator instance
        Cloned for every fold.  When its ``fit`` takes ``groups`` it gets the training
        artists.
    X : np.ndarray or sequence
        Features (or audio, for a whole pipeline).
    y, groups : np.ndarray [shape=(n_tracks,)]
        Genres and artist groups.
    folds : list of (train, test)
        Row indices per fold (`make_splits`, `drop_unreadable`).
    n_jobs : int or None, default=None
        Folds run in parallel.
    capture : bool, default=True
        Record each fold's warnings in its ``warnings`` (else they reach the caller).
    keep_model : bool, default=False
        Keep each fold's fitted estimator in its record's ``model``.

    Yields
    ------
    dict
        Per fold, in order: ``fold``, ``n_train``, ``n_test``, ``warnings`` and either
        ``error`` (``"Type: message"``) or ``accuracy``, ``macro_f1``, ``fit_seconds``,
        ``predict_seconds``, ``y_true``, ``y_pred`` (and ``history`` for deep models).
    """
    from joblib import Parallel, delayed

    if hasattr(estimator, "steps"):
        step, classifier = estimator.steps[-1]
        groups_param = _groups_param(classifier, step=step)
    else:
        groups_param = _groups_param(estimator)
    options = {"capture": capture, "keep_model": keep_model}
    jobs = (
        delayed(_run_fold)(estimator, X, y, groups, train, test, groups_param, **options)
        for train, test in folds
    )
    for index, fold in enumerate(Parallel(n_jobs=n_jobs, return_as="generator")(jobs)):
        fold["fold"] = index
        yield fold


# --------------------------------------------------------------------------- pipelines


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


def _params(pipe):
    from sklearn.base import BaseEstimator

    return {
        key: plain(value)
        for key, value in pipe.get_params(deep=True).items()
        if key != "steps" and not isinstance(value, BaseEstimator)
    }


def plan(specs, dataset, *, memory, n_jobs, seed):
    """Build every pipeline and decide which extractions can be shared.

    Parameters
    ----------
    specs : list of PipelineSpec
        The pipelines, already checked against the dataset (`check_spec_fits_dataset`).
    dataset : Dataset
        The dataset (its clip length and sampling rate reach the extractors).
    memory : str, os.PathLike, joblib.Memory or None
        Per-track feature cache of the extractors.
    n_jobs : int or None
        Parallel extraction.
    seed : int or None
        ``random_state`` of the classifiers.

    Returns
    -------
    list of dict
        Per pipeline: ``spec``, ``label``, ``pipeline``, ``classifier``, ``features_key``
        (pipelines with equal keys share one extraction; None: the extractor must be
        fitted, so the whole pipeline is refitted in every fold) and ``record`` (its
        results record, filled by `run_pipelines`).
    """
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
            "unreadable": [],
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


def _extract(extractor, X, *, quiet, warnings_into):
    """Run one extraction: ``(features, failures, seconds)`` (see `extract_features`)."""
    from sklearn.base import clone

    from .specs import set_runtime_params

    extractor = set_runtime_params(clone(extractor), verbose=not quiet)
    with capture_warnings(warnings_into):
        start = time.perf_counter()
        features, failures = extract_features(extractor, X)
        return features, failures, time.perf_counter() - start


def _features(item, dataset, cache, *, quiet):
    """Return a pipeline's feature matrix, extracted on first use and shared via ``cache``."""
    key = item["features_key"]
    if key == ("<dataset>",):
        return {"X": dataset.X, "warnings": []}
    if key is None:
        return {"X": None, "warnings": []}
    if key not in cache:
        features = {"X": None, "warnings": [], "error": None, "unreadable": [], "keep": None}
        try:
            features["X"], failures, features["seconds"] = _extract(
                item["pipeline"].steps[0][1],
                dataset.X,
                quiet=quiet,
                warnings_into=features["warnings"],
            )
            features["unreadable"] = unreadable_records(failures)
            with capture_warnings(features["warnings"]):
                features["keep"] = drop_unreadable(failures, dataset)
        except Exception as exc:  # reported for every pipeline that needs it
            features["error"] = _error_text(exc)
        cache[key] = features
    return cache[key]


def _evaluate_pipeline(item, dataset, splits, features, *, n_jobs, quiet):
    """Evaluate one pipeline under every protocol; returns its results record."""
    from tqdm.auto import tqdm

    record = item["record"]
    record["runs"] = []
    record["unreadable"] = list(features.get("unreadable", []))
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
    else:  # fit the whole pipeline inside every fold
        estimator, X = item["pipeline"], dataset.X
    y, groups = dataset.y, dataset.groups
    for protocol, folds in splits.items():
        run = {"protocol": protocol, "error": None, "warnings": [], "folds": []}
        if features.get("warnings"):
            run["warnings"] += features["warnings"]
        folds = readable_folds(folds, features.get("keep"))
        bar = tqdm(
            run_folds(estimator, X, y, groups, folds, n_jobs=n_jobs),
            total=len(folds),
            desc=f"{record['label']} [{protocol}]",
            unit="fold",
            disable=quiet,
            leave=False,
            file=sys.stderr,
        )
        for fold in bar:
            for text in fold.pop("warnings"):
                if text not in run["warnings"]:
                    run["warnings"].append(text)
            if fold.get("error"):
                run["error"] = f"fold {fold['fold']}: {fold['error']}"
                break
            run["folds"].append(fold)
        bar.close()
        if any("history" in fold for fold in run["folds"]):
            record["deep"] = True
        record["runs"].append(run)
    return record


def run_pipelines(items, dataset, splits, *, n_jobs=None, quiet=True):
    """Evaluate planned pipelines one after the other, sharing extractions.

    Parameters
    ----------
    items : list of dict
        From `plan`.
    dataset : Dataset
        The dataset.
    splits : dict of str to list of (train, test)
        From `make_splits`.
    n_jobs : int or None, default=None
        Parallel folds.
    quiet : bool, default=True
        No progress bars.

    Yields
    ------
    dict
        Each pipeline's results record as it finishes: ``label``, ``spec``, ``params``,
        ``deep``, ``extract_seconds``, ``seconds``, ``unreadable`` (``file`` and
        ``error`` of each track left out) and ``runs`` (per protocol: ``protocol``,
        ``error``, ``warnings``, ``folds``; see `run_folds`).  A failure is recorded in
        its run's ``error``; the other pipelines go on.
    """
    cache, remaining = {}, {}
    for item in items:
        remaining[item["features_key"]] = remaining.get(item["features_key"], 0) + 1
    for item in items:
        start = time.perf_counter()
        key = item["features_key"]
        features = _features(item, dataset, cache, quiet=quiet)
        item["record"]["extract_seconds"] = features.get("seconds")
        record = _evaluate_pipeline(item, dataset, splits, features, n_jobs=n_jobs, quiet=quiet)
        remaining[key] -= 1
        if key in cache and not remaining[key]:
            del cache[key]  # free the feature matrix once no pipeline needs it
        record["seconds"] = time.perf_counter() - start
        yield record


def evaluate(pipelines, dataset, protocols="artist:5", *, seed=0, memory=None, n_jobs=None):
    """Score pipelines on a dataset under evaluation protocols.

    Every pipeline is built from its spec with the dataset's clip length, evaluated on
    the same folds of every protocol, and recorded fold by fold.  Tracks that cannot
    be read are left out with a ``DataWarning`` (see the module's notes).

    Parameters
    ----------
    pipelines : str, PipelineSpec or list of them
        Pipeline specs (``"tzanetakis57+svm"``; a classifier alone for a dataset of
        ready-made features).
    dataset : Dataset
        The dataset (`mir_genre.load_dataset`).
    protocols : str or list of str, default="artist:5"
        ``artist:K``, ``random:K``, ``fault-filtered``, ``fault-filtered+valid``,
        ``predefined`` (comma-separated in a string).
    seed : int or None, default=0
        Seed of the folds and of the classifiers.
    memory : str, os.PathLike, joblib.Memory or None, default=None
        Per-track feature cache.
    n_jobs : int or None, default=None
        Parallel extraction and folds (joblib).

    Returns
    -------
    dict
        The results ``python -m mir_genre.compare`` writes to ``results.json`` (less its
        command and time): ``seed``, ``dataset`` (counts and sha256), ``protocols``
        (``name``, ``honest``, ``n_folds``, ``splitter``), ``versions``,
        ``keras_backend``, ``notes`` and ``pipelines`` (see `run_pipelines`).
        `mir_genre.report.summarize` turns them into a table.

    Raises
    ------
    ParameterError
        For a bad spec or protocol, a spec that does not fit the dataset, or a protocol
        the dataset cannot support.

    Examples
    --------
    >>> import mir_genre
    >>> ds = mir_genre.load_dataset(
    ...     "synthetic", genres=["classical", "metal"], n_artists=3, tracks_per_artist=2,
    ...     duration=0.5,
    ... )
    >>> results = mir_genre.evaluate(
    ...     "mfcc_deltas[n_mfcc=8]+knn[n_neighbors=3]", ds, "artist:3"
    ... )
    >>> results["protocols"][0]["name"], results["protocols"][0]["honest"]
    ('artist:3', True)
    >>> run = results["pipelines"][0]["runs"][0]
    >>> run["error"], [fold["n_test"] for fold in run["folds"]]
    (None, [4, 4, 4])
    >>> all(0.0 <= fold["accuracy"] <= 1.0 for fold in run["folds"])
    True
    """
    from .provenance import dataset_info, library_versions
    from .specs import PipelineSpec, parse_spec, parse_specs

    if isinstance(pipelines, str):
        specs = parse_specs(pipelines)
    elif isinstance(pipelines, PipelineSpec):
        specs = [pipelines]
    else:
        specs = [p if isinstance(p, PipelineSpec) else parse_spec(p) for p in pipelines]
    protocols = check_protocols(protocols)
    if not specs:
        raise ParameterError(
            "evaluate needs at least one pipeline, e.g. evaluate('tzanetakis57+svm', dataset)."
        )
    for spec in specs:
        check_spec_fits_dataset(spec, dataset)
    splits, info, notes = make_splits(dataset, protocols, seed=seed)
    items = plan(specs, dataset, memory=memory, n_jobs=n_jobs, seed=seed)
    records = list(run_pipelines(items, dataset, splits, n_jobs=n_jobs))
    backend = None
    if any(record["deep"] for record in records):
        from .classifiers.keras.backend import configure_backend

        backend = str(configure_backend())
    return {
        "seed": seed,
        "dataset": dataset_info(dataset),
        "protocols": info,
        "versions": library_versions(),
        "keras_backend": backend,
        "notes": notes,
        "pipelines": records,
    }
