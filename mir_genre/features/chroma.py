"""Chroma (STFT, CQT and CENS variants) summarised over frames."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval

from ..exceptions import ParameterError
from ._base import BaseExtractor
from ._frames import estimate_tuning
from ._spectral import pad_short, quiet_degenerate, stft
from ._stats import check_names, check_stats, stat_names, summarize

__all__ = ["CHROMA_VARIANTS", "PITCH_CLASSES", "chroma_stats", "ChromaStats"]

CHROMA_VARIANTS = ("stft", "cqt", "cens")
PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")

# chroma_cqt's defaults: 7 octaves of 36 bins from C1.
_CQT_BINS_PER_OCTAVE = 36
_CQT_OCTAVES = 7
# librosa.estimate_tuning's spectrogram (its piptrack's defaults).
_TUNING_N_FFT = 2048
_TUNING_HOP = 512


def _check_variants(variants, owner):
    return check_names(variants, allowed=CHROMA_VARIANTS, param="variants", owner=owner)


def chroma_stats(
    *, y, sr=22050, variants=CHROMA_VARIANTS, n_fft=2048, hop_length=512, stats=("mean", "std")
):
    """Chromagram statistics for several chroma variants of one clip.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float
        Mono audio.  Clips shorter than ``n_fft`` are zero-padded to ``n_fft``.
    sr : int > 0, default=22050
        Sampling rate of ``y``.
    variants : sequence of {"stft", "cqt", "cens"}, default=("stft", "cqt", "cens")
        Which chromagrams: `librosa.feature.chroma_stft`, `librosa.feature.chroma_cqt`
        and `librosa.feature.chroma_cens` (the last two share one constant-Q transform).
    n_fft : int > 0, default=2048
        FFT size of the STFT chroma.
    hop_length : int > 0, default=512
        Hop between frames.  The CQT variants need a multiple of 64 (``2**6`` for
        seven octaves).
    stats : sequence of str, default=("mean", "std")
        Statistics over frames, from ``mean, std, var, min, max, median``.

    Returns
    -------
    np.ndarray [shape=(len(variants) * len(stats) * 12,)], float64
        For each variant, stat-major statistics of the 12 pitch classes (C ... B).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.sin(2 * np.pi * 261.6 * np.arange(22050) / 22050).astype(np.float32)
    >>> chroma_stats(y=y, variants=["stft"]).shape
    (24,)
    """
    variants = _check_variants(variants, "chroma_stats")
    stats = check_stats(stats, owner="chroma_stats")
    y = pad_short(np.asarray(y), n_fft=n_fft)
    with quiet_degenerate():
        chromas = _chromagrams(y, sr, variants, n_fft, hop_length)
    return np.concatenate([summarize(chromas[v], stats) for v in variants])


def _chromagrams(y, sr, variants, n_fft, hop_length):
    """Compute the requested chromagrams by variant name; the CQT ones share one transform."""
    import librosa

    chromas = {}
    # librosa.estimate_tuning's defaults (n_fft=2048, hop 512): the spectrogram the CQT's
    # tuning is estimated from, shared with the STFT chroma when it is the same one.
    shared = n_fft == _TUNING_N_FFT and hop_length == _TUNING_HOP
    magnitude = None
    if "stft" in variants:
        magnitude = np.abs(stft(y, n_fft=n_fft, hop_length=hop_length))
        power = magnitude**2
        # librosa.estimate_tuning's value, from the peaks in its band only (_frames).
        chromas["stft"] = librosa.feature.chroma_stft(
            S=power,
            sr=sr,
            n_fft=n_fft,
            hop_length=hop_length,
            tuning=estimate_tuning(power, sr=sr),
        )
    if "cqt" in variants or "cens" in variants:
        if magnitude is None or not shared:
            magnitude = np.abs(stft(y, n_fft=_TUNING_N_FFT, hop_length=_TUNING_HOP))
        # chroma_cqt(y=...) and chroma_cens(y=...) estimate the tuning from the signal's
        # magnitude spectrogram (librosa.cqt's own default is 0: no estimate).
        tuning = estimate_tuning(magnitude, sr=sr, bins_per_octave=_CQT_BINS_PER_OCTAVE)
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
        if "cqt" in variants:
            chromas["cqt"] = librosa.feature.chroma_cqt(
                C=C, sr=sr, hop_length=hop_length, bins_per_octave=_CQT_BINS_PER_OCTAVE
            )
        if "cens" in variants:
            chromas["cens"] = librosa.feature.chroma_cens(
                C=C, sr=sr, hop_length=hop_length, bins_per_octave=_CQT_BINS_PER_OCTAVE
            )
    return chromas


class ChromaStats(BaseExtractor):
    """Chroma statistics (STFT, CQT, CENS variants) per track, as a transformer.

    Unlike `~mir_genre.features.Tzanetakis57` and `~mir_genre.features.MFCCDeltas`,
    which process long songs in chunks, this extractor decodes and transforms each
    song whole (the constant-Q transform's longest filters span seconds), so its memory
    grows with the length of the song.

    Parameters
    ----------
    sr : int > 0, default=22050
        Sampling rate files are decoded at, and the rate of array input.
    variants : sequence of {"stft", "cqt", "cens"}, default=("stft", "cqt", "cens")
        Which chromagrams to summarise.
    n_fft : int > 0, default=2048
        FFT size of the STFT chroma.
    hop_length : int > 0, default=512
        Hop between frames (a multiple of 64 when a CQT variant is used).
    stats : sequence of str, default=("mean", "std")
        Statistics over frames, from ``mean, std, var, min, max, median``.
    remove_dc : bool, default=True
        Subtract each clip's mean (its DC offset) before the features.  A +0.45 offset
        took tzanetakis57+svm from 0.452 to 0.082 accuracy on real GTZAN excerpts;
        with the mean removed it scored 0.491 with or without the offset
        (``benchmarks/DC_OFFSET.md``).
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
    chroma_stats : the pure function.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).uniform(-0.5, 0.5, size=(2, 22050))
    >>> est = ChromaStats(variants=["stft", "cens"])
    >>> est.fit_transform(X).shape
    (2, 48)
    >>> list(est.get_feature_names_out()[:2])
    ['chroma_stft_mean_C', 'chroma_stft_mean_C#']
    """

    # librosa's numba functions are compiled in the parent before workers start.
    _warm_up_seconds = 1.0

    _parameter_constraints = {
        **BaseExtractor._parameter_constraints,
        "remove_dc": ["boolean"],
        "variants": ["array-like", tuple, list],
        "n_fft": [Interval(Integral, 1, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
        "stats": ["array-like", tuple, list],
    }

    def __init__(
        self,
        *,
        sr=22050,
        variants=CHROMA_VARIANTS,
        n_fft=2048,
        hop_length=512,
        stats=("mean", "std"),
        remove_dc=True,
        n_jobs=None,
        memory=None,
        verbose=False,
    ):
        self.sr = sr
        self.variants = variants
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.stats = stats
        self.remove_dc = remove_dc
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    def _validate_params(self):
        super()._validate_params()
        variants = _check_variants(self.variants, type(self).__name__)
        check_stats(self.stats, owner=type(self).__name__)
        cqt_hop = 2 ** (_CQT_OCTAVES - 1)
        if ("cqt" in variants or "cens" in variants) and self.hop_length % cqt_hop:
            raise ParameterError(
                f"The 'hop_length' parameter of {type(self).__name__} must be a multiple of "
                f"{cqt_hop} for the CQT-based variants; got {self.hop_length}. Use e.g. "
                f"hop_length={cqt_hop * max(1, round(self.hop_length / cqt_hop))}, or "
                "variants=('stft',)."
            )

    def _extract(self, y):
        return chroma_stats(
            y=y,
            sr=self.sr,
            variants=self.variants,
            n_fft=self.n_fft,
            hop_length=self.hop_length,
            stats=self.stats,
        )

    def _feature_names(self):
        variants = _check_variants(self.variants, type(self).__name__)
        stats = check_stats(self.stats, owner=type(self).__name__)
        return [n for v in variants for n in stat_names(f"chroma_{v}", stats, PITCH_CLASSES)]

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests and `mir_genre.testing.check_plugin`.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        # A constant-Q transform costs ~0.1 s even on a few samples (its filter bank is
        # built per call); the CQT variants are tested on real clips instead.
        return {"variants": ("stft",), "n_fft": 256, "hop_length": 64}
