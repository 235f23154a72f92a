"""Your own music library as a dataset: one sub-folder per genre.

The layout is::

    root/
        blues/
            some artist - a song.flac
            live/another song.mp3      (sub-folders below a genre folder are searched too)
        rock/
            track01.wav
        artists.csv                    (optional: columns path,artist)

The genre of a track is the name of the first-level folder it sits under.  Artists come
from a CSV file (``artists=``), else from the files' own tags (WAV INFO chunks, FLAC and
OGG Vorbis comments, MP3 ID3 tags as libsndfile reads them; `mutagen` is tried as well
when it is installed), else they are unknown.  A track with no known artist is its own
group, so artist-filtered splits can only be as good as the artist information.
"""

import logging
import os
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .._common import one_line
from ..audio import (
    AUDIO_EXTENSIONS,
    FALLBACK_EXTENSIONS,
    HIDDEN,
    NOT_AUDIO,
    describe_skipped,
    fallback_decoders,
    find_audio,
    truncation,
)
from ..exceptions import DataError, DataNotFoundError, DataWarning, ParameterError
from ._base import METADATA_COLUMNS, Dataset

logger = logging.getLogger("mir_genre")

__all__ = ["load_folder", "LAYOUT"]

#: The folder layout `load_folder` expects, quoted in its error messages.
LAYOUT = (
    "Expected layout: one sub-folder per genre, named after the genre, holding audio "
    "files (searched recursively), e.g. <root>/rock/song1.mp3, <root>/jazz/album/song2.flac."
)

# Folders that are never genres: hidden folders and the resource forks macOS adds to zips.
_IGNORED_DIRS = ("__MACOSX",)
_MAX_LISTED = 5


def _listing(items, limit=_MAX_LISTED):
    """Format the first few items of a list, and how many more there are."""
    items = list(items)
    shown = ", ".join(repr(str(item)) for item in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _check_extensions(extensions):
    if isinstance(extensions, str):
        extensions = (extensions,)
    try:
        extensions = tuple(extensions)
    except TypeError:
        raise ParameterError(
            f"extensions must be a sequence of file extensions such as ('.wav', '.mp3'); "
            f"got {extensions!r}."
        ) from None
    if not extensions or not all(isinstance(e, str) and e.strip(".") for e in extensions):
        raise ParameterError(
            f"extensions must be a non-empty sequence of file extensions such as "
            f"('.wav', '.mp3'); got {extensions!r}."
        )
    return tuple("." + e.lower().lstrip(".") for e in extensions)


def _read_tags_and_duration(path, read_tags):
    """Return (artist, title, duration) of one file; unknowns are None / NaN."""
    import soundfile as sf

    artist = title = None
    duration = np.nan
    try:
        with sf.SoundFile(path) as f:
            if f.samplerate > 0 and f.frames > 0:
                duration = f.frames / f.samplerate
            tags = f.copy_metadata() if read_tags else {}
        artist, title = tags.get("artist"), tags.get("title")
    except Exception as exc:  # libsndfile raises several types; unreadable files are kept
        # Kept in the listing: extraction reports the file again, with its decoder's error.
        logger.warning(
            "Could not read the duration%s of '%s' with libsndfile (%s: %s); the track is "
            "kept, its duration unknown.",
            " and tags" if read_tags else "", path, type(exc).__name__, one_line(exc),
        )  # fmt: skip
    if read_tags and not artist:
        m_artist, m_title, m_duration = _read_mutagen(path)
        artist = artist or m_artist
        title = title or m_title
        if np.isnan(duration):
            duration = m_duration
    return _clean(artist), _clean(title), duration


def _read_mutagen(path):
    """Artist, title and duration from `mutagen` when it is installed (an optional extra)."""
    try:
        import mutagen
    except ImportError:
        return None, None, np.nan
    try:
        tagged = mutagen.File(path, easy=True)
    except Exception:  # mutagen raises its own error types for files it cannot parse
        return None, None, np.nan
    if tagged is None:
        return None, None, np.nan
    tags = tagged.tags or {}

    def first(key):
        try:
            value = tags.get(key)
        except Exception:  # some tag formats raise on unknown keys instead of returning None
            return None
        if isinstance(value, (list, tuple)):
            value = value[0] if value else None
        return None if value is None else str(value)

    length = getattr(getattr(tagged, "info", None), "length", None)
    return first("artist"), first("title"), float(length) if length else np.nan


def _clean(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    value = str(value).strip()
    return value or None


def _read_artist_csv(artists, root):
    """Return {resolved path: artist or None} and the source name for messages."""
    if isinstance(artists, pd.DataFrame):
        table, source = artists, "the artists DataFrame"
    elif isinstance(artists, Mapping):
        table = pd.DataFrame({"path": list(artists), "artist": list(artists.values())})
        source = "the artists mapping"
    elif isinstance(artists, (str, os.PathLike)):
        csv = Path(artists).expanduser()
        if not csv.is_absolute() and not csv.exists() and (root / csv).exists():
            csv = root / csv
        source = f"artists CSV '{csv}'"
        if not csv.is_file():
            raise DataNotFoundError(
                f"Artist file not found: '{csv}'. Pass artists= the path of a CSV file with "
                "the columns path,artist (paths relative to the library root or absolute)."
            )
        try:
            table = pd.read_csv(csv, dtype=str, keep_default_na=False, skipinitialspace=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise DataError(
                f"Could not parse {source}: {exc}. It must be a CSV file with a header row "
                "and the columns path,artist."
            ) from exc
    else:
        raise ParameterError(
            f"artists must be None, the path of a CSV file (columns path,artist), a "
            f"DataFrame with those columns or a mapping of path to artist; got "
            f"{type(artists).__name__}."
        )
    table = table.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in ("path", "artist") if c not in table.columns]
    if missing:
        raise DataError(
            f"{source[0].upper()}{source[1:]} lacks the column(s) {missing}; found "
            f"{[str(c) for c in table.columns]}. Expected the columns path,artist: one row "
            "per track, the path relative to the library root (e.g. rock/song1.mp3) or "
            "absolute, and the artist's name."
        )
    mapping = {}
    for path, artist in zip(table["path"], table["artist"], strict=True):
        path = _clean(path)
        if path is None:
            continue
        full = Path(path).expanduser()
        key = (full if full.is_absolute() else root / full).resolve()
        artist = _clean(artist)
        if key in mapping and mapping[key] != artist:
            raise DataError(
                f"{source[0].upper()}{source[1:]} gives the track '{path}' two different "
                f"artists: {mapping[key]!r} and {artist!r}. Keep one row per track."
            )
        mapping[key] = artist
    return mapping, source


def _unique_track_ids(relative):
    """Track ids: the relative path without extension, keeping the extension where needed.

    ``rock/a.wav`` and ``rock/a.flac`` would both be ``rock/a``; as the id is the group of
    a track with no artist, a clash keeps the extension (``rock/a.wav``) for those tracks.
    """
    stems = [rel.with_suffix("").as_posix() for rel in relative]
    counts = pd.Series(stems).value_counts()
    return [
        rel.as_posix() if counts[stem] > 1 else stem
        for rel, stem in zip(relative, stems, strict=True)
    ]


def load_folder(root, *, artists=None, read_tags=True, extensions=AUDIO_EXTENSIONS):
    """Load a music library laid out as one sub-folder per genre.

    Every audio file below ``<root>/<genre>/`` (recursively) is one track of that genre.
    Files and folders whose name starts with a dot (like macOS's ``._song.mp3`` or
    ``.DS_Store``) are ignored without a word; every other file that is not used is
    reported with the reason (see Warns).

    Parameters
    ----------
    root : str or os.PathLike
        The library folder, holding one sub-folder per genre.
    artists : str, os.PathLike, pandas.DataFrame, mapping or None, default=None
        The artist of each track: a CSV file with the columns ``path,artist`` (a relative
        CSV path is also looked up in ``root``), a DataFrame with those columns, or a
        mapping of path to artist.  Paths are relative to ``root`` or absolute.  It takes
        precedence over tags; tracks it leaves out fall back to their tags.
    read_tags : bool, default=True
        Read the artist and title from each file's tags (libsndfile reads WAV INFO chunks,
        FLAC/OGG Vorbis comments and MP3 ID3 tags; `mutagen` is tried too if installed).
    extensions : sequence of str, default=AUDIO_EXTENSIONS
        File extensions treated as audio (case-insensitive, with or without the dot).

    Returns
    -------
    Dataset
        ``name="folder"``; ``X`` the absolute file paths (str), sorted by genre then path.
        ``metadata`` columns: ``track_id`` (path relative to ``root`` without extension,
        POSIX style), ``path``, ``genre``, ``artist`` (None when unknown), ``title`` (tag,
        else file stem), ``split`` (always ``""``: a library has no predefined split) and
        ``duration`` in seconds (NaN for files libsndfile cannot read; such files are kept
        and reported by `Dataset.validate`).

    Raises
    ------
    DataNotFoundError
        If ``root`` or the artists CSV does not exist, ``root`` is not a folder, or it
        holds no genre folder with audio files.
    DataError
        If fewer than two genres have audio, or the artists table lacks the columns
        ``path,artist`` or gives one track two artists.
    ParameterError
        If ``artists`` or ``extensions`` has the wrong type.

    Warns
    -----
    DataWarning
        When files are not used, with a count, the reason and the first few names: an
        extension not in ``extensions``, a dangling symbolic link, not a regular file
        (a FIFO, socket or device), a link to a folder (not followed), a folder that
        cannot be listed, an audio file directly in ``root``.  When files are truncated
        (a WAV, AIFF or AU file that holds less audio than its header declares).  When
        M4A/AAC/WMA files are found but no fallback decoder (ffmpeg) is installed.
        When no track has a known artist (artist-filtered splits become track-level
        splits), when some tracks have none, when the artists table lists paths that are
        not tracks of the library, and when a genre folder holds no audio.

    See Also
    --------
    mir_genre.datasets.artist_groups : How artists become groups.
    mir_genre.datasets.Dataset.validate : Find the files that cannot be decoded.

    Examples
    --------
    >>> import numpy as np, soundfile as sf, tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> t = np.arange(8000) / 8000
    >>> for genre, artist, freq in [("rock", "A", 220), ("rock", "A", 330), ("jazz", "B", 440)]:
    ...     (root / genre).mkdir(exist_ok=True)
    ...     with sf.SoundFile(root / genre / f"{freq}.flac", "w", 8000, 1) as f:
    ...         f.artist = artist
    ...         f.write(0.5 * np.sin(2 * np.pi * freq * t))
    >>> ds = load_folder(root)
    >>> ds.metadata[["track_id", "genre", "artist", "duration"]]
       track_id genre artist  duration
    0  jazz/440  jazz      B       1.0
    1  rock/220  rock      A       1.0
    2  rock/330  rock      A       1.0
    >>> ds.groups.tolist()
    ['artist:B', 'artist:A', 'artist:A']
    """
    if not isinstance(root, (str, os.PathLike)):
        raise ParameterError(
            f"root must be the path of a folder (str or os.PathLike); got {type(root).__name__}."
        )
    extensions = _check_extensions(extensions)
    root = Path(os.path.abspath(Path(root).expanduser()))
    if not root.exists():
        raise DataNotFoundError(f"Music folder not found: '{root}'. {LAYOUT}")
    if not root.is_dir():
        raise DataNotFoundError(f"root must be a folder, but '{root}' is a file. {LAYOUT}")

    genre_dirs = sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in _IGNORED_DIRS
    )
    if not genre_dirs:
        raise DataNotFoundError(f"No genre folders in '{root}'. {LAYOUT}")

    files, genres, empty, skipped = [], [], [], []
    for genre_dir in genre_dirs:
        found = find_audio([genre_dir], extensions=extensions, skipped=skipped)
        if not found:
            empty.append(genre_dir.name)
        files += found
        genres += [genre_dir.name] * len(found)
    if not files:
        raise DataNotFoundError(
            f"No audio files ({', '.join(extensions)}) in the genre folders of '{root}' "
            f"({_listing(d.name for d in genre_dirs)}). {LAYOUT}"
        )
    n_genres = len(set(genres))
    if n_genres < 2:
        raise DataError(
            f"'{root}' has audio in only {n_genres} genre folder ({genres[0]!r}); genre "
            f"classification needs at least 2. {LAYOUT}"
        )
    _warn_about_files(root, files, skipped, extensions)
    if empty:
        warnings.warn(
            f"{len(empty)} folder(s) in '{root}' hold no audio files and are not used as "
            f"genres: {_listing(empty)}.",
            DataWarning,
            stacklevel=2,
        )

    from_csv, source = ({}, None) if artists is None else _read_artist_csv(artists, root)
    resolved = [p.resolve() for p in files]
    if from_csv:
        unknown = sorted(set(from_csv) - set(resolved))
        if unknown:
            shown = [
                p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p)
                for p in unknown
            ]
            warnings.warn(
                f"{len(unknown)} path(s) in {source} are not audio files of a genre "
                f"folder of '{root}' and are ignored: {_listing(shown)}. Check their "
                "spelling and that they are relative to the library root.",
                DataWarning,
                stacklevel=2,
            )

    rows = []
    relative = [p.relative_to(root) for p in files]
    track_ids = _unique_track_ids(relative)
    for path, key, genre, track_id in zip(files, resolved, genres, track_ids, strict=True):
        tag_artist, title, duration = _read_tags_and_duration(path, read_tags)
        artist = from_csv.get(key) or tag_artist
        rows.append(
            {
                "track_id": track_id,
                "path": str(path),
                "genre": genre,
                "artist": artist,
                "title": title or path.stem,
                "split": "",
                "duration": duration,
            }
        )
    metadata = pd.DataFrame(rows, columns=list(METADATA_COLUMNS))
    metadata["artist"] = metadata["artist"].astype(object)

    _warn_about_artists(metadata, root, artists, read_tags)
    return Dataset(
        "folder",
        metadata["path"].tolist(),
        metadata,
        description=(
            f"A music library in '{root}' with one folder per genre: {len(metadata)} "
            f"tracks, {n_genres} genres ({', '.join(sorted(set(genres)))})."
        ),
    )


def _loose_files(root, extensions):
    """Entries directly in ``root`` that look like tracks but are in no genre folder."""
    loose = []
    for path in sorted(root.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix.lower() in extensions and not path.is_dir():
            loose.append((path, "audio file directly in the root, not in a genre folder"))
        elif path.is_symlink() and not path.exists():
            loose.append((path, "dangling symbolic link"))
    return loose


def _warn_about_files(root, files, skipped, extensions):
    """Warn about what the scan left out, truncated files, and formats nothing decodes."""
    skipped = _loose_files(root, extensions) + skipped
    summary = describe_skipped(skipped, relative_to=root, limit=_MAX_LISTED)
    if summary:
        n_skipped = sum(reason != HIDDEN for _, reason in skipped)
        hint = " Pass extensions=(...) to include other formats." if NOT_AUDIO in summary else ""
        warnings.warn(
            f"{n_skipped} file(s) of '{root}' are not used as tracks: {summary}.{hint}",
            DataWarning,
            stacklevel=3,
        )
    cut = {p: c for p in files if (c := truncation(p)) is not None}
    if cut:
        shown = [
            f"{p.relative_to(root).as_posix()} ({have:.2f} of {declared:.2f} s)"
            for p, (have, declared) in cut.items()
        ]
        warnings.warn(
            f"{len(cut)} file(s) of '{root}' are truncated: they hold less audio than their "
            f"header declares, and only that part is used: {_listing(shown)}. Re-download "
            "or re-encode them, or remove them.",
            DataWarning,
            stacklevel=3,
        )
    needy = [p for p in files if p.suffix.lower() in FALLBACK_EXTENSIONS]
    if needy and not fallback_decoders():
        warnings.warn(
            f"{len(needy)} file(s) of '{root}' are in a format libsndfile cannot read "
            f"({', '.join(sorted({p.suffix.lower() for p in needy}))}), and no fallback "
            "decoder is installed, so they cannot be decoded: "
            f"{_listing(p.relative_to(root).as_posix() for p in needy)}. Install ffmpeg "
            "(e.g. apt install ffmpeg, brew install ffmpeg or conda install ffmpeg), or "
            "convert them to FLAC or WAV.",
            DataWarning,
            stacklevel=3,
        )


def _warn_about_artists(metadata, root, artists, read_tags):
    n_unknown = int(metadata["artist"].isna().sum())
    if n_unknown == 0:
        return
    fix = (
        "pass artists='artists.csv' (a CSV file with the columns path,artist, paths "
        "relative to the library root) or tag the files with their artist"
        + ("" if read_tags else " and keep read_tags=True")
    )
    if n_unknown == len(metadata):
        tried = (
            "the artists table covers none of them"
            if artists is not None
            else ("no artists table was given")
        )
        tried += " and no file has an artist tag" if read_tags else " and read_tags=False"
        warnings.warn(
            f"No artist is known for any of the {len(metadata)} tracks in '{root}' ({tried}). "
            "Artist filtering is impossible for this dataset: grouping falls back to one "
            "group per track, so artist-filtered splits (e.g. StratifiedGroupKFold with "
            "groups=dataset.groups) become track-level splits, which overestimate "
            "accuracy when an artist has several tracks. To fix it, " + fix + ".",
            DataWarning,
            stacklevel=3,
        )
    else:
        missing = metadata.loc[metadata["artist"].isna(), "track_id"]
        warnings.warn(
            f"{n_unknown} of {len(metadata)} tracks in '{root}' have no artist "
            f"({_listing(missing)}); each of them is its own group in artist-filtered "
            f"splits, which may let an artist's songs appear on both sides. To fix it, "
            + fix
            + ".",
            DataWarning,
            stacklevel=3,
        )
