"""Feature extractors: pure librosa-style functions plus thin scikit-learn transformers.

The transformers are imported lazily so that ``import mir_genre.features`` stays cheap.
"""

import importlib

_LAZY = {
    "Tzanetakis57": ".tzanetakis",
    "tzanetakis57": ".tzanetakis",
    "TZANETAKIS57_NAMES": ".tzanetakis",
    "MFCCDeltas": ".mfcc",
    "mfcc_deltas": ".mfcc",
    "ChromaStats": ".chroma",
    "chroma_stats": ".chroma",
    "FMA518": ".fma",
    "fma518": ".fma",
    "FMA518_NAMES": ".fma",
    "fma_columns": ".fma",
    "fma_names": ".fma",
    "MelPatches": ".mel",
    "mel_patches": ".mel",
    "TextureWindows": ".texture",
    "texture_windows": ".texture",
    "BaseExtractor": "._base",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name], __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
