"""benchmarks/gpu_check.sh and its helper gpu_throughput.py, in their CPU modes."""

import importlib.util
import re
import subprocess

import pytest

from .conftest import REPO

BENCH = REPO / "benchmarks"


def helper():
    spec = importlib.util.spec_from_file_location("gpu_throughput", BENCH / "gpu_throughput.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report(gpu):
    devices = ["gpu:0 NVIDIA H200"] if gpu else ["cpu"]
    model = {
        "samples_per_s": 12345.6,
        "first_epoch_s": 20.0,
        "epoch_s": 0.8,
        "dtype_policy": "mixed_float16" if gpu else "float32",
        "batch_size": 256,
        "steps": 40,
        "params": 1000,
    }
    return {
        "date": "2026-01-01",
        "python": "3.12",
        "machine": "16 CPU cores",
        "size": "full",
        "device": {"backend": "jax", "devices": devices, "gpu": gpu},
        "models": {"cnn": model},
        "compare": {
            "seconds": 61.0,
            "command": "python -m mir_genre.compare --out OUT --quiet",
            "returncode": 0,
            "tail": [],
            "tiny": False,
            "pipelines": ["mel_patches+cnn"],
        },
    }


def test_markdown_says_which_device_produced_the_figures():
    gpu, cpu = (helper().markdown(report(flag)) for flag in (True, False))
    assert "Ran on **a GPU**" in gpu and "gpu:0 NVIDIA H200" in gpu
    assert "not GPU figures" in cpu and "a GPU**" not in cpu
    assert "| cnn | 1,000 | mixed_float16 | 256 | 40 | 12,345.6 | 20.00 | 0.800 |" in gpu
    assert "**61.0 s**." in gpu


def test_a_failed_compare_run_is_marked():
    failed = report(False)
    failed["compare"]["returncode"] = 1
    assert "(FAILED, exit 1)" in helper().markdown(failed)


@pytest.mark.slow
def test_helper_measures_on_the_cpu_and_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("JAX_PLATFORMS", "cpu")
    md = tmp_path / "gpu.md"
    argv = ["--size", "tiny", "--models", "cnn", "--steps", "2", "--no-compare"]
    assert helper().main([*argv, "--markdown", str(md)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^devices: cpu$", out, re.M)
    assert re.search(
        r"^cnn: [\d.]+ samples/s \(batch 8, float32, first epoch [\d.]+ s\)$", out, re.M
    )
    text = md.read_text()
    assert "Ran on **the CPU (no GPU: these are not GPU figures)**" in text
    assert re.search(r"^\| cnn \| [\d,]+ \| float32 \| 8 \| 2 \| [\d,.]+ \|", text, re.M)


def test_check_script_parses_and_refuses_unknown_options():
    script = BENCH / "gpu_check.sh"
    subprocess.run(["bash", "-n", str(script)], check=True)
    done = subprocess.run(["bash", str(script), "--bogus"], capture_output=True, text=True)
    assert done.returncode == 2 and "unknown option --bogus" in done.stderr
    usage = subprocess.run(["bash", str(script), "--help"], capture_output=True, text=True)
    assert usage.returncode == 0 and "--cpu" in usage.stdout
