"""tzanetakis57 against the tutorial recipe, and batch extraction with jobs and cache.

Run with ``tox -e bench`` (or ``pytest benchmarks -o addopts= --benchmark-only
--benchmark-json=benchmarks/results.json`` then ``python benchmarks/write_results.py``).
"""

import numpy as np
import pytest

import mir_genre
from mir_genre.features.tzanetakis import tzanetakis57, tzanetakis57_reference


@pytest.mark.benchmark(group="one 30-s clip")
def test_reference_recipe(benchmark, clip):
    # One round first: librosa compiles its numba functions on first use.
    out = benchmark.pedantic(
        tzanetakis57_reference, kwargs={"y": clip}, rounds=3, iterations=1, warmup_rounds=1
    )
    assert out.shape == (57,)


@pytest.mark.benchmark(group="one 30-s clip")
def test_tzanetakis57(benchmark, clip):
    out = benchmark.pedantic(
        tzanetakis57, kwargs={"y": clip}, rounds=5, iterations=1, warmup_rounds=1
    )
    # Same values as the recipe it replaces.
    np.testing.assert_allclose(out, tzanetakis57_reference(y=clip), rtol=1e-6, atol=1e-9)


@pytest.fixture(scope="module")
def warm_workers(clip_paths):
    """Start the joblib worker processes once, so batch timings exclude their start-up."""
    mir_genre.get_extractor("tzanetakis57", n_jobs=2).transform(clip_paths[:2])


@pytest.mark.benchmark(group="batch")
@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("n_clips", [1, 10, 50])
def test_batch(benchmark, clip_paths, warm_workers, n_clips, n_jobs):
    est = mir_genre.get_extractor("tzanetakis57", n_jobs=n_jobs)
    out = benchmark.pedantic(est.transform, args=(clip_paths[:n_clips],), rounds=1, iterations=1)
    assert out.shape == (n_clips, 57)


@pytest.mark.benchmark(group="batch")
def test_batch_cached_rerun(benchmark, clip_paths, tmp_path):
    est = mir_genre.get_extractor("tzanetakis57", n_jobs=2, memory=tmp_path / "cache")
    first = est.transform(clip_paths)
    out = benchmark.pedantic(est.transform, args=(clip_paths,), rounds=3, iterations=1)
    np.testing.assert_array_equal(out, first)
