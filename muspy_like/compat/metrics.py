"""MusPy's signatures for the two metrics whose second argument differs from ours.

MusPy's ``empty_measure_rate(music, measure_resolution)`` and ``groove_consistency(music,
measure_resolution)`` take a fixed bar length in ticks; ours (:mod:`muspy_like.metrics`) take bars from the
time signatures, and our ``groove_consistency``'s second argument is a grid in steps per quarter note. A
ported call with a positional bar length would silently mean something else, so the top-level names take
MusPy's arguments: with ``measure_resolution`` the bars are that many ticks long, without it they follow
the time signatures. Everything else is our (corrected) definition, see ``docs/metrics-vs-muspy.md``.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

from muspy_like.core.events import TimeSignature
from muspy_like.core.music import Music

__all__ = ["empty_measure_rate", "groove_consistency"]


def _fixed_bars(music: Music, measure_resolution: Optional[int]) -> Music:
    """A shallow copy of ``music`` whose bars are ``measure_resolution`` ticks long (no copy without it)."""
    if measure_resolution is None:
        return music
    if int(measure_resolution) != measure_resolution or measure_resolution <= 0:
        raise ValueError(f"measure_resolution must be a positive number of ticks, not {measure_resolution!r}")
    # A bar of n/d lasts n * 4 * resolution / d ticks: this meter is used only to lay the bar grid.
    meter = TimeSignature(0, int(measure_resolution), 4 * music.resolution)
    return dataclasses.replace(music, time_signatures=[meter])


def empty_measure_rate(music: Music, measure_resolution: Optional[int] = None) -> float:
    """Share of bars in which no note sounds; bars of ``measure_resolution`` ticks, or from the meter."""
    from muspy_like.metrics import empty_measure_rate as rate

    return rate(_fixed_bars(music, measure_resolution))


def groove_consistency(music: Music, measure_resolution: Optional[int] = None) -> float:
    """One minus the mean Hamming distance of neighbouring bars' onset patterns, on the tick grid.

    Bars are ``measure_resolution`` ticks long (MusPy's argument) or follow the time signatures.
    """
    from muspy_like.metrics import groove_consistency as consistency

    return consistency(_fixed_bars(music, measure_resolution))
