"""Key spellings shared by the converters, checked against the circle of fifths by hand."""

from __future__ import annotations

import pytest

from muspy_like import KeySignature
from muspy_like.interop._keys import key_fifths, key_from_fifths, key_from_midi_name, key_from_tonic, midi_key_name

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
