"""MusicXML writer: schema validity (official MusicXML 4.0 XSD), exact round trips, true positions."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from muspy_like import KeySignature, Lyric, Music, Note, Tempo, TimeSignature, Track
from muspy_like.errors import MusicXMLError
from muspy_like.io.musicxml import read_musicxml, write_musicxml
from muspy_like.io.musicxml.schema import validate_musicxml


def note_rows(music):
    return [sorted(zip(t.notes.time.tolist(), t.notes.pitch.tolist(), t.notes.duration.tolist(),
                       t.notes.velocity.tolist())) for t in music.tracks]


def round_trip(music, tmp_path, name="out.musicxml"):
    path = tmp_path / name
    write_musicxml(path, music)
    validate_musicxml(path)
    back = read_musicxml(path)
    if back.resolution != music.resolution:
        back.adjust_resolution(music.resolution)
    return back, path


def parse(path):
    return etree.parse(str(path)).getroot()


def test_lilypond_suite_round_trips_exactly(testdata_dir, tmp_path):
    files = [f for f in sorted((testdata_dir / "musicxml-lilypond").iterdir()) if f.suffix in (".xml", ".mxl")]
    for path in files:
        music = read_musicxml(path)
        back, _ = round_trip(music, tmp_path)
        assert note_rows(back) == note_rows(music), path.name
        assert [(t.time, t.qpm) for t in back.tempos] == [(t.time, t.qpm) for t in music.tempos], path.name
        assert [(k.time, k.fifths, k.mode) for k in back.key_signatures] == [
            (k.time, k.fifths, k.mode) for k in music.key_signatures], path.name
        assert [(t.time, t.numerator, t.denominator) for t in back.time_signatures] == [
            (t.time, t.numerator, t.denominator) for t in music.time_signatures], path.name
        assert [[(x.time, x.lyric) for x in t.lyrics] for t in back.tracks] == [
            [(x.time, x.lyric) for x in t.lyrics] for t in music.tracks], path.name
        assert [(t.name, t.program, t.is_drum) for t in back.tracks] == [
            (t.name, t.program, t.is_drum) for t in music.tracks], path.name


def test_real_pieces_round_trip_compressed(testdata_dir, tmp_path):
    for name in ("fur-elise.mxl", "dsalcoda.xml"):
        music = read_musicxml(testdata_dir / "musicxml" / name, expand_repeats=True)
        back, path = round_trip(music, tmp_path, "piece.mxl")
        assert zipfile.ZipFile(path).namelist()[0] == "mimetype"
        assert note_rows(back) == note_rows(music)
        assert back.metadata.title == music.metadata.title


def test_bach_round_trip_and_music21_reads_our_files(tmp_path):
    """Our files, read back by us and by music21, give the notes we wrote (8 Bach chorales)."""
    from fractions import Fraction

    from music21 import converter, corpus

    paths = sorted(p for p in corpus.getComposer("bach") if p.suffix == ".mxl")[::50]
    for source in paths:
        music = read_musicxml(source)
        back, path = round_trip(music, tmp_path)
        assert note_rows(back) == note_rows(music), source.name
        score = converter.parse(str(path), forceSource=True)
        for part, track in zip(score.parts, music.tracks):
            flat = part.stripTies().flatten()
            theirs = sorted((Fraction(n.getOffsetBySite(flat)), p.midi, Fraction(n.duration.quarterLength))
                            for n in flat.notes for p in n.pitches)
            r = music.resolution
            ours = sorted((Fraction(int(t), r), int(p), Fraction(int(d), r))
                          for t, p, d in zip(track.notes.time, track.notes.pitch, track.notes.duration))
            assert theirs == ours, source.name


def test_changes_are_written_at_their_true_positions(tmp_path):
    music = Music(resolution=4)
    music.tempos = [Tempo(0, 100.0), Tempo(6, 72.5), Tempo(32, 140.0)]
    music.key_signatures = [KeySignature(0, fifths=0, mode="major"), KeySignature(16, fifths=-3, mode="minor")]
    music.time_signatures = [TimeSignature(0, 4, 4), TimeSignature(16, 3, 4), TimeSignature(28, 6, 8)]
    music.tracks = [Track(notes=[Note(4 * i, 60 + i, 4) for i in range(12)])]
    back, path = round_trip(music, tmp_path)
    assert [(t.time, t.qpm) for t in back.tempos] == [(0, 100.0), (6, 72.5), (32, 140.0)]
    assert [(k.time, k.fifths, k.mode, k.root_str) for k in back.key_signatures] == [
        (0, 0, "major", "C"), (16, -3, "minor", "C")]
    assert [(t.time, t.numerator, t.denominator) for t in back.time_signatures] == [(0, 4, 4), (16, 3, 4), (28, 6, 8)]
    measures = parse(path).find("part").findall("measure")
    # 4/4 (16 ticks), 3/4 (12 ticks), then 6/8 (12 ticks) bars
    assert [m.find("attributes/time/beats").text for m in measures if m.find("attributes/time") is not None] == [
        "4", "3", "6"]
    assert measures[0].findall(".//sound")[1].get("tempo") == "72.5"  # mid-measure, not at offset 0
    assert measures[0].find("backup/duration").text == "10"  # from the bar end back to tick 6
    assert measures[1].find("attributes/key/fifths").text == "-3"
    assert note_rows(back) == note_rows(music)


def test_programs_channels_and_velocities(tmp_path):
    music = Music(resolution=12)
    music.tracks = [
        Track(program=40, name="Violin", notes=[Note(0, 76, 12, 100), Note(12, 74, 12, 30), Note(12, 79, 12, 90)]),
        Track(program=0, name="Piano", channel=3, notes=[Note(0, 48, 24, 64), Note(24, 50, 6, 127), Note(30, 52, 6, 1)]),
    ]
    back, path = round_trip(music, tmp_path)
    assert note_rows(back) == note_rows(music)
    assert [(t.program, t.name, t.channel) for t in back.tracks] == [(40, "Violin", 0), (0, "Piano", 3)]
    root = parse(path)
    assert [e.text for e in root.iter("midi-program")] == ["41", "1"]
    assert [e.get("dynamics") for e in root.iter("sound") if e.get("dynamics")][0] == "111.1111"


def test_spelling_follows_the_key(tmp_path):
    music = Music(resolution=1, key_signatures=[KeySignature(0, fifths=-1, mode="major"),
                                               KeySignature(4, fifths=2, mode="major")])
    music.tracks = [Track(notes=[Note(0, 70, 1), Note(1, 61, 1), Note(4, 66, 1), Note(5, 70, 1)])]
    _, path = round_trip(music, tmp_path)
    spelled = [(n.findtext("pitch/step"), n.findtext("pitch/alter")) for n in parse(path).iter("note")
               if n.find("pitch") is not None]
    # F major: B flat, D flat (flat side for a chromatic note); D major: F sharp, A sharp
    assert spelled == [("B", "-1"), ("D", "-1"), ("F", "1"), ("A", "1")]


def test_notes_across_barlines_are_split_and_tied(tmp_path):
    music = Music(resolution=24, time_signatures=[TimeSignature(0, 4, 4)])
    music.tracks = [Track(notes=[Note(72, 60, 24 * 6), Note(80, 64, 8)])]  # 3 bars: 1 beat + 4 + 1
    back, path = round_trip(music, tmp_path)
    assert note_rows(back) == note_rows(music)
    pieces = [n for n in parse(path).iter("note") if n.findtext("pitch/step") == "C"]
    assert [int(n.findtext("duration")) for n in pieces] == [24, 96, 24]
    assert [[t.get("type") for t in n.iter("tie")] for n in pieces] == [["start"], ["stop", "start"], ["stop"]]
    assert [n.findtext("voice") for n in pieces] == ["1", "1", "1"]


def test_drums_become_percussion(tmp_path):
    music = Music(resolution=2)
    music.tracks = [Track(is_drum=True, program=0, name="Kit",
                          notes=[Note(0, 36, 1), Note(0, 42, 1), Note(1, 38, 1), Note(1, 42, 1)])]
    back, path = round_trip(music, tmp_path)
    assert back.tracks[0].is_drum and note_rows(back) == note_rows(music)
    root = parse(path)
    assert sorted(int(e.text) for e in root.iter("midi-unpitched")) == [37, 39, 43]
    assert {e.text for e in root.iter("midi-channel")} == {"10"}
    assert root.find(".//clef/sign").text == "percussion"


def test_lyrics_inside_notes_and_on_rests(tmp_path):
    music = Music(resolution=4)
    track = Track(notes=[Note(0, 60, 8), Note(12, 62, 4)])
    track.lyrics = [Lyric(0, "long"), Lyric(4, "held"), Lyric(8, "rest"), Lyric(12, "end")]
    music.tracks = [track]
    back, _ = round_trip(music, tmp_path)
    assert note_rows(back) == note_rows(music)
    assert [(x.time, x.lyric) for x in back.tracks[0].lyrics] == [(0, "long"), (4, "held"), (8, "rest"), (12, "end")]


def test_hyphenated_lyrics_are_written_as_syllabic(tmp_path):
    """A hyphen kept in a lyric's text ("Tra -") is written as ``<syllabic>`` (music21 reads the syllables
    back), and our reader gives the same texts again; a lone hyphen stays a syllable of its own."""
    from music21 import converter

    music = Music(resolution=4)
    texts = ["Tra -", "- la -", "- li", "Ja!", "-", "- -"]
    music.tracks = [Track(notes=[Note(4 * i, 60, 4) for i in range(len(texts))],
                          lyrics=[Lyric(4 * i, text) for i, text in enumerate(texts)])]
    back, path = round_trip(music, tmp_path)
    assert [x.lyric for x in back.tracks[0].lyrics] == texts
    notes = converter.parse(str(path), forceSource=True).flatten().notes
    assert [(n.lyrics[0].text, n.lyrics[0].syllabic) for n in notes] == [
        ("Tra", "begin"), ("la", "middle"), ("li", "end"), ("Ja!", None), ("-", None), ("-", "end")]


def test_zero_length_notes_become_grace_notes(tmp_path):
    music = Music(resolution=4, tracks=[Track(notes=[Note(0, 62, 0), Note(0, 60, 4)])])
    _, path = round_trip(music, tmp_path)
    graces = [n for n in parse(path).iter("note") if n.find("grace") is not None]
    assert [(g.findtext("pitch/step"), g.find("duration")) for g in graces] == [("D", None)]


notes_strategy = st.lists(
    st.tuples(st.integers(0, 500), st.integers(21, 108), st.integers(1, 200), st.integers(1, 127)),
    min_size=1, max_size=25,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=notes_strategy, resolution=st.sampled_from([1, 5, 7, 24, 96, 480]),
       meter=st.sampled_from([(4, 4), (3, 4), (7, 8), (5, 16)]))
def test_arbitrary_durations_write_valid_musicxml_exactly(tmp_path, rows, resolution, meter):
    """MIDI-like notes (any onset and length in ticks, overlaps included) survive exactly."""
    music = Music(resolution=resolution, time_signatures=[TimeSignature(0, *meter)])
    music.tracks = [Track(notes=[Note(*row) for row in rows])]
    back, _ = round_trip(music, tmp_path)
    assert note_rows(back) == note_rows(music)


overlapping_strategy = st.lists(
    st.tuples(st.integers(0, 60), st.sampled_from([60, 61]), st.integers(1, 40), st.just(64)), min_size=2, max_size=30,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=overlapping_strategy, lyric_times=st.lists(st.integers(0, 80), max_size=6),
       meter=st.sampled_from([(2, 4), (3, 8), (1, 16)]))
def test_overlapping_notes_of_one_pitch_keep_their_durations(tmp_path, rows, lyric_times, meter):
    """Dense unisons and overlaps of two pitches, split at short barlines and at lyrics (the case of MIDI
    files such as music21's export of Beethoven op. 59 no. 2): every note keeps its onset and length."""
    music = Music(resolution=4, time_signatures=[TimeSignature(0, *meter)])
    music.tracks = [Track(notes=[Note(*row) for row in rows],
                          lyrics=[Lyric(t, f"w{t}") for t in sorted(set(lyric_times))])]
    back, _ = round_trip(music, tmp_path)
    assert note_rows(back) == note_rows(music)


def test_failed_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "keep.xml"
    path.write_text("old")
    with pytest.raises(MusicXMLError):
        write_musicxml(path, Music(resolution=0))
    assert path.read_text() == "old"
    assert list(tmp_path.iterdir()) == [path]


def test_empty_music_is_still_valid(tmp_path):
    back, _ = round_trip(Music(), tmp_path)
    assert len(back.tracks) == 1 and len(back.tracks[0].notes) == 0


def test_schema_check_rejects_invalid_files(tmp_path, testdata_dir):
    bad = tmp_path / "bad.xml"
    bad.write_text('<score-partwise version="4.0"><part-list/></score-partwise>')
    with pytest.raises(MusicXMLError, match="bad.xml: not valid MusicXML 4.0"):
        validate_musicxml(bad)


def test_velocity_array_round_trip_with_chord_of_mixed_velocities(tmp_path):
    velocities = np.array([10, 20, 30, 40])
    music = Music(resolution=2, tracks=[Track(notes=[Note(0, 60 + 4 * i, 2, int(v)) for i, v in enumerate(velocities)])])
    back, _ = round_trip(music, tmp_path)
    assert back.tracks[0].notes.velocity.tolist() == velocities.tolist()


def test_overlapping_same_pitch_notes_across_a_barline(tmp_path):
    """Two tied notes of one pitch end at the same barline (common in MIDI): each keeps its own length."""
    music = Music(resolution=4, time_signatures=[TimeSignature(0, 4, 4)])
    music.tracks = [Track(notes=[Note(0, 60, 20), Note(4, 60, 16), Note(8, 60, 8)])]
    back, _ = round_trip(music, tmp_path)
    assert note_rows(back) == note_rows(music)
