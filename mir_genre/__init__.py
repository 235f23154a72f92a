"""mir_genre: music genre classification as scikit-learn estimators.

Feature extractors and classifiers are found through entry points (see
:mod:`mir_genre.registry`) and composed into scikit-learn pipelines.  Importing this
package is cheap: it never imports keras, xgboost, jax or torch; heavy pieces are
loaded when first used.

Examples
--------
>>> import mir_genre
>>> "tzanetakis57" in mir_genre.list_plugins("extractors")
True
"""

__version__ = "0.1.0"

from .evaluation import evaluate  # noqa: E402
from .exceptions import (  # noqa: E402
    AudioError,
    DataError,
    DataNotFoundError,
    MirGenreError,
    ParameterError,
    PluginError,
)
from .pipeline import get_classifier, get_extractor, make_pipeline  # noqa: E402
from .registry import list_plugins, load_dataset  # noqa: E402

__all__ = [
    "__version__",
    "AudioError",
    "DataError",
    "DataNotFoundError",
    "MirGenreError",
    "ParameterError",
    "PluginError",
    "evaluate",
    "get_classifier",
    "get_extractor",
    "list_plugins",
    "load_dataset",
    "make_pipeline",
]
