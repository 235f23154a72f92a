"""Pretrained musicnn models for mir_genre, on Keras 3, offline.

``musicnn`` (:class:`~mir_genre_musicnn.extractor.Musicnn`, a ``mir_genre.extractors``
plugin)
    per-track summaries of musicnn's taggram (50 tag probabilities per 3-s patch) or of
    one of its embeddings, from the MSD (Million Song Dataset) or MTT (MagnaTagATune)
    model;
``musicnn_finetune`` (:class:`~mir_genre_musicnn.finetune.MusicnnFinetune`, a
``mir_genre.classifiers`` plugin)
    a genre classifier that starts from the pretrained network and trains a new head.

The weights of both models ship inside this package, converted from musicnn 0.1.0's
TensorFlow checkpoints (``tools/convert_weights.py``): nothing is downloaded and
TensorFlow is not needed.  Importing this package imports neither keras nor librosa.

musicnn and its weights are (c) Music Technology Group, Universitat Pompeu Fabra 2019,
ISC licence; so is this distribution.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
