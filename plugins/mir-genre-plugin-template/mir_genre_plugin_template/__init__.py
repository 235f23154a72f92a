"""A template mir_genre plugin: copy this folder, rename the package and the entry points."""

__version__ = "0.1.0"
