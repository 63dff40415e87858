"""Note density, note duration and velocity statistics.

Density counts every note (drums included) over the piece's length, from tick 0 to the end of its last
note. Durations ignore drum tracks, whose note lengths carry no musical meaning. Real time follows the
tempo map (120 quarter notes per minute when the piece has no tempo).
"""

from __future__ import annotations

import math

import numpy as np

from muspy_like.core.music import Music
from muspy_like.metrics.notes import beat_grid, collect_notes, notes_end

__all__ = [
    "length_in_beats",
    "length_in_seconds",
    "note_density_per_beat",
    "note_density_per_second",
    "mean_duration_quarters",
    "mean_duration_seconds",
    "velocity_mean",
    "velocity_std",
]


def length_in_seconds(music: Music) -> float:
    """Time from 0 to the end of the last note, in seconds (through the tempo map; 0 without notes)."""
    return float(music.tick_to_second(notes_end(music)))


def length_in_beats(music: Music) -> float:
    """Number of beats (meter-aware) that start before the end of the last note (0 without notes)."""
    starts, _ = beat_grid(music, notes_end(music))
    return float(len(starts))


def note_density_per_second(music: Music) -> float:
    """Notes per second: number of notes (all tracks) / :func:`length_in_seconds` (NaN if length is 0)."""
    seconds = length_in_seconds(music)
    return music.n_notes / seconds if seconds > 0 else math.nan


def note_density_per_beat(music: Music) -> float:
    """Notes per beat: number of notes (all tracks) / :func:`length_in_beats` (NaN if there is no beat)."""
    beats = length_in_beats(music)
    return music.n_notes / beats if beats > 0 else math.nan


def mean_duration_quarters(music: Music) -> float:
    """Mean length of the pitched notes, in quarter notes (ticks / resolution; NaN without notes)."""
    duration = collect_notes(music).duration
    if not len(duration):
        return math.nan
    return float(duration.mean() / music.resolution)


def mean_duration_seconds(music: Music) -> float:
    """Mean length of the pitched notes, in seconds, through the tempo map (NaN without notes)."""
    notes = collect_notes(music)
    if not len(notes):
        return math.nan
    tempo_map = music.tempo_map()
    seconds = tempo_map.tick_to_second(notes.end) - tempo_map.tick_to_second(notes.time)
    return float(seconds.mean())


def velocity_mean(music: Music) -> float:
    """Mean MIDI velocity (0-127) of all notes, drums included (NaN without notes)."""
    velocity = collect_notes(music, drums=None).velocity
    return float(velocity.mean()) if len(velocity) else math.nan


def velocity_std(music: Music) -> float:
    """Population standard deviation of the MIDI velocities of all notes (NaN without notes).

    0 for a score whose velocities were never set (MusicXML without dynamics reads as 64 throughout).
    """
    velocity = collect_notes(music, drums=None).velocity
    return float(np.std(velocity)) if len(velocity) else math.nan
