"""Independent expectations for MIDI tests, computed from mido's raw messages (not from our reader)."""

from __future__ import annotations

from collections import defaultdict, deque

import mido


def mido_note_tuples(source) -> list[tuple[int, int, int, int, int]]:
    """Sorted (channel, time, pitch, duration, velocity) of every note, pairing first-in-first-out; a note
    never ended ends at its track's last message (MusPy's rule)."""
    midi = source if isinstance(source, mido.MidiFile) else mido.MidiFile(source)
    notes = []
    for track in midi.tracks:
        tick = 0
        sounding: dict[tuple[int, int], deque] = defaultdict(deque)
        for message in track:
            tick += message.time
            if message.type == "note_on" and message.velocity > 0:
                sounding[message.channel, message.note].append((tick, message.velocity))
            elif message.type in ("note_on", "note_off"):
                queue = sounding[message.channel, message.note]
                if queue:
                    start, velocity = queue.popleft()
                    notes.append((message.channel, start, message.note, tick - start, velocity))
        for (channel, pitch), queue in sounding.items():
            notes += [(channel, start, pitch, tick - start, velocity) for start, velocity in queue]
    return sorted(notes)


def music_note_tuples(music) -> list[tuple[int, int, int, int, int]]:
    """The same tuples from a Music (channel of the track)."""
    out = []
    for track in music.tracks:
        for time, pitch, duration, velocity in zip(
            track.notes.time.tolist(), track.notes.pitch.tolist(), track.notes.duration.tolist(), track.notes.velocity.tolist()
        ):
            out.append((track.channel, time, pitch, duration, velocity))
    return sorted(out)


def mido_meta(source, kind: str, attribute: str) -> list[tuple[int, object]]:
    """(absolute tick, value) of every meta message of one kind, in track order."""
    midi = source if isinstance(source, mido.MidiFile) else mido.MidiFile(source)
    found = []
    for track in midi.tracks:
        tick = 0
        for message in track:
            tick += message.time
            if message.type == kind:
                found.append((tick, getattr(message, attribute)))
    return found


class ReferenceFault(Exception):
    """The reference decoder's verdict on a malformed chunk: ``offset`` is where the fault is."""

    def __init__(self, offset: int, what: str) -> None:
        super().__init__(f"{what} at byte {offset}")
        self.offset = offset


#: Data bytes of each channel message kind (status >> 4) and of the system messages allowed in a track.
_CHANNEL_DATA = {0x8: 2, 0x9: 2, 0xA: 2, 0xB: 2, 0xC: 1, 0xD: 1, 0xE: 2}
_SYSTEM_DATA = {0xF1: 1, 0xF2: 2, 0xF3: 1, 0xF6: 0}
_REALTIME = {0xF8, 0xFA, 0xFB, 0xFC, 0xFE}


def reference_events(data: bytes, tracks: list[tuple[int, int]]):
    """Decode track chunks one event at a time, by the rule of ``docs/io-midi-native.md`` (independent of
    the library's vectorized decoder, for the differential and fuzz tests).

    Returns (channel messages as (chunk, tick, status, data1, data2), meta events as (chunk, tick, type,
    payload start, payload end), last tick of each chunk); raises :class:`ReferenceFault` at the first fault.
    """
    channel, metas, ends = [], [], []
    for chunk, (start, end) in enumerate(tracks):
        position, tick, running = start, 0, None
        while position < end:
            delta, position = _reference_vlq(data, position, end)
            tick += delta
            if position >= end:
                raise ReferenceFault(position, "truncated event")
            status = data[position]
            if status < 0x80:
                if running is None:
                    raise ReferenceFault(position, "running status without a status")
                status, head = running, position
            else:
                head = position + 1
            if status == 0xFF:
                if head >= end:
                    raise ReferenceFault(position, "truncated meta event")
                length, payload = _reference_vlq(data, head + 1, end)
                if payload + length > end:
                    raise ReferenceFault(position, "meta event past the end of its chunk")
                metas.append((chunk, tick, data[head], payload, payload + length))
                position = payload + length
            elif status in (0xF0, 0xF7):
                length, payload = _reference_vlq(data, head, end)
                if payload + length > end:
                    raise ReferenceFault(position, "system exclusive past the end of its chunk")
                position, running = payload + length, None
            elif status in _REALTIME:
                position = head
            elif status >= 0xF0:
                if status not in _SYSTEM_DATA:
                    raise ReferenceFault(position, "undefined status")
                position = _reference_data(data, position, head, _SYSTEM_DATA[status], end)
                running = None
            else:
                size = _CHANNEL_DATA[status >> 4]
                after = _reference_data(data, position, head, size, end)
                channel.append((chunk, tick, status, data[head], data[head + 1] if size == 2 else 0))
                position, running = after, status
        ends.append(tick)
    return channel, metas, ends


def _reference_vlq(data: bytes, position: int, end: int) -> tuple[int, int]:
    value, begin = 0, position
    for _ in range(4):
        if position >= end:
            raise ReferenceFault(begin, "truncated variable-length number")
        byte = data[position]
        position += 1
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, position
    raise ReferenceFault(begin, "variable-length number longer than 4 bytes")


def _reference_data(data: bytes, message: int, head: int, size: int, end: int) -> int:
    """Check ``size`` data bytes at ``head`` of the message at ``message``; return the offset after them."""
    if head + size > end:
        raise ReferenceFault(message, "truncated message")
    if any(byte >= 0x80 for byte in data[head : head + size]):
        raise ReferenceFault(message, "data byte above 127")
    return head + size
