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

import os

from ..exceptions import ParameterError
from ..specs import check_spec_fits_dataset
from .folds import _groups_param, _run_fold, _take, run_folds  # noqa: F401
from .pipelines import (  # noqa: F401
    _build,
    _evaluate_pipeline,
    _extract,
    _features,
    _labels,
    _params,
    plan,
    run_pipelines,
)
from .splits import _error_text, check_protocols, dask_cluster, make_splits  # noqa: F401
from .tracks import (  # noqa: F401
    drop_unreadable,
    extract_features,
    extract_member,
    readable_folds,
    unreadable_records,
)

__all__ = [
    "check_protocols",
    "check_spec_fits_dataset",
    "dask_cluster",
    "drop_unreadable",
    "evaluate",
    "extract_features",
    "extract_member",
    "make_splits",
    "plan",
    "readable_folds",
    "run_folds",
    "run_pipelines",
    "unreadable_records",
]


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
        For a bad spec, parameter value or protocol, a spec that does not fit the
        dataset, a protocol the dataset cannot support, ``n_jobs=0``, or a ``memory``
        folder that cannot be written; all before any track is read.

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
    from .._common import check_n_jobs, check_writable_dir
    from ..provenance import dataset_info, library_versions
    from ..specs import PipelineSpec, parse_spec, parse_specs

    check_n_jobs(n_jobs)
    if isinstance(memory, (str, os.PathLike)):
        check_writable_dir(memory, what="memory")
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
        from ..classifiers.keras.backend import configure_backend

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
