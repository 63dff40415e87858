"""The native ABC writer: music21 reads our output back with the same notes."""

from __future__ import annotations

from collections import Counter

import pytest
from music21 import converter, corpus

import muspy_like as ml
from muspy_like import KeySignature, Lyric, Music, Note, Tempo, TimeSignature, Track
from muspy_like.errors import ABCError
from muspy_like.interop import from_music21
from muspy_like.io.abc import read_abc, read_abc_tunes, write_abc


def _track_rows(track):
    return Counter(zip(track.notes.time.tolist(), track.notes.pitch.tolist(), track.notes.duration.tolist()))


def _rows(music):
    return sum((_track_rows(track) for track in music.tracks), Counter())


def _music21_reading(path, resolution):
    """Our notes as music21 itself parses the file (no fix-ups of ours)."""
    return from_music21(converter.parse(path, format="abc", forceSource=True), resolution)


@pytest.mark.parametrize(
    "name",
    [
        "accidentals.abc",
        "notes.abc",
        "durations.abc",
        "chords.abc",
        "ties_and_slurs.abc",
        "tuplets.abc",
        "keys_and_modes.abc",
        "broken_rhythm.abc",
        "grace_notes.abc",
        "tunebook.abc",
    ],
)
def test_test_files_survive_write_and_music21_reading(testdata_dir, tmp_path, name):
    for music in read_abc_tunes(testdata_dir / "abc" / name):
        target = tmp_path / "out.abc"
        write_abc(target, music)
        back = _music21_reading(target, music.resolution)
        assert _rows(back) == _rows(music)
        assert back.metadata.title == music.metadata.title


def test_bach_chorale_in_four_voices(tmp_path):
    music = from_music21(corpus.parse("bach/bwv66.6"))
    target = tmp_path / "chorale.abc"
    write_abc(target, music)
    text = target.read_text()
    # Each voice is declared once, with its name, where its music starts (not in the header too, which
    # music21 and our reader would read as four more, empty, parts).
    assert [line for line in text.splitlines() if line.startswith("V:")] == [
        f'V:{i} name="{name}"' for i, name in enumerate(["Soprano", "Alto", "Tenor", "Bass"], start=1)
    ]
    back = _music21_reading(target, music.resolution)
    assert _rows(back) == _rows(music) and len(back.tracks) == 4
    ours = read_abc(target)
    assert [t.name for t in ours.tracks] == ["Soprano", "Alto", "Tenor", "Bass"]
    assert [_track_rows(t) for t in ours.tracks] == [_track_rows(t) for t in music.tracks]
    assert [(k.root, k.mode) for k in ours.key_signatures] == [(6, "minor")]


def test_header_bars_ties_chords_rests_and_triplets(tmp_path):
    music = Music(
        resolution=24,
        metadata=ml.Metadata(title="Hand made", creators=["Me"]),
        tempos=[Tempo(0, 96.0)],
        time_signatures=[TimeSignature(0, 3, 4)],
        key_signatures=[KeySignature(0, root=7, mode="major", fifths=1)],
        tracks=[
            Track(
                notes=[
                    Note(0, 66, 24),
                    Note(24, 60, 8),
                    Note(32, 62, 8),
                    Note(40, 64, 8),  # F#, then a C-D-E triplet
                    Note(48, 67, 48),
                    Note(48, 71, 48),  # a chord tied over the barline
                    Note(120, 65, 24),  # after a rest: F natural in G major
                ]
            )
        ],
    )
    target = tmp_path / "hand.abc"
    write_abc(target, music)
    text = target.read_text()
    header = text.splitlines()
    assert header[:5] == ["X:1", "T:Hand made", "C:Me", "M:3/4", "L:1/8"]
    assert "Q:1/4=96" in header and "K:G" in header
    body = header[-1]
    assert body == "F2 (3C D E [GB]2- | [GB]2 z2 =F2 |]"
    back = read_abc(target)
    assert [(t.time, t.qpm) for t in back.tempos] == [(0, 96.0)]
    assert back.tracks[0].notes == music.tracks[0].notes  # the chord tie is restored by read_abc


def test_overlapping_notes_become_voices(tmp_path):
    music = Music(resolution=4, tracks=[Track(name="Pno", notes=[Note(0, 60, 8), Note(4, 64, 8), Note(12, 67, 4)])])
    target = tmp_path / "voices.abc"
    write_abc(target, music)
    text = target.read_text()
    assert 'V:1 name="Pno"' in text and 'V:2 name="Pno"' in text and "%%score (1 2)" in text
    assert _rows(_music21_reading(target, 4)) == _rows(music)
    back = read_abc(target, resolution=4)  # one staff: one track again
    assert len(back.tracks) == 1 and back.tracks[0].name == "Pno" and _rows(back) == _rows(music)


def test_writing_is_atomic_and_checks_its_input(tmp_path):
    target = tmp_path / "keep.abc"
    target.write_text("old")
    with pytest.raises(ABCError, match="expects a Music"):
        write_abc(target, "not music")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_notes_below_c0_come_back_and_pitches_beyond_midi_are_refused(tmp_path):
    target = tmp_path / "low.abc"
    write_abc(target, Music(tracks=[Track(notes=[Note(0, 11, 24), Note(24, 0, 24), Note(48, 127, 24)])]))
    assert "B,,,,,2 C,,,,,2 g''''2" in target.read_text()
    # music21 names octave -1 "B-1", which it reads back as B flat in octave 1; we take the octave from the text.
    assert read_abc(target).tracks[0].notes.pitch.tolist() == [11, 0, 127]
    target.write_text("X:3\nT:High\nK:C\nC c'''''2 |\n")
    with pytest.raises(ABCError, match=r"low.abc: tune X:3 \(line 1\): note \"c'''''2\" is MIDI pitch 132"):
        read_abc(target)


def test_tempo_key_and_meter_changes_come_back_at_their_ticks(tmp_path):
    music = Music(
        resolution=24,
        tempos=[Tempo(0, 100.0), Tempo(1, 90.0), Tempo(60, 70.5)],
        time_signatures=[TimeSignature(0, 4, 4), TimeSignature(96, 3, 4)],
        key_signatures=[
            KeySignature(0, root=2, mode="major", fifths=2),
            KeySignature(96, root=2, mode="dorian", fifths=0),
        ],
        tracks=[Track(notes=[Note(0, 60, 2), Note(2, 66, 100), Note(102, 72, 12)])],
    )
    target = tmp_path / "changes.abc"
    write_abc(target, music)
    lines = target.read_text().splitlines()
    assert "Q:1/4=90" in lines and "M:3/4" in lines and "K:D dor" in lines  # field lines, not inline fields
    back = read_abc(target)
    assert back.tracks[0].notes == music.tracks[0].notes
    assert [(t.time, t.qpm) for t in back.tempos] == [(0, 100.0), (1, 90.0), (60, 70.5)]
    assert [(t.time, t.numerator, t.denominator) for t in back.time_signatures] == [(0, 4, 4), (96, 3, 4)]
    assert [(k.time, k.root, k.mode, k.fifths) for k in back.key_signatures] == [
        (0, 2, "major", 2),
        (96, 2, "dorian", 0),
    ]


def test_lyrics_are_written_as_w_lines_and_read_back(tmp_path):
    notes = [Note(0, 67, 24), Note(24, 69, 24), Note(48, 71, 24), Note(72, 72, 96), Note(168, 74, 24)]
    lyrics = [Lyric(0, "Hap"), Lyric(24, "py"), Lyric(72, "birth day"), Lyric(168, "to-you")]
    music = Music(resolution=24, time_signatures=[TimeSignature(0, 3, 4)], tracks=[Track(notes=notes, lyrics=lyrics)])
    target = tmp_path / "song.abc"
    write_abc(target, music)
    assert "w: Hap py * birth~day to\\-you" in target.read_text().splitlines()
    back = read_abc(target)
    assert back.tracks[0].lyrics == lyrics


def test_hyphenated_syllables_are_joined_words_and_agree_with_musicxml(tmp_path):
    """Syllables as MusPy and our MusicXML reader keep them ("Tra -", "- la -", "- li") are written as one
    ABC word, Tra-la-li (the writer used to write Tra~\\- la... with the hyphen escaped into the syllable),
    a word broken across w: lines goes on in the next, and ABC and MusicXML read the same lyrics."""
    words = ["Tra -", "- la -", "- li", "self-made", "Ky -", "- ri -", "- e -", "- lei -", "- son"]
    notes = [Note(24 * i, 60 + i, 24) for i in range(len(words))]
    lyrics = [Lyric(24 * i, word) for i, word in enumerate(words)]
    music = Music(resolution=24, time_signatures=[TimeSignature(0, 2, 4)], tracks=[Track(notes=notes, lyrics=lyrics)])
    write_abc(tmp_path / "song.abc", music)
    written = [line for line in (tmp_path / "song.abc").read_text().splitlines() if line.startswith("w:")]
    assert written == ["w: Tra-la-li self\\-made Ky-ri-e-lei-", "w: son"]  # four bars of two notes a line
    assert read_abc(tmp_path / "song.abc").tracks[0].lyrics == lyrics
    ml.write_musicxml(tmp_path / "song.musicxml", music)
    assert ml.read_musicxml(tmp_path / "song.musicxml").tracks[0].lyrics == lyrics


@pytest.mark.parametrize("resolution", [1, 24, 480])
@pytest.mark.parametrize(
    "notes, written",
    [
        ([(0, 2)], True),
        ([(0, 100)], True),
        ([(5, 200)], True),
        ([(0, 1)], False),  # the piece ends at tick 1: a meter there governs no note and is not written
        ([], False),  # no note, no voice to carry the change
    ],
)
def test_a_meter_one_tick_in_is_written_there_and_read_back(tmp_path, resolution, notes, written):
    """A 3/2 meter at tick 1 (a hypothesis example once reported as reading back as 2/4): the header
    keeps 4/4, the first bar is one tick long, and the change is a field line where the voice reaches it."""
    music = Music(resolution=resolution, time_signatures=[TimeSignature(time=1, numerator=3, denominator=2)])
    music.tracks = [Track(notes=[Note(time=time, pitch=60, duration=length) for time, length in notes])]
    write_abc(tmp_path / "meter.abc", music)
    back = read_abc(tmp_path / "meter.abc", resolution=resolution)
    meters = [(t.time, t.numerator, t.denominator) for t in back.time_signatures]
    assert meters == ([(0, 4, 4), (1, 3, 2)] if written else [(0, 4, 4)])
    assert _rows(back) == _rows(music)
