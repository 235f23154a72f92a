"""Readers of the feature-table formats other than the Kaggle CSVs and ``.npz`` frames.

* Marsyas ARFF (``bextract -sv``): numeric attributes, one nominal class attribute, and a
  ``% filename <path>`` comment before every data row naming the clip.
* FMA's ``features.csv`` (three header rows: feature, statistics, number; index
  ``track_id``) with ``tracks.csv`` (genres, artists, subsets and FMA's split).

:func:`mir_genre.datasets.feature_table.load_feature_table` picks the reader by the
file's suffix or name; these functions only parse and check.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import DataError, DataNotFoundError, DataWarning, ParameterError

__all__ = ["read_arff", "read_fma_features", "fma_tracks_path"]

_ARFF_FIX = (
    "Write the table with Marsyas (bextract -sv ... -w out.arff), which puts a "
    "'% filename <path>' comment before every data row."
)


def _arff_error(path, lineno, rule):
    return DataError(f"ARFF file {str(path)!r}, line {lineno}: {rule} {_ARFF_FIX}")


def _attribute(path, lineno, line):
    """Name and type of one ``@attribute`` line: ("name", "real") or ("name", [values])."""
    rest = line.split(None, 1)[1].strip() if len(line.split(None, 1)) == 2 else ""
    if rest[:1] in ("'", '"'):
        end = rest.find(rest[0], 1)
        if end < 0:
            raise _arff_error(path, lineno, f"unterminated quoted attribute name in {line!r}.")
        name, kind = rest[1:end], rest[end + 1 :].strip()
    else:
        name, kind = (rest.split(None, 1) + [""])[:2]
        kind = kind.strip()
    if not name or not kind:
        raise _arff_error(path, lineno, f"'@attribute' needs a name and a type; got {line!r}.")
    if kind.startswith("{"):
        if not kind.endswith("}"):
            raise _arff_error(path, lineno, f"unterminated nominal type in {line!r}.")
        values = [v.strip().strip("'\"") for v in kind[1:-1].split(",")]
        return name, [v for v in values if v]
    kind = kind.lower()
    if kind not in ("real", "numeric", "integer"):
        raise _arff_error(
            path, lineno, f"attribute {name!r} has type {kind!r}; only real, numeric, "
            "integer and one nominal class attribute are read."
        )  # fmt: skip
    return name, "real"


def read_arff(path):
    """Read a Marsyas ARFF feature table.

    Parameters
    ----------
    path : pathlib.Path
        The ``.arff`` file.

    Returns
    -------
    X : np.ndarray [shape=(n_rows, n_features)]
        The numeric attributes, float64.
    filenames : list of str
        The clip of each row, from the ``% filename`` comment before it.
    labels : list of str
        The class attribute's value of each row (Marsyas writes genre indices 0, 1, ...).
    names : list of str
        The numeric attributes' names.
    class_values : list of str
        The class attribute's declared values, in order.

    Raises
    ------
    DataError
        When the file is not such a table: no ``@data``, no or several nominal attributes,
        a row without a ``% filename`` comment, a row of the wrong width, a value that is
        not a number, a missing (``?``) or non-finite value, or a sparse row.
    """
    names, class_index, class_values = [], None, None
    rows, filenames, labels = [], [], []
    pending, in_data, n_columns = None, False, 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("%"):
                key, _, value = line[1:].strip().partition(" ")
                if key == "filename":
                    pending = value.strip() or None
                continue
            if not in_data:
                keyword = line.split(None, 1)[0].lower()
                if keyword == "@attribute":
                    name, kind = _attribute(path, lineno, line)
                    if isinstance(kind, list):
                        if class_index is not None:
                            raise _arff_error(
                                path, lineno, f"a second nominal attribute {name!r}; the "
                                "table needs exactly one (the class)."
                            )  # fmt: skip
                        class_index, class_values = n_columns, kind
                    else:
                        names.append(name)
                    n_columns += 1
                elif keyword == "@data":
                    in_data = True
                elif keyword != "@relation":
                    raise _arff_error(path, lineno, f"unexpected header line {line[:60]!r}.")
                continue
            if line.startswith("{"):
                raise _arff_error(path, lineno, "sparse rows ('{...}') are not read.")
            if pending is None:
                raise _arff_error(
                    path, lineno, "this data row has no '% filename <path>' comment before "
                    "it, so it cannot be matched to a clip (and its artist)."
                )  # fmt: skip
            cells = [c.strip().strip("'\"") for c in line.split(",")]
            if len(cells) != n_columns:
                raise _arff_error(
                    path, lineno, f"the row has {len(cells)} values but the header declares "
                    f"{n_columns} attributes."
                )  # fmt: skip
            label = cells.pop(class_index)
            try:
                values = [float(c) for c in cells]
            except ValueError as exc:
                raise _arff_error(
                    path, lineno, f"a value is not a number ({exc}; missing values '?' "
                    f"are not allowed) in the row of {pending!r}."
                ) from exc  # fmt: skip
            if not np.all(np.isfinite(values)):
                raise _arff_error(path, lineno, f"the row of {pending!r} has NaN or infinity.")
            if label not in class_values:
                raise _arff_error(
                    path, lineno, f"class value {label!r} is not one of the declared "
                    f"{class_values}."
                )  # fmt: skip
            rows.append(values)
            filenames.append(pending)
            labels.append(label)
            pending = None
    if class_index is None:
        raise DataError(
            f"ARFF file {str(path)!r} declares no nominal class attribute "
            "('@attribute output {...}'), so rows have no genre. " + _ARFF_FIX
        )
    if not rows:
        raise DataError(
            f"ARFF file {str(path)!r} has no data rows"
            f"{'' if in_data else ' (no @data line)'}. " + _ARFF_FIX
        )
    return np.asarray(rows, dtype=np.float64), filenames, labels, names, class_values


def arff_genres(path, filenames, labels, class_values, parsed):
    """Return the genres of ARFF rows: the class values, or what the file names give.

    Marsyas writes the class as an index (``0`` .. ``9``) into its collection's genres.
    When every class value is a number, the genre of each row is taken from its file
    name (GTZAN's ``blues.00043`` or the clip's folder), and each index must then name
    exactly one genre.
    """
    if not all(v.lstrip("-").isdigit() for v in class_values):
        return list(labels)
    genres = [
        p[0].split(".")[0] if p is not None else Path(f).parent.name
        for f, p in zip(filenames, parsed, strict=True)
    ]
    by_code = pd.Series(genres).groupby(pd.Series(labels)).unique()
    mixed = {code: sorted(g) for code, g in by_code.items() if len(g) != 1 or not g[0]}
    if mixed:
        raise DataError(
            f"ARFF file {str(path)!r}: the class values are indices, and the genres their "
            f"rows' file names give do not match them one to one ({mixed}); name the clips "
            "'<genre>/<genre>.NNNNN.au' or give the class attribute genre names."
        )
    return genres


# -- FMA -----------------------------------------------------------------------------------


def fma_tracks_path(path, tracks):
    """Return the ``tracks.csv`` that goes with an FMA ``features.csv``."""
    if tracks is not None:
        tracks = Path(tracks).expanduser()
        if tracks.is_dir():
            tracks = tracks / "tracks.csv"
        if not tracks.is_file():
            raise DataNotFoundError(
                f"FMA tracks file {str(tracks)!r} (tracks=) does not exist; pass the "
                "tracks.csv from fma_metadata.zip (https://github.com/mdeff/fma)."
            )
        return tracks
    beside = path.with_name("tracks.csv")
    if not beside.is_file():
        raise DataNotFoundError(
            f"FMA feature table {str(path)!r} needs FMA's tracks.csv for its genres, "
            f"artists and split, and there is none beside it ({str(beside)!r}). Unzip "
            "tracks.csv from fma_metadata.zip (https://github.com/mdeff/fma) into the same "
            "folder, or pass its path as tracks= (--dataset-arg tracks=PATH)."
        )
    return beside


def read_fma_features(path, tracks_csv, subset):
    """Read FMA's ``features.csv`` and join ``tracks.csv``.

    Parameters
    ----------
    path : pathlib.Path
        ``features.csv`` (three header rows: feature, statistics, number).
    tracks_csv : pathlib.Path
        FMA's ``tracks.csv``.
    subset : {"small", "medium", "large"} or None
        Keep the tracks of this (nested) subset; None keeps all.

    Returns
    -------
    X : np.ndarray [shape=(n_tracks, n_features)]
    names : list of str
        ``<feature>_<statistics>_<number>``, e.g. ``mfcc_mean_01``.
    metadata : pandas.DataFrame
        From :func:`mir_genre.datasets.fma.track_metadata`, one row per row of ``X``.
    """
    from .fma import SUBSETS, read_tracks, track_metadata

    if subset is not None and subset not in SUBSETS:
        raise ParameterError(
            f"subset must be None or one of {list(SUBSETS)}; got {subset!r}. FMA's "
            "subsets are nested (small is part of medium, medium of large)."
        )
    try:
        table = pd.read_csv(path, index_col=0, header=[0, 1, 2], low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError(
            f"Could not parse {str(path)!r} as FMA's features.csv ({exc}). It needs FMA's "
            "three header rows (feature, statistics, number) and track_id as the first "
            "column; re-extract it from fma_metadata.zip."
        ) from exc
    if not isinstance(table.columns, pd.MultiIndex) or table.columns.nlevels != 3:
        raise DataError(
            f"{str(path)!r} does not have FMA's three header rows (feature, statistics, "
            "number); re-extract features.csv from fma_metadata.zip."
        )
    try:
        table.index = table.index.astype(np.int64)
        X = table.to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"{str(path)!r}: track ids must be integers and features numbers ({exc}); "
            "re-extract features.csv from fma_metadata.zip."
        ) from exc
    names = ["_".join(str(part) for part in col) for col in table.columns]

    tracks = read_tracks(tracks_csv)
    unknown = table.index.difference(tracks.index)
    if len(unknown):
        raise DataError(
            f"{len(unknown)} track ids of {str(path)!r} are not in {str(tracks_csv)!r} "
            f"(e.g. {list(unknown[:5])}); use the features.csv and tracks.csv of one "
            "fma_metadata.zip."
        )
    tracks = tracks.loc[table.index]
    keep = np.ones(len(tracks), dtype=bool)
    if subset is not None:
        level = pd.Categorical(tracks["set", "subset"], categories=SUBSETS, ordered=True)
        keep &= np.asarray(level <= subset)
    no_genre = keep & tracks["track", "genre_top"].isna().to_numpy()
    if no_genre.any():
        shown = ", ".join(str(t) for t in tracks.index[no_genre][:5])
        warnings.warn(
            f"{int(no_genre.sum())} tracks of {str(path)!r} have no top genre "
            f"(('track', 'genre_top') is empty in {str(tracks_csv)!r}) and are left out "
            f"(track ids {shown}{' ...' if no_genre.sum() > 5 else ''}). Choose "
            "subset='medium' or 'small' for tracks that all have one.",
            DataWarning,
            stacklevel=3,
        )
        keep &= ~no_genre
    if not keep.any():
        raise DataError(
            f"No track of {str(path)!r} is left (subset={subset!r}, tracks with a top genre "
            f"in {str(tracks_csv)!r}); check the subset and that both files come from one "
            "fma_metadata.zip."
        )
    bad = keep & ~np.isfinite(X).all(axis=1)
    if bad.any():
        shown = ", ".join(str(t) for t in tracks.index[bad][:5])
        raise DataError(
            f"{str(path)!r} has NaN or infinite features for {int(bad.sum())} tracks "
            f"(track ids {shown}); re-extract features.csv from fma_metadata.zip."
        )
    return X[keep], names, track_metadata(tracks.loc[keep])
