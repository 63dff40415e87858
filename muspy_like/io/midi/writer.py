"""``write_midi``: a vectorized Standard MIDI File encoder (numpy), written atomically.

Layout (type 1): a conductor chunk (title as its name, copyright, tempos, time and key signatures,
global lyrics and annotations), then one chunk per track (name, program change at tick 0, controllers,
pitch bends, notes, lyrics, annotations), which :func:`~muspy_like.io.midi.read_midi` reads back to an
equal :class:`~muspy_like.Music` (see :func:`planned_channels` for channels).

Event order within a tick: program change, controllers, pitch bends, note-offs, note-ons (same-pitch
notes by increasing end, so that first-in-first-out pairing on reading restores them), note-offs of
zero-length notes, then lyrics and text. No running status is used.
"""

from __future__ import annotations

import os
from typing import Union

import numpy as np

from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.errors import MIDIError
from muspy_like.files import atomic_write
from muspy_like.io.midi.constants import (
    DRUM_CHANNEL,
    GROUP_META_TYPES,
    MAX_VLQ,
    MELODIC_CHANNELS,
    META_COPYRIGHT,
    META_KEY_SIGNATURE,
    META_LYRIC,
    META_TEMPO,
    META_TIME_SIGNATURE,
    META_TRACK_NAME,
    key_signature_to_midi,
)

__all__ = ["write_midi", "encode_midi", "planned_channels"]

_END_OF_TRACK = b"\x00\xff\x2f\x00"
# Priorities of the event kinds at one tick (see the module docstring).
_NAME, _PROGRAM, _CONTROL, _BEND, _OFF, _ON, _ZERO_OFF, _TEXT = range(8)


def planned_channels(music: Music) -> list[int]:
    """The MIDI channel (0-15) :func:`write_midi` gives each track.

    Drum tracks get channel 9 (General MIDI percussion). A pitched track keeps its ``channel`` when it is
    set and is not 9. The others take the melodic channels (0-8, 10-15) that no track claims, in order;
    when those run out (more than 15 pitched tracks) they cycle through all 15 melodic channels again,
    so several tracks share a channel. Each track still gets its own chunk and program change, so
    reading the file back gives the same tracks and programs, although a synthesizer playing it hears
    the last program set on a shared channel.
    """
    claimed = {
        t.channel for t in music.tracks if not t.is_drum and t.channel is not None and t.channel != DRUM_CHANNEL
    }
    free = [c for c in MELODIC_CHANNELS if c not in claimed]
    channels = []
    handed_out = 0
    for track in music.tracks:
        if track.is_drum:
            channels.append(DRUM_CHANNEL)
        elif track.channel is not None and track.channel != DRUM_CHANNEL:
            channels.append(int(track.channel))
        else:
            pool = free if handed_out < len(free) else list(MELODIC_CHANNELS)
            position = handed_out if handed_out < len(free) else handed_out - len(free)
            channels.append(pool[position % len(pool)])
            handed_out += 1
    return channels


def write_midi(path: Union[str, os.PathLike], music: Music) -> None:
    """Write ``music`` as a type 1 Standard MIDI File, atomically.

    Parameters
    ----------
    path : str or PathLike
        Output file (replaced only once the new file is complete).
    music : Music
        The piece; times in ticks, ``resolution`` ticks per quarter (1..32767).

    Notes
    -----
    MIDI cannot hold: chords (``Track.chords``), beats and barlines, creators and collection, annotations
    that are not text (written as ``str(annotation)``), the tonic of church-mode keys (their signature is written as major, aeolian as minor), tempos
    finer than a microsecond per quarter, and velocity-0 notes (written with velocity 1, since a
    velocity-0 note-on means note-off). Same-pitch notes nested inside each other come back re-paired
    (same onsets and offsets, first-in-first-out).

    Raises
    ------
    MIDIError
        If the resolution does not fit the header or a gap between events exceeds 2**28 - 1 ticks.
    """
    data = encode_midi(music, name=str(path))
    with atomic_write(path, "wb") as handle:
        handle.write(data)


def encode_midi(music: Music, name: str = "<bytes>") -> bytes:
    """The bytes :func:`write_midi` would write."""
    if not 0 < int(music.resolution) < 0x8000:
        raise MIDIError(f"{name}: resolution {music.resolution} does not fit a MIDI header (1..32767 ticks per quarter)")
    chunks = [_conductor_chunk(music, name)]
    for track, channel in zip(music.tracks, planned_channels(music)):
        chunks.append(_track_chunk(track, channel, name))
    header = b"MThd" + (6).to_bytes(4, "big") + (1).to_bytes(2, "big")
    header += len(chunks).to_bytes(2, "big") + int(music.resolution).to_bytes(2, "big")
    return header + b"".join(b"MTrk" + len(c).to_bytes(4, "big") + c for c in chunks)


# -- event collection ----------------------------------------------------------------------------------
class _Events:
    """Events of one chunk as parallel arrays: tick, priority, tie-break key and body bytes."""

    def __init__(self) -> None:
        self.ticks: list[np.ndarray] = []
        self.priorities: list[np.ndarray] = []
        self.keys: list[np.ndarray] = []
        self.bodies: list[np.ndarray] = []  # flat uint8
        self.lengths: list[np.ndarray] = []
        self.meta_ticks: list[int] = []
        self.meta_priorities: list[int] = []
        self.meta_bodies: list[bytes] = []

    def add_fixed(self, ticks, priority: int, body: np.ndarray, keys=None) -> None:
        """Events whose bodies all have the same length: ``body`` has shape (n, length)."""
        n = len(body)
        if n == 0:
            return
        self.ticks.append(np.asarray(ticks, dtype=np.int64))
        self.priorities.append(np.full(n, priority, dtype=np.int64))
        self.keys.append(np.zeros(n, dtype=np.int64) if keys is None else np.asarray(keys, dtype=np.int64))
        self.bodies.append(np.ascontiguousarray(body, dtype=np.uint8).reshape(-1))
        self.lengths.append(np.full(n, body.shape[1], dtype=np.int64))

    def add_meta(self, tick: int, priority: int, kind: int, payload: bytes) -> None:
        """One meta event (collected in lists, turned into arrays once per chunk)."""
        self.meta_ticks.append(tick)
        self.meta_priorities.append(priority)
        self.meta_bodies.append(bytes([0xFF, kind]) + _vlq(len(payload)) + payload)

    def _flush_metas(self) -> None:
        if not self.meta_ticks:
            return
        self.ticks.append(np.array(self.meta_ticks, dtype=np.int64))
        self.priorities.append(np.array(self.meta_priorities, dtype=np.int64))
        self.keys.append(np.zeros(len(self.meta_ticks), dtype=np.int64))
        self.bodies.append(np.frombuffer(b"".join(self.meta_bodies), dtype=np.uint8))
        self.lengths.append(np.array([len(body) for body in self.meta_bodies], dtype=np.int64))
        self.meta_ticks, self.meta_priorities, self.meta_bodies = [], [], []

    def encode(self, name: str) -> bytes:
        """The chunk data: events sorted by (tick, priority, key, insertion order), then end of track.

        Meta events keep their insertion order among themselves; they never share a priority with a
        channel event of the same chunk, so their position among channel events is set by the priority.
        """
        self._flush_metas()
        if not self.ticks:
            return _END_OF_TRACK
        ticks = np.concatenate(self.ticks)
        lengths = np.concatenate(self.lengths)
        bodies = np.concatenate(self.bodies)
        starts = np.cumsum(lengths) - lengths
        order = np.lexsort((np.arange(len(ticks)), np.concatenate(self.keys), np.concatenate(self.priorities), ticks))
        ticks, lengths, starts = ticks[order], lengths[order], starts[order]
        deltas = np.diff(ticks, prepend=0)
        if len(deltas) and (deltas[0] < 0 or deltas.max() > MAX_VLQ):
            raise MIDIError(f"{name}: a gap of more than {MAX_VLQ} ticks (or a negative time) cannot be written")
        vlq, vlq_lengths = _vlq_columns(deltas)
        sizes = vlq_lengths + lengths
        event_of_byte = np.repeat(np.arange(len(sizes)), sizes)
        position = np.arange(int(sizes.sum())) - (np.cumsum(sizes) - sizes)[event_of_byte]
        in_vlq = position < vlq_lengths[event_of_byte]
        out = np.empty(len(position), dtype=np.uint8)
        ev = event_of_byte[in_vlq]
        out[in_vlq] = vlq[ev, 4 - vlq_lengths[ev] + position[in_vlq]]
        ev = event_of_byte[~in_vlq]
        out[~in_vlq] = bodies[starts[ev] + position[~in_vlq] - vlq_lengths[ev]]
        return out.tobytes() + _END_OF_TRACK


def _vlq(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _vlq_columns(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Variable-length quantities of ``values`` (< 2**28), right-aligned in an (n, 4) array, and lengths."""
    columns = np.empty((len(values), 4), dtype=np.uint8)
    for j in range(4):
        group = (values >> (7 * (3 - j))) & 0x7F
        columns[:, j] = group | (0x80 if j < 3 else 0)
    lengths = 1 + (values >= 1 << 7).astype(np.int64) + (values >= 1 << 14) + (values >= 1 << 21)
    return columns, lengths


def _text(value) -> bytes:
    return (value if isinstance(value, str) else str(value)).encode("utf-8")


def _add_texts(events: _Events, lyrics, annotations) -> None:
    for lyric in lyrics:
        events.add_meta(int(lyric.time), _TEXT, META_LYRIC, _text(lyric.lyric))
    for annotation in annotations:
        kind = GROUP_META_TYPES.get(annotation.group, 0x01)
        events.add_meta(int(annotation.time), _TEXT, kind, _text(annotation.annotation))


def _conductor_chunk(music: Music, name: str) -> bytes:
    events = _Events()
    if music.metadata.title is not None:
        events.add_meta(0, _NAME, META_TRACK_NAME, _text(music.metadata.title))
    if music.metadata.copyright is not None:
        events.add_meta(0, _NAME, META_COPYRIGHT, _text(music.metadata.copyright))
    for tempo in music.tempos:
        microseconds = min(max(int(round(60_000_000 / tempo.qpm)), 1), 0xFFFFFF)
        events.add_meta(int(tempo.time), _PROGRAM, META_TEMPO, microseconds.to_bytes(3, "big"))
    for signature in music.time_signatures:
        power = int(signature.denominator).bit_length() - 1
        payload = bytes([int(signature.numerator) & 0xFF, power, 24, 8])
        events.add_meta(int(signature.time), _PROGRAM, META_TIME_SIGNATURE, payload)
    for key in music.key_signatures:
        try:
            fifths, minor = key_signature_to_midi(key)
        except ValueError:
            continue  # a mode name MIDI cannot express at all (documented loss)
        events.add_meta(int(key.time), _PROGRAM, META_KEY_SIGNATURE, bytes([fifths & 0xFF, minor]))
    _add_texts(events, music.lyrics, music.annotations)
    return events.encode(name)


def _track_chunk(track: Track, channel: int, name: str) -> bytes:
    events = _Events()
    if track.name is not None:
        events.add_meta(0, _NAME, META_TRACK_NAME, _text(track.name))
    events.add_fixed([0], _PROGRAM, np.array([[0xC0 | channel, int(track.program)]]))
    controls = track.control_changes
    if len(controls):
        body = np.column_stack([np.full(len(controls), 0xB0 | channel), controls.number, controls.value])
        events.add_fixed(controls.time, _CONTROL, body)
    bends = track.pitch_bends
    if len(bends):
        value = bends.value.astype(np.int64) + 8192
        body = np.column_stack([np.full(len(bends), 0xE0 | channel), value & 0x7F, value >> 7])
        events.add_fixed(bends.time, _BEND, body)
    notes = track.notes
    if len(notes):
        start, pitch, end = notes.time, notes.pitch.astype(np.int64), notes.end
        velocity = np.maximum(notes.velocity, 1)
        ons = np.column_stack([np.full(len(notes), 0x90 | channel), pitch, velocity])
        events.add_fixed(start, _ON, ons, keys=end)
        zero = notes.duration == 0
        offs = np.column_stack([np.full(len(notes), 0x80 | channel), pitch, np.zeros(len(notes))])
        events.add_fixed(end[~zero], _OFF, offs[~zero])
        events.add_fixed(end[zero], _ZERO_OFF, offs[zero])
    _add_texts(events, track.lyrics, track.annotations)
    return events.encode(name)

