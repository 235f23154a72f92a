"""The dataset type every loader returns: tracks, genres, artist groups, splits, metadata."""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import ParameterError

__all__ = [
    "Dataset",
    "ValidationReport",
    "METADATA_COLUMNS",
    "artist_groups",
    "cache_dir",
    "clip_seconds",
]

#: Columns every dataset's metadata table has (more may follow).
METADATA_COLUMNS = ("track_id", "path", "genre", "artist", "title", "split", "duration")


def cache_dir(subdir, *, environ=None):
    """Return mir_genre's cache folder for one kind of data (created on use by the caller).

    Parameters
    ----------
    subdir : str
        Sub-folder, e.g. ``"gtzan"`` or ``"synthetic"``.
    environ : mapping or None, default=None
        Environment to read ``MIR_GENRE_CACHE`` from (``os.environ`` when None).

    Returns
    -------
    pathlib.Path
        ``$MIR_GENRE_CACHE/<subdir>`` when the variable is set, else
        ``pooch.os_cache("mir_genre")/<subdir>`` (the platform's user cache folder).

    Examples
    --------
    >>> cache_dir("gtzan").name
    'gtzan'
    """
    import os

    env = (os.environ if environ is None else environ).get("MIR_GENRE_CACHE")
    if env:
        return Path(env).expanduser() / subdir
    import pooch

    return Path(pooch.os_cache("mir_genre")) / subdir


def artist_groups(artists, track_ids):
    """Group ids for artist-filtered splits: the artist, or the track itself when unknown.

    Parameters
    ----------
    artists : sequence of str or None
        Artist per track; ``None``, NaN or ``""`` when unknown.
    track_ids : sequence of str
        Track ids, used as the group of tracks without an artist.

    Returns
    -------
    np.ndarray of str
        ``"artist:<name>"`` or ``"track:<id>"`` per track, so an unknown artist never
        merges with a real one.

    Examples
    --------
    >>> artist_groups(["Miles Davis", None], ["jazz.00000", "jazz.00001"]).tolist()
    ['artist:Miles Davis', 'track:jazz.00001']
    """
    out = []
    for artist, track in zip(artists, track_ids, strict=True):
        known = isinstance(artist, str) and artist.strip() != ""
        out.append(f"artist:{artist.strip()}" if known else f"track:{track}")
    return np.asarray(out, dtype=object)


def clip_seconds(dataset):
    """Typical length of a dataset's clips, in seconds.

    Parameters
    ----------
    dataset : Dataset
        Any dataset.

    Returns
    -------
    float or None
        The median of ``metadata["duration"]`` rounded to milliseconds; for array audio
        without durations, the array's width over ``dataset.sr``; None when unknown.

    Examples
    --------
    >>> import mir_genre
    >>> from mir_genre.datasets import clip_seconds
    >>> ds = mir_genre.load_dataset("synthetic", genres=["jazz", "rock"], n_artists=2,
    ...                             tracks_per_artist=1, duration=0.5, cache=None)
    >>> clip_seconds(ds)
    0.5
    """
    durations = pd.to_numeric(dataset.metadata["duration"], errors="coerce").to_numpy(float)
    durations = durations[np.isfinite(durations) & (durations > 0)]
    if len(durations):
        return round(float(np.median(durations)), 3)
    if dataset.kind == "audio" and isinstance(dataset.X, np.ndarray) and dataset.sr:
        return round(dataset.X.shape[1] / dataset.sr, 3)
    return None


@dataclass(frozen=True)
class ValidationReport:
    """What `Dataset.validate` found.

    Attributes
    ----------
    missing : list of str
        Files listed by the dataset that do not exist.
    unreadable : dict of str to str
        Files that exist but could not be decoded (corrupt, empty, not audio), with why.
    invalid_checksums : dict of str to tuple of str
        Files whose checksum differs from the expected one: ``(expected, found)``.
    """

    missing: list = field(default_factory=list)
    unreadable: dict = field(default_factory=dict)
    invalid_checksums: dict = field(default_factory=dict)

    @property
    def ok(self):
        """True when nothing is missing, unreadable or mismatched."""
        return not (self.missing or self.unreadable or self.invalid_checksums)

    def __str__(self):
        if self.ok:
            return "all files present and readable"
        lines = []
        for title, items in (
            ("missing", self.missing),
            ("unreadable", [f"{k}: {v}" for k, v in self.unreadable.items()]),
            (
                "checksum mismatch",
                [f"{k}: expected {e}, found {f}" for k, (e, f) in self.invalid_checksums.items()],
            ),
        ):
            if items:
                lines.append(f"{len(items)} {title}:")
                lines += [f"  {item}" for item in items]
        return "\n".join(lines)


class Dataset:
    """A collection of tracks with genres, artist groups and predefined splits.

    One sample is one track.  ``X`` holds what an extractor takes (file paths, or a 2-D
    array of audio for generated data) or, for feature tables, the feature matrix itself.

    Parameters
    ----------
    name : str
        Dataset name, e.g. ``"gtzan"``.
    X : list of str or np.ndarray
        Track sources (paths or audio rows) or features, one per track.
    metadata : pandas.DataFrame
        One row per track with at least the columns of `METADATA_COLUMNS`; ``artist`` is
        empty/NaN when unknown and ``split`` is empty when the dataset has no predefined
        split for the track.
    sr : int or None, default=None
        Sampling rate of array audio in ``X`` (None for paths and feature tables).
    kind : {"audio", "features"}, default="audio"
        Whether ``X`` is audio (paths/arrays) or a feature matrix.
    feature_names : list of str or None, default=None
        Column names of a feature matrix ``X``.
    checksums : dict of str to str or None, default=None
        Expected sha256 per path, checked by `validate`.
    description : str, default=""
        One paragraph about the source, licence and citation.

    Attributes
    ----------
    y : np.ndarray of str
        Genre per track.
    groups : np.ndarray of str
        Artist group per track for artist-filtered splits (see `artist_groups`).
    splits : dict of str to np.ndarray of int
        Indices of each predefined split (``{"train": ..., "test": ...}``), possibly empty.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> meta = pd.DataFrame({"track_id": ["a", "b"], "path": ["", ""], "genre": ["rock", "jazz"],
    ...                      "artist": ["X", None], "title": ["", ""], "split": ["train", "test"],
    ...                      "duration": [1.0, 1.0]})
    >>> ds = Dataset("toy", np.zeros((2, 22050)), meta, sr=22050)
    >>> ds.groups.tolist(), ds.splits["test"].tolist()
    (['artist:X', 'track:b'], [1])
    """

    def __init__(
        self,
        name,
        X,
        metadata,
        *,
        sr=None,
        kind="audio",
        feature_names=None,
        checksums=None,
        description="",
    ):
        missing = [c for c in METADATA_COLUMNS if c not in metadata.columns]
        if missing:
            raise ParameterError(f"Dataset metadata lacks the columns {missing}.")
        if len(X) != len(metadata):
            raise ParameterError(
                f"Dataset {name!r}: X has {len(X)} tracks but the metadata {len(metadata)} rows."
            )
        if kind not in ("audio", "features"):
            raise ParameterError(f"kind must be 'audio' or 'features'; got {kind!r}.")
        self.name = name
        self.X = X
        self.metadata = metadata.reset_index(drop=True)
        self.sr = sr
        self.kind = kind
        self.feature_names = feature_names
        self.checksums = dict(checksums or {})
        self.description = description

    @property
    def y(self):
        """Genre per track."""
        return self.metadata["genre"].to_numpy(dtype=object)

    @property
    def groups(self):
        """Artist group per track (a track with no known artist is its own group)."""
        return artist_groups(self.metadata["artist"], self.metadata["track_id"])

    @property
    def track_ids(self):
        """Track id per track."""
        return self.metadata["track_id"].to_numpy(dtype=object)

    @property
    def splits(self):
        """Indices of each predefined split, by split name."""
        split = self.metadata["split"].fillna("").astype(str)
        return {
            name: np.flatnonzero(split.to_numpy() == name) for name in sorted(set(split) - {""})
        }

    @property
    def has_artists(self):
        """Whether any track has a known artist."""
        return bool(pd.Series(self.groups).str.startswith("artist:").any())

    def __len__(self):
        return len(self.metadata)

    def __repr__(self):
        genres = self.metadata["genre"].nunique()
        artists = int(pd.Series(self.groups).str.startswith("artist:").sum())
        splits = ", ".join(f"{k}={len(v)}" for k, v in self.splits.items()) or "none"
        return (
            f"<Dataset {self.name!r}: {len(self)} tracks, {genres} genres, "
            f"{artists} with a known artist, splits: {splits}>"
        )

    def subset(self, indices):
        """Return a dataset with the given tracks only.

        Parameters
        ----------
        indices : array-like of int or bool
            Tracks to keep.

        Returns
        -------
        Dataset
        """
        indices = np.arange(len(self))[np.asarray(indices)]
        X = self.X[indices] if isinstance(self.X, np.ndarray) else [self.X[i] for i in indices]
        return Dataset(
            self.name,
            X,
            self.metadata.iloc[indices],
            sr=self.sr,
            kind=self.kind,
            feature_names=self.feature_names,
            checksums=self.checksums,
            description=self.description,
        )

    def validate(self, *, check_audio=True):
        """Check that every file exists, decodes, and matches its checksum; never raises.

        Parameters
        ----------
        check_audio : bool, default=True
            Also open every audio file (reads its header and first samples).

        Returns
        -------
        ValidationReport
        """
        import hashlib

        from ..audio import load
        from ..exceptions import AudioError

        report = ValidationReport()
        paths = [p for p in self.metadata["path"] if isinstance(p, str) and p]
        for path in paths:
            if not Path(path).exists():
                report.missing.append(path)
                continue
            expected = self.checksums.get(path)
            if expected:
                found = hashlib.sha256(Path(path).read_bytes()).hexdigest()
                if found != expected:
                    report.invalid_checksums[path] = (expected, found)
            if check_audio and self.kind == "audio":
                try:
                    load(path, sr=None, duration=0.1)
                except AudioError as exc:
                    report.unreadable[path] = str(exc)
        return report
