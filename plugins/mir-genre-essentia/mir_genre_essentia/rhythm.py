"""Essentia rhythm descriptors: tempo, beat confidence, onset rate, BPM histogram, danceability."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from mir_genre.features import BaseExtractor

from ._common import (
    ESSENTIA_RATE,
    SILENCE_PEAK,
    algorithm,
    as_essentia,
    finite,
    resample,
)

__all__ = ["RHYTHM_FEATURES", "essentia_rhythm", "EssentiaRhythm"]

#: Names of the values `essentia_rhythm` returns, in order.
RHYTHM_FEATURES = (
    "bpm",
    "beats_confidence",
    "beats_count",
    "onset_rate",
    "bpm_histogram_first_peak_bpm",
    "bpm_histogram_first_peak_weight",
    "bpm_histogram_first_peak_spread",
    "bpm_histogram_second_peak_bpm",
    "bpm_histogram_second_peak_weight",
    "bpm_histogram_second_peak_spread",
    "danceability",
)


def essentia_rhythm(*, y, sr=22050, method="multifeature", min_tempo=40, max_tempo=208):
    """Essentia rhythm descriptors of one clip.

    ``RhythmExtractor2013`` gives the tempo, the beats and their confidence, and the
    beat-to-beat intervals that ``BpmHistogramDescriptors`` summarises by the two highest
    peaks of the BPM histogram; ``OnsetRate`` gives onsets per second; ``Danceability``
    (detrended fluctuation analysis) is computed at ``sr``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float
        Mono audio at ``sr``; converted to float32 for Essentia.  ``RhythmExtractor2013``
        and ``OnsetRate`` assume 44.1 kHz input, so ``y`` is resampled to 44.1 kHz for them.
    sr : int >= 8000, default=22050
        Sampling rate of ``y``.
    method : {"multifeature", "degara"}, default="multifeature"
        Beat tracker of ``RhythmExtractor2013``.  ``"degara"`` is faster but gives no
        confidence (reported as 0).
    min_tempo, max_tempo : int, default=40, 208
        Tempo range searched, in BPM.

    Returns
    -------
    np.ndarray [shape=(11,)], float64
        The values named by `RHYTHM_FEATURES`.  A silent clip (peak amplitude below
        1e-5) has no rhythm: every value is 0, deliberately, where Essentia's trackers
        would report an arbitrary tempo.  NaN or infinite values are replaced by 0.

    Notes
    -----
    Essentia algorithms keep state and are not thread-safe: each thread uses its own
    instances (`mir_genre_essentia._common.algorithm`), reset before every clip.

    Examples
    --------
    >>> import numpy as np
    >>> essentia_rhythm(y=np.zeros(22050)).tolist()[:2]
    [0.0, 0.0]
    """
    y = as_essentia(y)
    if y.size == 0 or float(np.max(np.abs(y))) < SILENCE_PEAK:
        return np.zeros(len(RHYTHM_FEATURES))
    y44 = resample(y, sr=sr, target=ESSENTIA_RATE)
    bpm, ticks, confidence, _, intervals = algorithm(
        "RhythmExtractor2013", method=method, minTempo=min_tempo, maxTempo=max_tempo
    )(y44)
    onset_rate = algorithm("OnsetRate")(y44)[1]
    histogram = algorithm("BpmHistogramDescriptors")(np.asarray(intervals, dtype=np.float32))
    danceability = algorithm("Danceability", sampleRate=float(sr))(y)[0]
    return finite([bpm, confidence, len(ticks), onset_rate, *histogram[:6], danceability])


class EssentiaRhythm(BaseExtractor):
    """Essentia rhythm descriptors of each track, as a transformer.

    Parameters
    ----------
    sr : int >= 8000, default=22050
        Sampling rate files are decoded at, and the rate of array input.
    method : {"multifeature", "degara"}, default="multifeature"
        Beat tracker of ``RhythmExtractor2013``.
    min_tempo : int, default=40
        Slowest tempo searched, in BPM.
    max_tempo : int, default=208
        Fastest tempo searched, in BPM.
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
    essentia_rhythm : the pure function.

    Examples
    --------
    >>> import numpy as np
    >>> est = EssentiaRhythm()
    >>> est.fit_transform(np.zeros((2, 22050))).shape
    (2, 11)
    >>> list(est.get_feature_names_out()[:2])
    ['bpm', 'beats_confidence']
    """

    _parameter_constraints = {
        **BaseExtractor._parameter_constraints,
        "sr": [Interval(Integral, 8000, None, closed="left")],
        "method": [StrOptions({"multifeature", "degara"})],
        "min_tempo": [Interval(Integral, 40, 180, closed="both")],
        "max_tempo": [Interval(Integral, 60, 250, closed="both")],
    }

    def __init__(
        self,
        *,
        sr=22050,
        method="multifeature",
        min_tempo=40,
        max_tempo=208,
        n_jobs=None,
        memory=None,
        verbose=False,
    ):
        self.sr = sr
        self.method = method
        self.min_tempo = min_tempo
        self.max_tempo = max_tempo
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    def _validate_params(self):
        from mir_genre.exceptions import ParameterError

        super()._validate_params()
        if self.min_tempo >= self.max_tempo:
            raise ParameterError(
                f"{type(self).__name__} needs min_tempo < max_tempo; "
                f"got min_tempo={self.min_tempo}, max_tempo={self.max_tempo}."
            )

    def _extract(self, y):
        return essentia_rhythm(
            y=y,
            sr=self.sr,
            method=self.method,
            min_tempo=self.min_tempo,
            max_tempo=self.max_tempo,
        )

    def _feature_names(self):
        return list(RHYTHM_FEATURES)

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {"method": "degara"}
