"""The ``musicnn`` extractor: pretrained musicnn taggrams or embeddings, summarised per track."""

import threading
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from mir_genre.exceptions import ParameterError
from mir_genre.features import BaseExtractor, MelPatches
from mir_genre.features._stats import check_stats, stat_names, summarize

from .network import FFT_HOP, FFT_SIZE, LAYERS, MODELS, N_MELS, PATCH_FRAMES, SR, TAGS

__all__ = [
    "Musicnn",
    "MusicnnMel",
    "musicnn",
    "musicnn_feature_names",
    "musicnn_mel_shape",
    "musicnn_outputs",
    "patch_hop",
]

OUTPUTS = ("taggram", "embedding")


def patch_hop(input_overlap):
    """Frames between musicnn's patch starts for an ``input_overlap`` value.

    Parameters
    ----------
    input_overlap : False, None or float > 0
        musicnn's parameter of the same name: False (or None) cuts non-overlapping 3-s
        patches; a number of seconds is the step from one patch start to the next,
        converted to frames as musicnn converts it (``librosa.time_to_frames``), so 1.0
        gives patches every 61 frames (about 0.98 s), overlapping by 2 s.

    Returns
    -------
    int > 0

    Raises
    ------
    ParameterError
        If the step is shorter than one frame (below about 0.032 s).

    Examples
    --------
    >>> patch_hop(False), patch_hop(1), patch_hop(3.0)
    (187, 61, 186)
    """
    if input_overlap is None or input_overlap is False:
        return PATCH_FRAMES
    import librosa

    hop = int(librosa.time_to_frames(input_overlap, sr=SR, n_fft=FFT_SIZE, hop_length=FFT_HOP))
    if hop < 1:
        raise ParameterError(
            f"input_overlap={input_overlap!r} s is shorter than one spectrogram frame; give "
            f"at least {(FFT_SIZE // 2 + FFT_HOP) / SR:.3f} s, or False for patches that do "
            "not overlap."
        )
    return hop


def musicnn_outputs(y, *, model="MSD_musicnn", input_overlap=False, batch_size=32):
    """Run a pretrained musicnn over 3-s patches of one clip; per-patch outputs.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float
        Mono audio at 16 kHz (`mir_genre_musicnn.network.SR`).
    model : {"MSD_musicnn", "MTT_musicnn"}, default="MSD_musicnn"
        Pretrained model.
    input_overlap : False, None or float > 0, default=False
        Patch step in seconds, as musicnn's parameter of that name (see `patch_hop`).
    batch_size : int > 0, default=32
        Patches per forward pass.

    Returns
    -------
    dict of str to np.ndarray [shape=(n_patches, width)], float32
        ``taggram`` (tag probabilities, the model's `TAGS` order), ``max_pool``,
        ``mean_pool`` (753 each) and ``penultimate`` (200), as musicnn's ``extractor``
        returns them.

    Notes
    -----
    Patches are cut as musicnn's ``batch_data`` cuts them: every whole 3-s patch from
    the start, a shorter tail left out.  A clip shorter than one patch (musicnn itself
    fails on it) is repeated to fill one, as musicnn's training padded short clips
    (``pad_short: repeat-pad`` in the models' configuration).
    """
    from .network import load_model, log_mel, patch_starts

    y = np.asarray(y, dtype=np.float32)
    if y.size < FFT_SIZE:  # at least one full FFT frame
        y = np.pad(y, (0, FFT_SIZE - y.size))
    S = log_mel(y)
    if len(S) < PATCH_FRAMES:
        S = np.resize(S, (PATCH_FRAMES, S.shape[1]))  # repeats the frames in order
    starts = patch_starts(len(S), patch_hop(input_overlap))
    network = load_model(model)
    chunks = []
    for first in range(0, len(starts), batch_size):
        x = np.stack([S[a : a + PATCH_FRAMES] for a in starts[first : first + batch_size]])
        with _PREDICTING:  # keras's predict step is not re-entrant; each call uses all cores
            out = network.predict_on_batch(x)
        chunks.append({k: np.asarray(out[k], dtype=np.float32) for k in _PATCH_OUTPUTS})
    return {k: np.concatenate([c[k] for c in chunks]) for k in _PATCH_OUTPUTS}


_PATCH_OUTPUTS = ("taggram", *(name for name, _ in LAYERS))
_PREDICTING = threading.Lock()


def _check(model, output, layer, stats, owner):
    if model not in MODELS:
        raise ParameterError(
            f"The 'model' parameter of {owner} must be one of {list(MODELS)}; got {model!r}."
        )
    if output not in OUTPUTS:
        raise ParameterError(
            f"The 'output' parameter of {owner} must be one of {list(OUTPUTS)}; got {output!r}."
        )
    layers = [name for name, _ in LAYERS]
    if layer not in layers:
        raise ParameterError(
            f"The 'layer' parameter of {owner} must be one of {layers}; got {layer!r}."
        )
    return check_stats(stats, owner=owner)


def musicnn(
    *,
    y,
    model="MSD_musicnn",
    output="taggram",
    layer="max_pool",
    input_overlap=False,
    stats=("mean", "std"),
    batch_size=32,
):
    """Per-track summary of a pretrained musicnn's taggram or embedding.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float
        Mono audio at 16 kHz.
    model : {"MSD_musicnn", "MTT_musicnn"}, default="MSD_musicnn"
        Pretrained model: tags of the Million Song Dataset or of MagnaTagATune.
    output : {"taggram", "embedding"}, default="taggram"
        Summarise the 50 tag probabilities, or the ``layer`` embedding.
    layer : {"max_pool", "mean_pool", "penultimate"}, default="max_pool"
        Embedding for ``output="embedding"``: the max or mean over time of the mid end
        (753 values) or the penultimate dense layer (200); ignored for the taggram.
    input_overlap : False, None or float > 0, default=False
        Patch step in seconds, as musicnn's parameter of that name (see `patch_hop`).
    stats : sequence of str, default=("mean", "std")
        Statistics over patches, from ``mean, std, var, min, max, median``.
    batch_size : int > 0, default=32
        Patches per forward pass.

    Returns
    -------
    np.ndarray [shape=(len(stats) * width,)], float64
        Stat-major: every value's first statistic, then the second...

    Examples
    --------
    >>> import numpy as np
    >>> y = 0.1 * np.sin(2 * np.pi * 440 * np.arange(3 * 16000) / 16000)
    >>> musicnn(y=y).shape
    (100,)
    >>> musicnn(y=y, output="embedding", layer="penultimate", stats=["mean"]).shape
    (200,)
    """
    stats = _check(model, output, layer, stats, "musicnn")
    out = musicnn_outputs(y, model=model, input_overlap=input_overlap, batch_size=batch_size)
    values = out["taggram"] if output == "taggram" else out[layer]
    return summarize(values.T.astype(np.float64), stats)


def musicnn_feature_names(*, model="MSD_musicnn", output="taggram", layer="max_pool",
                          stats=("mean", "std")):  # fmt: skip
    """Names of `musicnn`'s output values.

    Parameters
    ----------
    model, output, layer, stats
        As `musicnn`.

    Returns
    -------
    list of str
        ``<tag>_<stat>`` for the taggram (tags lower-case, spaces as ``_``), or
        ``<layer>_<stat>_<i>`` for an embedding.

    Examples
    --------
    >>> musicnn_feature_names()[:3]
    ['rock_mean', 'pop_mean', 'alternative_mean']
    >>> musicnn_feature_names(model="MTT_musicnn", stats=["std"])[21]
    'no_vocals_std'
    >>> musicnn_feature_names(output="embedding", stats=["mean"])[:2]
    ['max_pool_mean_0', 'max_pool_mean_1']
    """
    stats = _check(model, output, layer, stats, "musicnn")
    if output == "taggram":
        tags = [tag.lower().replace(" ", "_") for tag in TAGS[model]]
        return [f"{tag}_{stat}" for stat in stats for tag in tags]
    return stat_names(layer, stats, range(dict(LAYERS)[layer]))


class _At16kHz(BaseExtractor):
    """Every clip reaches ``_extract`` at 16 kHz: files decoded at it, arrays resampled."""

    # Tracks run in threads of one process sharing one loaded network: decoding and
    # spectrograms overlap, and the network uses every core for each patch batch.  In
    # worker processes each would load keras and the weights (about 15 s, 300 MB), and
    # joblib's loky retires workers that grow that much.
    _parallel_prefer = "threads"

    def _load(self, path):
        from mir_genre.audio import load

        duration = self._duration()
        return load(path, sr=SR, duration=duration, pad=duration is not None)[0]

    def _check_array(self, X, *, reset):
        X = super()._check_array(X, reset=reset)  # at self.sr, cut to the duration if fixed
        if self.sr == SR:
            return X
        import librosa

        X = librosa.resample(X, orig_sr=self.sr, target_sr=SR, res_type="soxr_hq", axis=-1)
        duration = self._duration()
        if duration is not None:  # the resampler may give one sample more or less
            X = librosa.util.fix_length(X, size=int(round(duration * SR)), axis=-1)
        return X


class Musicnn(_At16kHz):
    """Pretrained musicnn taggram or embedding statistics per track, as a transformer.

    Every track is resampled to 16 kHz (the rate musicnn was trained at), turned into
    musicnn's log-mel spectrogram, cut into 3-s patches and run through the pretrained
    network (Keras 3, any backend; weights inside this package).  Each track gives one
    row: statistics over its patches of the 50 tag probabilities, or of an embedding.

    Parameters
    ----------
    model : {"MSD_musicnn", "MTT_musicnn"}, default="MSD_musicnn"
        Pretrained model: tags of the Million Song Dataset or of MagnaTagATune.
    output : {"taggram", "embedding"}, default="taggram"
        Summarise the tag probabilities, or the ``layer`` embedding.
    layer : {"max_pool", "mean_pool", "penultimate"}, default="max_pool"
        Embedding for ``output="embedding"`` (753, 753 or 200 values per patch).
    input_overlap : False, None or float > 0, default=False
        Patch step in seconds, as musicnn's own parameter: False cuts non-overlapping
        patches; 1.0 starts one about every second (what the published GTZAN taggrams
        used).  See `patch_hop`.
    stats : sequence of str, default=("mean", "std")
        Statistics over patches, from ``mean, std, var, min, max, median``.
    batch_size : int > 0, default=32
        Patches per forward pass.
    sr : int > 0, default=22050
        Sampling rate of array input, resampled to 16 kHz before the network.  Files are
        decoded straight to 16 kHz whatever ``sr`` is.
    n_jobs : int or None, default=None
        Tracks processed in parallel by joblib (each worker loads the model once).
    memory : str, os.PathLike, joblib.Memory or None, default=None
        Per-track feature cache.
    verbose : bool or int, default=False
        Show a progress bar.

    Attributes
    ----------
    n_features_in_ : int
        Number of samples per clip seen by `fit` with array input.

    See Also
    --------
    musicnn : the pure function.
    musicnn_outputs : the per-patch outputs.

    Examples
    --------
    >>> import numpy as np
    >>> X = 0.1 * np.sin(2 * np.pi * 440 * np.arange(2 * 22050) / 22050)[None]
    >>> est = Musicnn()
    >>> est.fit_transform(X).shape
    (1, 100)
    >>> list(est.get_feature_names_out()[[0, 50]])
    ['rock_mean', 'rock_std']
    """

    _parameter_constraints = {
        **BaseExtractor._parameter_constraints,
        "model": [StrOptions(set(MODELS))],
        "output": [StrOptions(set(OUTPUTS))],
        "layer": [StrOptions({name for name, _ in LAYERS})],
        "input_overlap": [Interval(Real, 0, None, closed="neither"), "boolean", None],
        "stats": ["array-like", tuple, list],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        model="MSD_musicnn",
        output="taggram",
        layer="max_pool",
        input_overlap=False,
        stats=("mean", "std"),
        batch_size=32,
        sr=22050,
        n_jobs=None,
        memory=None,
        verbose=False,
    ):
        self.model = model
        self.output = output
        self.layer = layer
        self.input_overlap = input_overlap
        self.stats = stats
        self.batch_size = batch_size
        self.sr = sr
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    def _validate_params(self):
        super()._validate_params()
        if self.input_overlap is True:
            raise ParameterError(
                "The 'input_overlap' parameter of Musicnn is a step in seconds (e.g. 1.0) "
                "or False for patches that do not overlap; got True."
            )
        patch_hop(self.input_overlap)
        check_stats(self.stats, owner=type(self).__name__)

    def _extract(self, y):
        # y is at 16 kHz: files are decoded at that rate, arrays resampled in _check_array.
        return musicnn(
            y=y,
            model=self.model,
            output=self.output,
            layer=self.layer,
            input_overlap=self.input_overlap,
            stats=self.stats,
            batch_size=self.batch_size,
        )

    def _feature_names(self):
        return musicnn_feature_names(
            model=self.model, output=self.output, layer=self.layer, stats=self.stats
        )

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests (the network itself has one size).

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {"stats": ("mean",)}


def musicnn_mel_shape(duration):
    """Shape ``(96, n_frames)`` of the `MusicnnMel` spectrogram of a clip of ``duration`` s.

    Parameters
    ----------
    duration : float > 0
        Clip length in seconds.

    Returns
    -------
    tuple of int

    Examples
    --------
    >>> musicnn_mel_shape(30.0)
    (96, 1876)
    """
    return (N_MELS, 1 + max(int(round(duration * SR)), FFT_SIZE) // FFT_HOP)


class MusicnnMel(_At16kHz, MelPatches):
    """musicnn's input spectrogram of whole clips at a fixed duration, flattened.

    The input `musicnn_finetune` trains on: every clip is resampled to 16 kHz, padded
    with silence or cropped to ``duration`` seconds, and turned into musicnn's
    ``log10(10000 * mel + 1)`` spectrogram (96 bands, hop 256;
    `mir_genre_musicnn.network.log_mel`).  A `mir_genre.features.MelPatches` whose
    spectrogram is musicnn's: rows are band-major and reshape to ``(96, n_frames)``.

    Parameters
    ----------
    duration : float > 0, default=30.0
        Clip length in seconds (pad or crop).
    sr : int > 0, default=22050
        Sampling rate of array input, resampled to 16 kHz.  Files are decoded straight
        to 16 kHz.
    n_jobs : int or None, default=None
        Tracks processed in parallel by joblib.
    memory : str, os.PathLike, joblib.Memory or None, default=None
        Per-track feature cache.
    verbose : bool or int, default=False
        Show a progress bar.

    Attributes
    ----------
    n_features_in_ : int
        Number of samples per clip seen by `fit` with array input.

    Examples
    --------
    >>> import numpy as np
    >>> est = MusicnnMel(duration=3.0)
    >>> est.spectrogram_shape
    (96, 188)
    >>> est.fit_transform(np.zeros((2, 3 * 22050))).shape
    (2, 18048)
    """

    _parameter_constraints = {
        **BaseExtractor._parameter_constraints,
        "duration": [Interval(Real, 0, None, closed="neither")],
    }
    _fixed_duration_param = "duration"

    def __init__(self, *, duration=30.0, sr=22050, n_jobs=None, memory=None, verbose=False):
        self.duration = duration
        self.sr = sr
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    @property
    def spectrogram_shape(self):
        """``(96, n_frames)`` of each row before flattening."""
        return musicnn_mel_shape(self.duration)

    def _extract(self, y):
        from .network import log_mel

        y = np.asarray(y, dtype=np.float32)
        if y.size < FFT_SIZE:
            y = np.pad(y, (0, FFT_SIZE - y.size))
        return log_mel(y).T.ravel()

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {"duration": 0.1}
