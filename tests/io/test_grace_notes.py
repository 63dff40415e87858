"""Grace notes in the MusicXML and MuseScore readers (``grace_notes="keep" | "zero" | "drop"``).

Counts, pitches, onsets and lengths are checked against the raw files: the LilyPond suite's
``24a-GraceNotes`` in both formats, Für Elise (MusicXML and MuseScore) and Clair de lune (MuseScore).
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest
from lxml import etree

from muspy_like.io.musescore import read_musescore
from muspy_like.io.musicxml import read_musicxml, write_musicxml
from muspy_like.io.musicxml.safe_xml import read_score_bytes

MUSESCORE_GRACE_TAGS = ("acciaccatura", "appoggiatura", "grace4", "grace8", "grace16", "grace32", "grace8after",
                        "grace16after", "grace32after")
TYPE_QUARTERS = {"eighth": Fraction(1, 2), "16th": Fraction(1, 4), "32nd": Fraction(1, 8), "quarter": Fraction(1)}
STEPS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def notes(music):
    """(onset, key, length) of every note, in quarters, as a Counter."""
    r = music.resolution
    return Counter((Fraction(t, r), p, Fraction(d, r)) for track in music.tracks
                   for t, p, d in zip(track.notes.time.tolist(), track.notes.pitch.tolist(),
                                      track.notes.duration.tolist()))


def raw_musicxml_graces(path):
    """(key, notated length) of every sounding grace note of a MusicXML file, read straight from the XML."""
    root = etree.fromstring(read_score_bytes(path, (".mxl",), (".xml", ".musicxml"), ValueError))
    found = []
    for note in root.iter("note"):
        if note.find("grace") is None or note.find("rest") is not None or note.find("cue") is not None:
            continue
        key = (int(note.findtext("pitch/octave")) + 1) * 12 + STEPS[note.findtext("pitch/step")] \
            + int(note.findtext("pitch/alter") or 0)
        dots = len(note.findall("dot"))
        found.append((key, TYPE_QUARTERS[note.findtext("type")] * (2 - Fraction(1, 2**dots))))
    return found


def raw_musescore_graces(path):
    """Keys of every note of a MuseScore file's grace chords."""
    root = etree.fromstring(read_score_bytes(path, (".mscz",), (".mscx",), ValueError))
    return [int(note.findtext("pitch")) for chord in root.iter("Chord")
            if any(chord.find(tag) is not None for tag in MUSESCORE_GRACE_TAGS) for note in chord.iter("Note")]


@pytest.mark.parametrize("name", ["musicxml-lilypond/24a-GraceNotes.xml", "musicxml/fur-elise.xml",
                                  "musicxml/fur-elise.mxl"])
def test_musicxml_keeps_every_grace_note_with_its_notated_length(testdata_dir, name):
    path = testdata_dir / name
    kept, dropped, zero = (notes(read_musicxml(path, grace_notes=g)) for g in ("keep", "drop", "zero"))
    graces = raw_musicxml_graces(path)
    assert graces
    extra = kept - dropped
    assert not dropped - kept
    assert Counter((key, length) for _, key, length in extra.elements()) == Counter(graces)
    # "zero": the same grace notes at the same onsets, with no length.
    assert zero - dropped == Counter({(onset, key, Fraction(0)): n for (onset, key, _), n in extra.items()})


def test_musicxml_grace_notes_of_24a_by_hand(testdata_dir):
    music = read_musicxml(testdata_dir / "musicxml-lilypond/24a-GraceNotes.xml")
    found = notes(music)
    assert sum(found.values()) == 28  # 13 notes and 15 grace notes in the file
    # Measure 1: a 16th D5 grace before each C5 quarter; the third is tied to its C5 (the tie is not read).
    assert found[(Fraction(0), 74, Fraction(1, 4))] == 1
    assert found[(Fraction(1), 74, Fraction(1, 4))] == 1 and found[(Fraction(1), 76, Fraction(1, 4))] == 1
    assert found[(Fraction(2), 74, Fraction(1, 4))] == 1 and found[(Fraction(2), 72, Fraction(1))] == 1
    assert found[(Fraction(3), 74, Fraction(1, 2))] == 1  # an eighth grace note
    # Measure 2 ends with a 16th E5 grace note after the last eighth, written at the measure's end (beat 8),
    # and measure 3 starts with another before its F4-C5 chord.
    assert found[(Fraction(8), 76, Fraction(1, 4))] == 2
    # Measure 3: quarter-note grace notes D#5, then Db5 and Ab4, before their C5.
    assert found[(Fraction(9), 75, Fraction(1))] == 1
    assert found[(Fraction(10), 73, Fraction(1))] == 1 and found[(Fraction(10), 68, Fraction(1))] == 1
    # Grace notes take no time: every principal note is where it is without them.
    assert read_musicxml(testdata_dir / "musicxml-lilypond/24a-GraceNotes.xml", grace_notes="drop").barlines \
        == music.barlines


def test_musicxml_grace_note_lengths_stay_exact(tmp_path):
    """A 32nd grace note in a file of 1 division per quarter: the resolution grows to hold its length."""
    xml = tmp_path / "grace.musicxml"
    xml.write_text(
        '<?xml version="1.0"?><score-partwise version="4.0"><part-list><score-part id="P1"><part-name>x'
        '</part-name></score-part></part-list><part id="P1"><measure number="1"><attributes><divisions>1'
        '</divisions></attributes><note><grace/><pitch><step>D</step><octave>5</octave></pitch><type>32nd</type>'
        '<dot/></note><note><pitch><step>C</step><octave>5</octave></pitch><duration>4</duration><type>whole'
        '</type></note></measure></part></score-partwise>'
    )
    assert read_musicxml(xml, grace_notes="drop").resolution == 1
    music = read_musicxml(xml)
    assert notes(music) == Counter({(Fraction(0), 74, Fraction(3, 16)): 1, (Fraction(0), 72, Fraction(4)): 1})
    bad = tmp_path / "bad.musicxml"
    bad.write_text(xml.read_text().replace("<type>32nd</type>", "<type>tiny</type>"))
    with pytest.raises(Exception, match="bad.musicxml.*measure 1.*grace note <type> 'tiny'"):
        read_musicxml(bad)
    assert sum(notes(read_musicxml(bad, grace_notes="drop")).values()) == 1


@pytest.mark.parametrize("reader, suffix", [(read_musicxml, "xml"), (read_musescore, "mscx")])
def test_grace_notes_keyword_is_checked(testdata_dir, reader, suffix):
    folder = "musicxml-lilypond" if suffix == "xml" else "musescore-lilypond"
    with pytest.raises(ValueError, match="grace_notes='steal'"):
        reader(testdata_dir / folder / f"24a-GraceNotes.{suffix}", grace_notes="steal")


@pytest.mark.parametrize("name", ["musescore-lilypond/24a-GraceNotes.mscx", "musescore/fur-elise.mscx",
                                  "musescore/fur-elise.mscz", "musescore/clair-de-lune.mscx"])
def test_musescore_keeps_every_grace_note(testdata_dir, name):
    path = testdata_dir / name
    kept, dropped, zero = (notes(read_musescore(path, grace_notes=g)) for g in ("keep", "drop", "zero"))
    extra = kept - dropped
    assert not dropped - kept
    assert sorted(key for _, key, _ in extra.elements()) == sorted(raw_musescore_graces(path))
    assert all(length > 0 for _, _, length in extra)
    assert zero - dropped == Counter({(onset, key, Fraction(0)): n for (onset, key, _), n in extra.items()})


def test_musescore_24a_agrees_with_musicxml_24a(testdata_dir):
    """The same piece in both formats gives the same notes, grace notes included; the 16th E5 grace note
    after the eighth C5 of measure 2 (``<grace16after/>``, written before its chord) sounds at the chord's end."""
    from_mscx = notes(read_musescore(testdata_dir / "musescore-lilypond/24a-GraceNotes.mscx"))
    from_xml = notes(read_musicxml(testdata_dir / "musicxml-lilypond/24a-GraceNotes.xml"))
    assert from_mscx[(Fraction(8), 76, Fraction(1, 4))] == 2
    assert from_mscx == from_xml


def test_round_trip_writes_zero_length_grace_notes_as_grace_notes(testdata_dir, tmp_path):
    path = testdata_dir / "musicxml-lilypond/24a-GraceNotes.xml"
    zero = read_musicxml(path, grace_notes="zero")
    write_musicxml(tmp_path / "zero.musicxml", zero)
    assert raw_musicxml_graces(tmp_path / "zero.musicxml")  # written as <grace/>
    assert notes(read_musicxml(tmp_path / "zero.musicxml", grace_notes="zero")) == notes(zero)
    # "keep": grace notes are ordinary short notes in the container, so they come back as ordinary notes.
    kept = read_musicxml(path)
    write_musicxml(tmp_path / "kept.musicxml", kept)
    assert not raw_musicxml_graces(tmp_path / "kept.musicxml")
    assert notes(read_musicxml(tmp_path / "kept.musicxml")) == notes(kept)


def test_top_level_and_compat_readers_keep_grace_notes(testdata_dir):
    import muspy_like

    path = testdata_dir / "musicxml-lilypond/24a-GraceNotes.xml"
    assert sum(notes(muspy_like.read(path)).values()) == 28
    assert sum(notes(muspy_like.read(path, grace_notes="drop")).values()) == 13
    assert sum(notes(muspy_like.read_musicxml(path)).values()) == 28
    assert sum(notes(muspy_like.read_musescore(testdata_dir / "musescore-lilypond/24a-GraceNotes.mscx",
                                               grace_notes="drop")).values()) == 13
