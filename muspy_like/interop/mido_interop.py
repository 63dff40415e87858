"""Conversion between :class:`~muspy_like.Music` and :class:`mido.MidiFile`.

Times stay in ticks: a MidiFile's ``ticks_per_beat`` becomes the Music's ``resolution`` (and back), so both
directions are exact. See ``docs/interop-abc.md`` for what each direction keeps.
"""

from __future__ import annotations

from collections import defaultdict, deque
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from muspy_like.core.events import Annotation, Lyric, Metadata, NoteArray, Tempo, TimeSignature
from muspy_like.core.events import ControlChangeArray, PitchBendArray
from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.errors import ConversionError
from muspy_like.interop._common import DRUM_CHANNEL, assign_channels, require_music, require_type
from muspy_like.interop._keys import key_from_midi_name, midi_key_name

if TYPE_CHECKING:
    import mido

__all__ = ["from_mido", "to_mido"]

#: Meta events kept as annotations, and the annotation group they get.
_TEXT_GROUPS = {"marker": "marker", "text": "text", "cue_marker": "cue", "instrument_name": "instrument_name"}


class _Part:
    """Notes and controls collected for one (MIDI track, channel, program)."""

    def __init__(self, channel: int, program: int, name: Optional[str]) -> None:
        self.channel, self.program, self.name = channel, program, name
        self.notes: list[tuple[int, int, int, int]] = []
        self.controls: list[tuple[int, int, int]] = []
        self.bends: list[tuple[int, int]] = []

    def to_track(self) -> Track:
        notes = np.array(self.notes, dtype=np.int64).reshape(-1, 4)
        controls = np.array(self.controls, dtype=np.int64).reshape(-1, 3)
        bends = np.array(self.bends, dtype=np.int64).reshape(-1, 2)
        track = Track(program=self.program, is_drum=self.channel == DRUM_CHANNEL, name=self.name, channel=self.channel)
        track.notes = NoteArray.from_columns(
            time=notes[:, 0], pitch=notes[:, 1], duration=notes[:, 2], velocity=notes[:, 3]
        )
        track.control_changes = ControlChangeArray.from_columns(
            time=controls[:, 0], number=controls[:, 1], value=controls[:, 2]
        )
        track.pitch_bends = PitchBendArray.from_columns(time=bends[:, 0], value=bends[:, 1])
        return track.sort()


def from_mido(midi: "mido.MidiFile", resolution: Optional[int] = None) -> Music:
    """Convert a :class:`mido.MidiFile` to a Music.

    Parameters
    ----------
    midi : mido.MidiFile
        A file read or built with mido (types 0, 1 and 2; in a type-2 file every track starts at tick 0).
    resolution : int, optional
        Ticks per quarter note of the result. Default: the file's ``ticks_per_beat`` (exact); another
        value rescales every time with :meth:`Music.adjust_resolution`.

    Returns
    -------
    Music
        One track per (MIDI track, channel, program): a program change in the middle of a track starts a new
        track, as in pretty_midi. Channel 9 is drums. Note-on with velocity 0 is a note-off; overlapping
        notes of one pitch are paired first-in first-out; a note still sounding at the end of its MIDI track
        ends at that track's last event. Tempo, key and time signatures, markers (``"marker"``), cue points
        (``"cue"``) and text (``"text"``) are global; lyrics and text of a MIDI track that has notes belong
        to its first track. Copyright goes to ``metadata.copyright``, a type-1 file's first track name to
        ``metadata.title``.

    Raises
    ------
    ConversionError
        If ``midi`` is not a MidiFile or uses SMPTE time (``ticks_per_beat`` not positive).
    """
    import mido

    require_type(midi, (mido.MidiFile,), "from_mido")
    if midi.ticks_per_beat <= 0:
        raise ConversionError(f"from_mido(): ticks_per_beat is {midi.ticks_per_beat}; SMPTE timing is not supported")
    music = Music(metadata=Metadata(source_format="midi"), resolution=midi.ticks_per_beat)
    first_programs = _first_programs(midi)
    for index, midi_track in enumerate(midi.tracks):
        _read_track(midi_track, index, midi.type, first_programs, music)
    if resolution is not None and resolution != music.resolution:
        music.adjust_resolution(resolution)
    return music


def _first_programs(midi: "mido.MidiFile") -> dict[int, int]:
    """First program change of each channel anywhere in the file (used by tracks that set none)."""
    programs: dict[int, int] = {}
    for midi_track in midi.tracks:
        for message in midi_track:
            if message.type == "program_change":
                programs.setdefault(message.channel, message.program)
    return programs


def _read_track(midi_track: Any, index: int, file_type: int, first_programs: dict[int, int], music: Music) -> None:
    name: Optional[str] = None
    program = dict(first_programs)
    parts: dict[tuple[int, int], _Part] = {}
    sounding: dict[tuple[int, int], deque] = defaultdict(deque)
    lyrics: list[Lyric] = []
    texts: list[Annotation] = []
    tick = 0

    def part(channel: int) -> _Part:
        key = (channel, program.get(channel, 0))
        if key not in parts:
            parts[key] = _Part(channel, key[1], name)
        return parts[key]

    for message in midi_track:
        tick += message.time
        kind = message.type
        if kind == "note_on" and message.velocity > 0:
            sounding[message.channel, message.note].append((tick, message.velocity, part(message.channel)))
        elif kind in ("note_off", "note_on"):
            queue = sounding.get((message.channel, message.note))
            if queue:
                start, velocity, owner = queue.popleft()
                owner.notes.append((start, message.note, tick - start, velocity))
        elif kind == "program_change":
            program[message.channel] = message.program
        elif kind == "control_change":
            part(message.channel).controls.append((tick, message.control, message.value))
        elif kind == "pitchwheel":
            part(message.channel).bends.append((tick, message.pitch))
        elif kind == "set_tempo":
            music.tempos.append(Tempo(time=tick, qpm=6e7 / message.tempo))
        elif kind == "time_signature":
            music.time_signatures.append(TimeSignature(tick, message.numerator, message.denominator))
        elif kind == "key_signature":
            music.key_signatures.append(key_from_midi_name(tick, message.key))
        elif kind == "track_name":
            name = message.name
            for existing in parts.values():
                existing.name = existing.name or name
        elif kind == "lyrics":
            lyrics.append(Lyric(time=tick, lyric=message.text))
        elif kind == "copyright":
            if music.metadata.copyright is None:
                music.metadata.copyright = message.text
            else:
                music.annotations.append(Annotation(time=tick, annotation=message.text, group="copyright"))
        elif kind in _TEXT_GROUPS:
            texts.append(Annotation(time=tick, annotation=message.text, group=_TEXT_GROUPS[kind]))
    for (_, pitch), queue in sounding.items():
        for start, velocity, owner in queue:
            owner.notes.append((start, pitch, tick - start, velocity))
    tracks = [p.to_track() for p in parts.values() if p.notes or p.controls or p.bends]
    if tracks:
        tracks[0].lyrics.extend(lyrics)
        tracks[0].annotations.extend(t for t in texts if t.group not in ("marker", "cue"))
        music.annotations.extend(t for t in texts if t.group in ("marker", "cue"))
    else:
        music.lyrics.extend(lyrics)
        music.annotations.extend(texts)
        if index == 0 and file_type == 1 and name:
            music.metadata.title = name
    music.tracks.extend(tracks)


def to_mido(music: Music) -> "mido.MidiFile":
    """Convert a Music to a type-1 :class:`mido.MidiFile` with ``ticks_per_beat = music.resolution``.

    The first MIDI track holds the title, copyright, tempos, time and key signatures, global lyrics and
    annotations; each Track becomes a MIDI track with its name, a program change, its notes, control
    changes, pitch bends, lyrics and annotations (as text, marker or cue events by ``group``). Channels:
    drums on 9, a stored ``channel`` kept, the others in turn (see
    :func:`muspy_like.interop._common.assign_channels`). At one tick, note-offs come before note-ons so
    repeated notes stay separate; a zero-length note's off follows its on. Tempos are rounded to whole
    microseconds per quarter (the MIDI unit); a church-mode key is written as the major or minor key with
    the same signature.

    Raises
    ------
    ConversionError
        If ``music`` is not a Music.
    """
    import mido

    require_music(music, "to_mido")
    midi = mido.MidiFile(type=1, ticks_per_beat=music.resolution)
    midi.tracks.append(_conductor_track(music))
    channels = assign_channels((t.channel, t.is_drum) for t in music.tracks)
    for track, channel in zip(music.tracks, channels):
        midi.tracks.append(_instrument_track(track, channel))
    return midi


def _text_message(item: Annotation) -> tuple[str, dict[str, Any]]:
    kind = {"marker": "marker", "cue": "cue_marker", "instrument_name": "instrument_name"}.get(item.group, "text")
    return kind, {"text": str(item.annotation)}


def _to_track(events: list[tuple[int, int, str, dict[str, Any]]]) -> "mido.MidiTrack":
    """Sort (tick, priority, type, fields) events and turn absolute ticks into delta times."""
    import mido

    events.sort(key=lambda e: (e[0], e[1]))
    track, previous = mido.MidiTrack(), 0
    for tick, _, kind, fields in events:
        track.append(mido.Message(kind, time=tick - previous, **fields) if kind in _CHANNEL_TYPES
                     else mido.MetaMessage(kind, time=tick - previous, **fields))
        previous = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


_CHANNEL_TYPES = {"note_on", "note_off", "program_change", "control_change", "pitchwheel"}


def _conductor_track(music: Music) -> "mido.MidiTrack":
    events: list[tuple[int, int, str, dict[str, Any]]] = []
    if music.metadata.title:
        events.append((0, 0, "track_name", {"name": music.metadata.title}))
    if music.metadata.copyright:
        events.append((0, 0, "copyright", {"text": music.metadata.copyright}))
    for tempo in music.tempos:
        events.append((tempo.time, 1, "set_tempo", {"tempo": int(round(6e7 / tempo.qpm))}))
    for sig in music.time_signatures:
        events.append((sig.time, 1, "time_signature", {"numerator": sig.numerator, "denominator": sig.denominator}))
    for key in music.key_signatures:
        name = midi_key_name(key)
        if name is not None:
            events.append((key.time, 1, "key_signature", {"key": name}))
    for lyric in music.lyrics:
        events.append((lyric.time, 2, "lyrics", {"text": lyric.lyric}))
    for item in music.annotations:
        kind, fields = _text_message(item)
        events.append((item.time, 2, kind, fields))
    return _to_track(events)


def _instrument_track(track: Track, channel: int) -> "mido.MidiTrack":
    events: list[tuple[int, int, str, dict[str, Any]]] = []
    if track.name:
        events.append((0, 0, "track_name", {"name": track.name}))
    events.append((0, 1, "program_change", {"channel": channel, "program": track.program}))
    for item in track.annotations:
        kind, fields = _text_message(item)
        events.append((item.time, 2, kind, fields))
    for lyric in track.lyrics:
        events.append((lyric.time, 2, "lyrics", {"text": lyric.lyric}))
    for time, number, value in zip(*(c.tolist() for c in track.control_changes.columns().values())):
        events.append((time, 3, "control_change", {"channel": channel, "control": number, "value": value}))
    for time, value in zip(track.pitch_bends.time.tolist(), track.pitch_bends.value.tolist()):
        events.append((time, 3, "pitchwheel", {"channel": channel, "pitch": value}))
    notes = track.notes
    for time, pitch, duration, velocity in zip(
        notes.time.tolist(), notes.pitch.tolist(), notes.duration.tolist(), notes.velocity.tolist()
    ):
        # Offs at a tick precede ons, so a repeated pitch is not cut; a zero-length note's off follows its on.
        events.append((time, 5, "note_on", {"channel": channel, "note": pitch, "velocity": max(velocity, 1)}))
        events.append((time + duration, 4 if duration else 6, "note_off", {"channel": channel, "note": pitch}))
    return _to_track(events)
