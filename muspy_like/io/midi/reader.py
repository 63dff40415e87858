"""``read_midi``: the front end that picks an engine."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import IO, Union

from muspy_like.core.music import Music
from muspy_like.errors import MIDIError
from muspy_like.io.midi.assembly import assemble, check_meta_events
from muspy_like.io.midi.builder import OVERLAP_POLICIES, MusicBuilder
from muspy_like.io.midi.chunks import MidiLayout, split_chunks
from muspy_like.io.midi import compiled
from muspy_like.io.midi.decoder import decode_events
from muspy_like.io.midi.scanner import Fault, scan_chunk

__all__ = ["read_midi", "read_bytes", "ENGINES", "SMALL_FILE_BYTES", "read_small"]

#: Available engines: the fast default and the mido reference.
ENGINES = ("numpy", "mido")
#: Former engine names, still accepted (with a DeprecationWarning): both were exact, as "numpy" is.
_FORMER_ENGINES = ("symusic", "python")

MidiSource = Union[str, os.PathLike, bytes, bytearray, memoryview, IO[bytes]]


def read_midi(source: MidiSource, engine: str = "numpy", overlap: str = "fifo") -> Music:
    """Read a Standard MIDI File (type 0 or 1) into a :class:`~muspy_like.Music`.

    Parameters
    ----------
    source : path, bytes or binary file object
        The file.
    engine : {"numpy", "mido"}
        ``"numpy"`` (default) decodes every chunk with whole-array operations
        (:mod:`~muspy_like.io.midi.decoder`) and applies the reading policies the same way
        (:mod:`~muspy_like.io.midi.assembly`); files of at most :data:`SMALL_FILE_BYTES` bytes of track
        data, for which those operations' fixed cost dominates, are decoded one event at a time
        (:mod:`~muspy_like.io.midi.scanner`), with the same result. ``"mido"`` decodes the messages with mido and applies the
        policies message by message (:mod:`~muspy_like.io.midi.builder`): the slow, independent
        reference. Both give the same :class:`Music`, and accept and refuse the same files.
    overlap : {"fifo", "lifo", "all"}
        Which sounding notes of the same channel and pitch a note-off ends: the oldest (``"fifo"``,
        default; MusPy's default, and symusic and miditoolkit pair this way), the newest (``"lifo"``), or
        every one begun before the note-off's tick (``"all"``, pretty_midi's rule). Whatever the policy, a
        note-on that no note-off ends (a *never-closed* note) is kept and ends at the tick of its chunk's
        last event, normally the end-of-track event, as in MusPy (pretty_midi, miditoolkit and symusic
        drop such notes).

    Returns
    -------
    Music
        Times in ticks at the file's resolution. See ``docs/io-midi-native.md`` and
        :mod:`muspy_like.io.midi.builder` for the policies (tracks per chunk, channel and program, drums,
        lyrics, text, SMPTE timing).

    Raises
    ------
    MIDIError
        Corrupt, truncated or unsupported (type 2) files; the message names the file and byte offset.

    Examples
    --------
    >>> music = read_midi("song.mid")  # doctest: +SKIP
    >>> music.tracks[0].notes.pitch[:4]  # doctest: +SKIP
    """
    if engine in _FORMER_ENGINES:
        warnings.warn(f"engine={engine!r} is now engine='numpy' (same result)", DeprecationWarning, stacklevel=2)
        engine = "numpy"
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    if overlap not in OVERLAP_POLICIES:
        raise ValueError(f"overlap must be one of {OVERLAP_POLICIES}, not {overlap!r}")
    data, name, source_filename = _load(source)
    return read_bytes(data, name, source_filename, engine, overlap)


def read_bytes(data: bytes, name: str, source_filename: str | None, engine: str = "numpy", overlap: str = "fifo",
               small_file_bytes: int | None = None, accelerated: bool | None = None) -> Music:
    """:func:`read_midi` on bytes.

    The tests send every file through each path of the numpy engine: ``accelerated`` overrides
    :data:`~muspy_like.io.midi.compiled.ACCELERATED` (True needs the extension), ``small_file_bytes``
    overrides :data:`SMALL_FILE_BYTES` on the uncompiled paths.
    """
    layout = split_chunks(data, name)
    if engine == "numpy" and (compiled.ACCELERATED if accelerated is None else accelerated):
        return compiled.read_compiled(data, layout, overlap, name, source_filename)
    small = SMALL_FILE_BYTES if small_file_bytes is None else small_file_bytes
    if engine == "numpy" and sum(end - start for start, end in layout.tracks) <= small:
        music = read_small(data, layout, overlap, source_filename)
        if music is not None:
            return music
    events = decode_events(data, layout.tracks, name)  # both engines: one rule for what is accepted
    check_meta_events(events, data, name)
    if engine == "mido":
        from muspy_like.io.midi.mido_engine import read_with_mido

        return read_with_mido(data, layout, events, name, source_filename, overlap)
    return assemble(events, data, layout, overlap, name, source_filename)


#: Files with at most this many bytes of track data are decoded one event at a time (faster for them).
SMALL_FILE_BYTES = 6000


def read_small(data: bytes, layout: MidiLayout, overlap: str, source_filename: str | None) -> Music | None:
    """The small-file path (:mod:`~muspy_like.io.midi.scanner`); None if the file has a fault, which the
    vectorized decoder then reports."""
    builder = MusicBuilder(layout.resolution, layout.midi_type, layout.smpte_fps, overlap)
    try:
        for start, end in layout.tracks:
            scan_chunk(data, start, end, builder)
    except (Fault, MIDIError):
        return None
    return builder.finish(source_filename)


def _load(source: MidiSource) -> tuple[bytes, str, str | None]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), "<bytes>", None
    if hasattr(source, "read"):
        name = str(getattr(source, "name", "<file>"))
        return source.read(), name, Path(name).name if name != "<file>" else None
    path = Path(source)
    try:
        with open(path, "rb", buffering=0) as file:  # one read, no buffer to fill and copy
            data = file.readall()
    except OSError as error:
        raise MIDIError(f"{path}: cannot read the file ({error.strerror or error})") from error
    return data, str(path), path.name
