"""Rendering of the synthetic dataset: audio from the genre recipes and artist signatures.

This module owns the synthesis: the vectorised primitives (one-pole filters, ``tanh``
soft clipping, wavetable oscillators, note envelopes, hit trains, circular folding),
an artist's signature (`_artist_signature`, with its drum sounds, room and equaliser
precomputed as spectra), the drum sounds (`_drum_sample`), one track (`_render_track`)
and a whole set of tracks (`_generate`).  It also owns `_GENERATOR_VERSION`, which
names the audio these functions give, for the cache.  The same parameters and seed
give bitwise the same audio.
"""

import zlib

import numpy as np

from .recipes import _GENRES, _QUALITIES, _STEPS, _TIMBRES, _VELOCITY

# Bump when the generated audio changes (here or in the recipes), so stale cache files
# are never reused.
_GENERATOR_VERSION = 1

_TABLE_SIZE = 2048  # a power of two (see `_oscillator`)
_EQ_DELAY = 32  # half the length of the artist's linear-phase equaliser
# Log-normal spread of a track's mix balance and brightness around its artist's.
_TRACK_SPREAD = 0.35


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
