"""Tests of the Essentia extractors: registration, inputs, values and scikit-learn checks."""

import importlib.metadata
import pickle

import numpy as np
import pytest

try:
    importlib.metadata.distribution("mir-genre-essentia")
except importlib.metadata.PackageNotFoundError:
    pytest.skip(
        "the Essentia plugin is not installed (pip install ./plugins/mir-genre-essentia)",
        allow_module_level=True,
    )

import soundfile as sf  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import mir_genre  # noqa: E402
from mir_genre.registry import load_plugin  # noqa: E402
from mir_genre.testing import check_plugin  # noqa: E402

SR = 22050
NAMES = ("essentia_lowlevel", "essentia_rhythm", "essentia_tonal")


def _cls(name):
    return load_plugin("extractors", name)


def _cheap(name):
    cls = _cls(name)
    return cls(**cls.get_test_params())


def _clicks(bpm, seconds, sr=SR):
    y = np.zeros(int(seconds * sr))
    burst = np.sin(2 * np.pi * 1000 * np.arange(200) / sr) * np.hanning(200)
    for start in np.arange(0, y.size - 200, 60.0 / bpm * sr).astype(int):
        y[start : start + 200] += burst
    return y


def _triad(freqs, seconds, sr=SR):
    t = np.arange(int(seconds * sr)) / sr
    return sum(np.sin(2 * np.pi * f * t) for f in freqs) / (2 * len(freqs))


def _clips():
    rng = np.random.default_rng(0)
    noise = rng.uniform(-0.3, 0.3, SR)
    return np.stack([noise, _triad((261.63, 329.63, 392.0), 1.0), _clicks(120, 1.0)])


def test_listed_as_plugins():
    names = mir_genre.list_plugins("extractors")
    for name in NAMES:
        assert name in names
        assert mir_genre.get_extractor(name).__class__.__module__.startswith("mir_genre_essentia")


def test_listed_by_the_plugins_command_and_compare(capsys):
    import mir_genre.__main__
    import mir_genre.compare

    assert mir_genre.__main__.main(["plugins", "--kind", "extractors"]) == 0
    rows = {line.split()[1]: line for line in capsys.readouterr().out.splitlines()[1:]}
    for name in NAMES:
        assert " ok " in rows[name] and "mir-genre-essentia" in rows[name]
    assert mir_genre.compare.main(["--list"]) == 0
    (extractors,) = [
        line for line in capsys.readouterr().out.splitlines() if line.startswith("extractors:")
    ]
    assert all(name in extractors for name in NAMES)


def test_compare_uses_essentia_extractors_by_name(tmp_path, capsys):
    """compare on the synthetic dataset: an Essentia extractor alone and joined."""
    import pandas as pd

    import mir_genre.compare

    tiny = {"genres": ["classical", "metal"], "n_artists": 3, "tracks_per_artist": 2}
    argv = [arg for k, v in tiny.items() for arg in ("--dataset-arg", f"{k}={v!r}")]
    pipelines = [
        "essentia_lowlevel[n_mfcc=5,n_gfcc=5]+logistic_regression",
        "tzanetakis57+essentia_rhythm+logistic_regression",
        "essentia_tonal+knn[n_neighbors=3]",
    ]
    code = mir_genre.compare.main(
        [
            *argv,
            "--dataset-arg",
            "duration=2.0",
            "--pipelines",
            ",".join(pipelines),
            "--protocol",
            "artist:3",
            "--cache",
            str(tmp_path / "cache"),
            "--out",
            str(tmp_path / "out"),
            "-q",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    table = pd.read_csv(tmp_path / "out" / "results.csv")
    assert set(table["pipeline"]) == {
        "essentia_lowlevel+logistic_regression",
        "tzanetakis57+essentia_rhythm+logistic_regression",
        "essentia_tonal+knn",
    }
    assert len(table) == 9 and table["accuracy"].between(0, 1).all()


def test_core_does_not_import_essentia():
    import subprocess
    import sys

    code = (
        "import sys, mir_genre, mir_genre.features, mir_genre.compare; "
        "mir_genre.list_plugins('extractors'); "
        "assert 'essentia' not in sys.modules; "
        "import mir_genre_essentia.lowlevel, mir_genre_essentia.rhythm, mir_genre_essentia.tonal; "
        "assert 'essentia' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_extraction_prints_nothing():
    """Essentia's import-time INFO lines would land in every report and worker's log."""
    import subprocess
    import sys

    code = (
        "import numpy as np, mir_genre, essentia; "
        "X = np.random.default_rng(0).uniform(-0.3, 0.3, (1, 22050)); "
        f"[mir_genre.get_extractor(name).fit_transform(X) for name in {NAMES!r}]; "
        "assert essentia.log.infoActive"  # Essentia's own switch is left as it was
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""


@pytest.mark.parametrize("name", NAMES)
def test_arrays_and_paths_agree_and_are_named(name, tmp_path):
    est = _cheap(name)
    X = _clips()
    features = est.fit_transform(X)
    names = est.get_feature_names_out()
    assert features.shape == (len(X), len(names))
    assert len(set(names)) == len(names)
    assert np.isfinite(features).all()

    paths = []
    for i, clip in enumerate(X):
        path = tmp_path / f"clip{i}.wav"
        sf.write(path, clip.astype(np.float32), SR, subtype="FLOAT")
        paths.append(str(path))
    from_files = est.transform(paths)
    assert from_files.shape == features.shape
    np.testing.assert_allclose(from_files, features, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n_samples", [SR, 10])
def test_silence_and_short_clips_are_finite(name, n_samples):
    est = _cls(name)()
    out = est.fit_transform(np.zeros((2, n_samples)))
    assert out.shape == (2, len(est.get_feature_names_out()))
    assert np.isfinite(out).all()
    short = est.fit_transform(np.random.default_rng(1).uniform(-0.1, 0.1, (1, n_samples)))
    assert np.isfinite(short).all()


@pytest.mark.parametrize("name", NAMES)
def test_pickle_round_trip(name):
    est = _cheap(name)
    X = _clips()[:1]
    clone = pickle.loads(pickle.dumps(est.fit(X)))
    assert clone.get_params() == est.get_params()
    np.testing.assert_array_equal(clone.transform(X), est.transform(X))


def test_parallel_processes_match_serial():
    est = _cheap("essentia_lowlevel")
    X = _clips()
    serial = est.transform(X)
    parallel = est.set_params(n_jobs=2).transform(X)
    np.testing.assert_allclose(parallel, serial)


@pytest.mark.parametrize("method", ["multifeature", "degara"])
def test_click_track_tempo(method):
    est = mir_genre.get_extractor("essentia_rhythm", method=method)
    features = est.fit_transform(_clicks(120, 12)[None])[0]
    out = dict(zip(est.get_feature_names_out(), features, strict=True))
    assert abs(out["bpm"] - 120) < 2
    assert abs(out["bpm_histogram_first_peak_bpm"] - 120) < 3
    assert 1.5 < out["onset_rate"] < 2.5


def test_c_major_triad_key():
    est = mir_genre.get_extractor("essentia_tonal")
    out = dict(
        zip(
            est.get_feature_names_out(),
            est.fit_transform(_triad((261.63, 329.63, 392.0), 5)[None])[0],
            strict=True,
        )
    )
    assert out["key_C"] == 1 and out["key_major"] == 1
    assert (
        sum(
            out[f"key_{pc}"]
            for pc in ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
        )
        == 1
    )
    assert out["key_strength"] > 0.5
    assert abs(out["tuning_frequency"] - 440) < 2


def test_lowlevel_tone_centroid():
    est = mir_genre.get_extractor("essentia_lowlevel")
    tone = np.sin(2 * np.pi * 1000 * np.arange(SR) / SR)[None]
    out = dict(zip(est.get_feature_names_out(), est.fit_transform(tone)[0], strict=True))
    assert abs(out["spectral_centroid_mean"] - 1000) < 50


def test_invalid_parameters_are_rejected():
    from mir_genre.exceptions import ParameterError

    X = _clips()[:1]
    with pytest.raises(ParameterError, match="frame_size"):
        _cls("essentia_lowlevel")(frame_size=1025).fit_transform(X)
    with pytest.raises(ParameterError, match="min_tempo"):
        _cls("essentia_rhythm")(min_tempo=150, max_tempo=100).fit_transform(X)


def _expected_failed_checks(estimator):
    return {
        "check_estimators_dtypes": (
            "integer arrays are rejected on purpose by mir_genre's BaseExtractor: integer "
            "PCM has an arbitrary scale, so extractors ask for float audio instead of guessing"
        ),
    }


@parametrize_with_checks(
    [_cheap(name) for name in NAMES], expected_failed_checks=_expected_failed_checks
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("name", NAMES)
def test_conformance_suite(name):
    # The estimator checks run above through parametrize_with_checks; here the rest.
    assert "both input forms" in check_plugin(name, estimator_checks=False)


@pytest.mark.parametrize("name", NAMES)
def test_docstring_examples(name):
    # Run on the installed package: the examples a user reads must stay true.
    import doctest
    import importlib

    module = importlib.import_module(f"mir_genre_essentia.{name.split('_')[1]}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
