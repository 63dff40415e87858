"""MusicXML reader on the LilyPond MusicXML test suite and the real pieces of MusPy's test data.

Every expectation below was derived by hand from the XML (and the suite's description of each file), not
from our own output: pitches as MIDI numbers (C4 = 60), times and durations in quarter notes.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from muspy_like.errors import MusicXMLError
from muspy_like.io.musicxml import read_musicxml

NATURALS_G2_TO_C7 = [43, 45, 47, 48, 50, 52, 53, 55, 57, 59, 60, 62, 64, 65, 67, 69, 71, 72, 74, 76, 77, 79, 81, 83,
                     84, 86, 88, 89, 91, 93, 95, 96]
C_MAJOR_SCALE = [60, 62, 64, 65, 67, 69, 71, 72]


@pytest.fixture(scope="module")
def suite(testdata_dir):
    def read(name: str, **kwargs):
        music = read_musicxml(testdata_dir / "musicxml-lilypond" / name, **kwargs)
        music.validate()
        return music

    return read


def notes(music, track=0):
    """(onset, pitch, duration) of a track, onset and duration in quarter notes."""
    r = music.resolution
    t = music.tracks[track].notes
    return [(F(int(a), r), int(p), F(int(d), r)) for a, p, d in zip(t.time, t.pitch, t.duration)]


def quarters(music, ticks):
    return F(int(ticks), music.resolution)


def test_01a_pitches(suite):
    music = suite("01a-Pitches-Pitches.xml")
    pitches = [p for _, p, _ in notes(music)]
    expected = (
        NATURALS_G2_TO_C7
        + [p + 1 for p in NATURALS_G2_TO_C7]
        + [p - 1 for p in NATURALS_G2_TO_C7]
        + [74, 70, 73, 73, 73, 73]  # C##5, Cbb5, then C#5 with (cautionary) accidentals
    )
    assert pitches == expected
    assert [(t, d) for t, _, d in notes(music)] == [(F(i), F(1)) for i in range(102)]


def test_03a_durations(suite):
    music = suite("03a-Rhythm-Durations.xml")
    assert music.resolution == 64
    plain = [F(16), F(8), F(4), F(2), F(1), F(1, 2), F(1, 4), F(1, 8), F(1, 16), F(1, 32), F(1, 32)]
    dotted = [d * F(3, 2) for d in plain]
    double_dotted = [d * F(7, 4) for d in plain[:9]] + [F(7, 64)]  # down to the 64th, which comes twice
    durations = [d for _, _, d in notes(music)]
    assert durations == plain + dotted + double_dotted
    onsets = [t for t, _, _ in notes(music)]
    assert onsets == [sum(durations[:i], F(0)) for i in range(len(durations))]
    assert [(quarters(music, ts.time), ts.numerator, ts.denominator) for ts in music.time_signatures] == [
        (0, 16, 4), (32, 24, 4), (80, 28, 4)
    ]


def test_03b_backup_into_the_middle(suite):
    music = suite("03b-Rhythm-Backup.xml")
    assert sorted(notes(music)) == [(0, 60, 1), (1, 57, 1), (1, 60, 1), (2, 57, 1)]


def test_03c_division_change(suite):
    music = suite("03c-Rhythm-DivisionChange.xml")
    assert music.resolution == 152  # lcm(1, 8, 38)
    assert notes(music) == [(0, 72, 1), (1, 72, 1), (2, 72, 1), (3, 72, 1), (4, 72, 2), (6, 72, 2)]


def test_11a_time_signatures(suite):
    music = suite("11a-TimeSignatures.xml")
    signatures = [(quarters(music, ts.time), ts.numerator, ts.denominator) for ts in music.time_signatures]
    assert signatures == [
        (0, 2, 2), (4, 4, 4), (8, 2, 2), (12, 3, 2), (18, 2, 4), (20, 3, 4), (23, 4, 4), (27, 5, 4),
        (32, 3, 8), (F(67, 2), 6, 8), (F(73, 2), 12, 8),
    ]
    # The 5/4 measure holds a whole note tied to a quarter: one note of 5 quarters.
    assert (27, 72, 5) in notes(music)
    assert len(music.tracks[0].notes) == 11


def test_11c_compound_time_signatures(suite):
    music = suite("11c-TimeSignatures-CompoundSimple.xml")
    signatures = [(quarters(music, ts.time), ts.numerator, ts.denominator) for ts in music.time_signatures]
    assert signatures == [(0, 5, 8), (F(5, 2), 9, 4)]  # (3+2)/8 and (5+3+1)/4
    assert [d for _, _, d in notes(music)] == [F(1, 2)] * 5 + [F(4), F(1), F(3), F(1)]


def test_13a_key_signatures(suite):
    music = suite("13a-KeySignatures.xml")
    keys = music.key_signatures
    assert len(keys) == 46
    assert [quarters(music, k.time) for k in keys] == [2 * i for i in range(46)]
    assert [k.mode for k in keys] == ["major", "minor"] * 23
    # -11..11 fifths; beyond 7 the enharmonic signature is stored, the tonic keeps its spelling.
    assert keys[0].root_str == "Abb" and keys[0].fifths == 1 and keys[0].root == 7
    assert [(k.fifths, k.root_str) for k in keys[22:24]] == [(0, "C"), (0, "A")]
    assert [(k.fifths, k.root_str) for k in keys[16:18]] == [(-3, "Eb"), (-3, "C")]
    assert [(k.fifths, k.root_str) for k in keys[36:38]] == [(7, "C#"), (7, "A#")]


def test_13b_church_modes(suite):
    music = suite("13b-KeySignatures-ChurchModes.xml")
    keys = [(quarters(music, k.time), k.mode, k.root_str, k.fifths) for k in music.key_signatures]
    assert keys == [
        (0, "major", "D", 2), (1, "minor", "B", 2), (2, "ionian", "D", 2), (3, "dorian", "E", 2),
        (4, "phrygian", "F#", 2), (5, "lydian", "G", 2), (6, "mixolydian", "A", 2), (7, "aeolian", "B", 2),
        (8, "locrian", "C#", 2),
    ]
    assert [lyric.lyric for lyric in music.tracks[0].lyrics][:2] == ["major", "minor"]


def test_21_chords(suite):
    assert sorted(notes(suite("21a-Chord-Basic.xml"))) == [(0, 65, 1), (0, 69, 1)]
    music = suite("21c-Chords-ThreeNotesDuration.xml")
    chords = {}
    for t, p, d in notes(music):
        chords.setdefault((t, d), []).append(p)
    assert chords == {
        (0, F(3, 2)): [65, 69, 72],
        (F(3, 2), F(1, 2)): [69, 79],
        (2, 1): [65, 69, 72],
        (3, 1): [65, 69, 72],
        (4, 1): [65, 69, 76],
        (5, 1): [65, 69, 77],
        (6, 2): [65, 69, 74],
    }


def test_21e_pickup_measure(suite):
    music = suite("21e-Chords-PickupMeasures.xml")
    assert sorted(notes(music)) == [(0, 72, 1), (1, 65, 1), (1, 69, 1), (1, 72, 1), (2, 69, 1), (2, 72, 1)]
    assert [quarters(music, b.time) for b in music.barlines] == [0, 1]


def test_23a_tuplets(suite):
    music = suite("23a-Tuplets.xml")
    durations = [d for _, _, d in notes(music)]
    # 3:2 (x3), 3:2, 3:2 on quarters, 4:2 and 4:1 on eighths/16ths, 7:3, 6:2 -- lengths from the ratios.
    assert durations == [F(2, 3)] * 9 + [F(1, 2)] * 4 + [F(1, 4)] * 4 + [F(3, 7)] * 7 + [F(1, 3)] * 6
    assert sum(durations) == 14  # one 14/4 measure
    assert [p for _, p, _ in notes(music)][:9] == [60, 62, 64, 65, 67, 69, 71, 72, 74]


def test_24a_grace_notes_can_be_dropped(testdata_dir):
    music = read_musicxml(testdata_dir / "musicxml-lilypond" / "24a-GraceNotes.xml", grace_notes="drop")
    assert 74 not in [p for _, p, _ in notes(music)] and 76 not in [p for _, p, _ in notes(music)]
    assert notes(music) == [
        (0, 72, 1), (1, 72, 1), (2, 72, 1), (3, 72, 1),
        (4, 72, 1), (5, 72, 2), (7, 72, F(1, 2)), (F(15, 2), 72, F(1, 2)),
        (8, 65, 1), (8, 72, 1), (9, 72, 1), (10, 72, 1), (11, 72, 1),
    ]


def test_31a_dynamics_to_velocity(suite):
    music = suite("31a-Directions.xml")
    velocity = music.tracks[0].notes.velocity.tolist()
    assert velocity[:8] == [64] * 8  # before any dynamics
    # p, pp, ppp, pppp, ppppp, pppppp, f, ff, fff, ffff, fffff, ffffff, mp, mf
    assert velocity[8:22] == [49, 33, 16, 10, 5, 1, 96, 112, 126, 127, 127, 127, 64, 80]
    assert velocity[31] == velocity[30]  # an unknown <other-dynamics> leaves the velocity unchanged
    assert len(music.tempos) == 1  # the metronome mark of measure 12


def test_31c_metronome_marks(suite):
    music = suite("31c-MetronomeMarks.xml")
    # dotted quarter = 100; long = 100; three note=note marks (no tempo); dotted quarter = 77
    assert [(quarters(music, t.time), t.qpm) for t in music.tempos] == [(0, 150.0), (2, 1600.0), (10, 115.5)]


def test_33_ties(suite):
    assert notes(suite("33b-Spanners-Tie.xml")) == [(0, 65, 8)]
    # 33i, read by hand: five whole-note C5s, ties: 1 start; 2 none; 3 stop+start; 4 start; 5 stop.
    # By default the unanswered start of note 1 joins note 2 (same pitch and voice, starting where 1
    # ends); the stop of 3 then meets no open tie, 3 starts a tie that 4 continues (4 has no stop, but the
    # same pitch follows at once) and 4's own start is answered by 5 -- MuseScore's own reading of the file.
    music = suite("33i-Ties-NotEnded.xml")
    assert notes(music) == [(0, 72, 8), (8, 72, 12)]
    # As written: a tie is joined only where a stop answers it.
    as_written = suite("33i-Ties-NotEnded.xml", open_ties="keep")
    assert notes(as_written) == [(0, 72, 4), (4, 72, 4), (8, 72, 4), (12, 72, 8)]
    # Every lyric of this file is marked <syllabic>end</syllabic> (ending a word): a leading hyphen.
    assert [(quarters(music, x.time), x.lyric) for x in music.tracks[0].lyrics] == [
        (0, "- A"), (4, "- B"), (8, "- C"), (12, "- D"), (16, "- E")
    ]


def test_41_parts(suite):
    music = suite("41a-MultiParts-Partorder.xml")
    assert [t.name for t in music.tracks] == ["Part 1", "Part 2", "Part 3", "Part 4"]
    assert [notes(music, i) for i in range(4)] == [[(0, 60, 1)], [(0, 64, 1)], [(0, 67, 1)], [(0, 71, 1)]]
    assert suite("41g-PartNoId.xml").tracks[0].name == "MusicXML Part"
    assert len(suite("41h-TooManyParts.xml").tracks) == 3  # parts not in the part list are still read
    assert suite("41e-StaffGroups-InstrumentNames-Linebroken.xml").tracks[0].name.split() == ["Long", "Staff", "Name"]


def test_42a_two_voices_with_lyrics(suite):
    music = suite("42a-MultiVoice-TwoVoicesOnStaff-Lyrics.xml")
    assert sorted(notes(music)) == sorted([
        (0, 76, 2), (2, 74, 1), (3, 71, 1), (0, 72, 2), (2, 71, 1), (3, 67, 1),
        (5, 74, 1), (6, 59, F(3, 2)), (F(15, 2), 72, F(1, 2)),
        (5, 71, 1), (6, 55, F(3, 2)), (F(15, 2), 69, F(1, 2)),
    ])
    texts = [(quarters(music, x.time), x.lyric) for x in music.tracks[0].lyrics]
    assert texts == [(t, w) for t, w in [(0, "This"), (2, "is"), (3, "the"), (5, "lyrics"), (6, "of"),
                                          (F(15, 2), "Voice1")] for _ in range(2)]


def test_43_piano_staves_make_one_track(suite):
    for name in ("43a-PianoStaff.xml", "43b-MultiStaff-DifferentKeys.xml"):
        music = suite(name)
        assert len(music.tracks) == 1
        assert sorted(notes(music)) == [(0, 47, 4), (0, 65, 4)]
    # Different keys on the two staves: the first staff's (C major) is the piece's key.
    assert [k.fifths for k in suite("43b-MultiStaff-DifferentKeys.xml").key_signatures] == [0]


def test_45_repeats(suite):
    music = suite("45a-SimpleRepeat.xml")
    assert [t for t, _, _ in notes(music)] == [0, 4]
    music = suite("45a-SimpleRepeat.xml", expand_repeats=True)
    assert [t for t, _, _ in notes(music)] == [0, 4, 8, 12, 16, 20]  # measure 1 five times, then measure 2
    music = suite("45b-RepeatWithAlternatives.xml", expand_repeats=True)
    assert [t for t, _, _ in notes(music)] == [0, 4, 8, 12, 16]  # 1, 2 (ending 1), 1, 3 (ending 2), 4
    assert [quarters(music, b.time) for b in music.barlines] == [0, 4, 8, 12, 16]


def test_51_header(suite):
    music = suite("51b-Header-Quotes.xml")
    assert music.metadata.title == '"Quotes" in header fields'
    assert music.metadata.creators == ['Some "Tester" Name']
    assert music.metadata.copyright == 'Free for anyone ("Public Domain")'
    assert music.tracks[0].name == 'Staff "Test"'
    assert suite("51c-MultipleRights.xml").metadata.copyright == (
        "Copyright © XXXX by Y. ZZZZ.\nReleased To The Public Domain."
    )
    assert suite("51d-EmptyTitle.xml").metadata.title == "Empty work-title, non-empty movement-title"


def test_61_lyrics(suite):
    music = suite("61a-Lyrics.xml")
    assert [(quarters(music, x.time), x.lyric) for x in music.tracks[0].lyrics] == [
        (0, "Tra -"), (1, "- la -"), (2, "- li"), (3, "Ja!"), (5, "Tra -"), (7, "- ra!"), (9, "Bah!")
    ]
    music = suite("61e-Lyrics-Chords.xml")
    assert [(quarters(music, x.time), x.lyric) for x in music.tracks[0].lyrics] == [
        (0, "Ly -"), (1, "- rics"), (2, "on"), (3, "chords")
    ]
    assert sorted(notes(music)) == [(0, 64, 1), (0, 72, 1), (1, 69, 1), (1, 72, 1), (2, 64, 1), (2, 72, 1),
                                    (3, 69, 1), (3, 72, 1)]


def test_syllabic_of_an_elision_takes_its_first_and_last_syllables(tmp_path):
    """A lyric that joins the end of one word and the start of the next on one note (``<elision>``)
    continues a word and goes on to the next syllable: hyphens on both sides."""
    score = (
        '<score-partwise version="4.0"><part-list><score-part id="P1"><part-name/></score-part></part-list>'
        '<part id="P1"><measure number="1"><attributes><divisions>1</divisions></attributes>'
        '<note><pitch><step>C</step><octave>4</octave></pitch><duration>1</duration><lyric number="1">'
        '<syllabic>end</syllabic><text>a</text><elision/><syllabic>begin</syllabic><text>b</text></lyric></note>'
        '<note><pitch><step>D</step><octave>4</octave></pitch><duration>1</duration><lyric number="1">'
        '<syllabic>single</syllabic><text>word</text></lyric></note>'
        '<note><pitch><step>E</step><octave>4</octave></pitch><duration>1</duration><lyric number="1">'
        '<syllabic>begin</syllabic><text></text></lyric></note>'
        '</measure></part></score-partwise>'
    )
    path = tmp_path / "elision.musicxml"
    path.write_text(score)
    assert [x.lyric for x in read_musicxml(path).tracks[0].lyrics] == ["- a b -", "word"]


def test_72a_transposing_instruments_sound_in_c(suite):
    music = suite("72a-TransposingInstruments.xml")
    assert [t.name for t in music.tracks] == ["Trumpet in Bb", "Horn in Eb", "Piano"]
    for index in range(3):
        assert [p for _, p, _ in notes(music, index)] == C_MAJOR_SCALE
    assert [k.fifths for k in music.key_signatures] == [0]  # written D major in B flat = concert C major


def test_73a_percussion(suite):
    music = suite("73a-Percussion.xml")
    assert [t.is_drum for t in music.tracks] == [False, True, True]
    assert notes(music, 0) == [(0, 52, 6), (6, 45, 2)]  # timpani: E3 tied over the barline, A2
    assert notes(music, 1) == [(0, 76, 3), (3, 72, 1), (4, 74, 4)]  # unpitched: display positions
    assert notes(music, 2) == [(0, 65, 3), (3, 65, 1), (4, 64, 4)]


def test_90a_compressed(suite):
    music = suite("90a-Compressed-MusicXML.mxl")
    assert notes(music) == [(0, 61, 1), (1, 61, 1), (2, 61, 1), (3, 61, 1)]
    assert music.metadata.title == "Compressed MusicXML file"
    assert (music.key_signatures[0].fifths, music.key_signatures[0].root_str) == (3, "A")


def test_every_suite_file_reads_to_valid_music(testdata_dir):
    files = sorted((testdata_dir / "musicxml-lilypond").iterdir())
    files = [f for f in files if f.suffix in (".xml", ".mxl")]
    assert len(files) == 34
    for path in files:
        for expand in (False, True):
            music = read_musicxml(path, expand_repeats=expand)
            music.validate()
            assert music.metadata.source_format == "musicxml"


# -- real pieces ---------------------------------------------------------------------------------------
def test_fur_elise_xml_and_mxl_are_the_same(testdata_dir):
    plain = read_musicxml(testdata_dir / "musicxml" / "fur-elise.xml")
    compressed = read_musicxml(testdata_dir / "musicxml" / "fur-elise.mxl")
    plain.metadata.source_filename = compressed.metadata.source_filename
    assert plain == compressed
    assert plain.tracks[0].notes.pitch[:3].tolist() == [76, 75, 76]  # E5 D#5 E5
    assert plain.time_signatures[0].numerator == 3 and plain.time_signatures[0].denominator == 8


@pytest.mark.parametrize(
    "name, order",
    [
        # measures 1-4 with "Fine" after 2 and "D.C. al Fine" at 4: 1 2 3 4 1 2
        ("dcalfine.xml", [1, 2, 3, 4, 1, 2]),
        # segno at 2, "Fine" after 3, "D.S. al Fine" at 4: 1 2 3 4 2 3
        ("dsalfine.xml", [1, 2, 3, 4, 2, 3]),
        # segno at 2, "To Coda" at 2, "D.S. al Coda" at 3, coda at 4: 1 2 3 2 4
        ("dsalcoda.xml", [1, 2, 3, 2, 4]),
    ],
)
def test_jumps_are_expanded(testdata_dir, name, order):
    written = read_musicxml(testdata_dir / "musicxml" / name)
    played = read_musicxml(testdata_dir / "musicxml" / name, expand_repeats=True)
    per_measure = {}
    for t, p, d in notes(written):
        per_measure.setdefault(int(t // 4) + 1, []).append(p)
    expected = [p for m in order for p in per_measure[m]]
    assert [p for _, p, _ in notes(played)] == expected
    assert [t for t, _, _ in notes(played)] == [F(4 * i) for i in range(len(order))]


def test_resolution_option_rounds_onsets_and_offsets(testdata_dir):
    music = read_musicxml(testdata_dir / "musicxml-lilypond" / "23a-Tuplets.xml", resolution=12)
    assert music.resolution == 12
    # 2/3 quarter = 8 ticks exactly; 3/7 quarter = 36/7 ticks: onsets and offsets rounded separately.
    assert music.tracks[0].notes.duration[:9].tolist() == [8] * 9
    ends = music.tracks[0].notes.end[17:24]
    assert ends.tolist() == [int(np.floor(12 * (9 + F(3, 7) * k) + F(1, 2))) for k in range(1, 8)]


# -- safety and errors ---------------------------------------------------------------------------------
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<score-partwise><work><work-title>&lol4;</work-title></work><part-list/></score-partwise>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE score-partwise [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<score-partwise><work><work-title>&xxe;</work-title></work><part-list/></score-partwise>
"""


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, XXE, XXE.decode().encode("utf-16")])
def test_entity_attacks_are_refused(tmp_path, payload):
    path = tmp_path / "attack.xml"
    path.write_bytes(payload)
    with pytest.raises(MusicXMLError, match="attack.xml.*entities"):
        read_musicxml(path)


def test_corrupt_files_name_file_part_and_measure(tmp_path, testdata_dir):
    broken = tmp_path / "truncated.xml"
    broken.write_bytes((testdata_dir / "musicxml-lilypond" / "01a-Pitches-Pitches.xml").read_bytes()[:3000])
    with pytest.raises(MusicXMLError, match="truncated.xml: not well-formed"):
        read_musicxml(broken)
    bad_note = tmp_path / "bad.xml"
    bad_note.write_text(
        '<score-partwise><part-list><score-part id="P1"><part-name>x</part-name></score-part></part-list>'
        '<part id="P1"><measure number="1"><note><pitch><step>H</step><octave>4</octave></pitch>'
        "<duration>1</duration></note></measure><measure number='7a'><note><rest/></note></measure></part>"
        "</score-partwise>"
    )
    with pytest.raises(MusicXMLError, match=r"bad.xml: part 'P1', measure 1: <step> 'H' is not a note letter A-G"):
        read_musicxml(bad_note)
    not_zip = tmp_path / "fake.mxl"
    not_zip.write_bytes(b"not a zip")
    with pytest.raises(MusicXMLError, match="fake.mxl"):
        read_musicxml(not_zip)
    with pytest.raises(MusicXMLError, match="missing.xml"):
        read_musicxml(tmp_path / "missing.xml")
    wrong_root = tmp_path / "wrong.xml"
    wrong_root.write_text("<html/>")
    with pytest.raises(MusicXMLError, match="<html>"):
        read_musicxml(wrong_root)


def test_timewise_equals_partwise(tmp_path, testdata_dir):
    """A timewise file (built by swapping the nesting of part and measure) reads like its partwise source."""
    from lxml import etree

    source = testdata_dir / "musicxml-lilypond" / "41a-MultiParts-Partorder.xml"
    partwise = etree.parse(str(source)).getroot()
    timewise = etree.Element("score-timewise")
    timewise.append(partwise.find("part-list"))
    parts = partwise.findall("part")
    for index, first_part_measure in enumerate(parts[0].findall("measure")):
        measure = etree.SubElement(timewise, "measure", number=first_part_measure.get("number"))
        for part in parts:
            element = etree.SubElement(measure, "part", id=part.get("id"))
            element.extend(list(part.findall("measure")[index]))
    path = tmp_path / "timewise.xml"
    path.write_bytes(etree.tostring(timewise))
    a, b = read_musicxml(source), read_musicxml(path)
    assert [t.notes for t in a.tracks] == [t.notes for t in b.tracks]
    assert [t.name for t in b.tracks] == ["Part 1", "Part 2", "Part 3", "Part 4"]


def test_cue_notes_take_time_but_are_silent(tmp_path):
    path = tmp_path / "cue.xml"
    path.write_text(
        '<score-partwise><part-list><score-part id="P1"><part-name>x</part-name></score-part></part-list>'
        '<part id="P1"><measure number="1"><attributes><divisions>2</divisions></attributes>'
        "<note><cue/><pitch><step>E</step><octave>4</octave></pitch><duration>2</duration></note>"
        "<note><grace/><pitch><step>D</step><octave>4</octave></pitch></note>"
        "<note><pitch><step>C</step><octave>4</octave></pitch><duration>2</duration></note>"
        "</measure></part></score-partwise>"
    )
    assert notes(read_musicxml(path, grace_notes="drop")) == [(1, 60, 1)]
    # The grace note (no <type>: an eighth) is kept where it is written, before the C4; it takes no time.
    assert notes(read_musicxml(path)) == [(1, 60, 1), (1, 62, F(1, 2))]


def tie_file(tmp_path, measures: list[str]) -> object:
    """A one-part score (divisions 1, 4/4) of the given measures."""
    body = "".join(f'<measure number="{i + 1}">'
                   + ("<attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time>"
                      "</attributes>" if i == 0 else "") + m + "</measure>" for i, m in enumerate(measures))
    path = tmp_path / "ties.xml"
    path.write_text('<score-partwise><part-list><score-part id="P1"><part-name>x</part-name></score-part></part-list>'
                    f'<part id="P1">{body}</part></score-partwise>')
    return path


def n(step, duration, voice="1", ties=(), chord=False, rest=False):
    pitch = "<rest/>" if rest else f"<pitch><step>{step}</step><octave>4</octave></pitch>"
    tie = "".join(f'<tie type="{t}"/>' for t in ties)
    return f'<note>{"<chord/>" if chord else ""}{pitch}<duration>{duration}</duration>{tie}<voice>{voice}</voice></note>'


def test_unanswered_tie_start_joins_the_next_note_of_its_pitch_and_voice(tmp_path):
    # Measure 1: C4 whole, tie start, no stop anywhere. Measure 2, voice 1: C4 half then D4; voice 2: C4 whole.
    path = tie_file(tmp_path, [n("C", 4, ties=["start"]),
                               n("C", 2) + n("D", 2) + "<backup><duration>4</duration></backup>" + n("C", 4, voice="2")])
    joined = notes(read_musicxml(path))
    assert sorted(joined) == [(0, 60, 6), (4, 60, 4), (6, 62, 2)]  # voice 1's C4 continues it, not voice 2's
    assert sorted(notes(read_musicxml(path, open_ties="keep"))) == [(0, 60, 4), (4, 60, 2), (4, 60, 4), (6, 62, 2)]
    with pytest.raises(ValueError, match="open_ties='never'"):
        read_musicxml(path, open_ties="never")


def test_unanswered_tie_start_does_not_jump_over_a_rest_or_another_pitch(tmp_path):
    path = tie_file(tmp_path, [n("C", 1, ties=["start"]) + n("", 1, rest=True) + n("C", 1, ties=["start"]) + n("D", 1)
                               + "<forward><duration>0</duration></forward>",
                               n("C", 4)])
    assert sorted(notes(read_musicxml(path))) == [(0, 60, 1), (2, 60, 1), (3, 62, 1), (4, 60, 4)]


def test_ties_inside_chords_are_per_note(tmp_path):
    # A C4-E4 chord where only C4 is tied, into a C4-E4 chord: C4 lasts 2 bars, E4 is struck twice
    # (music21 ties whole chords and would lengthen E4 too).
    path = tie_file(tmp_path, [n("C", 4, ties=["start"]) + n("E", 4, chord=True),
                               n("C", 4, ties=["stop"]) + n("E", 4, chord=True)])
    assert sorted(notes(read_musicxml(path))) == [(0, 60, 8), (0, 64, 4), (4, 64, 4)]


def test_chord_member_with_its_own_duration_sounds_as_long_as_the_chord(tmp_path):
    """The documented rule for an ambiguous file: a <chord/> note whose <duration> differs from the first
    note's takes the first note's (the chord is one rhythmic value); the position moves by the first note."""
    path = tie_file(tmp_path, [n("C", 2) + n("E", 4, chord=True) + n("D", 2)])
    assert sorted(notes(read_musicxml(path))) == [(0, 60, 2), (0, 64, 2), (2, 62, 2)]


def test_overlapping_unisons_in_two_voices_keep_their_own_ties(tmp_path):
    """Two C4s tied over the barline in voices 1 and 2, ending at different times: each stop continues the
    tie of its own voice (the stops come in the other order in the file)."""
    measure1 = n("C", 4, ties=["start"]) + "<backup><duration>2</duration></backup>" + n("C", 2, "2", ties=["start"])
    measure2 = n("C", 3, "2", ties=["stop"]) + "<backup><duration>3</duration></backup>" + n("C", 1, ties=["stop"])
    assert sorted(notes(read_musicxml(tie_file(tmp_path, [measure1, measure2])))) == [(0, 60, 5), (2, 60, 5)]
