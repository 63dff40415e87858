"""MuseScore reader: ``.mscx`` (plain) and ``.mscz`` (compressed) files of MuseScore 1, 2 and 3 to a Music.

A MuseScore file lists parts (instrument, MIDI program, drum set, the staves they own) and then, for
every staff, its measures; a measure holds voices (MuseScore 3) or its elements directly (MuseScore 1
and 2, where ``<tick>`` elements move the position). Durations are note values (``<durationType>``,
``<dots>``, tuplets), so times are computed as exact fractions of a quarter note.

Policies (shared with the MusicXML reader, see ``docs/io-scores.md``):

* resolution: by default the least common multiple of the file's ``<Division>`` and of every
  denominator the note values need (tuplets), so every time is exact; a given resolution rounds
  onsets and offsets separately;
* one track per part (its staves merged), pitches as written in ``<pitch>`` (MuseScore stores concert
  pitch);
* grace chords (``<acciaccatura/>``, ``<appoggiatura/>``, ``<grace4/>``... before their principal chord,
  ``<grace8after/>``... after it) are kept as in the MusicXML reader (``grace_notes``): at the onset of
  the principal chord, or at its end for a grace after it; MuseScore writes both kinds just before the
  principal chord;
* velocity from the last ``<Dynamic>`` of the staff (its ``<velocity>``, else the marking), 64 before
  any; a note's ``<velocity>`` is absolute with ``<veloType>user``, otherwise an offset in percent;
* repeats, voltas, D.C./D.S., coda and fine expanded with ``expand_repeats=True``
  (MusPy's reader always expands them);
* ties as in the MusicXML reader (``open_ties``); a voice is a staff's ``<voice>`` (MuseScore 3) or
  ``<track>`` (MuseScore 1 and 2);
* global events (tempo, time and key signatures, barlines) come from the first staff; every copyright
  line is kept.

Every number is checked (:mod:`muspy_like.io.score_common`); a malformed file gives a
:class:`~muspy_like.errors.MuseScoreError` naming the file, staff, measure, element and value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from muspy_like.core.events import (
    DEFAULT_VELOCITY,
    Barline,
    Lyric,
    Metadata,
    NoteArray,
    Tempo,
    TimeSignature,
)
from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.errors import MuseScoreError
from muspy_like.io.musicxml.safe_xml import parse_xml, read_score_bytes
from muspy_like.io.score_common import (
    MAX_QUARTERS,
    MAX_RESOLUTION,
    MAX_TICK,
    MeasureFlow,
    ScoreValueError,
    check_grace_notes,
    check_open_ties,
    check_piece_length,
    check_resolution,
    hyphenated_syllable,
    key_signature_event,
    measure_starts,
    merge_tied_notes,
    play_order,
    read_decimal,
    read_fraction,
    read_int,
    unfold_events,
    velocity_of_dynamics,
)

__all__ = ["read_musescore"]

_NOTE_VALUES = {
    "long": Fraction(16),
    "breve": Fraction(8),
    "whole": Fraction(4),
    "half": Fraction(2),
    "quarter": Fraction(1),
    "eighth": Fraction(1, 2),
    "16th": Fraction(1, 4),
    "32nd": Fraction(1, 8),
    "64th": Fraction(1, 16),
    "128th": Fraction(1, 32),
    "256th": Fraction(1, 64),
    "512th": Fraction(1, 128),
    "1024th": Fraction(1, 256),
}
_GRACE_TAGS = {"acciaccatura", "appoggiatura", "grace4", "grace8", "grace16", "grace32", "grace8after",
               "grace16after", "grace32after"}
#: Grace chords played after their principal chord (at its end).
_GRACE_AFTER_TAGS = {"grace8after", "grace16after", "grace32after"}
_DIGITS = re.compile(r"\d+")
#: Errors that a malformed file can still raise from deep inside the walk (see the MusicXML reader).
_MALFORMED = (ValueError, TypeError, KeyError, ArithmeticError)
#: Most dots a note value may carry (MuseScore writes up to 4).
_MAX_DOTS = 8
#: Largest tuplet number (``<normalNotes>``, ``<actualNotes>``) accepted.
_MAX_TUPLET = 1024
#: Voice codes per staff (MuseScore has 4 voices per staff; room for more).
_VOICES_PER_STAFF = 64


@dataclass
class _Part:
    name: Optional[str]
    program: int
    is_drum: bool
    staves: int


@dataclass
class _StaffEvents:
    """Events of one staff, timed by (measure index, offset in quarters)."""

    # (measure, offset, pitch, duration, velocity, tie_start, tie_stop, voice)
    notes: list = field(default_factory=list)
    lyrics: list = field(default_factory=list)  # (measure, offset, text)
    lengths: list = field(default_factory=list)  # measure lengths, quarters
    tempos: list = field(default_factory=list)  # (measure, offset, qpm)
    keys: list = field(default_factory=list)  # (measure, offset, fifths, mode)
    times: list = field(default_factory=list)  # (measure, offset, numerator, denominator)
    flows: list = field(default_factory=list)
    markers: dict = field(default_factory=dict)  # label -> measure index
    jumps: list = field(default_factory=list)  # (measure, jump_to, play_until, continue_at)


def _text(element: Any, path: str, default: Optional[str] = None) -> Optional[str]:
    value = element.findtext(path)
    return value.strip() if value is not None and value.strip() else default


def _parts(score: Any) -> list[_Part]:
    parts = []
    for part in score.iterchildren("Part"):
        instrument = part.find("Instrument")
        name = _text(part, "trackName") or (_text(instrument, "trackName") if instrument is not None else None)
        if name is None and instrument is not None:
            name = _text(instrument, "longName")
        program, is_drum = 0, False
        if instrument is not None:
            program_element = instrument.find("Channel/program")
            if program_element is not None and program_element.get("value") is not None:
                program = min(max(read_int(program_element.get("value"), "<program value>"), 0), 127)
            is_drum = _text(instrument, "useDrumset") == "1" or instrument.find("Drum") is not None
        parts.append(_Part(name, program, is_drum, max(len(part.findall("Staff")), 1)))
    return parts


def _metadata(root: Any, score: Any, path: Path) -> Metadata:
    tags: dict[str, list[str]] = {}
    for tag in score.iter("metaTag"):
        text = (tag.text or "").strip()
        if text:
            tags.setdefault(tag.get("name"), []).append(text)
    title = (tags.get("workTitle") or tags.get("movementTitle") or [None])[0]
    if not title:
        for text in score.iter("Text"):
            if text.findtext("style") == "Title" or text.findtext("subtype") == "Title":
                title = "".join(text.find("text").itertext()).strip() if text.find("text") is not None else None
                break
    creators = [value for name in ("composer", "lyricist", "poet", "arranger", "translator")
                for value in tags.get(name, [])]
    return Metadata(
        title=title or None,
        creators=creators,
        copyright="\n".join(tags.get("copyright", [])) or None,
        source_filename=path.name,
        source_format="musescore",
    )


def _duration(chord: Any, ratio: Fraction, measure_length: Fraction) -> Fraction:
    """Length of a chord or rest in quarter notes: note value, dots and tuplet ratio."""
    kind = _text(chord, "durationType")
    if kind == "measure":
        written = _text(chord, "duration")
        return read_fraction(written, "<duration>", low=Fraction(0)) * 4 if written else measure_length
    if kind not in _NOTE_VALUES:
        raise ScoreValueError(f"<durationType> {kind!r} is not a note value")
    dots = read_int(_text(chord, "dots", "0"), "<dots>", 0, _MAX_DOTS)
    return _NOTE_VALUES[kind] * (2 - Fraction(1, 2**dots)) * ratio


def _time_signature(element: Any) -> Optional[tuple[int, int]]:
    """(numerator, denominator) of a ``<TimeSig>``; composite numerators (3+2) add up."""
    numerator = _text(element, "sigN") or _text(element, "nom1")
    denominator = _text(element, "sigD") or _text(element, "den")
    if numerator is None or denominator is None:
        return None
    top = sum(read_int(x, "<TimeSig> <sigN>", 0, 10_000) for x in _DIGITS.findall(numerator)[:32])
    bottom = read_int(denominator, "<TimeSig> <sigD>")
    if top <= 0 or not 0 < bottom <= 1024 or bottom & (bottom - 1):
        raise ScoreValueError(
            f"<TimeSig> {numerator}/{denominator}: a time signature needs a positive numerator and a power of "
            "two (1, 2, 4, ... 1024) as denominator"
        )
    return top, bottom


class _StaffReader:
    """Reads the measures of one staff."""

    def __init__(self, division: int, index: int, grace_notes: str = "keep"):
        self.division = division
        self.grace_notes = grace_notes
        self.is_first = index == 0
        self.voice_base = index * _VOICES_PER_STAFF
        self.events = _StaffEvents()
        self.nominal = Fraction(4)
        self.velocity = DEFAULT_VELOCITY
        self.voltas: list[tuple[int, int, frozenset]] = []  # (first measure, last measure, ending numbers)
        self.open_voltas: dict[str, tuple[int, frozenset]] = {}  # MuseScore 2: volta id -> (first, numbers)

    def read(self, staff: Any) -> _StaffEvents:
        """Read every measure; a malformed one raises ScoreValueError prefixed with its measure number."""
        written_start = Fraction(0)
        for m, measure in enumerate(staff.iterchildren("Measure")):
            self.events.flows.append(MeasureFlow())
            try:
                length = self.read_measure(m, measure, written_start)
            except _MALFORMED as exc:
                raise ScoreValueError(f"measure {measure.get('number', m + 1)}: {exc}") from None
            self.events.lengths.append(length)
            written_start += length
        flows = self.events.flows
        for first, last, numbers in self.voltas:
            for k in range(first, min(last, len(flows) - 1) + 1):
                flows[k].endings = flows[k].endings | numbers
        return self.events

    def read_measure(self, m: int, measure: Any, written_start: Fraction) -> Fraction:
        """Read one measure; return its length in quarter notes."""
        flow = self.events.flows[m]
        for element in measure:
            if element.tag in ("TimeSig", "voice"):
                for signature in ([element] if element.tag == "TimeSig" else element.iterchildren("TimeSig")):
                    self.time_signature(signature, m, Fraction(0))
                break
        length = self.measure_length(measure.get("len"))
        if measure.find("startRepeat") is not None:
            flow.repeat_start = True
        end_repeat = measure.find("endRepeat")
        if end_repeat is not None:
            times = (end_repeat.text or "").strip()
            flow.repeat_times = read_int(times, "<endRepeat>", 0, 1000) if times else 2
        voices = list(measure.iterchildren("voice"))
        if voices:
            for index, voice in enumerate(voices):
                self.read_voice(voice, m, length, written_start, self.voice_base + index)
        else:
            self.read_voice(measure, m, length, written_start, None)
        for element in measure:
            if element.tag in ("Marker", "Jump"):
                self.navigation(element, m)
        return length

    def measure_length(self, declared: Optional[str]) -> Fraction:
        """A measure's length in quarters: its ``len`` attribute (irregular measures), else the meter's."""
        if declared is None:
            return self.nominal
        length = read_fraction(declared, "<Measure len>", low=Fraction(0), high=Fraction(MAX_QUARTERS, 4)) * 4
        if length == 0:
            raise ScoreValueError(f"<Measure len> {declared!r}: a measure must have a length")
        return length

    def navigation(self, element: Any, m: int) -> None:
        if element.tag == "Marker":
            label = _text(element, "label") or _text(element, "subtype")
            if label:
                self.events.markers.setdefault(label, m)
        else:
            self.events.jumps.append(
                (m, _text(element, "jumpTo", ""), _text(element, "playUntil", ""), _text(element, "continueAt", ""))
            )

    def time_signature(self, element: Any, m: int, offset: Fraction) -> None:
        parsed = _time_signature(element)
        if parsed is None:
            return
        self.nominal = Fraction(4 * parsed[0], parsed[1])
        if self.is_first:
            self.events.times.append((m, offset, *parsed))

    def read_voice(self, voice: Any, m: int, length: Fraction, written_start: Fraction,
                   voice_code: Optional[int]) -> None:
        """Read the chords, rests and markings of one voice (MuseScore 3) or measure (1 and 2)."""
        position = Fraction(0)
        ratios: list[Fraction] = []
        tuplets_by_id: dict[str, Fraction] = {}
        graces: list[Any] = []  # grace chords waiting for their principal chord
        for element in voice:
            tag = element.tag
            if tag == "Chord" or tag == "Rest":
                ratio = math.prod(ratios, start=Fraction(1))
                reference = element.findtext("Tuplet")
                if reference is not None and reference.strip() in tuplets_by_id:
                    ratio *= tuplets_by_id[reference.strip()]
                if tag == "Chord" and any(child.tag in _GRACE_TAGS for child in element):
                    if self.grace_notes != "drop":
                        graces.append(element)
                    continue
                duration = _duration(element, ratio, length)
                if tag == "Chord":
                    code = voice_code if voice_code is not None else self.voice_of_track(element)
                    self.chord(element, m, position, duration, code)
                if graces:
                    self.grace_chords(graces, m, position, duration if tag == "Chord" else Fraction(0), voice_code)
                    graces = []
                position += duration
            elif tag == "Tuplet":
                self.tuplet(element, ratios, tuplets_by_id)
            elif tag == "endTuplet":
                if ratios:
                    ratios.pop()
            elif tag == "tick":
                tick = read_int(element.text, "<tick>", 0, self.division * MAX_QUARTERS * 64)
                position = Fraction(tick, self.division) - written_start
            elif tag == "location":
                moved = _text(element, "fractions")
                if moved:
                    limit = Fraction(MAX_QUARTERS, 4)
                    position += read_fraction(moved, "<location> <fractions>", -limit, limit) * 4
            else:
                self.marking(element, tag, m, position)
        if graces:  # grace chords with no principal chord after them stay where they are written
            self.grace_chords(graces, m, position, Fraction(0), voice_code)

    def grace_chords(self, graces: list[Any], m: int, position: Fraction, principal: Fraction,
                     voice_code: Optional[int]) -> None:
        """Keep grace chords (by the ``grace_notes`` policy) at their principal chord's onset, or at its end
        (``principal`` quarters later) for a grace after it; their length is their notated value."""
        for grace in graces:
            after = any(child.tag in _GRACE_AFTER_TAGS for child in grace)
            value = Fraction(0) if self.grace_notes == "zero" else _duration(grace, Fraction(1), Fraction(0))
            code = voice_code if voice_code is not None else self.voice_of_track(grace)
            # A voice code of its own (negative): no open tie of the voice's notes can join a grace note.
            self.chord(grace, m, position + principal if after else position, value, -1 - code, grace=True)

    def marking(self, element: Any, tag: str, m: int, position: Fraction) -> None:
        """Signatures, tempo, dynamics and voltas inside a voice."""
        if tag == "TimeSig" and position > 0:
            self.time_signature(element, m, position)
        elif tag == "KeySig" and self.is_first:
            fifths = _text(element, "concertKey") or _text(element, "accidental") or _text(element, "subtype")
            if fifths is not None and re.fullmatch(r"-?\d+", fifths):
                self.events.keys.append((m, position, read_int(fifths, "<KeySig>", -35, 35), _text(element, "mode")))
        elif tag == "Tempo" and self.is_first:
            tempo = _text(element, "tempo")
            if tempo is not None:
                per_second = read_decimal(tempo, "<Tempo> <tempo>")
                if per_second > 0:
                    self.events.tempos.append((m, position, 60 * per_second))
        elif tag == "Dynamic":
            velocity = _text(element, "velocity")
            if velocity is not None:
                self.velocity = min(max(read_int(velocity, "<Dynamic> <velocity>", rounding=True), 1), 127)
            else:
                marking = velocity_of_dynamics(_text(element, "subtype", ""))
                if marking is not None:
                    self.velocity = marking
        elif tag == "Spanner" and element.get("type") == "Volta":
            self.volta(element, m)
        elif tag == "Volta":
            numbers = frozenset(int(x) for x in _DIGITS.findall(_text(element, "endings", ""))[:100])
            self.open_voltas[element.get("id", "")] = (m, numbers)
        elif tag == "endSpanner" and element.get("id") in self.open_voltas:
            first, numbers = self.open_voltas.pop(element.get("id"))
            self.voltas.append((first, m if position > 0 else m - 1, numbers))

    def voice_of_track(self, element: Any) -> int:
        """Voice code of a MuseScore 1/2 chord: its ``<track>`` (staff * 4 + voice), else the staff's first."""
        track = element.findtext("track")
        if track is None:
            return self.voice_base
        return self.voice_base + read_int(track, "<track>", 0, 10**6) % _VOICES_PER_STAFF

    @staticmethod
    def tuplet(element: Any, ratios: list[Fraction], by_id: dict[str, Fraction]) -> None:
        normal, actual = _text(element, "normalNotes"), _text(element, "actualNotes")
        if normal is None or actual is None:
            return
        value = Fraction(read_int(normal, "<Tuplet> <normalNotes>", 1, _MAX_TUPLET),
                         read_int(actual, "<Tuplet> <actualNotes>", 1, _MAX_TUPLET))
        if element.get("id") is not None:
            by_id[element.get("id")] = value
        else:
            ratios.append(value)

    def volta(self, spanner: Any, m: int) -> None:
        volta = spanner.find("Volta")
        if volta is None:
            return
        numbers = frozenset(int(x) for x in _DIGITS.findall(_text(volta, "endings", ""))[:100])
        span = _text(spanner, "next/location/measures")
        last = m + max(read_int(span, "<Volta> <measures>", -10**6, 10**6) - 1, 0) if span else m
        self.voltas.append((m, last, numbers))

    def chord(self, chord: Any, m: int, position: Fraction, duration: Fraction, voice: int,
              grace: bool = False) -> None:
        """The notes (and first-verse lyric) of a chord; a grace chord's ties and lyrics are not read."""
        events = self.events
        for lyric in () if grace else chord.iterchildren("Lyrics"):
            if _text(lyric, "no", "0") == "0":
                text = lyric.find("text")
                if text is not None:
                    syllable = "".join(text.itertext()).strip()
                    events.lyrics.append((m, position, hyphenated_syllable(syllable, _text(lyric, "syllabic"))))
                break
        for note in chord.iterchildren("Note"):
            pitch = read_int(_text(note, "pitch"), "<Note> <pitch>", 0, 127)
            tie_start = note.find("Tie") is not None
            tie_stop = note.find("endSpanner") is not None
            for spanner in note.iterchildren("Spanner"):
                if spanner.get("type") == "Tie":
                    tie_start |= spanner.find("next") is not None
                    tie_stop |= spanner.find("prev") is not None
            if grace:
                tie_start = tie_stop = False
            velocity = self.velocity
            own = _text(note, "velocity")
            if own is not None:
                if _text(note, "veloType") == "user":
                    velocity = read_int(own, "<Note> <velocity>", rounding=True)
                else:
                    velocity = round(velocity * (1 + read_int(own, "<Note> <velocity>", -100, 10_000) / 100))
            events.notes.append((m, position, pitch, duration, min(max(velocity, 1), 127), tie_start, tie_stop, voice))


def _flows(events: _StaffEvents, n_measures: int) -> list[MeasureFlow]:
    flows = events.flows + [MeasureFlow() for _ in range(n_measures - len(events.flows))]
    for m, jump_to, play_until, continue_at in events.jumps:
        if jump_to in ("start", ""):
            flows[m].da_capo = True
        else:
            flows[m].dal_segno = True
            if jump_to in events.markers:
                flows[events.markers[jump_to]].segno = True
        if play_until in events.markers and play_until != "end":
            target = events.markers[play_until]
            if continue_at and continue_at in events.markers:
                flows[target].to_coda = True
                flows[events.markers[continue_at]].coda = True
            else:
                flows[target].fine = True
    return flows


def _ticks(values: Any, resolution: int) -> np.ndarray:
    """Quarter-note fractions to ticks, rounded half up (exact when the resolution allows)."""
    ticks = [math.floor(v * resolution + Fraction(1, 2)) for v in values]
    if ticks and (max(ticks) > MAX_TICK or min(ticks) < -MAX_TICK):
        raise ScoreValueError(f"an event lies {max(map(abs, values)):.4g} quarter notes from the start, "
                              "beyond what a Music can hold")
    return np.array(ticks, dtype=np.int64)


def read_musescore(
    path: Union[str, Path],
    resolution: Optional[int] = None,
    expand_repeats: bool = False,
    open_ties: str = "join",
    grace_notes: str = "keep",
) -> Music:
    """Read a MuseScore file (``.mscx`` or compressed ``.mscz``; MuseScore 1, 2 and 3).

    Parameters
    ----------
    path : str or Path
        The file.
    resolution : int, optional
        Ticks per quarter note. Default: the least common multiple of ``<Division>`` and of the
        denominators the note values need, so every time is exact; a given resolution rounds onsets and
        offsets (half up) separately.
    expand_repeats : bool, default False
        Play repeats, voltas, D.C./D.S., coda and fine (as MusPy's reader always does).
    open_ties : {"join", "keep"}, default "join"
        What a tie start that no tie end answers does: join the next note of the same pitch in the same
        voice when it starts where the tied note ends (default), or keep both notes as written (see
        :func:`~muspy_like.io.musicxml.read_musicxml`).
    grace_notes : {"keep", "zero", "drop"}, default "keep"
        What a grace chord becomes: notes of its notated value (``<durationType>`` and ``<dots>``) at the
        onset of its principal chord, or at its end for ``<grace8after/>``, ``<grace16after/>`` and
        ``<grace32after/>`` (``"keep"``, as MusPy keeps them, though MusPy places grace notes after a
        chord at its onset); the same with zero length (``"zero"``, as music21 reads them); or nothing
        (``"drop"``). See :func:`~muspy_like.io.musicxml.read_musicxml`.

    Returns
    -------
    Music
        One track per part.

    Raises
    ------
    MuseScoreError
        If the file is unreadable, unsafe or malformed (the message names the file, staff, measure, element
        and value).
    ValueError
        If ``open_ties`` or ``grace_notes`` is not one of the values above.
    """
    path = Path(path)
    check_open_ties(open_ties)
    check_grace_notes(grace_notes)
    data = read_score_bytes(path, (".mscz",), (".mscx",), MuseScoreError)
    root = parse_xml(data, str(path), MuseScoreError)
    if root.tag != "museScore":
        raise MuseScoreError(f"{path}: root element <{root.tag}> is not <museScore>")
    try:
        return _read_score(root, path, resolution, expand_repeats, open_ties, grace_notes)
    except ScoreValueError as exc:
        raise MuseScoreError(f"{path}: {exc}") from None


def _read_score(root: Any, path: Path, resolution: Optional[int], expand_repeats: bool, open_ties: str,
                grace_notes: str = "keep") -> Music:
    score = root.find("Score")
    score = root if score is None else score
    division = read_int(_text(score, "Division") or _text(root, "Division") or "480", "<Division>", 1, MAX_RESOLUTION)
    parts = _parts(score)
    staves = list(score.iterchildren("Staff"))
    if not parts and staves:
        parts = [_Part(None, 0, False, len(staves))]
    read_staves = [_read_staff(staff, index, division, grace_notes) for index, staff in enumerate(staves)]

    n_measures = max((len(e.lengths) for e in read_staves), default=0)
    first = read_staves[0] if read_staves else _StaffEvents()
    flows = _flows(first, n_measures)
    try:
        order = play_order(flows) if expand_repeats else list(range(n_measures))
    except ValueError as exc:
        raise ScoreValueError(f"cannot expand repeats: {exc}") from None

    lengths_q = [first.lengths[k] if k < len(first.lengths) else Fraction(4) for k in range(n_measures)]
    if resolution is None:
        resolution = _exact_resolution(division, read_staves)
    lengths = _ticks(lengths_q, resolution)
    check_piece_length(sum(lengths[order].tolist()) if order else 0, resolution)
    starts = measure_starts(lengths, order)

    music = Music(metadata=_metadata(root, score, path), resolution=resolution)
    music.tempos = [Tempo(t, q) for t, q in _layout(first.tempos, order, starts, resolution)]
    music.time_signatures = [TimeSignature(t, n, d) for t, (n, d) in
                             _layout([(m, o, (n, d)) for m, o, n, d in first.times], order, starts, resolution)]
    keys = _layout([(m, o, (f, mode)) for m, o, f, mode in first.keys], order, starts, resolution)
    music.key_signatures = [key_signature_event(t, fifths, mode) for t, (fifths, mode) in keys]
    music.barlines = [Barline(int(t)) for t in starts[:-1]]

    staff_index = 0
    for part in parts:
        owned = read_staves[staff_index: staff_index + part.staves]
        staff_index += part.staves
        music.tracks.append(_track(part, owned, order, starts, resolution, open_ties))
    return music


def _read_staff(staff: Any, index: int, division: int, grace_notes: str = "keep") -> _StaffEvents:
    try:
        return _StaffReader(division, index, grace_notes).read(staff)
    except ScoreValueError as exc:
        raise ScoreValueError(f"staff {staff.get('id', index + 1)}, {exc}") from None


def _exact_resolution(division: int, staves: list[_StaffEvents]) -> int:
    """The least common multiple of ``<Division>`` and of every denominator of a time or length."""
    denominators = {division}
    for events in staves:
        denominators.update(v.denominator for v in events.lengths)
        denominators.update(n[1].denominator for n in events.notes)
        denominators.update(n[3].denominator for n in events.notes)
    return check_resolution(math.lcm(*denominators), "the note values (tuplets) and <Division>")


def _layout(items: list, order: list[int], starts: np.ndarray, resolution: int) -> list[tuple[int, Any]]:
    """(tick, value) of global items given as (measure, offset in quarters, value), one per tick."""
    if not items:
        return []
    source, times = unfold_events(
        np.array([i[0] for i in items]), _ticks([i[1] for i in items], resolution), order, starts
    )
    placed: dict[int, Any] = {}
    for index, time in zip(source.tolist(), times.tolist()):
        placed.setdefault(time, items[index][2])
    return sorted(placed.items())


def _track(part: _Part, staves: list[_StaffEvents], order: list[int], starts: np.ndarray, resolution: int,
           open_ties: str) -> Track:
    track = Track(program=part.program, is_drum=part.is_drum, name=part.name, channel=9 if part.is_drum else None)
    rows = [n for events in staves for n in events.notes]
    if rows:
        m, offset, pitch, duration, velocity, tie_start, tie_stop, voice = zip(*rows)
        source, time = unfold_events(np.array(m), _ticks(offset, resolution), order, starts)
        onset_q = np.array(offset, dtype=object)[source]
        end = _ticks([o + d for o, d in zip(onset_q, np.array(duration, dtype=object)[source])], resolution)
        length = end - _ticks(onset_q, resolution)
        pitch, velocity = np.array(pitch)[source], np.array(velocity)[source]
        keep, length = merge_tied_notes(time, pitch, length, np.array(tie_start)[source], np.array(tie_stop)[source],
                                        np.array(voice)[source], open_ties)
        track.notes = NoteArray.from_columns(time=time[keep], pitch=pitch[keep], duration=length[keep],
                                             velocity=velocity[keep])
        track.notes.sort()
    lyrics = [x for events in staves for x in events.lyrics]
    if lyrics:
        lm, loffset, texts = zip(*lyrics)
        lsource, ltime = unfold_events(np.array(lm), _ticks(loffset, resolution), order, starts)
        track.lyrics = sorted((Lyric(int(t), texts[i]) for i, t in zip(lsource.tolist(), ltime.tolist())),
                              key=lambda x: x.time)
    return track
