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

A long song is processed ``CHUNK_FRAMES`` frames at a time, and a file is decoded block
by block, so memory does not grow with the length of the song: see `tzanetakis57`.
"""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval

from ..streaming import stream_mono
from ._base import BaseExtractor
from ._frames import (
    spectral_peaks,
    spectral_rolloff,
    spectral_shape,
    tuning_of_peaks,
    zero_crossing_rate,
)
from ._spectral import (
    frame_chunks,
    harmonic,
    istft_frames,
    melspectrogram,
    quiet_degenerate,
)
from ._stats import Moments

__all__ = [
    "CHUNK_FRAMES",
    "TZANETAKIS57_NAMES",
    "Tzanetakis57",
    "tzanetakis57",
    "tzanetakis57_blocks",
    "tzanetakis57_reference",
]

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


#: Frames each chunk of a long signal owns (about 47.5 s at 22050 Hz, hop 512); a
#: 30-s clip is one chunk.  Memory follows this, not the length of the signal.
CHUNK_FRAMES = 2048

#: Seconds of a file decoded at a time.
_BLOCK_SECONDS = 10.0


def tzanetakis57(*, y, sr=22050, n_fft=2048, hop_length=512, kernel_size=31, chunk_frames=None):
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
    chunk_frames : int > 0 or None, default=None
        Frames computed at a time (None: `CHUNK_FRAMES`); see Notes.

    Returns
    -------
    np.ndarray [shape=(57,)], float64
        The features in the order of `TZANETAKIS57_NAMES`.

    Notes
    -----
    A signal longer than ``chunk_frames`` frames is processed in chunks, so memory does
    not grow with its length (`tzanetakis57_blocks` does the same for a stream).  Every
    frame-level value (spectra, the harmonic and percussive signals, MFCCs, the onset
    envelope, the tempogram) equals the whole-signal computation: each chunk is computed
    with enough overlap for the STFT, the median filters and the inverse STFT.  The
    features defined on the whole signal are kept whole: the tuning estimate of the
    chroma (its spectral peaks, a few per frame: a second pass computes the chroma once
    the tuning is known), the peak of the mel spectrogram the MFCCs clip at (the mel
    spectrogram, 128 values per frame, is kept), and the tempo (from the tempogram
    averaged over all frames).  Means and variances are combined chunk by chunk
    (`~mir_genre.features._stats.Moments`): a clip of one chunk gives exactly the
    values of one whole-clip computation; longer ones differ from it only by the
    rounding of the float32 sums.

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
    >>> chunked = tzanetakis57(y=y, sr=sr, chunk_frames=10)
    >>> bool(np.allclose(chunked, features, rtol=1e-5))
    True
    """
    y = np.asarray(y)
    size = (chunk_frames or CHUNK_FRAMES) * hop_length

    def blocks():
        return (y[i : i + size] for i in range(0, max(len(y), 1), size))

    return tzanetakis57_blocks(
        blocks,
        sr=sr,
        n_fft=n_fft,
        hop_length=hop_length,
        kernel_size=kernel_size,
        chunk_frames=chunk_frames,
    )


def tzanetakis57_blocks(
    blocks, *, sr=22050, n_fft=2048, hop_length=512, kernel_size=31, chunk_frames=None
):
    """Compute the 57 descriptors of a signal given as a stream of blocks (two passes).

    Parameters
    ----------
    blocks : callable
        Returns a new iterator over the signal's consecutive samples (1-D float arrays
        of any lengths) each time it is called; it is called twice.
    sr, n_fft, hop_length, kernel_size, chunk_frames
        As `tzanetakis57`.

    Returns
    -------
    np.ndarray [shape=(57,)], float64
        The same values as `tzanetakis57` on the joined samples.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.sin(np.arange(30_000) / 7.0).astype(np.float32)
    >>> a = tzanetakis57_blocks(lambda: iter(np.array_split(y, 9)), chunk_frames=16)
    >>> bool(np.allclose(a, tzanetakis57(y=y), rtol=1e-5))
    True
    """
    import librosa

    chunk_frames = chunk_frames or CHUNK_FRAMES
    frames = {name: Moments() for name in _SPECTRAL}
    mel_db, peaks, n_frames = [], [], 0
    # Frames around a chunk: the inverse STFT needs n_fft / hop_length of them, and the
    # harmonic median filter kernel_size // 2 more.
    overlap = -(-n_fft // hop_length)
    chunks = frame_chunks(
        blocks(),
        n_fft=n_fft,
        hop_length=hop_length,
        chunk_frames=chunk_frames,
        context=overlap + kernel_size // 2,
    )
    kept_power = None
    for chunk in chunks:
        mel, pitch_mag, power = _first_pass(
            chunk,
            frames,
            sr=sr,
            n_fft=n_fft,
            hop_length=hop_length,
            kernel_size=kernel_size,
            overlap=overlap,
        )
        mel_db.append(mel)
        peaks.append(pitch_mag)
        n_frames = chunk.f1
        # A signal of one chunk keeps its power spectrum for the chroma: no second pass.
        kept_power = power if chunk.f0 == 0 and chunk.f1 == chunk.n_frames else None
    with quiet_degenerate():
        tuning = tuning_of_peaks(peaks)
    del peaks
    if kept_power is not None:
        powers = iter([kept_power])
    else:
        powers = (
            np.abs(_stft_frames(chunk, chunk.f0, chunk.f1, n_fft=n_fft, hop_length=hop_length))
            ** 2
            for chunk in frame_chunks(
                blocks(), n_fft=n_fft, hop_length=hop_length, chunk_frames=chunk_frames, context=0
            )
        )
    for power in powers:
        with quiet_degenerate():
            frames["chroma_stft"].add(
                librosa.feature.chroma_stft(
                    S=power, sr=sr, n_fft=n_fft, hop_length=hop_length, tuning=tuning
                )
            )
    del kept_power, power
    mfcc, onset_env = _mfcc_and_onset(mel_db, n_frames, sr=sr, n_fft=n_fft, hop_length=hop_length)
    out = []
    for name in _SPECTRAL:
        out += [frames[name].mean, frames[name].var]
    out.append(_tempo(onset_env, sr=sr, hop_length=hop_length, chunk_frames=chunk_frames))
    for mean, var in zip(mfcc.mean, mfcc.var, strict=True):
        out += [mean, var]
    return np.asarray(out, dtype=np.float64)


def _stft_frames(chunk, g0, g1, *, n_fft, hop_length):
    """STFT frames ``g0`` to ``g1`` of the signal, as the whole-signal centred STFT has them."""
    import librosa

    start = g0 * hop_length - n_fft // 2
    y = chunk.samples(start, (g1 - 1) * hop_length - n_fft // 2 + n_fft)
    return librosa.stft(y, n_fft=n_fft, hop_length=hop_length, center=False)


def _first_pass(chunk, frames, *, sr, n_fft, hop_length, kernel_size, overlap):
    """Everything but the chroma for one chunk; return its mel dB frames and peaks."""
    import librosa

    f0, f1, last = chunk.f0, chunk.f1, chunk.n_frames
    context = overlap + kernel_size // 2
    g0, g1 = max(f0 - context, 0), f1 + context if last is None else min(f1 + context, last)
    D = _stft_frames(chunk, g0, g1, n_fft=n_fft, hop_length=hop_length)
    mag_all = np.abs(D)
    # The harmonic and percussive waveforms (median filters, mask, one inverse STFT).
    # Computed in this thread: a second thread for them, tried, made a clip slower on two
    # cores, as the many small numpy calls of the other features hold the GIL.  Parallel
    # work is per track (joblib processes).
    harmony, perceptr = _separated_chunk(
        D,
        mag_all,
        chunk,
        g0=g0,
        overlap=overlap,
        hop_length=hop_length,
        n_fft=n_fft,
        kernel_size=kernel_size,
    )
    del D
    frames["harmony"].add(harmony)
    frames["perceptr"].add(perceptr)
    del harmony, perceptr
    mag = mag_all[:, f0 - g0 : f1 - g0]
    power = mag**2
    # The spectral peaks librosa.estimate_tuning would find, only in its band.
    pitch_mag = spectral_peaks(power, sr=sr, n_fft=n_fft)
    start = f0 * hop_length - n_fft // 2
    stop = (f1 - 1) * hop_length - n_fft // 2 + n_fft
    frames["rms"].add(
        librosa.feature.rms(
            y=chunk.samples(start, stop),
            frame_length=n_fft,
            hop_length=hop_length,
            center=False,
        )
    )
    frames["zero_crossing_rate"].add(
        zero_crossing_rate(
            chunk.samples(start, stop, mode="edge"), frame_length=n_fft, hop_length=hop_length
        )
    )
    centroid, bandwidth = spectral_shape(mag, sr=sr, n_fft=n_fft)
    frames["spectral_centroid"].add(centroid)
    frames["spectral_bandwidth"].add(bandwidth)
    frames["rolloff"].add(spectral_rolloff(mag, sr=sr, n_fft=n_fft))
    # One mel spectrogram in dB serves both the MFCCs and the onset envelope, exactly as
    # librosa.feature.mfcc(y=...) and librosa.onset.onset_strength(y=...) compute it; its
    # 80 dB floor depends on the whole signal's peak, so it is applied at the end.
    mel = librosa.power_to_db(melspectrogram(power, sr=sr), top_db=None)
    return mel, pitch_mag, power


def _separated_chunk(D, mag, chunk, *, g0, overlap, hop_length, n_fft, kernel_size):
    """Return the chunk's own samples of the harmonic and percussive waveforms.

    ``D`` (and its magnitude ``mag``) holds frames ``g0`` onwards, enough on each side
    for the median filter (``kernel_size // 2``) of every frame the inverse STFT of the
    chunk's samples uses (``overlap`` frames around the chunk).  The two soft masks add
    up to 1, so the percussive waveform is the signal minus the harmonic one: one
    inverse STFT instead of two (the inverse STFT of ``D`` itself reconstructs the
    signal to about 1e-7, so the features agree with librosa's to rtol 1e-6).
    """
    import librosa

    f0, f1, n_samples = chunk.f0, chunk.f1, chunk.n_samples
    h0 = max(f0 - overlap, 0)
    h1 = min(f1 + overlap, g0 + D.shape[-1])
    D_harm = harmonic(D, mag=mag, kernel_size=kernel_size)
    del D, mag
    # The inverse STFT of frames h0..h1 starts at sample h0 * hop_length - n_fft // 2.
    lo = f0 * hop_length - (h0 * hop_length - n_fft // 2)
    # The chunk owns samples f0 * hop_length up to f1 * hop_length, or to the end.
    end = n_samples if f1 == chunk.n_frames else f1 * hop_length
    hi = lo + end - f0 * hop_length
    y = istft_frames(
        D_harm[:, h0 - g0 : h1 - g0], n_fft=n_fft, hop_length=hop_length, dtype=chunk.dtype
    )
    harm = librosa.util.fix_length(y, size=hi)[lo:hi]
    return harm, chunk.samples(f0 * hop_length, end) - harm


def _mfcc_and_onset(mel_db, n_frames, *, sr, n_fft, hop_length):
    """MFCC moments and the onset envelope from the mel dB chunks, with the 80 dB floor."""
    import librosa

    floor = max(m.max() for m in mel_db) - 80.0
    mfcc, diffs, previous = Moments(axis=-1), [], None
    for i, mel in enumerate(mel_db):
        mel = np.maximum(mel, floor)
        mel_db[i] = None
        mfcc.add(librosa.feature.mfcc(S=mel, sr=sr, n_mfcc=20))
        # onset_strength without centring: a leading 0, then one value per frame
        # transition; the previous chunk's last frame gives the first transition.
        S = mel if previous is None else np.concatenate([previous, mel], axis=-1)
        if S.shape[-1] > 1:
            diffs.append(
                librosa.onset.onset_strength(
                    S=S, sr=sr, n_fft=n_fft, hop_length=hop_length, center=False
                )[1:]
            )
        previous = mel[:, -1:]
    # Centring shifts the envelope by lag + n_fft // (2 * hop_length) frames, as
    # onset_strength(center=True) does.
    shift = 1 + n_fft // (2 * hop_length)
    env = np.concatenate([np.zeros(shift, dtype=previous.dtype), *diffs])[:n_frames]
    return mfcc, env


def _tempo(onset_env, *, sr, hop_length, chunk_frames):
    """`librosa.feature.rhythm.tempo` of the envelope, its tempogram built chunk by chunk."""
    import librosa
    import librosa.feature.rhythm

    win = librosa.time_to_frames(8.0, sr=sr, hop_length=hop_length).item()
    n = onset_env.shape[-1]
    # The centred tempogram pads the envelope so; frame t then starts at padded[t].
    padded = np.pad(onset_env, win // 2, mode="linear_ramp", end_values=[0, 0])
    mean = Moments(axis=-1)
    for a in range(0, n, chunk_frames):
        b = min(a + chunk_frames, n)
        tg = librosa.feature.tempogram(
            onset_envelope=padded[a : b + win - 1],
            sr=sr,
            hop_length=hop_length,
            win_length=win,
            center=False,
        )
        mean.add(tg)
    tg = np.asarray(mean.mean, dtype=tg.dtype)[:, np.newaxis]
    return librosa.feature.rhythm.tempo(tg=tg, sr=sr, hop_length=hop_length).item()


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
    (``chroma_stft_mean`` ... ``mfcc20_var``).  Files are decoded block by block and
    processed in chunks (see `tzanetakis57`), so an hour-long mix needs about as much
    memory as a 1-minute song.

    Parameters
    ----------
    sr : int > 0, default=22050
        Sampling rate files are decoded at, and the rate of array input.
    n_fft : int > 0, default=2048
        FFT size.  Keep the default to match the public table.
    hop_length : int > 0, default=512
        Hop between frames.  Keep the default to match the public table.
    remove_dc : bool, default=True
        Subtract each clip's mean (its DC offset) before the features.  A +0.45 offset
        took tzanetakis57+svm from 0.452 to 0.082 accuracy on real GTZAN excerpts;
        with the mean removed it scored 0.491 with or without the offset
        (``benchmarks/DC_OFFSET.md``).  ``False`` reproduces the public
        ``features_30_sec.csv``, computed without it (``harmony_mean`` and
        ``perceptr_mean`` are the means of the separated parts).
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

    # librosa's numba functions are compiled in the parent before workers start.
    _warm_up_seconds = 1.0

    _parameter_constraints = {
        **BaseExtractor._parameter_constraints,
        "remove_dc": ["boolean"],
        "n_fft": [Interval(Integral, 1, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
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

    def _extract(self, y):
        return tzanetakis57(y=y, sr=self.sr, n_fft=self.n_fft, hop_length=self.hop_length)

    def _extract_file(self, path):
        # Decoded twice, block by block (tzanetakis57_blocks makes two passes), so a long
        # song never sits in memory whole; the values equal _extract(load(path)).
        def blocks():
            return stream_mono(path, sr=self.sr, block_seconds=_BLOCK_SECONDS)

        return tzanetakis57_blocks(
            self._centred_blocks(blocks), sr=self.sr, n_fft=self.n_fft, hop_length=self.hop_length
        )

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
