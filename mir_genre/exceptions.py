"""Exception hierarchy for mir_genre.

Every error raised on purpose by the toolkit derives from :class:`MirGenreError`.
:class:`ParameterError` also derives from :class:`ValueError` so that scikit-learn's
estimator checks, which expect ``ValueError`` for bad parameters, keep working.
"""

__all__ = [
    "MirGenreError",
    "ParameterError",
    "AudioError",
    "DataError",
    "DataNotFoundError",
    "PluginError",
    "LeakageError",
    "MirGenreWarning",
    "DataWarning",
    "LeakageWarning",
    "AudioWarning",
]


class MirGenreError(Exception):
    """Base class for every error mir_genre raises on purpose."""


class ParameterError(MirGenreError, ValueError):
    """A parameter or an input array broke a documented rule."""


class AudioError(MirGenreError):
    """An audio file could not be read: missing, empty, corrupt or undecodable."""


class DataError(MirGenreError):
    """A dataset or a metadata file is inconsistent (bad checksum, bad layout)."""


class DataNotFoundError(DataError, FileNotFoundError):
    """A dataset or metadata file the user pointed at does not exist."""


class LeakageError(DataError):
    """An evaluation split puts one artist or one track on both sides."""


class PluginError(MirGenreError):
    """A registered plugin failed to load or is not the kind of object it claims to be."""


class MirGenreWarning(UserWarning):
    """Base class of the warnings mir_genre emits on purpose."""


class DataWarning(MirGenreWarning):
    """Something in a dataset was skipped or guessed (a corrupt file, unknown artists)."""


class LeakageWarning(MirGenreWarning):
    """An evaluation lets one artist or track appear on both sides of a split."""


class AudioWarning(MirGenreWarning):
    """An audio file was read, but not all of it: cut short after its header."""
