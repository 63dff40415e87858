"""Split an ABC file into its tunes, once, without parsing any of them.

An ABC file is a single tune or a *tune book*: tunes that each start with an ``X:`` reference-number
field. The field lines before the first ``X:`` form the file header and apply to every tune (ABC 2.1,
section 2.2). Splitting is a single pass over the text, so a book of any size costs time in proportion to
its length, and a tune that music21 cannot parse never stops the others from being read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from muspy_like.errors import ABCError

__all__ = ["Tune", "TuneBook", "load_tune_book", "split_tune_book", "decode_abc", "abc_lines"]

#: A field line such as ``T:Title`` or ``K:G``.
FIELD_LINE = re.compile(r"^[A-Za-z+]:")
_REFERENCE = re.compile(r"X:\s*(\d+)")
_TITLE = re.compile(r"^T:([^\n]*)$", re.MULTILINE)


@dataclass(frozen=True)
class Tune:
    """One tune of an ABC file, not yet parsed.

    Parameters
    ----------
    index : int
        0-based position of the tune in the file.
    number : int, optional
        Its ``X:`` reference number (None when the field is missing or not a number).
    line : int
        1-based line of the file where the tune starts (its ``X:`` line).
    text : str
        The tune's text: its ``X:`` line, the file-header fields, then the rest of the tune.
    """

    index: int
    number: Optional[int]
    line: int
    text: str

    @property
    def title(self) -> Optional[str]:
        """The first ``T:`` field of the tune (None if it has none or it is empty)."""
        match = _TITLE.search(self.text)
        return (match.group(1).strip() or None) if match else None

    def where(self, path: Union[str, Path]) -> str:
        """``path: tune X:7 (line 120)`` (the position, 0-based, when the tune has no number)."""
        name = f"X:{self.number}" if self.number is not None else f"#{self.index} (no X: number)"
        return f"{path}: tune {name} (line {self.line})"


@dataclass(frozen=True)
class TuneBook:
    """The tunes of one ABC file, in file order.

    Parameters
    ----------
    path : Path
        The file, as the user named it (used in messages).
    tunes : tuple of Tune
        Every tune, in file order.
    """

    path: Path
    tunes: tuple[Tune, ...]

    def __len__(self) -> int:
        return len(self.tunes)

    def find(self, number: int) -> Tune:
        """The first tune whose ``X:`` reference number is ``number``.

        Raises
        ------
        ABCError
            If no tune has that number (the message lists the numbers the file holds).
        """
        for tune in self.tunes:
            if tune.number == number:
                return tune
        raise ABCError(f"{self.path}: no tune with reference number X:{number} (the file holds {self.numbers()})")

    def numbers(self) -> str:
        """The reference numbers of the file, shortened for messages: ``X:1..X:554 (554 tunes)``."""
        numbers = [t.number for t in self.tunes]
        if not numbers:
            return "no tune"
        if len(numbers) == 1:
            return f"one tune, X:{numbers[0]}"
        return f"{len(numbers)} tunes, X:{numbers[0]} to X:{numbers[-1]}"


def decode_abc(raw: bytes) -> str:
    """ABC text from bytes: UTF-8, or Latin-1 (the usual encoding of older tune books) when not valid UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def load_tune_book(path: Union[str, Path]) -> TuneBook:
    """Read an ABC file and split it into tunes (see :func:`split_tune_book`).

    Raises
    ------
    ABCError
        If the file cannot be read (the message names it).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ABCError(f"{path}: cannot read the file: {error}") from error
    return TuneBook(path, tuple(split_tune_book(decode_abc(raw))))


def abc_lines(text: str) -> list[str]:
    """The lines of an ABC text: split at ``\\n``, ``\\r\\n`` or ``\\r`` only.

    (``str.splitlines`` also splits at Unicode line separators such as U+0085, which tune books in
    Latin-1 or UTF-8 hold inside text fields: essenFolksong/han1.abc has one in an ``N:`` line.)
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def split_tune_book(text: str) -> list[Tune]:
    """The tunes of an ABC text, each with the file-header fields inserted after its ``X:`` line.

    A tune runs from its ``X:`` line to the line before the next ``X:`` line (as music21 splits books). A
    text without any ``X:`` line is one tune, numbered 1. Lines end with its text's line breaks, and only
    with them (see :func:`abc_lines`).
    """
    lines = abc_lines(text)
    if lines and lines[-1] == "":
        lines.pop()
    starts = [i for i, line in enumerate(lines) if line.startswith("X:")]
    if not starts:
        return [Tune(0, 1, 1, "\n".join(["X:1", *lines]) + "\n")]
    header = [line for line in lines[: starts[0]] if FIELD_LINE.match(line)]
    tunes = []
    for index, (start, stop) in enumerate(zip(starts, starts[1:] + [len(lines)])):
        match = _REFERENCE.match(lines[start])
        body = [lines[start], *header, *lines[start + 1 : stop]]
        tunes.append(Tune(index, int(match.group(1)) if match else None, start + 1, "\n".join(body) + "\n"))
    return tunes
