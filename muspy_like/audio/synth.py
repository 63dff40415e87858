"""A dependency-free synthesizer in numpy: the engine that always works.

Each melodic note is a wavetable voice: one period of an additive spectrum (the harmonic amplitudes of
the General MIDI family of the track's program, ``program // 8``), read at the note's frequency, shaped by
an envelope (attack, decay to a sustain level, or a free exponential decay for plucked and struck
families, then a linear release after the note-off). High notes read a table with fewer harmonics, so no
partial exceeds 45 % of the sample rate (no aliasing). Drum tracks play noise-based one-shots chosen by
the General MIDI percussion key (kick, snare, toms, hi-hats, cymbals, others). Notes of the same pitch and
length reuse one computed waveform.

Performance data honoured: velocity, pitch bend (+/- 2 semitones, the General MIDI default range),
sustain pedal (CC 64 extends note-offs to the pedal release), volume (CC 7), expression (CC 11) and pan
(CC 10, equal-power). Other controllers are ignored. Tempo changes come through the tempo map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from muspy_like.audio.performance import EXPRESSION, PAN, SUSTAIN, VOLUME, TrackPerformance, step_values

__all__ = ["synthesize_track", "Timbre", "TIMBRES", "pitch_to_hz"]

_TABLE_SIZE = 4096
#: Peak amplitude of a voice at velocity 127 (before volume and pan).
_VOICE_GAIN = 0.25
#: Longest drum one-shot, in seconds.
_MAX_DRUM_SECONDS = 1.5
_RELEASE_FLOOR = 1e-3


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


def synthesize_track(
    performance: TrackPerformance, program: int, is_drum: bool, sample_rate: int, n_samples: int
) -> np.ndarray:
    """Render one track as stereo float32 audio, shape ``(n_samples, 2)``.

    Parameters
    ----------
    performance : TrackPerformance
        The track's events, in samples.
    program : int
        General MIDI program 0-127 (chooses the timbre family; ignored for drums).
    is_drum : bool
        Play the notes as General MIDI percussion (the pitch selects the drum).
    sample_rate : int
        Samples per second, in Hz.
    n_samples : int
        Length of the output; sound beyond it is cut.
    """
    mono = np.zeros(n_samples, dtype=np.float64)
    if len(performance.onsets):
        if is_drum:
            _DrumKit(sample_rate).play(performance, mono)
        else:
            _Voices(TIMBRES[program // 8], sample_rate).play(performance, mono, n_samples)
    gain = _controller_gain(performance, n_samples)
    left, right = _pan_gains(performance, n_samples)
    stereo = np.empty((n_samples, 2), dtype=np.float32)
    # Combine the gain curves first (scalars stay scalars), then scale the voice sum once per channel.
    np.multiply(mono, gain * left, out=stereo[:, 0], casting="same_kind")
    np.multiply(mono, gain * right, out=stereo[:, 1], casting="same_kind")
    return stereo


class _Voices:
    """Wavetable voices of one timbre at one sample rate, with a cache of finished notes."""

    def __init__(self, timbre: Timbre, sample_rate: int) -> None:
        self.timbre = timbre
        self.sample_rate = sample_rate
        harmonics = np.asarray(timbre.harmonics, dtype=np.float64)
        phase = np.arange(_TABLE_SIZE) * (2 * np.pi / _TABLE_SIZE)
        partials = np.sin(np.outer(np.arange(1, len(harmonics) + 1), phase)) * harmonics[:, None]
        # tables[k] holds the first k + 1 harmonics, each normalised to a peak of 1.
        tables = np.cumsum(partials, axis=0)
        self.tables = tables / np.abs(tables).max(axis=1, keepdims=True)
        self.attack = max(1, int(timbre.attack * sample_rate))
        self.release = max(1, int(timbre.release * sample_rate))
        self.cache: dict[tuple[int, int], np.ndarray] = {}
        self.decay_curve = np.zeros(0)

    def play(self, performance: TrackPerformance, out: np.ndarray, n_samples: int) -> None:
        offsets = _sustained_offsets(performance, n_samples)
        amplitudes = _VOICE_GAIN * (performance.velocities / 127.0) ** 2
        for onset, offset, pitch, amplitude in zip(performance.onsets, offsets, performance.pitches, amplitudes):
            onset, held = int(onset), max(int(offset - onset), 1)
            if onset >= n_samples or amplitude == 0:
                continue
            bend = _bend_ratio(performance, onset, held + self.release)
            wave = self.note(int(pitch), held) if bend is None else self.bent_note(int(pitch), held, bend)
            stop = min(onset + len(wave), n_samples)
            out[onset:stop] += amplitude * wave[: stop - onset]

    def note(self, pitch: int, held: int) -> np.ndarray:
        key = (pitch, held)
        wave = self.cache.get(key)
        if wave is None:
            increment = pitch_to_hz(pitch) * _TABLE_SIZE / self.sample_rate
            positions = np.arange(held + self.release) * increment
            wave = self._shape(pitch, positions, held)
            self.cache[key] = wave
        return wave

    def bent_note(self, pitch: int, held: int, ratio: np.ndarray) -> np.ndarray:
        increments = ratio * (pitch_to_hz(pitch) * _TABLE_SIZE / self.sample_rate)
        positions = np.concatenate(([0.0], np.cumsum(increments[:-1])))
        return self._shape(pitch, positions, held)

    def _shape(self, pitch: int, positions: np.ndarray, held: int) -> np.ndarray:
        """Read the table at ``positions`` (in table samples) and apply the envelope."""
        nyquist_harmonics = int(0.45 * self.sample_rate / pitch_to_hz(pitch))
        table = self.tables[int(np.clip(nyquist_harmonics, 1, len(self.tables))) - 1]
        wave = table[positions.astype(np.int64) & (_TABLE_SIZE - 1)]
        return wave * self._envelope(len(positions), held)

    def _envelope(self, length: int, held: int) -> np.ndarray:
        if len(self.decay_curve) < length:  # grown to the longest note so far, then sliced: one exp per sample
            seconds = np.arange(max(length, 2 * len(self.decay_curve))) / self.sample_rate
            sustain = self.timbre.sustain
            self.decay_curve = sustain + (1.0 - sustain) * np.exp(-seconds / self.timbre.decay)
        envelope = self.decay_curve[:length].copy()
        attack = min(self.attack, length)
        envelope[:attack] *= np.linspace(0.0, 1.0, attack, endpoint=False)
        release = length - held
        if release > 0:
            envelope[held:] *= np.linspace(1.0, 0.0, release)
        return envelope


def _sustained_offsets(performance: TrackPerformance, n_samples: int) -> np.ndarray:
    """Note-offs delayed to the pedal release while the sustain pedal (CC 64 >= 64) is down."""
    times, values = performance.controller(SUSTAIN)
    offsets = performance.offsets
    if not len(times):
        return offsets
    down = step_values(times, values, offsets, 0.0) >= 64
    releases = times[values < 64]
    next_release = np.searchsorted(releases, offsets, side="right")
    release_time = np.where(next_release < len(releases), releases[np.minimum(next_release, len(releases) - 1)],
                            n_samples)
    return np.where(down, np.maximum(release_time, offsets), offsets)


def _bend_ratio(performance: TrackPerformance, onset: int, length: int) -> np.ndarray | None:
    """Frequency ratio per sample over ``[onset, onset + length)``, or None when there is no bend there."""
    times, values = performance.bend_times, performance.bend_values
    if not len(times):
        return None
    at_onset = step_values(times, values, np.array([onset]), 0.0)[0]
    first, last = np.searchsorted(times, [onset, onset + length], side="right")
    if at_onset == 0 and not np.any(values[first:last]):
        return None
    semitones = np.full(length, at_onset * 2.0 / 8192.0)
    for time, value in zip(times[first:last], values[first:last]):
        semitones[int(time) - onset:] = value * 2.0 / 8192.0
    return 2.0 ** (semitones / 12.0)


def _controller_gain(performance: TrackPerformance, n_samples: int) -> np.ndarray | float:
    """Volume (CC 7) times expression (CC 11) per sample, with the MIDI squared-amplitude law."""
    gain: np.ndarray | float = 1.0
    for number, default in ((VOLUME, 100), (EXPRESSION, 127)):
        times, values = performance.controller(number)
        if len(times):
            gain = gain * _step_curve(times, values, default, n_samples) ** 2 / (default / 127.0) ** 2
    return gain


def _pan_gains(performance: TrackPerformance, n_samples: int) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Equal-power left and right gains from pan (CC 10; 64 = centre, where both gains are 1)."""
    times, values = performance.controller(PAN)
    position = _step_curve(times, values, 64, n_samples) if len(times) else 64 / 127.0
    angle = np.clip(position, 0.0, 1.0) * (np.pi / 2)
    return np.cos(angle) * np.sqrt(2), np.sin(angle) * np.sqrt(2)


def _step_curve(times: np.ndarray, values: np.ndarray, default: int, n_samples: int) -> np.ndarray:
    """A controller's value / 127 at every sample (``default`` before its first event)."""
    curve = np.full(n_samples, default / 127.0)
    for time, value in zip(times, values):
        curve[int(min(time, n_samples)):] = value / 127.0
    return curve


class _DrumKit:
    """Noise-based General MIDI percussion: one cached one-shot per key."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.shots: dict[int, np.ndarray] = {}

    def play(self, performance: TrackPerformance, out: np.ndarray) -> None:
        amplitudes = _VOICE_GAIN * (performance.velocities / 127.0) ** 2
        n_samples = len(out)
        for onset, key, amplitude in zip(performance.onsets, performance.pitches, amplitudes):
            onset = int(onset)
            if onset >= n_samples:
                continue
            shot = self.shot(int(key))
            stop = min(onset + len(shot), n_samples)
            out[onset:stop] += amplitude * shot[: stop - onset]

    def shot(self, key: int) -> np.ndarray:
        if key not in self.shots:
            self.shots[key] = self._make(key)
        return self.shots[key]

    def _make(self, key: int) -> np.ndarray:
        rate = self.sample_rate
        length = int(_MAX_DRUM_SECONDS * rate)
        t = np.arange(length) / rate
        # A fixed seed per key: the same drum sounds the same in every render.
        noise = np.random.default_rng(key).uniform(-1.0, 1.0, length)
        bright = np.diff(noise, prepend=0.0) / 2  # first difference: a simple high-pass
        if key in (35, 36):  # bass drums: falling sine plus a click
            frequency = 50 + 90 * np.exp(-t / 0.03)
            wave = np.sin(2 * np.pi * np.cumsum(frequency) / rate) * np.exp(-t / 0.18) + 0.3 * noise * np.exp(-t / 0.004)
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
        audible = np.nonzero(np.abs(wave) > _RELEASE_FLOOR)[0]
        end = int(audible[-1]) + 1 if len(audible) else 1
        wave = wave[:end]
        return wave / np.abs(wave).max()
