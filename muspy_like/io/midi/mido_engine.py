"""The reference MIDI engine: mido decodes each track chunk, :mod:`builder` applies the policies message by
message.

Slow (pure Python) but independent of the fast engine's decoding and assembly, which the differential
tests compare against it. The chunks are first checked by :func:`~muspy_like.io.midi.decoder.decode_events`
(so both engines accept and refuse the same files, with the same messages); mido is lenient where the
rule is strict (delta times of five bytes and more, running status after system exclusive) and reads
a system real-time byte as a running status, so those bytes are handed to mido as empty meta events,
which leave running status alone as the standard says real-time messages do.
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
    for start, end in layout.tracks:
        body = _with_realtime_replaced(data, start, end, [x for x in realtime if start <= x < end])
        try:
            messages = read_track(io.BytesIO(b"MTrk" + len(body).to_bytes(4, "big") + body))
        except Exception as error:  # noqa: BLE001 - mido raises OSError, KeyError, ValueError... on what it refuses
            raise MIDIError(f"{name}: mido cannot decode the track chunk at byte {start - 8}: {error}") from error
        feed_messages(messages, builder, start, name)
    return builder.finish(source_filename)


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
