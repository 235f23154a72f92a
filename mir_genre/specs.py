"""Pipeline specifications: ``"extractor[param=value,...]+classifier[param=value,...]"``.

The command-line tools (``compare``, ``train``) name pipelines with short strings.  A
spec is an extractor name and a classifier name joined by ``+``; either may carry
parameters in square brackets, written as Python literals (strings may be bare).  A
spec with no ``+`` names a classifier alone, for datasets whose ``X`` is already a
feature matrix (``feature_table``).

Examples
--------
>>> spec = parse_spec("mel_patches[n_mels=64]+cnn[epochs=5,filters=(8,16)]")
>>> spec.extractor, spec.extractor_params, spec.classifier, spec.classifier_params
('mel_patches', {'n_mels': 64}, 'cnn', {'epochs': 5, 'filters': (8, 16)})
>>> str(spec)
'mel_patches[n_mels=64]+cnn[epochs=5,filters=(8, 16)]'
>>> [str(s) for s in parse_specs("tzanetakis57+svm, svm[C=2.0]")]
['tzanetakis57+svm', 'svm[C=2.0]']
"""

import ast
from dataclasses import dataclass, field

from .exceptions import ParameterError

__all__ = [
    "PipelineSpec",
    "SHARED_INPUT_PARAMS",
    "accepts_groups",
    "build_pipeline",
    "dataset_defaults",
    "parse_spec",
    "parse_specs",
]

#: Parameters that describe the extractor's output: a classifier that takes them (the
#: deep models reshape spectrograms with ``n_mels`` and turn seconds into frames with
#: ``sr`` and ``hop_length``) gets the extractor's values unless the spec sets its own.
SHARED_INPUT_PARAMS = ("sr", "n_mels", "hop_length")

_SYNTAX = (
    "Write a pipeline as 'extractor+classifier', optionally with parameters in square "
    "brackets, e.g. 'mel_patches[n_mels=64]+cnn[epochs=5]', or a classifier alone for a "
    "feature table."
)


@dataclass(frozen=True)
class PipelineSpec:
    """A parsed pipeline specification.

    Attributes
    ----------
    extractor : str or None
        Registered extractor name; None for a classifier on ready-made features.
    classifier : str
        Registered classifier name.
    extractor_params, classifier_params : dict
        Constructor parameters given in the spec.
    """

    extractor: str | None
    classifier: str
    extractor_params: dict = field(default_factory=dict)
    classifier_params: dict = field(default_factory=dict)

    @property
    def name(self):
        """Short name without parameters, e.g. ``"tzanetakis57+svm"``."""
        return f"{self.extractor}+{self.classifier}" if self.extractor else self.classifier

    def __str__(self):
        parts = [(self.classifier, self.classifier_params)]
        if self.extractor:
            parts.insert(0, (self.extractor, self.extractor_params))
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
    text = text.strip()
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        if text.replace("_", "").replace("-", "").replace(".", "").isalnum():
            return text  # a bare word such as stft or cqt is a string
        raise ParameterError(
            f"Pipeline spec {where!r}: the value {text!r} is not a Python literal. Quote "
            "strings and write tuples as (8, 16)."
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
        ``"extractor+classifier"`` or ``"classifier"``, each with optional
        ``[param=value,...]``.

    Returns
    -------
    PipelineSpec

    Raises
    ------
    ParameterError
        When the text does not follow the syntax (the message shows it).
    """
    parts = _split_top(str(text).strip(), "+")
    if len(parts) > 2 or not str(text).strip():
        raise ParameterError(f"Pipeline spec {text!r}: {_SYNTAX}")
    components = [_component(part, text) for part in parts]
    if len(components) == 1:
        (classifier, classifier_params), extractor, extractor_params = components[0], None, {}
    else:
        (extractor, extractor_params), (classifier, classifier_params) = components
    return PipelineSpec(extractor, classifier, extractor_params, classifier_params)


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


def _accepts(estimator, name):
    return name in estimator.get_params(deep=False)


def build_pipeline(spec, *, memory=None, n_jobs=None, random_state=None, defaults=None):
    """Build the scikit-learn pipeline a spec describes.

    Parameters
    ----------
    spec : PipelineSpec or str
        The pipeline.
    memory : str, os.PathLike, joblib.Memory or None, default=None
        Per-track feature cache, given to extractors that accept ``memory``.
    n_jobs : int or None, default=None
        Given to extractors that accept ``n_jobs``.
    random_state : int or None, default=None
        Given to the classifier when it accepts ``random_state`` and the spec does not
        set it.
    defaults : dict or None, default=None
        Fallback parameters by component name (``{"mel_patches": {"duration": 5.0}}``),
        used where the spec and the other arguments set nothing; parameters a component
        does not accept are ignored (see `dataset_defaults`).  The classifier also gets
        the extractor's `SHARED_INPUT_PARAMS` where the spec does not set them.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps named after the registry names (one step for a classifier alone).

    Raises
    ------
    ParameterError
        For an unknown name (the message lists the known ones) or parameter.
    """
    from sklearn.pipeline import Pipeline

    from .registry import get_classifier, get_extractor

    spec = parse_spec(spec) if isinstance(spec, str) else spec
    defaults = defaults or {}
    steps = []
    if spec.extractor:
        extractor = get_extractor(spec.extractor, **spec.extractor_params)
        runtime = {"memory": memory, "n_jobs": n_jobs}
        fallback = {**defaults.get(spec.extractor, {}), **runtime}
        extractor.set_params(
            **{
                k: v
                for k, v in fallback.items()
                if v is not None and _accepts(extractor, k) and k not in spec.extractor_params
            }
        )
        steps.append((spec.extractor, extractor))
    classifier = get_classifier(spec.classifier, **spec.classifier_params)
    fallback = {**defaults.get(spec.classifier, {}), "random_state": random_state}
    if steps:
        produced = steps[0][1].get_params(deep=False)
        fallback.update({k: produced[k] for k in SHARED_INPUT_PARAMS if k in produced})
    classifier.set_params(
        **{
            k: v
            for k, v in fallback.items()
            if v is not None and _accepts(classifier, k) and k not in spec.classifier_params
        }
    )
    steps.append((spec.classifier, classifier))
    return Pipeline(steps)


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
        ``defaults`` for `build_pipeline`.

    Raises
    ------
    ParameterError
        When the spec sets a sampling rate other than that of the dataset's array audio.
    """
    import numpy as np

    from .datasets import clip_seconds
    from .registry import load_plugin

    spec = parse_spec(spec) if isinstance(spec, str) else spec
    if not spec.extractor:
        return {}
    defaults = {}
    param = getattr(load_plugin("extractors", spec.extractor), "_fixed_duration_param", None)
    clip = clip_seconds(dataset)
    if param and clip is not None:
        defaults[param] = clip
    if isinstance(dataset.X, np.ndarray) and dataset.sr:
        given = spec.extractor_params.get("sr", dataset.sr)
        if given != dataset.sr:
            raise ParameterError(
                f"Dataset {dataset.name!r} holds audio sampled at {dataset.sr} Hz, but the "
                f"pipeline sets {spec.extractor}[sr={given}]; drop sr from the spec."
            )
        defaults["sr"] = dataset.sr
    return {spec.extractor: defaults}


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
    >>> accepts_groups(mir_genre.get_classifier("xgboost")), accepts_groups(
    ...     mir_genre.get_classifier("svm"))
    (True, False)
    """
    import inspect

    try:
        return "groups" in inspect.signature(estimator.fit).parameters
    except (TypeError, ValueError):  # callables without a signature
        return False
