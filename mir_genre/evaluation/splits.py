"""Protocols and their folds: ``artist:K``, ``random:K``, ``fault-filtered``, ...

Every protocol's folds are made once per dataset and the honest ones are checked for
leakage; ``--scheduler`` runs the folds on a Dask cluster.
"""

import contextlib
import warnings

import numpy as np

from .._common import one_line
from ..exceptions import DataError, LeakageError, LeakageWarning, ParameterError


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
    from ..model_selection import check_no_leakage, make_cv

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
    from ..model_selection import make_cv

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
