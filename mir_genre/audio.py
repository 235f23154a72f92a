"""Audio input: decode, mix down, resample, fix the length, and validate audio arrays.

Every extractor reads files through :func:`load` and checks arrays through
:func:`valid_audio`, so a bad file or a bad array gives the same clear error
everywhere: the file or parameter, the rule it broke, and how to fix it.
"""

import contextlib
import os
import sys
import threading
import warnings
from pathlib import Path

import numpy as np

from ._paths import (
    AUDIO_EXTENSIONS,
    FALLBACK_EXTENSIONS,
    HIDDEN,
    NOT_AUDIO,
    check_file,
    describe_skipped,
    find_audio,
    permission_error,
    truncation,
    warn_if_truncated,
)
from .exceptions import AudioError, ParameterError

__all__ = [
    "AUDIO_EXTENSIONS",
    "FALLBACK_EXTENSIONS",
    "HIDDEN",
    "NOT_AUDIO",
    "as_audio_batch",
    "check_file",
    "describe_skipped",
    "fallback_decoders",
    "find_audio",
    "fix_duration",
    "is_path_sequence",
    "load",
    "truncation",
    "warn_if_truncated",
    "valid_audio",
]


def is_path_sequence(X):
    """Tell whether ``X`` is a 1-D sequence of file paths (rather than an audio array).

    Parameters
    ----------
    X : object
        Anything passed as ``X`` to an extractor.

    Returns
    -------
    bool
        True for a non-empty list, tuple, Series or 1-D object/str array whose items
        are all ``str`` or ``os.PathLike``.

    Examples
    --------
    >>> is_path_sequence(["a.wav", "b.flac"])
    True
    >>> import numpy as np
    >>> is_path_sequence(np.zeros((2, 100)))
    False
    >>> import pandas as pd
    >>> is_path_sequence(pd.DataFrame({"s0": [0.0], "s1": [0.1]}))
    False
    """
    if isinstance(X, (str, os.PathLike)):
        return False
    if getattr(X, "ndim", 1) != 1:
        # A DataFrame iterates over its column names: audio samples in a DataFrame with
        # string column names must not be mistaken for a list of files named after them.
        return False
    if isinstance(X, np.ndarray):
        if X.dtype.kind not in "OUS":
            return False
    elif not hasattr(X, "__len__") or not hasattr(X, "__iter__"):
        return False
    try:
        items = list(X)
    except TypeError:
        return False
    return len(items) > 0 and all(isinstance(item, (str, os.PathLike)) for item in items)


def valid_audio(y, *, name="y", ndim=1):
    """Check that ``y`` is usable audio: a float array of the right rank with finite values.

    Parameters
    ----------
    y : np.ndarray
        The audio to check.
    name : str, default="y"
        What to call the array in error messages (a parameter name or a file name).
    ndim : int, default=1
        The required number of dimensions (1 for one clip, 2 for a batch of clips).

    Returns
    -------
    bool
        True when every check passes.

    Raises
    ------
    ParameterError
        If ``y`` is not a numpy array, has an integer or non-numeric dtype, has the wrong
        number of dimensions, has no samples, or contains NaN or infinite values.

    Examples
    --------
    >>> import numpy as np
    >>> valid_audio(np.sin(np.linspace(0, 100, 1000)))
    True
    >>> valid_audio(np.array([0, 1, 2]))
    Traceback (most recent call last):
    ...
    mir_genre.exceptions.ParameterError: Audio y must be floating point; got dtype int64. ...
    """
    if not isinstance(y, np.ndarray):
        raise ParameterError(
            f"Audio {name} must be a numpy array; got {type(y).__name__}. "
            "Pass np.asarray(...) of float samples in [-1, 1]."
        )
    if y.dtype.kind in "iub":
        raise ParameterError(
            f"Audio {name} must be floating point; got dtype {y.dtype}. "
            "Integer PCM has an arbitrary scale: convert it, e.g. "
            "y.astype(np.float32) / np.iinfo(y.dtype).max, or load files with "
            "mir_genre.audio.load."
        )
    if y.dtype.kind != "f":
        raise ParameterError(
            f"Audio {name} must be a real floating-point array; got dtype {y.dtype}."
        )
    if y.ndim != ndim:
        shape_hint = "(n_samples,)" if ndim == 1 else "(n_clips, n_samples)"
        raise ParameterError(
            f"Audio {name} must be {ndim}-D with shape {shape_hint}; got shape {y.shape}."
        )
    if y.size == 0:
        raise ParameterError(
            f"Audio {name} has no samples (shape {y.shape}); pass non-empty audio."
        )
    if not np.isfinite(y).all():
        n_bad = int(np.size(y) - np.isfinite(y).sum())
        raise ParameterError(
            f"Audio {name} contains {n_bad} NaN or infinite sample(s); audio must be finite. "
            "Replace them, e.g. np.nan_to_num(y), or fix the source."
        )
    return True


def as_audio_batch(X, *, name="mir_genre"):
    """Turn ``X`` into an array that can be a 2-D mono float batch, or say why it cannot.

    The checks scikit-learn's ``validate_data`` would fail with a message about arrays,
    made about audio: the rule ``X`` broke and the fix.  NaN/inf are refused as by
    `valid_audio`; float16 and object arrays of numbers pass (``validate_data``
    converts them to float).

    Parameters
    ----------
    X : array-like [shape=(n_clips, n_samples)]
        A batch of mono clips (not file paths: see `is_path_sequence`).
    name : str, default="mir_genre"
        Who asks (an estimator's class name), for the messages.

    Returns
    -------
    np.ndarray
        ``X`` as an array, not yet converted to float.

    Raises
    ------
    ParameterError
        For paths mixed with clips, clips of different lengths (a ragged list), items
        that are not clips, integer or complex dtypes, 1-D input, 3-D or more input
        (multi-channel clips), no clips or no samples, and NaN or infinite values.

    Examples
    --------
    >>> import numpy as np
    >>> as_audio_batch([np.zeros(100), np.zeros(90)])
    Traceback (most recent call last):
    ...
    mir_genre.exceptions.ParameterError: mir_genre expects X as a 2-D array ... np.stack needs ...
    """
    try:
        _check_clip_list(name, X)
        X_arr = X if isinstance(X, np.ndarray) else np.asarray(X)
    except ParameterError:
        raise
    except ValueError as exc:  # nested sequences numpy cannot make rectangular
        raise ParameterError(
            f"{name} expects X as a 2-D array (n_clips, n_samples) of equal-length mono "
            f"clips; numpy cannot stack what was given ({exc}). Use np.stack on clips of "
            "one length (librosa.util.fix_length pads or crops them), or pass file paths."
        ) from exc
    if X_arr.dtype.kind in "iub":
        raise ParameterError(
            f"{name} expects X as float audio; got an integer array "
            f"(dtype {X_arr.dtype}). Integer PCM has an arbitrary scale: convert it, e.g. "
            "X.astype(np.float32) / 32768 for 16-bit audio, or pass file paths instead."
        )
    if X_arr.dtype.kind == "c":
        # "Complex data not supported" is the phrase scikit-learn's check_complex_data wants.
        raise ParameterError(
            f"{name} expects real float audio. Complex data not supported (got dtype "
            f"{X_arr.dtype}); pass the real waveform, e.g. X.real, or file paths."
        )
    _check_batch_shape(name, X_arr)
    if X_arr.dtype.kind == "f":
        valid_audio(X_arr, name="X", ndim=2)  # NaN/inf, before scikit-learn's own message
    return X_arr


def _check_clip_list(name, X):
    """Refuse a list of clips that cannot form a 2-D batch."""
    if not isinstance(X, (list, tuple)) and not (isinstance(X, np.ndarray) and X.dtype == object):
        return
    items = list(X)
    is_path = [isinstance(item, (str, os.PathLike)) for item in items]
    if any(is_path):
        other = is_path.index(False)
        raise ParameterError(
            f"{name} expects X as file paths or as audio, not both: item {other} is "
            f"{type(items[other]).__name__} among file paths. Pass only paths (str or "
            "os.PathLike), or only equal-length clips as a 2-D float array."
        )
    ranks = [np.ndim(item) for item in items]
    if any(ranks) and 0 in ranks:
        bad = ranks.index(0)
        raise ParameterError(
            f"{name} expects X as a list of clips (arrays of samples); item {bad} is "
            f"{type(items[bad]).__name__}: {items[bad]!r:.40}. Remove it or replace it "
            "with a clip."
        )
    lengths = {np.shape(item)[-1] for item in items if np.ndim(item) >= 1}
    if len(lengths) > 1:
        raise ParameterError(
            f"{name} expects X as a 2-D array (n_clips, n_samples) of equal-length clips; "
            f"got {len(items)} clips of different lengths ({min(lengths)} to "
            f"{max(lengths)} samples). np.stack needs equal lengths: pad or crop each clip "
            "to one length, e.g. librosa.util.fix_length(y, size=n) or "
            "mir_genre.audio.fix_duration, or pass file paths."
        )


def _check_batch_shape(name, X_arr):
    """Refuse batches of the wrong rank, with no clips or with no samples."""
    if X_arr.ndim == 1 and X_arr.size == 0:
        raise ParameterError(
            f"{name} got an empty X: no clips and no file paths. Pass at least one clip "
            "as a 2-D float array (n_clips, n_samples), or a list of file paths."
        )
    if X_arr.ndim == 1:
        raise ParameterError(
            f"{name} expects X as a 2-D float array (n_clips, n_samples) "
            f"or a 1-D sequence of file paths; got a 1-D array of shape {X_arr.shape}. "
            "Reshape your data with X[np.newaxis, :] for a single clip."
        )
    if X_arr.ndim > 2:
        axis = "1" if X_arr.shape[1] <= X_arr.shape[-1] else "-1"
        raise ParameterError(
            f"{name} expects X as a 2-D array (n_clips, n_samples) of mono clips; got "
            f"a {X_arr.ndim}-D array of shape {X_arr.shape}. Mix multi-channel clips down "
            f"to mono, e.g. X.mean(axis={axis}) if axis {axis} holds the channels, or "
            "pass file paths (they are loaded as mono)."
        )
    if X_arr.ndim == 2 and 0 in X_arr.shape:
        # "0 sample(s) (shape=...) while a minimum of 1 is required" is scikit-learn's
        # phrase: its check_estimators_empty_data looks for it.
        what, rule = (
            ("sample", "X holds no clips")
            if X_arr.shape[0] == 0
            else ("feature", "the clips hold no audio samples")
        )
        raise ParameterError(
            f"{name} found 0 {what}(s) (shape={X_arr.shape}) while a minimum of 1 is "
            f"required: {rule}. Pass at least one clip with samples, as a 2-D float "
            "array (n_clips, n_samples), or file paths."
        )


def fix_duration(y, *, sr, duration):
    """Pad with zeros or crop ``y`` (along the last axis) to exactly ``duration`` seconds.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
        Audio.
    sr : int > 0
        Sampling rate of ``y``.
    duration : float > 0
        Target length in seconds; the result has ``round(duration * sr)`` samples.
        Longer audio keeps its beginning; shorter audio is padded with silence at the end.

    Returns
    -------
    np.ndarray [shape=(..., round(duration * sr))]

    Examples
    --------
    >>> import numpy as np
    >>> fix_duration(np.ones(10, dtype=np.float32), sr=10, duration=1.5).shape
    (15,)
    """
    import librosa

    return librosa.util.fix_length(y, size=int(round(duration * sr)), axis=-1)


def _check_load_params(sr, offset, duration):
    if sr is not None and (not isinstance(sr, (int, np.integer)) or sr <= 0):
        raise ParameterError(f"sr must be a positive integer or None; got {sr!r}.")
    if not isinstance(offset, (int, float, np.number)) or not np.isfinite(offset) or offset < 0:
        raise ParameterError(f"offset must be a finite number of seconds >= 0; got {offset!r}.")
    if duration is not None and (
        not isinstance(duration, (int, float, np.number))
        or not np.isfinite(duration)
        or duration <= 0
    ):
        raise ParameterError(
            f"duration must be a number of seconds > 0 or None; got {duration!r}."
        )


_quiet = {"lock": threading.Lock(), "depth": 0, "saved": None}


@contextlib.contextmanager
def quiet_native_stderr():
    """Send what C libraries write to file descriptor 2 to the null device meanwhile.

    Safe from several threads at once: the first to enter redirects the descriptor, the
    last to leave restores it (two independent redirections could restore the null
    device for good).
    """
    with _quiet["lock"]:
        if _quiet["depth"] == 0:
            sys.stderr.flush()
            try:
                _quiet["saved"] = os.dup(2)
            except OSError:  # no descriptor 2 (a windowless process): nothing to quiet
                _quiet["saved"] = None
            else:
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, 2)
                os.close(null)
        _quiet["depth"] += 1
    try:
        yield
    finally:
        with _quiet["lock"]:
            _quiet["depth"] -= 1
            if _quiet["depth"] == 0 and _quiet["saved"] is not None:
                os.dup2(_quiet["saved"], 2)
                os.close(_quiet["saved"])
                _quiet["saved"] = None


#: Samples per MPEG Layer III frame; the 576-sample frames of MPEG-2/2.5 divide it.
MP3_FRAME = 1152


def _read_soundfile(path, offset, duration):
    """Decode with libsndfile; return (y [channels, n], native_sr)."""
    import soundfile as sf

    with sf.SoundFile(path) as f:
        native_sr = f.samplerate
        start = min(int(round(offset * native_sr)), f.frames)
        frames = -1 if duration is None else int(round(duration * native_sr))
        if f.format == "MP3":
            return _read_mp3(f, start, frames), native_sr
        if start > 0:
            f.seek(start)
        data = f.read(frames=frames, dtype="float32", always_2d=True)
    return data.T, native_sr


def _read_mp3(f, start, frames):
    """Read ``frames`` samples (-1: to the end) from ``start`` of an open MP3 file.

    A seek lands in a frame whose bits partly live in earlier frames (the bit
    reservoir), and libsndfile then decodes wrong samples (errors of 0.13 on a test
    tone).  The frames before ``start`` are decoded instead, whole frames at a time,
    and dropped.
    """
    skip, head = divmod(start, MP3_FRAME)
    skip *= MP3_FRAME
    # libmpg123 prints "part2_3_length (...) too large for available bit count" when a
    # read stops inside a frame, although the samples equal those of a whole-file read
    # (python-soundfile issue #402): keep it off the user's terminal.
    with quiet_native_stderr():
        while skip > 0:
            n = min(skip, 256 * MP3_FRAME)
            f.read(frames=n, dtype="float32", always_2d=True)
            skip -= n
        n = frames if frames < 0 else head + frames
        data = f.read(frames=n, dtype="float32", always_2d=True)[head:]
    return data.T


def _read_audioread(path, offset, duration):
    """Decode with audioread (ffmpeg, GStreamer, ...); return (y [channels, n], native_sr)."""
    import audioread

    blocks = []
    with warnings.catch_warnings():
        # audioread's stdlib backend imports aifc, audioop and sunau, which warn
        # DeprecationWarning on Python >= 3.11; under `-W error` (as in our test suite)
        # that warning would replace the fallback decoder and hide the real error.
        warnings.simplefilter("ignore", DeprecationWarning)
        reader = audioread.audio_open(str(path))
    with reader as f:
        native_sr, channels = f.samplerate, f.channels
        start = int(round(offset * native_sr)) * channels
        stop = None if duration is None else start + int(round(duration * native_sr)) * channels
        seen = 0
        for buf in f:
            block = np.frombuffer(buf, dtype="<i2").astype(np.float32) / 32768.0
            lo, hi = seen, seen + block.size
            seen = hi
            if hi <= start:
                continue
            block = block[max(start - lo, 0) :]
            if stop is not None and hi > stop:
                block = block[: block.size - (hi - stop)]
            blocks.append(block)
            if stop is not None and seen >= stop:
                break
    data = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
    return data.reshape(-1, channels).T, native_sr


def fallback_decoders():
    """Name the fallback decoders (audioread backends) installed for formats libsndfile lacks.

    Returns
    -------
    list of str
        E.g. ``["FFmpegAudioFile"]``; audioread's own WAV/AIFF/AU reader is left out, as
        libsndfile reads those formats anyway.  Empty when M4A/AAC/WMA cannot be decoded.
    """
    try:
        import audioread
    except ImportError:  # pragma: no cover - a dependency of mir_genre
        return []
    with warnings.catch_warnings():  # see _read_audioread
        warnings.simplefilter("ignore", DeprecationWarning)
        backends = audioread.available_backends()
    return [b.__name__ for b in backends if b.__module__ != "audioread.rawread"]


def _decode_error(path, sf_exc, ar_exc):
    if isinstance(sf_exc, PermissionError) or isinstance(ar_exc, PermissionError):
        return permission_error(path)
    if Path(path).suffix.lower() in FALLBACK_EXTENSIONS and not fallback_decoders():
        return AudioError(
            f"Could not decode audio file '{path}': libsndfile cannot read "
            f"{Path(path).suffix.lower()} files, and no fallback decoder is installed. "
            "Install ffmpeg (e.g. apt install ffmpeg, brew install ffmpeg or conda install "
            "ffmpeg), which audioread uses, or convert the file to FLAC or WAV."
        )
    return AudioError(
        f"Could not decode audio file '{path}': it is corrupt or not an audio format "
        f"this machine can read (libsndfile: {sf_exc}; audioread: "
        f"{str(ar_exc) or type(ar_exc).__name__ + ', no decoder could read it'}). "
        "A WAV file without a RIFF header, like "
        "GTZAN's jazz.00054.wav, fails this way. Re-encode the file (e.g. with ffmpeg) "
        "or exclude it."
    )


def _mono_at(data, *, path, native_sr, sr, mono=True, res_type="soxr_hq"):
    """Check, mix down (channel mean) and resample ``data`` [channels, n].

    Every reader's last step.  Return ``(y, sr)``; ``sr=None`` keeps the native rate.
    """
    if not np.isfinite(data).all():
        raise AudioError(
            f"Audio file '{path}' contains NaN or infinite samples; re-encode it as "
            "integer PCM or repair it."
        )
    import librosa

    y = data[0] if data.shape[0] == 1 else data
    if mono and y.ndim == 2:
        y = librosa.to_mono(y)
    if sr is not None and native_sr != sr:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            y = librosa.resample(y, orig_sr=native_sr, target_sr=sr, res_type=res_type)
    else:
        sr = native_sr
    return y, sr


def load(path, *, sr=22050, mono=True, offset=0.0, duration=None, pad=False, res_type="soxr_hq"):
    """Load an audio file as floating-point samples.

    Decoding uses libsndfile (WAV, AIFF, AU, FLAC, OGG/Vorbis, Opus and MP3 with
    libsndfile >= 1.1), and falls back to ``audioread`` (ffmpeg or GStreamer when
    installed: `fallback_decoders`) for formats libsndfile cannot read, such as M4A,
    AAC and WMA.  Values match ``librosa.load``.

    Parameters
    ----------
    path : str or os.PathLike
        The audio file.
    sr : int > 0 or None, default=22050
        Target sampling rate; the audio is resampled when the file's rate differs.
        ``None`` keeps the file's own rate.
    mono : bool, default=True
        Mix all channels down to one by averaging them.
    offset : float >= 0, default=0.0
        Start reading this many seconds into the file.
    duration : float > 0 or None, default=None
        Read at most this many seconds.  ``None`` reads to the end of the file.
    pad : bool, default=False
        With ``duration`` set, pad a shorter file with silence at the end so the result
        is exactly ``duration`` seconds long (the fixed length deep models need).
    res_type : str, default="soxr_hq"
        Resampling method, passed to `librosa.resample`.

    Returns
    -------
    y : np.ndarray [shape=(n,) or (channels, n)], dtype float32
        The samples.
    sr : int
        The sampling rate of ``y``.

    Raises
    ------
    AudioError
        If the file does not exist (or is a dangling symbolic link), is a folder, is not
        a regular file (a FIFO, socket or device: it is never opened), is empty, cannot
        be read (permission denied), cannot be decoded (corrupt, not audio, e.g. a WAV
        without a RIFF header; or M4A/AAC/WMA without ffmpeg or GStreamer installed),
        has no samples after ``offset``, or contains NaN or infinite samples.  The
        message names the file and the fix.
    ParameterError
        If ``sr``, ``offset`` or ``duration`` is out of range.

    Warns
    -----
    AudioWarning
        When a WAV, AIFF or AU file holds less audio than its header declares (cut
        short): the part that is there is decoded (see `truncation`).

    Examples
    --------
    >>> import numpy as np, soundfile as sf, tempfile, os
    >>> tmp = os.path.join(tempfile.mkdtemp(), "tone.wav")
    >>> sf.write(tmp, np.sin(np.arange(44100) / 10.0), 44100)
    >>> y, sr = load(tmp, sr=22050, duration=0.5)
    >>> y.shape, sr
    ((11025,), 22050)
    """
    _check_load_params(sr, offset, duration)
    if pad and duration is None:
        raise ParameterError("pad=True needs a duration in seconds to pad to; got duration=None.")
    path = check_file(path)
    try:
        data, native_sr = _read_soundfile(path, offset, duration)
    except PermissionError as exc:  # read access withdrawn since check_file
        raise permission_error(path) from exc
    except Exception as sf_exc:  # libsndfile raises several types for undecodable input
        try:
            data, native_sr = _read_audioread(path, offset, duration)
        except Exception as ar_exc:
            raise _decode_error(path, sf_exc, ar_exc) from sf_exc
    warn_if_truncated(path, stacklevel=3)
    if data.shape[-1] == 0:
        where = f" after offset={offset} s" if offset else ""
        raise AudioError(
            f"Audio file '{path}' contains no samples{where}; it is zero-length. "
            "Remove the file or use a smaller offset."
        )
    y, sr = _mono_at(data, path=path, native_sr=native_sr, sr=sr, mono=mono, res_type=res_type)
    if pad:
        y = fix_duration(y, sr=sr, duration=duration)
    return np.ascontiguousarray(y, dtype=np.float32), int(sr)
