"""Keras deep classifiers: fit, predict per track, history, pickling into a fresh process."""

import importlib.util
import pickle
import subprocess
import sys

import numpy as np
import pytest

import mir_genre

if importlib.util.find_spec("keras") is None:
    pytest.skip("the keras extra is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def spectrograms():
    ds = mir_genre.load_dataset(
        "synthetic",
        genres=["classical", "metal"],
        n_artists=3,
        tracks_per_artist=2,
        duration=1.0,
        cache=None,
    )
    mel = mir_genre.get_extractor("mel_patches", duration=1.0, n_mels=8, n_fft=512, hop_length=256)
    return mel.transform(ds.X), ds.y, ds.groups


def cnn(**params):
    from mir_genre.classifiers.keras import GenreCNN

    return GenreCNN(**{**GenreCNN.get_test_params(), "epochs": 2, **params})


def test_fit_predict_history_and_track_level_output(spectrograms):
    X, y, groups = spectrograms
    clf = cnn(hop_length=256).fit(X, y, groups=groups)
    assert clf.classes_.tolist() == ["classical", "metal"]
    assert len(clf.history_["loss"]) <= 2 and "val_loss" in clf.history_
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)  # one row per track, however many patches
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert set(clf.predict(X)) <= {"classical", "metal"}


def test_holdout_is_split_by_artist(spectrograms):
    X, y, groups = spectrograms
    clf = cnn()
    train, valid = clf._holdout(
        np.unique(y, return_inverse=True)[1], groups, np.random.RandomState(0)
    )
    assert len(valid) and not set(groups[train]) & set(groups[valid])


def test_random_state_repeats_on_cpu(spectrograms):
    X, y, _ = spectrograms
    a = cnn(hop_length=256).fit(X, y).predict_proba(X)
    b = cnn(hop_length=256).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(a, b, rtol=1e-6)


def test_pickle_embeds_weights_and_predicts_identically_in_a_fresh_process(spectrograms, tmp_path):
    X, y, _ = spectrograms
    clf = cnn(hop_length=256).fit(X, y)
    expected = clf.predict_proba(X)
    model_file, data_file, out_file = (tmp_path / n for n in ("m.pkl", "x.npy", "p.npy"))
    model_file.write_bytes(pickle.dumps(clf))
    assert list(tmp_path.iterdir()) == [model_file]  # no side files next to the pickle
    np.save(data_file, X)
    code = (
        "import pickle, sys, numpy as np; "
        "clf = pickle.load(open(sys.argv[1], 'rb')); "
        "np.save(sys.argv[3], clf.predict_proba(np.load(sys.argv[2])))"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(model_file), str(data_file), str(out_file)],
        check=True,
        capture_output=True,
    )
    np.testing.assert_allclose(np.load(out_file), expected, rtol=1e-5)


def test_rows_must_match_n_mels(spectrograms):
    X, y, _ = spectrograms
    with pytest.raises(ValueError, match="n_mels"):
        cnn(n_mels=7).fit(X, y)
