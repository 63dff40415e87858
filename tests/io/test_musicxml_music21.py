"""Differential test: our MusicXML reader against music21 on material no one here wrote.

Every MusicXML/MXL file of music21's corpus (654) and of ``shared/muspy_testdata`` (MusPy's MusicXML files
and the LilyPond test suite) is read with our reader and compared with music21's reading, cached in
``tests/data`` by ``python -m tests.io.music21_reference`` (music21 needs about 40 minutes for the corpus).
Per track, the notes (onset, MIDI key, duration; chord members apart) must be identical, or every
difference must belong to a class named in ``docs/io-scores.md`` and pass that class's check against the
raw file and music21's written notes (``tests/io/music21_reference.py``, ``compare_file``):

* measures music21 makes longer must hold the cause in the raw file (a ``<direction>`` with a positive
  ``<offset>``, a ``<forward>`` of zero divisions); with music21's notes moved back, the rest must agree;
* where tied notes are joined differently, our notes must be exactly music21's *written* notes (every
  ``<note>`` once) with some joined -- only notes that touch, of one key, across ties the file writes;
* unpitched percussion keys are compared by position only; unlisted parts are left out;
* grace notes (which the reference leaves out, music21 giving them zero length) must be, per part, exactly
  as many notes as the raw part has sounding ``<grace/>`` notes, over our reading with them dropped.

The expected classes of each file are listed below, so that a file that changes class (better or worse)
is noticed. The reference must come from the installed music21 version.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from tests.io.music21_reference import REFERENCES, compare_file, load_reference, source_files

#: Files whose note content differs from music21's, with the classes of difference (all music21's errors or
#: organisation, see docs/io-scores.md); every other file must be identical (multi-staff parts merged).
KNOWN_DIFFERENCES: dict[str, dict[str, set[str]]] = {
    "testdata": {
        "musicxml-lilypond/24a-GraceNotes.xml": {"grace notes"},
        "musicxml-lilypond/41h-TooManyParts.xml": {"unlisted parts"},
        "musicxml/fur-elise.mxl": {"grace notes"},
        "musicxml/fur-elise.xml": {"grace notes"},
    },
    "corpus": {
        "bach/bwv248.23-2.mxl": {"ties"},
        "bach/bwv248.9-1.mxl": {"ties"},
        "bach/bwv299.mxl": {"grace notes"},
        "bach/bwv315.mxl": {"grace notes"},
        "bach/bwv846.mxl": {"ties"},
        "beach/prayer_of_a_tired_child.musicxml": {"ties"},
        "beethoven/opus132.mxl": {"grace notes", "ties"},
        "beethoven/opus133.mxl": {"grace notes", "ties"},
        "beethoven/opus18no1/movement1.mxl": {"grace notes", "ties"},
        "beethoven/opus18no1/movement2.mxl": {"grace notes", "ties"},
        "beethoven/opus18no1/movement3.mxl": {"grace notes", "ties"},
        "beethoven/opus18no1/movement4.mxl": {"grace notes", "ties"},
        "beethoven/opus18no3.mxl": {"grace notes", "ties"},
        "beethoven/opus18no4.mxl": {"grace notes", "ties"},
        "beethoven/opus18no5.mxl": {"grace notes", "ties"},
        "beethoven/opus59no1/movement1.mxl": {"grace notes", "ties"},
        "beethoven/opus59no1/movement2.mxl": {"direction offset", "grace notes", "ties"},
        "beethoven/opus59no1/movement3.mxl": {"grace notes", "ties"},
        "beethoven/opus59no1/movement4.mxl": {"direction offset", "grace notes", "ties"},
        "beethoven/opus59no2/movement1.mxl": {"grace notes", "ties"},
        "beethoven/opus59no2/movement2.mxl": {"grace notes", "ties"},
        "beethoven/opus59no2/movement3.mxl": {"grace notes"},
        "beethoven/opus59no2/movement4.mxl": {"grace notes", "ties"},
        "beethoven/opus59no3/movement1.mxl": {"direction offset", "grace notes"},
        "beethoven/opus59no3/movement2.mxl": {"direction offset", "grace notes", "ties"},
        "beethoven/opus59no3/movement4.mxl": {"grace notes"},
        "beethoven/opus74.mxl": {"grace notes", "ties"},
        "cpebach/h186.mxl": {"grace notes"},
        "demos/drum_sample.xml": {"unpitched"},
        "haydn/opus1no1/movement1.mxl": {"grace notes"},
        "haydn/opus1no1/movement2.mxl": {"grace notes"},
        "haydn/opus1no1/movement3.mxl": {"grace notes", "zero forward"},
        "haydn/opus1no1/movement4.mxl": {"grace notes", "zero forward"},
        "haydn/opus1no1/movement5.mxl": {"zero forward"},
        "haydn/opus74no1/movement1.mxl": {"grace notes", "ties"},
        "haydn/opus74no1/movement2.mxl": {"grace notes", "ties"},
        "haydn/opus74no1/movement3.mxl": {"grace notes", "ties"},
        "haydn/opus74no1/movement4.mxl": {"grace notes", "ties"},
        "monteverdi/madrigal.3.5.mxl": {"ties"},
        "monteverdi/madrigal.4.2.mxl": {"ties"},
        "mozart/k155/movement1.mxl": {"grace notes"},
        "mozart/k155/movement2.mxl": {"grace notes"},
        "mozart/k155/movement3.mxl": {"direction offset"},
        "mozart/k156/movement1.mxl": {"grace notes"},
        "mozart/k156/movement2.mxl": {"grace notes"},
        "mozart/k156/movement3.mxl": {"grace notes"},
        "mozart/k458/movement1.mxl": {"grace notes"},
        "mozart/k458/movement2.mxl": {"grace notes"},
        "mozart/k458/movement3.mxl": {"grace notes"},
        "mozart/k458/movement4.mxl": {"direction offset", "grace notes"},
        "mozart/k80/movement1.mxl": {"grace notes"},
        "mozart/k80/movement2.mxl": {"grace notes"},
        "mozart/k80/movement3.mxl": {"grace notes"},
        "mozart/k80/movement4.mxl": {"direction offset", "grace notes"},
        "schoenberg/opus19/movement6.mxl": {"ties"},
        "schubert/Lindenbaum.xml": {"grace notes", "ties"},
        "schumann_clara/opus17/movement3.xml": {"grace notes", "ties"},
        "schumann_clara/polonaise_op1n2.mxl": {"grace notes"},
        "schumann_clara/polonaise_op1n3.mxl": {"grace notes", "ties"},
        "schumann_clara/polonaise_op1n4.mxl": {"grace notes", "ties"},
        "schumann_robert/dichterliebe_no2.xml": {"cue notes", "ties"},
        "schumann_robert/opus41no1/movement1.mxl": {"grace notes", "ties", "zero forward"},
        "schumann_robert/opus41no1/movement2.mxl": {"ties"},
        "schumann_robert/opus41no1/movement4.mxl": {"grace notes"},
        "schumann_robert/opus41no1/movement5.mxl": {"grace notes", "ties", "zero forward"},
        "schumann_robert/opus48no2.mxl": {"cue notes", "ties"},
        "trecento/PMFC_01-Rex quem metrorum.xml": {"ties"},
        "trecento/PMFC_13_04-Credo Cursor.xml": {"accidental without alter"},
        "trecento/PMFC_13_06-Gloria Fior Gentil.xml": {"ties"},
        "trecento/PMFC_13_14-Gloria.xml": {"ties"},
        "trecento/PMFC_13_15-Gloria.xml": {"ties"},
        "trecento/PMFC_24_17-Doctorum principem-Melodia suavissima-Vir mitis.xml": {"ties"},
        "verdi/laDonnaEMobile.mxl": {"grace notes"},
        "weber/concertino_clarinet.mxl": {"direction offset", "grace notes", "ties"},
    },
}
CHUNKS = 12


@lru_cache(maxsize=None)
def reference(source: str) -> dict:
    return load_reference(source)


@pytest.mark.parametrize("source", list(REFERENCES))
def test_reference_is_for_the_installed_music21_and_every_file(source):
    import music21

    stored = reference(source)
    assert stored["music21"] == music21.__version__, (
        f"{REFERENCES[source].name} was made with music21 {stored['music21']}, not the installed "
        f"{music21.__version__}: rebuild it with python -m tests.io.music21_reference {source}"
    )
    assert sorted(stored["files"]) == source_files(source)


def _chunks(source: str) -> list[tuple[str, int]]:
    return [(source, k) for k in range(CHUNKS if source == "corpus" else 1)]


@pytest.mark.parametrize("source, chunk", _chunks("corpus") + _chunks("testdata"),
                         ids=lambda value: str(value))
def test_note_content_equals_music21_but_for_documented_classes(source, chunk):
    files = sorted(reference(source)["files"])[chunk::CHUNKS if source == "corpus" else 1]
    surprises = []
    for relative in files:
        found = compare_file(source, relative, reference(source)["files"][relative])["classes"] - {"staves"}
        expected = KNOWN_DIFFERENCES[source].get(relative, set())
        if found != expected:
            surprises.append(f"{relative}: expected {sorted(expected) or 'identical'}, found {sorted(found) or 'identical'}")
    assert not surprises, "\n".join(surprises)
