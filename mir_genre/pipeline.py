"""Building pipelines: one builder behind `make_pipeline` and the command-line specs.

`make_pipeline` (names, classes or instances, from Python) and `build_pipeline` (a
parsed ``"extractor+classifier"`` spec, from the command-line tools) resolve their
components and then go through the same assembly, so both give the same pipeline:

- several extractors are joined side by side in one `sklearn.pipeline.FeatureUnion`;
- the classifier gets the extractor's `SHARED_INPUT_PARAMS` (``sr``, ``n_mels``,
  ``hop_length``) where it takes them and was not given its own: a CNN after a 64-band
  ``mel_patches`` reads 64-band patches;
- a classifier given a different value than its extractor's is refused, with both
  values in the message (it would read the features with the wrong shape);
- every step's parameters are checked against its ``_parameter_constraints``
  (`validate_pipeline`) when a spec is built, so a bad value fails before any audio is
  read, naming the spec, the parameter, the rule and the fix.
"""

import inspect

from sklearn.base import BaseEstimator, clone, is_classifier

from .exceptions import ParameterError
from .registry import _EXPECTED, _LABELS, _has_methods, _problem, list_plugins, load_plugin

__all__ = [
    "SHARED_INPUT_PARAMS",
    "build_pipeline",
    "check_spec_order",
    "extractor_members",
    "get_classifier",
    "get_extractor",
    "make_pipeline",
    "set_runtime_params",
    "validate_pipeline",
]

#: Parameters that describe the extractor's output: a classifier that takes them (the
#: deep models reshape spectrograms with ``n_mels`` and turn seconds into frames with
#: ``sr`` and ``hop_length``) gets the extractor's values unless the spec sets its own.
SHARED_INPUT_PARAMS = ("sr", "n_mels", "hop_length")


def _resolve(kind, estimator, params, caller):
    label = _LABELS[kind].lower()
    a_label = f"{'an' if label[0] in 'aeiou' else 'a'} {label}"
    if isinstance(estimator, str):
        cls = load_plugin(kind, estimator)
    elif isinstance(estimator, type):
        problem = _problem(kind, estimator)
        if problem is not None:
            raise ParameterError(
                f"{caller} needs {_EXPECTED[kind]} (or a registered {label} name, or an "
                f"instance); {problem}. Pass e.g. a name from list_plugins({kind!r})."
            )
        cls = estimator
    elif isinstance(estimator, BaseEstimator):
        methods = ("fit", "transform") if kind == "extractors" else ("fit", "predict")
        rule = f"an estimator with {' and '.join(methods)}"
        if kind == "classifiers":
            rule += " that is a classifier (sklearn.base.is_classifier)"
        if not _has_methods(estimator, methods) or (
            kind == "classifiers" and not is_classifier(estimator)
        ):
            raise ParameterError(
                f"{caller} needs {a_label} instance, i.e. {rule}; got {estimator!r}. Pass "
                f"a name from list_plugins({kind!r}), {a_label} class or {a_label} instance."
            )
        try:
            return clone(estimator).set_params(**params)
        except ValueError as exc:  # sklearn's message names the valid parameters
            raise ParameterError(
                f"{caller} could not set {params!r} on a clone of {estimator!r}: {exc}"
            ) from exc
    else:
        raise ParameterError(
            f"{caller} needs a registered {label} name (str), {a_label} class or "
            f"{a_label} instance; got {type(estimator).__name__} {estimator!r}. Pass e.g. "
            f"one of {list_plugins(kind)}."
        )
    try:
        return cls(**params)
    except TypeError as exc:
        raise ParameterError(
            f"{caller} could not build {cls.__name__}(**{params!r}): {exc}. Pass only the "
            f"parameters {cls.__name__} accepts; see {cls.__name__}().get_params()."
        ) from exc


def get_extractor(name, /, **params):
    """Return a fresh feature-extractor instance.

    Parameters
    ----------
    name : str, estimator class or estimator instance
        A registered extractor name (see ``list_plugins('extractors')``), a transformer
        class, or a transformer instance (cloned, never modified).
    **params
        Parameters of the extractor, passed to its constructor (or to ``set_params`` of
        the clone of an instance).

    Returns
    -------
    extractor : BaseEstimator
        A new, unfitted transformer.

    Raises
    ------
    ParameterError
        If ``name`` is unknown or not an extractor, or a parameter is not accepted.
    PluginError
        If the registered plugin fails to load or is not a valid extractor.

    See Also
    --------
    get_classifier, make_pipeline, list_plugins

    Examples
    --------
    >>> from sklearn.preprocessing import StandardScaler
    >>> from mir_genre.registry import get_extractor
    >>> get_extractor(StandardScaler, with_mean=False)
    StandardScaler(with_mean=False)
    >>> scaler = StandardScaler()
    >>> get_extractor(scaler, with_std=False) is scaler
    False
    """
    return _resolve("extractors", name, params, "get_extractor")


def get_classifier(name, /, **params):
    """Return a fresh classifier instance.

    Parameters
    ----------
    name : str, estimator class or estimator instance
        A registered classifier name (see ``list_plugins('classifiers')``), a classifier
        class, or a classifier instance (cloned, never modified).
    **params
        Parameters of the classifier, passed to its constructor (or to ``set_params`` of
        the clone of an instance).

    Returns
    -------
    classifier : BaseEstimator
        A new, unfitted classifier.

    Raises
    ------
    ParameterError
        If ``name`` is unknown or not a classifier, or a parameter is not accepted.
    PluginError
        If the registered plugin fails to load or is not a valid classifier.

    See Also
    --------
    get_extractor, make_pipeline, list_plugins

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from mir_genre.registry import get_classifier
    >>> get_classifier(LogisticRegression, C=0.5)
    LogisticRegression(C=0.5)
    >>> get_classifier(LogisticRegression(C=2.0), max_iter=50)
    LogisticRegression(C=2.0, max_iter=50)
    """
    return _resolve("classifiers", name, params, "get_classifier")


def _unique_names(names):
    # Same scheme as sklearn.pipeline._name_estimators: suffix repeated names with -1, -2...
    counts = {n: names.count(n) for n in names}
    seen = {}
    out = []
    for n in names:
        if counts[n] > 1:
            seen[n] = seen.get(n, 0) + 1
            out.append(f"{n}-{seen[n]}")
        else:
            out.append(n)
    return out


def _accepts(estimator, name):
    return name in estimator.get_params(deep=False)


def _set_missing(estimator, values, given):
    """Set the ``values`` the estimator accepts, except those in ``given``."""
    estimator.set_params(
        **{
            k: v
            for k, v in values.items()
            if v is not None and _accepts(estimator, k) and k not in given
        }
    )


def _changed_params(estimator):
    """Names of the parameters an instance holds at other values than its defaults."""
    try:
        signature = inspect.signature(type(estimator).__init__)
    except (TypeError, ValueError):  # pragma: no cover - no signature: treat all as set
        return set(estimator.get_params(deep=False))
    changed = set()
    for name, value in estimator.get_params(deep=False).items():
        param = signature.parameters.get(name)
        default = inspect.Parameter.empty if param is None else param.default
        if default is inspect.Parameter.empty or repr(value) != repr(default):
            changed.add(name)
    return changed


def extractor_members(extractor):
    """Return the extractors inside a pipeline's first step (its members when joined).

    Parameters
    ----------
    extractor : estimator instance
        An extractor, or a `sklearn.pipeline.FeatureUnion` of extractors.

    Returns
    -------
    list of estimator instances
        The union's transformers (the same objects, not copies), or ``[extractor]``.
    """
    from sklearn.pipeline import FeatureUnion

    if isinstance(extractor, FeatureUnion):
        return [step for _, step in extractor.transformer_list]
    return [extractor]


def set_runtime_params(extractor, **params):
    """Set runtime parameters (``verbose``, ``memory``, ``n_jobs``) on every extractor.

    Each member of a joined extractor gets those it accepts; the union's own ``n_jobs``
    and ``verbose`` stay as they are (members run one after another, each spreading its
    tracks over workers).

    Parameters
    ----------
    extractor : estimator instance
        An extractor or a `sklearn.pipeline.FeatureUnion` of extractors; changed in place.
    **params
        The values to set.

    Returns
    -------
    extractor
        The same object.
    """
    for member in extractor_members(extractor):
        accepted = member.get_params(deep=False)
        member.set_params(**{k: v for k, v in params.items() if k in accepted})
    return extractor


def _shared_input_params(members):
    """`SHARED_INPUT_PARAMS` on which every member that has them agrees."""
    shared = {}
    for key in SHARED_INPUT_PARAMS:
        values = {
            repr(m.get_params(deep=False)[key]): m.get_params(deep=False)[key]
            for m in members
            if _accepts(m, key)
        }
        if len(values) == 1:
            shared[key] = next(iter(values.values()))
    return shared


def _check_one_rate(spec, named):
    rates = {name: m.get_params(deep=False).get("sr") for name, m in named}
    if len({r for r in rates.values() if r is not None}) > 1:
        listed = ", ".join(f"{name}[sr={rate}]" for name, rate in rates.items())
        raise ParameterError(
            f"Pipeline spec {str(spec)!r} joins extractors that read audio at different "
            f"sampling rates ({listed}); joined extractors share one audio input, so give "
            "them the same sr, e.g. sr=22050 on each."
        )


def _assemble(extractors, middle, classifier, *, given, memory=None, verbose=False):
    """Assemble the pipeline: the one step behind `make_pipeline` and `build_pipeline`.

    ``extractors``, ``middle`` and ``classifier`` are ``(step name, instance)`` pairs
    (instances owned by the pipeline: changed in place); ``given`` names the classifier's
    parameters its caller set, which are checked against the extractor's, never
    replaced.  Several extractors become one FeatureUnion step named ``"a+b"``.
    """
    from sklearn.pipeline import FeatureUnion, Pipeline

    steps = []
    if len(extractors) == 1:
        steps.append(extractors[0])
    elif extractors:
        names = [n for n, _ in extractors]
        members = list(zip(_unique_names(names), [e for _, e in extractors], strict=True))
        steps.append(("+".join(names), FeatureUnion(members)))
    steps.extend(middle)
    name, estimator = classifier
    members = [m for _, step in extractors for m in extractor_members(step)]
    for key, value in _shared_input_params(members).items():
        if value is None or not _accepts(estimator, key):
            continue
        held = estimator.get_params(deep=False)[key]
        if key in given and repr(held) != repr(value):
            source = steps[0][0]
            raise ParameterError(
                f"The classifier {name!r} is set to {key}={held!r}, but its input comes "
                f"from {source!r} with {key}={value!r}; the classifier would read the "
                f"features with the wrong shape. Drop {key} from {name!r} (it follows the "
                f"extractor) or give both {key}={value!r}."
            )
        estimator.set_params(**{key: value})
    steps.append(classifier)
    return Pipeline(steps, memory=memory, verbose=verbose)


def make_pipeline(extractor, *steps, memory=None, verbose=False):
    """Build a scikit-learn pipeline: extractor, optional transformers, classifier.

    Parameters
    ----------
    extractor : str, estimator class or estimator instance
        The feature extractor, resolved with :func:`mir_genre.get_extractor`.
    *steps : estimator instances, then str, estimator class or estimator instance
        Zero or more transformer instances (e.g. ``StandardScaler()``), then the
        classifier as the LAST step, resolved with :func:`mir_genre.get_classifier`.
    memory : str, object with the joblib.Memory interface or None, default=None
        Passed to :class:`sklearn.pipeline.Pipeline` to cache fitted transformers.
    verbose : bool, default=False
        Passed to :class:`sklearn.pipeline.Pipeline`.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Unfitted.  Steps given by registry name are named after it; the others after
        their lowercased class name (``-1``, ``-2`` suffixes keep names unique).  Every
        instance passed in is cloned, so the pipeline shares no state with the caller.
        The classifier takes the extractor's `SHARED_INPUT_PARAMS` where it accepts
        them and holds its defaults, exactly as in `build_pipeline`.

    Raises
    ------
    ParameterError
        If no classifier is given, a middle step is not a transformer instance, a name
        is unknown or of the wrong kind, or the classifier was set to another
        ``sr``/``n_mels``/``hop_length`` than the extractor's.
    PluginError
        If a registered plugin fails to load or is of the wrong kind.

    See Also
    --------
    build_pipeline, mir_genre.get_extractor, mir_genre.get_classifier,
    sklearn.pipeline.make_pipeline

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import StandardScaler
    >>> from mir_genre import make_pipeline
    >>> pipe = make_pipeline(StandardScaler, StandardScaler(), LogisticRegression(C=0.5))
    >>> [name for name, _ in pipe.steps]
    ['standardscaler-1', 'standardscaler-2', 'logisticregression']
    >>> pipe[-1]
    LogisticRegression(C=0.5)
    """
    if not steps:
        raise ParameterError(
            f"make_pipeline needs a classifier as its last argument; got only the extractor "
            f"{extractor!r}. Pass one, e.g. make_pipeline({extractor!r}, "
            f"'logistic_regression'), choosing from list_plugins('classifiers')."
        )
    *middle, classifier = steps
    resolved = [get_extractor(extractor)]
    for position, step in enumerate(middle, start=2):
        if not (isinstance(step, BaseEstimator) and _has_methods(step, ("fit", "transform"))):
            raise ParameterError(
                f"make_pipeline: every step between the extractor and the classifier must "
                f"be a transformer instance with fit and transform; step {position} is "
                f"{step!r}. Pass an instance such as StandardScaler()."
            )
        resolved.append(clone(step))
    resolved.append(get_classifier(classifier))
    given = [extractor, *middle, classifier]
    names = _unique_names(
        [
            g if isinstance(g, str) else type(r).__name__.lower()
            for g, r in zip(given, resolved, strict=True)
        ]
    )
    named = list(zip(names, resolved, strict=True))
    # A classifier passed by name holds its defaults; an instance, what it was set to.
    set_on_classifier = set() if isinstance(classifier, str) else _changed_params(resolved[-1])
    return _assemble(
        named[:1], named[1:-1], named[-1], given=set_on_classifier, memory=memory,
        verbose=verbose,
    )  # fmt: skip


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
        does not accept are ignored (see `mir_genre.specs.dataset_defaults`).  The
        classifier also gets the extractor's `SHARED_INPUT_PARAMS` where the spec does
        not set them (for joined extractors, those on which they all agree).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps named after the registry names (one step for a classifier alone).  Joined
        extractors are one `sklearn.pipeline.FeatureUnion` step named ``"a+b"`` whose
        members are named after the extractors (``-1``, ``-2`` suffixes keep them
        unique), so feature names read ``"a__feature"``.

    Raises
    ------
    ParameterError
        For an unknown name (the message lists the known ones) or parameter, joined
        extractors set to different sampling rates, or a classifier set to another
        ``sr``/``n_mels``/``hop_length`` than its extractor's.

    Examples
    --------
    >>> pipe = build_pipeline("mel_patches[n_mels=64]+dense_baseline")
    >>> pipe[-1].n_mels
    64
    """
    from ._common import check_n_jobs
    from .specs import parse_spec

    spec = parse_spec(spec) if isinstance(spec, str) else spec
    check_spec_order(spec)
    check_n_jobs(n_jobs)
    defaults = defaults or {}
    runtime = {"memory": memory, "n_jobs": n_jobs}
    extractors = []
    for name, params in spec.extractors:
        extractor = get_extractor(name, **params)
        _set_missing(extractor, {**defaults.get(name, {}), **runtime}, params)
        extractors.append((name, extractor))
    if len(extractors) > 1:
        names = _unique_names([n for n, _ in extractors])
        _check_one_rate(spec, list(zip(names, [e for _, e in extractors], strict=True)))
    classifier = get_classifier(spec.classifier, **spec.classifier_params)
    fallback = {**defaults.get(spec.classifier, {}), "random_state": random_state}
    _set_missing(classifier, fallback, spec.classifier_params)
    pipe = _assemble(
        extractors, [], (spec.classifier, classifier), given=set(spec.classifier_params)
    )
    return validate_pipeline(pipe, spec=spec)


def check_spec_order(spec):
    """Check that a spec names its extractors first and one classifier last.

    Parameters
    ----------
    spec : PipelineSpec
        The parsed spec.

    Raises
    ------
    ParameterError
        When a classifier's name stands where an extractor belongs, or an extractor's
        name last; the message gives the spec written the right way round.

    Examples
    --------
    >>> from mir_genre.specs import parse_spec
    >>> check_spec_order(parse_spec("svm+tzanetakis57"))
    Traceback (most recent call last):
    ...
    mir_genre.exceptions.ParameterError: Pipeline spec 'svm+tzanetakis57': 'svm' is a \
classifier; write extractor(s) first, then one classifier, e.g. tzanetakis57+svm.
    """
    extractors, classifiers = set(list_plugins("extractors")), set(list_plugins("classifiers"))
    names = [name for name, _ in spec.extractors] + [spec.classifier]
    known_extractors = [n for n in names if n in extractors and n not in classifiers]
    known_classifiers = [n for n in names if n in classifiers and n not in extractors]
    example = "+".join(known_extractors or ["tzanetakis57"])
    example += "+" + (known_classifiers[0] if known_classifiers else "svm")
    misplaced = [(n, "a classifier") for n in names[:-1] if n in known_classifiers]
    if names[-1] in known_extractors:
        misplaced.append((names[-1], "an extractor"))
    if misplaced:
        name, kind = misplaced[0]
        raise ParameterError(
            f"Pipeline spec {str(spec)!r}: {name!r} is {kind}; write extractor(s) first, "
            f"then one classifier, e.g. {example}."
        )


def _default_of(estimator, param):
    try:
        default = inspect.signature(type(estimator).__init__).parameters[param].default
    except (KeyError, TypeError, ValueError):
        return inspect.Parameter.empty
    return default


def _step_names(pipe):
    """``(name, estimator)`` of every step, the members of a FeatureUnion in its place."""
    from sklearn.pipeline import FeatureUnion

    for name, step in pipe.steps:
        if isinstance(step, FeatureUnion):
            yield from step.transformer_list
        else:
            yield name, step


def validate_pipeline(pipe, *, spec=None):
    """Check every step's parameters (extractors and classifier) before any work.

    Each step that declares scikit-learn ``_parameter_constraints`` has every
    parameter checked against them, as its ``fit`` would check them, so a bad value is
    refused before the first track is read rather than when the pipeline is fitted.

    Parameters
    ----------
    pipe : sklearn.pipeline.Pipeline
        The pipeline (`build_pipeline`, `make_pipeline`); not changed.
    spec : PipelineSpec, str or None, default=None
        The spec it was built from, named in the message.

    Returns
    -------
    sklearn.pipeline.Pipeline
        ``pipe``.

    Raises
    ------
    ParameterError
        For the first parameter that breaks its rule: the spec, the step, the
        parameter, the rule, the value and the fix.

    Examples
    --------
    >>> validate_pipeline(build_pipeline("mfcc_deltas[n_mfcc=13]+svm")).steps[0][0]
    'mfcc_deltas'
    >>> get_extractor("mfcc_deltas", n_mfcc="abc")  # builds; fit would refuse it
    MFCCDeltas(n_mfcc='abc')
    """
    from sklearn.utils._param_validation import (
        InvalidParameterError,
        validate_parameter_constraints,
    )

    where = f"Pipeline spec {str(spec)!r}: " if spec is not None else "Pipeline: "
    for name, step in _step_names(pipe):
        constraints = getattr(step, "_parameter_constraints", None)
        if not isinstance(constraints, dict):
            continue
        for param, value in step.get_params(deep=False).items():
            if param not in constraints:
                continue
            try:
                validate_parameter_constraints(
                    {param: constraints[param]}, {param: value}, type(step).__name__
                )
            except InvalidParameterError as exc:
                default = _default_of(step, param)
                fix = f"set {name}[{param}=...] to a value the rule allows"
                if default is not inspect.Parameter.empty:
                    fix += f", e.g. {name}[{param}={default!r}] (its default)"
                raise ParameterError(
                    f"{where}{exc} Fix: {fix}, or leave {param} out of the spec."
                ) from None
    return pipe
