"""From MIDI events to a :class:`~muspy_like.Music`, message by message: the reading policies, in one place.

The mido engine and :func:`~muspy_like.interop.from_mido` feed mido's messages here, the numpy engine's
small-file path (:mod:`~muspy_like.io.midi.scanner`) its own; the array path
(:mod:`~muspy_like.io.midi.assembly`) must produce exactly what this module would, which the differential
tests check.

Policies
--------
Tracks
    Each ``MTrk`` chunk gives one :class:`Track` per (channel, program) it uses, ordered by channel then
    program. A note belongs to the program its channel has at the note-on. Events on a channel before
    its first note-on (controllers, pitch bends, program changes at the start of a track) belong to the
    program in effect at that first note-on; a later program change starts a new track.
    A channel with controllers but no note still gives a track (nothing is dropped).
Notes
    A note-off (or a note-on with velocity 0) ends the oldest sounding note of the same channel and
    pitch in the same chunk (``overlap="fifo"``, the default), the newest (``"lifo"``), or every one
    begun before its tick (``"all"``, pretty_midi's rule: notes begun at the note-off's own tick keep
    sounding, unless no other note is sounding: then they end there, with zero length, where pretty_midi
    drops them). A note-off with nothing to end is ignored. A note still sounding at the end of its chunk
    (a note-on never followed by its note-off) ends at the tick of the chunk's last event, normally its
    end-of-track event: nothing the file holds is dropped. Zero-length notes (note-on and note-off at the
    same tick) are kept.
Drums
    Channel 10 (index 9) gives ``is_drum=True``.
Text
    Lyrics, text, marker, cue and other text meta events go to the first track made from their chunk;
    those of a chunk that makes no track (the conductor track of a type 1 file) are global
    (``Music.lyrics``/``Music.annotations``). Track names name every track of their
    chunk (the last name event wins); the conductor's name is the title, as is the only chunk's name in
    a type 0 file. Copyright notices go to ``Metadata.copyright`` (several are joined by newlines).
Timing
    Tempos, time and key signatures from any chunk are global, sorted by tick (stable: chunk order,
    then file order). SMPTE files are converted: ``resolution`` = frames per second (rounded) x ticks
    per frame and a single tempo makes one tick last exactly 1/(fps x ticks per frame) seconds; their
    tempo events are ignored, as the standard says.
"""

from __future__ import annotations

from collections import deque
from typing import Optional

import numpy as np

from muspy_like.core.columns import EventArray
from muspy_like.core.events import (
    Annotation,
    ControlChangeArray,
    Lyric,
    Metadata,
    NoteArray,
    PitchBendArray,
    Tempo,
    TimeSignature,
)
from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.errors import MIDIError
from muspy_like.io.midi.constants import (
    DRUM_CHANNEL,
    META_COPYRIGHT,
    META_KEY_SIGNATURE,
    META_LYRIC,
    META_TEMPO,
    META_TIME_SIGNATURE,
    META_TRACK_NAME,
    TEXT_GROUPS,
    decode_text,
    key_signature_from_midi,
)

__all__ = ["MusicBuilder", "OVERLAP_POLICIES", "build_track", "make_track", "new_track"]

#: Pairing of note-offs with sounding notes of the same pitch (see the module docstring).
OVERLAP_POLICIES = ("fifo", "lifo", "all")

_CONTROL, _BEND = 0, 1
_USED = (2, 0, 0, 0)


def build_track(
    channel: int,
    program: int,
    name: Optional[str],
    notes: tuple,
    controls: tuple,
    bends: tuple,
) -> Track:
    """A :class:`Track` from column data (``notes`` = (time, pitch, duration, velocity) sequences...).

    Notes are sorted by (time, pitch, duration, velocity); controllers and pitch bends keep file order.
    """
    track = make_track(channel, program, notes, controls, bends)
    _sort_notes(track.notes)
    track.name = name
    return track


def make_track(channel: int, program: int, notes, controls, bends) -> Track:
    """A :class:`Track` of ``channel`` and ``program`` from column data taken as given (order included).

    ``notes`` is (time, pitch, duration, velocity), ``controls`` (time, number, value), ``bends`` (time,
    value): sequences or arrays, converted to the columns' types.
    """
    return new_track(channel, program, _event_array(NoteArray, notes), _event_array(ControlChangeArray, controls),
                     _event_array(PitchBendArray, bends))


def new_track(channel: int, program: int, notes: NoteArray, controls: ControlChangeArray,
              bends: PitchBendArray) -> Track:
    """A :class:`Track` holding the given arrays, made without the dataclass constructor.

    Readers make tracks by the thousand; filling the instance dictionary directly costs a fraction of
    ``Track(...)`` (which runs a conversion check on every attribute). The result is the same object: a
    test compares it field by field with the constructor's.
    """
    track = _new_object(Track)
    track.__dict__.update(program=int(program), is_drum=channel == DRUM_CHANNEL, name=None, channel=int(channel),
                          notes=notes, chords=[], lyrics=[], annotations=[], control_changes=controls,
                          pitch_bends=bends)
    return track


_new_object = object.__new__


def _event_array(kind: type[EventArray], columns: tuple) -> EventArray:
    """An array of ``kind`` from one sequence per field (in declaration order), each converted once.

    Readers call this for every track, so it skips :meth:`~EventArray.from_columns`'s checks: the
    columns come from one decoder and have the same length. Empty arrays share their zero-length columns.
    """
    n = len(columns[0])
    if n == 0:
        return kind._from_trusted(dict(_EMPTY_COLUMNS[kind]), 0)
    return kind._from_trusted({f.name: np.array(c, dtype=f.dtype) for f, c in zip(kind.fields, columns)}, n)


_EMPTY_COLUMNS = {
    kind: {f.name: np.zeros(0, dtype=f.dtype) for f in kind.fields} for kind in (NoteArray, ControlChangeArray, PitchBendArray)
}


def _sort_notes(notes: NoteArray) -> None:
    """Sort by (time, pitch, duration, velocity) in place.

    Readers mostly deliver notes ordered by time already; then the four keys are packed into one
    integer per note (onset rank, pitch, duration, velocity bit fields, when they fit in 63 bits) and
    sorted once, stably: much cheaper than a four-key lexsort, and the same order, since equal packed
    keys mean equal notes.
    """
    if len(notes) < 2:
        return
    time = notes.time
    if (time[1:] > time[:-1]).all():
        return
    pitch, duration, velocity = notes.pitch, notes.duration, notes.velocity
    step = time[1:] - time[:-1]
    order = None
    if (step >= 0).all() and duration.min() >= 0:
        onset_rank = np.zeros(len(time), dtype=np.int64)
        np.cumsum(step > 0, out=onset_rank[1:])
        duration_bits = int(duration.max()).bit_length()
        if int(onset_rank[-1]).bit_length() + duration_bits + 14 <= 63:
            key = (((onset_rank << 7 | pitch) << duration_bits | duration) << 7) | velocity
            order = np.argsort(key, kind="stable")
    if order is None:
        order = np.lexsort((velocity, duration, pitch, time))
    notes.reorder(order)


class _TrackData:
    __slots__ = ("note_time", "note_pitch", "note_duration", "note_velocity", "cc_time", "cc_number",
                 "cc_value", "pb_time", "pb_value")

    def __init__(self) -> None:
        for slot in self.__slots__:
            setattr(self, slot, [])


class MusicBuilder:
    """Collects decoded MIDI events chunk by chunk and assembles a :class:`Music`.

    Parameters
    ----------
    resolution : int
        Ticks per quarter note.
    midi_type : int
        0 or 1.
    smpte_fps : float, optional
        Frames per second of an SMPTE-timed file (tempo events are then ignored).
    overlap : {"fifo", "lifo", "all"}
        Which sounding notes of the same pitch a note-off ends.
    name : str
        File name for error messages.
    """

    def __init__(
        self,
        resolution: int,
        midi_type: int = 1,
        smpte_fps: Optional[float] = None,
        overlap: str = "fifo",
        name: str = "<bytes>",
    ) -> None:
        if overlap not in OVERLAP_POLICIES:
            raise ValueError(f"overlap must be one of {OVERLAP_POLICIES}, not {overlap!r}")
        self.name = name
        self.resolution = resolution
        self.midi_type = midi_type
        self.smpte_fps = smpte_fps
        self.overlap = overlap
        self.music = Music(resolution=resolution)
        self.tempos: list[Tempo] = []
        self.copyrights: list[str] = []
        self.chunk_index = -1

    # -- chunks --------------------------------------------------------------------------------------
    def begin_chunk(self, index: Optional[int] = None) -> None:
        """Start ``MTrk`` chunk number ``index`` (default: the next one); all per-chunk state is reset."""
        self.chunk_index = self.chunk_index + 1 if index is None else index
        self.tracks: dict[tuple[int, int], _TrackData] = {}
        self.program = [0] * 16
        self.current: list[Optional[_TrackData]] = [None] * 16  # track of (channel, program) once started
        self.started = [False] * 16
        self.pending: list[list[tuple]] = [[] for _ in range(16)]
        self.sounding: dict[int, deque] = {}
        self.has_channel_events = False
        self.track_name: Optional[str] = None
        self.lyrics: list[Lyric] = []
        self.annotations: list[Annotation] = []

    def end_chunk(self, end_tick: int = 0) -> None:
        """Finish the current chunk, whose last event is at ``end_tick``: turn its tracks into
        :class:`Track` objects (notes still sounding end at ``end_tick``)."""
        for key, queue in self.sounding.items():
            for start, velocity, data in queue:
                _add_note(data, start, key % 128, end_tick - start, velocity)
        self.sounding = {}
        for channel in range(16):
            if self.pending[channel]:
                self._flush_pending(channel)
        is_conductor = self.chunk_index == 0 and not self.has_channel_events
        title_chunk = self.chunk_index == 0 and (is_conductor or self.midi_type == 0)
        if title_chunk and self.track_name is not None:
            self.music.metadata.title = self.track_name
        track_name = None if title_chunk else self.track_name
        made = []
        for (channel, program), data in sorted(self.tracks.items()):
            made.append(
                build_track(
                    channel,
                    program,
                    track_name,
                    (data.note_time, data.note_pitch, data.note_duration, data.note_velocity),
                    (data.cc_time, data.cc_number, data.cc_value),
                    (data.pb_time, data.pb_value),
                )
            )
        if made:
            made[0].lyrics.extend(self.lyrics)
            made[0].annotations.extend(self.annotations)
            self.music.tracks.extend(made)
        else:
            self.music.lyrics.extend(self.lyrics)
            self.music.annotations.extend(self.annotations)

    # -- channel events ------------------------------------------------------------------------------
    def _track(self, channel: int, program: int) -> _TrackData:
        key = (channel, program)
        data = self.tracks.get(key)
        if data is None:
            data = self.tracks[key] = _TrackData()
        return data

    def _flush_pending(self, channel: int) -> None:
        data = self._track(channel, self.program[channel])
        for kind, tick, a, b in self.pending[channel]:
            if kind == _CONTROL:
                data.cc_time.append(tick)
                data.cc_number.append(a)
                data.cc_value.append(b)
            elif kind == _BEND:
                data.pb_time.append(tick)
                data.pb_value.append(a)
        self.pending[channel] = []

    def note_on(self, tick: int, channel: int, pitch: int, velocity: int) -> None:
        """A note-on (velocity 0 means note-off)."""
        if velocity == 0:
            self.note_off(tick, channel, pitch)
            return
        data = self.current[channel]
        if data is None:
            self.has_channel_events = True
            if not self.started[channel]:
                self.started[channel] = True
                self._flush_pending(channel)
            data = self.current[channel] = self._track(channel, self.program[channel])
        key = channel * 128 + pitch
        queue = self.sounding.get(key)
        if queue is None:
            queue = self.sounding[key] = deque()
        queue.append((tick, velocity, data))

    def note_off(self, tick: int, channel: int, pitch: int) -> None:
        """A note-off: ends one sounding note of this channel and pitch (see the overlap policy)."""
        self.has_channel_events = True
        queue = self.sounding.get(channel * 128 + pitch)
        if not queue:
            return
        if self.overlap == "fifo":
            start, velocity, data = queue.popleft()
            data.note_time.append(start)
            data.note_pitch.append(pitch)
            data.note_duration.append(tick - start)
            data.note_velocity.append(velocity)
        elif self.overlap == "lifo":
            start, velocity, data = queue.pop()
            _add_note(data, start, pitch, tick - start, velocity)
        else:  # "all": every note begun before this tick ends; those begun at this tick keep sounding,
            # unless there is nothing else to end (then they end here, with zero length)
            ended = 0
            while queue and (queue[0][0] != tick or not ended):
                start, velocity, data = queue.popleft()
                _add_note(data, start, pitch, tick - start, velocity)
                ended += start != tick

    def control_change(self, tick: int, channel: int, number: int, value: int) -> None:
        """A controller change."""
        self.has_channel_events = True
        if self.started[channel]:
            data = self.current[channel] or self._track(channel, self.program[channel])
            data.cc_time.append(tick)
            data.cc_number.append(number)
            data.cc_value.append(value)
        else:
            self.pending[channel].append((_CONTROL, tick, number, value))

    def pitch_bend(self, tick: int, channel: int, value: int) -> None:
        """A pitch bend, ``value`` in -8192..8191."""
        self.has_channel_events = True
        if self.started[channel]:
            data = self.current[channel] or self._track(channel, self.program[channel])
            data.pb_time.append(tick)
            data.pb_value.append(value)
        else:
            self.pending[channel].append((_BEND, tick, value, 0))

    def program_change(self, tick: int, channel: int, program: int) -> None:
        """A program change (later notes and controllers of the channel go to that program's track)."""
        self.has_channel_events = True
        self.program[channel] = program
        self.current[channel] = None
        if not self.started[channel]:
            # Even with nothing else on the channel, the program change alone makes an (empty) track.
            self.pending[channel].append(_USED)

    # -- meta events ---------------------------------------------------------------------------------
    def meta(self, tick: int, kind: int, payload: bytes, offset: int) -> None:
        """A meta event of type ``kind`` with its data bytes; ``offset`` is used in error messages."""
        if kind == META_TEMPO:
            if len(payload) != 3:
                raise MIDIError(f"{self.name}: tempo event at byte {offset} has {len(payload)} data bytes, not 3")
            microseconds = int.from_bytes(payload, "big")
            if microseconds == 0:
                raise MIDIError(f"{self.name}: tempo of 0 microseconds per quarter at byte {offset}")
            if self.smpte_fps is None:
                self.tempos.append(Tempo(tick, 60_000_000 / microseconds))
        elif kind == META_TIME_SIGNATURE:
            if len(payload) != 4 or payload[0] == 0 or payload[1] > 30:
                raise MIDIError(f"{self.name}: invalid time signature {payload.hex()} at byte {offset}")
            self.music.time_signatures.append(TimeSignature(tick, payload[0], 1 << payload[1]))
        elif kind == META_KEY_SIGNATURE:
            if len(payload) != 2:
                raise MIDIError(f"{self.name}: key signature at byte {offset} has {len(payload)} data bytes, not 2")
            fifths = payload[0] - 256 if payload[0] > 127 else payload[0]
            if not -7 <= fifths <= 7 or payload[1] > 1:
                raise MIDIError(f"{self.name}: invalid key signature {payload.hex()} at byte {offset}")
            self.music.key_signatures.append(key_signature_from_midi(tick, fifths, payload[1]))
        elif kind == META_TRACK_NAME:
            self.track_name = decode_text(payload)
        elif kind == META_LYRIC:
            self.lyrics.append(Lyric(tick, decode_text(payload)))
        elif kind == META_COPYRIGHT:
            self.copyrights.append(decode_text(payload))
        elif kind in TEXT_GROUPS:
            self.annotations.append(Annotation(tick, decode_text(payload), TEXT_GROUPS[kind]))

    # -- result --------------------------------------------------------------------------------------
    def finish(self, source_filename: Optional[str] = None) -> Music:
        """The assembled :class:`Music` (call once, after the last chunk)."""
        music = self.music
        if self.smpte_fps is not None:
            # One tick = 1 / (fps * ticks_per_frame) s; resolution = round(fps) * ticks_per_frame.
            self.tempos = [Tempo(0, 60.0 * self.smpte_fps / round(self.smpte_fps))]
        music.tempos = sorted(self.tempos, key=_time)
        music.time_signatures.sort(key=_time)
        music.key_signatures.sort(key=_time)
        music.metadata = Metadata(
            title=music.metadata.title,
            copyright="\n".join(self.copyrights) if self.copyrights else None,
            source_filename=source_filename,
            source_format="midi",
        )
        return music


def _time(event) -> int:
    return event.time


def _add_note(data: _TrackData, start: int, pitch: int, duration: int, velocity: int) -> None:
    data.note_time.append(start)
    data.note_pitch.append(pitch)
    data.note_duration.append(duration)
    data.note_velocity.append(velocity)
