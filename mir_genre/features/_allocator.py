"""Memory reuse in extraction worker processes (glibc's malloc options).

Analysing a clip allocates and frees arrays of several MiB (copies of the signal,
spectrograms, the frames of an STFT).  glibc's malloc gives freed memory of that size
back to the system at once, so each new array is paged in again: on 30-s clips that cost
``mfcc_deltas`` about a quarter of its time from files, ``tzanetakis57`` about 8%
(``benchmarks/RESULTS.md``).  Worker processes that extract tracks keep up to 128 MiB of
freed memory for reuse instead, and serve arrays up to 32 MiB from it
(``mallopt(M_TRIM_THRESHOLD)``, ``mallopt(M_MMAP_THRESHOLD)``).  The calling process
(``n_jobs=1``) is left as it is: the setting is process-wide.
"""

import ctypes
import functools
import multiprocessing
import sys

__all__ = ["TRIM_THRESHOLD", "MMAP_THRESHOLD", "in_worker_process", "keep_freed_memory"]

#: Freed memory a worker keeps before giving any back (bytes).
TRIM_THRESHOLD = 128 << 20
#: Largest array served from the kept memory; larger ones are mapped (bytes).
MMAP_THRESHOLD = 32 << 20

# mallopt's parameter numbers (glibc's malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def in_worker_process():
    """Whether this process was started by another one (a joblib or Dask worker)."""
    return multiprocessing.parent_process() is not None


@functools.cache
def keep_freed_memory():
    """Make this process keep freed memory for reuse (glibc only), once.

    Returns
    -------
    bool
        True when glibc accepted both options; False elsewhere (other C libraries,
        other systems), where nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # mallopt returns 1 on success; musl's accepts the call and changes nothing (0).
    return (
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
        and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    )
