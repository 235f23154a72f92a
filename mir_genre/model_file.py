"""One file per trained model: the fitted pipeline plus a readable description of it.

``python -m mir_genre.train`` writes model files and ``python -m mir_genre.predict``
reads them; both go through `save_model` and `load_model`, so the format is checked in
one place.

File layout
-----------
A model file is three parts, one after the other:

1. the format marker, the line ``mir_genre model`` (`FORMAT_MARKER`);
2. one line of JSON, the header: ``format_version`` (an integer, `FORMAT_VERSION`), then
   everything known about the model (spec, parameters, classes, library versions,
   dataset, protocol and scores, clip length and sampling rate, creation time);
3. the fitted scikit-learn pipeline, written by `joblib.dump`.

The marker and the header are read and checked before anything is unpickled, so a file
that is not a model, or a model written in a format this version does not know, is
refused with a clear message instead of failing somewhere inside pickle.  `read_info`
reads only the header (fast, and it unpickles nothing).

Loading unpickles the pipeline, which can run arbitrary code: only load model files
from sources you trust.

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
(1, 'svm', ['jazz', 'rock'])
"""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from ._common import atomic_write, plain
from .exceptions import DataError, DataNotFoundError
from .provenance import library_versions  # re-exported: model headers record them

__all__ = [
    "FORMAT_MARKER",
    "FORMAT_VERSION",
    "SUPPORTED_FORMAT_VERSIONS",
    "ModelFile",
    "ModelFileError",
    "library_versions",
    "load_model",
    "read_info",
    "save_model",
]

#: First line of every model file.
FORMAT_MARKER = "mir_genre model"

#: The format version `save_model` writes.
FORMAT_VERSION = 1

#: The format versions `load_model` reads.
SUPPORTED_FORMAT_VERSIONS = (1,)

_MARKER_LINE = (FORMAT_MARKER + "\n").encode("ascii")
_MAX_HEADER_BYTES = 16 * 1024 * 1024
_TRAIN_HINT = "python -m mir_genre.train --pipeline SPEC [dataset options] -o MODEL"


class ModelFileError(DataError):
    """A file is not a mir_genre model, is damaged, or uses an unknown format version."""


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


def save_model(path, pipeline, **info):
    """Write a fitted pipeline and its description to one model file.

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
        and ``versions`` (`library_versions`) are added unless given.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    import joblib

    path = Path(path)
    header = {
        "format": FORMAT_MARKER,
        "format_version": FORMAT_VERSION,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    header.update(plain(info))
    header["format_version"] = FORMAT_VERSION
    header.setdefault("versions", library_versions())
    line = json.dumps(header, ensure_ascii=True, allow_nan=False, separators=(",", ":"))

    def write(f):
        f.write(_MARKER_LINE)
        f.write(line.encode("ascii") + b"\n")
        joblib.dump(pipeline, f)

    atomic_write(path, write)
    return path


def _read_header(f, path):
    """Read and check the marker and the header line; return the header dict."""
    marker = f.readline(len(_MARKER_LINE))
    if marker != _MARKER_LINE:
        raise ModelFileError(
            f"'{path}' is not a mir_genre model file: it does not start with the format "
            f"marker {FORMAT_MARKER!r}. Give a file written by `{_TRAIN_HINT}`; a pipeline "
            "saved with joblib.dump or pickle directly cannot be used."
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
    if type(version) is not int or version not in SUPPORTED_FORMAT_VERSIONS:
        from . import __version__

        written_by = header.get("versions", {}).get("mir_genre", "an unknown version")
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
            f"{written_by}); mir_genre {__version__} reads format_version {supported}. "
            f"To use it, {fix}."
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
    """Read a model file's header only (nothing is unpickled).

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
        If it is not a model file, is damaged, or has an unsupported format version.
    """
    path, f = _open(path)
    with f:
        return _read_header(f, path)


def load_model(path):
    """Load a model file written by `save_model`.

    Loading unpickles the pipeline, which can run arbitrary code: only load model
    files you trust.

    Parameters
    ----------
    path : str or os.PathLike
        The model file.

    Returns
    -------
    ModelFile

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    ModelFileError
        If it is not a model file, is damaged, has an unsupported format version
        (the message names the version found, the versions supported and the fix), or
        its pipeline needs a package this environment lacks.
    """
    import joblib

    path, f = _open(path)
    with f:
        header = _read_header(f, path)
        try:
            pipeline = joblib.load(f)
        except ModuleNotFoundError as exc:
            hint = ""
            if exc.name and exc.name.split(".")[0] in ("keras", "jax", "torch", "tensorflow"):
                hint = " Deep models need Keras: pip install 'mir_genre[keras]'."
            elif exc.name and exc.name.split(".")[0] == "xgboost":
                hint = " pip install 'mir_genre[xgboost]'."
            raise ModelFileError(
                f"Model file '{path}' needs the package {exc.name!r}, which is not "
                f"installed.{hint}"
            ) from exc
        except Exception as exc:  # unpickling raises many types for a damaged payload
            trained, here = header.get("versions", {}), library_versions()
            raise ModelFileError(
                f"Model file '{path}' could not be loaded ({type(exc).__name__}: {exc}). It "
                f"was written with mir_genre {trained.get('mir_genre', '?')} and "
                f"scikit-learn {trained.get('scikit-learn', '?')}; this is mir_genre "
                f"{here['mir_genre']} with scikit-learn {here['scikit-learn']}. Retrain it "
                f"with `{_TRAIN_HINT}`, or copy the file again if it is damaged."
            ) from exc
    if not hasattr(pipeline, "steps") or not hasattr(pipeline, "predict_proba"):
        raise ModelFileError(
            f"Model file '{path}' holds a {type(pipeline).__name__}, not a pipeline with "
            f"predict_proba. Retrain it with `{_TRAIN_HINT}`."
        )
    return ModelFile(path, header["format_version"], pipeline, header)
