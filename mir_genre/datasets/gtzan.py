"""GTZAN (Tzanetakis & Cook 2002) with Sturm's artist index and the fault-filtered split.

The audio (1000 30-second excerpts, 10 genres) cannot ship with the toolkit: point
:func:`load_gtzan` at your copy.  The metadata that makes an honest evaluation possible --
the artist of each excerpt (Sturm 2012/2014) and the artist-disjoint, fault-filtered
train/valid/test lists (Kereliuk, Sturm & Larsen 2015) -- is fetched on first use from
the pinned URLs in `REMOTES`, verified against their sha256, and cached; or read from a
local folder (``metadata_dir`` or ``MIR_GENRE_GTZAN_METADATA``) for offline use.

Environment variables
---------------------
``MIR_GENRE_GTZAN_ROOT``
    Default ``root`` of :func:`load_gtzan`.
``MIR_GENRE_GTZAN_METADATA``
    Default ``metadata_dir`` of :func:`fetch_metadata`: a folder holding
    ``splits/{train,valid,test}_filtered.txt`` and ``meta/GTZANindex.txt``.
``MIR_GENRE_CACHE``
    Where downloaded metadata is cached (``<cache>/gtzan``); default
    ``pooch.os_cache("mir_genre")``.
"""

import hashlib
import os
import re
import warnings
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from ..exceptions import DataError, DataNotFoundError, DataWarning
from ._base import METADATA_COLUMNS, Dataset, cache_dir

__all__ = [
    "BIBTEX",
    "LICENSE_INFO",
    "GENRES",
    "REMOTES",
    "Remote",
    "fetch_metadata",
    "read_artist_index",
    "read_split",
    "load_gtzan",
]

BIBTEX = """\
@article{tzanetakis2002gtzan,
  author = {Tzanetakis, George and Cook, Perry},
  title = {Musical genre classification of audio signals},
  journal = {IEEE Transactions on Speech and Audio Processing},
  volume = {10},
  number = {5},
  pages = {293--302},
  year = {2002}
}
@inproceedings{sturm2012analysis,
  author = {Sturm, Bob L.},
  title = {An Analysis of the {GTZAN} Music Genre Dataset},
  booktitle = {Proc. ACM Workshop on Music Information Retrieval with User-Centered
               and Multimodal Strategies (MIRUM)},
  address = {Nara, Japan},
  year = {2012}
}
@article{kereliuk2015deep,
  author = {Kereliuk, Corey and Sturm, Bob L. and Larsen, Jan},
  title = {Deep Learning and Music Adversaries},
  journal = {IEEE Transactions on Multimedia},
  volume = {17},
  number = {11},
  pages = {2059--2071},
  year = {2015}
}"""

LICENSE_INFO = """\
GTZAN audio: no licence was ever granted; the excerpts are copyrighted recordings collected
for research, so use them for research only and do not redistribute them.
Artist/title index (GTZANindex.txt): Bob L. Sturm, research metadata; cite Sturm (2012).
Fault-filtered split lists: Kereliuk, Sturm & Larsen (2015), github.com/coreyker/dnn-mgr;
cite the paper. None of these files is stored in this repository."""

#: The ten GTZAN genres, in the order of the original archive.
GENRES = (
    "blues",
    "classical",
    "country",
    "disco",
    "hiphop",
    "jazz",
    "metal",
    "pop",
    "reggae",
    "rock",
)


class Remote(NamedTuple):
    """A metadata file: canonical URL, pinned sha256, and path inside a metadata folder."""

    url: str
    sha256: str
    path: str


_DNN_MGR = (
    "https://raw.githubusercontent.com/coreyker/dnn-mgr/"
    "bdad579ea6cb37b665ea6019fe1026a6ce20cbc7/gtzan"
)
_GTZAN_BIND = (
    "https://raw.githubusercontent.com/seungheondoh/gtzan-bind/"
    "ba33dc7309afa49ef6b5176300531a9bbde2ad1f/dataset/metadata/sturm2013faults"
)

#: Metadata files by name: URL (at a pinned commit), sha256 and relative path.
REMOTES = {
    "train": Remote(
        f"{_DNN_MGR}/train_filtered.txt",
        "2b04966cef1486f1a7767b74271533fa23e220388db804a1937835e1fc4fa3fa",
        "splits/train_filtered.txt",
    ),
    "valid": Remote(
        f"{_DNN_MGR}/valid_filtered.txt",
        "f8fbee7c52397a0e0f3a91dc54fedecb2e27f5bdc9a9daeab8cb10d077e26956",
        "splits/valid_filtered.txt",
    ),
    "test": Remote(
        f"{_DNN_MGR}/test_filtered.txt",
        "09cafa6a89ce0a27f30ed250d56ecb4d03c22fffb5a693f96c7ae655ee02ac72",
        "splits/test_filtered.txt",
    ),
    "artist_index": Remote(
        f"{_GTZAN_BIND}/GTZANindex.txt",
        "7bc7140f082cccd72046ec7c6e9b9c211a7491f6e7ede38fddafc63058559833",
        "meta/GTZANindex.txt",
    ),
}

#: The predefined splits, in the order they are assigned.
SPLITS = ("train", "valid", "test")

_TRACK_RE = re.compile(r"^(?P<genre>[a-z]+)\.(?P<number>\d{5})$")
_FILE_RE = re.compile(r"^(?P<track>(?P<genre>[a-z]+)\.\d{5})\.(?P<ext>wav|au)$")
_SPLIT_ENTRY_RE = re.compile(r"^(?:(?P<folder>[a-z]+)/)?(?P<track>[a-z]+\.\d{5})\.(?:wav|au)$")

_WHERE_TO_GET = (
    "Get GTZAN from Kaggle ('GTZAN Dataset - Music Genre Classification', "
    "https://www.kaggle.com/datasets/andradaolteanu/gtzan-dataset-music-genre-classification) "
    "or the original marsyas archive (genres.tar.gz, linked from "
    "https://marsyas.info/downloads/datasets.html), unpack it "
    "and pass its folder as root= (or set MIR_GENRE_GTZAN_ROOT). Accepted layouts: "
    "<root>/genres/<genre>/<genre>.000NN.au|wav (marsyas), "
    "<root>/Data/genres_original/<genre>/<genre>.000NN.wav (Kaggle), or "
    "<root>/<genre>/<genre>.000NN.wav|au."
)

# Candidate audio folders under root, in the order they are tried.
_LAYOUTS = (
    ("marsyas", ("genres",)),
    ("kaggle", ("Data", "genres_original")),
    ("kaggle", ("genres_original",)),
    ("flat", ()),
)

_MAGIC = {"wav": (b"RIFF", b"RIFX", b"RF64"), "au": (b".snd",)}


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _local_metadata(metadata_dir):
    """Verify and return the metadata files of a local folder."""
    metadata_dir = Path(metadata_dir).expanduser()
    if not metadata_dir.is_dir():
        raise DataNotFoundError(
            f"metadata_dir={str(metadata_dir)!r} is not a folder. It must hold "
            f"{', '.join(r.path for r in REMOTES.values())}; pass a folder with copies of "
            "those files, or omit metadata_dir (and unset MIR_GENRE_GTZAN_METADATA) to "
            "download them."
        )
    paths = {}
    for name, remote in REMOTES.items():
        path = metadata_dir / remote.path
        if not path.is_file():
            raise DataNotFoundError(
                f"GTZAN metadata file {str(path)!r} is missing: metadata_dir must hold "
                f"{remote.path!r}. Download it from {remote.url} into that place, or omit "
                "metadata_dir (and unset MIR_GENRE_GTZAN_METADATA) to download it "
                "automatically."
            )
        found = _sha256(path)
        if found != remote.sha256:
            raise DataError(
                f"GTZAN metadata file {str(path)!r} has sha256 {found}, but the pinned "
                f"sha256 is {remote.sha256}: the file was edited, is truncated, or is a "
                f"different version. Replace it with a fresh copy of {remote.url}."
            )
        paths[name] = path
    return paths


def _download_metadata():
    """Download (or reuse from the cache) the metadata files, checking their sha256."""
    import pooch

    cache = cache_dir("gtzan")
    paths = {}
    for name, remote in REMOTES.items():
        fname = Path(remote.path).name
        try:
            local = pooch.retrieve(
                remote.url,
                known_hash=f"sha256:{remote.sha256}",
                path=cache,
                fname=fname,
                progressbar=False,
            )
        except ValueError as exc:
            # pooch raises ValueError when the download's hash differs from the pinned one
            # (it has deleted the file); never fall back to an unverified copy.
            raise DataError(
                f"The download of GTZAN metadata {fname!r} from {remote.url} does not match "
                f"the pinned sha256 {remote.sha256} ({exc}). The server may have served "
                "another version or a broken file; retry later, or download it by hand, "
                "check it, and pass its folder as metadata_dir."
            ) from exc
        except Exception as exc:
            raise DataNotFoundError(
                f"Could not download GTZAN metadata {fname!r} from {remote.url} into "
                f"{str(cache)!r} ({type(exc).__name__}: {exc}). Without it the artists and "
                "the fault-filtered split are unknown. Fix: connect to the network, or copy "
                f"the files ({', '.join(r.path for r in REMOTES.values())}) into a folder and "
                "pass it as metadata_dir= (or set MIR_GENRE_GTZAN_METADATA)."
            ) from exc
        paths[name] = Path(local)
    return paths


def fetch_metadata(metadata_dir=None):
    """Return local, verified copies of the GTZAN split lists and artist index.

    Parameters
    ----------
    metadata_dir : str or os.PathLike or None, default=None
        A folder with the same layout as `REMOTES` paths (``splits/train_filtered.txt``,
        ``splits/valid_filtered.txt``, ``splits/test_filtered.txt``,
        ``meta/GTZANindex.txt``).  When None, the environment variable
        ``MIR_GENRE_GTZAN_METADATA`` is used if set; otherwise the files are downloaded
        from their canonical URLs into ``$MIR_GENRE_CACHE/gtzan`` (default
        ``pooch.os_cache("mir_genre")/gtzan``) and reused from there afterwards.

    Returns
    -------
    dict of str to pathlib.Path
        ``{"train": ..., "valid": ..., "test": ..., "artist_index": ...}``.

    Raises
    ------
    DataNotFoundError
        If a file is missing from ``metadata_dir``, or the download fails.
    DataError
        If a file's sha256 differs from the pinned one (local or downloaded).

    See Also
    --------
    read_split, read_artist_index, load_gtzan

    Examples
    --------
    >>> paths = fetch_metadata("/path/to/gtzan-metadata")  # doctest: +SKIP
    >>> sorted(paths)  # doctest: +SKIP
    ['artist_index', 'test', 'train', 'valid']
    """
    if metadata_dir is None:
        metadata_dir = os.environ.get("MIR_GENRE_GTZAN_METADATA") or None
    if metadata_dir is not None:
        return _local_metadata(metadata_dir)
    return _download_metadata()


def read_artist_index(path):
    r"""Parse Sturm's GTZAN artist/title index (``GTZANindex.txt``).

    Parameters
    ----------
    path : str or os.PathLike
        The index: ``##`` comment lines, then one line per excerpt,
        ``blues.00000.wav ::: John Lee Hooker ::: One Bourbon, ...``.

    Returns
    -------
    pandas.DataFrame
        Columns ``track_id`` (``"blues.00000"``), ``artist`` and ``title``; an empty
        field becomes None (unknown).

    Raises
    ------
    DataError
        If a line is not ``<file> ::: <artist> ::: <title>``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "GTZANindex.txt"
    >>> _ = path.write_text("## comment\nblues.00000.wav ::: John Lee Hooker ::: Boogie\n"
    ...                     "jazz.00054.wav ::: :::\n")
    >>> read_artist_index(path).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'track_id': 'blues.00000', 'artist': 'John Lee Hooker', 'title': 'Boogie'},
     {'track_id': 'jazz.00054', 'artist': None, 'title': None}]
    """
    rows = []
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("##"):
            continue
        fields = [f.strip() for f in line.split(":::")]
        match = _FILE_RE.match(fields[0])
        if len(fields) < 2 or match is None:
            raise DataError(
                f"{str(path)!r}, line {lineno}: expected '<genre>.000NN.wav ::: <artist> ::: "
                f"<title>', got {line!r}. The file is not Sturm's GTZANindex.txt; replace it "
                f"with a fresh copy of {REMOTES['artist_index'].url}."
            )
        artist = fields[1] or None
        title = ":::".join(fields[2:]).strip() or None
        rows.append((match["track"], artist, title))
    return pd.DataFrame(rows, columns=["track_id", "artist", "title"], dtype=object)


def read_split(path):
    r"""Read one split list (``train_filtered.txt`` and so on) as track ids.

    Parameters
    ----------
    path : str or os.PathLike
        One entry per line, like ``blues/blues.00029.wav``.

    Returns
    -------
    list of str
        Track ids like ``"blues.00029"``, in file order.

    Raises
    ------
    DataError
        If an entry is not a GTZAN file name.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "test_filtered.txt"
    >>> _ = path.write_text("blues/blues.00012.wav\njazz/jazz.00001.wav\n")
    >>> read_split(path)
    ['blues.00012', 'jazz.00001']
    """
    ids = []
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    for lineno, line in enumerate(text.splitlines(), start=1):
        entry = line.strip()
        if not entry:
            continue
        match = _SPLIT_ENTRY_RE.match(entry)
        if match is None:
            raise DataError(
                f"{str(path)!r}, line {lineno}: expected an entry like "
                f"'blues/blues.00029.wav', got {entry!r}. Replace the file with a fresh copy "
                "of the fault-filtered split lists (see mir_genre.datasets.gtzan.REMOTES)."
            )
        ids.append(match["track"])
    return ids


def _split_of_tracks(paths):
    """Map track id -> split name from the three split lists."""
    split = {}
    for name in SPLITS:
        for track in read_split(paths[name]):
            split.setdefault(track, name)
    return split


def _find_audio(root):
    """Find the GTZAN audio folder under ``root``; return (layout, {track_id: path})."""
    for layout, parts in _LAYOUTS:
        base = root.joinpath(*parts)
        if not base.is_dir():
            continue
        found = {}
        for genre in GENRES:
            folder = base / genre
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                match = _FILE_RE.match(path.name)
                if match is None or match["genre"] != genre or not path.is_file():
                    continue
                # If both an .au and a .wav of one track exist, keep the .wav.
                if match["track"] not in found or match["ext"] == "wav":
                    found[match["track"]] = path
        if found:
            return layout, found
    return None, {}


def _check_header(path):
    """Return (duration, None) for a readable file or (None, why) for a corrupt one."""
    import soundfile as sf

    ext = path.suffix.lstrip(".").lower()
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        return None, f"cannot be opened ({exc})"
    if not head:
        return None, "is empty"
    if head not in _MAGIC[ext]:
        expected = " or ".join(repr(m) for m in _MAGIC[ext])
        return None, f"has no {ext.upper()} header (starts with {head!r}, expected {expected})"
    try:
        info = sf.info(str(path))
    except Exception as exc:  # libsndfile raises several types for bad headers
        return None, f"has an unreadable header ({type(exc).__name__}: {exc})"
    if info.frames <= 0 or info.samplerate <= 0:
        return None, "holds no audio frames"
    return info.frames / info.samplerate, None


def load_gtzan(root=None, *, metadata_dir=None):
    """Load GTZAN with genres, Sturm's artists and the fault-filtered split.

    Parameters
    ----------
    root : str or os.PathLike or None, default=None
        Your GTZAN folder; when None, the environment variable ``MIR_GENRE_GTZAN_ROOT``.
        The layout is detected: ``<root>/genres/<genre>/<genre>.000NN.au|wav`` (marsyas
        archive), ``<root>/Data/genres_original/<genre>/<genre>.000NN.wav`` (Kaggle), or
        ``<root>/<genre>/<genre>.000NN.wav|au``.  Any subset of the 1000 excerpts loads.
    metadata_dir : str or os.PathLike or None or False, default=None
        Where the artist index and split lists come from (see `fetch_metadata`).  False
        skips them (with a `DataWarning`): no artists and no predefined split.

    Returns
    -------
    Dataset
        ``X`` is a list of file paths (str), one per excerpt, sorted by track id.  The
        metadata has the columns ``track_id`` (``"blues.00000"``), ``path``, ``genre``,
        ``artist`` (None when unknown), ``title``, ``split`` (``"train"``, ``"valid"``,
        ``"test"`` or ``""`` for excerpts the fault-filtered split leaves out) and
        ``duration`` (seconds, from the file header).

    Raises
    ------
    DataNotFoundError
        If ``root`` is not given, does not exist, or holds no GTZAN file; or the metadata
        cannot be found or downloaded.
    DataError
        If a metadata file fails its sha256 check.

    Warns
    -----
    DataWarning
        Once, listing every corrupt file excluded (the Kaggle copy's ``jazz.00054.wav``
        has no RIFF header).

    See Also
    --------
    fetch_metadata, mir_genre.datasets.Dataset

    Examples
    --------
    >>> ds = load_gtzan("/data/gtzan")  # doctest: +SKIP
    >>> ds  # doctest: +SKIP
    <Dataset 'gtzan': 999 tracks, 10 genres, 918 with a known artist, splits: ...>
    >>> from sklearn.model_selection import StratifiedGroupKFold  # doctest: +SKIP
    >>> cv = StratifiedGroupKFold(5).split(ds.X, ds.y, groups=ds.groups)  # doctest: +SKIP
    """
    if root is None:
        root = os.environ.get("MIR_GENRE_GTZAN_ROOT") or None
    if root is None:
        raise DataNotFoundError(
            f"load_gtzan needs root= (or the MIR_GENRE_GTZAN_ROOT variable); none was given. "
            f"{_WHERE_TO_GET}"
        )
    root = Path(root).expanduser()
    if not root.is_dir():
        raise DataNotFoundError(f"GTZAN root {str(root)!r} is not a folder. {_WHERE_TO_GET}")
    layout, files = _find_audio(root)
    if not files:
        raise DataNotFoundError(
            f"No GTZAN audio (files named <genre>.000NN.wav or .au in genre folders) was "
            f"found under {str(root)!r}. {_WHERE_TO_GET}"
        )

    rows, excluded = [], []
    for track in sorted(files):
        path = files[track]
        duration, why = _check_header(path)
        if why is not None:
            excluded.append(f"{path} {why}")
            continue
        rows.append(
            {
                "track_id": track,
                "path": str(path),
                "genre": track.split(".")[0],
                "duration": duration,
            }
        )
    if excluded:
        warnings.warn(
            f"GTZAN: excluded {len(excluded)} corrupt file(s) under {str(root)!r}: "
            + "; ".join(excluded)
            + ". (The Kaggle copy ships jazz.00054.wav corrupt.) To include them, replace "
            "them with good copies from the marsyas archive.",
            DataWarning,
            stacklevel=2,
        )
    if not rows:
        raise DataNotFoundError(
            f"Every GTZAN file found under {str(root)!r} is corrupt. {_WHERE_TO_GET}"
        )
    meta = pd.DataFrame(rows)

    if metadata_dir is False:
        warnings.warn(
            "load_gtzan(metadata_dir=False): the artist index and the fault-filtered split "
            "are skipped, so artist-filtered evaluation is impossible (every track is its own "
            "group). Pass metadata_dir=None to download them.",
            DataWarning,
            stacklevel=2,
        )
        meta["artist"] = pd.Series([None] * len(meta), dtype=object)
        meta["title"] = pd.Series([None] * len(meta), dtype=object)
        meta["split"] = ""
    else:
        paths = fetch_metadata(metadata_dir)
        index = read_artist_index(paths["artist_index"]).set_index("track_id")
        artists = index["artist"].to_dict()
        titles = index["title"].to_dict()
        split = _split_of_tracks(paths)
        meta["artist"] = pd.Series([artists.get(t) for t in meta["track_id"]], dtype=object)
        meta["title"] = pd.Series([titles.get(t) for t in meta["track_id"]], dtype=object)
        meta["split"] = [split.get(t, "") for t in meta["track_id"]]
    meta = meta[list(METADATA_COLUMNS)]

    description = (
        f"GTZAN music genre dataset (Tzanetakis & Cook 2002), {layout} layout at {root}: "
        "30-second excerpts in 10 genres. Artists from Sturm's index (Sturm 2012); "
        "split = the artist-disjoint fault-filtered train/valid/test lists of Kereliuk, "
        f"Sturm & Larsen (2015).\n{LICENSE_INFO}\n\nCite:\n{BIBTEX}"
    )
    return Dataset(
        "gtzan",
        meta["path"].tolist(),
        meta,
        kind="audio",
        checksums={},
        description=description,
    )
