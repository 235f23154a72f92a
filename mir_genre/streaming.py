"""Songs of any length: the one window rule, and decoding a file window by window.

`window_starts` places predict's windows, `~mir_genre.classifiers.SegmentVoting`'s
segments and the deep models' covering patches; `stream_windows` decodes a song once,
one window at a time, through the same checks, mix-down and resampling as
`mir_genre.audio.load`, so a long song never sits in memory whole.
"""

import contextlib
import os

import numpy as np

from . import audio
from .audio import MP3_FRAME, fix_duration, quiet_native_stderr
from .exceptions import AudioError

__all__ = ["MIN_TAIL_FRACTION", "read_blocks", "stream_mono", "stream_windows", "window_starts"]


#: Default tail rule of `window_starts`: a tail shorter than half a window is left out.
MIN_TAIL_FRACTION = 0.5


def window_starts(total, window, *, hop=None, min_tail=MIN_TAIL_FRACTION):
    """Where the windows covering a signal start: the one window rule of mir_genre.

    Windows of length ``window`` start at 0, ``hop``, ``2 * hop``, ... while they fit.
    What is left after the last one (the tail) becomes one more window, ending exactly
    at the end of the signal (so it overlaps the one before and holds real audio only),
    when it is at least ``min_tail`` windows long.  A signal no longer than one window
    is one window at 0; the caller pads it or keeps it short.  Any unit works: seconds
    (`mir_genre.predict`), samples (`~mir_genre.classifiers.SegmentVoting`, with
    ``min_tail=None``: tails dropped) or spectrogram frames (the deep models' patches,
    ``min_tail=0``: any tail gets a window).

    Parameters
    ----------
    total : float >= 0
        Length of the signal.
    window : float > 0
        Window length.
    hop : float > 0 or None, default=None
        Distance between window starts; None means ``window`` (no overlap).
    min_tail : float in [0, 1] or None, default=0.5
        Shortest tail, as a fraction of a window, that gets a window; None drops tails.

    Returns
    -------
    list of float or int
        Start positions (integers for integer arguments).

    Examples
    --------
    >>> window_starts(15.0, 5.0)
    [0.0, 5.0, 10.0]
    >>> window_starts(13.0, 5.0)
    [0.0, 5.0, 8.0]
    >>> window_starts(11.0, 5.0)
    [0.0, 5.0]
    >>> window_starts(3.0, 5.0)
    [0.0]
    >>> window_starts(100, 30, min_tail=0), window_starts(100, 30, hop=20, min_tail=None)
    ([0, 30, 60, 70], [0, 20, 40, 60])
    """
    hop = window if hop is None else hop
    if total <= window:
        return [0 * (total + window)]
    # A hair of tolerance: 14.9999999 s of 5-s windows is three windows, not two and a tail.
    starts = [k * hop for k in range(int(np.floor((total - window) / hop + 1e-9)) + 1)]
    tail = total - (starts[-1] + window)
    if min_tail is not None and tail > 1e-9 and tail >= min_tail * window:
        starts.append(total - window)
    return starts


def read_blocks(path, *, block_seconds, sr=None):
    """Decode a file from start to end in consecutive blocks, never whole if avoidable.

    Parameters
    ----------
    path : str or os.PathLike
        The audio file.
    block_seconds : float > 0
        Block length.
    sr : int > 0 or None, default=None
        Rate at which formats libsndfile cannot read are decoded (whole, mono, by
        `load`); None keeps their own rate.

    Yields
    ------
    block : np.ndarray [shape=(frames, channels)], float32
        At the file's own rate; the last block is shorter (possibly empty).
    native_sr : int
        The file's sampling rate.

    Notes
    -----
    libsndfile formats are read in order, never seeking; MP3 in whole MPEG frames
    (`MP3_FRAME`), because libsndfile's decoder returns wrong samples near the end of a
    read that stops inside a frame.  Other formats are decoded whole by
    `mir_genre.audio.load` (at
    ``sr``, mono).

    Raises
    ------
    AudioError
        As `mir_genre.audio.load`, and for a file damaged after its header (with the
        time it broke at).
    """
    import soundfile as sf

    audio.check_file(path)  # named faults first: a FIFO would block the decoder
    try:
        f = sf.SoundFile(os.fspath(path))
    except Exception:  # not a libsndfile format, or not audio: load says which
        y, sr = audio.load(path, sr=sr)  # looked up on use: tests replace it
        size = int(round(block_seconds * sr))
        for start in range(0, len(y) + 1, size):
            yield y[start : start + size, np.newaxis], sr
        return
    audio.warn_if_truncated(path)  # load warns itself on the path above
    with f:
        size = int(round(block_seconds * f.samplerate))
        chunk, quiet = size, contextlib.nullcontext
        if f.format == "MP3":
            # libmpg123 still prints "part2_3_length (...) too large for available bit
            # count" although the samples equal a whole-file read (python-soundfile #402).
            chunk, quiet = -(-size // MP3_FRAME) * MP3_FRAME, quiet_native_stderr
        buffer = np.zeros((0, f.channels), dtype=np.float32)
        while True:
            try:
                with quiet():
                    data = f.read(chunk, dtype="float32", always_2d=True)
            except Exception as exc:  # a file damaged after its header
                raise AudioError(
                    f"Could not decode audio file '{path}' after {f.tell() / f.samplerate:.1f} "
                    f"s: {exc}. Re-encode the file (e.g. with ffmpeg) or exclude it."
                ) from exc
            buffer = np.concatenate([buffer, data]) if len(buffer) else data
            while len(buffer) >= size:
                yield buffer[:size], f.samplerate
                buffer = buffer[size:]
            if len(data) < chunk:
                yield buffer, f.samplerate
                return


def stream_windows(path, *, sr, window, stats=None):
    """Yield the windows of a song, mono at ``sr``, as `window_starts` places them.

    The song is decoded once, one window at a time (the window before is kept to build
    the last, overlapping one), so a 10-minute song never sits in memory whole.  Each
    window is mixed down and resampled as `mir_genre.audio.load` does.

    Parameters
    ----------
    path : str or os.PathLike
        The song.
    sr : int > 0
        Sampling rate of the windows.
    window : float > 0
        Window length in seconds; full windows are ``round(window * sr)`` samples, and a
        song shorter than one window is yielded whole.
    stats : dict or None, default=None
        Gets ``"seconds"``, the song's length, once the song has been read.

    Yields
    ------
    np.ndarray [shape=(n,)], float32
    """
    previous, n_frames, native_sr = None, 0, sr

    def prepare(block, fixed):
        y, _ = audio._mono_at(block.T, path=path, native_sr=native_sr, sr=sr)
        if fixed:
            y = fix_duration(y, sr=sr, duration=window)
        return np.ascontiguousarray(y, dtype=np.float32)

    for block, native_sr in read_blocks(path, block_seconds=window, sr=sr):
        n_frames += len(block)
        size = int(round(window * native_sr))
        if len(block) == size:
            yield prepare(block, True)
            previous = block
            continue
        if previous is None:  # the whole song is shorter than one window: as it is
            if len(block) == 0:
                raise AudioError(f"Audio file '{path}' contains no samples; remove the file.")
            yield prepare(block, False)
        elif len(block) > 0 and len(block) >= MIN_TAIL_FRACTION * size:
            # The tail (see window_starts): one more window ending at the end of the song.
            yield prepare(np.concatenate([previous[len(block) :], block]), True)
    if stats is not None:
        stats["seconds"] = n_frames / native_sr


def stream_mono(path, *, sr, block_seconds=10.0):
    """Decode a file into consecutive mono blocks at ``sr``, never holding it whole.

    Each block is checked and mixed down as `mir_genre.audio.load` does, and resampled
    with soxr's streaming resampler at the quality `load` uses (``soxr_hq``), so the
    blocks joined end to end equal ``load(path, sr=sr)[0]``.

    Parameters
    ----------
    path : str or os.PathLike
        The audio file.
    sr : int > 0
        Sampling rate of the blocks.
    block_seconds : float > 0, default=10.0
        Length of the blocks read from the file (in the file's own rate).

    Yields
    ------
    np.ndarray [shape=(n,)], float32
        Consecutive samples; blocks may be empty.

    Raises
    ------
    AudioError
        As `mir_genre.audio.load`, including for a file without samples.

    Examples
    --------
    >>> import numpy as np, soundfile as sf, tempfile, os
    >>> tmp = os.path.join(tempfile.mkdtemp(), "tone.wav")
    >>> sf.write(tmp, np.sin(np.arange(44100) / 10.0), 44100)
    >>> blocks = list(stream_mono(tmp, sr=22050, block_seconds=0.3))
    >>> y = np.concatenate(blocks)
    >>> y.shape, bool(np.array_equal(y, audio.load(tmp, sr=22050)[0]))
    ((22050,), True)
    """
    resampler, n_in, n_out, native_sr = None, 0, 0, sr
    for block, native_sr in read_blocks(path, block_seconds=block_seconds, sr=sr):
        n_in += len(block)
        if len(block) == 0:
            continue
        y, _ = audio._mono_at(block.T, path=path, native_sr=native_sr, sr=None)
        if native_sr != sr:
            if resampler is None:
                import soxr

                resampler = soxr.ResampleStream(native_sr, sr, 1, dtype="float32", quality="HQ")
            y = resampler.resample_chunk(np.ascontiguousarray(y, dtype=np.float32))
        y = np.ascontiguousarray(y, dtype=np.float32)
        n_out += len(y)
        yield y
    if n_in == 0:
        raise AudioError(
            f"Audio file '{path}' contains no samples; it is zero-length. Remove the file."
        )
    if resampler is not None:
        # librosa.resample fixes the length to ceil(n * ratio): the same here.
        expected = int(np.ceil(n_in * sr / native_sr))
        tail = resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
        tail = np.ascontiguousarray(tail[: max(expected - n_out, 0)], dtype=np.float32)
        n_out += len(tail)
        yield np.concatenate([tail, np.zeros(max(expected - n_out, 0), dtype=np.float32)])
