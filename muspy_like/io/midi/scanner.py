"""A pure-Python decoder of MIDI track chunks that knows the byte offset of every event.

It is the exact fallback of the fast engine (files or chunks the fast path does not cover) and the
place where a corrupt file's error gets its byte offset. It feeds a
:class:`~muspy_like.io.midi.builder.MusicBuilder`.
"""

from __future__ import annotations

from muspy_like.errors import MIDIError
from muspy_like.io.midi.builder import MusicBuilder

__all__ = ["scan_chunk", "read_vlq"]

#: Data bytes after the status byte of each channel message kind (status >> 4).
_CHANNEL_DATA_LENGTH = {0x8: 2, 0x9: 2, 0xA: 2, 0xB: 2, 0xC: 1, 0xD: 1, 0xE: 2}
#: Data bytes of the system messages some files contain (as mido reads them); they are skipped.
_SYSTEM_DATA_LENGTH = {0xF1: 1, 0xF2: 2, 0xF3: 1, 0xF6: 0, 0xF8: 0, 0xFA: 0, 0xFB: 0, 0xFC: 0, 0xFE: 0}


def read_vlq(data: bytes, position: int, end: int, name: str) -> tuple[int, int]:
    """Decode a variable-length quantity at ``position``; return (value, position after it).

    Raises :class:`MIDIError` if it runs past ``end`` or is longer than 4 bytes.
    """
    value = 0
    for count in range(4):
        if position >= end:
            raise MIDIError(f"{name}: truncated variable-length number at byte {position}")
        byte = data[position]
        position += 1
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, position
    raise MIDIError(f"{name}: variable-length number longer than 4 bytes at byte {position - 4}")


def scan_chunk(data: bytes, start: int, end: int, builder: MusicBuilder, name: str, index: int | None = None) -> bool:
    """Decode the events of one ``MTrk`` chunk (bytes ``start:end``, chunk number ``index``) into ``builder``.

    Returns whether the chunk is unusual in a way other decoders may read differently: system common or
    real-time messages (0xF1-0xFE, not allowed in files) or events after an end-of-track event (they are
    read here; symusic stops at the first end of track).

    Raises
    ------
    MIDIError
        On any malformed event, naming the byte offset.
    """
    builder.begin_chunk(index)
    position = start
    tick = 0
    running = None
    unusual = False
    note_on, note_off, control_change = builder.note_on, builder.note_off, builder.control_change
    while position < end:
        byte = data[position]
        if byte < 0x80:  # one-byte delta time, by far the most common case
            tick += byte
            position += 1
        else:
            delta, position = read_vlq(data, position, end, name)
            tick += delta
        if position >= end:
            raise MIDIError(f"{name}: truncated event at byte {position} (chunk ends at byte {end})")
        event_offset = position
        status = data[position]
        if status < 0x80:
            if running is None:
                raise MIDIError(f"{name}: data byte 0x{status:02x} without a status (running status) at byte {position}")
            status = running
        else:
            position += 1
        if status == 0xFF:
            if position >= end:
                raise MIDIError(f"{name}: truncated meta event at byte {event_offset}")
            kind = data[position]
            length, position = read_vlq(data, position + 1, end, name)
            if position + length > end:
                raise MIDIError(
                    f"{name}: meta event at byte {event_offset} declares {length} bytes, "
                    f"only {end - position} left in its chunk"
                )
            builder.meta(tick, kind, data[position : position + length], event_offset)
            position += length
            if kind == 0x2F and position < end:
                unusual = True  # events after an end of track: other decoders stop there, we do not
            continue
        if status in (0xF0, 0xF7):
            length, position = read_vlq(data, position, end, name)
            if position + length > end:
                raise MIDIError(
                    f"{name}: system exclusive at byte {event_offset} declares {length} bytes, "
                    f"only {end - position} left in its chunk"
                )
            position += length
            running = None  # a running status after system exclusive is ambiguous: refuse it
            continue
        running = status
        high = status >> 4
        if high == 0xF:
            size = _SYSTEM_DATA_LENGTH.get(status)
            unusual = True
            if size is None:
                raise MIDIError(f"{name}: undefined status byte 0x{status:02x} at byte {event_offset}")
        else:
            size = _CHANNEL_DATA_LENGTH[high]
        if position + size > end:
            raise MIDIError(f"{name}: truncated message at byte {event_offset} (chunk ends at byte {end})")
        first = data[position]
        second = data[position + 1] if size == 2 else 0
        if first > 127 or second > 127:
            raise MIDIError(f"{name}: data byte above 127 in the message at byte {event_offset}")
        position += size
        channel = status & 0x0F
        if high == 0x9:
            note_on(tick, channel, first, second)
        elif high == 0x8:
            note_off(tick, channel, first)
        elif high == 0xB:
            control_change(tick, channel, first, second)
        elif high == 0xE:
            builder.pitch_bend(tick, channel, ((second << 7) | first) - 8192)
        elif high == 0xC:
            builder.program_change(tick, channel, first)
    builder.end_chunk()
    return unusual
