"""MusPy's music-theory tables (``muspy.utils``), derived from :mod:`muspy_like.theory`.

``CIRCLE_OF_FIFTHS`` lists (pitch class, spelled name) from F flat (index 0) to B sharp (index 20) along
the line of fifths; ``MODE_CENTERS[mode] + fifths`` is the index of the tonic of a key with ``fifths``
sharps (or flats, negative) in that mode. ``TONAL_PITCH_CLASSES`` names the line of fifths from F double
flat (-1) to B double sharp (33), C at 14.
"""

from __future__ import annotations

from muspy_like.theory import LETTER_PITCH_CLASSES, MODE_FIFTHS

__all__ = [
    "NOTE_MAP",
    "CIRCLE_OF_FIFTHS",
    "MODE_CENTERS",
    "NOTE_TYPE_MAP",
    "TONAL_PITCH_CLASSES",
    "note_str_to_note_num",
]

_LETTERS_BY_FIFTHS = "FCGDAEB"


def _spelled(index: int) -> tuple[int, str]:
    """(pitch class, name) of the note ``index`` fifths above C (F = -1, G = 1)."""
    letter = _LETTERS_BY_FIFTHS[(index + 1) % 7]
    alter = (index + 1) // 7
    name = letter + ("#" * alter if alter > 0 else "b" * -alter)
    return (LETTER_PITCH_CLASSES[letter] + alter) % 12, name


#: Letter name -> pitch class of the natural notes.
NOTE_MAP: dict[str, int] = dict(LETTER_PITCH_CLASSES)
#: (pitch class, name) along the line of fifths, F flat to B sharp; C is at index 8.
CIRCLE_OF_FIFTHS: list[tuple[int, str]] = [_spelled(index) for index in range(-8, 13)]
#: Index into :data:`CIRCLE_OF_FIFTHS` of the tonic of a mode's key without sharps or flats.
MODE_CENTERS: dict[str, int] = {mode: 8 + steps for mode, steps in MODE_FIFTHS.items()}
#: MusicXML note type -> length in quarter notes.
NOTE_TYPE_MAP: dict[str, float] = {
    name: 2.0 ** (5 - i)
    for i, name in enumerate(("maxima", "long", "breve", "whole", "half", "quarter", "eighth", "16th", "32nd",
                              "64th", "128th", "256th", "512th", "1024th"))
}
#: Position on the line of fifths (C = 14) -> spelled name, double flats to double sharps.
TONAL_PITCH_CLASSES: dict[int, str] = {index + 14: _spelled(index)[1] for index in range(-15, 20)}


def note_str_to_note_num(note_str: str) -> int:
    """Pitch class (0-11) of a note name such as ``"C"``, ``"D#"`` or ``"Eb"`` (capital letter, ``#``/``b``).

    Raises
    ------
    ValueError
        If the letter is not A-G or an accidental is not ``#`` or ``b``.
    """
    if not note_str or note_str[0] not in NOTE_MAP:
        raise ValueError(f"expected a note letter A-G, got {note_str[:1]!r} in {note_str!r}")
    bad = [c for c in note_str[1:] if c not in "#b"]
    if bad:
        raise ValueError(f"expected accidentals '#' or 'b', got {bad[0]!r} in {note_str!r}")
    return (NOTE_MAP[note_str[0]] + note_str.count("#") - note_str.count("b")) % 12
