"""Piano-roll representation: a (time step x pitch) grid, per track or merged, with optional onsets.

Layout
------
====================================  ==============================
options                               shape
====================================  ==============================
default                               ``(T, 128)``
``track_axis=True``                   ``(K, T, 128)``, one roll per track, in track order
``encode_onsets=True``                ``(2, T, 128)``: frames, then onsets
both                                  ``(K, 2, T, 128)``
====================================  ==============================

``T`` is the end of the last note, in steps (MusPy adds one empty step). Values are velocities (uint8)
with ``encode_velocity=True`` (default), booleans otherwise. Where notes of one pitch overlap in one roll,
the frame takes the largest velocity.

Onsets
------
A frame roll cannot tell two back-to-back notes of one pitch from one long note (MusPy merges them). With
``encode_onsets=True`` a second channel marks the step where each note starts (with its velocity, or
True), as in the onsets-and-frames transcription model (Hawthorne et al., ISMIR 2018), and decoding
starts a new note at every onset. Without onsets, decoding still splits a run where the velocity changes.

Exact round trip
----------------
``from_pianoroll_representation(to_pianoroll_representation(music, ...), ...)`` with matching options
restores the notes exactly when: the resolution matches; every note lasts at least one step (zero-length
notes are dropped); no two notes of one pitch overlap in one roll (with ``encode_onsets=False``, they must
not touch either, unless their velocities differ); with ``encode_velocity=True``, every velocity is at least
1 (a velocity-0 note is silent in the roll), and without it every velocity is ``default_velocity``;
without a track axis there is one track, with the program and drum flag given to the decoder; with
one, ``programs`` and ``is_drums`` give the tracks' instruments. The roll holds no tempo: pass ``tempos``
to the decoder.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from muspy_like.core import DEFAULT_VELOCITY, Music, Tempo
from muspy_like.errors import RepresentationError
from muspy_like.representations.common import build_tracks, gather_notes, new_music

__all__ = ["to_pianoroll_representation", "from_pianoroll_representation"]


def to_pianoroll_representation(
    music: Music,
    encode_velocity: bool = True,
    encode_onsets: bool = False,
    track_axis: bool = False,
    resolution: Optional[int] = None,
    dtype: Optional[type] = None,
) -> np.ndarray:
    """Encode a piece as a piano roll.

    Parameters
    ----------
    music : Music
        The piece.
    encode_velocity : bool, default True
        Velocities (uint8) instead of booleans.
    encode_onsets : bool, default False
        Add an onset channel (see the module notes).
    track_axis : bool, default False
        One roll per track instead of all tracks merged.
    resolution : int, optional
        Steps per quarter note; default: one step per tick of the piece.
    dtype : numpy dtype, optional
        Type of the returned array (default uint8 with velocities, bool without).

    Returns
    -------
    numpy.ndarray
        Shape ``([K,] [2,] T, 128)`` (see the module notes).

    Examples
    --------
    >>> from muspy_like import Music, Track, Note
    >>> music = Music(tracks=[Track(notes=[Note(0, 60, 2, 90), Note(2, 60, 1, 90)])])
    >>> roll = to_pianoroll_representation(music, encode_onsets=True)
    >>> roll.shape, roll[0, :, 60].tolist(), roll[1, :, 60].tolist()
    ((2, 3, 128), [90, 90, 90], [90, 0, 90])
    """
    table = gather_notes(music, resolution)
    n_tracks = len(music.tracks) if track_axis else 1
    n_channels = 2 if encode_onsets else 1
    keep = table.duration > 0
    time, duration, pitch = table.time[keep], table.duration[keep], table.pitch[keep]
    velocity, track = table.velocity[keep], (table.track[keep] if track_axis else np.zeros(int(keep.sum()), np.int64))
    length = int((time + duration).max()) if len(time) else 0
    dtype = dtype or (np.uint8 if encode_velocity else bool)
    # Written in its final layout (K, C, T, 128): the zeros are allocated lazily and only the cells of
    # notes are touched, so a fine grid costs what its notes cover, not T x 128.
    roll = np.zeros((n_tracks, n_channels, length, 128), dtype=np.uint8 if encode_velocity else bool)
    flat = roll.reshape(-1)
    frame_base = (track * n_channels * length + time) * 128 + pitch
    first = np.repeat(np.cumsum(duration) - duration, duration)
    cells = np.repeat(frame_base, duration) + (np.arange(len(first)) - first) * 128
    if encode_velocity:
        np.maximum.at(flat, cells, np.repeat(velocity, duration).astype(np.uint8))
        if encode_onsets:
            np.maximum.at(flat, frame_base + length * 128, velocity.astype(np.uint8))
    else:
        flat[cells] = True
        if encode_onsets:
            flat[frame_base + length * 128] = True
    if not encode_onsets:
        roll = roll[:, 0]
    if not track_axis:
        roll = roll[0]
    return roll if roll.dtype == np.dtype(dtype) else roll.astype(dtype)


def from_pianoroll_representation(
    array: np.ndarray,
    encode_onsets: bool = False,
    track_axis: bool = False,
    resolution: Optional[int] = None,
    program: int = 0,
    is_drum: bool = False,
    programs: Optional[Sequence[int]] = None,
    is_drums: Optional[Sequence[bool]] = None,
    default_velocity: int = DEFAULT_VELOCITY,
    tempos: Optional[Sequence[Tempo]] = None,
) -> Music:
    """Decode a piano roll into a piece.

    Parameters
    ----------
    array : numpy.ndarray
        Shape ``([K,] [2,] T, 128)``; boolean (notes get ``default_velocity``) or integer velocities.
    encode_onsets, track_axis : bool
        The layout options used to encode.
    resolution : int, optional
        Steps per quarter note, which becomes the piece's resolution (default 24).
    program, is_drum : int, bool
        Instrument of the track(s) when ``programs``/``is_drums`` are not given.
    programs, is_drums : sequence, optional
        With a track axis: the program and drum flag of each track.
    default_velocity : int, default 64
        Velocity of the notes of a boolean roll.
    tempos : sequence of Tempo, optional
        Tempo changes to give the piece (times in steps); the roll holds none.

    Returns
    -------
    Music
        One track per roll.
    """
    roll = np.asarray(array)
    expected = 2 + encode_onsets + track_axis
    if roll.ndim != expected or roll.shape[-1] != 128 or (encode_onsets and roll.shape[-3] != 2):
        raise RepresentationError(f"piano roll: expected shape {'(K, ' if track_axis else '('}"
                                  f"{'2, ' if encode_onsets else ''}T, 128), got {roll.shape}")
    binary = roll.dtype == bool
    if not binary and not np.issubdtype(roll.dtype, np.integer):
        raise RepresentationError(f"piano roll: expected a boolean or integer array, got dtype {roll.dtype}")
    signed = not binary and np.issubdtype(roll.dtype, np.signedinteger)
    if not binary and ((signed and roll.min(initial=0) < 0) or roll.max(initial=0) > 127):
        raise RepresentationError("piano roll: velocities must be in 0..127")
    if not track_axis:
        roll = roll[np.newaxis]
    if not encode_onsets:
        roll = roll[:, np.newaxis]
    n_tracks = roll.shape[0]
    programs = [program] * n_tracks if programs is None else list(programs)
    is_drums = [is_drum] * n_tracks if is_drums is None else list(is_drums)
    if len(programs) != n_tracks or len(is_drums) != n_tracks:
        raise RepresentationError(f"piano roll: {n_tracks} tracks but {len(programs)} programs and "
                                  f"{len(is_drums)} drum flags")
    columns = [_roll_notes(roll[k, 0], roll[k, 1] if encode_onsets else None) for k in range(n_tracks)]
    key = np.concatenate([np.full(len(c[0]), k, dtype=np.int64) for k, c in enumerate(columns)] or [np.zeros(0, np.int64)])
    time, pitch, duration, velocity = (np.concatenate([c[i] for c in columns]) if columns else np.zeros(0, np.int64)
                                       for i in range(4))
    if binary:
        velocity = np.full(len(time), default_velocity)
    instruments = {k: (int(programs[k]), bool(is_drums[k])) for k in range(n_tracks)}
    tracks = build_tracks(key, time, pitch, duration, velocity, instruments, range(n_tracks))
    return new_music(resolution, tempos, tracks)


def _roll_notes(frames: np.ndarray, onsets: Optional[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Notes of one (T, 128) roll: runs of equal non-zero values, also split at onsets.

    Returns ``(time, pitch, duration, velocity)`` columns (steps, MIDI numbers, steps, frame values or
    onset velocities).
    """
    length = frames.shape[0]
    change = np.empty((length + 1, 128), dtype=bool)
    if length:
        change[0] = frames[0] != 0
        change[length] = frames[length - 1] != 0
        change[1:length] = frames[1:] != frames[:-1]
        if onsets is not None:
            change[:length] |= onsets != 0
    else:
        change[:] = False
    step, pitch = np.nonzero(change)
    order = np.lexsort((step, pitch))
    step, pitch = step[order], pitch[order]
    last_of_pitch = np.ones(len(step), dtype=bool)
    last_of_pitch[:-1] = pitch[1:] != pitch[:-1]
    starts = np.flatnonzero(~last_of_pitch)
    begin, end, pitch = step[starts], step[starts + 1], pitch[starts]
    value = frames[begin, pitch].astype(np.int64)
    is_note = value > 0
    begin, end, pitch, value = begin[is_note], end[is_note], pitch[is_note], value[is_note]
    if onsets is not None:
        struck = onsets[begin, pitch].astype(np.int64)
        value = np.where(struck > 0, struck, value)
    return begin.astype(np.int64), pitch.astype(np.int64), (end - begin).astype(np.int64), value
