"""Our ABC reader against music21's own reading, on music21's ABC corpus (see ``abc_music21.py``).

Every run compares a sample: every 40th file of the corpus (a tenth of the tunes of its books) and the
files where each documented class of difference occurs. ``MUSPY_LIKE_FULL_ABC_CORPUS=1`` compares every
tune of every file (12,978 tunes; most of the time is music21's).
"""

from __future__ import annotations

import os

import pytest

from tests.io.abc_music21 import compare_file, corpus_abc_files

#: Tunes where each documented class of difference occurs: (file name, X: numbers, class), compared every run.
KNOWN = [
    ("laDeplorationDeLaMorteDeJohannesOckeghem.abc", {4, 5}, "octave clefs"),
    ("EssenceOfCinnamonSeed.abc", {17}, "music21 drops a note"),
    ("book6.abc", {1003, 1148}, "voices"),
    ("americanfifeopus.abc", {108}, "re-barring"),
    ("americanfifeopus.abc", {114}, "grace chords"),
    ("MardiGrasReel.abc", {1}, "chord ties"),
]
FULL = os.environ.get("MUSPY_LIKE_FULL_ABC_CORPUS") == "1"


def _files():
    files = corpus_abc_files()
    if FULL:
        return [(path, 1) for path in files]
    known = {name for name, _, _ in KNOWN}
    return [(path, 10) for path in files[::40] if path.name not in known]


@pytest.mark.parametrize(("path", "every"), _files(), ids=lambda value: getattr(value, "name", str(value)))
def test_same_notes_as_music21_or_a_documented_difference(path, every):
    rows = compare_file(path, every)
    assert rows
    unexplained = [row for row in rows if row[3] in ("unexplained", "we fail")]
    assert not unexplained, unexplained[:3]


@pytest.mark.parametrize(("name", "numbers", "kind"), KNOWN, ids=[kind for _, _, kind in KNOWN])
def test_each_documented_class_occurs_where_expected(name, numbers, kind):
    (path,) = [p for p in corpus_abc_files() if p.name == name]
    assert {row[3] for row in compare_file(path, numbers=numbers)} == {kind}
