"""CNN training throughput on the CPU: mir_genre's input pipeline against plain Keras feeds.

Three ways to train the same full-size 4-block CNN (128 mels, 3-s patches, batch 32)
for the same number of patches, each timed end to end (model build and compilation
included, as a user sees it; one warm-up round first, so JAX's own start-up is not
counted):

- ``test_cnn_fit``: `GenreCNN.fit` on whole-track spectrograms computed once; random
  patches are sliced in memory every epoch.
- ``test_plain_keras_arrays``: the same network fed pre-cut NumPy patch arrays with a
  plain ``model.fit(x, y)``: no input pipeline at all, the ceiling for the first.
- ``test_plain_keras_recompute``: the naive tutorial pipeline: every batch loads its
  3-s audio excerpts and computes their log-mel spectrograms again.

Samples/s = patches trained / seconds.  ``write_results.py`` reports the ratios.
"""

import importlib.util

import numpy as np
import pytest

if importlib.util.find_spec("keras") is None:  # importing keras itself needs a backend set
    pytest.skip("needs the keras extra", allow_module_level=True)

N_TRACKS = 64
EPOCHS = 4
BATCH = 32
N_MELS = 128
PATCH_SECONDS = 3.0
SR = 22050
HOP = 512


@pytest.fixture(scope="module")
def tracks(clip_paths):
    """64 30-s clips: audio, their log-mel spectrograms (flattened) and labels."""
    import mir_genre
    from mir_genre.audio import load

    paths = clip_paths[:N_TRACKS] if len(clip_paths) >= N_TRACKS else clip_paths
    paths = [paths[i % len(paths)] for i in range(N_TRACKS)]
    audio = np.stack([load(p, duration=30.0, pad=True)[0] for p in paths])
    mel = mir_genre.get_extractor("mel_patches", n_mels=N_MELS, hop_length=HOP, n_jobs=2)
    X = mel.transform(audio)
    y = np.array([f"g{i % 10}" for i in range(N_TRACKS)])
    return audio, X, y


def _cnn(**params):
    from mir_genre.classifiers.keras import GenreCNN

    return GenreCNN(
        n_mels=N_MELS,
        patch_seconds=PATCH_SECONDS,
        batch_size=BATCH,
        epochs=EPOCHS,
        validation_fraction=0.0,
        random_state=0,
        **params,
    )


def _compiled_plain_model(X, n_classes):
    """The same network as GenreCNN builds, compiled the same way, outside the estimator."""
    import keras

    clf = _cnn()
    S = X.reshape(len(X), N_MELS, -1)
    size = clf._patch_frames()
    band_stats = (S.mean(axis=(0, 2)), S.var(axis=(0, 2)))
    model = clf._build((N_MELS, size, 1), n_classes, band_stats)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model, size


def _record(benchmark, n_samples):
    benchmark.extra_info["samples"] = n_samples


@pytest.mark.benchmark(group="cnn training")
def test_cnn_fit(benchmark, tracks):
    from mir_genre.classifiers.keras import configure_backend

    _, X, y = tracks
    benchmark.extra_info["backend"] = str(configure_backend())
    clf = benchmark.pedantic(lambda: _cnn().fit(X, y), rounds=3, iterations=1, warmup_rounds=1)
    assert clf.n_iter_ == EPOCHS
    _record(benchmark, N_TRACKS * EPOCHS)


@pytest.mark.benchmark(group="cnn training")
def test_plain_keras_arrays(benchmark, tracks):
    _, X, y = tracks
    rng = np.random.RandomState(0)
    onehot = np.eye(10, dtype=np.float32)[[int(g[1:]) for g in y]]

    def train():
        from mir_genre.classifiers.keras import configure_backend

        configure_backend()
        model, size = _compiled_plain_model(X, 10)
        S = X.reshape(len(X), N_MELS, -1)
        starts = rng.randint(0, S.shape[2] - size + 1, size=(EPOCHS, len(S)))
        # All patches cut up front: the model only ever sees ready arrays.
        x = np.concatenate(
            [np.stack([s[:, a : a + size] for s, a in zip(S, row, strict=True)]) for row in starts]
        )[..., None]
        return model.fit(x, np.tile(onehot, (EPOCHS, 1)), batch_size=BATCH, epochs=1, verbose=0)

    benchmark.pedantic(train, rounds=3, iterations=1, warmup_rounds=1)
    _record(benchmark, N_TRACKS * EPOCHS)


@pytest.mark.benchmark(group="cnn training")
def test_plain_keras_recompute(benchmark, tracks):
    import librosa

    audio, X, y = tracks
    onehot = np.eye(10, dtype=np.float32)[[int(g[1:]) for g in y]]
    n = int(PATCH_SECONDS * SR)

    def train():
        import keras

        from mir_genre.classifiers.keras import configure_backend

        configure_backend()
        model, size = _compiled_plain_model(X, 10)
        rng = np.random.RandomState(0)

        class Excerpts(keras.utils.PyDataset):
            def __len__(self):
                return EPOCHS * N_TRACKS // BATCH

            def __getitem__(self, index):
                idx = rng.randint(0, N_TRACKS, size=BATCH)
                starts = rng.randint(0, audio.shape[1] - n, size=BATCH)
                x = [
                    librosa.power_to_db(
                        librosa.feature.melspectrogram(
                            y=audio[i, a : a + n], sr=SR, n_mels=N_MELS, hop_length=HOP
                        )
                    )[:, :size]
                    for i, a in zip(idx, starts, strict=True)
                ]
                return np.stack(x)[..., None], onehot[idx]

        return model.fit(Excerpts(), epochs=1, verbose=0)

    benchmark.pedantic(train, rounds=3, iterations=1, warmup_rounds=1)
    _record(benchmark, N_TRACKS * EPOCHS)
