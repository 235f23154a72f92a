"""The deep genre classifiers (Keras 3)."""

from .base import DeepGenreClassifier

__all__ = ["GenreCNN"]


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
validation_fraction, patience, random_state, verbose, jit_compile
        As in `DeepGenreClassifier`.

    Attributes
    ----------
    classes_ : np.ndarray
        Genres seen in `fit`.
    model_ : keras.Model
        The trained network.
    history_ : dict
        Per-epoch training history.
    """

    _parameter_constraints = {
        **DeepGenreClassifier._parameter_constraints,
        "filters": [tuple, list],
        "dropout": [float, int],
        "dense_units": [int],
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
        random_state=None,
        verbose=0,
        jit_compile="auto",
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
        self.random_state = random_state
        self.verbose = verbose
        self.jit_compile = jit_compile

    def _build(self, input_shape, n_classes):
        import keras
        from keras import layers

        inputs = keras.Input(shape=input_shape)
        x = inputs
        for n_filters in self.filters:
            x = layers.Conv2D(n_filters, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization()(x)
            x = layers.ReLU()(x)
            # Small inputs cannot be halved forever: pool only while both sides allow it.
            if x.shape[1] >= 2 and x.shape[2] >= 2:
                x = layers.MaxPooling2D(2)(x)
            x = layers.Dropout(self.dropout)(x)
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(self.dense_units, activation="relu")(x)
        x = layers.Dropout(0.5)(x)
        outputs = layers.Dense(n_classes, activation="softmax")(x)
        return keras.Model(inputs, outputs, name="genre_cnn")

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests and `mir_genre.testing.check_plugin`.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {
            "filters": (4, 8),
            "dense_units": 8,
            "n_mels": 8,
            "patch_seconds": 0.2,
            "epochs": 1,
            "batch_size": 8,
            "random_state": 0,
            "jit_compile": False,
        }
