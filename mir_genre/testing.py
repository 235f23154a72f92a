"""Conformance checks that every extractor or classifier plugin runs in its own tests.

A plugin author calls :func:`check_plugin` with the registered name (or the class):

.. code-block:: python

    from mir_genre.testing import check_plugin

    def test_my_extractor_conforms():
        check_plugin("my_extractor")

The suite checks what mir_genre relies on: the registry entry, scikit-learn's estimator
checks on cheap parameters (``get_test_params()``), feature names, both input forms
of an extractor (file paths and 2-D audio arrays give the same features), clear errors
for bad input, and pickling.  A failed check raises ``AssertionError`` naming the
plugin, the check and the fix.
"""

import pickle
import tempfile
import warnings
from pathlib import Path

import numpy as np

from .exceptions import AudioError, ParameterError

__all__ = ["check_plugin", "INTEGER_AUDIO_REASON"]

#: The expected failure every extractor shares: integer audio is refused on purpose.
INTEGER_AUDIO_REASON = (
    "integer arrays are rejected on purpose: integer PCM has an arbitrary scale (16-bit, "
    "24-bit...), so extractors ask for float audio instead of guessing"
)


def _resolve(obj_or_name, kind):
    from sklearn.base import BaseEstimator

    from .registry import list_plugins, load_plugin

    if isinstance(obj_or_name, str):
        kinds = [kind] if kind else ["extractors", "classifiers"]
        for candidate in kinds:
            if obj_or_name in list_plugins(candidate):
                cls = load_plugin(candidate, obj_or_name)  # raises PluginError if broken
                return candidate, obj_or_name, cls, None
        known = {k: list_plugins(k) for k in kinds}
        raise AssertionError(
            f"check_plugin: {obj_or_name!r} is not registered as any of {kinds}; known: "
            f"{known}. Declare it in your distribution's entry points (group "
            "mir_genre.extractors or mir_genre.classifiers) and reinstall it."
        )
    if isinstance(obj_or_name, type):
        cls, instance = obj_or_name, None
    elif isinstance(obj_or_name, BaseEstimator):
        cls, instance = type(obj_or_name), obj_or_name
    else:
        raise AssertionError(
            f"check_plugin takes a registered name, an estimator class or an instance; got "
            f"{type(obj_or_name).__name__} {obj_or_name!r}."
        )
    if kind is None:
        kind = "extractors" if hasattr(cls, "transform") else "classifiers"
    return kind, None, cls, instance


def _fail(label, check, problem, fix):
    raise AssertionError(f"{label} fails check_plugin's {check!r}: {problem.rstrip('.')}. {fix}")


def _instance(cls, label):
    # Cheap parameters where the class offers them; scikit-learn-sized defaults otherwise.
    params = cls.get_test_params() if hasattr(cls, "get_test_params") else {}
    try:
        return cls(**params)
    except TypeError as exc:
        _fail(
            label,
            "get_test_params",
            f"{cls.__name__}(**{params!r}) raised {exc}",
            "get_test_params() must return keyword arguments the constructor accepts.",
        )


def _check_extractor_params(est, label):
    # The parameters every BaseExtractor validates; compare, train and predict set them.
    from .features._base import BaseExtractor

    required = list(BaseExtractor._parameter_constraints)
    missing = [p for p in required if p not in est.get_params(deep=False)]
    if missing:
        _fail(
            label,
            "extractor parameters",
            f"the constructor lacks {', '.join(missing)}",
            f"Every extractor accepts and stores {', '.join(required)} (mir_genre sets "
            "the sampling rate, workers and cache); see mir_genre.features.BaseExtractor.",
        )


def _check_registry(kind, name, cls, label):
    from .registry import discover, load_plugin

    infos = [info for info in discover(kind) if info.name == name]
    if not infos or infos[0].status != "ok":
        error = infos[0].error if infos else "not discovered"
        _fail(label, "registry", f"discover() reports {error}", "Fix the entry point.")
    if load_plugin(kind, name) is not cls:
        _fail(label, "registry", "load_plugin returned another object", "")


def _estimator_checks(estimator, kind, label, expected_failed_checks):
    from sklearn.utils.estimator_checks import check_estimator

    expected = dict(expected_failed_checks or {})
    if kind == "extractors":
        expected.setdefault("check_estimators_dtypes", INTEGER_AUDIO_REASON)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the checks' own warnings are not the plugin's
        results = check_estimator(estimator, expected_failed_checks=expected, on_fail=None)
    failed = [r for r in results if r["status"] == "failed"]
    if failed:
        listed = "; ".join(f"{r['check_name']}: {r['exception']!r}"[:300] for r in failed)
        _fail(
            label,
            "sklearn estimator checks",
            f"{len(failed)} failed ({listed})",
            "Follow scikit-learn's estimator contract, or pass expected_failed_checks with "
            "a written reason for each check that cannot apply.",
        )
    return [r["check_name"] for r in results if r["status"] == "passed"]


def _audio(sr, n_clips=2, seconds=1.0):
    t = np.arange(int(sr * seconds)) / sr
    clips = [0.3 * np.sin(2 * np.pi * (220 + 110 * i) * t) for i in range(n_clips)]
    # float32, as decoded files are: both input forms then carry the same samples.
    return np.stack(clips).astype(np.float32)


def _check_extractor(est, label):
    import soundfile as sf

    sr = est.get_params().get("sr", 22050)
    X = _audio(sr)
    out = np.asarray(est.fit_transform(X))
    if out.ndim != 2 or out.shape[0] != len(X):
        _fail(
            label, "output shape", f"transform gave shape {out.shape}", "Return one row per clip."
        )
    if not np.isfinite(out).all():
        _fail(label, "finite output", "transform gave NaN or inf", "Replace them deliberately.")
    names = np.asarray(est.get_feature_names_out())
    if len(names) != out.shape[1] or len(set(names)) != len(names):
        _fail(
            label,
            "feature names",
            f"{len(names)} names ({len(set(names))} distinct) for {out.shape[1]} columns",
            "get_feature_names_out must name every column once.",
        )
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, clip in enumerate(X):
            paths.append(str(Path(tmp) / f"clip{i}.wav"))
            sf.write(paths[-1], clip.astype(np.float32), sr, subtype="FLOAT")
        from_files = np.asarray(est.transform(paths))
        if not np.allclose(from_files, out, rtol=1e-4, atol=1e-5):
            _fail(
                label,
                "both input forms",
                "file paths and the same audio as a 2-D array gave different features",
                "Decode files through BaseExtractor (mir_genre.audio.load) at `sr`.",
            )
        missing = str(Path(tmp) / "missing.wav")
        try:
            est.transform([missing])
        except AudioError as exc:
            if "missing.wav" not in str(exc):
                _fail(label, "bad input", f"the error does not name the file: {exc}", "")
        else:
            _fail(label, "bad input", "a missing file raised nothing", "Raise AudioError.")
    bad = X.copy()
    bad[0, 10] = np.nan
    try:
        est.transform(bad)
    except (ParameterError, ValueError):
        pass
    else:
        _fail(label, "bad input", "audio with NaN raised nothing", "Validate audio on entry.")
    return out, X


def _check_classifier(est, label):
    rng = np.random.RandomState(0)
    y = np.array(["jazz", "metal", "pop"] * 12)
    X = rng.normal(size=(len(y), 16)) + (np.arange(len(y)) % 3)[:, None]
    est.fit(X, y)
    if sorted(map(str, est.classes_)) != ["jazz", "metal", "pop"]:
        _fail(label, "string labels", f"classes_ is {est.classes_!r}", "Keep y's labels.")
    proba = est.predict_proba(X)
    if proba.shape != (len(y), 3) or not np.allclose(proba.sum(axis=1), 1.0, atol=1e-5):
        _fail(label, "predict_proba", f"shape {proba.shape} or rows not summing to 1", "")
    if not set(est.predict(X)) <= set(y):
        _fail(label, "predict", "predicted labels outside classes_", "")
    try:
        est.fit(X[:5], y[:4])
    except ValueError:
        pass
    else:
        _fail(label, "bad input", "X and y of different lengths raised nothing", "")
    est.fit(X, y)
    return est.predict_proba(X), X


def check_plugin(obj_or_name, *, kind=None, expected_failed_checks=None, estimator_checks=True):
    """Run mir_genre's conformance checks on an extractor or classifier plugin.

    Parameters
    ----------
    obj_or_name : str, estimator class or estimator instance
        A registered name (the registry entry is checked too), a class (built with its
        ``get_test_params()`` classmethod when it has one, which keeps the checks fast)
        or an instance (used with its own parameters).
    kind : {"extractors", "classifiers"} or None, default=None
        Which group to look in or check as; guessed when None.
    expected_failed_checks : dict of str to str or None, default=None
        scikit-learn checks that cannot apply, each with the reason (extractors get
        ``check_estimators_dtypes`` for free: integer audio is refused on purpose).
    estimator_checks : bool, default=True
        Run scikit-learn's estimator checks (the slow part).

    Returns
    -------
    list of str
        Names of the checks that passed.

    Raises
    ------
    AssertionError
        On the first failed check, naming the plugin, the check and the fix.
    mir_genre.PluginError
        When a registered plugin fails to load.

    Examples
    --------
    >>> from mir_genre.testing import check_plugin
    >>> passed = check_plugin("mfcc_deltas", estimator_checks=False)
    >>> "both input forms" in passed
    True
    """
    kind, name, cls, instance = _resolve(obj_or_name, kind)
    label = f"{kind[:-1].capitalize()} {name or cls.__name__!r}"
    passed = []
    if name is not None:
        _check_registry(kind, name, cls, label)
        passed.append("registry")
    est = instance if instance is not None else _instance(cls, label)
    passed.append("get_test_params")
    if kind == "extractors":
        _check_extractor_params(est, label)
        passed.append("extractor parameters")
    from sklearn.base import clone

    # mir_genre's own checks first: on a broken plugin they fail once, with one message,
    # where scikit-learn's checks would repeat the same error in a dozen checks.
    checked = clone(est)
    try:
        if kind == "extractors":
            out, X = _check_extractor(checked, label)
            passed += ["output shape", "finite output", "feature names", "both input forms"]
            again = lambda e: e.transform(X)  # noqa: E731
        else:
            out, X = _check_classifier(checked, label)
            passed += ["string labels", "predict_proba", "predict"]
            again = lambda e: e.predict_proba(X)  # noqa: E731
    except AssertionError:
        raise
    except Exception as exc:  # any crash on ordinary input is a failed check, named
        usual = "plain float audio" if kind == "extractors" else "a float array and string labels"
        _fail(label, "basic use", f"{type(exc).__name__}: {exc}", f"It must work on {usual}.")
    passed.append("bad input")
    restored = pickle.loads(pickle.dumps(checked))
    if not np.allclose(again(restored), out, rtol=1e-5, atol=1e-6):
        _fail(label, "pickling", "a pickled copy gives other outputs", "Pickle all state.")
    passed.append("pickling")
    if estimator_checks:
        passed += _estimator_checks(est, kind, label, expected_failed_checks)
    return passed
