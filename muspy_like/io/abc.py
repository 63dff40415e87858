"""ABC notation: reading through music21, and a native writer.

Reading
-------
A file may be a single tune or a tune book (several tunes, each starting with an ``X:`` field; the fields
before the first ``X:`` form the file header and apply to every tune). Each tune is parsed by music21's
ABC parser and converted with :func:`muspy_like.interop.from_music21`. music21's notes are matched one by
one with its tokenizer's note tokens, which lets us correct its weaknesses:

* ``K:``, ``Q:`` and ``M:`` fields are placed at the onset of the note that follows them (music21 drops or
  misplaces some), keys with their mode; in multi-voice tunes music21's placement is kept;
* inline fields (``[K:G]``), which music21 takes for chords, are moved to lines of their own first;
* the locrian mode, which music21 does not recognise (it reads ``K:C loc`` as C major and spells the notes
  wrongly), is handed to music21 as the major key with the same signature;
* ties that music21 records but does not apply (on chords) are applied;
* ``w:`` lyrics lines, which music21 ignores, are aligned with the notes (single-voice tunes);
* notes below C0, which music21 misreads, raise :class:`~muspy_like.errors.ABCError`.

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
from typing import Any, NamedTuple, Optional, Union

from muspy_like.core.events import KeySignature, Lyric, Tempo, TimeSignature
from muspy_like.core.meter import bar_length
from muspy_like.core.music import DEFAULT_RESOLUTION, Music
from muspy_like.errors import ABCError
from muspy_like.theory import key_fifths, key_from_fifths, key_from_tonic, midi_key_name, signature_alter, spell

__all__ = ["read_abc", "read_abc_single", "write_abc"]

_FIELD = re.compile(r"^[A-Za-z+]:")
#: An inline field such as ``[K:G]``: music21 takes it for a chord, so it is moved to a line of its own.
_INLINE_FIELD = re.compile(r"\[([A-Za-z]):([^\]\n]*)\]")
#: A note name with five or more commas: octave -1 (MIDI 0-11), which music21 reads wrongly.
_BELOW_C0 = re.compile(r"[A-G],{5}")
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
    lowered = word.lower()
    if not lowered:
        mode = "major"
    elif lowered == "m":
        mode = "minor"
    else:
        mode = _MODE_PREFIXES.get(lowered[:3])
        if mode is None:  # not a mode word: a clef or another key-field option
            mode, rest = "major", word + rest
    return letter.upper() + accidental, mode, rest


def _parse_tune(text: str, where: str) -> tuple[Any, Any, dict[int, str]]:
    """music21's ABC handler and Score of one tune, and the original text of the key fields.

    Locrian keys are handed to music21 as the major key with the same signature (music21 does not know the
    mode); the returned dict maps ``id(token)`` of each key field to its original value.
    """
    from music21 import abcFormat
    from music21.abcFormat import translate

    originals: dict[int, str] = {}
    try:
        handler = abcFormat.ABCHandler()
        handler.parseHeaderForVersionInformation(text[:100])
        handler.tokens = []
        handler.tokenize(text)
        for token in handler.tokens:
            head, colon, value = token.src.partition(":")
            if isinstance(token, abcFormat.ABCMetadata) and colon and head.strip() == "K":
                originals[id(token)] = value = value.strip()
                parsed = _parse_key(value)
                if parsed is not None and parsed[1] == "locrian":
                    fifths = key_from_tonic(0, parsed[0], "locrian").fifths
                    relative = midi_key_name(KeySignature(time=0, fifths=fifths, mode="major"))
                    token.src = f"{head}:{relative} {parsed[2].strip()}".rstrip()
        handler.tokenProcess()
        for token in handler.tokens:
            if isinstance(token, abcFormat.ABCNote) and _BELOW_C0.search(token.src):
                raise ABCError(
                    f"{where}: note {token.src.strip()!r} lies below C0 (MIDI 12), which music21 misreads; "
                    "transpose the tune up an octave"
                )
        score = translate.abcToStreamScore(handler)
    except ABCError:
        raise
    except Exception as error:  # music21's ABC parser raises many unrelated types on bad input
        raise ABCError(f"{where}: music21 cannot parse it: {type(error).__name__}: {error}") from error
    return handler, score, originals


def _read_tune(path: Path, number: Optional[int], body: str, header: list[str], resolution: int) -> Music:
    from muspy_like.interop.music21_interop import from_music21

    lines = body.splitlines()
    text = _INLINE_FIELD.sub(r"\n\1:\2\n", "\n".join(lines[:1] + header + lines[1:]) + "\n")
    handler, score, key_fields = _parse_tune(text, f"{path}: tune X:{number}" if number is not None else str(path))
    voices = _aligned_voices(handler, score)
    for tokens, events in voices:
        _restore_ties(tokens, events)
    music = from_music21(score, resolution)
    music.metadata.source_format = "abc"
    music.metadata.source_filename = path.name
    if len(voices) == 1 and len(music.tracks) == 1:
        music.key_signatures, music.tempos, music.time_signatures = _timed_fields(
            *voices[0], key_fields, score, resolution
        )
        music.tracks[0].lyrics = _lyrics(text, voices[0][1], score, resolution)
    return music


def _aligned_voices(handler: Any, score: Any) -> list[tuple[list, list]]:
    """(note tokens and K/Q/M fields, music21 notes and rests) of each voice whose two lists correspond.

    music21 builds one part per voice from the handler's tokens, one note, chord or rest per note token;
    a voice where that does not hold (invisible rests make no element) is left out.
    """
    from music21 import abcFormat, harmony

    collections = handler.splitByVoice()
    handlers = collections if len(collections) == 1 else [collections[0] + c for c in collections[1:]]
    parts = list(score.parts)
    if len(handlers) != len(parts):
        return []
    voices = []
    for voice, part in zip(handlers, parts):
        tokens = [
            t
            for t in voice.tokens
            if isinstance(t, abcFormat.ABCNote)
            or (isinstance(t, abcFormat.ABCMetadata) and (t.isKey() or t.isTempo() or t.isMeter()))
        ]
        events = [e for e in part.recurse().notesAndRests if not isinstance(e, harmony.ChordSymbol)]
        if sum(isinstance(t, abcFormat.ABCNote) for t in tokens) == len(events):
            voices.append((tokens, events))
    return voices


def _restore_ties(tokens: list, events: list) -> None:
    """Apply the ties the ABC tokens carry (music21 records a chord's tie but does not apply it)."""
    from music21 import abcFormat, tie

    notes = iter(events)
    previous_tied = False
    for token in tokens:
        if not isinstance(token, abcFormat.ABCNote):
            continue
        element = next(notes)
        if element.isRest:
            previous_tied = False
            continue
        tied = token.tie in ("start", "continue")
        kind = ("continue" if tied else "stop") if previous_tied else ("start" if tied else None)
        if kind is not None:
            for member in element.notes if element.isChord else [element]:
                member.tie = tie.Tie(kind)
        previous_tied = tied


def _timed_fields(
    tokens: list, events: list, key_fields: dict[int, str], score: Any, resolution: int
) -> tuple[list[KeySignature], list[Tempo], list[TimeSignature]]:
    """Keys (with mode), tempos and meters of ``K:``, ``Q:`` and ``M:`` fields, at the onset of the next note.

    A field after the last note takes effect at the end of the tune. A later field at the same tick
    replaces an earlier one of the same kind.
    """
    from music21 import abcFormat

    from muspy_like.interop.music21_interop import metronome_qpm

    end = max((e.getOffsetInHierarchy(score) + e.quarterLength for e in events), default=0)
    found: dict[str, dict[int, Any]] = {"K": {}, "Q": {}, "M": {}}
    position = 0
    for token in tokens:
        if isinstance(token, abcFormat.ABCNote):
            position += 1
            continue
        offset = events[position].getOffsetInHierarchy(score) if position < len(events) else end
        time = int(float(offset) * resolution + 0.5)
        if token.isKey():
            parsed = _parse_key(key_fields.get(id(token), token.data))
            if parsed is not None:
                found["K"][time] = key_from_tonic(time, parsed[0], parsed[1])
        elif token.isTempo():
            mark = token.getMetronomeMarkObject()
            qpm = metronome_qpm(mark) if mark is not None else None
            if qpm is not None:
                found["Q"][time] = Tempo(time, qpm)
        else:
            meter = token.getTimeSignatureObject()
            if meter is not None:
                found["M"][time] = TimeSignature(time, meter.numerator, meter.denominator)
    return tuple([items[t] for t in sorted(items)] for items in found.values())  # type: ignore[return-value]


def _lyrics(text: str, events: list, score: Any, resolution: int) -> list[Lyric]:
    """Syllables of the ``w:`` lines (first verse) on the notes of the music lines they follow.

    music21 ignores ``w:`` lines. As in ABC 2.1, syllables go to notes in order, skipping rests, grace notes
    and tied continuations; ``*`` and ``_`` skip a note, ``|`` moves to the next bar, ``~`` is a space
    and ``\\-`` a hyphen inside a syllable. A music line continued with ``\\`` shares the next ``w:`` line.
    """
    from music21 import abcFormat

    lyrics: list[Lyric] = []
    blocks, count, start, continued = [], 0, None, False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("w:"):
            if start is not None:
                blocks.append((start, count, stripped[2:]))
            start = None
        elif stripped and not stripped.startswith("%") and not _FIELD.match(stripped):
            handler = abcFormat.ABCHandler()
            handler.tokenize(line)
            if start is None or not continued:
                start = count
            count += sum(isinstance(t, abcFormat.ABCNote) for t in handler.tokens)
            continued = stripped.endswith("\\")
    if count != len(events):
        return lyrics
    for first, stop, words in blocks:
        slots = [e for e in events[first:stop] if not (e.isRest or e.duration.isGrace or _continues_tie(e))]
        position = 0
        for syllable in _syllables(words):
            if syllable == "|":
                if position:
                    bar = slots[position - 1].measureNumber
                    while position < len(slots) and slots[position].measureNumber == bar:
                        position += 1
                continue
            if position < len(slots) and syllable is not None:
                offset = slots[position].getOffsetInHierarchy(score)
                lyrics.append(Lyric(int(float(offset) * resolution + 0.5), syllable))
            position += 1
    return lyrics


def _continues_tie(element: Any) -> bool:
    members = element.notes if element.isChord else [element]
    return any(m.tie is not None and m.tie.type in ("continue", "stop") for m in members)


def _syllables(words: str) -> list[Optional[str]]:
    """Syllables of a ``w:`` line, None for a skipped note, ``"|"`` for a bar advance."""
    items: list[Optional[str]] = []
    current, previous = "", " "
    index = 0
    while index < len(words):
        char = words[index]
        if char == "\\" and words[index + 1 : index + 2] == "-":
            current += "-"
            index += 1
        elif char == "~":
            current += " "
        elif char in " \t-_*|":
            if current:
                items.append(current)
                current = ""
            elif char == "-" and previous == "-":
                items.append(None)  # a second hyphen moves past one more note
            if char in "_*":
                items.append(None)
            elif char == "|":
                items.append("|")
        else:
            current += char
        previous = char
        index += 1
    if current:
        items.append(current)
    return items


# -- writing --------------------------------------------------------------------------------------------

_ACCIDENTALS = {-1: "_", 0: "=", 1: "^"}
_MODE_WORDS = {
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
    * Header: ``X``, ``T``, ``C`` (creators), ``M`` (the meter at tick 0, else 4/4), ``L:1/8``,
      ``Q:1/4=qpm`` (the tempo at tick 0) and ``K`` (the key at tick 0 with its mode, else C). Later
      changes are field lines in the body (``K:D``, ``M:3/4``, ``Q:1/4=90``), not inline fields, which
      music21 mistakes for chords.
    * Bars follow the time signatures, the last one filled with rests; a note crossing a barline or a
      change is split and tied (``-``); a chord is tied as a whole (``[B,D]4-``).
    * Notes sharing onset and length are a chord; gaps are rests (``z``). Each track is one voice
      (``V:``), or several when its notes overlap without forming chords.
    * Lengths are exact fractions of the unit note: three equal notes of a third of a binary value are a
      ``(3`` triplet; other lengths off the binary grid are plain fractions (``A5/12``).
    * Pitches are spelled with sharps in sharp keys and flats in flat keys, with an accidental wherever
      the key or an earlier accidental in the bar would imply another pitch (on every note when the key
      changes or is locrian, since readers such as music21 apply key changes unreliably).
    * Lyrics (of the track, and global lyrics with the first track) are ``w:`` lines under the first
      voice of their track: one syllable per note that starts at the lyric's tick, ``*`` for the others;
      a lyric at a tick where no note starts is lost.
    * Not written: velocities, programs, annotations, control changes, pitch bends and zero-length notes.

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


class _FieldLine(NamedTuple):
    """A field (``K:G``, ``M:3/4``, ``Q:1/4=90``) on a line of its own inside the tune body."""

    text: str


class _Written(NamedTuple):
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


class _AbcWriter:
    """Renders one Music as the text of an ABC tune."""

    def __init__(self, music: Music) -> None:
        self.music = music
        self.unit = Fraction(music.resolution, 2)  # ticks per eighth, the unit note length L:1/8
        end = music.get_end_time()
        longest = max([bar_length(ts, music.resolution) for ts in music.time_signatures] + [4 * music.resolution])
        grid = music.bar_ticks(end + int(longest) + 1)
        #: End of the last bar, in ticks: voices are filled with rests up to it.
        self.end = int(grid[grid >= end][0]) if end else 0
        self.bar_lines = {int(t) for t in grid if 0 < t <= self.end}
        #: What holds at tick 0 (written in the header), and the later changes (field lines in the body).
        self.initial: dict[str, str] = {}
        self.changes: dict[int, list[str]] = {}
        for tag, items, render in (
            ("M", music.time_signatures, lambda x: f"{x.numerator}/{x.denominator}"),
            ("Q", music.tempos, lambda x: f"1/4={_number(x.qpm)}"),
            ("K", music.key_signatures, _key_text),
        ):
            for item in sorted(items, key=lambda x: x.time):
                if item.time <= 0:
                    self.initial[tag] = render(item)
                elif item.time < self.end:
                    self.changes.setdefault(int(item.time), []).append(f"{tag}:{render(item)}")
        self.keys = sorted(music.key_signatures, key=lambda k: k.time)
        # music21 (and other readers) apply key changes and the locrian mode unreliably: then every note gets
        # an explicit accidental, so that its pitch does not depend on the key in force.
        self.explicit = any(k.time > 0 or (k.mode or "").lower() == "locrian" for k in self.keys)

    def tune(self, number: int, title: Optional[str]) -> str:
        music = self.music
        lines = [f"X:{number}", f"T:{title or ''}"]
        lines += [f"C:{creator}" for creator in music.metadata.creators]
        lines.append(f"M:{self.initial.get('M', '4/4')}")
        lines.append("L:1/8")
        if "Q" in self.initial:
            lines.append(f"Q:{self.initial['Q']}")
        voices = []
        for track in music.tracks:
            lyrics = track.lyrics + (music.lyrics if track is music.tracks[0] else [])
            for index, chords in enumerate(_voices(track)):
                voices.append((track, chords, {x.time: x.lyric for x in lyrics} if index == 0 else {}))
        for index, (track, _, _) in enumerate(voices, start=1):
            name = f' name="{track.name}"' if track.name else ""
            lines.append(f"V:{index}{name}")
        lines.append(f"K:{self.initial.get('K', 'C')}")
        for index, (_, chords, lyrics) in enumerate(voices, start=1):
            if len(voices) > 1:
                lines.append(f"V:{index}")
            if self.end:
                lines.extend(self.voice(chords, lyrics))
        return "\n".join(lines) + "\n"

    def fifths_at(self, time: int) -> int:
        fifths = 0
        for key in self.keys:
            if key.time <= time:
                fifths = key_fifths(key) or 0
        return fifths

    def voice(self, chords: list[tuple[int, int, list[int]]], lyrics: dict[int, str]) -> list[str]:
        """Lines of one voice: notes and rests split at barlines and changes, bars, field lines, lyrics."""
        spans, position = [], 0
        for time, duration, pitches in chords:
            if time > position:
                spans.append((position, time, None))
            spans.append((time, time + duration, pitches))
            position = time + duration
        if position < self.end:
            spans.append((position, self.end, None))
        cuts = sorted(self.bar_lines | set(self.changes))
        onsets = {(time, time + duration) for time, duration, _ in chords}
        items: list[Union[_Written, _FieldLine, str]] = []
        altered: dict[str, int] = {}
        cut_index = 0
        for start, stop, pitches in spans:
            while start < stop:
                while cuts[cut_index] <= start:
                    cut_index += 1
                cut = min(stop, cuts[cut_index])
                spelled = None if pitches is None else tuple(self.spell(p, start, altered) for p in pitches)
                begins = pitches is not None and (start, stop) in onsets
                items.append(
                    _Written(
                        spelled,
                        Fraction(cut - start) / self.unit,
                        cut < stop and pitches is not None,
                        begins,
                        lyrics.get(start) if begins else None,
                    )
                )
                start = cut
                if cut in self.bar_lines:
                    altered.clear()
                    items.append("|]" if cut == self.end else "|")
                items.extend(_FieldLine(field) for field in self.changes.get(cut, []))
        return _lines(items)

    def spell(self, pitch: int, time: int, altered: dict[str, int]) -> str:
        """ABC name of a pitch, with an accidental when the key or the bar so far would imply another."""
        fifths = self.fifths_at(time)
        letter, alter, octave = spell(pitch, fifths)
        in_key = signature_alter(letter, fifths)
        accidental = ""
        if self.explicit or letter in altered or alter != in_key:
            accidental = _ACCIDENTALS[alter]
            altered[letter] = alter
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


def _lines(items: list) -> list[str]:
    """Text of a voice, four bars a line, each followed by its ``w:`` lyrics line when it has lyrics.

    Three untied notes of one triplet value in a row become a ``(3`` triplet.
    """
    lines: list[str] = []
    tokens: list[str] = []
    words: list[str] = []

    def flush() -> None:
        if tokens:
            lines.append(" ".join(tokens))
            if any(word != "*" for word in words):
                lines.append("w: " + " ".join(words))
        tokens.clear()
        words.clear()

    bars, i = 0, 0
    while i < len(items):
        group = items[i : i + 3]
        if (
            len(group) == 3
            and all(isinstance(x, _Written) and not x.tied and x.triplet_length is not None for x in group)
            and len({x.length for x in group}) == 1
        ):
            tokens.append("(3" + " ".join(x.text(Fraction(3, 2)) for x in group))
            words.extend(_word(x) for x in group if x.starts_note)
            i += 3
            continue
        item = items[i]
        i += 1
        if isinstance(item, _FieldLine):
            flush()
            lines.append(item.text)
        elif isinstance(item, _Written):
            tokens.append(item.text())
            if item.starts_note:
                words.append(_word(item))
        else:
            tokens.append(item)
            bars += item == "|"
            if item == "|" and bars % _BARS_PER_LINE == 0:
                flush()
    flush()
    return lines


def _word(item: _Written) -> str:
    """A syllable as written in a ``w:`` line (``*`` for none): spaces as ``~``, hyphens escaped."""
    if not item.syllable:
        return "*"
    cleaned = "".join(c for c in item.syllable if c not in "*_|\\").strip() or "*"
    return cleaned.replace(" ", "~").replace("-", "\\-")


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
