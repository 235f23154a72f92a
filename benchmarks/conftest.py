"""Fixtures for the speed benchmarks: 30-second clips, real when available."""

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]


def _real_clips():
    root = Path(os.environ.get("MIR_GENRE_DATA", REPO.parent / "shared" / "data")) / "gtzan"
    return sorted((root / "sample").glob("*/*.wav"))


@pytest.fixture(scope="session")
def clip_paths(tmp_path_factory):
    """Fifty 30-s clip paths: the real GTZAN samples (repeated as copies), else generated."""
    real = _real_clips()
    folder = tmp_path_factory.mktemp("clips")
    paths = []
    for i in range(50):
        path = folder / f"clip{i:02d}.wav"
        if real:
            path.write_bytes(real[i % len(real)].read_bytes())
        else:
            rng = np.random.default_rng(i)
            t = np.arange(30 * 22050) / 22050
            y = 0.3 * np.sin(2 * np.pi * rng.uniform(100, 800) * t)
            y += 0.1 * rng.standard_normal(t.size) * ((t * 2) % 1 < 0.1)
            sf.write(path, y.astype(np.float32), 22050, subtype="PCM_16")
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def clip(clip_paths):
    """One 30-s clip as a float32 array."""
    from mir_genre.audio import load

    return load(clip_paths[0])[0]
