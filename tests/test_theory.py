"""Key spellings shared by the converters, checked against the circle of fifths by hand."""

from __future__ import annotations

import pytest

from muspy_like import KeySignature
from muspy_like.theory import (
    LETTER_PITCH_CLASSES,
    key_fifths,
    key_from_fifths,
    key_from_midi_name,
    key_from_tonic,
    key_root,
    midi_key_name,
    signature_alter,
    spell,
    transpose_fifths,
)

MAJOR = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]
MINOR = ["Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#", "A#"]


@pytest.mark.parametrize("fifths", range(-7, 8))
def test_major_and_minor_names_round_trip(fifths):
    for names, mode, suffix in ((MAJOR, "major", ""), (MINOR, "minor", "m")):
        key = key_from_midi_name(0, names[fifths + 7] + suffix)
        assert (key.fifths, key.mode, key.root_str) == (fifths, mode, names[fifths + 7])
        assert midi_key_name(key) == names[fifths + 7] + suffix
        assert key_from_fifths(0, fifths, mode).root_str == names[fifths + 7]


@pytest.mark.parametrize(
    ("tonic", "mode", "fifths", "root"),
    [
        ("D", "dorian", 0, 2),
        ("E", "phrygian", 0, 4),
        ("F", "lydian", 0, 5),
        ("G", "mixolydian", 0, 7),
        ("C", "locrian", -5, 0),
        ("B-", "dorian", -4, 10),
        ("F#", "aeolian", 3, 6),
        ("C", "ionian", 0, 0),
    ],
)
def test_church_modes(tonic, mode, fifths, root):
    key = key_from_tonic(12, tonic, mode)
    assert (key.time, key.fifths, key.root, key.mode) == (12, fifths, root, mode)
    assert key_from_fifths(12, fifths, mode).root == root


def test_fifths_derived_from_root_and_mode_and_bad_tonics():
    assert key_fifths(KeySignature(0, root=8, mode="major")) == -4  # Ab major
    assert key_fifths(KeySignature(0, root=1, mode="minor")) == 4  # C# minor
    assert key_fifths(KeySignature(0, root=2, mode="dorian")) == 0
    assert key_fifths(KeySignature(0)) is None
    assert midi_key_name(KeySignature(0, root=2, mode="dorian")) == "C"  # same signature, major
    with pytest.raises(ValueError, match="tonic"):
        key_from_tonic(0, "H", "major")


@pytest.mark.parametrize("fifths", range(-7, 8))
def test_signature_alter_marks_exactly_the_signatures_accidentals(fifths):
    # The sharps enter in the order F C G D A E B, the flats in the reverse order.
    order = "FCGDAEB" if fifths >= 0 else "BEADGCF"
    altered = {letter for letter in "CDEFGAB" if signature_alter(letter, fifths) != 0}
    assert altered == set(order[: abs(fifths)])
    assert all(signature_alter(letter, fifths) == (1 if fifths > 0 else -1) for letter in altered)


@pytest.mark.parametrize("fifths", range(-7, 8))
def test_spelling_a_scale_note_agrees_with_the_signature(fifths):
    tonic, _ = key_root(fifths, "major")
    for step in (0, 2, 4, 5, 7, 9, 11):  # the major scale
        letter, alter, octave = spell(60 + tonic + step, fifths)
        assert alter == signature_alter(letter, fifths)
        assert 12 * (octave + 1) + LETTER_PITCH_CLASSES[letter] + alter == 60 + tonic + step


@pytest.mark.parametrize("semitones", range(-12, 13))
def test_transposed_signature_has_the_transposed_tonic(semitones):
    for fifths in range(-6, 7):
        moved = transpose_fifths(fifths, semitones)
        assert -5 <= moved <= 6
        assert key_root(moved, "major")[0] == (key_root(fifths, "major")[0] + semitones) % 12
