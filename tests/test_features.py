"""Behaviour every registered extractor shares: inputs, names, output, cache, parallelism."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import joblib
import numpy as np
import pandas as pd
import pytest
import soundfile as sf

import mir_genre
from mir_genre.exceptions import AudioError, ParameterError
from mir_genre.features._base import BaseExtractor, WorkerCrashError
from mir_genre.registry import load_plugin

from .conftest import make_tone

EXTRACTORS = mir_genre.list_plugins("extractors")
# Numerical noise between processes (BLAS threading) stays far below this.
TOL = {"rtol": 1e-5, "atol": 1e-5}


def cheap(name, **params):
    cls = load_plugin("extractors", name)
    return cls(**{**cls.get_test_params(), **params})


@pytest.fixture(scope="module")
def clips():
    return np.stack([make_tone(1.0, freq=f, seed=i) for i, f in enumerate([220, 440, 660])])


@pytest.mark.parametrize("name", EXTRACTORS)
def test_paths_and_arrays_give_the_same_features(name, tmp_path, clips):
    paths = []
    for i, y in enumerate(clips):
        paths.append(tmp_path / f"clip{i}.wav")
        sf.write(paths[-1], y, 22050, subtype="FLOAT")
    est = cheap(name)
    np.testing.assert_allclose(est.transform(paths), est.transform(clips), **TOL)


@pytest.mark.parametrize("name", EXTRACTORS)
def test_names_match_columns_and_pandas_output(name, clips):
    est = cheap(name)
    out = est.transform(clips)
    names = est.get_feature_names_out()
    assert out.shape == (len(clips), len(names))
    assert len(set(names)) == len(names)
    frame = est.set_output(transform="pandas").fit_transform(clips)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(names)


@pytest.mark.parametrize("name", EXTRACTORS)
def test_default_parameters_on_silence_and_short_clips(name):
    est = mir_genre.get_extractor(name)
    X = np.zeros((2, 22050), dtype=np.float32)
    X[1, :100] = 0.1  # almost silent, and a clip far shorter than the analysis window
    out = est.transform(X)
    assert np.isfinite(out).all()
    assert np.isfinite(est.transform(np.zeros((1, 50), dtype=np.float32))).all()


@pytest.mark.parametrize("name", EXTRACTORS)
def test_parallel_equals_sequential(name, clips):
    sequential = cheap(name).transform(clips)
    np.testing.assert_allclose(cheap(name, n_jobs=2).transform(clips), sequential, **TOL)


def test_chroma_cqt_variants_on_a_real_length_clip():
    y = make_tone(4.0, freq=261.63)[np.newaxis]
    est = mir_genre.get_extractor("chroma")
    out = est.transform(y)
    assert out.shape == (1, 3 * 2 * 12)
    # A C tone: C is the strongest mean pitch class in every variant.
    for variant in ("stft", "cqt", "cens"):
        means = out[0, est.get_feature_names_out() == f"chroma_{variant}_mean_C"]
        others = out[
            0, [n.startswith(f"chroma_{variant}_mean_") for n in est.get_feature_names_out()]
        ]
        assert means[0] == others.max()


@pytest.mark.parametrize("n_fft", [2048, 1024])
def test_chroma_equals_librosa_chroma_functions(n_fft):
    import librosa

    # A tone a quarter of a semitone sharp: the tuning estimate matters (the CQT
    # variants estimate it from the signal, as librosa's chroma_cqt(y=...) does).
    y = make_tone(4.0, freq=440.0 * 2 ** (0.25 / 12))
    est = mir_genre.get_extractor("chroma", n_fft=n_fft, remove_dc=False)
    chromas = [
        librosa.feature.chroma_stft(y=y, sr=22050, n_fft=n_fft),
        librosa.feature.chroma_cqt(y=y, sr=22050, bins_per_octave=36),
        librosa.feature.chroma_cens(y=y, sr=22050, bins_per_octave=36),
    ]
    expected = np.concatenate([np.r_[c.mean(axis=1), c.std(axis=1)] for c in chromas])
    np.testing.assert_allclose(est.transform(y[np.newaxis])[0], expected, rtol=1e-6, atol=1e-7)


def test_mel_patches_shape_and_fixed_duration(wav_files):
    est = mir_genre.get_extractor("mel_patches", duration=3.0, n_mels=64)
    out = est.transform(wav_files)  # 2-s files are padded to 3 s
    assert est.spectrogram_shape == (64, 1 + 3 * 22050 // 512)
    assert out.shape == (len(wav_files), 64 * est.spectrogram_shape[1])
    assert out.dtype == np.float32
    spec = out[0].reshape(est.spectrogram_shape)
    # the padded last second is silence: the floor of the 80 dB range
    assert spec[:, -10:].max() < spec.max() - 60


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        ("mfcc_deltas", {"stats": ("mean", "mode")}, "stats"),
        ("mfcc_deltas", {"stats": "mean"}, "stats"),
        ("mfcc_deltas", {"width": 4}, "width"),
        ("chroma", {"variants": ("stft", "chroma")}, "variants"),
        ("chroma", {"hop_length": 100}, "hop_length"),
        ("mel_patches", {"duration": -1.0}, "duration"),
        ("tzanetakis57", {"sr": 0}, "sr"),
        ("tzanetakis57", {"n_jobs": "many"}, "n_jobs"),
    ],
)
def test_bad_parameters_name_the_parameter(name, params, match, clips):
    est = mir_genre.get_extractor(name, **params)
    with pytest.raises(ValueError, match=match):
        est.transform(clips)


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        (np.zeros((2, 100), dtype=np.int16), ParameterError, "integer"),
        (np.zeros(100), ParameterError, "Reshape"),
        (np.full((2, 100), np.nan), ValueError, "NaN"),
    ],
)
def test_bad_arrays_are_rejected(X, error, match):
    with pytest.raises(error, match=match):
        cheap("mfcc_deltas").transform(X)


def test_bad_file_among_good_ones(wav_files, tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"not a RIFF header at all" * 10)
    est = cheap("mfcc_deltas")
    with pytest.raises(AudioError, match="broken.wav"):
        est.transform([*wav_files, bad])
    features, failures = est.extract([wav_files[0], bad, wav_files[1]], errors="collect")
    assert [f.index for f in failures] == [1]
    assert str(bad) == failures[0].source
    assert np.isnan(features[1]).all()
    assert np.isfinite(features[[0, 2]]).all()


def _outputs(cache):
    return {p: p.stat().st_mtime_ns for p in cache.rglob("output.pkl")}


def test_cache_reuses_results_and_notices_changed_files(wav_files, tmp_path):
    memory = joblib.Memory(tmp_path / "cache", verbose=0)
    est = cheap("mfcc_deltas", memory=memory)
    first = est.transform(wav_files)
    second = est.transform(wav_files)
    np.testing.assert_array_equal(first, second)
    assert len(list((tmp_path / "cache").rglob("output.pkl"))) == len(wav_files)
    # Other parameters are other cache entries; runtime parameters are not.
    cheap("mfcc_deltas", memory=memory, n_mfcc=3).transform(wav_files)
    cheap("mfcc_deltas", memory=memory, n_jobs=2, verbose=0).transform(wav_files)
    assert len(list((tmp_path / "cache").rglob("output.pkl"))) == 2 * len(wav_files)
    cached = _outputs(tmp_path / "cache")
    # What the cache now serves.  joblib's workers may have written an entry again (in a
    # worker with one BLAS thread: the same features to the last bits or so).
    served = est.transform(wav_files)
    np.testing.assert_allclose(served, first, **TOL)
    assert _outputs(tmp_path / "cache") == cached  # served, not recomputed
    # Rewriting a file changes its identity: its features are recomputed.  (Set the
    # modification time explicitly: coarse filesystem clocks can give a quick rewrite of
    # the same size the old time stamp.)
    before = wav_files[0].stat().st_mtime_ns
    sf.write(wav_files[0], make_tone(2.0, freq=880.0), 22050)
    os.utime(wav_files[0], ns=(before + 10**9, before + 10**9))
    changed = est.transform(wav_files)
    assert not np.allclose(changed[0], first[0])
    after = _outputs(tmp_path / "cache")
    assert len(after) == len(cached) + 1  # one new entry, for the rewritten file
    assert {p: after[p] for p in cached} == cached  # and nothing recomputed
    np.testing.assert_array_equal(changed[1:], served[1:])


def test_cache_notices_a_rewrite_with_the_same_size_and_time(wav_files, tmp_path):
    memory = joblib.Memory(tmp_path / "cache", verbose=0)
    est = cheap("mfcc_deltas", memory=memory)
    first = est.transform(wav_files)
    stat = wav_files[0].stat()
    # Same length, same sampling rate (so the same size), other audio, old time stamp.
    y, sr = sf.read(wav_files[0])
    sf.write(wav_files[0], make_tone(len(y) / sr, freq=1234.0, seed=7), sr)
    os.utime(wav_files[0], ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert wav_files[0].stat().st_size == stat.st_size
    assert wav_files[0].stat().st_mtime_ns == stat.st_mtime_ns
    changed = est.transform(wav_files)
    assert not np.allclose(changed[0], first[0])
    np.testing.assert_array_equal(changed[1:], first[1:])


_EDITABLE_EXTRACTOR = textwrap.dedent(
    """
    import numpy as np
    from mir_genre.features._base import BaseExtractor

    class Constant(BaseExtractor):
        def __init__(self, *, sr=22050, n_jobs=None, memory=None, verbose=0):
            self.sr, self.n_jobs, self.memory, self.verbose = sr, n_jobs, memory, verbose

        def _extract(self, y):
            return np.array([VALUE])

        def _feature_names(self):
            return ["value"]
    """
)

_EXTRACT_CONSTANT = textwrap.dedent(
    """
    import sys
    import constant_extractor
    est = constant_extractor.Constant(memory=sys.argv[1])
    print(est.transform(sys.argv[2:])[:, 0].tolist())
    """
)


def test_cache_gives_fresh_features_after_an_edit_of_the_code(wav_files, tmp_path):
    """Same class name, same parameters, new code: the next process recomputes."""
    module = tmp_path / "constant_extractor.py"
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}

    def run(value):
        module.write_text(_EDITABLE_EXTRACTOR.replace("VALUE", value))
        out = subprocess.run(
            [sys.executable, "-c", _EXTRACT_CONSTANT, str(cache), *map(str, wav_files)],
            capture_output=True, text=True, env=env, check=False, cwd=tmp_path,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        return eval(out.stdout)

    assert run("1.0") == [1.0] * len(wav_files)
    entries = _outputs(cache)
    assert run("1.0") == [1.0] * len(wav_files)  # unchanged code: served from the cache
    assert _outputs(cache) == entries
    assert run("2.0") == [2.0] * len(wav_files)  # edited code: recomputed
    after = _outputs(cache)
    # The old entries are ignored, not deleted.
    assert len(after) == 2 * len(wav_files)
    assert {p: after[p] for p in entries} == entries


def test_cache_key_includes_the_versions(wav_files, tmp_path, monkeypatch):
    from mir_genre.features import _base

    memory = joblib.Memory(tmp_path / "cache", verbose=0)
    est = cheap("mfcc_deltas", memory=memory)
    est.transform(wav_files)
    monkeypatch.setattr(mir_genre, "__version__", "0.0.0+other")
    _base.code_identity.cache_clear()
    try:
        est.transform(wav_files)
    finally:
        _base.code_identity.cache_clear()
    assert len(_outputs(tmp_path / "cache")) == 2 * len(wav_files)


_KILLABLE = textwrap.dedent(
    """
    import sys
    import mir_genre
    paths = sys.argv[2:]
    mir_genre.get_extractor("tzanetakis57", memory=sys.argv[1]).transform(paths)
    """
)


def test_killed_run_resumes_without_recomputing(tmp_path):
    paths = []
    for i in range(10):
        paths.append(tmp_path / f"track{i}.wav")
        sf.write(paths[-1], make_tone(15.0, freq=200.0 + 50 * i, seed=i), 22050)
    cache = tmp_path / "cache"
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLABLE, str(cache), *map(str, paths)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while len(_outputs(cache)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    done_before = _outputs(cache)
    assert proc.returncode == -signal.SIGKILL, stderr
    assert 2 <= len(done_before) < len(paths), "the run was not interrupted halfway"

    resumed = mir_genre.get_extractor("tzanetakis57", memory=cache).transform(paths)
    after = _outputs(cache)
    assert len(after) == len(paths)
    # Finished tracks were read back, not recomputed: their cache files are untouched.
    assert {p: after[p] for p in done_before} == done_before
    fresh = mir_genre.get_extractor("tzanetakis57").transform(paths)
    np.testing.assert_allclose(resumed, fresh, **TOL)


def test_runs_on_a_dask_cluster(wav_files):
    distributed = pytest.importorskip("distributed", reason="dask extra not installed")
    est = cheap("mfcc_deltas", n_jobs=2)
    expected = est.transform(wav_files)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as stream,
        joblib.parallel_config(backend="dask"),
    ):
        out = est.transform(wav_files)
    np.testing.assert_allclose(out, expected, **TOL)
    assert len(stream.data) >= len(wav_files)  # the tracks really ran on the cluster


def test_progress_bar_on_stderr(clips, capsys):
    cheap("mfcc_deltas", verbose=True).transform(clips)
    assert "MFCCDeltas" in capsys.readouterr().err


def test_environment_does_not_leak_into_home():
    assert os.environ["MPLBACKEND"] == "Agg"
    assert "KERAS_HOME" in os.environ


class _CrashOnOneTrack(BaseExtractor):
    """Kills its own process (SIGSEGV, as a crash in native code would) on one track."""

    def __init__(self, *, sr=22050, n_jobs=None, memory=None, verbose=False):
        self.sr = sr
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    def _extract(self, y):
        if y[0] > 0.5:  # the chosen track
            os.kill(os.getpid(), signal.SIGSEGV)
        time.sleep(0.5)  # the others stay in flight a while: the crash comes first
        return np.array([float(np.mean(y))])

    def _feature_names(self):
        return ["mean"]


def test_worker_crash_names_the_track_the_signal_and_the_fix(tmp_path):
    paths = []
    for i in range(4):
        paths.append(tmp_path / f"track{i}.wav")
        y = np.zeros(2048, dtype=np.float32)
        y[0] = 0.9 if i == 2 else 0.1
        sf.write(paths[-1], y, 22050, subtype="FLOAT")
    with pytest.raises(WorkerCrashError) as info:
        _CrashOnOneTrack(n_jobs=2).transform(paths)
    message = str(info.value)
    assert "track2.wav" in message, message
    assert "crashed" in message and "SIGSEGV" in message, message
    assert "NUMBA_CACHE_DIR" in message and "n_jobs=1" in message, message
    assert isinstance(
        info.value.__cause__, joblib.externals.loky.process_executor.TerminatedWorkerError
    )


def test_workers_start_after_a_warm_up_in_the_parent(monkeypatch):
    from mir_genre.features import _base

    monkeypatch.setattr(_base, "_WARMED_UP", set())
    est = cheap("mfcc_deltas", n_jobs=2)
    calls = []
    monkeypatch.setattr(
        type(est), "_extract", lambda self, y: calls.append(len(y)) or np.zeros(30)
    )
    # The threading backend runs the tracks in this process, where the calls are seen.
    with joblib.parallel_config(backend="threading"):
        est.transform(np.zeros((1, 4096)))  # one track: one worker, no warm-up
        assert calls == [4096]
        est.transform(np.zeros((2, 4096)))  # a one-second tone first
        est.transform(np.zeros((2, 4096)))  # only once per process
    assert calls[1] == 22050 and sorted(calls[2:]) == [4096] * 4


BUILT_IN = ["tzanetakis57", "mfcc_deltas", "chroma", "mel_patches", "texture", "fma518"]


@pytest.mark.parametrize("name", BUILT_IN)
def test_a_dc_offset_changes_nothing_by_default(name, tmp_path, clips):
    """benchmarks/DC_OFFSET.md: an offset of +0.45 turned most tracks into one genre."""
    shifted = clips + np.float32(0.45)
    default = cheap(name)
    # The shifted float32 samples lose a few bits, which fma518's higher moments (skew and
    # kurtosis of the spectral contrast) amplify to ~1e-4.
    tol = {"rtol": 1e-3, "atol": 1e-3} if name == "fma518" else TOL
    np.testing.assert_allclose(default.transform(shifted), default.transform(clips), **tol)
    for i, y in enumerate(shifted):  # files take the same path (float WAV keeps the offset)
        sf.write(tmp_path / f"{i}.wav", y, 22050, subtype="FLOAT")
    paths = [tmp_path / f"{i}.wav" for i in range(len(clips))]
    np.testing.assert_allclose(default.transform(paths), default.transform(clips), **tol)
    as_is = cheap(name, remove_dc=False)
    assert not np.allclose(as_is.transform(shifted), as_is.transform(clips), **TOL)


@pytest.mark.parametrize("name", ["tzanetakis57", "mfcc_deltas"])
@pytest.mark.parametrize(("kept_seconds", "decodes"), [(120.0, 1), (10.0, 2)])
def test_a_clip_is_decoded_once_a_longer_file_again(
    name, kept_seconds, decodes, tmp_path, monkeypatch
):
    """The pass for the mean keeps a stream of up to _KEPT_SECONDS: one decode, not two."""
    from mir_genre.features import _base, mfcc, tzanetakis

    module = {"tzanetakis57": tzanetakis, "mfcc_deltas": mfcc}[name]
    y = make_tone(30.0, freq=330.0) + np.float32(0.3)
    path = tmp_path / "clip.wav"
    sf.write(path, y, 22050, subtype="FLOAT")
    decoded = []
    stream_mono = module.stream_mono

    def counted(*args, **kwargs):
        decoded.append(args)
        return stream_mono(*args, **kwargs)

    monkeypatch.setattr(module, "stream_mono", counted)
    monkeypatch.setattr(_base, "_KEPT_SECONDS", kept_seconds)
    est = mir_genre.get_extractor(name)
    np.testing.assert_array_equal(est.transform([path]), est.transform(y[np.newaxis]))
    assert len(decoded) == decodes


@pytest.mark.parametrize("name", ["tzanetakis57", "mfcc_deltas"])
def test_a_long_file_is_centred_on_its_whole_mean(name, tmp_path):
    """Files decoded block by block lose the mean of the whole file, as arrays do."""
    y = make_tone(100.0, freq=330.0) + np.float32(0.3)  # several chunks of frames
    path = tmp_path / "long.wav"
    sf.write(path, y, 22050, subtype="FLOAT")
    est = mir_genre.get_extractor(name)
    np.testing.assert_allclose(est.transform([path]), est.transform(y[np.newaxis]), **TOL)
