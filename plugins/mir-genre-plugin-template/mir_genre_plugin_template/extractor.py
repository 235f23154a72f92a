"""An extractor plugin: loudness statistics of the RMS envelope.

Two layers, as in mir_genre itself: a pure function on one waveform, and a thin
transformer that stores parameters.  `mir_genre.features.BaseExtractor` does the rest:
file paths and 2-D arrays, validation, caching (``memory=``) and parallelism (``n_jobs``).
"""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval

from mir_genre.features import BaseExtractor

__all__ = ["rms_stats", "RMSStats"]

_STATS = ("mean", "std", "p10", "p50", "p90")


def rms_stats(*, y, frame_length=2048, hop_length=512):
    """Summarise the RMS envelope of one clip in decibels.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)], float
        Mono audio.
    frame_length : int > 0, default=2048
        Frame length of the RMS.
    hop_length : int > 0, default=512
        Hop between frames.

    Returns
    -------
    np.ndarray [shape=(5,)]
        Mean, standard deviation and 10th/50th/90th percentiles of the RMS in dB
        (silence floors at -100 dB, so every value is finite).

    Examples
    --------
    >>> import numpy as np
    >>> stats = rms_stats(y=np.full(22050, 0.5, dtype=np.float32))
    >>> round(float(stats[3]), 1)  # median: a constant 0.5 is -6 dB
    -6.0
    """
    import librosa

    rms = librosa.feature.rms(
        y=np.asarray(y), frame_length=frame_length, hop_length=hop_length, center=True
    )[0]
    db = 20 * np.log10(np.maximum(rms, 1e-5))
    return np.array([db.mean(), db.std(), *np.percentile(db, [10, 50, 90])])


class RMSStats(BaseExtractor):
    """RMS loudness statistics per clip, as a scikit-learn transformer.

    Parameters
    ----------
    sr : int > 0, default=22050
        Sampling rate files are decoded at, and the rate of array input.
    frame_length : int > 0, default=2048
        Frame length of the RMS.
    hop_length : int > 0, default=512
        Hop between frames.
    n_jobs : int or None, default=None
        Tracks processed in parallel by joblib.
    memory : str, os.PathLike, joblib.Memory or None, default=None
        Per-track feature cache.
    verbose : bool or int, default=False
        Show a progress bar.

    Examples
    --------
    >>> import numpy as np
    >>> RMSStats().fit_transform(np.full((2, 22050), 0.5)).shape
    (2, 5)
    """

    _parameter_constraints = {
        **BaseExtractor._parameter_constraints,
        "frame_length": [Interval(Integral, 1, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        sr=22050,
        frame_length=2048,
        hop_length=512,
        n_jobs=None,
        memory=None,
        verbose=False,
    ):
        self.sr = sr
        self.frame_length = frame_length
        self.hop_length = hop_length
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    def _extract(self, y):
        return rms_stats(y=y, frame_length=self.frame_length, hop_length=self.hop_length)

    def _feature_names(self):
        return [f"rms_db_{stat}" for stat in _STATS]

    @classmethod
    def get_test_params(cls):
        """Cheap parameters for tests and `mir_genre.testing.check_plugin`.

        Returns
        -------
        dict
            Keyword arguments for the constructor.
        """
        return {"frame_length": 256, "hop_length": 128}
