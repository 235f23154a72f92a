"""The classical extractors on one 30-s clip: texture, fma518 and chroma against tzanetakis57.

Run with ``tox -e bench`` (or ``pytest benchmarks/test_bench_classical.py -o addopts=
--benchmark-only --benchmark-json=...`` then ``python benchmarks/write_results.py``).
"""

import pytest

import mir_genre

EXTRACTORS = ["tzanetakis57", "texture", "fma518", "mfcc_deltas", "chroma"]


@pytest.mark.benchmark(group="classical extractors, one 30-s clip")
@pytest.mark.parametrize("name", EXTRACTORS)
def test_classical_per_clip(benchmark, clip, name):
    est = mir_genre.get_extractor(name)
    x = clip[None]
    out = benchmark.pedantic(est.transform, args=(x,), rounds=5, iterations=1, warmup_rounds=1)
    assert out.shape[0] == 1 and out.shape[1] == len(est.get_feature_names_out())
