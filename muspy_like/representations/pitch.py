"""Pitch representation: one token per time step, for monophonic melodies.

Vocabulary (size 129, or 130 with the hold state)
-------------------------------------------------

=========  =====================================================================
value      meaning
=========  =====================================================================
0-127      a note of this MIDI pitch starts at this step (or, without the hold
           state, this pitch sounds at this step)
128        rest: nothing sounds
129        hold: the previous note goes on (only with ``use_hold_state=True``)
=========  =====================================================================

Unlike MusPy, a rest is never written as pitch 0 (MusPy fills the array with zeros, so a rest and a
sounding C-1 are the same token), and the hold state is on by default, so repeated notes of one pitch stay
separate notes.

Polyphonic input
----------------
The representation holds one pitch per step. With ``polyphony="highest"`` (default) the step takes the
highest pitch sounding there (the "skyline"); with ``"lowest"`` the lowest; with ``"raise"`` a step where
two notes sound raises :class:`~muspy_like.errors.RepresentationError`. When the chosen pitch changes
while a note is still sounding (say a high note ends over a held bass), the still-sounding note is written
as a new onset at the change. Zero-length notes occupy no step and are dropped. Tracks are merged unless
``track`` selects one.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from muspy_like.core import DEFAULT_VELOCITY, Music, Tempo
from muspy_like.errors import RepresentationError
from muspy_like.representations.common import build_tracks, check_integer_array, gather_notes, new_music

__all__ = ["to_pitch_representation", "from_pitch_representation", "pitch_vocabulary", "REST", "HOLD"]

#: Token of a step where nothing sounds.
REST = 128
#: Token of a step where the previous note goes on.
HOLD = 129

_POLICIES = ("highest", "lowest", "raise")


def pitch_vocabulary(use_hold_state: bool = True) -> list[str]:
    """Names of the tokens, indexed by value: ``pitch-0`` ... ``pitch-127``, ``rest`` (and ``hold``)."""
    return [f"pitch-{p}" for p in range(128)] + ["rest"] + (["hold"] if use_hold_state else [])


def to_pitch_representation(
    music: Music,
    use_hold_state: bool = True,
    polyphony: str = "highest",
    track: Optional[int] = None,
    resolution: Optional[int] = None,
    dtype: type = np.int64,
) -> np.ndarray:
    """Encode a piece as one pitch token per time step.

    Parameters
    ----------
    music : Music
        The piece.
    use_hold_state : bool, default True
        Write a note's later steps as ``hold`` (129), so that repeated notes of one pitch stay apart.
        With ``False`` every sounding step carries the pitch (MusPy's default).
    polyphony : {"highest", "lowest", "raise"}
        Which pitch a step takes when several sound (see the module notes).
    track : int, optional
        Encode only this track (index into ``music.tracks``); default: all tracks merged.
    resolution : int, optional
        Steps per quarter note; default: one step per tick of the piece.
    dtype : numpy dtype, default int64
        Type of the returned array.

    Returns
    -------
    numpy.ndarray, shape (T, 1)
        One token per step; ``T`` is the end of the last note, in steps.

    Examples
    --------
    >>> from muspy_like import Music, Track, Note
    >>> music = Music(resolution=2, tracks=[Track(notes=[Note(0, 60, 2), Note(3, 60, 1)])])
    >>> to_pitch_representation(music).ravel().tolist()
    [60, 129, 128, 60]
    """
    if polyphony not in _POLICIES:
        raise RepresentationError(f"polyphony must be one of {_POLICIES}, got {polyphony!r}")
    table = gather_notes(music, resolution, None if track is None else [track])
    sounding = table.duration > 0
    time, pitch, end = table.time[sounding], table.pitch[sounding], table.end[sounding]
    if not len(end):
        return np.zeros((0, 1), dtype=dtype)
    # The sounding pitches change only where a note starts or ends: work on those segments (a few
    # per note) and spread the result over the steps at the end, so a fine grid costs O(T), not O(T x 128).
    points = np.unique(np.concatenate([time, end]))
    sounding, struck_here = _segments(points, time, pitch, end)
    chosen = _chosen_pitch(sounding, points, polyphony)
    any_sounding = sounding.any(axis=1)
    if use_hold_state:
        n_points = len(points)
        struck = struck_here[np.arange(n_points - 1), np.minimum(chosen, 127)]
        changed = np.ones(n_points - 1, dtype=bool)
        changed[1:] = chosen[1:] != chosen[:-1]
        head = np.where(any_sounding & ~(struck | changed), HOLD, chosen)
        tail = np.where(any_sounding, HOLD, REST)
    else:
        head = tail = chosen
    lengths = np.diff(points)
    tokens = np.repeat(tail, lengths)
    tokens[np.cumsum(lengths) - lengths] = head
    if points[0] > 0:
        tokens = np.concatenate([np.full(int(points[0]), REST), tokens])
    return tokens.astype(dtype).reshape(-1, 1)


def _segments(points: np.ndarray, time: np.ndarray, pitch: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which pitches sound in each segment ``points[i]..points[i + 1]`` (shape (segments, 128)), and which
    are struck at each point (shape (points, 128))."""
    first, last = np.searchsorted(points, time), np.searchsorted(points, end)
    n_points = len(points)
    change = np.bincount(first * 128 + pitch, minlength=n_points * 128) - np.bincount(last * 128 + pitch,
                                                                                      minlength=n_points * 128)
    sounding = np.cumsum(change.reshape(n_points, 128), axis=0)[:-1] > 0
    struck_here = np.zeros(n_points * 128, dtype=bool)
    struck_here[first * 128 + pitch] = True
    return sounding, struck_here.reshape(n_points, 128)


def _chosen_pitch(sounding: np.ndarray, points: np.ndarray, polyphony: str) -> np.ndarray:
    """The pitch each segment takes under the ``polyphony`` policy (:data:`REST` where none sounds)."""
    if polyphony == "raise":
        crowded = np.flatnonzero(sounding.sum(axis=1) > 1)
        if len(crowded):
            segment = int(crowded[0])
            raise RepresentationError(f"pitch representation: notes {np.flatnonzero(sounding[segment]).tolist()} "
                                      f"sound together at step {int(points[segment])}; choose "
                                      f"polyphony='highest' or 'lowest'")
    if polyphony == "lowest":
        chosen = sounding.argmax(axis=1)
    else:
        chosen = 127 - sounding[:, ::-1].argmax(axis=1)
    return np.where(sounding.any(axis=1), chosen, REST)


def from_pitch_representation(
    array: np.ndarray,
    resolution: Optional[int] = None,
    program: int = 0,
    is_drum: bool = False,
    use_hold_state: bool = True,
    default_velocity: int = DEFAULT_VELOCITY,
    tempos: Optional[Sequence[Tempo]] = None,
) -> Music:
    """Decode pitch tokens into a one-track piece.

    Parameters
    ----------
    array : numpy.ndarray, shape (T,) or (T, 1)
        Tokens (see the module's vocabulary).
    resolution : int, optional
        Steps per quarter note, which becomes the piece's resolution (default 24).
    program, is_drum : int, bool
        Instrument of the decoded track.
    use_hold_state : bool, default True
        Whether 129 means hold. Without it, a run of equal pitch tokens is one note.
    default_velocity : int, default 64
        Velocity of every decoded note (the representation holds none).
    tempos : sequence of Tempo, optional
        Tempo changes to give the piece (times in steps); the representation holds none.

    Returns
    -------
    Music
        One track; a hold after a rest (or at the start) is read as a rest.
    """
    values = check_integer_array(array, "pitch representation", (1, 2)).reshape(-1)
    top = HOLD if use_hold_state else REST
    bad = np.flatnonzero((values < 0) | (values > top))
    if len(bad):
        raise RepresentationError(f"pitch representation: token {int(values[bad[0]])} at step {int(bad[0])} is "
                                  f"outside 0..{top}")
    length = len(values)
    if use_hold_state:
        starts = np.flatnonzero(values < REST)
        breaks = np.append(np.flatnonzero(values != HOLD), length)
        ends = breaks[np.searchsorted(breaks, starts, side="right")]
    else:
        boundaries = np.flatnonzero(np.diff(values, prepend=-1))
        run_ends = np.append(boundaries[1:], length)
        is_note = values[boundaries] < REST
        starts, ends = boundaries[is_note], run_ends[is_note]
    pitch = values[starts]
    n = len(starts)
    tracks = build_tracks(np.zeros(n, dtype=np.int64), starts, pitch, ends - starts,
                          np.full(n, default_velocity), {0: (program, is_drum)}, [0])
    return new_music(resolution, tempos, tracks)
