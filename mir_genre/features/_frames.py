"""librosa's frame-wise spectral features, each in fewer passes over the spectrogram.

librosa's feature functions validate and normalise their input on every call (finite and
non-negative checks, a normalised copy of the spectrogram per feature, NaN masks) and
compute every spectral peak before keeping the few in the band asked for.  The functions
here compute the same values from a magnitude or power spectrogram the caller already
has, in one or two passes:

- `spectral_shape`: centroid and bandwidth from two weighted sums (``librosa`` normalises
  the spectrogram twice); equal up to rounding (rtol 1e-6);
- `spectral_rolloff`: the same float32 cumulative sums as librosa, counted instead of
  masked with NaN; equal, value for value;
- `zero_crossing_rate`: crossings counted once over the signal, then per frame by
  differences of their running count; equal, value for value;
- `spectral_peaks`: the peaks `librosa.piptrack` keeps, computed only inside its
  ``fmin``-``fmax`` band; equal, value for value;
- `estimate_tuning`: `librosa.estimate_tuning` from those peaks; equal.

``tests/test_frames.py`` checks each against librosa.
"""

import numpy as np

__all__ = [
    "estimate_tuning",
    "spectral_peaks",
    "spectral_rolloff",
    "spectral_shape",
    "tuning_of_peaks",
    "zero_crossing_rate",
]


def spectral_shape(S, *, sr, n_fft):
    """Spectral centroid and bandwidth of a magnitude spectrogram.

    Parameters
    ----------
    S : np.ndarray [shape=(1 + n_fft // 2, t)], non-negative
        Magnitude spectrogram.
    sr : int > 0
        Sampling rate.
    n_fft : int > 0
        FFT size.

    Returns
    -------
    centroid, bandwidth : np.ndarray [shape=(1, t)], float64
        ``librosa.feature.spectral_centroid(S=S, sr=sr, n_fft=n_fft)`` and
        ``librosa.feature.spectral_bandwidth(S=S, sr=sr, n_fft=n_fft)`` (rtol 1e-6).

    Examples
    --------
    >>> import numpy as np, librosa
    >>> S = np.abs(librosa.stft(np.sin(np.arange(8192) / 3.0).astype(np.float32)))
    >>> c, bw = spectral_shape(S, sr=22050, n_fft=2048)
    >>> bool(np.allclose(c, librosa.feature.spectral_centroid(S=S, sr=22050), rtol=1e-6))
    True
    >>> bool(np.allclose(bw, librosa.feature.spectral_bandwidth(S=S, sr=22050), rtol=1e-6))
    True
    """
    import librosa

    freq = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    S64 = S.astype(np.float64)
    total = S64.sum(axis=0)
    # librosa.util.normalize leaves frames whose sum is below the smallest normal number
    # of S's dtype as they are (divided by 1).
    length = np.where(total < np.finfo(S.dtype).tiny, 1.0, total)
    m1, m2 = (np.stack([freq, freq * freq]) @ S64) / length
    weight = total / length  # the weights' sum: 1, except in those frames
    # sum(w * (f - c)^2) = m2 - 2 c m1 + c^2 sum(w), and the centroid c is m1.
    variance = m2 - m1 * m1 * (2.0 - weight)
    return m1[np.newaxis], np.sqrt(np.maximum(variance, 0.0))[np.newaxis]


def spectral_rolloff(S, *, sr, n_fft, roll_percent=0.85):
    """Roll-off frequency of every frame, as ``librosa.feature.spectral_rolloff``.

    Parameters
    ----------
    S : np.ndarray [shape=(1 + n_fft // 2, t)], non-negative
        Magnitude spectrogram.
    sr : int > 0
        Sampling rate.
    n_fft : int > 0
        FFT size.
    roll_percent : float in (0, 1), default=0.85
        Share of the frame's energy below the roll-off.

    Returns
    -------
    np.ndarray [shape=(1, t)], float64
        The same values as librosa's.

    Examples
    --------
    >>> import numpy as np, librosa
    >>> S = np.abs(librosa.stft(np.sin(np.arange(8192) / 3.0).astype(np.float32)))
    >>> r = spectral_rolloff(S, sr=22050, n_fft=2048)
    >>> bool(np.array_equal(r, librosa.feature.spectral_rolloff(S=S, sr=22050)))
    True
    """
    import librosa

    freq = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    total_energy = np.cumsum(S, axis=-2)  # librosa's sums, in its order and dtype
    threshold = roll_percent * total_energy[..., -1, :]
    # The sums only grow along frequency: the first bin reaching the threshold is the
    # number of bins below it (librosa takes the least frequency of those reaching it).
    first = np.count_nonzero(total_energy < threshold, axis=-2)
    return freq[first][np.newaxis]


def zero_crossing_rate(y, *, frame_length, hop_length, threshold=1e-10):
    """Zero-crossing rate of uncentred frames, as ``librosa.feature.zero_crossing_rate``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Audio, already padded as the frames need (``center=False`` framing).
    frame_length : int > 0
        Frame length.
    hop_length : int > 0
        Hop between frames.
    threshold : float >= 0, default=1e-10
        Values this close to 0 count as 0 (positive), as librosa's default.

    Returns
    -------
    np.ndarray [shape=(1, 1 + (n - frame_length) // hop_length)], float64
        ``librosa.feature.zero_crossing_rate(y, frame_length=..., hop_length=...,
        center=False)``, value for value.

    Examples
    --------
    >>> import numpy as np, librosa
    >>> y = np.sin(np.arange(10_000) / 3.0).astype(np.float32)
    >>> z = zero_crossing_rate(y, frame_length=2048, hop_length=512)
    >>> ref = librosa.feature.zero_crossing_rate(y, frame_length=2048, hop_length=512,
    ...                                          center=False)
    >>> bool(np.array_equal(z, ref))
    True
    """
    negative = np.signbit(np.where(np.abs(y) <= threshold, 0, y))
    # Crossing i lies between samples i and i + 1; a frame starting at s holds those
    # with s <= i < s + frame_length - 1 (librosa counts none before its first sample).
    count = np.concatenate([[0], np.cumsum(negative[1:] != negative[:-1])])
    starts = np.arange(1 + (len(y) - frame_length) // hop_length) * hop_length
    crossings = count[starts + frame_length - 1] - count[starts]
    return (crossings / frame_length)[np.newaxis]


def spectral_peaks(S, *, sr, n_fft, fmin=150.0, fmax=4000.0, threshold=0.1):
    """Return the spectral peaks of `librosa.piptrack`: frequencies and magnitudes.

    Parameters
    ----------
    S : np.ndarray [shape=(1 + n_fft // 2, t)], float
        Spectrogram (`librosa.estimate_tuning` passes the power spectrogram).
    sr : int > 0
        Sampling rate.
    n_fft : int > 0
        FFT size.
    fmin, fmax : float, default=150.0, 4000.0
        Band of the peaks (``fmin <= f < fmax``).
    threshold : float, default=0.1
        Peaks below ``threshold`` times the frame's maximum are ignored.

    Returns
    -------
    pitch, mag : np.ndarray [shape=(k,)], S's dtype
        The nonzero entries of ``librosa.piptrack(S=S, sr=sr, n_fft=n_fft, fmin=fmin,
        fmax=fmax, threshold=threshold)`` (bin by bin, frames in order), value for value.

    Examples
    --------
    >>> import numpy as np, librosa
    >>> S = np.abs(librosa.stft(np.sin(np.arange(8192) / 3.0).astype(np.float32))) ** 2
    >>> pitch, mag = spectral_peaks(S, sr=22050, n_fft=2048)
    >>> ref_pitch, ref_mag = librosa.piptrack(S=S, sr=22050, n_fft=2048)
    >>> bool(np.array_equal(pitch, ref_pitch[ref_pitch > 0]))
    True
    """
    import librosa

    S = np.abs(S)
    freqs = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    band = np.flatnonzero((max(fmin, 0) <= freqs) & (freqs < min(fmax, float(sr) / 2)))
    if not len(band) or not S.shape[-1]:
        return np.zeros(0, dtype=S.dtype), np.zeros(0, dtype=S.dtype)
    lo, hi = band[0], band[-1] + 1
    a, b = max(lo - 1, 0), min(hi + 1, S.shape[-2])  # one bin more each side
    X = S[a:b]
    # Local maxima of the thresholded spectrum along frequency: above the bin below,
    # at least the bin above; librosa's first bin never is one, its last is if above.
    ref_value = threshold * np.max(S, axis=-2)[np.newaxis]
    T = X * (X > ref_value)
    peak = np.zeros(T.shape, dtype=bool)
    peak[1:-1] = (T[1:-1] > T[:-2]) & (T[1:-1] >= T[2:])
    if b == S.shape[-2]:
        peak[-1] = T[-1] > T[-2]
    rows, cols = np.nonzero(peak[lo - a : hi - a])
    k = rows + lo - a  # rows of X
    # librosa's parabolic interpolation: a float32 sum of the neighbours, then float64;
    # 0 where the vertex lies more than a bin away and at the spectrum's two edges.
    up, here, down = X[k + 1, cols], X[k, cols], X[k - 1, cols]
    curve = (up + down).astype(np.float64) - 2 * here.astype(np.float64)
    slope = (up - down).astype(np.float64) / 2
    shift = np.zeros(len(k))
    inside = np.abs(slope) < np.abs(curve)
    shift[inside] = -slope[inside] / curve[inside]
    edge = (k + a == 0) | (k + a == S.shape[-2] - 1)
    shift[edge] = 0
    shift = shift.astype(S.dtype)
    # np.gradient's centred difference, in S's dtype.
    avg = (up - down) / 2.0
    dskew = 0.5 * avg * shift
    pitch = ((k + a + shift) * float(sr) / n_fft).astype(S.dtype)
    return pitch, (here + dskew).astype(S.dtype)


def tuning_of_peaks(peaks, *, resolution=0.01, bins_per_octave=12):
    """`librosa.estimate_tuning` from spectral peaks, gathered chunk by chunk.

    Parameters
    ----------
    peaks : iterable of (pitch, mag)
        `spectral_peaks` of consecutive parts of one spectrogram.
    resolution : float in (0, 1), default=0.01
        Resolution of the tuning, in fractions of a bin.
    bins_per_octave : int > 0, default=12
        Bins per octave.

    Returns
    -------
    float
        The tuning deviation in fractions of a bin, as librosa's (which warns and
        returns 0 when there are no peaks).
    """
    import librosa

    peaks = list(peaks)
    pitch = np.concatenate([p for p, _ in peaks])
    mag = np.concatenate([m for _, m in peaks])
    threshold = np.median(mag) if len(mag) else 0.0
    return librosa.pitch_tuning(
        pitch[mag >= threshold], resolution=resolution, bins_per_octave=bins_per_octave
    )


def estimate_tuning(S, *, sr, resolution=0.01, bins_per_octave=12):
    """``librosa.estimate_tuning(S=S, sr=sr, ...)``, from `spectral_peaks`.

    Parameters
    ----------
    S : np.ndarray [shape=(1 + n_fft // 2, t)]
        Magnitude or power spectrogram (``n_fft`` follows from its height, as in
        librosa).
    sr : int > 0
        Sampling rate.
    resolution, bins_per_octave
        As `tuning_of_peaks`.

    Returns
    -------
    float
        The same estimate as librosa's.

    Examples
    --------
    >>> import numpy as np, librosa
    >>> y = np.sin(2 * np.pi * 445 * np.arange(22050) / 22050).astype(np.float32)
    >>> S = np.abs(librosa.stft(y))
    >>> bool(estimate_tuning(S, sr=22050) == librosa.estimate_tuning(S=S, sr=22050))
    True
    """
    n_fft = 2 * (S.shape[-2] - 1)
    peaks = spectral_peaks(S, sr=sr, n_fft=n_fft)
    return tuning_of_peaks([peaks], resolution=resolution, bins_per_octave=bins_per_octave)
