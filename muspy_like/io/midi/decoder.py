"""Decoding the track chunks of a Standard MIDI File into event columns, with numpy.

A track chunk is a sequence of events, each a variable-length delta time followed by a message. Where one
message ends depends on all the messages before it (running status, meta and system-exclusive lengths), so
a chunk is usually decoded one event at a time. Here the sequential part is reduced to the few *irregular*
events and everything else is done with whole-array operations:

* Most events are channel messages with two data bytes (notes, controllers, pitch bends). Such an event
  holds exactly three bytes below 0x80 ("low" bytes): the last byte of its delta time and its two data
  bytes; its other bytes (delta-time continuation bytes, the status byte unless running status is used)
  are high. Counting low bytes, a run of such events therefore advances by exactly three low bytes per
  event: if the last delta-time byte of one event is low byte number ``k`` (its *key*), the next one's is
  ``k + 3``. Keys modulo 3 are *lanes*; a run of regular events stays in one lane.
* An irregular event (meta event, system exclusive, program change or channel pressure, system message)
  starts with a status byte in 0xC0-0xDF or 0xF0-0xFF right after a low byte. Every such byte of the file
  is a *candidate*; for each candidate the extent of the event it would start is computed at once, hence
  the key of the event after it. The true sequence of irregular events is then found by a short Python
  walk over candidates only: from a key, the next irregular event is the first candidate in the same
  lane (a candidate in another lane is a delta-time byte or data that merely looks like a status).
* The regular events between two irregular ones are enumerated with arange arithmetic and checked with
  vectorized comparisons; delta times, running status and ticks follow with cumulative sums.

What is accepted is the *Standard MIDI Files 1.0* grammar, with the MIDI 1.0 rules for running status:
a channel message sets it; meta events leave it alone (as every reader does, although SMF 1.0 says they
cancel it); system exclusive and system common messages (0xF1-0xF6) cancel it; system real-time bytes
(0xF8, 0xFA-0xFC, 0xFE) are accepted as messages without data that leave it alone. Delta times and lengths
have at most four bytes; data bytes are below 0x80. Every violation raises :class:`MIDIError` naming the
byte offset of the first fault, exactly where a one-event-at-a-time decoder would stop.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from muspy_like.errors import MIDIError

__all__ = ["TrackEvents", "decode_events", "read_vlq"]

_NONE, _ONE, _TWO = 0, 1, 2  # running status: none, a one-data-byte status, a two-data-byte status
_EMPTY = np.zeros(0, dtype=np.int64)


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
    starts = np.array([s for s, _ in tracks], dtype=np.int64)
    ends = np.array([e for _, e in tracks], dtype=np.int64)
    high = a >= 0x80
    layout = _Bytes(a, np.flatnonzero(high), np.flatnonzero(~high), starts, ends)
    cands = _candidates(layout)
    walk = _walk(data, layout, cands)
    items = _irregular_items(layout, cands, walk)
    regular, segments = _regular_events(layout, walk, items)
    item_delta, item_error = _item_deltas(layout, walk, segments, items)
    errors = [e for e in (walk.error, regular.error, item_error) if e is not None]
    if errors:
        position, message = min(errors)
        raise MIDIError(f"{name}: {message}")
    return _columns(layout, cands, walk, segments, regular, items, item_delta)


class _Bytes(NamedTuple):
    a: np.ndarray  # the file's bytes
    high: np.ndarray  # offsets of bytes >= 0x80
    low: np.ndarray  # offsets of bytes < 0x80; the index of a low byte in it is its key
    starts: np.ndarray  # chunk data start offsets
    ends: np.ndarray  # chunk data end offsets


class _Candidates(NamedTuple):
    offset: np.ndarray  # offset of the candidate status byte
    key: np.ndarray  # key of the low byte before it (the end of the event's delta time)
    status: np.ndarray
    chunk: np.ndarray
    after: np.ndarray  # offset where the next event would start
    next_key: np.ndarray  # key of the next event's last delta-time byte
    fault: np.ndarray  # 0, or the code of what is wrong with the event (see _FAULTS)
    successor: np.ndarray  # index of the next candidate in the next event's lane, or -1
    payload: np.ndarray  # offset of the payload of meta and system exclusive events
    start_key: np.ndarray  # per chunk: key of the first event's last delta-time byte
    start_successor: np.ndarray  # per chunk: first candidate in that lane, or -1
    lane_keys: tuple  # per lane: sorted candidate keys (for lookups during the walk)
    lane_members: tuple  # per lane: candidate indices


def _candidates(layout: _Bytes) -> _Candidates:
    """Every byte that could start an irregular event, with the extent of that event."""
    a, high, low, starts, ends = layout
    values = a[high]
    maybe = (values >= 0xC0) & ((values < 0xE0) | (values >= 0xF0))
    maybe[1:] &= high[1:] - 1 != high[:-1]  # right after a low byte (the end of a delta time)
    index = np.flatnonzero(maybe)
    offset = high[index]
    key = offset - index - 1
    chunk = np.searchsorted(starts, offset, "right") - 1
    clipped = np.maximum(chunk, 0)
    inside = (chunk >= 0) & (offset > starts[clipped]) & (offset < ends[clipped])
    offset, key, chunk, status = offset[inside], key[inside], chunk[inside], values[index[inside]]
    after, payload, fault = _extents(a, offset, status, ends[chunk])
    next_key, start_key = (np.searchsorted(low, x) for x in (np.minimum(after, ends[chunk]), starts))
    lanes = key % 3
    lane_members = tuple(np.flatnonzero(lanes == r) for r in range(3))
    lane_keys = tuple(key[m] for m in lane_members)
    successor = _first_in_lane(next_key, lane_keys, lane_members)
    start_successor = _first_in_lane(start_key, lane_keys, lane_members)
    return _Candidates(offset, key, status, chunk, after, next_key, fault, successor, payload, start_key,
                       start_successor, lane_keys, lane_members)


def _first_in_lane(keys: np.ndarray, lane_keys: tuple, lane_members: tuple) -> np.ndarray:
    """For each key, the first candidate in its lane at or after it (-1 if none)."""
    found = np.full(len(keys), -1, dtype=np.int64)
    lanes = keys % 3
    for r in range(3):
        asked = np.flatnonzero(lanes == r)
        position = np.searchsorted(lane_keys[r], keys[asked])
        hit = position < len(lane_keys[r])
        found[asked[hit]] = lane_members[r][position[hit]]
    return found


# fault codes of candidate events
_TRUNCATED_META, _TRUNCATED_VLQ, _LONG_VLQ, _META_PAST_END, _SYSEX_PAST_END = 1, 2, 3, 4, 5
_TRUNCATED_MESSAGE, _HIGH_DATA, _UNDEFINED = 6, 7, 8
#: Data bytes after the status of the system messages allowed in a track (and of 0xC0-0xDF).
_SYSTEM_DATA = {0xF1: 1, 0xF2: 2, 0xF3: 1, 0xF6: 0, 0xF8: 0, 0xFA: 0, 0xFB: 0, 0xFC: 0, 0xFE: 0}
_DATA_SIZE = np.zeros(256, dtype=np.int64)
_DATA_SIZE[0xC0:0xE0] = 1
for _status, _size in _SYSTEM_DATA.items():
    _DATA_SIZE[_status] = _size
_UNDEFINED_STATUS = np.zeros(256, dtype=bool)
_UNDEFINED_STATUS[[0xF4, 0xF5, 0xF9, 0xFD]] = True


def _extents(a: np.ndarray, offset: np.ndarray, status: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, ...]:
    """Where the event each candidate would start ends, where its payload starts (meta and system
    exclusive events) and what is wrong with it (0: nothing)."""
    is_meta = status == 0xFF
    sized = is_meta | (status == 0xF0) | (status == 0xF7)
    length_at = offset + 1 + is_meta  # the length of a meta event follows its type byte
    length, length_end, vlq_fault = _read_vlqs(a, length_at, end)
    data_size = _DATA_SIZE[status]
    after = np.where(sized, length_end + length, offset + 1 + data_size)
    fault = np.zeros(len(offset), dtype=np.int64)
    fault[sized & (after > end)] = _SYSEX_PAST_END
    fault[is_meta & (after > end)] = _META_PAST_END
    fault[sized & (vlq_fault != 0)] = vlq_fault[sized & (vlq_fault != 0)]
    fault[is_meta & (offset + 1 >= end)] = _TRUNCATED_META
    fixed = ~sized
    fault[fixed & (after > end)] = _TRUNCATED_MESSAGE
    first, second = (np.take(a, offset + i, mode="clip") for i in (1, 2))
    high_data = ((data_size >= 1) & (first >= 0x80)) | ((data_size == 2) & (second >= 0x80))
    fault[fixed & (after <= end) & high_data] = _HIGH_DATA
    fault[_UNDEFINED_STATUS[status]] = _UNDEFINED
    return after, length_end, fault


def _read_vlqs(a: np.ndarray, at: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Variable-length quantities starting at offsets ``at`` (each within a chunk ending at ``end``).

    Returns the values, the offsets after them and a fault code per quantity (0, truncated, too long).
    """
    value = np.zeros(len(at), dtype=np.int64)
    size = np.zeros(len(at), dtype=np.int64)
    going = np.ones(len(at), dtype=bool)
    fault = np.zeros(len(at), dtype=np.int64)
    for i in range(4):
        byte = np.take(a, at + i, mode="clip").astype(np.int64)
        outside = going & (at + i >= end)
        fault[outside] = _TRUNCATED_VLQ
        going &= ~outside
        value = np.where(going, (value << 7) | (byte & 0x7F), value)
        size += going
        going &= byte >= 0x80
    fault[going] = _LONG_VLQ
    return value, at + size, fault



# faults of the delta time that starts an event
_VLQ_CUT, _VLQ_LONG, _EVENT_CUT = 9, 10, 11


def _delta_faults(low: np.ndarray, begin: np.ndarray, key: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Fault codes of the delta times starting at ``begin`` whose last byte is low byte ``key``."""
    last = np.take(low, key, mode="clip") if len(low) else np.zeros(len(key), dtype=np.int64)
    fault = np.zeros(len(begin), dtype=np.int64)
    fault[last + 1 >= end] = _EVENT_CUT
    fault[last - begin > 3] = _VLQ_LONG
    fault[(key >= len(low)) | (last >= end)] = _VLQ_CUT
    return fault


def _delta_message(fault: int, begin: int, low: np.ndarray, key: int, end: int) -> tuple[int, str]:
    if fault == _VLQ_CUT:
        return begin, f"truncated variable-length number at byte {begin}"
    if fault == _VLQ_LONG:
        return begin, f"variable-length number longer than 4 bytes at byte {begin}"
    head = int(low[key]) + 1
    return head, f"truncated event at byte {head} (chunk ends at byte {end})"


class _Walk(NamedTuple):
    """The irregular events of every chunk, in order, with the runs of regular events between them.

    Each *segment* is a run of regular events (keys ``first``, ``first + 3``... below ``stop``) starting at
    byte ``begin``, followed by one irregular *item*: a candidate index, -2 for a channel message with
    running status and one data byte (listed in ``singles``), or -1 at the end of the chunk.
    """

    chunk: np.ndarray
    begin: np.ndarray
    first: np.ndarray
    stop: np.ndarray
    item: np.ndarray
    singles: list  # (key, status, data byte)
    error: tuple | None  # (byte offset, message) of the first fault found


def _walk(data: bytes, layout: _Bytes, cands: _Candidates) -> _Walk:
    """Follow each chunk from irregular event to irregular event (the only loop over events in Python)."""
    low, ends = layout.low, layout.ends
    c_offset, c_key, c_status, c_chunk, c_after, c_next, c_fault, c_succ = (x.tolist() for x in cands[:8])
    c_next_fault = _delta_faults(low, cands.after, cands.next_key, ends[cands.chunk]).tolist()
    start_fault = _delta_faults(low, layout.starts, cands.start_key, ends).tolist()
    rank_of_end = np.searchsorted(low, ends).tolist()
    segments: list[tuple[int, int, int, int, int]] = []
    singles: list[tuple[int, int, int]] = []
    error = None
    for chunk, (start, end) in enumerate(zip(layout.starts.tolist(), ends.tolist())):
        if start == end:
            continue
        key, item = int(cands.start_key[chunk]), int(cands.start_successor[chunk])
        if start_fault[chunk]:
            error = _delta_message(start_fault[chunk], start, low, key, end)
            break
        begin, running, one_data_status = start, _NONE, 0
        while True:
            if item < 0 or c_chunk[item] != chunk:
                item, stop = -1, rank_of_end[chunk]
            else:
                stop = c_key[item]
            if stop > key and running != _TWO:
                head = int(low[key]) + 1
                if data[head] < 0x80:  # running status at the start of a run of regular events
                    if running == _NONE:
                        error = head, f"data byte 0x{data[head]:02x} without a status (running status) at byte {head}"
                        break
                    segments.append((chunk, begin, key, key, -2))
                    singles.append((key, one_data_status, data[head]))
                    begin = head + 1
                    if begin >= end:
                        break
                    key = int(np.searchsorted(low, begin))
                    fault = _delta_faults(low, np.array([begin]), np.array([key]), np.array([end]))[0]
                    if fault:
                        error = _delta_message(fault, begin, low, key, end)
                        break
                    item = _first_in_lane(np.array([key]), cands.lane_keys, cands.lane_members)[0]
                    continue
            segments.append((chunk, begin, key, stop, item))
            if item < 0:
                error = _chunk_end_fault(low, key, stop, end)
                break
            if stop > key:
                running = _TWO
            if c_fault[item]:
                error = c_offset[item], _fault_message(data, cands, item, c_fault[item], end)
                break
            status = c_status[item]
            if status < 0xE0:
                running, one_data_status = _ONE, status
            elif status <= 0xF7:
                running = _NONE  # system exclusive and system common messages cancel running status
            begin = c_after[item]
            if begin >= end:
                break
            if c_next_fault[item]:
                error = _delta_message(c_next_fault[item], begin, low, c_next[item], end)
                break
            key, item = c_next[item], c_succ[item]
        if error is not None:
            break
    columns = np.array(segments, dtype=np.int64).reshape(-1, 5).T
    return _Walk(*columns, singles, error)


def _chunk_end_fault(low: np.ndarray, first: int, stop: int, end: int) -> tuple[int, str] | None:
    """The run of regular events that ends a chunk must end exactly with the chunk (else None is not returned)."""
    if (stop - first) % 3 == 0 and low[stop - 1] == end - 1:
        return None
    key = first + 3 * ((stop - first) // 3)
    if key < stop:
        head = int(low[key]) + 1
        return head, f"truncated message at byte {head} (chunk ends at byte {end})"
    after = int(low[stop - 1]) + 1
    return after, f"truncated variable-length number at byte {after}"


def _fault_message(data: bytes, cands: _Candidates, item: int, fault: int, end: int) -> str:
    offset, status = int(cands.offset[item]), int(cands.status[item])
    length_at = offset + 1 + (status == 0xFF)
    if fault == _TRUNCATED_META:
        return f"truncated meta event at byte {offset}"
    if fault == _LONG_VLQ:
        return f"variable-length number longer than 4 bytes at byte {length_at}"
    if fault == _TRUNCATED_VLQ:
        return f"truncated variable-length number at byte {length_at}"
    if fault in (_META_PAST_END, _SYSEX_PAST_END):
        what = "meta event" if fault == _META_PAST_END else "system exclusive"
        length = int(cands.after[item] - cands.payload[item])
        return f"{what} at byte {offset} declares {length} bytes, only {end - int(cands.payload[item])} left in its chunk"
    if fault == _TRUNCATED_MESSAGE:
        return f"truncated message at byte {offset} (chunk ends at byte {end})"
    if fault == _HIGH_DATA:
        return f"data byte above 127 in the message at byte {offset}"
    return f"undefined status byte 0x{status:02x} at byte {offset}"


def _vlq_values(a: np.ndarray, last: np.ndarray, begin: np.ndarray) -> np.ndarray:
    """Values of the variable-length quantities occupying bytes ``begin..last`` (at most 4 bytes each)."""
    value = (a[last] & 0x7F).astype(np.int64)
    continued = last - begin
    for i in (1, 2, 3):
        rows = np.flatnonzero(continued >= i)
        if not len(rows):
            break
        value[rows] += (a[last[rows] - i] & 0x7F).astype(np.int64) << (7 * i)
    return value


class _Segments(NamedTuple):
    """Per segment of the walk: how many regular events it holds and where they start in their list."""

    count: np.ndarray
    first_event: np.ndarray  # index of the segment's first regular event among all regular events


class _Regular(NamedTuple):
    """The regular events of the file, in chunk order (two-data-byte channel messages)."""

    status: np.ndarray
    data1: np.ndarray
    data2: np.ndarray
    delta: np.ndarray
    error: tuple | None


def _regular_events(layout: _Bytes, walk: _Walk, items: "_Items") -> tuple[_Regular, _Segments]:
    """Decode and check every regular event at once.

    Within a chunk every low byte belongs to one event; removing the low bytes of the irregular events
    (from an item's key up to the next event's key) and those outside the chunks leaves exactly three
    consecutive low bytes per regular event, in order: the end of its delta time and its two data bytes.
    """
    a, low = layout.a, layout.low
    count = (walk.stop - walk.first) // 3
    segments = _Segments(count, np.cumsum(count) - count)
    keep = np.ones(len(low) + 1, dtype=np.int64)
    marks = np.zeros(len(low) + 1, dtype=np.int64)
    chunk_keys = np.searchsorted(low, np.stack([layout.starts, layout.ends]))
    outside_start = np.concatenate(([0], chunk_keys[1]))  # before the first chunk, between chunks, after the last
    outside_stop = np.concatenate((chunk_keys[0], [len(low)]))
    for begin, stop in ((outside_start, outside_stop), (items.key, items.next_key)):
        np.add.at(marks, begin, 1)
        np.add.at(marks, stop, -1)
    keep = np.cumsum(marks[:-1]) == 0
    if walk.error is not None:
        keep &= low < walk.error[0]
    regular_low = low[keep]
    total = int(count.sum())
    last, first_data, second_data = regular_low[: 3 * total].reshape(-1, 3).T
    previous_end = np.empty(total, dtype=np.int64)
    previous_end[1:] = second_data[:-1] + 1
    filled = count > 0
    previous_end[segments.first_event[filled]] = walk.begin[filled]
    errors = []
    bad = np.flatnonzero((first_data - last > 2) | (second_data != first_data + 1))
    if len(bad):
        head = int(last[bad[0]]) + 1
        errors.append((head, f"data byte above 127 in the message at byte {head}"))
    long_delta = np.flatnonzero(last - previous_end > 3)
    if len(long_delta):
        at = int(previous_end[long_delta[0]])
        errors.append((at, f"variable-length number longer than 4 bytes at byte {at}"))
    explicit = first_data - last == 2
    latest = np.maximum.accumulate(np.where(explicit, np.arange(total), 0)) if total else _EMPTY
    regular = _Regular(a[last[latest] + 1], a[first_data], a[second_data], _vlq_values(a, last, previous_end),
                       min(errors) if errors else None)
    return regular, segments


_REALTIME = np.zeros(256, dtype=bool)
_REALTIME[[0xF8, 0xFA, 0xFB, 0xFC, 0xFE]] = True


class _Items(NamedTuple):
    """The irregular event after each segment that has one (segment ``segment``)."""

    segment: np.ndarray
    candidate: np.ndarray  # candidate index, or -2 for a one-data-byte message with running status
    key: np.ndarray  # key of the end of its delta time
    next_key: np.ndarray  # key of the end of the next event's delta time
    status: np.ndarray  # status of channel messages (0xC0-0xDF), else 0
    data1: np.ndarray


def _irregular_items(layout: _Bytes, cands: _Candidates, walk: _Walk) -> _Items:
    """The items of the walk as columns."""
    segment = np.flatnonzero(walk.item != -1)
    candidate = walk.item[segment]
    single = candidate == -2
    picked = np.maximum(candidate, 0) if len(cands.key) else np.zeros(len(candidate), dtype=np.int64)
    singles = np.array(walk.singles, dtype=np.int64).reshape(-1, 3)
    key = _take(cands.key, picked)
    key[single] = singles[:, 0]
    next_key = _take(cands.next_key, picked)
    next_key[single] = singles[:, 0] + 2  # a running-status message holds its delta time's end and one data byte
    status = _take(cands.status, picked).astype(np.uint8)
    status[single] = singles[:, 1]
    status[status >= 0xE0] = 0
    data1 = np.take(layout.a, _take(cands.offset, picked) + 1, mode="clip")
    data1[single] = singles[:, 2]
    return _Items(segment, candidate, key, next_key, status, data1)


def _take(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    return values[index] if len(values) else np.zeros(len(index), dtype=values.dtype)


def _ticks(layout: _Bytes, walk: _Walk, segments: _Segments, regular: _Regular, items: _Items,
           item_delta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Absolute ticks of the regular events and of the items, the tick of each chunk's last event, and
    the chunk of each regular event."""
    count, first = segments.count, segments.first_event
    running = np.zeros(len(regular.delta) + 1, dtype=np.int64)  # running[i]: sum of the first i deltas
    np.cumsum(regular.delta, out=running[1:])
    delta_after = np.zeros(len(count), dtype=np.int64)
    delta_after[items.segment] = item_delta
    regular_sum = running[first + count] - running[first]
    per_segment = regular_sum + delta_after
    total_after = np.cumsum(per_segment)
    chunk_first_segment = np.searchsorted(walk.chunk, walk.chunk)
    before_segment = total_after - per_segment  # ticks before the segment, from the file's first chunk on
    before_segment -= (total_after - per_segment)[chunk_first_segment]  # ... and from its own chunk's start
    tick = running[1:] + np.repeat(before_segment - running[first], count)
    item_tick = (before_segment + per_segment)[items.segment]
    chunk_end_tick = np.zeros(len(layout.starts), dtype=np.int64)
    chunk_end_tick[walk.chunk] = before_segment + per_segment  # the last segment of a chunk is written last
    return tick, item_tick, chunk_end_tick, np.repeat(walk.chunk, count)


def _item_deltas(layout: _Bytes, walk: _Walk, segments: _Segments, items: _Items) -> tuple[np.ndarray, tuple | None]:
    """Delta times of the items (their delta time starts after the last regular event of their segment)."""
    a, low = layout.a, layout.low
    last = low[items.key]
    filled = segments.count[items.segment] > 0
    begin = np.where(filled, low[items.key - 1] + 1, walk.begin[items.segment])
    error = None
    long_delta = np.flatnonzero(last - begin > 3)
    if len(long_delta):
        at = int(begin[long_delta[0]])
        error = (at, f"variable-length number longer than 4 bytes at byte {at}")
    return _vlq_values(a, last, begin), error


def _columns(layout: _Bytes, cands: _Candidates, walk: _Walk, segments: _Segments, regular: _Regular,
             items: _Items, item_delta: np.ndarray) -> TrackEvents:
    """Channel messages (regular events and the few irregular ones, merged in order) and meta events."""
    tick, item_tick, chunk_end_tick, chunk = _ticks(layout, walk, segments, regular, items, item_delta)
    status, data1, data2 = regular.status, regular.data1, regular.data2
    channel_items = np.flatnonzero(items.status)
    if len(channel_items):
        seg = items.segment[channel_items]
        at = segments.first_event[seg] + segments.count[seg]
        chunk = np.insert(chunk, at, walk.chunk[seg])
        tick = np.insert(tick, at, item_tick[channel_items])
        status = np.insert(status, at, items.status[channel_items])
        data1 = np.insert(data1, at, items.data1[channel_items])
        data2 = np.insert(data2, at, 0)
    candidate = items.candidate
    is_meta = (candidate >= 0) & (_take(cands.status, np.maximum(candidate, 0)) == 0xFF)
    meta = candidate[is_meta]
    realtime = candidate[(candidate >= 0) & _REALTIME[_take(cands.status, np.maximum(candidate, 0))]]
    return TrackEvents(
        chunk, tick, status, data1, data2,
        walk.chunk[items.segment[is_meta]], item_tick[is_meta], layout.a[cands.offset[meta] + 1], cands.payload[meta],
        cands.after[meta], cands.offset[meta], chunk_end_tick, cands.offset[realtime],
    )


def read_vlq(data: bytes, position: int) -> tuple[int, int]:
    """The variable-length quantity at ``data[position:]`` of a well-formed event: (value, offset after it)."""
    value = 0
    while True:
        byte = data[position]
        position += 1
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, position
