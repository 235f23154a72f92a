"""The one-pass frame features equal librosa's (value for value where librosa's sums are kept)."""

import warnings

import librosa
import numpy as np
import pytest

from mir_genre.audio import load
from mir_genre.features import _frames

from .conftest import SHARED_DATA, make_tone

SR = 22050


def _signals():
    rng = np.random.default_rng(0)
    out = {
        "tone": make_tone(3.0, freq=440.0),
        "noise": (0.2 * rng.standard_normal(3 * SR)).astype(np.float32),
        "silence then tone": np.concatenate([np.zeros(SR, np.float32), make_tone(1.0)]),
        "zeros": np.zeros(SR, np.float32),
    }
    clips = sorted((SHARED_DATA / "gtzan" / "sample").glob("*/*.wav")) if SHARED_DATA else []
    for path in clips[::4]:
        out[path.name] = load(path)[0][: 10 * SR]
    return out


SIGNALS = _signals()


@pytest.fixture(params=sorted(SIGNALS), scope="module")
def spectrum(request):
    y = SIGNALS[request.param]
    return y, np.abs(librosa.stft(y))


def test_spectral_shape(spectrum):
    _, S = spectrum
    centroid, bandwidth = _frames.spectral_shape(S, sr=SR, n_fft=2048)
    ref_c = librosa.feature.spectral_centroid(S=S, sr=SR)
    ref_bw = librosa.feature.spectral_bandwidth(S=S, sr=SR)
    assert centroid.shape == ref_c.shape and bandwidth.shape == ref_bw.shape
    np.testing.assert_allclose(centroid, ref_c, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(bandwidth, ref_bw, rtol=1e-6, atol=1e-6)


def test_spectral_rolloff(spectrum):
    _, S = spectrum
    np.testing.assert_array_equal(
        _frames.spectral_rolloff(S, sr=SR, n_fft=2048),
        librosa.feature.spectral_rolloff(S=S, sr=SR),
    )


def test_spectral_peaks(spectrum):
    _, S = spectrum
    power = S**2
    pitch, mag = _frames.spectral_peaks(power, sr=SR, n_fft=2048)
    ref_pitch, ref_mag = librosa.piptrack(S=power, sr=SR, n_fft=2048)
    found = ref_pitch > 0
    np.testing.assert_array_equal(pitch, ref_pitch[found])
    np.testing.assert_array_equal(mag, ref_mag[found])
    assert pitch.dtype == ref_pitch.dtype


@pytest.mark.parametrize(("fmin", "fmax"), [(0.0, 11025.0), (500.0, 600.0), (6000.0, 5000.0)])
def test_spectral_peaks_band_edges(fmin, fmax):
    S = np.abs(librosa.stft(SIGNALS["noise"], n_fft=512)) ** 2
    pitch, mag = _frames.spectral_peaks(S, sr=SR, n_fft=512, fmin=fmin, fmax=fmax)
    ref_pitch, ref_mag = librosa.piptrack(S=S, sr=SR, n_fft=512, fmin=fmin, fmax=fmax)
    np.testing.assert_array_equal(pitch, ref_pitch[ref_pitch > 0])
    np.testing.assert_array_equal(mag, ref_mag[ref_pitch > 0])


@pytest.mark.parametrize("name", sorted(SIGNALS))
def test_zero_crossing_rate(name):
    y = np.pad(SIGNALS[name], 1024, mode="edge")
    np.testing.assert_array_equal(
        _frames.zero_crossing_rate(y, frame_length=2048, hop_length=512),
        librosa.feature.zero_crossing_rate(y, frame_length=2048, hop_length=512, center=False),
    )


def test_zero_crossing_rate_counts_tiny_values_as_zero():
    y = np.array([1.0, -1e-12, 1.0, -0.5, -0.0, 0.3, 1e-11, -2.0] * 40, dtype=np.float32)
    np.testing.assert_array_equal(
        _frames.zero_crossing_rate(y, frame_length=16, hop_length=4),
        librosa.feature.zero_crossing_rate(y, frame_length=16, hop_length=4, center=False),
    )


def test_estimate_tuning(spectrum):
    _, S = spectrum
    for X in (S, S**2):  # fma518 passes magnitudes, chroma_stft powers
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # no peaks in silence: librosa warns, says 0
            assert _frames.estimate_tuning(X, sr=SR) == librosa.estimate_tuning(S=X, sr=SR)
