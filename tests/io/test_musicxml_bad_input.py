"""Malformed and hostile score files: every one a MusicXMLError or MuseScoreError saying what and where.

Each case is one regression test of issue 13 (and of the checks of ``score_common.read_int`` and friends,
the one place that validates numbers read from score files): the message names the file, the part (or
staff) and measure, the element and its value.
"""

from __future__ import annotations

import codecs
import zipfile

import pytest

from muspy_like.errors import MuseScoreError, MusicXMLError
from muspy_like.io.musescore import read_musescore
from muspy_like.io.musicxml import read_musicxml
from muspy_like.io.score_common import MAX_QUARTERS, MAX_RESOLUTION


def musicxml(measure: str, attributes: str = "<divisions>1</divisions>") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><score-partwise><part-list><score-part id="P1"><part-name>x'
        f'</part-name></score-part></part-list><part id="P1"><measure number="1"><attributes>{attributes}'
        f"</attributes></measure><measure number=\"2\">{measure}</measure></part></score-partwise>"
    )


def note(duration: str = "4", step: str = "C", octave: str = "4", extra: str = "") -> str:
    return (f"<note><pitch><step>{step}</step>{extra}<octave>{octave}</octave></pitch>"
            f"<duration>{duration}</duration></note>")


@pytest.mark.parametrize(
    "attributes, measure, message",
    [
        ("<divisions>1" + "0" * 400 + "</divisions>", note(), r"measure 1: <divisions> '1000+\.\.\.' \(401 characters\) is above 1073741824"),
        ("<divisions>NaN</divisions>", note(), r"measure 1: <divisions> 'NaN' is not a finite number"),
        ("<divisions>abc</divisions>", note(), r"measure 1: <divisions> 'abc' is not a number"),
        ("<divisions>0</divisions>", note(), r"measure 1: <divisions> '0' is below 1"),
        ("<divisions>1</divisions>", note(duration="1" + "0" * 400), r"measure 2: <note> <duration> '1000+\.\.\.' \(401 characters\) is above"),
        ("<divisions>1</divisions>", note(duration="-4"), r"measure 2: <note> <duration> '-4' is below 0"),
        ("<divisions>1</divisions>", note(duration="four"), r"measure 2: <note> <duration> 'four' is not a number"),
        ("<divisions>1</divisions>", "<note><pitch><step>C</step><octave>4</octave></pitch></note>",
         r"measure 2: a <note> without <duration>"),
        ("<divisions>1</divisions>", note(step="H"), r"measure 2: <step> 'H' is not a note letter A-G"),
        ("<divisions>1</divisions>", note(octave="x"), r"measure 2: <octave> 'x' is not an integer"),
        ("<divisions>1</divisions>", note(extra="<alter>sharp</alter>"), r"measure 2: <alter> 'sharp' is not a number"),
        ("<divisions>1</divisions>", note(octave="9", step="B"), r"measure 2: pitch 131 is outside the MIDI range"),
        ("<divisions>1</divisions>", "<backup><duration>1e999</duration></backup>",
         r"measure 2: <backup> '1e999' is not a finite number"),
        ("<divisions>1</divisions><time><beats>4</beats><beat-type>3</beat-type></time>", note(),
         r"measure 1: <time> 4/3: the beat type must be a power of two"),
        ("<divisions>1</divisions><time><beats>x</beats><beat-type>4</beat-type></time>", note(),
         r"measure 1: <time> <beats> 'x' holds no number"),
        ("<divisions>1</divisions>", '<direction><sound tempo="fast"/></direction>' + note(),
         r"measure 2: <sound tempo> 'fast' is not a number"),
        ("<divisions>1</divisions><key><fifths>100</fifths></key>", note(), r"measure 1: <key> <fifths> '100' is above 35"),
        ("<divisions>1</divisions><time><beats>0</beats><beat-type>0</beat-type></time>", note(),
         r"measure 1: <time> <beat-type> '0' is below 1"),
        ("<divisions>1</divisions><time><beats>0</beats><beat-type>4</beat-type></time>", note(),
         r"measure 1: <time> 0/4: not a meter a time signature can hold"),
        ("<divisions>1</divisions>", "<forward><duration>-4</duration></forward>", r"measure 2: <forward> '-4' is below 0"),
    ],
)
def test_malformed_musicxml_names_file_part_measure_element_and_value(tmp_path, attributes, measure, message):
    path = tmp_path / "bad.musicxml"
    path.write_text(musicxml(measure, attributes))
    with pytest.raises(MusicXMLError, match=rf"bad.musicxml: part 'P1', {message}"):
        read_musicxml(path)


def test_divisions_that_need_too_fine_a_resolution(tmp_path):
    primes = [1_000_003, 1_000_033, 1_000_037]  # their product is far above MAX_RESOLUTION
    attributes = "".join(f"<divisions>{p}</divisions>" for p in primes)
    path = tmp_path / "fine.musicxml"
    path.write_text(musicxml(note(), attributes))
    with pytest.raises(MusicXMLError, match=rf"fine.musicxml: the <divisions> .* above the limit of {MAX_RESOLUTION}"):
        read_musicxml(path)


def test_a_piece_too_long_for_64_bit_ticks(tmp_path):
    """4,100 forwards of the longest accepted length overflow 2**62 ticks: an error, not a wrapped time."""
    divisions = 2**30
    longest = divisions * MAX_QUARTERS
    forwards = f"<forward><duration>{longest}</duration></forward>" * 4100
    path = tmp_path / "long.musicxml"
    path.write_text(musicxml(forwards, f"<divisions>{divisions}</divisions>"))
    with pytest.raises(MusicXMLError, match="long.musicxml: cannot lay out the measures: the measures add up to"):
        read_musicxml(path)


@pytest.mark.parametrize("encoding, mark", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", b""),
                                            ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", b""),
                                            ("utf-32-be", codecs.BOM_UTF32_BE)])
def test_entity_declarations_are_refused_in_every_encoding(tmp_path, encoding, mark):
    document = ('<?xml version="1.0" encoding="{}"?><!DOCTYPE score-partwise [<!ENTITY boom "x">]>'
                "<score-partwise><part-list/></score-partwise>").format(encoding.split("-")[0] + "-" + encoding.split("-")[1])
    path = tmp_path / "entity.xml"
    path.write_bytes(mark + document.encode(encoding))
    with pytest.raises(MusicXMLError, match="entity.xml: refusing an XML document that declares entities"):
        read_musicxml(path)
    # The same document without the declaration reads, in the same encoding.
    path.write_bytes(mark + document.replace('[<!ENTITY boom "x">]', "").encode(encoding))
    assert read_musicxml(path).tracks == []




def musescore(body: str, division: str = "480", measure_attributes: str = "") -> str:
    return (f'<museScore version="3.02"><Score><Division>{division}</Division><Part><Staff id="1"/></Part>'
            f'<Staff id="1"><Measure{measure_attributes}><voice>{body}</voice></Measure></Staff></Score></museScore>')


CHORD = "<Chord><durationType>quarter</durationType><Note><pitch>60</pitch></Note></Chord>"


@pytest.mark.parametrize(
    "text, message",
    [
        (musescore(CHORD, division="0"), r"<Division> '0' is below 1"),
        (musescore(CHORD, division="x"), r"<Division> 'x' is not an integer"),
        (musescore(CHORD, division="NaN"), r"<Division> 'NaN' is not an integer"),
        (musescore(CHORD, division="1" + "0" * 400), r"<Division> '1000+\.\.\.' \(401 characters\) is above 1073741824"),
        (musescore(CHORD, measure_attributes=' len="1' + "0" * 400 + '/4"'),
         r"staff 1, measure 1: <Measure len> '1000+\.\.\.' \(403 characters\) has 402 digits: far too large"),
        (musescore("<Rest><durationType>measure</durationType><duration>-4/4</duration></Rest>"),
         r"staff 1, measure 1: <duration> '-4/4' is below 0"),
        (musescore("<TimeSig><sigN>4</sigN><sigD>3</sigD></TimeSig>" + CHORD),
         r"staff 1, measure 1: <TimeSig> 4/3: a time signature needs a positive numerator and a power of two"),
        (musescore("<TimeSig><sigN>0</sigN><sigD>0</sigD></TimeSig>" + CHORD), r"staff 1, measure 1: <TimeSig> 0/0:"),
        (musescore(CHORD, measure_attributes=' len="1/0"'),
         r"staff 1, measure 1: <Measure len> '1/0' has a denominator of 0"),
        (musescore(CHORD, measure_attributes=' len="0/4"'), r"staff 1, measure 1: <Measure len> '0/4': a measure must"),
        (musescore(CHORD.replace("</durationType>", "</durationType><dots>1000</dots>")),
         r"staff 1, measure 1: <dots> '1000' is above 8"),
        (musescore(CHORD.replace("<pitch>60", "<pitch>sixty")), r"staff 1, measure 1: <Note> <pitch> 'sixty' is not an"),
        (musescore(CHORD.replace("<pitch>60", "<pitch>200")), r"staff 1, measure 1: <Note> <pitch> '200' is above 127"),
        (musescore("<Tuplet><normalNotes>0</normalNotes><actualNotes>3</actualNotes></Tuplet>" + CHORD),
         r"staff 1, measure 1: <Tuplet> <normalNotes> '0' is below 1"),
        (musescore("<Tempo><tempo>nan</tempo></Tempo>" + CHORD), r"staff 1, measure 1: <Tempo> <tempo> 'nan' is not a"),
        (musescore("<tick>-5</tick>" + CHORD), r"staff 1, measure 1: <tick> '-5' is below 0"),
        (musescore(CHORD.replace("quarter", "sixth")), r"staff 1, measure 1: <durationType> 'sixth' is not a note"),
    ],
)
def test_malformed_musescore_names_file_staff_measure_element_and_value(tmp_path, text, message):
    path = tmp_path / "bad.mscx"
    path.write_text(text)
    with pytest.raises(MuseScoreError, match=rf"bad.mscx: {message}"):
        read_musescore(path)


def test_valid_odd_values_still_read(tmp_path):
    """Real files hold values outside the schema that carry no danger: they are read, clipped."""
    path = tmp_path / "odd.musicxml"
    path.write_text(musicxml('<sound dynamics="-1.11"/>' + note(), "<divisions>1</divisions>"))  # as in a corpus file
    assert read_musicxml(path).validate().tracks[0].notes.velocity.tolist() == [0]


def encrypted_archive(path, member: str, text: str) -> None:
    """A zip archive holding ``text`` as ``member``, flagged as encrypted (as a password-protected one is)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, text)
    data = bytearray(path.read_bytes())
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local and central headers
        data[data.find(signature) + flag_offset] |= 0x1  # the "encrypted" flag bit
    path.write_bytes(bytes(data))


def test_encrypted_archive_is_refused(tmp_path):
    encrypted_archive(tmp_path / "locked.mxl", "score.musicxml", musicxml(note()))
    with pytest.raises(MusicXMLError, match="locked.mxl: archive member score.musicxml is encrypted"):
        read_musicxml(tmp_path / "locked.mxl")
    encrypted_archive(tmp_path / "locked.mscz", "score.mscx", musescore(CHORD))
    with pytest.raises(MuseScoreError, match="locked.mscz: archive member score.mscx is encrypted"):
        read_musescore(tmp_path / "locked.mscz")


@pytest.mark.parametrize("encoding, mark", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-32-le", codecs.BOM_UTF32_LE),
                                            ("utf-32-be", b"")])
def test_musescore_entity_declarations_are_refused_in_every_encoding(tmp_path, encoding, mark):
    declaration = '<?xml version="1.0" encoding="{}"?>'.format(encoding[:6].upper())
    path = tmp_path / "entity.mscx"
    path.write_bytes(mark + (declaration + '<!DOCTYPE museScore [<!ENTITY boom "x">]>' + musescore(CHORD)).encode(encoding))
    with pytest.raises(MuseScoreError, match="entity.mscx: refusing an XML document that declares entities"):
        read_musescore(path)
    path.write_bytes(mark + (declaration + musescore(CHORD)).encode(encoding))
    assert read_musescore(path).n_notes == 1
