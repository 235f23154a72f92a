"""Essentia frame-wise spectral descriptors, MFCC, GFCC and HPCP, summarised per track."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval

from mir_genre.features import BaseExtractor
from mir_genre.features._stats import check_stats, stat_names, summarize

from ._common import as_essentia, essentia_standard, finite

__all__ = ["SCALAR_DESCRIPTORS", "essentia_lowlevel", "lowlevel_feature_names", "EssentiaLowLevel"]

#: One value per frame, in output order.
SCALAR_DESCRIPTORS = (
    "spectral_centroid",
    "spectral_rolloff",
    "spectral_flux",
    "spectral_complexity",
    "dissonance",
    "hfc",
    "pitch_salience",
    "loudness",
)


def essentia_lowlevel(
    *,
    y,
    sr=22050,
    frame_size=2048,
    hop_size=1024,
    n_mfcc=13,
    n_gfcc=13,
    hpcp_size=12,
    stats=("mean", "std"),
):
    """Essentia low-level descriptors of one clip, summarised over frames.

    Every frame (Hann window) gives the spectral centroid (Hz), roll-off (Hz), flux,
    spectral complexity, dissonance, high-frequency content, pitch salience, loudness
    (Stevens' power law of the frame energy), ``n_mfcc`` MFCCs, ``n_gfcc`` GFCCs and a
    ``hpcp_size``-bin HPCP; each is then summarised over frames by ``stats``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float
        Mono audio at ``sr``; converted to float32 for Essentia.  Clips shorter than
        ``frame_size`` are zero-padded to one frame.
    sr : int >= 8000, default=22050
        Sampling rate of ``y``.  Band limits above the Nyquist frequency are lowered to it.
    frame_size : int >= 64, even, default=2048
        Frame (and FFT) size.
    hop_size : int > 0, default=1024
        Hop between frames.
    n_mfcc : int > 0, default=13
        MFCC coefficients (40 mel bands).
    n_gfcc : int > 0, default=13
        GFCC coefficients (40 ERB bands).
    hpcp_size : int, multiple of 12, default=12
        Harmonic pitch class profile bins (spectral peaks 20 Hz to 5 kHz).
    stats : sequence of str, default=("mean", "std")
        Statistics over frames, from ``mean, std, var, min, max, median``.

    Returns
    -------
    np.ndarray [shape=(len(stats) * (8 + n_mfcc + n_gfcc + hpcp_size),)], float64
        The scalar descriptors (`SCALAR_DESCRIPTORS` order), then MFCC, GFCC and HPCP;
        within each family, stat-major.  NaN or infinite values, which only degenerate
        frames can give, are replaced by 0 (see `mir_genre_essentia._common.finite`).

    Notes
    -----
    Essentia algorithms keep state and are not thread-safe: this function builds its own
    instances at each call, so concurrent calls from several processes are safe.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.sin(2 * np.pi * 220 * np.arange(22050) / 22050)
    >>> essentia_lowlevel(y=y).shape
    (92,)
    """
    es = essentia_standard()

    stats = check_stats(stats, owner="essentia_lowlevel")
    y = as_essentia(y, min_length=frame_size)
    nyquist = sr / 2.0
    n_bins = frame_size // 2 + 1
    peak_max = min(5000.0, nyquist)

    window = es.Windowing(type="hann", size=frame_size)
    spectrum = es.Spectrum(size=frame_size)
    centroid = es.Centroid(range=nyquist)
    rolloff = es.RollOff(sampleRate=sr)
    flux = es.Flux()
    complexity = es.SpectralComplexity(sampleRate=sr)
    peaks = es.SpectralPeaks(
        sampleRate=sr,
        minFrequency=20,
        maxFrequency=peak_max,
        maxPeaks=100,
        magnitudeThreshold=0,
        orderBy="frequency",
    )
    dissonance = es.Dissonance()
    hfc = es.HFC(sampleRate=sr)
    salience = es.PitchSalience(sampleRate=sr, highBoundary=min(5000.0, nyquist - 1.0))
    loudness = es.Loudness()
    mfcc = es.MFCC(
        sampleRate=sr,
        inputSize=n_bins,
        numberCoefficients=n_mfcc,
        highFrequencyBound=min(11000.0, nyquist),
    )
    gfcc = es.GFCC(
        sampleRate=sr, inputSize=n_bins, numberCoefficients=n_gfcc, highFrequencyBound=nyquist
    )
    hpcp = es.HPCP(size=hpcp_size, sampleRate=sr, maxFrequency=peak_max)

    scalars, mfccs, gfccs, hpcps = [], [], [], []
    for frame in es.FrameGenerator(y, frameSize=frame_size, hopSize=hop_size, startFromZero=True):
        spec = spectrum(window(frame))
        freqs, mags = peaks(spec)
        scalars.append(
            (
                centroid(spec),
                rolloff(spec),
                flux(spec),
                complexity(spec),
                dissonance(freqs, mags),
                hfc(spec),
                salience(spec),
                loudness(frame),
            )
        )
        mfccs.append(mfcc(spec)[1])
        gfccs.append(gfcc(spec)[1])
        hpcps.append(hpcp(freqs, mags))
    parts = [np.asarray(block, dtype=np.float64).T for block in (scalars, mfccs, gfccs, hpcps)]
    # Scalars are summarised one descriptor at a time so that names stay descriptor-major.
    out = [summarize(row[np.newaxis, :], stats) for row in parts[0]]
    out += [summarize(part, stats) for part in parts[1:]]
    return finite(np.concatenate(out))


def lowlevel_feature_names(*, n_mfcc=13, n_gfcc=13, hpcp_size=12, stats=("mean", "std")):
    """Names of the values `essentia_lowlevel` returns, in order.

    Parameters
    ----------
    n_mfcc, n_gfcc, hpcp_size : int
        As `essentia_lowlevel`.
    stats : sequence of str
        As `essentia_lowlevel`.

    Returns
    -------
    list of str
        ``{descriptor}_{stat}`` for the scalars, then ``{family}_{stat}_{index}``.

    Examples
    --------
    >>> lowlevel_feature_names(n_mfcc=2, n_gfcc=2, stats=["mean"])[:2]
    ['spectral_centroid_mean', 'spectral_rolloff_mean']
    """
    names = [f"{name}_{stat}" for name in SCALAR_DESCRIPTORS for stat in stats]
    for prefix, size in (("mfcc", n_mfcc), ("gfcc", n_gfcc), ("hpcp", hpcp_size)):
        names += stat_names(prefix, stats, range(size))
    return names


class EssentiaLowLevel(BaseExtractor):
    """Essentia low-level spectral descriptors summarised per track, as a transformer.

    Parameters
    ----------
    sr : int >= 8000, default=22050
        Sampling rate files are decoded at, and the rate of array input.
    frame_size : int >= 64, even, default=2048
        Frame (and FFT) size.
    hop_size : int > 0, default=1024
        Hop between frames.
    n_mfcc : int > 0, default=13
        MFCC coefficients.
    n_gfcc : int > 0, default=13
        GFCC coefficients.
    hpcp_size : {12, 24, 36}, default=12
        HPCP bins.
    stats : sequence of str, default=("mean", "std")
        Statistics over frames, from ``mean, std, var, min, max, median``.
    n_jobs : int or None, default=None
        Tracks processed in parallel by joblib.  Use processes (the default ``loky``
        backend): Essentia algorithms are not thread-safe.
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
    essentia_lowlevel : the pure function.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).uniform(-0.5, 0.5, size=(2, 22050))
    >>> est = EssentiaLowLevel()
    >>> est.fit_transform(X).shape
    (2, 92)
    >>> list(est.get_feature_names_out()[:2])
    ['spectral_centroid_mean', 'spectral_centroid_std']
    """

    _parameter_constraints = {
        **BaseExtractor._parameter_constraints,
        "sr": [Interval(Integral, 8000, None, closed="left")],
        "frame_size": [Interval(Integral, 64, None, closed="left")],
        "hop_size": [Interval(Integral, 1, None, closed="left")],
        "n_mfcc": [Interval(Integral, 1, 40, closed="both")],
        "n_gfcc": [Interval(Integral, 1, 40, closed="both")],
        "hpcp_size": [Interval(Integral, 12, 36, closed="both")],
        "stats": ["array-like", tuple, list],
    }

    def __init__(
        self,
        *,
        sr=22050,
        frame_size=2048,
        hop_size=1024,
        n_mfcc=13,
        n_gfcc=13,
        hpcp_size=12,
        stats=("mean", "std"),
        n_jobs=None,
        memory=None,
        verbose=False,
    ):
        self.sr = sr
        self.frame_size = frame_size
        self.hop_size = hop_size
        self.n_mfcc = n_mfcc
        self.n_gfcc = n_gfcc
        self.hpcp_size = hpcp_size
        self.stats = stats
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    def _validate_params(self):
        from mir_genre.exceptions import ParameterError

        super()._validate_params()
        check_stats(self.stats, owner=type(self).__name__)
        if self.frame_size % 2:
            raise ParameterError(
                f"The 'frame_size' parameter of {type(self).__name__} must be even; "
                f"got {self.frame_size}. Use e.g. frame_size={self.frame_size + 1}."
            )
        if self.hpcp_size % 12:
            raise ParameterError(
                f"The 'hpcp_size' parameter of {type(self).__name__} must be 12, 24 or 36; "
                f"got {self.hpcp_size}."
            )

    def _extract(self, y):
        return essentia_lowlevel(
            y=y,
            sr=self.sr,
            frame_size=self.frame_size,
            hop_size=self.hop_size,
            n_mfcc=self.n_mfcc,
            n_gfcc=self.n_gfcc,
            hpcp_size=self.hpcp_size,
            stats=self.stats,
        )

    def _feature_names(self):
        return lowlevel_feature_names(
            n_mfcc=self.n_mfcc,
            n_gfcc=self.n_gfcc,
            hpcp_size=self.hpcp_size,
            stats=check_stats(self.stats, owner=type(self).__name__),
        )

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {"frame_size": 512, "hop_size": 256, "n_mfcc": 5, "n_gfcc": 5}
