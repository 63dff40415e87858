"""Polyphony metrics: how many distinct pitches sound at once.

Both metrics read the pitched notes (drums ignored) as a binary piano roll: at each tick a pitch is on
if at least one note of that pitch sounds (two overlapping notes of one pitch count once, and a note
sounds from its onset tick up to, but not including, its offset tick). The roll is never materialized:
the notes of each pitch are merged into disjoint intervals and a sweep over their boundaries gives the
number of pitches on between consecutive boundaries.
"""

from __future__ import annotations

import math

import numpy as np

from muspy_like.core.music import Music
from muspy_like.metrics.notes import collect_notes, notes_end

__all__ = ["polyphony", "polyphony_rate", "sounding_pitch_counts"]


def _merged_intervals(time: np.ndarray, end: np.ndarray, pitch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of the sounding intervals of each pitch, as (starts, stops) in ticks."""
    keep = end > time
    time, end, pitch = time[keep], end[keep], pitch[keep]
    if not len(time):
        return time, end
    # Shift each pitch onto its own stretch of the time line, so that one running maximum merges
    # overlapping intervals of the same pitch but never joins two pitches.
    span = int(end.max()) + 1
    start = pitch * span + time
    stop = pitch * span + end
    order = np.argsort(start, kind="stable")
    start, stop = start[order], stop[order]
    reach = np.maximum.accumulate(stop)
    new_group = np.ones(len(start), dtype=bool)
    new_group[1:] = start[1:] > reach[:-1]
    group = np.cumsum(new_group) - 1
    group_start = start[new_group]
    group_stop = np.zeros(len(group_start), dtype=np.int64)
    np.maximum.at(group_stop, group, stop)
    offset = (group_start // span) * span
    return group_start - offset, group_stop - offset


def sounding_pitch_counts(music: Music) -> tuple[np.ndarray, np.ndarray]:
    """Number of distinct pitched notes sounding on each stretch of constant polyphony.

    Returns
    -------
    boundaries : numpy.ndarray of int64
        Sorted ticks where the count changes, from 0 to the end of the last note (drums included);
        the stretch ``k`` is ``[boundaries[k], boundaries[k + 1])``.
    counts : numpy.ndarray of int64
        Number of distinct pitches on during each stretch (one fewer element than ``boundaries``).
    """
    notes = collect_notes(music)
    starts, stops = _merged_intervals(notes.time, notes.end, notes.pitch)
    length = notes_end(music)
    ticks = np.concatenate([starts, stops, [0, length]])
    steps = np.concatenate([np.ones(len(starts), np.int64), -np.ones(len(stops), np.int64), [0, 0]])
    order = np.argsort(ticks, kind="stable")
    ticks, steps = ticks[order], steps[order]
    level = np.cumsum(steps)
    # Keep the level after the last change at each tick.
    last_at_tick = np.ones(len(ticks), dtype=bool)
    last_at_tick[:-1] = ticks[1:] != ticks[:-1]
    return ticks[last_at_tick], level[last_at_tick][:-1]


def polyphony(music: Music) -> float:
    """Mean number of distinct pitches sounding, over the ticks where at least one pitch sounds.

    ``polyphony = sum_t n(t) / #{t : n(t) > 0}`` where ``n(t)`` is the number of distinct pitches on at
    tick ``t`` (drums ignored). 1.0 for a monophonic line, 3.0 for a piece of three-note chords. NaN when
    no pitched note has a positive duration.
    """
    boundaries, counts = sounding_pitch_counts(music)
    lengths = np.diff(boundaries)
    sounding = lengths[counts > 0].sum()
    if sounding == 0:
        return math.nan
    return float((counts * lengths).sum() / sounding)


def polyphony_rate(music: Music, threshold: int = 2) -> float:
    """Share of the piece's ticks where at least ``threshold`` distinct pitches sound (0 to 1).

    ``polyphony_rate = #{t : n(t) >= threshold} / T`` where ``T`` is the length of the piece in ticks
    (from 0 to the end of its last note, drums included, so rests count in the denominator) and ``n(t)``
    as in :func:`polyphony`. With the default ``threshold=2`` a two-note chord is polyphonic (MusPy uses
    ``n(t) > threshold`` and scores it 0). Called *polyphonicity* by Dong et al. (2018), "MuseGAN", AAAI.
    NaN when the piece has length 0.

    Parameters
    ----------
    music : Music
        The piece.
    threshold : int, default 2
        Minimum number of simultaneous pitches that makes a tick polyphonic.
    """
    boundaries, counts = sounding_pitch_counts(music)
    lengths = np.diff(boundaries)
    total = lengths.sum()
    if total == 0:
        return math.nan
    return float(lengths[counts >= threshold].sum() / total)
