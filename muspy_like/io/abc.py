"""ABC notation: reading through music21, and a native writer.

Reading
-------
A file may be a single tune or a tune book (several tunes, each starting with an ``X:`` field; the fields
before the first ``X:`` form the file header and apply to every tune). Each tune is parsed by music21's
ABC parser and converted with :func:`muspy_like.interop.from_music21`, then two music21 weaknesses are
corrected:

* key changes: music21 drops some inline ``K:`` changes; we place every ``K:`` field at the onset of the
  note that follows it, with its mode (in single-voice tunes; in multi-voice tunes music21's keys are kept);
* the locrian mode, which music21 does not recognise (it reads ``K:C loc`` as C major and spells the notes
  wrongly): the field is handed to music21 as the major key with the same signature.

Grace notes take no metrical time and are dropped; chord symbols become track annotations of group
``"chord_symbol"``; tuplets whose notes fall between ticks are rounded to the nearest tick (choose a
``resolution`` divisible by the tuplet sizes, e.g. 840, for exact times).

Writing
-------
:func:`write_abc` writes ABC 2.1 itself (no music21 needed); see its docstring for the policies.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional, Union

from muspy_like.core.events import KeySignature
from muspy_like.core.music import DEFAULT_RESOLUTION, Music
from muspy_like.errors import ABCError
from muspy_like.interop._keys import key_from_tonic, midi_key_name

__all__ = ["read_abc", "read_abc_single", "write_abc"]

_FIELD = re.compile(r"^[A-Za-z+]:")
_KEY_FIELD = re.compile(r"(^K:|\[K:)([^\]\n%]*)", re.MULTILINE)
_KEY_VALUE = re.compile(r"^\s*([A-Ga-g])([#b]?)\s*([A-Za-z]*)(.*)$", re.DOTALL)
_MODES = {
    "maj": "major",
    "ion": "ionian",
    "min": "minor",
    "m": "minor",
    "aeo": "aeolian",
    "dor": "dorian",
    "phr": "phrygian",
    "lyd": "lydian",
    "mix": "mixolydian",
    "loc": "locrian",
}


def read_abc(path: Union[str, Path], number: Optional[int] = None, resolution: int = DEFAULT_RESOLUTION) -> list[Music]:
    """Read an ABC file (a tune or a tune book) into one Music per tune.

    Parameters
    ----------
    path : str or Path
        The ``.abc`` file (UTF-8, or Latin-1 when it is not valid UTF-8).
    number : int, optional
        Read only the tune whose ``X:`` reference number this is.
    resolution : int, default 24
        Ticks per quarter note.

    Returns
    -------
    list of Music
        In file order. Each has the title (``T:``), composers (``C:``), tempo (``Q:``), key and time
        signatures, and one track per voice.

    Raises
    ------
    ABCError
        If the file cannot be read, has no tune with ``number``, or music21 cannot parse a tune (the
        message names the file and the tune).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ABCError(f"{path}: cannot read the file: {error}") from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    header, tunes = _split_tune_book(text)
    if number is not None:
        tunes = [(n, body) for n, body in tunes if n == number]
        if not tunes:
            raise ABCError(f"{path}: no tune with reference number X:{number}")
    return [_read_tune(path, n, body, header, resolution) for n, body in tunes]


def read_abc_single(path: Union[str, Path], **kwargs: Any) -> Music:
    """Read the one tune of an ABC file (used by :func:`muspy_like.read`).

    Keyword arguments go to :func:`read_abc` (``number``, ``resolution``).

    Raises
    ------
    ABCError
        If the file is a tune book with several tunes and no ``number`` was given: call :func:`read_abc`
        for the list, or pass ``number=``.
    """
    tunes = read_abc(path, **kwargs)
    if len(tunes) != 1:
        raise ABCError(
            f"{path}: the file holds {len(tunes)} tunes; call muspy_like.read_abc() to get them all, "
            "or pass number=<X: reference number> to pick one"
        )
    return tunes[0]


def _split_tune_book(text: str) -> tuple[list[str], list[tuple[Optional[int], str]]]:
    """File-header field lines, and (reference number, text) of each tune."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("X:")]
    if not starts:
        return [], [(None, "X:1\n" + text)]
    header = [line for line in lines[: starts[0]] if _FIELD.match(line)]
    tunes = []
    for start, stop in zip(starts, starts[1:] + [len(lines)]):
        match = re.match(r"X:\s*(\d+)", lines[start])
        tunes.append((int(match.group(1)) if match else None, "\n".join(lines[start:stop]) + "\n"))
    return header, tunes


def _parse_key(value: str) -> Optional[tuple[str, str, str]]:
    """(tonic, mode, rest of the field) of a ``K:`` value, or None for a key without tonic (``K:none``)."""
    match = _KEY_VALUE.match(value)
    if match is None or value.strip().lower().startswith(("none", "hp")):
        return None
    letter, accidental, word, rest = match.groups()
    mode = "major"
    lowered = word.lower()
    for prefix, name in sorted(_MODES.items(), key=lambda item: -len(item[0])):
        if lowered.startswith(prefix) and (prefix != "m" or lowered in ("m",) or not lowered[1:2].isalpha()):
            mode = name
            break
    else:
        if word:  # not a mode word: a clef or other key-field option
            rest = word + rest
    return letter.upper() + accidental, mode, rest


def _music21_key_field(match: re.Match) -> str:
    """A ``K:`` field rewritten so that music21 understands it (locrian as its relative major)."""
    parsed = _parse_key(match.group(2))
    if parsed is None or parsed[1] != "locrian":
        return match.group(0)
    tonic, _, rest = parsed
    fifths = key_from_tonic(0, tonic, "locrian").fifths
    return f"{match.group(1)}{midi_key_name(KeySignature(time=0, fifths=fifths, mode='major'))}{rest}"


def _read_tune(path: Path, number: Optional[int], body: str, header: list[str], resolution: int) -> Music:
    from music21 import abcFormat
    from music21.abcFormat import translate

    from muspy_like.interop.music21_interop import from_music21

    lines = body.splitlines()
    text = "\n".join(lines[:1] + header + lines[1:]) + "\n"
    where = f"{path}: tune X:{number}" if number is not None else f"{path}"
    try:
        handler = abcFormat.ABCHandler()
        handler.process(_KEY_FIELD.sub(_music21_key_field, text))
        score = translate.abcToStreamScore(handler)
    except Exception as error:  # music21's ABC parser raises many unrelated types on bad input
        raise ABCError(f"{where}: music21 cannot parse it: {type(error).__name__}: {error}") from error
    music = from_music21(score, resolution)
    music.metadata.source_format = "abc"
    music.metadata.source_filename = path.name
    keys = _key_changes(handler, score, text, resolution)
    if keys is not None:
        music.key_signatures = keys
    return music


def _key_changes(handler: Any, score: Any, text: str, resolution: int) -> Optional[list]:
    """Every ``K:`` field at the onset of the next note (single-voice tunes), or None to keep music21's."""
    from music21 import abcFormat, harmony

    parts = list(score.parts)
    if len(parts) != 1:
        return None
    events = [e for e in parts[0].recurse().notesAndRests if not isinstance(e, harmony.ChordSymbol)]
    originals = [m.group(2) for m in _KEY_FIELD.finditer(text)]
    positions, count = [], 0
    for token in handler.tokens:
        if isinstance(token, abcFormat.ABCNote):
            count += 1
        elif isinstance(token, abcFormat.ABCMetadata) and token.isKey():
            positions.append(count)
    if count != len(events) or len(positions) != len(originals):
        return None
    end = max((e.getOffsetInHierarchy(score) + e.quarterLength for e in events), default=0)
    keys = []
    for position, original in zip(positions, originals):
        parsed = _parse_key(original)
        if parsed is None:
            continue
        offset = events[position].getOffsetInHierarchy(score) if position < len(events) else end
        time = int(float(offset) * resolution + 0.5)
        key = key_from_tonic(time, parsed[0], parsed[1])
        if not keys or (keys[-1].time, keys[-1].root, keys[-1].mode) != (key.time, key.root, key.mode):
            keys = [k for k in keys if k.time != time] + [key]
    return keys
