"""The timed objects a piece is made of.

All times are **metrical**: integer ticks, counted from the start of the piece, at the owning
:class:`~muspy_like.Music`'s ``resolution`` (ticks per quarter note). Seconds are derived through the
tempo map (:mod:`muspy_like.core.timing`).

Dense per-track events (notes, control changes, pitch bends) are stored column-wise
(:mod:`muspy_like.core.columns`); sparse events (tempos, signatures, lyrics, annotations, chords...) are
small dataclasses kept in plain lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, Optional

import numpy as np

from muspy_like.compat.base import MusPyObject
from muspy_like.core.columns import EventArray, EventView, Field

__all__ = [
    "Note",
    "NoteArray",
    "ControlChange",
    "ControlChangeArray",
    "PitchBend",
    "PitchBendArray",
    "Chord",
    "Tempo",
    "KeySignature",
    "TimeSignature",
    "Beat",
    "Barline",
    "Lyric",
    "Annotation",
    "Metadata",
    "SCHEMA_VERSION",
    "DEFAULT_VELOCITY",
]

SCHEMA_VERSION = "1.0"
DEFAULT_VELOCITY = 64

_MAX_TICK = 2**62


def _pickled_by_fields(cls: type) -> type:
    """Make a slotted dataclass pickle (and deep-copy) as ``cls(*field_values)``.

    Python's default for slotted objects pickles a dict of slot names per object and sets each slot on
    loading; a plain tuple of values is about twice as fast both ways and half the size, which counts
    for the dozens of lyrics, barlines and tempos of a piece. ``__reduce_ex__`` rather than
    ``__reduce__`` spares one call per object.
    """
    names = [f.name for f in fields(cls)]
    values = attrgetter(*names)
    if len(names) == 1:
        def reduce(self: Any, protocol: int) -> tuple:
            return (type(self), (values(self),))
    else:
        def reduce(self: Any, protocol: int) -> tuple:
            return (type(self), values(self))
    cls.__reduce_ex__ = reduce
    return cls


class NoteArray(EventArray):
    """Column-wise notes of one track.

    Columns
    -------
    time : int64
        Onset, in ticks.
    pitch : int16
        MIDI note number, 0-127 (60 is middle C).
    duration : int64
        Length, in ticks (>= 0).
    velocity : int16
        MIDI velocity, 0-127 (default 64).
    """

    fields = (
        Field("time", np.int64, 0, _MAX_TICK),
        Field("pitch", np.int16, 0, 127),
        Field("duration", np.int64, 0, _MAX_TICK),
        Field("velocity", np.int16, 0, 127, DEFAULT_VELOCITY),
    )
    sort_keys = ("time", "pitch", "duration", "velocity")

    @property
    def end(self) -> np.ndarray:
        """Offsets (``time + duration``), in ticks."""
        return self.time + self.duration


class Note(EventView):
    """A note: ``Note(time, pitch, duration, velocity=64)`` (the argument order of MusPy).

    Attributes
    ----------
    time : int
        Onset, in ticks.
    pitch : int
        MIDI note number (0-127).
    duration : int
        Length, in ticks.
    velocity : int, default 64
        MIDI velocity (0-127).

    Examples
    --------
    >>> note = Note(time=0, pitch=60, duration=24)
    >>> note.end
    24
    """

    array_class = NoteArray

    @property
    def start(self) -> int:
        """Alias of ``time`` (onset, in ticks)."""
        return self.time

    @property
    def end(self) -> int:
        """Offset, ``time + duration``, in ticks."""
        return self.time + self.duration

    def transpose(self, semitone: int) -> "Note":
        """Shift the pitch by ``semitone`` semitones, in place (MusPy's method)."""
        self.pitch = self.pitch + semitone
        return self

    def clip(self, lower: int = 0, upper: int = 127) -> "Note":
        """Clip the velocity to ``[lower, upper]``, in place (MusPy's method)."""
        self.velocity = min(max(self.velocity, lower), upper)
        return self


class ControlChangeArray(EventArray):
    """Column-wise MIDI control changes: ``time`` (ticks), ``number`` (0-127), ``value`` (0-127)."""

    fields = (
        Field("time", np.int64, 0, _MAX_TICK),
        Field("number", np.int16, 0, 127),
        Field("value", np.int16, 0, 127),
    )
    sort_keys = ("time",)


class ControlChange(EventView):
    """A MIDI control change: ``ControlChange(time, number, value)`` (ticks, controller 0-127, 0-127)."""

    array_class = ControlChangeArray


class PitchBendArray(EventArray):
    """Column-wise pitch bends: ``time`` (ticks) and ``value`` (-8192..8191, 0 = no bend)."""

    fields = (
        Field("time", np.int64, 0, _MAX_TICK),
        Field("value", np.int32, -8192, 8191),
    )
    sort_keys = ("time",)


class PitchBend(EventView):
    """A pitch bend: ``PitchBend(time, value)``; ``value`` in -8192..8191 (0 = centre, no bend)."""

    array_class = PitchBendArray


@_pickled_by_fields
@dataclass(slots=True)
class Chord(MusPyObject):
    """Several pitches sounding together as one event (e.g. from a chord symbol or a MusicXML chord).

    Parameters
    ----------
    time : int
        Onset, in ticks.
    pitches : list of int
        MIDI note numbers.
    duration : int
        Length, in ticks.
    velocity : int, default 64
        MIDI velocity.
    """

    time: int
    pitches: list[int]
    duration: int
    velocity: int = DEFAULT_VELOCITY

    @property
    def end(self) -> int:
        """Offset, in ticks."""
        return self.time + self.duration


@_pickled_by_fields
@dataclass(slots=True)
class Tempo(MusPyObject):
    """A tempo change: ``qpm`` quarter notes per minute from ``time`` (ticks) on."""

    time: int
    qpm: float


@_pickled_by_fields
@dataclass(slots=True)
class KeySignature(MusPyObject):
    """A key signature from ``time`` (ticks) on.

    Parameters
    ----------
    time : int
        Position, in ticks.
    root : int, optional
        Pitch class of the tonic (0 = C ... 11 = B).
    mode : str, optional
        ``"major"`` or ``"minor"`` (other church modes allowed).
    fifths : int, optional
        Number of sharps (positive) or flats (negative), -7..7.
    root_str : str, optional
        Spelled tonic, e.g. ``"Eb"``.
    """

    time: int
    root: Optional[int] = None
    mode: Optional[str] = None
    fifths: Optional[int] = None
    root_str: Optional[str] = None


@_pickled_by_fields
@dataclass(slots=True)
class TimeSignature(MusPyObject):
    """A time signature ``numerator/denominator`` from ``time`` (ticks) on (a new bar starts there)."""

    time: int
    numerator: int = 4
    denominator: int = 4


@_pickled_by_fields
@dataclass(slots=True)
class Beat(MusPyObject):
    """An explicit beat position (ticks); ``is_downbeat`` marks the first beat of a bar."""

    time: int
    is_downbeat: bool = False


@_pickled_by_fields
@dataclass(slots=True)
class Barline(MusPyObject):
    """An explicit barline position, in ticks."""

    time: int


@_pickled_by_fields
@dataclass(slots=True)
class Lyric(MusPyObject):
    """A lyric syllable or word at ``time`` (ticks)."""

    time: int
    lyric: str


@_pickled_by_fields
@dataclass(slots=True)
class Annotation(MusPyObject):
    """Any other timed information (text, marker, cue point, dynamics...).

    Parameters
    ----------
    time : int
        Position, in ticks.
    annotation : Any
        The content; must be JSON-serializable to survive saving.
    group : str, optional
        Kind of annotation, e.g. ``"marker"``, ``"text"``, ``"cue"`` for MIDI meta events.
    """

    time: int
    annotation: Any
    group: Optional[str] = None


@_pickled_by_fields
@dataclass(slots=True)
class Metadata(MusPyObject):
    """Information about a piece and where it came from.

    Parameters
    ----------
    schema_version : str
        Version of the schema the piece was written in: the native schema's for a new piece, the file's
        for a loaded one (``"0.0"`` for MusPy's files, as MusPy keeps it). A saved file states its own
        format in its top-level ``schema_version``.
    title : str, optional
        Title of the piece.
    creators : list of str
        Composers, arrangers, lyricists.
    copyright : str, optional
        Copyright notice.
    collection : str, optional
        Dataset or collection the piece belongs to.
    source_filename : str, optional
        Name of the file it was read from.
    source_format : str, optional
        Format of that file (``"midi"``, ``"musicxml"``, ``"abc"``...).
    """

    schema_version: str = SCHEMA_VERSION
    title: Optional[str] = None
    creators: list[str] = field(default_factory=list)
    copyright: Optional[str] = None
    collection: Optional[str] = None
    source_filename: Optional[str] = None
    source_format: Optional[str] = None
