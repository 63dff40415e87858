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
    pitch_key = (channel.astype(np.uint16) << 7) | pitch
    if overlap == "fifo":
        ends = _fifo_when_balanced(chunk, tick, pitch_key, is_on)
        if ends is not None:
            return ends
    order = pitch_key.argsort(kind="stable")  # a radix sort: chunk order and file order stay in place
    groups = _Groups(pitch_key[order], chunk[order], is_on[order])
    sorted_tick = tick[order]
    end = chunk_end_tick[groups.chunk]  # notes never ended; note-offs get overwritten below
    groups.clamp()
    if overlap == "all":
        _pair_all(groups, sorted_tick, end)
    elif overlap == "lifo":
        _pair_lifo(groups, sorted_tick, end)
    else:
        _pair_fifo(groups, sorted_tick, end)
    by_message = np.empty(n, dtype=np.int64)
    by_message[order] = end
    return by_message[is_on]


def _fifo_when_balanced(chunk: np.ndarray, tick: np.ndarray, pitch_key: np.ndarray, is_on: np.ndarray) -> np.ndarray | None:
    """First-in-first-out pairing when every note-off ends a note and every note ends, else None.

    Sorting the note-ons and the note-offs each by (channel, pitch) (stable radix sorts, so chunk and file
    order stay), the i-th note-on pairs with the i-th note-off exactly when both lists hold the same
    (chunk, channel, pitch) at every place and each note-off comes after its note-on (then no count of
    sounding notes goes below zero or ends above it).
    """
    ons, offs = is_on.nonzero()[0], (~is_on).nonzero()[0]
    if len(ons) != len(offs):
        return None
    ons = ons[pitch_key[ons].argsort(kind="stable")]
    offs = offs[pitch_key[offs].argsort(kind="stable")]
    if (offs < ons).any() or (pitch_key[ons] != pitch_key[offs]).any() or (chunk[ons] != chunk[offs]).any():
        return None
    ends = np.empty(len(tick), dtype=np.int64)
    ends[ons] = tick[offs]
    return ends[is_on]


class _Groups:
    """Note messages sorted by (channel, pitch), chunk order and file order kept within each; a group is a
    (chunk, channel, pitch)."""

    def __init__(self, key: np.ndarray, chunk: np.ndarray, is_on: np.ndarray) -> None:
        n = len(key)
        starts = np.empty(n, dtype=bool)
        starts[0] = True
        np.not_equal(key[1:], key[:-1], out=starts[1:])
        starts[1:] |= chunk[1:] != chunk[:-1]
        self.chunk = chunk
        self.start = starts.nonzero()[0]
        self.size = np.diff(self.start, append=n)
        self.is_on = is_on
        step = is_on.astype(np.int32) * 2 - 1
        total = step.cumsum(dtype=np.int32)
        self.count = total - np.repeat(total[self.start] - step[self.start], self.size)  # unclamped, per group

    def balanced(self) -> bool:
        """Whether no note-off comes with nothing sounding and every note ends in its group."""
        return bool(self.count.min() >= 0) and not self.count[self.start + self.size - 1].any()

    def clamp(self) -> None:
        """Sounding notes after each message (``depth``) and the note-offs that end one (``effective_off``)."""
        n = len(self.count)
        self.id = np.repeat(np.arange(len(self.start)), self.size)
        # running minimum of min(count, 0) restarting at each group (each group is shifted below the last)
        shift = self.id.astype(np.int64) * (2 * n + 2)
        floor = np.minimum.accumulate(np.minimum(self.count, 0) - shift) + shift
        previous_floor = np.empty(n, dtype=np.int64)
        previous_floor[1:] = floor[:-1]
        previous_floor[self.start] = 0
        self.depth = self.count - floor
        self.effective_off = ~self.is_on & (floor == previous_floor)  # a stray note-off lowers the floor

    def rank(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the ``mask`` messages and their rank among their group's ``mask`` messages."""
        positions = mask.nonzero()[0]
        running = np.cumsum(mask)
        before_group = running[self.start] - mask[self.start]
        return positions, running[positions] - 1 - before_group[self.id[positions]]


def _pair_fifo(groups: _Groups, tick: np.ndarray, end: np.ndarray) -> None:
    """The k-th effective note-off of a group ends the group's k-th note-on."""
    on_positions = groups.is_on.nonzero()[0]
    off_positions, off_rank = groups.rank(groups.effective_off)
    running_on = np.cumsum(groups.is_on)
    ons_before_group = running_on[groups.start] - groups.is_on[groups.start]
    matched = on_positions[ons_before_group[groups.id[off_positions]] + off_rank]
    end[matched] = tick[off_positions]


def _pair_lifo(groups: _Groups, tick: np.ndarray, end: np.ndarray) -> None:
    """A note-on raising the depth to d is ended by the next effective note-off lowering it from d."""
    moving = (groups.is_on | groups.effective_off).nonzero()[0]
    if not len(moving):
        return
    level = groups.depth[moving] + groups.effective_off[moving]  # depth before a note-off, after a note-on
    key = groups.id[moving] * (int(level.max()) + 1) + level
    by_level = np.argsort(key, kind="stable")  # within a (group, depth): ons and offs alternate in file order
    stacked, same_level = moving[by_level], key[by_level]
    pairs = np.flatnonzero(groups.is_on[stacked[:-1]] & ~groups.is_on[stacked[1:]] & (same_level[:-1] == same_level[1:]))
    end[stacked[pairs]] = tick[stacked[pairs + 1]]


def _pair_all(groups: _Groups, tick: np.ndarray, end: np.ndarray) -> None:
    """A note-off ends every note of its group begun at an earlier tick; notes begun at its own tick keep
    sounding unless nothing else sounds (then they end there: pretty_midi's rule, without dropping them).

    A note-on is ended by the first later note-off of its group at a later tick, except where its first
    later note-off is at its own tick: those (rare) groups are paired one message at a time.
    """
    offs = (~groups.is_on).nonzero()[0]
    ons = groups.is_on.nonzero()[0]
    if not len(offs) or not len(ons):
        return
    span = int(tick.max()) + 1
    off_key = groups.id[offs] * span + tick[offs]
    found = np.searchsorted(off_key, groups.id[ons] * span + tick[ons], "right")
    hit = found < len(offs)
    hit[hit] &= groups.id[offs[found[hit]]] == groups.id[ons[hit]]
    end[ons[hit]] = tick[offs[found[hit]]]
    next_off = np.searchsorted(offs, ons)
    near = next_off < len(offs)
    near[near] &= (groups.id[offs[next_off[near]]] == groups.id[ons[near]]) & (tick[offs[next_off[near]]] == tick[ons[near]])
    for group in np.unique(groups.id[ons[near]]).tolist():
        _pair_all_one_by_one(groups, tick, end, group)


def _pair_all_one_by_one(groups: _Groups, tick: np.ndarray, end: np.ndarray, group: int) -> None:
    start = int(groups.start[group])
    sounding: list[int] = []  # positions of the sounding note-ons, oldest first
    for position in range(start, start + int(groups.size[group])):
        if groups.is_on[position]:
            sounding.append(position)
            continue
        now = tick[position]
        earlier = [on for on in sounding if tick[on] != now]
        ended = earlier or sounding
        for on in ended:
            end[on] = now
        sounding = [on for on in sounding if on not in ended]
