"""The compiled path of the numpy engine: the C decoder's columns turned into a :class:`~muspy_like.Music`.

:mod:`muspy_like.io.midi._cdecoder` (Cython, built by ``setup.py`` when a C compiler is present) decodes
every chunk of a file in one pass and applies the reading policies on the way, so this side only cuts
its columns into tracks and makes the few Python objects a piece holds (tracks, tempos, signatures,
lyrics and texts): Python touches each file a few times, not each event.

:data:`ACCELERATED` says whether this path is used. It is False when the extension is not built (no C
compiler when the package was installed: reading falls back, silently, to the numpy decoder with the
same results) or when the environment variable ``MUSPY_LIKE_MIDI_ACCEL`` is ``0`` (to compare, or to
rule the extension out).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Optional

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
from muspy_like.errors import MIDIError
from muspy_like.io.midi.builder import new_track
from muspy_like.io.midi.chunks import MidiLayout
from muspy_like.io.midi.constants import (
    META_COPYRIGHT,
    META_LYRIC,
    META_TRACK_NAME,
    TEXT_GROUPS,
    key_signature_from_midi,
)

__all__ = ["ACCELERATED", "ENV_VARIABLE", "SOURCE", "read_compiled", "extension_available"]

#: Set to ``0`` (or ``false``, ``no``, ``off``) to read with the numpy decoder even where the extension is built.
ENV_VARIABLE = "MUSPY_LIKE_MIDI_ACCEL"


#: The extension's source, relative to the repository root (``setup.py`` builds it).
SOURCE = "muspy_like/io/midi/_cdecoder.pyx"


def _load_extension(source: Path = Path(__file__).with_name("_cdecoder.pyx")):
    """The compiled module, or None where it is not built or was built from another ``source``."""
    try:
        from muspy_like.io.midi import _cdecoder
    except ImportError:  # not built (no C compiler at install time): the numpy decoder reads everything
        return None
    if source.exists():  # a source checkout (an editable install): the module must be built from this source
        import hashlib

        if hashlib.sha256(source.read_bytes()).hexdigest()[:16] != _cdecoder.SOURCE_HASH:
            warnings.warn(f"{_cdecoder.__file__} was built from another version of {source.name}; MIDI files are "
                          "read with the numpy decoder until it is rebuilt (pip install -e .)", RuntimeWarning)
            return None
    return _cdecoder


_cdecoder = _load_extension()


def extension_available() -> bool:
    """Whether the compiled decoder is built from this source (whatever the environment variable says)."""
    return _cdecoder is not None


#: Whether ``read_midi(engine="numpy")`` uses the compiled decoder (else the numpy decoder, same results).
ACCELERATED = extension_available() and os.environ.get(ENV_VARIABLE, "1").strip().lower() not in ("0", "false", "no", "off")

_OVERLAP_CODES = {"fifo": 0, "lifo": 1, "all": 2}


def read_compiled(data: bytes, layout: MidiLayout, overlap: str, name: str, source_filename: Optional[str]) -> Music:
    """Read the chunks of ``layout`` with the compiled decoder (see :func:`~muspy_like.io.midi.read_midi`).

    Raises
    ------
    MIDIError
        A malformed file; the message is the array decoder's, so it does not depend on the path.
    """
    try:
        (table, notes, controls, bends, tempos, time_signatures, key_signatures, texts,
         first_chunk_active) = _cdecoder.decode(data, layout.tracks, _OVERLAP_CODES[overlap])
    except _cdecoder.Fault as fault:
        _raise_the_array_decoders_error(data, layout, name, fault.offset)
    tracks = _tracks(table, notes, controls, bends)
    if layout.smpte_fps is not None:  # one tick = 1 / (fps x ticks per frame) s; tempo events are ignored
        tempo_list = [Tempo(0, 60.0 * layout.smpte_fps / round(layout.smpte_fps))]
    else:
        tempo_list = [Tempo(tick, qpm) for tick, qpm in tempos]
    music = Music(
        resolution=layout.resolution,
        tempos=tempo_list,
        time_signatures=[TimeSignature(*event) for event in time_signatures],
        key_signatures=[key_signature_from_midi(*event) for event in key_signatures],
        tracks=tracks,
    )
    title, copyrights = _texts(music, table, texts, not first_chunk_active or layout.midi_type == 0)
    music.metadata = Metadata(title=title, copyright="\n".join(copyrights) if copyrights else None,
                              source_filename=source_filename, source_format="midi")
    return music


def _raise_the_array_decoders_error(data: bytes, layout: MidiLayout, name: str, offset: int) -> None:
    from muspy_like.io.midi.assembly import check_meta_events
    from muspy_like.io.midi.decoder import decode_events

    check_meta_events(decode_events(data, layout.tracks, name), data, name)
    # not reached: both decoders follow one rule, which the differential and fuzz tests check
    raise MIDIError(f"{name}: malformed event at byte {offset}")


def _tracks(table: list, notes: tuple, controls: tuple, bends: tuple) -> list:
    """One :class:`Track` per row of ``table``, its columns views of the decoder's columns."""
    note_fields = [f.name for f in NoteArray.fields]
    control_fields = [f.name for f in ControlChangeArray.fields]
    bend_fields = [f.name for f in PitchBendArray.fields]
    note_start = control_start = bend_start = 0
    tracks = []
    for _, channel, program, note_end, control_end, bend_end in table:
        tracks.append(new_track(
            channel, program,
            _part(NoteArray, note_fields, notes, note_start, note_end),
            _part(ControlChangeArray, control_fields, controls, control_start, control_end),
            _part(PitchBendArray, bend_fields, bends, bend_start, bend_end),
        ))
        note_start, control_start, bend_start = note_end, control_end, bend_end
    return tracks


def _part(kind: type, names: list, columns: tuple, start: int, stop: int):
    """Rows ``start:stop`` of ``columns`` as an array of ``kind`` (views: appending to a track's notes
    reallocates them, so tracks never write into each other)."""
    if start == stop:
        return kind._from_trusted(dict(kind._empty_columns), 0)
    return kind._from_trusted({name: column[start:stop] for name, column in zip(names, columns)}, stop - start)


def _texts(music: Music, table: list, texts: list, title_chunk: bool) -> tuple[Optional[str], list[str]]:
    """Lyrics and text annotations (to the first track of their chunk, or the piece), track names and the
    title (the first chunk's name when ``title_chunk``); returns the title and the copyright notices."""
    names: dict[int, str] = {}
    copyrights = []
    tracks = music.tracks
    for track, chunk, tick, kind, text in texts:
        if kind == META_LYRIC:
            (tracks[track] if track >= 0 else music).lyrics.append(Lyric(tick, text))
        elif kind == META_TRACK_NAME:
            names[chunk] = text  # the last name of a chunk wins
        elif kind == META_COPYRIGHT:
            copyrights.append(text)
        else:
            (tracks[track] if track >= 0 else music).annotations.append(Annotation(tick, text, TEXT_GROUPS[kind]))
    if names:
        for track, row in zip(tracks, table):
            chunk = row[0]
            track.name = None if (chunk == 0 and title_chunk) else names.get(chunk)
    return (names.get(0) if title_chunk else None), copyrights
