"""Reading policies, checked by hand on small files written byte by byte, with both engines.

Never-closed notes, the three pairing policies, events sharing a tick (their file order is kept, however
many), tracks made without the dataclass constructor.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from muspy_like.core.track import Track
from muspy_like.io.midi import read_midi
from muspy_like.io.midi.builder import new_track

ENGINES = ["numpy", "mido"]


def _file(*chunks: bytes, division: int = 480) -> bytes:
    data = b"MThd\x00\x00\x00\x06\x00\x01" + len(chunks).to_bytes(2, "big") + division.to_bytes(2, "big")
    return data + b"".join(b"MTrk" + len(c).to_bytes(4, "big") + c for c in chunks)


def _vlq(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


# note_on 60 at 0, note_on 60 at 240, one note_off at 480, end of track at 960 (the example of issue 12)
FOUR_EVENTS = _file(b"\x00\x90\x3c\x50" + _vlq(240) + b"\x90\x3c\x60" + _vlq(240) + b"\x80\x3c\x00"
                    + _vlq(480) + b"\xff\x2f\x00")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("overlap, expected", [
    # the note-off ends the oldest note; the other never ends and is closed at the end of the track
    ("fifo", [(0, 60, 480, 80), (240, 60, 720, 96)]),
    # the note-off ends the newest note
    ("lifo", [(0, 60, 960, 80), (240, 60, 240, 96)]),
    # the note-off ends every note begun before it (pretty_midi)
    ("all", [(0, 60, 480, 80), (240, 60, 240, 96)]),
])
def test_the_four_event_example_keeps_both_notes(engine, overlap, expected):
    (track,) = read_midi(FOUR_EVENTS, engine=engine, overlap=overlap).tracks
    assert [n.to_tuple() for n in track.notes] == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_never_closed_notes_end_at_the_chunks_last_event(engine):
    # chunk 1: a note never ended, end of track at 1000; chunk 2: a note never ended and no end-of-track
    # event, its last event (a controller) at 700; each ends where its own chunk does
    first = b"\x00\x90\x40\x40" + _vlq(1000) + b"\xff\x2f\x00"
    second = b"\x00\x91\x41\x41" + _vlq(700) + b"\xb1\x07\x64"
    music = read_midi(_file(first, second), engine=engine)
    assert [[n.to_tuple() for n in t.notes] for t in music.tracks] == [[(0, 64, 1000, 64)], [(0, 65, 700, 65)]]


@pytest.mark.parametrize("engine", ENGINES)
def test_all_policy_keeps_notes_begun_at_the_note_offs_tick(engine):
    # pretty_midi's rule: a note-on at the tick of a note-off is not ended by it
    chunk = (b"\x00\x90\x3c\x40" + _vlq(100) + b"\x90\x3c\x41" + b"\x00\x80\x3c\x00" + _vlq(50) + b"\x80\x3c\x00"
             + b"\x00\xff\x2f\x00")
    (track,) = read_midi(_file(chunk), engine=engine, overlap="all").tracks
    assert [n.to_tuple() for n in track.notes] == [(0, 60, 100, 64), (100, 60, 50, 65)]


@pytest.mark.parametrize("engine", ENGINES)
def test_stray_note_offs_are_ignored_by_every_policy(engine):
    chunk = b"\x00\x80\x3c\x00" + b"\x00\x90\x3c\x40" + _vlq(10) + b"\x80\x3c\x00" + _vlq(10) + b"\x80\x3c\x00"
    for overlap in ("fifo", "lifo", "all"):
        (track,) = read_midi(_file(chunk + b"\x00\xff\x2f\x00"), engine=engine, overlap=overlap).tracks
        assert [n.to_tuple() for n in track.notes] == [(0, 60, 10, 64)]


def _same_tick_file(n: int) -> bytes:
    """n tempos, time signatures, key signatures, lyrics, markers and texts, all at tick 0, in a known
    order, then a one-quarter note."""
    conductor = b""
    for i in range(n):
        microseconds = 500_000 + 1000 * i
        conductor += b"\x00\xff\x51\x03" + microseconds.to_bytes(3, "big")
        conductor += b"\x00\xff\x58\x04" + bytes([1 + i % 12, 2, 24, 8])
        conductor += b"\x00\xff\x59\x02" + bytes([(i % 15 - 7) & 0xFF, i % 2])
        for meta in (0x05, 0x06, 0x01):
            text = f"{meta}:{i}".encode()
            conductor += b"\x00\xff" + bytes([meta, len(text)]) + text
    conductor += b"\x00\xff\x2f\x00"
    notes = b"\x00\x90\x3c\x40" + _vlq(480) + b"\x80\x3c\x00" + b"\x00\xff\x2f\x00"
    return _file(conductor, notes)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_thousand_events_of_every_kind_at_one_tick_keep_their_order(engine):
    n = 1000
    music = read_midi(_same_tick_file(n), engine=engine)
    assert [t.qpm for t in music.tempos] == [60_000_000 / (500_000 + 1000 * i) for i in range(n)]
    assert [s.numerator for s in music.time_signatures] == [1 + i % 12 for i in range(n)]
    assert [(k.fifths, k.mode) for k in music.key_signatures] == [(i % 15 - 7, "minor" if i % 2 else "major")
                                                                  for i in range(n)]
    assert [x.lyric for x in music.lyrics] == [f"5:{i}" for i in range(n)]
    assert [(x.group, x.annotation) for x in music.annotations] == [
        (group, f"{meta}:{i}") for i in range(n) for meta, group in ((6, "marker"), (1, "text"))]
    # the last tempo of tick 0 is in force: 1,499,000 microseconds per quarter, one quarter of music
    assert music.get_real_end_time() == pytest.approx(1.499)


def test_new_track_is_the_constructors_track():
    notes = ([0, 10], [60, 62], [5, 5], [64, 80])
    made = new_track(9, 33, *(cls for cls in _arrays(notes)))
    expected = Track(program=33, is_drum=True, channel=9, notes=made.notes, control_changes=made.control_changes,
                     pitch_bends=made.pitch_bends)
    assert made == expected
    assert {f.name: getattr(made, f.name) for f in dataclasses.fields(Track)} == \
        {f.name: getattr(expected, f.name) for f in dataclasses.fields(Track)}
    assert vars(made).keys() == vars(expected).keys()
    made.notes.append(made.notes[0].copy())  # a working array, not a frozen one
    assert len(made.notes) == 3


def _arrays(notes):
    from muspy_like.core.events import ControlChangeArray, NoteArray, PitchBendArray

    return (NoteArray.from_columns(time=notes[0], pitch=notes[1], duration=notes[2], velocity=notes[3]),
            ControlChangeArray(), PitchBendArray())


def test_tracks_share_no_memory_they_could_write_into():
    """Tracks hold views of the reader's columns; writing into one track never changes another."""
    chunk = b"".join(b"\x00" + bytes([0x90 | c, 60 + c, 64]) + b"\x10" + bytes([0x80 | c, 60 + c, 0]) for c in range(3))
    music = read_midi(_file(chunk + b"\x00\xff\x2f\x00"))
    first, second = music.tracks[0].notes, music.tracks[1].notes
    first.pitch[0] = 1
    first.append(first[0].copy())
    assert second.pitch.tolist() == [61] and np.array_equal(music.tracks[2].notes.pitch, [62])


@pytest.mark.parametrize("engine", ENGINES)
def test_program_change_on_a_channel_that_never_sounds_a_note(engine):
    """Channel 1's program change comes first in the file; channel 0 only ends notes, then changes program:
    its track (a channel with events but no note still gives one) has its last program, 1."""
    chunk = b"\x00\xc1\x00" + b"\x00\x90\x3a\x00" + b"\x00\x80\x3a\x40" + b"\x00\xc0\x01" + b"\x00\xff\x2f\x00"
    music = read_midi(_file(chunk), engine=engine)
    assert [(t.channel, t.program, len(t.notes)) for t in music.tracks] == [(0, 1, 0), (1, 0, 0)]
