"""Decoding the track chunks of a Standard MIDI File into event columns, with numpy.

A track chunk is a sequence of events, each a variable-length delta time followed by a message. Where one
message ends depends on the messages before it (running status, meta and system-exclusive lengths), so
chunks are usually decoded one event at a time. Here the sequential part is reduced to the few *irregular*
events and everything else is done with whole-array operations:

* Most events are channel messages with two data bytes (notes, controllers, pitch bends). Such an event
  holds exactly three bytes below 0x80 ("low" bytes): the last byte of its delta time and its two data
  bytes; its other bytes (delta-time continuation bytes, the status byte unless running status is used)
  are high. Numbering the low bytes of the file, a run of such events advances by exactly three low bytes
  per event: if the last delta-time byte of one event is low byte number ``k`` (the event's *key*), the
  next event's key is ``k + 3``. Keys modulo 3 are *lanes*; a run of regular events stays in one lane.
* An irregular event (meta event, system exclusive, program change or channel pressure, system message)
  has a status byte in 0xC0-0xDF or 0xF0-0xFF right after a low byte. Every such byte is a *candidate*;
  for all candidates at once the end of the event each would start is computed, hence the key of the
  event after it. The true sequence of irregular events is then found by a short Python walk over
  candidates only: from a key, the next irregular event is the first candidate in the same lane (a
  candidate in another lane is a delta-time byte or a payload byte that merely looks like a status).
* Removing the low bytes of the irregular events leaves three consecutive low bytes per regular event:
  they are decoded and checked with a reshape and vectorized comparisons; delta times, running status and
  ticks follow with cumulative sums.

What is accepted is the *Standard MIDI Files 1.0* grammar with the MIDI 1.0 rules for running status: a
channel message sets it; meta events leave it alone (as every reader does, although SMF 1.0 says they
cancel it); system exclusive and system common messages (0xF1-0xF6) cancel it; system real-time bytes
(0xF8, 0xFA-0xFC, 0xFE) are accepted as messages without data that leave it alone, as MIDI 1.0 says.
Delta times and lengths have at most four bytes; data bytes are below 0x80; undefined status bytes
(0xF4, 0xF5, 0xF9, 0xFD) are refused. Every violation raises :class:`MIDIError` naming the byte offset of
the first fault, where a one-event-at-a-time decoder would stop.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import NamedTuple, Optional

import numpy as np

from muspy_like.errors import MIDIError

__all__ = ["TrackEvents", "decode_events", "read_vlq"]

_NONE, _ONE, _TWO = 0, 1, 2  # running status: none, a one-data-byte status, a two-data-byte status
#: Data bytes after the status of the irregular channel and system messages (0xF0, 0xF7, 0xFF: a length).
_DATA_SIZE = np.zeros(256, dtype=np.int64)
_DATA_SIZE[0xC0:0xE0] = 1
_DATA_SIZE[[0xF1, 0xF2, 0xF3]] = (1, 2, 1)
_UNDEFINED = frozenset({0xF4, 0xF5, 0xF9, 0xFD})


class TrackEvents(NamedTuple):
    """The events of every track chunk of a file, as columns (chunks in file order, events in file order).

    Attributes
    ----------
    chunk, tick, status, data1, data2 : ndarray
        Channel messages (0x80-0xEF): chunk index, absolute tick within the chunk, status byte and data
        bytes (``data2`` is 0 for program changes and channel pressure).
    meta_chunk, meta_tick, meta_type, meta_start, meta_end, meta_offset : ndarray
        Meta events: chunk index, tick, type byte, payload as the byte range ``data[start:end]``, and the
        offset of the event's 0xFF byte (for error messages).
    chunk_end_tick : ndarray
        Tick of the last event of each chunk (its end of track, normally); 0 for an empty chunk.
    realtime_offsets : ndarray
        Offsets of the status bytes of system real-time messages (they carry nothing and are ignored).
    sysex_start, sysex_end : ndarray
        Payloads of the system exclusive events (ignored), as byte ranges.
    """

    chunk: np.ndarray
    tick: np.ndarray
    status: np.ndarray
    data1: np.ndarray
    data2: np.ndarray
    meta_chunk: np.ndarray
    meta_tick: np.ndarray
    meta_type: np.ndarray
    meta_start: np.ndarray
    meta_end: np.ndarray
    meta_offset: np.ndarray
    chunk_end_tick: np.ndarray
    realtime_offsets: np.ndarray
    sysex_start: np.ndarray
    sysex_end: np.ndarray


def decode_events(data: bytes, tracks: list[tuple[int, int]], name: str = "<bytes>") -> TrackEvents:
    """Decode the track chunks ``data[start:end]`` of a MIDI file (see the module docstring).

    Parameters
    ----------
    data : bytes
        The whole file.
    tracks : list of (int, int)
        Byte ranges of the chunks' data (from :func:`~muspy_like.io.midi.chunks.split_chunks`).
    name : str
        File name for error messages.

    Raises
    ------
    MIDIError
        The first malformed event, with its byte offset.
    """
    a = np.frombuffer(data, dtype=np.uint8)
    low = _low_offsets(a)
    cands = _candidates(data, a, low, tracks)
    walk = _Walk(data, low, cands, tracks)
    regular = _regular_events(a, low, walk, tracks)
    items = _items(a, walk, cands, regular)
    faults = [f for f in (walk.fault, regular.fault, items.fault) if f is not None]
    if faults:
        raise MIDIError(f"{name}: {min(faults)[1]}")
    del low, cands  # 4 bytes per data byte of the file: freed before the columns are built (peak memory)
    walk.low = walk.cands = None
    return _columns(a, walk, regular, items, len(tracks))


_BLOCK = 1 << 20


def _low_offsets(a: np.ndarray) -> np.ndarray:
    """Offsets of the bytes below 0x80, as 32-bit integers when they fit (half the memory and the traffic
    of everything that follows), found block by block so that no 64-bit copy of them all ever exists."""
    if len(a) >= 2**31:
        return (a < 0x80).nonzero()[0]
    if len(a) <= _BLOCK:
        return (a < 0x80).nonzero()[0].astype(np.int32)
    out = np.empty(int(np.count_nonzero(a < 0x80)), dtype=np.int32)
    filled = 0
    for start in range(0, len(a), _BLOCK):
        found = (a[start : start + _BLOCK] < 0x80).nonzero()[0]
        out[filled : filled + len(found)] = found
        out[filled : filled + len(found)] += start
        filled += len(found)
    return out


class _Candidates(NamedTuple):
    """Bytes that may start an irregular event, in file order, and where that event would end."""

    offset: list  # offset of the status byte
    key: list  # key of the low byte before it (the end of the event's delta time)
    status: list
    after: list  # offset where the next event would start
    next_key: list  # key of the first low byte at or after ``after``
    flagged: list  # whether the event or the delta time after it may be malformed (checked if reached)
    lane_keys: tuple  # per lane: candidate keys, sorted
    lane_index: tuple  # per lane: candidate numbers
    columns: tuple  # offset, key, status and after as arrays


def _candidates(data: bytes, a: np.ndarray, low: np.ndarray, tracks: list[tuple[int, int]]) -> _Candidates:
    """Every byte that could start an irregular event, with the extent of that event."""
    offset = (a >= 0xC0).nonzero()[0]  # few bytes are that high: filtering the offsets is cheap
    if not tracks:
        offset = offset[:0]
    status = a[offset]
    keep = ((status < 0xE0) | (status >= 0xF0)) & (a[offset - 1] < 0x80)  # right after a delta time's end
    starts = np.array([s for s, _ in tracks], dtype=np.int64)
    ends = np.array([e for _, e in tracks], dtype=np.int64)
    chunk = starts.searchsorted(offset, "right") - 1
    inside = chunk >= 0
    chunk[~inside] = 0
    keep &= inside & (offset > starts[chunk]) & (offset < ends[chunk])  # not in headers, not a first byte
    offset, chunk = offset[keep], chunk[keep]
    status = a[offset]
    sized = status >= 0xF0
    sized &= (status == 0xFF) | (status <= 0xF0) | (status == 0xF7)
    length_at = offset + 1 + (status == 0xFF)
    length = np.take(a, length_at, mode="clip").astype(np.int64)
    after = np.where(sized, length_at + 1 + length, offset + 1 + _DATA_SIZE[status])
    flagged = sized & (length >= 0x80)  # several length bytes: the walk reads them
    ones = ~sized & (_DATA_SIZE[status] > 0)
    flagged |= ones & (np.take(a, offset + 1, mode="clip") >= 0x80)
    flagged |= (status == 0xF2) & (np.take(a, offset + 2, mode="clip") >= 0x80)
    flagged |= (status == 0xF4) | (status == 0xF5) | (status == 0xF9) | (status == 0xFD)
    if flagged.any():
        after = _exact_ends(data, a, offset, after, flagged, status)
    key = low.searchsorted(offset) - 1
    next_key = low.searchsorted(after)
    # the delta time of the next event: at most 4 bytes, and an event after it within the chunk
    end = ends[chunk]
    last = np.take(low, next_key, mode="clip") if len(low) else next_key
    flagged |= (after > end) | ((after < end) & ((last - after > 3) | (last + 1 >= end) | (next_key >= len(low))))
    lanes = key % 3
    lane_index = tuple((lanes == r).nonzero()[0] for r in range(3))
    return _Candidates(offset.tolist(), key.tolist(), status.tolist(), after.tolist(), next_key.tolist(),
                       flagged.tolist(), tuple(key[i].tolist() for i in lane_index),
                       tuple(i.tolist() for i in lane_index), (offset, key, status, after))


def _exact_ends(data: bytes, a: np.ndarray, offset: np.ndarray, after: np.ndarray, flagged: np.ndarray,
                status: np.ndarray) -> np.ndarray:
    """Ends of the flagged candidates whose length has several bytes (others keep a rough end: a walk
    reaching them reports their fault)."""
    after = after.copy()
    for row in flagged.nonzero()[0].tolist():
        if status[row] in (0xF0, 0xF7, 0xFF):
            at = int(offset[row]) + 1 + (status[row] == 0xFF)
            length, payload, fault = _vlq_at(data, at, len(data))
            if fault is None:
                after[row] = payload + length
    return after


def _vlq_at(data: bytes, position: int, end: int) -> tuple[int, int, Optional[str]]:
    """The variable-length quantity at ``position`` (ending before ``end``): (value, offset after, fault)."""
    value, begin = 0, position
    for _ in range(4):
        if position >= end:
            return 0, position, f"truncated variable-length number at byte {begin}"
        byte = data[position]
        position += 1
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, position, None
    return 0, position, f"variable-length number longer than 4 bytes at byte {begin}"


def read_vlq(data: bytes, position: int) -> tuple[int, int]:
    """The variable-length quantity at ``data[position:]`` of a well-formed event: (value, offset after it)."""
    value, _, _ = _vlq_at(data, position, len(data))
    after = position
    while data[after] >= 0x80:
        after += 1
    return value, after + 1


class _Walk:
    """The irregular events of every chunk, in order, with the runs of regular events between them.

    Each *segment* is a run of regular events (keys ``first``, ``first + 3``... below ``stop``) that starts
    at byte ``begin``, followed by one irregular *item* (a candidate number, -2 for a channel message with
    running status and one data byte, described in ``singles``), or by the end of its chunk (-1).
    ``fault`` is (offset, message) of the first fault met, if any.
    """

    def __init__(self, data: bytes, low: np.ndarray, cands: _Candidates, tracks: list[tuple[int, int]]) -> None:
        self.data, self.low, self.cands = data, low, cands
        self.segments: list[tuple[int, int, int, int, int]] = []  # (chunk, begin, first, stop, item)
        # per channel message with running status and one data byte: segment, key, offset of its data
        # byte, status, data byte and the offset after it
        self.singles: list[tuple[int, int, int, int, int, int]] = []
        self.fault: Optional[tuple[int, str]] = None
        starts = low.searchsorted([s for s, _ in tracks] + [e for _, e in tracks]).tolist()
        for chunk, (start, end) in enumerate(tracks):
            if start < end:
                self._chunk(chunk, start, end, starts[chunk], starts[len(tracks) + chunk])
            if self.fault is not None:
                break

    def _delta_fault(self, begin: int, key: int, end: int) -> Optional[tuple[int, str]]:
        """What is wrong with the delta time at ``begin`` whose last byte should be low byte ``key``."""
        last = int(self.low[key]) if key < len(self.low) else end
        if min(last, end) - begin > 3:  # four bytes >= 0x80 inside the chunk, whatever follows
            return begin, f"variable-length number longer than 4 bytes at byte {begin}"
        if last >= end:
            return begin, f"truncated variable-length number at byte {begin}"
        if last + 1 >= end:
            return last + 1, f"truncated event at byte {last + 1} (chunk ends at byte {end})"
        return None

    def _chunk(self, chunk: int, begin: int, end: int, key: int, end_key: int) -> None:
        data, cands, segments, low = self.data, self.cands, self.segments, self.low
        c_key, c_status, c_after, c_next, c_flagged = cands.key, cands.status, cands.after, cands.next_key, cands.flagged
        lane_keys, lane_index = cands.lane_keys, cands.lane_index
        running, one_data_status = _NONE, 0
        self.fault = self._delta_fault(begin, key, end)
        while self.fault is None:
            keys = lane_keys[key % 3]
            position = bisect_left(keys, key)
            item = lane_index[key % 3][position] if position < len(keys) else -1
            if item >= 0 and c_key[item] < end_key:
                stop = c_key[item]
            else:
                item, stop = -1, end_key
            if stop > key and running != _TWO:
                head = int(low[key]) + 1
                if data[head] < 0x80:  # running status at the start of a run of regular events
                    if running == _NONE:
                        self.fault = head, f"data byte 0x{data[head]:02x} without a status (running status) at byte {head}"
                        return
                    self.singles.append((len(segments), key, head, one_data_status, data[head], head + 1))
                    segments.append((chunk, begin, key, key, -2))
                    begin = head + 1
                    if begin == end:
                        return
                    key = int(low.searchsorted(begin))
                    self.fault = self._delta_fault(begin, key, end)
                    continue
            segments.append((chunk, begin, key, stop, item))
            if item < 0:
                self.fault = self._end_fault(begin, key, stop, end)
                return
            if stop > key:
                running = _TWO
            if c_flagged[item]:
                self.fault = _item_fault(data, cands.offset[item], end)
                if self.fault is None and c_after[item] < end:
                    self.fault = self._delta_fault(c_after[item], c_next[item], end)
                if self.fault is not None:
                    return
            status = c_status[item]
            if status < 0xE0:
                running, one_data_status = _ONE, status
            elif status <= 0xF7:
                running = _NONE  # system exclusive and system common messages cancel running status
            begin, key = c_after[item], c_next[item]
            if begin == end:
                return

    def _end_fault(self, begin: int, first: int, stop: int, end: int) -> Optional[tuple[int, str]]:
        """The run of regular events (from byte ``begin``) that ends a chunk must end exactly with the chunk;
        the first fault of its cut last event is its delta time's, if that is too long."""
        if (stop - first) % 3 == 0 and self.low[stop - 1] == end - 1:
            return None
        key = first + 3 * ((stop - first) // 3)
        delta_at = int(self.low[key - 1]) + 1 if key > first else begin
        if key < stop:
            if int(self.low[key]) - delta_at > 3:
                return delta_at, f"variable-length number longer than 4 bytes at byte {delta_at}"
            head = int(self.low[key]) + 1
            return head, f"truncated message at byte {head} (chunk ends at byte {end})"
        if end - delta_at > 3:  # only bytes >= 0x80 left, four or more
            return delta_at, f"variable-length number longer than 4 bytes at byte {delta_at}"
        return delta_at, f"truncated variable-length number at byte {delta_at}"


def _item_fault(data: bytes, offset: int, end: int) -> Optional[tuple[int, str]]:
    """What is wrong with the irregular event whose status is at ``offset`` (None if nothing)."""
    status = data[offset]
    if status in _UNDEFINED:
        return offset, f"undefined status byte 0x{status:02x} at byte {offset}"
    if status in (0xF0, 0xF7, 0xFF):
        if status == 0xFF and offset + 1 >= end:
            return offset, f"truncated meta event at byte {offset}"
        at = offset + 1 + (status == 0xFF)
        length, payload, fault = _vlq_at(data, at, end)
        if fault is not None:
            return at, fault
        if payload + length > end:
            what = "meta event" if status == 0xFF else "system exclusive"
            return offset, f"{what} at byte {offset} declares {length} bytes, only {end - payload} left in its chunk"
        return None
    size = 1 if status < 0xE0 else {0xF1: 1, 0xF2: 2, 0xF3: 1}.get(status, 0)
    if offset + 1 + size > end:
        return offset, f"truncated message at byte {offset} (chunk ends at byte {end})"
    if any(byte >= 0x80 for byte in data[offset + 1 : offset + 1 + size]):
        return offset, f"data byte above 127 in the message at byte {offset}"
    return None


class _Regular(NamedTuple):
    """The regular events of the file (two-data-byte channel messages), in chunk order."""

    last: np.ndarray  # offset of the last byte of each event's delta time
    status: np.ndarray
    data1: np.ndarray
    data2: np.ndarray
    delta: np.ndarray
    count: np.ndarray  # per segment: how many regular events it holds
    fault: Optional[tuple[int, str]]


def _regular_events(a: np.ndarray, low: np.ndarray, walk: _Walk, tracks: list[tuple[int, int]]) -> _Regular:
    """Decode and check every regular event at once.

    Within a chunk every low byte belongs to one event; removing the low bytes of the irregular events
    (from an item's key up to the next event's key) and those outside the chunks leaves three consecutive
    low bytes per regular event: the end of its delta time and its two data bytes.
    """
    segments = walk.segments
    count = np.array([(stop - first) // 3 for _, _, first, stop, _ in segments], dtype=np.int64)
    total = int(count.sum())
    last, first_data, second_data = low[_regular_lows(low, walk, total)].reshape(-1, 3).T.copy()  # contiguous rows
    previous_end = np.empty(total, dtype=low.dtype)
    previous_end[1:] = second_data[:-1]
    previous_end += 1
    segment_first = np.cumsum(count) - count
    filled = (count > 0).nonzero()[0]
    previous_end[segment_first[filled]] = [segments[i][1] for i in filled.tolist()]
    step = first_data - last
    faults = []
    bad = ((step > 2) | (second_data - first_data != 1)).nonzero()[0]
    if len(bad):
        head = int(last[bad[0]]) + 1
        faults.append((head, f"data byte above 127 in the message at byte {head}"))
    delta_size = last - previous_end
    long_delta = (delta_size > 3).nonzero()[0]
    if len(long_delta):
        at = int(previous_end[long_delta[0]])
        faults.append((at, f"variable-length number longer than 4 bytes at byte {at}"))
    explicit = step == 2
    del step, previous_end
    status_at = last + 1
    if not explicit.all():  # running status: the status of the latest event that has one
        latest = np.where(explicit, np.arange(total, dtype=np.int32), 0)
        np.maximum.accumulate(latest, out=latest)
        status_at = status_at[latest]
        del latest
    status = a[status_at]
    del status_at, explicit
    delta = _vlq_values(a, last, delta_size)
    return _Regular(last, status, a[first_data], a[second_data], delta, count, min(faults) if faults else None)


def _regular_lows(low: np.ndarray, walk: _Walk, total: int) -> np.ndarray:
    """Mask of the low bytes that belong to regular events (runs kept, everything else dropped)."""
    kept_from, kept_to = [], []
    for _, _, first, stop, _ in walk.segments:
        if stop - first >= 3:
            kept_from.append(first)
            kept_to.append(first + (stop - first) // 3 * 3)  # a cut last event is the walk's fault
    if not kept_from:
        return np.zeros(len(low), dtype=bool)
    bounds = np.array([kept_from, kept_to], dtype=np.int64).T.ravel()
    lengths = np.diff(bounds, prepend=0, append=len(low))
    pattern = np.zeros(len(lengths), dtype=bool)
    pattern[1::2] = True
    return np.repeat(pattern, lengths)


def _vlq_values(a: np.ndarray, last: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Values of the variable-length quantities whose last byte is at ``last`` and that have ``size``
    bytes before it (0 to 3)."""
    value = a[last].astype(np.int64)
    rows = size.nonzero()[0]
    shift = 7
    while len(rows):
        value[rows] += (a[last[rows] - shift // 7].astype(np.int64) & 0x7F) << shift
        rows = rows[size[rows] > shift // 7]
        shift += 7
    return value


class _Items(NamedTuple):
    """The irregular events of the walk, as columns (see :attr:`_Walk.items`)."""

    segment: np.ndarray
    offset: np.ndarray
    status: np.ndarray
    first_data: np.ndarray
    after: np.ndarray
    delta: np.ndarray
    fault: Optional[tuple[int, str]]


def _items(a: np.ndarray, walk: _Walk, cands: _Candidates, regular: _Regular) -> _Items:
    """The items as columns, with their delta times (which start after the last regular event of their
    segment, or where the segment starts if it has none)."""
    segments = np.array(walk.segments, dtype=np.int64).reshape(-1, 5)
    segment = (segments[:, 4] != -1).nonzero()[0]
    item = segments[segment, 4]
    offset, key, status, after = (np.take(column, item, mode="clip") if len(column) else np.zeros(len(item), np.int64)
                                  for column in cands.columns)
    status = status.astype(np.int64)
    first_data = np.where(status < 0xE0, np.take(a, offset + 1, mode="clip"), 0)
    if walk.singles:
        single = (item == -2).nonzero()[0]
        _, key[single], offset[single], status[single], first_data[single], after[single] = np.array(walk.singles).T
    last = walk.low[key]
    begin = segments[segment, 1]
    filled = regular.count[segment] > 0
    begin[filled] = walk.low[key[filled] - 1] + 1
    size = last - begin
    fault = None
    long_delta = (size > 3).nonzero()[0]
    if len(long_delta):
        at = int(begin[long_delta[0]])
        fault = at, f"variable-length number longer than 4 bytes at byte {at}"
        size = np.minimum(size, 3)
    return _Items(segment, offset, status, first_data, after, _vlq_values(a, last, size), fault)


def _columns(a: np.ndarray, walk: _Walk, regular: _Regular, items: _Items, n_chunks: int) -> TrackEvents:
    """Ticks from the delta times of all events in chunk order; channel messages and meta events as columns."""
    segments = np.array(walk.segments, dtype=np.int64).reshape(-1, 5)
    count = regular.count
    segment_of, offset, status, first_data, after = items.segment, items.offset, items.status, items.first_data, items.after
    chunk = np.repeat(segments[:, 0].astype(np.int32), count)
    tick, item_tick, chunk_end_tick = _ticks(segments[:, 0], count, regular.delta, segment_of, items.delta, n_chunks)
    columns = (chunk, tick, regular.status, regular.data1, regular.data2)
    channel_item = ((status >= 0xC0) & (status < 0xE0)).nonzero()[0]
    if len(channel_item):
        rows = segment_of[channel_item]
        at = np.cumsum(count)[rows]  # after the regular events of the item's segment
        inserted = (segments[rows, 0], item_tick[channel_item], status[channel_item], first_data[channel_item], 0)
        columns = _merge(at, columns, inserted)
    meta = (status == 0xFF).nonzero()[0]
    meta_offset = offset[meta]
    system = (status >= 0xF0) & (status < 0xFF)
    if system.any():
        sysex = ((status == 0xF0) | (status == 0xF7)).nonzero()[0]
        realtime = offset[system & (status >= 0xF8)]  # undefined statuses never get here: they are faults
        sysex_start, sysex_end = _payload_starts(walk.data, a, offset[sysex] + 1), after[sysex]
    else:
        realtime = sysex_start = sysex_end = offset[:0]
    return TrackEvents(*columns, segments[segment_of[meta], 0], item_tick[meta], a[meta_offset + 1],
                       _payload_starts(walk.data, a, meta_offset + 2), after[meta], meta_offset, chunk_end_tick,
                       realtime, sysex_start, sysex_end)


def _payload_starts(data: bytes, a: np.ndarray, length_at: np.ndarray) -> np.ndarray:
    """Where the payloads start whose lengths (variable-length quantities) start at ``length_at``."""
    start = length_at + 1
    for row in (np.take(a, length_at, mode="clip") >= 0x80).nonzero()[0].tolist():
        start[row] = read_vlq(data, int(length_at[row]))[1]
    return start


def _merge(at: np.ndarray, columns: tuple, inserted: tuple) -> tuple:
    """Columns with the ``inserted`` rows placed before rows ``at`` (sorted) of ``columns``."""
    n, m = len(columns[0]), len(at)
    into = at + np.arange(m)
    kept = np.ones(n + m, dtype=bool)
    kept[into] = False
    merged = []
    for column, values in zip(columns, inserted):
        out = np.empty(n + m, dtype=column.dtype)
        out[kept] = column
        out[into] = values
        merged.append(out)
    return tuple(merged)


def _ticks(segment_chunk: np.ndarray, count: np.ndarray, delta: np.ndarray, item_segment: np.ndarray,
           item_delta: np.ndarray, n_chunks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Absolute ticks of the regular events and of the items, and the tick of each chunk's last event."""
    running = np.zeros(len(delta) + 1, dtype=np.int64)  # running[i]: sum of the first i regular deltas
    np.cumsum(delta, out=running[1:])
    first = np.cumsum(count) - count
    delta_after = np.zeros(len(count), dtype=np.int64)
    delta_after[item_segment] = item_delta
    per_segment = running[first + count] - running[first] + delta_after
    elapsed = np.cumsum(per_segment) - per_segment  # from the first chunk's start to the segment's
    chunk_start = segment_chunk.searchsorted(segment_chunk)  # first segment of each segment's chunk
    elapsed -= elapsed[chunk_start]
    tick = running[1:] + np.repeat(elapsed - running[first], count)
    item_tick = (elapsed + per_segment)[item_segment]
    chunk_end_tick = np.zeros(n_chunks, dtype=np.int64)
    chunk_end_tick[segment_chunk] = elapsed + per_segment  # the last segment of each chunk is written last
    return tick, item_tick, chunk_end_tick
