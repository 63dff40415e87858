"""The chunk layer of a Standard MIDI File: header fields and the byte range of every track.

Every engine starts here, so a lying header or a truncated chunk is caught once, before any parser
allocates anything: lengths are checked against the bytes actually present.
"""

from __future__ import annotations

from typing import NamedTuple

from muspy_like.errors import MIDIError

__all__ = ["MidiLayout", "split_chunks", "SMPTE_RATES"]

#: Frames per second of the four SMPTE formats (the header stores -24, -25, -29 or -30).
SMPTE_RATES = {24: 24.0, 25: 25.0, 29: 30000 / 1001, 30: 30.0}


class MidiLayout(NamedTuple):
    """Header fields of a MIDI file and where its track chunks are.

    Attributes
    ----------
    midi_type : int
        0 (one track), 1 (simultaneous tracks) or 2 (independent sequences).
    resolution : int
        Ticks per quarter note (for SMPTE files: ticks per second at the 60 qpm the reader assumes).
    smpte_fps : float or None
        Frames per second when the file uses SMPTE time code instead of ticks per quarter note.
    tracks : list of (int, int)
        Start and end byte offsets of the data of each ``MTrk`` chunk, in file order.
    """

    midi_type: int
    resolution: int
    smpte_fps: float | None
    tracks: list[tuple[int, int]]


def split_chunks(data: bytes, name: str = "<bytes>") -> MidiLayout:
    """Read the header and locate the track chunks of a MIDI file.

    Parameters
    ----------
    data : bytes
        The whole file.
    name : str
        File name used in error messages.

    Raises
    ------
    MIDIError
        Not a MIDI file, unsupported type 2, invalid division, or a chunk that runs past the end of the
        file; the message names the file and the byte offset.
    """
    if len(data) < 14 or data[:4] != b"MThd":
        raise MIDIError(f"{name}: not a MIDI file (no 'MThd' header at byte 0)")
    header_length = int.from_bytes(data[4:8], "big")
    if header_length < 6 or 8 + header_length > len(data):
        raise MIDIError(f"{name}: header chunk at byte 0 declares {header_length} bytes; the file holds {len(data) - 8}")
    midi_type = int.from_bytes(data[8:10], "big")
    n_tracks = int.from_bytes(data[10:12], "big")
    if midi_type == 2:
        raise MIDIError(
            f"{name}: MIDI type 2 (independent sequences, header byte 8) is not supported; "
            "split the sequences into separate type 0 files"
        )
    if midi_type not in (0, 1):
        raise MIDIError(f"{name}: unknown MIDI type {midi_type} at byte 8")
    resolution, smpte_fps = _division(int.from_bytes(data[12:14], "big"), name)
    tracks = []
    position = 8 + header_length
    while len(tracks) < n_tracks:
        if position + 8 > len(data):
            raise MIDIError(
                f"{name}: truncated at byte {position}: the header declares {n_tracks} tracks, "
                f"only {len(tracks)} found"
            )
        kind = data[position : position + 4]
        length = int.from_bytes(data[position + 4 : position + 8], "big")
        start, end = position + 8, position + 8 + length
        if end > len(data):
            raise MIDIError(
                f"{name}: chunk {kind!r} at byte {position} declares {length} bytes but only "
                f"{len(data) - start} remain (truncated file)"
            )
        if kind == b"MTrk":
            tracks.append((start, end))
        position = end
    return MidiLayout(midi_type, resolution, smpte_fps, tracks)


def _division(division: int, name: str) -> tuple[int, float | None]:
    """Ticks per quarter note and, for SMPTE timing, frames per second, from the header's division field."""
    if not division & 0x8000:
        if division == 0:
            raise MIDIError(f"{name}: zero ticks per quarter note at byte 12")
        return division, None
    frames = 256 - (division >> 8)
    ticks_per_frame = division & 0xFF
    if frames not in SMPTE_RATES or ticks_per_frame == 0:
        raise MIDIError(
            f"{name}: invalid SMPTE division 0x{division:04x} at byte 12 "
            f"({-frames} frames per second, {ticks_per_frame} ticks per frame)"
        )
    return round(SMPTE_RATES[frames]) * ticks_per_frame, SMPTE_RATES[frames]
