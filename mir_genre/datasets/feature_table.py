"""Ready-made feature tables: GTZAN's public CSVs, ``.npz`` frames, Marsyas ARFF, FMA's features.

Each row of the 30-second table (``features_30_sec.csv``) is one excerpt; each row of
the 3-second table is one segment of an excerpt (``classical.00000.3.wav`` is segment 3
of ``classical.00000``).  Segments keep the PARENT track id, so they share one artist
group and one predefined split: segments of one track can never straddle a split.
Artists and the fault-filtered split come from the GTZAN metadata
(:func:`mir_genre.datasets.gtzan.fetch_metadata`).

Frame-wise representations in the ``.npz`` layout of the published musicnn/VGGish/OpenL3
GTZAN features (``X`` one row per frame, ``IDS`` the clip of each frame such as
``blues/blues.00029.au``, ``Y`` the genre index) are read too, one file or a folder of
them, and averaged over each clip's frames: one row per clip.

Marsyas ARFF tables (``bextract -sv``, suffix ``.arff``) give one row per clip, preceded
by a ``% filename genres/blues/blues.00043.au`` comment; the file names give the GTZAN
track ids (so artists and the fault-filtered split attach as above) and, when the class
attribute holds genre indices (``0`` .. ``9``), the genres.

FMA's ``features.csv`` (three header rows: feature, statistics, number; index
``track_id``) is read with the ``tracks.csv`` beside it (or ``tracks=``): genres from
``('track', 'genre_top')``, artist groups from ``('artist', 'id')``, FMA's own
artist-filtered split from ``('set', 'split')``, and ``subset=`` keeps the tracks of
``('set', 'subset')`` small, medium or large (nested).  A CSV is taken for FMA's when
its first cell is ``feature`` (FMA's header) or ``tracks=`` is given; other CSVs are
read as the Kaggle tables.

Environment variables
---------------------
``MIR_GENRE_FEATURE_TABLE``
    Default ``path`` of :func:`load_feature_table`.
``MIR_GENRE_GTZAN_METADATA``
    Default metadata folder (see :func:`mir_genre.datasets.gtzan.fetch_metadata`).
"""

import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import DataError, DataNotFoundError, DataWarning, ParameterError
from ..features.tzanetakis import TZANETAKIS57_NAMES
from ._base import METADATA_COLUMNS, Dataset
from ._table_formats import arff_genres, fma_tracks_path, read_arff, read_fma_features
from .gtzan import BIBTEX, fetch_metadata, read_artist_index, read_split

__all__ = ["load_feature_table", "parse_table_filename"]

#: Sampling rate of the audio the public tables were computed from (``length`` is in samples).
TABLE_SR = 22050

_WHERE_TO_GET = (
    "Download features_30_sec.csv or features_3_sec.csv from the Kaggle dataset "
    "'GTZAN Dataset - Music Genre Classification' "
    "(https://www.kaggle.com/datasets/andradaolteanu/gtzan-dataset-music-genre-classification, "
    "folder Data/) and pass its path as path= (or set MIR_GENRE_FEATURE_TABLE)."
)

_NAME_RE = re.compile(r"^(?P<track>[a-z]+\.\d{5})(?:\.(?P<segment>\d+))?\.(?:wav|au)$")


def parse_table_filename(filename):
    """Split a feature-table file name into its GTZAN track id and segment number.

    Parameters
    ----------
    filename : str
        The ``filename`` column of a table: ``"blues.00000.wav"`` (30-second table) or
        ``"blues.00000.3.wav"`` (segment 3 in the 3-second table).

    Returns
    -------
    tuple of (str, int) or None
        ``(track_id, segment)`` with ``segment=-1`` for a whole excerpt; None when the
        name is not a GTZAN file name.

    Examples
    --------
    >>> parse_table_filename("classical.00000.3.wav")
    ('classical.00000', 3)
    >>> parse_table_filename("blues.00012.wav")
    ('blues.00012', -1)
    >>> parse_table_filename("my_song.mp3") is None
    True
    """
    match = _NAME_RE.match(str(filename).strip())
    if match is None:
        return None
    segment = match["segment"]
    return match["track"], (int(segment) if segment is not None else -1)


def _gtzan_metadata(metadata_dir):
    """Artist, title and split per GTZAN track id."""
    paths = fetch_metadata(metadata_dir)
    index = read_artist_index(paths["artist_index"]).set_index("track_id")
    split = {}
    for name in ("train", "valid", "test"):
        for track in read_split(paths[name]):
            split.setdefault(track, name)
    return index["artist"].to_dict(), index["title"].to_dict(), split


def _read_frame_table(path):
    """Clip means of frame-wise ``.npz`` features: (X, filenames, genres, feature names)."""
    files = sorted(path.glob("*.npz")) if path.is_dir() else [path]
    if not files:
        raise DataNotFoundError(
            f"Folder {str(path)!r} holds no .npz feature files; pass a CSV table, an .npz "
            f"file or a folder of them. {_WHERE_TO_GET}"
        )
    frames, ids = [], []
    for file in files:
        try:
            with np.load(file, allow_pickle=False) as data:
                X, clip_ids = np.asarray(data["X"], dtype=np.float64), data["IDS"]
        except (KeyError, ValueError, OSError) as exc:
            raise DataError(
                f"Feature file {str(file)!r} is not a frame table: it needs arrays 'X' (one "
                f"row per frame) and 'IDS' (the clip of each frame, e.g. "
                f"'blues/blues.00029.au') ({type(exc).__name__}: {exc})."
            ) from exc
        if X.ndim != 2 or len(X) != len(clip_ids):
            raise DataError(
                f"Feature file {str(file)!r}: X has shape {X.shape} but IDS has "
                f"{len(clip_ids)} entries; X needs one row per frame and IDS one id per row."
            )
        frames.append(X)
        ids.append(np.asarray(clip_ids).astype(str))
    X, ids = np.concatenate(frames), np.concatenate(ids)
    clips, first, owner = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first)  # clips in the order they first appear
    sums = np.zeros((len(clips), X.shape[1]))
    np.add.at(sums, owner, X)
    means = sums / np.bincount(owner)[:, None]
    clips = clips[order]
    genres = [Path(c).parent.name or Path(c).name.split(".")[0] for c in clips]
    names = [f"mean_{i}" for i in range(X.shape[1])]
    return means[order], [Path(c).name for c in clips], genres, names


def load_feature_table(path=None, *, metadata_dir=None, tracks=None, subset=None):
    """Load a ready-made feature table: Kaggle CSV, ``.npz`` frames, Marsyas ARFF or FMA's.

    Parameters
    ----------
    path : str or os.PathLike or None, default=None
        The CSV (``filename``, ``length``, the 57 feature columns, ``label``); or an
        ``.npz`` file of frame-wise features (arrays ``X``, ``IDS``; the layout of the
        published musicnn GTZAN taggrams) or a folder of such files, averaged per clip;
        or a Marsyas ``.arff`` table (a ``% filename`` comment before each row); or FMA's
        ``features.csv``.  When None, the environment variable ``MIR_GENRE_FEATURE_TABLE``.
    metadata_dir : str or os.PathLike or None or False, default=None
        Where the GTZAN artist index and split lists come from (see
        :func:`mir_genre.datasets.gtzan.fetch_metadata`: None means
        ``MIR_GENRE_GTZAN_METADATA`` or a verified, cached download).  False skips them,
        with a `DataWarning`: no artists, no predefined split, so artist filtering is
        impossible.  Not used for FMA's tables (their metadata is ``tracks.csv``).
    tracks : str or os.PathLike or None, default=None
        FMA's ``tracks.csv`` (or its folder) for an FMA ``features.csv``; None means the
        ``tracks.csv`` beside it.
    subset : {"small", "medium", "large"} or None, default=None
        FMA only: keep the tracks of this subset (nested, as in `mir_genre.datasets.fma`);
        None keeps every track with a top genre.

    Returns
    -------
    Dataset
        ``kind="features"``; ``X`` is a float array [shape=(n_rows, 57)] in the order of
        `TZANETAKIS57_NAMES` (also ``feature_names``), or for frame-wise files the mean
        over each clip's frames (``mean_0``, ``mean_1`` ...; the genre is the folder of
        the clip's id, ``duration`` is unknown).  The metadata has ``track_id``
        (the parent excerpt, ``"classical.00000"`` for ``"classical.00000.3.wav"``),
        ``path`` (the CSV's file name), ``genre`` (the ``label`` column), ``artist``,
        ``title``, ``split``, ``duration`` (``length / 22050`` seconds) and ``segment``
        (the 3-second segment number, -1 for whole excerpts).  ARFF tables keep the
        attribute names as ``feature_names`` and the commented file name as ``path``.
        FMA tables have ``<feature>_<statistics>_<number>`` names (``mfcc_mean_01``),
        6-digit track ids, an empty ``path``, and ``artist_id``, ``subset`` and
        ``track_duration`` as in `mir_genre.datasets.load_fma`.

    Raises
    ------
    DataNotFoundError
        If no path is given or the file does not exist; or the GTZAN metadata cannot be
        found or downloaded (pass ``metadata_dir``, or ``metadata_dir=False``); or an FMA
        ``features.csv`` has no ``tracks.csv``.
    DataError
        If the CSV lacks columns, has non-numeric or non-finite features, or a metadata
        file fails its sha256 check; if an ARFF row has no ``% filename`` comment or the
        wrong width; if FMA's files lack their header rows or columns.
    ParameterError
        For ``subset`` with a table that is not FMA's, or an unknown subset.

    Warns
    -----
    DataWarning
        With ``metadata_dir=False``, or when file names are not GTZAN's (no artists);
        when FMA tracks without a top genre are left out.

    Notes
    -----
    One row of the 3-second table is a segment, not a track: always split by
    ``groups`` (or ``track_id``), never by row, or segments of one excerpt land on both
    sides and inflate accuracy.

    Examples
    --------
    >>> ds = load_feature_table("features_30_sec.csv", metadata_dir="meta")  # doctest: +SKIP
    >>> ds.X.shape  # doctest: +SKIP
    (1000, 57)
    >>> load_feature_table("genres_default.arff", metadata_dir="meta").X.shape  # doctest: +SKIP
    (1000, 124)
    >>> load_feature_table("fma_metadata/features.csv", subset="small")  # doctest: +SKIP
    <Dataset 'feature_table': 8000 tracks, 8 genres, ...>
    """
    if path is None:
        path = os.environ.get("MIR_GENRE_FEATURE_TABLE") or None
    if path is None:
        raise DataNotFoundError(
            "load_feature_table needs path= (or the MIR_GENRE_FEATURE_TABLE variable); none "
            f"was given. {_WHERE_TO_GET}"
        )
    path = Path(path).expanduser()
    # By content where the file exists: a Kaggle table saved as features.csv stays one.
    fma = tracks is not None or _starts_like_fma(path)
    fma = fma or (path.name == "features.csv" and not path.exists())
    if not fma and subset is not None:
        raise ParameterError(
            f"subset={subset!r} is for FMA's features.csv; {str(path)!r} is not one. Drop "
            "subset, or pass FMA's features.csv (with its tracks.csv)."
        )
    if fma:
        return _fma_dataset(path, tracks, subset, metadata_dir)
    if path.suffix.lower() == ".arff":
        if not path.is_file():
            raise DataNotFoundError(f"ARFF file {str(path)!r} does not exist. {_WHERE_TO_GET}")
        X, filenames, labels, names, class_values = read_arff(path)
        parsed = [parse_table_filename(Path(f).name) for f in filenames]
        genres = arff_genres(path, filenames, labels, class_values, parsed)
        return _dataset(path, X, filenames, genres, names, None, metadata_dir,
                        f"{X.shape[1]} Marsyas features per clip, ARFF")  # fmt: skip
    if path.is_dir() or path.suffix == ".npz":
        if not path.exists():
            raise DataNotFoundError(f"Feature file {str(path)!r} does not exist. {_WHERE_TO_GET}")
        X, filenames, genres, names = _read_frame_table(path)
        return _dataset(path, X, filenames, genres, names, None, metadata_dir,
                        "frame-wise features averaged per clip")  # fmt: skip
    if not path.is_file():
        raise DataNotFoundError(f"Feature table {str(path)!r} does not exist. {_WHERE_TO_GET}")
    try:
        table = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(
            f"Feature table {str(path)!r} is not a readable CSV ({exc}). {_WHERE_TO_GET}"
        ) from exc
    table.columns = [str(c).strip() for c in table.columns]

    required = ["filename", "label", *TZANETAKIS57_NAMES]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise DataError(
            f"Feature table {str(path)!r} lacks the columns {missing}. It must have "
            "'filename', 'label' and the 57 columns of mir_genre.features.tzanetakis."
            f"TZANETAKIS57_NAMES, like the public table. {_WHERE_TO_GET}"
        )
    try:
        X = table[list(TZANETAKIS57_NAMES)].to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"Feature table {str(path)!r} has non-numeric feature values ({exc}); fix or "
            "drop those rows."
        ) from exc
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any():
        rows = table["filename"][bad].astype(str).tolist()
        raise DataError(
            f"Feature table {str(path)!r} has NaN or infinite features in {len(rows)} rows "
            f"({', '.join(rows[:5])}{', ...' if len(rows) > 5 else ''}); drop those rows."
        )

    filenames = table["filename"].astype(str).str.strip().tolist()
    genres = table["label"].astype(str).str.strip().tolist()
    length = table["length"] if "length" in table.columns else None
    return _dataset(path, X, filenames, genres, list(TZANETAKIS57_NAMES), length,
                    metadata_dir, "57 librosa features per row; Kaggle 'GTZAN Dataset - "
                    "Music Genre Classification'")  # fmt: skip


def _dataset(path, X, filenames, genres, feature_names, length, metadata_dir, what):
    parsed = [parse_table_filename(Path(f).name) for f in filenames]
    is_gtzan = all(p is not None for p in parsed)
    if is_gtzan:
        track_ids = [p[0] for p in parsed]
        segments = [p[1] for p in parsed]
    else:
        track_ids = [Path(f).stem for f in filenames]
        segments = [-1] * len(filenames)

    n = len(X)
    artist, title, split = [None] * n, [None] * n, [""] * n
    if metadata_dir is False:
        warnings.warn(
            f"load_feature_table({str(path)!r}, metadata_dir=False): artists and the "
            "predefined split are skipped, so artist filtering is impossible (every track "
            "is its own group). Pass metadata_dir=None or a folder to attach them.",
            DataWarning,
            stacklevel=2,
        )
    elif not is_gtzan:
        odd = [f for f, p in zip(filenames, parsed, strict=True) if p is None][:3]
        warnings.warn(
            f"Feature table {str(path)!r}: file names such as {odd} are not GTZAN's "
            "('<genre>.000NN[.S].wav'), so no artist or split is attached; artist "
            "filtering is impossible (every track is its own group).",
            DataWarning,
            stacklevel=2,
        )
    else:
        artists, titles, splits = _gtzan_metadata(metadata_dir)
        artist = [artists.get(t) for t in track_ids]
        title = [titles.get(t) for t in track_ids]
        split = [splits.get(t, "") for t in track_ids]

    if length is not None:
        duration = pd.to_numeric(length, errors="coerce").to_numpy() / TABLE_SR
    else:
        duration = np.full(n, np.nan)
    meta = pd.DataFrame(
        {
            "track_id": track_ids,
            "path": filenames,
            "genre": genres,
            "artist": pd.Series(artist, dtype=object),
            "title": pd.Series(title, dtype=object),
            "split": split,
            "duration": duration,
            "segment": np.asarray(segments, dtype=np.int64),
        }
    )
    meta = meta[[*METADATA_COLUMNS, "segment"]]
    kind = "3-second segments" if (meta["segment"] >= 0).any() else "30-second excerpts"
    description = (
        f"GTZAN feature table {path.name} ({kind}, {what}). track_id is the parent "
        "excerpt, so segments share its artist group and split.\n\nCite:\n" + BIBTEX
    )
    return Dataset(
        "feature_table",
        X,
        meta,
        kind="features",
        feature_names=feature_names,
        description=description,
    )


def _starts_like_fma(path):
    """Whether a CSV's first cell is ``feature``, as in FMA's three-row header."""
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.readline().split(",", 1)[0].strip() == "feature"


def _fma_dataset(path, tracks, subset, metadata_dir):
    from .fma import BIBTEX as FMA_BIBTEX
    from .fma import LICENSE_INFO

    if not path.is_file():
        raise DataNotFoundError(
            f"FMA feature table {str(path)!r} does not exist. Unzip features.csv and "
            "tracks.csv from fma_metadata.zip (https://github.com/mdeff/fma)."
        )
    if metadata_dir is not None and metadata_dir is not False:
        warnings.warn(
            f"load_feature_table({str(path)!r}): metadata_dir is for GTZAN tables and is "
            "not used; FMA's artists and split come from tracks.csv.",
            DataWarning,
            stacklevel=3,
        )
    tracks_csv = fma_tracks_path(path, tracks)
    X, names, meta = read_fma_features(path, tracks_csv, subset)
    meta.insert(1, "path", "")
    meta["segment"] = -1
    return Dataset(
        "feature_table",
        X,
        meta,
        kind="features",
        feature_names=names,
        description=(
            f"FMA feature table {path.name} ({len(meta)} tracks, {X.shape[1]} features, "
            f"subset={subset or 'all'}) with genres, artists and FMA's artist-filtered "
            f"split from {tracks_csv.name}. {LICENSE_INFO}\n\nCite:\n" + FMA_BIBTEX
        ),
    )
