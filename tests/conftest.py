"""Shared fixtures: keep every test away from the home directory and the network."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

# One temporary folder per test run, made by the first process (pytest, or xdist's
# controller) and inherited by its workers and subprocesses, removed when that process
# ends: no test sees a previous run's files, and none are written to the home directory.
if "MIR_GENRE_TEST_RUN" not in os.environ:
    _RUN = tempfile.mkdtemp(prefix="mir_genre_test_")
    os.environ["MIR_GENRE_TEST_RUN"] = _RUN
    atexit.register(shutil.rmtree, _RUN, ignore_errors=True)
_RUN = Path(os.environ["MIR_GENRE_TEST_RUN"])

# Set before anything can import keras, jax, numba or matplotlib.
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("KERAS_HOME", str(_RUN / "keras"))
# Dataset caches (generated audio, downloaded metadata) go to the run's folder too.
os.environ.setdefault("MIR_GENRE_CACHE", str(_RUN / "cache"))
# JAX compiles every operation of a model run eagerly once per shape (about 80 ms each on
# a CPU, 400 for a first small fit): one compilation cache for the run lets every worker
# and subprocess reuse what another compiled.
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(_RUN / "jax"))
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")
# librosa's numba functions cache their machine code in librosa's own folder; workers
# compiling into it at once once left it inconsistent (every later call crashed), so
# each xdist worker gets its own.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER:
    os.environ["NUMBA_CACHE_DIR"] = str(_RUN / f"numba-{_WORKER}")

REPO = Path(__file__).resolve().parents[1]


def _shared_data_dir():
    env = os.environ.get("MIR_GENRE_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "data")
    for path in candidates:
        if (path / "gtzan").is_dir():
            return path
    return None


SHARED_DATA = _shared_data_dir()


@pytest.fixture(scope="session")
def gtzan_dir():
    """Directory with the real GTZAN files (samples, tables, splits); skip when absent."""
    if SHARED_DATA is None:
        pytest.skip("real GTZAN data not found (set MIR_GENRE_DATA to a folder holding gtzan/)")
    return SHARED_DATA / "gtzan"


@pytest.fixture(scope="session")
def gtzan_sample(gtzan_dir):
    """Sorted list of the 20 real GTZAN sample clips."""
    files = sorted((gtzan_dir / "sample").glob("*/*.wav"))
    if not files:
        pytest.skip("no GTZAN sample clips under gtzan/sample")
    return files


def make_tone(seconds=2.0, sr=22050, freq=440.0, seed=0):
    """A short deterministic test signal: a tone plus a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    y = 0.4 * np.sin(2 * np.pi * freq * t) + 0.05 * rng.standard_normal(t.size)
    return y.astype(np.float32)


@pytest.fixture
def wav_files(tmp_path):
    """Four short WAV files of different tones, as a list of paths."""
    import soundfile as sf

    paths = []
    for i, freq in enumerate([220.0, 330.0, 440.0, 550.0]):
        path = tmp_path / f"tone{i}.wav"
        sf.write(path, make_tone(2.0, freq=freq, seed=i), 22050)
        paths.append(path)
    return paths
