"""A track: the notes and performance events of one instrument."""

from __future__ import annotations

import copy as _copy
import pickle
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Optional, Union

import numpy as np

from muspy_like.compat.base import MusPyContainer
from muspy_like.core.columns import EventArray, EventView
from muspy_like.core.events import (
    Annotation,
    Chord,
    ControlChange,
    ControlChangeArray,
    Lyric,
    Note,
    NoteArray,
    PitchBend,
    PitchBendArray,
)

__all__ = ["Track", "scale_ticks", "scale_item_times"]

_ARRAY_FIELDS = {"notes": NoteArray, "control_changes": ControlChangeArray, "pitch_bends": PitchBendArray}
#: Which field an appended event goes to (``track.append(note)``).
_FIELD_OF_EVENT = {
    Note: "notes",
    Chord: "chords",
    Lyric: "lyrics",
    Annotation: "annotations",
    ControlChange: "control_changes",
    PitchBend: "pitch_bends",
}


def scale_ticks(ticks: Any, factor: float, rounding: str = "round") -> Any:
    """Multiply tick values (int or array) by ``factor`` and round them to whole ticks.

    ``rounding`` is ``"round"`` (half up), ``"floor"`` or ``"ceil"``.
    """
    scaled = np.asarray(ticks, dtype=np.float64) * factor
    if rounding == "round":
        result = np.floor(scaled + 0.5)
    elif rounding == "floor":
        result = np.floor(scaled + 1e-9)
    elif rounding == "ceil":
        result = np.ceil(scaled - 1e-9)
    else:
        raise ValueError(f"rounding must be 'round', 'floor' or 'ceil', not {rounding!r}")
    result = result.astype(np.int64)
    return int(result) if result.ndim == 0 else result


@dataclass(eq=True)
class Track(MusPyContainer):
    """The notes and performance events of one instrument.

    A track also behaves as the list of its notes, as in MusPy: ``len(track)``, ``track[i]`` (a live view
    of note ``i``), ``track[1:]`` (a list of views), ``for note in track``, ``track.append(note)``.

    Parameters
    ----------
    program : int, default 0
        General MIDI program number, 0-127 (0 = Acoustic Grand Piano).
    is_drum : bool, default False
        Whether the track is percussion (MIDI channel 10); ``transpose`` leaves drums alone.
    name : str, optional
        Track or part name.
    channel : int, optional
        MIDI channel 0-15 the track was read from; the MIDI writer keeps it when it can.
    notes : NoteArray or list of Note
        Notes (time and duration in ticks). A list is converted on assignment.
    chords : list of Chord
        Chord events.
    lyrics : list of Lyric
        Lyrics attached to this track (MIDI lyric events in the track, MusicXML lyrics of the part).
    annotations : list of Annotation
        Track-level text, markers and other annotations.
    control_changes : ControlChangeArray or list of ControlChange
        MIDI control changes (time in ticks).
    pitch_bends : PitchBendArray or list of PitchBend
        Pitch-bend events (time in ticks, value -8192..8191).
    """

    program: int = 0
    is_drum: bool = False
    name: Optional[str] = None
    channel: Optional[int] = None
    notes: NoteArray = field(default_factory=NoteArray)
    chords: list[Chord] = field(default_factory=list)
    lyrics: list[Lyric] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    control_changes: ControlChangeArray = field(default_factory=ControlChangeArray)
    pitch_bends: PitchBendArray = field(default_factory=PitchBendArray)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __setattr__(self, name: str, value: Any) -> None:
        kind = _ARRAY_FIELDS.get(name)
        if kind is not None and not isinstance(value, EventArray):
            value = kind(value)
        object.__setattr__(self, name, value)

    # -- the list of notes ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.notes)

    def __getitem__(self, key: Union[int, slice]) -> Any:
        """Note ``key`` as a live view; a slice gives a list of views (``track.notes[a:b]`` gives an array)."""
        if isinstance(key, slice):
            notes = self.notes
            return [notes[i] for i in range(len(notes))[key]]
        return self.notes[key]

    def __setitem__(self, key: int, note: Note) -> None:
        self.notes[key] = note

    def __delitem__(self, key: Union[int, slice]) -> None:
        del self.notes[key]

    def __iter__(self) -> Iterator[Note]:
        return iter(self.notes)

    def append(self, event: Any) -> "Track":
        """Add a note, chord, lyric, annotation, control change or pitch bend to the matching field.

        Raises
        ------
        TypeError
            If a track has no field for that kind of object.
        """
        name = _FIELD_OF_EVENT.get(type(event)) or next(
            (field for kind, field in _FIELD_OF_EVENT.items() if isinstance(event, kind)), None)
        if name is None:
            raise TypeError(f"a Track holds no {type(event).__name__}; it takes {', '.join(c.__name__ for c in _FIELD_OF_EVENT)}")
        getattr(self, name).append(event)
        return self

    def extend(self, other: Union["Track", Iterable[Any]], deepcopy: bool = False) -> "Track":
        """Add every event of another track, or every object of an iterable (see :meth:`append`).

        Notes are always copied into this track's columns; with ``deepcopy`` the other objects (chords,
        lyrics, annotations) are copied too, otherwise they are shared.
        """
        if isinstance(other, Track):
            for name in _ARRAY_FIELDS:
                getattr(self, name).extend(getattr(other, name))
            for name in ("chords", "lyrics", "annotations"):
                items = getattr(other, name)
                getattr(self, name).extend(_copy.deepcopy(items) if deepcopy else items)
            return self
        for event in other:
            self.append(_copy.deepcopy(event) if deepcopy and not isinstance(event, EventView) else event)
        return self

    # -- queries -------------------------------------------------------------------------------------

    def get_end_time(self, is_sorted: bool = False) -> int:
        """Latest tick at which anything in the track happens or ends (note offsets included).

        ``is_sorted`` (MusPy's hint) is accepted and unused: the end is one pass over the columns anyway.
        """
        candidates = [0]
        if len(self.notes):
            candidates.append(int(self.notes.end.max()))
        for array in (self.control_changes, self.pitch_bends):
            if len(array):
                candidates.append(int(array.time.max()))
        candidates.extend(c.end for c in self.chords)
        candidates.extend(x.time for x in self.lyrics)
        candidates.extend(x.time for x in self.annotations)
        return max(candidates)

    def validate(self, attr: Optional[str] = None, recursive: bool = True, path: str = "track") -> "Track":
        """Raise :class:`~muspy_like.errors.ValidationError` on the first wrong value; return ``self``.

        ``attr`` checks one field only (MusPy's argument); ``path`` prefixes the attribute paths in messages.
        """
        if attr is not None:
            return super().validate(attr, recursive)
        from muspy_like.core.validation import validate_track

        validate_track(self, path)
        return self

    def copy(self) -> "Track":
        """Deep copy, by a pickle round trip (faster than ``copy.deepcopy``; the same result)."""
        return copy_through_pickle(self)

    # -- processing (in place, returning self for chaining) ------------------------------------------
    def transpose(self, semitones: int) -> "Track":
        """Shift every pitch by ``semitones`` (drum tracks are left unchanged)."""
        if not self.is_drum:
            self.notes.pitch = self.notes.pitch + semitones
            for chord in self.chords:
                chord.pitches = [p + semitones for p in chord.pitches]
        return self

    def clip(self, lower: int = 0, upper: int = 127) -> "Track":
        """Clip note and chord velocities to ``[lower, upper]``."""
        self.notes.velocity = np.clip(self.notes.velocity, lower, upper)
        for chord in self.chords:
            chord.velocity = min(max(chord.velocity, lower), upper)
        return self

    def sort(self) -> "Track":
        """Sort every event list by time (notes by time, pitch, duration, velocity; stable)."""
        for array in (self.notes, self.control_changes, self.pitch_bends):
            array.sort()
        for items in (self.chords, self.lyrics, self.annotations):
            items.sort(key=lambda x: x.time)
        return self

    def remove_duplicate(self, keys: tuple[str, ...] = ("time", "pitch", "duration", "velocity")) -> "Track":
        """Remove notes equal to an earlier note on all ``keys``, keeping the first; O(n log n).

        The default removes exact duplicates; ``keys=("time", "pitch")`` also removes same-pitch notes
        struck at the same tick with another length or velocity. The order of kept notes is unchanged.
        """
        n = len(self.notes)
        if n < 2:
            return self
        cols = self.notes.columns()
        order = np.lexsort([np.arange(n)] + [cols[k] for k in reversed(keys)])
        sorted_cols = [cols[k][order] for k in keys]
        same_as_previous = np.ones(n - 1, dtype=bool)
        for col in sorted_cols:
            same_as_previous &= col[1:] == col[:-1]
        keep = np.ones(n, dtype=bool)
        keep[order[1:][same_as_previous]] = False
        self.notes.keep(keep)
        return self

    def trim(self, end: int) -> "Track":
        """Drop everything that starts at or after ``end`` (ticks) and cut notes that sound past it."""
        notes = self.notes
        notes.keep(notes.time < end)
        notes.duration = np.minimum(notes.duration, end - notes.time)
        for array in (self.control_changes, self.pitch_bends):
            array.keep(array.time < end)
        self.chords = [c for c in self.chords if c.time < end]
        for chord in self.chords:
            chord.duration = min(chord.duration, end - chord.time)
        self.lyrics = [x for x in self.lyrics if x.time < end]
        self.annotations = [x for x in self.annotations if x.time < end]
        return self

    def scale_time(self, factor: float, rounding: str = "round", keep_short_notes: bool = True) -> "Track":
        """Multiply every time by ``factor`` (used by :meth:`Music.adjust_resolution`).

        Onsets and offsets are scaled and rounded separately, so notes that touched still touch. A note
        with a positive length that would shrink to zero ticks gets one tick when ``keep_short_notes``
        (so it is not lost on writing), and zero otherwise; zero-length notes stay zero.
        """
        notes = self.notes
        start = scale_ticks(notes.time, factor, rounding)
        stop = scale_ticks(notes.end, factor, rounding)
        duration = stop - start
        if keep_short_notes:
            duration = np.where((duration <= 0) & (notes.duration > 0), 1, duration)
        notes.time, notes.duration = start, np.maximum(duration, 0)
        for array in (self.control_changes, self.pitch_bends):
            array.time = scale_ticks(array.time, factor, rounding)
        for chord in self.chords:
            begin, finish = scale_ticks(chord.time, factor, rounding), scale_ticks(chord.end, factor, rounding)
            short = keep_short_notes and finish <= begin and chord.duration > 0
            chord.time, chord.duration = begin, 1 if short else max(finish - begin, 0)
        scale_item_times(self.lyrics, factor, rounding)
        scale_item_times(self.annotations, factor, rounding)
        return self

    def __repr__(self) -> str:
        parts = [f"program={self.program}", f"is_drum={self.is_drum}"]
        if self.name is not None:
            parts.append(f"name={self.name!r}")
        parts.append(f"notes=<{len(self.notes)} notes>")
        for name in ("chords", "lyrics", "annotations", "control_changes", "pitch_bends"):
            if len(getattr(self, name)):
                parts.append(f"{name}=<{len(getattr(self, name))}>")
        return f"Track({', '.join(parts)})"


def copy_through_pickle(obj: Any) -> Any:
    """Deep copy ``obj`` by a pickle round trip, or by :func:`copy.deepcopy` if part of it cannot be pickled.

    Pickling runs in C and the containers pickle their columns as single buffers, so this is about 1.5
    times as fast as ``copy.deepcopy`` for a Bach chorale (see ``benchmarks/pickling.py``). Annotations
    may hold arbitrary objects: one that cannot be pickled (a lambda, a lock) sends the whole copy
    through ``deepcopy`` instead.
    """
    try:
        return pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, TypeError, AttributeError):
        return _copy.deepcopy(obj)


def scale_item_times(items: list, factor: float, rounding: str) -> None:
    """Scale the ``time`` of every dataclass event in ``items`` in place (see :func:`scale_ticks`)."""
    for item in items:
        item.time = scale_ticks(item.time, factor, rounding)

