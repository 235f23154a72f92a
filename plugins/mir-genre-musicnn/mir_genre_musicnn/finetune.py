"""``musicnn_finetune``: a genre classifier that starts from a pretrained musicnn."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from mir_genre.classifiers.keras.base import DeepGenreClassifier

from .network import MODELS, N_MELS, PATCH_FRAMES, build_musicnn, load_weights

__all__ = ["BLOCKS", "MusicnnFinetune"]

#: musicnn's trainable layers by block, from the input to the penultimate layer.
BLOCKS = {
    "frontend": (
        "batch_normalization",
        *(f"conv2d{s}" for s in ("", "_1", "_2", "_3", "_4")),
        *(f"batch_normalization_{i}" for i in range(1, 6)),
    ),
    "midend": (
        *(f"conv2d_{i}" for i in range(5, 8)),
        *(f"batch_normalization_{i}" for i in range(6, 9)),
    ),
    "backend": ("batch_normalization_9", "dense", "batch_normalization_10"),
}

#: The base class's training parameters; the input shape is musicnn's own (96 bands at
#: 16 kHz, 3-s patches of 187 frames), so n_mels, sr, hop_length and patch_seconds are not.
_CONSTRAINTS = {
    k: v
    for k, v in DeepGenreClassifier._parameter_constraints.items()
    if k not in ("n_mels", "sr", "hop_length", "patch_seconds")
}


class MusicnnFinetune(DeepGenreClassifier):
    """Transfer learning from a pretrained musicnn: a new genre head, optionally more.

    The pretrained network (weights inside this package) up to its 200-unit
    penultimate layer is followed by dropout and a new softmax layer.  The new layer
    always trains; ``unfreeze`` makes the last blocks of musicnn train too.  Training
    is the core deep models' (`mir_genre.classifiers.keras.base.DeepGenreClassifier`):
    one random 3-s patch per track per step, early stopping on held-out tracks (whole
    artists when ``groups`` reach `fit`), and one prediction per track averaged over the
    patches covering it.

    Input rows are `mir_genre_musicnn.extractor.MusicnnMel` spectrograms
    (``musicnn_mel+musicnn_finetune`` in a pipeline spec).

    Parameters
    ----------
    model : {"MSD_musicnn", "MTT_musicnn"}, default="MSD_musicnn"
        Pretrained model to start from.
    unfreeze : int in [0, 3], default=0
        musicnn blocks that train besides the new layer, from the top: 0 none, 1 the
        back end, 2 also the mid end, 3 the whole network.
    dropout : float in [0, 1), default=0.5
        Dropout before the new layer.
    epochs : int > 0, default=20
        Most epochs.  Small for the CPU: one step runs the whole network.
    batch_size, learning_rate, validation_fraction, patience, time_mask, freq_mask, \
time_shift, mixup, random_state, verbose, jit_compile
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
    >>> X = np.random.RandomState(0).uniform(0, 2, size=(4, 96 * 190))
    >>> clf = MusicnnFinetune(epochs=1, random_state=0).fit(X, ["jazz", "rock"] * 2)
    >>> clf.predict_proba(X).shape
    (4, 2)
    """

    _parameter_constraints = {
        **_CONSTRAINTS,
        "model": [StrOptions(set(MODELS))],
        "unfreeze": [Interval(Integral, 0, len(BLOCKS), closed="both")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
    }

    #: Input bands, fixed by the pretrained network.
    n_mels = N_MELS

    def __init__(
        self,
        *,
        model="MSD_musicnn",
        unfreeze=0,
        dropout=0.5,
        epochs=20,
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
        self.model = model
        self.unfreeze = unfreeze
        self.dropout = dropout
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

    def _patch_frames(self):
        return PATCH_FRAMES

    def _network(self, input_shape, n_classes):
        """Build the pretrained body (patches to the penultimate layer) and the new head."""
        import keras
        from keras import layers

        pretrained = load_weights(build_musicnn(n_frames=PATCH_FRAMES), self.model)
        trainable = {name for block in list(BLOCKS)[len(BLOCKS) - self.unfreeze :]
                     for name in BLOCKS[block]}  # fmt: skip
        for layer in pretrained.layers:
            # A frozen BatchNormalization also keeps its pretrained statistics (Keras 3).
            layer.trainable = layer.name in trainable
        inputs = keras.Input(shape=input_shape)  # (96 bands, 187 frames, 1)
        x = layers.Reshape(input_shape[:2])(inputs)
        x = layers.Permute((2, 1))(x)  # musicnn reads (frames, bands)
        x = keras.Model(
            pretrained.input, pretrained.get_layer("batch_normalization_10").output,
            name=f"{self.model}_to_penultimate",
        )(x)  # fmt: skip
        body = keras.Model(inputs, x, name="musicnn_body")
        features = keras.Input(shape=(x.shape[-1],))
        h = layers.Dropout(self.dropout)(features) if self.dropout else features
        outputs = layers.Dense(n_classes, activation="softmax", name="genre")(h)
        return body, keras.Model(features, outputs, name="genre_head")

    def _build(self, input_shape, n_classes, band_stats):
        # band_stats go unused: musicnn normalises its input with its own pretrained layer.
        import keras

        body, head = self._network(input_shape, n_classes)
        return keras.Model(body.input, head(body.output), name="musicnn_finetune")

    def fit(self, X, y, groups=None):
        """Train the new layer (and the unfrozen blocks), early-stopping on held-out tracks.

        With ``unfreeze=0`` nothing in musicnn changes, so its outputs for the patches
        covering each track (those `predict_proba` averages over) are computed once and
        the new layer trains on them, instead of running the whole network at every step.

        Parameters
        ----------
        X : array-like of shape (n_tracks, 96 * n_frames)
            `MusicnnMel` spectrograms.
        y : array-like of shape (n_tracks,)
            Genre per track.
        groups : array-like of shape (n_tracks,) or None, default=None
            Artist per track: the early-stopping hold-out then holds out whole artists.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        self._validate_params()
        if self.unfreeze:
            return super().fit(X, y, groups=groups)
        keras, S, onehot, train, valid, rng = self._fit_setup(X, y, groups)
        body, head = self._network((N_MELS, PATCH_FRAMES, 1), len(self.classes_))

        def embed(tracks):
            x, owner = self._covering_patches(S[tracks], PATCH_FRAMES)
            return self._predict_padded(body, x), onehot[tracks][owner]

        fit_kwargs = {"validation_data": embed(valid)} if len(valid) else {}
        self._compile(head, keras)
        history = head.fit(
            *embed(train),
            batch_size=self.batch_size,
            epochs=self.epochs,
            shuffle=True,
            callbacks=self._callbacks(keras, validate=bool(len(valid))),
            verbose=self.verbose,
            **fit_kwargs,
        )
        model = keras.Model(body.input, head(body.output), name="musicnn_finetune")
        return self._fitted(model, history)

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {"epochs": 1, "batch_size": 8, "random_state": 0, "jit_compile": False}
