"""Spectral building blocks shared by the extractors, each computed once per clip.

The harmonic/percussive separation here gives the same values as
``librosa.decompose.hpss`` but replaces ``scipy.ndimage.median_filter`` with an exact
sorted-window running median (`._kernels`): for the 31-frame kernels librosa
uses it is about 5x faster than ``bottleneck.move_median`` (which serves the inputs it
does not take) and 45x faster than scipy.
"""

import functools
import warnings
from contextlib import contextmanager

import numpy as np

__all__ = [
    "FrameChunk",
    "frame_chunks",
    "harmonic",
    "hpss",
    "istft_frames",
    "median_filter_axis",
    "melspectrogram",
    "pad_short",
    "quiet_degenerate",
    "stft",
]


@contextmanager
def quiet_degenerate():
    """Silence librosa's warnings about degenerate but well-defined input.

    Silence or very short clips make `librosa.estimate_tuning` find no peaks (it then
    assumes 0 cents) and make the lowest CQT octaves shorter than their window (they
    are zero-padded).  Both results are defined and finite, so the warnings would only
    be noise in a batch extraction.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Trying to estimate tuning from empty frequency set"
        )
        warnings.filterwarnings("ignore", message="n_fft=.* is too large for input signal")
        yield


def pad_short(y, *, n_fft):
    """Zero-pad ``y`` at the end to at least ``n_fft`` samples.

    librosa warns and returns degenerate frames for signals shorter than one FFT
    window; padding with silence keeps very short clips valid and their features finite.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Audio.
    n_fft : int > 0
        Minimum length.

    Returns
    -------
    np.ndarray [shape=(max(n, n_fft),)]

    Examples
    --------
    >>> import numpy as np
    >>> pad_short(np.ones(3), n_fft=8).shape
    (8,)
    """
    if y.shape[-1] >= n_fft:
        return y
    return np.pad(y, [(0, 0)] * (y.ndim - 1) + [(0, n_fft - y.shape[-1])])


def stft(y, *, n_fft=2048, hop_length=512):
    """Short-time Fourier transform with librosa's defaults (Hann window, centred frames).

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Audio.
    n_fft : int > 0, default=2048
        FFT size.
    hop_length : int > 0, default=512
        Hop between frames in samples.

    Returns
    -------
    np.ndarray [shape=(1 + n_fft // 2, n_frames)], complex
        The same array ``librosa.stft(y, n_fft=n_fft, hop_length=hop_length)`` returns.

    Examples
    --------
    >>> import numpy as np
    >>> stft(np.zeros(4096, dtype=np.float32), n_fft=512, hop_length=128).shape
    (257, 33)
    """
    import librosa

    return librosa.stft(y, n_fft=n_fft, hop_length=hop_length)


@functools.lru_cache(maxsize=16)
def _mel_basis(sr, n_fft, n_mels):
    import librosa

    basis = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels)
    basis.flags.writeable = False  # shared by every later call
    return basis


def melspectrogram(S, *, sr, n_mels=128):
    """Mel spectrogram of a power spectrogram, the filter bank built once per process.

    ``librosa.feature.melspectrogram`` builds its filter bank on every call (about 1 ms,
    as long as the product itself for a 30-s clip).

    Parameters
    ----------
    S : np.ndarray [shape=(1 + n_fft // 2, t)]
        Power spectrogram (``n_fft`` follows from its height, as in librosa).
    sr : int > 0
        Sampling rate.
    n_mels : int > 0, default=128
        Mel bands.

    Returns
    -------
    np.ndarray [shape=(n_mels, t)]
        ``librosa.feature.melspectrogram(S=S, sr=sr, n_mels=n_mels)``.

    Examples
    --------
    >>> import numpy as np, librosa
    >>> S = np.abs(librosa.stft(np.sin(np.arange(8192) / 3.0).astype(np.float32))) ** 2
    >>> M = melspectrogram(S, sr=22050)
    >>> bool(np.allclose(M, librosa.feature.melspectrogram(S=S, sr=22050), rtol=1e-6))
    True
    """
    return _mel_basis(sr, 2 * (S.shape[-2] - 1), n_mels) @ S


def median_filter_axis(S, *, size, axis):
    """Centred running median along one axis, with scipy's ``mode="reflect"`` edges.

    Equal to ``scipy.ndimage.median_filter(S, size=...)`` with a window of ``size``
    along ``axis`` and 1 elsewhere, for odd ``size``.

    Parameters
    ----------
    S : np.ndarray [shape=(d, t)]
        Real-valued input.
    size : int > 0, odd
        Window length.
    axis : int
        Axis to filter along.

    Returns
    -------
    np.ndarray [shape=S.shape]

    Examples
    --------
    >>> import numpy as np
    >>> median_filter_axis(np.array([[1.0, 9.0, 2.0, 3.0]]), size=3, axis=1)
    array([[1., 2., 3., 3.]])
    """
    import bottleneck as bn

    if size % 2 != 1:
        raise ValueError(f"median window size must be odd; got {size}")
    if size == 1:
        return S.copy()
    half = size // 2
    # scipy's 'reflect' repeats the edge sample (d c b a | a b c d): numpy calls it 'symmetric'.
    if (
        S.ndim == 2
        and S.shape[axis] > half
        and S.dtype in (np.float32, np.float64)
        and np.isfinite(S).all()
    ):
        from ._kernels import running_median_rows

        # The sorted-window kernel filters along the rows of a C-ordered array: the
        # filtered axis goes first (a transpose, free for a Fortran-ordered ``S``).  The
        # result may be a transposed view (Fortran-ordered).
        first = axis in (0, -2)
        X = S if first else S.T
        # Padded by hand into one C-ordered array: np.pad keeps a Fortran order, which
        # would cost a second copy.
        rows = np.empty((X.shape[0] + 2 * half, X.shape[1]), dtype=S.dtype)
        rows[half:-half] = X
        rows[:half] = X[half - 1 :: -1] if half else X[:0]
        rows[-half:] = X[: -half - 1 : -1]
        out = running_median_rows(rows, size)
        return out if first else out.T
    pad = [(0, 0)] * S.ndim
    pad[axis] = (half, half)
    padded = np.pad(S, pad, mode="symmetric")
    if padded.shape[axis] < size:  # more padding than data: fall back to exact scipy
        import scipy.ndimage

        shape = [1] * S.ndim
        shape[axis] = size
        return scipy.ndimage.median_filter(S, size=shape, mode="reflect")
    # bottleneck's window trails the output index; dropping the first size-1 outputs centres it.
    out = bn.move_median(padded, window=size, axis=axis)
    index = [slice(None)] * S.ndim
    index[axis] = slice(size - 1, None)
    return np.ascontiguousarray(out[tuple(index)], dtype=S.dtype)


def hpss(D, *, kernel_size=31, margin=1.0, power=2.0):
    """Harmonic/percussive separation of a complex STFT, as ``librosa.decompose.hpss``.

    Parameters
    ----------
    D : np.ndarray [shape=(d, t)], complex
        STFT matrix.
    kernel_size : int > 0, odd, default=31
        Median filter length for both the harmonic (time) and percussive (frequency) filters.
    margin : float >= 1, default=1.0
        Separation margin, as in librosa.
    power : float > 0, default=2.0
        Exponent of the soft mask.

    Returns
    -------
    D_harmonic, D_percussive : np.ndarray [shape=(d, t)], complex
        The two components: the masks are exactly librosa's, and each component is its
        mask times ``D`` (librosa multiplies the magnitude by the mask, then by the
        phase), so values agree with ``librosa.decompose.hpss(D, kernel_size=...,
        margin=..., power=...)`` to the last bit or two (rtol 1e-6).

    See Also
    --------
    harmonic : the harmonic part alone, in one pass.

    Examples
    --------
    >>> import numpy as np, librosa
    >>> y = np.sin(np.arange(8192) / 5.0).astype(np.float32)
    >>> D = librosa.stft(y, n_fft=512)
    >>> H, P = hpss(D)
    >>> bool(np.allclose(H, librosa.decompose.hpss(D)[0], rtol=1e-6, atol=0))
    True
    """
    import librosa

    harm, perc = _median_filters(np.abs(D), kernel_size)
    if margin == 1:
        masks = _complementary_masks(harm, perc, power=power)
    else:
        masks = (
            librosa.util.softmask(harm, perc * margin, power=power),
            librosa.util.softmask(perc, harm * margin, power=power),
        )
    return masks[0] * D, masks[1] * D


def harmonic(D, *, mag=None, kernel_size=31):
    """Return the harmonic part of `hpss` alone (margin 1, power 2), in one pass over ``D``.

    With these settings the two masks add up to 1, so the percussive part is ``D``
    minus this one, and its waveform the signal minus this one's (to rounding: the
    inverse STFT reconstructs the signal to about 1e-7).

    Parameters
    ----------
    D : np.ndarray [shape=(d, t)], complex
        STFT matrix.
    mag : np.ndarray [shape=(d, t)] or None, default=None
        ``np.abs(D)``, when the caller has it already.
    kernel_size : int > 0, odd, default=31
        Median filter length.

    Returns
    -------
    np.ndarray [shape=(d, t)], complex
        ``hpss(D, kernel_size=kernel_size)[0]``, value for value.

    Examples
    --------
    >>> import numpy as np, librosa
    >>> D = librosa.stft(np.sin(np.arange(8192) / 5.0).astype(np.float32), n_fft=512)
    >>> bool(np.array_equal(harmonic(D), hpss(D)[0]))
    True
    """
    from ._kernels import harmonic_part

    S = np.abs(D) if mag is None else mag
    harm, perc = _median_filters(S, kernel_size)
    if D.dtype.kind == "c" and S.dtype.itemsize * 2 == D.dtype.itemsize:
        # librosa's STFT is Fortran-ordered (frames contiguous): the kernel walks the
        # transposes, so that no array is copied into another layout.
        if D.flags.f_contiguous:
            return harmonic_part(D.T, harm.T, np.ascontiguousarray(perc.T)).T
        return harmonic_part(np.ascontiguousarray(D), np.ascontiguousarray(harm), perc)
    return _complementary_masks(harm, perc, power=2.0)[0] * D


def _median_filters(S, kernel_size):
    """Return the running medians of ``S`` along time and along frequency."""
    return (
        median_filter_axis(S, size=kernel_size, axis=-1),
        median_filter_axis(S, size=kernel_size, axis=-2),
    )


def istft_frames(D, *, n_fft, hop_length, dtype=np.float32):
    """Inverse STFT of uncentred Hann frames, as ``librosa.istft(D, center=False)``.

    All frames go through one inverse FFT; when the hop divides ``n_fft`` the overlap-add
    is ``n_fft // hop_length`` shifted array additions instead of a loop over frames.

    Parameters
    ----------
    D : np.ndarray [shape=(1 + n_fft // 2, t)], complex
        STFT frames.
    n_fft : int > 0
        FFT size (the Hann window's length).
    hop_length : int > 0
        Hop between frames.
    dtype : numpy dtype, default=np.float32
        Dtype of the signal.

    Returns
    -------
    np.ndarray [shape=(n_fft + hop_length * (t - 1),)]
        ``librosa.istft(D, n_fft=n_fft, hop_length=hop_length, center=False,
        dtype=dtype)`` (rtol 1e-6: the window is applied in ``dtype``, librosa applies it
        in float64).

    Examples
    --------
    >>> import numpy as np, librosa
    >>> D = librosa.stft(np.sin(np.arange(9000) / 4.0).astype(np.float32), center=False)
    >>> y = istft_frames(D, n_fft=2048, hop_length=512)
    >>> ref = librosa.istft(D, n_fft=2048, hop_length=512, center=False)
    >>> bool(np.allclose(y, ref, rtol=1e-6, atol=1e-6))
    True
    """
    import librosa
    import scipy.fft

    if n_fft % hop_length or not D.shape[-1]:
        return librosa.istft(D, n_fft=n_fft, hop_length=hop_length, center=False, dtype=dtype)
    k, n = n_fft // hop_length, D.shape[-1]
    window = librosa.filters.get_window("hann", n_fft, fftbins=True).astype(dtype)
    # Frames in rows: librosa's STFT is Fortran-ordered, so D.T is C-ordered.
    frames = scipy.fft.irfft(D.T, n=n_fft, axis=-1).astype(dtype, copy=False)
    frames *= window
    frames = frames.reshape(n, k, hop_length)
    y = np.zeros((n + k - 1, hop_length), dtype=dtype)
    wss = np.zeros_like(y)
    squares = (window * window).reshape(k, hop_length)
    # Part j of frame t is block t + j of the signal; added last frame first per block.
    for j in range(k - 1, -1, -1):
        y[j : j + n] += frames[:, j]
        wss[j : j + n] += squares[j]
    y, wss = y.ravel(), wss.ravel()
    return np.divide(y, wss, out=y, where=wss > np.finfo(dtype).tiny)


def _complementary_masks(X, Y, *, power):
    """Both soft masks ``X^p / (X^p + Y^p)`` and ``Y^p / (X^p + Y^p)`` in one pass.

    Equal, value for value, to ``librosa.util.softmask(X, Y, split_zeros=True)`` and
    ``librosa.util.softmask(Y, X, split_zeros=True)``: the same operations in the same
    order (floating-point addition is commutative), without computing them twice.
    """
    Z = np.maximum(X, Y)
    bad = Z < np.finfo(Z.dtype).tiny
    Z[bad] = 1
    mx = (X / Z) ** power
    my = (Y / Z) ** power
    total = mx + my
    good = ~bad
    mask_x = np.divide(mx, total, out=np.full_like(mx, 0.5), where=good)
    mask_y = np.divide(my, total, out=np.full_like(my, 0.5), where=good)
    return mask_x, mask_y


class FrameChunk:
    """Frames ``f0`` to ``f1`` of a signal read as a stream, with the samples around them.

    Made by `frame_chunks`; `samples` gives any stretch of the signal the chunk's
    context covers, padded past the signal's ends as the centred librosa features pad.

    Attributes
    ----------
    f0, f1 : int
        First and one-past-last frame this chunk owns.
    n_frames : int or None
        Frames of the whole signal (``1 + n_samples // hop_length``); known only in the
        chunks computed after the end of the stream, else None.
    n_samples : int or None
        Length of the whole signal, likewise.
    """

    def __init__(self, f0, f1, buffer, start, first, n_samples, hop_length):
        self.f0, self.f1 = f0, f1
        self._buffer, self._start, self._first = buffer, start, first
        self.n_samples = n_samples
        self.n_frames = None if n_samples is None else 1 + n_samples // hop_length

    @property
    def dtype(self):
        """The dtype of the samples."""
        return self._buffer.dtype

    def samples(self, start, stop, *, mode="constant"):
        """Return samples ``start`` to ``stop`` of the signal (absolute indices).

        Parameters
        ----------
        start, stop : int
            The stretch; it may reach before 0 and, in the chunks after the end of the
            stream, past the end.
        mode : {"constant", "edge"}, default="constant"
            Padding beyond the signal: zeros (`librosa.stft`, `librosa.feature.rms`) or
            the first and last samples repeated (`librosa.feature.zero_crossing_rate`).

        Returns
        -------
        np.ndarray [shape=(stop - start,)]
        """
        buf = self._buffer
        out = np.zeros(stop - start, dtype=buf.dtype)
        end = self._start + len(buf)
        lo, hi = max(start, 0), min(stop, end)
        if start < self._start and start >= 0 or stop > end and self.n_samples is None:
            raise ValueError(f"samples {start}:{stop} outside the chunk's context")
        out[lo - start : hi - start] = buf[lo - self._start : hi - self._start]
        if mode == "edge":
            out[: lo - start] = self._first
            if self.n_samples is not None and stop > end:
                out[hi - start :] = buf[-1]
        return out


def frame_chunks(blocks, *, n_fft, hop_length, chunk_frames, context):
    """Cut a stream of samples into chunks of centred frames, keeping only what they need.

    Frame ``t`` covers samples ``t * hop_length - n_fft // 2`` to that plus ``n_fft``, as
    in ``librosa.stft(center=True)``.  Each chunk owns ``chunk_frames`` frames and can
    see ``context`` frames more on either side (through `FrameChunk.samples`); the
    stream is held from the first sample the current chunk may need to the last one
    read, so memory depends on ``chunk_frames``, not on the signal's length.  The chunks
    made once the end is known share the frames left equally (at least half a chunk
    each, unless the signal is shorter).  A signal
    shorter than ``n_fft`` is zero-padded to ``n_fft`` (`pad_short`).

    Parameters
    ----------
    blocks : iterable of np.ndarray [shape=(n,)]
        Consecutive samples.
    n_fft : int > 0
        Frame length.
    hop_length : int > 0
        Hop between frames.
    chunk_frames : int > 0
        Frames owned by each chunk.
    context : int >= 0
        Frames beyond a chunk's own, on each side, that it must be able to compute.

    Yields
    ------
    FrameChunk
        In order; together they own every frame of the signal once.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.arange(10_000, dtype=np.float32)
    >>> chunks = frame_chunks(np.array_split(y, 7), n_fft=512, hop_length=128,
    ...                       chunk_frames=20, context=3)
    >>> [(c.f0, c.f1) for c in chunks]
    [(0, 20), (20, 40), (40, 60), (60, 79)]
    """
    half = n_fft // 2
    ahead = max(context, chunk_frames // 2)
    buffer, start, first, f0, dtype = [], 0, None, 0, np.float32

    def joined():
        return np.concatenate(buffer) if len(buffer) != 1 else buffer[0]

    for block in blocks:
        if not len(block):
            continue
        if first is None:
            first, dtype = block[0], block.dtype
        buffer.append(block)
        end = start + sum(len(b) for b in buffer)
        # Frames up to f1 + ahead - 1 lie inside the samples read: not the end yet.  Half a
        # chunk more than the context is awaited, so that the chunks made at the end are
        # never tiny (numpy and BLAS may round products of a few frames differently).
        while end >= (f0 + chunk_frames + ahead - 1) * hop_length - half + n_fft:
            data = joined()
            yield FrameChunk(f0, f0 + chunk_frames, data, start, first, None, hop_length)
            f0 += chunk_frames
            keep = max((f0 - context) * hop_length - half, 0)
            buffer, start = [data[keep - start :]], keep
    data = joined() if buffer else np.zeros(0, dtype=dtype)
    n_samples = start + len(data)
    if n_samples < n_fft:
        data = np.concatenate([data, np.zeros(n_fft - n_samples, dtype=data.dtype)])
        n_samples = n_fft
    if first is None:
        first = data[0]
    n_frames = 1 + n_samples // hop_length
    # The frames left, in as few chunks as fit, of equal sizes.
    left = n_frames - f0
    n_chunks = -(-left // chunk_frames)
    for k in range(n_chunks):
        a, b = f0 + k * left // n_chunks, f0 + (k + 1) * left // n_chunks
        yield FrameChunk(a, b, data, start, first, n_samples, hop_length)
