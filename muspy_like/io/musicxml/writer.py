"""MusicXML 4.0 writer: a Music to ``.xml``/``.musicxml`` (plain) or ``.mxl`` (compressed).

Every time and duration is written exactly: ``<divisions>`` is the Music's resolution, so ``<duration>``
is the note length in ticks, whatever it is (durations from MIDI included). A ``<type>`` (with dots, or a
triplet ``<time-modification>``) is added when the length is such a note value; otherwise it is left out,
which the schema allows, and notation programs display the nearest value.

Layout
------
* Measures follow ``music.barlines`` when the piece has them (as read from a score), else the time
  signatures; a time signature always starts a measure. The last measure is filled to its full length.
* Notes that cross a barline are split there and tied (``<tie>`` and ``<tied>``).
* In each measure, notes with the same onset and length form a chord; overlapping chords go to further
  voices (``<backup>`` between voices); gaps are filled with rests. The piece of a note that continues
  a tie stays in the voice of the piece before it wherever that voice is free, so that overlapping
  notes of one pitch (common in MIDI) are told apart when read back: a tie stop continues the open tie
  of its own voice first.
* Tempos (``<metronome>`` + ``<sound tempo>``), key signatures and velocities (``<sound dynamics>``, plus
  the marking when the velocity is a standard one) are written at their true positions, inside measures
  when needed (reached with ``<forward>``).
* A velocity that differs from the dynamics in force at its onset goes to the note's ``dynamics``
  attribute, so every velocity is kept.
* Drum tracks become percussion parts: each drum key is an instrument with its ``<midi-unpitched>`` key.
* Zero-length notes are written as grace notes, which the reader reads back as zero-length notes with
  ``grace_notes="zero"`` (its default gives them their notated length). A grace note read with the
  default is an ordinary short note in a Music and is written as one.

What is lost: control changes, pitch bends, annotations, beats, chord symbols, lyrics that fall where
no note of the track starts, and characters XML 1.0 cannot hold (control characters in texts).
"""

from __future__ import annotations

import bisect
import datetime
import re
import zipfile
from collections import defaultdict
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np
from lxml import etree

from muspy_like import __version__
from muspy_like.core import meter
from muspy_like.core.events import DEFAULT_VELOCITY, TimeSignature
from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.errors import MusicXMLError
from muspy_like.files import atomic_write
from muspy_like.io.score_common import DYNAMIC_VELOCITIES, split_syllable, velocity_to_percent
from muspy_like.theory import fifths_of, spell

__all__ = ["write_musicxml", "musicxml_tree"]

_TYPES_BY_QUARTERS = {
    Fraction(32): "maxima",
    Fraction(16): "long",
    Fraction(8): "breve",
    Fraction(4): "whole",
    Fraction(2): "half",
    Fraction(1): "quarter",
    Fraction(1, 2): "eighth",
    Fraction(1, 4): "16th",
    Fraction(1, 8): "32nd",
    Fraction(1, 16): "64th",
    Fraction(1, 32): "128th",
    Fraction(1, 64): "256th",
    Fraction(1, 128): "512th",
    Fraction(1, 256): "1024th",
}
_MARKINGS = {velocity: marking for marking, velocity in DYNAMIC_VELOCITIES.items() if marking in
             ("ppp", "pp", "p", "mp", "mf", "f", "ff", "fff")}
_ACCIDENTALS = {-2: "flat-flat", -1: "flat", 1: "sharp", 2: "double-sharp"}
_DOCTYPE = (
    '<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" '
    '"http://www.musicxml.org/dtds/partwise.dtd">'
)
_MIMETYPE = "application/vnd.recordare.musicxml"
_CONTAINER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<container><rootfiles>'
    '<rootfile full-path="score.musicxml" media-type="application/vnd.recordare.musicxml+xml"/>'
    "</rootfiles></container>\n"
)


@lru_cache(maxsize=4096)
def _note_type(duration: int, resolution: int) -> Optional[tuple[str, int, bool]]:
    """(type, dots, is_triplet) of a length in ticks, or None when it is no such note value."""
    quarters = Fraction(duration, resolution)
    for triplet in (False, True):
        base_length = quarters * Fraction(3, 2) if triplet else quarters
        for dots in range(4):
            base = base_length / (2 - Fraction(1, 2**dots))
            if base in _TYPES_BY_QUARTERS:
                return _TYPES_BY_QUARTERS[base], dots, triplet
    return None


def _decimal(value: float) -> str:
    """A float as an XML decimal (never in exponent notation), exact when Python's repr is."""
    text = repr(float(value))
    if "e" in text or "E" in text or "inf" in text or "nan" in text:
        text = f"{value:.12f}".rstrip("0").rstrip(".")
    return text[:-2] if text.endswith(".0") else text


#: Characters XML 1.0 cannot hold (control characters but tab and line breaks, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _sub(parent: Any, tag: str, text: Any = None, **attrib: str) -> Any:
    """A child element; characters XML cannot hold (e.g. the NUL ending many MIDI track names) are dropped."""
    element = etree.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = _NOT_XML.sub("", str(text))
    return element


def _measure_bounds(music: Music) -> list[int]:
    """Measure boundaries in ticks: every measure start, then the end of the last measure."""
    resolution = music.resolution
    end = max(music.get_end_time(), 1)
    starts = {0}
    starts.update(int(ts.time) for ts in music.time_signatures)
    starts.update(int(b.time) for b in music.barlines)
    if not music.barlines:
        starts.update(int(t) for t in meter.bar_ticks(music.time_signatures, resolution, end))
    signatures = sorted(music.time_signatures, key=lambda ts: ts.time)
    bounds = sorted(t for t in starts if t >= 0)
    while True:
        last = bounds[-1]
        in_force = next((ts for ts in reversed(signatures) if ts.time <= last), TimeSignature(0, 4, 4))
        length = max(int(round(meter.bar_length(in_force, resolution))), 1)
        bounds.append(last + length)
        if bounds[-1] >= end:
            return bounds


class _Piece:
    """One written note: a note, or the part of it inside one measure (``note``: the note's index, ``end``:
    the tick where the whole note ends)."""

    __slots__ = ("offset", "pitch", "duration", "velocity", "tie_start", "tie_stop", "lyric", "note", "end")

    def __init__(self, offset, pitch, duration, velocity, tie_start, tie_stop, lyric=None, note=-1, end=0):
        self.offset, self.pitch, self.duration, self.velocity = offset, pitch, duration, velocity
        self.tie_start, self.tie_stop, self.lyric, self.note, self.end = tie_start, tie_stop, lyric, note, end


def _split_notes(track: Any, bounds: np.ndarray, lyrics: dict[int, list[str]]) -> dict[int, list[_Piece]]:
    """Pieces of the track's notes in each measure, split and tied at barlines and at lyric times.

    A note sounding through the time of a lyric is split there, so the lyric has a note to sit on;
    lyrics used are removed from ``lyrics``.
    """
    notes = track.notes
    order = np.lexsort((notes.pitch, notes.time))
    pieces: dict[int, list[_Piece]] = defaultdict(list)
    times, pitches = notes.time[order].tolist(), notes.pitch[order].tolist()
    durations, velocities = notes.duration[order].tolist(), notes.velocity[order].tolist()
    measures = (np.searchsorted(bounds, notes.time[order], side="right") - 1).tolist()
    bound_list = bounds.tolist()
    lyric_times = sorted(lyrics)
    for index, (time, pitch, duration, velocity, m) in enumerate(zip(times, pitches, durations, velocities, measures)):
        end = time + duration
        start, tie_stop = time, False
        while True:
            next_lyric = bisect.bisect_right(lyric_times, start)
            cut = bound_list[m + 1]
            if next_lyric < len(lyric_times) and lyric_times[next_lyric] < cut:
                cut = lyric_times[next_lyric]
            piece_end = min(end, cut)
            tie_start = end > cut
            texts = lyrics.get(start)
            lyric = texts.pop(0) if texts else None
            pieces[m].append(_Piece(start - bound_list[m], pitch, piece_end - start, velocity, tie_start,
                                    tie_stop, lyric, index, end))
            if not tie_start:
                break
            start, tie_stop = cut, True
            if cut == bound_list[m + 1]:
                m += 1
    return pieces


def _voices(pieces: list[_Piece], note_voices: dict[int, int]) -> list[list[list[_Piece]]]:
    """Group pieces into chords and chords into non-overlapping voices.

    A chord holds pieces of the same onset and length and of distinct pitches. ``note_voices`` maps a note
    (``_Piece.note``) to the voice index its latest piece went to (updated here): a piece that continues a
    tie joins only a chord bound for that voice, and the chord goes back to it when it is free (before
    the other chords of its onset); a chord that cannot have its voice takes none that another tie
    waiting at the same onset wants. Notes of one pitch therefore keep voices of their own (unisons and
    overlaps from MIDI), so that a reader can tell their ties apart. Voices may be left empty.
    """
    voices: list[list[list[_Piece]]] = []
    ends: list[int] = []
    onsets: dict[int, list[_Piece]] = {}
    for piece in pieces:
        onsets.setdefault(piece.offset, []).append(piece)
    for offset in sorted(onsets):
        chords = _chords_at_onset(onsets[offset], note_voices)
        reserved = {wanted for _, wanted, _ in chords if wanted >= 0}
        for duration, wanted, chord in sorted(chords, key=lambda c: (c[1] < 0, -c[0])):
            if 0 <= wanted and (wanted >= len(ends) or ends[wanted] <= offset):
                v = wanted
            else:
                v = next((v for v, end in enumerate(ends) if end <= offset and v not in reserved), None)
                if v is None:
                    v = max(len(ends), max(reserved, default=-1) + 1)
            while len(ends) <= v:
                voices.append([])
                ends.append(0)
            voices[v].append(chord)
            ends[v] = offset + duration
            for piece in chord:
                note_voices[piece.note] = v
    return voices


def _chords_at_onset(pieces: list[_Piece], note_voices: dict[int, int]) -> list[tuple[int, int, list[_Piece]]]:
    """(duration, wanted voice or -1, pieces) of the chords starting at one onset (see :func:`_voices`).

    Pieces tied on to a later piece share a chord only if their notes end together: such a chord then
    stays one chord, in one voice, until its notes end, and no two chords ever want the same voice.
    """
    chords: list[tuple[int, int, list[_Piece]]] = []
    wanted_of = {id(p): note_voices[p.note] if p.tie_stop and p.note in note_voices else -1 for p in pieces}
    for piece in sorted(pieces, key=lambda p: wanted_of[id(p)] < 0):
        wanted = wanted_of[id(piece)]
        for duration, chord_wanted, chord in chords:
            if (duration == piece.duration and (wanted < 0 or chord_wanted == wanted)
                    and all(p.pitch != piece.pitch for p in chord)
                    and (not piece.tie_start or all(not p.tie_start or p.end == piece.end for p in chord))):
                chord.append(piece)
                break
        else:
            chords.append((piece.duration, wanted, [piece]))
    return chords


class _PartWriter:
    """Writes the measures of one track."""

    def __init__(self, music: Music, track: Any, part_id: str, bounds: np.ndarray, lyrics: dict[int, list[str]]):
        self.music = music
        self.track = track
        self.part_id = part_id
        self.resolution = music.resolution
        self.bounds = bounds
        self.pieces = _split_notes(track, bounds, lyrics)
        self.note_voices: dict[int, int] = {}  # note index -> voice index of its latest piece
        self.rest_lyrics = {t: texts for t, texts in lyrics.items() if texts}
        keys = sorted(music.key_signatures, key=lambda k: k.time)
        self.key_times = [int(k.time) for k in keys]
        self.key_fifths = [self._fifths(k) for k in keys]
        self.clef = self._clef()

    @staticmethod
    def _fifths(key: Any) -> int:
        if key.fifths is not None:
            return int(key.fifths)
        if key.root is not None:
            return fifths_of(int(key.root), key.mode)
        return 0

    def _clef(self) -> tuple[str, int]:
        if self.track.is_drum:
            return "percussion", 0
        if len(self.track.notes) and float(np.median(self.track.notes.pitch)) < 60:
            return "F", 4
        return "G", 2

    def fifths_at(self, time: int) -> int:
        index = bisect.bisect_right(self.key_times, time) - 1
        return self.key_fifths[index] if index >= 0 else 0

    def write(self, part: Any, points: dict[int, list]) -> None:
        """Append one ``<measure>`` per measure to ``part``; ``points`` are the global changes by measure."""
        bounds = self.bounds.tolist()
        dynamics = self._dynamics_points()
        for m in range(len(bounds) - 1):
            start, length = bounds[m], bounds[m + 1] - bounds[m]
            measure = _sub(part, "measure", number=str(m + 1))
            measure_points = [(t - start, kind, value) for t, kind, value in points.get(m, []) + dynamics.get(m, [])]
            measure_points.sort(key=lambda p: (p[0], p[1] != "attributes"))
            self._attributes(measure, m, [p for p in measure_points if p[0] == 0 and p[1] == "attributes"])
            for point in measure_points:
                if point[0] == 0 and point[1] != "attributes":
                    self._point(measure, point)
            cursor = self._write_voices(measure, m, start, length)
            for point in measure_points:
                offset = point[0]
                if offset == 0:
                    continue
                if offset > cursor:
                    _sub(_sub(measure, "forward"), "duration", offset - cursor)
                elif offset < cursor:
                    _sub(_sub(measure, "backup"), "duration", cursor - offset)
                cursor = offset
                self._point(measure, point)

    def _write_voices(self, measure: Any, m: int, start: int, length: int) -> int:
        """Write the notes of measure ``m`` voice by voice; return the position reached, in ticks."""
        cursor = 0
        voices = _voices(self.pieces.get(m, []), self.note_voices)
        for v, voice in enumerate(voices or [[]]):
            if cursor:
                _sub(_sub(measure, "backup"), "duration", cursor)
                cursor = 0
            for chord in voice:
                offset = chord[0].offset
                if offset > cursor:
                    self._rest(measure, start, cursor, offset - cursor, v + 1)
                grace = chord[0].duration == 0
                for i, piece in enumerate(chord):
                    self._note(measure, piece, v + 1, start, chord=i > 0 and not grace, grace=grace)
                cursor = offset + chord[0].duration
            if v == 0 and cursor < length:
                self._rest(measure, start, cursor, length - cursor, 1)
                cursor = length
        return cursor

    def _dynamics_points(self) -> dict[int, list]:
        """Velocity changes by measure: at each onset whose first note's velocity differs from the one in force.

        Also sets ``self.dynamics_times``/``self.dynamics_values``, the changes in time order.
        """
        notes = self.track.notes
        result: dict[int, list] = defaultdict(list)
        times_out, values_out = [], []
        if len(notes):
            order = np.lexsort((notes.pitch, notes.time))
            times, velocities = notes.time[order], notes.velocity[order]
            first_at_onset = np.concatenate([[True], times[1:] != times[:-1]])
            current = DEFAULT_VELOCITY
            for time, velocity in zip(times[first_at_onset].tolist(), velocities[first_at_onset].tolist()):
                if velocity != current:
                    m = int(np.searchsorted(self.bounds, time, side="right")) - 1
                    result[m].append((time, "dynamics", velocity))
                    times_out.append(time)
                    values_out.append(velocity)
                    current = velocity
        self.dynamics_times = times_out
        self.dynamics_values = values_out
        return result

    def velocity_at(self, time: int) -> int:
        """Velocity that the written dynamics put in force at ``time`` (ticks)."""
        index = bisect.bisect_right(self.dynamics_times, time) - 1
        return self.dynamics_values[index] if index >= 0 else DEFAULT_VELOCITY

    def _attributes(self, measure: Any, m: int, points: list) -> None:
        if m > 0 and not points:
            return
        attributes = _sub(measure, "attributes")
        if m == 0:
            _sub(attributes, "divisions", self.resolution)
        for _, kind, value in points:
            if value[0] == "key":
                self._key(attributes, value[1])
        for _, kind, value in points:
            if value[0] == "time":
                time = _sub(attributes, "time")
                _sub(time, "beats", value[1].numerator)
                _sub(time, "beat-type", value[1].denominator)
        if m == 0:
            clef = _sub(attributes, "clef")
            _sub(clef, "sign", self.clef[0])
            if self.clef[1]:
                _sub(clef, "line", self.clef[1])

    def _key(self, attributes: Any, key: Any) -> None:
        element = _sub(attributes, "key")
        _sub(element, "fifths", self._fifths(key))
        if key.mode:
            _sub(element, "mode", key.mode)

    def _point(self, measure: Any, point: tuple) -> None:
        _, kind, value = point
        if kind == "attributes":
            attributes = _sub(measure, "attributes")
            if value[0] == "key":
                self._key(attributes, value[1])
            return
        if kind == "tempo":
            direction = _sub(measure, "direction", placement="above")
            metronome = _sub(_sub(direction, "direction-type"), "metronome")
            _sub(metronome, "beat-unit", "quarter")
            _sub(metronome, "per-minute", f"{value:.2f}".rstrip("0").rstrip("."))
            _sub(direction, "sound", tempo=_decimal(value))
            return
        percent = velocity_to_percent(value)
        if value in _MARKINGS:
            direction = _sub(measure, "direction", placement="below")
            _sub(_sub(_sub(direction, "direction-type"), "dynamics"), _MARKINGS[value])
            _sub(direction, "sound", dynamics=percent)
        else:
            _sub(measure, "sound", dynamics=percent)

    def _rest(self, measure: Any, start: int, offset: int, duration: int, voice: int) -> None:
        """A rest from ``offset`` (ticks in the measure starting at ``start``); in voice 1, split at lyrics."""
        cuts = [offset, offset + duration]
        if voice == 1:
            cuts[1:1] = sorted(t - start for t in self.rest_lyrics if offset < t - start < offset + duration)
        whole_measure = voice == 1 and offset == 0 and start + duration in self.bounds and len(cuts) == 2
        for begin, end in zip(cuts[:-1], cuts[1:]):
            note = _sub(measure, "note")
            if whole_measure:
                _sub(note, "rest", measure="yes")
            else:
                _sub(note, "rest")
            _sub(note, "duration", end - begin)
            _sub(note, "voice", voice)
            if not whole_measure:
                self._type(note, end - begin)
            texts = self.rest_lyrics.get(start + begin) if voice == 1 else None
            if texts:
                _lyric(note, texts.pop(0))

    def _type(self, note: Any, duration: int, accidental: int = 0) -> None:
        """``<type>``, ``<dot>``, ``<accidental>`` and ``<time-modification>``, in the schema's order."""
        kind = _note_type(duration, self.resolution)
        name, dots, triplet = kind if kind is not None else (None, 0, False)
        if name is not None:
            _sub(note, "type", name)
        for _ in range(dots):
            _sub(note, "dot")
        if accidental:
            _sub(note, "accidental", _ACCIDENTALS[accidental])
        if triplet:
            modification = _sub(note, "time-modification")
            _sub(modification, "actual-notes", 3)
            _sub(modification, "normal-notes", 2)

    def _note(self, measure: Any, piece: _Piece, voice: int, measure_start: int, chord: bool = False,
              grace: bool = False) -> None:
        note = _sub(measure, "note")
        if piece.velocity != self.velocity_at(measure_start + piece.offset):
            note.set("dynamics", velocity_to_percent(piece.velocity))
        if grace:
            _sub(note, "grace", slash="yes")
        if chord:
            _sub(note, "chord")
        step, alter, octave = spell(piece.pitch, self.fifths_at(measure_start + piece.offset))
        # MusicXML octaves are 0-9; MIDI keys 0-11 (octave -1) are written an octave up with 12 semitones
        # of <alter> taken off, which reads back exactly.
        written_alter, written_octave = (alter - 12, 0) if octave < 0 else (alter, octave)
        if self.track.is_drum:
            unpitched = _sub(note, "unpitched")
            _sub(unpitched, "display-step", step)
            _sub(unpitched, "display-octave", max(octave, 0))
        else:
            pitch = _sub(note, "pitch")
            _sub(pitch, "step", step)
            if written_alter:
                _sub(pitch, "alter", written_alter)
            _sub(pitch, "octave", written_octave)
        if not grace:
            _sub(note, "duration", piece.duration)
        if piece.tie_stop and not grace:
            _sub(note, "tie", type="stop")
        if piece.tie_start and not grace:
            _sub(note, "tie", type="start")
        if self.track.is_drum:
            _sub(note, "instrument", id=f"{self.part_id}-I{piece.pitch + 1}")
        _sub(note, "voice", voice)
        accidental = 0 if self.track.is_drum else alter
        if grace:
            _sub(note, "type", "eighth")
            if accidental:
                _sub(note, "accidental", _ACCIDENTALS[accidental])
        else:
            self._type(note, piece.duration, accidental)
        if (piece.tie_start or piece.tie_stop) and not grace:
            notations = _sub(note, "notations")
            if piece.tie_stop:
                _sub(notations, "tied", type="stop")
            if piece.tie_start:
                _sub(notations, "tied", type="start")
        if piece.lyric is not None:
            _lyric(note, piece.lyric)


def _lyric(note: Any, text: str) -> None:
    """A first-verse ``<lyric>``; a hyphen kept in the text as the reader keeps it (``"Tra -"``) becomes
    its ``<syllabic>`` again (:func:`~muspy_like.io.score_common.split_syllable`)."""
    lyric = _sub(note, "lyric", number="1")
    syllable, syllabic = split_syllable(text)
    if syllabic is not None:
        _sub(lyric, "syllabic", syllabic)
    _sub(lyric, "text", syllable)


def _score_part(part_list: Any, track: Any, part_id: str, channel: int) -> None:
    score_part = _sub(part_list, "score-part", id=part_id)
    _sub(score_part, "part-name", track.name or "")
    if track.is_drum:
        keys = sorted(set(track.notes.pitch.tolist())) or [35]
        for key in keys:
            instrument = _sub(score_part, "score-instrument", id=f"{part_id}-I{key + 1}")
            _sub(instrument, "instrument-name", f"Drum key {key}")
        for key in keys:
            midi = _sub(score_part, "midi-instrument", id=f"{part_id}-I{key + 1}")
            _sub(midi, "midi-channel", 10)
            _sub(midi, "midi-program", track.program + 1)
            _sub(midi, "midi-unpitched", key + 1)
        return
    instrument = _sub(score_part, "score-instrument", id=f"{part_id}-I1")
    _sub(instrument, "instrument-name", track.name or "")
    midi = _sub(score_part, "midi-instrument", id=f"{part_id}-I1")
    _sub(midi, "midi-channel", channel + 1)
    _sub(midi, "midi-program", track.program + 1)


def _channels(music: Music) -> list[int]:
    """A MIDI channel (0-15) per track: its own if set, 9 for drums, otherwise the next free one."""
    free = [c for c in range(16) if c != 9]
    result = []
    for i, track in enumerate(music.tracks):
        if track.is_drum:
            result.append(9)
        elif track.channel is not None and track.channel != 9:
            result.append(int(track.channel))
        else:
            result.append(free[i % len(free)])
    return result


def _global_points(music: Music, bounds: np.ndarray) -> dict[int, list]:
    """Tempo, key and time-signature changes by measure: (tick, kind, value)."""
    points: dict[int, list] = defaultdict(list)

    def measure_of(time: int) -> int:
        return max(int(np.searchsorted(bounds, time, side="right")) - 1, 0)

    for tempo in music.tempos:
        points[measure_of(tempo.time)].append((int(tempo.time), "tempo", float(tempo.qpm)))
    for key in music.key_signatures:
        points[measure_of(key.time)].append((int(key.time), "attributes", ("key", key)))
    for ts in music.time_signatures:
        points[measure_of(ts.time)].append((int(ts.time), "attributes", ("time", ts)))
    return points


def musicxml_tree(music: Music) -> Any:
    """The MusicXML 4.0 ``<score-partwise>`` element of a Music (see :func:`write_musicxml`)."""
    if music.resolution <= 0:
        raise MusicXMLError(f"cannot write a Music whose resolution is {music.resolution}")
    root = etree.Element("score-partwise", version="4.0")
    metadata = music.metadata
    if metadata.title:
        _sub(_sub(root, "work"), "work-title", metadata.title)
    identification = _sub(root, "identification")
    for creator in metadata.creators:
        _sub(identification, "creator", creator, type="composer")
    if metadata.copyright:
        _sub(identification, "rights", metadata.copyright)
    encoding = _sub(identification, "encoding")
    _sub(encoding, "software", f"muspy_like {__version__}")
    _sub(encoding, "encoding-date", datetime.date.today().isoformat())

    bounds = np.array(_measure_bounds(music), dtype=np.int64)
    points = _global_points(music, bounds)
    part_list = _sub(root, "part-list")
    tracks = music.tracks or [None]
    channels = _channels(music) if music.tracks else [0]
    global_lyrics = [(int(x.time), x.lyric) for x in music.lyrics]
    for index, track in enumerate(tracks):
        part_id = f"P{index + 1}"
        if track is None:
            track = Track(name="")
        _score_part(part_list, track, part_id, channels[index])
        lyrics: dict[int, list[str]] = defaultdict(list)
        for lyric in track.lyrics:
            lyrics[int(lyric.time)].append(lyric.lyric)
        if index == 0:
            for time, text in global_lyrics:
                lyrics[time].append(text)
        part = _sub(root, "part", id=part_id)
        _PartWriter(music, track, part_id, bounds, lyrics).write(part, points)
    return root


def write_musicxml(path: Union[str, Path], music: Music, compressed: Optional[bool] = None) -> None:
    """Write a Music as MusicXML 4.0, atomically.

    Parameters
    ----------
    path : str or Path
        Target file. ``.mxl`` writes a compressed archive, any other suffix plain XML.
    music : Music
        The piece. Times are written exactly (``<divisions>`` = ``music.resolution``).
    compressed : bool, optional
        Force (True) or prevent (False) compression regardless of the suffix.

    Raises
    ------
    MusicXMLError
        If the Music cannot be written (e.g. a non-positive resolution).

    Examples
    --------
    >>> write_musicxml("out.musicxml", music)  # doctest: +SKIP
    """
    path = Path(path)
    root = musicxml_tree(music)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", doctype=_DOCTYPE, pretty_print=True)
    if compressed is None:
        compressed = path.suffix.lower() == ".mxl"
    with atomic_write(path, "wb") as handle:
        if not compressed:
            handle.write(data)
        else:
            _write_archive(handle, data)


def _write_archive(handle: Any, data: bytes) -> None:
    """A compressed MusicXML archive: ``mimetype`` first and stored, then the container and the score."""
    with zipfile.ZipFile(handle, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), _MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", _CONTAINER, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("score.musicxml", data, compress_type=zipfile.ZIP_DEFLATED)
