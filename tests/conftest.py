"""Shared fixtures: keep every test away from the home directory and the network."""

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

# Set before anything can import keras or matplotlib.
os.environ.setdefault("MPLBACKEND", "Agg")
_TMP_HOME = Path(tempfile.gettempdir()) / "mir_genre_test_keras_home"
os.environ.setdefault("KERAS_HOME", str(_TMP_HOME))
# Dataset caches (generated audio, downloaded metadata) go to a temporary folder too.
os.environ.setdefault("MIR_GENRE_CACHE", str(Path(tempfile.gettempdir()) / "mir_genre_test_cache"))

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
