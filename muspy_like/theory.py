"""Keys, modes and pitch spelling: the one home of the music-theory tables every area uses.

A key is stored in muspy_like as a tonic pitch class (``root``, 0-11 with C = 0), a ``mode`` and the
number of sharps (positive) or flats (negative) of its signature (``fifths``). Everything here follows
from the *line of fifths*: index 0 is C, each step up is a fifth (G = 1, D = 2, ... F sharp = 6) and each
step down a fourth (F = -1, B flat = -2). A signature with ``fifths`` sharps or flats is the major scale
whose tonic sits at index ``fifths``; a church mode's tonic sits a fixed number of steps from it.

The peers spell keys differently: the MIDI-based libraries know only major and minor, as a name
(mido/miditoolkit ``"Bb"``, ``"F#m"``), a number (pretty_midi: 0-11 major and 12-23 minor tonics) or
fifths plus a tonality flag (symusic, the MIDI key-signature meta event); music21 spells the tonic with
``-`` for flat (``"B-"``); ABC and MusicXML name modes in words. Converters for each live beside their
format and build on the functions of this module.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

from muspy_like.core.events import KeySignature

__all__ = [
    "MODE_OFFSETS",
    "MODE_FIFTHS",
    "MODES",
    "PITCH_CLASS_NAMES",
    "LETTER_PITCH_CLASSES",
    "normalize_mode",
    "is_minor",
    "pitch_class_of",
    "key_root",
    "fifths_of",
    "transpose_fifths",
    "key_from_fifths",
    "key_from_tonic",
    "key_fifths",
    "midi_key_name",
    "key_from_midi_name",
    "signature_alter",
    "spell",
]

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
#: Steps on the line of fifths from the major tonic of a signature to the mode's tonic.
MODE_FIFTHS = {
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
#: Every mode name the library understands (lower case).
MODES = frozenset(MODE_OFFSETS)
#: Letter names of the natural notes as pitch classes.
LETTER_PITCH_CLASSES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
#: A readable name per pitch class (sharps for C#/F#, flats for Eb/Ab/Bb, as key names are usually spelled).
PITCH_CLASS_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")

_LETTERS_BY_FIFTHS = "FCGDAEB"
_NATURAL_LETTER = {semitone: letter for letter, semitone in LETTER_PITCH_CLASSES.items()}


def normalize_mode(mode: Optional[str]) -> Optional[str]:
    """A mode name in lower case, without surrounding space (None stays None)."""
    return None if mode is None else mode.strip().lower()


def is_minor(key: KeySignature) -> bool:
    """Whether a key is written as minor to formats that know only major and minor (aeolian counts)."""
    return normalize_mode(key.mode) in ("minor", "aeolian")


def pitch_class_of(name: str) -> int:
    """Pitch class of a spelled note name: a letter followed by ``#``/``b`` (or music21's ``-``)."""
    spelled = name.strip().replace("-", "b")
    return (LETTER_PITCH_CLASSES[spelled[0].upper()] + spelled.count("#") - spelled.count("b")) % 12


def _name_on_line_of_fifths(index: int) -> tuple[str, int]:
    """(letter, alter) of the note ``index`` fifths above C (F = -1, G = 1, F sharp = 6, B flat = -2)."""
    shifted = index + 1
    return _LETTERS_BY_FIFTHS[shifted % 7], shifted // 7


def _spelled(letter: str, alter: int) -> str:
    return letter + ("#" * alter if alter > 0 else "b" * -alter)


def key_root(fifths: int, mode: Optional[str]) -> tuple[Optional[int], Optional[str]]:
    """Tonic of a key signature: (pitch class 0-11, spelled name such as ``"Eb"``), or (None, None).

    Parameters
    ----------
    fifths : int
        Sharps (positive) or flats (negative).
    mode : str or None
        ``"major"``, ``"minor"`` or a church mode; None or an unknown mode gives no tonic.
    """
    mode = normalize_mode(mode)
    if mode is None or mode not in MODE_FIFTHS:
        return None, None
    letter, alter = _name_on_line_of_fifths(fifths + MODE_FIFTHS[mode])
    return (LETTER_PITCH_CLASSES[letter] + alter) % 12, _spelled(letter, alter)


def _fewest_accidentals(major_tonic: int) -> int:
    """Signature of the major key on a pitch class, in -5..6 (F sharp major, 6 sharps, over G flat)."""
    fifths = (7 * major_tonic) % 12
    return fifths - 12 if fifths > 6 else fifths


def fifths_of(root: int, mode: Optional[str]) -> int:
    """Key signature (sharps > 0, flats < 0) of a tonic pitch class and mode, preferring fewer accidentals.

    An unknown or missing mode is taken as major.
    """
    offset = MODE_OFFSETS.get(normalize_mode(mode) or "major", 0)
    return _fewest_accidentals((root - offset) % 12)


def transpose_fifths(fifths: int, semitones: int) -> int:
    """The signature of a key moved by ``semitones`` (the enharmonic spelling with fewer accidentals)."""
    return _fewest_accidentals((7 * fifths + semitones) % 12)


def key_from_fifths(time: int, fifths: int, mode: Optional[str] = "major") -> KeySignature:
    """A key from its signature (sharps > 0, flats < 0) and mode; the spelled tonic follows from both.

    A mode this module does not know is kept as given, without a tonic.
    """
    mode = normalize_mode(mode)
    root, root_str = key_root(fifths, mode)
    if root is None:
        return KeySignature(time=time, mode=mode, fifths=int(fifths))
    return KeySignature(time=time, root=root, mode=mode, fifths=int(fifths), root_str=root_str)


def key_from_tonic(time: int, tonic: str, mode: Optional[str] = "major") -> KeySignature:
    """A key from a spelled tonic (``"Bb"``, ``"F#"``, music21's ``"B-"``) and a mode.

    Raises
    ------
    ValueError
        If the tonic is not a letter A-G followed by sharps or flats.
    """
    spelled = tonic.strip().replace("-", "b")
    letter, accidentals = spelled[:1].upper(), spelled[1:]
    if letter not in LETTER_PITCH_CLASSES or accidentals.strip("#") and accidentals.strip("b"):
        raise ValueError(f"not a spelled tonic: {tonic!r}")
    alter = accidentals.count("#") - accidentals.count("b")
    mode = normalize_mode(mode) or "major"
    fifths = _LETTERS_BY_FIFTHS.index(letter) - 1 + 7 * alter - MODE_FIFTHS.get(mode, 0)
    return KeySignature(
        time=time,
        root=(LETTER_PITCH_CLASSES[letter] + alter) % 12,
        mode=mode,
        fifths=fifths if -7 <= fifths <= 7 else None,
        root_str=letter + accidentals,
    )


def key_fifths(key: KeySignature) -> Optional[int]:
    """Sharps (> 0) or flats (< 0) of a key, derived from the tonic and mode when not stored."""
    if key.fifths is not None:
        return key.fifths
    mode = normalize_mode(key.mode) or "major"
    if key.root is None or mode not in MODE_OFFSETS:
        return None
    return fifths_of(key.root, mode)


def midi_key_name(key: KeySignature) -> Optional[str]:
    """mido/miditoolkit key name (``"Eb"``, ``"C#m"``) of a key, or None if it has no signature.

    A church mode is named by the major or minor key with its signature (D dorian is ``"C"``).
    """
    fifths = key_fifths(key)
    if fifths is None:
        return None
    minor = is_minor(key)
    letter, alter = _name_on_line_of_fifths(fifths + (MODE_FIFTHS["minor"] if minor else 0))
    return _spelled(letter, alter) + ("m" if minor else "")


def key_from_midi_name(time: int, name: str) -> KeySignature:
    """A key from a mido/miditoolkit key name (``"Bb"``, ``"F#m"``)."""
    minor = name.endswith("m")
    return key_from_tonic(time, name[:-1] if minor else name, "minor" if minor else "major")


@lru_cache(maxsize=None)
def _spellings(fifths: int) -> tuple[tuple[str, int], ...]:
    """(letter, alter) for each of the 12 pitch classes in the key with ``fifths`` sharps or flats."""
    table: dict[int, tuple[str, int]] = {}
    for index in range(fifths - 1, fifths + 6):
        letter, alter = _name_on_line_of_fifths(index)
        table[(LETTER_PITCH_CLASSES[letter] + alter) % 12] = (letter, alter)
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

    Notes of the key's scale get the key's spelling (B flat in F major, E sharp in F sharp major); other
    notes are natural when they can be, otherwise sharp in sharp keys and flat in flat keys (and in C).

    Examples
    --------
    >>> spell(70, -1)  # B flat 4 in F major
    ('B', -1, 4)
    >>> spell(65, 6)  # E sharp 4 in F sharp major
    ('E', 1, 4)
    """
    letter, alter = _spellings(max(-7, min(7, fifths)))[pitch % 12]
    return letter, alter, (pitch - alter) // 12 - 1


def signature_alter(letter: str, fifths: int) -> int:
    """Semitones a key signature adds to a letter: 1 if it is sharpened, -1 if flattened, else 0.

    Examples
    --------
    >>> signature_alter("F", 2), signature_alter("B", -1), signature_alter("C", -1)
    (1, -1, 0)
    """
    position = _LETTERS_BY_FIFTHS.index(letter.upper())
    if fifths >= 0:
        return 1 if position < fifths else 0
    return -1 if 6 - position < -fifths else 0
