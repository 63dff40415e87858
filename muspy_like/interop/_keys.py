"""Key signatures between the spellings the peer libraries use.

A key is stored in muspy_like as a tonic pitch class (``root``), a ``mode`` and the number of sharps
(positive) or flats (negative) of its signature (``fifths``). The MIDI-based libraries know only major and
minor keys, as a name (miditoolkit: ``"Bb"``, ``"F#m"``), a number (pretty_midi: ``0-11`` major and
``12-23`` minor tonics) or fifths plus a tonality flag (symusic); music21 spells the tonic (``"B-"``).
A church mode is written to the MIDI libraries as the major or minor key with the same signature.
"""

from __future__ import annotations

from typing import Optional

from muspy_like.core.events import KeySignature

#: Semitones from the tonic of the major key with the same signature up to the mode's tonic.
MODE_OFFSETS = {
    "major": 0,
    "ionian": 0,
    "dorian": 2,
    "phrygian": 4,
    "lydian": 5,
    "mixolydian": 7,
    "minor": 9,
    "aeolian": 9,
    "locrian": 11,
}
#: Fifths from the major key's tonic to the mode's tonic on the circle of fifths.
_MODE_FIFTH_SHIFTS = {
    "major": 0,
    "ionian": 0,
    "dorian": 2,
    "phrygian": 4,
    "lydian": -1,
    "mixolydian": 1,
    "minor": 3,
    "aeolian": 3,
    "locrian": 5,
}
_LETTER_FIFTHS = {"F": -1, "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5}
_LETTER_PITCH_CLASSES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_MAJOR_NAMES = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]
_MINOR_NAMES = ["Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#", "A#"]

__all__ = [
    "MODE_OFFSETS",
    "key_from_fifths",
    "key_from_tonic",
    "key_fifths",
    "is_minor",
    "midi_key_name",
    "key_from_midi_name",
]


def _normalize_mode(mode: Optional[str]) -> Optional[str]:
    return None if mode is None else mode.lower()


def is_minor(key: KeySignature) -> bool:
    """Whether a key is written as minor to libraries that know only major and minor."""
    return _normalize_mode(key.mode) in ("minor", "aeolian")


def key_from_fifths(time: int, fifths: int, mode: Optional[str] = "major") -> KeySignature:
    """A key from its signature (sharps > 0, flats < 0) and mode; the spelled tonic follows from both."""
    mode = _normalize_mode(mode)
    if mode not in MODE_OFFSETS:
        return KeySignature(time=time, mode=mode, fifths=int(fifths))
    position = fifths + _MODE_FIFTH_SHIFTS[mode] + 1  # index in the line of fifths F C G D A E B
    letter, sharps = "FCGDAEB"[position % 7], position // 7
    return KeySignature(
        time=time,
        root=(7 * fifths + MODE_OFFSETS[mode]) % 12,
        mode=mode,
        fifths=int(fifths),
        root_str=letter + ("#" * sharps if sharps > 0 else "b" * -sharps),
    )


def key_from_tonic(time: int, tonic: str, mode: Optional[str] = "major") -> KeySignature:
    """A key from a spelled tonic (``"Bb"``, ``"F#"``, music21's ``"B-"``) and a mode.

    Raises
    ------
    ValueError
        If the tonic is not a letter A-G followed by sharps or flats.
    """
    spelled = tonic.strip().replace("-", "b")
    letter, accidentals = spelled[:1].upper(), spelled[1:]
    if letter not in _LETTER_FIFTHS or accidentals.strip("#") and accidentals.strip("b"):
        raise ValueError(f"not a spelled tonic: {tonic!r}")
    alter = accidentals.count("#") - accidentals.count("b")
    mode = _normalize_mode(mode) or "major"
    fifths = _LETTER_FIFTHS[letter] + 7 * alter - _MODE_FIFTH_SHIFTS.get(mode, 0)
    return KeySignature(
        time=time,
        root=(_LETTER_PITCH_CLASSES[letter] + alter) % 12,
        mode=mode,
        fifths=fifths if -7 <= fifths <= 7 else None,
        root_str=letter + accidentals,
    )


def key_fifths(key: KeySignature) -> Optional[int]:
    """Sharps (> 0) or flats (< 0) of a key, derived from the tonic and mode when not stored."""
    if key.fifths is not None:
        return key.fifths
    mode = _normalize_mode(key.mode) or "major"
    if key.root is None or mode not in MODE_OFFSETS:
        return None
    major_tonic = (key.root - MODE_OFFSETS[mode]) % 12
    fifths = (7 * major_tonic) % 12
    return fifths - 12 if fifths > 6 else fifths


def midi_key_name(key: KeySignature) -> Optional[str]:
    """mido/miditoolkit key name (``"Eb"``, ``"C#m"``) of a key, or None if it has no signature."""
    fifths = key_fifths(key)
    if fifths is None:
        return None
    return (_MINOR_NAMES if is_minor(key) else _MAJOR_NAMES)[fifths + 7] + ("m" if is_minor(key) else "")


def key_from_midi_name(time: int, name: str) -> KeySignature:
    """A key from a mido/miditoolkit key name (``"Bb"``, ``"F#m"``)."""
    minor = name.endswith("m")
    return key_from_tonic(time, name[:-1] if minor else name, "minor" if minor else "major")
