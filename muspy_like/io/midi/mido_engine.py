"""The reference MIDI engine: mido decodes each track chunk, :mod:`builder` applies the policies message by
message.

Slow (pure Python) but independent of the fast engine's decoding and assembly, which the differential
tests compare against it. The chunks are first checked by :func:`~muspy_like.io.midi.decoder.decode_events`
and :func:`~muspy_like.io.midi.assembly.check_meta_events`, so both engines accept and refuse the same
files with the same messages. mido is lenient where that rule is strict (delta times of five bytes and
more, running status after system exclusive) and strict or wrong where the rule is lenient, so it is
handed a copy of each chunk in which what both engines ignore is made harmless:

* system real-time bytes become empty meta events (mido would take them as a running status; meta
  events leave it alone, as the standard says real-time messages do);
* system exclusive payloads get their bytes above 127 set to 0 (mido refuses them; the SMF escape form
  ``F7 length bytes`` exists to carry such bytes);
* meta events of types the reader ignores become sequencer-specific ones (mido validates the data of
  some, such as SMPTE offsets, and drops the delta time of the types it does not know, which would shift
  every later event: ``UnknownMetaMessage`` is built without its time).
"""

from __future__ import annotations

import io

from muspy_like.core.music import Music
from muspy_like.errors import MIDIError
from muspy_like.io.midi.builder import MusicBuilder
from muspy_like.io.midi.chunks import MidiLayout
from muspy_like.io.midi.decoder import TrackEvents

__all__ = ["read_with_mido", "feed_messages"]

#: An empty sequencer-specific meta event, ignored by the builder: stands in for a real-time byte.
_NOTHING = b"\xff\x7f\x00"


def read_with_mido(data: bytes, layout: MidiLayout, events: TrackEvents, name: str, source_filename: str | None,
                   overlap: str = "fifo") -> Music:
    """Read checked MIDI bytes with mido's decoder (see :func:`muspy_like.io.midi.read_midi`)."""
    from mido.midifiles.midifiles import read_track

    builder = MusicBuilder(layout.resolution, layout.midi_type, layout.smpte_fps, overlap, name)
    realtime = events.realtime_offsets.tolist()
    data = _harmless_for_mido(data, events)
    for start, end in layout.tracks:
        body = _with_realtime_replaced(data, start, end, [x for x in realtime if start <= x < end])
        try:
            messages = read_track(io.BytesIO(b"MTrk" + len(body).to_bytes(4, "big") + body))
        except Exception as error:  # noqa: BLE001 - mido raises OSError, KeyError, ValueError... on what it refuses
            raise MIDIError(f"{name}: mido cannot decode the track chunk at byte {start - 8}: {error}") from error
        feed_messages(messages, builder, start, name)
    return builder.finish(source_filename)


_SEVEN_BITS = bytes(range(128)) + bytes(128)  # bytes.translate table: 0x80-0xFF -> 0
#: Meta types the builder reads; mido gets the others as sequencer-specific events (0x7F).
_READ_META = frozenset(range(0x01, 0x0A)) | {0x51, 0x58, 0x59}


def _harmless_for_mido(data: bytes, events: TrackEvents) -> bytes:
    """``data`` with system exclusive payloads in 7 bits and ignored meta types made sequencer-specific
    (same length: every offset stays valid)."""
    ignored = [offset + 1 for offset, kind in zip(events.meta_offset.tolist(), events.meta_type.tolist())
               if kind not in _READ_META]
    if not ignored and not len(events.sysex_start):
        return data
    out = bytearray(data)
    for at in ignored:
        out[at] = 0x7F
    for start, end in zip(events.sysex_start.tolist(), events.sysex_end.tolist()):
        out[start:end] = out[start:end].translate(_SEVEN_BITS)
    return bytes(out)


def _with_realtime_replaced(data: bytes, start: int, end: int, offsets: list[int]) -> bytes:
    if not offsets:
        return data[start:end]
    pieces, cursor = [], start
    for offset in offsets:
        pieces += [data[cursor:offset], _NOTHING]
        cursor = offset + 1
    pieces.append(data[cursor:end])
    return b"".join(pieces)


def feed_messages(messages, builder: MusicBuilder, offset: int, name: str) -> None:
    """Feed one track's mido messages (delta times in ticks) to ``builder`` as one chunk.

    ``offset`` is the chunk's byte offset and ``name`` the file name, both for error messages. Shared by
    the mido engine and :func:`muspy_like.interop.from_mido`, so a ``MidiFile`` converts exactly as the
    file it came from reads.
    """
    from muspy_like.io.midi.decoder import read_vlq

    builder.begin_chunk()
    tick = 0
    for message in messages:
        tick += message.time
        kind = message.type
        if kind == "note_on":
            builder.note_on(tick, message.channel, message.note, message.velocity)
        elif kind == "note_off":
            builder.note_off(tick, message.channel, message.note)
        elif kind == "control_change":
            builder.control_change(tick, message.channel, message.control, message.value)
        elif kind == "pitchwheel":
            builder.pitch_bend(tick, message.channel, message.pitch)
        elif kind == "program_change":
            builder.program_change(tick, message.channel, message.program)
        elif message.is_meta:
            raw = bytes(message.bytes())
            length, position = read_vlq(raw, 2)
            builder.meta(tick, raw[1], raw[position : position + length], offset)
    builder.end_chunk(tick)
