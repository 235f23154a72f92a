"""Peak memory of tzanetakis57 on long files: chunked extraction against whole-file.

Each measurement runs in a fresh Python process and reports the peak resident set size
of its own memory (``VmHWM``; ``ru_maxrss`` would be no less than the peak of the
process that started it, which Linux carries over an ``exec``), so nothing from earlier
work counts.  ``chunked`` is what the extractor
does with a file (`Tzanetakis57.transform` on the path: the file is decoded block by
block and processed 2048 frames at a time); ``whole`` decodes the file with
`mir_genre.audio.load` and computes the features in one chunk, as extraction did
before it was chunked (whole-file 60 minutes would need about 13 GiB, so it is measured
for 1 and 10 minutes only).  ``imports`` is the process after importing librosa and
running the extractor on one second of audio: the floor every worker pays.

Run the benchmarks (memory, not time; one round each) with::

    pytest benchmarks/test_bench_memory.py -o addopts= --benchmark-only -s

or print the Markdown table of `benchmarks/RESULTS.md` with
``python benchmarks/test_bench_memory.py``.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
SR = 22050

#: Minutes of audio measured; whole-file extraction only for the first two.
MINUTES = (1, 10, 60)
WHOLE_MINUTES = (1, 10)

_CHILD = r"""
import json, resource, sys
import numpy as np
mode, path = sys.argv[1], sys.argv[2]
from mir_genre.audio import load
from mir_genre.features.tzanetakis import Tzanetakis57, tzanetakis57
# Warm up (numba compilation, librosa's lazy imports) on one second, so the floor is
# the same in every mode.
Tzanetakis57().transform(np.zeros((1, 22050), dtype=np.float32) + 0.01)
if mode == "imports":
    features = np.zeros(57)
elif mode == "chunked":
    features = Tzanetakis57().transform([path])[0]
else:
    y = load(path)[0]
    y = y - np.float32(np.mean(y, dtype=np.float64))  # remove_dc=True, as the extractor
    features = tzanetakis57(y=y, chunk_frames=len(y) // 512 + 1)
try:  # the peak of this process's own memory (ru_maxrss keeps its parent's across exec)
    with open("/proc/self/status") as status:
        peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) * 1024
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
print(json.dumps({"peak_rss": peak, "features": features.tolist()}))
"""


def _source_clips():
    root = Path(os.environ.get("MIR_GENRE_DATA", REPO.parent / "shared" / "data")) / "gtzan"
    return sorted((root / "sample").glob("*/*.wav"))


def write_long_file(path, minutes):
    """Write a WAV of ``minutes`` minutes: real 30-s clips end to end, else a test signal.

    Parameters
    ----------
    path : pathlib.Path
        Where to write it (22050 Hz, mono, 16-bit).
    minutes : float > 0
        Its length.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    clips = _source_clips()
    n_total = int(minutes * 60 * SR)
    with sf.SoundFile(path, "w", samplerate=SR, channels=1, subtype="PCM_16") as f:
        written, i = 0, 0
        while written < n_total:
            if clips:
                y = sf.read(clips[i % len(clips)], dtype="float32")[0]
            else:
                rng = np.random.default_rng(i)
                t = np.arange(30 * SR) / SR
                y = 0.3 * np.sin(2 * np.pi * rng.uniform(100, 800) * t)
                y += 0.1 * rng.standard_normal(t.size) * ((t * 2) % 1 < 0.1)
            y = y[: n_total - written]
            f.write(y)
            written += len(y)
            i += 1
    return path


def measure(mode, path):
    """Run one extraction in a fresh process; return its peak RSS (bytes) and features."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["peak_rss"], np.asarray(result["features"])


@pytest.fixture(scope="module")
def long_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("long")
    return {m: write_long_file(folder / f"{m}min.wav", m) for m in MINUTES}


@pytest.fixture(scope="module")
def floor(long_files):
    return measure("imports", long_files[1])[0]


def _bench(benchmark, mode, path, floor):
    peak, features = benchmark.pedantic(measure, args=(mode, path), rounds=1, iterations=1)
    benchmark.extra_info.update(peak_rss_mib=peak / 2**20, floor_mib=floor / 2**20)
    print(f"\n{mode} {path.name}: peak RSS {peak / 2**20:.0f} MiB (floor {floor / 2**20:.0f})")
    return peak, features


@pytest.mark.benchmark(group="memory")
@pytest.mark.parametrize("minutes", MINUTES)
def test_chunked_peak_rss(benchmark, long_files, floor, minutes):
    peak, features = _bench(benchmark, "chunked", long_files[minutes], floor)
    assert np.isfinite(features).all()
    assert peak < 2**30, f"{minutes}-min file: peak RSS {peak / 2**20:.0f} MiB"


@pytest.mark.benchmark(group="memory")
@pytest.mark.parametrize("minutes", WHOLE_MINUTES)
def test_whole_file_peak_rss(benchmark, long_files, floor, minutes):
    _bench(benchmark, "whole", long_files[minutes], floor)


def main():
    """Measure every case; write benchmarks/MEMORY.md (copied into RESULTS.md) and print it."""
    import tempfile

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        floor = None
        for minutes in MINUTES:
            path = write_long_file(Path(tmp) / f"{minutes}min.wav", minutes)
            if floor is None:
                floor = measure("imports", path)[0]
            chunked, f_chunked = measure("chunked", path)
            whole, f_whole = measure("whole", path) if minutes in WHOLE_MINUTES else (None, None)
            rows.append((minutes, chunked, whole, f_chunked, f_whole))
            path.unlink()
    mib = 2**20
    lines = [
        "# Peak memory of tzanetakis57 on long files (`benchmarks/test_bench_memory.py`)",
        "",
        "Peak resident set size of one fresh process extracting one file (22050 Hz mono",
        "WAV made of the GTZAN sample clips end to end), `n_jobs=1`. *chunked*:",
        "`Tzanetakis57().transform([path])` (decoded in 10-s blocks, 2048 frames at a",
        "time); *whole*: `audio.load`, the mean removed, then one chunk over the whole",
        "signal (what extraction did before). The floor is the same process after imports",
        "and a warm-up on one second of audio.",
        "",
        f"Floor: {floor / mib:.0f} MiB.",
        "",
        "| minutes | chunked (MiB) | whole-file (MiB) | whole / chunked | max rel. diff |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for minutes, chunked, whole, f_chunked, f_whole in rows:
        if whole is None:
            lines.append(f"| {minutes} | {chunked / mib:.0f} | not run | - | - |")
            continue
        diff = np.max(np.abs(f_chunked - f_whole) / np.maximum(np.abs(f_whole), 1e-12))
        lines.append(
            f"| {minutes} | {chunked / mib:.0f} | {whole / mib:.0f} | "
            f"{whole / chunked:.1f}x | {diff:.1e} |"
        )
    lines += [
        "",
        "Chunked against whole-file features, by group (max absolute / max relative",
        "difference over the group's columns):",
        "",
        "| minutes | " + " | ".join(GROUPS) + " |",
        "| ---: |" + " ---: |" * len(GROUPS),
    ]
    for minutes, _, whole, f_chunked, f_whole in rows:
        if whole is not None:
            cells = []
            for columns in GROUPS.values():
                a, b = f_chunked[columns], f_whole[columns]
                rel = np.abs(a - b) / np.maximum(np.abs(b), 1e-12)
                cells.append(f"{np.abs(a - b).max():.1e} / {rel.max():.1e}")
            lines.append(f"| {minutes} | " + " | ".join(cells) + " |")
    (Path(__file__).resolve().parent / "MEMORY.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


def _columns(*prefixes):
    from mir_genre.features.tzanetakis import TZANETAKIS57_NAMES

    return [i for i, n in enumerate(TZANETAKIS57_NAMES) if n.startswith(prefixes)]


#: Column groups of the 57 features, for the equality table.
GROUPS = {
    "chroma": _columns("chroma"),
    "rms": _columns("rms"),
    "centroid, bandwidth, rolloff": _columns("spectral", "rolloff"),
    "zcr": _columns("zero"),
    "harmony, perceptr": _columns("harmony", "perceptr"),
    "tempo": _columns("tempo"),
    "mfcc": _columns("mfcc"),
}


if __name__ == "__main__":
    raise SystemExit(main())
