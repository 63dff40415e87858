"""Differential test: our MusicXML reader against music21 on music21's bundled Bach corpus.

For each file, the notes of each part (onset and duration in quarter notes, MIDI pitch) must equal
music21's (``converter.parse(..., forceSource=True)``, each part tie-stripped and flattened, grace notes
left out since we drop them). Documented exceptions, checked by hand on the whole corpus (see
``benchmarks/formats.py --differential`` and ``docs/io-scores.md``):

* multi-staff parts: music21 splits them into one PartStaff per staff, we keep one track per part, so
  the notes are compared over the whole score;
* ties music21's ``stripTies`` leaves split: a tie from a chord member (bwv248.9-1), into another voice
  (bwv248.23-2), or two tie chains overlapping in different voices (bwv846, where music21 joins the wrong
  notes); we join them by pitch and time. For these files the test checks that both readers cover the
  same (time, pitch) cells and that we give fewer notes.
* parts whose measures disagree in length (bwv171.6) are laid out per part, as music21 does.
"""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.formats import music21_notes, our_notes
from muspy_like.io.musicxml import read_musicxml

#: Files where music21's tie stripping leaves tied notes split (we join them); see the module notes.
TIE_EXCEPTIONS = {"bwv248.9-1.mxl", "bwv248.23-2.mxl"}


def bach_sample():
    from music21 import corpus

    paths = sorted(p for p in corpus.getComposer("bach") if p.suffix in (".mxl", ".xml"))
    return paths[::14][:30] + [p for p in paths if p.name in TIE_EXCEPTIONS | {"bwv171.6.mxl", "bwv846.mxl"}]


def music21_parts(path):
    from music21 import converter

    return music21_notes(converter.parse(str(path), forceSource=True))


def our_parts(path):
    return our_notes(read_musicxml(path))


@pytest.mark.parametrize("path", bach_sample(), ids=lambda p: p.name)
def test_same_notes_as_music21(path):
    theirs, ours = music21_parts(path), our_parts(path)
    if path.name == "bwv846.mxl":
        # Measures 32-33, staff 2: C2 is tied 2 + 2 quarters (twice) while C3 and B2 tie chains run in
        # another voice (read by hand in the XML). music21 joins the C2 halves to the wrong chains.
        theirs_all = Counter(n for part in theirs for n in part)
        ours_all = Counter(n for part in ours for n in part)
        assert sorted((ours_all - theirs_all).elements()) == [(124, 36, 4), (128, 36, 4)]
        assert sorted((theirs_all - ours_all).elements()) == [(124, 36, 2), (126, 48, 2), (128, 36, 2), (130, 47, 2)]
    elif path.name in TIE_EXCEPTIONS:
        # Same sounding material: every 1/48 quarter music21 covers with a pitch, we cover too.
        def coverage(parts):
            return sorted({(t, p) for part in parts for (start, p, d) in part
                           for t in range(int(start * 48), int((start + d) * 48))})

        assert coverage(theirs) == coverage(ours)
        assert sum(map(len, ours)) < sum(map(len, theirs))
    elif len(theirs) != len(ours):
        assert sorted(n for part in theirs for n in part) == sorted(n for part in ours for n in part)
    else:
        assert theirs == ours
