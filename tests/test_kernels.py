"""The sorted-window running median equals scipy's median filter, value for value."""

import numpy as np
import pytest
import scipy.ndimage

from mir_genre.features._kernels import running_median_rows
from mir_genre.features._spectral import median_filter_axis


def _scipy(S, size, axis):
    shape = [1] * S.ndim
    shape[axis] = size
    return scipy.ndimage.median_filter(S, size=shape, mode="reflect")


@pytest.mark.parametrize("axis", [0, 1, -1, -2])
@pytest.mark.parametrize("size", [3, 5, 31])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_equals_scipy(axis, size, dtype):
    S = np.random.default_rng(size).gamma(0.5, size=(70, 90)).astype(dtype)
    out = median_filter_axis(S, size=size, axis=axis)
    assert out.dtype == S.dtype and out.shape == S.shape
    np.testing.assert_array_equal(out, _scipy(S, size, axis))


@pytest.mark.parametrize("axis", [0, 1])
def test_ties_and_repeated_values(axis):
    # Few distinct values: every window holds ties, and values leave and enter equal.
    S = np.random.default_rng(1).integers(0, 4, size=(80, 60)).astype(np.float32)
    np.testing.assert_array_equal(median_filter_axis(S, size=31, axis=axis), _scipy(S, 31, axis))


def test_constant_and_monotone_inputs():
    ramp = np.tile(np.arange(100, dtype=np.float64), (3, 1))
    np.testing.assert_array_equal(median_filter_axis(ramp, size=31, axis=1), _scipy(ramp, 31, 1))
    flat = np.ones((40, 40), np.float32)
    np.testing.assert_array_equal(median_filter_axis(flat, size=31, axis=0), flat)


def test_non_finite_input_falls_back_to_exact_filter():
    # NaN has no place in a sorted window: such input takes bottleneck's path.
    S = np.random.default_rng(2).random((50, 40))
    S[10, 5] = np.nan
    S[20, 7] = np.inf
    out = median_filter_axis(S, size=5, axis=0)
    import bottleneck as bn

    padded = np.pad(S, [(2, 2), (0, 0)], mode="symmetric")
    np.testing.assert_array_equal(out, bn.move_median(padded, window=5, axis=0)[4:])


def test_running_median_rows_windows():
    P = np.array([[5.0, 1.0], [3.0, 2.0], [4.0, 9.0], [1.0, 0.0]])
    np.testing.assert_array_equal(running_median_rows(P, 3), [[4.0, 2.0], [3.0, 2.0]])


def test_harmonic_part_equals_the_numpy_masks():
    import librosa

    from mir_genre.features._spectral import harmonic, hpss

    rng = np.random.default_rng(3)
    y = rng.standard_normal(20_000).astype(np.float32)
    y[5000:9000] = 0  # silent frames: the masks split them half and half
    for dtype in (np.float32, np.float64):
        D = librosa.stft(y.astype(dtype), n_fft=512)
        H, P = hpss(D)
        np.testing.assert_array_equal(harmonic(D), H)
        # The masks add up to 1: the parts add up to D (to rounding).
        np.testing.assert_allclose(H + P, D, rtol=1e-6, atol=1e-6)
        ref_h, ref_p = librosa.decompose.hpss(D)
        np.testing.assert_allclose(H, ref_h, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(P, ref_p, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(("n_fft", "hop_length"), [(2048, 512), (512, 128), (400, 160)])
def test_istft_frames_equals_librosa(n_fft, hop_length):
    import librosa

    from mir_genre.features._spectral import istft_frames

    y = np.random.default_rng(n_fft).standard_normal(30_000).astype(np.float32)
    D = librosa.stft(y, n_fft=n_fft, hop_length=hop_length, center=False)
    ref = librosa.istft(D, n_fft=n_fft, hop_length=hop_length, center=False)
    out = istft_frames(D, n_fft=n_fft, hop_length=hop_length)
    assert out.dtype == ref.dtype and out.shape == ref.shape
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
    # In the interior the frames overlap fully: the signal comes back.
    inner = slice(n_fft, len(out) - n_fft)
    np.testing.assert_allclose(out[inner], y[: len(out)][inner], rtol=1e-4, atol=1e-5)
