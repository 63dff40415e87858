"""The values of ABC header fields the reader interprets itself: keys with their mode, tempos, voices.

music21 reads ``K:C loc`` as C major and drops church modes from key signatures; these helpers read the
field text as ABC 2.1 writes it (section 3.1.14 for ``K:``, 3.1.8 for ``Q:``, 3.3 for ``V:``).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import NamedTuple, Optional

__all__ = [
    "ParsedKey",
    "parse_key",
    "tempo_qpm",
    "voice_id",
    "voice_name",
    "sounding_shift",
    "staff_groups",
    "INLINE_FIELD",
]

#: An inline field such as ``[K:G]``: music21 takes it for a chord, so the reader puts it on a line of its own.
INLINE_FIELD = re.compile(r"\[([A-Za-z]):([^\]\n]*)\]")

_KEY_VALUE = re.compile(r"^\s*([A-Ga-g])([#b]?)\s*([A-Za-z]*)(.*)$", re.DOTALL)
#: Mode words of a ``K:`` field, recognised by their first three letters (``m`` alone is minor).
_MODE_PREFIXES = {
    "maj": "major",
    "ion": "ionian",
    "min": "minor",
    "aeo": "aeolian",
    "dor": "dorian",
    "phr": "phrygian",
    "lyd": "lydian",
    "mix": "mixolydian",
    "loc": "locrian",
}
_VOICE_NAME = re.compile(r"""\b(?:name|nm)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))""", re.IGNORECASE)
#: A clef with an octave mark (``treble-8``, ``-8va``, ``clef=bass+8``), ``octave=`` and ``transpose=`` options.
_OCTAVE_CLEF = re.compile(r"(?:^|\s|[a-z])([+-])8(?:va|vb)?(?=\s|$)", re.IGNORECASE)
_OCTAVE_OPTION = re.compile(r"\boctave\s*=\s*([+-]?\d+)", re.IGNORECASE)
_TRANSPOSE_OPTION = re.compile(r"\btranspose\s*=\s*([+-]?\d+)", re.IGNORECASE)
_TEMPO_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*$")
_TEMPO_BEATS = re.compile(r"^\s*((?:\d+/\d+\s*)+)=\s*(\d+(?:\.\d+)?)\s*$")


class ParsedKey(NamedTuple):
    """A ``K:`` value: tonic (``"F#"``, ``"Bb"``), mode (a name of :data:`muspy_like.theory.MODES`), the rest."""

    tonic: str
    mode: str
    rest: str


def parse_key(value: str) -> Optional[ParsedKey]:
    """Tonic, mode and remaining options of a ``K:`` value; None for a key without tonic (``K:none``, ``K:HP``).

    Examples
    --------
    >>> parse_key("Bb dorian clef=bass")
    ParsedKey(tonic='Bb', mode='dorian', rest=' clef=bass')
    >>> parse_key("Em")
    ParsedKey(tonic='E', mode='minor', rest='')
    """
    match = _KEY_VALUE.match(value)
    if match is None or value.strip().lower().startswith(("none", "hp")):
        return None
    letter, accidental, word, rest = match.groups()
    lowered = word.lower()
    if not lowered:
        mode = "major"
    elif lowered == "m":
        mode = "minor"
    else:
        found = _MODE_PREFIXES.get(lowered[:3])
        if found is None:  # not a mode word: a clef or another key-field option
            found, rest = "major", word + rest
        mode = found
    return ParsedKey(letter.upper() + accidental, mode, rest)


def tempo_qpm(value: str) -> Optional[float]:
    """Quarter notes per minute of a ``Q:`` value, or None when it gives no number (``Q:"Allegro"``).

    ``Q:1/4=120`` and ``Q:"Allegro" 3/8=60`` give the beat as note lengths (several are added:
    ``Q:1/4 3/8=40``); a bare number (``Q:90``) is quarter notes per minute, as music21 reads it.

    Examples
    --------
    >>> tempo_qpm('"Lively" 3/8=60')
    90.0
    >>> tempo_qpm("120")
    120.0
    """
    text = re.sub(r'"[^"]*"', " ", value)
    bare = _TEMPO_NUMBER.match(text)
    if bare:
        return float(bare.group(1))
    beats = _TEMPO_BEATS.match(text)
    if beats is None:
        return None
    whole_notes = sum(Fraction(part) for part in beats.group(1).split())
    number = float(beats.group(2))
    return number if whole_notes == Fraction(1, 4) else float(number * whole_notes * 4)


def voice_id(value: str) -> str:
    """The identifier of a ``V:`` field (its first word): ``V:1 name="Tenor"`` is voice ``"1"``."""
    words = value.split()
    return words[0] if words else ""


def voice_name(value: str) -> Optional[str]:
    """The ``name=`` (or ``nm=``) of a ``V:`` field, None if it has none."""
    from muspy_like.io.abc.text import field_text

    match = _VOICE_NAME.search(value)
    if match is None:
        return None
    return field_text(match.group(1) if match.group(1) is not None else match.group(2))


def sounding_shift(value: str) -> Optional[int]:
    """Semitones between written and sounding pitch set by the options of a ``K:`` or ``V:`` field.

    A clef with ``-8`` or ``+8`` (``treble-8``, ``-8va``) sounds an octave lower or higher, ``octave=n``
    moves the music by ``n`` octaves and ``transpose=n`` by ``n`` semitones (ABC 2.1, section 4.6; abc2midi
    plays them so). A bass or alto clef alone changes nothing (music21 lowers a bass clef by two
    octaves, against the standard). None when the field sets none of them.

    Examples
    --------
    >>> sounding_shift("E phr -8va"), sounding_shift("G clef=bass"), sounding_shift("1 clef=treble-8 octave=1")
    (-12, None, 0)
    """
    shifts = [12 if sign == "+" else -12 for sign in _OCTAVE_CLEF.findall(value)]
    shifts += [12 * int(n) for n in _OCTAVE_OPTION.findall(value)]
    shifts += [int(n) for n in _TRANSPOSE_OPTION.findall(value)]
    return sum(shifts) if shifts else None


_SCORE_DIRECTIVE = re.compile(r"^%%(?:score|staves)\b(.*)$", re.MULTILINE)
_SCORE_ITEM = re.compile(r"[()]|[^\s()\[\]{}|*]+")


def staff_groups(text: str) -> list[list[str]]:
    """Voices that share a staff, from the ``%%score`` (or ``%%staves``) directive of a tune.

    Voices in parentheses are on one staff (``%%score (1 2) 3``: voices 1 and 2), which the reader takes
    as one part: it merges them into one track. Brackets and braces only group staves. Only groups of two
    or more voices are returned; the first directive counts.

    Examples
    --------
    >>> staff_groups("%%score [(S A) (T B)] {RH | LH}\\n")
    [['S', 'A'], ['T', 'B']]
    """
    match = _SCORE_DIRECTIVE.search(text)
    if match is None:
        return []
    groups: list[list[str]] = []
    current: Optional[list[str]] = None
    for item in _SCORE_ITEM.findall(match.group(1)):
        if item == "(":
            current = []
        elif item == ")":
            if current is not None and len(current) > 1:
                groups.append(current)
            current = None
        elif current is not None:
            current.append(item)
    return groups
