"""Long songs: chunked extraction equals whole-signal extraction, in bounded memory."""

import json
import subprocess
import sys
import textwrap

import librosa
import numpy as np
import pytest
import soundfile as sf

from mir_genre.audio import load
from mir_genre.features import _stats
from mir_genre.features import tzanetakis as tz
from mir_genre.features._frames import spectral_shape
from mir_genre.features._spectral import frame_chunks, hpss
from mir_genre.features.mfcc import MFCCDeltas, mfcc_deltas_blocks
from mir_genre.streaming import stream_mono

from .conftest import SHARED_DATA, make_tone

SR = 22050


@pytest.fixture(scope="module")
def long_signal():
    """Two real 30-s clips (blues, classical) end to end; generated audio without the data."""
    clips = sorted((SHARED_DATA / "gtzan" / "sample").glob("*/*.wav")) if SHARED_DATA else []
    if clips:
        return np.concatenate([load(path)[0] for path in clips[:3:2]])
    drums = np.zeros(60 * SR, dtype=np.float32)
    drums[:: SR // 2] = 1.0
    return make_tone(60.0, freq=330.0) + drums


def _whole_signal_frames(y, sr=SR):
    """The frame-level arrays the whole-signal computation averages, by feature."""
    D = librosa.stft(y)
    mag = np.abs(D)
    power = mag**2
    harm, _ = hpss(D)
    # The one-pass centroid and bandwidth (equal to librosa's to rtol 1e-6, test_frames).
    centroid, bandwidth = spectral_shape(mag, sr=sr, n_fft=2048)
    mel_db = librosa.power_to_db(librosa.feature.melspectrogram(S=power, sr=sr))
    harmony = librosa.istft(harm, length=len(y), dtype=y.dtype)
    return {
        "chroma_stft": librosa.feature.chroma_stft(S=power, sr=sr),
        "rms": librosa.feature.rms(y=y),
        "spectral_centroid": centroid,
        "spectral_bandwidth": bandwidth,
        "rolloff": librosa.feature.spectral_rolloff(S=mag, sr=sr),
        "zero_crossing_rate": librosa.feature.zero_crossing_rate(y),
        "harmony": harmony,
        # The masks add up to 1: the percussive waveform is the signal minus the harmonic.
        "perceptr": y - harmony,
        "mfcc": librosa.feature.mfcc(S=mel_db, sr=sr, n_mfcc=20),
        "onset_env": librosa.onset.onset_strength(S=mel_db, sr=sr),
    }


#: Frame values made by matrix products (the mel and chroma filter banks, the DCT, the
#: frequency-weighted sums of the centroid and bandwidth): BLAS may order a product's
#: sums differently for a different number of frames, so a chunk's values can differ
#: from the whole signal's in the last bit, by CPU.  The harmonic and percussive
#: waveforms come from an inverse STFT that applies the window in float32
#: (`istft_frames`), librosa's in float64: they agree to rounding too.
_BLAS = {
    "chroma_stft",
    "mfcc",
    "onset_env",
    "spectral_centroid",
    "spectral_bandwidth",
    "harmony",
    "perceptr",
}


def _frames_equal(a, b, blas):
    if not blas:
        return np.array_equal(a, b)
    return np.allclose(a, b, rtol=1e-6, atol=1e-6 * np.abs(b).max())


def _assert_frames_equal(a, b, *, blas):
    assert a.shape == b.shape
    assert _frames_equal(a, b, blas), np.abs(a - b).max()


def test_every_frame_value_equals_the_whole_signal(long_signal, monkeypatch):
    # Record what each statistic accumulates, chunk by chunk, and join the chunks.
    seen = {}
    add = _stats.Moments.add

    def recording_add(self, values):
        seen.setdefault(id(self), []).append(values.copy())
        add(self, values)

    monkeypatch.setattr(tz.Moments, "add", recording_add)
    envelopes = []
    tempo = tz._tempo
    monkeypatch.setattr(tz, "_tempo", lambda env, **kw: envelopes.append(env) or tempo(env, **kw))
    features = tz.tzanetakis57(y=long_signal, chunk_frames=300)
    joined = [np.concatenate(parts, axis=-1) for parts in seen.values()]
    whole = _whole_signal_frames(long_signal)
    assert len(whole["rms"][0]) > 3 * 300  # several chunks
    _assert_frames_equal(envelopes[0], whole.pop("onset_env"), blas=True)
    for name, expected in whole.items():
        blas = name in _BLAS
        matches = [
            a for a in joined if a.shape == expected.shape and _frames_equal(a, expected, blas)
        ]
        assert matches, f"{name}: no chunked array equals the whole-signal one"
    assert features[16] == librosa.feature.rhythm.tempo(onset_envelope=envelopes[0], sr=SR).item()


def test_chunked_features_equal_one_chunk(long_signal):
    whole = tz.tzanetakis57(y=long_signal, chunk_frames=len(long_signal) // 512 + 1)
    for chunk_frames in (257, 1000):
        chunked = tz.tzanetakis57(y=long_signal, chunk_frames=chunk_frames)
        # Only the float32 sums of the means and variances are rounded differently:
        # the means of the zero-mean harmonic and percussive signals (~1e-5) by ~1e-10.
        np.testing.assert_allclose(chunked, whole, rtol=1e-5, atol=1e-9)
        assert chunked[16] == whole[16]  # tempo


def test_one_chunk_equals_the_plain_whole_clip_computation():
    y = make_tone(3.0, freq=500.0)
    assert np.array_equal(tz.tzanetakis57(y=y), tz.tzanetakis57(y=y, chunk_frames=10**6))


@pytest.mark.parametrize("n", [100, 2047, 2048, 2049, 5000, 20_000])
def test_block_boundaries_do_not_matter(n):
    y = make_tone(n / SR, freq=700.0, seed=n)
    expected = tz.tzanetakis57_blocks(lambda: iter([y]), chunk_frames=8)
    rng = np.random.default_rng(n)

    def blocks():
        cuts = np.sort(rng.integers(0, n, size=6))
        return iter(np.split(y, cuts))  # empty blocks included

    assert np.array_equal(tz.tzanetakis57_blocks(blocks, chunk_frames=8), expected)


def test_frame_chunks_own_every_frame_once():
    y = np.arange(50_000, dtype=np.float32)
    chunks = list(
        frame_chunks(np.array_split(y, 13), n_fft=2048, hop_length=512, chunk_frames=7, context=9)
    )
    owned = [t for c in chunks for t in range(c.f0, c.f1)]
    assert owned == list(range(1 + len(y) // 512))
    for c in chunks:
        lo, hi = max(c.f0 - 9, 0) * 512 - 1024, (c.f1 + 8) * 512 + 1024
        hi = min(hi, len(y) + 1024)
        expected = np.pad(y, 1024)[lo + 1024 : hi + 1024]
        np.testing.assert_array_equal(c.samples(lo, hi), expected)


@pytest.mark.parametrize(("native_sr", "channels"), [(22050, 1), (44100, 2), (16000, 1)])
def test_stream_mono_equals_load(tmp_path, native_sr, channels):
    rng = np.random.default_rng(native_sr)
    data = 0.3 * rng.standard_normal((int(7.3 * native_sr), channels)).astype(np.float32)
    path = tmp_path / "x.flac"
    sf.write(path, data, native_sr)
    streamed = np.concatenate(list(stream_mono(path, sr=SR, block_seconds=1.3)))
    np.testing.assert_array_equal(streamed, load(path, sr=SR)[0])


def test_extractor_on_a_file_equals_the_array(tmp_path, long_signal):
    path = tmp_path / "long.wav"
    sf.write(path, long_signal, SR, subtype="FLOAT")
    est = tz.Tzanetakis57()
    np.testing.assert_array_equal(est.transform([path]), est.transform(long_signal[np.newaxis]))


_PEAKS = textwrap.dedent(
    """
    import json, sys, tracemalloc
    from mir_genre.features.tzanetakis import Tzanetakis57

    est = Tzanetakis57()
    est.transform([sys.argv[1]])  # warm-up (imports, compilation)
    peaks = []
    for path in sys.argv[1:]:
        tracemalloc.start()
        est.transform([path])
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    print(json.dumps(peaks))
    """
)


@pytest.mark.slow
def test_memory_does_not_grow_with_the_length_of_the_file(tmp_path):
    paths = []
    # Two lengths that both take several chunks (a 1-min file is one chunk of its own size).
    for minutes in (2, 8):
        paths.append(tmp_path / f"{minutes}min.wav")
        drums = np.zeros(int(minutes * 60 * SR), dtype=np.float32)
        drums[:: SR // 3] = 0.8
        sf.write(paths[-1], make_tone(minutes * 60.0, freq=250.0) + drums, SR, subtype="PCM_16")
    done = subprocess.run(
        [sys.executable, "-c", _PEAKS, *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
    )
    short, long = json.loads(done.stdout)
    # Whole-file extraction allocated ~150 MiB more per minute; chunked, what is kept
    # whole (mel spectrogram, spectral peaks, onset envelope) adds under 2 MiB a minute,
    # and the peak of a chunk varies by some 40 MiB with the timing of its two threads.
    assert long < short + 64 * 2**20, (short / 2**20, long / 2**20)


def test_mfcc_deltas_in_chunks_equal_the_whole_signal(long_signal):
    M = librosa.feature.mfcc(y=long_signal, sr=SR, n_mfcc=20)
    parts = [M, librosa.feature.delta(M, order=1), librosa.feature.delta(M, order=2)]
    stats = ("mean", "std", "median", "min", "max")
    expected = np.concatenate([_stats.summarize(p, stats) for p in parts])
    blocks = np.array_split(long_signal, 11)
    # The MFCCs come from matrix products: equal up to BLAS's order of sums (see _BLAS).
    np.testing.assert_allclose(
        mfcc_deltas_blocks(blocks, stats=stats, chunk_frames=300), expected, rtol=1e-5, atol=1e-5
    )


def test_mfcc_deltas_on_a_file_equals_the_array(tmp_path, long_signal):
    path = tmp_path / "long.flac"
    sf.write(path, long_signal, SR, subtype="PCM_24")
    est = MFCCDeltas()
    np.testing.assert_array_equal(est.transform([path]), est.transform(load(path)[0][None]))
