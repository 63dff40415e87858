"""Fast reading of one-channel chunks with mid-track program changes or text events.

Orchestral files often switch a channel's program mid-track (arco, pizzicato, tremolo) and put text events
in instrument tracks. symusic splits the notes of such a chunk by the program at each note-on, exactly as
our policy does, but it files controllers and pitch bends differently (it holds those of a program that
has no note yet and gives them to the next track created) and it does not report text events. To read
such chunks exactly without a Python pass over every event:

1. a compiled pattern checks the chunk (one channel; the events the simple shape allows, plus program
   changes not followed by running status, plus text events) and locates each program change, each text
   event and the first note-on, with one anchored match per located event;
2. a *probe* copy of the chunk is built in which every program change becomes a controller with a number
   the chunk does not use (value = the program) plus a pitch bend with a reserved value, the first note-on
   is preceded by a second marker controller and bend, and every text event becomes a marker whose text
   says which event it was; with no program change left, symusic puts every controller and bend of the
   chunk into one track, in file order, markers included, and reports the tick of each text event;
3. walking those short arrays with numpy gives each controller and bend the program in effect at its
   place in the file (events before the first note-on take the program of that note, as the builder does).

The counts of marker events are checked, so a real controller or bend that happens to use a reserved
value makes the chunk fall back to the pure-Python decoder instead of being misread.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple, Optional

import numpy as np

__all__ = ["ProbePlan", "TextEvent", "plan_probe", "probe_chunk", "split_by_program", "text_tag"]

_VLQ = rb"[\x80-\xff]{0,3}+[\x00-\x7f]"
_DATA = rb"[\x00-\x7f]"
_NEXT_HAS_STATUS = rb"(?=[\x80-\xff]{0,3}[\x00-\x7f][\x80-\xff])"
#: Text-like meta types symusic does not report (text, copyright, instrument, marker, cue, program, device).
TEXT_TYPES = rb"[\x01\x02\x04\x06\x07\x08\x09]"


class TextEvent(NamedTuple):
    """A text meta event: offset of its 0xFF byte, meta type, and its payload bytes."""

    offset: int
    kind: int
    payload: bytes


class ProbePlan(NamedTuple):
    """Where the program changes, text events and first note-on of a chunk are (byte offsets)."""

    channel: int
    program_changes: list[int]
    texts: list[TextEvent]
    first_note_on: int


def _channel_exchange(channel: int) -> bytes:
    """A :meth:`bytes.translate` table exchanging channel ``channel`` with channel 0 in bytes 0x80-0xEF."""
    table = bytearray(range(256))
    for kind in range(0x80, 0xF0, 0x10):
        table[kind], table[kind | channel] = kind | channel, kind
    return bytes(table)


#: The patterns below are written for channel 0. Every other byte class in them (data bytes, delta-time
#: continuation bytes ``[\x80-\xff]``, meta types, payload bytes, 0xF0-0xFF) is closed under exchanging the
#: channel nibbles ``c`` and 0 of bytes 0x80-0xEF, so matching them on a copy translated by table ``c`` is
#: matching channel ``c``'s own patterns; one compilation then serves all 16 channels.
_TO_CHANNEL_ZERO = [_channel_exchange(channel) for channel in range(16)]


@lru_cache(maxsize=2)
def _patterns(known_meta: bytes, payload: bytes) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    def statuses(*kinds: int) -> bytes:
        return b"[" + b"".join(re.escape(bytes([kind])) for kind in kinds) + b"]"

    three = statuses(0x80, 0x90, 0xA0, 0xB0, 0xE0)
    events = b"(?:" + three + _DATA * 2 + b"(?:" + _VLQ + _DATA * 2 + b")*+|" + statuses(0xD0) + _DATA
    events += b"(?:" + _VLQ + _DATA + b")*+|" + known_meta + b")"
    special = b"(?:(" + statuses(0xC0) + b")" + _DATA + _NEXT_HAS_STATUS + rb"|(\xff)" + TEXT_TYPES + payload + b")"
    until_special = re.compile(b"(?:" + _VLQ + events + b")*+" + _VLQ + special)
    rest = re.compile(b"(?:" + _VLQ + events + b")*+" + _VLQ + rb"\xff\x2f\x00")
    no_notes = b"(?:" + statuses(0xA0, 0xB0, 0xE0) + _DATA * 2 + b"(?:" + _VLQ + _DATA * 2 + b")*+|"
    no_notes += statuses(0xC0, 0xD0) + _DATA + b"(?:" + _VLQ + _DATA + b")*+|" + known_meta
    no_notes += rb"|\xff" + TEXT_TYPES + payload + b")"
    first_note = re.compile(b"(?:" + _VLQ + no_notes + b")*+" + _VLQ + b"(" + statuses(0x80, 0x90) + b")")
    return until_special, rest, first_note


def plan_probe(data: bytes, start: int, end: int, channel: int, known_meta: bytes, payload: bytes) -> Optional[ProbePlan]:
    """Locate program changes and text events of a one-channel chunk (``start`` is after its leading name).

    Returns None when the chunk is not of that shape (the caller then decodes it in Python).
    """
    until_special, rest, first_note = _patterns(known_meta, payload)
    chunk = data[start:end].translate(_TO_CHANNEL_ZERO[channel])  # offsets in it are offsets from start
    programs, texts = [], []
    position = 0
    while True:
        match = until_special.match(chunk, position)
        if match is None:
            break
        if match.start(1) >= 0:
            programs.append(start + match.start(1))
        else:
            offset = start + match.start(2)
            length = data[offset + 2]
            texts.append(TextEvent(offset, data[offset + 1], data[offset + 3 : offset + 3 + length]))
        position = match.end()
    if not (programs or texts) or rest.fullmatch(chunk, position) is None:
        return None
    note = first_note.match(chunk)
    if note is None:
        return None
    status = start + note.start(1)
    if data[status] != 0x90 | channel or data[status + 2] == 0:
        return None  # the first note message must be a real note-on
    return ProbePlan(channel, programs, texts, status)


def text_tag(chunk: int, index: int) -> str:
    """The marker text standing for text event ``index`` of chunk ``chunk`` in a probe copy."""
    return f"\x1e{chunk}:{index}"


def probe_chunk(data: bytes, end: int, plan: ProbePlan, start: int, chunk: int, marker: int, reserved_bend: int) -> bytes:
    """The probe copy of chunk bytes ``data[start:end]`` (see the module docstring), without its end-of-track.

    ``marker`` is a controller number the chunk does not use; ``marker + 1`` (mod 128) marks the first note.
    Pitch bends ``reserved_bend + program`` mark program changes and ``reserved_bend + 128`` the first note.
    """
    channel = plan.channel
    control, bend = 0xB0 | channel, 0xE0 | channel
    events = [(p, 0, None) for p in plan.program_changes] + [(plan.first_note_on, 1, None)]
    events += [(text.offset, 2, (k, text)) for k, text in enumerate(plan.texts)]
    pieces = []
    cursor = start
    for position, kind, extra in sorted(events, key=lambda e: e[0]):
        pieces.append(data[cursor:position])
        if kind == 0:
            program = data[position + 1]
            value = reserved_bend + program + 8192
            pieces.append(bytes([control, marker, program, 0, bend, value & 0x7F, value >> 7]))
            cursor = position + 2
        elif kind == 1:
            value = reserved_bend + 128 + 8192
            pieces.append(bytes([control, (marker + 1) % 128, 0, 0, bend, value & 0x7F, value >> 7, 0]))
            cursor = position
        else:
            k, text = extra
            tag = text_tag(chunk, k).encode()
            pieces.append(b"\xff\x06" + bytes([len(tag)]) + tag)
            cursor = position + 3 + len(text.payload)
    pieces.append(data[cursor : end - 3])
    return b"".join(pieces)


def split_by_program(
    is_program: np.ndarray, is_first_note: np.ndarray, programs: np.ndarray, n_changes: int
) -> Optional[dict[int, np.ndarray]]:
    """Group real events by the program in effect at each (row indices per program, file order kept).

    ``is_program``/``is_first_note`` mark the probe's marker rows and ``programs`` gives the program a
    program-change marker sets. Returns None if the markers are not exactly the ones inserted.
    """
    if int(is_program.sum()) != n_changes or int(is_first_note.sum()) != 1:
        return None
    rows = np.arange(len(is_program))
    last = np.maximum.accumulate(np.where(is_program, rows, -1))
    current = np.where(last >= 0, programs[np.maximum(last, 0)], 0)
    first = int(np.flatnonzero(is_first_note)[0])
    current = np.where(rows < first, current[first], current)
    real = np.flatnonzero(~(is_program | is_first_note))
    groups: dict[int, np.ndarray] = {}
    for program in np.unique(current[real]).tolist():
        groups[program] = real[current[real] == program]
    return groups
