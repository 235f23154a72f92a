"""Tests of mir_genre.audio: decoding, resampling, cropping, and the errors for bad input."""

import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

import mir_genre
from mir_genre import audio
from mir_genre.audio import fix_duration, is_path_sequence, load, valid_audio
from mir_genre.exceptions import AudioError, ParameterError

from .conftest import make_tone

SR = 22050


def _librosa_load(path, **kwargs):
    import librosa

    # librosa.load probes audioread's backends, whose stdlib backend imports the
    # deprecated modules aifc/audioop/sunau; that is librosa's business, not ours.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return librosa.load(path, **kwargs)


def _stereo(seconds=1.5, sr=44100, seed=0):
    """Two different channels, so a wrong mixdown or channel order shows."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    left = 0.3 * np.sin(2 * np.pi * 440 * t)
    right = 0.2 * np.sin(2 * np.pi * 660 * t) + 0.01 * rng.standard_normal(t.size)
    return np.stack([left, right], axis=1).astype(np.float32)  # (n, channels)


@pytest.fixture
def stereo_wav(tmp_path):
    path = tmp_path / "stereo_44k.wav"
    sf.write(path, _stereo(), 44100, subtype="PCM_16")
    return path


@pytest.fixture
def tone_wav(tmp_path):
    path = tmp_path / "tone.wav"
    sf.write(path, make_tone(1.0), SR, subtype="PCM_16")
    return path


# --------------------------------------------------------------------------- formats

FORMATS = [
    pytest.param("WAV", "PCM_16", ".wav", True, id="wav"),
    pytest.param("FLAC", "PCM_16", ".flac", True, id="flac"),
    pytest.param("OGG", "VORBIS", ".ogg", False, id="ogg-vorbis"),
    pytest.param(
        "MP3",
        "MPEG_LAYER_III",
        ".mp3",
        False,
        id="mp3",
        marks=pytest.mark.skipif(
            "MP3" not in sf.available_formats(), reason="libsndfile built without MP3"
        ),
    ),
]


@pytest.mark.parametrize(("fmt", "subtype", "suffix", "lossless"), FORMATS)
def test_load_formats(tmp_path, fmt, subtype, suffix, lossless):
    y = make_tone(1.0)
    path = tmp_path / f"tone{suffix}"
    sf.write(path, y, SR, format=fmt, subtype=subtype)
    loaded, sr = load(path)
    assert sr == SR
    assert loaded.dtype == np.float32 and loaded.ndim == 1
    if lossless:
        expected = np.round(y * 32768) / 32768  # what 16-bit PCM stores
        assert loaded.shape == y.shape
        np.testing.assert_allclose(loaded, expected, atol=1e-4)
    else:
        # Encoder delay/padding may change the length a little; compare the overlap.
        assert abs(loaded.size - y.size) < 0.1 * SR
        n = min(loaded.size, y.size)
        assert np.corrcoef(loaded[:n], y[:n])[0, 1] > 0.9
        assert np.sqrt(np.mean((loaded[:n] - y[:n]) ** 2)) < 0.05


@pytest.mark.skipif("MP3" not in sf.available_formats(), reason="libsndfile built without MP3")
@pytest.mark.parametrize(
    ("offset", "duration"), [(1.0, 2.0), (0.37, 1.234), (2.5, None), (5.01, 0.5), (0.0, 3.0)]
)
def test_mp3_offset_gives_the_samples_of_a_whole_file_read(tmp_path, capfd, offset, duration):
    # A seek inside an MP3 decoded wrong samples (0.13 off on this tone at offset 1.0):
    # the frames before the offset are decoded and dropped instead.
    path = tmp_path / "tone.mp3"
    sf.write(path, make_tone(10.0), SR, format="MP3")
    whole, _ = load(path, sr=SR)
    part, _ = load(path, sr=SR, offset=offset, duration=duration)
    start = int(round(offset * SR))
    expected = whole[start:] if duration is None else whole[start : start + round(duration * SR)]
    assert part.shape == expected.shape
    np.testing.assert_allclose(part, expected, rtol=0, atol=1e-6)
    # libmpg123's bit-reservoir complaint about the right samples stays off stderr.
    assert "part2_3_length" not in capfd.readouterr().err


def test_quiet_native_stderr_restores_the_descriptor(capfd):
    import os

    with audio.quiet_native_stderr():
        os.write(2, b"from C\n")
    os.write(2, b"after\n")
    err = capfd.readouterr().err
    assert "from C" not in err and "after" in err


def test_quiet_native_stderr_from_many_threads_restores_the_descriptor(capfd):
    import os
    import threading
    from concurrent.futures import ThreadPoolExecutor

    barrier = threading.Barrier(4)

    def quiet_write():
        with audio.quiet_native_stderr():
            barrier.wait(timeout=10)  # all four inside at once, entered in any order
            os.write(2, b"from C\n")

    with ThreadPoolExecutor(4) as pool:
        for future in [pool.submit(quiet_write) for _ in range(4)]:
            future.result()
    os.write(2, b"after\n")
    err = capfd.readouterr().err
    assert "from C" not in err and "after" in err


# --------------------------------------------------------------------------- load vs librosa


def test_load_matches_librosa_resample_and_mixdown(stereo_wav):
    y, sr = load(stereo_wav, sr=22050)
    expected, expected_sr = _librosa_load(stereo_wav, sr=22050)
    assert sr == expected_sr == 22050
    assert y.shape == expected.shape == (int(1.5 * 22050),)
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-6)


def test_load_matches_librosa_with_offset_and_duration(stereo_wav):
    y, _ = load(stereo_wav, sr=22050, offset=0.25, duration=0.5)
    expected, _ = _librosa_load(stereo_wav, sr=22050, offset=0.25, duration=0.5)
    assert y.shape == expected.shape == (11025,)
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-6)


def test_load_mono_false_keeps_channels(stereo_wav):
    y, sr = load(stereo_wav, sr=22050, mono=False)
    assert y.shape == (2, int(1.5 * 22050)) and sr == 22050
    expected, _ = _librosa_load(stereo_wav, sr=22050, mono=False)
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-6)
    # The channels stay distinct and in file order (left is the louder 440 Hz tone).
    assert np.abs(y[0]).max() > np.abs(y[1]).max()


def test_load_sr_none_keeps_native_rate(stereo_wav):
    y, sr = load(stereo_wav, sr=None)
    assert sr == 44100
    assert y.shape == (int(1.5 * 44100),)
    raw, _ = sf.read(stereo_wav, dtype="float32")
    np.testing.assert_allclose(y, raw.mean(axis=1), rtol=0, atol=1e-6)


def test_load_same_rate_is_not_resampled(tone_wav):
    y, sr = load(tone_wav, sr=SR)
    raw, _ = sf.read(tone_wav, dtype="float32")
    assert sr == SR
    np.testing.assert_array_equal(y, raw)


@pytest.mark.parametrize(
    ("offset", "duration"), [(0.5, 0.25), (0.0, 0.1), (1.25, None), (1.4, 1.0)]
)
def test_load_offset_duration_crop(stereo_wav, offset, duration):
    native = 44100
    full, _ = load(stereo_wav, sr=None)
    y, sr = load(stereo_wav, sr=None, offset=offset, duration=duration)
    start = int(round(offset * native))
    stop = full.size if duration is None else min(full.size, start + int(round(duration * native)))
    assert sr == native
    assert y.shape == (stop - start,)
    np.testing.assert_array_equal(y, full[start:stop])


def test_load_pad_to_duration(tone_wav):
    full, _ = load(tone_wav)
    y, sr = load(tone_wav, duration=2.5, pad=True)
    assert sr == SR
    assert y.shape == (int(2.5 * SR),)
    np.testing.assert_array_equal(y[: full.size], full)
    assert not y[full.size :].any()  # silence at the end


def test_load_pad_crops_longer_file(tone_wav):
    y, _ = load(tone_wav, duration=0.5, pad=True)
    full, _ = load(tone_wav)
    assert y.shape == (int(0.5 * SR),)
    np.testing.assert_array_equal(y, full[: y.size])


def test_load_pad_with_offset_and_resampling(stereo_wav):
    y, sr = load(stereo_wav, sr=22050, offset=1.0, duration=1.0, pad=True)
    assert sr == 22050 and y.shape == (22050,)
    assert not y[int(0.6 * 22050) :].any()  # only 0.5 s of audio is left after 1.0 s


def test_load_pad_without_duration():
    with pytest.raises(ParameterError, match=r"pad=True needs a duration.*duration=None"):
        load("whatever.wav", pad=True)


def test_load_accepts_str_and_path(tone_wav):
    a, _ = load(str(tone_wav))
    b, _ = load(Path(tone_wav))
    np.testing.assert_array_equal(a, b)


@pytest.fixture
def fresh_audioread(monkeypatch):
    """Forget audioread's stdlib backend, so the next decode imports it (and its
    deprecated stdlib modules) again, whatever ran before this test."""
    import audioread

    monkeypatch.setattr(audioread, "BACKENDS", [])  # audioread's cache of its backends
    monkeypatch.delattr(audioread, "rawread", raising=False)
    for module in ("audioread.rawread", "aifc", "audioop", "sunau"):
        monkeypatch.delitem(sys.modules, module, raising=False)


def test_audioread_fallback_matches_soundfile(tone_wav, monkeypatch, fresh_audioread):
    """When libsndfile cannot decode a file, audioread's result is the same audio."""
    expected, _ = load(tone_wav, sr=None, offset=0.2, duration=0.3)

    def refuse(*args, **kwargs):
        raise RuntimeError("libsndfile refused")

    monkeypatch.setattr(audio, "_read_soundfile", refuse)
    y, sr = load(tone_wav, sr=None, offset=0.2, duration=0.3)
    assert sr == SR
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-6)


# --------------------------------------------------------------------------- load errors


def _name(path):
    return re.escape(str(path))


def test_load_missing_file(tmp_path):
    path = tmp_path / "nope" / "missing.wav"
    with pytest.raises(AudioError, match=rf"not found: '{_name(path)}'"):
        load(path)


def test_load_directory(tmp_path):
    with pytest.raises(AudioError, match=rf"'{_name(tmp_path)}' is a directory"):
        load(tmp_path)


def test_load_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.touch()
    with pytest.raises(AudioError, match=rf"'{_name(path)}' is empty \(0 bytes\)"):
        load(path)


def test_load_random_bytes(tmp_path):
    path = tmp_path / "random.wav"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(AudioError, match=rf"'{_name(path)}': it is corrupt"):
        load(path)


def test_load_wav_without_riff_header(tmp_path, tone_wav, fresh_audioread):
    """Like GTZAN's jazz.00054.wav: a WAV whose first bytes are not 'RIFF'."""
    path = tmp_path / "jazz.00054.wav"
    data = tone_wav.read_bytes()
    assert data[:4] == b"RIFF"
    path.write_bytes(b"\0\0\0\0" + data[4:])
    with pytest.raises(AudioError, match=rf"'{_name(path)}': it is corrupt") as info:
        load(path)
    message = str(info.value)
    assert "RIFF" in message and "Re-encode" in message
    # The audioread fallback's real failure is reported, not a DeprecationWarning.
    assert "deprecated" not in message


def test_load_zero_frames(tmp_path):
    path = tmp_path / "zero.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), SR)
    with pytest.raises(AudioError, match=rf"'{_name(path)}' contains no samples.*zero-length"):
        load(path)


def test_load_nan_samples(tmp_path):
    path = tmp_path / "nan.wav"
    y = make_tone(0.5)
    y[100] = np.nan
    sf.write(path, y, SR, subtype="FLOAT")
    with pytest.raises(AudioError, match=rf"'{_name(path)}' contains NaN"):
        load(path)


def test_load_inf_samples(tmp_path):
    path = tmp_path / "inf.wav"
    y = make_tone(0.5)
    y[-1] = np.inf
    sf.write(path, y, SR, subtype="FLOAT")
    with pytest.raises(AudioError, match=rf"'{_name(path)}' contains NaN or infinite"):
        load(path)


def test_load_offset_beyond_end(tone_wav):
    with pytest.raises(
        AudioError, match=rf"'{_name(tone_wav)}' contains no samples after offset=5"
    ):
        load(tone_wav, offset=5)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sr": 0}, r"sr must be a positive integer or None; got 0"),
        ({"sr": -22050}, r"sr must be a positive integer.*got -22050"),
        ({"sr": 1.5}, r"sr must be a positive integer or None; got 1.5"),
        ({"sr": "22050"}, r"sr must be a positive integer.*got '22050'"),
        ({"offset": -1}, r"offset must be .*>= 0; got -1"),
        ({"offset": float("nan")}, r"offset must be a finite number"),
        ({"duration": 0}, r"duration must be .*> 0 or None; got 0"),
        ({"duration": -2.0}, r"duration must be .*> 0.*got -2.0"),
    ],
)
def test_load_bad_parameters(tone_wav, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        load(tone_wav, **kwargs)


def test_load_bad_parameters_checked_before_the_file(tmp_path):
    # A bad parameter is reported even when the file is missing too.
    with pytest.raises(ParameterError, match="sr must be"):
        load(tmp_path / "missing.wav", sr=0)


# --------------------------------------------------------------------------- valid_audio


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_valid_audio_accepts_float(dtype):
    assert valid_audio(make_tone(0.1).astype(dtype)) is True
    assert valid_audio(np.zeros((2, 10), dtype=dtype), ndim=2) is True


@pytest.mark.parametrize("dtype", [np.int16, np.int32, np.uint8, np.bool_])
def test_valid_audio_integer(dtype):
    y = np.zeros(100, dtype=dtype)
    with pytest.raises(ParameterError, match=r"must be floating point; got dtype") as info:
        valid_audio(y)
    assert "astype(np.float32)" in str(info.value)  # the conversion hint


def test_valid_audio_complex():
    with pytest.raises(ParameterError, match=r"real floating-point array; got dtype complex"):
        valid_audio(np.zeros(10, dtype=np.complex64))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_valid_audio_non_finite(bad):
    y = np.zeros(100, dtype=np.float32)
    y[[3, 7]] = bad
    with pytest.raises(ParameterError, match=r"contains 2 NaN or infinite sample\(s\)"):
        valid_audio(y)


def test_valid_audio_wrong_ndim():
    with pytest.raises(ParameterError, match=r"Audio y must be 1-D .* got shape \(2, 10\)"):
        valid_audio(np.zeros((2, 10)))
    with pytest.raises(ParameterError, match=r"Audio X must be 2-D .*\(n_clips, n_samples\)"):
        valid_audio(np.zeros(10), name="X", ndim=2)


def test_valid_audio_empty():
    with pytest.raises(ParameterError, match=r"has no samples"):
        valid_audio(np.zeros(0, dtype=np.float32))


@pytest.mark.parametrize("y", [[0.0, 0.1, 0.2], (0.0, 0.1), 0.5, "y.wav"])
def test_valid_audio_not_an_array(y):
    with pytest.raises(ParameterError, match=r"must be a numpy array; got"):
        valid_audio(y)


def test_valid_audio_names_the_input():
    with pytest.raises(ParameterError, match=r"Audio 'song.wav' must be floating point"):
        valid_audio(np.zeros(10, dtype=np.int16), name="'song.wav'")


# --------------------------------------------------------------------------- fix_duration


def test_fix_duration_pads_and_crops():
    y = np.ones(10, dtype=np.float32)
    padded = fix_duration(y, sr=10, duration=1.5)
    assert padded.shape == (15,)
    np.testing.assert_array_equal(padded, np.r_[np.ones(10), np.zeros(5)])
    np.testing.assert_array_equal(fix_duration(y, sr=10, duration=0.5), np.ones(5))
    assert fix_duration(np.ones((3, 10)), sr=10, duration=2.0).shape == (3, 20)


# --------------------------------------------------------------------------- is_path_sequence


@pytest.mark.parametrize(
    "X",
    [
        ["a.wav", "b.flac"],
        [Path("a.wav"), Path("b.flac")],
        ["a.wav", Path("b.flac")],
        ("a.wav",),
        pd.Series(["a.wav", "b.wav"]),
        np.array(["a.wav", "b.wav"]),
        np.array(["a.wav", Path("b.wav")], dtype=object),
    ],
    ids=["list-str", "list-path", "list-mixed", "tuple", "series", "array-str", "array-object"],
)
def test_is_path_sequence_true(X):
    assert is_path_sequence(X) is True


@pytest.mark.parametrize(
    "X",
    [
        np.zeros((2, 100)),
        np.zeros(100),
        np.array([["a.wav"], ["b.wav"]]),
        "a.wav",
        Path("a.wav"),
        [],
        np.array([], dtype=str),
        ["a.wav", 0.5],
        [0.1, 0.2],
        [[0.1, 0.2]],
        None,
        42,
        pd.DataFrame({"path": ["a.wav"]}),
    ],
    ids=[
        "2d-float",
        "1d-float",
        "2d-str",
        "str",
        "path",
        "empty-list",
        "empty-array",
        "list-mixing-float",
        "list-float",
        "nested-list",
        "none",
        "int",
        "dataframe",
    ],
)
def test_is_path_sequence_false(X):
    assert is_path_sequence(X) is False


def test_is_path_sequence_generator_is_not_consumed_as_paths():
    # Generators have no __len__: they are not accepted (and so are not half-consumed).
    assert is_path_sequence(p for p in ["a.wav"]) is False


# --------------------------------------------------------------------------- extractors


def _cheap_mfcc():
    return mir_genre.get_extractor("mfcc_deltas", n_fft=256, hop_length=64, n_mfcc=5, n_mels=20)


def test_extractor_error_names_missing_file(wav_files, tmp_path):
    missing = tmp_path / "gone" / "missing.wav"
    with pytest.raises(AudioError, match=_name(missing)):
        _cheap_mfcc().transform([wav_files[0], missing])


def test_extractor_error_names_corrupt_file(wav_files, tmp_path):
    bad = tmp_path / "corrupt.wav"
    bad.write_bytes(b"not a wav file at all" * 10)
    with pytest.raises(AudioError, match=rf"{_name(bad)}.*corrupt"):
        _cheap_mfcc().transform([bad, *wav_files[:1]])


def test_extractor_integer_array():
    with pytest.raises(ParameterError, match=r"integer array \(dtype int16\).*astype"):
        _cheap_mfcc().transform(np.zeros((2, 1000), dtype=np.int16))


def test_extractor_1d_array():
    with pytest.raises(ParameterError, match=r"1-D array of shape \(1000,\).*Reshape"):
        _cheap_mfcc().transform(np.zeros(1000, dtype=np.float32))


def test_extractor_nan_array():
    X = np.zeros((2, 1000), dtype=np.float32)
    X[1, 10] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        _cheap_mfcc().transform(X)


def test_extractor_paths_and_array_agree(wav_files):
    est = _cheap_mfcc()
    from_files = est.transform(wav_files[:2])
    X = np.stack([load(p)[0] for p in wav_files[:2]])
    np.testing.assert_allclose(est.transform(X), from_files, rtol=1e-5, atol=1e-5)


def test_extractor_dataframe_of_audio_is_not_read_as_paths():
    """A DataFrame iterates over its column names; they must not be taken for files."""
    X = np.stack([make_tone(0.2, seed=0), make_tone(0.2, seed=1)])
    frame = pd.DataFrame(X, columns=[f"s{i}" for i in range(X.shape[1])])
    assert not is_path_sequence(frame)
    est = _cheap_mfcc()
    np.testing.assert_allclose(est.fit_transform(frame), est.fit_transform(X))


EXTRACTORS = mir_genre.list_plugins("extractors")


@pytest.mark.parametrize("name", EXTRACTORS)
def test_silence_gives_finite_features_test_params(name):
    cls = type(mir_genre.get_extractor(name))
    est = mir_genre.get_extractor(name, **cls.get_test_params())
    features = est.transform(np.zeros((1, SR), dtype=np.float32))
    assert features.shape == (1, len(est.get_feature_names_out()))
    assert np.isfinite(features).all()


@pytest.mark.parametrize("name", EXTRACTORS)
def test_silence_gives_finite_features_default_params(name):
    est = mir_genre.get_extractor(name)
    features = est.transform(np.zeros((1, SR), dtype=np.float32))
    assert features.shape == (1, len(est.get_feature_names_out()))
    assert np.isfinite(features).all()


@pytest.mark.parametrize("name", EXTRACTORS)
def test_silent_file_gives_finite_features(name, tmp_path):
    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros(SR, dtype=np.float32), SR, subtype="PCM_16")
    cls = type(mir_genre.get_extractor(name))
    est = mir_genre.get_extractor(name, **cls.get_test_params())
    assert np.isfinite(est.transform([path])).all()
