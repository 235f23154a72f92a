"""The musicnn plugin's extractor against the core's tzanetakis57, per clip and in batches.

Runs only when the plugin is installed (``pip install ./plugins/mir-genre-musicnn``).
Per clip: one decoded 30-s clip at 22050 Hz as a 1-row array (musicnn resamples it to
16 kHz inside).  Batches: files on disk, decoding included, with ``n_jobs`` 1 and 2.
"""

import importlib.metadata

import pytest

try:
    importlib.metadata.distribution("mir-genre-musicnn")
except importlib.metadata.PackageNotFoundError:
    pytest.skip("the musicnn plugin is not installed", allow_module_level=True)

import mir_genre  # noqa: E402

#: (label, extractor name, parameters)
EXTRACTORS = {
    "tzanetakis57": ("tzanetakis57", {}),
    "musicnn": ("musicnn", {}),
    "musicnn[input_overlap=1]": ("musicnn", {"input_overlap": 1}),
    "musicnn[embedding]": ("musicnn", {"output": "embedding"}),
}


@pytest.mark.benchmark(group="musicnn on one 30-s clip")
@pytest.mark.parametrize("label", list(EXTRACTORS))
def test_musicnn_per_clip(benchmark, clip, label):
    name, params = EXTRACTORS[label]
    est = mir_genre.get_extractor(name, **params)
    X = clip[None]
    out = benchmark.pedantic(est.transform, args=(X,), rounds=5, iterations=1, warmup_rounds=1)
    assert out.shape == (1, len(est.get_feature_names_out()))


@pytest.mark.benchmark(group="musicnn batches of 30-s clips")
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_musicnn_batch(benchmark, clip_paths, n_jobs):
    est = mir_genre.get_extractor("musicnn", n_jobs=n_jobs)
    paths = clip_paths[:20]
    est.transform(paths[:2])  # the network loaded and compiled
    out = benchmark.pedantic(est.transform, args=(paths,), rounds=2, iterations=1)
    assert out.shape == (len(paths), 100)
