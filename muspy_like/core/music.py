"""The universal container for a piece of symbolic music."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional, Union

import numpy as np

from muspy_like.compat.base import MusicShortcuts, MusPyContainer
from muspy_like.core import meter
from muspy_like.core.events import (
    Annotation,
    Barline,
    Beat,
    KeySignature,
    Lyric,
    Metadata,
    Tempo,
    TimeSignature,
)
from muspy_like.core.timing import TempoMap
from muspy_like.core.track import Track, copy_through_pickle, scale_item_times
from muspy_like.theory import transpose_fifths

__all__ = ["Music", "DEFAULT_RESOLUTION"]

DEFAULT_RESOLUTION = 24

_TIMED_LISTS = ("tempos", "key_signatures", "time_signatures", "beats", "barlines", "lyrics", "annotations")
#: Which list an appended object goes to (``music.append(tempo)``).
_LIST_OF_OBJECT = {
    Track: "tracks",
    Tempo: "tempos",
    KeySignature: "key_signatures",
    TimeSignature: "time_signatures",
    Beat: "beats",
    Barline: "barlines",
    Lyric: "lyrics",
    Annotation: "annotations",
}


@dataclass(eq=True)
class Music(MusPyContainer, MusicShortcuts):
    """A piece: global timing information and a list of tracks.

    Besides its own API, a Music has MusPy's methods (``from_dict``, ``to_ordered_dict``, ``fix_type``,
    ``remove_invalid``, ``infer_barlines``...) and shortcuts (``music.write_midi(path)``,
    ``music.to_pretty_midi()``, ``music.to_pitch_representation()``...): see ``docs/migration.md``.

    Parameters
    ----------
    metadata : Metadata
        Title, creators, source...
    resolution : int, default 24
        Ticks per quarter note; every ``time`` and ``duration`` in the piece is in these ticks.
    tempos : list of Tempo
        Tempo changes (quarter notes per minute). None means 120 qpm throughout.
    key_signatures : list of KeySignature
        Key signature changes.
    time_signatures : list of TimeSignature
        Time signature changes; none means 4/4.
    beats : list of Beat
        Explicit beats, when the source gives them (see :meth:`beat_ticks` to derive them).
    barlines : list of Barline
        Explicit barlines, when the source gives them (see :meth:`bar_ticks` to derive them).
    lyrics : list of Lyric
        Lyrics that belong to no particular track.
    annotations : list of Annotation
        Global text, markers and other annotations.
    tracks : list of Track
        The instruments.

    Examples
    --------
    >>> from muspy_like import Music, Track, Note
    >>> music = Music(resolution=24, tracks=[Track(notes=[Note(time=0, pitch=60, duration=24)])])
    >>> music.get_end_time(), music.get_real_end_time()
    (24, 0.5)
    """

    metadata: Metadata = field(default_factory=Metadata)
    resolution: int = DEFAULT_RESOLUTION
    tempos: list[Tempo] = field(default_factory=list)
    key_signatures: list[KeySignature] = field(default_factory=list)
    time_signatures: list[TimeSignature] = field(default_factory=list)
    beats: list[Beat] = field(default_factory=list)
    barlines: list[Barline] = field(default_factory=list)
    lyrics: list[Lyric] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)

    __hash__ = None  # type: ignore[assignment]  # mutable

    # -- queries -------------------------------------------------------------------------------------
    @property
    def n_notes(self) -> int:
        """Number of notes over all tracks."""
        return sum(len(track.notes) for track in self.tracks)

    def __len__(self) -> int:
        return len(self.tracks)

    def __getitem__(self, index: int) -> Track:
        return self.tracks[index]

    def __iter__(self):
        return iter(self.tracks)

    def get_end_time(self, is_sorted: bool = False) -> int:
        """Latest tick at which anything happens or ends, over all tracks and global events.

        ``is_sorted`` (MusPy's hint) is accepted and unused.
        """
        candidates = [track.get_end_time() for track in self.tracks]
        for name in _TIMED_LISTS:
            candidates.extend(item.time for item in getattr(self, name))
        return max(candidates, default=0)

    def get_real_end_time(self, is_sorted: bool = False) -> float:
        """End time in seconds, through the tempo map (``is_sorted``, MusPy's hint, is unused)."""
        return float(self.tempo_map().tick_to_second(self.get_end_time()))

    def tempo_map(self) -> TempoMap:
        """The tick <-> second map of this piece (built from ``tempos`` and ``resolution``)."""
        return TempoMap(self.tempos, self.resolution)

    def tick_to_second(self, ticks: Any) -> np.ndarray:
        """Convert ticks (scalar or array) to seconds through the tempo map (vectorized)."""
        return self.tempo_map().tick_to_second(ticks)

    def second_to_tick(self, seconds: Any, rounding: str = "round") -> np.ndarray:
        """Convert seconds (scalar or array) to ticks through the tempo map (vectorized)."""
        return self.tempo_map().second_to_tick(seconds, rounding)

    def bar_ticks(self, end: Optional[int] = None) -> np.ndarray:
        """Bar starts (ticks) derived from the time signatures, up to ``end`` (default: the end time)."""
        end = self.get_end_time() if end is None else end
        return meter.bar_ticks(self.time_signatures, self.resolution, end)

    def beat_ticks(self, end: Optional[int] = None, compound: bool = True) -> np.ndarray:
        """Beats (ticks) derived from the time signatures (meter-aware), up to ``end``."""
        end = self.get_end_time() if end is None else end
        return meter.beat_ticks(self.time_signatures, self.resolution, end, compound)

    def validate(self, attr: Optional[str] = None, recursive: bool = True) -> "Music":
        """Raise :class:`~muspy_like.errors.ValidationError` naming the first wrong value; return ``self``.

        ``attr`` checks one field only (MusPy's argument).
        """
        if attr is not None:
            return super().validate(attr, recursive)
        from muspy_like.core.validation import validate_music

        validate_music(self)
        return self

    def is_valid(self, attr: Optional[str] = None, recursive: bool = True) -> bool:
        """Whether :meth:`validate` passes."""
        from muspy_like.errors import ValidationError

        try:
            self.validate(attr, recursive)
        except (ValidationError, TypeError):
            return False
        return True

    def copy(self) -> "Music":
        """Deep copy, by a pickle round trip (faster than ``copy.deepcopy``; the same result)."""
        return copy_through_pickle(self)

    # -- processing (in place, returning self for chaining) ------------------------------------------
    def transpose(self, semitones: int) -> "Music":
        """Shift every pitch by ``semitones``; drum tracks are untouched and key signatures follow."""
        for track in self.tracks:
            track.transpose(semitones)
        for key in self.key_signatures:
            if key.root is not None:
                key.root = (key.root + semitones) % 12
                key.root_str = None
            if key.fifths is not None:
                key.fifths = transpose_fifths(key.fifths, semitones)
        return self

    def clip(self, lower: int = 0, upper: int = 127) -> "Music":
        """Clip every velocity to ``[lower, upper]``."""
        for track in self.tracks:
            track.clip(lower, upper)
        return self

    def sort(self) -> "Music":
        """Sort every list of events by time (tracks keep their order)."""
        for name in _TIMED_LISTS:
            getattr(self, name).sort(key=lambda x: x.time)
        for track in self.tracks:
            track.sort()
        return self

    def remove_duplicate(self, keys: tuple[str, ...] = ("time", "pitch", "duration", "velocity")) -> "Music":
        """Remove duplicate notes in every track (see :meth:`Track.remove_duplicate`)."""
        for track in self.tracks:
            track.remove_duplicate(keys)
        return self

    def trim(self, end: int) -> "Music":
        """Drop everything at or after ``end`` (ticks) and cut notes sounding past it."""
        for name in _TIMED_LISTS:
            setattr(self, name, [x for x in getattr(self, name) if x.time < end])
        for track in self.tracks:
            track.trim(end)
        return self

    def adjust_resolution(
        self,
        target: Optional[int] = None,
        factor: Optional[float] = None,
        rounding: str = "round",
        keep_short_notes: bool = True,
    ) -> "Music":
        """Change ``resolution`` and rescale every time and duration.

        Parameters
        ----------
        target : int, optional
            New resolution in ticks per quarter note.
        factor : float, optional
            Multiply the resolution by this instead (``target = round(resolution * factor)``).
        rounding : {"round", "floor", "ceil"}
            How scaled times become whole ticks ("round" rounds halves up).
        keep_short_notes : bool, default True
            A note whose length would round to zero ticks keeps one tick, so it survives writing;
            with ``False`` it becomes zero-length. Onsets and offsets are rounded separately, so
            adjacent notes stay adjacent. Going to a coarser grid and back is therefore lossy.
        """
        if (target is None) == (factor is None):
            raise ValueError("give exactly one of target and factor")
        if target is None:
            target = int(round(self.resolution * factor))
        if not isinstance(target, (int, np.integer)) or target <= 0:
            raise ValueError(f"target resolution must be a positive integer, got {target!r}")
        scale = target / self.resolution
        for name in _TIMED_LISTS:
            scale_item_times(getattr(self, name), scale, rounding)
        for track in self.tracks:
            track.scale_time(scale, rounding, keep_short_notes)
        self.resolution = int(target)
        return self

    def append(self, obj: Any) -> "Music":
        """Add a track, or a tempo, key or time signature, beat, barline, lyric or annotation to its list.

        Raises
        ------
        TypeError
            If a piece has no list for that kind of object.
        """
        name = _LIST_OF_OBJECT.get(type(obj)) or next(
            (field for kind, field in _LIST_OF_OBJECT.items() if isinstance(obj, kind)), None)
        if name is None:
            raise TypeError(f"a Music holds no {type(obj).__name__}; it takes {', '.join(c.__name__ for c in _LIST_OF_OBJECT)}")
        getattr(self, name).append(obj)
        return self

    def extend(self, other: Union["Music", Iterable[Any]], deepcopy: bool = False) -> "Music":
        """Add several tracks (or other objects, see :meth:`append`), or every list of another piece.

        The objects are shared unless ``deepcopy``. Another piece's times are taken as they are: both
        pieces should have the same resolution.
        """
        if isinstance(other, Music):
            for name in (*_TIMED_LISTS, "tracks"):
                items = getattr(other, name)
                getattr(self, name).extend(copy_through_pickle(items) if deepcopy else items)
            return self
        for obj in other:
            self.append(copy_through_pickle(obj) if deepcopy else obj)
        return self

    # -- I/O shortcuts (lazy, so that importing the container stays light) ---------------------------
    def write(self, path: Union[str, Path], kind: Optional[str] = None, **kwargs: Any) -> None:
        """Write to a file whose format is chosen by its extension or ``kind`` (see :func:`muspy_like.write`)."""
        import muspy_like

        muspy_like.write(path, self, kind, **kwargs)

    def save(self, path: Union[str, Path], kind: Optional[str] = None, **kwargs: Any) -> None:
        """Save losslessly as native JSON or YAML (``.json``, ``.yaml``, optionally ``.gz``; or ``kind``)."""
        import muspy_like

        muspy_like.save(path, self, kind, **kwargs)

    def __repr__(self) -> str:
        title = f"title={self.metadata.title!r}, " if self.metadata.title else ""
        return (
            f"Music({title}resolution={self.resolution}, tempos=<{len(self.tempos)}>, "
            f"time_signatures=<{len(self.time_signatures)}>, key_signatures=<{len(self.key_signatures)}>, "
            f"tracks=[{', '.join(repr(t) for t in self.tracks)}])"
        )

