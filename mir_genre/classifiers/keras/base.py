"""The base of the Keras deep classifiers: patches in, one prediction per track out.

Input rows are whole-track log-mel spectrograms flattened by
`mir_genre.features.MelPatches` (``n_mels * n_frames`` values).  Training cuts one
random ``patch_seconds`` patch per track per step (new offsets every epoch); prediction
averages the probabilities of non-overlapping patches covering each track.  The
validation part used for early stopping is split by track, and by artist when
``groups`` reach `fit`, so patches of one track never serve both purposes.  Every batch
has ``batch_size`` patches (an epoch's last batch is filled with tracks drawn again;
validation and prediction patches are padded with copies whose outputs are dropped), so
a backend compiles each step once.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ...exceptions import ParameterError
from ...streaming import window_starts
from .._targets import check_genres, check_groups, check_labels
from ..sklearn_models import ProbabilisticPredictMixin
from .backend import configure_backend, gpu_count

__all__ = [
    "DeepGenreClassifier",
    "augment_patches",
    "pad_to_batches",
    "softmax_output",
    "whole_batches",
]


def _mask(x, rng, width, axis):
    """Fill one random band of at most ``width`` rows (axis 1) or frames (axis 2) per patch."""
    n = x.shape[axis]
    widths = rng.randint(0, min(width, n) + 1, size=len(x))
    starts = rng.randint(0, n - widths + 1)
    index = np.arange(n)
    hidden = (index >= starts[:, None]) & (index < (starts + widths)[:, None])
    hidden = hidden[:, :, None] if axis == 1 else hidden[:, None, :]
    # The patch's own mean: after the model's standardisation that is close to zero, the
    # value SpecAugment writes.
    return np.where(hidden, x.mean(axis=(1, 2), keepdims=True), x)


def augment_patches(x, y, rng, *, time_mask=0, freq_mask=0, time_shift=0, mixup=0.0):
    """Augment a batch of spectrogram patches (all off by default).

    Parameters
    ----------
    x : np.ndarray [shape=(n, n_mels, n_frames)]
        Log-mel patches.
    y : np.ndarray [shape=(n, n_classes)]
        One-hot (or soft) targets.
    rng : np.random.RandomState
        Source of randomness.
    time_mask : int >= 0, default=0
        Most frames of one masked time band per patch (SpecAugment).
    freq_mask : int >= 0, default=0
        Most mel bands of one masked frequency band per patch.
    time_shift : int >= 0, default=0
        Most frames each patch is rolled (circularly) left or right.
    mixup : float >= 0, default=0.0
        Alpha of mixup's Beta distribution; each patch is blended with another of the
        batch, and so are the targets.  0 turns it off.

    Returns
    -------
    x, y : np.ndarray
        Augmented copies (the inputs are not modified).

    Examples
    --------
    >>> import numpy as np
    >>> x, y = np.ones((4, 8, 10)), np.eye(4)
    >>> xa, ya = augment_patches(x, y, np.random.RandomState(0), mixup=0.4)
    >>> np.allclose(ya.sum(axis=1), 1.0), xa.shape
    (True, (4, 8, 10))
    """
    x, y = np.array(x, copy=True), np.array(y, dtype=np.float32, copy=True)
    if time_shift:
        shifts = rng.randint(-time_shift, time_shift + 1, size=len(x))
        frames = (np.arange(x.shape[2]) - shifts[:, None]) % x.shape[2]
        x = np.take_along_axis(x, frames[:, None, :], axis=2)
    if freq_mask:
        x = _mask(x, rng, freq_mask, axis=1)
    if time_mask:
        x = _mask(x, rng, time_mask, axis=2)
    if mixup:
        lam = rng.beta(mixup, mixup, size=len(x)).astype(np.float32)
        partner = rng.permutation(len(x))
        x = lam[:, None, None] * x + (1 - lam[:, None, None]) * x[partner]
        y = lam[:, None] * y + (1 - lam[:, None]) * y[partner]
    return x.astype(np.float32), y


def whole_batches(n, batch_size, rng):
    """Return a random order of ``n`` items filled up to whole batches (steps of one size).

    Every item comes once, in random order, and the last batch is completed with items
    drawn again at random (with repetition only when ``n`` is smaller than the batch).
    A fixed batch shape lets the backend reuse its compiled steps: on JAX a new shape
    recompiles every operation, which made each small fit cost seconds.

    Parameters
    ----------
    n : int > 0
        Items.
    batch_size : int > 0
        Batch size.
    rng : np.random.RandomState
        Source of randomness.

    Returns
    -------
    np.ndarray of int [shape=(k * batch_size,)]

    Examples
    --------
    >>> import numpy as np
    >>> order = whole_batches(10, 4, np.random.RandomState(0))
    >>> len(order), sorted(set(order.tolist())) == list(range(10))
    (12, True)
    """
    order = rng.permutation(n)
    missing = -n % batch_size
    if missing:
        order = np.concatenate([order, rng.choice(n, size=missing, replace=missing > n)])
    return order


def pad_to_batches(x, batch_size):
    """Repeat the first rows of ``x`` so that its length is a multiple of ``batch_size``.

    Parameters
    ----------
    x : np.ndarray [shape=(n, ...)]
        Rows.
    batch_size : int > 0
        Batch size.

    Returns
    -------
    np.ndarray [shape=(ceil(n / batch_size) * batch_size, ...)]
        ``x`` followed by copies of its first rows (cycling for a short ``x``).

    Examples
    --------
    >>> import numpy as np
    >>> pad_to_batches(np.arange(5), 4).tolist()
    [0, 1, 2, 3, 4, 0, 1, 2]
    """
    return np.take(x, np.arange(len(x) + (-len(x) % batch_size)) % len(x), axis=0)


def _patch_dataset(keras):
    """Return a keras PyDataset class: one random patch per track, new offsets each epoch."""

    class RandomPatches(keras.utils.PyDataset):
        def __init__(self, S, y, size, batch_size, seed, augment):
            super().__init__()
            self.S, self.y, self.size, self.batch_size = S, y, size, batch_size
            self.augment = augment
            self.windows = np.lib.stride_tricks.sliding_window_view(S, size, axis=2)
            self.rng = np.random.RandomState(seed)
            self.on_epoch_end()

        def __len__(self):
            return len(self.order) // self.batch_size

        def __getitem__(self, index):
            idx = self.order[index * self.batch_size : (index + 1) * self.batch_size]
            # Patches are sliced from the in-memory spectrograms: no recomputation.
            # One gather from a window view of the in-memory spectrograms, no index array
            # of the batch's size: about 15x faster than take_along_axis, whose ~5,000
            # patches/s on one core would starve a GPU (the values are the same).
            x = self.windows[idx, :, self.starts[idx]]
            y = self.y[idx]
            if self.augment:
                x, y = augment_patches(x, y, self.rng, **self.augment)
            return x[..., None], y

        def on_epoch_end(self):
            self.order = whole_batches(len(self.S), self.batch_size, self.rng)
            self.starts = self.rng.randint(0, self.S.shape[2] - self.size + 1, size=len(self.S))

    return RandomPatches


#: Batch-norm moving-average momentum.  Keras's 0.99 needs hundreds of steps before the
#: inference statistics settle; the small fits of CPU runs (tens of steps) then predict
#: from half-initialised statistics.  0.9 settles in about 20 steps.
BN_MOMENTUM = 0.9


def conv_block(x, filters, *, dropout):
    """3x3 convolution, batch normalisation, ReLU, 2x2 max-pooling (where it fits), dropout.

    Parameters
    ----------
    x : keras tensor [shape=(batch, n_mels, n_frames, channels)]
        Input.
    filters : int > 0
        Output channels.
    dropout : float in [0, 1)
        Dropout rate after the block.

    Returns
    -------
    keras tensor
    """
    from keras import layers

    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization(momentum=BN_MOMENTUM)(x)
    x = layers.ReLU()(x)
    x = pool(x)
    return layers.Dropout(dropout)(x) if dropout else x


def pool(x):
    """2x2 max-pooling, halving only the sides that are at least 2 long (small inputs)."""
    from keras import layers

    size = tuple(2 if side >= 2 else 1 for side in x.shape[1:3])
    return layers.MaxPooling2D(size)(x) if size != (1, 1) else x


def classifier_head(x, n_classes, *, dense_units=0, dropout=0.5):
    """Add an optional dense ReLU layer, dropout and the softmax output.

    Parameters
    ----------
    x : keras tensor [shape=(batch, n_features)]
        Pooled features.
    n_classes : int
        Output units.
    dense_units : int >= 0, default=0
        Units of a hidden dense layer (0: none).
    dropout : float in [0, 1), default=0.5
        Dropout before the output.

    Returns
    -------
    keras tensor
    """
    from keras import layers

    if dense_units:
        x = layers.Dense(dense_units, activation="relu")(x)
    if dropout:
        x = layers.Dropout(dropout)(x)
    return softmax_output(x, n_classes)


def softmax_output(x, n_classes):
    """Add the softmax output layer, computed in float32 whatever the dtype policy.

    Under mixed precision the rest of the network computes in float16 or bfloat16; the
    softmax and the loss stay in float32, as Keras's mixed-precision guide advises.  Under
    the default float32 policy this is the plain ``Dense(n_classes, activation="softmax")``.

    Parameters
    ----------
    x : keras tensor [shape=(batch, n_features)]
        Features.
    n_classes : int
        Output units.

    Returns
    -------
    keras tensor
    """
    from keras import layers

    return layers.Dense(n_classes, activation="softmax", dtype="float32")(x)


_TRAINING_CONSTRAINTS = {
    "n_mels": [Interval(Integral, 1, None, closed="left")],
    "patch_seconds": [Interval(Real, 0, None, closed="neither")],
    "sr": [Interval(Integral, 1, None, closed="left")],
    "hop_length": [Interval(Integral, 1, None, closed="left")],
    "epochs": [Interval(Integral, 1, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "learning_rate": [Interval(Real, 0, None, closed="neither")],
    "validation_fraction": [Interval(Real, 0, 0.5, closed="both")],
    "patience": [Interval(Integral, 1, None, closed="left")],
    "time_mask": [Interval(Integral, 0, None, closed="left")],
    "freq_mask": [Interval(Integral, 0, None, closed="left")],
    "time_shift": [Interval(Integral, 0, None, closed="left")],
    "mixup": [Interval(Real, 0, None, closed="left")],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "jit_compile": ["boolean", StrOptions({"auto"})],
}

#: The constraint of ``mixed_precision``, kept out of the base class's constraints so that
#: a subclass that does not take the parameter (it then builds in float32) still passes
#: scikit-learn's check that constraints and parameters match; the core models add it.
MIXED_PRECISION_CONSTRAINT = {
    "mixed_precision": ["boolean", StrOptions({"auto", "mixed_float16", "mixed_bfloat16"})],
}

#: The Keras dtype policy of each `DeepGenreClassifier` ``mixed_precision`` value but "auto".
_POLICIES = {False: "float32", True: "mixed_float16"}

_AUGMENT = ("time_mask", "freq_mask", "time_shift", "mixup")

#: How `DeepGenreClassifier.__getstate__` stores the network: its weight arrays in the
#: order of ``model.weights``.
_WEIGHTS_FORMAT = "keras-weights-list"


class DeepGenreClassifier(ProbabilisticPredictMixin, ClassifierMixin, BaseEstimator):
    """Base class: subclasses implement ``_build(input_shape, n_classes, band_stats)``.

    ``_build`` returns an uncompiled ``keras.Model`` taking patches of shape
    ``(n_mels, patch_frames, 1)``; ``band_stats`` is ``(mean, variance)`` of every mel
    band over the training spectrograms, for `standardize`.

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
        Adam's initial step size (halved on validation plateaus).
    validation_fraction : float in [0, 0.5], default=0.15
        Tracks (or artists) held out for early stopping; 0 trains on everything for
        ``epochs`` epochs.
    patience : int > 0, default=5
        Epochs without validation improvement before stopping (the best weights are
        restored).
    time_mask, freq_mask : int >= 0, default=0
        SpecAugment: the most frames / mel bands of one band masked per training patch.
    time_shift : int >= 0, default=0
        The most frames a training patch is rolled left or right.
    mixup : float >= 0, default=0.0
        Mixup's alpha (0.2-0.4 is usual); 0 turns it off.  See `augment_patches`.
    random_state : int, RandomState instance or None, default=None
        Seed of initialisation, patches, augmentation and the hold-out (CPU runs repeat
        exactly).  Note that keras seeds Python's, NumPy's and the backend's global
        generators from it.
    verbose : int, default=0
        Keras progress output.
    jit_compile : bool or "auto", default="auto"
        XLA compilation of the training step (keras's ``compile(jit_compile=...)``);
        False skips the compile time, which dominates very small fits.
    mixed_precision : bool, "auto", "mixed_float16" or "mixed_bfloat16", default="auto"
        Keras dtype policy of the network: True is ``"mixed_float16"`` (float16 compute,
        float32 weights, dynamic loss scaling), False is float32, "auto" is
        ``"mixed_float16"`` when the backend sees a GPU and float32 otherwise (so CPU
        results do not change).  The softmax output always computes in float32.  A
        subclass that does not take this parameter builds in float32 (the core models
        take it and add `MIXED_PRECISION_CONSTRAINT` to their constraints).

    Attributes
    ----------
    classes_ : np.ndarray
        Genres seen in `fit`.
    dtype_policy_ : str
        The dtype policy the network was built with (``"float32"``, ``"mixed_float16"``
        ...); a model file rebuilds the network with it.
    model_ : keras.Model
        The trained network.
    history_ : dict
        Per-epoch losses and accuracies (``loss``, ``accuracy``, ``val_loss`` ...).
    n_features_in_ : int
        Values per input row.
    """

    _parameter_constraints = dict(_TRAINING_CONSTRAINTS)

    def _build(self, input_shape, n_classes, band_stats):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def standardize(x, band_stats):
        """Standardise every mel band with the training statistics (inside the model).

        A frozen batch-normalisation layer whose moving statistics are the band means and
        variances: the statistics are weights, not constants of the compiled graph, so
        every fold of a cross-validation compiles to the same program (and a backend's
        compilation cache serves the later folds).

        Parameters
        ----------
        x : keras tensor [shape=(batch, n_mels, n_frames, 1)]
            Input patches.
        band_stats : tuple of np.ndarray
            ``(mean, variance)`` per mel band.

        Returns
        -------
        keras tensor
        """
        from keras import layers

        mean, variance = band_stats
        # trainable=False: batch normalisation then always uses its moving statistics.
        layer = layers.BatchNormalization(
            axis=1, center=False, scale=False, epsilon=1e-6, trainable=False, name="bands"
        )
        out = layer(x)
        layer.moving_mean.assign(np.asarray(mean, dtype="float32"))
        layer.moving_variance.assign(np.asarray(variance, dtype="float32"))
        return out

    # -- data ----------------------------------------------------------------------
    def _patch_frames(self):
        return max(1, int(round(self.patch_seconds * self.sr / self.hop_length)))

    def _spectrograms(self, X):
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
        groups = np.arange(n) if groups is None else np.asarray(groups)
        if self.validation_fraction == 0 or n < 4 or len(np.unique(groups)) < 2:
            return np.arange(n), np.array([], dtype=int)
        split = GroupShuffleSplit(1, test_size=self.validation_fraction, random_state=rng)
        return next(split.split(y_enc, y_enc, groups))

    def _augmentation(self):
        return {name: getattr(self, name) for name in _AUGMENT if getattr(self, name)}

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
        keras, S, onehot, train, valid, rng = self._fit_setup(X, y, groups)
        size = self._patch_frames()
        band_stats = (S[train].mean(axis=(0, 2)), S[train].var(axis=(0, 2)))
        model = self._build_network((self.n_mels, size, 1), len(self.classes_), band_stats)
        self._compile(model, keras)
        patches = _patch_dataset(keras)(
            S[train],
            onehot[train],
            size,
            self.batch_size,
            rng.randint(2**31 - 1),
            self._augmentation(),
        )
        fit_kwargs = {}
        if len(valid):
            x_val, owner = self._covering_patches(S[valid], size)
            # Whole batches here too (the first patches counted twice): no new shapes.
            fit_kwargs["validation_data"] = (
                pad_to_batches(x_val, self.batch_size),
                pad_to_batches(onehot[valid][owner], self.batch_size),
            )
            fit_kwargs["validation_batch_size"] = self.batch_size
        history = model.fit(
            patches,
            epochs=self.epochs,
            callbacks=self._callbacks(keras, validate=bool(len(valid))),
            verbose=self.verbose,
            **fit_kwargs,
        )
        return self._fitted(model, history)

    # -- the steps of fit, for subclasses that train differently ------------------------
    def _fit_setup(self, X, y, groups):
        """Validate, encode the genres, seed, and split off the early-stopping tracks.

        Returns ``(keras, S, onehot, train, valid, rng)``: the spectrograms
        ``(n_tracks, n_mels, n_frames)``, one-hot targets, the indices of the training
        and held-out tracks, and the random state the rest of training draws from.
        """
        from sklearn.utils import check_random_state

        check_labels(self, y)
        X, y = validate_data(self, X, y, dtype=np.float32)
        self.classes_, y_enc = check_genres(self, y)
        groups = check_groups(self, groups, len(y))
        configure_backend()
        import keras

        S = self._spectrograms(X)
        rng = check_random_state(self.random_state)
        keras.utils.set_random_seed(int(rng.randint(2**31 - 1)))
        train, valid = self._holdout(y_enc, groups, rng)
        onehot = np.eye(len(self.classes_), dtype=np.float32)[y_enc]
        return keras, S, onehot, train, valid, rng

    def _resolve_policy(self, keras):
        """Return the dtype policy ``mixed_precision`` asks for on this backend and machine."""
        # getattr: a subclass outside mir_genre may not declare the parameter.
        value = getattr(self, "mixed_precision", False)
        if isinstance(value, str) and value == "auto":
            return "mixed_float16" if gpu_count(keras.backend.backend()) else "float32"
        return _POLICIES.get(value, value)

    def _build_network(self, input_shape, n_classes, band_stats, policy=None):
        """Call ``_build`` under the dtype policy (restored afterwards) and record it.

        Parameters
        ----------
        input_shape : tuple of int
            ``(n_mels, patch_frames, 1)``.
        n_classes : int
            Output units.
        band_stats : tuple of np.ndarray
            ``(mean, variance)`` per mel band.
        policy : str or None, default=None
            Dtype policy; None resolves ``mixed_precision`` (what `fit` does).

        Returns
        -------
        keras.Model
        """
        import keras

        if policy is None:
            policy = self._resolve_policy(keras)
        previous = keras.config.dtype_policy()
        # Layers take the global policy when they are created; setting it only around
        # _build keeps it from leaking into the user's own models.
        keras.config.set_dtype_policy(policy)
        try:
            model = self._build(input_shape, n_classes, band_stats)
        finally:
            keras.config.set_dtype_policy(previous)
        if policy != "float32" and any(out.dtype != "float32" for out in model.outputs):
            # A subclass whose head does not use softmax_output: cast its output.
            cast = keras.layers.Activation("linear", dtype="float32")
            model = keras.Model(
                model.inputs, [cast(out) for out in model.outputs], name=model.name
            )
        self.dtype_policy_ = policy
        return model

    def _compile(self, model, keras):
        model.compile(
            optimizer=keras.optimizers.Adam(self.learning_rate),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
            jit_compile=self.jit_compile,
        )

    def _callbacks(self, keras, *, validate):
        """Early stopping and learning-rate halving on the held-out loss (none without)."""
        if not validate:
            return []
        return [
            keras.callbacks.EarlyStopping(
                patience=self.patience, restore_best_weights=True, monitor="val_loss"
            ),
            keras.callbacks.ReduceLROnPlateau(
                factor=0.5, patience=max(1, self.patience // 2), monitor="val_loss"
            ),
        ]

    def _fitted(self, model, history):
        self.model_ = model
        self.history_ = {key: list(map(float, v)) for key, v in history.history.items()}
        self.n_iter_ = len(self.history_["loss"])
        return self

    def _predict_padded(self, model, x):
        """``model.predict`` in whole batches of ``batch_size`` (the copies' outputs dropped)."""
        padded = pad_to_batches(x, self.batch_size)
        return np.asarray(model.predict(padded, batch_size=self.batch_size, verbose=0))[: len(x)]

    def _covering_patches(self, S, size):
        # Non-overlapping patches, the last one flush right (any tail gets a patch).
        starts = window_starts(S.shape[2], size, min_tail=0)
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
        X = validate_data(self, X, reset=False, dtype=np.float32)
        S = self._spectrograms(X)
        x, owner = self._covering_patches(S, self._patch_frames())
        proba = self._predict_padded(self.model_, x)  # whole batches, as in training
        sums = np.zeros((len(S), proba.shape[1]))
        np.add.at(sums, owner, proba)
        return sums / np.bincount(owner, minlength=len(S))[:, None]

    # -- state: the network's weights as arrays, rebuilt by this class's own code ------
    def __getstate__(self):
        # The network as weight arrays: __setstate__ gives them to a network that _build
        # makes (as fit does), so a model file holds no layer names and no code.
        state = self.__dict__.copy()
        model = state.get("model_")
        if model is not None and not isinstance(model, (dict, bytes)):
            weights = [np.asarray(w) for w in model.get_weights()]
            # Compiled or not decides how predict runs (jit_compile), to the last bit.
            compiled = bool(getattr(model, "compiled", False))
            state["model_"] = {"format": _WEIGHTS_FORMAT, "weights": weights, "compiled": compiled}
        return state

    def __setstate__(self, state):
        model = state.get("model_")
        if "mixed_precision" in self._get_param_names() and "mixed_precision" not in state:
            state = {**state, "mixed_precision": False}  # saved before the parameter existed
        self.__dict__.update(state)
        if isinstance(model, dict):
            self.model_ = self._rebuild(model)
        elif isinstance(model, bytes):  # a whole .keras archive: format_version 1 files
            from ...model_file.legacy import load_keras_archive

            self.model_ = load_keras_archive(type(self).__name__, model)

    def _rebuild(self, saved):
        """Build the network as `fit` does and give it the saved weights."""
        name = type(self).__name__
        weights = saved.get("weights") if saved.get("format") == _WEIGHTS_FORMAT else None
        if not isinstance(weights, list) or not all(
            isinstance(w, np.ndarray) and w.dtype.kind in "fiub" for w in weights
        ):
            raise ParameterError(
                f"The saved state of {name} does not hold its network as "
                f"{_WEIGHTS_FORMAT!r} (a list of numeric arrays); got "
                f"{type(weights).__name__}. The file is damaged or was not written by "
                "mir_genre: retrain the model."
            )
        self._validate_params()  # the parameters build the network: check them first
        configure_backend()
        # The band statistics are weights of the network: the saved ones replace these.
        bands = (np.zeros(self.n_mels, "float32"), np.ones(self.n_mels, "float32"))
        # The policy the network was trained with (files from before mixed precision
        # existed were float32), not what "auto" would choose on this machine.
        policy = getattr(self, "dtype_policy_", "float32")
        model = self._build_network(
            (self.n_mels, self._patch_frames(), 1), len(self.classes_), bands, policy
        )
        try:
            model.set_weights(weights)
        except ValueError as exc:
            raise ParameterError(
                f"The saved weights of {name} do not fit the network its parameters build "
                f"({exc}). The file is damaged or was written by an incompatible mir_genre "
                "version: retrain the model."
            ) from None
        if saved.get("compiled") is True:
            import keras

            self._compile(model, keras)
        return model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags
