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
from fractions import Fraction
from pathlib import Path
from typing import Any, Optional, Union

from muspy_like.core.events import KeySignature
from muspy_like.core.music import DEFAULT_RESOLUTION, Music
from muspy_like.errors import ABCError
from muspy_like.interop._keys import key_fifths, key_from_fifths, key_from_tonic, midi_key_name

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


# -- writing --------------------------------------------------------------------------------------------

_SHARP_ORDER = "FCGDAEB"
_SHARP_SPELLING = [("C", 0), ("C", 1), ("D", 0), ("D", 1), ("E", 0), ("F", 0), ("F", 1), ("G", 0), ("G", 1), ("A", 0), ("A", 1), ("B", 0)]
_FLAT_SPELLING = [("C", 0), ("D", -1), ("D", 0), ("E", -1), ("E", 0), ("F", 0), ("G", -1), ("G", 0), ("A", -1), ("A", 0), ("B", -1), ("B", 0)]
_ACCIDENTALS = {-1: "_", 0: "=", 1: "^"}
_MODE_WORDS = {"major": "", "minor": "m", "ionian": " ion", "aeolian": " aeo", "dorian": " dor",
               "phrygian": " phr", "lydian": " lyd", "mixolydian": " mix", "locrian": " loc"}
_BARS_PER_LINE = 4


def write_abc(path: Union[str, Path], music: Music, number: int = 1, title: Optional[str] = None) -> None:
    """Write a Music as an ABC 2.1 tune, atomically.

    Parameters
    ----------
    path : str or Path
        Target ``.abc`` file.
    music : Music
        The piece.
    number : int, default 1
        Reference number (``X:``).
    title : str, optional
        Title (``T:``); default ``music.metadata.title``.

    Notes
    -----
    The header carries ``X``, ``T``, ``C`` (creators), ``M`` (first time signature, 4/4 when there is
    none), ``L:1/8``, ``Q:1/4=qpm`` (first tempo) and ``K`` (first key, with its mode). Later tempo, key and
    time-signature changes are inline fields (``[Q:...]``, ``[K:...]``, ``[M:...]``). Bars follow the
    time signatures; a note crossing a barline or a change is split and tied (``-``). Notes sharing onset
    and length are a chord (``[CEG]``); gaps are rests (``z``). Each track is written as one voice
    (``V:``), or several when its notes overlap without forming chords. Ties inside chords use the ABC 2.1
form ``[B,4-D4-]``; music21's ABC reader ignores ties on chords (it reads two chords). Lengths are exact fractions of
    the unit note: three notes of a third of a quarter each are written as the tuplet ``(3`` with eighth
    lengths; other lengths off the binary grid are written as plain fractions (``A2/3``), which ABC
    readers accept. Pitches are spelled with sharps in sharp keys and flats in flat keys, and an explicit
    accidental is written whenever the key signature or an earlier accidental in the bar would imply
    another pitch (every note, when the key changes or is locrian, because readers such as music21 apply
    inline key changes unreliably). Velocities, programs, lyrics, annotations, control changes, pitch bends and
    zero-length notes are not written.

    Raises
    ------
    ABCError
        If ``music`` is not a Music.
    """
    from muspy_like.files import atomic_write_text

    if not isinstance(music, Music):
        raise ABCError(f"{path}: write_abc() expects a Music, got {type(music).__name__}")
    text = _AbcWriter(music).tune(number, title if title is not None else music.metadata.title)
    atomic_write_text(path, text)


class _AbcWriter:
    """Renders one Music as the text of an ABC tune."""

    def __init__(self, music: Music) -> None:
        self.music = music
        self.eighth = Fraction(music.resolution, 2)
        end = music.get_end_time()
        self.bars = [int(t) for t in music.bar_ticks(end)]
        if not self.bars or self.bars[-1] < end:
            self.bars.append(end)
        while len(self.bars) > 1 and self.bars[-1] >= end and self.bars[-2] >= end:
            self.bars.pop()
        self.end = max(self.bars[-1], end)
        self.changes: dict[int, list[str]] = {}
        for items, render in (
            (music.time_signatures[1:], lambda x: f"M:{x.numerator}/{x.denominator}"),
            (music.key_signatures[1:], lambda x: f"K:{_key_text(x)}"),
            (music.tempos[1:], lambda x: f"Q:1/4={_number(x.qpm)}"),
        ):
            for item in items:
                if 0 < item.time < self.end:
                    self.changes.setdefault(int(item.time), []).append(render(item))
        self.keys = sorted(music.key_signatures, key=lambda k: k.time)
        # music21 (and other readers) apply inline key changes and the locrian mode unreliably: then every
        # note gets an explicit accidental, so that its pitch does not depend on the key in force.
        self.explicit = len(self.keys) > 1 or any((k.mode or "").lower() == "locrian" for k in self.keys)

    def tune(self, number: int, title: Optional[str]) -> str:
        music = self.music
        lines = [f"X:{number}", f"T:{title or ''}"]
        lines += [f"C:{creator}" for creator in music.metadata.creators]
        first_sig = music.time_signatures[0] if music.time_signatures else None
        lines.append(f"M:{first_sig.numerator}/{first_sig.denominator}" if first_sig else "M:4/4")
        lines.append("L:1/8")
        if music.tempos:
            lines.append(f"Q:1/4={_number(music.tempos[0].qpm)}")
        voices = [(track, notes) for track in music.tracks for notes in _voices(track)]
        for index, (track, _) in enumerate(voices, start=1):
            name = f' name="{track.name}"' if track.name else ""
            lines.append(f"V:{index}{name}")
        lines.append(f"K:{_key_text(music.key_signatures[0]) if music.key_signatures else 'C'}")
        for index, (_, chords) in enumerate(voices, start=1):
            if len(voices) > 1:
                lines.append(f"V:{index}")
            lines.extend(self.voice(chords))
        return "\n".join(lines) + "\n"

    def fifths_at(self, time: int) -> int:
        fifths = 0
        for key in self.keys:
            if key.time <= time:
                fifths = key_fifths(key) or 0
        return fifths

    def voice(self, chords: list[tuple[int, int, list[int]]]) -> list[str]:
        boundaries = sorted(set(self.bars[1:]) | set(self.changes) | {self.end})
        lines, tokens, bar_count = [], [], 0
        position, altered = 0, {}
        pieces = []
        for time, duration, pitches in chords:
            if time > position:
                pieces.append((position, time, None))
            pieces.append((time, time + duration, pitches))
            position = time + duration
        if position < self.end:
            pieces.append((position, self.end, None))
        boundary_index = 0
        for start, stop, pitches in pieces:
            while start < stop:
                while boundaries[boundary_index] <= start:
                    boundary_index += 1
                cut = min(stop, boundaries[boundary_index])
                tokens.append(self.event(start, cut, pitches, tied=cut < stop, altered=altered))
                start = cut
                if cut in self.bar_set or cut in self.changes:
                    if cut in self.bar_set:
                        altered.clear()
                        bar_count += 1
                        tokens.append("|" if cut < self.end else "|]")
                        if bar_count % _BARS_PER_LINE == 0 and cut < self.end:
                            lines.append(" ".join(tokens))
                            tokens = []
                    if cut < self.end:
                        tokens.extend(f"[{field}]" for field in self.changes.get(cut, []))
        if tokens and tokens[-1] != "|]":
            tokens.append("|]")
        if tokens:
            lines.append(" ".join(tokens))
        return _mark_triplets(lines)

    @property
    def bar_set(self) -> set[int]:
        if not hasattr(self, "_bar_set"):
            self._bar_set = set(self.bars[1:]) | {self.end}
        return self._bar_set

    def event(self, start: int, stop: int, pitches: Optional[list[int]], tied: bool, altered: dict) -> str:
        length = _length(Fraction(stop - start) / self.eighth)
        if pitches is None:
            return f"z{length}"
        fifths = self.fifths_at(start)
        tie = "-" if tied else ""
        notes = [self.pitch(p, fifths, altered, self.explicit) + length + tie for p in pitches]
        return notes[0] if len(notes) == 1 else "[" + "".join(notes) + "]"

    @staticmethod
    def pitch(pitch: int, fifths: int, altered: dict, explicit: bool) -> str:
        letter, alter = (_SHARP_SPELLING if fifths >= 0 else _FLAT_SPELLING)[pitch % 12]
        in_key = (1 if _SHARP_ORDER.index(letter) < fifths else 0) if fifths >= 0 else (
            -1 if _SHARP_ORDER[::-1].index(letter) < -fifths else 0
        )
        accidental = ""
        if alter != altered.get(letter, in_key) or letter in altered or explicit:
            accidental = _ACCIDENTALS[alter]
            altered[letter] = alter
        octave = pitch // 12 - 1
        name = letter.lower() + "'" * (octave - 5) if octave >= 5 else letter + "," * (4 - octave)
        return accidental + name


def _voices(track: Any) -> list[list[tuple[int, int, list[int]]]]:
    """Split a track's notes into voices of non-overlapping chords (same onset and length)."""
    chords: dict[tuple[int, int], list[int]] = {}
    notes = track.notes
    for time, duration, pitch in zip(notes.time.tolist(), notes.duration.tolist(), notes.pitch.tolist()):
        if duration > 0:
            members = chords.setdefault((time, duration), [])
            if pitch not in members:
                members.append(pitch)
    voices: list[list[tuple[int, int, list[int]]]] = []
    for (time, duration), pitches in sorted(chords.items()):
        for voice in voices:
            if voice[-1][0] + voice[-1][1] <= time:
                voice.append((time, duration, sorted(pitches)))
                break
        else:
            voices.append([(time, duration, sorted(pitches))])
    return voices or [[]]


def _length(units: Fraction) -> str:
    """ABC length suffix of a duration in unit notes (eighths)."""
    if units == 1:
        return ""
    if units.denominator == 1:
        return str(units.numerator)
    if units.numerator == 1:
        return f"/{units.denominator}"
    return f"{units.numerator}/{units.denominator}"


def _mark_triplets(lines: list[str]) -> list[str]:
    """Write three consecutive ``2/3`` notes (triplet eighths) as ``(3`` with eighth lengths."""
    pattern = re.compile(r"(?<![\w/])((?:\S+?)2/3 (?:\S+?)2/3 (?:\S+?)2/3)(?=\s|$)")

    def replace(match: re.Match) -> str:
        items = match.group(1).split(" ")
        if any(("-" in item) or item.startswith(("|", "[M", "[K", "[Q")) for item in items):
            return match.group(0)
        return "(3" + " ".join(item.replace("2/3", "") for item in items)

    return [pattern.sub(replace, line) for line in lines]


def _key_text(key: KeySignature) -> str:
    fifths = key_fifths(key)
    if key.root_str is not None and key.mode is not None:
        return key.root_str + _MODE_WORDS.get(key.mode.lower(), "")
    if fifths is None:
        return "C"
    mode = (key.mode or "major").lower()
    spelled = key_from_fifths(0, fifths, mode if mode in _MODE_WORDS else "major")
    return (spelled.root_str or "C") + _MODE_WORDS.get(spelled.mode, "")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}".rstrip("0")
