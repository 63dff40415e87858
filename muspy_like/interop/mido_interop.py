"""Conversion between :class:`~muspy_like.Music` and :class:`mido.MidiFile`.

Both directions reuse muspy_like's own MIDI reader and writer (:mod:`muspy_like.io.midi`): ``from_mido``
feeds mido's messages to the reader's event builder, ``to_mido`` decodes the writer's bytes with mido. A
MidiFile therefore converts exactly like the same file read with :func:`muspy_like.read`: times stay in
ticks (``ticks_per_beat`` is the ``resolution``), and the policies for overlapping notes, channels,
programs, lyrics and text are those of ``docs/io-midi-native.md``.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Optional

from muspy_like.core.music import Music
from muspy_like.errors import ConversionError, MIDIError
from muspy_like.interop._common import require_music, require_type

if TYPE_CHECKING:
    import mido

__all__ = ["from_mido", "to_mido"]


def from_mido(midi: "mido.MidiFile", resolution: Optional[int] = None) -> Music:
    """Convert a :class:`mido.MidiFile` to a Music.

    Parameters
    ----------
    midi : mido.MidiFile
        A type 0 or 1 file read or built with mido.
    resolution : int, optional
        Ticks per quarter note of the result. Default: the file's ``ticks_per_beat`` (exact); another
        value rescales every time with :meth:`Music.adjust_resolution`.

    Returns
    -------
    Music
        What :func:`muspy_like.io.midi.read_midi` gives for the same file: one track per (MIDI track,
        channel, program), drums on channel 10, tempos, key and time signatures, lyrics, markers and text,
        control changes and pitch bends.

    Raises
    ------
    ConversionError
        If ``midi`` is not a MidiFile, cannot be serialized by mido, or holds what the MIDI reader refuses
        (type 2, SMPTE or zero division...); the message carries the reader's explanation.
    """
    import mido

    require_type(midi, (mido.MidiFile,), "from_mido")
    if midi.type == 2 or midi.ticks_per_beat <= 0:
        music = _read_serialized(midi)  # the MIDI reader's own handling (and errors) of these files
    else:
        from muspy_like.io.midi.builder import MusicBuilder

        # The mido engine's message loop, so that the policies are exactly those of read_midi.
        from muspy_like.io.midi.mido_engine import feed_messages

        builder = MusicBuilder(midi.ticks_per_beat, midi.type, name="<mido.MidiFile>")
        try:
            for track in midi.tracks:
                feed_messages(track, builder, 0, "<mido.MidiFile>")
        except MIDIError as error:
            raise ConversionError(f"from_mido(): {error}") from error
        music = builder.finish(None)
    if resolution is not None and resolution != music.resolution:
        music.adjust_resolution(resolution)
    return music


def _read_serialized(midi: "mido.MidiFile") -> Music:
    """Serialize with mido and read the bytes with :func:`muspy_like.io.midi.read_midi`."""
    from muspy_like.io.midi import read_midi

    buffer = io.BytesIO()
    try:
        midi.save(file=buffer)
        return read_midi(buffer.getvalue())
    except MIDIError as error:
        raise ConversionError(f"from_mido(): {error}") from error
    except (ValueError, TypeError, OverflowError) as error:  # what mido raises on messages it cannot encode
        raise ConversionError(f"from_mido(): mido cannot serialize this MidiFile: {error}") from error


def to_mido(music: Music) -> "mido.MidiFile":
    """Convert a Music to a type-1 :class:`mido.MidiFile` with ``ticks_per_beat = music.resolution``.

    The file is exactly what :func:`muspy_like.io.midi.write_midi` writes (a conductor track with the
    title, copyright, tempos, key and time signatures, global lyrics and annotations, then one MIDI track
    per Track with name, program, notes, control changes, pitch bends, lyrics and annotations), decoded by
    mido.

    Raises
    ------
    ConversionError
        If ``music`` is not a Music or cannot be written as MIDI (e.g. a resolution above 32,767).
    """
    import mido

    from muspy_like.io.midi.writer import encode_midi

    require_music(music, "to_mido")
    try:
        data = encode_midi(music)
    except MIDIError as error:
        raise ConversionError(f"to_mido(): {error}") from error
    return mido.MidiFile(file=io.BytesIO(data))
