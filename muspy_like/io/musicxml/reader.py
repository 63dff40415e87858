"""MusicXML reader: ``.xml``/``.musicxml`` (partwise or timewise) and compressed ``.mxl`` to a Music.

The reader walks the XML tree once per part, collecting events as (measure index, offset in the measure)
pairs in integer ticks at the least common multiple of every ``<divisions>`` in the file, so nothing is
rounded. Measures are then laid end to end (each as long as its longest part), optionally in their
played order with repeats and jumps expanded, and ties are joined (:mod:`muspy_like.io.score_common`).

Policies (see ``docs/io-scores.md``):

* grace notes are dropped (they take no time in the measure); cue notes take their time but are silent;
* written pitches of transposing parts become sounding pitches (``<transpose>``);
* velocity comes from the last ``<sound dynamics>`` or dynamics marking of the part at or before the note
  (64 before any), a note's own ``dynamics`` attribute taking precedence;
* each part is laid out on its own measure lengths (as music21 does); barlines are those of the first
  part; key and time signatures and tempos are global: the first part that gives one at a tick wins;
  keys are stored at concert pitch;
* lyrics of the first verse go to the part's track.
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
    KeySignature,
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
    MeasureFlow,
    measure_starts,
    merge_tied_notes,
    percent_to_velocity,
    play_order,
    unfold_events,
    velocity_of_dynamics,
)
from muspy_like.theory import LETTER_PITCH_CLASSES, key_root, transpose_fifths

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
_DIGITS = re.compile(r"\d+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _number(text: Optional[str]) -> int:
    """A MusicXML integer or decimal field, as the nearest integer."""
    if text is None:
        raise ValueError("missing number")
    try:
        return int(text)
    except ValueError:
        return int(round(float(text)))


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

    notes: list = field(default_factory=list)  # (measure, offset, pitch, duration, velocity, tie_start, tie_stop)
    lyrics: list = field(default_factory=list)  # (measure, offset, text)
    velocities: list = field(default_factory=list)  # (measure, offset, velocity)
    lengths: list = field(default_factory=list)  # content length of each measure, ticks
    nominal: list = field(default_factory=list)  # length the time signature gives, ticks
    has_unpitched: bool = False


@dataclass
class _Globals:
    """Global events, keyed by (measure, offset) so the first part to give one wins."""

    tempos: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)
    times: dict = field(default_factory=dict)
    flows: list = field(default_factory=list)


def _part_list(root: Any) -> tuple[list[str], dict[str, _PartInfo]]:
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
                    info.channel = min(max(_number(channel) - 1, 0), 15)
                    info.is_drum = info.channel == 9
                if program is not None:
                    info.program = min(max(_number(program) - 1, 0), 127)
                first = False
            if unpitched is not None:
                info.unpitched[midi.get("id")] = min(max(_number(unpitched) - 1, 0), 127)
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
    beats = [sum(int(x) for x in _DIGITS.findall(b.text or "")) for b in element.iterchildren("beats")]
    types = [int(t.text) for t in element.iterchildren("beat-type") if (t.text or "").strip().isdigit()]
    if not beats or not types or len(beats) != len(types) or 0 in types:
        return None
    if len(beats) == 1:
        return beats[0], types[0]
    total = sum(Fraction(b, t) for b, t in zip(beats, types))
    denominator = max(types)
    return int(total * denominator), denominator


def _key_signature(element: Any, chromatic: int) -> Optional[tuple[int, Optional[str]]]:
    fifths = element.findtext("fifths")
    if fifths is None:
        return None
    fifths = int(fifths)
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
    return float(match.group()) * quarters


class _PartReader:
    """Reads the measures of one part (state: divisions, transposition, open endings)."""

    def __init__(self, index: int, info: _PartInfo, ticks_per_quarter: int, globals_: _Globals, source: str):
        self.index = index
        self.info = info
        self.tpq = ticks_per_quarter
        self.globals = globals_
        self.source = source
        self.events = _PartEvents()
        self.scale = ticks_per_quarter  # ticks per division (set by <divisions>)
        self.chromatic = 0
        self.nominal_length = 4 * ticks_per_quarter
        self.endings: frozenset = frozenset()

    def flow(self, m: int) -> MeasureFlow:
        flows = self.globals.flows
        while len(flows) <= m:
            flows.append(MeasureFlow())
        return flows[m]

    def read(self, part_id: str, measures: list) -> _PartEvents:
        for m, measure in enumerate(measures):
            try:
                self.read_measure(m, measure)
            except (ValueError, TypeError, KeyError, ArithmeticError) as exc:
                number = measure.get("number", str(m + 1))
                raise MusicXMLError(f"{self.source}: part {part_id!r}, measure {number}: {exc}") from None
        return self.events

    def read_measure(self, m: int, measure: Any) -> None:
        events = self.events
        notes = events.notes
        position = length = 0
        onset = 0
        scale = self.scale
        flow = self.flow(m)
        if self.endings:
            flow.endings = flow.endings | self.endings
        for element in measure:
            tag = element.tag
            if tag == "note":
                grace = cue = chord = rest = False
                pitch = duration = -1
                velocity = -1
                tie_start = tie_stop = False
                instrument = None
                lyric = None
                for child in element:
                    ctag = child.tag
                    if ctag == "pitch":
                        pitch = self.pitch_of(child, "step", "alter", "octave") + self.chromatic
                    elif ctag == "duration":
                        duration = _number(child.text) * scale
                    elif ctag == "tie":
                        kind = child.get("type")
                        tie_start |= kind == "start"
                        tie_stop |= kind == "stop"
                    elif ctag == "chord":
                        chord = True
                    elif ctag == "rest":
                        rest = True
                    elif ctag == "grace":
                        grace = True
                    elif ctag == "cue":
                        cue = True
                    elif ctag == "unpitched":
                        events.has_unpitched = True
                        pitch = self.pitch_of(child, "display-step", None, "display-octave")
                    elif ctag == "instrument":
                        instrument = child.get("id")
                    elif ctag == "notations":
                        for tied in child.iterchildren("tied"):
                            kind = tied.get("type")
                            tie_start |= kind == "start"
                            tie_stop |= kind == "stop"
                    elif ctag == "lyric" and lyric is None:
                        number = child.get("number")
                        if number is None or number == "1" or not self.has_first_verse(element):
                            lyric = " ".join(t.text or "" for t in child.iterchildren("text")).strip()
                if grace:
                    continue
                if duration < 0:
                    raise ValueError("a note without <duration>")
                if chord:
                    start = onset
                else:
                    start = onset = position
                    position += duration
                if not rest and not cue:
                    if instrument is not None and instrument in self.info.unpitched:
                        pitch = self.info.unpitched[instrument]
                    if not 0 <= pitch <= 127:
                        raise ValueError(f"pitch {pitch} is outside the MIDI range 0-127")
                    dynamics = element.get("dynamics")
                    if dynamics is not None:
                        velocity = percent_to_velocity(float(dynamics))
                    notes.append((m, start, pitch, duration, velocity, tie_start, tie_stop))
                if lyric:
                    events.lyrics.append((m, start, lyric))
            elif tag == "backup":
                position -= _number(element.findtext("duration")) * scale
                if position < 0:
                    position = 0
                continue
            elif tag == "forward":
                position += _number(element.findtext("duration")) * scale
            elif tag == "attributes":
                scale = self.read_attributes(element, m, position)
            elif tag == "direction":
                offset = element.findtext("offset")
                at = position + (_number(offset) * scale if offset is not None else 0)
                self.read_direction(element, m, max(at, 0))
            elif tag == "sound":
                self.read_sound(element, m, position)
            elif tag == "barline":
                self.read_barline(element, flow)
            if position > length:
                length = position
        events.lengths.append(length)
        events.nominal.append(self.nominal_length)

    @staticmethod
    def has_first_verse(note: Any) -> bool:
        return any(lyric.get("number") in (None, "1") for lyric in note.iterchildren("lyric"))

    @staticmethod
    def pitch_of(element: Any, step_tag: str, alter_tag: Optional[str], octave_tag: str) -> int:
        step = octave = alter = None
        for child in element:
            tag = child.tag
            if tag == step_tag:
                step = child.text
            elif tag == octave_tag:
                octave = child.text
            elif tag == alter_tag:
                alter = child.text
        if step is None or octave is None:
            raise ValueError(f"<{element.tag}> without <{step_tag}> or <{octave_tag}>")
        semitone = LETTER_PITCH_CLASSES[step.strip().upper()]
        if alter:
            try:
                semitone += int(alter)
            except ValueError:
                semitone += int(round(float(alter)))
        return (int(octave) + 1) * 12 + semitone

    def read_attributes(self, element: Any, m: int, position: int) -> int:
        divisions = element.findtext("divisions")
        if divisions is not None:
            value = _number(divisions)
            if value <= 0:
                raise ValueError(f"<divisions> must be positive, got {divisions}")
            self.scale = self.tpq // value
        for transpose in element.iterchildren("transpose"):
            if transpose.get("number") not in (None, "1"):
                continue
            chromatic = _number(transpose.findtext("chromatic") or "0")
            octaves = _number(transpose.findtext("octave-change") or "0")
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
                self.nominal_length = parsed[0] * 4 * self.tpq // parsed[1]
        return self.scale

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
        if tempo is not None and float(tempo) > 0:
            self.globals.tempos.setdefault((m, at), (self.index, float(tempo)))
        dynamics = attrib.get("dynamics")
        if dynamics is not None:
            self.events.velocities.append((m, at, percent_to_velocity(float(dynamics))))
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
                flow.repeat_times = max(flow.repeat_times, _number(times) if times else 2)
        for ending in barline.iterchildren("ending"):
            numbers = frozenset(int(x) for x in _DIGITS.findall(ending.get("number") or ""))
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


def _ticks_per_quarter(root: Any) -> int:
    # XPath returns the texts without building an element proxy per match (several times faster).
    values = {_number(text) for text in root.xpath("//divisions/text()") if text.strip()}
    values.discard(0)
    return math.lcm(*values) if values else 1


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


def _key_event(time: int, fifths: int, mode: Optional[str]) -> KeySignature:
    """A key signature; theoretical keys beyond 7 sharps or flats keep their spelled tonic (``"Abb"``) but
    store the enharmonic signature within -7..7 (11 flats -> 1 sharp)."""
    root, root_str = key_root(fifths, mode)
    while fifths > 7:
        fifths -= 12
    while fifths < -7:
        fifths += 12
    return KeySignature(time=time, root=root, mode=mode, fifths=fifths, root_str=root_str)


def _deduplicate_changes(events: list, same) -> list:
    """Drop events that repeat the value in force (e.g. a time signature restated in every part)."""
    kept = []
    for event in events:
        if kept and same(kept[-1], event):
            continue
        kept.append(event)
    return kept


def _measure_lengths(events: _PartEvents, n_measures: int) -> np.ndarray:
    """Length of each measure of a part, in ticks: its content, or the time signature's when empty.

    Each part is laid out on its own measure lengths (as music21 does), so a part whose measure is
    shorter than the others' does not shift; a part with fewer measures gets empty full-length ones.
    """
    lengths = np.zeros(n_measures, dtype=np.int64)
    nominal = np.full(n_measures, events.nominal[-1] if events.nominal else 0, dtype=np.int64)
    lengths[: len(events.lengths)] = events.lengths
    nominal[: len(events.nominal)] = events.nominal
    return np.where(lengths > 0, lengths, nominal)


def parse_musicxml(root: Any, source: Union[str, Path] = "<string>", expand_repeats: bool = False) -> Music:
    """Build a Music from a parsed MusicXML root element (see :func:`read_musicxml`)."""
    source = Path(source)
    order_ids, infos = _part_list(root)
    parts = _parts(root, str(source))
    tpq = _ticks_per_quarter(root)
    globals_ = _Globals()
    used: set[str] = set()
    read_parts = []
    for index, (part_id, measures) in enumerate(parts):
        if part_id not in infos and index < len(order_ids) and order_ids[index] not in used and not part_id:
            part_id = order_ids[index]
        used.add(part_id)
        info = infos.get(part_id, _PartInfo())
        events = _PartReader(index, info, tpq, globals_, str(source)).read(part_id, measures)
        read_parts.append((info, events))

    n_measures = max((len(e.lengths) for _, e in read_parts), default=0)
    flows = globals_.flows + [MeasureFlow() for _ in range(n_measures - len(globals_.flows))]
    try:
        order = play_order(flows[:n_measures]) if expand_repeats else list(range(n_measures))
    except ValueError as exc:
        raise MusicXMLError(f"{source}: cannot expand repeats: {exc}") from None
    starts = [measure_starts(_measure_lengths(events, n_measures), order) for _, events in read_parts]

    music = Music(metadata=_metadata(root, source), resolution=tpq)
    music.tempos = [Tempo(t, q) for t, q in _global_events(globals_.tempos, starts, order)]
    music.time_signatures = _deduplicate_changes(
        [TimeSignature(t, n, d) for t, (n, d) in _global_events(globals_.times, starts, order)],
        lambda a, b: (a.numerator, a.denominator) == (b.numerator, b.denominator),
    )
    music.key_signatures = _deduplicate_changes(
        [_key_event(t, f, mode) for t, (f, mode) in _global_events(globals_.keys, starts, order)],
        lambda a, b: (a.fifths, a.mode) == (b.fifths, b.mode),
    )
    music.barlines = [Barline(int(t)) for t in starts[0][:-1]] if starts else []
    for (info, events), part_starts in zip(read_parts, starts):
        music.tracks.append(_track(info, events, order, part_starts))
    return music


def _track(info: _PartInfo, events: _PartEvents, order: list[int], starts: np.ndarray) -> Track:
    track = Track(
        program=info.program, is_drum=info.is_drum or events.has_unpitched, name=info.name, channel=info.channel
    )
    if events.notes:
        m, offset, pitch, duration, velocity, tie_start, tie_stop = (np.array(c) for c in zip(*events.notes))
        source, time = unfold_events(m, offset, order, starts)
        pitch, duration, velocity = pitch[source], duration[source], velocity[source]
        keep, duration = merge_tied_notes(time, pitch, duration, tie_start[source], tie_stop[source])
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
        track.notes = NoteArray.from_columns(
            time=time[keep], pitch=pitch[keep], duration=duration[keep], velocity=velocity[keep]
        )
        track.notes.sort()
    if events.lyrics:
        lm, loffset, texts = zip(*events.lyrics)
        lsource, ltime = unfold_events(np.array(lm), np.array(loffset), order, starts)
        track.lyrics = sorted((Lyric(int(t), texts[i]) for i, t in zip(lsource.tolist(), ltime.tolist())),
                              key=lambda x: x.time)
    return track


def read_musicxml(
    path: Union[str, Path],
    resolution: Optional[int] = None,
    expand_repeats: bool = False,
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

    Returns
    -------
    Music
        One track per part (multi-staff parts give one track).

    Raises
    ------
    MusicXMLError
        If the file is unreadable, unsafe (entity declarations) or malformed; the message names the file
        and, where known, the part and measure.

    Examples
    --------
    >>> music = read_musicxml("fur-elise.mxl")  # doctest: +SKIP
    >>> music.resolution, len(music.tracks)  # doctest: +SKIP
    (4, 1)
    """
    path = Path(path)
    data = read_score_bytes(path, (".mxl",), (".xml", ".musicxml"), MusicXMLError)
    root = parse_xml(data, str(path), MusicXMLError)
    music = parse_musicxml(root, path, expand_repeats)
    if resolution is not None and resolution != music.resolution:
        music.adjust_resolution(resolution)
    return music
