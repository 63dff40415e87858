"""Reading MusPy's ABC test files: content derived by hand from the ABC text (default unit 1/8 for 4/4)."""

from __future__ import annotations

import pytest

import muspy_like as ml
from muspy_like.errors import ABCError
from muspy_like.io.abc import read_abc, read_abc_tunes


@pytest.fixture(scope="module")
def abc_dir(testdata_dir):
    return testdata_dir / "abc"


def _notes(music, column):
    return music.tracks[0].notes.columns()[column].tolist()


def test_pitches_of_every_octave(abc_dir):
    music = read_abc(abc_dir / "notes.abc")
    assert music.metadata.title == "Notes" and music.metadata.source_format == "abc"
    assert _notes(music, "pitch") == [
        48,
        50,
        52,
        53,
        55,
        57,
        59,
        60,
        62,
        64,
        65,
        67,
        69,
        71,
        72,
        74,
        76,
        77,
        79,
        81,
        83,
        84,
        86,
        88,
        89,
        91,
        93,
        95,
    ]
    assert _notes(music, "time") == [24 * i for i in range(28)]
    assert set(_notes(music, "duration")) == {24}


def test_accidentals(abc_dir):
    assert _notes(read_abc(abc_dir / "accidentals.abc"), "pitch") == [67, 68, 69, 70, 71]


def test_lengths_with_three_unit_notes(abc_dir):
    music = read_abc(abc_dir / "durations.abc")
    sixteenths = [3, 3, 6, 12, 18, 24, 36, 42, 48, 72, 90, 96]
    eighths = [3, 6, 6, 12, 24, 36, 48, 72, 84, 96, 144, 180]
    quarters = [3, 6, 12, 12, 24, 48, 72, 96, 144, 168]
    assert _notes(music, "duration") == sixteenths + eighths + quarters


def test_broken_rhythm(abc_dir):
    assert _notes(read_abc(abc_dir / "broken_rhythm.abc"), "duration") == [18, 6, 36, 12, 21, 3, 45, 3]


def test_chords_in_two_four_use_sixteenth_units(abc_dir):
    music = read_abc(abc_dir / "chords.abc")
    assert [(t.numerator, t.denominator) for t in music.time_signatures] == [(2, 4)]
    rows = sorted(zip(_notes(music, "time"), _notes(music, "pitch"), _notes(music, "duration")))
    expected = [(0, p, 6) for p in (60, 64, 67, 72)] + [(6, 60, 12), (6, 67, 12)] + [(18, 60, 6), (18, 64, 6)]
    expected += [(24, 62, 6), (24, 65, 6), (30, 62, 12), (30, 65, 12), (42, 64, 6), (42, 67, 6)]
    expected += [(48, 65, 6), (48, 69, 6), (54, 69, 24), (54, 74, 24)]
    assert rows == sorted(expected)


def test_ties_merge_and_slurs_do_not(abc_dir):
    music = read_abc(abc_dir / "ties_and_slurs.abc")
    assert _notes(music, "duration") == [6, 6, 12, 12, 12, 12, 12, 12, 12, 12, 24, 36, 72]
    assert set(_notes(music, "pitch")) == {69}


def test_tuplets_round_to_ticks_and_are_exact_at_a_fine_resolution(abc_dir):
    music = read_abc(abc_dir / "tuplets.abc")
    durations = _notes(music, "duration")
    assert durations[:9] == [18, 18, 8, 8, 8, 9, 9, 9, 9]
    assert sum(durations[9:14]) == 24 and durations[14:20] == [4] * 6 and sum(durations[20:]) == 24
    fine = read_abc(abc_dir / "tuplets.abc", resolution=840)
    assert _notes(fine, "duration")[9:] == [168] * 5 + [140] * 6 + [120] * 7


def test_grace_notes_are_dropped(abc_dir):
    music = read_abc(abc_dir / "grace_notes.abc")
    assert _notes(music, "duration") == [36, 12, 12, 12, 36, 12, 12, 12]
    assert set(_notes(music, "pitch")) == {69}
    assert [(t.numerator, t.denominator) for t in music.time_signatures] == [(6, 8)]


def test_every_key_change_and_mode_including_locrian(abc_dir):
    for name in ("keys_and_modes.abc", "modes.abc"):
        music = read_abc(abc_dir / name)
        modes = ["major"] * 6 + [
            "lydian",
            "ionian",
            "mixolydian",
            "dorian",
            "minor",
            "minor",
            "aeolian",
            "phrygian",
            "locrian",
        ]
        fifths = [0] * 6 + [1, 0, -1, -2, -3, -3, -3, -4, -5]
        assert [(k.time, k.root, k.mode, k.fifths) for k in music.key_signatures] == [
            (96 * i, 0, mode, f) for i, (mode, f) in enumerate(zip(modes, fifths))
        ]
        pitches = _notes(music, "pitch")
        assert pitches[72:80] == [62, 63, 65, 67, 69, 70, 72, 74]  # C dorian: Eb, Bb
        assert pitches[112:120] == [61, 63, 65, 66, 68, 70, 72, 73]  # C locrian: Db Eb Gb Ab Bb


def test_chord_symbols_become_annotations(abc_dir):
    music = read_abc(abc_dir / "chord_markings.abc")
    assert _notes(music, "pitch") == [69, 62, 65, 69]
    symbols = [(a.time, a.group) for a in music.tracks[0].annotations]
    assert symbols == [(0, "chord_symbol"), (12, "chord_symbol"), (24, "chord_symbol"), (36, "chord_symbol")]
    assert [a.annotation for a in music.tracks[0].annotations][:2] == ["A", "Gm7"]


def test_header_fields(abc_dir):
    music = read_abc(abc_dir / "header.abc")
    assert music.metadata.title == "TEST: Header lines only"
    assert music.metadata.creators == ["Composer"]
    assert [(t.time, t.qpm) for t in music.tempos] == [(0, 115.0)]
    assert [(t.numerator, t.denominator) for t in music.time_signatures] == [(3, 4)]
    assert music.n_notes == 0
    assert read_abc(abc_dir / "empty_title.abc").metadata.title is None


def test_other_files_parse_with_their_notes(abc_dir):
    assert _notes(read_abc(abc_dir / "accents.abc"), "pitch") == [69, 72] * 4
    assert len(read_abc(abc_dir / "beams.abc").tracks[0].notes) == 15


def test_tune_book_gives_one_music_per_tune(abc_dir):
    path = abc_dir / "tunebook.abc"
    tunes = read_abc_tunes(path)
    assert [t.metadata.title for t in tunes] == ["Untitled Reel", "Kitchen Girl"]
    assert all(t.metadata.creators == ["Trad."] for t in tunes)
    reel = tunes[0]
    assert [(t.numerator, t.denominator) for t in reel.time_signatures] == [(4, 4)]  # from the file header
    assert [(k.root, k.mode) for k in reel.key_signatures] == [(2, "major"), (7, "major")]
    assert list(zip(_notes(reel, "pitch")[:3], _notes(reel, "duration")[:3])) == [(76, 12), (79, 12), (81, 24)]
    girl = read_abc(path, number=2)
    assert girl.metadata.title == "Kitchen Girl"
    assert sorted(_notes(girl, "pitch")[:2]) == [73, 81]  # [c4a4] in D major: C#5 and A5
    assert ml.read(path, number=2).metadata.title == "Kitchen Girl"


def test_tune_book_through_read_asks_for_a_number(abc_dir):
    for reader in (ml.read, read_abc):
        with pytest.raises(ABCError, match=r"tune book \(2 tunes, X:1 to X:2\); pass number=.*--tune.*read_abc_tunes"):
            reader(abc_dir / "tunebook.abc")
    with pytest.raises(ABCError, match="X:7"):
        read_abc(abc_dir / "tunebook.abc", number=7)


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(ABCError, match="cannot read"):
        read_abc(tmp_path / "missing.abc")


def test_lyrics_lines_follow_abc_alignment_rules(tmp_path):
    path = tmp_path / "song.abc"
    path.write_text(
        "X:1\nT:Song\nM:3/4\nL:1/4\nK:G\n"
        "G A B | c2 d | e z f- | f g a |\n"
        "w: Hap-py birth * day~one | Al\\-so tra_ la\n"
        "B c d |\n"
        "w: last line here\n"
        "w: second verse ignored\n"
    )
    lyrics = [(x.time, x.lyric) for x in read_abc(path).tracks[0].lyrics]
    # G A B | c d | e (rest) f~f | g a: 'Hap -' '- py' on G A (one word, hyphenated as MusPy and our
    # MusicXML reader keep it), 'birth' on B, '*' skips c, 'day one' on d,
    # '|' moves to the bar of e, 'Al-so' on e, 'tra' on f (the tied f continuation takes none), '_' skips g,
    # 'la' on a; the second music line gets the next w: line only.
    assert lyrics == [
        (0, "Hap -"),
        (24, "- py"),
        (48, "birth"),
        (120, "day one"),
        (144, "Al-so"),
        (192, "tra"),
        (264, "la"),
        (288, "last"),
        (312, "line"),
        (336, "here"),
    ]
