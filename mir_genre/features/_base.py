"""The transformer layer every extractor shares: inputs, caching, parallelism, names.

A concrete extractor subclasses :class:`BaseExtractor`, lists its parameters in
``__init__`` (sklearn style: assignments only) and implements two methods:

``_extract(y)``
    features of one mono clip ``y`` (float array at ``self.sr``) as a 1-D array;
``_feature_names()``
    the names of those features, in order.

Everything else (paths or 2-D arrays as input, decoding, the per-track cache,
``n_jobs``, the progress bar, ``get_feature_names_out``, ``set_output``) lives here.
"""

import functools
import hashlib
import importlib.metadata
import inspect
import os
import re
import sys
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_memory, validate_data

from ..audio import as_audio_batch, fix_duration, is_path_sequence, load, valid_audio
from ..exceptions import MirGenreError, ParameterError, PluginError
from ._allocator import in_worker_process, keep_freed_memory

__all__ = [
    "BaseExtractor",
    "ExtractionFailure",
    "RUNTIME_PARAMS",
    "WorkerCrashError",
    "check_audio_batch",
]

#: Parameters that change how extraction runs, never what it computes; left out of cache keys.
RUNTIME_PARAMS = frozenset({"n_jobs", "memory", "verbose"})


@dataclass(frozen=True)
class ExtractionFailure:
    """One track that could not be processed.

    Attributes
    ----------
    index : int
        Position of the track in the input.
    source : str
        The file path, or ``"X[i]"`` for a row of an audio array.
    error : Exception
        What went wrong.
    """

    index: int
    source: str
    error: BaseException


class WorkerCrashError(MirGenreError, RuntimeError):
    """A worker process died (a signal, not a Python error) while extracting tracks."""


def _crash_error(exc, extractor, names):
    """Build the error for a dead worker: the tracks it may have been on, the signal, the fix."""
    codes = re.search(r"exit codes of the workers are \{(.*?)\}", str(exc))
    how = f"with exit code {codes.group(1)}" if codes else "without a Python error"
    shown = ", ".join(repr(n) for n in names[:5]) + (", ..." if len(names) > 5 else "")
    which = (
        f"while extracting {shown}"
        if len(names) == 1
        else f"while extracting one of the {len(names)} tracks then in progress: {shown}"
    )
    retry = names[0] if len(names) == 1 else "these tracks"
    return WorkerCrashError(
        f"A {type(extractor).__name__} worker process crashed {how} {which}. The "
        "process was killed in native code (a segmentation fault, or the system ending "
        "it for using too much memory), so it left no Python error. To see where it "
        f"fails, extract {retry} with n_jobs=1. If every track crashes inside librosa, "
        "numba's on-disk cache is likely inconsistent (left by an interrupted or "
        "parallel first run): set the environment variable NUMBA_CACHE_DIR to a new "
        "empty folder (or delete the __pycache__ folders of librosa's installation) "
        "and run again."
    )


#: Extractors (class and parameters) already run once in this process by `_warm_up`.
_WARMED_UP = set()


#: Seconds of a stream `BaseExtractor._centred_blocks` keeps from its pass for the mean
#: (about 10 MiB at 22050 Hz), so a clip up to this long is decoded once, not twice.
_KEPT_SECONDS = 120.0

#: Bytes read from each end of a file for its cache identity.
_IDENTITY_BLOCK = 1 << 16


def _file_key(path):
    """Identity of a file for the cache: resolved path, size, mtime and its end blocks.

    The first and last 64 KiB are hashed too, so a file rewritten with the same size
    and modification time (a copy tool that keeps mtimes, a coarse file system clock)
    still gets fresh features; reading them costs far less than decoding the file.
    """
    path = Path(path)
    try:
        stat = path.stat()
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            digest.update(f.read(_IDENTITY_BLOCK))
            if stat.st_size > _IDENTITY_BLOCK:
                f.seek(max(_IDENTITY_BLOCK, stat.st_size - _IDENTITY_BLOCK))
                digest.update(f.read(_IDENTITY_BLOCK))
    except OSError:
        return (str(path.resolve()), None, None, None)
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns, digest.hexdigest())


@functools.cache
def _distributions():
    return importlib.metadata.packages_distributions()


def _distribution(module_name):
    """``(name, version)`` of the installed distribution holding a module, or None."""
    names = _distributions().get(module_name.partition(".")[0], [])
    for name in names:
        try:
            return name, importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - broken install
            continue
    return None


@functools.cache
def code_identity(cls):
    """Return what, besides its parameters, decides an extractor's output.

    The cache key of every track includes it, so an upgrade, or an edit of the
    extractor's code in place (same class name, same parameters), gives fresh features
    in the next process instead of silently reusing old ones.

    Parameters
    ----------
    cls : type
        A `BaseExtractor` subclass.

    Returns
    -------
    tuple
        mir_genre's version, the ``(name, version)`` of the distribution that ships
        ``cls`` (None for a class outside any installed distribution), and a SHA-256 of
        the source files of the modules defining ``cls`` and each base class up to
        `BaseExtractor` (so helpers in those modules count too).

    Examples
    --------
    >>> from mir_genre.features.chroma import ChromaStats
    >>> version, (dist, _), source_hash = code_identity(ChromaStats)
    >>> dist, len(source_hash)
    ('mir_genre', 64)
    """
    from .. import __version__

    digest = hashlib.sha256()
    for klass in cls.__mro__:
        if not (isinstance(klass, type) and issubclass(klass, BaseExtractor)):
            continue
        module = sys.modules.get(klass.__module__)
        try:
            source = inspect.getsource(module) if module else inspect.getsource(klass)
        except (OSError, TypeError):
            # No source on disk (built interactively, frozen): the class itself is all.
            source = repr(sorted(vars(klass)))
        digest.update(f"{klass.__module__}.{klass.__qualname__}\n{source}".encode())
    return __version__, _distribution(cls.__module__), digest.hexdigest()


def _extract_track(cls, params, source, file_key, code_key):
    """Compute the features of one source; this is the function the cache memoises.

    ``file_key`` and ``code_key`` are unused in the body: they are arguments only so
    that the cache key changes when the file changes on disk, or the code or the
    versions that compute the features (see `code_identity`).
    """
    extractor = cls(**params)
    if isinstance(source, np.ndarray):
        return np.asarray(extractor._extract(extractor._centre(source)))
    return np.asarray(extractor._extract_file(source))


def _run_one(func, cls, params, code_key, index, source):
    """Worker: features of one source, or the exception that stopped them."""
    if in_worker_process():
        keep_freed_memory()  # once per process (see _allocator)
    file_key = None if code_key is None or isinstance(source, np.ndarray) else _file_key(source)
    try:
        return index, func(cls, params, source, file_key, code_key), None
    except (MirGenreError, ValueError, OSError, RuntimeError) as exc:
        return index, None, exc


def forget_width(estimator):
    """Drop the input width an earlier fit on arrays recorded (file paths have none).

    Called by ``fit`` on file paths, so that ``transform``/``predict`` on paths after a
    fit on arrays, and a later fit on arrays of another length, are not refused.
    """
    for attr in ("n_features_in_", "feature_names_in_"):
        estimator.__dict__.pop(attr, None)


def check_audio_batch(estimator, X, *, reset):
    """Validate ``X`` as a 2-D float audio batch for ``estimator`` (scikit-learn style).

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator whose ``n_features_in_`` is set (``reset=True``) or checked.
    X : array-like [shape=(n_clips, n_samples)]
        Mono float audio (float16 and object arrays of numbers are converted).
    reset : bool
        True in ``fit``, False in ``transform``/``predict``.

    Returns
    -------
    np.ndarray [shape=(n_clips, n_samples)], float32 or float64

    Raises
    ------
    ParameterError
        With the rule and the fix, for sparse, integer or complex input, 1-D input, 3-D
        input (multi-channel clips), no clips or no samples, clips of different lengths,
        paths mixed with clips, and NaN/inf values (see `mir_genre.audio.as_audio_batch`).
    """
    name = type(estimator).__name__
    if issparse(X):
        raise ParameterError(
            f"{name} expects dense audio; got a sparse matrix or array. "
            "Pass X.toarray(), or file paths."
        )
    as_audio_batch(X, name=name)  # the rules validate_data would break, said for audio
    X_arr = validate_data(
        estimator, X, reset=reset, dtype=(np.float32, np.float64), ensure_min_samples=1
    )
    valid_audio(X_arr, name="X", ndim=2)
    return X_arr


class BaseExtractor(TransformerMixin, BaseEstimator):
    """Base class of the feature extractors (stateless scikit-learn transformers).

    ``X`` is either a 1-D sequence of audio file paths, decoded at ``sr``, or a 2-D float
    array ``(n_clips, n_samples)`` of mono audio already at ``sr``.  Both go through the
    same per-clip code and give a 2-D array ``(n_clips, n_features)``.

    Subclasses must accept the parameters ``sr``, ``n_jobs``, ``memory`` and ``verbose``.
    ``memory`` (a path or a `joblib.Memory`) caches each track's features keyed by the
    file's identity (path, size, modification time, a hash of its first and last
    64 KiB) or the array's content, by every parameter that changes the result, and by
    the versions and source code that compute it (`code_identity`); a run that is
    interrupted resumes without recomputing finished tracks.  ``n_jobs`` spreads tracks
    over `joblib` workers, so ``joblib.parallel_config(backend="dask")`` runs extraction on
    a Dask cluster; a worker that dies (a crash in native code) raises
    `WorkerCrashError`, which names the tracks it may have been on and the fix.
    Subclasses may override ``_extract_file(path)`` to decode a file block by block.
    """

    #: What every extractor validates; subclasses extend it:
    #: ``{**BaseExtractor._parameter_constraints, "n_fft": [...]}``.
    _parameter_constraints: dict = {
        "sr": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "memory": [None, str, os.PathLike, HasMethods(["cache"])],
        "verbose": ["verbose"],
    }

    #: Fixed clip length in seconds (pad/crop) for extractors that need one; None keeps it.
    _fixed_duration_param = None

    #: Seconds of a test tone extracted once in the parent process before worker processes
    #: start (None: no warm-up), see `_warm_up`.
    _warm_up_seconds = None

    #: joblib's ``prefer`` for ``n_jobs``: None runs tracks in worker processes (loky);
    #: "threads" shares one process, for extractors whose work releases the GIL and whose
    #: state (a loaded network) is costly to rebuild in every worker.
    _parallel_prefer = None

    # -- to implement in subclasses ------------------------------------------------
    def _extract(self, y):  # pragma: no cover - abstract
        raise NotImplementedError

    def _feature_names(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _n_features(self):
        """Width of the output; override where building the names is costly."""
        return len(self._feature_names())

    # -- inputs --------------------------------------------------------------------
    def _duration(self):
        if self._fixed_duration_param is None:
            return None
        return getattr(self, self._fixed_duration_param)

    def _load(self, path):
        duration = self._duration()
        y, _ = load(path, sr=self.sr, duration=duration)
        y = self._centre(y)  # before padding: silence stays silent
        return y if duration is None else fix_duration(y, sr=self.sr, duration=duration)

    # -- DC offset -----------------------------------------------------------------
    def _removes_dc(self):
        # Extractors that take ``remove_dc`` (the built-in ones, default True) subtract
        # each clip's mean first; the others see the audio as it is.
        return bool(getattr(self, "remove_dc", False))

    def _centre(self, y):
        """``y`` less its mean (its DC offset) when the extractor removes it."""
        if not self._removes_dc() or y.size == 0:
            return y
        return y - np.asarray(np.mean(y, dtype=np.float64), dtype=y.dtype)

    def _centred_blocks(self, blocks):
        """Wrap ``blocks`` (a callable giving the blocks of a stream) to centre them.

        The mean of the whole stream is read in one more pass first, so the blocks come
        out as `_centre` of the whole signal would, without holding it whole.  A stream
        of at most ``_KEPT_SECONDS`` is kept from that pass, so a clip of a usual length
        is decoded once; a longer one is decoded again, block by block.
        """
        if not self._removes_dc():
            return blocks
        total, n, kept = 0.0, 0, []
        for block in blocks():
            total += float(np.sum(block, dtype=np.float64))
            n += len(block)
            if kept is not None:
                kept.append(block)
                if n > _KEPT_SECONDS * self.sr:
                    kept = None  # too long to keep: memory stays bounded
        mean = np.float32(total / n) if n else np.float32(0.0)
        source = blocks if kept is None else lambda: iter(kept)
        return lambda: (block - mean for block in source())

    def _extract_file(self, path):
        """Features of one file: `_extract` of the decoded file, unless overridden.

        Extractors whose memory must not grow with the length of a song override this
        to decode the file block by block (`mir_genre.streaming.stream_mono`).
        """
        return self._extract(self._load(path))

    def _check_array(self, X, *, reset):
        X_arr = check_audio_batch(self, X, reset=reset)
        duration = self._duration()
        if duration is not None:
            X_arr = fix_duration(X_arr, sr=self.sr, duration=duration)
        return X_arr

    def _sources(self, X, *, reset):
        if is_path_sequence(X):
            if reset:
                forget_width(self)
            return [os.fspath(p) for p in X], True
        X_arr = self._check_array(X, reset=reset)
        return list(X_arr), False

    # -- running -------------------------------------------------------------------
    def _warm_up(self, n_jobs):
        """Compile what the extraction compiles (numba) once here before workers start.

        librosa's numba functions are compiled on first use and written to an on-disk
        cache; worker processes that all compile them at once can leave that cache
        inconsistent, after which every process using it crashes.  Extracting a short
        tone in the parent first writes the cache once; the workers then only read it.
        Once per process and parameter set, for extractors that set
        ``_warm_up_seconds`` and only when tracks go to worker processes.
        """
        from joblib import effective_n_jobs

        if self._warm_up_seconds is None or self._parallel_prefer is not None:
            return
        if n_jobs < 2 or effective_n_jobs(self.n_jobs) < 2:
            return
        key = (type(self), repr(sorted(self._cache_params().items())))
        if key in _WARMED_UP:
            return
        t = np.arange(int(self._warm_up_seconds * self.sr), dtype=np.float32)
        self._extract(0.1 * np.sin(2 * np.pi * 440 * t / self.sr, dtype=np.float32))
        _WARMED_UP.add(key)

    def _cache_params(self):
        return {k: v for k, v in self.get_params(deep=False).items() if k not in RUNTIME_PARAMS}

    def _run(self, X, *, reset=False, errors="raise"):
        """Extract every source; return ``(features, failures)``.

        With ``errors="raise"`` the first failure is raised (it names the file);
        with ``errors="collect"`` failed rows are NaN and listed in ``failures``.
        """
        from joblib import Parallel, delayed

        sources, are_paths = self._sources(X, reset=reset)
        memory = os.fspath(self.memory) if isinstance(self.memory, os.PathLike) else self.memory
        func = check_memory(memory).cache(_extract_track)
        cls, params = type(self), self._cache_params()
        # Keys are only worth computing (the end blocks read, the sources hashed) for a cache.
        code_key = None if memory is None else code_identity(cls)
        self._warm_up(len(sources))
        # Which tracks were handed to workers and which came back: when a worker dies,
        # the ones in between are those it may have been on.
        dispatched, returned = [], set()

        def jobs():
            for i, source in enumerate(sources):
                dispatched.append(i)
                yield delayed(_run_one)(func, cls, params, code_key, i, source)

        results = self._results(
            Parallel(
                n_jobs=self.n_jobs, prefer=self._parallel_prefer, return_as="generator_unordered"
            )(jobs()),
            dispatched,
            returned,
            [sources[i] if are_paths else f"X[{i}]" for i in range(len(sources))],
        )
        if self.verbose:
            from tqdm.auto import tqdm

            results = tqdm(results, total=len(sources), desc=type(self).__name__, unit="track")
        n_features = self._n_features()
        out = np.full((len(sources), n_features), np.nan, dtype=self._output_dtype())
        failures = []
        for index, features, error in results:
            name = sources[index] if are_paths else f"X[{index}]"
            if error is not None:
                failure = ExtractionFailure(index, name, error)
                if errors == "raise":
                    if name not in str(error):
                        error.add_note(f"(while extracting {name})")
                    raise error
                failures.append(failure)
                continue
            if features.shape != (n_features,):
                # A bug in the extractor, not in the audio: never collected as a bad track.
                raise PluginError(
                    f"{cls.__name__}._extract returned an array of shape {features.shape} "
                    f"for {name}, but "
                    f"_feature_names() names {n_features} features. _extract must return "
                    f"one 1-D vector with a value for each name, in the same order."
                )
            out[index] = features
        failures.sort(key=lambda f: f.index)
        return out, failures

    def _results(self, results, dispatched, returned, names):
        """Yield joblib's results; a dead worker becomes a `WorkerCrashError`."""
        from joblib.externals.loky.process_executor import TerminatedWorkerError

        try:
            for result in results:
                returned.add(result[0])
                yield result
        except TerminatedWorkerError as exc:
            in_flight = [names[i] for i in dispatched if i not in returned]
            raise _crash_error(exc, self, in_flight) from exc

    def _output_dtype(self):
        return np.float64

    # -- scikit-learn API ----------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and the input; the extractor itself learns nothing.

        Parameters
        ----------
        X : sequence of str or os.PathLike, or np.ndarray [shape=(n_clips, n_samples)]
            Audio file paths, or equal-length mono float audio at ``sr``.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The extractor.
        """
        self._sources(X, reset=True)
        return self

    def transform(self, X):
        """Extract the features of every clip.

        Parameters
        ----------
        X : sequence of str or os.PathLike, or np.ndarray [shape=(n_clips, n_samples)]
            Audio file paths, or equal-length mono float audio at ``sr``.

        Returns
        -------
        np.ndarray [shape=(n_clips, n_features)]
            One row per clip, columns named by `get_feature_names_out`.

        Raises
        ------
        AudioError
            If a file is missing, empty or cannot be decoded; the message names the file.
        ParameterError
            If ``X`` is neither paths nor a 2-D finite float array.
        WorkerCrashError
            If a worker process dies (``n_jobs``); the message names the tracks then in
            progress and the fix.
        """
        self._validate_params()
        return self._run(X, reset=False)[0]

    def fit_transform(self, X, y=None):
        """Check the input and extract the features of every clip (see `transform`).

        Parameters
        ----------
        X : sequence of str or os.PathLike, or np.ndarray [shape=(n_clips, n_samples)]
            Audio file paths, or equal-length mono float audio at ``sr``.
        y : None
            Ignored.

        Returns
        -------
        np.ndarray [shape=(n_clips, n_features)]
            The features.
        """
        self._validate_params()
        return self._run(X, reset=True)[0]

    def extract(self, X, *, errors="raise"):
        """Extract features and report, rather than raise on, tracks that fail.

        Parameters
        ----------
        X : sequence of str or os.PathLike, or np.ndarray [shape=(n_clips, n_samples)]
            Audio file paths, or equal-length mono float audio at ``sr``.
        errors : {"raise", "collect"}, default="raise"
            ``"collect"`` keeps going past unreadable tracks: their rows are NaN and they
            are listed in the returned failures.

        Returns
        -------
        features : np.ndarray [shape=(n_clips, n_features)]
            The features.
        failures : list of ExtractionFailure
            The tracks that could not be processed, in input order.
        """
        if errors not in ("raise", "collect"):
            raise ParameterError(f"errors must be 'raise' or 'collect'; got {errors!r}.")
        self._validate_params()
        return self._run(X, reset=False, errors=errors)

    def get_feature_names_out(self, input_features=None):
        """Names of the output features.

        Parameters
        ----------
        input_features : None
            Ignored; the names depend only on the extractor's parameters.

        Returns
        -------
        np.ndarray of str [shape=(n_features,)]
            The feature names, in column order.
        """
        return np.asarray(self._feature_names(), dtype=object)

    def __sklearn_is_fitted__(self):
        # Stateless: transform works without fit, like FunctionTransformer.
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.string = True  # accepts file paths
        tags.input_tags.allow_nan = False
        return tags
