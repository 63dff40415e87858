"""The small-file path of the default engine: track chunks decoded one event at a time, in Python.

For a file of a few hundred events, the fixed cost of each whole-array operation of
:mod:`~muspy_like.io.midi.decoder` and :mod:`~muspy_like.io.midi.assembly` (about a microsecond, a few
hundred operations per file) outweighs decoding event by event; past a few kilobytes of track data the
arrays win (see ``docs/io-midi-native.md``, "Speed"). This loop accepts exactly what the decoder
accepts (the differential and fuzz tests check both paths on the same files); when it meets a fault it
only says so, and the reader lets the decoder find and report it, so that errors are the same whichever
path a file takes. Events go to the message-by-message :class:`~muspy_like.io.midi.builder.MusicBuilder`.
"""

from __future__ import annotations

from muspy_like.io.midi.builder import MusicBuilder

__all__ = ["Fault", "scan_chunk"]

#: Data bytes of the channel messages (status >> 4) and of the system messages allowed in a track.
_DATA = {0x8: 2, 0x9: 2, 0xA: 2, 0xB: 2, 0xC: 1, 0xD: 1, 0xE: 2}
_SYSTEM = {0xF1: 1, 0xF2: 2, 0xF3: 1, 0xF6: 0}
_REALTIME = frozenset({0xF8, 0xFA, 0xFB, 0xFC, 0xFE})


class Fault(Exception):
    """The chunk is malformed (the reader asks the decoder where and why)."""


def scan_chunk(data: bytes, start: int, end: int, builder: MusicBuilder) -> None:
    """Feed the events of the chunk ``data[start:end]`` to ``builder`` (one chunk); raise :class:`Fault`."""
    builder.begin_chunk()
    note_on, note_off, control_change = builder.note_on, builder.note_off, builder.control_change
    position, tick, running = start, 0, 0
    while position < end:
        byte = data[position]
        position += 1
        if byte >= 0x80:  # a delta time of more than one byte: two is common (ticks 128-16383)
            if position < end and data[position] < 0x80:
                tick += ((byte & 0x7F) << 7) | data[position]
                position += 1
            else:
                tick, position = _long_delta(data, position, end, tick, byte)
        else:
            tick += byte
        if position >= end:
            raise Fault
        status = data[position]
        if status < 0x80:
            if not running:
                raise Fault
            status = running
        else:
            position += 1
            if status >= 0xF0:
                position, running = _system(data, status, position, end, tick, running, builder)
                continue
            running = status
        size = _DATA[status >> 4]
        if position + size > end:
            raise Fault
        first = data[position]
        if size == 2:
            second = data[position + 1]
            if first > 127 or second > 127:
                raise Fault
            position += 2
            kind = status >> 4
            if kind == 0x9:
                if second:
                    note_on(tick, status & 0x0F, first, second)
                else:  # velocity 0: a note-off
                    note_off(tick, status & 0x0F, first)
            elif kind == 0x8:
                note_off(tick, status & 0x0F, first)
            elif kind == 0xB:
                control_change(tick, status & 0x0F, first, second)
            elif kind == 0xE:
                builder.pitch_bend(tick, status & 0x0F, ((second << 7) | first) - 8192)
        else:
            if first > 127:
                raise Fault
            position += 1
            if status >> 4 == 0xC:
                builder.program_change(tick, status & 0x0F, first)
    builder.end_chunk(tick)


def _long_delta(data: bytes, position: int, end: int, tick: int, byte: int) -> tuple[int, int]:
    value, position = _quantity(data, position, end, byte & 0x7F, 3)  # ``byte`` was the first of four
    return tick + value, position


def _length(data: bytes, position: int, end: int) -> tuple[int, int]:
    return _quantity(data, position, end, 0, 4)


def _quantity(data: bytes, position: int, end: int, value: int, most: int) -> tuple[int, int]:
    """Read the rest of a variable-length quantity, at most ``most`` more bytes, onto ``value``."""
    for _ in range(most):
        if position >= end:
            raise Fault
        byte = data[position]
        position += 1
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, position
    raise Fault


def _system(data: bytes, status: int, position: int, end: int, tick: int, running: int,
            builder: MusicBuilder) -> tuple[int, int]:
    """Meta events, system exclusive and system messages; returns the position after and the running status."""
    if status == 0xFF:
        if position >= end:
            raise Fault
        kind = data[position]
        length, payload = _length(data, position + 1, end)
        if payload + length > end:
            raise Fault
        builder.meta(tick, kind, data[payload : payload + length], position - 1)
        return payload + length, running  # meta events leave running status alone
    if status in (0xF0, 0xF7):
        length, payload = _length(data, position, end)
        if payload + length > end:
            raise Fault
        return payload + length, 0
    if status in _REALTIME:
        return position, running
    size = _SYSTEM.get(status)
    if size is None or position + size > end or any(b > 127 for b in data[position : position + size]):
        raise Fault
    return position + size, 0
