"""Lay out the tokens of each voice in time and turn them into a track: one pass, linear in the tokens.

A voice starts at quarter 0 and each note, chord or rest token advances it by its length (music21's
length of the token, times the ratio of the tuplet it belongs to); grace notes take no time and are not
kept. Tied notes (``-``) of the same pitch that touch are merged into one note, on chords too (music21
records a chord's tie but does not apply it).
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction
from typing import Any, NamedTuple, Optional

import numpy as np

from muspy_like.core.events import Annotation, KeySignature, NoteArray, Tempo, TimeSignature
from muspy_like.core.track import Track
from muspy_like.errors import ABCError
from muspy_like.extras import require
from muspy_like.io.abc.fields import parse_key, sounding_shift, tempo_qpm
from muspy_like.io.abc.tokens import TokenizedTune, Voice
from muspy_like.theory import key_from_tonic

__all__ = ["NoteEvent", "Timeline", "lay_out", "to_track", "timed_fields", "header_shift", "ticks"]

#: First characters of an ABC annotation (text placed above, below, left, right or freely), as opposed to
#: a chord symbol (ABC 2.1, section 4.19).
_ANNOTATION_PLACES = "^_<>@"
_NOTE_NAME = re.compile(r"([A-Ga-g])([,']*)")
_QUOTED = re.compile(r'"[^"]*"|![^!]*!|\+[^+]*\+')


class NoteEvent(NamedTuple):
    """One note, chord or rest token of a voice, laid out in time (quarter notes).

    ``pitches`` is None for a rest (MIDI numbers otherwise; empty for an empty chord, which takes no
    time); ``tied`` says the token starts or continues a tie, ``continues`` that the note token before it
    did; ``bar`` counts the bar lines before it in the voice.
    """

    onset: Fraction
    end: Fraction
    pitches: Optional[tuple[int, ...]]
    grace: bool
    tied: bool
    continues: bool
    bar: int


class Timeline(NamedTuple):
    """A voice laid out in time: its note events, its K/M/Q fields with their onsets, its text annotations."""

    voice: Voice
    events: list[NoteEvent]
    fields: list[tuple[Fraction, Any]]
    annotations: list[tuple[Fraction, str, str]]


def ticks(quarters: Fraction, resolution: int) -> int:
    """The tick nearest to a time in quarter notes, halves up."""
    denominator = quarters.denominator
    return (quarters.numerator * resolution * 2 + denominator) // (2 * denominator)


@functools.lru_cache(maxsize=1024)
def _fraction(quarter_length: Any, normal: int = 1, actual: int = 1) -> Fraction:
    # music21 gives lengths as floats (exact binary fractions) or Fractions; a tune uses few distinct ones.
    return Fraction(quarter_length) * Fraction(normal, actual)


@functools.lru_cache(maxsize=512)
def _midi(pitch_name: str, octave: int) -> int:
    """MIDI number of music21's pitch name of a token whose octave (from its text) is ``octave``.

    music21 writes the name as letter, accidental, octave, so ``C-1`` is C in octave -1 (MIDI 0) but
    reads it back as C flat in octave 1: the octave is taken from the note's own text instead.
    """
    pitch = require("music21.pitch", "music21", "ABC notation")

    if not pitch_name.endswith(str(octave)):  # the text's octave is not music21's: trust music21
        return int(pitch.Pitch(pitch_name).midi)
    spelled = pitch_name[: len(pitch_name) - len(str(octave))]
    return int(pitch.Pitch(spelled + "4").midi) + 12 * (octave - 4)


def _octave(source: str) -> int:
    """Octave of the last note name in a token's text: ``C`` 4, ``c`` 5, one up per ``'``, one down per ``,``."""
    match = _NOTE_NAME.findall(_QUOTED.sub("", source))
    if not match:
        return 4
    letter, marks = match[-1]
    return (5 if letter.islower() else 4) + marks.count("'") - marks.count(",")


def _length(token: Any) -> Fraction:
    """Length of a note token in quarter notes: music21's length of the token times its tuplet ratio."""
    tuplet = token.activeTuplet
    if tuplet is None:
        return _fraction(token.quarterLength)
    return _fraction(token.quarterLength, tuplet.numberNotesNormal, tuplet.numberNotesActual)


def _pitches(token: Any, shift: int) -> Optional[tuple[int, ...]]:
    """MIDI pitches of a note or chord token (None for a rest).

    Raises
    ------
    ABCError
        If a pitch lies outside MIDI's range 0-127 (more than five commas below middle C's octave...).
    """
    abcFormat = require("music21.abcFormat", "music21", "ABC notation")

    if token.isRest and not isinstance(token, abcFormat.ABCChord):
        return None
    chord = isinstance(token, abcFormat.ABCChord)
    notes = [s for s in token.subTokens if isinstance(s, abcFormat.ABCNote)] if chord else [token]
    pitches = tuple(_midi(note.pitchName, _octave(note.src)) + shift for note in notes)
    for note, pitch in zip(notes, pitches):
        if not 0 <= pitch <= 127:
            raise ABCError(f"note {note.src.strip()!r} is MIDI pitch {pitch}, outside MIDI's range 0-127")
    return pitches


def lay_out(voice: Voice, shift: int = 0) -> Timeline:
    """Place every token of a voice in time (see the module notes).

    ``shift`` (semitones) is the distance from written to sounding pitch where the voice starts (octave
    clefs of the header); ``K:`` fields of the voice that set one change it from there on.
    """
    abcFormat = require("music21.abcFormat", "music21", "ABC notation")

    events: list[NoteEvent] = []
    fields: list[tuple[Fraction, Any]] = []
    annotations: list[tuple[Fraction, str, str]] = []
    position, bar, previous_tied = Fraction(0), 0, False
    shift = voice.shift if voice.shift is not None else shift
    for token in voice.tokens:
        if isinstance(token, abcFormat.ABCBar):
            bar += 1
        elif isinstance(token, abcFormat.ABCMetadata):
            fields.append((position, token))
            if token.isKey():
                found = sounding_shift(token.data)
                shift = shift if found is None else found
        else:
            pitches = _pitches(token, shift)
            grace = bool(token.inGrace)
            length = Fraction(0) if grace or pitches == () else _length(token)
            tied = pitches is not None and token.tie in ("start", "continue")
            annotations.extend((position, *_classify(text)) for text in token.chordSymbols)
            events.append(NoteEvent(position, position + length, pitches, grace, tied, previous_tied, bar))
            previous_tied = tied
            position += length
    return Timeline(voice, events, fields, annotations)


def _classify(quoted: str) -> tuple[str, str]:
    """(group, text) of a quoted string on a note: an annotation (``"^text"``) or a chord symbol (``"Gm7"``)."""
    text = quoted.strip('"').strip()
    if text[:1] and text[0] in _ANNOTATION_PLACES:
        return "text", text[1:].strip()
    return "chord_symbol", text


def to_track(timeline: Timeline, resolution: int) -> Track:
    """The voice's notes (ties merged), annotations and name as a Track (lyrics are added by the caller)."""
    starts: list[int] = []
    ends: list[int] = []
    pitches: list[int] = []
    open_ties: dict[int, int] = {}  # pitch -> index of the note whose tie is still open
    for event in timeline.events:
        if event.pitches is None:
            open_ties = {}
            continue
        onset, end = ticks(event.onset, resolution), ticks(event.end, resolution)
        following: dict[int, int] = {}
        for pitch in event.pitches:
            index = open_ties.get(pitch) if event.continues else None
            if event.grace:
                index = -1
            elif index is not None and ends[index] == onset:
                ends[index] = max(ends[index], end)
            else:
                index = len(starts)
                starts.append(onset)
                ends.append(end)
                pitches.append(pitch)
            if event.tied and index >= 0:
                following[pitch] = index
        open_ties = following
    track = Track(name=timeline.voice.name)
    track.notes = NoteArray.from_columns(
        time=starts,
        pitch=pitches,
        duration=np.subtract(ends, starts, dtype=np.int64) if starts else [],
        velocity=[64] * len(starts),
    )
    track.annotations = [Annotation(ticks(at, resolution), text, group) for at, group, text in timeline.annotations]
    return track.sort()


def header_shift(tune: TokenizedTune) -> int:
    """Semitones from written to sounding pitch set by the header's ``K:`` fields (0 if none sets one)."""
    shift = 0
    for token in tune.header:
        found = sounding_shift(token.data) if token.isKey() else None
        shift = shift if found is None else found
    return shift


def timed_fields(
    tune: TokenizedTune, timelines: list[Timeline], resolution: int
) -> tuple[list[KeySignature], list[Tempo], list[TimeSignature]]:
    """Keys (with mode), tempos and meters of the ``K:``, ``Q:`` and ``M:`` fields, each at its onset.

    Header fields hold from tick 0. A field in a voice takes effect where it stands in that voice (before
    the next note). Within the header and the first voice a later field at the same tick replaces an
    earlier one of its kind; the other voices add only fields at ticks the first did not set.
    """
    found: dict[str, dict[int, Any]] = {"K": {}, "Q": {}, "M": {}}
    placed = [(Fraction(0), token) for token in tune.header]
    for index, timeline in enumerate([None, *timelines]):
        fields = placed if timeline is None else timeline.fields
        replace = index <= 1
        for onset, token in fields:
            time = ticks(onset, resolution)
            kind, event = _field_event(token, time, tune.key_texts)
            if event is not None and (replace or time not in found[kind]):
                found[kind][time] = event
    keys, tempos, meters = ([items[t] for t in sorted(items)] for items in found.values())
    return keys, tempos, meters


def _field_event(token: Any, time: int, key_texts: dict[int, str]) -> tuple[str, Any]:
    """("K", "Q" or "M", the event or None) of a field token."""
    if token.isKey():
        parsed = parse_key(key_texts.get(id(token), token.data))
        return "K", None if parsed is None else key_from_tonic(time, parsed.tonic, parsed.mode)
    if token.isTempo():
        qpm = tempo_qpm(token.data)
        return "Q", None if qpm is None or qpm <= 0 else Tempo(time, qpm)
    try:
        meter = token.getTimeSignatureParameters()
    except Exception:  # music21 raises several types on meters it cannot read (M:2+3/8); keep the others
        meter = None
    return "M", None if meter is None else TimeSignature(time, meter[0], meter[1])
