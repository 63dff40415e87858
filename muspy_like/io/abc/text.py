"""Text in ABC fields and lyrics: what the writer escapes and the reader unescapes.

An ABC line ends at a line break and a ``%`` starts a comment, so a title, a voice name or a syllable
holding either would break the file. ABC 2.1 (section 8.1, text strings) escapes ``%`` as ``\\%`` and a
backslash as ``\\\\``; in ``w:`` lines ``\\-`` is a hyphen inside a syllable. The writer escapes the other
characters that have a meaning in ``w:`` lines (``_ * | ~``) the same way, and turns line breaks and
tabs into spaces (ABC has no line break inside a field or a syllable). The reader undoes every escape.
music21 does not know the escapes: it cuts a field at the first ``%``, escaped or not.
"""

from __future__ import annotations

import re
from typing import Optional

__all__ = ["escape_field", "field_text", "escape_syllable", "escape_quoted"]

_WHITESPACE = re.compile(r"\s+")
#: Characters with a meaning in a ``w:`` line, written with a backslash inside a syllable.
_LYRIC_SPECIALS = "\\%-_*|~"


def _one_line(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def escape_field(text: str) -> str:
    """A field value (``T:``, ``C:``) on one line, with ``\\`` and ``%`` escaped.

    Examples
    --------
    >>> escape_field("50% off\\nnow")
    '50\\\\% off now'
    """
    return _one_line(text).replace("\\", "\\\\").replace("%", "\\%")


def escape_quoted(text: str) -> str:
    """A value written between double quotes (``V:1 name="..."``): one line, quotes as ``\\"``."""
    return escape_field(text).replace('"', '\\"')


def field_text(raw: str) -> Optional[str]:
    """The value of a field line as written: the comment (an unescaped ``%``) cut, escapes undone, stripped.

    Examples
    --------
    >>> field_text(r"50\\% off % a comment")
    '50% off'
    >>> field_text("  % only a comment") is None
    True
    """
    out: list[str] = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char == "\\" and index + 1 < len(raw):
            out.append(raw[index + 1])
            index += 2
            continue
        if char == "%":
            break
        out.append(char)
        index += 1
    return "".join(out).strip() or None


def escape_syllable(syllable: Optional[str]) -> str:
    """A syllable as written in a ``w:`` line: ``*`` for none, spaces as ``~``, specials escaped.

    Examples
    --------
    >>> escape_syllable("Herr\\nsieh"), escape_syllable("self-made"), escape_syllable("")
    ('Herr~sieh', 'self\\\\-made', '*')
    """
    text = _one_line(syllable or "")
    if not text:
        return "*"
    escaped = "".join("\\" + char if char in _LYRIC_SPECIALS else char for char in text)
    return escaped.replace(" ", "~")
