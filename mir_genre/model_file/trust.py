"""Which types a model file may build: the default trust list and explicit additions.

A model file's pipeline is stored with skops (`skops.io`), as a tree of plain values,
arrays and the names of the types to build from them.  Loading builds an object of a
type only when the type is trusted, and checks every name in the file before it builds
anything.  Trusted by default:

- what skops itself trusts: Python's built-in containers and numbers, NumPy arrays and
  scalars, SciPy sparse matrices and scikit-learn's estimators;
- every type of mir_genre itself (``mir_genre.*``);
- the types of every plugin registered through mir_genre's entry points: the packages
  that the distribution declaring the entry point installs (``mir_genre_musicnn.*`` ...),
  unless ``MIR_GENRE_DISABLE_PLUGIN_AUTOLOAD`` is set;
- `EXTRA_TRUSTED_TYPES`: scikit-learn internals and XGBoost models that the
  registered classifiers hold (XGBoost restores a booster from its own JSON/UBJSON
  model bytes).

Anything else is refused by name; ``trusted=[names]`` (``predict --trust NAMES``) trusts
more, for one load.

Examples
--------
>>> is_trusted("mir_genre.classifiers.sklearn_models.SVMClassifier")
True
>>> is_trusted("builtins.exec"), is_trusted("builtins.exec", ["builtins.exec"])
(False, True)
"""

import functools
import importlib.metadata
import re

from ..exceptions import ParameterError

__all__ = ["EXTRA_TRUSTED_TYPES", "check_trusted_names", "is_trusted", "trusted_packages"]

#: Types beyond skops's own trusted list that mir_genre's classifiers hold.
EXTRA_TRUSTED_TYPES = frozenset(
    {
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.metrics._dist_metrics.EuclideanDistance32",
        "sklearn.metrics._dist_metrics.EuclideanDistance64",
        "sklearn.metrics._dist_metrics.ManhattanDistance32",
        "sklearn.metrics._dist_metrics.ManhattanDistance64",
        "sklearn.metrics._dist_metrics.MinkowskiDistance32",
        "sklearn.metrics._dist_metrics.MinkowskiDistance64",
        "sklearn.model_selection._split.StratifiedKFold",
        "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
        "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
        "sklearn.neighbors._ball_tree.BallTree",
        "sklearn.neighbors._kd_tree.KDTree",
        "sklearn.tree._tree.Tree",
        "xgboost.core.Booster",
        "xgboost.sklearn.XGBClassifier",
    }
)

_CORE = "mir_genre"


def _normal(name):
    return re.sub(r"[-_.]+", "-", str(name)).lower()


@functools.cache
def _packages_of_distributions():
    owners = {}
    for package, dists in importlib.metadata.packages_distributions().items():
        for dist in dists:
            owners.setdefault(_normal(dist), set()).add(package)
    return owners


def trusted_packages():
    """Top-level packages whose types are trusted: mir_genre and its registered plugins.

    A plugin's package counts only when the distribution that declares the entry point
    installs it, so an entry point naming another project's class does not make that
    project trusted.

    Returns
    -------
    frozenset of str
    """
    from .. import registry

    packages, owners = {_CORE}, _packages_of_distributions()
    for kind in registry.KINDS:
        for ep in registry._active(kind).values():
            top = ep.value.partition(":")[0].split(".")[0]
            dist = getattr(ep, "dist", None)
            name = getattr(dist, "name", None) if dist is not None else None
            if name and top in owners.get(_normal(name), ()):
                packages.add(top)
    return frozenset(packages)


def is_trusted(name, trusted=()):
    """Whether a type name (``module.QualName``) is trusted by default or by ``trusted``.

    Parameters
    ----------
    name : str
        A type's full name, as skops lists it.
    trusted : iterable of str, default=()
        Names trusted besides the defaults.

    Returns
    -------
    bool
    """
    if name in EXTRA_TRUSTED_TYPES or name in set(trusted):
        return True
    return name.split(".")[0] in trusted_packages() and "." in name


def check_trusted_names(trusted, *, parameter="trusted"):
    """Validate ``trusted`` (None, or type names); return a tuple of names.

    Parameters
    ----------
    trusted : None, str or sequence of str
        Type names; a string may hold several, separated by commas.
    parameter : str, default="trusted"
        Its name, for the message.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> check_trusted_names("a.B, c.D")
    ('a.B', 'c.D')
    """
    if trusted is None:
        return ()
    items = [trusted] if isinstance(trusted, str) else trusted
    try:
        items = list(items)
    except TypeError:
        items = [trusted]
    if not all(isinstance(item, str) for item in items):
        raise ParameterError(
            f"{parameter} must be a list of type names such as 'package.module.Class'; "
            f"got {trusted!r}. Pass the names the refusal message lists."
        )
    names = tuple(n.strip() for item in items for n in item.split(",") if n.strip())
    bad = [n for n in names if "." not in n]
    if bad:
        raise ParameterError(
            f"{parameter} takes full type names ('package.module.Class'); got {bad!r}. "
            "Pass the names the refusal message lists."
        )
    return names
