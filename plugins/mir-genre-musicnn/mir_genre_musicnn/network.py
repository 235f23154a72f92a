"""musicnn in Keras 3: the spectrogram, the network, the converted weights and patching.

The network is musicnn's ``build_musicnn`` (Pons & Serra 2019, ``musicnn/models.py``)
layer for layer, so that the converted checkpoints give the original outputs:

front end
    batch normalisation of the log-mel input ``(time, 96 bands)``; two timbral
    convolutions (7 frames x 38 and x 67 bands, 204 filters each, time padded by 3 on
    both sides) and three temporal ones (128, 64 and 32 frames x 1 band, 51 filters,
    ``same`` padding), each ReLU, batch normalisation and a max over all bands; their
    561 channels are concatenated.
mid end
    three 7-frame convolutions of 64 filters over the 561 channels (time padded by 3),
    each ReLU and batch normalisation, the second and third with residual connections;
    the front end and the three outputs are concatenated (753 channels).
back end
    max and mean over time (``max_pool``, ``mean_pool``; interleaved, 1506 values),
    batch normalisation, dropout, a 200-unit ReLU layer, batch normalisation
    (``penultimate``), dropout, and 50 logits; the taggram is their sigmoid.

Layers carry the TensorFlow variable scopes of the checkpoint as names (``conv2d_5``,
``batch_normalization_9`` ...), which is how `load_weights` maps the ``.npz`` arrays.
"""

import functools
import json
import threading
from importlib import resources

import numpy as np

__all__ = [
    "FFT_HOP",
    "FFT_SIZE",
    "MODELS",
    "N_MELS",
    "PATCH_FRAMES",
    "SR",
    "TAGS",
    "build_musicnn",
    "load_model",
    "log_mel",
    "patch_starts",
    "weights_source",
]

#: musicnn's signal processing: 16 kHz audio, 512-point FFT, hop 256, 96 mel bands.
SR = 16000
FFT_SIZE = 512
FFT_HOP = 256
N_MELS = 96

#: Frames of one 3-s input patch: ``librosa.time_to_frames(3, sr=16000, n_fft=512,
#: hop_length=256) + 1``, as musicnn computes it.
PATCH_FRAMES = 187

#: Tags of each model's outputs, in output order (musicnn's ``configuration.py``).
TAGS = {
    "MTT_musicnn": (
        "guitar", "classical", "slow", "techno", "strings", "drums", "electronic", "rock",
        "fast", "piano", "ambient", "beat", "violin", "vocal", "synth", "female", "indian",
        "opera", "male", "singing", "vocals", "no vocals", "harpsichord", "loud", "quiet",
        "flute", "woman", "male vocal", "no vocal", "pop", "soft", "sitar", "solo", "man",
        "classic", "choir", "voice", "new age", "dance", "male voice", "female vocal",
        "beats", "harp", "cello", "no voice", "weird", "country", "metal", "female voice",
        "choral",
    ),
    "MSD_musicnn": (
        "rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance",
        "00s", "alternative rock", "jazz", "beautiful", "metal", "chillout",
        "male vocalists", "classic rock", "soul", "indie rock", "Mellow", "electronica",
        "80s", "folk", "90s", "chill", "instrumental", "punk", "oldies", "blues",
        "hard rock", "ambient", "acoustic", "experimental", "female vocalist", "guitar",
        "Hip-Hop", "70s", "party", "country", "easy listening", "sexy", "catchy", "funk",
        "electro", "heavy metal", "Progressive rock", "60s", "rnb", "indie pop", "sad",
        "House", "happy",
    ),
}  # fmt: skip

#: The pretrained models shipped with the plugin: MagnaTagATune and Million Song Dataset.
MODELS = tuple(TAGS)

#: Outputs of the network besides the taggram: ``(name, width)``.
LAYERS = (("max_pool", 753), ("mean_pool", 753), ("penultimate", 200))

_FLOAT16_MAX = float(np.finfo(np.float16).max)


def log_mel(y):
    """Compute musicnn's input representation of 16 kHz audio, ``log10(10000 * mel + 1)``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float
        Mono audio at 16 kHz.

    Returns
    -------
    np.ndarray [shape=(1 + n // 256, 96)], float32
        Time-major log-compressed mel power spectrogram, as musicnn's ``batch_data``
        computes it: librosa's mel spectrogram (n_fft 512, hop 256, 96 bands), rounded
        to float16 as musicnn stores it, then ``log10(10000 * S + 1)`` in float32.

    Notes
    -----
    musicnn's own code evaluates ``10000 * S`` on its float16 array; under NumPy 1.x
    (which it pins) that computes in float32, but under NumPy 2 it stays float16 and
    overflows for mel power above 6.55 (most real music), giving infinite inputs and
    NaN tags.  This function computes what musicnn computed when it was published.
    Power beyond float16's range (above 65504, only for signals far louder than full
    scale) is clipped to it instead of becoming infinite.

    Examples
    --------
    >>> import numpy as np
    >>> y = 0.1 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)
    >>> log_mel(y).shape
    (63, 96)
    """
    import librosa

    S = librosa.feature.melspectrogram(
        y=np.asarray(y, dtype=np.float32), sr=SR, n_fft=FFT_SIZE, hop_length=FFT_HOP,
        n_mels=N_MELS,
    ).T  # fmt: skip
    S = np.minimum(S, _FLOAT16_MAX).astype(np.float16).astype(np.float32)
    return np.log10(np.float32(10000) * S + np.float32(1))


def patch_starts(n_frames, hop):
    """First frames of musicnn's input patches over a spectrogram of ``n_frames``.

    Parameters
    ----------
    n_frames : int > 0
        Frames of the spectrogram.
    hop : int > 0
        Frames between patch starts (``PATCH_FRAMES`` for non-overlapping patches).

    Returns
    -------
    np.ndarray of int
        ``0, hop, 2 * hop, ...`` for every patch that fits whole, as musicnn's
        ``batch_data`` cuts them (a tail shorter than a patch is left out); ``[0]`` for a
        spectrogram shorter than one patch, which the caller pads.

    Examples
    --------
    >>> patch_starts(1876, 187).tolist()
    [0, 187, 374, 561, 748, 935, 1122, 1309, 1496, 1683]
    >>> len(patch_starts(1876, 61)), patch_starts(100, 187).tolist()
    (28, [0])
    """
    return np.arange(0, max(n_frames - PATCH_FRAMES, 0) + 1, hop)


def _frontend_block(x, *, conv, bn, filters, kernel, padding):
    from keras import layers

    x = layers.Conv2D(filters, kernel, padding=padding, activation="relu", name=conv)(x)
    x = layers.BatchNormalization(epsilon=1e-3, name=bn)(x)
    # A max over every remaining band, then (time, 1, filters) -> (time, filters).
    x = layers.MaxPooling2D((1, x.shape[2]), name=f"{conv}_band_max")(x)
    return layers.Reshape((-1, filters), name=f"{conv}_squeeze")(x)


def _midend_block(x, *, conv, bn, filters):
    from keras import layers

    x = layers.ZeroPadding1D(3, name=f"{conv}_pad")(x)
    x = layers.Conv1D(filters, 7, activation="relu", name=conv)(x)
    return layers.BatchNormalization(epsilon=1e-3, name=bn)(x)


def build_musicnn(n_tags=50, *, n_frames=PATCH_FRAMES, midend_filters=64, backend_units=200):
    """Build the musicnn network (see the module docstring), untrained.

    Parameters
    ----------
    n_tags : int > 0, default=50
        Output units.
    n_frames : int > 0 or None, default=PATCH_FRAMES
        Frames per input patch; None accepts any length (the network pools over time).
    midend_filters : int > 0, default=64
        Filters of each mid-end convolution.
    backend_units : int > 0, default=200
        Units of the penultimate dense layer.

    Returns
    -------
    keras.Model
        Input ``(batch, n_frames, 96)`` log-mel patches (`log_mel`); outputs a dict with
        ``taggram`` (sigmoid of the logits), ``logits``, ``max_pool``, ``mean_pool`` and
        ``penultimate``.
    """
    import keras
    from keras import layers

    inputs = keras.Input((n_frames, N_MELS), name="log_mel")
    x = layers.Reshape((-1, N_MELS, 1), name="expand")(inputs)
    x = layers.BatchNormalization(epsilon=1e-3, name="batch_normalization")(x)
    padded = layers.ZeroPadding2D(((3, 3), (0, 0)), name="timbral_pad")(x)
    blocks = [
        _frontend_block(padded, conv="conv2d", bn="batch_normalization_1", filters=204,
                        kernel=(7, int(0.4 * N_MELS)), padding="valid"),
        _frontend_block(padded, conv="conv2d_1", bn="batch_normalization_2", filters=204,
                        kernel=(7, int(0.7 * N_MELS)), padding="valid"),
    ]  # fmt: skip
    for i, length in enumerate((128, 64, 32)):
        blocks.append(
            _frontend_block(x, conv=f"conv2d_{2 + i}", bn=f"batch_normalization_{3 + i}",
                            filters=51, kernel=(length, 1), padding="same")
        )  # fmt: skip
    frontend = layers.Concatenate(axis=-1, name="frontend")(blocks)

    cnn1 = _midend_block(frontend, conv="conv2d_5", bn="batch_normalization_6",
                         filters=midend_filters)  # fmt: skip
    cnn2 = layers.Add(name="res_cnn2")(
        [_midend_block(cnn1, conv="conv2d_6", bn="batch_normalization_7",
                       filters=midend_filters), cnn1]
    )  # fmt: skip
    cnn3 = layers.Add(name="res_cnn3")(
        [_midend_block(cnn2, conv="conv2d_7", bn="batch_normalization_8",
                       filters=midend_filters), cnn2]
    )  # fmt: skip
    midend = layers.Concatenate(axis=-1, name="midend")([frontend, cnn1, cnn2, cnn3])

    width = midend.shape[-1]
    max_pool = layers.GlobalMaxPooling1D(name="max_pool")(midend)
    mean_pool = layers.GlobalAveragePooling1D(name="mean_pool")(midend)
    # musicnn flattens (channels, [max, mean]): the two pools interleave channel by channel.
    pooled = layers.Concatenate(axis=-1, name="pools")(
        [layers.Reshape((width, 1), name=f"{p.name}_col")(p) for p in (max_pool, mean_pool)]
    )
    x = layers.Flatten(name="flat_pool")(pooled)
    x = layers.BatchNormalization(epsilon=1e-3, name="batch_normalization_9")(x)
    x = layers.Dropout(0.5, name="dropout")(x)
    x = layers.Dense(backend_units, activation="relu", name="dense")(x)
    penultimate = layers.BatchNormalization(epsilon=1e-3, name="batch_normalization_10")(x)
    x = layers.Dropout(0.5, name="dropout_1")(penultimate)
    logits = layers.Dense(n_tags, name="dense_1")(x)
    taggram = layers.Activation("sigmoid", name="taggram")(logits)
    outputs = {
        "taggram": taggram,
        "logits": logits,
        "max_pool": max_pool,
        "mean_pool": mean_pool,
        "penultimate": penultimate,
    }
    return keras.Model(inputs, outputs, name="musicnn")


def _weights_file(model):
    if model not in MODELS:
        from mir_genre.exceptions import ParameterError

        raise ParameterError(f"Unknown musicnn model {model!r}; choose one of {list(MODELS)}.")
    return resources.files(__package__).joinpath("weights").joinpath(f"{model}.npz")


def weights_source(model):
    """Provenance of a shipped weights file (musicnn version, checkpoint sha256, licence).

    Parameters
    ----------
    model : {"MSD_musicnn", "MTT_musicnn"}
        Pretrained model.

    Returns
    -------
    dict

    Examples
    --------
    >>> weights_source("MSD_musicnn")["musicnn"]
    '0.1.0'
    """
    with _weights_file(model).open("rb") as f, np.load(f) as arrays:
        return json.loads(str(arrays["_source"]))


def load_weights(network, model):
    """Set the converted checkpoint's arrays on a network from `build_musicnn`.

    Parameters
    ----------
    network : keras.Model
        A musicnn network.
    model : {"MSD_musicnn", "MTT_musicnn"}
        Pretrained model.

    Returns
    -------
    keras.Model
        ``network``, with every layer named after a checkpoint scope loaded.
    """
    with _weights_file(model).open("rb") as f, np.load(f) as arrays:
        stored = {name: arrays[name] for name in arrays.files if name != "_source"}
    scopes = sorted({name.split("/")[0] for name in stored})
    for scope in scopes:
        layer = network.get_layer(scope)
        if scope.startswith("batch_normalization"):
            keys = ("gamma", "beta", "moving_mean", "moving_variance")
        else:
            keys = ("kernel", "bias")
        values = [stored[f"{scope}/{key}"] for key in keys]
        # TF1 stored the mid-end's 1-D convolutions as (7, channels, 1, filters) conv2d kernels.
        values = [v.reshape(w.shape) for v, w in zip(values, layer.get_weights(), strict=True)]
        layer.set_weights(values)
    return network


_LOADING = threading.Lock()


def load_model(model="MSD_musicnn"):
    """Return the pretrained network, built and loaded once per process.

    Parameters
    ----------
    model : {"MSD_musicnn", "MTT_musicnn"}, default="MSD_musicnn"
        Pretrained model: Million Song Dataset or MagnaTagATune tags.

    Returns
    -------
    keras.Model
        See `build_musicnn`; takes 3-s patches of `log_mel` frames.
    """
    _weights_file(model)  # an unknown name fails before keras is imported
    with _LOADING:  # threads extracting at once share one network
        return _load_model(model)


@functools.lru_cache(maxsize=4)
def _load_model(model):
    from mir_genre.classifiers.keras.backend import configure_backend

    configure_backend()
    return load_weights(build_musicnn(len(TAGS[model])), model)
