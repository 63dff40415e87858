"""Pairing note-ons with note-offs, for all notes of a file at once (numpy).

MIDI does not say which note-off ends which note when notes of the same channel and pitch overlap; the
policies of :mod:`muspy_like.io.midi.builder` decide (``overlap`` = ``"fifo"``, ``"lifo"`` or ``"all"``),
and a note still sounding at the end of its chunk ends at the chunk's last event. Here the note
messages are grouped by (chunk, channel, pitch) with one stable sort, and within each group:

* the number of sounding notes after each message is a cumulative sum clamped at zero (a note-off with
  nothing to end is ignored): the clamp is the running minimum of the unclamped sum;
* ``"fifo"``: the k-th effective note-off of a group ends its k-th note-on;
* ``"lifo"``: a note-on that raises the count to ``d`` is ended by the next note-off that lowers it from
  ``d`` (one more stable sort, by depth);
* ``"all"``: a note-on is ended by the first note-off of its group at a later tick.
"""

from __future__ import annotations

import numpy as np

__all__ = ["note_ends"]


def note_ends(chunk: np.ndarray, tick: np.ndarray, channel: np.ndarray, pitch: np.ndarray, is_on: np.ndarray,
              chunk_end_tick: np.ndarray, overlap: str) -> np.ndarray:
    """The end tick of every note-on among note messages given in file order.

    Parameters
    ----------
    chunk, tick, channel, pitch : ndarray
        Chunk index, tick, channel and pitch of each note message (note-on or note-off), in file order.
    is_on : ndarray of bool
        Whether each message is a note-on with a positive velocity (else it ends a note).
    chunk_end_tick : ndarray
        Tick of the last event of each chunk (where notes still sounding end).
    overlap : {"fifo", "lifo", "all"}
        The pairing policy.

    Returns
    -------
    ndarray of int64
        One end tick per note-on, in the order the note-ons appear.
    """
    n = len(tick)
    if not n:
        return np.zeros(0, dtype=np.int64)
    pitch_key = (channel.astype(np.uint16) << 7) | pitch.astype(np.uint16)
    order = np.argsort(pitch_key, kind="stable")  # a radix sort: chunks and file order stay in place
    groups = _Groups(pitch_key[order], chunk[order], is_on[order])
    sorted_tick = tick[order]
    end = chunk_end_tick[chunk[order]]  # notes never ended; note-offs get overwritten below
    if overlap == "all":
        _pair_all(groups, sorted_tick, end)
    elif overlap == "lifo":
        _pair_lifo(groups, sorted_tick, end)
    else:
        _pair_fifo(groups, sorted_tick, end)
    by_message = np.empty(n, dtype=np.int64)
    by_message[order] = end
    return by_message[is_on]


class _Groups:
    """Note messages sorted by (channel, pitch), chunk order and file order kept within each."""

    def __init__(self, key: np.ndarray, chunk: np.ndarray, is_on: np.ndarray) -> None:
        n = len(key)
        starts = np.ones(n, dtype=bool)
        starts[1:] = (key[1:] != key[:-1]) | (chunk[1:] != chunk[:-1])
        self.start = np.flatnonzero(starts)
        self.size = np.diff(np.append(self.start, n))
        self.id = np.repeat(np.arange(len(self.start)), self.size)
        self.is_on = is_on
        step = np.where(is_on, 1, -1)
        total = np.cumsum(step)
        self.count = total - np.repeat(total[self.start] - step[self.start], self.size)  # unclamped, per group
        # running minimum of min(count, 0) restarting at each group (each group is shifted below the last)
        shift = self.id * (2 * n + 2)
        floor = np.minimum.accumulate(np.minimum(self.count, 0) - shift) + shift
        previous_floor = np.empty(n, dtype=np.int64)
        previous_floor[1:] = floor[:-1]
        previous_floor[self.start] = 0
        self.depth = self.count - floor  # notes sounding after each message
        self.effective_off = ~is_on & (floor == previous_floor)  # a stray note-off lowers the floor

    def rank(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the ``mask`` messages and their rank among their group's ``mask`` messages."""
        positions = np.flatnonzero(mask)
        running = np.cumsum(mask)
        before_group = running[self.start] - mask[self.start]
        return positions, running[positions] - 1 - before_group[self.id[positions]]


def _pair_fifo(groups: _Groups, tick: np.ndarray, end: np.ndarray) -> None:
    """The k-th effective note-off of a group ends the group's k-th note-on."""
    on_positions, _ = groups.rank(groups.is_on)
    off_positions, off_rank = groups.rank(groups.effective_off)
    running_on = np.cumsum(groups.is_on)
    ons_before_group = running_on[groups.start] - groups.is_on[groups.start]
    matched = on_positions[ons_before_group[groups.id[off_positions]] + off_rank]
    end[matched] = tick[off_positions]


def _pair_lifo(groups: _Groups, tick: np.ndarray, end: np.ndarray) -> None:
    """A note-on raising the depth to d is ended by the next effective note-off lowering it from d."""
    moving = np.flatnonzero(groups.is_on | groups.effective_off)
    level = groups.depth[moving] + groups.effective_off[moving]  # depth before a note-off, after a note-on
    if not len(moving):
        return
    key = groups.id[moving] * (int(level.max()) + 1) + level
    by_level = np.argsort(key, kind="stable")  # within a (group, depth): ons and offs alternate in file order
    stacked, same_level = moving[by_level], key[by_level]
    pairs = np.flatnonzero(groups.is_on[stacked[:-1]] & ~groups.is_on[stacked[1:]] & (same_level[:-1] == same_level[1:]))
    end[stacked[pairs]] = tick[stacked[pairs + 1]]


def _pair_all(groups: _Groups, tick: np.ndarray, end: np.ndarray) -> None:
    """A note-on is ended by the first note-off of its group at a later tick (pretty_midi's rule)."""
    offs = np.flatnonzero(~groups.is_on)
    ons = np.flatnonzero(groups.is_on)
    if not len(offs) or not len(ons):
        return
    span = int(tick.max()) + 1
    off_key = groups.id[offs] * span + tick[offs]
    found = np.searchsorted(off_key, groups.id[ons] * span + tick[ons], "right")
    hit = found < len(offs)
    hit[hit] &= groups.id[offs[found[hit]]] == groups.id[ons[hit]]
    end[ons[hit]] = tick[offs[found[hit]]]
