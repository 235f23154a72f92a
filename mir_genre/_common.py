"""Small helpers shared by the library modules and the command-line tools.

- :func:`one_line`: an exception's or a warning's message on one line;
- :func:`atomic_write`: write a file so that an interruption never leaves half of it;
- :func:`plain`: turn a value into something JSON writes faithfully;
- :class:`capture_warnings`: record warnings as one line each (reports, CLIs, folds);
- :func:`parse_literal`: a Python literal, or a bare word, from command-line text;
- :func:`check_writable_dir`, :func:`check_writable_file`: output places probed before
  any work (created, a temporary file written and removed);
- :func:`check_n_jobs`: joblib's rule for ``n_jobs`` (None, -1 or a positive integer).
"""

import ast
import datetime
import math
import os
import tempfile
import threading
import warnings
from pathlib import Path

import numpy as np

__all__ = [
    "atomic_write",
    "capture_warnings",
    "check_n_jobs",
    "check_writable_dir",
    "check_writable_file",
    "one_line",
    "parse_literal",
    "plain",
]


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


class capture_warnings:  # noqa: N801 (used like warnings.catch_warnings)
    """Record warnings as one line each instead of printing (or raising) them.

    Every warning is recorded (``simplefilter("always")``) except deprecations, which
    are for developers, not for someone reading a report (Python hides them outside
    ``__main__`` too).  A line reads ``Category: message``; a repeated line is kept once.

    `warnings.catch_warnings` swaps process-wide state, so outside the main thread
    (Dask or joblib worker threads) nothing is captured: warnings there are left to the
    worker's own handling.

    Parameters
    ----------
    into : list of str or None, default=None
        When given, the recorded lines are appended to it on exit (those not in it yet).

    Attributes
    ----------
    lines : list of str
        The distinct lines recorded so far, in order.

    Examples
    --------
    >>> import warnings
    >>> with capture_warnings() as log:
    ...     warnings.warn("too few tracks")
    ...     warnings.warn("too few tracks")
    ...     warnings.warn("old API", DeprecationWarning)
    >>> log.lines
    ['UserWarning: too few tracks']
    """

    def __init__(self, into=None):
        self.into = into
        self._context = None
        self._records = []

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._context = warnings.catch_warnings(record=True)
            self._records = self._context.__enter__()
            warnings.simplefilter("always")
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
        return self

    def __exit__(self, *exc_info):
        if self._context is not None:
            self._context.__exit__(*exc_info)
        if self.into is not None:
            self.into.extend(line for line in self.lines if line not in self.into)
        return False

    @property
    def lines(self):
        """The distinct ``Category: message`` lines recorded so far, in order."""
        lines = (f"{w.category.__name__}: {one_line(w.message)}" for w in self._records)
        return list(dict.fromkeys(lines))


def parse_literal(text, *, bare="word"):
    """Read a value written on the command line: a Python literal, else a bare string.

    The one rule behind pipeline specs (``cnn[filters=(8, 16),optimizer=adam]``) and
    ``KEY=VALUE`` options (``--dataset-arg root=/data/gtzan``).

    Parameters
    ----------
    text : str
        The value.
    bare : {"word", "any"}, default="word"
        Which text that is not a literal is a string: ``"word"`` only a bare word
        (letters, digits, ``_``, ``-``, ``.``), so a typo such as ``(8, 16`` is caught;
        ``"any"`` every text (paths, sentences).

    Returns
    -------
    object

    Raises
    ------
    ValueError
        With ``bare="word"``, for text that is neither a literal nor a bare word (the
        caller says where it was written).

    Examples
    --------
    >>> parse_literal("(8, 16)"), parse_literal("cqt"), parse_literal("2.5")
    ((8, 16), 'cqt', 2.5)
    >>> parse_literal("/data/gtzan", bare="any")
    '/data/gtzan'
    """
    text = text.strip()
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        if bare == "any" or text.replace("_", "").replace("-", "").replace(".", "").isalnum():
            return text
        raise ValueError(f"{text!r} is neither a Python literal nor a bare word") from None


def _os_reason(exc):
    """``exc``'s reason in words: the OS's message, and what a permission error means."""
    reason = exc.strerror or str(exc)
    if isinstance(exc, PermissionError):
        reason += " (no permission to write there)"
    return reason


def check_writable_dir(path, *, what):
    """Create the folder ``path`` if missing and check that files can be written in it.

    A temporary file is created and removed, so a folder that cannot take files
    (read-only, a path under a regular file, a full disk) is refused before any work.

    Parameters
    ----------
    path : str or os.PathLike
        The folder.
    what : str
        What it is for, as the message should name it (``"--cache"``, ``"memory"``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ParameterError
        When the folder cannot be created or written; the message names the path, the
        reason and the fix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> check_writable_dir(pathlib.Path(tempfile.mkdtemp()) / "new", what="--cache").is_dir()
    True
    """
    from .exceptions import ParameterError

    path = Path(path)
    blocker = next((p for p in [path, *path.parents] if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise ParameterError(
            f"{what} {str(path)!r} cannot be created: {str(blocker)!r} is a file, not a "
            "folder. Choose another folder, or move the file away."
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".mir_genre_probe_", suffix=".tmp")
        try:
            os.write(fd, b"probe")
        finally:
            os.close(fd)
            Path(probe).unlink(missing_ok=True)
    except OSError as exc:
        raise ParameterError(
            f"{what} {str(path)!r} cannot be written: {_os_reason(exc)}. Choose a folder "
            "you can write to (with free space), or fix its permissions."
        ) from exc
    return path


def check_writable_file(path, *, what):
    """Check, before any work, that the file ``path`` can be written.

    Its folder is created if missing and probed with a temporary file
    (`check_writable_dir`); an existing folder at ``path`` itself is refused.  The
    file is not created.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write later.
    what : str
        What it is, as the message should name it (``"-o/--output"``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ParameterError
        When the file could not be written; the message names the path, the reason
        and the fix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> check_writable_file(pathlib.Path(tempfile.mkdtemp()) / "a.csv", what="-o").name
    'a.csv'
    """
    from .exceptions import ParameterError

    path = Path(path)
    if path.is_dir():
        raise ParameterError(
            f"{what} {str(path)!r} is a folder; name a file in it, e.g. {str(path / 'out')!r}."
        )
    check_writable_dir(path.parent, what=f"{what} {str(path)!r}: its folder")
    if path.exists() and not os.access(path, os.W_OK):
        raise ParameterError(
            f"{what} {str(path)!r} exists and cannot be overwritten (no permission to "
            "write it). Choose another file name, or fix its permissions."
        )
    return path


def check_n_jobs(n_jobs, *, name="n_jobs"):
    """Check ``n_jobs`` by joblib's rule: None, -1 (all cores) or a positive integer.

    joblib also reads ``-2`` as all cores but one (and so on); 0 means nothing, so it
    is refused here rather than deep inside a run.

    Parameters
    ----------
    n_jobs : object
        The value given.
    name : str, default="n_jobs"
        The parameter or option, for the message.

    Returns
    -------
    int or None
        ``n_jobs``.

    Raises
    ------
    ParameterError
        For 0, a non-integer, or a bool.

    Examples
    --------
    >>> check_n_jobs(-1), check_n_jobs(None), check_n_jobs(4)
    (-1, None, 4)
    """
    import numbers

    from .exceptions import ParameterError

    if n_jobs is None or (
        isinstance(n_jobs, numbers.Integral) and not isinstance(n_jobs, bool) and n_jobs != 0
    ):
        return n_jobs
    raise ParameterError(
        f"{name} must be None, -1 (all cores) or a positive number of workers (joblib's "
        f"rule; -2 is all cores but one); got {n_jobs!r}. Use e.g. {name} 1 or {name} -1."
        if name.startswith("--")
        else f"{name} must be None, -1 (all cores) or a positive number of workers "
        f"(joblib's rule; -2 is all cores but one); got {n_jobs!r}. Pass e.g. "
        f"{name}=1 or {name}=-1."
    )
