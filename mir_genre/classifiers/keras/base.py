"""The base of the Keras deep classifiers: patches in, one prediction per track out.

Input rows are whole-track log-mel spectrograms flattened by
`mir_genre.features.MelPatches` (``n_mels * n_frames`` values).  Training cuts one
random ``patch_seconds`` patch per track per step (new offsets every epoch); prediction
averages the probabilities of non-overlapping patches covering each track.  The
validation part used for early stopping is split by track, and by artist when
``groups`` reach `fit`, so patches of one track never serve both purposes.
"""

import os
import tempfile
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ...exceptions import ParameterError
from ..sklearn_models import ProbabilisticPredictMixin
from .backend import configure_backend

__all__ = ["DeepGenreClassifier"]


def _patch_starts(n_frames, size):
    """Offsets of non-overlapping patches covering a spectrogram (the last one flush right)."""
    if n_frames <= size:
        return np.array([0])
    starts = np.arange(0, n_frames - size + 1, size)
    if starts[-1] != n_frames - size:
        starts = np.append(starts, n_frames - size)
    return starts


def _patch_dataset(keras):
    """Return a keras PyDataset class: one random patch per track, new offsets each epoch."""

    class RandomPatches(keras.utils.PyDataset):
        def __init__(self, S, y, size, batch_size, seed):
            super().__init__()
            self.S, self.y, self.size, self.batch_size = S, y, size, batch_size
            self.rng = np.random.RandomState(seed)
            self.on_epoch_end()

        def __len__(self):
            return -(-len(self.S) // self.batch_size)

        def __getitem__(self, index):
            idx = self.order[index * self.batch_size : (index + 1) * self.batch_size]
            x = np.stack(
                [
                    self.S[i, :, a : a + self.size]
                    for i, a in zip(idx, self.starts[idx], strict=True)
                ]
            )
            return x[..., None], self.y[idx]

        def on_epoch_end(self):
            # Patches are sliced from the in-memory spectrograms: no recomputation.
            self.order = self.rng.permutation(len(self.S))
            self.starts = self.rng.randint(0, self.S.shape[2] - self.size + 1, size=len(self.S))

    return RandomPatches


class DeepGenreClassifier(ProbabilisticPredictMixin, ClassifierMixin, BaseEstimator):
    """Base class: subclasses implement ``_build(input_shape, n_classes) -> keras.Model``.

    Parameters
    ----------
    n_mels : int > 0, default=128
        Mel bands of the input rows (they are reshaped to ``(n_mels, -1)``).
    patch_seconds : float > 0, default=3.0
        Length of the training and prediction patches.
    sr : int > 0, default=22050
        Sampling rate the spectrograms were computed at.
    hop_length : int > 0, default=512
        Their hop, to convert seconds into frames.
    epochs : int > 0, default=30
        Most epochs.
    batch_size : int > 0, default=32
        Patches per step.
    learning_rate : float > 0, default=1e-3
        Adam's initial step size (reduced on plateaus).
    validation_fraction : float in [0, 0.5], default=0.15
        Tracks (or artists) held out for early stopping; 0 trains on everything for
        ``epochs`` epochs.
    patience : int > 0, default=5
        Epochs without validation improvement before stopping (the best weights are
        restored).
    random_state : int or None, default=None
        Seed of initialisation, patches and the hold-out (CPU runs repeat exactly).
    verbose : int, default=0
        Keras progress output.
    jit_compile : bool or "auto", default="auto"
        XLA compilation of the training step (keras's ``compile(jit_compile=...)``);
        False skips the compile time, which dominates very small fits.

    Attributes
    ----------
    classes_ : np.ndarray
        Genres seen in `fit`.
    model_ : keras.Model
        The trained network.
    history_ : dict
        Per-epoch losses and accuracies (``loss``, ``accuracy``, ``val_loss`` ...).
    """

    _parameter_constraints = {
        "n_mels": [Interval(Integral, 1, None, closed="left")],
        "patch_seconds": [Interval(Real, 0, None, closed="neither")],
        "sr": [Interval(Integral, 1, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "validation_fraction": [Interval(Real, 0, 0.5, closed="both")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "random_state": [Integral, None],
        "verbose": [Integral],
        "jit_compile": ["boolean", StrOptions({"auto"})],
    }

    def _build(self, input_shape, n_classes):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- data ----------------------------------------------------------------------
    def _patch_frames(self):
        return max(1, int(round(self.patch_seconds * self.sr / self.hop_length)))

    def _spectrograms(self, X, *, reset):
        X = validate_data(self, X, reset=reset, dtype=np.float32)
        if X.shape[1] % self.n_mels:
            raise ParameterError(
                f"{type(self).__name__}(n_mels={self.n_mels}) got rows of {X.shape[1]} values, "
                f"not a multiple of n_mels; pass MelPatches output with the same n_mels."
            )
        S = X.reshape(len(X), self.n_mels, -1)
        size = self._patch_frames()
        if S.shape[2] < size:  # shorter than one patch: pad with the quietest value
            S = np.pad(S, ((0, 0), (0, 0), (0, size - S.shape[2])), constant_values=S.min())
        return S

    def _holdout(self, y_enc, groups, rng):
        from sklearn.model_selection import GroupShuffleSplit

        n = len(y_enc)
        if self.validation_fraction == 0 or n < 4:
            return np.arange(n), np.array([], dtype=int)
        groups = np.arange(n) if groups is None else np.asarray(groups)
        split = GroupShuffleSplit(1, test_size=self.validation_fraction, random_state=rng)
        return next(split.split(y_enc, y_enc, groups))

    # -- scikit-learn API ----------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, groups=None):
        """Train on random patches of the training tracks, early-stopping on held-out tracks.

        Parameters
        ----------
        X : array-like of shape (n_tracks, n_mels * n_frames)
            Flattened log-mel spectrograms (`mir_genre.features.MelPatches`).
        y : array-like of shape (n_tracks,)
            Genre per track.
        groups : array-like of shape (n_tracks,) or None, default=None
            Artist per track: the early-stopping hold-out then holds out whole artists.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        configure_backend()
        import keras

        S = self._spectrograms(X, reset=True)
        y = np.asarray(y)
        check_classification_targets(y)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        rng = np.random.RandomState(self.random_state)
        if self.random_state is not None:
            keras.utils.set_random_seed(int(self.random_state))
        train, valid = self._holdout(y_enc, groups, rng)
        size = self._patch_frames()
        model = self._build((self.n_mels, size, 1), len(self.classes_))
        model.compile(
            optimizer=keras.optimizers.Adam(self.learning_rate),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
            jit_compile=self.jit_compile,
        )
        patches = _patch_dataset(keras)(
            S[train], y_enc[train], size, self.batch_size, rng.randint(2**31 - 1)
        )
        fit_kwargs, callbacks = {}, []
        if len(valid):
            x_val, owner = self._covering_patches(S[valid], size)
            fit_kwargs["validation_data"] = (x_val, y_enc[valid][owner])
            callbacks = [
                keras.callbacks.EarlyStopping(
                    patience=self.patience, restore_best_weights=True, monitor="val_loss"
                ),
                keras.callbacks.ReduceLROnPlateau(
                    factor=0.5, patience=max(1, self.patience // 2), monitor="val_loss"
                ),
            ]
        history = model.fit(
            patches, epochs=self.epochs, callbacks=callbacks, verbose=self.verbose, **fit_kwargs
        )
        self.model_ = model
        self.history_ = {key: list(map(float, v)) for key, v in history.history.items()}
        return self

    def _covering_patches(self, S, size):
        starts = _patch_starts(S.shape[2], size)
        x = np.stack([s[:, a : a + size] for s in S for a in starts])[..., None]
        owner = np.repeat(np.arange(len(S)), len(starts))
        return x, owner

    def predict_proba(self, X):
        """Mean probability over the non-overlapping patches covering each track.

        Parameters
        ----------
        X : array-like of shape (n_tracks, n_mels * n_frames)
            Flattened log-mel spectrograms.

        Returns
        -------
        np.ndarray of shape (n_tracks, n_classes)
        """
        check_is_fitted(self)
        S = self._spectrograms(X, reset=False)
        x, owner = self._covering_patches(S, self._patch_frames())
        proba = np.asarray(self.model_.predict(x, batch_size=self.batch_size, verbose=0))
        sums = np.zeros((len(S), proba.shape[1]))
        np.add.at(sums, owner, proba)
        return sums / np.bincount(owner, minlength=len(S))[:, None]

    # -- pickling: the weights travel inside the pickle --------------------------------
    def __getstate__(self):
        state = self.__dict__.copy()
        if "model_" in state:
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "model.keras")
                state["model_"].save(path)
                with open(path, "rb") as f:
                    state["model_"] = f.read()
        return state

    def __setstate__(self, state):
        if isinstance(state.get("model_"), bytes):
            configure_backend()
            import keras

            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "model.keras")
                with open(path, "wb") as f:
                    f.write(state["model_"])
                state["model_"] = keras.saving.load_model(path)
        self.__dict__.update(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags
