"""Genre recipes of the synthetic dataset: the tables every track is rendered from.

This module owns the genre list (`GTZAN_GENRES`), the chord qualities, the harmonic
weights of the basic timbres, the step grid and velocities of the 16-step patterns, and
``_GENRES``: per genre its tempo range, swing, scale, chord progressions, drum patterns
and instruments.  It holds data only; :mod:`mir_genre.datasets.synthetic.render` turns
it into audio, and the package docstring describes every genre in words.
"""

import numpy as np

from ..gtzan import GENRES

__all__ = ["GTZAN_GENRES"]

#: The 10 GTZAN genres, the default ``genres`` of `load_synthetic`, in GTZAN's order.
GTZAN_GENRES = GENRES

_STEPS = 16  # sixteenth-note steps per 4/4 bar
# Velocity of each step of a pattern: accent, normal, ghost note, rest.
_VELOCITY = {"X": 1.0, "x": 0.75, "o": 0.4, ".": 0.0}

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
