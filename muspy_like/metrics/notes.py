"""Gather the notes of a piece into flat numpy columns, the input of every metric.

A metric asks for the notes it needs (pitched, drums or all) once, as one :class:`NoteColumns`, and then
works on whole arrays instead of looping over notes in Python. Inside :func:`shared_notes` (used by
:func:`~muspy_like.metrics.compute_metrics`) the columns, the piece's end and its beat and bar grids are
computed once per piece and shared by every metric.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Callable, Iterator, NamedTuple, Optional

import numpy as np

from muspy_like.core import meter
from muspy_like.core.music import Music

__all__ = ["NoteColumns", "collect_notes", "notes_end", "bar_grid", "beat_grid", "shared_notes"]

_SHARED: contextvars.ContextVar[Optional[dict]] = contextvars.ContextVar("muspy_like_shared_notes", default=None)


@contextlib.contextmanager
def shared_notes() -> Iterator[None]:
    """Compute each piece's note columns and grids once within the block, and reuse them.

    The pieces must not be modified inside the block (the cached arrays would be stale). The cached
    arrays are shared: metrics treat them as read-only.
    """
    if _SHARED.get() is not None:  # nested: keep sharing the outer block's cache
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _shared(key: tuple, compute: Callable[[], Any]) -> Any:
    cache = _SHARED.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


class NoteColumns(NamedTuple):
    """The notes of several tracks, concatenated (not sorted).

    Attributes
    ----------
    time : numpy.ndarray of int64
        Onsets, in ticks.
    pitch : numpy.ndarray of int64
        MIDI note numbers.
    duration : numpy.ndarray of int64
        Lengths, in ticks.
    velocity : numpy.ndarray of int64
        MIDI velocities.
    """

    time: np.ndarray
    pitch: np.ndarray
    duration: np.ndarray
    velocity: np.ndarray

    def __len__(self) -> int:  # type: ignore[override]  # the number of notes, not of columns
        return len(self.time)

    @property
    def end(self) -> np.ndarray:
        """Offsets, ``time + duration``, in ticks."""
        return self.time + self.duration


def collect_notes(music: Music, drums: bool | None = False) -> NoteColumns:
    """Concatenate the note columns of the selected tracks.

    Parameters
    ----------
    music : Music
        The piece.
    drums : bool or None, default False
        ``False``: pitched tracks only; ``True``: drum tracks only; ``None``: every track.
    """
    return _shared(("notes", id(music), drums), lambda: _concatenate(music, drums))


def _concatenate(music: Music, drums: bool | None) -> NoteColumns:
    tracks = [t for t in music.tracks if drums is None or bool(t.is_drum) == drums]
    columns = [t.notes.columns() for t in tracks if len(t.notes)]
    if not columns:
        empty = np.zeros(0, dtype=np.int64)
        return NoteColumns(empty, empty, empty, empty)
    if len(columns) == 1:
        c = columns[0]
        return NoteColumns(*(c[name].astype(np.int64) for name in NoteColumns._fields))
    return NoteColumns(*(np.concatenate([c[name] for c in columns]).astype(np.int64) for name in NoteColumns._fields))


def notes_end(music: Music) -> int:
    """Offset of the last note over every track (drums included), in ticks; 0 without notes.

    The metrics measure a piece's length by its notes, not by trailing meta events.
    """
    def compute() -> int:
        ends = [int(t.notes.end.max()) for t in music.tracks if len(t.notes)]
        return max(ends, default=0)

    return _shared(("end", id(music)), compute)


def _grid(music: Music, end: int, positions) -> tuple[np.ndarray, np.ndarray]:
    # Compute one unit past ``end`` so that the last unit has a known stop (a bar is never shorter
    # than a beat, so adding the longest bar is enough).
    longest = max([meter.bar_length(ts, music.resolution) for ts in music.time_signatures] + [4.0 * music.resolution])
    ticks = positions(int(end + np.ceil(longest) + 1))
    n = int(np.searchsorted(ticks, end, side="left"))
    return ticks[:n], ticks[1 : n + 1]


def beat_grid(music: Music, end: int, compound: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop (ticks) of every beat that starts before ``end`` (meter-aware, see core.meter)."""
    return _shared(
        ("beats", id(music), end, compound),
        lambda: _grid(music, end, lambda stop: meter.beat_ticks(music.time_signatures, music.resolution, stop, compound)),
    )


def bar_grid(music: Music, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop (ticks) of every bar that starts before ``end`` (from the time signatures)."""
    return _shared(
        ("bars", id(music), end),
        lambda: _grid(music, end, lambda stop: meter.bar_ticks(music.time_signatures, music.resolution, stop)),
    )
