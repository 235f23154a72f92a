"""Essentia tonal descriptors: key and scale, tuning, chord statistics and HPCP."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from mir_genre.features import BaseExtractor

from ._common import as_essentia, essentia_standard, finite

__all__ = ["PITCH_CLASSES", "essentia_tonal", "tonal_feature_names", "EssentiaTonal"]

#: Pitch-class labels of the one-hot key columns (sharps; flats map to the same class).
PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")

_PC = {name: i for i, name in enumerate(PITCH_CLASSES)}
_PC.update({"Db": 1, "Eb": 3, "Gb": 6, "Ab": 8, "Bb": 10, "Cb": 11, "Fb": 4, "E#": 5, "B#": 0})

#: Chords in the histogram of ``ChordsDescriptors`` (relative to the key).
N_CHORD_BINS = 24


def _one_hot_key(key, scale):
    """Twelve pitch-class indicators and a major flag for an Essentia key and scale."""
    out = np.zeros(13)
    pc = _PC.get(key)
    if pc is not None:
        out[pc] = 1.0
    out[12] = 1.0 if scale == "major" else 0.0
    return out


def essentia_tonal(
    *, y, sr=22050, frame_size=4096, hop_size=2048, hpcp_size=12, profile_type="bgate"
):
    """Essentia tonal descriptors of one clip.

    ``KeyExtractor`` gives the key, scale and strength; per frame (Blackman-Harris
    window), spectral peaks between 20 Hz and 3.5 kHz give the tuning frequency
    (``TuningFrequency``, accumulated over the clip) and an HPCP; ``ChordsDetection`` on
    the HPCP frames and ``ChordsDescriptors`` give the chord change and number rates, the
    key of the chord progression and the chord histogram relative to the key.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float
        Mono audio at ``sr``; converted to float32 for Essentia.  Clips shorter than
        ``frame_size`` are zero-padded to one frame.
    sr : int >= 8000, default=22050
        Sampling rate of ``y``.
    frame_size : int >= 256, even, default=4096
        Frame size.
    hop_size : int > 0, default=2048
        Hop between frames.
    hpcp_size : {12, 24, 36}, default=12
        HPCP bins.
    profile_type : {"bgate", "temperley", "krumhansl", "edma", "edmm", "shaath"}, default="bgate"
        Key profile of ``KeyExtractor``.

    Returns
    -------
    np.ndarray [shape=(55 + 2 * hpcp_size,)], float64
        The values named by `tonal_feature_names`: key one-hot (12) and major flag,
        key strength, tuning frequency (Hz), chords changes and number rates, chords key
        one-hot (12) and major flag, mean chord strength, the chord histogram (24), then
        the HPCP mean and standard deviation (bin 0 is A, Essentia's 440 Hz reference,
        then one bin per ``12 / hpcp_size`` semitone upwards).  Silence gives key ``A`` minor with
        strength 0 (Essentia's answer) and zero chord rates; NaN or infinite values are
        replaced by 0.

    Notes
    -----
    Essentia algorithms keep state and are not thread-safe: this function builds its own
    instances at each call, so concurrent calls from several processes are safe.

    Examples
    --------
    >>> import numpy as np
    >>> essentia_tonal(y=np.zeros(22050)).shape
    (79,)
    """
    es = essentia_standard()

    y = as_essentia(y, min_length=frame_size)
    key, scale, strength = es.KeyExtractor(
        sampleRate=sr, frameSize=frame_size, hopSize=hop_size, profileType=profile_type
    )(y)

    window = es.Windowing(type="blackmanharris62", size=frame_size)
    spectrum = es.Spectrum(size=frame_size)
    peaks = es.SpectralPeaks(
        sampleRate=sr,
        minFrequency=20,
        maxFrequency=min(3500.0, sr / 2.0),
        maxPeaks=60,
        magnitudeThreshold=1e-5,
        orderBy="frequency",
    )
    tuning = es.TuningFrequency()
    hpcp = es.HPCP(size=hpcp_size, sampleRate=sr, maxFrequency=min(3500.0, sr / 2.0))
    frames, tuning_hz = [], 440.0
    for frame in es.FrameGenerator(y, frameSize=frame_size, hopSize=hop_size, startFromZero=True):
        freqs, mags = peaks(spectrum(window(frame)))
        tuning_hz = tuning(freqs, mags)[0]  # running estimate over all frames so far
        frames.append(hpcp(freqs, mags))
    H = np.asarray(frames, dtype=np.float32)

    chords, chord_strength = es.ChordsDetection(hopSize=hop_size, sampleRate=sr, windowSize=2)(H)
    histogram, number_rate, changes_rate, chords_key, chords_scale = es.ChordsDescriptors()(
        chords, key, scale
    )
    histogram = np.resize(np.asarray(histogram, dtype=np.float64), N_CHORD_BINS)
    H = H.astype(np.float64)
    return finite(
        np.concatenate(
            [
                _one_hot_key(key, scale),
                [strength, tuning_hz, changes_rate, number_rate],
                _one_hot_key(chords_key, chords_scale),
                [np.mean(chord_strength) if len(chord_strength) else 0.0],
                histogram,
                H.mean(axis=0),
                H.std(axis=0),
            ]
        )
    )


def tonal_feature_names(*, hpcp_size=12):
    """Names of the values `essentia_tonal` returns, in order.

    Parameters
    ----------
    hpcp_size : int
        As `essentia_tonal`.

    Returns
    -------
    list of str

    Examples
    --------
    >>> tonal_feature_names()[:2]
    ['key_C', 'key_C#']
    """
    return [
        *(f"key_{pc}" for pc in PITCH_CLASSES),
        "key_major",
        "key_strength",
        "tuning_frequency",
        "chords_changes_rate",
        "chords_number_rate",
        *(f"chords_key_{pc}" for pc in PITCH_CLASSES),
        "chords_key_major",
        "chords_strength_mean",
        *(f"chords_histogram_{i}" for i in range(N_CHORD_BINS)),
        *(f"hpcp_mean_{i}" for i in range(hpcp_size)),
        *(f"hpcp_std_{i}" for i in range(hpcp_size)),
    ]


class EssentiaTonal(BaseExtractor):
    """Essentia key, tuning, chord and HPCP descriptors of each track, as a transformer.

    Parameters
    ----------
    sr : int >= 8000, default=22050
        Sampling rate files are decoded at, and the rate of array input.
    frame_size : int >= 256, even, default=4096
        Frame size.
    hop_size : int > 0, default=2048
        Hop between frames.
    hpcp_size : {12, 24, 36}, default=12
        HPCP bins.
    profile_type : {"bgate", "temperley", "krumhansl", "edma", "edmm", "shaath"}, default="bgate"
        Key profile.
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
    essentia_tonal : the pure function.

    Examples
    --------
    >>> import numpy as np
    >>> est = EssentiaTonal()
    >>> est.fit_transform(np.zeros((2, 22050))).shape
    (2, 79)
    >>> list(est.get_feature_names_out()[:2])
    ['key_C', 'key_C#']
    """

    _parameter_constraints = {
        **BaseExtractor._parameter_constraints,
        "sr": [Interval(Integral, 8000, None, closed="left")],
        "frame_size": [Interval(Integral, 256, None, closed="left")],
        "hop_size": [Interval(Integral, 1, None, closed="left")],
        "hpcp_size": [Interval(Integral, 12, 36, closed="both")],
        "profile_type": [
            StrOptions({"bgate", "temperley", "krumhansl", "edma", "edmm", "shaath"})
        ],
    }

    def __init__(
        self,
        *,
        sr=22050,
        frame_size=4096,
        hop_size=2048,
        hpcp_size=12,
        profile_type="bgate",
        n_jobs=None,
        memory=None,
        verbose=False,
    ):
        self.sr = sr
        self.frame_size = frame_size
        self.hop_size = hop_size
        self.hpcp_size = hpcp_size
        self.profile_type = profile_type
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    def _validate_params(self):
        from mir_genre.exceptions import ParameterError

        super()._validate_params()
        if self.frame_size % 2 or self.hpcp_size % 12:
            raise ParameterError(
                f"{type(self).__name__} needs an even frame_size and hpcp_size in "
                f"(12, 24, 36); got frame_size={self.frame_size}, hpcp_size={self.hpcp_size}."
            )

    def _extract(self, y):
        return essentia_tonal(
            y=y,
            sr=self.sr,
            frame_size=self.frame_size,
            hop_size=self.hop_size,
            hpcp_size=self.hpcp_size,
            profile_type=self.profile_type,
        )

    def _feature_names(self):
        return tonal_feature_names(hpcp_size=self.hpcp_size)

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {"frame_size": 1024, "hop_size": 512}
