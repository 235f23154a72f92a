"""The deep genre classifiers without convolutions (Keras 3): rnn and dense_baseline.

Baselines for the convolutional models of :mod:`.models`: the same input (flattened
log-mel rows of `mir_genre.features.MelPatches`), patch training and per-track
prediction (see `DeepGenreClassifier`).  `DenseBaseline` standardises every mel band
with the training statistics, as the convolutional models do; `GenreRNN` does not: it
batch-normalises the MFCCs its DCT layer computes.
"""

import numpy as np

from .base import BN_MOMENTUM, MIXED_PRECISION_CONSTRAINT, DeepGenreClassifier, softmax_output
from .models import _DROPOUT, _TEST_TRAINING, _UNITS, _filters_constraint, _unroll

__all__ = ["DenseBaseline", "GenreRNN", "mfcc_matrix"]


def mfcc_matrix(n_mels, n_mfcc):
    """Return the DCT that turns a log-mel frame into MFCCs, as ``librosa.feature.mfcc`` does.

    Parameters
    ----------
    n_mels : int > 0
        Mel bands.
    n_mfcc : int > 0
        Coefficients kept (at most ``n_mels``).

    Returns
    -------
    np.ndarray [shape=(n_mels, min(n_mfcc, n_mels))], float32
        ``frame @ matrix`` gives the MFCCs (orthonormal DCT-II).

    Examples
    --------
    >>> import numpy as np, scipy.fft
    >>> frame = np.arange(8.0)
    >>> np.allclose(frame @ mfcc_matrix(8, 3), scipy.fft.dct(frame, norm="ortho")[:3])
    True
    """
    import scipy.fft

    basis = scipy.fft.dct(np.eye(n_mels), type=2, norm="ortho", axis=0)
    return basis[: min(n_mfcc, n_mels)].T.astype(np.float32)


class GenreRNN(DeepGenreClassifier):
    """Stacked GRU over MFCC frames (no convolution).

    Each log-mel frame is turned into ``n_mfcc`` MFCCs by a fixed DCT layer inside the
    network (the transform ``librosa.feature.mfcc`` applies), batch-normalised, and read
    by ``n_layers`` GRU layers; the last state feeds the softmax.  See
    `DeepGenreClassifier` for training.

    Parameters
    ----------
    n_mfcc : int > 0, default=20
        MFCCs per frame (at most ``n_mels``).
    units : int > 0, default=64
        Units of every GRU layer.
    n_layers : int > 0, default=2
        GRU layers.
    dropout : float in [0, 1), default=0.2
        Dropout between the layers and before the output.
    n_mels, patch_seconds, sr, hop_length, epochs, batch_size, learning_rate, \
validation_fraction, patience, time_mask, freq_mask, time_shift, mixup, random_state, \
verbose, jit_compile, mixed_precision
        As in `DeepGenreClassifier`.

    Attributes
    ----------
    classes_ : np.ndarray
        Genres seen in `fit`.
    model_ : keras.Model
        The trained network.
    history_ : dict
        Per-epoch training history.
    n_iter_ : int
        Epochs run.
    """

    _parameter_constraints = {
        **DeepGenreClassifier._parameter_constraints,
        **MIXED_PRECISION_CONSTRAINT,
        "n_mfcc": _UNITS,
        "units": _UNITS,
        "n_layers": _UNITS,
        "dropout": _DROPOUT,
    }

    def __init__(
        self,
        *,
        n_mfcc=20,
        units=64,
        n_layers=2,
        dropout=0.2,
        n_mels=128,
        patch_seconds=3.0,
        sr=22050,
        hop_length=512,
        epochs=30,
        batch_size=32,
        learning_rate=1e-3,
        validation_fraction=0.15,
        patience=5,
        time_mask=0,
        freq_mask=0,
        time_shift=0,
        mixup=0.0,
        random_state=None,
        verbose=0,
        jit_compile="auto",
        mixed_precision="auto",
    ):
        self.n_mfcc = n_mfcc
        self.units = units
        self.n_layers = n_layers
        self.dropout = dropout
        self.n_mels = n_mels
        self.patch_seconds = patch_seconds
        self.sr = sr
        self.hop_length = hop_length
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.time_mask = time_mask
        self.freq_mask = freq_mask
        self.time_shift = time_shift
        self.mixup = mixup
        self.random_state = random_state
        self.verbose = verbose
        self.jit_compile = jit_compile
        self.mixed_precision = mixed_precision

    def _build(self, input_shape, n_classes, band_stats):
        import keras
        from keras import layers

        n_mels, n_frames, _ = input_shape
        inputs = keras.Input(shape=input_shape)
        # (batch, mels, frames, 1) -> (batch, frames, mels): one log-mel frame per step.
        x = layers.Permute((2, 1))(layers.Reshape((n_mels, n_frames))(inputs))
        dct = mfcc_matrix(n_mels, self.n_mfcc)
        mfcc = layers.Dense(dct.shape[1], use_bias=False, trainable=False, name="mfcc_dct")
        x = layers.BatchNormalization(momentum=BN_MOMENTUM)(mfcc(x))
        for layer in range(self.n_layers):
            last = layer == self.n_layers - 1
            x = layers.GRU(self.units, return_sequences=not last, unroll=_unroll(x))(x)
            if self.dropout:
                x = layers.Dropout(self.dropout)(x)
        outputs = softmax_output(x, n_classes)
        model = keras.Model(inputs, outputs, name="genre_rnn")
        mfcc.set_weights([dct])
        return model

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests and `mir_genre.testing.check_plugin`.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {**_TEST_TRAINING, "n_mfcc": 4, "units": 4, "n_layers": 1}


class DenseBaseline(DeepGenreClassifier):
    """Fully connected network on the whole patch: the no-convolution ablation baseline.

    The standardised patch is flattened and passed through dense ReLU layers with
    dropout.  It has the same input, training and per-track averaging as the other deep
    models, so the difference to `GenreCNN` measures what convolution buys.  See
    `DeepGenreClassifier` for training.

    Parameters
    ----------
    hidden_units : tuple of int, default=(256, 128)
        Units of each hidden layer.
    dropout : float in [0, 1), default=0.5
        Dropout after each hidden layer.
    n_mels, patch_seconds, sr, hop_length, epochs, batch_size, learning_rate, \
validation_fraction, patience, time_mask, freq_mask, time_shift, mixup, random_state, \
verbose, jit_compile, mixed_precision
        As in `DeepGenreClassifier`.

    Attributes
    ----------
    classes_ : np.ndarray
        Genres seen in `fit`.
    model_ : keras.Model
        The trained network.
    history_ : dict
        Per-epoch training history.
    n_iter_ : int
        Epochs run.
    """

    _parameter_constraints = {
        **DeepGenreClassifier._parameter_constraints,
        **MIXED_PRECISION_CONSTRAINT,
        "hidden_units": _filters_constraint(),
        "dropout": _DROPOUT,
    }

    def __init__(
        self,
        *,
        hidden_units=(256, 128),
        dropout=0.5,
        n_mels=128,
        patch_seconds=3.0,
        sr=22050,
        hop_length=512,
        epochs=30,
        batch_size=32,
        learning_rate=1e-3,
        validation_fraction=0.15,
        patience=5,
        time_mask=0,
        freq_mask=0,
        time_shift=0,
        mixup=0.0,
        random_state=None,
        verbose=0,
        jit_compile="auto",
        mixed_precision="auto",
    ):
        self.hidden_units = hidden_units
        self.dropout = dropout
        self.n_mels = n_mels
        self.patch_seconds = patch_seconds
        self.sr = sr
        self.hop_length = hop_length
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.time_mask = time_mask
        self.freq_mask = freq_mask
        self.time_shift = time_shift
        self.mixup = mixup
        self.random_state = random_state
        self.verbose = verbose
        self.jit_compile = jit_compile
        self.mixed_precision = mixed_precision

    def _build(self, input_shape, n_classes, band_stats):
        import keras
        from keras import layers

        inputs = keras.Input(shape=input_shape)
        x = layers.Flatten()(self.standardize(inputs, band_stats))
        for units in self.hidden_units:
            x = layers.Dense(units, activation="relu")(x)
            if self.dropout:
                x = layers.Dropout(self.dropout)(x)
        outputs = softmax_output(x, n_classes)
        return keras.Model(inputs, outputs, name="dense_baseline")

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests and `mir_genre.testing.check_plugin`.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {**_TEST_TRAINING, "hidden_units": (8,)}
