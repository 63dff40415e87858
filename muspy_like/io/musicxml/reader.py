"""MusicXML reader: ``.xml``/``.musicxml`` (partwise or timewise) and compressed ``.mxl`` to a Music.

The reader walks each measure once, collecting events as (measure index, offset in the measure) pairs in
integer ticks at the least common multiple of every ``<divisions>`` in the file, so nothing is rounded.
Measures are then laid end to end (each part on its own measure lengths), optionally in their played
order with repeats and jumps expanded, and ties are joined (:mod:`muspy_like.io.score_common`).

Policies (see ``docs/io-scores.md``):

* a grace note (``<grace/>``) is kept where it is written -- at the onset of the note that follows it, or
  where the measure's position stands for one written after its principal note -- with the length of its
  notated value (``<type>`` and dots; an eighth if no type is given), as MusPy reads it
  (``grace_notes="keep"``, the default); ``"zero"`` gives it zero length (music21's reading), ``"drop"``
  leaves it out; grace notes take no time in the measure in every case;
* cue notes take their time but are silent;
* written pitches of transposing parts become sounding pitches (``<transpose>``);
* velocity comes from the last ``<sound dynamics>`` or dynamics marking of the part at or before the note
  (64 before any), a note's own ``dynamics`` attribute taking precedence;
* each part is laid out on its own measure lengths (as music21 does): a measure lasts as long as its
  content, or its time signature says when empty or overfull by a stray amount; barlines are those of
  the first part; key and time signatures and tempos are global: the first part that gives one at a tick wins;
  keys are stored at concert pitch;
* lyrics of the first verse go to the part's track;
* a tie start that no tie stop answers joins the next note of the same pitch in the same voice, if it
  starts where the tied note ends (``open_ties="join"``, the default; ``"keep"`` leaves such notes as
  written);
* a chord member sounds as long as the chord's first note, whatever its own ``<duration>`` says (the
  position moves by the first note, as the specification says).

Every number is checked (:func:`muspy_like.io.score_common.read_int` and friends); a malformed file gives
a :class:`~muspy_like.errors.MusicXMLError` naming the file, part, measure, element and value.
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
from muspy_like.errors import MusicXMLError
from muspy_like.io.musicxml.safe_xml import parse_xml, read_score_bytes
from muspy_like.io.score_common import (
    MAX_QUARTERS,
    MAX_RESOLUTION,
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
    percent_to_velocity,
    play_order,
    read_decimal,
    read_int,
    unfold_events,
    velocity_of_dynamics,
)
from muspy_like.theory import LETTER_PITCH_CLASSES, transpose_fifths

__all__ = ["read_musicxml", "parse_musicxml"]

_BEAT_UNIT_QUARTERS = {
    "maxima": 32.0,
    "long": 16.0,
    "breve": 8.0,
    "whole": 4.0,
    "half": 2.0,
    "quarter": 1.0,
    "eighth": 0.5,
    "16th": 0.25,
    "32nd": 0.125,
    "64th": 0.0625,
    "128th": 0.03125,
}
#: Length in quarter notes of each MusicXML ``<type>`` (note-type-value), exact.
_NOTE_TYPE_QUARTERS = {name: Fraction(2) ** (5 - k) for k, name in enumerate(
    ("maxima", "long", "breve", "whole", "half", "quarter", "eighth", "16th", "32nd", "64th", "128th", "256th",
     "512th", "1024th"))}
#: Most dots a grace note's value may carry.
_MAX_DOTS = 8
_DIGITS = re.compile(r"\d+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


#: Errors that a malformed file can still raise from deep inside the walk; turned into MusicXMLError with
#: the place (the checks of :mod:`~muspy_like.io.score_common` name the element and value themselves).
_MALFORMED = (ValueError, TypeError, KeyError, ArithmeticError)


def _midi_number(text: str, what: str) -> int:
    """A 1-based MIDI channel, program or key number, as 0-based and clipped to 0-127."""
    return min(max(read_int(text, what, rounding=True) - 1, 0), 127)


@dataclass
class _PartInfo:
    """What ``<part-list>`` says about a part."""

    name: Optional[str] = None
    program: int = 0
    channel: Optional[int] = None
    is_drum: bool = False
    unpitched: dict = field(default_factory=dict)  # instrument id -> MIDI key (0-127)


@dataclass
class _PartEvents:
    """Events of one part, timed by (measure index, offset in ticks)."""

    # (measure, offset, pitch, duration, velocity, tie_start, tie_stop, voice)
    notes: list = field(default_factory=list)
    lyrics: list = field(default_factory=list)  # (measure, offset, text)
    velocities: list = field(default_factory=list)  # (measure, offset, velocity)
    lengths: list = field(default_factory=list)  # content length of each measure, ticks
    nominal: list = field(default_factory=list)  # length the time signature gives, ticks (rounded down)
    nominal_exact: list = field(default_factory=list)  # whether that length is a whole number of ticks
    has_unpitched: bool = False


@dataclass
class _Globals:
    """Global events, keyed by (measure, offset) so the first part to give one wins."""

    tempos: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)
    times: dict = field(default_factory=dict)
    flows: list = field(default_factory=list)


def _part_list(root: Any, source: str) -> tuple[list[str], dict[str, _PartInfo]]:
    """Part ids in ``<part-list>`` order, and what the list says about each part."""
    try:
        return _read_part_list(root)
    except ScoreValueError as exc:
        raise MusicXMLError(f"{source}: <part-list>: {exc}") from None


def _read_part_list(root: Any) -> tuple[list[str], dict[str, _PartInfo]]:
    order: list[str] = []
    infos: dict[str, _PartInfo] = {}
    part_list = root.find("part-list")
    if part_list is None:
        return order, infos
    for score_part in part_list.iter("score-part"):
        part_id = score_part.get("id") or f"#{len(order)}"
        info = _PartInfo()
        name = score_part.findtext("part-name")
        instrument_name = score_part.findtext("score-instrument/instrument-name")
        info.name = (name or "").strip() or (instrument_name or "").strip() or None
        first = True
        for midi in score_part.iter("midi-instrument"):
            channel = midi.findtext("midi-channel")
            program = midi.findtext("midi-program")
            unpitched = midi.findtext("midi-unpitched")
            if first:
                if channel is not None:
                    info.channel = min(_midi_number(channel, "<midi-channel>"), 15)
                    info.is_drum = info.channel == 9
                if program is not None:
                    info.program = _midi_number(program, "<midi-program>")
                first = False
            if unpitched is not None:
                info.unpitched[midi.get("id")] = _midi_number(unpitched, "<midi-unpitched>")
        order.append(part_id)
        infos[part_id] = info
    return order, infos


def _parts(root: Any, source: str) -> list[tuple[str, list]]:
    """(part id, list of measure elements) for a partwise or timewise score."""
    if root.tag == "score-partwise":
        return [(part.get("id") or "", list(part.iterchildren("measure"))) for part in root.iterchildren("part")]
    if root.tag == "score-timewise":
        by_part: dict[str, list] = {}
        for measure in root.iterchildren("measure"):
            for part in measure.iterchildren("part"):
                by_part.setdefault(part.get("id") or "", []).append(part)
        return list(by_part.items())
    raise MusicXMLError(f"{source}: root element <{root.tag}> is not <score-partwise> or <score-timewise>")


def _time_signature(element: Any) -> Optional[tuple[int, int]]:
    """(numerator, denominator) of a ``<time>``; composite meters add up ((3+2)/8 is 5/8), several
    ``<beats>``/``<beat-type>`` pairs too (2/4 + 3/8 is 7/8). None for a time without numbers (senza misura)."""
    beats = [_beats(b.text) for b in element.iterchildren("beats")]
    types = [read_int(t.text, "<time> <beat-type>", 1, 1024) for t in element.iterchildren("beat-type")]
    if not beats or not types or len(beats) != len(types):
        return None
    denominator = max(types)
    if len(beats) == 1:
        numerator, exact = beats[0], True
    else:  # 2/4 + 3/8 is 7/8
        total = sum(Fraction(b, t) for b, t in zip(beats, types))
        numerator, exact = int(total * denominator), total.denominator <= denominator
    if denominator & (denominator - 1) or numerator <= 0 or not exact:
        shown = "+".join(f"{b}/{t}" for b, t in zip(beats, types))
        reason = "the beat type must be a power of two (1, 2, 4, 8, ...)" if denominator & (denominator - 1) else \
            "not a meter a time signature can hold"
        raise ScoreValueError(f"<time> {shown}: {reason}")
    return numerator, denominator


def _beats(text: Optional[str]) -> int:
    """The number of beats of a ``<beats>``: an integer, or a sum such as ``3+2``."""
    terms = _DIGITS.findall(text or "")
    if not terms:
        raise ScoreValueError(f"<time> <beats> {(text or '').strip()!r} holds no number")
    return sum(read_int(term, "<time> <beats>", 0, 10_000) for term in terms[:64])


def _key_signature(element: Any, chromatic: int) -> Optional[tuple[int, Optional[str]]]:
    fifths = element.findtext("fifths")
    if fifths is None:
        return None
    fifths = read_int(fifths, "<key> <fifths>", -35, 35)
    if chromatic:
        fifths = transpose_fifths(fifths, chromatic)
    mode = element.findtext("mode")
    return fifths, (mode.strip().lower() if mode and mode.strip() else None)


def _metronome_qpm(metronome: Any) -> Optional[float]:
    unit = metronome.findtext("beat-unit")
    per_minute = metronome.findtext("per-minute")
    if unit is None or per_minute is None:
        return None
    match = _NUMBER.search(per_minute)
    quarters = _BEAT_UNIT_QUARTERS.get(unit.strip())
    if match is None or quarters is None:
        return None
    dots = len(list(metronome.iterchildren("beat-unit-dot")))
    quarters *= 2 - 0.5**dots
    return read_decimal(match.group(), "<metronome> <per-minute>") * quarters


class _PartReader:
    """Reads the measures of one part.

    State carried from measure to measure: divisions (as ticks per division), transposition, open
    volta endings, the time signature's measure length. Within a measure: the position (``<backup>``,
    ``<forward>`` and notes move it), the onset of the current chord and the furthest position reached.
    """

    def __init__(self, index: int, info: _PartInfo, ticks_per_quarter: int, globals_: _Globals, source: str,
                 grace_notes: str = "keep"):
        self.index = index
        self.grace_notes = grace_notes
        self.grace_onset = 0  # onset of the current grace chord
        self.info = info
        self.tpq = ticks_per_quarter
        self.globals = globals_
        self.source = source
        self.events = _PartEvents()
        self.scale = ticks_per_quarter  # ticks per division (set by <divisions>)
        self.max_divisions = MAX_QUARTERS  # longest duration in divisions (MAX_QUARTERS quarter notes)
        self.chromatic = 0
        self.nominal_length = 4 * ticks_per_quarter
        self.nominal_exact = True
        self.endings: frozenset = frozenset()
        self.voices: dict[Optional[str], int] = {}  # <voice> text -> voice code
        self.position = self.onset = self.length = self.chord_length = 0

    def flow(self, m: int) -> MeasureFlow:
        flows = self.globals.flows
        while len(flows) <= m:
            flows.append(MeasureFlow())
        return flows[m]

    def read(self, part_id: str, measures: list) -> _PartEvents:
        """Read every measure; a malformed one raises MusicXMLError naming the file, part and measure."""
        for m, measure in enumerate(measures):
            try:
                self.read_measure(m, measure)
            except _MALFORMED as exc:
                number = measure.get("number", str(m + 1))
                raise MusicXMLError(f"{self.source}: part {part_id!r}, measure {number}: {exc}") from None
        return self.events

    def read_measure(self, m: int, measure: Any) -> None:
        """Read one measure: its notes, position moves, attributes, directions and barlines.

        The measure is walked once, in document order, over only the elements the reader uses (lxml filters
        the tags in C, so no Python object is made for the others: stems, beams, slurs, layout...). A
        ``<note>`` is followed by its own pitch, duration, ties and voice; the next top-level element ends it.
        """
        self.position = self.onset = self.length = 0
        flow = self.flow(m)
        if self.endings:
            flow.endings = flow.endings | self.endings
        note: Optional[_NoteFields] = None
        texts: dict = {}  # texts of the current note's step, octave, duration... (the hot path: no call)
        for element in measure.iter(*_WALKED_TAGS):
            tag = element.tag
            if tag in _NOTE_TEXTS:
                texts[tag] = element.text
                continue
            if tag not in _TOP_LEVEL_TAGS:
                if note is not None:
                    note.take(tag, element)
                continue
            if tag == "sound" and element.getparent() is not measure:
                continue  # a <direction>'s own <sound>, read with its direction
            if note is not None:
                self.add_note(m, note)
                note = None
            if tag == "note":
                note = _NoteFields(element)
                texts = note.texts
            else:
                texts = {}
                self.read_element(tag, element, m, flow)
        if note is not None:
            self.add_note(m, note)
        self.events.lengths.append(self.length)
        self.events.nominal.append(self.nominal_length)
        self.events.nominal_exact.append(self.nominal_exact)

    def read_element(self, tag: str, element: Any, m: int, flow: MeasureFlow) -> None:
        """A top-level element of a measure other than a note."""
        if tag == "backup":
            # A backup before the start of the measure (a corrupt file) stops at the start.
            self.position = max(self.position - self.divisions(element.findtext("duration"), "<backup>"), 0)
            return
        if tag == "forward":
            self.position += self.divisions(element.findtext("duration"), "<forward>")
        elif tag == "attributes":
            self.read_attributes(element, m)
        elif tag == "direction":
            offset = element.findtext("offset")
            at = self.position
            if offset is not None:
                at += self.divisions(offset, "<direction> <offset>", signed=True)
            self.read_direction(element, m, max(at, 0))
        elif tag == "sound":
            self.read_sound(element, m, self.position)
        elif tag == "barline":
            self.read_barline(element, flow)
        if self.position > self.length:
            self.length = self.position

    def divisions(self, text: Optional[str], what: str, signed: bool = False) -> int:
        """A duration or offset in divisions, checked, as ticks."""
        if text is None:
            raise ScoreValueError(f"{what} without <duration>")
        limit = self.max_divisions
        return read_int(text, what, -limit if signed else 0, limit, rounding=True) * self.scale

    def add_note(self, m: int, note: "_NoteFields") -> None:
        """Place a read note: move the position, and keep it unless it is a rest or a cue note."""
        if note.grace:
            self.add_grace_note(m, note)
            return
        texts = note.texts
        duration = texts.get("duration")
        if duration is None:
            raise ScoreValueError("a <note> without <duration>")
        try:
            length = int(duration)
        except ValueError:
            length = -1
        if not 0 <= length <= self.max_divisions:  # not a plain integer in range: the checked reading
            length = read_int(duration, "<note> <duration>", 0, self.max_divisions, rounding=True)
        length *= self.scale
        if note.chord:
            # A chord is one rhythmic value: a member whose own <duration> disagrees (an encoding slip, as
            # in Schubert's Lindenbaum in music21's corpus) sounds as long as the chord's first note.
            start, length = self.onset, self.chord_length
        else:
            start = self.onset = self.position
            self.chord_length = length
            self.position += length
            if self.position > self.length:
                self.length = self.position
        if not note.rest and not note.cue:
            dynamics = note.element.get("dynamics")
            velocity = -1 if dynamics is None else percent_to_velocity(read_decimal(dynamics, "<note dynamics>"))
            voice = texts.get("voice")
            code = self.voices.get(voice)
            if code is None:
                code = self.voices[voice] = len(self.voices)
            self.events.notes.append((m, start, self.note_key(note), length, velocity, note.tie_start,
                                      note.tie_stop, code))
        if note.lyric is not None:
            text = _lyric_text(note.lyric)
            if text:
                self.events.lyrics.append((m, start, text))

    def add_grace_note(self, m: int, note: "_NoteFields") -> None:
        """Keep a grace note (by the ``grace_notes`` policy) where it is written; the position does not move.

        Its ties are not read, and it gets a voice code of its own so that no open tie of its voice joins it:
        a grace note tied to its principal note does not touch it (both start at the same position). Its lyric is left out, as it would share the
        principal note's onset.
        """
        if self.grace_notes == "drop" or note.rest or note.cue:
            return
        start = self.grace_onset if note.chord else self.position
        self.grace_onset = start
        length = 0 if self.grace_notes == "zero" else int(_grace_quarters(note.element) * self.tpq)
        dynamics = note.element.get("dynamics")
        velocity = -1 if dynamics is None else percent_to_velocity(read_decimal(dynamics, "<note dynamics>"))
        voice = note.texts.get("voice")
        code = self.voices.get(voice)
        if code is None:
            code = self.voices[voice] = len(self.voices)
        # A voice code of its own (negative): no tie of the voice's notes can join a grace note.
        self.events.notes.append((m, start, self.note_key(note), length, velocity, False, False, -1 - code))

    def note_key(self, note: "_NoteFields") -> int:
        """MIDI key of a sounding note: its instrument's unpitched key, else its (transposed) pitch."""
        if note.unpitched:
            self.events.has_unpitched = True
        if note.instrument is not None and note.instrument in self.info.unpitched:
            return self.info.unpitched[note.instrument]
        texts = note.texts
        step = texts.get("step")
        if step is not None and not note.unpitched:
            alter, octave = texts.get("alter"), texts.get("octave")
            key = _PLAIN_KEYS.get((step, alter, octave))
            if key is None:
                key = _midi_key(step, alter, octave, "step", "octave")
            key += self.chromatic
        elif note.unpitched and texts.get("display-step") is not None:
            key = _midi_key(texts["display-step"], None, texts.get("display-octave"), "display-step", "display-octave")
        elif note.unpitched:
            raise ScoreValueError("<unpitched> without <display-step> or <display-octave>")
        else:
            raise ScoreValueError("a <note> without <pitch>, <unpitched> or <rest>")
        if not 0 <= key <= 127:
            raise ScoreValueError(f"pitch {key} is outside the MIDI range 0-127")
        return key

    def read_attributes(self, element: Any, m: int) -> None:
        position = self.position
        divisions = element.findtext("divisions")
        if divisions is not None:
            value = read_int(divisions, "<divisions>", 1, MAX_RESOLUTION, rounding=True)
            self.scale = self.tpq // value
            self.max_divisions = value * MAX_QUARTERS
        for transpose in element.iterchildren("transpose"):
            if transpose.get("number") not in (None, "1"):
                continue
            chromatic = read_int(transpose.findtext("chromatic") or "0", "<transpose> <chromatic>", -127, 127,
                                 rounding=True)
            octaves = read_int(transpose.findtext("octave-change") or "0", "<transpose> <octave-change>", -10, 10)
            double = transpose.find("double")
            if double is not None and double.get("above") != "yes":
                octaves -= 1
            elif double is not None:
                octaves += 1
            self.chromatic = chromatic + 12 * octaves
        for key in element.iterchildren("key"):
            if key.get("number") not in (None, "1"):
                continue
            parsed = _key_signature(key, self.chromatic % 12)
            if parsed is not None:
                self.globals.keys.setdefault((m, position), (self.index, parsed))
        for time in element.iterchildren("time"):
            if time.get("number") not in (None, "1"):
                continue
            parsed = _time_signature(time)
            if parsed is not None:
                self.globals.times.setdefault((m, position), (self.index, parsed))
                self.nominal_length, remainder = divmod(parsed[0] * 4 * self.tpq, parsed[1])
                self.nominal_exact = remainder == 0

    def read_direction(self, element: Any, m: int, at: int) -> None:
        sound = element.find("sound")
        has_tempo = has_dynamics = False
        if sound is not None:
            has_tempo = sound.get("tempo") is not None
            has_dynamics = sound.get("dynamics") is not None
            self.read_sound(sound, m, at)
        flow = self.flow(m)
        for direction_type in element.iterchildren("direction-type"):
            for child in direction_type:
                tag = child.tag
                if tag == "metronome" and not has_tempo:
                    qpm = _metronome_qpm(child)
                    if qpm is not None and qpm > 0:
                        self.globals.tempos.setdefault((m, at), (self.index, qpm))
                elif tag == "dynamics" and not has_dynamics:
                    for marking in child:
                        velocity = velocity_of_dynamics(marking.tag if marking.tag != "other-dynamics" else (marking.text or ""))
                        if velocity is not None:
                            self.events.velocities.append((m, at, velocity))
                            break
                elif tag == "segno":
                    flow.segno = True

    def read_sound(self, sound: Any, m: int, at: int) -> None:
        attrib = sound.attrib
        if not attrib:
            return
        tempo = attrib.get("tempo")
        if tempo is not None:
            qpm = read_decimal(tempo, "<sound tempo>")
            if qpm > 0:  # MusicXML allows 0 (no tempo): nothing to store
                self.globals.tempos.setdefault((m, at), (self.index, qpm))
        dynamics = attrib.get("dynamics")
        if dynamics is not None:
            self.events.velocities.append((m, at, percent_to_velocity(read_decimal(dynamics, "<sound dynamics>"))))
        flow = self.flow(m)
        if attrib.get("dacapo") == "yes":
            flow.da_capo = True
        if attrib.get("dalsegno"):
            flow.dal_segno = True
        if attrib.get("segno"):
            flow.segno = True
        if attrib.get("coda"):
            flow.coda = True
        if attrib.get("tocoda"):
            flow.to_coda = True
        if attrib.get("fine"):
            flow.fine = True

    def read_barline(self, barline: Any, flow: MeasureFlow) -> None:
        repeat = barline.find("repeat")
        if repeat is not None:
            if repeat.get("direction") == "forward":
                flow.repeat_start = True
            elif repeat.get("direction") == "backward":
                times = repeat.get("times")
                played = read_int(times, "<repeat times>", 0, 1000) if times else 2
                flow.repeat_times = max(flow.repeat_times, played)
        for ending in barline.iterchildren("ending"):
            numbers = frozenset(int(x) for x in _DIGITS.findall(ending.get("number") or "")[:100])
            kind = ending.get("type")
            if kind == "start":
                self.endings = numbers
                flow.endings = flow.endings | numbers
            elif kind in ("stop", "discontinue"):
                flow.endings = flow.endings | numbers
                self.endings = frozenset()
        for child in barline:
            if child.tag == "segno":
                flow.segno = True
            elif child.tag == "coda":
                flow.coda = True


#: Children of a measure that end the note before them.
_TOP_LEVEL_TAGS = frozenset({"note", "backup", "forward", "attributes", "direction", "sound", "barline",
                             "figured-bass", "harmony"})
#: Elements of a note whose text the reader keeps as written.
_NOTE_TEXTS = frozenset({"step", "alter", "octave", "duration", "voice", "display-step", "display-octave"})
#: Every element a measure walk looks at: the top-level ones, and the parts of a note the reader uses.
_WALKED_TAGS = tuple(_TOP_LEVEL_TAGS) + tuple(_NOTE_TEXTS) + (
    "chord", "rest", "grace", "cue", "tie", "tied", "unpitched", "instrument", "lyric",
)


class _NoteFields:
    """What a measure walk gathers about one ``<note>``: ``texts`` by tag (:data:`_NOTE_TEXTS`), and flags."""

    __slots__ = ("element", "texts", "chord", "rest", "grace", "cue", "unpitched", "instrument", "tie_start",
                 "tie_stop", "lyric", "first_verse")

    def __init__(self, element: Any):
        self.element = element
        self.texts: dict[str, Optional[str]] = {}
        self.instrument = self.lyric = None
        self.chord = self.rest = self.grace = self.cue = self.unpitched = False
        self.tie_start = self.tie_stop = self.first_verse = False

    def take(self, tag: str, element: Any) -> None:
        """Record one element found inside the note (other than the texts)."""
        if tag == "tie" or tag == "tied":
            kind = element.get("type")
            self.tie_start |= kind == "start"
            self.tie_stop |= kind == "stop"
        elif tag == "chord":
            self.chord = True
        elif tag == "rest":
            self.rest = True
        elif tag == "grace":
            self.grace = True
        elif tag == "cue":
            self.cue = True
        elif tag == "unpitched":
            self.unpitched = True
        elif tag == "instrument":
            self.instrument = element.get("id")
        elif tag == "lyric":
            # The first verse: the first lyric numbered 1 (or not numbered), else the first lyric.
            if self.lyric is None or (not self.first_verse and element.get("number") in (None, "1")):
                self.first_verse = element.get("number") in (None, "1")
                self.lyric = element


def _grace_quarters(note: Any) -> Fraction:
    """The notated value of a grace ``<note>`` in quarter notes: its ``<type>`` (an eighth if none) and dots."""
    kind = note.findtext("type")
    kind = "eighth" if kind is None else kind.strip()
    if kind not in _NOTE_TYPE_QUARTERS:
        raise ScoreValueError(f"grace note <type> {kind!r} is not a note value ({', '.join(_NOTE_TYPE_QUARTERS)})")
    dots = min(sum(1 for _ in note.iterchildren("dot")), _MAX_DOTS)
    return _NOTE_TYPE_QUARTERS[kind] * (2 - Fraction(1, 2**dots))


def _lyric_text(lyric: Any) -> str:
    """A ``<lyric>``'s text (syllables joined by an ``<elision>`` separated by a space), hyphenated as its
    ``<syllabic>`` says (:func:`~muspy_like.io.score_common.hyphenated_syllable`); empty if it has none."""
    texts = []
    first = last = None
    for child in lyric:  # one pass over the few children (a lyric is read for most notes of a song)
        tag = child.tag
        if tag == "text":
            texts.append(child.text or "")
        elif tag == "syllabic":
            last = child.text
            if first is None:
                first = last
    text = (texts[0] if len(texts) == 1 else " ".join(texts)).strip()
    return hyphenated_syllable(text, first, last) if first is not None and text else text


def _midi_key(step: Optional[str], alter: Optional[str], octave: Optional[str], step_tag: str, octave_tag: str) -> int:
    """MIDI key of a written step, alter and octave (before transposition)."""
    if step is None or octave is None:
        raise ScoreValueError(f"a pitch without <{step_tag}> or <{octave_tag}>")
    semitone = _STEPS.get(step)
    if semitone is None:
        semitone = LETTER_PITCH_CLASSES.get(step.strip().upper())
        if semitone is None:
            raise ScoreValueError(f"<{step_tag}> {step.strip()!r} is not a note letter A-G")
    if alter:
        try:
            semitone += int(alter)
        except ValueError:
            semitone += round(read_decimal(alter, "<alter>", -24, 24))
    # The schema's octaves are 0-9; octave -1 (MIDI keys 0-11) is what several writers use below that.
    octave_number = _OCTAVES.get(octave)
    if octave_number is None:
        octave_number = read_int(octave, f"<{octave_tag}>", -1, 9)
    return (octave_number + 1) * 12 + semitone


#: Fast paths for the usual texts of ``<step>`` and ``<octave>`` (others go through the checks).
_STEPS = dict(LETTER_PITCH_CLASSES)
_OCTAVES = {str(octave): octave for octave in range(-1, 10)}
#: MIDI key of every usual (step, alter, octave) text triple, looked up once per note.
_PLAIN_KEYS = {
    (step, alter, octave): _midi_key(step, alter, octave, "step", "octave")
    for step in _STEPS for alter in (None, "-2", "-1", "0", "1", "2") for octave in _OCTAVES
}


def _metadata(root: Any, source: Path) -> Metadata:
    title = root.findtext("work/work-title") or root.findtext("movement-title")
    creators = [c.text.strip() for c in root.iterfind("identification/creator") if c.text and c.text.strip()]
    rights = [r.text.strip() for r in root.iterfind("identification/rights") if r.text and r.text.strip()]
    return Metadata(
        title=title.strip() if title and title.strip() else None,
        creators=creators,
        copyright="\n".join(rights) or None,
        source_filename=source.name,
        source_format="musicxml",
    )


def _ticks_per_quarter(root: Any, source: str, grace_notes: str = "keep") -> int:
    """The least common multiple of every ``<divisions>`` in the file (1 if none), and with ``grace_notes="keep"``
    of the denominators of the grace notes' values: times stay exact."""
    # XPath returns the texts without building an element proxy per match (several times faster).
    texts = set(root.xpath("part/measure/attributes/divisions/text() | measure/part/attributes/divisions/text()"))
    try:
        values = {read_int(text, "<divisions>", 1, MAX_RESOLUTION, rounding=True) for text in texts}
        if grace_notes == "keep":
            for grace in root.iter("grace"):
                note = grace.getparent()
                if note.tag == "note":
                    try:
                        values.add(_grace_quarters(note).denominator)
                    except ScoreValueError as exc:
                        raise MusicXMLError(f"{source}: {_place(note)}: {exc}") from None
        return check_resolution(math.lcm(*values) if values else 1, f"the <divisions> {sorted(values)}")
    except ScoreValueError as exc:
        for element in root.iter("divisions"):
            try:
                read_int(element.text, "<divisions>", 1, MAX_RESOLUTION, rounding=True)
            except ScoreValueError:
                raise MusicXMLError(f"{source}: {_place(element)}: {exc}") from None
        raise MusicXMLError(f"{source}: {exc}") from None


def _place(element: Any) -> str:
    """"part 'P1', measure 3" for an element inside a measure (partwise or timewise)."""
    part = next(element.iterancestors("part"), None)
    measure = next(element.iterancestors("measure"), None)
    where = []
    if part is not None:
        where.append(f"part {part.get('id', '?')!r}")
    if measure is not None:
        where.append(f"measure {measure.get('number', '?')}")
    return ", ".join(where) or "in the header"


def _global_events(items: dict, starts: list[np.ndarray], order: list[int]) -> list[tuple[int, Any]]:
    """Lay out {(measure, offset): (part index, value)} on each part's played measures; one value per tick."""
    placed: dict[int, Any] = {}
    by_part: dict[int, list] = {}
    for (m, offset), (part, value) in items.items():
        by_part.setdefault(part, []).append((m, offset, value))
    for part in sorted(by_part):
        entries = by_part[part]
        source, times = unfold_events(
            np.array([e[0] for e in entries]), np.array([e[1] for e in entries]), order, starts[part]
        )
        for index, time in zip(source.tolist(), times.tolist()):
            placed.setdefault(time, entries[index][2])
    return sorted(placed.items())


def _deduplicate_changes(events: list, same) -> list:
    """Drop events that repeat the value in force (e.g. a time signature restated in every part)."""
    kept = []
    for event in events:
        if kept and same(kept[-1], event):
            continue
        kept.append(event)
    return kept


def _measure_lengths(events: _PartEvents, n_measures: int, ticks_per_quarter: int) -> np.ndarray:
    """Length of each measure of a part, in ticks: its content, or the time signature's when empty.

    Each part is laid out on its own measure lengths (as music21 does), so a part whose measure is
    shorter than the others' does not shift; a part with fewer measures gets empty full-length ones. A
    measure overfull by a small amount that is no note value (at most half a quarter note, and not a
    multiple of a 64th or of a 32nd triplet: the remainder of a badly rounded tuplet, as in Beethoven's
    op. 18 no. 1 in music21's corpus) is taken as mis-encoded and keeps its time signature's length, so
    the part stays in step with the others (music21's rule too).
    """
    lengths = np.zeros(n_measures, dtype=np.int64)
    nominal = np.full(n_measures, events.nominal[-1] if events.nominal else 0, dtype=np.int64)
    lengths[: len(events.lengths)] = events.lengths
    nominal[: len(events.nominal)] = events.nominal
    exact = np.ones(n_measures, dtype=bool)
    exact[: len(events.nominal_exact)] = events.nominal_exact
    excess = lengths - nominal
    # (Where the time signature's length is no whole number of ticks, as 5/16 at 7 ticks per quarter, the
    # content decides: it is the only exact length there is.)
    stray = (exact & (excess > 0) & (2 * excess <= ticks_per_quarter) & ((16 * excess) % ticks_per_quarter != 0)
             & ((12 * excess) % ticks_per_quarter != 0))
    return np.where(lengths > 0, np.where(stray, nominal, lengths), nominal)


def parse_musicxml(
    root: Any,
    source: Union[str, Path] = "<string>",
    expand_repeats: bool = False,
    open_ties: str = "join",
    grace_notes: str = "keep",
) -> Music:
    """Build a Music from a parsed MusicXML root element (see :func:`read_musicxml`)."""
    source = Path(source)
    check_open_ties(open_ties)
    check_grace_notes(grace_notes)
    order_ids, infos = _part_list(root, str(source))
    parts = _parts(root, str(source))
    tpq = _ticks_per_quarter(root, str(source), grace_notes)
    globals_ = _Globals()
    used: set[str] = set()
    read_parts = []
    for index, (part_id, measures) in enumerate(parts):
        if part_id not in infos and index < len(order_ids) and order_ids[index] not in used and not part_id:
            part_id = order_ids[index]
        used.add(part_id)
        info = infos.get(part_id, _PartInfo())
        events = _PartReader(index, info, tpq, globals_, str(source), grace_notes).read(part_id, measures)
        read_parts.append((info, events))

    n_measures = max((len(e.lengths) for _, e in read_parts), default=0)
    flows = globals_.flows + [MeasureFlow() for _ in range(n_measures - len(globals_.flows))]
    try:
        order = play_order(flows[:n_measures]) if expand_repeats else list(range(n_measures))
        lengths = [_measure_lengths(events, n_measures, tpq) for _, events in read_parts]
        for part_lengths in lengths:
            check_piece_length(sum(part_lengths[order].tolist()) if len(order) else 0, tpq)
    except ValueError as exc:
        raise MusicXMLError(f"{source}: cannot lay out the measures: {exc}") from None
    starts = [measure_starts(part_lengths, order) for part_lengths in lengths]

    music = Music(metadata=_metadata(root, source), resolution=tpq)
    music.tempos = [Tempo(t, q) for t, q in _global_events(globals_.tempos, starts, order)]
    music.time_signatures = _deduplicate_changes(
        [TimeSignature(t, n, d) for t, (n, d) in _global_events(globals_.times, starts, order)],
        lambda a, b: (a.numerator, a.denominator) == (b.numerator, b.denominator),
    )
    music.key_signatures = _deduplicate_changes(
        [key_signature_event(t, f, mode) for t, (f, mode) in _global_events(globals_.keys, starts, order)],
        lambda a, b: (a.fifths, a.mode) == (b.fifths, b.mode),
    )
    music.barlines = [Barline(int(t)) for t in starts[0][:-1]] if starts else []
    for (info, events), part_starts in zip(read_parts, starts):
        music.tracks.append(_track(info, events, order, part_starts, open_ties))
    return music


def _track(info: _PartInfo, events: _PartEvents, order: list[int], starts: np.ndarray, open_ties: str) -> Track:
    track = Track(
        program=info.program, is_drum=info.is_drum or events.has_unpitched, name=info.name, channel=info.channel
    )
    if events.notes:
        m, offset, pitch, duration, velocity, tie_start, tie_stop, voice = np.array(events.notes, dtype=np.int64).T
        tie_start, tie_stop = tie_start.astype(bool), tie_stop.astype(bool)
        source, time = unfold_events(m, offset, order, starts)
        pitch, duration, velocity = pitch[source], duration[source], velocity[source]
        keep, duration = merge_tied_notes(time, pitch, duration, tie_start[source], tie_stop[source],
                                          voice[source], open_ties)
        if events.velocities:
            vm, voffset, vvalue = (np.array(c) for c in zip(*events.velocities))
            vsource, vtime = unfold_events(vm, voffset, order, starts)
            by_time = np.argsort(vtime, kind="stable")
            vtime, vvalue = vtime[by_time], vvalue[vsource][by_time]
            slot = np.searchsorted(vtime, time, side="right") - 1
            inherited = np.where(slot >= 0, vvalue[np.maximum(slot, 0)], DEFAULT_VELOCITY)
        else:
            inherited = np.full(len(time), DEFAULT_VELOCITY)
        velocity = np.where(velocity >= 0, velocity, inherited)
        track.notes = _note_array(time[keep], pitch[keep], duration[keep], velocity[keep])
    if events.lyrics:
        lm, loffset, texts = zip(*events.lyrics)
        lsource, ltime = unfold_events(np.array(lm), np.array(loffset), order, starts)
        track.lyrics = sorted((Lyric(int(t), texts[i]) for i, t in zip(lsource.tolist(), ltime.tolist())),
                              key=lambda x: x.time)
    return track


def _note_array(time: np.ndarray, pitch: np.ndarray, duration: np.ndarray, velocity: np.ndarray) -> NoteArray:
    """Notes in the order :meth:`NoteArray.sort` gives, built from new columns the reader checked."""
    order = np.lexsort((velocity, duration, pitch, time))
    columns = {"time": time[order], "pitch": pitch[order].astype(np.int16), "duration": duration[order],
               "velocity": velocity[order].astype(np.int16)}
    return NoteArray._from_trusted(columns, len(order))


def read_musicxml(
    path: Union[str, Path],
    resolution: Optional[int] = None,
    expand_repeats: bool = False,
    open_ties: str = "join",
    grace_notes: str = "keep",
) -> Music:
    """Read a MusicXML file (``.xml``, ``.musicxml`` or compressed ``.mxl``).

    Parameters
    ----------
    path : str or Path
        The file.
    resolution : int, optional
        Ticks per quarter note of the result. By default, the least common multiple of every
        ``<divisions>`` in the file, so every time and duration is exact. A given resolution rescales
        the times with :meth:`Music.adjust_resolution` (onsets and offsets rounded half up separately;
        a note never shrinks to zero ticks).
    expand_repeats : bool, default False
        Play repeats, volta endings, D.C., D.S., coda and fine (see
        :func:`~muspy_like.io.score_common.play_order`); by default measures are read in written order.
    open_ties : {"join", "keep"}, default "join"
        What a tie start that no tie stop answers does. ``"join"``: the note continues into the next note
        of the same pitch in the same voice when that note starts where it ends (what music21's
        ``stripTies`` and MusPy read into such files, see ``docs/io-scores.md``); ``"keep"``: both notes
        stay as written. Ties with both ends are joined either way.
    grace_notes : {"keep", "zero", "drop"}, default "keep"
        What a grace note (``<grace/>``) becomes. ``"keep"``: a note where it is written (the onset of the
        note it precedes, or the position after the note it follows), as long as its notated value
        (``<type>`` and dots, an eighth if no type is given), as MusPy reads it; it overlaps its principal
        note. ``"zero"``: a note of zero length there, as music21 reads it (and as
        :func:`~muspy_like.io.musicxml.write_musicxml` writes a grace note back). ``"drop"``: left out.
        Grace notes never take time in the measure (see ``docs/io-scores.md``).

    Returns
    -------
    Music
        One track per part (multi-staff parts give one track).

    Raises
    ------
    MusicXMLError
        If the file is unreadable, unsafe (entity declarations) or malformed; the message names the file
        and, where known, the part, the measure, the element and its value.
    ValueError
        If ``open_ties`` or ``grace_notes`` is not one of the values above.

    Examples
    --------
    >>> music = read_musicxml("fur-elise.mxl")  # doctest: +SKIP
    >>> music.resolution, len(music.tracks)  # doctest: +SKIP
    (4, 1)
    """
    path = Path(path)
    data = read_score_bytes(path, (".mxl",), (".xml", ".musicxml"), MusicXMLError)
    root = parse_xml(data, str(path), MusicXMLError)
    music = parse_musicxml(root, path, expand_repeats, open_ties, grace_notes)
    if resolution is not None and resolution != music.resolution:
        music.adjust_resolution(resolution)
    return music
