"""Essentia plugin extractors against the core's tzanetakis57 on one 30-s clip.

Runs only when the plugin is installed (``pip install ./plugins/mir-genre-essentia``).
Each extractor's pure function is timed on decoded audio (no file decoding).
"""

import importlib.metadata

import pytest

try:
    importlib.metadata.distribution("mir-genre-essentia")
except importlib.metadata.PackageNotFoundError:
    pytest.skip("the Essentia plugin is not installed", allow_module_level=True)

import mir_genre  # noqa: E402

NAMES = ("tzanetakis57", "essentia_lowlevel", "essentia_rhythm", "essentia_tonal")


@pytest.mark.benchmark(group="extractors on one 30-s clip")
@pytest.mark.parametrize("name", NAMES)
def test_extractor_per_clip(benchmark, clip, name):
    est = mir_genre.get_extractor(name)
    out = benchmark.pedantic(est._extract, args=(clip,), rounds=5, iterations=1, warmup_rounds=1)
    assert out.shape == (len(est.get_feature_names_out()),)
