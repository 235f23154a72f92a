"""Honest scans: what find_audio, load_folder and extract skip, and the file errors of load.

Every fault is made by the test itself: dangling links, FIFOs, truncated files, unreadable
files (with chmod, or an injected PermissionError when running as root, who may read
anything), and formats that need the fallback decoder.
"""

import os
import re
import shutil
import subprocess
import threading
import warnings

import numpy as np
import pytest
import soundfile as sf

import mir_genre
from mir_genre import _paths, audio
from mir_genre.audio import (
    AUDIO_EXTENSIONS,
    FALLBACK_EXTENSIONS,
    HIDDEN,
    NOT_AUDIO,
    describe_skipped,
    find_audio,
    load,
    truncation,
)
from mir_genre.datasets.folder import load_folder
from mir_genre.exceptions import AudioError, AudioWarning, DataWarning
from mir_genre.extract import main

from .conftest import make_tone

SR = 8000
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


def _write(path, seconds=1.0, **kwargs):
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, make_tone(seconds, sr=SR), SR, **kwargs)
    return path


def _name(path):
    return re.escape(str(path))


def _fifo(path):
    os.mkfifo(path)
    return path


def _no_hang(func, *args, seconds=20):
    """Run ``func`` in a thread; fail (instead of hanging) if it blocks, e.g. on a FIFO."""
    result = {}

    def run():
        try:
            result["value"] = func(*args)
        except BaseException as exc:  # handed back to the test
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{func.__name__} blocked for {seconds} s"
    if "error" in result:
        raise result["error"]
    return result["value"]


# --------------------------------------------------------------------------- find_audio


def _dangling(folder):
    (folder / "gone.wav").symlink_to(folder / "deleted.wav")
    return "gone.wav", "dangling symbolic link"


def _fifo_entry(folder):
    _fifo(folder / "pipe.wav")
    return "pipe.wav", "not a regular file (a FIFO (named pipe))"


def _other_extension(folder):
    (folder / "cover.jpg").write_bytes(b"\xff\xd8")
    return "cover.jpg", NOT_AUDIO


def _no_extension(folder):
    (folder / "README").write_text("liner notes")
    return "README", NOT_AUDIO


def _hidden_file(folder):
    (folder / "._a.wav").write_bytes(b"\x00\x05\x16\x07")  # macOS resource fork
    return "._a.wav", HIDDEN


def _hidden_folder(folder):
    _write(folder / ".trash" / "old.wav")
    return ".trash", HIDDEN


def _folder_link(folder):
    _write(folder.parent / "elsewhere" / "x.wav")
    (folder / "linked").symlink_to(folder.parent / "elsewhere", target_is_directory=True)
    return "linked", "link to a folder, not followed"


SKIPS = [
    pytest.param(_dangling, id="dangling-link"),
    pytest.param(_fifo_entry, id="fifo", marks=needs_fifo),
    pytest.param(_other_extension, id="other-extension"),
    pytest.param(_no_extension, id="no-extension"),
    pytest.param(_hidden_file, id="hidden-file"),
    pytest.param(_hidden_folder, id="hidden-folder"),
    pytest.param(_folder_link, id="folder-link"),
]


@pytest.mark.parametrize("make_fault", SKIPS)
def test_find_audio_reports_what_it_skips(tmp_path, make_fault):
    folder = tmp_path / "music"
    good = _write(folder / "a.wav")
    name, reason = make_fault(folder)
    skipped = []
    found = _no_hang(lambda: find_audio([folder], skipped=skipped))
    assert found == [good]
    assert skipped == [(folder / name, reason)]
    # Without skipped= the result is the same list of paths, as before.
    assert _no_hang(lambda: find_audio([folder])) == [good]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may list any folder")
def test_find_audio_reports_an_unlistable_folder(tmp_path):
    folder = tmp_path / "music"
    good = _write(folder / "a.wav")
    _write(folder / "locked" / "b.wav")
    (folder / "locked").chmod(0)
    try:
        skipped = []
        assert find_audio([folder], skipped=skipped) == [good]
    finally:
        (folder / "locked").chmod(0o755)
    assert skipped == [(folder / "locked", "folder cannot be listed (Permission denied)")]


def test_find_audio_finds_every_promised_format(tmp_path):
    for ext in (*AUDIO_EXTENSIONS, ".M4A"):
        (tmp_path / f"song{ext}").write_bytes(b"x")
    skipped = []
    found = find_audio([tmp_path], skipped=skipped)
    assert sorted(p.suffix.lower() for p in found) == sorted([*AUDIO_EXTENSIONS, ".m4a"])
    assert {".m4a", ".aac", ".wma"} <= set(FALLBACK_EXTENSIONS)
    assert skipped == []


def test_find_audio_names_a_dangling_link_given_directly(tmp_path):
    (tmp_path / "gone.wav").symlink_to(tmp_path / "deleted.wav")
    with pytest.raises(FileNotFoundError, match="dangling symbolic link.*deleted.wav"):
        find_audio([tmp_path / "gone.wav"])
    with pytest.raises(FileNotFoundError, match="No such file or folder"):
        find_audio([tmp_path / "never.wav"])


def test_describe_skipped_counts_reasons_and_leaves_hidden_out(tmp_path):
    skipped = [(tmp_path / f"c{i}.jpg", NOT_AUDIO) for i in range(7)]
    skipped += [
        (tmp_path / "x.txt", NOT_AUDIO),
        (tmp_path / "sub" / "l.wav", "dangling symbolic link"),
    ]
    skipped += [(tmp_path / ".DS_Store", HIDDEN)]
    text = describe_skipped(skipped, relative_to=tmp_path, limit=3)
    assert text == (
        "8 extension not scanned (.jpg: 7, .txt: 1): 'c0.jpg', 'c1.jpg', 'c2.jpg' and 5 more; "
        "1 dangling symbolic link: 'sub/l.wav'"
    )
    assert describe_skipped([(tmp_path / ".DS_Store", HIDDEN)]) == ""


# --------------------------------------------------------------------------- load: file errors


def test_load_fifo_is_not_a_regular_file_and_never_blocks(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    pipe = _fifo(tmp_path / "pipe.wav")
    with pytest.raises(AudioError, match=rf"'{_name(pipe)}' is not a regular file: it is a FIFO"):
        _no_hang(load, pipe)


def test_load_dangling_link_is_named_as_such(tmp_path):
    link = tmp_path / "gone.wav"
    link.symlink_to(tmp_path / "deleted.wav")
    with pytest.raises(AudioError, match=rf"'{_name(link)}' is a dangling symbolic link.*deleted"):
        load(link)


def _deny_open(monkeypatch, path):
    """Make ``path`` unreadable: chmod 000, or (root reads anything) refuse open()."""
    if os.geteuid() != 0:
        path.chmod(0)
        return
    real_open = open

    def deny(file, *args, **kwargs):
        if os.fspath(file) == os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(_paths, "open", deny, raising=False)


def test_load_permission_denied_says_so(tmp_path, monkeypatch):
    path = _write(tmp_path / "locked.wav")
    _deny_open(monkeypatch, path)
    try:
        with pytest.raises(
            AudioError, match=rf"Permission denied reading audio file '{_name(path)}'.*chmod"
        ) as info:
            load(path)
    finally:
        path.chmod(0o644)
    assert "corrupt" not in str(info.value)


def test_load_permission_denied_by_the_decoder_says_so(tmp_path, monkeypatch):
    """Access lost between the checks and the decoder: still not reported as corrupt."""
    path = _write(tmp_path / "song.wav")

    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(sf, "SoundFile", deny)
    with pytest.raises(AudioError, match=r"Permission denied.*chown") as info:
        load(path)
    assert "corrupt" not in str(info.value)


# --------------------------------------------------------------------------- truncated files

TRUNCATABLE = [
    pytest.param("WAV", "PCM_16", ".wav", id="wav-pcm16"),
    pytest.param("WAV", "FLOAT", ".wav", id="wav-float"),
    pytest.param("AIFF", "PCM_24", ".aiff", id="aiff"),
    pytest.param("AU", "PCM_16", ".au", id="au"),
]


@pytest.mark.parametrize(("fmt", "subtype", "suffix"), TRUNCATABLE)
def test_truncated_file_warns_with_what_is_there(tmp_path, fmt, subtype, suffix):
    path = _write(tmp_path / f"cut{suffix}", seconds=1.0, format=fmt, subtype=subtype)
    assert truncation(path) is None
    load(path, sr=None)  # complete: no warning (warnings are errors in this suite)
    size = path.stat().st_size
    os.truncate(path, size - (size - 100) // 2)  # keep the header and about half the audio
    have, declared = truncation(path)
    assert declared == pytest.approx(1.0)
    assert 0.4 < have < 0.6
    with pytest.warns(
        AudioWarning, match=rf"'{_name(path)}' is truncated: it holds 0\.\d\d s of the 1\.00 s"
    ):
        y, sr = load(path, sr=None)
    assert sr == SR and len(y) == pytest.approx(have * SR, abs=2)


def test_truncation_ignores_what_it_cannot_tell(tmp_path):
    assert truncation(_write(tmp_path / "a.flac")) is None  # no byte count in the header
    (tmp_path / "junk.wav").write_bytes(b"RIFF\x00")
    assert truncation(tmp_path / "junk.wav") is None
    assert truncation(tmp_path / "missing.wav") is None


# --------------------------------------------------------------------------- fallback formats


def test_m4a_without_a_fallback_decoder_says_to_install_ffmpeg(tmp_path, monkeypatch):
    path = tmp_path / "song.m4a"
    path.write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(200))
    monkeypatch.setattr(audio, "fallback_decoders", lambda: [])
    with pytest.raises(AudioError, match=rf"'{_name(path)}'.*cannot read \.m4a.*Install ffmpeg"):
        load(path)


def test_m4a_goes_to_the_fallback_decoder(tmp_path, monkeypatch):
    path = tmp_path / "song.m4a"
    path.write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(200))
    tone = make_tone(0.5, sr=SR)

    def decoded(p, offset, duration):
        assert p == path
        return tone[np.newaxis, :], SR

    monkeypatch.setattr(audio, "_read_audioread", decoded)
    y, sr = load(path, sr=None)
    np.testing.assert_array_equal(y, tone)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_real_m4a_decodes_with_ffmpeg(tmp_path):
    wav = _write(tmp_path / "tone.wav")
    m4a = tmp_path / "tone.m4a"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(wav), str(m4a)], check=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        y, sr = load(m4a, sr=None)
    assert sr == SR and abs(len(y) - SR) < SR // 10


# --------------------------------------------------------------------------- load_folder


def _library(root):
    for genre in ("rock", "jazz"):
        for i in range(2):
            _write(root / genre / f"{genre}{i}.wav")
    return root


def _lib_dangling(root):
    (root / "rock" / "gone.wav").symlink_to(root / "rock" / "deleted.wav")
    return r"1 dangling symbolic link: 'rock/gone.wav'"


def _lib_fifo(root):
    _fifo(root / "jazz" / "pipe.flac")
    return r"1 not a regular file \(a FIFO \(named pipe\)\): 'jazz/pipe.flac'"


def _lib_other(root):
    (root / "jazz" / "song.xyz").write_bytes(b"x")
    return r"1 extension not scanned \(\.xyz: 1\): 'jazz/song.xyz'.*extensions="


def _lib_loose(root):
    _write(root / "loose.wav")
    return r"not in a genre folder: 'loose.wav'"


def _lib_folder_link(root):
    _write(root.parent / "elsewhere" / "x.wav")
    (root / "rock" / "more").symlink_to(root.parent / "elsewhere", target_is_directory=True)
    return r"1 link to a folder, not followed: 'rock/more'"


LIBRARY_FAULTS = [
    pytest.param(_lib_dangling, id="dangling-link"),
    pytest.param(_lib_fifo, id="fifo", marks=needs_fifo),
    pytest.param(_lib_other, id="other-extension"),
    pytest.param(_lib_loose, id="loose-file"),
    pytest.param(_lib_folder_link, id="folder-link"),
]


def _load_quietly_about_artists(root):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        ds = _no_hang(load_folder, root)
    return ds, [w for w in record if "artist" not in str(w.message)]


@pytest.mark.parametrize("make_fault", LIBRARY_FAULTS)
def test_load_folder_reports_skipped_files(tmp_path, make_fault):
    root = _library(tmp_path / "lib")
    match = make_fault(root)
    ds, record = _load_quietly_about_artists(root)
    assert len(ds) == 4
    assert [w.category for w in record] == [DataWarning]
    message = str(record[0].message)
    assert message.startswith(f"1 file(s) of '{root}' are not used as tracks: ")
    assert re.search(match, message), message


def test_load_folder_hidden_files_stay_silent(tmp_path):
    root = _library(tmp_path / "lib")
    (root / "rock" / ".DS_Store").write_bytes(b"\0")
    (root / "rock" / "._rock0.wav").write_bytes(b"\x00\x05\x16\x07")
    _write(root / ".git" / "x.wav")
    ds, record = _load_quietly_about_artists(root)
    assert len(ds) == 4 and record == []


def test_load_folder_warns_about_truncated_files(tmp_path):
    root = _library(tmp_path / "lib")
    path = root / "rock" / "rock1.wav"
    os.truncate(path, 44 + SR)  # the header and half a second of 16-bit samples
    ds, record = _load_quietly_about_artists(root)
    assert len(ds) == 4
    (warning,) = record
    assert warning.category is DataWarning
    assert "1 file(s) of" in str(warning.message)
    assert "truncated" in str(warning.message)
    assert "rock/rock1.wav (0.50 of 1.00 s)" in str(warning.message)


def test_load_folder_warns_when_no_decoder_reads_m4a(tmp_path, monkeypatch):
    root = _library(tmp_path / "lib")
    (root / "jazz" / "new.m4a").write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(200))
    monkeypatch.setattr(audio, "fallback_decoders", lambda: [])
    monkeypatch.setattr("mir_genre.datasets.folder.fallback_decoders", lambda: [])
    ds, record = _load_quietly_about_artists(root)
    assert len(ds) == 5  # kept: the format is promised, only the decoder is missing
    (warning,) = record
    assert warning.category is DataWarning
    assert re.search(
        r"1 file\(s\).*\(\.m4a\).*'jazz/new.m4a'.*Install ffmpeg", str(warning.message)
    )


# --------------------------------------------------------------------------- extract


def test_extract_lists_skipped_files_on_stderr(tmp_path, capsys):
    root = tmp_path / "music"
    good = _write(root / "a.wav")
    (root / "notes.txt").write_text("x")
    (root / "gone.wav").symlink_to(root / "deleted.wav")
    (root / ".DS_Store").write_bytes(b"\0")
    if hasattr(os, "mkfifo"):
        _fifo(root / "pipe.wav")
    out = tmp_path / "f.csv"
    # Compile librosa's numba functions first (a fresh cache takes many seconds), so that
    # the time bound measures the scan, not the compilation.
    mir_genre.get_extractor("mfcc_deltas").transform([good])
    assert _no_hang(main, [str(root), "-q", "-e", "mfcc_deltas", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    n = 3 if hasattr(os, "mkfifo") else 2
    assert f"skipped {n} file(s) in the folders given:" in err
    assert f"1 extension not scanned (.txt: 1): '{root / 'notes.txt'}'" in err
    assert f"1 dangling symbolic link: '{root / 'gone.wav'}'" in err
    assert ".DS_Store" not in err
    if hasattr(os, "mkfifo"):
        assert f"not a regular file (a FIFO (named pipe)): '{root / 'pipe.wav'}'" in err
    assert out.read_text().count(str(good)) == 1


def test_streaming_reader_names_a_fifo_and_warns_on_a_truncated_file(tmp_path):
    """predict's window-by-window reader checks files as load does (never blocks)."""
    from mir_genre.streaming import stream_windows

    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    with pytest.raises(AudioError, match="not a regular file"):
        list(stream_windows(fifo, sr=22050, window=1.0))
    cut = tmp_path / "cut.wav"
    sf.write(cut, np.zeros(22050, dtype=np.float32), 22050)
    cut.write_bytes(cut.read_bytes()[: 44 + 22050])  # half of the 16-bit samples
    with pytest.warns(AudioWarning, match="truncated"):
        windows = list(stream_windows(cut, sr=22050, window=1.0))
    assert sum(len(w) for w in windows) == 11025
