"""Extraction workers keep freed memory for reuse (glibc's malloc options)."""

import ctypes.util
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import mir_genre
from mir_genre.features import _allocator, _base

GLIBC = sys.platform.startswith("linux") and "libc.so.6" in str(ctypes.util.find_library("c"))

# Page faults of a loop that allocates and frees two 8-MB arrays 20 times, in a fresh
# process, with and without the option.
_FAULTS = textwrap.dedent(
    """
    import json, resource, sys
    import numpy as np
    from mir_genre.features._allocator import keep_freed_memory

    applied = keep_freed_memory() if sys.argv[1] == "keep" else None
    np.ones(1_000_000)  # a first array of the size, whatever glibc does with it
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        a = np.ones(1_000_000)
        b = a * 2
        del a, b
    print(json.dumps([applied, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before]))
    """
)


@pytest.mark.skipif(not GLIBC, reason="mallopt's options are glibc's")
def test_a_worker_pages_in_its_arrays_once():
    runs = {}
    for mode in ("keep", "default"):
        done = subprocess.run(
            [sys.executable, "-c", _FAULTS, mode], capture_output=True, text=True, check=True
        )
        runs[mode] = json.loads(done.stdout)
    assert runs["keep"][0] is True
    # 40 arrays of 8 MB, about 2000 pages each: glibc gives many of them back and pages
    # them in again (16,000 to 26,000 faults seen), a worker keeps them (about 400).
    assert runs["default"][1] > 5_000
    assert runs["keep"][1] < runs["default"][1] / 10


@pytest.mark.parametrize("worker", [True, False])
def test_only_worker_processes_change_their_allocator(worker, monkeypatch):
    calls = []
    monkeypatch.setattr(_base, "in_worker_process", lambda: worker)
    monkeypatch.setattr(_base, "keep_freed_memory", lambda: calls.append(1))
    est = mir_genre.get_extractor("mfcc_deltas", n_mfcc=5)
    out = est.transform(np.zeros((2, 4096), dtype=np.float32))
    assert out.shape == (2, 30)
    assert len(calls) == (2 if worker else 0)


def test_the_test_process_is_not_a_worker():
    # pytest (and xdist's workers, started by execnet) are not multiprocessing children.
    assert _allocator.in_worker_process() is False
