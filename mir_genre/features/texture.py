"""Texture-window statistics in the style of Tzanetakis & Cook (2002) and Marsyas.

Frame features (zero crossings, spectral centroid, roll-off and flux, MFCCs, chroma
peak ratios, optionally spectral contrast) are computed on short non-overlapping
frames (512 samples at 22050 Hz, about 23 ms).  A running mean and a running standard
deviation over a *texture window* of the last ``texture_frames`` frames (20 frames,
about 0.46 s) describe how the sound evolves; the clip is then summarised by the mean
and standard deviation over time of those running statistics, four values per frame
feature.  This is what Marsyas's ``bextract -sv`` writes (its 124-attribute GTZAN
vectors: 31 frame features x 4).

The frame features follow Marsyas's definitions, computed from one STFT of the clip
(a Hamming window, no centring, the power spectrum ``|X|**2`` of ``n_fft // 2 + 1``
bins):

``ZeroCrossings``
    one plus the strict sign changes of the raw frame, divided by its length;
``Centroid``
    the power-weighted mean bin index divided by the number of bins (0 to 1);
``Rolloff``
    the last bin whose cumulative power is still below ``roll_percent`` of the total,
    divided by the number of bins (1.0 when no bin above the first is);
``Flux``
    the sum over bins of the squared frame-to-frame change of the log power, divided
    by the number of bins times its largest term (Marsyas's "marsyas" flux; 0 for the
    first frame);
``MFCC0`` ...
    the orthonormal DCT of ``log10`` of 40 Slaney (Auditory Toolbox) mel bands of the
    power spectrum (133 Hz to 6854 Hz, area-normalised), as Marsyas's ``MFCC``;
``PeakRatio_Chroma_A`` ...
    a 12-bin chroma of the power spectrum (Ellis's filter bank, librosa's, without
    octave weighting, which reproduces Marsyas's values; pitch classes A, A#, ..., G#),
    not normalised per frame, followed by its largest value over its mean
    (``PeakRatio_Average_Chroma_A``) and over its minimum (``PeakRatio_Minimum_Chroma_A``),
    both 0 when a pitch class is empty;
``Contrast0`` ...
    librosa's spectral contrast (not in Marsyas's default set).

Column names are Marsyas's attribute names without the accumulator's ``Acc5`` tag and
without the trailing description of the spectrum: Marsyas's
``Mean_Acc5_Std_Mem20_MFCC3_Power_powerFFT_WinHamming_HopSize512_WinSize512_Sum_AudioCh0``
is ``Mean_Std_Mem20_MFCC3`` here (`marsyas_to_texture_name`).  How close the values come
to Marsyas's own is measured in ``tests/test_texture.py``.
"""

import re
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from ..exceptions import ParameterError
from ._base import BaseExtractor
from ._spectral import pad_short, quiet_degenerate
from ._stats import check_names

__all__ = [
    "CHUNK_FRAMES",
    "TEXTURE_FEATURES",
    "TextureWindows",
    "marsyas_to_texture_name",
    "texture_feature_names",
    "texture_windows",
]

#: Frame features `texture_windows` can use; the default is every one but "contrast".
TEXTURE_FEATURES = ("zcr", "centroid", "rolloff", "flux", "mfcc", "chroma", "contrast")

#: Frames whose spectra `texture_windows` computes at a time (about 95 s at 22050 Hz).
CHUNK_FRAMES = 4096

_DEFAULT_FEATURES = ("zcr", "centroid", "rolloff", "flux", "mfcc", "chroma")

#: Chroma pitch classes in Marsyas's order (librosa's chroma starts at C).
_MARSYAS_PITCHES = ("A", "A#", "B", "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#")

# Marsyas's MFCC filter bank (Slaney's Auditory Toolbox): 13 linear bands of 66.67 Hz
# from 133.33 Hz, then 27 log-spaced ones (ratio 1.0711703) up to 6853.8 Hz; librosa's
# Slaney mel scale with these edges and 40 bands gives the same triangles.
_MEL_BANDS = 40
_MEL_FMIN = 400.0 / 3.0
_MEL_FMAX = 6853.8

_CONTRAST_BANDS = 6  # librosa's default: 6 bands + the residual = 7 values per frame
_CONTRAST_FMIN = 200.0

# Marsyas's log of the power spectrum in its flux adds its smallest real.
_TINY = np.finfo(np.float64).tiny

# The order of the four statistics per frame feature: outer (over the clip) then inner
# (over the texture window), as Marsyas writes them.
_BLOCKS = (("Mean", "Mean"), ("Mean", "Std"), ("Std", "Mean"), ("Std", "Std"))


def _check_features(features, owner):
    return check_names(features, allowed=TEXTURE_FEATURES, param="features", owner=owner)


def _check_contrast(features, sr, owner):
    # librosa's contrast bands are octaves from 200 Hz; the top one must start below Nyquist.
    top = _CONTRAST_FMIN * 2 ** (_CONTRAST_BANDS - 1)
    if "contrast" in features and 2 * top >= sr:
        raise ParameterError(
            f"The 'contrast' feature of {owner} needs sr above {2 * top:g} Hz (its top band "
            f"starts at {top:g} Hz); got sr={sr}. Leave 'contrast' out of features."
        )


def _frame_names(features, n_mfcc):
    names = []
    for feature in features:
        if feature == "zcr":
            names.append("ZeroCrossings")
        elif feature == "centroid":
            names.append("Centroid")
        elif feature == "rolloff":
            names.append("Rolloff")
        elif feature == "flux":
            names.append("Flux")
        elif feature == "mfcc":
            names += [f"MFCC{i}" for i in range(n_mfcc)]
        elif feature == "chroma":
            names += [f"PeakRatio_Chroma_{p}" for p in _MARSYAS_PITCHES]
            names += ["PeakRatio_Average_Chroma_A", "PeakRatio_Minimum_Chroma_A"]
        else:  # contrast
            names += [f"Contrast{i}" for i in range(_CONTRAST_BANDS + 1)]
    return names


def texture_feature_names(*, features=_DEFAULT_FEATURES, n_mfcc=13, texture_frames=20):
    """Column names of `texture_windows`, in order.

    Parameters
    ----------
    features : sequence of str, default=("zcr", "centroid", "rolloff", "flux", "mfcc", "chroma")
        Frame features, from `TEXTURE_FEATURES`.
    n_mfcc : int > 0, default=13
        Number of MFCCs.
    texture_frames : int > 0, default=20
        Frames in the texture window (the ``Mem20`` of the names).

    Returns
    -------
    list of str
        ``"{outer}_{inner}_Mem{texture_frames}_{frame feature}"`` for the four blocks
        Mean-Mean, Mean-Std, Std-Mean, Std-Std (outer: over the clip; inner: over the
        texture window), each listing every frame feature.

    Examples
    --------
    >>> texture_feature_names(features=["zcr", "flux"])[:3]
    ['Mean_Mean_Mem20_ZeroCrossings', 'Mean_Mean_Mem20_Flux', 'Mean_Std_Mem20_ZeroCrossings']
    """
    features = _check_features(features, "texture_feature_names")
    frame = _frame_names(features, n_mfcc)
    return [
        f"{outer}_{inner}_Mem{texture_frames}_{name}" for outer, inner in _BLOCKS for name in frame
    ]


def marsyas_to_texture_name(name):
    """Map a Marsyas ``bextract`` attribute name to the column name used here.

    Parameters
    ----------
    name : str
        E.g. ``"Std_Acc5_Mean_Mem20_Centroid_Power_powerFFT_WinHamming_HopSize512_..."``.

    Returns
    -------
    str
        E.g. ``"Std_Mean_Mem20_Centroid"``: the accumulator tag (``Acc5``) and the
        description of the spectrum that follows the feature are dropped.

    Examples
    --------
    >>> marsyas_to_texture_name(
    ...     "Mean_Acc5_Mean_Mem20_ZeroCrossings_HopSize512_WinSize512_Sum_AudioCh0"
    ... )
    'Mean_Mean_Mem20_ZeroCrossings'
    """
    name = re.sub(r"^(Mean|Std)_Acc\d+_", r"\1_", name)
    return re.sub(r"_(Power_|HopSize).*$", "", name)


def _frame_features(y, *, sr, features, n_fft, hop_length, n_mfcc, roll_percent, before=None):
    """Frame features of ``y`` as a 2-D array ``(n_frame_features, n_frames)``.

    ``before`` is the log power spectrum of the frame before the first (None: there is
    none); the log power spectrum of the last frame is returned with the features, for
    the next chunk's flux.
    """
    import librosa
    import scipy.fft

    frames = librosa.util.frame(y, frame_length=n_fft, hop_length=hop_length)
    window = librosa.filters.get_window("hamming", n_fft, fftbins=False)
    # One STFT, (bins, frames), at the scale of Marsyas's real FFT (X / (2 n_fft)): only
    # the MFCCs' first coefficient and the raw chroma values depend on it.
    spectrum = np.fft.rfft(frames.T * window, axis=-1).T / (2 * n_fft)
    power = spectrum.real**2 + spectrum.imag**2
    n_bins = power.shape[0]
    total = power.sum(axis=0)
    silent = total == 0
    rows, last = [], None
    for feature in features:
        if feature == "zcr":
            # Marsyas counts strict sign changes (a zero is no crossing), starting at 1.
            up = (frames[:-1] < 0) & (frames[1:] > 0)
            down = (frames[:-1] > 0) & (frames[1:] < 0)
            rows.append((1 + np.count_nonzero(up | down, axis=0)) / n_fft)
        elif feature == "centroid":
            bins = np.arange(n_bins, dtype=np.float64)
            with np.errstate(invalid="ignore", divide="ignore"):
                centroid = (bins @ power) / total / n_bins
            rows.append(np.where(silent, 0.5, centroid))  # Marsyas's value for silence
        elif feature == "rolloff":
            cumulative = np.cumsum(power, axis=0)
            # Marsyas: the last bin (above bin 1) whose cumulative power is still under
            # the threshold, or 1.0 when there is none.
            last_below = np.count_nonzero(cumulative < roll_percent * total, axis=0) - 1
            rows.append(np.where(last_below > 1, last_below / n_bins, 1.0))
        elif feature == "flux":
            # Bins above DC, as Marsyas; the first frame, with no frame before it, has 0.
            log_power = np.log(power[1:] + _TINY)
            last = log_power[:, -1]
            if before is not None:
                log_power = np.concatenate([before[:, None], log_power], axis=1)
            diff = np.diff(log_power, axis=1) ** 2
            peak = diff.max(axis=0, initial=0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                flux = np.where(peak > 0, diff.sum(axis=0) / (peak * n_bins), 0.0)
            rows.append(flux if before is not None else np.concatenate([[0.0], flux]))
        elif feature == "mfcc":
            with warnings.catch_warnings():
                # Short FFTs leave the narrow low bands without a bin; such a band's
                # log is 0, as Marsyas has it.
                warnings.filterwarnings("ignore", message="Empty filters detected")
                mel = librosa.filters.mel(
                    sr=sr, n_fft=n_fft, n_mels=_MEL_BANDS, fmin=_MEL_FMIN, fmax=_MEL_FMAX
                )
            bands = mel @ power
            with np.errstate(divide="ignore"):
                log_bands = np.where(bands > 0, np.log10(bands), 0.0)  # Marsyas: 0 for 0
            rows.extend(scipy.fft.dct(log_bands, type=2, norm="ortho", axis=0)[:n_mfcc])
        elif feature == "chroma":
            # Ellis's filter bank without octave weighting, pitch classes from A, each
            # bin's weights of unit norm, on the power spectrum: Marsyas's values.
            weights = librosa.filters.chroma(
                sr=sr, n_fft=n_fft, tuning=0.0, base_c=False, octwidth=None
            )
            chroma = weights @ power
            peak, low = chroma.max(axis=0), chroma.min(axis=0)
            found = low != 0  # Marsyas gives both ratios 0 when a pitch class is empty
            rows.extend(chroma)
            rows.append(np.divide(peak, chroma.mean(axis=0), out=np.zeros_like(peak), where=found))
            rows.append(np.divide(peak, low, out=np.zeros_like(peak), where=found))
        else:  # contrast
            with quiet_degenerate():
                rows.extend(
                    librosa.feature.spectral_contrast(
                        S=np.sqrt(power),
                        sr=sr,
                        n_fft=n_fft,
                        n_bands=_CONTRAST_BANDS,
                        fmin=_CONTRAST_FMIN,
                    )
                )
    return np.asarray(rows, dtype=np.float64), last


def texture_windows(
    *,
    y,
    sr=22050,
    features=_DEFAULT_FEATURES,
    n_fft=512,
    hop_length=512,
    texture_frames=20,
    n_mfcc=13,
    roll_percent=0.9,
    chunk_frames=None,
):
    """Compute texture-window statistics of one clip (Marsyas ``bextract`` style).

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float
        Mono audio.  Clips shorter than ``n_fft`` are zero-padded to ``n_fft``.
    sr : int > 0, default=22050
        Sampling rate of ``y``.
    features : sequence of str, default=("zcr", "centroid", "rolloff", "flux", "mfcc", "chroma")
        Frame features, from `TEXTURE_FEATURES` (see the module's description).
    n_fft : int > 0, default=512
        Frame length and FFT size.
    hop_length : int > 0, default=512
        Hop between frames (Marsyas: equal to ``n_fft``, frames do not overlap).
    texture_frames : int > 0, default=20
        Frames in the running texture window.
    n_mfcc : int > 0, default=13
        Number of MFCCs (at most 40, the number of mel bands).
    roll_percent : float in (0, 1), default=0.9
        Fraction of the power below the roll-off.
    chunk_frames : int > 0 or None, default=None
        Frames whose spectra are computed at a time (None: `CHUNK_FRAMES`); the result
        does not depend on it, only the memory does.

    Returns
    -------
    np.ndarray [shape=(4 * n_frame_features,)], float64
        In the order of `texture_feature_names`: the mean over the clip of the running
        means, the mean of the running standard deviations, the standard deviation of
        the running means, the standard deviation of the running standard deviations.

    Notes
    -----
    The running statistics at frame ``t`` cover frames ``t - texture_frames + 1`` to
    ``t``; the first frames use the frames there are (a window padded with zero frames
    instead matched Marsyas's GTZAN values worse).  Standard deviations divide by the
    number of values.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> features = texture_windows(y=y)
    >>> features.shape
    (124,)
    >>> # Zero crossings: (1 + 2 * 440 * 512 / 22050) / 512 per sample in each frame.
    >>> round(float(features[0]), 3)
    0.042
    """
    import bottleneck as bn

    features = _check_features(features, "texture_windows")
    _check_contrast(features, sr, "texture_windows")
    y = pad_short(np.asarray(y), n_fft=n_fft)
    n_frames = 1 + (len(y) - n_fft) // hop_length
    step = chunk_frames or CHUNK_FRAMES
    # The spectra of a long song are computed a chunk of frames at a time (its frame
    # features, 31 values per frame, are kept whole for the running statistics).
    chunks, before = [], None
    for f0 in range(0, n_frames, step):
        f1 = min(f0 + step, n_frames)
        chunk, before = _frame_features(
            np.asarray(y[f0 * hop_length : (f1 - 1) * hop_length + n_fft], dtype=np.float64),
            sr=sr,
            features=features,
            n_fft=n_fft,
            hop_length=hop_length,
            n_mfcc=n_mfcc,
            roll_percent=roll_percent,
            before=before,
        )
        chunks.append(chunk)
    frame = np.concatenate(chunks, axis=1)
    window = min(texture_frames, frame.shape[1])
    running = {
        "Mean": bn.move_mean(frame, window=window, min_count=1, axis=1),
        "Std": bn.move_std(frame, window=window, min_count=1, axis=1, ddof=0),
    }
    outer = {"Mean": np.mean, "Std": np.std}
    return np.concatenate([outer[o](running[i], axis=1) for o, i in _BLOCKS])


class TextureWindows(BaseExtractor):
    """Marsyas-style texture-window statistics per track, as a transformer.

    See `texture_windows` for what is computed; the default parameters give the 124
    values of Marsyas's ``bextract -sv`` GTZAN vectors, named after its attributes
    (`marsyas_to_texture_name`).

    Parameters
    ----------
    sr : int > 0, default=22050
        Sampling rate files are decoded at, and the rate of array input.
    features : sequence of str, default=("zcr", "centroid", "rolloff", "flux", "mfcc", "chroma")
        Frame features, from ``"zcr", "centroid", "rolloff", "flux", "mfcc", "chroma",
        "contrast"``.
    n_fft : int > 0, default=512
        Frame length and FFT size.
    hop_length : int > 0, default=512
        Hop between frames.
    texture_frames : int > 0, default=20
        Frames in the running texture window.
    n_mfcc : int in [1, 40], default=13
        Number of MFCCs.
    roll_percent : float in (0, 1), default=0.9
        Fraction of the power below the roll-off.
    remove_dc : bool, default=True
        Subtract each clip's mean (its DC offset) before the features (Marsyas does
        not; on GTZAN the offsets are small).
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

    See Also
    --------
    texture_windows : the pure function.
    Tzanetakis57 : the 57 features of the public GTZAN table (whole-clip statistics).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).uniform(-0.5, 0.5, size=(2, 22050))
    >>> est = TextureWindows(features=["zcr", "mfcc"], n_mfcc=5)
    >>> est.fit_transform(X).shape
    (2, 24)
    >>> list(est.get_feature_names_out()[:2])
    ['Mean_Mean_Mem20_ZeroCrossings', 'Mean_Mean_Mem20_MFCC0']
    """

    _warm_up_seconds = 1.0

    _parameter_constraints = {
        **BaseExtractor._parameter_constraints,
        "remove_dc": ["boolean"],
        "features": ["array-like", tuple, list],
        "n_fft": [Interval(Integral, 2, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
        "texture_frames": [Interval(Integral, 1, None, closed="left")],
        "n_mfcc": [Interval(Integral, 1, _MEL_BANDS, closed="both")],
        "roll_percent": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        *,
        sr=22050,
        features=_DEFAULT_FEATURES,
        n_fft=512,
        hop_length=512,
        texture_frames=20,
        n_mfcc=13,
        roll_percent=0.9,
        remove_dc=True,
        n_jobs=None,
        memory=None,
        verbose=False,
    ):
        self.sr = sr
        self.features = features
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.texture_frames = texture_frames
        self.n_mfcc = n_mfcc
        self.roll_percent = roll_percent
        self.remove_dc = remove_dc
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    def _validate_params(self):
        super()._validate_params()
        features = _check_features(self.features, type(self).__name__)
        _check_contrast(features, self.sr, type(self).__name__)

    def _extract(self, y):
        return texture_windows(
            y=y,
            sr=self.sr,
            features=self.features,
            n_fft=self.n_fft,
            hop_length=self.hop_length,
            texture_frames=self.texture_frames,
            n_mfcc=self.n_mfcc,
            roll_percent=self.roll_percent,
        )

    def _feature_names(self):
        return texture_feature_names(
            features=self.features, n_mfcc=self.n_mfcc, texture_frames=self.texture_frames
        )

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests and `mir_genre.testing.check_plugin`.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {"n_fft": 64, "hop_length": 64, "texture_frames": 4, "n_mfcc": 5}
