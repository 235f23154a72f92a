"""Pipelines under protocols: the plan, the shared features, each pipeline's record.

The plan runs each extractor configuration once over all tracks; its feature matrix
serves every pipeline that uses it and is freed when the last one is done.
"""

import sys
import time

from .._common import capture_warnings, plain
from .folds import run_folds
from .splits import _error_text
from .tracks import drop_unreadable, extract_features, readable_folds, unreadable_records


def _labels(specs):
    """Short names (``tzanetakis57+svm``), with parameters only where names repeat."""
    counts = {}
    for spec in specs:
        counts[spec.name] = counts.get(spec.name, 0) + 1
    return [spec.name if counts[spec.name] == 1 else str(spec) for spec in specs]


def _build(spec, dataset, *, memory, n_jobs, seed):
    """build_pipeline with the dataset's clip length and the extractor's shape parameters."""
    from ..specs import build_pipeline, dataset_defaults

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

    from ..features._base import RUNTIME_PARAMS
    from ..specs import extractor_members

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

    from ..specs import set_runtime_params

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
