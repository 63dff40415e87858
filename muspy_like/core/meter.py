"""Bars and beats derived from time signatures (meter-aware, unlike MusPy's quarter-note beats).

Conventions
-----------
* Before the first time signature, and when there is none, 4/4 applies.
* A time signature starts a new bar at its own tick (as in MIDI and MusicXML), even when it falls inside
  a bar of the previous meter.
* A bar of ``n/d`` lasts ``n * 4 / d`` quarter notes.
* A beat lasts one ``1/d`` note, except in compound meters (``n`` a multiple of 3 greater than 3, ``d`` of
  8 or more: 6/8, 9/8, 12/16...), where it lasts three of them (a dotted value), unless ``compound=False``.
* Positions are returned in whole ticks, rounded half up when the resolution does not divide exactly.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from muspy_like.core.events import TimeSignature

__all__ = ["bar_ticks", "beat_ticks", "beat_length", "bar_length", "is_compound"]


def is_compound(numerator: int, denominator: int) -> bool:
    """Whether ``numerator/denominator`` is a compound meter (6/8, 9/8, 12/8, 6/16...)."""
    return numerator > 3 and numerator % 3 == 0 and denominator >= 8


def bar_length(time_signature: TimeSignature, resolution: int) -> float:
    """Length of one bar, in ticks (may be fractional)."""
    return time_signature.numerator * 4 * resolution / time_signature.denominator


def beat_length(time_signature: TimeSignature, resolution: int, compound: bool = True) -> float:
    """Length of one beat, in ticks (may be fractional); see the module notes for compound meters."""
    unit = 4 * resolution / time_signature.denominator
    if compound and is_compound(time_signature.numerator, time_signature.denominator):
        return 3 * unit
    return unit


def _segments(time_signatures: Sequence[TimeSignature], end: int) -> list[tuple[int, int, TimeSignature]]:
    """(start, stop, signature) for each stretch of constant meter that begins before ``end``."""
    signatures = sorted(time_signatures, key=lambda ts: ts.time)
    by_time: dict[int, TimeSignature] = {}
    for ts in signatures:
        by_time[int(ts.time)] = ts
    if 0 not in by_time:
        by_time[0] = TimeSignature(0, 4, 4)
    starts = sorted(t for t in by_time if t < end)
    stops = starts[1:] + [end]
    return [(a, b, by_time[a]) for a, b in zip(starts, stops)]


def _grid(time_signatures: Sequence[TimeSignature], end: int, step_of) -> np.ndarray:
    pieces = []
    for start, stop, ts in _segments(time_signatures, end):
        step = step_of(ts)
        count = int(np.ceil((stop - start) / step - 1e-9))
        pieces.append(start + np.arange(count) * step)
    if not pieces:
        return np.zeros(0, dtype=np.int64)
    return np.floor(np.concatenate(pieces) + 0.5).astype(np.int64)


def bar_ticks(time_signatures: Sequence[TimeSignature], resolution: int, end: int) -> np.ndarray:
    """Tick of every bar start (downbeat) before ``end``.

    Parameters
    ----------
    time_signatures : sequence of TimeSignature
        The piece's time signatures (any order).
    resolution : int
        Ticks per quarter note.
    end : int
        Exclusive upper bound, in ticks (usually the piece's end time).

    Returns
    -------
    numpy.ndarray of int64
        Sorted bar starts, beginning at 0.
    """
    return _grid(time_signatures, end, lambda ts: bar_length(ts, resolution))


def beat_ticks(
    time_signatures: Sequence[TimeSignature], resolution: int, end: int, compound: bool = True
) -> np.ndarray:
    """Tick of every beat before ``end`` (meter-aware; see the module notes).

    Returns
    -------
    numpy.ndarray of int64
        Sorted beat positions, beginning at 0.
    """
    return _grid(time_signatures, end, lambda ts: beat_length(ts, resolution, compound))
