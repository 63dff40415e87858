"""MusPy's representation functions and processors: MusPy's defaults and token layout over our encoders.

``muspy_like.representations`` is our own API (multi-track, tempo tokens, hold state on). The top-level
names ``muspy_like.to_pitch_representation``, ``to_event_representation``, ... and the processors at the
top level are MusPy's, so ported code gives MusPy's arrays:

=====================================  ================================  =================================
name (top level)                       MusPy default kept here           ``muspy_like.representations``
=====================================  ================================  =================================
``to_pitch_representation``            ``use_hold_state=False``          ``use_hold_state=True``
``to_event_representation``            ``encode_velocity=False``; tracks ``encode_velocity=True``; track,
                                       merged; no program/tempo tokens;  program and tempo tokens
                                       note-offs before note-ons at a
                                       step (MusPy's order)
``to_note_representation``             4 columns (time, pitch,           8 columns (+ program, drum,
                                       duration, velocity)               track, qpm)
``to_pianoroll_representation``        one extra empty step at the end   length = end of the last note
=====================================  ================================  =================================

Corrections kept even under MusPy's names (see ``docs/migration.md``): a rest in the pitch representation
is 128, never pitch 0; where notes overlap the pitch representation takes the highest (MusPy: the note
written last); encoders never change the piece they are given (MusPy's ``resolution=`` rescales it in
place).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from muspy_like.core.events import DEFAULT_VELOCITY
from muspy_like.core.music import Music

__all__ = [
    "to_pitch_representation",
    "from_pitch_representation",
    "to_note_representation",
    "from_note_representation",
    "to_pianoroll_representation",
    "from_pianoroll_representation",
    "to_event_representation",
    "from_event_representation",
    "to_representation",
    "from_representation",
    "to_default_event_representation",
    "to_performance_event_representation",
    "to_remi_event_representation",
    "PitchRepresentationProcessor",
    "NoteRepresentationProcessor",
    "PianoRollRepresentationProcessor",
    "EventRepresentationProcessor",
]

DEFAULT_RESOLUTION = 24


# -- pitch --------------------------------------------------------------------------------------------
def to_pitch_representation(music: Music, use_hold_state: bool = False, dtype: Any = int) -> np.ndarray:
    """MusPy's pitch representation, shape (T, 1): pitch per step, 128 rest, 129 hold (with the hold state)."""
    from muspy_like.representations import to_pitch_representation as encode

    return encode(music, use_hold_state=use_hold_state, dtype=dtype or int)


def from_pitch_representation(array: np.ndarray, resolution: int = DEFAULT_RESOLUTION, program: int = 0,
                              is_drum: bool = False, use_hold_state: bool = False,
                              default_velocity: int = DEFAULT_VELOCITY) -> Music:
    """Decode MusPy's pitch representation (a run of one pitch is one note without the hold state)."""
    from muspy_like.representations import from_pitch_representation as decode

    return decode(array, resolution=resolution, program=program, is_drum=is_drum, use_hold_state=use_hold_state,
                  default_velocity=default_velocity)


# -- note ---------------------------------------------------------------------------------------------
def _note_columns(use_start_end: bool, encode_velocity: bool) -> tuple[str, ...]:
    return ("time", "pitch", "end" if use_start_end else "duration") + (("velocity",) if encode_velocity else ())


def to_note_representation(music: Music, use_start_end: bool = False, encode_velocity: bool = True,
                           dtype: Any = int) -> np.ndarray:
    """MusPy's note representation, shape (N, 4): time, pitch, duration (or end), velocity; every track's
    notes together, sorted by time, pitch, duration and velocity."""
    from muspy_like.representations import to_note_representation as encode

    array = encode(music, columns=_note_columns(use_start_end, encode_velocity), dtype=dtype or int)
    keys = [array[:, i] for i in reversed(range(array.shape[1]))]
    return array[np.lexsort(keys)] if len(array) else array


def from_note_representation(array: np.ndarray, resolution: int = DEFAULT_RESOLUTION, program: int = 0,
                             is_drum: bool = False, use_start_end: bool = False, encode_velocity: bool = True,
                             default_velocity: int = DEFAULT_VELOCITY) -> Music:
    """Decode MusPy's note representation into a one-track piece."""
    from muspy_like.representations import from_note_representation as decode

    return decode(array, columns=_note_columns(use_start_end, encode_velocity), resolution=resolution,
                  program=program, is_drum=is_drum, default_velocity=default_velocity)


# -- piano roll ---------------------------------------------------------------------------------------
def to_pianoroll_representation(music: Music, encode_velocity: bool = True, dtype: Any = None) -> np.ndarray:
    """MusPy's piano roll, shape (T + 1, 128): every track merged, one empty step after the last note end."""
    from muspy_like.representations import to_pianoroll_representation as encode

    roll = encode(music, encode_velocity=encode_velocity, dtype=dtype)
    return np.concatenate([roll, np.zeros((1, 128), dtype=roll.dtype)])


def from_pianoroll_representation(array: np.ndarray, resolution: int = DEFAULT_RESOLUTION, program: int = 0,
                                  is_drum: bool = False, encode_velocity: bool = True,
                                  default_velocity: int = DEFAULT_VELOCITY) -> Music:
    """Decode MusPy's piano roll; without ``encode_velocity`` every non-zero cell is a sounding step.

    Where the velocity changes inside a run of one pitch a new note starts (MusPy keeps one note with the
    first velocity).
    """
    from muspy_like.representations import from_pianoroll_representation as decode

    roll = np.asarray(array)
    if not encode_velocity:
        roll = roll > 0
    return decode(roll, resolution=resolution, program=program, is_drum=is_drum, default_velocity=default_velocity)


# -- event --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EventLayout:
    """Token offsets of MusPy's event vocabulary.

    Note-on 0-127; note-off 128-255 (one token 128 with ``use_single_note_off_event``); then
    ``max_time_shift`` time shifts (1 .. max steps), ``velocity_bins`` velocities and, optionally, the
    end-of-sequence token. The velocity tokens are part of the vocabulary even when not encoded.
    """

    use_single_note_off_event: bool = False
    use_end_of_sequence_event: bool = False
    max_time_shift: int = 100
    velocity_bins: int = 32

    @property
    def note_off(self) -> int:
        return 128

    @property
    def time_shift(self) -> int:
        return 129 if self.use_single_note_off_event else 256

    @property
    def velocity(self) -> int:
        return self.time_shift + self.max_time_shift

    @property
    def end_of_sequence(self) -> int:
        return self.velocity + self.velocity_bins

    @property
    def size(self) -> int:
        return self.end_of_sequence + int(self.use_end_of_sequence_event)


def to_event_representation(music: Music, use_single_note_off_event: bool = False,
                            use_end_of_sequence_event: bool = False, encode_velocity: bool = False,
                            force_velocity_event: bool = True, max_time_shift: int = 100, velocity_bins: int = 32,
                            dtype: Any = int) -> np.ndarray:
    """MusPy's MIDI-like event representation, shape (M, 1), computed on whole note columns.

    All tracks are merged; notes are ordered by time, pitch, duration and velocity; at one step the
    events come in that note order (so a note ending there is closed before the next one starts, as in
    MusPy). A velocity token (bin ``v * bins // 128``) precedes each note-on, or only changes of bin
    without ``force_velocity_event``. Long gaps take several time-shift tokens.
    """
    from muspy_like.representations.common import gather_notes

    layout = EventLayout(use_single_note_off_event, use_end_of_sequence_event, max_time_shift, velocity_bins)
    table = gather_notes(music, None)
    order = np.lexsort((table.velocity, table.duration, table.pitch, table.time))
    time, pitch = table.time[order], table.pitch[order]
    end, velocity = table.end[order], table.velocity[order]
    n = len(time)
    if use_single_note_off_event:
        off_codes = np.full(n, layout.note_off)
    else:
        off_codes = layout.note_off + pitch
    parts_time, parts_code, parts_rank, parts_kind = [time, end], [pitch, off_codes], [np.arange(n)] * 2, [1, 2]
    if encode_velocity:
        bins = velocity.astype(np.int64) * velocity_bins // 128
        wanted = np.ones(n, dtype=bool)
        if not force_velocity_event and n:
            wanted[1:] = bins[1:] != bins[:-1]
        parts_time.insert(0, time[wanted])
        parts_code.insert(0, layout.velocity + bins[wanted])
        parts_rank.insert(0, np.flatnonzero(wanted))
        parts_kind.insert(0, 0)
    kinds = np.concatenate([np.full(len(t), k) for t, k in zip(parts_time, parts_kind)])
    times, codes, ranks = (np.concatenate(parts) for parts in (parts_time, parts_code, parts_rank))
    events = np.lexsort((kinds, ranks, times))
    times, codes = times[events], codes[events]
    tokens = _with_time_shifts(times, codes, layout)
    if use_end_of_sequence_event:
        tokens = np.append(tokens, layout.end_of_sequence)
    return tokens.astype(dtype or int).reshape(-1, 1)


def _with_time_shifts(times: np.ndarray, codes: np.ndarray, layout: EventLayout) -> np.ndarray:
    """Put time-shift tokens before each event whose time is later than the previous one's."""
    gaps = np.diff(times, prepend=0)
    full, rest = np.divmod(gaps, layout.max_time_shift)
    n_shifts = full + (rest > 0)
    code_at = np.cumsum(n_shifts + 1) - 1
    tokens = np.full(int(code_at[-1]) + 1 if len(code_at) else 0, layout.time_shift + layout.max_time_shift - 1,
                     dtype=np.int64)
    tokens[code_at] = codes
    partial = rest > 0
    tokens[code_at[partial] - 1] = layout.time_shift + rest[partial] - 1
    return tokens


def from_event_representation(array: np.ndarray, resolution: int = DEFAULT_RESOLUTION, program: int = 0,
                              is_drum: bool = False, use_single_note_off_event: bool = False,
                              use_end_of_sequence_event: bool = False, max_time_shift: int = 100,
                              velocity_bins: int = 32, default_velocity: int = DEFAULT_VELOCITY,
                              duplicate_note_mode: str = "fifo") -> Music:
    """Decode MusPy's event representation into a one-track piece.

    ``duplicate_note_mode`` says which sounding note of its pitch a note-off ends: ``"fifo"`` the oldest
    (decoded by :func:`muspy_like.representations.from_event_representation`), ``"all"`` every one.
    With ``use_single_note_off_event`` a note-off ends every sounding note. Tokens outside the vocabulary
    are skipped and notes never ended are dropped, as in MusPy. MusPy's ``"lifo"`` is refused.
    """
    from muspy_like.representations import from_event_representation as decode

    layout = EventLayout(use_single_note_off_event, use_end_of_sequence_event, max_time_shift, velocity_bins)
    tokens = np.asarray(array)
    if not np.issubdtype(tokens.dtype, np.integer):
        raise TypeError(f"event representation: tokens must be integers, not {tokens.dtype}")
    tokens = tokens.reshape(-1).astype(np.int64)
    if use_end_of_sequence_event:
        stops = np.flatnonzero(tokens == layout.end_of_sequence)
        tokens = tokens[: stops[0]] if len(stops) else tokens
    tokens = tokens[(tokens >= 0) & (tokens < layout.end_of_sequence)]
    if duplicate_note_mode not in ("fifo", "all"):
        raise ValueError(f"duplicate_note_mode must be 'fifo' or 'all', not {duplicate_note_mode!r}")
    if not use_single_note_off_event and duplicate_note_mode == "fifo":
        return decode(tokens, resolution=resolution, program=program, is_drum=is_drum, max_time_shift=max_time_shift,
                      velocity_bins=velocity_bins, encode_velocity=True, encode_program=False, encode_track=False,
                      encode_tempo=False, default_velocity=default_velocity)
    return _decode_closing_all(tokens, layout, resolution, program, is_drum, default_velocity)


def _decode_closing_all(tokens: np.ndarray, layout: EventLayout, resolution: int, program: int, is_drum: bool,
                        default_velocity: int) -> Music:
    """Decode where a note-off ends every sounding note of its pitch (or of any pitch: single note-off)."""
    from muspy_like.core.events import NoteArray
    from muspy_like.core.track import Track

    is_shift = (tokens >= layout.time_shift) & (tokens < layout.velocity)
    steps = np.where(is_shift, tokens - layout.time_shift + 1, 0)
    clock = np.cumsum(steps) - steps
    is_velocity = tokens >= layout.velocity
    velocity_at = np.where(is_velocity, (tokens - layout.velocity) * 128 // layout.velocity_bins, -1)
    last_velocity = np.maximum.accumulate(np.where(is_velocity, np.arange(len(tokens)), -1))
    velocity = np.where(last_velocity >= 0, velocity_at[np.maximum(last_velocity, 0)], default_velocity)
    on = np.flatnonzero(tokens < layout.note_off)
    off = np.flatnonzero((tokens >= layout.note_off) & (tokens < layout.time_shift))
    # The pitch of each note-off ("all pitches" for the single note-off) and the next matching one per note-on.
    off_pitch = np.full(len(off), -1) if layout.use_single_note_off_event else tokens[off] - layout.note_off
    starts, pitches, ends, velocities = [], [], [], []
    for pitch in np.unique(tokens[on]):
        ons = on[tokens[on] == pitch]
        offs = off[(off_pitch == pitch) | (off_pitch == -1)]
        nxt = np.searchsorted(offs, ons)
        closed = nxt < len(offs)
        starts.append(clock[ons[closed]])
        ends.append(clock[offs[nxt[closed]]])
        pitches.append(np.full(int(closed.sum()), pitch))
        velocities.append(velocity[ons[closed]])
    if starts:
        start, end = np.concatenate(starts), np.concatenate(ends)
        pitch, vel = np.concatenate(pitches), np.concatenate(velocities)
    else:
        start = end = pitch = vel = np.zeros(0, dtype=np.int64)
    notes = NoteArray.from_columns(time=start, pitch=pitch, duration=end - start, velocity=vel)
    notes.sort()
    return Music(resolution=resolution, tracks=[Track(program=program, is_drum=is_drum, notes=notes)])


# -- dispatch -----------------------------------------------------------------------------------------
_KINDS = {
    "pitch": "pitch", "pitch-based": "pitch",
    "event": "event", "event-based": "event",
    "note": "note", "note-based": "note",
    "pianoroll": "pianoroll", "piano-roll": "pianoroll", "piano roll": "pianoroll",
}


def _kind(kind: str) -> str:
    try:
        return _KINDS[kind.lower()]
    except KeyError:
        raise ValueError(f"kind must be one of 'pitch', 'event', 'note' or 'pianoroll', not {kind!r}") from None


def to_representation(music: Music, kind: str, **kwargs: Any) -> np.ndarray:
    """Encode with one of MusPy's representations: ``kind`` is ``"pitch"``, ``"event"``, ``"note"`` or ``"pianoroll"``."""
    return globals()[f"to_{_kind(kind)}_representation"](music, **kwargs)


def from_representation(array: np.ndarray, kind: str, **kwargs: Any) -> Music:
    """Decode one of MusPy's representations (see :func:`to_representation`)."""
    return globals()[f"from_{_kind(kind)}_representation"](array, **kwargs)


def to_default_event_representation(music: Music, dtype: Any = int) -> np.ndarray:
    """MusPy's "default" event tokens: note-on, note-off and time shift (no velocity)."""
    return to_event_representation(music, dtype=dtype)


def to_performance_event_representation(music: Music, dtype: Any = int) -> np.ndarray:
    """MusPy's "performance" event tokens: a velocity token before every note-on."""
    return to_event_representation(music, encode_velocity=True, dtype=dtype)


def to_remi_event_representation(music: Music, dtype: Any = int) -> np.ndarray:
    """REMI tokens, from :func:`muspy_like.representations.to_event_representation` with ``mode="remi"``.

    MusPy's own REMI encoder is unfinished; this is ours (meter-aware bars; vocabulary in
    ``muspy_like.representations.event_vocabulary(mode="remi")``), not MusPy's token values.
    """
    from muspy_like.representations import to_event_representation as encode

    return encode(music, mode="remi", dtype=dtype or int)


# -- processors ---------------------------------------------------------------------------------------
@dataclass
class PitchRepresentationProcessor:
    """MusPy's pitch processor: ``encode(music)`` and ``decode(array)`` with MusPy's defaults."""

    use_hold_state: bool = False
    default_velocity: int = DEFAULT_VELOCITY

    def encode(self, music: Music) -> np.ndarray:
        return to_pitch_representation(music, use_hold_state=self.use_hold_state)

    def decode(self, array: np.ndarray) -> Music:
        return from_pitch_representation(array, use_hold_state=self.use_hold_state,
                                         default_velocity=self.default_velocity)


@dataclass
class NoteRepresentationProcessor:
    """MusPy's note processor (four columns; ``use_start_end`` gives ends instead of durations)."""

    use_start_end: bool = False
    encode_velocity: bool = True
    dtype: Any = int
    default_velocity: int = DEFAULT_VELOCITY

    def encode(self, music: Music) -> np.ndarray:
        return to_note_representation(music, use_start_end=self.use_start_end,
                                      encode_velocity=self.encode_velocity, dtype=self.dtype)

    def decode(self, array: np.ndarray) -> Music:
        return from_note_representation(array, use_start_end=self.use_start_end,
                                        encode_velocity=self.encode_velocity, default_velocity=self.default_velocity)


@dataclass
class EventRepresentationProcessor:
    """MusPy's event processor (MusPy's token layout; velocity not encoded by default)."""

    use_single_note_off_event: bool = False
    use_end_of_sequence_event: bool = False
    encode_velocity: bool = False
    force_velocity_event: bool = True
    max_time_shift: int = 100
    velocity_bins: int = 32
    default_velocity: int = DEFAULT_VELOCITY

    def encode(self, music: Music) -> np.ndarray:
        return to_event_representation(
            music, use_single_note_off_event=self.use_single_note_off_event,
            use_end_of_sequence_event=self.use_end_of_sequence_event, encode_velocity=self.encode_velocity,
            force_velocity_event=self.force_velocity_event, max_time_shift=self.max_time_shift,
            velocity_bins=self.velocity_bins)

    def decode(self, array: np.ndarray) -> Music:
        return from_event_representation(
            array, use_single_note_off_event=self.use_single_note_off_event,
            use_end_of_sequence_event=self.use_end_of_sequence_event, max_time_shift=self.max_time_shift,
            velocity_bins=self.velocity_bins, default_velocity=self.default_velocity)


@dataclass
class PianoRollRepresentationProcessor:
    """MusPy's piano-roll processor (velocities by default; one extra empty step)."""

    encode_velocity: bool = True
    default_velocity: int = DEFAULT_VELOCITY

    def encode(self, music: Music) -> np.ndarray:
        return to_pianoroll_representation(music, encode_velocity=self.encode_velocity)

    def decode(self, array: np.ndarray) -> Music:
        return from_pianoroll_representation(array, encode_velocity=self.encode_velocity,
                                             default_velocity=self.default_velocity)
