"""python -m mir_genre.train / .predict and the model file, run in-process."""

import importlib.util
import json

import joblib
import numpy as np
import pandas as pd
import pytest
import soundfile as sf

import mir_genre
import mir_genre.audio
from mir_genre import model_file, predict, train
from mir_genre.exceptions import DataNotFoundError
from mir_genre.model_file import ModelFileError, load_model, read_info, save_model
from mir_genre.streaming import stream_windows

from .conftest import make_tone

SR = 22050
GENRES = ["classical", "metal"]
SYNTHETIC = [
    "--dataset-arg",
    f"genres={GENRES!r}",
    "--dataset-arg",
    "n_artists=3",
    "--dataset-arg",
    "tracks_per_artist=2",
    "--dataset-arg",
    "duration=1.0",
]
CNN = "mel_patches[n_mels=8]+cnn[{}]".format(
    ",".join(
        f"{k}={v!r}"
        for k, v in {
            "filters": (4, 8),
            "dense_units": 8,
            "patch_seconds": 0.2,
            "epochs": 1,
            "batch_size": 8,
            "jit_compile": False,
        }.items()
    )
)


def _train(tmp_path, *extra, name="model.mgm"):
    out = tmp_path / name
    code = train.main([*SYNTHETIC, "-q", "-o", str(out), *extra])
    return code, out


@pytest.fixture(scope="module")
def songs(tmp_path_factory):
    """Songs by artists the model never saw: a long WAV, FLAC, OGG, MP3, a short WAV."""
    folder = tmp_path_factory.mktemp("songs")
    ds = mir_genre.load_dataset(
        "synthetic", genres=GENRES, n_artists=1, tracks_per_artist=1, duration=3.0, seed=11
    )
    paths = {}
    for y, genre in zip(ds.X, ds.y, strict=True):
        paths[f"{genre}_long"] = folder / f"{genre}_long.wav"
        sf.write(paths[f"{genre}_long"], y, SR)
    paths["flac"] = folder / "metal.flac"
    sf.write(paths["flac"], ds.X[1][:SR], SR)
    paths["ogg"] = folder / "classical.ogg"
    sf.write(paths["ogg"], ds.X[0][:SR], SR)
    if "MP3" in sf.available_formats():
        paths["mp3"] = folder / "metal.mp3"
        sf.write(paths["mp3"], ds.X[1][: int(1.5 * SR)], SR)
    paths["short"] = folder / "short.wav"
    sf.write(paths["short"], ds.X[0][: SR // 2], SR)
    return paths


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    """tzanetakis57+svm on 12 one-second synthetic clips, artist-filtered 3-fold CV."""
    out = tmp_path_factory.mktemp("model") / "synthetic.mgm"
    assert train.main([*SYNTHETIC, "--protocol", "artist:3", "-q", "-o", str(out)]) == 0
    return out


# -- train --------------------------------------------------------------------------


def test_model_file_records_the_training(model_path):
    info = read_info(model_path)
    assert info["format"] == model_file.FORMAT_MARKER
    assert info["format_version"] == model_file.FORMAT_VERSION == 2
    assert info["spec"] == "tzanetakis57+svm"
    assert info["steps"] == ["tzanetakis57", "svm"]
    assert info["params"]["svm"]["random_state"] == 0
    assert info["params"]["tzanetakis57"]["memory"] is None
    assert info["classes"] == GENRES
    assert info["clip_seconds"] == info["window_seconds"] == 1.0
    assert info["sr"] == SR
    assert info["dataset"]["name"] == "synthetic"
    assert info["dataset"]["n_tracks"] == 12
    assert info["dataset"]["n_artists"] == 6
    assert info["dataset"]["options"]["n_artists"] == 3
    proto = info["protocol"]
    assert proto["name"] == "artist:3" and proto["fit_on"] == "all" and proto["n_train"] == 12
    assert len(proto["scores"]) == 3 and proto["score"] == pytest.approx(np.mean(proto["scores"]))
    for name in ("mir_genre", "numpy", "scikit-learn", "librosa"):
        assert info["versions"][name]
    assert info["created"].endswith("+00:00")
    assert info["warnings"] == []
    model = load_model(model_path)
    assert model.classes == GENRES
    assert [name for name, _ in model.pipeline.steps] == ["tzanetakis57", "svm"]


def test_train_prints_a_summary(tmp_path, capsys):
    code, out = _train(tmp_path, "--pipeline", "mfcc_deltas[n_mfcc=8]+logistic_regression")
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "mfcc_deltas[n_mfcc=8]+logistic_regression" in captured.out
    assert "no held-out score" in captured.out and str(out) in captured.out
    assert read_info(out)["protocol"] == {
        "name": "all",
        "metric": "accuracy",
        "fit_on": "all",
        "n_train": 12,
        "score": None,
    }


def test_predefined_protocol_fits_train_and_scores_test(tmp_path, capsys):
    code, out = _train(
        tmp_path, "--pipeline", "mfcc_deltas+logistic_regression", "--protocol", "predefined"
    )
    assert code == 0, capsys.readouterr().err
    proto = read_info(out)["protocol"]
    assert proto["fit_on"] == "train"
    assert (proto["n_train"], proto["n_test"], proto["shared_artists"]) == (8, 4, 0)
    assert 0.0 <= proto["score"] <= 1.0 and proto["scores"] == [proto["score"]]
    assert "on 4 test tracks" in capsys.readouterr().out


def test_random_split_warning_is_reported_and_recorded(tmp_path, capsys):
    code, out = _train(
        tmp_path, "--pipeline", "mfcc_deltas+logistic_regression", "--protocol", "random:2"
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert "warning: LeakageWarning: A random split puts" in err
    assert any("LeakageWarning" in w for w in read_info(out)["warnings"])


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("nope+svm", "installed names are: 'chroma', "),  # then every other extractor
        ("tzanetakis57+nope", "Unknown classifier 'nope'"),
        ("tzanetakis57[+svm", "not closed"),
        ("tzanetakis57[foo=1]+svm", "Pass only the parameters Tzanetakis57 accepts"),
        ("svm", "needs an extractor in front of the classifier"),
    ],
)
def test_bad_pipeline_exits_2_with_the_reason(tmp_path, capsys, spec, expected):
    code, out = _train(tmp_path, "--pipeline", spec)
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and expected in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--protocol", "artist:1"], "needs a number of folds >= 2"),
        (["--protocol", "artist:9"], "needs at least 9 artists; groups has 6"),
        (["--protocol", "leave-one-out"], "Unknown evaluation protocol"),
        (["--dataset", "nope"], "Unknown dataset 'nope'"),
        (["--root", "somewhere"], "takes no --root"),
    ],
)
def test_bad_options_exit_2(tmp_path, capsys, args, expected):
    code, out = _train(tmp_path, "--pipeline", "mfcc_deltas+logistic_regression", *args)
    err = capsys.readouterr().err
    assert code == 2 and expected in err, err
    assert not out.exists()


def test_output_is_required(capsys):
    with pytest.raises(SystemExit) as exc:
        train.main(SYNTHETIC)
    assert exc.value.code == 2
    assert "-o/--output" in capsys.readouterr().err


def test_groups_reach_a_classifier_whose_fit_takes_them():
    from sklearn.base import BaseEstimator, ClassifierMixin

    class Spy(ClassifierMixin, BaseEstimator):
        def fit(self, X, y, groups=None):
            self.groups_ = groups
            self.classes_ = np.unique(y)
            return self

        def predict(self, X):
            return np.full(len(X), self.classes_[0])

    ds = mir_genre.load_dataset(
        "synthetic", genres=GENRES, n_artists=2, tracks_per_artist=2, duration=0.2
    )
    F = np.zeros((len(ds), 3))
    fitted, info = train._train(Spy(), F, ds, "all", 0)
    assert list(fitted.groups_) == list(ds.groups)
    fitted, info = train._train(Spy(), F, ds, "predefined", 0)
    assert list(fitted.groups_) == list(ds.groups[ds.splits["train"]])


# -- predict ------------------------------------------------------------------------


def test_predict_table_for_every_format_and_length(model_path, songs, capsys):
    files = [str(p) for p in songs.values()]
    assert predict.main([str(model_path), *files]) == 0
    captured = capsys.readouterr()
    rows = {line.split()[0]: line.split() for line in captured.out.splitlines()[1:]}
    assert captured.out.splitlines()[0].split() == ["file", "windows", "genre", "top", "3"]
    assert set(rows) == set(files)
    assert rows[str(songs["metal_long"])][1] == "3"  # 3 s song, 1-s clips
    assert rows[str(songs["short"])][1] == "1"
    for row in rows.values():
        assert row[2] in GENRES
        ranked = row[3:]  # genre, probability, genre, probability: all classes, best first
        assert sorted(ranked[::2]) == GENRES and ranked[0] == row[2]
        probabilities = [float(p) for p in ranked[1::2]]
        assert probabilities == sorted(probabilities, reverse=True)
    assert captured.err == ""


def test_predict_json_shape(model_path, songs, capsys):
    paths = [str(songs["metal_long"]), str(songs["flac"])]
    assert predict.main([str(model_path), *paths, "--json", "--top", "1"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"model", "spec", "classes", "window_seconds", "results", "errors"}
    assert document["classes"] == GENRES and document["window_seconds"] == 1.0
    assert document["errors"] == []
    assert [r["file"] for r in document["results"]] == paths
    long_song = document["results"][0]
    assert set(long_song) == {"file", "genre", "top", "windows", "seconds"}
    assert (long_song["windows"], long_song["seconds"]) == (3, 3.0)
    assert len(long_song["top"]) == 1
    assert long_song["top"][0]["genre"] == long_song["genre"]
    assert 0.5 <= long_song["top"][0]["probability"] <= 1.0


def test_song_probability_is_the_mean_over_its_windows(model_path, songs):
    model = load_model(model_path)
    result = predict.predict_file(model, songs["metal_long"])
    y, _ = mir_genre.audio.load(songs["metal_long"], sr=SR)
    windows = y.reshape(3, SR)
    features = mir_genre.get_extractor("tzanetakis57").transform(windows)
    expected = model.classifier.predict_proba(features).mean(axis=0)
    np.testing.assert_allclose(result["probabilities"], expected, atol=1e-3)
    assert result["probabilities"].sum() == pytest.approx(1.0)


def test_folders_are_searched(model_path, songs, capsys):
    assert predict.main([str(model_path), str(songs["flac"].parent), "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert len(results) == len(songs)


def test_unreadable_and_missing_files_are_reported_and_the_others_predicted(
    model_path, songs, tmp_path, capsys
):
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF" + b"\x00garbage" * 50)
    empty = tmp_path / "empty.flac"
    empty.touch()
    missing = tmp_path / "missing.wav"
    args = [str(model_path), str(corrupt), str(songs["ogg"]), str(empty), str(missing)]
    assert predict.main(args) == 1
    captured = capsys.readouterr()
    assert str(songs["ogg"]) in captured.out
    assert "corrupt.wav" not in captured.out
    assert f"Could not decode audio file '{corrupt}'" in captured.err
    assert f"Audio file '{empty}' is empty" in captured.err
    assert f"No such file or folder: '{missing}'" in captured.err
    assert "3 of 4 input(s) could not be predicted" in captured.err
    assert "Traceback" not in captured.err


def test_failed_files_are_listed_in_the_json(model_path, songs, tmp_path, capsys):
    corrupt = tmp_path / "corrupt.mp3"
    corrupt.write_bytes(b"ID3" + b"\xff" * 100)
    assert predict.main([str(model_path), str(corrupt), str(songs["ogg"]), "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert [r["file"] for r in document["results"]] == [str(songs["ogg"])]
    assert document["errors"][0]["file"] == str(corrupt)
    assert document["errors"][0]["error"].startswith("AudioError: ")


def test_info_describes_the_model(model_path, capsys):
    assert predict.main([str(model_path), "--info"]) == 0
    out = capsys.readouterr().out
    assert "tzanetakis57+svm" in out and "classical, metal" in out and "artist:3" in out


@pytest.mark.parametrize("args", [[], ["--top", "0"]])
def test_predict_usage_errors(model_path, songs, capsys, args):
    with pytest.raises(SystemExit) as exc:
        predict.main([str(model_path), *([str(songs["ogg"])] if args else []), *args])
    assert exc.value.code == 2


@pytest.mark.parametrize("seconds", [0.3, 1.0, 2.3, 2.6, 3.0])
def test_windows_follow_window_starts(model_path, tmp_path, seconds):
    path = tmp_path / "song.flac"
    sf.write(path, make_tone(seconds), SR)
    result = predict.predict_file(load_model(model_path), path)
    assert result["windows"] == len(predict.window_starts(seconds, 1.0))
    assert result["seconds"] == pytest.approx(seconds, abs=1e-3)


@pytest.mark.skipif("MP3" not in sf.available_formats(), reason="libsndfile without MP3")
def test_mp3_is_read_window_by_window_exactly_and_quietly(tmp_path, capfd):
    ds = mir_genre.load_dataset(
        "synthetic", genres=["metal"], n_artists=1, tracks_per_artist=1, duration=6.0, seed=11
    )
    path = tmp_path / "metal.mp3"
    sf.write(path, ds.X[0], SR)
    capfd.readouterr()
    windows = list(stream_windows(path, sr=SR, window=1.0, stats={}))
    # libmpg123 complains about the bit reservoir when this file is read in pieces.
    assert "part2_3_length" not in capfd.readouterr().err
    whole, _ = sf.read(path, dtype="float32")
    assert len(windows) == 6
    np.testing.assert_allclose(np.concatenate(windows), whole, atol=1e-6)


def test_formats_libsndfile_cannot_read_are_decoded_whole(tmp_path, monkeypatch):
    import soundfile

    path = tmp_path / "song.wav"
    sf.write(path, make_tone(2.6, sr=44100), 44100)
    streamed = list(stream_windows(path, sr=SR, window=1.0, stats={}))
    y, _ = mir_genre.audio.load(path, sr=SR)

    def not_libsndfile(*args, **kwargs):
        raise RuntimeError("Format not recognised.")

    monkeypatch.setattr(soundfile, "SoundFile", not_libsndfile)
    monkeypatch.setattr(mir_genre.audio, "load", lambda path, sr: (y, sr))
    stats = {}
    whole = list(stream_windows(path, sr=SR, window=1.0, stats=stats))
    assert [len(w) for w in whole] == [len(w) for w in streamed] == [SR] * 3
    assert stats["seconds"] == pytest.approx(2.6, abs=1e-3)
    # Resampling window by window or the whole song differs only at the window edges.
    np.testing.assert_allclose(whole[1][100:-100], streamed[1][100:-100], atol=1e-3)


@pytest.mark.parametrize(
    "total, window, expected",
    [
        (0.2, 1.0, [0.0]),
        (1.0, 1.0, [0.0]),
        (3.0, 1.0, [0.0, 1.0, 2.0]),
        (2.9999999, 1.0, [0.0, 1.0, 2.0]),
        (3.4, 1.0, [0.0, 1.0, 2.0]),
        (3.5, 1.0, [0.0, 1.0, 2.0, 2.5]),
        (61.0, 30.013, [0.0, 30.013]),
    ],
)
def test_window_starts(total, window, expected):
    assert predict.window_starts(total, window) == pytest.approx(expected)


# -- the model file -----------------------------------------------------------------


def _rewrite_header(src, dst, **changes):
    marker, header, payload = src.read_bytes().split(b"\n", 2)
    info = json.loads(header)
    info.update(changes)
    dst.write_bytes(marker + b"\n" + json.dumps(info).encode() + b"\n" + payload)


@pytest.mark.parametrize("version, fix", [(99, "upgrade mir_genre"), (0, "retrain the model")])
def test_unknown_format_version_is_refused(model_path, tmp_path, capsys, version, fix):
    bad = tmp_path / "future.mgm"
    _rewrite_header(model_path, bad, format_version=version)
    with pytest.raises(ModelFileError, match=f"has format_version {version} ") as exc:
        load_model(bad)
    message = str(exc.value)
    assert str(bad) in message and "reads format_version 2" in message and fix in message
    assert isinstance(exc.value, mir_genre.DataError)
    assert predict.main([str(bad), "x.wav"]) == 2
    assert f"error: Model file '{bad}' has format_version {version}" in capsys.readouterr().err


def test_missing_format_version_is_refused(model_path, tmp_path):
    bad = tmp_path / "old.mgm"
    _rewrite_header(model_path, bad, format_version=None)
    with pytest.raises(ModelFileError, match="has format_version None"):
        load_model(bad)


@pytest.mark.parametrize("kind", ["wav", "joblib", "text", "empty"])
def test_a_file_that_is_not_a_model_is_refused(songs, tmp_path, capsys, kind):
    path = tmp_path / f"not_a_model.{kind}"
    if kind == "wav":
        path = songs["short"]
    elif kind == "joblib":
        joblib.dump({"pipeline": "something else"}, path)
    elif kind == "text":
        path.write_text("mir_genre modelling notes\n")
    else:
        path.touch()
    with pytest.raises(ModelFileError, match="is not a mir_genre model file"):
        load_model(path)
    assert predict.main([str(path), str(songs["ogg"])]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: '{path}' is not a mir_genre model file")


def test_damaged_header_and_payload_are_refused(model_path, tmp_path):
    marker, header, payload = model_path.read_bytes().split(b"\n", 2)
    bad = tmp_path / "bad_header.mgm"
    bad.write_bytes(marker + b"\n{not json\n" + payload)
    with pytest.raises(ModelFileError, match="is damaged"):
        load_model(bad)
    cut = tmp_path / "cut.mgm"
    cut.write_bytes(marker + b"\n" + header + b"\n" + payload[: len(payload) // 2])
    with pytest.raises(ModelFileError, match="could not be loaded"):
        load_model(cut)


def test_missing_model_file(tmp_path, songs, capsys):
    with pytest.raises(DataNotFoundError, match="Model file not found"):
        load_model(tmp_path / "nope.mgm")
    assert predict.main([str(tmp_path / "nope.mgm"), str(songs["ogg"])]) == 2
    assert "error: Model file not found" in capsys.readouterr().err


def test_save_model_round_trip_and_plain_header(tmp_path):
    from sklearn.pipeline import Pipeline

    X = np.random.default_rng(0).normal(size=(6, 2))
    pipe = Pipeline([("knn", mir_genre.get_classifier("knn", n_neighbors=1))])
    pipe.fit(X, ["a", "b", "c"] * 2)
    path = save_model(
        tmp_path / "sub" / "m.mgm",
        pipe,
        score=np.float32(0.5),
        missing=float("nan"),
        shape=(2, 3),
        where=tmp_path,
    )
    info = read_info(path)
    assert (info["score"], info["missing"], info["shape"]) == (0.5, None, [2, 3])
    assert info["where"] == str(tmp_path)
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    np.testing.assert_array_equal(load_model(path).pipeline.predict(X), pipe.predict(X))


# -- feature tables -----------------------------------------------------------------


def test_feature_table_model_predicts_from_audio(tmp_path, songs, capsys):
    from mir_genre.features.tzanetakis import TZANETAKIS57_NAMES

    ds = mir_genre.load_dataset(
        "synthetic", genres=GENRES, n_artists=2, tracks_per_artist=2, duration=1.0
    )
    table = pd.DataFrame(
        mir_genre.get_extractor("tzanetakis57").transform(ds.X), columns=TZANETAKIS57_NAMES
    )
    table.insert(0, "filename", [f"{t}.wav" for t in ds.track_ids])
    table.insert(1, "length", SR)
    table["label"] = ds.y
    csv = tmp_path / "features.csv"
    table.to_csv(csv, index=False)
    out = tmp_path / "table.mgm"
    code = train.main(["--dataset", "feature_table", "--root", str(csv), "-q", "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # The file names are not GTZAN's: the loader says artists are unknown.
    assert "warning: DataWarning: Feature table" in captured.err
    assert "predicts from audio through tzanetakis57" in captured.out
    info = read_info(out)
    assert info["spec"] == "svm" and info["steps"] == ["tzanetakis57", "svm"]
    assert info["features_from"] == "tzanetakis57" and info["input"] == "audio"
    assert (info["window_seconds"], info["sr"]) == (1.0, SR)
    assert predict.main([str(out), str(songs["metal_long"]), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)["results"][0]
    assert result["windows"] == 3 and result["genre"] in GENRES


def test_missing_feature_table_exits_2(tmp_path, capsys):
    code = train.main(
        ["--dataset", "feature_table", "--root", str(tmp_path / "none.csv"), "-o", "m.mgm"]
    )
    assert code == 2 and "does not exist" in capsys.readouterr().err


def test_model_without_an_extractor_is_refused_by_predict(tmp_path, songs, capsys, monkeypatch):
    names = ["a", "b", "c"]
    rng = np.random.default_rng(0)
    meta = pd.DataFrame(
        {
            "track_id": [f"t{i}" for i in range(6)],
            "path": "",
            "genre": GENRES * 3,
            "artist": None,
            "title": "",
            "split": "",
            "duration": 30.0,
        }
    )
    ds = mir_genre.datasets.Dataset(
        "own_features", rng.normal(size=(6, 3)), meta, kind="features", feature_names=names
    )
    monkeypatch.setattr(train, "load_dataset_from_args", lambda args: ds)
    out = tmp_path / "features_only.mgm"
    assert train.main(["--pipeline", "logistic_regression", "-q", "-o", str(out)]) == 0
    assert read_info(out)["input"] == "features"
    assert train.main(["--pipeline", "tzanetakis57+svm", "-q", "-o", str(out)]) == 2
    assert "is a feature table" in capsys.readouterr().err
    assert predict.main([str(out), str(songs["ogg"])]) == 2
    assert "has no way to compute them from audio" in capsys.readouterr().err


# -- deep model ---------------------------------------------------------------------


@pytest.mark.slow
def test_deep_model_round_trip(tmp_path, songs, capsys):
    if importlib.util.find_spec("keras") is None:
        pytest.skip("keras is not installed (pip install 'mir_genre[keras]')")
    code, out = _train(tmp_path, "--pipeline", CNN, "--protocol", "predefined")
    captured = capsys.readouterr()
    assert code == 0, captured.err
    info = read_info(out)
    # The clip length reaches mel_patches, and its n_mels reaches the network.
    assert info["params"]["mel_patches"]["duration"] == 1.0
    assert info["params"]["cnn"]["n_mels"] == 8
    assert info["versions"]["keras"] and info["versions"]["keras_backend"]
    assert info["protocol"]["n_test"] == 4
    paths = [str(songs["metal_long"]), str(songs["short"])]
    assert predict.main([str(out), *paths, "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert [r["windows"] for r in results] == [3, 1]
    assert all(sum(t["probability"] for t in r["top"]) == pytest.approx(1.0) for r in results)


# -- real GTZAN clips -------------------------------------------------------------------


@pytest.mark.slow
def test_real_gtzan_round_trip(gtzan_dir, gtzan_sample, tmp_path, capsys):
    out = tmp_path / "gtzan.mgm"
    args = ["--dataset", "gtzan", "--root", str(gtzan_dir / "sample")]
    args += ["--metadata-dir", str(gtzan_dir), "--n-jobs", "2", "-q", "-o", str(out)]
    assert train.main(args) == 0, capsys.readouterr().err
    assert "gtzan: 20 tracks, 10 genres" in capsys.readouterr().out
    info = read_info(out)
    assert info["dataset"]["n_tracks"] == 20 and info["classes"] == sorted(info["classes"])
    assert len(info["classes"]) == 10
    assert info["window_seconds"] == pytest.approx(30.013, abs=0.01)
    picks = [str(p) for p in gtzan_sample[::7]]
    assert predict.main([str(out), *picks, "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert [r["file"] for r in results] == picks
    assert all(r["windows"] == 1 and len(r["top"]) == 3 for r in results)
    assert all(r["genre"] in info["classes"] for r in results)


def test_joined_extractors_train_and_predict(tmp_path, songs, capsys):
    """'a+b+classifier': one model file whose extractor is a FeatureUnion of both."""
    spec = "chroma[variants=('stft',)]+mfcc_deltas[n_mfcc=5]+svm"
    code, out = _train(tmp_path, "--pipeline", spec)
    assert code == 0
    info = read_info(out)
    assert info["spec"] == spec and info["steps"] == ["chroma+mfcc_deltas", "svm"]
    assert info["sr"] == SR and info["window_seconds"] == 1.0
    model = load_model(out)
    names = model.extractor.get_feature_names_out()
    assert names[0].startswith("chroma__") and names[-1].startswith("mfcc_deltas__")
    assert model.classifier.n_features_in_ == len(names)
    capsys.readouterr()
    assert predict.main([str(out), str(songs["metal_long"]), "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert result["windows"] == 3 and result["genre"] in GENRES
