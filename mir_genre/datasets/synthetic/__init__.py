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

Layout
------
:mod:`~mir_genre.datasets.synthetic.recipes`
    The genre recipes above as tables (tempi, patterns, harmony, instruments).
:mod:`~mir_genre.datasets.synthetic.render`
    The primitives, the artist signature and the rendering of tracks.
:mod:`~mir_genre.datasets.synthetic.loader`
    `load_synthetic`: parameter checks, metadata and the cache.
"""

# Private but re-exported: where ``cache="auto"`` keeps its files is documented behaviour.
from .loader import _cache_folder as _cache_folder
from .loader import load_synthetic
from .recipes import GTZAN_GENRES

__all__ = ["GTZAN_GENRES", "load_synthetic"]
