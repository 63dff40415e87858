"""Conversion between :class:`~muspy_like.Music` and music21 streams (music21 >= 10).

music21 counts time in quarter notes (floats or Fractions); muspy_like in ticks. A music21 position
``q`` becomes tick ``round(q * resolution)`` (halves up); onsets and offsets are rounded separately so
touching notes keep touching. Positions on the tick grid (all of them when ``resolution`` is a multiple of
every tuplet denominator, e.g. 24 for triplets and sixteenths) are exact. Going the other way every tick
is an exact Fraction of a quarter.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np

from muspy_like.core.events import (
    Annotation,
    KeySignature,
    Lyric,
    Metadata,
    NoteArray,
    Tempo,
    TimeSignature,
)
from muspy_like.core.music import DEFAULT_RESOLUTION, Music
from muspy_like.core.track import Track
from muspy_like.errors import ConversionError
from muspy_like.extras import require
from muspy_like.interop._common import DRUM_CHANNEL, require_music
from muspy_like.io.score_common import hyphenated_syllable, split_syllable
from muspy_like.theory import key_fifths, key_from_tonic

if TYPE_CHECKING:
    require("music21", "music21", "conversion with music21")
    from music21 import stream

__all__ = ["from_music21", "to_music21"]


def from_music21(obj: "stream.Stream", resolution: int = DEFAULT_RESOLUTION) -> Union[Music, list[Music]]:
    """Convert a music21 Score, Part (or any Stream) or Opus to Music.

    Parameters
    ----------
    obj : music21.stream.Score, Part, Opus or Stream
        What to convert. An Opus (e.g. an ABC tune book) gives a list with one Music per score.
    resolution : int, default 24
        Ticks per quarter note of the result.

    Returns
    -------
    Music or list of Music
        One track per part: notes (chords split into notes, tied notes merged into one, grace notes
        dropped because they take no metrical time), velocities (explicit note volume, else the latest
        dynamic mark, else 64), program, drum flag (unpitched percussion or MIDI channel 10), part name,
        the first verse of lyrics (a syllable's hyphenation in its text, ``"Tra -"``, ``"- la -"``,
        ``"- li"``, as the score readers keep it); dynamics (``"dynamic"``), chord symbols (``"chord_symbol"``, the
        figure), text expressions (``"text"``) and rehearsal marks (``"marker"``) as track annotations.
        Tempos (metronome marks with an explicit or a playback-only number, see :func:`metronome_qpm`),
        key signatures (with mode when music21 has a
        ``Key``) and time signatures are merged over all parts (one of each kind per tick). Title,
        composers and copyright go to ``metadata``.

    Raises
    ------
    ConversionError
        If ``obj`` is not a music21 Stream.
    """
    require("music21", "music21", "conversion with music21")
    from music21 import stream

    if isinstance(obj, stream.Opus):
        return [_from_score(score, resolution) for score in obj.scores]
    if isinstance(obj, stream.Score):
        return _from_score(obj, resolution)
    if isinstance(obj, stream.Stream):
        return _from_parts(obj, [obj], resolution)
    raise ConversionError(
        "from_music21() expects a music21 Score, Part, Opus or Stream, "
        f"got {type(obj).__module__}.{type(obj).__qualname__}"
    )


def _from_score(score: "stream.Score", resolution: int) -> Music:
    parts = list(score.parts)
    return _from_parts(score, parts or [score], resolution)


def _from_parts(container: "stream.Stream", parts: list, resolution: int) -> Music:
    music = Music(metadata=_metadata(container), resolution=resolution)
    # Parts repeat the piece's tempos and signatures: keep one event of each kind per tick, the first
    # found, except that a key with a mode replaces a bare signature.
    found: dict[tuple[type, int], Any] = {}
    for part in parts:
        track, global_events = _PartReader(part, resolution).read()
        music.tracks.append(track)
        for event in global_events:
            slot = (type(event), event.time)
            if slot not in found or (isinstance(event, KeySignature) and event.mode and not found[slot].mode):
                found[slot] = event
    music.tempos = [e for (kind, _), e in found.items() if kind is Tempo]
    music.key_signatures = [e for (kind, _), e in found.items() if kind is KeySignature]
    music.time_signatures = [e for (kind, _), e in found.items() if kind is TimeSignature]
    return music.sort()


def _metadata(container: "stream.Stream") -> Metadata:
    metadata = Metadata(source_format="music21")
    source = container.metadata
    if source is not None:
        metadata.title = source.title or source.movementName or None
        metadata.creators = [str(c.name) for c in source.contributors if c.name]
        metadata.copyright = str(source.copyright) if source.copyright else None
    return metadata


class _PartReader:
    """Walks one flattened part, merging ties and collecting notes and events."""

    def __init__(self, part: "stream.Stream", resolution: int) -> None:
        self.part, self.resolution = part, resolution
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.pitches: list[int] = []
        self.velocities: list[int] = []
        self.tied: dict[int, int] = {}
        self.velocity = 64

    def tick(self, quarters: Any) -> int:
        return int(np.floor(float(quarters) * self.resolution + 0.5))

    def read(self) -> tuple[Track, list]:
        require("music21", "music21", "conversion with music21")
        from music21 import chord, dynamics, expressions, harmony, key, meter, note, tempo

        track = _track_header(self.part)
        global_events: list = []
        for element in self.part.flatten():
            offset = element.offset
            time = self.tick(offset)
            if isinstance(element, harmony.ChordSymbol):
                track.annotations.append(Annotation(time, element.figure, "chord_symbol"))
            elif isinstance(element, (note.Note, note.Unpitched, chord.Chord)):
                if element.duration.isGrace:
                    continue
                end = self.tick(offset + element.duration.quarterLength)
                for sub in element.notes if isinstance(element, chord.Chord) else [element]:
                    self.add_note(time, end, sub, element)
                if element.lyrics and element.lyrics[0].text:
                    first = element.lyrics[0]
                    track.lyrics.append(Lyric(time, hyphenated_syllable(first.text, first.syllabic)))
            elif isinstance(element, tempo.MetronomeMark):
                qpm = metronome_qpm(element)
                if qpm is not None:
                    global_events.append(Tempo(time, qpm))
            elif isinstance(element, key.Key):
                global_events.append(key_from_tonic(time, element.tonic.name, element.mode))
            elif isinstance(element, key.KeySignature):
                global_events.append(KeySignature(time, fifths=element.sharps))
            elif isinstance(element, meter.TimeSignature):
                global_events.append(TimeSignature(time, element.numerator, element.denominator))
            elif isinstance(element, dynamics.Dynamic):
                track.annotations.append(Annotation(time, element.value, "dynamic"))
                if element.volumeScalar is not None:
                    self.velocity = int(round(element.volumeScalar * 127))
            elif isinstance(element, expressions.RehearsalMark):
                track.annotations.append(Annotation(time, element.content, "marker"))
            elif isinstance(element, expressions.TextExpression):
                track.annotations.append(Annotation(time, element.content, "text"))
        track.notes = NoteArray.from_columns(
            time=self.starts,
            pitch=self.pitches,
            duration=np.subtract(self.ends, self.starts, dtype=np.int64) if self.starts else [],
            velocity=self.velocities,
        )
        return track.sort(), global_events

    def add_note(self, time: int, end: int, sub: Any, container: Any) -> None:
        require("music21", "music21", "conversion with music21")
        from music21 import note

        pitch = sub.displayPitch().midi if isinstance(sub, note.Unpitched) else sub.pitch.midi
        kind = sub.tie.type if sub.tie is not None else None
        # A tie continues a note only if that note ends where this one starts.
        if kind in ("continue", "stop") and pitch in self.tied and self.ends[self.tied[pitch]] == time:
            index = self.tied[pitch]
            self.ends[index] = max(self.ends[index], end)
            if kind == "stop":
                del self.tied[pitch]
            return
        velocity = self.velocity
        for source in (sub, container):
            if source.hasVolumeInformation() and source.volume.velocity is not None:
                velocity = int(source.volume.velocity)
                break
        self.starts.append(time)
        self.ends.append(end)
        self.pitches.append(int(pitch))
        self.velocities.append(min(max(velocity, 0), 127))
        if kind in ("start", "continue"):
            self.tied[pitch] = len(self.starts) - 1


def metronome_qpm(mark: Any) -> Optional[float]:
    """Quarter notes per minute of a music21 ``MetronomeMark``, or None if it gives no tempo.

    The playback tempo (``numberSounding``, what music21 reads from a MusicXML ``<sound tempo>``, with or
    without a printed mark) comes first, as in :func:`~muspy_like.io.musicxml.read_musicxml`; else the
    printed number, unless music21 only guessed it from a text such as "Allegro" (``numberImplicit``).
    A quarter-note mark gives its number unchanged (no float noise from music21's conversion).
    """
    if mark.numberSounding is not None:
        number = mark.numberSounding
    elif mark.number is not None and not mark.numberImplicit:
        number = mark.number
    else:
        return None
    if mark.referent is None or mark.referent.quarterLength == 1:
        return float(number)
    return float(number) * float(mark.referent.quarterLength)


def _track_header(part: "stream.Stream") -> Track:
    require("music21", "music21", "conversion with music21")
    from music21 import instrument

    found = part.getInstrument(returnDefault=False)
    track = Track(name=getattr(part, "partName", None) or None)
    if found is not None:
        track.program = int(found.midiProgram) if found.midiProgram is not None else 0
        unpitched = isinstance(found, instrument.UnpitchedPercussion) and found.midiChannel is None
        track.is_drum = unpitched or found.midiChannel == DRUM_CHANNEL
        track.name = track.name or found.partName or found.instrumentName or None
        if found.midiChannel is not None:
            track.channel = int(found.midiChannel)
    return track


def to_music21(music: Music) -> "stream.Score":
    """Convert a Music to a :class:`music21.stream.Score` (one Part per track, no measures).

    Notes sharing onset and length become a ``Chord``; every note keeps its velocity (``volume``). Each
    part gets an instrument (from the program; unpitched percussion on channel 10 for drum tracks), the
    key and time signatures; the first part gets the tempos (``MetronomeMark``, quarter-note referent).
    Lyrics are attached to the first note of their part starting at their tick (global lyrics to the
    first part); a lyric with no note there becomes a text expression. Annotations become chord symbols,
    dynamics, rehearsal marks or text expressions by ``group``. Zero-length notes (music21 would take
    them for grace notes), control changes and pitch bends are not converted. Call
    ``score.makeNotation()`` for measures and ties.

    Raises
    ------
    ConversionError
        If ``music`` is not a Music.
    """
    require("music21", "music21", "conversion with music21")
    from music21 import metadata, stream

    require_music(music, "to_music21")
    score = stream.Score()
    score.metadata = metadata.Metadata()
    if music.metadata.title:
        score.metadata.title = music.metadata.title
    for creator in music.metadata.creators:
        score.metadata.addContributor(metadata.Contributor(role="composer", name=creator))
    if music.metadata.copyright:
        score.metadata.copyright = music.metadata.copyright
    tracks = music.tracks or [Track()]
    for index, track in enumerate(tracks):
        lyrics = track.lyrics + (music.lyrics if index == 0 else [])
        annotations = track.annotations + (music.annotations if index == 0 else [])
        score.insert(0, _part(music, track, index == 0, lyrics, annotations))
    return score


def _quarters(ticks: int, resolution: int) -> Fraction:
    return Fraction(int(ticks), resolution)


def _part(music: Music, track: Track, first: bool, lyrics: list[Lyric], annotations: list[Annotation]) -> "stream.Part":
    require("music21", "music21", "conversion with music21")
    from music21 import chord, key, meter, note, stream, tempo

    resolution = music.resolution
    part = stream.Part()
    if track.name:
        part.partName = track.name
    part.coreInsert(0, _instrument(track))
    if first:
        for item in music.tempos:
            part.coreInsert(_quarters(item.time, resolution), tempo.MetronomeMark(number=item.qpm, referent=1.0))
    for item in music.key_signatures:
        part.coreInsert(_quarters(item.time, resolution), _key(item, key))
    for item in music.time_signatures:
        part.coreInsert(_quarters(item.time, resolution), meter.TimeSignature(f"{item.numerator}/{item.denominator}"))
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    notes = track.notes
    for time, duration, pitch, velocity in zip(
        notes.time.tolist(), notes.duration.tolist(), notes.pitch.tolist(), notes.velocity.tolist()
    ):
        if duration > 0:
            groups.setdefault((time, duration), []).append((pitch, velocity))
    first_at_tick: dict[int, Any] = {}
    for (time, duration), members in groups.items():
        if len(members) == 1:
            element = note.Note(midi=members[0][0])
            element.volume.velocity = members[0][1]
        else:
            element = chord.Chord([note.Note(midi=p) for p, _ in members])
            for sub, (_, velocity) in zip(element.notes, members):
                sub.volume.velocity = velocity
        element.duration.quarterLength = _quarters(duration, resolution)
        part.coreInsert(_quarters(time, resolution), element)
        first_at_tick.setdefault(time, element)
    for lyric in lyrics:
        target = first_at_tick.get(lyric.time)
        if target is not None and not target.lyrics:
            syllable, syllabic = split_syllable(lyric.lyric)
            target.lyrics = [note.Lyric(syllable, syllabic=syllabic, applyRaw=True)]
        else:
            annotations = annotations + [Annotation(lyric.time, lyric.lyric, "text")]
    for item in annotations:
        part.coreInsert(_quarters(item.time, resolution), _annotation(item))
    part.coreElementsChanged()
    return part


def _instrument(track: Track) -> Any:
    require("music21", "music21", "conversion with music21")
    from music21 import exceptions21, instrument

    if track.is_drum:
        found = instrument.UnpitchedPercussion()
        found.midiChannel = DRUM_CHANNEL
    else:
        try:
            found = instrument.instrumentFromMidiProgram(track.program)
        except exceptions21.InstrumentException:
            found = instrument.Instrument()
        if isinstance(found, instrument.UnpitchedPercussion):
            # Programs 112-119 (agogo, woodblock...) are pitched MIDI instruments but unpitched in music21.
            found = instrument.Instrument(found.instrumentName)
        if track.channel is not None and track.channel != DRUM_CHANNEL:
            found.midiChannel = track.channel
    found.midiProgram = track.program
    if track.name:
        found.partName = track.name
    return found


def _key(item: KeySignature, key: Any) -> Any:
    if item.root_str is not None and item.mode is not None:
        return key.Key(item.root_str.replace("b", "-") if len(item.root_str) > 1 else item.root_str, item.mode)
    fifths = key_fifths(item)
    if item.mode is not None and fifths is not None:
        return key.KeySignature(fifths).asKey(item.mode)
    return key.KeySignature(fifths or 0)


def _annotation(item: Annotation) -> Any:
    require("music21", "music21", "conversion with music21")
    from music21 import dynamics, expressions, harmony

    text = str(item.annotation)
    if item.group == "chord_symbol":
        try:
            return harmony.ChordSymbol(text)
        except Exception:  # music21 raises several types for figures it cannot parse; keep the text
            return expressions.TextExpression(text)
    if item.group == "dynamic":
        return dynamics.Dynamic(text)
    if item.group == "marker":
        return expressions.RehearsalMark(text)
    return expressions.TextExpression(text)
