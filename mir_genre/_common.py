"""Small helpers shared by the library modules and the command-line tools.

- :func:`one_line`: an exception's or a warning's message on one line;
- :func:`atomic_write`: write a file so that an interruption never leaves half of it;
- :func:`plain`: turn a value into something JSON writes faithfully.
"""

import datetime
import math
import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["atomic_write", "one_line", "plain"]


def one_line(text, limit=None):
    r"""Collapse ``text`` (an exception's or a warning's message) to one line.

    Parameters
    ----------
    text : object
        Anything with a string form.
    limit : int > 3 or None, default=None
        Longest result; longer text ends in ``...``.

    Returns
    -------
    str

    Examples
    --------
    >>> one_line("first line\n   second", limit=14)
    'first line ...'
    """
    text = " ".join(str(text).split())
    if limit and len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def atomic_write(path, data):
    """Write ``path`` through a temporary file next to it, renamed into place at the end.

    A reader sees the old file or the whole new one, never half of it; an interruption
    leaves the old file (or none) and no temporary file behind.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; missing parent folders are created.
    data : str, bytes or callable
        Text (written as UTF-8), bytes, or ``data(file)`` writing to a binary file.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "sub" / "a.txt"
    >>> atomic_write(target, "hello").read_text()
    'hello'
    >>> atomic_write(target, lambda f: f.write(b"bytes")).read_bytes()
    b'bytes'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def plain(value):
    """Turn ``value`` into something JSON writes faithfully (``repr`` for the rest).

    NumPy scalars and arrays become Python numbers and lists, non-finite floats
    ``None``, paths strings, sets sorted lists, dates ISO strings.

    Examples
    --------
    >>> import numpy as np
    >>> plain({"a": np.float32(0.5), "b": (1, float("nan")), 3: {"x"}})
    {'a': 0.5, 'b': [1, None], '3': ['x']}
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [plain(v) for v in items]
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return repr(value)
