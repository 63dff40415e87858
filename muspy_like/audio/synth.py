"""A dependency-free synthesizer in numpy, rendered in blocks: the engine that always works.

Each melodic note is a wavetable voice: one period of the additive spectrum of its General MIDI family
(:mod:`muspy_like.audio.timbres`), read at the note's frequency and shaped by an envelope (attack, decay to
a sustain level or a free decay, linear release after the note-off). High notes read a table with fewer
harmonics, so no partial exceeds 45 % of the sample rate (no aliasing). Drum tracks play noise-based
one-shots chosen by the General MIDI percussion key.

Performance data honoured: velocity, pitch bend (+/- 2 semitones, the General MIDI default range),
sustain pedal (CC 64 extends note-offs to the pedal release), volume (CC 7), expression (CC 11) and pan
(CC 10, equal-power). Other controllers are ignored. Tempo changes come through the tempo map.

Cost and memory
---------------
Audio is produced block by block (:meth:`SynthRenderer.blocks`). A note costs work in proportion to its
own audible length: it is computed only inside the blocks it sounds in, and a freely decaying note
(piano, guitar, bells...) ends when its envelope falls below -100 dB. Nothing of the length of the piece
is allocated; memory is one block per output channel, one block per track being mixed, and a cache of
note waveforms bounded to :data:`WAVE_CACHE_BYTES` (notes of one pitch share the oscillator and envelope
up to :data:`WAVE_CACHE_SECONDS`).

Every sample is computed from its own index (the note's sample number and the controller values in
force), never from a running sum over the block, and contributions are added in a fixed order (notes by
onset within a track, tracks in order), so the audio is the same, sample for sample, whatever the block
size.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Iterator, Optional, Sequence

import numpy as np

from muspy_like.audio.performance import EXPRESSION, PAN, SUSTAIN, VOLUME, TrackPerformance, step_values
from muspy_like.audio.timbres import TIMBRES, Timbre, drum_shot, pitch_to_hz

__all__ = ["SynthRenderer", "WAVE_CACHE_BYTES", "WAVE_CACHE_SECONDS"]

_TABLE_SIZE = 4096
#: Peak amplitude of a voice at velocity 127 (before volume and pan).
_VOICE_GAIN = 0.25
#: A free decay ends where its envelope falls below this level (-100 dB).
_SILENT = 1e-5
#: Budget of the note-waveform cache, in bytes.
WAVE_CACHE_BYTES = 96 << 20
#: Longest stretch of a note taken from the cache, in seconds (later samples are computed as needed).
WAVE_CACHE_SECONDS = 3.0
_F32 = np.float32


class _WaveCache:
    """Least-recently-used arrays under a byte budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.items: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self.bytes = 0

    def get(self, key: tuple) -> Optional[np.ndarray]:
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
        return value

    def put(self, key: tuple, value: np.ndarray) -> None:
        old = self.items.pop(key, None)
        if old is not None:
            self.bytes -= old.nbytes
        while self.items and self.bytes + value.nbytes > self.budget:
            self.bytes -= self.items.popitem(last=False)[1].nbytes
        self.items[key] = value
        self.bytes += value.nbytes


class _Voice:
    """Wavetable notes of one timbre at one sample rate.

    The waveform of a note at sample ``n`` (counted from its onset) is
    ``osc(n) * envelope(n) * amplitude * release(n - held)``, each factor a function of ``n`` alone.
    """

    def __init__(self, family: int, timbre: Timbre, sample_rate: int, cache: _WaveCache) -> None:
        self.family = family
        self.sample_rate = sample_rate
        self.cache = cache
        harmonics = np.asarray(timbre.harmonics, dtype=np.float64)
        phase = np.arange(_TABLE_SIZE) * (2 * np.pi / _TABLE_SIZE)
        partials = np.sin(np.outer(np.arange(1, len(harmonics) + 1), phase)) * harmonics[:, None]
        # tables[k] holds the first k + 1 harmonics, each normalised to a peak of 1.
        tables = np.cumsum(partials, axis=0)
        self.tables = (tables / np.abs(tables).max(axis=1, keepdims=True)).astype(_F32)
        self.release = max(1, int(timbre.release * sample_rate))
        ramp = np.arange(self.release - 1, -1, -1, dtype=np.float64) / max(self.release - 1, 1)
        self.release_ramp = ramp.astype(_F32)
        self.envelope = _attack_decay(timbre, sample_rate)
        # A free decay (sustain 0) has ended by the last sample of its envelope.
        self.audible = len(self.envelope) if timbre.sustain == 0 else None
        self.cache_limit = max(1, int(WAVE_CACHE_SECONDS * sample_rate))

    def length(self, held: np.ndarray) -> np.ndarray:
        """Samples each note lasts: held plus release, up to the end of a free decay."""
        length = held + self.release
        return length if self.audible is None else np.minimum(length, self.audible)

    def segment(self, pitch: int, held: int, amplitude: np.float32, start: int, stop: int,
                bend: Optional[tuple[np.ndarray, np.ndarray]] = None) -> np.ndarray:
        """Samples ``start..stop`` (counted from the onset) of one note, float32."""
        out = np.empty(stop - start, dtype=_F32)
        if bend is None:
            cached = self._cached(pitch, stop)
            split = min(max(len(cached), start), stop)
            np.multiply(cached[start:split], amplitude, out=out[: split - start])
            if split < stop:
                np.multiply(self._unreleased(pitch, split, stop), amplitude, out=out[split - start:])
        else:
            np.multiply(self._unreleased(pitch, start, stop, bend), amplitude, out=out)
        if stop > held:
            first = max(start, held)
            out[first - start:] *= self.release_ramp[first - held: stop - held]
        return out

    def _cached(self, pitch: int, stop: int) -> np.ndarray:
        """The unreleased wave of ``pitch`` from sample 0, long enough for ``stop`` (up to the cache limit)."""
        key = (self.family, self.sample_rate, pitch)
        wave = self.cache.get(key)
        wanted = min(stop, self.cache_limit)
        if wave is None or len(wave) < wanted:
            length = min(max(wanted, 2 * (0 if wave is None else len(wave)), 4096), self.cache_limit)
            wave = self._unreleased(pitch, 0, length)
            self.cache.put(key, wave)
        return wave

    def _unreleased(self, pitch: int, start: int, stop: int,
                    bend: Optional[tuple[np.ndarray, np.ndarray]] = None) -> np.ndarray:
        """Oscillator times envelope at note samples ``start..stop``, float32."""
        increment = float(pitch_to_hz(pitch)) * _TABLE_SIZE / self.sample_rate
        n = np.arange(start, stop, dtype=np.float64)
        if bend is None:
            positions = np.multiply(n, increment, out=n)
        else:
            # Phase of a piecewise-constant frequency, in closed form at each sample: P_j + (n - t_j) r_j inc.
            times, ratios = bend
            piece = np.searchsorted(times, n, side="right") - 1
            starts = np.concatenate(([0.0], np.cumsum(np.diff(times) * ratios[:-1] * increment)))
            positions = starts[piece] + (n - times[piece]) * (ratios[piece] * increment)
        nyquist_harmonics = int(0.45 * self.sample_rate / pitch_to_hz(pitch))
        table = self.tables[int(np.clip(nyquist_harmonics, 1, len(self.tables))) - 1]
        index = positions.astype(np.int64)
        index &= _TABLE_SIZE - 1
        wave = table[index]
        # The envelope has settled at its last value from there on.
        settled = min(max(len(self.envelope) - 1, start), stop)
        wave[: settled - start] *= self.envelope[start:settled]
        wave[settled - start:] *= self.envelope[-1]
        return wave


def _attack_decay(timbre: Timbre, sample_rate: int) -> np.ndarray:
    """Attack ramp times exponential decay, float32, up to where it has settled (its last value holds on).

    A sustained timbre settles when the decay is within float32 rounding of the sustain level; a free decay
    (sustain 0) when it falls below -100 dB, where it is set to exactly 0.
    """
    attack = max(1, int(timbre.attack * sample_rate))
    tau = timbre.decay * sample_rate
    sustain = timbre.sustain
    if sustain > 0:
        settle = tau * np.log((1 - sustain) / (sustain * 2.0**-25)) if sustain < 1 else 0.0
    else:
        settle = tau * np.log(1 / _SILENT)
    n = np.arange(max(int(np.ceil(settle)) + 2, attack + 2))
    envelope = sustain + (1.0 - sustain) * np.exp(-n / tau)
    envelope[:attack] *= n[:attack] / attack
    envelope = envelope.astype(_F32)
    envelope[-1] = _F32(sustain)
    return envelope


class _DrumVoice:
    """Noise-based General MIDI percussion: one cached one-shot per key; note-offs are ignored."""

    def __init__(self, sample_rate: int, cache: _WaveCache) -> None:
        self.sample_rate = sample_rate
        self.cache = cache

    def shot(self, key: int) -> np.ndarray:
        cache_key = ("drum", self.sample_rate, key)
        wave = self.cache.get(cache_key)
        if wave is None:
            wave = drum_shot(key, self.sample_rate)
            self.cache.put(cache_key, wave)
        return wave

    def length(self, pitches: np.ndarray) -> np.ndarray:
        return np.array([len(self.shot(int(key))) for key in pitches], dtype=np.int64)

    def segment(self, pitch: int, held: int, amplitude: np.float32, start: int, stop: int,
                bend: object = None) -> np.ndarray:
        return self.shot(pitch)[start:stop] * amplitude


class _TrackState:
    """One track being rendered: its notes in onset order, the notes sounding now, and its gain steps."""

    def __init__(self, performance: TrackPerformance, voice: "_Voice | _DrumVoice", n_samples: int) -> None:
        self.voice = voice
        offsets = performance.offsets if isinstance(voice, _DrumVoice) else _sustained_offsets(performance, n_samples)
        amplitudes = (_VOICE_GAIN * (performance.velocities.astype(np.float64) / 127.0) ** 2).astype(_F32)
        keep = (performance.onsets < n_samples) & (amplitudes > 0)
        order = np.flatnonzero(keep)[np.argsort(performance.onsets[keep], kind="stable")]
        self.onsets = performance.onsets[order]
        self.pitches = performance.pitches[order].astype(np.int64)
        self.amplitudes = amplitudes[order]
        self.held = np.maximum(offsets[order] - self.onsets, 1)
        lengths = voice.length(self.pitches) if isinstance(voice, _DrumVoice) else voice.length(self.held)
        self.ends = self.onsets + lengths
        self.bend_times, self.bend_values = performance.bend_times, performance.bend_values
        self.gain_times, self.left, self.right = _gain_steps(performance)
        self.next = 0
        self.active: list[int] = []

    def add(self, start: int, stop: int, left: np.ndarray, right: np.ndarray, mono: np.ndarray) -> None:
        """Add this track's sound over samples ``start..stop`` to the ``left`` and ``right`` block buffers."""
        admitted = int(np.searchsorted(self.onsets, stop, side="left"))
        if admitted > self.next:
            self.active.extend(range(self.next, admitted))
            self.next = admitted
        if not self.active:
            return
        size = stop - start
        mono = mono[:size]
        mono.fill(0.0)
        low, high = size, 0
        still: list[int] = []
        onsets, ends = self.onsets, self.ends
        for index in self.active:
            onset, end = int(onsets[index]), int(ends[index])
            if end <= start:
                continue
            first, last = max(start, onset), min(stop, end)
            wave = self.voice.segment(int(self.pitches[index]), int(self.held[index]), self.amplitudes[index],
                                      first - onset, last - onset, self._bend(onset, end))
            mono[first - start: last - start] += wave
            low, high = min(low, first - start), max(high, last - start)
            if end > stop:
                still.append(index)
        self.active = still
        if high > low:
            gain_left, gain_right = self._gains(start + low, start + high)
            left[low:high] += mono[low:high] * gain_left
            right[low:high] += mono[low:high] * gain_right

    def _bend(self, onset: int, end: int) -> Optional[tuple[np.ndarray, np.ndarray]]:
        """Breakpoints (samples from the onset) and frequency ratios of the bends over a note, or None."""
        times, values = self.bend_times, self.bend_values
        if not len(times) or isinstance(self.voice, _DrumVoice):
            return None
        at_onset = step_values(times, values, np.array([onset]), 0.0)[0]
        first, last = np.searchsorted(times, [onset, end], side="right")
        if at_onset == 0 and not np.any(values[first:last]):
            return None
        breakpoints = np.concatenate(([0], times[first:last] - onset)).astype(np.int64)
        semitones = np.concatenate(([at_onset], values[first:last])) * (2.0 / 8192.0)
        # Several bends at one sample: the last one holds from there.
        keep = np.append(breakpoints[1:] != breakpoints[:-1], True)
        return breakpoints[keep], 2.0 ** (semitones[keep] / 12.0)

    def _gains(self, start: int, stop: int) -> tuple[np.ndarray | np.float32, np.ndarray | np.float32]:
        """Left and right gains over ``start..stop``: scalars when no controller changes there."""
        times = self.gain_times
        first = int(np.searchsorted(times, start, side="right")) - 1
        last = int(np.searchsorted(times, stop - 1, side="right")) - 1
        if first == last:
            return self.left[first], self.right[first]
        bounds = np.concatenate(([start], times[first + 1: last + 1], [stop]))
        runs = np.diff(bounds)
        return np.repeat(self.left[first: last + 1], runs), np.repeat(self.right[first: last + 1], runs)


def _gain_steps(performance: TrackPerformance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times (samples) from which a left and right gain hold: volume x expression x equal-power pan.

    Volume (CC 7, default 100) and expression (CC 11, default 127) follow the MIDI squared-amplitude law,
    normalised so that their defaults give 1; pan (CC 10, default 64 = centre) is equal-power, scaled so
    that both gains are about 1 at the centre.
    """
    controllers = [performance.controller(number) for number in (VOLUME, EXPRESSION, PAN)]
    times = np.unique(np.concatenate([[0]] + [t for t, _ in controllers]).astype(np.int64))
    volume, expression, pan = (step_values(t, v, times, default)
                               for (t, v), default in zip(controllers, (100, 127, 64)))
    gain = (volume / 100.0) ** 2 * (expression / 127.0) ** 2
    angle = np.clip(pan / 127.0, 0.0, 1.0) * (np.pi / 2)
    return times, (gain * np.cos(angle) * np.sqrt(2)).astype(_F32), (gain * np.sin(angle) * np.sqrt(2)).astype(_F32)


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


class SynthRenderer:
    """The numpy synthesizer for one piece at one sample rate.

    Parameters
    ----------
    performances : sequence of TrackPerformance
        Each track's events, in samples.
    programs : sequence of int
        General MIDI program of each track (chooses the timbre family; ignored for drums).
    drums : sequence of bool
        Whether each track is a General MIDI percussion track (the pitch selects the drum).
    sample_rate : int
        In Hz.
    n_samples : int
        Length of the render; sound beyond it is cut.
    """

    def __init__(self, performances: Sequence[TrackPerformance], programs: Sequence[int], drums: Sequence[bool],
                 sample_rate: int, n_samples: int) -> None:
        self.performances = list(performances)
        self.programs = [int(p) for p in programs]
        self.drums = [bool(d) for d in drums]
        self.sample_rate = int(sample_rate)
        self.n_samples = int(n_samples)
        self._cache = _WaveCache(WAVE_CACHE_BYTES)
        self._voices: dict[int, _Voice] = {}

    def blocks(self, block_size: int, tracks: Optional[Sequence[int]] = None) -> Iterator[np.ndarray]:
        """Stereo float32 blocks of shape ``(block_size, 2)`` (the last one shorter), in time order.

        Parameters
        ----------
        block_size : int
            Samples per block.
        tracks : sequence of int, optional
            Render only these tracks (a stem); default all of them (the mix).
        """
        chosen = range(len(self.performances)) if tracks is None else tracks
        states = [_TrackState(self.performances[i], self._voice(i), self.n_samples) for i in chosen]
        mono = np.empty(block_size, dtype=_F32)
        for start in range(0, self.n_samples, block_size):
            stop = min(start + block_size, self.n_samples)
            left = np.zeros(stop - start, dtype=_F32)
            right = np.zeros(stop - start, dtype=_F32)
            for state in states:
                state.add(start, stop, left, right, mono)
            block = np.empty((stop - start, 2), dtype=_F32)
            block[:, 0] = left
            block[:, 1] = right
            yield block

    def _voice(self, track: int) -> "_Voice | _DrumVoice":
        if self.drums[track]:
            return _DrumVoice(self.sample_rate, self._cache)
        family = self.programs[track] // 8
        if family not in self._voices:
            self._voices[family] = _Voice(family, TIMBRES[family], self.sample_rate, self._cache)
        return self._voices[family]
