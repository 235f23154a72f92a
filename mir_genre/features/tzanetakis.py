"""The 57 Tzanetakis-style descriptors of the public GTZAN ``features_30_sec.csv`` table.

The definitions follow the librosa recipe that produced that table (sampling rate
22050 Hz, ``n_fft=2048``, ``hop_length=512``, mean and variance over frames): chroma,
RMS, spectral centroid, bandwidth and roll-off, zero-crossing rate, the mean and
variance of the HPSS harmonic ("harmony") and percussive ("perceptr") signals, the
tempo from the onset envelope, and 20 MFCCs.

The recipe runs each librosa function on the raw signal, so it computes six STFTs and
two full harmonic/percussive separations.  :func:`tzanetakis57` computes one STFT, one
separation (with a fast running median) and one mel spectrogram (shared by the MFCCs
and the onset envelope), and gives the same values.
"""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import BaseExtractor
from ._spectral import hpss, pad_short, quiet_degenerate, stft, thread_pool

__all__ = ["TZANETAKIS57_NAMES", "tzanetakis57", "tzanetakis57_reference", "Tzanetakis57"]

_SPECTRAL = [
    "chroma_stft",
    "rms",
    "spectral_centroid",
    "spectral_bandwidth",
    "rolloff",
    "zero_crossing_rate",
    "harmony",
    "perceptr",
]

#: Column names and order of the public GTZAN ``features_30_sec.csv`` (without
#: ``filename``, ``length`` and ``label``).
TZANETAKIS57_NAMES = (
    [f"{base}_{stat}" for base in _SPECTRAL for stat in ("mean", "var")]
    + ["tempo"]
    + [f"mfcc{i}_{stat}" for i in range(1, 21) for stat in ("mean", "var")]
)


def tzanetakis57(*, y, sr=22050, n_fft=2048, hop_length=512, kernel_size=31):
    """Compute the 57 GTZAN-table descriptors of one clip.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float
        Mono audio.  Clips shorter than ``n_fft`` are zero-padded to ``n_fft``.
    sr : int > 0, default=22050
        Sampling rate of ``y``.
    n_fft : int > 0, default=2048
        FFT size (also the frame length of RMS and zero-crossing rate).
    hop_length : int > 0, default=512
        Hop between frames.
    kernel_size : int > 0, odd, default=31
        Median filter length of the harmonic/percussive separation.

    Returns
    -------
    np.ndarray [shape=(57,)], float64
        The features in the order of `TZANETAKIS57_NAMES`.

    See Also
    --------
    Tzanetakis57 : the scikit-learn transformer around this function.

    Examples
    --------
    >>> import numpy as np
    >>> sr = 22050
    >>> y = np.sin(2 * np.pi * 440 * np.arange(sr) / sr).astype(np.float32)
    >>> features = tzanetakis57(y=y, sr=sr)
    >>> features.shape
    (57,)
    >>> bool(np.isfinite(features).all())
    True
    """
    import librosa
    import librosa.feature.rhythm

    y = pad_short(np.asarray(y), n_fft=n_fft)
    D = stft(y, n_fft=n_fft, hop_length=hop_length)
    # The harmonic/percussive branch (median filters, masks, two inverse STFTs) runs in a
    # worker thread while this one computes the other features: the heavy numpy and
    # bottleneck calls release the GIL, so two cores share the work.
    with thread_pool(2) as pool:
        separated = pool.submit(
            _separated_signals,
            D,
            length=y.shape[-1],
            dtype=y.dtype,
            hop_length=hop_length,
            kernel_size=kernel_size,
        )
        mag = np.abs(D)
        power = mag**2
        with quiet_degenerate():
            chroma = librosa.feature.chroma_stft(
                S=power, sr=sr, n_fft=n_fft, hop_length=hop_length
            )
        rms = librosa.feature.rms(y=y, frame_length=n_fft, hop_length=hop_length)
        centroid = librosa.feature.spectral_centroid(
            S=mag, sr=sr, n_fft=n_fft, hop_length=hop_length
        )
        bandwidth = librosa.feature.spectral_bandwidth(
            S=mag, sr=sr, n_fft=n_fft, hop_length=hop_length, centroid=centroid
        )
        rolloff = librosa.feature.spectral_rolloff(
            S=mag, sr=sr, n_fft=n_fft, hop_length=hop_length
        )
        zcr = librosa.feature.zero_crossing_rate(y, frame_length=n_fft, hop_length=hop_length)
        # One mel spectrogram in dB serves both the MFCCs and the onset envelope, exactly as
        # librosa.feature.mfcc(y=...) and librosa.onset.onset_strength(y=...) compute it.
        mel_db = librosa.power_to_db(librosa.feature.melspectrogram(S=power, sr=sr))
        mfcc = librosa.feature.mfcc(S=mel_db, sr=sr, n_mfcc=20)
        onset_env = librosa.onset.onset_strength(
            S=mel_db, sr=sr, n_fft=n_fft, hop_length=hop_length
        )
        tempo = librosa.feature.rhythm.tempo(
            onset_envelope=onset_env, sr=sr, hop_length=hop_length
        )
        harmony, perceptr = separated.result()

    out = []
    for values in (chroma, rms, centroid, bandwidth, rolloff, zcr, harmony, perceptr):
        out += [np.mean(values), np.var(values)]
    out.append(tempo.item())
    for row in mfcc:
        out += [np.mean(row), np.var(row)]
    return np.asarray(out, dtype=np.float64)


def _separated_signals(D, *, length, dtype, hop_length, kernel_size):
    """Harmonic and percussive waveforms, as librosa.effects.harmonic/percussive give them."""
    import librosa

    D_harm, D_perc = hpss(D, kernel_size=kernel_size)
    harmony = librosa.istft(D_harm, hop_length=hop_length, length=length, dtype=dtype)
    perceptr = librosa.istft(D_perc, hop_length=hop_length, length=length, dtype=dtype)
    return harmony, perceptr


def tzanetakis57_reference(*, y, sr=22050):
    """Compute the 57 descriptors by the plain tutorial recipe (slow; the definition).

    Each librosa feature function runs separately on the raw signal, and
    `librosa.effects.harmonic` and `librosa.effects.percussive` each run their own
    separation.  Kept as the executable definition `tzanetakis57` is checked against
    (tests and benchmarks); use `tzanetakis57` for real work.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float
        Mono audio, at least 2048 samples.
    sr : int > 0, default=22050
        Sampling rate of ``y``.

    Returns
    -------
    np.ndarray [shape=(57,)], float64
        The features in the order of `TZANETAKIS57_NAMES`.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> bool(np.allclose(tzanetakis57_reference(y=y), tzanetakis57(y=y)))
    True
    """
    import librosa
    import librosa.feature.rhythm

    parts = [
        librosa.feature.chroma_stft(y=y, sr=sr),
        librosa.feature.rms(y=y),
        librosa.feature.spectral_centroid(y=y, sr=sr),
        librosa.feature.spectral_bandwidth(y=y, sr=sr),
        librosa.feature.spectral_rolloff(y=y, sr=sr),
        librosa.feature.zero_crossing_rate(y),
        librosa.effects.harmonic(y),
        librosa.effects.percussive(y),
    ]
    out = [stat for values in parts for stat in (np.mean(values), np.var(values))]
    out.append(librosa.feature.rhythm.tempo(y=y, sr=sr).item())
    for row in librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20):
        out += [np.mean(row), np.var(row)]
    return np.asarray(out, dtype=np.float64)


class Tzanetakis57(BaseExtractor):
    """The 57 descriptors of the public GTZAN feature table, as a transformer.

    Output columns have exactly the names and order of ``features_30_sec.csv``
    (``chroma_stft_mean`` ... ``mfcc20_var``).

    Parameters
    ----------
    sr : int > 0, default=22050
        Sampling rate files are decoded at, and the rate of array input.
    n_fft : int > 0, default=2048
        FFT size.  Keep the default to match the public table.
    hop_length : int > 0, default=512
        Hop between frames.  Keep the default to match the public table.
    n_jobs : int or None, default=None
        Tracks processed in parallel by joblib (``-1``: all cores).
    memory : str, os.PathLike, joblib.Memory or None, default=None
        Per-track feature cache (a directory or a `joblib.Memory`).
    verbose : bool or int, default=False
        Show a progress bar.

    Attributes
    ----------
    n_features_in_ : int
        Number of samples per clip seen by `fit` with array input.

    See Also
    --------
    tzanetakis57 : the pure function computing one clip's features.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).uniform(-0.5, 0.5, size=(2, 22050))
    >>> Tzanetakis57().fit_transform(X).shape
    (2, 57)
    >>> list(Tzanetakis57().get_feature_names_out()[:3])
    ['chroma_stft_mean', 'chroma_stft_var', 'rms_mean']
    """

    _parameter_constraints = {
        **BaseExtractor._parameter_constraints,
        "n_fft": [Interval(Integral, 1, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self, *, sr=22050, n_fft=2048, hop_length=512, n_jobs=None, memory=None, verbose=False
    ):
        self.sr = sr
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    def _extract(self, y):
        return tzanetakis57(y=y, sr=self.sr, n_fft=self.n_fft, hop_length=self.hop_length)

    def _feature_names(self):
        return list(TZANETAKIS57_NAMES)

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests and `mir_genre.testing.check_plugin`.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        # Tiny inputs are padded to one FFT window, so the defaults are cheap already; a
        # smaller n_fft would leave some of the 128 mel bands of the MFCCs empty.
        return {}
