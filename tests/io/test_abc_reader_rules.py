"""The ABC reader's own rules, where it reads the file as ABC 2.1 says rather than as music21 does.

Each case is a small tune written here whose notes are derived by hand from the text.
"""

from __future__ import annotations

import pytest

from muspy_like.errors import ABCError, ABCTuneBookError
from muspy_like.io.abc import load_tune_book, read_abc, read_abc_tunes


def _write(tmp_path, text: str, name: str = "tune.abc"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _rows(track):
    return list(zip(track.notes.time.tolist(), track.notes.pitch.tolist(), track.notes.duration.tolist()))


def test_a_voice_that_comes_back_continues_and_keeps_its_name(tmp_path):
    path = _write(tmp_path, (
        "X:1\nT:Two voices\nM:2/4\nL:1/4\nV:S name=\"Soprano\"\nV:B name=\"Bass\"\nK:C\n"
        "[V:S] c d |\n[V:B] C, D, |\n[V:S] e f |\n[V:B] E, F, |\n"
    ))
    music = read_abc(path)
    assert [t.name for t in music.tracks] == ["Soprano", "Bass"]
    assert _rows(music.tracks[0]) == [(0, 72, 24), (24, 74, 24), (48, 76, 24), (72, 77, 24)]
    assert _rows(music.tracks[1]) == [(0, 48, 24), (24, 50, 24), (48, 52, 24), (72, 53, 24)]


def test_music_before_the_first_voice_field_is_voice_1(tmp_path):
    path = _write(tmp_path, "X:1\nL:1/4\nK:C\nC D |\nV:2\nc d |\nV:1\nE F |\n")
    first, second = read_abc(path).tracks
    assert [p for _, p, _ in _rows(first)] == [60, 62, 64, 65] and [t for t, _, _ in _rows(first)] == [0, 24, 48, 72]
    assert [p for _, p, _ in _rows(second)] == [72, 74]


def test_voices_on_one_staff_are_one_track(tmp_path):
    path = _write(tmp_path, "X:1\nL:1/4\n%%score (1 2) 3\nK:C\nV:1\nc2 |\nV:2\nE2 |\nV:3\nC,2 |\n")
    music = read_abc(path)
    assert len(music.tracks) == 2
    assert sorted(p for _, p, _ in _rows(music.tracks[0])) == [64, 72] and _rows(music.tracks[1]) == [(0, 48, 48)]


def test_octave_clefs_move_the_sounding_pitch_and_a_bass_clef_does_not(tmp_path):
    path = _write(tmp_path, "X:1\nL:1/4\nK:C clef=treble-8\nc |\nK:C clef=bass\nc |\nK:C octave=1\nc |\n")
    assert [p for _, p, _ in _rows(read_abc(path).tracks[0])] == [60, 60, 84]


def test_quoted_strings_are_chord_symbols_or_annotations_and_never_drop_a_note(tmp_path):
    path = _write(tmp_path, 'X:1\nL:1/4\nK:C\n"Bb7"B ">right"c "^above"d |\n')
    track = read_abc(path).tracks[0]
    assert [p for _, p, _ in _rows(track)] == [71, 72, 74]  # music21 drops the c and its time
    assert [(a.time, a.group, a.annotation) for a in track.annotations] == [
        (0, "chord_symbol", "Bb7"), (24, "text", "right"), (48, "text", "above")
    ]


def test_text_fields_undo_escapes_and_cut_comments(tmp_path):
    path = _write(tmp_path, 'X:1\nT:50\\% off % a comment\nC:A \\\\ B\nL:1/4\nV:1 name="The \\"Best\\" voice"\nK:C\nC |\n')
    music = read_abc(path)
    assert music.metadata.title == "50% off" and music.metadata.creators == ["A \\ B"]
    assert music.tracks[0].name == 'The "Best" voice'


def test_a_tune_without_unit_length_or_meter_uses_eighths(tmp_path):
    path = _write(tmp_path, "X:1\nK:C\nC D2 |\n")  # music21 refuses this tune
    assert _rows(read_abc(path).tracks[0]) == [(0, 60, 12), (12, 62, 24)]


def test_lines_end_only_at_line_breaks(tmp_path):
    # U+0085 (NEL) inside a field: Python's splitlines() would cut the N: line there and read its end as
    # notes (essenFolksong/han1.abc, tune X:279).
    path = _write(tmp_path, "X:1\nN: Jie\u0085fng Ribao\nL:1/4\nK:C\nC D |\n")
    assert read_abc(path).n_notes == 2


def test_tune_books_fail_tune_by_tune(tmp_path):
    text = "X:1\nT:One\nL:1/4\nK:C\nC |\n\nX:2\nT:Broken\nL:1/4\nK:C\nc''''' |\n\nX:3\nT:Three\nL:1/4\nK:C\nE |\n"
    path = _write(tmp_path, text, "book.abc")
    book = load_tune_book(path)
    assert [(t.index, t.number, t.line, t.title) for t in book.tunes] == [
        (0, 1, 1, "One"), (1, 2, 7, "Broken"), (2, 3, 13, "Three")
    ]
    with pytest.raises(ABCTuneBookError) as raised:
        read_abc_tunes(path)
    assert [m.metadata.title for m in raised.value.tunes] == ["One", "Three"]
    assert "book.abc: tune X:2 (line 7): note \"c'''''\" is MIDI pitch 132" in str(raised.value.failures[0])
    with pytest.warns(UserWarning, match="1 of 3 tunes skipped"):
        assert [m.metadata.title for m in read_abc_tunes(path, errors="skip")] == ["One", "Three"]
    assert read_abc(path, number=3).metadata.title == "Three"
    with pytest.raises(ABCError, match=r"tune book \(3 tunes, X:1 to X:3\)"):
        read_abc(path)
    with pytest.raises(ValueError, match="errors"):
        read_abc_tunes(path, errors="ignore")


@pytest.mark.parametrize("field, problem", [
    ("L:-1/4", "unit note length must be a positive fraction"),
    ("L:0/1", "unit note length must be a positive fraction"),
    ("L:1/999999", "unit note length must be a positive fraction"),
    ("M:1/" + "9" * 30, "denominator must be a power of two"),
    ("M:3/6", "denominator must be a power of two"),
    ("M:0/4", "numerator must be from 1"),
    ("M:99999999/4", "numerator must be from 1"),
])
def test_unit_lengths_and_meters_no_music_can_hold_are_refused_naming_file_tune_and_field(tmp_path, field, problem):
    # Found by the ABC fuzz campaign: L:-1/4 gave notes at negative times, M:1/10**30 a time signature
    # that fails Music.validate(). Inline fields ([L:-1/4]) are refused the same way, and in a tune book
    # only the tune that holds the field fails.
    header = "X:1\nT:Fine\nM:4/4\nL:1/8\nK:C\nCDEF|\n\nX:7\nT:Bad\nM:4/4\nL:1/8\nK:C\n"
    for body in (f"{field}\nCDEF|GABc|\n", f"CD [{field}] EF|GABc|\n"):
        path = _write(tmp_path, header + body, "book.abc")
        with pytest.raises(ABCError) as caught:
            read_abc(path, number=7)
        message = str(caught.value)
        assert str(path) in message and "X:7" in message and repr(field) in message and problem in message
        with pytest.raises(ABCTuneBookError) as book:
            read_abc_tunes(path)
        assert len(book.value.tunes) == 1 and len(book.value.failures) == 1


def test_unusual_unit_lengths_and_meters_that_a_music_can_hold_are_read(tmp_path):
    path = _write(tmp_path, "X:1\nM:7/64\nL:1/1024\nK:C\nC64 D|\nL:1/G\nM:C|\nE F|\nM:none\nG|\n")
    music = read_abc(path, resolution=256).validate()  # L:1/1024 is one tick; L:1/G is 1/4 as music21 reads it
    assert [(t.time, t.numerator, t.denominator) for t in music.time_signatures] == [(0, 7, 64), (65, 2, 2)]
    assert _rows(music.tracks[0]) == [(0, 60, 64), (64, 62, 1), (65, 64, 256), (321, 65, 256), (577, 67, 256)]


def test_syllables_joined_by_hyphens_keep_their_hyphenation_as_musicxml_readers_do(tmp_path):
    # w: Tra-la-li gives "Tra -", "- la -", "- li" (MusPy's form, that of our MusicXML and MuseScore
    # readers); an escaped hyphen stays inside its syllable, and "--" skips a note inside the word.
    path = _write(tmp_path, "X:1\nL:1/4\nK:C\nC D E F | G A B c |\nw: Tra-la-li self\\-made Ky--e | Ha -lo\n")
    lyrics = [(x.time, x.lyric) for x in read_abc(path).tracks[0].lyrics]
    assert lyrics == [(0, "Tra -"), (24, "- la -"), (48, "- li"), (72, "self-made"), (96, "Ky -"), (144, "- e")]
