"""Conversion between :class:`~muspy_like.Music` and :class:`pypianoroll.Multitrack`.

A piano roll is a (time step x 128 pitches) matrix per track, one time step per tick: ``resolution`` is
shared, so times are exact. Unlike MusPy, the roll holds velocities (a ``StandardTrack`` of uint8 values),
so velocities survive the round trip.

A piano roll cannot hold everything a note list can (see ``docs/interop-abc.md``): two notes of one pitch
that touch (one ends where the next starts) with the same velocity become one long note, and so do
overlapping notes of one pitch; zero-length notes vanish. ``separate_repeated=True`` shortens the first of
two touching notes by one tick so they stay two notes. Tempo changes survive as a per-step tempo curve,
bar starts as downbeats; key signatures, lyrics, annotations, control changes and pitch bends are lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import numpy as np

from muspy_like.core.events import DEFAULT_VELOCITY, Barline, Metadata, NoteArray, Tempo
from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.errors import ConversionError
from muspy_like.extras import require
from muspy_like.interop._common import require_music, require_type

if TYPE_CHECKING:
    import pypianoroll

__all__ = ["from_pypianoroll", "to_pypianoroll", "roll_from_notes", "notes_from_roll"]


def roll_from_notes(notes: NoteArray, length: int, separate_repeated: bool = False) -> np.ndarray:
    """A (length x 128) uint8 piano roll of velocities; later notes overwrite earlier ones where they overlap.

    Parameters
    ----------
    notes : NoteArray
        Notes, times in ticks (one time step per tick).
    length : int
        Number of time steps; notes are cut there.
    separate_repeated : bool, default False
        Shorten by one tick a note that another note of the same pitch starts exactly where it ends, so
        the two stay separate notes in the roll.
    """
    roll = np.zeros((length, 128), dtype=np.uint8)
    order = np.lexsort((notes.time, notes.pitch))
    time, pitch = notes.time[order], notes.pitch[order].astype(np.int64)
    duration, velocity = notes.duration[order].copy(), notes.velocity[order].astype(np.uint8)
    if separate_repeated and len(time) > 1:
        touching = (pitch[1:] == pitch[:-1]) & (time[:-1] + duration[:-1] == time[1:]) & (duration[:-1] > 1)
        duration[:-1][touching] -= 1
    duration = np.clip(np.minimum(duration, length - time), 0, None)
    chronological = np.argsort(time, kind="stable")
    time, pitch, duration, velocity = (
        time[chronological],
        pitch[chronological],
        duration[chronological],
        velocity[chronological],
    )
    total = int(duration.sum())
    if total:
        starts = np.repeat(time - np.cumsum(duration) + duration, duration)
        rows = np.arange(total) + starts
        roll[rows, np.repeat(pitch, duration)] = np.repeat(velocity, duration)
    return roll


def notes_from_roll(roll: np.ndarray, default_velocity: int = DEFAULT_VELOCITY) -> NoteArray:
    """Notes of a (time x 128) roll: a note is a run of equal non-zero values in one pitch column.

    A boolean roll gives notes of velocity ``default_velocity``; numeric values are rounded and clipped
    to 0-127. A change of value inside a run starts a new note (two touching notes with different
    velocities stay separate). Times are in time steps.
    """
    if roll.ndim != 2 or roll.shape[1] != 128:
        raise ConversionError(f"a piano roll must have shape (time, 128), got {roll.shape}")
    if roll.dtype == np.bool_:
        values = roll.view(np.uint8) * np.uint8(default_velocity)
    elif roll.dtype == np.uint8:
        values = np.minimum(roll, 127) if roll.size and roll.max() > 127 else roll
    else:
        values = np.clip(np.rint(roll), 0, 127).astype(np.uint8)
    active = np.flatnonzero(values.any(axis=0))
    # Pitch-major rows padded with silence, so that each run's boundaries are consecutive in nonzero().
    columns = np.zeros((len(active), values.shape[0] + 2), dtype=np.uint8)
    columns[:, 1:-1] = values[:, active].T
    row, step = np.nonzero(columns[:, 1:] != columns[:, :-1])
    same_row = row[1:] == row[:-1]
    start, stop, note_row = step[:-1][same_row], step[1:][same_row], row[:-1][same_row]
    velocity = columns[note_row, start + 1]
    sounding = velocity > 0
    notes = NoteArray.from_columns(
        time=start[sounding],
        pitch=active[note_row[sounding]],
        duration=(stop - start)[sounding],
        velocity=velocity[sounding],
    )
    notes.sort()
    return notes


def to_pypianoroll(
    music: Music,
    resolution: Optional[int] = None,
    separate_repeated: bool = False,
    max_bytes: int = 2**31,
) -> "pypianoroll.Multitrack":
    """Convert a Music to a :class:`pypianoroll.Multitrack` of velocity rolls (one step per tick).

    Parameters
    ----------
    music : Music
        The piece; ``music.resolution`` becomes the Multitrack's resolution (steps per quarter).
    resolution : int, optional
        Convert a copy rescaled to this many steps per quarter first (rolls of a 480-tick MIDI file are
        large: a bar of 4/4 is 1,920 steps). Rescaling rounds times (see :meth:`Music.adjust_resolution`).
    separate_repeated : bool, default False
        See :func:`roll_from_notes`.
    max_bytes : int, default 2 GiB
        Refuse (with :class:`ConversionError`) to allocate rolls larger than this in total.

    Returns
    -------
    pypianoroll.Multitrack
        ``StandardTrack`` per track (name, program, drum flag, uint8 velocity roll), ``tempo`` (qpm at every
        step), ``downbeat`` (bar starts from the time signatures, or the explicit barlines when there are
        some) and ``name`` (the title). The length is the end time of the piece, in ticks.
    """
    pypianoroll = require("pypianoroll", "interop", "conversion with pypianoroll")

    require_music(music, "to_pypianoroll")
    if resolution is not None and resolution != music.resolution:
        music = music.copy().adjust_resolution(resolution)
    length = max(music.get_end_time(), 1)
    size = length * 128 * len(music.tracks)
    if size > max_bytes:
        raise ConversionError(
            f"to_pypianoroll(): the rolls would take {size / 2**30:.1f} GiB ({len(music.tracks)} tracks x {length} "
            f"steps x 128 pitches); pass a smaller resolution (now {music.resolution}) or a larger max_bytes"
        )
    tempo_map = music.tempo_map()
    steps = np.arange(length)
    tempo = tempo_map.qpm[np.searchsorted(tempo_map.ticks, steps, side="right") - 1]
    downbeat = np.zeros(length, dtype=bool)
    bars = np.array([b.time for b in music.barlines], dtype=np.int64) if music.barlines else music.bar_ticks(length)
    downbeat[bars[bars < length]] = True
    tracks = [
        pypianoroll.StandardTrack(
            name=track.name or "",
            program=track.program,
            is_drum=track.is_drum,
            pianoroll=roll_from_notes(track.notes, length, separate_repeated),
        )
        for track in music.tracks
    ]
    return pypianoroll.Multitrack(
        name=music.metadata.title or "", resolution=music.resolution, tempo=tempo, downbeat=downbeat, tracks=tracks
    )


def from_pypianoroll(multitrack: "pypianoroll.Multitrack", default_velocity: int = DEFAULT_VELOCITY) -> Music:
    """Convert a :class:`pypianoroll.Multitrack` to a Music (one tick per time step).

    Parameters
    ----------
    multitrack : pypianoroll.Multitrack
        The rolls; ``resolution`` (steps per quarter) becomes the Music's resolution.
    default_velocity : int, default 64
        Velocity of the notes of binary tracks.

    Returns
    -------
    Music
        Notes from runs of equal values (see :func:`notes_from_roll`); tempo changes where the tempo curve
        changes; downbeats as ``barlines`` (time signatures are not stored in a Multitrack, so none are
        guessed); the name as title.

    Raises
    ------
    ConversionError
        If ``multitrack`` is not a Multitrack, has no resolution, or a roll is not (time x 128).
    """
    pypianoroll = require("pypianoroll", "interop", "conversion with pypianoroll")

    require_type(multitrack, (pypianoroll.Multitrack,), "from_pypianoroll")
    if not multitrack.resolution or multitrack.resolution <= 0:
        raise ConversionError(f"from_pypianoroll(): the Multitrack has no valid resolution ({multitrack.resolution})")
    music = Music(metadata=Metadata(title=multitrack.name or None), resolution=int(multitrack.resolution))
    if multitrack.tempo is not None and len(multitrack.tempo):
        tempo = np.asarray(multitrack.tempo, dtype=np.float64).reshape(-1)
        changes = np.flatnonzero(np.concatenate(([True], tempo[1:] != tempo[:-1])))
        music.tempos = [Tempo(int(t), float(tempo[t])) for t in changes]
    if multitrack.downbeat is not None:
        music.barlines = [Barline(int(t)) for t in np.flatnonzero(multitrack.downbeat)]
    for track in multitrack.tracks:
        result = Track(program=int(track.program), is_drum=bool(track.is_drum), name=track.name or None)
        result.notes = notes_from_roll(np.asarray(track.pianoroll), default_velocity)
        music.tracks.append(result)
    return music
