"""Conversion between :class:`~muspy_like.Music` and :class:`miditoolkit.MidiFile`.

miditoolkit keeps times in ticks like muspy_like: ``ticks_per_beat`` is the ``resolution`` and every time
is copied exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import numpy as np

from muspy_like.core.events import (
    Annotation,
    ControlChangeArray,
    Lyric,
    Metadata,
    NoteArray,
    PitchBendArray,
    Tempo,
    TimeSignature,
)
from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.extras import require
from muspy_like.interop._common import require_music, require_type
from muspy_like.theory import key_from_midi_name, midi_key_name

if TYPE_CHECKING:
    import miditoolkit

__all__ = ["from_miditoolkit", "to_miditoolkit"]


def from_miditoolkit(midi: "miditoolkit.MidiFile", resolution: Optional[int] = None) -> Music:
    """Convert a :class:`miditoolkit.MidiFile` to a Music.

    Parameters
    ----------
    midi : miditoolkit.MidiFile
        The object to convert.
    resolution : int, optional
        Ticks per quarter note of the result; default ``midi.ticks_per_beat`` (exact). Another value
        rescales with :meth:`Music.adjust_resolution`.

    Returns
    -------
    Music
        Instruments become tracks (program, drum flag, name, notes, control changes, pitch bends); tempo
        changes, time and key signatures, markers (annotations of group ``"marker"``) and lyrics (global,
        as miditoolkit keeps them) are copied. Sustain-pedal spans (``instrument.pedals``) are derived from
        control changes 64 by miditoolkit and are not copied separately.

    Raises
    ------
    ConversionError
        If ``midi`` is not a miditoolkit MidiFile.
    """
    miditoolkit = require("miditoolkit", "interop", "conversion with miditoolkit")

    require_type(midi, (miditoolkit.MidiFile,), "from_miditoolkit")
    music = Music(metadata=Metadata(source_format="midi"), resolution=int(midi.ticks_per_beat))
    music.tempos = [Tempo(int(t.time), float(t.tempo)) for t in midi.tempo_changes]
    music.time_signatures = [
        TimeSignature(int(t.time), t.numerator, t.denominator) for t in midi.time_signature_changes
    ]
    music.key_signatures = [key_from_midi_name(int(k.time), k.key_name) for k in midi.key_signature_changes]
    music.lyrics = [Lyric(int(x.time), x.text) for x in midi.lyrics]
    music.annotations = [Annotation(int(x.time), x.text, "marker") for x in midi.markers]
    for instrument in midi.instruments:
        track = Track(program=instrument.program, is_drum=instrument.is_drum, name=instrument.name or None)
        notes = instrument.notes
        starts = np.fromiter((n.start for n in notes), np.int64, len(notes))
        track.notes = NoteArray.from_columns(
            time=starts,
            pitch=np.fromiter((n.pitch for n in notes), np.int16, len(notes)),
            duration=np.fromiter((n.end for n in notes), np.int64, len(notes)) - starts,
            velocity=np.fromiter((n.velocity for n in notes), np.int16, len(notes)),
        )
        track.control_changes = ControlChangeArray.from_columns(
            time=[c.time for c in instrument.control_changes],
            number=[c.number for c in instrument.control_changes],
            value=[c.value for c in instrument.control_changes],
        )
        track.pitch_bends = PitchBendArray.from_columns(
            time=[b.time for b in instrument.pitch_bends], value=[b.pitch for b in instrument.pitch_bends]
        )
        music.tracks.append(track)
    if resolution is not None and resolution != music.resolution:
        music.adjust_resolution(resolution)
    return music


def to_miditoolkit(music: Music) -> "miditoolkit.MidiFile":
    """Convert a Music to a :class:`miditoolkit.MidiFile` with ``ticks_per_beat = music.resolution``.

    Times are copied exactly. miditoolkit has no per-track lyrics or text and no title: track lyrics join
    the global lyrics, annotations of any group become markers (their text), the title is lost; so are
    the MIDI channel and church modes (a mode is written as the major or minor key with the same signature).

    Raises
    ------
    ConversionError
        If ``music`` is not a Music.
    """
    miditoolkit = require("miditoolkit", "interop", "conversion with miditoolkit")

    require_music(music, "to_miditoolkit")
    midi = miditoolkit.MidiFile(ticks_per_beat=music.resolution)
    midi.tempo_changes = [miditoolkit.TempoChange(t.qpm, t.time) for t in music.tempos]
    midi.time_signature_changes = [
        miditoolkit.TimeSignature(t.numerator, t.denominator, t.time) for t in music.time_signatures
    ]
    midi.key_signature_changes = [
        miditoolkit.KeySignature(name, k.time) for k in music.key_signatures if (name := midi_key_name(k)) is not None
    ]
    lyrics = sorted(music.lyrics + [x for t in music.tracks for x in t.lyrics], key=lambda x: x.time)
    midi.lyrics = [miditoolkit.Lyric(x.lyric, x.time) for x in lyrics]
    annotations = sorted(music.annotations + [x for t in music.tracks for x in t.annotations], key=lambda x: x.time)
    midi.markers = [miditoolkit.Marker(str(x.annotation), x.time) for x in annotations]
    for track in music.tracks:
        instrument = miditoolkit.Instrument(program=track.program, is_drum=track.is_drum, name=track.name or "")
        notes = track.notes
        instrument.notes = [
            miditoolkit.Note(velocity=v, pitch=p, start=s, end=e)
            for v, p, s, e in zip(
                notes.velocity.tolist(), notes.pitch.tolist(), notes.time.tolist(), notes.end.tolist()
            )
        ]
        controls = track.control_changes
        instrument.control_changes = [
            miditoolkit.ControlChange(number=n, value=v, time=t)
            for n, v, t in zip(controls.number.tolist(), controls.value.tolist(), controls.time.tolist())
        ]
        instrument.pitch_bends = [
            miditoolkit.PitchBend(pitch=v, time=t)
            for v, t in zip(track.pitch_bends.value.tolist(), track.pitch_bends.time.tolist())
        ]
        midi.instruments.append(instrument)
    return midi
