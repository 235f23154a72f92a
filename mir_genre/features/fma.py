"""The 518 librosa features of the FMA dataset's ``features.csv``, with its column layout.

FMA (Defferrard et al., "FMA: A Dataset For Music Analysis", ISMIR 2017) ships one table
of 518 features per track: eleven frame-wise librosa features, each summarised over
frames by seven statistics.  Its ``features.csv`` has three header rows, one per level
of a column MultiIndex ``(feature, statistics, number)``, with the columns sorted::

    feature,chroma_cens,chroma_cens,...,zcr
    statistics,kurtosis,kurtosis,...,std
    number,01,02,...,01
    track_id,,,...,
    2,7.1806526184e+00,...

=====================  ====  =====================================================
feature                rows  computed from
=====================  ====  =====================================================
``chroma_cens``          12  the shared constant-Q transform
``chroma_cqt``           12  the shared constant-Q transform
``chroma_stft``          12  the shared STFT (power)
``mfcc``                 20  a mel spectrogram of the shared STFT (power, in dB)
``rmse``                  1  the shared STFT (`librosa.feature.rms`)
``spectral_bandwidth``    1  the shared STFT
``spectral_centroid``     1  the shared STFT
``spectral_contrast``     7  the shared STFT (6 bands and the residual)
``spectral_rolloff``      1  the shared STFT
``tonnetz``               6  ``chroma_cens``
``zcr``                   1  the waveform
=====================  ====  =====================================================

Statistics over frames: ``kurtosis``, ``max``, ``mean``, ``median``, ``min``, ``skew``,
``std`` (`scipy.stats.kurtosis` and `scipy.stats.skew` with their defaults: Fisher's
excess kurtosis, biased estimators).  Numbers are the row, from ``01``, zero-padded.

The flat names of `FMA518.get_feature_names_out` keep the three levels, joined by a
double underscore (``chroma_cens__kurtosis__01``); `fma_columns` turns them into FMA's
MultiIndex and `fma_names` turns such a MultiIndex (read with
``pd.read_csv(path, header=[0, 1, 2], index_col=0)``) back into flat names.
"""

import warnings
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval

from ..exceptions import ParameterError
from ._base import BaseExtractor
from ._frames import estimate_tuning
from ._spectral import melspectrogram, pad_short, quiet_degenerate, stft

__all__ = [
    "FMA518",
    "FMA518_NAMES",
    "FMA_FEATURE_SIZES",
    "FMA_STATISTICS",
    "fma518",
    "fma_columns",
    "fma_names",
]

#: Rows of each frame-wise feature, by FMA's feature name.
FMA_FEATURE_SIZES = {
    "chroma_cens": 12,
    "chroma_cqt": 12,
    "chroma_stft": 12,
    "mfcc": 20,
    "rmse": 1,
    "spectral_bandwidth": 1,
    "spectral_centroid": 1,
    "spectral_contrast": 7,
    "spectral_rolloff": 1,
    "tonnetz": 6,
    "zcr": 1,
}

#: The statistics over frames, in FMA's (sorted) column order.
FMA_STATISTICS = ("kurtosis", "max", "mean", "median", "min", "skew", "std")

#: The three levels of FMA's column MultiIndex.
FMA_LEVELS = ("feature", "statistics", "number")

#: Separator of the levels in the flat feature names.
SEP = "__"

# FMA's constant-Q transform: 7 octaves of 12 bins from librosa's default fmin (C1).
_CQT_BINS_PER_OCTAVE = 12
_CQT_OCTAVES = 7


def _columns():
    """``(feature, statistics, number)`` tuples in FMA's order (sorted, as its CSV)."""
    return sorted(
        (feature, stat, f"{i + 1:02d}")
        for feature, size in FMA_FEATURE_SIZES.items()
        for stat in FMA_STATISTICS
        for i in range(size)
    )


#: The 518 flat names, in column order.
FMA518_NAMES = tuple(SEP.join(column) for column in _columns())


def fma_columns(names=FMA518_NAMES):
    """Turn flat feature names into the ``(feature, statistics, number)`` MultiIndex of FMA.

    Parameters
    ----------
    names : sequence of str, default=FMA518_NAMES
        Names such as ``"chroma_cens__kurtosis__01"``.

    Returns
    -------
    pandas.MultiIndex
        Levels named ``feature``, ``statistics``, ``number`` (numbers as FMA's strings).

    Raises
    ------
    ParameterError
        If a name does not have exactly three parts separated by ``"__"``.

    Examples
    --------
    >>> fma_columns(["zcr__max__01"]).tolist()
    [('zcr', 'max', '01')]
    """
    import pandas as pd

    tuples = []
    for name in names:
        parts = str(name).split(SEP)
        if len(parts) != 3 or not all(parts):
            raise ParameterError(
                f"FMA feature names have three non-empty parts joined by {SEP!r} "
                f"(feature, statistics, number), e.g. 'mfcc__mean__01'; got {name!r}."
            )
        tuples.append(tuple(parts))
    return pd.MultiIndex.from_tuples(tuples, names=FMA_LEVELS)


def fma_names(columns):
    """Turn FMA's ``(feature, statistics, number)`` columns into flat feature names.

    Parameters
    ----------
    columns : pandas.MultiIndex or sequence of 3-tuples
        Columns as ``pd.read_csv(path, header=[0, 1, 2], index_col=0)`` reads FMA's
        ``features.csv``; numbers read as integers are zero-padded back to two digits.

    Returns
    -------
    list of str
        Names such as ``"chroma_cens__kurtosis__01"``.

    Raises
    ------
    ParameterError
        If a column does not have three levels.

    Examples
    --------
    >>> fma_names([("zcr", "max", "01")])
    ['zcr__max__01']
    """
    names = []
    for column in columns:
        if not isinstance(column, tuple) or len(column) != 3:
            raise ParameterError(
                f"FMA columns have three levels (feature, statistics, number); got {column!r}."
            )
        feature, stat, number = column
        number = f"{number:02d}" if isinstance(number, Integral) else str(number)
        names.append(SEP.join((str(feature), str(stat), number)))
    return names


def _frame_features(y, sr, n_fft, hop_length):
    """FMA's eleven frame-wise features of one clip: ``{name: array (rows, frames)}``.

    One magnitude STFT serves chroma_stft, rms, the spectral shape features, the mel
    spectrogram of the MFCCs and the tuning estimate of the CQT (librosa would compute
    that from a second STFT of the same size and hop, with the defaults); one CQT serves
    chroma_cqt and chroma_cens, and tonnetz comes from chroma_cens, as in FMA.
    """
    import librosa

    features = {
        "zcr": librosa.feature.zero_crossing_rate(y, frame_length=n_fft, hop_length=hop_length)
    }
    S = np.abs(stft(y, n_fft=n_fft, hop_length=hop_length))
    power = S**2
    tuning = estimate_tuning(S, sr=sr, bins_per_octave=_CQT_BINS_PER_OCTAVE)
    C = np.abs(
        librosa.cqt(
            y,
            sr=sr,
            hop_length=hop_length,
            n_bins=_CQT_OCTAVES * _CQT_BINS_PER_OCTAVE,
            bins_per_octave=_CQT_BINS_PER_OCTAVE,
            tuning=tuning,
        )
    )
    # bins_per_octave given explicitly: the CQT has 12 bins per octave (librosa >= 0.7
    # would otherwise read it as 36, which FMA's librosa did not).
    chroma_kw = {"n_chroma": 12, "n_octaves": _CQT_OCTAVES, "bins_per_octave": 12}
    features["chroma_cqt"] = librosa.feature.chroma_cqt(C=C, sr=sr, **chroma_kw)
    features["chroma_cens"] = librosa.feature.chroma_cens(C=C, sr=sr, **chroma_kw)
    features["tonnetz"] = librosa.feature.tonnetz(chroma=features["chroma_cens"], sr=sr)
    features["chroma_stft"] = librosa.feature.chroma_stft(
        S=power, sr=sr, n_chroma=12, tuning=estimate_tuning(power, sr=sr)
    )
    features["rmse"] = librosa.feature.rms(S=S, frame_length=n_fft)
    features["spectral_centroid"] = librosa.feature.spectral_centroid(S=S, sr=sr)
    features["spectral_bandwidth"] = librosa.feature.spectral_bandwidth(S=S, sr=sr)
    features["spectral_contrast"] = librosa.feature.spectral_contrast(S=S, sr=sr, n_bands=6)
    features["spectral_rolloff"] = librosa.feature.spectral_rolloff(S=S, sr=sr)
    mel = melspectrogram(power, sr=sr)
    features["mfcc"] = librosa.feature.mfcc(S=librosa.power_to_db(mel), n_mfcc=20)
    return features


def _statistics(M):
    """FMA's seven statistics of each row of ``M`` over frames, by name (float64)."""
    from scipy import stats

    M = np.asarray(M, dtype=np.float64)
    with warnings.catch_warnings():
        # Constant rows (silence, a flat band): scipy warns of precision loss and gives
        # NaN; the moments are then defined as scipy < 1.9, which FMA used, gave them:
        # skew 0 and excess kurtosis -3.
        warnings.filterwarnings("ignore", message="Precision loss", category=RuntimeWarning)
        skew = stats.skew(M, axis=1)
        kurtosis = stats.kurtosis(M, axis=1)
    constant = np.ptp(M, axis=1) == 0
    skew = np.where(constant | np.isnan(skew), 0.0, skew)
    kurtosis = np.where(constant | np.isnan(kurtosis), -3.0, kurtosis)
    return {
        "kurtosis": kurtosis,
        "max": np.max(M, axis=1),
        "mean": np.mean(M, axis=1),
        "median": np.median(M, axis=1),
        "min": np.min(M, axis=1),
        "skew": skew,
        "std": np.std(M, axis=1),
    }


def fma518(*, y, sr=22050, n_fft=2048, hop_length=512):
    """FMA's 518 features of one clip, in the column order of its ``features.csv``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float
        Mono audio.  Clips shorter than ``n_fft`` are zero-padded to ``n_fft``.
    sr : int > 0, default=22050
        Sampling rate of ``y``.
    n_fft : int > 0, default=2048
        FFT size of the shared STFT and frame length of the zero-crossing rate.
    hop_length : int > 0, default=512
        Hop between frames of every feature (a multiple of 64, for the 7-octave CQT).

    Returns
    -------
    np.ndarray [shape=(518,)], float64
        Named by `FMA518_NAMES`.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> fma518(y=y).shape
    (518,)
    """
    y = pad_short(np.asarray(y), n_fft=n_fft)
    with quiet_degenerate():
        features = _frame_features(y, sr, n_fft, hop_length)
    order = sorted(FMA_FEATURE_SIZES)
    if len({features[f].shape[-1] for f in order}) == 1:
        # Every feature has the same frames (the usual case): one call per statistic
        # over all 116 rows instead of one per feature (scipy's per-call cost dominates
        # on short clips).
        summary = _statistics(np.concatenate([features[f] for f in order]))
        bounds = np.cumsum([0] + [FMA_FEATURE_SIZES[f] for f in order])
        parts = {f: slice(a, b) for f, a, b in zip(order, bounds[:-1], bounds[1:], strict=True)}
        return np.concatenate([summary[s][parts[f]] for f in order for s in FMA_STATISTICS])
    out = []
    for feature in order:
        summary = _statistics(features[feature])
        out.extend(summary[stat] for stat in FMA_STATISTICS)
    return np.concatenate(out)


class FMA518(BaseExtractor):
    """The 518 features of FMA's ``features.csv`` per track, with its column layout.

    Each song is decoded and transformed whole (the constant-Q transform's longest
    filters span seconds), so memory grows with the length of the song.

    Parameters
    ----------
    sr : int > 0, default=22050
        Sampling rate files are decoded at, and the rate of array input.
    n_fft : int > 0, default=2048
        FFT size of the shared STFT and frame length of the zero-crossing rate (FMA:
        2048).
    hop_length : int > 0, default=512
        Hop between frames, a multiple of 64 (FMA: 512).
    remove_dc : bool, default=True
        Subtract each clip's mean (its DC offset) before the features.  A +0.45 offset
        took tzanetakis57+svm from 0.452 to 0.082 accuracy on real GTZAN excerpts;
        with the mean removed it scored 0.491 with or without the offset
        (``benchmarks/DC_OFFSET.md``).  FMA did not remove it.
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
    fma518 : the pure function.
    fma_columns : the flat names as FMA's ``(feature, statistics, number)`` MultiIndex.
    fma_names : FMA's columns as flat names.

    Notes
    -----
    The features follow FMA's ``compute_features`` (the same librosa calls, frame sizes,
    CQT and statistics), written against librosa 0.11.  Where they can differ from
    FMA's published table:

    - FMA analysed each file at its own rate (``sr=None``); files are decoded here at
      ``sr``, and chroma_stft and the spectral features are told that rate (FMA's code
      left them at librosa's default 22050 Hz; at 22050 Hz the calls are the same).
    - ``rmse`` is `librosa.feature.rms` of the magnitude STFT, which since librosa 0.7
      scales a spectrogram's energy as Parseval's theorem does (FMA's librosa took the
      plain root mean square of the STFT bins).  On GTZAN's blues.00000 the new value
      was 0.0219 to 0.0221 times the old one frame by frame, so mean, std, median, min
      and max shrink by about that factor while skew and kurtosis agree to 3 digits.
    - chroma_cqt and chroma_cens are told the CQT's 12 bins per octave (librosa >= 0.7
      assumes 36 unless told; FMA's librosa matched the 12 chroma bins).
    - The CQT's tuning is estimated from the shared STFT, which gives the estimate
      ``librosa.cqt(..., tuning=None)`` makes from a second STFT of the same size.
    - A constant row (silence) has skew 0 and excess kurtosis -3, as scipy < 1.9 gave
      FMA; newer scipy returns NaN there.
    - ``remove_dc=True`` subtracts each clip's mean first; FMA did not.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).uniform(-0.5, 0.5, size=(2, 22050))
    >>> est = FMA518()
    >>> est.fit_transform(X).shape
    (2, 518)
    >>> list(est.get_feature_names_out()[:2])
    ['chroma_cens__kurtosis__01', 'chroma_cens__kurtosis__02']
    """

    # librosa's numba functions are compiled in the parent before workers start.
    _warm_up_seconds = 1.0

    _parameter_constraints = {
        **BaseExtractor._parameter_constraints,
        "n_fft": [Interval(Integral, 1, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
        "remove_dc": ["boolean"],
    }

    def __init__(
        self,
        *,
        sr=22050,
        n_fft=2048,
        hop_length=512,
        remove_dc=True,
        n_jobs=None,
        memory=None,
        verbose=False,
    ):
        self.sr = sr
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.remove_dc = remove_dc
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    def _validate_params(self):
        super()._validate_params()
        cqt_hop = 2 ** (_CQT_OCTAVES - 1)
        if self.hop_length % cqt_hop:
            raise ParameterError(
                f"The 'hop_length' parameter of {type(self).__name__} must be a multiple of "
                f"{cqt_hop} (the 7-octave constant-Q transform halves the rate 6 times); "
                f"got {self.hop_length}. Use e.g. "
                f"hop_length={cqt_hop * max(1, round(self.hop_length / cqt_hop))}."
            )

    def _extract(self, y):
        return fma518(y=y, sr=self.sr, n_fft=self.n_fft, hop_length=self.hop_length)

    def _feature_names(self):
        return list(FMA518_NAMES)

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests and `mir_genre.testing.check_plugin`.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        # Tiny inputs are padded to one FFT window; a smaller one and a shorter hop (a
        # multiple of 64, for the 7-octave CQT) make the checks about a fifth faster.
        return {"n_fft": 512, "hop_length": 128}
