"""Model files run no code on load: round trips, the trust list, crafted files, old pickles."""

import contextlib
import importlib.util
import io
import json
import os
import pathlib
import pickle
import re
import warnings
import zipfile

import joblib
import numpy as np
import pytest
from sklearn.pipeline import Pipeline

import mir_genre
from mir_genre import predict, registry
from mir_genre.exceptions import ParameterError
from mir_genre.model_file import (
    FORMAT_MARKER,
    ModelFileError,
    UntrustedTypesError,
    UntrustedTypesWarning,
    load_model,
    read_info,
    save_model,
)
from mir_genre.model_file.trust import EXTRA_TRUSTED_TYPES, is_trusted, trusted_packages

SR = 22050
GENRES = ["classical", "metal"]
HAS_KERAS = importlib.util.find_spec("keras") is not None
needs_keras = pytest.mark.skipif(not HAS_KERAS, reason="pip install 'mir_genre[keras]'")


@pytest.fixture(scope="module")
def audio():
    """Eight 0.5-s synthetic clips of two genres."""
    ds = mir_genre.load_dataset(
        "synthetic", genres=GENRES, n_artists=2, tracks_per_artist=2, duration=0.5, seed=3
    )
    return np.asarray(ds.X, dtype=np.float32), np.asarray(ds.y)


@pytest.fixture(scope="module")
def svm_pipeline(audio):
    X, y = audio
    return Pipeline(
        [("mfcc_deltas", mir_genre.get_extractor("mfcc_deltas", n_mfcc=5)), ("svm", _clf("svm"))]
    ).fit(X, y)


def _clf(name):
    cls = registry.load_plugin("classifiers", name)
    return cls(**(cls.get_test_params() if hasattr(cls, "get_test_params") else {}))


def _round_trip(tmp_path, pipeline, X, **load):
    path = save_model(tmp_path / "m.mgm", pipeline, spec="test")
    model = load_model(path, **load)
    assert type(model.pipeline) is Pipeline
    assert [type(s) for _, s in model.pipeline.steps] == [type(s) for _, s in pipeline.steps]
    np.testing.assert_array_equal(model.pipeline.predict_proba(X), pipeline.predict_proba(X))
    np.testing.assert_array_equal(model.pipeline.predict(X), pipeline.predict(X))
    return model


def _v1_file(path, pipeline, **header):
    """A model file as mir_genre wrote it before format_version 2: header + joblib pickle."""
    info = {"format": FORMAT_MARKER, "format_version": 1, "spec": "old", **header}
    with open(path, "wb") as f:
        f.write(f"{FORMAT_MARKER}\n{json.dumps(info)}\n".encode())
        joblib.dump(pipeline, f)
    return path


# -- every model kind round-trips with identical predictions -------------------------

DEEP = {"cnn", "crnn", "resnet", "rnn", "dense_baseline", "musicnn_finetune"}
CLASSIFIERS = sorted(set(mir_genre.list_plugins("classifiers")))


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_every_classifier_round_trips(tmp_path, name):
    if name in DEEP and not HAS_KERAS:
        pytest.skip("keras is not installed")
    if name == "xgboost" and importlib.util.find_spec("xgboost") is None:
        pytest.skip("xgboost is not installed")
    rng = np.random.RandomState(0)
    if name == "musicnn_finetune":
        X = rng.uniform(0, 2, size=(4, 96 * 190)).astype("float32")
    elif name in DEEP:
        X = rng.uniform(0, 2, size=(8, 8 * 20)).astype("float32")
    else:
        X = rng.normal(size=(12, 4)) + np.repeat([[0.0], [3.0]], 6, axis=0)
    y = np.repeat(["jazz", "rock"], len(X) // 2)
    pipeline = Pipeline([(name, _clf(name))]).fit(X, y)
    with _no_untrusted_warning():
        _round_trip(tmp_path, pipeline, X)


@contextlib.contextmanager
def _no_untrusted_warning():
    """Saving a registered model never needs explicit trust: the warning is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", UntrustedTypesWarning)
        yield


@pytest.mark.parametrize("name", sorted(mir_genre.list_plugins("extractors")))
def test_every_extractor_round_trips(tmp_path, audio, name):
    if name.startswith("musicnn") and not HAS_KERAS:
        pytest.skip("keras is not installed")
    X, y = audio
    cls = registry.load_plugin("extractors", name)
    extractor = cls(**(cls.get_test_params() if hasattr(cls, "get_test_params") else {}))
    if getattr(extractor, "sr", SR) != SR:
        pytest.skip(f"{name} reads audio at {extractor.sr} Hz")
    classifier = mir_genre.get_classifier("logistic_regression")
    pipeline = Pipeline([(name, extractor), ("logistic_regression", classifier)]).fit(X, y)
    with _no_untrusted_warning():
        _round_trip(tmp_path, pipeline, X)


def test_feature_union_and_segment_voting_round_trip(tmp_path, audio):
    from mir_genre.classifiers.segment import SegmentVoting
    from mir_genre.specs import build_pipeline, parse_spec

    X, y = audio
    union = build_pipeline(parse_spec("chroma[variants=('stft',)]+mfcc_deltas[n_mfcc=5]+knn"))
    _round_trip(tmp_path, union.fit(X, y), X)
    voting = SegmentVoting(
        mir_genre.get_extractor("mfcc_deltas", n_mfcc=5),
        mir_genre.get_classifier("random_forest", n_estimators=5, random_state=0),
        segment_seconds=0.25,
    )
    _round_trip(tmp_path, Pipeline([("segment_voting", voting)]).fit(X, y), X)


@needs_keras
def test_deep_model_holds_weight_arrays_not_a_keras_archive(tmp_path, audio):
    X, y = audio
    extractor = mir_genre.get_extractor("mel_patches", duration=0.5, n_mels=8, n_fft=256)
    cnn = _clf("cnn")
    cnn.set_params(patch_seconds=0.1)
    pipeline = Pipeline([("mel_patches", extractor), ("cnn", cnn)]).fit(X, y)
    path = save_model(tmp_path / "cnn.mgm", pipeline)
    payload = path.read_bytes().split(b"\n", 2)[2]
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        names = archive.namelist()
        schema = archive.read("schema.json").decode()
    assert all(n == "schema.json" or n.endswith(".npy") for n in names), names
    modules = set(re.findall(r'"__module__": "([^"]+)"', schema))
    assert modules and not any(m.split(".")[0] in ("keras", "jax") for m in modules), modules
    assert "conv2d" not in schema.lower()  # no layer names: the code rebuilds the network
    _round_trip(tmp_path, pipeline, X)


# -- the trust list -------------------------------------------------------------------


class Trojan:
    """Writes a marker file when it is built from a file (``__setstate__``)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __setstate__(self, state):
        pathlib.Path(state["marker"]).write_text("the file ran code")
        self.__dict__.update(state)


def _with(pipeline, **attributes):
    """A copy of ``pipeline`` whose classifier carries extra attributes."""
    import copy

    pipe = copy.deepcopy(pipeline)
    pipe.steps[-1][1].__dict__.update(attributes)
    return pipe


def test_a_type_outside_the_trust_list_is_refused_by_name(tmp_path, svm_pipeline, capsys):
    marker = tmp_path / "marker"
    trojan = _with(svm_pipeline, extra_=Trojan(marker), hook_=os.system)
    with pytest.warns(UntrustedTypesWarning, match=f"{__name__}.Trojan"):
        path = save_model(tmp_path / "trojan.mgm", trojan)
    assert not marker.exists()
    expected = {f"{__name__}.Trojan", f"{os.system.__module__}.system"}
    assert set(read_info(path)["payload"]["needs_trust"]) == expected
    with pytest.raises(UntrustedTypesError, match="would build types that are not trusted") as exc:
        load_model(path)
    assert set(exc.value.types) == expected
    message = str(exc.value)
    assert str(path) in message and "--trust" in message and "trusted=[" in message
    song = tmp_path / "song.wav"
    import soundfile as sf

    sf.write(song, np.zeros(SR // 2, dtype="float32"), SR)
    assert predict.main([str(path), str(song)]) == 2
    err = capsys.readouterr().err
    assert f"{__name__}.Trojan" in err and "--trust" in err
    assert predict.main([str(path), "--info"]) == 0
    assert "needs --trust" in capsys.readouterr().out
    assert not marker.exists()
    # Trusting it explicitly builds it (so the refusal above is what kept the marker away).
    model = load_model(path, trusted=sorted(expected))
    assert marker.exists() and model.classifier.hook_ is os.system


def test_trust_on_the_command_line(tmp_path, svm_pipeline, audio, capsys):
    import soundfile as sf

    marker = tmp_path / "marker"
    with pytest.warns(UntrustedTypesWarning):
        path = save_model(
            tmp_path / "t.mgm",
            _with(svm_pipeline, extra_=Trojan(marker)),
            sr=SR,
            window_seconds=0.5,
        )
    song = tmp_path / "song.wav"
    sf.write(song, audio[0][0], SR)
    args = [str(path), str(song), "--json"]
    assert predict.main([*args, "--trust", "some.Other"]) == 2
    assert not marker.exists()
    assert f"{__name__}.Trojan" in capsys.readouterr().err
    assert predict.main([*args, "--trust", f"some.Other,{__name__}.Trojan"]) == 0
    assert marker.exists()
    assert json.loads(capsys.readouterr().out)["results"][0]["genre"] in GENRES


@pytest.mark.parametrize("bad", [5, ["ok.Name", 3], ["nodots"]])
def test_trusted_must_be_type_names(svm_pipeline, tmp_path, bad):
    path = save_model(tmp_path / "m.mgm", svm_pipeline)
    with pytest.raises(ParameterError, match="trusted"):
        load_model(path, trusted=bad)


def test_default_trust_list():
    assert "mir_genre" in trusted_packages()
    assert "mir_genre_plugin_template" in trusted_packages()  # installed in the test env
    assert is_trusted("mir_genre.classifiers.segment.SegmentVoting")
    assert all(is_trusted(name) for name in EXTRA_TRUSTED_TYPES)
    for name in ("builtins.eval", "os.system", "mir_genre_lookalike.X", "joblib.memory.Memory"):
        assert not is_trusted(name), name


@pytest.fixture
def fake_entry_points(monkeypatch):
    """Replace the installed entry points (registry's seam); restore the caches after."""
    from importlib.metadata import EntryPoint

    def install(*values, keep_installed=True):
        real = registry._entry_points

        def entry_points(group):
            extra = [
                EntryPoint(f"fake{i}", v, group) for i, v in enumerate(values)
                if group == "mir_genre.classifiers"
            ]  # fmt: skip
            return [*(real(group) if keep_installed else []), *extra]

        monkeypatch.setattr(registry, "_entry_points", entry_points)
        registry.refresh()

    yield install
    monkeypatch.undo()
    registry.refresh()


def test_an_entry_point_naming_another_project_does_not_trust_it(fake_entry_points):
    fake_entry_points("sklearn.svm:SVC", "os:system")
    assert registry._active("classifiers")["fake0"].value == "sklearn.svm:SVC"
    assert not {"sklearn", "os"} & trusted_packages()
    assert not is_trusted("os.system")


def test_plugin_types_are_trusted_only_while_the_plugin_is_registered(
    tmp_path, audio, monkeypatch
):
    X, y = audio
    from mir_genre_plugin_template.extractor import RMSStats

    pipeline = Pipeline(
        [("rms_stats", RMSStats()), ("nearest_centroid", _clf("nearest_centroid"))]
    ).fit(X, y)
    path = save_model(tmp_path / "plugin.mgm", pipeline)
    monkeypatch.setenv(registry.DISABLE_AUTOLOAD_ENV, "1")
    registry.refresh()
    try:
        with pytest.raises(UntrustedTypesError, match="MIR_GENRE_DISABLE_PLUGIN_AUTOLOAD") as exc:
            load_model(path)
        assert "mir_genre_plugin_template.extractor.RMSStats" in exc.value.types
        model = load_model(path, trusted=exc.value.types)
        np.testing.assert_array_equal(model.pipeline.predict(X), pipeline.predict(X))
    finally:
        monkeypatch.delenv(registry.DISABLE_AUTOLOAD_ENV)
        registry.refresh()
    load_model(path)


# -- crafted files: their code never runs -----------------------------------------------


class _Touch:
    """Unpickling this creates the marker file (what a trojan's payload would do)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def _trojan_pickle(svm_pipeline, marker):
    """A real pipeline whose unpickling also runs the payload."""
    return _with(svm_pipeline, payload_=_Touch(marker))


@pytest.mark.parametrize("version", [1, 2])
def test_a_pickle_payload_never_runs(tmp_path, svm_pipeline, capsys, version):
    marker = tmp_path / "marker"
    path = _v1_file(
        tmp_path / "trojan.mgm",
        _trojan_pickle(svm_pipeline, marker),
        format_version=version,
        payload={"format": "skops"},
        classes=GENRES,
        protocol={"name": "artist:5", "score": 0.99, "n_folds": 5, "scores": [0.99] * 5},
    )
    match = "its pipeline is a pickle" if version == 1 else "could not be loaded"
    with pytest.raises(ModelFileError, match=match) as exc:
        load_model(path)
    if version == 1:
        message = str(exc.value)
        assert "Retrain the model" in message and "--unsafe-pickle" in message
        assert "allow_pickle=True" in message and "RUNNING ANY CODE" in message
    assert predict.main([str(path), str(path)]) == 2
    assert predict.main([str(path), "--info"]) == 0
    out = capsys.readouterr().out
    assert "artist:5: accuracy 0.990" in out and "classical, metal" in out
    if version == 1:
        assert "a pickle, which runs code when loaded" in out
    assert not marker.exists()
    if version == 1:  # the flag does what it says: the payload runs
        model = load_model(path, allow_pickle=True)
        assert marker.exists() and model.classes == GENRES


def test_old_pickled_model_loads_only_with_the_unsafe_flag(tmp_path, svm_pipeline, audio, capsys):
    import soundfile as sf

    X, _ = audio
    path = _v1_file(tmp_path / "old.mgm", svm_pipeline, sr=SR, window_seconds=0.5)
    with pytest.raises(ModelFileError, match="format_version 1"):
        load_model(path)
    model = load_model(path, allow_pickle=True)
    np.testing.assert_array_equal(model.pipeline.predict_proba(X), svm_pipeline.predict_proba(X))
    song = tmp_path / "song.wav"
    sf.write(song, X[0], SR)
    assert predict.main([str(path), str(song), "--json"]) == 2
    assert "--unsafe-pickle" in capsys.readouterr().err
    assert predict.main([str(path), str(song), "--json", "--unsafe-pickle"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["genre"] in GENRES
    # Saving it again gives a file of the current format.
    new = save_model(tmp_path / "new.mgm", model.pipeline, **model.info)
    assert read_info(new)["format_version"] == 2 and load_model(new).classes == GENRES


@needs_keras
def test_a_keras_archive_loads_only_from_an_old_pickle(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.uniform(0, 2, size=(8, 8 * 20)).astype("float32")
    pipeline = Pipeline([("dense_baseline", _clf("dense_baseline"))]).fit(X, ["a", "b"] * 4)
    expected = pipeline.predict_proba(X)
    keras_file = tmp_path / "net.keras"
    pipeline.steps[-1][1].model_.save(keras_file)
    pipeline.steps[-1][1].model_ = keras_file.read_bytes()  # as format_version 1 held it
    crafted = save_model(tmp_path / "crafted.mgm", pipeline)
    with pytest.raises(ModelFileError, match="holds a whole Keras archive"):
        load_model(crafted)
    old = _v1_file(tmp_path / "old.mgm", pipeline)
    model = load_model(old, allow_pickle=True)
    np.testing.assert_allclose(model.pipeline.predict_proba(X), expected, atol=1e-6)
    clf = pipeline.steps[-1][1]
    for weights, match in [
        ([np.zeros(3, "float32")], "do not fit the network its parameters build"),
        ("weights", "does not hold its network"),
    ]:
        clf.model_ = {"format": "keras-weights-list", "weights": weights}
        bad = save_model(tmp_path / "bad.mgm", pipeline)
        with pytest.raises(ModelFileError, match=match):
            load_model(bad)


def test_a_forged_skops_tree_naming_a_function_is_refused(tmp_path, svm_pipeline):
    """Rewrite a valid file's schema so that a node names ``builtins.exec``."""
    path = save_model(tmp_path / "ok.mgm", svm_pipeline)
    marker, header, payload = path.read_bytes().split(b"\n", 2)
    source, out = zipfile.ZipFile(io.BytesIO(payload)), io.BytesIO()
    schema = json.loads(source.read("schema.json"))
    schema["content"]["content"]["steps"]["content"][0]["content"][0] = {
        "__class__": "exec",
        "__module__": "builtins",
        "__loader__": "TypeNode",
        "__id__": 999999,
    }
    with zipfile.ZipFile(out, "w") as forged:
        for name in source.namelist():
            data = json.dumps(schema) if name == "schema.json" else source.read(name)
            forged.writestr(name, data)
    bad = tmp_path / "forged.mgm"
    bad.write_bytes(marker + b"\n" + header + b"\n" + out.getvalue())
    with pytest.raises(UntrustedTypesError, match="builtins.exec"):
        load_model(bad)


def test_info_reads_only_the_header(tmp_path, svm_pipeline, capsys):
    path = save_model(
        tmp_path / "m.mgm",
        svm_pipeline,
        spec="mfcc_deltas+svm",
        steps=["mfcc_deltas", "svm"],
        classes=GENRES,
        dataset={"name": "synthetic", "n_tracks": 8, "n_genres": 2, "n_artists": 4},
        protocol={"name": "random:2", "score": 0.75, "score_std": 0.25, "n_folds": 2,
                  "scores": [0.5, 1.0], "fit_on": "all", "n_train": 8},
        sr=SR,
        window_seconds=0.5,
        warnings=["LeakageWarning: A random split puts ..."],
    )  # fmt: skip
    marker, header, _ = path.read_bytes().split(b"\n", 2)
    path.write_bytes(marker + b"\n" + header + b"\n" + pickle.dumps("not skops"))
    assert predict.main([str(path), "--info"]) == 0
    out = capsys.readouterr().out
    for expected in (
        "format_version 2: skops 0.",
        "the default trust list suffices",
        "classes    2: classical, metal",
        "synthetic: 8 tracks, 2 genres, 4 artists",
        "random:2: accuracy 0.750 +- 0.250 over 2 folds (0.500, 1.000)",
        "this score is inflated",
        "fitted on  every track (8 tracks)",
        "scikit-learn",
        "warnings   1 during training",
    ):
        assert expected in out, (expected, out)


def test_info_copes_with_an_odd_header(tmp_path, capsys):
    path = tmp_path / "odd.mgm"
    odd = {"format_version": 2, "protocol": {"score": "high", "n_folds": 3}, "classes": 7}
    path.write_bytes(f"{FORMAT_MARKER}\n{json.dumps(odd)}\n".encode())
    assert predict.main([str(path), "--info"]) == 0
    assert "accuracy ? +- ? over 3 folds" in capsys.readouterr().out


def test_refusing_imports_nothing(tmp_path, svm_pipeline, monkeypatch):
    """A type from a module whose import would run code: refused without importing it."""
    import sys

    marker = tmp_path / "imported"
    (tmp_path / "mg_trojan_mod.py").write_text(
        f"open({str(marker)!r}, 'w').write('imported')\nclass Trojan:\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.warns(UntrustedTypesWarning):
        path = save_model(tmp_path / "t.mgm", _with(svm_pipeline, extra_=Trojan(marker)))
    marker_line, header, payload = path.read_bytes().split(b"\n", 2)
    source, out = zipfile.ZipFile(io.BytesIO(payload)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as forged:
        for name in source.namelist():
            data = source.read(name)
            if name == "schema.json":
                data = data.replace(f'"{__name__}"'.encode(), b'"mg_trojan_mod"')
            forged.writestr(name, data)
    bad = tmp_path / "forged.mgm"
    bad.write_bytes(marker_line + b"\n" + header + b"\n" + out.getvalue())
    with pytest.raises(UntrustedTypesError, match="mg_trojan_mod.Trojan"):
        load_model(bad)
    assert not marker.exists() and "mg_trojan_mod" not in sys.modules
