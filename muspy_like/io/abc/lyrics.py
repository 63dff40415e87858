"""``w:`` lyrics lines aligned with the notes of the music lines they follow (music21 ignores them).

As in ABC 2.1 (section 5.1), syllables go to notes in order, skipping rests, grace notes and tied
continuations; ``*`` and ``_`` skip a note, ``|`` moves to the next bar, ``~`` is a space and ``\\-`` a
hyphen inside a syllable. Syllables joined by ``-`` keep their hyphenation as MusPy stores it
(``"Tra -"``, ``"- la -"``, ``"- li"``), the form of our MusicXML and MuseScore readers. A music line
continued with ``\\`` shares the next ``w:`` line. Only the first ``w:`` line under a music line (the first
verse) is read.
"""

from __future__ import annotations

from typing import Optional

from muspy_like.core.events import Lyric
from muspy_like.extras import require
from muspy_like.io.abc.tokens import default_voice
from muspy_like.io.abc.tunebook import FIELD_LINE
from muspy_like.io.abc.voices import NoteEvent, Timeline, ticks
from muspy_like.io.score_common import hyphenated_syllable, split_syllable

__all__ = ["voice_lyrics", "syllables"]


class _Block:
    """Where one voice stands while the lines are scanned: notes so far, and the ``w:`` lines found."""

    def __init__(self) -> None:
        self.count = 0
        self.start: Optional[int] = None
        self.continued = False
        self.lines: list[tuple[int, int, str]] = []


def voice_lyrics(text: str, timelines: list[Timeline], resolution: int) -> dict[str, list[Lyric]]:
    """Lyrics of each voice (by ``V:`` identifier) from the ``w:`` lines of a prepared tune text.

    A voice whose music lines do not add up to its notes (a construct the line count does not follow) gets
    no lyrics rather than misplaced ones.
    """
    if "w:" not in text:
        return {}
    blocks = _scan_lines(text)
    result: dict[str, list[Lyric]] = {}
    for timeline in timelines:
        block = blocks.get(timeline.voice.identifier)
        if block is not None and block.count == len(timeline.events) and block.lines:
            result[timeline.voice.identifier] = _align(block.lines, timeline.events, resolution)
    return result


def _scan_lines(text: str) -> dict[str, _Block]:
    """Per voice: the number of note tokens of its music lines, and its ``w:`` lines with the notes they cover."""
    abcFormat = require("music21.abcFormat", "music21", "ABC notation")

    lines = text.split("\n")
    default = default_voice([line.strip() for line in lines if line.strip().startswith(("V:", "K:"))])
    blocks: dict[str, _Block] = {}
    current: Optional[str] = None
    in_header = True
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("V:"):
            words = stripped[2:].split()
            current = words[0] if words else default
        elif stripped.startswith("K:") and in_header:
            in_header, current = False, None
        elif stripped.startswith("w:"):
            block = blocks.get(current if current is not None else default)
            if block is not None and block.start is not None:
                block.lines.append((block.start, block.count, stripped[2:]))
                block.start = None
        elif stripped and not stripped.startswith("%") and not FIELD_LINE.match(stripped):
            block = blocks.setdefault(current if current is not None else default, _Block())
            handler = abcFormat.ABCHandler()
            handler.tokenize(line)
            if block.start is None or not block.continued:
                block.start = block.count
            block.count += sum(isinstance(t, abcFormat.ABCNote) for t in handler.tokens)
            block.continued = stripped.endswith("\\")
    return blocks


def _align(lines: list[tuple[int, int, str]], events: list[NoteEvent], resolution: int) -> list[Lyric]:
    lyrics: list[Lyric] = []
    continued = False  # a word broken at the end of a w: line goes on in the next one
    for first, stop, words in lines:
        slots = [
            e for e in events[first:stop] if e.pitches and not e.grace and not e.continues
        ]
        position = 0
        items = syllables(words, continued)
        for syllable in items:
            if syllable == "|":
                if position:
                    bar = slots[position - 1].bar
                    while position < len(slots) and slots[position].bar == bar:
                        position += 1
                continue
            if position < len(slots) and syllable is not None:
                lyrics.append(Lyric(ticks(slots[position].onset, resolution), syllable))
            position += 1
        last = next((item for item in reversed(items) if item not in (None, "|")), None)
        continued = last is not None and split_syllable(last)[1] in ("begin", "middle")
    return lyrics


def syllables(words: str, continued: bool = False) -> list[Optional[str]]:
    """Syllables of a ``w:`` line: None for a skipped note, ``"|"`` for a move to the next bar.

    A backslash makes the next character part of the syllable (``\\-`` is a hyphen); an unescaped ``%``
    starts a comment. Syllables of one word, joined by ``-``, carry their hyphenation as MusPy and our
    MusicXML and MuseScore readers store it (:func:`~muspy_like.io.score_common.hyphenated_syllable`):
    ``Tra-la-li`` gives ``"Tra -"``, ``"- la -"``, ``"- li"``. ``continued`` says that the line before
    ended inside a word (``Tra-`` at its end), so that the first syllable here continues it.

    Examples
    --------
    >>> syllables(r"Hel-lo wor~ld * | x\\-y % comment")
    ['Hel -', '- lo', 'wor ld', None, '|', 'x-y']
    """
    items: list[Optional[str]] = []
    raw: list[tuple[int, bool]] = []  # (index in items, the word goes on after it) of each syllable
    current, previous = "", " "
    index = 0

    def finish(goes_on: bool) -> None:
        raw.append((len(items), goes_on))
        items.append(current)

    while index < len(words):
        char = words[index]
        if char == "\\" and index + 1 < len(words):
            current += words[index + 1]
            index += 2
            previous = "x"
            continue
        if char == "%":
            break
        if char == "~":
            current += " "
        elif char in " \t-_*|":
            if current:
                finish(char == "-")
                current = ""
            elif char == "-" and previous == "-":
                items.append(None)  # a second hyphen moves past one more note
            elif char == "-" and raw:
                raw[-1] = (raw[-1][0], True)  # "Tra -la": a hyphen after spaces still joins the word
            if char in "_*":
                items.append(None)
            elif char == "|":
                items.append("|")
        else:
            current += char
        previous = char
        index += 1
    if current:
        finish(False)
    for at, goes_on in raw:
        syllabic = {(False, True): "begin", (True, True): "middle", (True, False): "end"}.get((continued, goes_on))
        items[at] = hyphenated_syllable(items[at], syllabic)
        continued = goes_on
    return items
