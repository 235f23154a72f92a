"""Pipeline specifications: ``"extractor[param=value,...]+classifier[param=value,...]"``.

The command-line tools (``compare``, ``train``) name pipelines with short strings.  A
spec is an extractor name and a classifier name joined by ``+``; either may carry
parameters in square brackets, written as Python literals (strings may be bare).  A
spec with no ``+`` names a classifier alone, for datasets whose ``X`` is already a
feature matrix (``feature_table``).  Several extractors before the classifier are
joined side by side (a `sklearn.pipeline.FeatureUnion`): ``tzanetakis57+
essentia_lowlevel+svm`` gives the svm both feature sets of every track.

Examples
--------
>>> spec = parse_spec("mel_patches[n_mels=64]+cnn[epochs=5,filters=(8,16)]")
>>> spec.extractors, spec.classifier, spec.classifier_params
((('mel_patches', {'n_mels': 64}),), 'cnn', {'epochs': 5, 'filters': (8, 16)})
>>> str(spec)
'mel_patches[n_mels=64]+cnn[epochs=5,filters=(8, 16)]'
>>> [str(s) for s in parse_specs("tzanetakis57+svm, svm[C=2.0]")]
['tzanetakis57+svm', 'svm[C=2.0]']
>>> parse_spec("tzanetakis57+chroma[n_fft=4096]+svm").extractor
'tzanetakis57+chroma'
"""

from dataclasses import dataclass, field

from ._common import parse_literal
from .exceptions import ParameterError

# The builder lives in mir_genre.pipeline; these names stay importable from here.
from .pipeline import (
    SHARED_INPUT_PARAMS,
    build_pipeline,
    check_spec_order,
    extractor_members,
    set_runtime_params,
    validate_pipeline,
)

__all__ = [
    "PipelineSpec",
    "SHARED_INPUT_PARAMS",
    "accepts_groups",
    "build_pipeline",
    "check_spec_fits_dataset",
    "check_spec_order",
    "dataset_defaults",
    "extractor_members",
    "parse_spec",
    "parse_specs",
    "set_runtime_params",
    "validate_pipeline",
]

_SYNTAX = (
    "Write a pipeline as 'extractor+classifier', optionally with parameters in square "
    "brackets, e.g. 'mel_patches[n_mels=64]+cnn[epochs=5]' (several extractors joined: "
    "'tzanetakis57+chroma+svm'), or a classifier alone for a feature table."
)


@dataclass(frozen=True)
class PipelineSpec:
    """A parsed pipeline specification.

    Attributes
    ----------
    classifier : str
        Registered classifier name.
    classifier_params : dict
        Constructor parameters of the classifier given in the spec.
    extractors : tuple of (str, dict)
        Registered extractor names with their parameters, in order; empty for a
        classifier on ready-made features.  Two or more are joined side by side.
    """

    classifier: str
    classifier_params: dict = field(default_factory=dict)
    extractors: tuple = ()

    @property
    def extractor(self):
        """The extractor part without parameters (``"a+b"`` when joined), or None."""
        return "+".join(name for name, _ in self.extractors) or None

    @property
    def name(self):
        """Short name without parameters, e.g. ``"tzanetakis57+svm"``."""
        return f"{self.extractor}+{self.classifier}" if self.extractor else self.classifier

    def __str__(self):
        parts = [*self.extractors, (self.classifier, self.classifier_params)]
        return "+".join(name + _format_params(params) for name, params in parts)


def _format_params(params):
    if not params:
        return ""
    return "[" + ",".join(f"{k}={v!r}" for k, v in params.items()) + "]"


def _split_top(text, sep):
    """Split on ``sep`` outside brackets and parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _literal(text, where):
    try:
        return parse_literal(text)
    except ValueError:
        raise ParameterError(
            f"Pipeline spec {where!r}: the value {text.strip()!r} is not a Python literal. "
            "Quote strings and write tuples as (8, 16)."
        ) from None


def _component(text, where):
    text = text.strip()
    name, bracket, rest = text.partition("[")
    name = name.strip()
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ParameterError(f"Pipeline spec {where!r}: {text!r} is not a name. {_SYNTAX}")
    params = {}
    if bracket:
        if not rest.endswith("]"):
            raise ParameterError(f"Pipeline spec {where!r}: '[' is not closed. {_SYNTAX}")
        for item in _split_top(rest[:-1], ","):
            if not item.strip():
                continue
            key, eq, value = item.partition("=")
            key = key.strip()
            if not eq or not key.isidentifier():
                raise ParameterError(
                    f"Pipeline spec {where!r}: {item.strip()!r} is not 'param=value'. {_SYNTAX}"
                )
            params[key] = _literal(value, where)
    return name, params


def parse_spec(text):
    """Parse one pipeline spec.

    Parameters
    ----------
    text : str
        ``"extractor+classifier"``, ``"extractor+extractor+classifier"`` or
        ``"classifier"``, each name with optional ``[param=value,...]``.

    Returns
    -------
    PipelineSpec

    Raises
    ------
    ParameterError
        When the text does not follow the syntax (the message shows it).
    """
    if not str(text).strip():
        raise ParameterError(f"Pipeline spec {text!r}: {_SYNTAX}")
    *extractors, (classifier, classifier_params) = [
        _component(part, text) for part in _split_top(str(text).strip(), "+")
    ]
    return PipelineSpec(classifier, classifier_params, tuple(extractors))


def parse_specs(text):
    """Parse a comma-separated list of pipeline specs (commas inside brackets are kept).

    Parameters
    ----------
    text : str
        E.g. ``"tzanetakis57+mlp,mfcc_deltas+svm[C=2.0]"``.

    Returns
    -------
    list of PipelineSpec
    """
    return [parse_spec(part) for part in _split_top(text, ",") if part.strip()]


def dataset_defaults(spec, dataset):
    """Fallback extractor parameters that make a pipeline fit a dataset.

    A fixed-duration extractor (``mel_patches``) pads or crops to the dataset's typical
    clip length (`mir_genre.datasets.clip_seconds`), and an extractor reading array audio
    reads it at the dataset's sampling rate.

    Parameters
    ----------
    spec : PipelineSpec or str
        The pipeline.
    dataset : Dataset
        Where its tracks come from.

    Returns
    -------
    dict
        ``defaults`` for `build_pipeline`, by extractor name.

    Raises
    ------
    ParameterError
        When the spec sets a sampling rate other than that of the dataset's array audio.
    """
    import numpy as np

    from .datasets import clip_seconds
    from .registry import load_plugin

    spec = parse_spec(spec) if isinstance(spec, str) else spec
    clip = clip_seconds(dataset) if spec.extractors else None
    out = {}
    for name, params in spec.extractors:
        defaults = out.setdefault(name, {})
        param = getattr(load_plugin("extractors", name), "_fixed_duration_param", None)
        if param and clip is not None:
            defaults[param] = clip
        if isinstance(dataset.X, np.ndarray) and dataset.sr:
            given = params.get("sr", dataset.sr)
            if given != dataset.sr:
                raise ParameterError(
                    f"Dataset {dataset.name!r} holds audio sampled at {dataset.sr} Hz, but "
                    f"the pipeline sets {name}[sr={given}]; drop sr from the spec."
                )
            defaults["sr"] = dataset.sr
    return out


def accepts_groups(estimator):
    """Whether an estimator's ``fit`` takes ``groups`` (to hold out whole artists).

    Parameters
    ----------
    estimator : estimator instance
        A classifier.

    Returns
    -------
    bool

    Examples
    --------
    >>> import mir_genre
    >>> from sklearn.svm import SVC
    >>> accepts_groups(mir_genre.get_classifier("xgboost")), accepts_groups(SVC())
    (True, False)
    """
    import inspect

    try:
        return "groups" in inspect.signature(estimator.fit).parameters
    except (TypeError, ValueError):  # callables without a signature
        return False


def check_spec_fits_dataset(spec, dataset, *, option=None):
    """Check that a pipeline spec fits the dataset's kind.

    Audio needs an extractor in front of the classifier; a dataset of ready-made
    features (``kind="features"``, e.g. a feature table) takes a classifier alone; and
    any dataset needs tracks of at least two genres.

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
    genres = sorted({str(g) for g in dataset.y})
    if len(genres) < 2:
        raise ParameterError(
            f"Dataset {dataset.name!r} holds tracks of {len(genres)} genre "
            f"({', '.join(map(repr, genres)) or 'none'}); a genre classifier needs at least "
            "two to learn from, and a model trained on one could only ever answer it. Add "
            "tracks of other genres (one sub-folder per genre for a folder of your own)."
        )
