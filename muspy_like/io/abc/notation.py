"""How one voice is written: notes, chords and rests with their lengths, triplets, lines and ``w:`` lines."""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple, Optional, Union

from muspy_like.core.events import KeySignature
from muspy_like.io.abc.text import escape_syllable
from muspy_like.io.score_common import split_syllable
from muspy_like.theory import key_fifths, key_from_fifths

__all__ = ["FieldLine", "Written", "voice_lines", "lyric_word", "key_text", "number_text", "BAR", "FINAL_BAR"]

BAR = "|"
FINAL_BAR = "|]"
#: Bars per line of music (each followed by its ``w:`` line).
BARS_PER_LINE = 4
MODE_WORDS = {
    "major": "",
    "minor": "m",
    "ionian": " ion",
    "aeolian": " aeo",
    "dorian": " dor",
    "phrygian": " phr",
    "lydian": " lyd",
    "mixolydian": " mix",
    "locrian": " loc",
}


class FieldLine(NamedTuple):
    """A field (``K:G``, ``M:3/4``, ``Q:1/4=90``) on a line of its own inside the tune body."""

    text: str


class Written(NamedTuple):
    """One note, chord or rest as written.

    ``pitches`` are spelled (None for a rest), ``length`` is in unit notes, ``tied`` ties it to the next;
    ``syllable`` is its lyric, when it starts a note (not a tied continuation) that has one.
    """

    pitches: Optional[tuple[str, ...]]
    length: Fraction
    tied: bool
    starts_note: bool = False
    syllable: Optional[str] = None

    def text(self, scale: Fraction = Fraction(1)) -> str:
        length = _length(self.length * scale)
        if self.pitches is None:
            return f"z{length}"
        tie = "-" if self.tied else ""
        if len(self.pitches) == 1:
            return f"{self.pitches[0]}{length}{tie}"
        return "[" + "".join(self.pitches) + f"]{length}{tie}"

    @property
    def triplet_length(self) -> Optional[Fraction]:
        """The plain note value (a power of two of unit notes) this is a triplet of, or None."""
        plain = self.length * Fraction(3, 2)
        is_power_of_two = (
            plain.numerator & (plain.numerator - 1) == 0 and plain.denominator & (plain.denominator - 1) == 0
        )
        return plain if is_power_of_two and (plain.numerator == 1 or plain.denominator == 1) else None


def _length(units: Fraction) -> str:
    """ABC length suffix of a duration in unit notes (eighths)."""
    if units == 1:
        return ""
    if units.denominator == 1:
        return str(units.numerator)
    if units.numerator == 1:
        return f"/{units.denominator}"
    return f"{units.numerator}/{units.denominator}"


def voice_lines(items: list[Union[Written, FieldLine, str]]) -> list[str]:
    """Text of a voice, four bars a line, each followed by its ``w:`` lyrics line when it has lyrics.

    Syllables of one word are joined with ``-`` (:func:`lyric_word`).

    Three untied notes of one triplet value in a row become a ``(3`` triplet.
    """
    lines: list[str] = []
    tokens: list[str] = []
    words: list[tuple[str, bool]] = []

    def flush() -> None:
        if tokens:
            lines.append(" ".join(tokens))
            if any(word != "*" for word, _ in words):
                lines.append("w: " + "".join(word + ("-" if joined else " ") for word, joined in words).rstrip())
        tokens.clear()
        words.clear()

    bars, i = 0, 0
    while i < len(items):
        group = items[i : i + 3]
        if (
            len(group) == 3
            and all(isinstance(x, Written) and not x.tied and x.triplet_length is not None for x in group)
            and len({x.length for x in group}) == 1
        ):
            tokens.append("(3" + " ".join(x.text(Fraction(3, 2)) for x in group))
            words.extend(lyric_word(x.syllable) for x in group if x.starts_note)
            i += 3
            continue
        item = items[i]
        i += 1
        if isinstance(item, FieldLine):
            flush()
            lines.append(item.text)
        elif isinstance(item, Written):
            tokens.append(item.text())
            if item.starts_note:
                words.append(lyric_word(item.syllable))
        else:
            tokens.append(item)
            bars += item == BAR
            if item == BAR and bars % BARS_PER_LINE == 0:
                flush()
    flush()
    return lines


def lyric_word(syllable: Optional[str]) -> tuple[str, bool]:
    """A syllable as written in a ``w:`` line, and whether its word goes on (a ``-`` joins the next one).

    A syllable hyphenated as MusPy stores it (``"Tra -"``, ``"- la -"``, ``"- li"``; see
    :func:`~muspy_like.io.score_common.split_syllable`) is written as ABC joins the syllables of a word:
    ``Tra-la-li``. The leading ``"- "`` is not written: the reader restores it from the hyphen before.

    Examples
    --------
    >>> lyric_word("Tra -"), lyric_word("- li"), lyric_word("self-made"), lyric_word(None)
    (('Tra', True), ('li', False), ('self\\\\-made', False), ('*', False))
    """
    text, syllabic = split_syllable(syllable or "")
    return escape_syllable(text), syllabic in ("begin", "middle")


def key_text(key: KeySignature) -> str:
    """The ``K:`` value of a key signature: its tonic and mode (``Bb``, ``Em``, ``D dor``), ``C`` if unknown."""
    fifths = key_fifths(key)
    if key.root_str is not None and key.mode is not None:
        return key.root_str + MODE_WORDS.get(key.mode.lower(), "")
    if fifths is None:
        return "C"
    mode = (key.mode or "major").lower()
    spelled = key_from_fifths(0, fifths, mode if mode in MODE_WORDS else "major")
    return (spelled.root_str or "C") + MODE_WORDS.get(spelled.mode, "")


def number_text(value: float) -> str:
    """A number as written in a field: an integer without decimals, else at most three decimals."""
    text = f"{float(value):.3f}".rstrip("0").rstrip(".")
    return text or "0"
