"""Write benchmarks/RESULTS.md from a pytest-benchmark JSON file.

Usage: ``python benchmarks/write_results.py benchmarks/results.json``
"""

import json
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _row(bench):
    stats = bench["stats"]
    return bench["name"], stats["mean"], stats["min"], stats["rounds"]


def _essentia_section(rows):
    """Per-clip time of the Essentia plugin's extractors next to tzanetakis57."""
    keys = [k for k in rows if k.startswith("test_extractor_per_clip[")]
    if not keys:
        return []
    base = rows.get("test_extractor_per_clip[tzanetakis57]")
    lines = [
        "## Essentia plugin extractors on one 30-s clip (`benchmarks/test_bench_essentia.py`)",
        "",
        "Each extractor's function on decoded audio (22050 Hz), 5 rounds after a warm-up;",
        "the plugin resamples to 44.1 kHz for Essentia's rhythm algorithms.",
        "",
        "| extractor | mean (s) | min (s) | vs tzanetakis57 (mean) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key in keys:
        _, mean, low, _ = rows[key]
        ratio = f"{mean / base[1]:.2f}x" if base else "-"
        lines.append(f"| {key.split('[')[1].rstrip(']')} | {mean:.3f} | {low:.3f} | {ratio} |")
    lines += [
        "",
        "Whether their features improve artist-filtered accuracy when joined with",
        "tzanetakis57: `ESSENTIA_ACCURACY.md`, written by",
        "`python benchmarks/essentia_accuracy.py`.",
    ]
    return [*lines, ""]


def _classical_section(rows):
    """Per-clip time of the classical extractors, against tzanetakis57 in the same run."""
    keys = [k for k in rows if k.startswith("test_classical_per_clip[")]
    base = rows.get("test_classical_per_clip[tzanetakis57]")
    if not keys or not base:
        return []
    lines = [
        "## Classical extractors on one 30-s clip (`benchmarks/test_bench_classical.py`)",
        "",
        "`transform` of one decoded clip (22050 Hz), 5 rounds after a warm-up.",
        "",
        "| extractor | features | mean (s) | min (s) | vs tzanetakis57 (mean) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    widths = {"tzanetakis57": 57, "texture": 124, "fma518": 518}
    for key in keys:
        _, mean, low, _ = rows[key]
        label = key.split("[", 1)[1][:-1]
        width = widths.get(label, "-")
        lines.append(f"| {label} | {width} | {mean:.3f} | {low:.3f} | {mean / base[1]:.2f}x |")
    return [*lines, ""]


def _librosa_section(rows):
    """mfcc_deltas, chroma and mel_patches against librosa alone: one clip and 50 files."""
    names = [k.split("[")[1].split("-")[0] for k in rows if k.startswith("test_clip[")]
    names = list(dict.fromkeys(names))
    if not names:
        return []
    lines = [
        "## mfcc_deltas, chroma and mel_patches against librosa alone "
        "(`benchmarks/test_bench_librosa.py`)",
        "",
        "librosa alone calls the librosa feature functions on the signal (`mfcc` then",
        "`delta`; `chroma_stft`, `chroma_cqt` and `chroma_cens`, each from the signal;",
        "`melspectrogram` then `power_to_db`), files read with `librosa.load` in two",
        "worker processes of its own (one BLAS thread each, as joblib's); the benchmarks",
        "assert the same values (rtol 1e-6). *One clip*: the function on one decoded",
        "30-s clip, 5 rounds after a warm-up (mean). *50 files*: 30-s WAV files with",
        "`n_jobs=2`, decoding included, workers started.",
        "",
        "| extractor | one clip (s) | librosa alone (s) | speed-up | 50 files: clips/s "
        "| librosa alone: clips/s | speed-up |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in names:
        ours, ref = (
            rows.get(f"test_clip[{name}-mir_genre]"),
            rows.get(f"test_clip[{name}-librosa]"),
        )
        files = rows.get(f"test_files[{name}-mir_genre]")
        ref_files = rows.get(f"test_files[{name}-librosa]")
        if not (ours and ref and files and ref_files):
            continue
        rate, ref_rate = 50 / files[1], 50 / ref_files[1]
        lines.append(
            f"| {name} | {ours[1]:.3f} | {ref[1]:.3f} | {ref[1] / ours[1]:.2f}x "
            f"| {rate:.1f} | {ref_rate:.1f} | {rate / ref_rate:.2f}x |"
        )
    return [*lines, ""]


def _musicnn_section(rows):
    """Per-clip time and batch throughput of the musicnn plugin's extractor."""
    keys = [k for k in rows if k.startswith("test_musicnn_per_clip[")]
    if not keys:
        return []
    base = rows.get("test_musicnn_per_clip[tzanetakis57]")
    lines = [
        "## musicnn plugin on one 30-s clip (`benchmarks/test_bench_musicnn.py`)",
        "",
        "`transform` of one decoded clip (22050 Hz, resampled to 16 kHz for musicnn), 5",
        "rounds after a warm-up; the network runs on the CPU through Keras (jax).",
        "`musicnn` cuts 10 non-overlapping 3-s patches, `input_overlap=1` 28.",
        "",
        "| extractor | mean (s) | min (s) | vs tzanetakis57 (mean) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key in keys:
        _, mean, low, _ = rows[key]
        ratio = f"{mean / base[1]:.2f}x" if base else "-"
        label = key.split("[", 1)[1][:-1]
        lines.append(f"| {label} | {mean:.3f} | {low:.3f} | {ratio} |")
    batches = [k for k in rows if k.startswith("test_musicnn_batch[")]
    if batches:
        lines += [
            "",
            "| 20 clips from files, `n_jobs` | seconds | clips/s |",
            "| --- | ---: | ---: |",
        ]
        for key in batches:
            mean = rows[key][1]
            lines.append(f"| {key.split('[')[1].rstrip(']')} | {mean:.2f} | {20 / mean:.1f} |")
        lines += [
            "",
            "With `n_jobs`, tracks run in threads sharing one network (decoding and",
            "spectrograms overlap; each forward pass already uses every core).",
        ]
    return [*lines, ""]


def _deep_section(data, rows):
    """CNN training throughput: mir_genre's pipeline against plain Keras feeds."""
    names = ("test_cnn_fit", "test_plain_keras_arrays", "test_plain_keras_recompute")
    if not all(name in rows for name in names):
        return []
    extra = {b["name"]: b.get("extra_info", {}) for b in data["benchmarks"]}
    backend = extra["test_cnn_fit"].get("backend", "?")
    lines = [
        "## CNN training throughput on the CPU (`benchmarks/test_bench_deep.py`)",
        "",
        "The full-size 4-block CNN (32/64/128/256 filters, 128 mels, 3-s patches, batch 32)",
        "trained on 64 30-s tracks for 4 epochs (256 patches), each timed end to end",
        "(build and compilation included, after one warm-up round).",
        f"Keras backend: `{backend}`. `test_cnn_fit` is `GenreCNN.fit` (random",
        "patches sliced from spectrograms computed once); `test_plain_keras_arrays` feeds",
        "the same network pre-cut NumPy arrays (no input pipeline: the ceiling);",
        "`test_plain_keras_recompute` computes every patch's log-mel spectrogram from the",
        "audio again in each batch (the naive recipe).",
        "",
        "| benchmark | mean (s) | min (s) | samples/s (mean) | samples/s (best) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    rates = {}
    for name in names:
        _, mean, low, _ = rows[name]
        samples = extra[name]["samples"]
        rates[name] = (samples / mean, samples / low)
        lines.append(
            f"| {name} | {mean:.2f} | {low:.2f} | {rates[name][0]:.1f} | {rates[name][1]:.1f} |"
        )
    ours, ceiling, naive = (rates[n][0] for n in names)
    verdict = (
        "the input pipeline is not the bottleneck"
        if ours / ceiling >= 0.9
        else f"the input pipeline costs {100 * (1 - ours / ceiling):.0f}% of the throughput"
    )
    lines += [
        "",
        f"**`GenreCNN.fit` runs at {ours / ceiling:.2f}x the throughput of pre-cut arrays** "
        f"({verdict}) and {ours / naive:.1f}x that of recomputing spectrograms per batch.",
        "",
    ]
    return lines


def main(argv=None):
    """Read the JSON named in ``argv`` and write RESULTS.md next to this script."""
    argv = sys.argv[1:] if argv is None else argv
    data = json.loads(Path(argv[0]).read_text())
    rows = {bench["name"]: _row(bench) for bench in data["benchmarks"]}
    machine = data.get("machine_info", {})
    lines = [
        "# Benchmark results",
        "",
        "Produced by `tox -e bench` (pytest-benchmark; the numbers below are from one run, all",
        "timings in the same run). Rerun:",
        "",
        "```bash",
        "pip install -e '.[tests]'",
        "pytest benchmarks -o addopts= --benchmark-only --benchmark-json=benchmarks/results.json",
        "python benchmarks/write_results.py benchmarks/results.json",
        "```",
        "",
        f"Machine: {machine.get('cpu', {}).get('brand_raw', platform.processor() or '?')}, "
        f"{machine.get('cpu', {}).get('count', '?')} cores, "
        f"Python {machine.get('python_version', platform.python_version())}.",
        "",
    ]
    lines += _tzanetakis_section(rows) + _deep_section(data, rows) + _essentia_section(rows)
    lines += _classical_section(rows) + _librosa_section(rows) + _musicnn_section(rows)
    # Written by scripts that take minutes (compare runs, 60-minute files): copied in.
    for name in (
        "MUSICNN_ACCURACY.md",
        "CLASSICAL_ACCURACY.md",
        "MEMORY.md",
        "DC_OFFSET.md",
        "GPU.md",
    ):
        part = HERE / name
        if part.exists():
            lines += ["", *("#" + line if line.startswith("#") else line
                            for line in part.read_text().splitlines())]  # fmt: skip
    (HERE / "RESULTS.md").write_text("\n".join(lines))
    return 0


def _tzanetakis_section(rows):
    """tzanetakis57 against the recipe, and batch extraction."""
    if "test_reference_recipe" not in rows or "test_tzanetakis57" not in rows:
        return []
    ref = rows["test_reference_recipe"][1]
    fast = rows["test_tzanetakis57"][1]
    lines = [
        "## tzanetakis57 on one 30-s clip, against the tutorial recipe",
        "",
        "The reference calls each librosa feature function on the raw signal and runs",
        "`librosa.effects.harmonic` and `librosa.effects.percussive` separately;",
        "`tzanetakis57` shares one STFT, one HPSS (a compiled exact running median, one",
        "fused mask, one inverse STFT: the percussive part is the signal less the",
        "harmonic one), one mel spectrogram and the spectral peaks of the tuning estimate.",
        "The benchmark asserts both give the same 57 values (rtol 1e-6). One round of",
        "each is run first (compilation).",
        "",
        "| implementation | mean (s) | min (s) | rounds |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key in ("test_reference_recipe", "test_tzanetakis57"):
        name, mean, low, rounds = rows[key]
        lines.append(f"| {name} | {mean:.3f} | {low:.3f} | {rounds} |")
    ref_min, fast_min = rows["test_reference_recipe"][2], rows["test_tzanetakis57"][2]
    lines += [
        "",
        f"**Speed-up: {ref / fast:.1f}x** on the means, {ref_min / fast_min:.1f}x on the "
        "fastest rounds (target: at least 25x).",
        "",
    ]
    lines += [
        "## Batches of 30-s clips (files on disk, decoding included)",
        "",
        "| benchmark | seconds | clips/s | vs 1 clip, n_jobs=1 (per clip) |",
        "| --- | ---: | ---: | ---: |",
    ]
    single = rows.get("test_batch[1-1]")
    for key, (name, mean, _, _) in rows.items():
        if not key.startswith("test_batch"):
            continue
        n_clips = 50 if "cached" in key else int(key.split("[")[1].split("-")[0])
        per_clip = mean / n_clips
        ratio = f"{single[1] / per_clip:.1f}x" if single else "-"
        lines.append(f"| {name} | {mean:.2f} | {n_clips / mean:.1f} | {ratio} |")
    lines += [
        "",
        "`test_batch[N-J]`: N clips with `n_jobs=J` (worker processes already started);",
        "`test_batch_cached_rerun`: the same 50 clips again with a warm `memory=` cache.",
    ]
    batch = rows.get("test_batch[50-2]")
    if batch:
        rate = 50 / batch[1]
        lines += [
            "",
            f"**GTZAN's 1000 clips at the 50-clip rate with `n_jobs=2`: {1000 / rate:.0f} s** "
            f"({rate:.1f} clips/s; target: at least 11 clips/s, 1000 clips in 90 s).",
        ]
    return [*lines, ""]


if __name__ == "__main__":
    raise SystemExit(main())
