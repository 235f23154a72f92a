"""One file per trained model: a model card plus the fitted pipeline, loaded without code.

``python -m mir_genre.train`` writes model files and ``python -m mir_genre.predict``
reads them; both go through `save_model` and `load_model`, so the format is checked in
one place.

File layout (format_version 2)
------------------------------
1. the format marker, the line ``mir_genre model`` (`FORMAT_MARKER`);
2. one line of JSON, the header or model card: ``format_version`` (`FORMAT_VERSION`),
   then everything known about the model (spec, parameters, classes, library versions,
   dataset, protocol and scores, clip length and sampling rate, creation time) and
   ``payload``, what follows it;
3. the fitted scikit-learn pipeline in skops format (`skops.io`): a zip of a JSON tree
   of plain values and the names of the types to build, and NumPy arrays (``.npy``,
   read without pickle).  A deep model's network is its weight arrays, rebuilt by the
   model's own code; an XGBoost booster is XGBoost's own model bytes.

Why skops: it is scikit-learn's answer to "a pickle runs code", it stores any fitted
scikit-learn estimator (SVMs, forests, neighbour trees, pipelines, unions) without a
converter per class, and it lists the types a file would build before building any of
them, so a file is refused by name, not after the fact.

Trust
-----
`load_model` builds only trusted types (`mir_genre.model_file.trust`): skops's own list
(Python, NumPy, SciPy, scikit-learn), mir_genre's types, the types of registered
plugins and a few scikit-learn and XGBoost internals.  Any other type is refused with
its name and the fix (``trusted=[...]``, ``predict --trust``), never loaded silently.
`read_info` reads the header only and builds nothing.

Format_version 1 files hold a pickle, which runs code from the file when loaded; they
are refused unless ``allow_pickle=True`` (``predict --unsafe-pickle``).

Examples
--------
>>> import os, tempfile
>>> import numpy as np
>>> import mir_genre
>>> from sklearn.pipeline import Pipeline
>>> X = np.random.default_rng(0).normal(size=(8, 3))
>>> y = ["rock", "jazz"] * 4
>>> pipe = Pipeline([("svm", mir_genre.get_classifier("svm"))]).fit(X, y)
>>> path = os.path.join(tempfile.mkdtemp(), "toy.model")
>>> _ = save_model(path, pipe, spec="svm", classes=["jazz", "rock"])
>>> model = load_model(path)
>>> model.format_version, model.info["spec"], model.classes
(2, 'svm', ['jazz', 'rock'])
>>> bool((model.pipeline.predict(X) == pipe.predict(X)).all())
True
"""

import datetime
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .._common import atomic_write, plain
from ..exceptions import DataError, DataNotFoundError, MirGenreWarning
from ..provenance import library_versions  # re-exported: model headers record them
from .trust import EXTRA_TRUSTED_TYPES, check_trusted_names, is_trusted, trusted_packages

__all__ = [
    "EXTRA_TRUSTED_TYPES",
    "FORMAT_MARKER",
    "FORMAT_VERSION",
    "PICKLE_FORMAT_VERSIONS",
    "SUPPORTED_FORMAT_VERSIONS",
    "ModelFile",
    "ModelFileError",
    "UntrustedTypesError",
    "UntrustedTypesWarning",
    "library_versions",
    "load_model",
    "read_info",
    "save_model",
    "trusted_packages",
]

#: First line of every model file.
FORMAT_MARKER = "mir_genre model"

#: The format version `save_model` writes.
FORMAT_VERSION = 2

#: The format versions `load_model` reads without running code from the file.
SUPPORTED_FORMAT_VERSIONS = (2,)

#: Older format versions holding a pickle: read only with ``allow_pickle=True``.
PICKLE_FORMAT_VERSIONS = (1,)

#: What follows the header in a format_version 2 file.
PAYLOAD_FORMAT = "skops"

_MARKER_LINE = (FORMAT_MARKER + "\n").encode("ascii")
_MAX_HEADER_BYTES = 16 * 1024 * 1024
_TRAIN_HINT = "python -m mir_genre.train --pipeline SPEC [dataset options] -o MODEL"


class ModelFileError(DataError):
    """A file is not a mir_genre model, is damaged, or cannot be loaded safely."""


class UntrustedTypesError(ModelFileError):
    """A model file would build types that are not trusted.

    Attributes
    ----------
    types : list of str
        The untrusted type names.
    """

    def __init__(self, message, types):
        super().__init__(message)
        self.types = list(types)


class UntrustedTypesWarning(MirGenreWarning):
    """A saved model holds types outside the default trust list (loading needs trust)."""


@dataclass
class ModelFile:
    """A loaded model file.

    Attributes
    ----------
    path : pathlib.Path
        Where it was read from.
    format_version : int
        The file's format version.
    pipeline : sklearn.pipeline.Pipeline
        The fitted pipeline.
    info : dict
        The header: spec, parameters, classes, versions, dataset, protocol and scores,
        clip length, sampling rate, creation time (see `mir_genre.train`).
    """

    path: Path
    format_version: int
    pipeline: object
    info: dict = field(default_factory=dict)

    @property
    def classes(self):
        """Genres the model predicts, in the column order of ``predict_proba``."""
        return [str(c) for c in self.pipeline.classes_]

    @property
    def extractor(self):
        """The feature extractor (the pipeline's first step), or None for features in."""
        if len(self.pipeline.steps) < 2:
            return None
        return self.pipeline.steps[0][1]

    @property
    def classifier(self):
        """The fitted classifier (the pipeline's last step)."""
        return self.pipeline.steps[-1][1]


def _untrusted(payload, trusted=()):
    """Return the type names in a skops payload that are not trusted (builds nothing)."""
    from skops.io import get_untrusted_types

    return [t for t in get_untrusted_types(data=payload) if not is_trusted(t, trusted)]


def save_model(path, pipeline, **info):
    """Write a fitted pipeline and its model card to one model file.

    The file is written next to its destination and renamed into place, so an
    interrupted save never leaves a half-written model behind.

    Parameters
    ----------
    path : str or os.PathLike
        Destination (parent folders are created).
    pipeline : sklearn.pipeline.Pipeline
        The fitted pipeline.
    **info
        Description of the model (spec, classes, dataset, scores...).  Values are
        stored as JSON: numpy numbers become Python numbers, NaN becomes null and
        other objects their ``repr``.  ``format_version``, ``created`` (UTC, ISO 8601)
        and ``versions`` (`library_versions`) are added unless given; ``payload``
        (format, skops version, the types that loading needs trusted beyond the
        defaults) is always set.

    Returns
    -------
    pathlib.Path
        The file written.

    Warns
    -----
    UntrustedTypesWarning
        When the pipeline holds types outside the default trust list: the file is
        written, and loading it needs ``trusted=`` (``predict --trust``) naming them.
    """
    import skops
    import skops.io

    path = Path(path)
    payload = skops.io.dumps(pipeline)
    needs_trust = _untrusted(payload)
    header = {
        "format": FORMAT_MARKER,
        "format_version": FORMAT_VERSION,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    header.update(plain(info))
    header["format_version"] = FORMAT_VERSION
    header.setdefault("versions", library_versions())
    header["payload"] = {
        "format": PAYLOAD_FORMAT,
        "skops": skops.__version__,
        "needs_trust": needs_trust,
    }
    line = json.dumps(header, ensure_ascii=True, allow_nan=False, separators=(",", ":"))

    def write(f):
        f.write(_MARKER_LINE)
        f.write(line.encode("ascii") + b"\n")
        f.write(payload)

    atomic_write(path, write)
    if needs_trust:
        warnings.warn(
            f"Model file '{path}' holds types outside mir_genre's default trust list: "
            f"{', '.join(needs_trust)}. Loading it needs them trusted explicitly: "
            f"python -m mir_genre.predict '{path}' --trust {','.join(needs_trust)} ... "
            "(or load_model(path, trusted=[...])).",
            UntrustedTypesWarning,
            stacklevel=2,
        )
    return path


def _read_header(f, path, *, versions):
    """Read and check the marker and the header line; return the header dict."""
    marker = f.readline(len(_MARKER_LINE))
    if marker != _MARKER_LINE:
        raise ModelFileError(
            f"'{path}' is not a mir_genre model file: it does not start with the format "
            f"marker {FORMAT_MARKER!r}. Give a file written by `{_TRAIN_HINT}`; a pipeline "
            "saved with joblib.dump, pickle or skops directly cannot be used."
        )
    raw = f.readline(_MAX_HEADER_BYTES)
    try:
        header = json.loads(raw.decode("utf-8"))
        if not isinstance(header, dict):
            raise ValueError("the header is not a JSON object")
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(
            f"Model file '{path}' is damaged: its header cannot be read ({exc}). "
            f"Copy it again or retrain it with `{_TRAIN_HINT}`."
        ) from None
    version = header.get("format_version")
    if type(version) is not int or version not in versions:
        from .. import __version__

        written = header.get("versions")
        written_by = written.get("mir_genre") if isinstance(written, dict) else None
        supported = ", ".join(map(str, SUPPORTED_FORMAT_VERSIONS))
        newer = isinstance(version, int) and version > max(SUPPORTED_FORMAT_VERSIONS)
        fix = (
            "upgrade mir_genre (pip install -U mir_genre) to read it, or retrain the model "
            f"with this version: `{_TRAIN_HINT}`"
            if newer
            else f"retrain the model with this version: `{_TRAIN_HINT}`"
        )
        raise ModelFileError(
            f"Model file '{path}' has format_version {version!r} (written by mir_genre "
            f"{written_by or 'an unknown version'}); mir_genre {__version__} reads "
            f"format_version {supported}. To use it, {fix}."
        )
    return header


def _open(path):
    path = Path(path)
    if not path.exists():
        raise DataNotFoundError(
            f"Model file not found: '{path}'. Check the path, or train a model with "
            f"`{_TRAIN_HINT}`."
        )
    if path.is_dir():
        raise ModelFileError(f"Expected a model file but '{path}' is a folder.")
    return path, open(path, "rb")


def read_info(path):
    """Read a model file's header, the model card, only (nothing is deserialised).

    Format_version 1 headers are read too (they are JSON); their pipeline is not.

    Parameters
    ----------
    path : str or os.PathLike
        The model file.

    Returns
    -------
    dict
        The header (see `save_model`).

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    ModelFileError
        If it is not a model file, is damaged, or has an unknown format version.
    """
    path, f = _open(path)
    with f:
        return _read_header(f, path, versions=SUPPORTED_FORMAT_VERSIONS + PICKLE_FORMAT_VERSIONS)


def _refuse_pickle(path, header):
    written = header.get("versions")
    by = written.get("mir_genre") if isinstance(written, dict) else None
    return ModelFileError(
        f"Model file '{path}' has format_version {header['format_version']} (written by "
        f"mir_genre {by or 'an unknown version'}): its pipeline is a pickle, and loading "
        "a pickle runs whatever code the file holds, so mir_genre refuses it. Retrain the "
        f"model with this version (`{_TRAIN_HINT}`) to get a file that runs no code. Only "
        "for a file from a source you trust: `python -m mir_genre.predict MODEL "
        "--unsafe-pickle ...` or load_model(path, allow_pickle=True) unpickles it, RUNNING "
        "ANY CODE IT HOLDS; save_model(new_path, model.pipeline, **model.info) then "
        "writes it in the current format."
    )


def _load_skops(payload, path, header, trusted):
    import skops.io

    try:
        types = skops.io.get_untrusted_types(data=payload)  # reads names, builds nothing
    except Exception as exc:  # a damaged zip or schema raises many types
        raise _damaged(path, header, exc) from exc
    untrusted = [t for t in types if not is_trusted(t, trusted)]
    if untrusted:
        names = ", ".join(untrusted)
        raise UntrustedTypesError(
            f"Model file '{path}' would build types that are not trusted: {names}. "
            "Nothing was loaded. mir_genre trusts by default its own types, those of "
            "registered plugins (packages "
            f"{', '.join(sorted(trusted_packages()))}), scikit-learn's, NumPy's, SciPy's "
            "and a few scikit-learn and XGBoost internals. If you trust the file's source "
            f"and these types, load it with `python -m mir_genre.predict MODEL --trust "
            f"{','.join(untrusted)} ...` or load_model(path, trusted=[...]); if a plugin "
            "provides them, install it (and unset MIR_GENRE_DISABLE_PLUGIN_AUTOLOAD).",
            untrusted,
        )
    try:
        return skops.io.loads(payload, trusted=types)
    except ModuleNotFoundError as exc:
        raise _missing(path, exc) from exc
    except Exception as exc:
        raise _damaged(path, header, exc) from exc


def _missing(path, exc):
    hint, top = "", (exc.name or "").split(".")[0]
    if top in ("keras", "jax", "torch", "tensorflow"):
        hint = " Deep models need Keras: pip install 'mir_genre[keras]'."
    elif top == "xgboost":
        hint = " pip install 'mir_genre[xgboost]'."
    return ModelFileError(
        f"Model file '{path}' needs the package {exc.name!r}, which is not installed.{hint}"
    )


def _damaged(path, header, exc):
    trained = header.get("versions") if isinstance(header.get("versions"), dict) else {}
    here = library_versions()
    return ModelFileError(
        f"Model file '{path}' could not be loaded ({type(exc).__name__}: {exc}). It was "
        f"written with mir_genre {trained.get('mir_genre', '?')} and scikit-learn "
        f"{trained.get('scikit-learn', '?')}; this is mir_genre {here['mir_genre']} with "
        f"scikit-learn {here['scikit-learn']}. Retrain it with `{_TRAIN_HINT}`, or copy "
        "the file again if it is damaged."
    )


def load_model(path, *, trusted=None, allow_pickle=False):
    """Load a model file written by `save_model`, building only trusted types.

    Parameters
    ----------
    path : str or os.PathLike
        The model file.
    trusted : list of str or None, default=None
        Type names (``module.Class``) to trust besides the defaults
        (`mir_genre.model_file.trust`), for this load; the refusal message lists them.
    allow_pickle : bool, default=False
        Also read format_version 1 files, whose pipeline is a pickle: unpickling RUNS
        ANY CODE THE FILE HOLDS.  Only for files from a source you trust.

    Returns
    -------
    ModelFile

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    UntrustedTypesError
        If the file would build a type that is not trusted (nothing is built).
    ModelFileError
        If it is not a model file, is damaged, has an unsupported format version (the
        message names the version found, the versions supported and the fix), is a
        format_version 1 pickle and ``allow_pickle`` is False, or its pipeline needs a
        package this environment lacks.
    """
    from . import legacy

    trusted = check_trusted_names(trusted)
    path, f = _open(path)
    with f:
        versions = SUPPORTED_FORMAT_VERSIONS + PICKLE_FORMAT_VERSIONS
        header = _read_header(f, path, versions=versions)
        if header["format_version"] in PICKLE_FORMAT_VERSIONS:
            if allow_pickle is not True:
                raise _refuse_pickle(path, header)
            try:
                pipeline = legacy.load_pickle(f)
            except ModuleNotFoundError as exc:
                raise _missing(path, exc) from exc
            except Exception as exc:  # unpickling raises many types for a damaged payload
                raise _damaged(path, header, exc) from exc
        else:
            payload = header.get("payload")
            kind = payload.get("format") if isinstance(payload, dict) else None
            if kind != PAYLOAD_FORMAT:
                raise ModelFileError(
                    f"Model file '{path}' is damaged: its header gives the payload format "
                    f"{kind!r}, not {PAYLOAD_FORMAT!r}. Copy it again or retrain it with "
                    f"`{_TRAIN_HINT}`."
                )
            pipeline = _load_skops(f.read(), path, header, trusted)
    from sklearn.pipeline import Pipeline

    if not isinstance(pipeline, Pipeline) or not hasattr(pipeline, "predict_proba"):
        raise ModelFileError(
            f"Model file '{path}' holds a {type(pipeline).__name__}, not a pipeline with "
            f"predict_proba. Retrain it with `{_TRAIN_HINT}`."
        )
    return ModelFile(path, header["format_version"], pipeline, header)
