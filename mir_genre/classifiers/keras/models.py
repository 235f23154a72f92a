"""The deep genre classifiers (Keras 3): cnn, crnn, resnet, rnn and dense_baseline.

Every model takes the flattened log-mel rows of `mir_genre.features.MelPatches`, trains
on random patches and predicts per track (see `DeepGenreClassifier`).  Each one
standardises every mel band with the training statistics inside the network, so the
saved model needs no separate scaler.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from .base import BN_MOMENTUM, DeepGenreClassifier, classifier_head, conv_block, pool

__all__ = ["GenreCNN", "GenreCRNN", "GenreResNet", "GenreRNN", "DenseBaseline"]

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


def _assign(estimator, params):
    """Store every constructor argument under its own name (scikit-learn's contract)."""
    for name, value in params.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


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
verbose, jit_compile
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
    ):
        _assign(self, locals())

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
verbose, jit_compile
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
    ):
        _assign(self, locals())

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
verbose, jit_compile
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
    ):
        _assign(self, locals())

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
verbose, jit_compile
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
    ):
        _assign(self, locals())

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
        outputs = layers.Dense(n_classes, activation="softmax")(x)
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
verbose, jit_compile
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
    ):
        _assign(self, locals())

    def _build(self, input_shape, n_classes, band_stats):
        import keras
        from keras import layers

        inputs = keras.Input(shape=input_shape)
        x = layers.Flatten()(self.standardize(inputs, band_stats))
        for units in self.hidden_units:
            x = layers.Dense(units, activation="relu")(x)
            if self.dropout:
                x = layers.Dropout(self.dropout)(x)
        outputs = layers.Dense(n_classes, activation="softmax")(x)
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
