"""Entry-point registry for extractors, classifiers and dataset loaders.

mir_genre's own estimators are declared as entry points in ``setup.cfg`` exactly like a
third party's, so built-ins and plugins share one code path:

.. code-block:: ini

    [options.entry_points]
    mir_genre.extractors =
        tzanetakis57 = mir_genre.features.tzanetakis:Tzanetakis57

Listing names (:func:`list_plugins`) never imports a plugin; a plugin is imported the
first time it is used (:func:`load_plugin`, and through it `mir_genre.get_extractor` and
the other builders of :mod:`mir_genre.pipeline`) and cached.  :func:`discover` loads
every plugin of a kind and reports broken ones instead of failing, so ``python -m
mir_genre plugins`` can show them.  Set the environment variable
``MIR_GENRE_DISABLE_PLUGIN_AUTOLOAD=1`` to ignore every third-party entry point.

The design follows ``xarray.backends.plugins`` (lazy listing, ``refresh``, duplicate
handling), npe2 (discovery results that keep the error) and pluggy (checking what a
plugin returns).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.metadata
import os
import warnings
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sklearn.base import BaseEstimator, ClassifierMixin, is_classifier

from .exceptions import ParameterError, PluginError

__all__ = [
    "DISABLE_AUTOLOAD_ENV",
    "KINDS",
    "PluginInfo",
    "discover",
    "list_plugins",
    "load_dataset",
    "load_plugin",
    "refresh",
]

#: Plugin kind -> entry-point group.
KINDS: Mapping[str, str] = MappingProxyType(
    {
        "extractors": "mir_genre.extractors",
        "classifiers": "mir_genre.classifiers",
        "datasets": "mir_genre.datasets",
    }
)

#: Environment variable that, when set to anything but ``""`` or ``"0"``, restricts the
#: registry to mir_genre's own entry points.
DISABLE_AUTOLOAD_ENV = "MIR_GENRE_DISABLE_PLUGIN_AUTOLOAD"

_CORE_PREFIX = "mir_genre."
_LABELS = {"extractors": "Extractor", "classifiers": "Classifier", "datasets": "Dataset"}
_EXPECTED = {
    "extractors": "a class derived from sklearn.base.BaseEstimator with fit and transform methods",
    "classifiers": "a class derived from sklearn.base.BaseEstimator with fit and predict "
    "methods whose instances are classifiers (sklearn.base.is_classifier)",
    "datasets": "a callable (a class or a function) that returns a dataset",
}
_CLI_HINT = "Run `python -m mir_genre plugins` to see every plugin and its status."

# (kind, name, target) -> loaded object.  Failures are not cached, so fixing a broken
# plugin and calling the function again works without refresh().
_LOADED: dict[tuple[str, str, str], Any] = {}


# --------------------------------------------------------------------------- listing


def _entry_points(group: str):
    """Return the installed entry points of ``group`` (the single seam tests patch)."""
    return importlib.metadata.entry_points(group=group)


def _autoload_disabled() -> bool:
    return os.environ.get(DISABLE_AUTOLOAD_ENV, "") not in ("", "0")


def _is_core(ep) -> bool:
    return ep.value.startswith(_CORE_PREFIX)


def _distribution(ep) -> str | None:
    """Return ``"name version"`` of the distribution declaring ``ep``, or None."""
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None
    try:
        name = dist.metadata["Name"] or getattr(dist, "name", None) or "?"
        version = dist.version or "?"
    except Exception:  # broken metadata must not break listing
        return None
    return f"{name} {version}"


def _dist_part(ep) -> str:
    dist = _distribution(ep)
    return f"dist {dist}" if dist else "unknown distribution"


def _describe(ep) -> str:
    return f"{ep.value}, {_dist_part(ep)}"


def _check_kind(kind: str) -> str:
    if not isinstance(kind, str) or kind not in KINDS:
        raise ParameterError(
            f"The plugin kind must be one of {sorted(KINDS)}; got kind={kind!r}. "
            f"Pass one of those names (plural: 'extractors', not 'extractor')."
        )
    return KINDS[kind]


def _pick(kind: str, name: str, eps: list) -> Any:
    """Choose one of several entry points sharing ``name``; warn when targets differ."""
    # Prefer mir_genre's own entry point, then sort by (distribution, target) so the
    # choice never depends on the order in which importlib found the distributions.
    ranked = sorted(eps, key=lambda ep: (not _is_core(ep), _distribution(ep) or "", ep.value))
    chosen = ranked[0]
    targets = sorted({ep.value for ep in eps})
    if len(targets) > 1:
        listed = ", ".join(f"{ep.value} ({_dist_part(ep)})" for ep in ranked)
        warnings.warn(
            f"{_LABELS[kind]} name {name!r} is registered more than once in entry-point "
            f"group {KINDS[kind]!r}: {listed}. Using {chosen.value}. Uninstall or rename one "
            f"of the plugins to silence this warning.",
            RuntimeWarning,
            stacklevel=4,
        )
    return chosen


@functools.cache
def _table(kind: str, disabled: bool) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """Return ``(active, ignored)`` name -> entry point maps for ``kind``, importing nothing.

    ``disabled`` is part of the cache key so that changing the environment variable takes
    effect at the next listing.
    """
    by_name: dict[str, list] = {}
    ignored: dict[str, list] = {}
    for ep in _entry_points(KINDS[kind]):
        target = ignored if disabled and not _is_core(ep) else by_name
        target.setdefault(ep.name, []).append(ep)
    active = {name: _pick(kind, name, eps) for name, eps in sorted(by_name.items())}
    # An ignored third-party entry point shadowed by a core one of the same name is not
    # "disabled": it would not have been used anyway.
    off = {
        name: sorted(eps, key=lambda ep: ep.value)[0]
        for name, eps in sorted(ignored.items())
        if name not in active
    }
    return MappingProxyType(active), MappingProxyType(off)


def _active(kind: str) -> Mapping[str, Any]:
    _check_kind(kind)
    return _table(kind, _autoload_disabled())[0]


def list_plugins(kind: str | None = None) -> list[str] | dict[str, list[str]]:
    """List the registered plugin names without importing any plugin.

    Parameters
    ----------
    kind : {'extractors', 'classifiers', 'datasets'} or None, default=None
        The kind to list.  ``None`` lists every kind.

    Returns
    -------
    names : list of str or dict
        The sorted names of ``kind``; with ``kind=None`` a dict mapping every kind to its
        sorted names.

    Raises
    ------
    ParameterError
        If ``kind`` is not one of the kinds above.

    Warns
    -----
    RuntimeWarning
        If two entry points of one kind share a name (once per cached listing).

    See Also
    --------
    load_plugin : Import one plugin.
    discover : Import every plugin of a kind, reporting broken ones.
    refresh : Forget the cached listing, e.g. after installing a plugin.

    Notes
    -----
    The listing is cached; call :func:`refresh` after installing or removing a plugin in
    a running interpreter.  When ``MIR_GENRE_DISABLE_PLUGIN_AUTOLOAD`` is set (to anything
    but ``""`` or ``"0"``) only mir_genre's own entry points are listed.

    Examples
    --------
    >>> from mir_genre.registry import list_plugins
    >>> "tzanetakis57" in list_plugins("extractors")
    True
    >>> sorted(list_plugins())
    ['classifiers', 'datasets', 'extractors']
    """
    if kind is None:
        return {k: list(_active(k)) for k in KINDS}
    return list(_active(kind))


def refresh() -> None:
    """Forget the cached plugin listings and every loaded plugin.

    Call it after installing, removing or editing a plugin distribution in a running
    interpreter, or after changing ``MIR_GENRE_DISABLE_PLUGIN_AUTOLOAD``.

    Examples
    --------
    >>> from mir_genre.registry import list_plugins, refresh
    >>> refresh()
    >>> "tzanetakis57" in list_plugins("extractors")
    True
    """
    _table.cache_clear()
    _LOADED.clear()


# --------------------------------------------------------------------------- loading


def _has_methods(obj, names) -> bool:
    return all(callable(getattr(obj, method, None)) for method in names)


def _classifier_class(cls: type) -> bool:
    # is_classifier needs an instance (passing a class is deprecated in sklearn 1.6 and
    # fails later).  sklearn estimators can be built without arguments; for one that
    # cannot, fall back to the mixin.
    try:
        return is_classifier(cls())
    except Exception:
        return issubclass(cls, ClassifierMixin)


def _problem(kind: str, obj: Any) -> str | None:
    """Return why ``obj`` is not a valid plugin class/callable of ``kind``, or None."""
    if kind == "datasets":
        return None if callable(obj) else f"got {type(obj).__name__} {obj!r}, not callable"
    if not (isinstance(obj, type) and issubclass(obj, BaseEstimator)):
        return f"got {obj!r}, which is not a BaseEstimator subclass"
    methods = ("fit", "transform") if kind == "extractors" else ("fit", "predict")
    missing = [method for method in methods if not callable(getattr(obj, method, None))]
    if missing:
        return f"got {obj.__module__}.{obj.__qualname__}, which has no {' or '.join(missing)}"
    if kind == "classifiers" and not _classifier_class(obj):
        return (
            f"got {obj.__module__}.{obj.__qualname__}, which is not a classifier "
            f"(sklearn.base.is_classifier is False; put ClassifierMixin left of BaseEstimator)"
        )
    return None


def _load(kind: str, name: str, ep) -> Any:
    key = (kind, name, ep.value)
    if key in _LOADED:
        return _LOADED[key]
    label = _LABELS[kind]
    fix = (
        "Reinstall mir_genre, or report the bug."
        if _is_core(ep)
        else f"Fix or reinstall the distribution that provides it, uninstall it, or set "
        f"{DISABLE_AUTOLOAD_ENV}=1 to use only mir_genre's own plugins."
    )
    try:
        obj = ep.load()
    except Exception as exc:
        raise PluginError(
            f"{label} {name!r} ({_describe(ep)}) failed to load: "
            f"{type(exc).__name__}: {exc}. {fix}"
        ) from exc
    problem = _problem(kind, obj)
    if problem is not None:
        raise PluginError(
            f"{label} {name!r} ({_describe(ep)}) is not a valid {label.lower()} plugin: "
            f"expected {_EXPECTED[kind]}; {problem}. {fix}"
        )
    _LOADED[key] = obj
    return obj


def load_plugin(kind: str, name: str) -> Any:
    """Import one plugin and return the registered object (cached after the first call).

    Parameters
    ----------
    kind : {'extractors', 'classifiers', 'datasets'}
        The plugin kind.
    name : str
        The registered name, e.g. ``'tzanetakis57'``.

    Returns
    -------
    obj : type or callable
        The estimator class (extractors, classifiers) or the dataset callable.

    Raises
    ------
    ParameterError
        If ``kind`` is unknown, or no plugin of ``kind`` is called ``name``; the message
        lists the installed names.
    PluginError
        If the plugin fails to import (the original error is ``__cause__``) or is not the
        kind of object ``kind`` requires.

    See Also
    --------
    mir_genre.get_extractor, mir_genre.get_classifier : Instantiate a plugin.

    Examples
    --------
    >>> from mir_genre.registry import load_plugin
    >>> load_plugin("extractors", "no_such_extractor")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mir_genre.exceptions.ParameterError: Unknown extractor 'no_such_extractor'...
    """
    active = _active(kind)
    if not isinstance(name, str) or name not in active:
        label = _LABELS[kind].lower()
        installed = ", ".join(repr(n) for n in active) or "none"
        extra = ""
        if isinstance(name, str) and name in _table(kind, _autoload_disabled())[1]:
            extra = (
                f" A third-party plugin provides {name!r}, but {DISABLE_AUTOLOAD_ENV} is set; "
                f"unset it to use that plugin."
            )
        raise ParameterError(
            f"Unknown {label} {name!r}: the name must be registered in entry-point group "
            f"{KINDS[kind]!r}, whose installed names are: {installed}.{extra} Check the "
            f"spelling or install the plugin that provides it. {_CLI_HINT}"
        )
    return _load(kind, name, active[name])


@dataclasses.dataclass(frozen=True)
class PluginInfo:
    """What :func:`discover` found for one plugin (cf. npe2's ``DiscoverResults``).

    Parameters
    ----------
    kind : str
        ``'extractors'``, ``'classifiers'`` or ``'datasets'``.
    name : str
        The registered name.
    target : str
        The entry point's value, ``'package.module:Object'``.
    distribution : str
        ``'name version'`` of the distribution declaring it, or
        ``'unknown distribution'``.
    obj : object or None, default=None
        The loaded object; None when broken or disabled.
    error : Exception or None, default=None
        The :class:`~mir_genre.exceptions.PluginError` raised while loading (its
        ``__cause__`` is the original error); None when it loaded.
    disabled : bool, default=False
        True for a third-party plugin ignored because
        ``MIR_GENRE_DISABLE_PLUGIN_AUTOLOAD`` is set; it was not imported.

    Examples
    --------
    >>> from mir_genre.registry import PluginInfo
    >>> info = PluginInfo("datasets", "demo", "demo:load", "unknown distribution", obj=print)
    >>> info.status
    'ok'
    """

    kind: str
    name: str
    target: str
    distribution: str
    obj: Any = None
    error: BaseException | str | None = None
    disabled: bool = False

    @property
    def status(self) -> str:
        """``'ok'``, ``'broken'`` or ``'disabled'``."""
        if self.disabled:
            return "disabled"
        return "broken" if self.error is not None else "ok"


def discover(kind: str | None = None, *, include_disabled: bool = False) -> list[PluginInfo]:
    """Import every plugin of a kind, reporting broken ones instead of raising.

    Parameters
    ----------
    kind : {'extractors', 'classifiers', 'datasets'} or None, default=None
        The kind to load; ``None`` loads every kind.
    include_disabled : bool, default=False
        Also return, without importing them, the third-party plugins ignored because
        ``MIR_GENRE_DISABLE_PLUGIN_AUTOLOAD`` is set (``status == 'disabled'``).

    Returns
    -------
    infos : list of PluginInfo
        One entry per plugin, sorted by kind then name.

    Raises
    ------
    ParameterError
        If ``kind`` is not one of the kinds above.

    Warns
    -----
    RuntimeWarning
        For every plugin that fails to load or is of the wrong type, e.g.
        ``Extractor 'x' (pkg.mod:Cls, dist foo 1.2) failed to load: ...``; discovery
        goes on with the next plugin.

    Examples
    --------
    >>> import warnings
    >>> from mir_genre.registry import discover
    >>> with warnings.catch_warnings():  # the table shows the broken ones anyway
    ...     warnings.simplefilter("ignore", RuntimeWarning)
    ...     infos = discover("extractors")
    >>> "tzanetakis57" in {info.name for info in infos}
    True
    >>> all(info.status in {"ok", "broken"} for info in infos)
    True
    """
    kinds = list(KINDS) if kind is None else [kind]
    infos = []
    for k in kinds:
        _check_kind(k)
        active, off = _table(k, _autoload_disabled())
        for name, ep in active.items():
            dist = _distribution(ep) or "unknown distribution"
            try:
                obj = _load(k, name, ep)
            except PluginError as exc:
                warnings.warn(str(exc), RuntimeWarning, stacklevel=2)
                infos.append(PluginInfo(k, name, ep.value, dist, error=exc))
            else:
                infos.append(PluginInfo(k, name, ep.value, dist, obj=obj))
        if include_disabled:
            infos.extend(
                PluginInfo(
                    k, name, ep.value, _distribution(ep) or "unknown distribution", disabled=True
                )
                for name, ep in off.items()
            )
    return sorted(infos, key=lambda info: (kinds.index(info.kind), info.name))


# --------------------------------------------------------------------------- public API


def load_dataset(name: str, /, **kwargs: Any):
    """Load a registered dataset by name.

    Parameters
    ----------
    name : str
        A registered dataset (see ``list_plugins('datasets')``), e.g. ``"gtzan"``,
        ``"folder"``, ``"feature_table"``, ``"fma"`` or ``"synthetic"``.
    **kwargs
        Arguments of that dataset's loader (``root=...`` and so on).

    Returns
    -------
    dataset : mir_genre.datasets.Dataset
        Tracks, genres, artist groups, predefined splits and metadata.

    Raises
    ------
    ParameterError
        If ``name`` is unknown (the message lists the known names).
    PluginError
        If the loader fails to import, or returns something other than a Dataset.

    """
    from .datasets import Dataset

    loader = load_plugin("datasets", name)
    dataset = loader(**kwargs)
    if not isinstance(dataset, Dataset):
        raise PluginError(
            f"Dataset plugin {name!r} returned {type(dataset).__name__}, not a "
            "mir_genre.datasets.Dataset; the plugin must build its result with that class."
        )
    return dataset


def __getattr__(name):
    # The builders live in mir_genre.pipeline (which imports this module); the names
    # stay importable from here.
    if name in ("get_classifier", "get_extractor", "make_pipeline"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
