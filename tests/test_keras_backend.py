"""The Keras backend rule, with faked installations and GPUs."""

import sys
import types

import pytest

from mir_genre.classifiers.keras.backend import choose_backend
from mir_genre.exceptions import MirGenreWarning, ParameterError


@pytest.fixture(autouse=True)
def keras_not_imported(monkeypatch):
    """Decide as on a fresh interpreter, even if another test imported keras already."""
    monkeypatch.delitem(sys.modules, "keras", raising=False)


def gpus(**counts):
    return lambda name: counts.get(name, 0)


@pytest.mark.parametrize(
    ("installed", "probe", "expected", "reason"),
    [
        (["jax", "torch", "tensorflow"], gpus(), "jax", "no backend sees a GPU"),
        (["torch", "tensorflow"], gpus(), "torch", "no backend sees a GPU"),
        (["tensorflow"], gpus(), "tensorflow", "no backend sees a GPU"),
        (["jax", "torch"], gpus(torch=2), "torch", "sees a GPU"),
        (["jax", "torch", "tensorflow"], gpus(tensorflow=1), "tensorflow", "sees a GPU"),
        (["jax", "torch"], gpus(jax=1, torch=1), "jax", "sees a GPU"),
    ],
)
def test_gpu_first_then_cpu_in_preference_order(installed, probe, expected, reason):
    choice = choose_backend(environ={}, installed=installed, probe=probe, imported_backend=None)
    assert choice.name == expected
    assert reason in choice.reason


def test_user_setting_wins_and_is_not_probed():
    def probe(name):
        raise AssertionError("must not probe when KERAS_BACKEND is set")

    choice = choose_backend(environ={"KERAS_BACKEND": "torch"}, installed=["jax"], probe=probe)
    assert (choice.name, choice.reason) == ("torch", "KERAS_BACKEND is set")


def test_already_imported_keras_is_used_with_a_warning(monkeypatch):
    fake = types.SimpleNamespace(backend=types.SimpleNamespace(backend=lambda: "tensorflow"))
    monkeypatch.setitem(sys.modules, "keras", fake)
    with pytest.warns(MirGenreWarning, match="already imported with the 'tensorflow'"):
        choice = choose_backend(environ={}, installed=["jax"], probe=gpus())
    assert choice.name == "tensorflow"


def test_no_backend_says_what_to_install():
    with pytest.raises(ParameterError, match=r"pip install 'mir_genre\[keras\]'"):
        choose_backend(environ={}, installed=[], probe=gpus(), imported_backend=None)


def test_info_reports_the_backend(capsys):
    from mir_genre.__main__ import main

    assert main(["info"]) == 0
    assert "keras backend:" in capsys.readouterr().out


def test_configure_exports_the_choice_before_keras_is_imported(monkeypatch):
    from mir_genre.classifiers.keras import backend

    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    monkeypatch.setattr(backend, "_CHOICE", None)
    monkeypatch.setattr(
        backend, "choose_backend", lambda: backend.BackendChoice("jax", "test", 0, ("jax",))
    )
    assert backend.configure_backend().name == "jax"
    assert backend.os.environ["KERAS_BACKEND"] == "jax"


def test_a_broken_backend_install_is_logged_not_hidden(monkeypatch, caplog):
    from mir_genre.classifiers.keras.backend import gpu_count

    def broken():
        raise RuntimeError("libcudart.so.12: cannot open shared object file")

    fake = types.SimpleNamespace(cuda=types.SimpleNamespace(is_available=broken))
    monkeypatch.setitem(sys.modules, "torch", fake)
    with caplog.at_level("WARNING", logger="mir_genre"):
        assert gpu_count("torch") == 0
    assert "torch" in caplog.text and "libcudart.so.12" in caplog.text
    assert "CPU" in caplog.text


def test_a_cuda_package_without_a_gpu_falls_back_to_the_cpu(monkeypatch):
    from mir_genre.classifiers.keras.backend import device_names, gpu_count

    def devices(platform=None):
        if platform == "gpu":  # what jax says when its CUDA plugin finds no GPU
            raise RuntimeError("Unable to initialize backend 'cuda': no CUDA-capable device")
        return [types.SimpleNamespace(platform="cpu", device_kind="cpu")]

    monkeypatch.setitem(sys.modules, "jax", types.SimpleNamespace(devices=devices))
    assert gpu_count("jax") == 0
    assert device_names("jax") == ["cpu"]
    choice = choose_backend(environ={}, installed=["jax"], imported_backend=None)
    assert (choice.name, choice.n_gpus, choice.reason) == ("jax", 0, "no backend sees a GPU")


def test_devices_name_each_gpu(monkeypatch):
    from mir_genre.classifiers.keras.backend import device_names

    gpu = types.SimpleNamespace(platform="gpu", device_kind="NVIDIA H200")
    fake = types.SimpleNamespace(devices=lambda platform=None: [gpu, gpu])
    monkeypatch.setitem(sys.modules, "jax", fake)
    assert device_names("jax") == ["gpu:0 NVIDIA H200", "gpu:1 NVIDIA H200"]


def test_info_reports_the_devices(monkeypatch, capsys):
    import mir_genre.__main__ as cli
    from mir_genre.classifiers.keras import backend

    monkeypatch.setattr(backend, "device_names", lambda name: ["gpu:0 NVIDIA H200"])
    monkeypatch.setattr(
        backend, "choose_backend", lambda: backend.BackendChoice("jax", "test", 1, ("jax",))
    )
    assert cli.main(["info"]) == 0
    assert "keras devices: gpu:0 NVIDIA H200" in capsys.readouterr().out


def test_info_without_keras_imports_no_backend(monkeypatch, capsys):
    import importlib.util

    import mir_genre.__main__ as cli

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "keras" else real(name, *a)
    )
    monkeypatch.delitem(sys.modules, "jax", raising=False)
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert "keras devices: none (keras is not installed)" in out
    assert "jax" not in sys.modules
