"""Training throughput of the deep models and the time of a default compare run.

``benchmarks/gpu_check.sh`` runs this after installing the GPU extra; it can also run on
its own::

    python benchmarks/gpu_throughput.py                      # full-size models, compare
    python benchmarks/gpu_throughput.py --size cpu --compare-tiny --markdown GPU.md
    python benchmarks/gpu_throughput.py --size tiny --no-compare

For each model (``cnn``, ``crnn``) it trains through the classifier's own ``fit`` (the
same patch slicing, dtype policy and compiled step as any fit) on spectrograms of the
synthetic dataset, ``--steps`` batches per epoch: the first epoch compiles, the median
of the later ones gives the samples per second.  Then it times ``python -m
mir_genre.compare`` in a fresh process with an empty cache (synthesis, extraction,
compilation and all), the default pipelines as the backend and device choose them.

Every figure is printed as it comes (``cnn: 1234.5 samples/s ...``) and the lot is
written as a Markdown section that names the device the backend actually computed on, so
a CPU run can never pass for a GPU one.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

#: Model sizes.  "full" is the classifiers' defaults (what compare runs on a GPU); "cpu"
#: is the CPU-sized CNN of compare's CPU default (and a CRNN of the same widths); "tiny"
#: only checks that this script works.
SIZES = {
    "full": {
        "n_mels": 128,
        "patch_seconds": 3.0,
        "cnn": {},
        "crnn": {},
    },
    "cpu": {
        "n_mels": 64,
        "patch_seconds": 3.0,
        "cnn": {"filters": (16, 32, 64, 64), "dense_units": 64},
        "crnn": {"filters": (16, 32, 64, 64), "gru_units": 16},
    },
    "tiny": {
        "n_mels": 8,
        "patch_seconds": 0.5,
        "cnn": {"filters": (4, 8), "dense_units": 8},
        "crnn": {"filters": (4, 8), "gru_units": 4},
    },
}
#: Batch, steps per epoch and timed epochs per size when not given.
RUNS = {"full": (256, 40, 3), "cpu": (16, 4, 1), "tiny": (8, 2, 1)}
#: Arguments that make compare's synthetic dataset small (``--compare-tiny``).
TINY_COMPARE = ("genres=['classical', 'metal']", "n_artists=5", "tracks_per_artist=1")
MODELS = ("cnn", "crnn")


def make_parser():
    """Build the argument parser.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="python benchmarks/gpu_throughput.py",
        description="Training samples/s of the deep models and the time of a compare run.",
    )
    parser.add_argument("--size", choices=list(SIZES), default="full", help="model size")
    parser.add_argument("--batch-size", type=int, default=None, help="patches per step")
    parser.add_argument("--steps", type=int, default=None, help="steps per timed epoch")
    parser.add_argument("--epochs", type=int, default=None, help="timed epochs (after one)")
    parser.add_argument(
        "--models", default=",".join(MODELS), help="comma-separated (default: cnn,crnn)"
    )
    compare = parser.add_mutually_exclusive_group()
    compare.add_argument(
        "--no-compare", action="store_true", help="do not time python -m mir_genre.compare"
    )
    compare.add_argument(
        "--compare-tiny",
        action="store_true",
        help="time compare on a 10-track synthetic dataset instead of the default 200",
    )
    parser.add_argument("--markdown", default=None, help="write the Markdown section here")
    return parser


def spectrograms(n_mels, n_tracks):
    """Log-mel spectrograms of synthetic tracks, repeated to ``n_tracks`` rows.

    Parameters
    ----------
    n_mels : int
        Mel bands.
    n_tracks : int
        Rows wanted (the 20 distinct tracks are repeated: the throughput does not depend
        on what the patches hold).

    Returns
    -------
    X : np.ndarray [shape=(n_tracks, n_mels * n_frames)], float32
    y : np.ndarray [shape=(n_tracks,)]
    """
    import mir_genre

    ds = mir_genre.load_dataset("synthetic", n_artists=2, tracks_per_artist=1, cache=None)
    mel = mir_genre.get_extractor("mel_patches", duration=5.0, n_mels=n_mels)
    X = mel.transform(ds.X).astype(np.float32)
    rows = np.arange(n_tracks) % len(X)
    return X[rows], np.asarray(ds.y)[rows]


def epoch_timer(keras):
    """Return a keras callback that records the wall time of every epoch in ``.times``."""

    class Timer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            # Keras has turned the epoch's logs into Python floats here: the device has
            # finished every step of the epoch.
            self.times.append(time.perf_counter() - self._start)

    return Timer()


def throughput(name, *, size, batch_size, steps, epochs):
    """Train one model through its ``fit`` and measure its training samples/s.

    Parameters
    ----------
    name : str
        Registered classifier.
    size : str
        Key of `SIZES`.
    batch_size, steps, epochs : int
        Patches per step, steps per epoch, timed epochs (after one that compiles).

    Returns
    -------
    dict
        ``samples_per_s``, ``first_epoch_s`` (compilation included), ``epoch_s``
        (median timed epoch), ``dtype_policy``, ``batch_size``, ``steps``, ``params``.
    """
    from mir_genre.registry import load_plugin

    spec = SIZES[size]
    X, y = spectrograms(spec["n_mels"], batch_size * steps)
    cls = load_plugin("classifiers", name)
    clf = cls(
        **spec[name],
        n_mels=spec["n_mels"],
        patch_seconds=spec["patch_seconds"],
        batch_size=batch_size,
        epochs=1 + epochs,
        validation_fraction=0.0,
        random_state=0,
    )
    import keras

    timer = epoch_timer(keras)
    # The real fit, with a timer instead of the early-stopping callbacks it would not use
    # anyway (validation_fraction=0).
    clf._callbacks = lambda keras, validate: [timer]
    clf.fit(X, y)
    epoch_s = statistics.median(timer.times[1:])
    return {
        "samples_per_s": batch_size * steps / epoch_s,
        "first_epoch_s": timer.times[0],
        "epoch_s": epoch_s,
        "dtype_policy": clf.dtype_policy_,
        "batch_size": batch_size,
        "steps": steps,
        "params": int(clf.model_.count_params()),
    }


def time_compare(tiny):
    """Run ``python -m mir_genre.compare`` in a fresh process with an empty cache.

    Parameters
    ----------
    tiny : bool
        Use a 10-track synthetic dataset (`TINY_COMPARE`) instead of the default one.

    Returns
    -------
    dict
        ``seconds``, ``command`` (as typed), ``returncode``, ``tail`` (last output lines).
    """
    args = ["--quiet"]
    for value in TINY_COMPARE if tiny else ():
        args += ["--dataset-arg", value]
    with tempfile.TemporaryDirectory(prefix="mir_genre_gpu_check_") as tmp:
        env = {**os.environ, "MIR_GENRE_CACHE": os.path.join(tmp, "cache")}
        env.pop("JAX_COMPILATION_CACHE_DIR", None)  # a cold compilation cache too
        command = [sys.executable, "-m", "mir_genre.compare", "--out", os.path.join(tmp, "out")]
        start = time.perf_counter()
        done = subprocess.run(command + args, env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
    tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
    # As a shell takes it (double quotes read better than shlex's around the list).
    shown = " ".join(
        ["python -m mir_genre.compare --out OUT"]
        + [f'"{a}"' if set(a) & set(" '[]") else a for a in args]
    )
    return {"seconds": seconds, "command": shown, "returncode": done.returncode, "tail": tail}


def device_report():
    """The backend, its devices and whether one of them is a GPU.

    Returns
    -------
    dict
        ``backend`` (`BackendChoice` as text), ``devices`` (list of str), ``gpu`` (bool).
    """
    from mir_genre.classifiers.keras.backend import configure_backend, device_names

    choice = configure_backend()
    devices = device_names(choice.name)
    return {
        "backend": str(choice),
        "devices": devices,
        "gpu": any(d.startswith("gpu") for d in devices),
    }


def markdown(report):
    """Render the report as the Markdown section of benchmarks/GPU.md.

    Parameters
    ----------
    report : dict
        What `main` measured.

    Returns
    -------
    str
    """
    device = report["device"]
    where = "a GPU" if device["gpu"] else "the CPU (no GPU: these are not GPU figures)"
    lines = [
        f"## Run of {report['date']}: {', '.join(device['devices'])}",
        "",
        f"Ran on **{where}**. Backend: {device['backend']}. Python {report['python']}, "
        f"{report['machine']}. Model size `{report['size']}` (`--size {report['size']}`).",
        "",
        "| model | parameters | dtype policy | batch | steps/epoch | samples/s | "
        "first epoch s (compiles) | epoch s |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in report["models"].items():
        lines.append(
            f"| {name} | {r['params']:,} | {r['dtype_policy']} | {r['batch_size']} | "
            f"{r['steps']} | {r['samples_per_s']:,.1f} | {r['first_epoch_s']:.2f} | "
            f"{r['epoch_s']:.3f} |"
        )
    compare = report.get("compare")
    if compare:
        status = "" if compare["returncode"] == 0 else f" (FAILED, exit {compare['returncode']})"
        dataset = "10-track synthetic dataset" if compare["tiny"] else "default synthetic dataset"
        lines += [
            "",
            f"`{compare['command']}` ({dataset}, empty cache, default pipelines: "
            f"{', '.join(compare['pipelines'])}): **{compare['seconds']:.1f} s**{status}.",
        ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    """Measure, print and (with ``--markdown``) write the section.

    Parameters
    ----------
    argv : list of str or None, default=None
        Arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        0, or 1 when the compare run failed.
    """
    args = make_parser().parse_args(argv)
    batch, steps, epochs = RUNS[args.size]
    batch = args.batch_size or batch
    steps = args.steps or steps
    epochs = args.epochs or epochs
    device = device_report()
    print(f"backend: {device['backend']}")
    print(f"devices: {', '.join(device['devices'])}")
    report = {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "machine": f"{os.cpu_count()} CPU cores",
        "size": args.size,
        "device": device,
        "models": {},
    }
    for name in args.models.split(","):
        r = throughput(name, size=args.size, batch_size=batch, steps=steps, epochs=epochs)
        report["models"][name] = r
        print(
            f"{name}: {r['samples_per_s']:.1f} samples/s (batch {batch}, {r['dtype_policy']}, "
            f"first epoch {r['first_epoch_s']:.2f} s)",
            flush=True,
        )
    status = 0
    if not args.no_compare:
        from mir_genre.compare import default_pipelines

        compare = time_compare(args.compare_tiny)
        compare["tiny"] = args.compare_tiny
        compare["pipelines"] = default_pipelines()
        report["compare"] = compare
        print(f"compare: {compare['seconds']:.1f} s (exit {compare['returncode']})")
        if compare["returncode"]:
            print("\n".join(compare["tail"]), file=sys.stderr)
            status = 1
    text = markdown(report)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    print(text)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
