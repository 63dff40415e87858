"""The reference MIDI engine: mido decodes each track chunk, :mod:`builder` applies the policies.

Slow (pure Python) but independent of the fast engine's decoding, which the differential tests compare
against it.
"""

from __future__ import annotations

import io

from muspy_like.core.music import Music
from muspy_like.errors import MIDIError
from muspy_like.io.midi.builder import MusicBuilder
from muspy_like.io.midi.chunks import split_chunks
from muspy_like.io.midi.scanner import read_vlq, scan_chunk

__all__ = ["read_with_mido"]


def read_with_mido(data: bytes, name: str, source_filename: str | None, overlap: str = "fifo") -> Music:
    """Read MIDI bytes with mido's decoder (see :func:`muspy_like.io.midi.read_midi`)."""
    from mido.midifiles.midifiles import read_track

    layout = split_chunks(data, name)
    builder = MusicBuilder(layout.resolution, layout.midi_type, layout.smpte_fps, overlap, name)
    for start, end in layout.tracks:
        try:
            feed_messages(read_track(io.BytesIO(data[start - 8 : end])), builder, start, name)
        except Exception as error:  # mido raises OSError, EOFError, ValueError...: locate the fault exactly
            scan_chunk(data, start, end, MusicBuilder(layout.resolution, name=name), name)
            if isinstance(error, MIDIError):
                raise
            raise MIDIError(f"{name}: mido cannot decode the track chunk at byte {start - 8}: {error}") from error
    return builder.finish(source_filename)


def feed_messages(messages, builder: MusicBuilder, offset: int, name: str) -> None:
    """Feed one track's mido messages (delta times in ticks) to ``builder`` as one chunk.

    ``offset`` is the chunk's byte offset and ``name`` the file name, both for error messages. Shared by
    the mido engine and :func:`muspy_like.interop.from_mido`, so a ``MidiFile`` converts exactly as the
    file it came from reads.
    """
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
            length, position = read_vlq(raw, 2, len(raw), name)
            builder.meta(tick, raw[1], raw[position : position + length], offset)
    builder.end_chunk()
