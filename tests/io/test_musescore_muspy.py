"""Differential test: our MuseScore reader against MusPy's on every MuseScore file of ``shared/muspy_testdata``.

MusPy always expands repeats, so we read with ``expand_repeats=True``. The notes (onset, pitch, duration in
quarter notes, over all tracks) must be identical, or differ only by a class named in ``docs/io-scores.md``
and checked here against the raw file:

* ``grace after``: both keep grace notes at their written length, at their principal chord's onset, but a
  grace chord played after its principal chord (``<grace16after/>``...) MusPy also puts at the onset,
  we at the chord's end: the notes that differ are exactly the notes of such grace chords, one to one with
  the same pitch and length, ours later by the principal chord's length;
* ``rounding``: MusPy rounds every note value to the file's ``<Division>`` (1024th notes, 7-tuplets), we
  keep exact fractions: the notes pair up one to one with the same pitch, each starting and lasting as ours
  within a few MusPy ticks (its rounding errors add up along a voice; the last note of a tuplet takes
  the remainder);
* ``location``: MusPy ignores MuseScore 3's ``<location>`` moves inside a voice (so a voice that starts
  after a move is shifted, its ties then meet other notes, and its 7-tuplets are rounded), we honour them:
  the file has such moves, the same pitches sound, the note counts agree within 1 %, and the note read by hand in the file (clair-de-lune, measure 3, voice 2:
  ``<location>`` 3/8, then a dotted half B flat 4 at 21/2 quarters) is where we put it and not where
  MusPy does (at 9, the start of the measure).
"""

from __future__ import annotations

import warnings
from collections import Counter
from fractions import Fraction

import pytest
from lxml import etree

from muspy_like.io.musescore import read_musescore

#: Files that differ from MusPy, and why (see the module notes).
KNOWN_DIFFERENCES = {
    "musescore/clair-de-lune.mscx": "location",
    "musescore-lilypond/03a-Rhythm-Durations.mscx": "rounding",
    "musescore-lilypond/23a-Tuplets.mscx": "rounding",
    "musescore-lilypond/24a-GraceNotes.mscx": "grace after",
}
GRACE_AFTER_TAGS = ("grace8after", "grace16after", "grace32after")


def musescore_files(testdata_dir):
    return sorted(p for folder in ("musescore", "musescore-lilypond") for p in (testdata_dir / folder).iterdir()
                  if p.suffix in (".mscx", ".mscz"))


def note_counter(music, resolution=None):
    r = resolution or music.resolution
    rows = Counter()
    for track in music.tracks:
        for note in track.notes:
            time, pitch, duration = (note.time, note.pitch, note.duration) if hasattr(note, "time") else note
            rows[(Fraction(int(time), r), int(pitch), Fraction(int(duration), r))] += 1
    return rows


def raw_root(path):
    from muspy_like.errors import MuseScoreError
    from muspy_like.io.musicxml.safe_xml import parse_xml, read_score_bytes

    return parse_xml(read_score_bytes(path, (".mscz",), (".mscx",), MuseScoreError), str(path), MuseScoreError)


def grace_after_pitches(path):
    """Pitches of the notes of the grace chords played after their principal chord, one per note."""
    root = raw_root(path)
    return sorted(int(note.findtext("pitch")) for chord in root.iter("Chord")
                  if any(chord.find(tag) is not None for tag in GRACE_AFTER_TAGS) for note in chord.iter("Note"))


def test_every_musescore_file_is_compared(testdata_dir):
    names = {str(p.relative_to(testdata_dir)) for p in musescore_files(testdata_dir)}
    assert set(KNOWN_DIFFERENCES) <= names and len(names) >= 38


@pytest.mark.parametrize("folder", ["musescore", "musescore-lilypond"])
def test_same_notes_as_muspy_but_for_documented_classes(testdata_dir, folder):
    import muspy

    for path in [p for p in musescore_files(testdata_dir) if p.parent.name == folder]:
        name = str(path.relative_to(testdata_dir))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = muspy.read_musescore(path)
        ours = read_musescore(path, expand_repeats=True)
        their_notes = Counter((Fraction(n.time, theirs.resolution), n.pitch, Fraction(n.duration, theirs.resolution))
                              for t in theirs.tracks for n in t.notes)
        our_notes = note_counter(ours)
        kind = KNOWN_DIFFERENCES.get(name)
        if kind is None:
            assert their_notes == our_notes, name
        elif kind == "grace after":
            theirs_only, ours_only = sorted((their_notes - our_notes).elements(), key=lambda n: n[1]), \
                sorted((our_notes - their_notes).elements(), key=lambda n: n[1])
            assert [n[1] for n in ours_only] == [n[1] for n in theirs_only] == grace_after_pitches(path), name
            assert all(a[2] == b[2] and a[0] > b[0] for a, b in zip(ours_only, theirs_only)), name
        elif kind == "rounding":
            tick = Fraction(1, theirs.resolution)
            pairs = list(zip(sorted(their_notes.elements()), sorted(our_notes.elements())))
            assert sum(their_notes.values()) == sum(our_notes.values()) and their_notes != our_notes, name
            assert all(a[1] == b[1] and abs(a[2] - b[2]) <= 8 * tick and abs(a[0] - b[0]) <= 8 * tick
                       for a, b in pairs), name
        else:  # location
            assert any(True for _ in raw_root(path).iter("location")), name
            assert {p for _, p, _ in their_notes} == {p for _, p, _ in our_notes}, name
            assert abs(sum(their_notes.values()) - sum(our_notes.values())) <= sum(our_notes.values()) / 100, name
            assert (Fraction(21, 2), 70, Fraction(7, 2)) in our_notes and (Fraction(9), 70, Fraction(7, 2)) in their_notes
            assert (Fraction(9), 70, Fraction(7, 2)) not in our_notes
