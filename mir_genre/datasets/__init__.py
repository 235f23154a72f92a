"""Datasets: GTZAN, a folder of your own music, feature tables, FMA, and a synthetic set.

Every loader returns a :class:`Dataset` (tracks ``X``, genres ``y``, artist ``groups``,
predefined ``splits`` and a ``metadata`` table).  Loaders are registered in the
``mir_genre.datasets`` entry-point group and loaded by name with
:func:`mir_genre.load_dataset`.
"""

import importlib

from ._base import (
    METADATA_COLUMNS,
    Dataset,
    ValidationReport,
    artist_groups,
    cache_dir,
    clip_seconds,
)

_LAZY = {
    "load_gtzan": ".gtzan",
    "load_folder": ".folder",
    "load_feature_table": ".feature_table",
    "load_fma": ".fma",
    "load_synthetic": ".synthetic",
}

__all__ = [
    "METADATA_COLUMNS",
    "Dataset",
    "ValidationReport",
    "artist_groups",
    "cache_dir",
    "clip_seconds",
    *sorted(_LAZY),
]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
