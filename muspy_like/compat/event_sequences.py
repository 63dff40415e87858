"""MusPy's event-sequence objects (``muspy.outputs.event``): token codes with their names.

An :class:`EventSequence` holds a list of integer codes and an :class:`Indexer` (name <-> code); it
compares equal to a plain list of codes. The codes come from
:func:`muspy_like.compat.representations.to_event_representation` (MusPy's layout and order), so the
sequences and the arrays always agree. Unlike MusPy, ``resolution=`` rescales a copy, never the piece
given.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Optional

from muspy_like.core.music import Music

__all__ = [
    "Indexer",
    "EventSequence",
    "DefaultEventSequence",
    "PerformanceEventSequence",
    "get_default_indexer",
    "get_performance_indexer",
    "to_default_event_sequence",
    "to_performance_event_sequence",
]


class Indexer(dict):
    """Event name -> code, with ``inverse`` (code -> name), like the two-way mapping MusPy uses."""

    @property
    def inverse(self) -> dict[int, str]:
        return {code: name for name, code in self.items()}


def _indexer(velocity: bool) -> Indexer:
    names = [f"note_on_{p}" for p in range(128)] + [f"note_off_{p}" for p in range(128)]
    names += [f"time_shift_{k}" for k in range(1, 101)]
    if velocity:
        names += [f"velocity_{b}" for b in range(32)]
    return Indexer((name, code) for code, name in enumerate(names))


def get_default_indexer() -> Indexer:
    """Names of MusPy's default event vocabulary: note-on, note-off, time shift 1-100."""
    return _indexer(velocity=False)


def get_performance_indexer() -> Indexer:
    """Names of MusPy's performance vocabulary: the default one plus 32 velocity bins."""
    return _indexer(velocity=True)


class EventSequence:
    """A list of event codes with the names of their vocabulary.

    Parameters
    ----------
    codes : list of int, optional
        The codes.
    indexer : Indexer, optional
        Name -> code.
    """

    def __init__(self, codes: Optional[list[int]] = None, indexer: Optional[Indexer] = None) -> None:
        self.codes = list(codes) if codes is not None else []
        self.indexer = indexer if indexer is not None else Indexer()

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[int]:
        return iter(self.codes)

    def __getitem__(self, key: Any) -> Any:
        return self.codes[key]

    def __setitem__(self, key: int, value: int) -> None:
        self.codes[key] = value

    def __delitem__(self, key: int) -> None:
        del self.codes[key]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EventSequence):
            return self.codes == other.codes
        return self.codes == other

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.codes!r})"

    @property
    def events(self) -> list[str]:
        """The codes as event names."""
        inverse = self.indexer.inverse
        return [inverse[code] for code in self.codes]

    def get_event(self, index: int) -> str:
        """Name of the event at ``index``."""
        return self.to_event(self.codes[index])

    def to_event(self, code: int) -> str:
        """Name of a code."""
        return self.indexer.inverse[code]

    def to_code(self, event: str) -> int:
        """Code of a name."""
        return self.indexer[event]

    def append(self, code: int) -> None:
        self.codes.append(code)

    def extend(self, codes: Iterable[int]) -> None:
        self.codes.extend(codes)

    def append_event(self, event: str) -> None:
        self.codes.append(self.to_code(event))

    def extend_events(self, events: Iterable[str]) -> None:
        self.codes.extend(self.to_code(event) for event in events)


class DefaultEventSequence(EventSequence):
    """Note-on, note-off and time-shift events (MusPy's default vocabulary)."""

    def __init__(self, codes: Optional[list[int]] = None, indexer: Optional[Indexer] = None) -> None:
        super().__init__(codes, indexer if indexer is not None else get_default_indexer())


class PerformanceEventSequence(EventSequence):
    """The default events plus a velocity event before every note-on."""

    def __init__(self, codes: Optional[list[int]] = None, indexer: Optional[Indexer] = None) -> None:
        super().__init__(codes, indexer if indexer is not None else get_performance_indexer())


def _on_grid(music: Music, resolution: Optional[int]) -> Music:
    return music if resolution is None else music.copy().adjust_resolution(resolution)


def to_default_event_sequence(music: Music, resolution: Optional[int] = None) -> DefaultEventSequence:
    """The piece as a :class:`DefaultEventSequence` (every track merged; ``resolution`` rescales a copy)."""
    from muspy_like.compat.representations import to_event_representation

    codes = to_event_representation(_on_grid(music, resolution)).ravel().tolist()
    return DefaultEventSequence(codes)


def to_performance_event_sequence(music: Music, resolution: Optional[int] = None) -> PerformanceEventSequence:
    """The piece as a :class:`PerformanceEventSequence` (velocity in 32 bins before every note-on)."""
    from muspy_like.compat.representations import to_event_representation

    codes = to_event_representation(_on_grid(music, resolution), encode_velocity=True).ravel().tolist()
    return PerformanceEventSequence(codes)
