"""From decoded event columns to a :class:`~muspy_like.Music`, with whole-array operations.

This applies the reading policies of :mod:`muspy_like.io.midi.builder` (tracks per chunk, channel and
program; note pairing; where controllers, text and names go; timing) to the columns of
:func:`~muspy_like.io.midi.decoder.decode_events`, without a Python loop over notes or controllers. The
builder stays the message-by-message reference (the mido engine and :func:`~muspy_like.interop.from_mido`
use it); the differential tests check that both give equal results.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

import numpy as np

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
from muspy_like.io.midi.builder import new_track
from muspy_like.io.midi.chunks import MidiLayout
from muspy_like.io.midi.constants import (
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
from muspy_like.io.midi.decoder import TrackEvents
from muspy_like.io.midi.pairing import note_ends

__all__ = ["assemble", "check_meta_events"]

_NOTE_OFF, _NOTE_ON, _CONTROL, _PROGRAM, _BEND = 0x8, 0x9, 0xB, 0xC, 0xE
_PER_CHUNK = 16 * 128  # (channel, program) pairs within a chunk
_DENSE_KEYS = 1 << 22  # up to this many possible track keys, distinct keys are found by counting


def assemble(events: TrackEvents, data: bytes, layout: MidiLayout, overlap: str, name: str,
             source_filename: Optional[str]) -> Music:
    """The :class:`Music` of a decoded file (the policies are those of :mod:`muspy_like.io.midi.builder`)."""
    tempos, time_signatures, key_signatures = _timing(events, data, layout)
    messages = _Messages.split(events)
    tracks, track_chunk = _tracks(messages, events, overlap, len(layout.tracks))
    music = Music(resolution=layout.resolution, tempos=tempos, time_signatures=time_signatures,
                  key_signatures=key_signatures, tracks=tracks)
    title, copyrights = _texts(music, track_chunk, messages.active_chunks(len(layout.tracks)), events, data,
                               layout.midi_type)
    music.metadata = Metadata(title=title, copyright="\n".join(copyrights) if copyrights else None,
                              source_filename=source_filename, source_format="midi")
    return music


class _Messages(NamedTuple):
    """Channel messages by kind: indices into the message columns, each in file order."""

    group: np.ndarray  # chunk * 16 + channel of every message
    note: np.ndarray  # note-ons and note-offs
    on: np.ndarray  # note-ons with a positive velocity
    control: np.ndarray
    bend: np.ndarray
    program: np.ndarray
    chunk: np.ndarray

    @classmethod
    def split(cls, events: TrackEvents) -> "_Messages":
        kind = events.status >> 4
        group = events.chunk * 16 + (events.status & 0x0F)
        note = (kind <= _NOTE_ON).nonzero()[0]  # 0x8 and 0x9
        on = note[(kind[note] == _NOTE_ON) & (events.data2[note] > 0)]
        other = (kind > _NOTE_ON).nonzero()[0]
        other_kind = kind[other]
        return cls(group, note, on, other[other_kind == _CONTROL], other[other_kind == _BEND],
                   other[other_kind == _PROGRAM], events.chunk)

    def active_chunks(self, n_chunks: int) -> np.ndarray:
        """Whether each chunk holds a note message, controller, pitch bend or program change (aftertouch
        does not count: it is ignored)."""
        active = np.zeros(n_chunks, dtype=bool)
        for indices in (self.note, self.control, self.bend, self.program):
            active[self.chunk[indices]] = True
        return active


def _tracks(messages: _Messages, events: TrackEvents, overlap: str, n_chunks: int) -> tuple[list[Track], np.ndarray]:
    """One track per (chunk, channel, program) used, in that order; also the chunk of each track."""
    programs = _Programs(messages, events.data1)
    on = messages.on
    note_key = _key(messages.group[on], programs.at(on, on))
    control_key = _key(messages.group[messages.control], programs.for_controls(messages.control))
    bend_key = _key(messages.group[messages.bend], programs.for_controls(messages.bend))
    early = programs.before_first_note(messages.program)  # a program change alone makes a track
    keys = _distinct(np.concatenate([note_key, control_key, bend_key,
                                     _key(messages.group[early], programs.for_controls(early))]), n_chunks)
    note = messages.note
    is_on = (events.status[note] >> 4 == _NOTE_ON) & (events.data2[note] > 0)
    ends = note_ends(events.chunk[note], events.tick[note], events.status[note] & 0x0F, events.data1[note], is_on,
                     events.chunk_end_tick, overlap)
    start = events.tick[on]
    notes = (np.searchsorted(keys, note_key), start, events.data1[on], ends - start, events.data2[on])
    control = messages.control
    controls = (np.searchsorted(keys, control_key), events.tick[control], events.data1[control], events.data2[control])
    bend = messages.bend
    values = (events.data2[bend].astype(np.int32) << 7 | events.data1[bend]) - 8192
    bends = (np.searchsorted(keys, bend_key), events.tick[bend], values)
    return _make_tracks(keys, notes, controls, bends), keys // _PER_CHUNK


def _key(group: np.ndarray, program: np.ndarray) -> np.ndarray:
    """Track key: (chunk, channel, program) as one integer, ordered as the tracks are."""
    return group.astype(np.int64) * 128 + program


def _distinct(keys: np.ndarray, n_chunks: int) -> np.ndarray:
    """The sorted distinct keys (by counting when the key space is small, the common case)."""
    if n_chunks * _PER_CHUNK <= _DENSE_KEYS:
        return np.flatnonzero(np.bincount(keys, minlength=1))
    return np.unique(keys)


class _Programs:
    """The program in effect on a channel of a chunk at any message (0 before any program change)."""

    def __init__(self, messages: _Messages, data1: np.ndarray) -> None:
        self.group = messages.group
        self.span = len(messages.group) + 1
        changes = messages.program
        changes = changes[np.argsort(messages.group[changes], kind="stable")]  # by chunk and channel, then file order
        self.change_group = messages.group[changes].astype(np.int64)
        self.change_key = self.change_group * self.span + changes
        self.value = data1[changes].astype(np.int64)
        groups = int(messages.group.max()) + 1 if len(messages.group) else 0
        self.first_on = np.full(groups, -1, dtype=np.int64)
        on = messages.on[::-1]
        self.first_on[messages.group[on]] = on  # written last to first: each channel's first note-on remains

    def at(self, index: np.ndarray, where: np.ndarray) -> np.ndarray:
        """The program of message ``index``'s channel just after message ``where`` (an index, or
        ``span - 1`` for after every message)."""
        if not len(self.value):
            return np.zeros(len(index), dtype=np.int64)
        group = self.group[index].astype(np.int64)
        position = np.searchsorted(self.change_key, group * self.span + where, "right") - 1
        found = position >= 0
        found[found] = self.change_group[position[found]] == group[found]
        return np.where(found, self.value[np.maximum(position, 0)], 0)

    def for_controls(self, index: np.ndarray) -> np.ndarray:
        """The program a controller, bend or early program change belongs to: the program at its place once
        its channel has sounded a note, else at the channel's first note-on, else at the end of the chunk."""
        if not len(self.value):
            return np.zeros(len(index), dtype=np.int64)
        first = self.first_on[self.group[index]]
        # "after every message" is span - 1: message indices stay below it, and span itself would be the
        # key of the next channel's program change at message 0
        return self.at(index, np.where(first < 0, self.span - 1, np.maximum(index, first)))

    def before_first_note(self, changes: np.ndarray) -> np.ndarray:
        """The program changes placed before their channel's first note-on (or on a channel without one)."""
        first = self.first_on[self.group[changes]]
        return changes[(first < 0) | (changes < first)]


def _make_tracks(keys: np.ndarray, notes: tuple, controls: tuple, bends: tuple) -> list[Track]:
    """Tracks from columns labelled with their track's index in ``keys``.

    Each column is converted once to its final type and ordered by track; every track gets views of its
    part (appending to a track's notes later reallocates, so tracks never write into each other).
    Notes are sorted by (time, pitch, duration, velocity) within each track; controllers and bends keep
    file order.
    """
    n_tracks = len(keys)
    note_track, *note_columns = _sort_notes(*notes)
    control_track, *control_columns = _by_track(*controls)
    bend_track, *bend_columns = _by_track(*bends)
    note_columns = _typed(NoteArray, note_columns)
    control_columns = _typed(ControlChangeArray, control_columns)
    bend_columns = _typed(PitchBendArray, bend_columns)
    tracks = []
    bounds = zip(*(np.searchsorted(track, np.arange(n_tracks + 1)).tolist()
                   for track in (note_track, control_track, bend_track)))
    previous = next(bounds)
    for key, current in zip(keys.tolist(), bounds):
        tracks.append(new_track(
            key % _PER_CHUNK // 128, key % 128,
            _view(NoteArray, note_columns, previous[0], current[0]),
            _view(ControlChangeArray, control_columns, previous[1], current[1]),
            _view(PitchBendArray, bend_columns, previous[2], current[2]),
        ))
        previous = current
    return tracks


def _typed(kind: type, columns: list) -> dict:
    return {f.name: np.asarray(c, dtype=f.dtype) for f, c in zip(kind.fields, columns)}


def _view(kind: type, columns: dict, start: int, stop: int):
    if start == stop:
        return kind._from_trusted(dict(kind._empty_columns), 0)
    return kind._from_trusted({name: column[start:stop] for name, column in columns.items()}, stop - start)


def _by_track(track: np.ndarray, *columns: np.ndarray) -> tuple:
    """Columns reordered by track, file order kept within each track (a stable sort)."""
    if len(track) and (track[1:] < track[:-1]).any():
        order = track.astype(np.uint16 if track[-1] < 2**16 else np.int64).argsort(kind="stable")
        return (track[order],) + tuple(c[order] for c in columns)
    return (track,) + columns


def _sort_notes(track: np.ndarray, time: np.ndarray, pitch: np.ndarray, duration: np.ndarray,
                velocity: np.ndarray) -> tuple:
    """Notes ordered by (track, time, pitch, duration, velocity).

    (track, time, pitch) are packed into one integer when they fit in 63 bits (time below 2**40 ticks)
    and sorted stably; notes arrive in note-on order, so the sort is about linear. Ties (same-pitch notes
    struck together in one track) are settled by duration and velocity with a lexsort.
    """
    n = len(time)
    if n < 2:
        return track, time, pitch, duration, velocity
    if time.max() < 2**40 and track.max() < 2**16:
        key = (track.astype(np.int64) << 47) | (time << 7) | pitch
        if (key[1:] > key[:-1]).all():
            return track, time, pitch, duration, velocity
        order = key.argsort(kind="stable")
        ordered = key[order]
        tie = ordered[1:] == ordered[:-1]
        if tie.any():
            order = _settle_ties(order, tie, duration, velocity)
    else:
        order = np.lexsort((velocity, duration, pitch, time, track))
    return track[order], time[order], pitch[order], duration[order], velocity[order]


def _settle_ties(order: np.ndarray, tie: np.ndarray, duration: np.ndarray, velocity: np.ndarray) -> np.ndarray:
    """Refine ``order`` (sorted by a key with ties where ``tie``) by duration, then velocity."""
    rank = np.zeros(len(order), dtype=np.int64)
    np.cumsum(~tie, out=rank[1:])  # dense rank of the key
    ordered_duration = duration[order]
    bits = int(ordered_duration.max()).bit_length() + 7
    if int(rank[-1]).bit_length() + bits > 62:
        return order[np.lexsort((velocity[order], ordered_duration, rank))]
    refined = (rank << bits) | (ordered_duration << 7) | velocity[order]
    return order[refined.argsort(kind="stable")]


def check_meta_events(events: TrackEvents, data: bytes, name: str) -> None:
    """Raise :class:`MIDIError` for the first tempo, time or key signature whose data is invalid (file order).

    Part of what both engines accept: a tempo has three data bytes and is not zero, a time signature four
    with a numerator above zero and a denominator of at most 2**30, a key signature two with -7..7 sharps
    and a mode of 0 or 1.
    """
    kind = events.meta_type
    timing = (kind == META_TEMPO) | (kind == META_TIME_SIGNATURE) | (kind == META_KEY_SIGNATURE)
    if not timing.any():
        return
    first, second, third, length = _payload_bytes(events, data)
    is_tempo, is_time, is_key = kind == META_TEMPO, kind == META_TIME_SIGNATURE, kind == META_KEY_SIGNATURE
    fifths = np.where(first > 127, first - 256, first)
    faults = [
        (is_tempo & (length != 3), "tempo event at byte {offset} has {length} data bytes, not 3"),
        (is_tempo & (length == 3) & ((first << 16 | second << 8 | third) == 0), "tempo of 0 microseconds per quarter at byte {offset}"),
        (is_time & ((length != 4) | (first == 0) | (second > 30)), "invalid time signature {hex} at byte {offset}"),
        (is_key & (length != 2), "key signature at byte {offset} has {length} data bytes, not 2"),
        (is_key & (length == 2) & ((fifths < -7) | (fifths > 7) | (second > 1)), "invalid key signature {hex} at byte {offset}"),
    ]
    found = [(int(mask.nonzero()[0][0]), message) for mask, message in faults if mask.any()]
    if found:
        row, message = min(found)
        start, end = int(events.meta_start[row]), int(events.meta_end[row])
        raise MIDIError(f"{name}: " + message.format(offset=int(events.meta_offset[row]), length=end - start,
                                                     hex=data[start:end].hex()))


def _payload_bytes(events: TrackEvents, data: bytes) -> tuple[np.ndarray, ...]:
    """The first three payload bytes (0 past the payload) and the payload length of every meta event."""
    a = np.frombuffer(data, dtype=np.uint8)
    length = events.meta_end - events.meta_start
    first, second, third = (np.where(length > i, np.take(a, events.meta_start + i, mode="clip"), 0).astype(np.int64)
                            for i in range(3))
    return first, second, third, length


def _timing(events: TrackEvents, data: bytes, layout: MidiLayout) -> tuple[list, list, list]:
    """Tempos, time and key signatures of every chunk (checked by :func:`check_meta_events`), sorted by
    tick, stably: chunk order, then file order, however many share a tick. SMPTE-timed files get the one
    tempo that makes a tick last 1 / (frames per second x ticks per frame) seconds; their tempo events
    are ignored, as the standard says."""
    kind = events.meta_type
    timing = ((kind == META_TEMPO) | (kind == META_TIME_SIGNATURE) | (kind == META_KEY_SIGNATURE)).nonzero()[0]
    tempos: list = []
    if layout.smpte_fps is not None:
        tempos = [Tempo(0, 60.0 * layout.smpte_fps / round(layout.smpte_fps))]
    if not len(timing):
        return tempos, [], []
    first, second, third, _ = (x[timing] for x in _payload_bytes(events, data))
    order = np.argsort(events.meta_tick[timing], kind="stable")
    kind, tick = kind[timing][order], events.meta_tick[timing][order]
    first, second, third = first[order], second[order], third[order]
    rows = (kind == META_TEMPO).nonzero()[0]
    if layout.smpte_fps is None and len(rows):
        microseconds = first[rows] << 16 | second[rows] << 8 | third[rows]
        tempos = list(map(Tempo, tick[rows].tolist(), (60_000_000 / microseconds).tolist()))
    rows = (kind == META_TIME_SIGNATURE).nonzero()[0]
    time_signatures = list(map(TimeSignature, tick[rows].tolist(), first[rows].tolist(), (1 << second[rows]).tolist()))
    rows = (kind == META_KEY_SIGNATURE).nonzero()[0]
    fifths = np.where(first[rows] > 127, first[rows] - 256, first[rows])
    key_signatures = list(map(key_signature_from_midi, tick[rows].tolist(), fifths.tolist(), second[rows].tolist()))
    return tempos, time_signatures, key_signatures


def _texts(music: Music, track_chunk: np.ndarray, active: np.ndarray, events: TrackEvents, data: bytes,
           midi_type: int) -> tuple[Optional[str], list[str]]:
    """Names, lyrics, text annotations and copyright notices (Python objects: one per text event).

    Returns the title and the copyright notices.
    """
    rows = ((events.meta_type < 0x10) & (events.meta_type != 0)).nonzero()[0]
    if not len(rows):
        return None, []
    first_track: dict[int, int] = {}
    for index, chunk in enumerate(track_chunk.tolist()):
        first_track.setdefault(chunk, index)
    chunks, kinds, ticks = events.meta_chunk[rows].tolist(), events.meta_type[rows].tolist(), events.meta_tick[rows].tolist()
    pieces = [data[start:end] for start, end in zip(events.meta_start[rows].tolist(), events.meta_end[rows].tolist())]
    try:
        texts = [piece.decode("utf-8") for piece in pieces]
    except UnicodeDecodeError:
        texts = list(map(decode_text, pieces))
    names: dict[int, str] = {}
    copyrights = []
    for chunk, kind, tick, text in zip(chunks, kinds, ticks, texts):
        if kind == META_LYRIC:
            target = music.tracks[first_track[chunk]] if chunk in first_track else music
            target.lyrics.append(Lyric(tick, text))
        elif kind == META_TRACK_NAME:
            names[chunk] = text  # the last name of a chunk wins
        elif kind == META_COPYRIGHT:
            copyrights.append(text)
        elif kind in TEXT_GROUPS:
            target = music.tracks[first_track[chunk]] if chunk in first_track else music
            target.annotations.append(Annotation(tick, text, TEXT_GROUPS[kind]))
    title_chunk = len(active) and (not active[0] or midi_type == 0)
    title = names.get(0) if title_chunk else None
    if names:
        for track, chunk in zip(music.tracks, track_chunk.tolist()):
            track.name = None if (chunk == 0 and title_chunk) else names.get(chunk)
    return title, copyrights
