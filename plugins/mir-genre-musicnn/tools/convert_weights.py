r"""Convert musicnn's TF1 checkpoints into plain ``.npz`` files, and record reference outputs.

Run once, in a throwaway virtual environment that has TensorFlow and the original musicnn
(the plugin itself never imports TensorFlow).  musicnn 0.1.0 pins ``numpy<1.17``, which
no longer installs on Python 3.11, so it is installed without its dependencies, next to
a TensorFlow that still runs on NumPy 1.x:

.. code-block:: bash

    python3.11 -m venv ../musicnn-tf
    ../musicnn-tf/bin/pip install "tensorflow-cpu==2.15.1" "numpy<2" "librosa==0.11.0"
    ../musicnn-tf/bin/pip install --no-deps musicnn==0.1.0
    ../musicnn-tf/bin/python tools/convert_weights.py \
        --reference tests/data/reference_outputs.npz --gtzan PATH/TO/gtzan

NumPy 1.x matters for the reference outputs: musicnn's ``np.log10(10000 * S + 1)`` on its
float16 spectrogram computes in float32 under NumPy 1.x's value-based casting, but
overflows float16 (giving infinities, then NaN tags) under NumPy 2's rules (NEP 50).
NumPy 1.x is what musicnn was written and published with.

Outputs
-------
``mir_genre_musicnn/weights/<model>.npz``
    Every trained variable of the checkpoint under its TensorFlow name
    (``conv2d_5/kernel``, ``batch_normalization_9/moving_mean`` ...), float32, without
    the optimiser's slots; plus ``_source``, a JSON string with musicnn's version and the
    sha256 of the checkpoint's data file.
``--reference FILE``
    The original implementation's outputs (``musicnn.extractor.extractor``) on a few real
    GTZAN clips: taggram and embeddings per patch, for the fidelity tests.
"""

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
from pathlib import Path

import numpy as np

MODELS = ("MSD_musicnn", "MTT_musicnn")

#: (clip under gtzan/, models, input_overlap values, layers kept besides the taggram).
REFERENCE_CLIPS = (
    ("sample/blues/blues.00000.wav", MODELS, (False, 1), ("max_pool", "mean_pool", "penultimate")),
    ("sample/classical/classical.00001.wav", MODELS, (False,), ()),
    ("sample/hiphop/hiphop.00001.wav", MODELS, (False,), ("max_pool",)),
    ("sample/metal/metal.00000.wav", ("MSD_musicnn",), (False,), ()),
)


def musicnn_dir():
    """Folder of the installed musicnn package (its checkpoints live there)."""
    spec = importlib.util.find_spec("musicnn")
    if spec is None:
        raise SystemExit("musicnn is not installed here: pip install --no-deps musicnn==0.1.0")
    return Path(next(iter(spec.submodule_search_locations)))


def sha256(path):
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def convert(model, out_dir):
    """Write ``<out_dir>/<model>.npz`` from musicnn's checkpoint of ``model``."""
    import tensorflow as tf

    checkpoint = musicnn_dir() / model
    # musicnn saved each checkpoint with an empty file prefix: "<dir>/.index", "<dir>/.data-*".
    reader = tf.compat.v1.train.NewCheckpointReader(str(checkpoint) + "/")
    names = sorted(
        name
        for name in reader.get_variable_to_shape_map()
        if "Adam" not in name and name not in ("beta1_power", "beta2_power")
    )
    arrays = {name: np.asarray(reader.get_tensor(name), dtype=np.float32) for name in names}
    source = {
        "musicnn": importlib.metadata.version("musicnn"),
        "model": model,
        "checkpoint_sha256": sha256(checkpoint / ".data-00000-of-00001"),
        "licence": "ISC, (c) Music Technology Group, Universitat Pompeu Fabra 2019",
    }
    out = Path(out_dir) / f"{model}.npz"
    np.savez_compressed(out, _source=np.array(json.dumps(source)), **arrays)
    n_params = sum(a.size for a in arrays.values())
    print(f"{out}: {len(arrays)} arrays, {n_params} parameters")


def reference(out, gtzan):
    """Write the original extractor's outputs on `REFERENCE_CLIPS` to ``out``."""
    import librosa
    import tensorflow as tf
    from musicnn.extractor import extractor

    arrays = {}
    for clip, models, overlaps, layers in REFERENCE_CLIPS:
        for model in models:
            for overlap in overlaps:
                taggram, _, features = extractor(
                    str(Path(gtzan) / clip), model=model, input_overlap=overlap
                )
                key = f"{model}/{clip}/{overlap}"
                arrays[f"{key}/taggram"] = np.asarray(taggram, dtype=np.float32)
                for layer in layers:
                    arrays[f"{key}/{layer}"] = np.asarray(features[layer], dtype=np.float32)
    versions = {
        "musicnn": importlib.metadata.version("musicnn"),
        "tensorflow": tf.__version__,
        "numpy": np.__version__,
        "librosa": librosa.__version__,
    }
    np.savez_compressed(out, _versions=np.array(json.dumps(versions)), **arrays)
    print(f"{out}: {len(arrays)} arrays ({versions})")


def main(argv=None):
    """Command-line entry point."""
    here = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=here / "mir_genre_musicnn" / "weights", type=Path)
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--reference", type=Path, help="also write reference outputs here")
    parser.add_argument("--gtzan", type=Path, help="folder holding sample/<genre>/*.wav")
    args = parser.parse_args(argv)
    if args.reference and not args.gtzan:
        parser.error("--reference needs --gtzan")
    args.out.mkdir(parents=True, exist_ok=True)
    for model in args.models:
        convert(model, args.out)
    if args.reference:
        reference(args.reference, args.gtzan)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
