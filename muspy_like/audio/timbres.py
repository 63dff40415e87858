"""The sounds of the numpy synthesizer: one timbre per General MIDI family, and noise-based drums.

Melodic timbres (:data:`TIMBRES`, indexed by ``program // 8``) give the harmonic amplitudes of a wavetable
and an envelope (attack, exponential decay towards a sustain level, or a free decay for plucked and
struck families, then a linear release after the note-off). Drum one-shots (:func:`drum_shot`) are
chosen by the General MIDI percussion key: kick, snare, toms, hi-hats, cymbals, others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Timbre", "TIMBRES", "pitch_to_hz", "drum_shot", "MAX_DRUM_SECONDS"]

#: Longest drum one-shot, in seconds.
MAX_DRUM_SECONDS = 1.5
#: A drum one-shot ends where it falls below this fraction of its peak.
_DRUM_FLOOR = 1e-3


@dataclass(frozen=True)
class Timbre:
    """The sound of one General MIDI family.

    Parameters
    ----------
    harmonics : tuple of float
        Amplitude of harmonics 1, 2, 3... (relative to the fundamental).
    attack : float
        Attack time, in seconds.
    decay : float
        Time constant of the exponential decay, in seconds (after the attack).
    sustain : float
        Level the decay settles at (0 for plucked and struck instruments, which fade freely).
    release : float
        Fade-out after the note-off, in seconds.
    """

    harmonics: tuple[float, ...]
    attack: float
    decay: float
    sustain: float
    release: float


_SAW = tuple(1.0 / k for k in range(1, 13))
_BOWED = tuple(k**-0.5 for k in range(1, 17))
_SQUARE = tuple(1.0 / k if k % 2 else 0.0 for k in range(1, 12))

#: Timbre of each General MIDI family (index ``program // 8``).
TIMBRES: tuple[Timbre, ...] = (
    Timbre((1, 0.7, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1, 0.07), 0.004, 1.2, 0.0, 0.15),  # piano
    Timbre((1, 0, 0.35, 0, 0.12, 0, 0.05), 0.002, 0.7, 0.0, 0.3),  # chromatic percussion
    Timbre((1, 0.8, 0.6, 0.5, 0.3, 0.3, 0.2, 0.2), 0.01, 0.1, 0.9, 0.05),  # organ
    Timbre((1, 0.6, 0.4, 0.25, 0.15, 0.1, 0.07, 0.05), 0.003, 0.9, 0.0, 0.1),  # guitar
    Timbre((1, 0.5, 0.2, 0.1, 0.05), 0.005, 1.5, 0.0, 0.1),  # bass
    Timbre(_BOWED, 0.08, 0.3, 0.85, 0.25),  # strings
    Timbre(_BOWED, 0.15, 0.4, 0.85, 0.35),  # ensemble
    Timbre((1, 0.8, 0.6, 0.45, 0.3, 0.2, 0.12, 0.08), 0.04, 0.2, 0.8, 0.12),  # brass
    Timbre((1, 0.1, 0.5, 0.1, 0.3, 0.05, 0.2, 0.03), 0.03, 0.2, 0.85, 0.08),  # reed
    Timbre((1, 0.2, 0.05), 0.05, 0.2, 0.9, 0.1),  # pipe
    Timbre(_SQUARE, 0.005, 0.2, 0.8, 0.08),  # synth lead
    Timbre(_SAW, 0.3, 0.6, 0.8, 0.5),  # synth pad
    Timbre((1, 0.5, 0.5, 0.3, 0.2), 0.1, 0.5, 0.6, 0.4),  # synth effects
    Timbre((1, 0.7, 0.5, 0.3, 0.2, 0.1), 0.003, 1.0, 0.0, 0.1),  # ethnic
    Timbre((1, 0.2, 0.1), 0.002, 0.35, 0.0, 0.05),  # percussive
    Timbre((1, 0.3, 0.2), 0.02, 0.3, 0.7, 0.2),  # sound effects
)


def pitch_to_hz(pitch: np.ndarray | float) -> np.ndarray:
    """Equal-tempered frequency of MIDI pitches (A4 = 69 = 440 Hz), in Hz."""
    return 440.0 * 2.0 ** ((np.asarray(pitch, dtype=np.float64) - 69.0) / 12.0)


def drum_shot(key: int, sample_rate: int) -> np.ndarray:
    """The one-shot of a General MIDI percussion key: float32, peak 1, at most 1.5 s (trimmed at -60 dB).

    Parameters
    ----------
    key : int
        MIDI key on the drum channel (35-36 kick, 37-40 snare and clap, toms, 42/44/46 hi-hats, cymbals).
    sample_rate : int
        In Hz.
    """
    length = int(MAX_DRUM_SECONDS * sample_rate)
    t = np.arange(length) / sample_rate
    # A fixed seed per key: the same drum sounds the same in every render.
    noise = np.random.default_rng(key).uniform(-1.0, 1.0, length)
    bright = np.diff(noise, prepend=0.0) / 2  # first difference: a simple high-pass
    if key in (35, 36):  # bass drums: falling sine plus a click
        frequency = 50 + 90 * np.exp(-t / 0.03)
        wave = (np.sin(2 * np.pi * np.cumsum(frequency) / sample_rate) * np.exp(-t / 0.18)
                + 0.3 * noise * np.exp(-t / 0.004))
    elif key in (37, 38, 39, 40):  # snares, rim shot, clap
        wave = 0.7 * noise * np.exp(-t / 0.08) + 0.5 * np.sin(2 * np.pi * 185 * t) * np.exp(-t / 0.05)
    elif key in (41, 43, 45, 47, 48, 50):  # toms, tuned by key
        base = pitch_to_hz(key - 12)
        wave = np.sin(2 * np.pi * base * t * (1 - 0.1 * t)) * np.exp(-t / 0.25) + 0.1 * noise * np.exp(-t / 0.02)
    elif key in (42, 44):  # closed and pedal hi-hats
        wave = bright * np.exp(-t / 0.03)
    elif key == 46:  # open hi-hat
        wave = bright * np.exp(-t / 0.25)
    elif key in (49, 51, 52, 53, 55, 57, 59):  # cymbals
        wave = 0.8 * bright * np.exp(-t / 0.6)
    else:  # other percussion: a short coloured noise burst
        tone = np.sin(2 * np.pi * pitch_to_hz(key + 12) * t)
        wave = (0.5 * noise + 0.5 * tone) * np.exp(-t / 0.06)
    audible = np.nonzero(np.abs(wave) > _DRUM_FLOOR)[0]
    end = int(audible[-1]) + 1 if len(audible) else 1
    wave = wave[:end]
    return (wave / np.abs(wave).max()).astype(np.float32)
