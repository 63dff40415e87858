"""The timed events of one track, converted from ticks to samples through the tempo map.

Both engines start from this: the FluidSynth engine sends the events to the synthesizer in time order,
the numpy synthesizer reads the note spans and control curves directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from muspy_like.core.timing import TempoMap
from muspy_like.core.track import Track

__all__ = ["TrackPerformance", "track_performance", "step_values"]

#: MIDI controller numbers the engines interpret.
SUSTAIN, VOLUME, PAN, EXPRESSION = 64, 7, 10, 11


@dataclass
class TrackPerformance:
    """One track's events, with times in samples (int64) at the render's sample rate.

    Attributes
    ----------
    onsets, offsets : ndarray of int64
        Note starts and ends, in samples (``offsets >= onsets``), in the track's note order.
    pitches, velocities : ndarray of int16
        MIDI pitch and velocity of each note.
    cc_times : ndarray of int64
        Control-change times, in samples, sorted (stable, so events at one time keep their order).
    cc_numbers, cc_values : ndarray of int16
        Controller number and value (0-127) of each control change.
    bend_times : ndarray of int64
        Pitch-bend times, in samples, sorted.
    bend_values : ndarray of int32
        Pitch-bend values, -8192..8191 (0 = no bend).
    """

    onsets: np.ndarray
    offsets: np.ndarray
    pitches: np.ndarray
    velocities: np.ndarray
    cc_times: np.ndarray
    cc_numbers: np.ndarray
    cc_values: np.ndarray
    bend_times: np.ndarray
    bend_values: np.ndarray

    def controller(self, number: int) -> tuple[np.ndarray, np.ndarray]:
        """Times (samples) and values of one controller, in time order."""
        mask = self.cc_numbers == number
        return self.cc_times[mask], self.cc_values[mask]


def track_performance(track: Track, tempo_map: TempoMap, sample_rate: int) -> TrackPerformance:
    """Convert a track's notes, control changes and pitch bends from ticks to samples.

    Parameters
    ----------
    track : Track
        The track (times in ticks).
    tempo_map : TempoMap
        The piece's tick -> second map.
    sample_rate : int
        Samples per second of the render, in Hz.
    """

    def to_samples(ticks: np.ndarray) -> np.ndarray:
        return np.rint(tempo_map.tick_to_second(ticks) * sample_rate).astype(np.int64)

    notes = track.notes
    ccs = track.control_changes
    cc_order = np.argsort(ccs.time, kind="stable")
    bends = track.pitch_bends
    bend_order = np.argsort(bends.time, kind="stable")
    return TrackPerformance(
        onsets=to_samples(notes.time),
        offsets=to_samples(notes.end),
        pitches=notes.pitch.copy(),
        velocities=notes.velocity.copy(),
        cc_times=to_samples(ccs.time[cc_order]),
        cc_numbers=ccs.number[cc_order],
        cc_values=ccs.value[cc_order],
        bend_times=to_samples(bends.time[bend_order]),
        bend_values=bends.value[bend_order].astype(np.int32),
    )


def step_values(times: np.ndarray, values: np.ndarray, at: np.ndarray, default: float) -> np.ndarray:
    """Value of a step function (``values[i]`` from ``times[i]`` on, ``default`` before) at times ``at``."""
    index = np.searchsorted(times, at, side="right") - 1
    result = np.where(index >= 0, values[np.clip(index, 0, None)] if len(values) else default, default)
    return result.astype(np.float64)
