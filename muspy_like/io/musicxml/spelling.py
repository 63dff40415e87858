"""Note names from MIDI numbers and key signatures (the line of fifths).

A MIDI number does not say whether it is a C sharp or a D flat; the key signature does. Notes of the
key's scale get the key's spelling (B flat in F major, E sharp in F sharp major); other notes are natural
when they can be, otherwise sharp in sharp keys and flat in flat keys (and in C major).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

__all__ = ["key_root", "spell", "fifths_of"]

_LETTERS_BY_FIFTHS = "FCGDAEB"
_LETTER_SEMITONES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_NATURAL_LETTER = {semitone: letter for letter, semitone in _LETTER_SEMITONES.items()}

#: Position of each mode's tonic on the line of fifths, relative to the major tonic of the same signature.
MODE_FIFTHS = {
    "major": 0,
    "ionian": 0,
    "minor": 3,
    "aeolian": 3,
    "dorian": 2,
    "phrygian": 4,
    "lydian": -1,
    "mixolydian": 1,
    "locrian": 5,
}


def _name_on_line_of_fifths(index: int) -> tuple[str, int]:
    """(letter, alter) of the note ``index`` fifths above C (F = -1, G = 1, F sharp = 6, B flat = -2)."""
    shifted = index + 1
    return _LETTERS_BY_FIFTHS[shifted % 7], shifted // 7


def key_root(fifths: int, mode: Optional[str]) -> tuple[Optional[int], Optional[str]]:
    """Tonic of a key signature: (pitch class 0-11, spelled name such as ``"Eb"``), or (None, None).

    Parameters
    ----------
    fifths : int
        Sharps (positive) or flats (negative).
    mode : str or None
        ``"major"``, ``"minor"`` or a church mode; None or an unknown mode gives no tonic.
    """
    if mode is None or mode not in MODE_FIFTHS:
        return None, None
    letter, alter = _name_on_line_of_fifths(fifths + MODE_FIFTHS[mode])
    accidental = "#" * alter if alter > 0 else "b" * -alter
    return (_LETTER_SEMITONES[letter] + alter) % 12, letter + accidental


def fifths_of(root: int, mode: Optional[str]) -> int:
    """Key signature (sharps > 0, flats < 0) of a tonic pitch class and mode, preferring fewer accidentals."""
    offset = MODE_FIFTHS.get(mode or "major", 0)
    major_tonic = (root - 7 * offset) % 12
    fifths = (major_tonic * 7) % 12
    return fifths - 12 if fifths > 6 else fifths


@lru_cache(maxsize=None)
def _spellings(fifths: int) -> tuple[tuple[str, int], ...]:
    """(letter, alter) for each of the 12 pitch classes in the key with ``fifths`` sharps or flats."""
    table: dict[int, tuple[str, int]] = {}
    for index in range(fifths - 1, fifths + 6):
        letter, alter = _name_on_line_of_fifths(index)
        table[(_LETTER_SEMITONES[letter] + alter) % 12] = (letter, alter)
    for pitch_class in range(12):
        if pitch_class in table:
            continue
        if pitch_class in _NATURAL_LETTER:
            table[pitch_class] = (_NATURAL_LETTER[pitch_class], 0)
        elif fifths > 0:
            table[pitch_class] = (_NATURAL_LETTER[pitch_class - 1], 1)
        else:
            table[pitch_class] = (_NATURAL_LETTER[(pitch_class + 1) % 12], -1)
    return tuple(table[pc] for pc in range(12))


def spell(pitch: int, fifths: int = 0) -> tuple[str, int, int]:
    """Spell a MIDI number in a key: (step letter, alter in semitones, octave).

    Examples
    --------
    >>> spell(70, -1)  # B flat 4 in F major
    ('B', -1, 4)
    >>> spell(65, 6)  # E sharp 4 in F sharp major
    ('E', 1, 4)
    """
    letter, alter = _spellings(max(-7, min(7, fifths)))[pitch % 12]
    return letter, alter, (pitch - alter) // 12 - 1
