"""mfcc_deltas, chroma and mel_patches against librosa alone: one clip, and 50 files.

librosa alone is what a user would write without mir_genre: the librosa feature
functions called on the signal (``librosa.feature.mfcc`` then ``delta``; ``chroma_stft``,
``chroma_cqt`` and ``chroma_cens``, each from the signal; ``melspectrogram`` then
``power_to_db``), summarised the same way.  Each benchmark asserts the same values.

Run with ``tox -e bench`` (or ``pytest benchmarks/test_bench_librosa.py -o addopts=
--benchmark-only --benchmark-json=...`` then ``python benchmarks/write_results.py``).
"""

import warnings

import numpy as np
import pytest

import mir_genre
from mir_genre.features.chroma import chroma_stats
from mir_genre.features.mel import mel_patches
from mir_genre.features.mfcc import mfcc_deltas

SR = 22050
N_FILES = 50
# mel_patches' fixed duration (30 s): the clip is cropped to it.
MEL_SAMPLES = 30 * SR
# Both implementations give the same values to this relative tolerance.
RTOL = 1e-6


def _summary(*frames):
    return np.concatenate([np.r_[f.mean(axis=1), f.std(axis=1)] for f in frames])


def librosa_mfcc_deltas(y):
    """MFCCs and their deltas from ``librosa.feature.mfcc(y=...)``, mean and std."""
    import librosa

    M = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=20)
    return _summary(
        M, librosa.feature.delta(M, width=9), librosa.feature.delta(M, width=9, order=2)
    )


def librosa_chroma(y):
    """The three chromagrams, each from the signal, mean and std."""
    import librosa

    return _summary(
        librosa.feature.chroma_stft(y=y, sr=SR),
        librosa.feature.chroma_cqt(y=y, sr=SR, bins_per_octave=36),
        librosa.feature.chroma_cens(y=y, sr=SR, bins_per_octave=36),
    )


def librosa_mel(y):
    """The log-mel spectrogram of the first 30 s, flattened."""
    import librosa

    S = librosa.feature.melspectrogram(y=y[:MEL_SAMPLES], sr=SR)
    return librosa.power_to_db(S).astype(np.float32).ravel()


#: name -> (mir_genre's function of one decoded clip, librosa alone)
CASES = {
    "mfcc_deltas": (lambda y: mfcc_deltas(y=y), librosa_mfcc_deltas),
    "chroma": (lambda y: chroma_stats(y=y), librosa_chroma),
    "mel_patches": (lambda y: mel_patches(y=y[:MEL_SAMPLES]), librosa_mel),
}


@pytest.fixture(scope="module")
def dc_free_clip(clip):
    # The extractors subtract a clip's mean first (remove_dc): compare on such a clip.
    return clip - clip.mean()


@pytest.mark.benchmark(group="librosa alone, one 30-s clip")
@pytest.mark.parametrize("impl", ["mir_genre", "librosa"])
@pytest.mark.parametrize("name", list(CASES))
def test_clip(benchmark, dc_free_clip, name, impl):
    ours, reference = CASES[name]
    func = ours if impl == "mir_genre" else reference
    out = benchmark.pedantic(func, args=(dc_free_clip,), rounds=5, iterations=1, warmup_rounds=1)
    other = reference if impl == "mir_genre" else ours
    np.testing.assert_allclose(out, other(dc_free_clip), rtol=RTOL, atol=1e-6)


def _librosa_file(name, path):
    import librosa

    with warnings.catch_warnings():
        # librosa.load imports audioread, whose stdlib backend imports the deprecated aifc.
        warnings.simplefilter("ignore", DeprecationWarning)
        y, _ = librosa.load(path, sr=SR)
    if name == "mel_patches":
        y = y[:MEL_SAMPLES]  # the clip is cut to 30 s before its mean is taken
    return CASES[name][1](y - y.mean())


#: What joblib sets in its workers (one thread each for BLAS and OpenMP).
_ONE_THREAD = {
    name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
}


@pytest.fixture(scope="module")
def started_workers(clip_paths):
    """Start both sets of two worker processes once: timings exclude their start-up.

    mir_genre's tracks go to joblib's workers; librosa alone gets two processes of its
    own, as joblib would start them, so it never runs in a process whose allocator
    mir_genre tuned (`mir_genre.features._allocator`).
    """
    from joblib.externals.loky import ProcessPoolExecutor

    for name in CASES:
        mir_genre.get_extractor(name, n_jobs=2).transform(clip_paths[:2])
    with ProcessPoolExecutor(max_workers=2, env=_ONE_THREAD) as plain:
        for name in CASES:
            list(plain.map(_librosa_file, [name] * 2, clip_paths[:2]))
        yield plain


@pytest.mark.benchmark(group="librosa alone, 50 files, n_jobs=2")
@pytest.mark.parametrize("impl", ["mir_genre", "librosa"])
@pytest.mark.parametrize("name", list(CASES))
def test_files(benchmark, clip_paths, started_workers, name, impl):
    paths = clip_paths[:N_FILES]
    if impl == "mir_genre":
        run = mir_genre.get_extractor(name, n_jobs=2).transform
    else:

        def run(paths):
            return np.stack(list(started_workers.map(_librosa_file, [name] * len(paths), paths)))

    out = benchmark.pedantic(run, args=(paths,), rounds=1, iterations=1)
    benchmark.extra_info["files"] = len(paths)
    assert out.shape[0] == len(paths)
    if impl == "mir_genre":  # the same values as librosa alone, on the first file
        np.testing.assert_allclose(out[0], _librosa_file(name, paths[0]), rtol=RTOL, atol=1e-6)
