"""Keras deep classifiers: fit, predict per track, history, augmentation, pickling."""

import importlib.util
import pickle
import subprocess
import sys

import numpy as np
import pytest

import mir_genre
from mir_genre import ParameterError

if importlib.util.find_spec("keras") is None:
    pytest.skip("the keras extra is not installed", allow_module_level=True)

DEEP = ["cnn", "crnn", "resnet", "rnn", "dense_baseline"]


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


def deep(name, **params):
    from mir_genre.registry import load_plugin

    cls = load_plugin("classifiers", name)
    # batch_size 8: these tests train on a dozen tracks (the check-sized default is 32).
    test = {"epochs": 2, "hop_length": 256, "batch_size": 8}
    return cls(**{**cls.get_test_params(), **test, **params})


@pytest.fixture(scope="module")
def fitted(spectrograms):
    X, y, groups = spectrograms
    return {name: deep(name).fit(X, y, groups=groups) for name in DEEP}


@pytest.mark.parametrize("name", DEEP)
def test_fit_predict_history_and_track_level_output(fitted, spectrograms, name):
    X, _, _ = spectrograms
    clf = fitted[name]
    assert clf.classes_.tolist() == ["classical", "metal"]
    assert clf.n_iter_ == len(clf.history_["loss"]) <= 2 and "val_loss" in clf.history_
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)  # one row per track, however many patches
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert set(clf.predict(X)) <= {"classical", "metal"}


def test_pickles_embed_weights_and_predict_identically_in_a_fresh_process(
    fitted, spectrograms, tmp_path
):
    X, _, _ = spectrograms
    np.save(tmp_path / "x.npy", X)
    for name, clf in fitted.items():
        (tmp_path / f"{name}.pkl").write_bytes(pickle.dumps(clf))
        np.save(tmp_path / f"{name}.expected.npy", clf.predict_proba(X))
    # No side files: one pickle per model, next to the arrays this test wrote.
    assert sorted(p.name for p in tmp_path.glob("*.pkl")) == sorted(f"{n}.pkl" for n in DEEP)
    code = (
        "import pickle, sys, numpy as np; from pathlib import Path; d = Path(sys.argv[1]); "
        "X = np.load(d / 'x.npy'); "
        "[np.save(d / f'{n}.got.npy', pickle.loads((d / f'{n}.pkl').read_bytes())"
        ".predict_proba(X)) for n in sys.argv[2:]]"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path), *DEEP], check=True)
    for name in DEEP:
        got, expected = (np.load(tmp_path / f"{name}.{k}.npy") for k in ("got", "expected"))
        np.testing.assert_allclose(got, expected, rtol=1e-5, err_msg=name)


@pytest.mark.parametrize("name", DEEP)
def test_random_state_repeats_on_cpu(spectrograms, name):
    X, y, _ = spectrograms
    a = deep(name, epochs=1).fit(X, y).predict_proba(X)
    b = deep(name, epochs=1).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(a, b, rtol=1e-6)


def test_holdout_is_split_by_artist(spectrograms):
    X, y, groups = spectrograms
    train, valid = deep("cnn")._holdout(
        np.unique(y, return_inverse=True)[1], groups, np.random.RandomState(0)
    )
    assert len(valid) and not set(groups[train]) & set(groups[valid])


def test_cnn_learns_to_tell_classical_from_metal_on_unseen_tracks():
    ds = mir_genre.load_dataset(
        "synthetic",
        genres=["classical", "metal"],
        n_artists=4,
        tracks_per_artist=4,
        duration=2.0,
        cache=None,
    )
    X = mir_genre.get_extractor("mel_patches", duration=2.0, n_mels=16).transform(ds.X)
    test = np.arange(len(X)) % 4 == 3  # every artist's last track
    clf = deep("cnn", n_mels=16, hop_length=512, patch_seconds=1.0, epochs=20)
    clf.set_params(filters=(8, 16), dense_units=16, validation_fraction=0.0, learning_rate=3e-3)
    clf.fit(X[~test], ds.y[~test])
    assert clf.history_["loss"][-1] < 0.8 * clf.history_["loss"][0]
    assert clf.score(X[test], ds.y[test]) >= 0.75  # chance is 0.5


def test_augmentation_changes_training_but_not_shapes(spectrograms):
    X, y, _ = spectrograms
    plain = deep("cnn", epochs=1, validation_fraction=0).fit(X, y).predict_proba(X)
    params = {"time_mask": 2, "freq_mask": 2, "time_shift": 1, "mixup": 0.4}
    augmented = deep("cnn", epochs=1, validation_fraction=0, **params).fit(X, y)
    assert augmented.predict_proba(X).shape == plain.shape
    assert not np.allclose(augmented.predict_proba(X), plain)


def test_augment_patches_masks_shifts_and_mixes():
    from mir_genre.classifiers.keras import augment_patches

    rng = np.random.RandomState(0)
    x = rng.normal(size=(16, 8, 12)).astype(np.float32)
    y = np.eye(2, dtype=np.float32)[rng.randint(0, 2, 16)]
    off_x, off_y = augment_patches(x, y, rng)
    np.testing.assert_array_equal(off_x, x)  # everything off by default
    shifted, _ = augment_patches(x, y, rng, time_shift=3)
    for a, b in zip(shifted, x, strict=True):  # a circular roll keeps every frame
        assert any(np.array_equal(a, np.roll(b, k, axis=1)) for k in range(-3, 4))
    masked, _ = augment_patches(x, y, rng, freq_mask=3, time_mask=4)
    changed = masked != x
    assert changed.any(axis=2).sum(axis=1).max() <= 8  # whole bands, never more
    assert (changed.any(axis=1).sum(axis=1) <= 12).all()
    mixed_x, mixed_y = augment_patches(x, y, rng, mixup=0.4)
    np.testing.assert_allclose(mixed_y.sum(axis=1), 1.0, rtol=1e-6)
    assert ((mixed_y > 0) & (mixed_y < 1)).any() and not np.array_equal(mixed_x, x)
    assert x.dtype == np.float32 and np.array_equal(off_x, x)  # inputs untouched


def test_rnn_dct_gives_librosas_mfccs():
    import librosa

    from mir_genre.classifiers.keras import mfcc_matrix

    log_mel = np.random.RandomState(0).normal(size=(40, 30))
    expected = librosa.feature.mfcc(S=log_mel, n_mfcc=13)
    np.testing.assert_allclose(log_mel.T @ mfcc_matrix(40, 13), expected.T, rtol=1e-5, atol=1e-5)


def test_rows_must_match_n_mels(spectrograms):
    X, y, _ = spectrograms
    with pytest.raises(ParameterError, match="not a multiple of n_mels"):
        deep("cnn", n_mels=7).fit(X, y)


def test_one_genre_is_refused_with_the_fix(spectrograms):
    X, _, _ = spectrograms
    with pytest.raises(ParameterError, match="at least two genres"):
        deep("resnet").fit(X, ["jazz"] * len(X))


@pytest.mark.parametrize("name", DEEP)
def test_bad_augmentation_parameter_names_the_parameter(spectrograms, name):
    X, y, _ = spectrograms
    with pytest.raises(ValueError, match="'mixup' parameter"):
        deep(name, mixup=-1.0).fit(X, y)


def test_mixed_precision_auto_is_float32_on_cpu_and_changes_nothing(spectrograms):
    X, y, _ = spectrograms
    auto = deep("cnn", epochs=1).fit(X, y)
    off = deep("cnn", epochs=1, mixed_precision=False).fit(X, y)
    assert auto.dtype_policy_ == off.dtype_policy_ == "float32"
    np.testing.assert_array_equal(auto.predict_proba(X), off.predict_proba(X))


@pytest.mark.parametrize(("value", "compute"), [(True, "float16"), ("mixed_bfloat16", "bfloat16")])
def test_mixed_precision_computes_in_half_and_outputs_float32(spectrograms, value, compute):
    import keras

    X, y, _ = spectrograms
    clf = deep("cnn", epochs=1, mixed_precision=value).fit(X, y)
    convs = [layer for layer in clf.model_.layers if isinstance(layer, keras.layers.Conv2D)]
    assert convs and all(layer.compute_dtype == compute for layer in convs)
    assert all(w.dtype == "float32" for w in clf.model_.weights)  # float32 weights
    assert clf.model_.layers[-1].compute_dtype == "float32"  # softmax_output
    assert keras.config.dtype_policy().name == "float32"  # the global policy was restored
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-3)
    # The state rebuilds the network with the policy it was trained with.
    again = pickle.loads(pickle.dumps(clf))
    assert again.model_.layers[1].dtype_policy.name == clf.model_.layers[1].dtype_policy.name
    np.testing.assert_allclose(again.predict_proba(X), proba, rtol=1e-3)


def test_a_state_saved_before_mixed_precision_loads_as_float32(fitted, spectrograms):
    X, _, _ = spectrograms
    clf = fitted["cnn"]
    state = clf.__getstate__()
    del state["mixed_precision"], state["dtype_policy_"]  # what older model files hold
    old = type(clf).__new__(type(clf))
    old.__setstate__(state)
    assert old.mixed_precision is False and old.get_params()["mixed_precision"] is False
    np.testing.assert_allclose(old.predict_proba(X), clf.predict_proba(X), rtol=1e-6)


def test_patches_are_the_frames_at_their_offsets():
    import keras

    from mir_genre.classifiers.keras.base import _patch_dataset

    S = np.arange(5 * 3 * 12, dtype=np.float32).reshape(5, 3, 12)
    data = _patch_dataset(keras)(S, np.eye(5, dtype=np.float32), 4, 2, 0, {})
    x, y = data[1]
    for row, track in zip(x[..., 0], data.order[2:4], strict=True):
        start = data.starts[track]
        np.testing.assert_array_equal(row, S[track, :, start : start + 4])
    np.testing.assert_array_equal(y, np.eye(5)[data.order[2:4]])
