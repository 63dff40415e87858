"""Helpers shared by the representations: notes of all tracks as one table, the time grid, tempo grid.

Every encoder works on a :class:`NoteTable`: the notes of all tracks concatenated column-wise, each row
tagged with the index, program and drum flag of its track. Building it is one ``np.concatenate`` per
column, so the encoders never loop over notes in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from muspy_like.core import DEFAULT_RESOLUTION, Music, NoteArray, Tempo, Track
from muspy_like.errors import RepresentationError

__all__ = [
    "NoteTable",
    "gather_notes",
    "on_grid",
    "quantize_tempo",
    "state_at",
    "check_integer_array",
    "build_tracks",
    "new_music",
    "DEFAULT_TEMPO_RANGE",
]

#: Inclusive range of tempo values (whole quarter notes per minute) that tempo tokens can hold.
DEFAULT_TEMPO_RANGE = (20, 300)


@dataclass
class NoteTable:
    """The notes of every track of a piece, column-wise, in encoding steps.

    Attributes
    ----------
    time, duration : numpy.ndarray of int64
        Onset and length, in steps of the encoding grid.
    pitch, velocity : numpy.ndarray of int64
        MIDI note number and velocity (0-127).
    track : numpy.ndarray of int64
        Index of the note's track in ``music.tracks``.
    program : numpy.ndarray of int64
        General MIDI program of the note's track.
    drum : numpy.ndarray of bool
        Whether the note's track is a drum track.
    tempos : list of Tempo
        The piece's tempo changes, sorted stably by time, with times in steps.
    resolution : int
        Steps per quarter note.
    """

    time: np.ndarray
    pitch: np.ndarray
    duration: np.ndarray
    velocity: np.ndarray
    track: np.ndarray
    program: np.ndarray
    drum: np.ndarray
    tempos: list[Tempo]
    resolution: int

    def __len__(self) -> int:
        return len(self.time)

    @property
    def end(self) -> np.ndarray:
        """Offsets (``time + duration``), in steps."""
        return self.time + self.duration


def on_grid(music: Music, resolution: Optional[int]) -> Music:
    """The piece on a grid of ``resolution`` steps per quarter note (``None``: its own ticks).

    When the resolution differs, a rescaled copy is returned (see :meth:`Music.adjust_resolution`:
    onsets and offsets are rounded to the nearest step separately); the input is never modified.
    """
    if resolution is None or resolution == music.resolution:
        return music
    if not isinstance(resolution, (int, np.integer)) or resolution <= 0:
        raise RepresentationError(f"resolution must be a positive integer, got {resolution!r}")
    return music.copy().adjust_resolution(int(resolution))


def gather_notes(music: Music, resolution: Optional[int] = None, tracks: Optional[Sequence[int]] = None) -> NoteTable:
    """Concatenate the notes of the piece's tracks into one :class:`NoteTable` (rows in track order).

    Parameters
    ----------
    music : Music
        The piece.
    resolution : int, optional
        Steps per quarter note of the encoding; ``None`` keeps the piece's ticks as steps.
    tracks : sequence of int, optional
        Indices of the tracks to include (default: all).
    """
    music = on_grid(music, resolution)
    indices = range(len(music.tracks)) if tracks is None else tracks
    chosen = []
    for index in indices:
        if not -len(music.tracks) <= index < len(music.tracks):
            raise RepresentationError(f"track index {index} out of range: the piece has {len(music.tracks)} tracks")
        chosen.append((index % len(music.tracks), music.tracks[index]))
    counts = [len(track.notes) for _, track in chosen]
    columns = [track.notes.columns() for _, track in chosen]

    def column(name: str) -> np.ndarray:
        if not chosen:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([c[name] for c in columns], dtype=np.int64)

    def per_track(values: list) -> np.ndarray:
        return np.repeat(np.asarray(values, dtype=np.int64), counts)

    tempos = sorted(music.tempos, key=lambda tempo: tempo.time)
    return NoteTable(
        time=column("time"),
        pitch=column("pitch"),
        duration=column("duration"),
        velocity=column("velocity"),
        track=per_track([index for index, _ in chosen]),
        program=per_track([track.program for _, track in chosen]),
        drum=per_track([track.is_drum for _, track in chosen]).astype(bool),
        tempos=tempos,
        resolution=music.resolution,
    )


def state_at(positions: np.ndarray, values: np.ndarray, length: int, initial: int) -> np.ndarray:
    """Value in effect at every index 0..length-1, given the indices where it is set (a forward fill).

    ``positions`` are increasing indices, ``values`` the value set at each; before the first, ``initial``.
    """
    last = np.full(length, -1, dtype=np.int64)
    last[positions] = np.arange(len(positions))
    last = np.maximum.accumulate(last) if length else last
    return np.where(last >= 0, np.append(values, initial)[last], initial)


def quantize_tempo(qpm: np.ndarray, tempo_range: tuple[int, int]) -> np.ndarray:
    """Tempos (quarter notes per minute) rounded to whole qpm and clipped to ``tempo_range`` (inclusive)."""
    low, high = tempo_range
    return np.clip(np.floor(np.asarray(qpm, dtype=np.float64) + 0.5), low, high).astype(np.int64)


def check_integer_array(array: np.ndarray, name: str, ndim: Sequence[int]) -> np.ndarray:
    """Return ``array`` as a numpy integer array, or raise :class:`RepresentationError` saying why not."""
    array = np.asarray(array)
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise RepresentationError(f"{name}: expected an integer array, got dtype {array.dtype}")
    if np.issubdtype(array.dtype, np.floating):
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise RepresentationError(f"{name}: the array holds non-integer values")
        array = array.astype(np.int64)
    if array.ndim not in ndim:
        raise RepresentationError(f"{name}: expected an array with {' or '.join(map(str, ndim))} dimensions, "
                                  f"got shape {array.shape}")
    return array


def build_tracks(
    key: np.ndarray,
    time: np.ndarray,
    pitch: np.ndarray,
    duration: np.ndarray,
    velocity: np.ndarray,
    programs: dict[int, tuple[int, bool]],
    order: Sequence[int],
) -> list[Track]:
    """Split decoded note columns into tracks.

    Parameters
    ----------
    key : numpy.ndarray of int
        Track key of each note.
    time, pitch, duration, velocity : numpy.ndarray of int
        Note columns (ticks, MIDI numbers, ticks, velocities).
    programs : dict
        ``key -> (program, is_drum)``.
    order : sequence of int
        Keys in the order the tracks are created (keys with no note give empty tracks).

    Returns
    -------
    list of Track
        One track per key of ``order``, notes sorted by time, pitch, duration and velocity.
    """
    sort = np.lexsort((velocity, duration, pitch, time, key))
    key, time, pitch, duration, velocity = key[sort], time[sort], pitch[sort], duration[sort], velocity[sort]
    bounds = np.searchsorted(key, np.asarray(order, dtype=np.int64)), np.searchsorted(
        key, np.asarray(order, dtype=np.int64), side="right")
    tracks = []
    for k, start, stop in zip(order, *bounds):
        program, is_drum = programs[k]
        notes = NoteArray.from_columns(time=time[start:stop], pitch=pitch[start:stop],
                                       duration=duration[start:stop], velocity=velocity[start:stop])
        tracks.append(Track(program=int(program), is_drum=bool(is_drum), notes=notes))
    return tracks


def new_music(resolution: Optional[int], tempos: Optional[Sequence[Tempo]], tracks: list[Track]) -> Music:
    """A decoded piece (resolution defaults to :data:`DEFAULT_RESOLUTION`)."""
    resolution = DEFAULT_RESOLUTION if resolution is None else int(resolution)
    if resolution <= 0:
        raise RepresentationError(f"resolution must be a positive integer, got {resolution}")
    return Music(resolution=resolution, tempos=[Tempo(int(t.time), float(t.qpm)) for t in tempos or []],
                 tracks=tracks)
