"""Format_version 1 model files: a pickle, read only when the caller allows it.

Unpickling runs whatever code the file holds, so `mir_genre.model_file.load_model`
reads these files only with ``allow_pickle=True`` (``predict --unsafe-pickle``).  While
it does, a deep model's whole ``.keras`` archive (its layers and weights, as those files
stored the network) is loaded too; at any other time it is refused.
"""

import contextlib
import contextvars
import os
import tempfile

from ..exceptions import ParameterError

__all__ = ["ALLOW_KERAS_ARCHIVES", "load_keras_archive", "load_pickle"]

#: True while `load_pickle` runs: only then does `load_keras_archive` load an archive.
ALLOW_KERAS_ARCHIVES = contextvars.ContextVar("allow_keras_archives", default=False)


@contextlib.contextmanager
def _allowing_archives():
    token = ALLOW_KERAS_ARCHIVES.set(True)
    try:
        yield
    finally:
        ALLOW_KERAS_ARCHIVES.reset(token)


def load_pickle(f):
    """Unpickle the rest of ``f`` with joblib (RUNS ANY CODE THE FILE HOLDS).

    Parameters
    ----------
    f : binary file
        Positioned after the header.

    Returns
    -------
    object
    """
    import joblib

    with _allowing_archives():
        return joblib.load(f)


def load_keras_archive(owner, data):
    """Load a network saved whole as a ``.keras`` archive (format_version 1 files only).

    Parameters
    ----------
    owner : str
        The estimator's class name, for the message.
    data : bytes
        The archive.

    Returns
    -------
    keras.Model

    Raises
    ------
    ParameterError
        Outside `load_pickle`: an archive names the layers to build, and model files of
        the current format hold weight arrays only.
    """
    if not ALLOW_KERAS_ARCHIVES.get():
        raise ParameterError(
            f"The saved state of {owner} holds a whole Keras archive, which names the "
            "layers to build; mir_genre reads one only from a format_version 1 model file "
            "loaded with allow_pickle=True. Retrain the model."
        )
    from ..classifiers.keras.backend import configure_backend

    configure_backend()
    import keras

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        with open(path, "wb") as out:
            out.write(data)
        return keras.saving.load_model(path, safe_mode=True)
