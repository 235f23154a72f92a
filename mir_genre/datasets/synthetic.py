"""A generated music-genre dataset with a real artist effect, for tests and demos.

Every track is synthesised from a small set of vectorised numpy primitives: wavetable
oscillators with harmonic weights (additive tones), exponential envelopes (plucked,
struck and sustained notes), noise bursts with envelopes convolved with hit trains
(drums), ``tanh`` soft clipping (distortion), one-pole filters through
:func:`scipy.signal.lfilter` (brightness), and a decaying-noise reverb tail.  No Python
loop runs over samples; loops run only over tracks, voices and drum kinds.

Genre recipes
-------------
Each genre has its own tempo range, swing, drum pattern, harmony and timbre:

blues
    Shuffle (triplet swing), kick on 1 and 3, backbeat snare, dominant-7th 12-bar
    changes (I7-IV7-V7) comped by an overdriven plucked guitar, pentatonic licks.
classical
    No drums; sustained, slowly swelling string pads with vibrato on triads
    (I-vi-IV-V, i-iv-V), a soft melody, long reverb.
country
    Train beat (brushed snare sixteenths accented on 2 and 4), boom-chick bass on root
    and fifth, bright twangy plucked major triads.
disco
    Four-on-the-floor kick, open hi-hats on the off-beats, clap on 2 and 4, octave bass
    in eighths, string pads on minor-7th chords.
hiphop
    Slow boom-bap with swung hi-hats, heavy 808-style sub bass on the kicks, dusty
    low-passed minor-7th keys.
jazz
    Swung ride cymbal ("ding, ding-a-ding"), feathered kick, walking bass, extended
    7th/9th chords (ii-V-I) on a soft piano-like timbre.
metal
    Fast double kick in sixteenths, crash-like cymbal in eighths, palm-muted,
    heavily distorted power chords.
pop
    Steady backbeat with a clap, closed hi-hats, square-wave synth plucks and a pad on
    bright major triads (I-V-vi-IV).
reggae
    One-drop (kick and rim shot on beat 3 only), short off-beat skank chords, a
    deep, loud bass line.
rock
    Backbeat with eighth-note hi-hats, moderately distorted guitar strumming power
    chords and triads (I-IV-V, I-bVII-IV).

Artist signature
----------------
Every artist draws a fixed signature from ``(seed, genre, artist index)``, independent
of the other genres and artists asked for; all its tracks share it: a personal key and
register, personal harmonic weights, brightness and decay for every instrument, a drum
kit (kick pitch, snare tone, cymbal decays), a mix (drum versus instrument balance,
distortion drive, reverb length and amount, a coloured noise floor, loudness), a random
equaliser curve (a 65-tap linear-phase FIR filter, +-12 dB, with a spectral tilt)
applied to the whole mix, and a tempo at a fixed point of the genre's range.

Tracks of one artist vary: chord progression, start bar and position in the bar,
melody, drum ghost notes, humanised velocities, a small tempo jitter, the mix balance
and brightness, a small spectral tilt, and sometimes another key.  As in GTZAN, where
tracks of one artist (often from one album) sound alike, a classifier scores clearly
higher when an artist's tracks fall on both sides of a split than under an
artist-filtered split, while genre stays learnable across artists.

Speed
-----
Each track costs a few dozen vectorised passes over its samples plus about six FFTs;
all linear stages after the instruments (drum sounds, reverb, equaliser, tilt) are one
product of spectra.  Convolutions are circular: tails overhanging the end of a clip
wrap to its start, as if the clip were one turn of a loop.
"""

import hashlib
import json
import os
import zlib
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd

from .._common import atomic_write
from ..exceptions import ParameterError
from ._base import METADATA_COLUMNS, Dataset, cache_dir
from .gtzan import GENRES

__all__ = ["GTZAN_GENRES", "load_synthetic"]

#: The 10 GTZAN genres, the default ``genres`` of `load_synthetic`, in GTZAN's order.
GTZAN_GENRES = GENRES

# Bump when the generated audio changes, so stale cache files are never reused.
_GENERATOR_VERSION = 1

_TABLE_SIZE = 2048  # a power of two (see `_oscillator`)
_EQ_DELAY = 32  # half the length of the artist's linear-phase equaliser
# Log-normal spread of a track's mix balance and brightness around its artist's.
_TRACK_SPREAD = 0.35
_STEPS = 16  # sixteenth-note steps per 4/4 bar

# Chord qualities as semitone intervals above the root.
_QUALITIES = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "7": (0, 4, 7, 10),
    "m7": (0, 3, 7, 10),
    "maj7": (0, 4, 7, 11),
    "9": (0, 4, 7, 10, 14),
    "m9": (0, 3, 7, 10, 14),
    "maj9": (0, 4, 7, 11, 14),
    "5": (0, 7, 12),
}

# Harmonic weights (first 12 partials) of the basic timbres.
_K = np.arange(1, 13, dtype=float)
_TIMBRES = {
    "sine": np.r_[1.0, np.zeros(11)],
    "saw": 1.0 / _K,
    "square": np.where(_K % 2 == 1, 1.0 / _K, 0.0),
    "string": 1.0 / _K**1.2,
    "pluck": 1.0 / _K**0.8,
    "piano": 1.0 / _K**1.8,
    "organ": np.r_[1.0, 0.6, 0.4, 0.5, 0.1, 0.3, 0, 0.2, 0, 0, 0, 0.05],
    "twang": np.r_[0.6, 1.0, 0.8, 0.7, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3, 0.25],
    "bass": np.r_[1.0, 0.5, 0.25, 0.12, 0.06, np.zeros(7)],
}


def _chords(spec):
    """Parse ``"0:7 5:7 7:7"`` (root offset : quality) into a list of tuples."""
    out = []
    for item in spec.split():
        root, quality = item.split(":")
        out.append((int(root), quality))
    return out


# Per genre: tempo range (bpm), eighth swing (0.5 straight, 0.67 triplet), scale for
# melodies, progressions (one chord per bar unless ``chords_per_bar`` says otherwise),
# drum patterns per kit piece ("X" accent, "x" normal, "o" ghost), and the instruments.
# Instrument keys: role (chord/bass/melody/pad), pattern, dur (steps), timbre, env
# (pluck/pad/stab), decay (s), octave, drive, cutoff (Hz), gain, and for basses a line
# (root, root_fifth, octave, walk).
_GENRES = {
    "blues": {
        "bpm": (68, 96),
        "swing": 0.67,
        "scale": (0, 3, 5, 6, 7, 10),
        "progressions": [
            _chords("0:7 5:7 0:7 0:7 5:7 5:7 0:7 0:7 7:7 5:7 0:7 7:7"),
            _chords("0:7 5:7 0:7 7:7"),
            _chords("0:9 5:9 0:9 7:9"),
        ],
        "drums": {
            "kick": "X.......x.......",
            "snare": "....X.......X...",
            "hat": "x.o.x.o.x.o.x.o.",
        },
        "instruments": [
            {
                "role": "chord",
                "pattern": "X.x.X.x.X.x.X.x.",
                "dur": 2,
                "timbre": "pluck",
                "env": "pluck",
                "decay": 0.35,
                "octave": 0,
                "drive": 2.0,
                "cutoff": 2500,
                "gain": 0.5,
            },
            {
                "role": "bass",
                "pattern": "x...x...x...x...",
                "line": "walk",
                "dur": 4,
                "timbre": "bass",
                "env": "pluck",
                "decay": 0.5,
                "octave": -2,
                "cutoff": 800,
                "gain": 0.8,
            },
            {
                "role": "melody",
                "pattern": "x.x.x.x.x.x.x.x.",
                "density": 0.45,
                "dur": 2,
                "timbre": "saw",
                "env": "pluck",
                "decay": 0.3,
                "octave": 1,
                "drive": 3.0,
                "cutoff": 3000,
                "gain": 0.35,
            },
        ],
    },
    "classical": {
        "bpm": (56, 92),
        "swing": 0.5,
        "scale": (0, 2, 4, 5, 7, 9, 11),
        "progressions": [
            _chords("0:maj 9:min 5:maj 7:maj"),
            _chords("0:min 5:min 7:maj 0:min"),
            _chords("0:maj 5:maj 7:maj 0:maj"),
            _chords("0:maj 4:min 9:min 7:maj"),
        ],
        "drums": {},
        "reverb": 1.5,
        "instruments": [
            {
                "role": "pad",
                "pattern": "X...............",
                "dur": 16,
                "timbre": "string",
                "env": "pad",
                "attack": 0.35,
                "octave": 0,
                "cutoff": 3000,
                "gain": 0.5,
                "vibrato": 0.005,
            },
            {
                "role": "bass",
                "pattern": "X.......X.......",
                "line": "root",
                "dur": 8,
                "timbre": "string",
                "env": "pad",
                "attack": 0.2,
                "octave": -2,
                "cutoff": 1200,
                "gain": 0.5,
                "vibrato": 0.004,
            },
            {
                "role": "melody",
                "pattern": "x...x...x...x...",
                "density": 0.8,
                "dur": 4,
                "timbre": "string",
                "env": "pad",
                "attack": 0.08,
                "octave": 1,
                "cutoff": 4000,
                "gain": 0.35,
                "vibrato": 0.006,
            },
        ],
    },
    "country": {
        "bpm": (100, 132),
        "swing": 0.5,
        "scale": (0, 2, 4, 7, 9),
        "progressions": [
            _chords("0:maj 5:maj 7:maj 0:maj"),
            _chords("0:maj 0:maj 5:maj 7:maj"),
            _chords("0:maj 7:maj 5:maj 0:maj"),
        ],
        "drums": {
            "kick": "X.......X.......",
            "brush": "ooooXoooooooXooo",
        },
        "instruments": [
            {
                "role": "chord",
                "pattern": "....X.x.....X.x.",
                "dur": 2,
                "timbre": "twang",
                "env": "pluck",
                "decay": 0.18,
                "octave": 0,
                "cutoff": 7000,
                "gain": 0.55,
            },
            {
                "role": "bass",
                "pattern": "X.......X.......",
                "line": "root_fifth",
                "dur": 4,
                "timbre": "bass",
                "env": "pluck",
                "decay": 0.3,
                "octave": -2,
                "cutoff": 900,
                "gain": 0.8,
            },
            {
                "role": "melody",
                "pattern": "x.x.x.x.x.x.x.x.",
                "density": 0.5,
                "dur": 2,
                "timbre": "twang",
                "env": "pluck",
                "decay": 0.2,
                "octave": 1,
                "cutoff": 8000,
                "gain": 0.35,
            },
        ],
    },
    "disco": {
        "bpm": (112, 130),
        "swing": 0.5,
        "scale": (0, 2, 3, 5, 7, 10),
        "progressions": [
            _chords("0:m7 5:m7 0:m7 5:m7"),
            _chords("0:m7 3:maj7 5:m7 7:m7"),
            _chords("0:m9 10:maj 8:maj7 7:m7"),
        ],
        "drums": {
            "kick": "X...X...X...X...",
            "clap": "....X.......X...",
            "open_hat": "..X...X...X...X.",
            "hat": "o...o...o...o...",
        },
        "instruments": [
            {
                "role": "pad",
                "pattern": "X.......X.......",
                "dur": 8,
                "timbre": "saw",
                "env": "pad",
                "attack": 0.05,
                "octave": 0,
                "cutoff": 3500,
                "gain": 0.35,
                "vibrato": 0.003,
            },
            {
                "role": "bass",
                "pattern": "x.x.x.x.x.x.x.x.",
                "line": "octave",
                "dur": 2,
                "timbre": "bass",
                "env": "pluck",
                "decay": 0.15,
                "octave": -2,
                "cutoff": 1500,
                "gain": 0.8,
            },
        ],
    },
    "hiphop": {
        "bpm": (78, 98),
        "swing": 0.58,
        "scale": (0, 3, 5, 7, 10),
        "progressions": [
            _chords("0:m7 0:m7 8:maj7 8:maj7"),
            _chords("0:m9 5:m7 0:m9 5:m7"),
            _chords("0:m7 3:maj7 0:m7 10:maj"),
        ],
        "drums": {
            "kick": "X......x..X.....",
            "snare": "....X.......X...",
            "hat": "x.x.x.x.x.x.x.x.",
            "sub": "X......x..X.....",
        },
        "instruments": [
            {
                "role": "chord",
                "pattern": "X.......X.......",
                "dur": 8,
                "timbre": "piano",
                "env": "pluck",
                "decay": 0.9,
                "octave": 0,
                "cutoff": 1200,
                "gain": 0.45,
            },
        ],
    },
    "jazz": {
        "bpm": (110, 180),
        "swing": 0.67,
        "chords_per_bar": 2,
        "scale": (0, 2, 3, 4, 7, 9, 10),
        "progressions": [
            _chords("2:m7 7:7 0:maj7 0:maj7"),
            _chords("2:m9 7:9 0:maj9 9:7"),
            _chords("0:maj7 9:m7 2:m7 7:7"),
            _chords("4:m7 9:7 2:m7 7:9"),
        ],
        "drums": {
            "ride": "X...x.o.X...x.o.",
            "pedal_hat": "....x.......x...",
            "kick": "o...o...o...o...",
        },
        "instruments": [
            {
                "role": "chord",
                "pattern": "X.....x.....x...",
                "dur": 3,
                "timbre": "piano",
                "env": "pluck",
                "decay": 0.6,
                "octave": 0,
                "cutoff": 3000,
                "gain": 0.45,
                "random_comp": True,
            },
            {
                "role": "bass",
                "pattern": "x...x...x...x...",
                "line": "walk",
                "dur": 4,
                "timbre": "bass",
                "env": "pluck",
                "decay": 0.4,
                "octave": -2,
                "cutoff": 700,
                "gain": 0.9,
            },
        ],
    },
    "metal": {
        "bpm": (140, 190),
        "swing": 0.5,
        "scale": (0, 1, 3, 5, 7, 8, 10),
        "progressions": [
            _chords("0:5 0:5 1:5 0:5"),
            _chords("0:5 8:5 10:5 0:5"),
            _chords("0:5 3:5 1:5 0:5"),
        ],
        "drums": {
            "kick": "XxXxXxXxXxXxXxXx",
            "snare": "....X.......X...",
            "crash": "x.x.x.x.x.x.x.x.",
        },
        "instruments": [
            {
                "role": "chord",
                "pattern": "XxxxXxxxXxxxXxxx",
                "dur": 1,
                "timbre": "saw",
                "env": "pluck",
                "decay": 0.12,
                "octave": -1,
                "drive": 12.0,
                "cutoff": 4500,
                "gain": 0.6,
            },
            {
                "role": "bass",
                "pattern": "xxxxxxxxxxxxxxxx",
                "line": "root",
                "dur": 1,
                "timbre": "bass",
                "env": "pluck",
                "decay": 0.1,
                "octave": -2,
                "drive": 3.0,
                "cutoff": 1000,
                "gain": 0.6,
            },
        ],
    },
    "pop": {
        "bpm": (96, 124),
        "swing": 0.5,
        "scale": (0, 2, 4, 7, 9),
        "progressions": [
            _chords("0:maj 7:maj 9:min 5:maj"),
            _chords("9:min 5:maj 0:maj 7:maj"),
            _chords("0:maj 5:maj 9:min 7:maj"),
        ],
        "drums": {
            "kick": "X.....x.X.......",
            "clap": "....X.......X...",
            "hat": "x.x.x.x.x.x.x.x.",
        },
        "instruments": [
            {
                "role": "chord",
                "pattern": "X.x.X.x.X.x.X.x.",
                "dur": 2,
                "timbre": "square",
                "env": "pluck",
                "decay": 0.2,
                "octave": 0,
                "cutoff": 5000,
                "gain": 0.35,
            },
            {
                "role": "pad",
                "pattern": "X...............",
                "dur": 16,
                "timbre": "saw",
                "env": "pad",
                "attack": 0.1,
                "octave": 0,
                "cutoff": 2000,
                "gain": 0.25,
            },
            {
                "role": "bass",
                "pattern": "X.....x.X.....x.",
                "line": "root",
                "dur": 2,
                "timbre": "bass",
                "env": "pluck",
                "decay": 0.3,
                "octave": -2,
                "cutoff": 900,
                "gain": 0.8,
            },
            {
                "role": "melody",
                "pattern": "x.x.x.x.x.x.x.x.",
                "density": 0.6,
                "dur": 2,
                "timbre": "square",
                "env": "pluck",
                "decay": 0.3,
                "octave": 1,
                "cutoff": 6000,
                "gain": 0.3,
            },
        ],
    },
    "reggae": {
        "bpm": (68, 90),
        "swing": 0.56,
        "scale": (0, 2, 3, 5, 7, 9, 10),
        "progressions": [
            _chords("0:min 5:min 0:min 5:min"),
            _chords("0:maj 5:maj 7:maj 5:maj"),
            _chords("0:min 10:maj 8:maj 10:maj"),
        ],
        "drums": {
            "kick": "........X.......",
            "rim": "........X.......",
            "hat": "x.o.x.o.x.o.x.o.",
        },
        "instruments": [
            {
                "role": "chord",
                "pattern": "..X...X...X...X.",
                "dur": 1,
                "timbre": "organ",
                "env": "stab",
                "decay": 0.08,
                "octave": 0,
                "cutoff": 4000,
                "gain": 0.5,
            },
            {
                "role": "bass",
                "pattern": "X..x....X.x.....",
                "line": "root_fifth",
                "dur": 3,
                "timbre": "sine",
                "env": "pluck",
                "decay": 0.5,
                "octave": -2,
                "cutoff": 600,
                "gain": 1.1,
            },
        ],
    },
    "rock": {
        "bpm": (100, 140),
        "swing": 0.5,
        "scale": (0, 3, 5, 7, 10),
        "progressions": [
            _chords("0:5 5:5 7:5 0:5"),
            _chords("0:maj 10:maj 5:maj 0:maj"),
            _chords("0:5 10:5 5:5 7:5"),
        ],
        "drums": {
            "kick": "X......xX.x.....",
            "snare": "....X.......X...",
            "hat": "x.x.x.x.x.x.x.x.",
        },
        "instruments": [
            {
                "role": "chord",
                "pattern": "X.x.X.x.X.x.X.x.",
                "dur": 2,
                "timbre": "saw",
                "env": "pluck",
                "decay": 0.5,
                "octave": -1,
                "drive": 5.0,
                "cutoff": 3500,
                "gain": 0.5,
            },
            {
                "role": "bass",
                "pattern": "x.x.x.x.x.x.x.x.",
                "line": "root",
                "dur": 2,
                "timbre": "bass",
                "env": "pluck",
                "decay": 0.25,
                "octave": -2,
                "cutoff": 900,
                "gain": 0.7,
            },
        ],
    },
}

_VELOCITY = {"X": 1.0, "x": 0.75, "o": 0.4, ".": 0.0}


# ---------------------------------------------------------------------------------------
# Primitives
# ---------------------------------------------------------------------------------------


def _lowpass(x, cutoff, sr):
    """One-pole low-pass filter (6 dB/octave) at ``cutoff`` Hz."""
    from scipy.signal import lfilter

    a = np.exp(-2.0 * np.pi * min(cutoff, 0.45 * sr) / sr)
    # lfilter is faster on float64 than on float32.
    return lfilter([1.0 - a], [1.0, -a], np.asarray(x, dtype=np.float64))


def _highpass(x, cutoff, sr):
    """One-pole high-pass filter: the input minus its low-passed version."""
    return x - _lowpass(x, cutoff, sr)


def _soft_clip(x, drive):
    """``tanh`` distortion; ``drive`` <= 0 leaves the signal alone."""
    if drive <= 0:
        return x
    return np.tanh(drive * x) / np.tanh(drive)


def _wavetable(weights):
    """One period of the additive waveform with the given harmonic weights."""
    phase = np.arange(_TABLE_SIZE) / _TABLE_SIZE
    k = np.arange(1, len(weights) + 1)[:, None]
    table = (weights[:, None] * np.sin(2.0 * np.pi * k * phase)).sum(axis=0)
    return (table / max(np.abs(table).max(), 1e-9)).astype(np.float32)


def _oscillator(table, cycles):
    """Read ``table`` at phase ``cycles`` (periods since the note began, an array)."""
    # The table size is a power of two: the bit mask wraps the phase.
    return np.take(table, (cycles * _TABLE_SIZE).astype(np.int32) & (_TABLE_SIZE - 1))


def _fold(x, nfft):
    """Wrap ``x`` circularly onto ``nfft`` samples (float32), for circular convolution."""
    folded = np.bincount(np.arange(x.size) % nfft, weights=x, minlength=nfft)
    return folded.astype(np.float32)


def _hit_train(onsets, velocities, n):
    """Impulses of the given velocities at sample positions ``onsets``."""
    train = np.zeros(n)
    keep = (onsets >= 0) & (onsets < n)
    np.add.at(train, onsets[keep], velocities[keep])
    return train


def _envelope(n, onsets, vels, *, length, kind, decay, attack, sr):
    """Amplitude envelope, note index and note age (samples) of a monophonic sequence.

    Every sample belongs to the most recent onset.  All notes of an instrument share one
    shape (an exponential decay for ``pluck``/``stab``, a linear swell for ``pad``, a
    short anti-click attack and release), so the envelope is that shape looked up at
    each sample's age, times the note's velocity.
    """
    release = int(0.05 * sr)
    age = np.arange(length + release) / sr
    if kind == "pad":
        shape = np.clip(age / attack, 0.0, 1.0)
    else:
        shape = np.exp(-age / decay)
        if kind == "stab":
            shape[int(min(length, 0.15 * sr)) :] = 0.0
    fade_out = np.clip((length + release - np.arange(age.size)) / release, 0.0, 1.0)
    shape *= np.clip(age / 0.004, 0.0, 1.0) * fade_out
    shape = np.r_[shape, 0.0].astype(np.float32)
    # A silent note long before the clip covers the samples before the first onset.
    onsets = np.r_[-shape.size, onsets].astype(np.int32)
    vels = np.r_[0.0, vels].astype(np.float32)
    # Index of the latest onset at or before each sample (onsets are sorted): a running
    # count of onsets, cheaper than a search.
    starts = np.clip(onsets[1:], 0, None)
    seg = np.cumsum(np.bincount(starts[starts < n], minlength=n), dtype=np.int32)
    age_samples = np.arange(n, dtype=np.int32) - onsets[seg]
    np.minimum(age_samples, shape.size - 1, out=age_samples)
    env = np.take(vels, seg) * np.take(shape, age_samples)
    return env, np.maximum(seg - 1, 0), age_samples


def _pattern(text):
    """Velocities of a 16-step pattern string."""
    return np.array([_VELOCITY[c] for c in text])


def _step_times(steps, spb, swing):
    """Time (s) of sixteenth ``steps`` at ``spb`` seconds per beat with eighth swing."""
    beat, within = np.divmod(np.asarray(steps, dtype=float), 4.0)
    # Straight eighths sit at 0.5 of the beat, swung ones at ``swing``; sixteenths between.
    pos = np.interp(within, [0.0, 2.0, 4.0], [0.0, swing, 1.0])
    return (beat + pos) * spb


# ---------------------------------------------------------------------------------------
# Artist signature and track rendering
# ---------------------------------------------------------------------------------------


def _genre_code(genre):
    return zlib.crc32(genre.encode())


def _artist_signature(genre, artist, seed, n, sr):
    """Everything fixed for an artist: key, timbres, kit, mix, EQ and tempo.

    Also precomputes, for clips of ``n`` samples, the spectra of the artist's drum
    sounds and of its room and equaliser (dry sound plus reverb tail, through the EQ).
    """
    from scipy.fft import rfft
    from scipy.signal import firwin2

    recipe = _GENRES[genre]
    rng = np.random.default_rng([seed, _genre_code(genre), artist, 1])
    lo, hi = recipe["bpm"]
    sig = {
        "key": int(rng.integers(0, 12)),
        "register": int(rng.choice([-12, 0, 0, 12]))
        if genre != "metal"
        else -12 * int(rng.integers(0, 2)),
        "bpm": lo + (hi - lo) * rng.uniform(0.1, 0.9),
        "drum_gain": float(np.exp(rng.normal(0.0, 0.45))),
        "inst_gain": float(np.exp(rng.normal(0.0, 0.3))),
        "drive": float(np.exp(rng.normal(0.0, 0.35))),
        "reverb_len": float(rng.uniform(0.15, 1.0)),
        "reverb_wet": float(rng.uniform(0.0, 0.5)),
        "noise_db": float(rng.uniform(-55.0, -28.0)),
        "noise_cutoff": float(np.exp(rng.uniform(np.log(500.0), np.log(9000.0)))),
        "level": float(rng.uniform(0.35, 0.95)),
    }
    # Personal timbre of each instrument: perturbed harmonic weights and brightness.
    sig["instruments"] = []
    for inst in recipe["instruments"]:
        weights = _TIMBRES[inst["timbre"]] * np.exp(rng.normal(0.0, 0.6, size=12))
        weights[0] = max(weights[0], 0.3)
        sig["instruments"].append(
            {
                "table": _wavetable(weights),
                "cutoff": inst["cutoff"] * float(np.exp(rng.normal(0.0, 0.45))),
                "decay": inst.get("decay", 0.3) * float(np.exp(rng.normal(0.0, 0.3))),
                "gain": inst["gain"] * float(np.exp(rng.normal(0.0, 0.3))),
            }
        )
    # Personal drum kit.
    kit = {
        "kick_f": float(rng.uniform(45.0, 75.0)),
        "kick_decay": float(rng.uniform(0.12, 0.35)),
        "snare_f": float(rng.uniform(160.0, 260.0)),
        "snare_decay": float(rng.uniform(0.07, 0.2)),
        "snare_cut": float(rng.uniform(800.0, 3000.0)),
        "hat_decay": float(rng.uniform(0.02, 0.06)),
        "hat_cut": float(rng.uniform(5000.0, 9000.0)),
        "open_decay": float(rng.uniform(0.15, 0.35)),
        "cym_f": rng.uniform(300.0, 700.0) * np.array([1.0, 1.48, 1.93, 2.51, 3.17, 4.3]),
        "cym_decay": float(rng.uniform(0.3, 0.9)),
    }
    # A personal equaliser: a smooth random gain curve (+-12 dB) on log-spaced points,
    # plus a random spectral tilt.
    points = np.r_[0.0, np.geomspace(0.005, 0.7, 8), 1.0]
    gains_db = np.clip(rng.normal(0.0, 6.0, size=points.size), -12.0, 12.0)
    gains_db += rng.normal(0.0, 4.0) * np.linspace(-1.0, 1.0, points.size)
    eq = firwin2(2 * _EQ_DELAY + 1, points, 10.0 ** (gains_db / 20.0))

    # Noise (drum bodies, reverb tail) comes from its own stream, so that its length,
    # which follows ``sr``, leaves the draws above alone.
    noise_rng = np.random.default_rng([seed, _genre_code(genre), artist, 3])
    noise = noise_rng.standard_normal(int(2.0 * sr))
    noise_floor_rng = np.random.default_rng([seed, _genre_code(genre), artist, 4])
    reverb_len = min(sig["reverb_len"] * recipe.get("reverb", 1.0), 2.0)
    length = max(int(reverb_len * sr), 2)
    tail = noise[:length] * np.exp(-np.arange(length) / (0.25 * length))
    tail = _lowpass(tail, 4000.0, sr) / np.sqrt(length / 4.0)
    wet = sig["reverb_wet"] + (0.3 if "reverb" in recipe else 0.0)
    room = wet * tail
    room[0] += 1.0

    samples = {kind: _drum_sample(kind, kit, noise, sr) for kind in recipe["drums"]}
    # Convolutions are circular over a power-of-two length (the fastest FFTs) with at
    # least the equaliser's delay to spare: the part of a tail that overhangs the end of
    # the clip wraps to its start, as if the clip were one turn of a loop.  Single
    # precision halves the cost of the per-track transforms; audio needs no more.
    nfft = 1 << int(np.ceil(np.log2(n + 2 * _EQ_DELAY + 1)))
    sig["nfft"] = nfft
    sig["transfer"] = rfft(_fold(np.convolve(room, eq), nfft))
    sig["kit"] = {kind: rfft(_fold(x, nfft)) for kind, x in samples.items()}
    freqs = np.maximum(np.arange(nfft // 2 + 1) * (sr / nfft), 50.0)
    sig["decades"] = np.log10(freqs / 1000.0).astype(np.float32)
    # The artist's noise floor (hiss, hum-free): shifted at random for every track.
    floor = _lowpass(noise_floor_rng.standard_normal(n), sig["noise_cutoff"], sr)
    floor *= 10.0 ** (sig["noise_db"] / 20.0) / max(floor.std(), 1e-9)
    sig["noise_floor"] = floor
    return sig


def _drum_sample(kind, kit, noise, sr):
    """One hit of a drum of the artist's kit, as a short array (``noise``: >= 1.5 s)."""
    if kind in ("kick", "sub"):
        length = int(0.6 * sr) if kind == "sub" else int(0.4 * sr)
        t = np.arange(length) / sr
        f0 = kit["kick_f"] * (0.75 if kind == "sub" else 1.0)
        freq = f0 * (1.0 + 2.0 * np.exp(-t / 0.02))
        decay, gain = (0.6, 1.3) if kind == "sub" else (kit["kick_decay"], 1.0)
        return gain * np.sin(2.0 * np.pi * np.cumsum(freq) / sr) * np.exp(-t / decay)
    if kind in ("hat", "open_hat", "pedal_hat"):
        decay = kit["open_decay"] if kind == "open_hat" else kit["hat_decay"]
        length = int(min(5 * decay, 1.0) * sr)
        t = np.arange(length) / sr
        hiss = _highpass(_highpass(noise[:length], kit["hat_cut"], sr), kit["hat_cut"], sr)
        return 0.6 * hiss * np.exp(-t / decay)
    if kind in ("ride", "crash"):
        decay = kit["cym_decay"] * (1.5 if kind == "crash" else 1.0)
        length = int(min(4 * decay, 1.5) * sr)
        t = np.arange(length) / sr
        ring = np.sin(2.0 * np.pi * kit["cym_f"][:, None] * t).sum(axis=0) / 6.0
        hiss = _highpass(noise[:length], 6000.0, sr)
        mix = 0.3 * ring + (1.2 if kind == "crash" else 0.6) * hiss
        return 0.5 * mix * np.exp(-t / decay)
    # Snare-like: noise band plus a tone.
    decay = {"snare": kit["snare_decay"], "brush": 0.05, "clap": 0.12, "rim": 0.03}[kind]
    length = int(min(5 * decay, 0.6) * sr)
    t = np.arange(length) / sr
    body = _highpass(noise[:length], kit["snare_cut"], sr)
    if kind == "clap":
        # Three quick bursts then a tail.
        bursts = sum(np.exp(-np.clip(t - d, 0, None) / 0.008) * (t >= d) for d in (0, 0.01, 0.02))
        return 0.8 * _lowpass(body, 3000.0, sr) * (bursts * 0.5 + np.exp(-t / decay))
    tone_f = kit["snare_f"] * (2.5 if kind == "rim" else 1.0)
    tone = np.sin(2.0 * np.pi * tone_f * t) * np.exp(-t / 0.04)
    if kind == "brush":
        return 0.4 * _lowpass(body, 5000.0, sr) * np.exp(-t / decay)
    return (0.7 * body + 0.5 * tone) * np.exp(-t / decay)


def _render_track(genre, sig, rng, n, sr):
    """Render one track (float64, peak 1 plus the noise floor; not yet at its level)."""
    recipe = _GENRES[genre]
    # Track variation around the artist's signature: tempo, balance, brightness.
    bpm = sig["bpm"] * float(np.exp(rng.normal(0.0, 0.02)))
    drum_gain = sig["drum_gain"] * float(np.exp(rng.normal(0.0, _TRACK_SPREAD)))
    inst_gain = sig["inst_gain"] * float(np.exp(rng.normal(0.0, _TRACK_SPREAD)))
    brightness = float(np.exp(rng.normal(0.0, _TRACK_SPREAD)))
    tilt_db = float(rng.normal(0.0, 3.0))  # spectral tilt, dB per decade around 1 kHz
    transpose = int(rng.choice([0, 0, 0, 2, 5, 7, -5]))  # some songs in another key
    spb = 60.0 / bpm
    bar_s = 4.0 * spb
    n_bars = int(np.ceil(n / sr / bar_s)) + 1
    swing = recipe["swing"]
    t = np.arange(n, dtype=np.float32)

    # Track variation: progression, start bar, humanised timing (a small random lead-in).
    progressions = recipe["progressions"]
    prog = progressions[int(rng.integers(0, len(progressions)))]
    per_bar = recipe.get("chords_per_bar", 1)
    start = int(rng.integers(0, len(prog)))
    offset = rng.uniform(0.0, bar_s)  # where in the bar the clip starts
    n_chords = n_bars * per_bar
    chord_idx = (start + np.arange(n_chords)) % len(prog)
    roots = np.array([prog[i][0] for i in chord_idx])
    qualities = [_QUALITIES[prog[i][1]] for i in chord_idx]
    key = sig["key"] + transpose
    base_midi = 60 + key + sig["register"] - (12 if key > 6 else 0)

    def step_grid(pattern_text):
        """Onsets (samples), chord index and velocity of a 16-step pattern over the clip."""
        vel = _pattern(pattern_text)
        steps = np.flatnonzero(vel > 0)
        bars = np.repeat(np.arange(n_bars), steps.size)
        all_steps = np.tile(steps, n_bars) + _STEPS * bars
        times = _step_times(all_steps, spb, swing) - offset
        vels = np.tile(vel[steps], n_bars) * rng.uniform(0.8, 1.0, size=all_steps.size)
        chord = np.minimum((all_steps * per_bar) // _STEPS, n_chords - 1)
        onsets = np.round(times * sr).astype(np.int64)
        return onsets, chord, vels

    out_inst = np.zeros(n)
    for inst, personal in zip(recipe["instruments"], sig["instruments"], strict=True):
        pattern = inst["pattern"]
        if inst.get("random_comp"):
            # Jazz comping: a fresh random rhythm per track.
            pattern = "".join("x" if rng.random() < 0.3 else "." for _ in range(_STEPS))
            pattern = "X" + pattern[1:]
        onsets, chord, vels = step_grid(pattern)
        if inst["role"] == "melody":
            keep = rng.random(onsets.size) < inst["density"]
            onsets, chord, vels = onsets[keep], chord[keep], vels[keep]
        if onsets.size == 0:
            continue
        env, seg, age = _envelope(
            n,
            onsets,
            vels,
            length=int(inst["dur"] * spb / 4 * sr),
            kind=inst["env"],
            decay=personal["decay"],
            attack=inst.get("attack", 0.01),
            sr=sr,
        )
        octave = 12 * inst["octave"]
        role = inst["role"]
        if role in ("chord", "pad"):
            voices = [
                np.array(
                    [
                        qualities[c][v % len(qualities[c])] + 12 * (v // len(qualities[c]))
                        for c in chord
                    ]
                )
                for v in range(max(len(q) for q in qualities))
            ]
            notes = [roots[chord] + v for v in voices]
        elif role == "bass":
            line = inst["line"]
            beat = np.arange(onsets.size)
            fifth = np.array([qualities[c][2 if len(qualities[c]) > 2 else 1] for c in chord])
            if line == "root_fifth":
                notes = [roots[chord] + np.where(beat % 2 == 1, fifth - 12, 0)]
            elif line == "octave":
                notes = [roots[chord] + np.where(beat % 2 == 1, 12, 0)]
            elif line == "walk":
                tones = np.array(
                    [qualities[c][int(rng.integers(0, len(qualities[c])))] for c in chord]
                )
                first = np.r_[True, chord[1:] != chord[:-1]]
                notes = [roots[chord] + np.where(first, 0, tones % 12)]
            else:
                notes = [roots[chord]]
        else:  # melody: random notes of the genre's scale
            scale = np.asarray(recipe["scale"])
            degree = np.cumsum(rng.integers(-2, 3, size=onsets.size)) % (2 * scale.size)
            notes = [scale[degree % scale.size] + 12 * (degree // scale.size)]
        # Each note starts at phase 0; time in the note, in samples, drives the phase.
        # Vibrato (frequency f * (1 + v sin(w t))) adds the integral -v cos(w t) / w.
        # Single precision is plenty: a note's phase stays below a few thousand periods.
        warp = age.astype(np.float32)
        if inst.get("vibrato"):
            w = 2.0 * np.pi * 5.5 / sr
            warp -= np.float32(inst["vibrato"] / w) * np.cos(np.float32(w) * t)
        voice = np.zeros(n, dtype=np.float32)
        for midi in notes:
            freq = 440.0 * 2.0 ** ((base_midi + octave + midi - 69) / 12.0)
            increment = np.take((freq / sr).astype(np.float32), seg)
            voice += _oscillator(personal["table"], increment * warp)
        voice *= env / np.sqrt(len(notes))
        voice = _soft_clip(voice, inst.get("drive", 0.0) * sig["drive"])
        voice = _lowpass(voice, personal["cutoff"] * brightness, sr)
        out_inst += personal["gain"] * voice

    # Everything linear after this point happens in one frequency-domain product: the
    # drum hit trains times the artist's drum sounds, plus the instruments, times the
    # artist's room (dry + reverb tail) and equaliser.
    from scipy.fft import irfft, rfft

    nfft = sig["nfft"]
    spectrum = rfft(np.float32(inst_gain) * out_inst.astype(np.float32), nfft)
    for kind, text in recipe["drums"].items():
        onsets, _, vels = step_grid(text)
        if (kind in ("snare", "ride") and genre == "jazz") or kind == "hat":
            # Humanised drummers: some hits become ghost notes.
            vels = vels * np.where(rng.random(vels.size) < 0.1, 0.3, 1.0)
        hits = _hit_train(onsets, drum_gain * vels, n).astype(np.float32)
        spectrum += rfft(hits, nfft) * sig["kit"][kind]
    spectrum *= sig["transfer"] * np.exp((tilt_db * np.log(10.0) / 20.0) * sig["decades"])
    mix = irfft(spectrum, nfft)[_EQ_DELAY : _EQ_DELAY + n].astype(float)

    peak = max(np.abs(mix).max(), 1e-9)
    return mix / peak + np.roll(sig["noise_floor"], int(rng.integers(0, n)))


def _generate(genres, n_artists, tracks_per_artist, n_samples, sr, seed):
    """All tracks as a float32 array (n_tracks, n_samples), genre-major then artist."""
    X = np.empty((len(genres) * n_artists * tracks_per_artist, n_samples), dtype=np.float32)
    row = 0
    for genre in genres:
        for artist in range(n_artists):
            sig = _artist_signature(genre, artist, seed, n_samples, sr)
            for track in range(tracks_per_artist):
                rng = np.random.default_rng([seed, _genre_code(genre), artist, 2, track])
                y = _render_track(genre, sig, rng, n_samples, sr)
                y = np.clip(y * (sig["level"] / max(np.abs(y).max(), 1e-9)), -1.0, 1.0)
                X[row] = y
                row += 1
    return X


# ---------------------------------------------------------------------------------------
# Public loader: validation, metadata, cache
# ---------------------------------------------------------------------------------------


def _check_int(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ParameterError(
            f"The {name!r} parameter of load_synthetic must be an integer >= {minimum}; "
            f"got {value!r}. Pass e.g. {name}={max(minimum, 1)}."
        )
    return int(value)


def _check_genres(genres):
    if genres is None:
        return list(GTZAN_GENRES)
    if isinstance(genres, str):
        raise ParameterError(
            f"The 'genres' parameter of load_synthetic must be a list of genre names, not a "
            f"single string; got {genres!r}. Use genres=[{genres!r}]."
        )
    try:
        genres = list(genres)
    except TypeError:
        raise ParameterError(
            f"The 'genres' parameter of load_synthetic must be None or a list of genre "
            f"names from {list(GTZAN_GENRES)}; got {genres!r}."
        ) from None
    if not genres:
        raise ParameterError(
            "The 'genres' parameter of load_synthetic must name at least one genre; got an "
            f"empty list. Use genres=None for all of {list(GTZAN_GENRES)}."
        )
    unknown = [g for g in genres if not isinstance(g, str) or g not in _GENRES]
    if unknown:
        raise ParameterError(
            f"The 'genres' parameter of load_synthetic has unknown genres {unknown}; the "
            f"valid genres are {list(GTZAN_GENRES)}."
        )
    duplicates = sorted({g for g in genres if genres.count(g) > 1})
    if duplicates:
        raise ParameterError(
            f"The 'genres' parameter of load_synthetic lists {duplicates} more than once; "
            "name each genre once."
        )
    return genres


def _check_params(genres, n_artists, tracks_per_artist, duration, sr, seed, cache):
    genres = _check_genres(genres)
    n_artists = _check_int(n_artists, "n_artists", 1)
    tracks_per_artist = _check_int(tracks_per_artist, "tracks_per_artist", 1)
    sr = _check_int(sr, "sr", 1)
    if sr < 4000:
        raise ParameterError(
            f"The 'sr' parameter of load_synthetic must be at least 4000 Hz so the "
            f"instruments fit below the Nyquist frequency; got sr={sr}. Use e.g. sr=22050."
        )
    seed = _check_int(seed, "seed", 0)
    if (
        isinstance(duration, bool)
        or not isinstance(duration, Real)
        or not np.isfinite(duration)
        or duration <= 0
    ):
        raise ParameterError(
            f"The 'duration' parameter of load_synthetic must be a finite number of "
            f"seconds > 0; got {duration!r}. Use e.g. duration=5.0."
        )
    n_samples = round(float(duration) * sr)
    if n_samples < 1:
        raise ParameterError(
            f"The 'duration' parameter of load_synthetic gives no samples at sr={sr}: "
            f"round({duration!r} * {sr}) = 0. Use a longer duration."
        )
    if not (cache is None or isinstance(cache, (str, os.PathLike))):
        raise ParameterError(
            f"The 'cache' parameter of load_synthetic must be 'auto', None or a folder "
            f"path; got {cache!r}."
        )
    return genres, n_artists, tracks_per_artist, float(duration), sr, seed, n_samples


def _cache_folder(cache):
    """Return the folder of cached arrays, or None when caching is off."""
    if cache is None:
        return None
    if isinstance(cache, str) and cache == "auto":
        return cache_dir("synthetic")
    return Path(cache).expanduser()


def _metadata(genres, n_artists, tracks_per_artist, duration):
    width = max(2, len(str(tracks_per_artist)))
    rows = []
    for genre in genres:
        for artist in range(1, n_artists + 1):
            if n_artists >= 2:
                split = "test" if artist == n_artists else "train"
            else:
                split = ""
            for track in range(1, tracks_per_artist + 1):
                rows.append(
                    {
                        "track_id": f"{genre}.a{artist}.t{track:0{width}d}",
                        "path": "",
                        "genre": genre,
                        "artist": f"{genre}_artist_{artist}",
                        "title": "",
                        "split": split,
                        "duration": duration,
                    }
                )
    return pd.DataFrame(rows, columns=list(METADATA_COLUMNS))


def load_synthetic(
    *,
    genres=None,
    n_artists=4,
    tracks_per_artist=5,
    duration=5.0,
    sr=22050,
    seed=0,
    cache="auto",
):
    """Generate (or load from the cache) a synthetic genre dataset with artists.

    Every genre has its own tempo, rhythm, harmony and timbre; every artist a fixed
    signature (key, timbre, drum kit, mix, equaliser, tempo) shared by all its tracks,
    so that, as with GTZAN, artist-filtered evaluation scores lower than a random split.
    See the module docstring for the recipes.

    Parameters
    ----------
    genres : list of str or None, default=None
        Genres to generate, from `GTZAN_GENRES`; None for all ten.
    n_artists : int >= 1, default=4
        Artists per genre.
    tracks_per_artist : int >= 1, default=5
        Tracks per artist.
    duration : float > 0, default=5.0
        Length of every track in seconds.
    sr : int >= 4000, default=22050
        Sampling rate.
    seed : int >= 0, default=0
        Seed of everything random: the same seed gives bitwise the same audio.
    cache : "auto", str, os.PathLike or None, default="auto"
        Where the generated audio is cached as ``.npy`` (with a JSON of the parameters):
        ``"auto"`` uses ``$MIR_GENRE_CACHE/synthetic`` or, when that variable is unset,
        ``pooch.os_cache("mir_genre")/synthetic``; a path uses that folder; None never
        caches.

    Returns
    -------
    Dataset
        ``name="synthetic"``, ``kind="audio"``, ``X`` a float32 array
        [shape=(len(genres) * n_artists * tracks_per_artist, round(duration * sr))] of
        mono audio in [-1, 1], ordered by genre, artist, track.  Track ids look like
        ``"jazz.a1.t03"``, artists like ``"jazz_artist_1"``.  The predefined split is
        artist-disjoint: the last artist of every genre is ``"test"``, the others
        ``"train"`` (no split, ``""``, when ``n_artists == 1``).

    Raises
    ------
    ParameterError
        If a parameter breaks its rule (an unknown genre, a count < 1, a non-positive
        duration, ...).

    Examples
    --------
    >>> ds = load_synthetic(genres=["jazz", "metal"], n_artists=2, tracks_per_artist=1,
    ...                     duration=1.0, cache=None)
    >>> ds.X.shape, ds.X.dtype
    ((4, 22050), dtype('float32'))
    >>> ds.metadata[["track_id", "artist", "split"]].values.tolist()[:2]
    [['jazz.a1.t01', 'jazz_artist_1', 'train'], ['jazz.a2.t01', 'jazz_artist_2', 'test']]
    """
    genres, n_artists, tracks_per_artist, duration, sr, seed, n_samples = _check_params(
        genres, n_artists, tracks_per_artist, duration, sr, seed, cache
    )
    metadata = _metadata(genres, n_artists, tracks_per_artist, duration)
    folder = _cache_folder(cache)
    params = {
        "version": _GENERATOR_VERSION,
        "genres": genres,
        "n_artists": n_artists,
        "tracks_per_artist": tracks_per_artist,
        "duration": duration,
        "sr": sr,
        "seed": seed,
    }
    X = None
    if folder is not None:
        key = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:20]
        npy = folder / f"synthetic_{key}.npy"
        X = _read_cache(npy, (len(metadata), n_samples))
    if X is None:
        X = _generate(genres, n_artists, tracks_per_artist, n_samples, sr, seed)
        if folder is not None:
            # The JSON goes first: a complete .npy is the mark of a complete entry.
            text = json.dumps(params, indent=1, sort_keys=True).encode()
            atomic_write(npy.with_suffix(".json"), lambda fh: fh.write(text))
            atomic_write(npy, lambda fh: np.save(fh, X, allow_pickle=False))
    description = (
        f"Synthetic music: {len(genres)} genres x {n_artists} artists x {tracks_per_artist} "
        f"tracks of {duration:g} s at {sr} Hz, seed {seed}, generated by "
        "mir_genre.datasets.synthetic (genre recipes plus a per-artist signature)."
    )
    return Dataset("synthetic", X, metadata, sr=sr, kind="audio", description=description)


def _read_cache(path, shape):
    """Return the cached array, or None if it is absent, unreadable or misshapen."""
    if not path.is_file():
        return None
    try:
        X = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if X.shape != shape or X.dtype != np.float32:
        return None
    return X
