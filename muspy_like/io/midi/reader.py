"""``read_midi``: the front end that picks an engine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Union

from muspy_like.core.music import Music
from muspy_like.errors import MIDIError
from muspy_like.io.midi.builder import OVERLAP_POLICIES, MusicBuilder
from muspy_like.io.midi.chunks import split_chunks
from muspy_like.io.midi.scanner import scan_chunk

__all__ = ["read_midi", "ENGINES", "read_with_python"]

#: Available engines: the fast default, the mido reference, and the pure-Python decoder.
ENGINES = ("symusic", "mido", "python")

MidiSource = Union[str, os.PathLike, bytes, bytearray, memoryview, IO[bytes]]


def read_midi(source: MidiSource, engine: str = "symusic", overlap: str = "fifo") -> Music:
    """Read a Standard MIDI File (type 0 or 1) into a :class:`~muspy_like.Music`.

    Parameters
    ----------
    source : path, bytes or binary file object
        The file.
    engine : {"symusic", "mido", "python"}
        ``"symusic"`` (default) parses with symusic's C++ reader and checks each track chunk with
        compiled patterns (program changes and text events are placed through a probe copy); chunks
        symusic cannot represent exactly (several channels in one chunk, conductor tracks with text...) are
        decoded by the pure-Python decoder instead.
        ``"mido"`` decodes with mido (the slow reference). ``"python"`` uses the pure-Python decoder for
        everything. All three give the same :class:`Music`.
    overlap : {"fifo", "lifo"}
        Which sounding note of the same pitch and channel a note-off ends: the oldest (default, as
        symusic, pretty_midi and MusPy do) or the newest.

    Returns
    -------
    Music
        Times in ticks at the file's resolution. See :mod:`muspy_like.io.midi.builder` for the policies
        (tracks per channel and program, drums, lyrics, text, SMPTE timing).

    Raises
    ------
    MIDIError
        Corrupt, truncated or unsupported (type 2) files; the message names the file and byte offset.

    Examples
    --------
    >>> music = read_midi("song.mid")  # doctest: +SKIP
    >>> music.tracks[0].notes.pitch[:4]  # doctest: +SKIP
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    if overlap not in OVERLAP_POLICIES:
        raise ValueError(f"overlap must be one of {OVERLAP_POLICIES}, not {overlap!r}")
    data, name, source_filename = _load(source)
    if engine == "mido":
        from muspy_like.io.midi.mido_engine import read_with_mido

        return read_with_mido(data, name, source_filename, overlap)
    if engine == "python" or overlap != "fifo":
        return read_with_python(data, name, source_filename, overlap)
    from muspy_like.io.midi.symusic_engine import read_with_symusic

    return read_with_symusic(data, name, source_filename)


def read_with_python(data: bytes, name: str, source_filename: str | None, overlap: str = "fifo") -> Music:
    """Decode every chunk with the pure-Python decoder."""
    layout = split_chunks(data, name)
    builder = MusicBuilder(layout.resolution, layout.midi_type, layout.smpte_fps, overlap, name)
    for start, end in layout.tracks:
        scan_chunk(data, start, end, builder, name)
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
