"""FMA, the Free Music Archive dataset (Defferrard et al., ISMIR 2017).

FMA ships 30-second MP3 clips (``fma_small``: 8,000 tracks, 8 balanced genres;
``fma_medium``: 25,000 tracks, 16 unbalanced genres; ``fma_large``: 106,574 tracks) and a
metadata archive whose ``tracks.csv`` gives each track's top genre, artist and an
artist-filtered train/validation/test split.  Nothing is downloaded here: get the files
from https://github.com/mdeff/fma and unzip them as::

    <root>/
        fma_metadata/tracks.csv        (from fma_metadata.zip)
        fma_small/000/000002.mp3       (from fma_small.zip; folder = first 3 digits of the
        fma_small/000/000005.mp3        zero-padded 6-digit track id)
        ...
"""

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import DataError, DataNotFoundError, DataWarning, ParameterError
from ._base import Dataset

__all__ = [
    "load_fma",
    "read_tracks",
    "track_metadata",
    "BIBTEX",
    "LICENSE_INFO",
    "REMOTES",
    "SUBSETS",
    "ENV_ROOT",
]

BIBTEX = """@inproceedings{fma_dataset,
  title = {{FMA}: A Dataset for Music Analysis},
  author = {Defferrard, Micha\\"el and Benzi, Kirell and Vandergheynst, Pierre and
            Bresson, Xavier},
  booktitle = {18th International Society for Music Information Retrieval Conference
               (ISMIR)},
  year = {2017},
  archiveprefix = {arXiv},
  eprint = {1612.01840},
  url = {https://arxiv.org/abs/1612.01840},
}"""

LICENSE_INFO = (
    "FMA metadata (fma_metadata.zip) is released under the Creative Commons Attribution "
    "4.0 International License (CC BY 4.0). Each audio track keeps the licence its "
    "artist chose on the Free Music Archive (mostly Creative Commons variants), which "
    "may restrict commercial use and redistribution; see the track's license column in "
    "tracks.csv. The FMA code is MIT licensed. Source: https://github.com/mdeff/fma"
)

#: Where FMA is published, with the SHA-1 checksums given at https://github.com/mdeff/fma.
#: Nothing downloads them (the audio is 7.2 GB for fma_small, 879 GB for fma_large): the
#: error for a missing folder quotes these addresses, and a user fetches the files.
REMOTES = {
    "metadata": {
        "filename": "fma_metadata.zip",
        "url": "https://os.unil.cloud.switch.ch/fma/fma_metadata.zip",
        "sha1": "f0df49ffe5f2a6008d7dc83c6915b31835dfe733",
    },
    "small": {
        "filename": "fma_small.zip",
        "url": "https://os.unil.cloud.switch.ch/fma/fma_small.zip",
        "sha1": "ade154f733639d52e35e32f5593efe5be76c6d70",
    },
    "medium": {
        "filename": "fma_medium.zip",
        "url": "https://os.unil.cloud.switch.ch/fma/fma_medium.zip",
        "sha1": "c67b69ea232021025fca9231fc1c7c1a063ab50b",
    },
    "large": {
        "filename": "fma_large.zip",
        "url": "https://os.unil.cloud.switch.ch/fma/fma_large.zip",
        "sha1": "497109f4dd721066b5ce5e5f250ec604dc78939e",
    },
}

#: Subsets in nesting order: small is part of medium, medium of large.
SUBSETS = ("small", "medium", "large")

#: Environment variable read when ``root`` is not given.
ENV_ROOT = "MIR_GENRE_FMA_ROOT"

#: Length of FMA's clips; ('track', 'duration') in tracks.csv is the full track's length.
CLIP_SECONDS = 30.0

_SPLITS = {"training": "train", "validation": "valid", "test": "test"}
_REQUIRED = {
    ("set", "subset"): "the subset of each track (small, medium, large)",
    ("set", "split"): "FMA's split (training, validation, test)",
    ("track", "genre_top"): "the top-level genre",
    ("artist", "id"): "the artist id",
    ("artist", "name"): "the artist name",
}
_OPTIONAL = {("track", "title"): "", ("track", "duration"): np.nan}


def _where_to_get(subset):
    return (
        "Download fma_metadata.zip and "
        f"fma_{subset}.zip from https://github.com/mdeff/fma ({REMOTES['metadata']['url']}, "
        f"{REMOTES.get(subset, REMOTES['small'])['url']}) and unzip both into one folder, "
        f"giving <root>/fma_metadata/tracks.csv and <root>/fma_{subset}/NNN/NNNNNN.mp3 "
        "(NNNNNN = track id padded to 6 digits, NNN = its first 3 digits); then pass "
        f"root=<root> or set the environment variable {ENV_ROOT}."
    )


def _audio_path(audio_dir, track_id):
    tid = f"{int(track_id):06d}"
    return audio_dir / tid[:3] / f"{tid}.mp3"


def read_tracks(path):
    """Read FMA's ``tracks.csv`` (two header rows) and check its columns.

    Parameters
    ----------
    path : pathlib.Path
        The file.

    Returns
    -------
    pandas.DataFrame
        Indexed by integer track id, with two-level columns such as ``('set', 'split')``.

    Raises
    ------
    DataError
        If it cannot be parsed or lacks the columns of `_REQUIRED`.
    """
    try:
        # low_memory=False: the real tracks.csv has columns of mixed types, for which the
        # chunked parser warns DtypeWarning (an error under `-W error`).
        tracks = pd.read_csv(path, index_col=0, header=[0, 1], low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError(
            f"Could not parse '{path}' as FMA's tracks.csv: {exc}. The file must have "
            "FMA's two header rows (groups such as album, artist, set, track; then field "
            "names) and the track id as first column; re-extract it from fma_metadata.zip."
        ) from exc
    if not isinstance(tracks.columns, pd.MultiIndex) or tracks.columns.nlevels != 2:
        raise DataError(
            f"'{path}' does not have FMA's two header rows (groups such as artist, set, "
            "track; then field names); re-extract tracks.csv from fma_metadata.zip."
        )
    missing = [c for c in _REQUIRED if c not in tracks.columns]
    if missing:
        needed = "; ".join(f"{c}: {what}" for c, what in _REQUIRED.items())
        raise DataError(
            f"'{path}' lacks the column(s) {missing} that FMA's tracks.csv has. Needed: "
            f"{needed}. Use tracks.csv from fma_metadata.zip (https://github.com/mdeff/fma)."
        )
    try:
        tracks.index = tracks.index.astype(np.int64)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"The first column of '{path}' must hold integer track ids (FMA's track_id); "
            f"{exc}. Re-extract tracks.csv from fma_metadata.zip."
        ) from exc
    return tracks


def _artist_names(names, ids):
    """One name per artist id; a name shared by several ids gets the id appended.

    The dataset's groups are built from the artist column, so two artists who share a
    name (different ids) must get different strings to stay separate groups.
    """
    names = names.fillna("").astype(str).str.strip()
    first = names.groupby(ids, sort=False).transform("first")
    shared = ids.groupby(first, sort=False).transform("nunique") > 1
    out = first.where(~shared, first + " [" + ids + "]")
    # An artist id without a name still identifies the artist: use the id as the name.
    by_id = ("[" + ids + "]").where(ids.str.startswith("artist_id="), None)
    out = out.where(first != "", by_id).astype(object)
    return out.where(out.notna(), None)


def track_metadata(tracks):
    """Per-track metadata from FMA's tracks table (as `read_tracks` returns it).

    Parameters
    ----------
    tracks : pandas.DataFrame
        Rows of `read_tracks`, every one with a top genre.

    Returns
    -------
    pandas.DataFrame
        ``track_id`` (6 digits), ``genre``, ``artist`` (names made unique per artist id,
        see `_artist_names`), ``title``, ``split`` (train/valid/test), ``duration`` (the
        clip's), ``artist_id``, ``subset``, ``track_duration``; no ``path``.
    """
    artist_id = pd.to_numeric(tracks["artist", "id"], errors="coerce")
    # A track without an artist id is grouped by its name, or alone when it has neither.
    group_key = ("artist_id=" + artist_id.astype("Int64").astype(str)).where(
        artist_id.notna(), "name:" + tracks["artist", "name"].fillna("").astype(str)
    )
    artist = _artist_names(tracks["artist", "name"], group_key)
    title = tracks.get(("track", "title"), pd.Series(_OPTIONAL["track", "title"], tracks.index))
    full = pd.to_numeric(
        tracks.get(("track", "duration"), pd.Series(np.nan, tracks.index)), errors="coerce"
    )
    split = tracks["set", "split"].map(_SPLITS).fillna("")
    metadata = pd.DataFrame(
        {
            "track_id": [f"{tid:06d}" for tid in tracks.index],
            "genre": tracks["track", "genre_top"].astype(str).to_numpy(),
            "artist": artist.to_numpy(dtype=object),
            "title": title.fillna("").astype(str).to_numpy(),
            "split": split.to_numpy(dtype=object),
            "duration": np.minimum(full.to_numpy(dtype=float), CLIP_SECONDS),
            "artist_id": artist_id.to_numpy(),
            "subset": tracks["set", "subset"].astype(str).to_numpy(),
            "track_duration": full.to_numpy(dtype=float),
        }
    )
    return metadata


def load_fma(root=None, *, subset="small", metadata_dir=None):
    """Load FMA (the Free Music Archive dataset) with its artist-filtered split.

    Parameters
    ----------
    root : str, os.PathLike or None, default=None
        Folder holding ``fma_<subset>/`` (and ``fma_metadata/`` unless ``metadata_dir``
        is given).  ``None`` reads the environment variable ``MIR_GENRE_FMA_ROOT``.
    subset : {"small", "medium", "large"}, default="small"
        Which FMA subset.  Subsets are nested: ``"medium"`` holds the tracks whose
        ``('set', 'subset')`` is ``small`` or ``medium``, like FMA's own
        ``tracks['set', 'subset'] <= 'medium'``.  Audio is read from ``<root>/fma_<subset>``.
        Tracks without a top genre (only in ``"large"``) are left out.
    metadata_dir : str, os.PathLike or None, default=None
        Folder holding ``tracks.csv``; ``None`` means ``<root>/fma_metadata``.

    Returns
    -------
    Dataset
        ``name="fma_<subset>"``; ``X`` the MP3 paths (str) ordered by track id.
        ``metadata``: ``track_id`` (6-digit string, e.g. ``"000002"``), ``path``,
        ``genre`` (``('track', 'genre_top')``), ``artist`` (``('artist', 'name')``; a name
        shared by different artist ids gets ``" [artist_id=N]"`` appended so that groups
        follow artist ids), ``title``, ``split`` (``train``/``valid``/``test``: FMA's own
        artist-filtered split), ``duration`` (of the clip: the track's duration capped at
        30 s), and also ``artist_id``, ``subset`` and ``track_duration`` (the full track).

    Raises
    ------
    ParameterError
        If ``subset`` is not one of `SUBSETS`.
    DataNotFoundError
        If no root is given, or ``tracks.csv`` or the audio folder is missing, or none of
        the subset's audio files exists.
    DataError
        If ``tracks.csv`` cannot be parsed or lacks FMA's columns.

    Warns
    -----
    DataWarning
        When tracks of the subset have no audio file; they are left out.

    Notes
    -----
    A few FMA clips are known to be broken (e.g. empty or shorter than a second); run
    `Dataset.validate` to list them.  Cite FMA with `BIBTEX`; see `LICENSE_INFO`.

    Examples
    --------
    Without the files, the error says where to get them:

    >>> load_fma("/no/such/folder")
    Traceback (most recent call last):
    ...
    mir_genre.exceptions.DataNotFoundError: FMA folder not found: '/no/such/folder'. ...

    With FMA downloaded and unzipped into ``~/data/fma``:

    >>> ds = load_fma("~/data/fma", subset="small")  # doctest: +SKIP
    >>> ds  # doctest: +SKIP
    <Dataset 'fma_small': 8000 tracks, 8 genres, 8000 with a known artist, splits: ...>
    >>> ds.splits["train"]  # FMA's artist-filtered training split  # doctest: +SKIP
    """
    if subset not in SUBSETS:
        raise ParameterError(
            f"subset must be one of {list(SUBSETS)}; got {subset!r}. FMA's subsets are "
            "nested (small is part of medium, medium of large)."
        )
    if root is None:
        root = os.environ.get(ENV_ROOT) or None
        if root is None:
            raise DataNotFoundError(
                f"No FMA folder given: pass root= or set the environment variable "
                f"{ENV_ROOT}. {_where_to_get(subset)}"
            )
    root = Path(root).expanduser()
    if not root.is_dir():
        raise DataNotFoundError(f"FMA folder not found: '{root}'. {_where_to_get(subset)}")
    meta = Path(metadata_dir).expanduser() if metadata_dir is not None else root / "fma_metadata"
    tracks_csv = meta / "tracks.csv"
    if not tracks_csv.is_file():
        raise DataNotFoundError(
            f"FMA metadata not found: '{tracks_csv}' does not exist. {_where_to_get(subset)}"
        )
    audio_dir = root / f"fma_{subset}"
    if not audio_dir.is_dir():
        raise DataNotFoundError(
            f"FMA audio folder not found: '{audio_dir}'. {_where_to_get(subset)}"
        )

    tracks = read_tracks(tracks_csv)
    level = pd.Categorical(tracks["set", "subset"], categories=SUBSETS, ordered=True)
    keep = (level <= subset) & tracks["track", "genre_top"].notna()
    tracks = tracks.loc[np.asarray(keep)].sort_index()
    if tracks.empty:
        raise DataError(
            f"'{tracks_csv}' lists no track of the {subset!r} subset with a top genre; "
            "check that it is FMA's tracks.csv (column ('set', 'subset'))."
        )

    paths = [_audio_path(audio_dir, tid) for tid in tracks.index]
    # One directory listing per NNN folder instead of one stat call per track.
    present = set()
    for folder in sorted({p.parent for p in paths}):
        if folder.is_dir():
            present.update(folder / name for name in os.listdir(folder))
    exists = np.array([p in present for p in paths], dtype=bool)
    if not exists.any():
        raise DataNotFoundError(
            f"None of the {len(paths)} audio files of fma_{subset} listed in '{tracks_csv}' "
            f"is in '{audio_dir}' (e.g. '{paths[0]}'). {_where_to_get(subset)}"
        )
    if not exists.all():
        absent = [f"{tid:06d}" for tid in tracks.index[~exists]]
        shown = ", ".join(absent[:5]) + (f" and {len(absent) - 5} more" if len(absent) > 5 else "")
        warnings.warn(
            f"{len(absent)} of the {len(paths)} tracks of fma_{subset} listed in "
            f"'{tracks_csv}' have no audio file in '{audio_dir}' and are left out (track "
            f"ids {shown}). Re-extract fma_{subset}.zip if they should be there.",
            DataWarning,
            stacklevel=2,
        )
        tracks = tracks.loc[exists]
        paths = [p for p, ok in zip(paths, exists, strict=True) if ok]

    metadata = track_metadata(tracks)
    metadata.insert(1, "path", [str(p) for p in paths])
    return Dataset(
        f"fma_{subset}",
        metadata["path"].tolist(),
        metadata,
        description=(
            f"FMA {subset} (Free Music Archive, Defferrard et al. 2017): {len(metadata)} "
            f"30-s MP3 clips of {metadata['genre'].nunique()} top-level genres with FMA's "
            f"artist-filtered train/valid/test split. {LICENSE_INFO}"
        ),
    )
