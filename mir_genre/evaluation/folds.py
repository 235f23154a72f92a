"""Running one pipeline's folds: fit, predict, score and time each one (joblib workers)."""

import contextlib
import time

import numpy as np

from .._common import capture_warnings, plain
from ..specs import accepts_groups
from .splits import _error_text


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
    best_params = getattr(final, "best_params_", None)
    if isinstance(best_params, dict):  # the parameters an inner search chose in this fold
        record["best_params"] = plain(best_params)
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
        ``predict_seconds``, ``y_true``, ``y_pred`` (and ``history`` for deep models,
        ``best_params`` for classifiers tuned by an inner search).
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
