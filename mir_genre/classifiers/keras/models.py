"""The convolutional deep genre classifiers (Keras 3): cnn, crnn and resnet.

Every model takes the flattened log-mel rows of `mir_genre.features.MelPatches`, trains
on random patches and predicts per track (see `DeepGenreClassifier`).  Each one
standardises every mel band with the training statistics inside the network, so the
saved model needs no separate scaler.  The models without convolutions (rnn,
dense_baseline) are in :mod:`.baselines`.
"""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval

from .base import (
    BN_MOMENTUM,
    MIXED_PRECISION_CONSTRAINT,
    DeepGenreClassifier,
    classifier_head,
    conv_block,
    pool,
)

__all__ = ["GenreCNN", "GenreCRNN", "GenreResNet"]

_DROPOUT = [Interval(Real, 0, 1, closed="left")]
_UNITS = [Interval(Integral, 1, None, closed="left")]

#: Cheap training parameters for tests and `mir_genre.testing.check_plugin`.
_TEST_TRAINING = {
    "n_mels": 8,
    "patch_seconds": 0.2,
    "epochs": 1,
    "batch_size": 32,
    "random_state": 0,
    "jit_compile": False,
}


def _unroll(x):
    """Unroll a GRU over short sequences: the loop then needs no compiled scan per model.

    After four pooling blocks a 3-s patch is 8 steps long, where unrolling is cheaper
    than a scan; long sequences keep the scan (an unrolled graph grows with the length).
    """
    return x.shape[1] <= 16


def _filters_constraint():
    return [tuple, list]


class GenreCNN(DeepGenreClassifier):
    """The classic 4-block CNN on log-mel patches.

    Four blocks of 3x3 convolution, batch normalisation, ReLU, 2x2 max-pooling and
    dropout (32/64/128/256 filters by default), then global average pooling, a 256-unit
    dense layer, dropout 0.5 and a softmax.  See `DeepGenreClassifier` for training.

    Parameters
    ----------
    filters : tuple of int, default=(32, 64, 128, 256)
        Filters per block.
    dropout : float in [0, 1), default=0.25
        Dropout after each block.
    dense_units : int > 0, default=256
        Units of the dense layer.
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

    Examples
    --------
    >>> import numpy as np
    >>> from mir_genre.classifiers.keras import GenreCNN
    >>> X = np.random.RandomState(0).normal(size=(8, 8 * 20))  # 8 tracks, 8 mels x 20 frames
    >>> clf = GenreCNN(**GenreCNN.get_test_params()).fit(X, ["jazz", "rock"] * 4)
    >>> clf.predict_proba(X).shape
    (8, 2)
    """

    _parameter_constraints = {
        **DeepGenreClassifier._parameter_constraints,
        **MIXED_PRECISION_CONSTRAINT,
        "filters": _filters_constraint(),
        "dropout": _DROPOUT,
        "dense_units": _UNITS,
    }

    def __init__(
        self,
        *,
        filters=(32, 64, 128, 256),
        dropout=0.25,
        dense_units=256,
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
        self.filters = filters
        self.dropout = dropout
        self.dense_units = dense_units
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
        x = self.standardize(inputs, band_stats)
        for n_filters in self.filters:
            x = conv_block(x, n_filters, dropout=self.dropout)
        x = layers.GlobalAveragePooling2D()(x)
        outputs = classifier_head(x, n_classes, dense_units=self.dense_units)
        return keras.Model(inputs, outputs, name="genre_cnn")

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests and `mir_genre.testing.check_plugin`.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {**_TEST_TRAINING, "filters": (4, 8), "dense_units": 8}


class GenreCRNN(DeepGenreClassifier):
    """Convolutional recurrent network: conv blocks, then a bidirectional GRU over time.

    The convolution blocks (as in `GenreCNN`) summarise local time-frequency patterns;
    their output is read frame by frame (frequency and channels flattened) by a
    bidirectional GRU whose final states feed the softmax.  See
    `DeepGenreClassifier` for training.

    Parameters
    ----------
    filters : tuple of int, default=(32, 64, 128, 128)
        Filters per convolution block.
    dropout : float in [0, 1), default=0.1
        Dropout after each block and on the GRU inputs.
    gru_units : int > 0, default=64
        Units of the GRU in each direction.
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
        "filters": _filters_constraint(),
        "dropout": _DROPOUT,
        "gru_units": _UNITS,
    }

    def __init__(
        self,
        *,
        filters=(32, 64, 128, 128),
        dropout=0.1,
        gru_units=64,
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
        self.filters = filters
        self.dropout = dropout
        self.gru_units = gru_units
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
        x = self.standardize(inputs, band_stats)
        for n_filters in self.filters:
            x = conv_block(x, n_filters, dropout=self.dropout)
        # (batch, mels, frames, channels) -> (batch, frames, mels * channels)
        x = layers.Permute((2, 1, 3))(x)
        x = layers.Reshape((x.shape[1], x.shape[2] * x.shape[3]))(x)
        x = layers.Bidirectional(layers.GRU(self.gru_units, unroll=_unroll(x)))(x)
        outputs = classifier_head(x, n_classes, dropout=self.dropout)
        return keras.Model(inputs, outputs, name="genre_crnn")

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests and `mir_genre.testing.check_plugin`.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {**_TEST_TRAINING, "filters": (4, 8), "gru_units": 4}


class GenreResNet(DeepGenreClassifier):
    """Residual network: one residual block per stage, max-pooling between stages.

    A 3x3 stem convolution, then for every stage a block of two 3x3 convolutions with
    batch normalisation whose input is added back (through a 1x1 projection when the
    width changes), ReLU, 2x2 max-pooling and dropout; global average pooling and a
    softmax.  See `DeepGenreClassifier` for training.

    Parameters
    ----------
    filters : tuple of int, default=(32, 64, 128, 256)
        Width of each stage.
    dropout : float in [0, 1), default=0.1
        Dropout after each stage; 0.5 before the output.
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
        "filters": _filters_constraint(),
        "dropout": _DROPOUT,
    }

    def __init__(
        self,
        *,
        filters=(32, 64, 128, 256),
        dropout=0.1,
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
        self.filters = filters
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

    @staticmethod
    def _residual(x, filters):
        from keras import layers

        shortcut = x
        if x.shape[-1] != filters:
            shortcut = layers.Conv2D(filters, 1, use_bias=False)(x)
            shortcut = layers.BatchNormalization(momentum=BN_MOMENTUM)(shortcut)
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=BN_MOMENTUM)(x)
        x = layers.ReLU()(x)
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=BN_MOMENTUM)(x)
        return layers.ReLU()(layers.Add()([x, shortcut]))

    def _build(self, input_shape, n_classes, band_stats):
        import keras
        from keras import layers

        inputs = keras.Input(shape=input_shape)
        x = self.standardize(inputs, band_stats)
        x = layers.Conv2D(self.filters[0], 3, padding="same", use_bias=False)(x)
        x = layers.ReLU()(layers.BatchNormalization(momentum=BN_MOMENTUM)(x))
        for n_filters in self.filters:
            x = pool(self._residual(x, n_filters))
            if self.dropout:
                x = layers.Dropout(self.dropout)(x)
        x = layers.GlobalAveragePooling2D()(x)
        outputs = classifier_head(x, n_classes)
        return keras.Model(inputs, outputs, name="genre_resnet")

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests and `mir_genre.testing.check_plugin`.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {**_TEST_TRAINING, "filters": (4, 8)}


def __getattr__(name):
    # The models without convolutions live in .baselines (which imports this module).
    if name in ("GenreRNN", "DenseBaseline", "mfcc_matrix"):
        from . import baselines

        return getattr(baselines, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
