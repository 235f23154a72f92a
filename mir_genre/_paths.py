"""Audio files on disk: scanning folders for them, and what a path is before decoding.

`find_audio` lists the audio files of folders and says what it skipped and why;
`check_file` gives the errors every reader shares (missing, a dangling link, a folder,
a FIFO, empty, not readable); `truncation` compares the audio a WAV, AIFF or AU header
declares with what the file holds.  `mir_genre.audio` re-exports the public names.
"""

import os
import stat
import struct
from collections import Counter
from pathlib import Path

from .exceptions import AudioError

__all__ = [
    "AUDIO_EXTENSIONS",
    "FALLBACK_EXTENSIONS",
    "HIDDEN",
    "NOT_AUDIO",
    "check_file",
    "describe_skipped",
    "find_audio",
    "permission_error",
    "truncation",
    "warn_if_truncated",
]

#: Extensions only the fallback decoder (audioread with ffmpeg or GStreamer) can read.
FALLBACK_EXTENSIONS = (".m4a", ".aac", ".wma")

#: File extensions treated as audio when a folder is scanned.
AUDIO_EXTENSIONS = (
    ".wav", ".au", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff",
    *FALLBACK_EXTENSIONS,
)  # fmt: skip


def _not_regular(mode):
    """Name the kind of a non-regular file, for messages (reading a FIFO would block)."""
    kinds = [
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ]
    return next((kind for test, kind in kinds if test(mode)), "not a regular file")


def permission_error(path):
    return AudioError(
        f"Permission denied reading audio file '{path}': this user may not read the file "
        "or a folder above it. Fix the permissions (e.g. chmod a+r on the file, a+rx on "
        "its folders) or the ownership (chown), or exclude the file."
    )


def check_file(path):
    """Raise the errors every reader gives before decoding.

    Missing (or a dangling link), a folder, not a regular file, empty, not readable.
    Only ``stat`` is used before the file is known to be regular: opening a FIFO blocks.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        if os.path.islink(path):
            raise AudioError(
                f"Audio file '{path}' is a dangling symbolic link: its target "
                f"'{os.readlink(path)}' does not exist. Fix or remove the link."
            ) from None
        raise AudioError(
            f"Audio file not found: '{path}'. Check the path and that the file exists."
        ) from None
    except PermissionError:
        raise permission_error(path) from None
    except OSError as exc:  # a symlink loop, a name too long
        raise AudioError(f"Cannot open audio file '{path}': {exc.strerror}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise AudioError(f"Expected an audio file but '{path}' is a directory.")
    if not stat.S_ISREG(info.st_mode):
        raise AudioError(
            f"Audio file '{path}' is not a regular file: it is {_not_regular(info.st_mode)}. "
            "mir_genre reads only regular files (it seeks in them); save the audio to a "
            "file first."
        )
    if info.st_size == 0:
        raise AudioError(f"Audio file '{path}' is empty (0 bytes); re-download or remove it.")
    try:
        open(path, "rb").close()
    except PermissionError:
        raise permission_error(path) from None
    return path


#: The reason `find_audio` gives for hidden entries, which `describe_skipped` leaves out.
HIDDEN = "hidden (name starts with a dot)"
#: The reason `find_audio` gives for files whose extension is not an audio extension.
NOT_AUDIO = "extension not scanned"


def find_audio(paths, *, extensions=AUDIO_EXTENSIONS, skipped=None):
    """Expand files and folders into a sorted list of audio files.

    Parameters
    ----------
    paths : sequence of str or os.PathLike
        Files (kept as given, whatever their extension) and folders (searched recursively
        for regular files whose extension is in ``extensions``; hidden files and folders,
        whose name starts with a dot, are left out, and links to folders not followed).
    extensions : sequence of str, default=AUDIO_EXTENSIONS
        Lower-case extensions, with the dot.
    skipped : list or None, default=None
        When a list, every entry of a searched folder that is not returned is appended to
        it as a ``(path, reason)`` pair: an extension not in ``extensions``
        (`NOT_AUDIO`), a dangling symbolic link, not a regular file (a FIFO, socket or
        device), a link to a folder (not followed), a folder that cannot be listed, or
        `HIDDEN` (a name starting with a dot, like ``.DS_Store`` or macOS's
        ``._song.mp3``: never music, so `describe_skipped` leaves them out).

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    FileNotFoundError
        If a given path does not exist (or is a dangling symbolic link).

    See Also
    --------
    describe_skipped : A one-line summary of ``skipped`` for a warning.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "rock").mkdir(); (root / "rock" / "a.wav").touch(); (root / "notes.txt").touch()
    >>> skipped = []
    >>> [p.name for p in find_audio([root], skipped=skipped)]
    ['a.wav']
    >>> [(p.name, reason) for p, reason in skipped]
    [('notes.txt', 'extension not scanned')]
    """
    found = []
    note = (lambda item: None) if skipped is None else skipped.append
    for path in map(Path, paths):
        if path.is_dir():
            found += _scan_folder(path, extensions, note)
        elif path.exists():
            found.append(path)
        elif path.is_symlink():
            raise FileNotFoundError(
                f"'{path}' is a dangling symbolic link: its target '{os.readlink(path)}' "
                "does not exist."
            )
        else:
            raise FileNotFoundError(f"No such file or folder: '{path}'.")
    return found


def _scan_folder(folder, extensions, note):
    found, skipped = [], []

    def unlistable(exc):
        skipped.append((Path(exc.filename), f"folder cannot be listed ({exc.strerror})"))

    for top, dirs, files in os.walk(folder, onerror=unlistable):
        top, keep = Path(top), []
        for name in sorted(dirs):
            if name.startswith("."):
                skipped.append((top / name, HIDDEN))
            elif (top / name).is_symlink():
                skipped.append((top / name, "link to a folder, not followed"))
            else:
                keep.append(name)
        dirs[:] = keep  # os.walk descends into what is left
        for name in files:
            reason = _skip_reason(top / name, extensions)
            (found if reason is None else skipped).append(
                top / name if reason is None else (top / name, reason)
            )
    for item in sorted(skipped):
        note(item)
    return sorted(found)


def _skip_reason(path, extensions):
    """Why a file of a scanned folder is not audio to read, or None."""
    if path.name.startswith("."):
        return HIDDEN
    if path.suffix.lower() not in extensions:
        return NOT_AUDIO
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "dangling symbolic link" if path.is_symlink() else "vanished during the scan"
    except OSError as exc:  # a symlink loop
        return f"cannot be opened ({exc.strerror})"
    return None if stat.S_ISREG(mode) else f"not a regular file ({_not_regular(mode)})"


def describe_skipped(skipped, *, relative_to=None, limit=5):
    """Summarise the ``skipped`` entries of `find_audio`: a count per reason, a few paths.

    Parameters
    ----------
    skipped : sequence of (path, reason)
        As `find_audio` fills it.  `HIDDEN` entries are left out.
    relative_to : str, os.PathLike or None, default=None
        Show paths relative to this folder where they are below it.
    limit : int > 0, default=5
        Paths shown per reason; the rest are counted.

    Returns
    -------
    str
        E.g. ``"2 extension not scanned (.jpg: 1, .txt: 1): 'a.jpg', 'b.txt'"``;
        reasons are separated by ``"; "``.  Empty when nothing but hidden entries.

    Examples
    --------
    >>> describe_skipped([("rock/cover.jpg", NOT_AUDIO), ("rock/x.wav", "dangling symbolic link")])
    "1 extension not scanned (.jpg: 1): 'rock/cover.jpg'; 1 dangling symbolic link: 'rock/x.wav'"
    """
    groups = {}
    for path, reason in skipped:
        if reason != HIDDEN:
            groups.setdefault(reason, []).append(Path(path))

    def show(path):
        if relative_to is not None and path.is_relative_to(relative_to):
            path = path.relative_to(relative_to)
        return repr(path.as_posix())

    parts = []
    for reason, paths in sorted(groups.items(), key=lambda item: -len(item[1])):
        if reason == NOT_AUDIO:
            counts = Counter(path.suffix.lower() or "no extension" for path in paths)
            reason += " (" + ", ".join(f"{ext}: {n}" for ext, n in sorted(counts.items())) + ")"
        more = f" and {len(paths) - limit} more" if len(paths) > limit else ""
        parts.append(f"{len(paths)} {reason}: {', '.join(map(show, paths[:limit]))}{more}")
    return "; ".join(parts)


def truncation(path):
    """Compare the audio a WAV, AIFF or AU file's header declares with what it holds.

    libsndfile reads what is there of a file cut short (an interrupted download or copy)
    without a word; this reads the header again to notice.

    Parameters
    ----------
    path : str or os.PathLike
        An audio file.

    Returns
    -------
    (float, float) or None
        Seconds of audio the file holds and seconds its header declares, when it holds
        less; None when it is complete, or not a WAV/AIFF/AU file with a known length.

    Examples
    --------
    >>> import numpy as np, soundfile as sf, tempfile, os
    >>> tmp = os.path.join(tempfile.mkdtemp(), "cut.wav")
    >>> sf.write(tmp, np.zeros(8000), 8000, subtype="PCM_16")
    >>> truncation(tmp) is None
    True
    >>> os.truncate(tmp, 44 + 4000)  # the 44-byte header and a quarter of the samples
    >>> truncation(tmp)
    (0.25, 1.0)
    """
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            magic = f.read(12)
            for parse in (_wav_data, _aiff_data, _au_data):
                found = parse(f, magic)
                if found is not None:
                    break
    except (OSError, struct.error):  # unreadable, or a header cut inside a chunk
        return None
    if found is None:
        return None
    start, declared, bytes_per_second = found
    present = max(size - start, 0)
    if bytes_per_second <= 0 or declared <= present:
        return None
    return present / bytes_per_second, declared / bytes_per_second


def _chunks(f, pos, order):
    """Yield (id, size, data position) of the IFF chunks from ``pos``."""
    while True:
        f.seek(pos)
        header = f.read(8)
        if len(header) < 8:
            return
        size = struct.unpack(order + "I", header[4:])[0]
        yield header[:4], size, pos + 8
        pos += 8 + size + (size & 1)


def _wav_data(f, magic):
    """Return (data start, data bytes declared, bytes per second) of a WAVE file, or None."""
    if magic[:4] != b"RIFF" or magic[8:] != b"WAVE":
        return None
    byte_rate = 0
    for chunk, size, pos in _chunks(f, 12, "<"):
        if chunk == b"fmt ":
            f.seek(pos + 8)
            byte_rate = struct.unpack("<I", f.read(4))[0]
        elif chunk == b"data":
            # 0 and 0xFFFFFFFF: a writer that could not seek back to fill the size in.
            return None if size in (0, 0xFFFFFFFF) else (pos, size, byte_rate)
    return None


def _aiff_data(f, magic):
    """Return the same for an uncompressed AIFF/AIFC file, or None."""
    if magic[:4] != b"FORM" or magic[8:] not in (b"AIFF", b"AIFC"):
        return None
    frame_rate = None
    for chunk, size, pos in _chunks(f, 12, ">"):
        if chunk == b"COMM":
            f.seek(pos)
            comm = f.read(min(size, 22))
            channels, _, bits = struct.unpack(">hIh", comm[:8])
            exponent, mantissa = struct.unpack(">HQ", comm[8:18])
            rate = mantissa * 2.0 ** ((exponent & 0x7FFF) - 16383 - 63)
            if magic[8:] == b"AIFC" and comm[18:22] not in (b"NONE", b"sowt", b"fl32", b"fl64"):
                return None  # compressed: bytes do not map to frames
            frame_rate = channels * -(-bits // 8) * rate
        elif chunk == b"SSND" and frame_rate is not None:
            f.seek(pos)
            offset = struct.unpack(">I", f.read(4))[0]
            return pos + 8 + offset, size - 8 - offset, frame_rate
    return None


#: Bytes per sample of the AU encodings (mu-law, 8/16/24/32-bit PCM, float, double, A-law).
_AU_BYTES = {1: 1, 2: 1, 3: 2, 4: 3, 5: 4, 6: 4, 7: 8, 27: 1}


def _au_data(f, magic):
    """Return the same for a Sun/NeXT AU file (GTZAN's original format), or None."""
    if magic[:4] != b".snd":
        return None
    f.seek(4)
    start, size, encoding, rate, channels = struct.unpack(">5I", f.read(20))
    if size == 0xFFFFFFFF or encoding not in _AU_BYTES:
        return None
    return start, size, rate * channels * _AU_BYTES[encoding]


def warn_if_truncated(path, *, stacklevel=2):
    """Warn (`AudioWarning`) when a WAV, AIFF or AU file holds less than its header says.

    Parameters
    ----------
    path : str or os.PathLike
        The file (checked with `check_file` first).
    stacklevel : int, default=2
        Passed to `warnings.warn`, so the warning points at the caller's caller.
    """
    import warnings

    from .exceptions import AudioWarning

    cut = truncation(path)
    if cut is not None:
        warnings.warn(
            f"Audio file '{path}' is truncated: it holds {cut[0]:.2f} s of the {cut[1]:.2f} "
            f"s its header declares ({cut[0] / cut[1]:.0%}); only that part is decoded. "
            "Re-download or re-encode the file, or exclude it.",
            AudioWarning,
            stacklevel=stacklevel + 1,
        )
