"""Rhythm metrics on meter-aware beats and bars: empty beats and bars, groove, drum patterns.

Beats and bars come from the piece's time signatures (:mod:`muspy_like.core.meter`): a bar of ``n/d``
lasts ``n * 4 / d`` quarters, a beat one ``1/d`` note (three of them in compound meters such as 6/8), and
4/4 applies without a time signature. MusPy instead takes every beat to be a quarter note and asks the
caller for one fixed bar length. The piece ends with its last note (drums included): the bars and beats
counted are those that start before that tick (or hold the onset of a zero-length note at the very end),
so no empty phantom unit is added after the music.
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

from muspy_like.core.music import Music
from muspy_like.metrics.notes import NoteColumns, bar_grid, beat_grid, collect_notes, notes_end

__all__ = [
    "empty_beat_rate",
    "empty_measure_rate",
    "groove_consistency",
    "drum_in_pattern_rate",
    "drum_pattern_consistency",
]

def _span(music: Music, notes: NoteColumns) -> int:
    """End of the music for counting units, in ticks: past every offset and every onset."""
    if not len(notes):
        return 0
    return max(notes_end(music), int(notes.time.max()) + 1)


#: Subdivisions of a beat that form the drum pattern of each meter kind.
_PATTERN_DIVISIONS = {"duple": 4, "triple": 3}


def _empty_rate(notes: NoteColumns, starts: np.ndarray, stops: np.ndarray) -> float:
    """Share of the units ``[starts[k], stops[k])`` in which no note sounds."""
    n_units = len(starts)
    if n_units == 0:
        return math.nan
    first = np.searchsorted(starts, notes.time, side="right") - 1
    # A note sounds in every unit that starts before its offset; a zero-length note in its onset's unit.
    last = np.maximum(np.searchsorted(starts, notes.end, side="left") - 1, first)
    coverage = np.zeros(n_units + 1, dtype=np.int64)
    np.add.at(coverage, first, 1)
    np.add.at(coverage, last + 1, -1)
    occupied = np.count_nonzero(np.cumsum(coverage)[:n_units])
    return float(1.0 - occupied / n_units)


def empty_beat_rate(music: Music) -> float:
    """Share of beats in which no note sounds (0 to 1), every track included.

    ``empty_beat_rate = #(beats where no note sounds) / #(beats)``. A note sounds in a beat
    ``[b, b')`` when it starts before ``b'`` and ends after ``b`` (a zero-length note sounds in the beat
    of its onset). Beats follow the time signatures (a dotted quarter in 6/8). The beats counted are
    those starting before the end of the last note (see the module notes). NaN for a piece without notes.
    Introduced in Pypianoroll (Dong et al., 2018, ISMIR late-breaking demos).
    """
    notes = collect_notes(music, drums=None)
    starts, stops = beat_grid(music, _span(music, notes))
    return _empty_rate(notes, starts, stops)


def empty_measure_rate(music: Music) -> float:
    """Share of bars in which no note sounds (0 to 1), every track included.

    Like :func:`empty_beat_rate` with bars (from the time signatures, 4/4 by default) instead of beats.
    NaN for a piece without notes. Used by Dong et al. (2018), "MuseGAN", AAAI.
    """
    notes = collect_notes(music, drums=None)
    starts, stops = bar_grid(music, _span(music, notes))
    return _empty_rate(notes, starts, stops)


def groove_consistency(music: Music, steps_per_quarter: Optional[int] = None) -> float:
    """One minus the mean normalized Hamming distance between the onset patterns of neighbouring bars.

    For each bar ``i`` the groove pattern ``G_i`` is the set of onset positions (every track), measured
    from the bar start on a grid of ``steps_per_quarter`` steps per quarter note (default: the piece's
    resolution, i.e. ticks). For each pair of neighbouring bars,
    ``d_i = |G_i symmetric-difference G_(i+1)| / L_i`` with ``L_i`` the larger of the two bar lengths in
    grid steps, and ``groove_consistency = 1 - mean_i d_i``. Identical bars give exactly 1. Only bars
    that start before the end of the last note take part (see the module notes); NaN with fewer than two.
    Used by Wu and Yang (2020), "The Jazz Transformer on the Front Line", ISMIR.

    Parameters
    ----------
    music : Music
        The piece.
    steps_per_quarter : int, optional
        Resolution of the onset grid, in steps per quarter note (e.g. 4 for sixteenth notes, which
        matches the 16-step bars of the Jazz Transformer paper in 4/4). Onsets are floored to the grid.
    """
    resolution = music.resolution
    steps = resolution if steps_per_quarter is None else int(steps_per_quarter)
    if steps < 1:
        raise ValueError(f"steps_per_quarter must be a positive integer, not {steps_per_quarter!r}")
    notes = collect_notes(music, drums=None)
    starts, stops = bar_grid(music, _span(music, notes))
    n_bars = len(starts)
    if n_bars < 2:
        return math.nan
    bar_steps = np.floor((stops - starts) * steps / resolution + 0.5).astype(np.int64)
    bar = np.searchsorted(starts, notes.time, side="right") - 1
    position = ((notes.time - starts[bar]) * steps) // resolution
    width = int(bar_steps.max()) + 1
    keys = np.unique(bar * width + position)
    bar_of_key = keys // width
    per_bar = np.bincount(bar_of_key, minlength=n_bars)
    shared = np.bincount(bar_of_key[np.isin(keys + width, keys)], minlength=n_bars)
    distance = per_bar[:-1] + per_bar[1:] - 2 * shared[:-1]
    pair_length = np.maximum(bar_steps[:-1], bar_steps[1:])
    return float(1.0 - np.mean(distance / pair_length))


def drum_in_pattern_rate(music: Music, meter: str) -> float:
    """Share of drum onsets that fall on the drum pattern of a duple or triple subdivision (0 to 1).

    The pattern of ``"duple"`` is the grid of quarter-beats (sixteenth notes when the beat is a
    quarter), that of ``"triple"`` the grid of third-beats (triplet eighths; plain eighths in 6/8,
    whose beat is a dotted quarter). Beats follow the time signatures. An onset is on the grid when it is
    within half a tick of a grid point. Only drum tracks count; NaN without drum notes. Used by Dong
    et al. (2018), "MuseGAN", AAAI.

    Parameters
    ----------
    music : Music
        The piece.
    meter : {"duple", "triple"}
        Which subdivision of the beat forms the pattern.
    """
    if meter not in _PATTERN_DIVISIONS:
        raise ValueError(f"meter must be 'duple' or 'triple', not {meter!r}")
    rates = _drum_rates(music, (_PATTERN_DIVISIONS[meter],))
    return rates[0]


def drum_pattern_consistency(music: Music) -> float:
    """Larger of the duple and triple :func:`drum_in_pattern_rate` (0 to 1; NaN without drum notes)."""
    rates = _drum_rates(music, tuple(_PATTERN_DIVISIONS.values()))
    return max(rates) if not math.isnan(rates[0]) else math.nan


def _drum_rates(music: Music, divisions: tuple[int, ...]) -> list[float]:
    onsets = collect_notes(music, drums=True).time
    if not len(onsets):
        return [math.nan] * len(divisions)
    starts, stops = beat_grid(music, int(onsets.max()) + 1)
    beat = np.searchsorted(starts, onsets, side="right") - 1
    offset = (onsets - starts[beat]).astype(np.float64)
    length = (stops - starts)[beat].astype(np.float64)
    rates = []
    for division in divisions:
        # Distance in ticks from the nearest grid point of ``length / division`` ticks.
        step = length / division
        error = np.abs(offset - np.round(offset / step) * step)
        rates.append(float(np.mean(error < 0.5)))
    return rates
