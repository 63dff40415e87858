"""What the score readers (MusicXML and MuseScore) have in common.

Both formats describe music measure by measure, with navigation marks (repeats, volta endings, D.C.,
D.S., coda, fine), ties written as separate notes, and dynamics as markings. This module turns those into
the plain timeline of a :class:`~muspy_like.Music`:

* :class:`MeasureFlow` and :func:`play_order` -- the order in which measures are played when repeats and
  jumps are expanded;
* :func:`measure_starts` and :func:`unfold_events` -- lay measures (and the events in them) end to end on
  that order;
* :func:`merge_tied_notes` -- join a note tied to the next into one note;
* :data:`DYNAMIC_VELOCITIES` and :func:`velocity_of_dynamics` -- dynamics markings and MusicXML
  ``dynamics`` percentages to MIDI velocities.

Times are integer ticks throughout; a reader chooses the resolution.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np

__all__ = [
    "MeasureFlow",
    "play_order",
    "measure_starts",
    "unfold_events",
    "merge_tied_notes",
    "DYNAMIC_VELOCITIES",
    "velocity_of_dynamics",
    "percent_to_velocity",
    "velocity_to_percent",
    "FORTE_VELOCITY",
]

#: MIDI velocity of a dynamics marking. The spacing (about 16 per step, mf = 80) follows the usual
#: notation-software defaults (MuseScore, Finale); ``sf``-type accents count as forte.
DYNAMIC_VELOCITIES: dict[str, int] = {
    "pppppp": 1,
    "ppppp": 5,
    "pppp": 10,
    "ppp": 16,
    "pp": 33,
    "p": 49,
    "mp": 64,
    "mf": 80,
    "f": 96,
    "ff": 112,
    "fff": 126,
    "ffff": 127,
    "fffff": 127,
    "ffffff": 127,
    "fp": 96,
    "sf": 112,
    "sfz": 112,
    "sffz": 126,
    "sfp": 112,
    "sfpp": 112,
    "fz": 112,
    "rf": 112,
    "rfz": 112,
    "pf": 49,
    "sfzp": 112,
    "n": 1,
}

#: Velocity of a MusicXML ``dynamics`` percentage of 100 (the specification's default forte is 90).
FORTE_VELOCITY = 90


def velocity_of_dynamics(marking: str) -> Optional[int]:
    """MIDI velocity (1-127) of a dynamics marking such as ``"mf"``, or None if unknown."""
    return DYNAMIC_VELOCITIES.get(marking.strip().lower())


def percent_to_velocity(percent: float) -> int:
    """MusicXML ``dynamics`` (percentage of the forte velocity 90) to a MIDI velocity, clipped to 0-127."""
    return int(min(max(round(percent * FORTE_VELOCITY / 100.0), 0), 127))


def velocity_to_percent(velocity: int) -> str:
    """A MIDI velocity as a MusicXML ``dynamics`` percentage that :func:`percent_to_velocity` maps back."""
    return f"{velocity * 100.0 / FORTE_VELOCITY:.4f}".rstrip("0").rstrip(".")


@dataclass
class MeasureFlow:
    """Navigation marks of one measure, as both score formats write them.

    Parameters
    ----------
    repeat_start : bool
        A forward repeat barline at the start of the measure.
    repeat_times : int
        A backward repeat barline at the end: the repeated section is played this many times in all
        (0: no backward repeat).
    endings : frozenset of int
        Volta ending numbers the measure belongs to (empty: not in an ending).
    segno, coda : bool
        The measure carries the segno sign / starts the coda.
    to_coda, fine : bool
        After a D.C. or D.S. jump, jump to the coda / stop at the end of this measure.
    da_capo, dal_segno : bool
        At the end of this measure, jump to the start of the piece / to the segno (once).
    """

    repeat_start: bool = False
    repeat_times: int = 0
    endings: frozenset = field(default_factory=frozenset)
    segno: bool = False
    coda: bool = False
    to_coda: bool = False
    fine: bool = False
    da_capo: bool = False
    dal_segno: bool = False


def _ending_group_max(flows: Sequence[MeasureFlow]) -> list[int]:
    """For each measure in an ending, the largest ending number of its run of consecutive ending measures."""
    result = [0] * len(flows)
    i = 0
    while i < len(flows):
        if not flows[i].endings:
            i += 1
            continue
        j = i
        while j < len(flows) and flows[j].endings:
            j += 1
        top = max(max(f.endings) for f in flows[i:j])
        result[i:j] = [top] * (j - i)
        i = j
    return result


def play_order(flows: Sequence[MeasureFlow]) -> list[int]:
    """Indices of the measures in the order they are played, repeats and jumps expanded.

    Conventions (those of common practice and of MusPy's and music21's expanders):

    * a backward repeat goes back to the last forward repeat, or to the measure after the previous
      completed repeat, or to the start; it is taken ``repeat_times - 1`` times;
    * a measure in a volta ending is played only on the passes its numbers list; when the pass number
      is above every ending of the group, the highest ending is played;
    * D.C. and D.S. are taken once; after the jump, repeats are not taken again (the last ending of
      each group is played), "To Coda" jumps to the coda and fine stops.

    Parameters
    ----------
    flows : sequence of MeasureFlow
        One per measure, in written order.

    Returns
    -------
    list of int
        Measure indices; each may appear several times.
    """
    n = len(flows)
    group_max = _ending_group_max(flows)
    segno = next((i for i, f in enumerate(flows) if f.segno), 0)
    coda = next((i for i, f in enumerate(flows) if f.coda), None)
    order: list[int] = []
    section_start, passage, completed = 0, 1, False
    jumped, returning = False, False
    limit = 50 * n + 1000
    i = 0
    while i < n:
        if len(order) > limit:
            raise ValueError("repeat structure does not terminate")
        flow = flows[i]
        if flow.repeat_start and not returning and not jumped:
            section_start, passage, completed = i, 1, False
        returning = False
        if flow.endings:
            wanted = passage in flow.endings or (passage > group_max[i] and group_max[i] in flow.endings)
            if not wanted:
                completed = completed or bool(flow.repeat_times)
                i += 1
                continue
        elif completed and not jumped:
            section_start, passage, completed = i, 1, False
        order.append(i)
        if jumped and flow.fine:
            break
        if jumped and flow.to_coda and coda is not None and coda > i:
            i = coda
            continue
        if flow.repeat_times and not jumped:
            if passage < flow.repeat_times:
                passage += 1
                i, returning = section_start, True
                continue
            completed = True
        if (flow.da_capo or flow.dal_segno) and not jumped:
            jumped, passage = True, 1_000_000
            i = 0 if flow.da_capo else segno
            returning = True
            continue
        i += 1
    return order


def measure_starts(lengths: Sequence[int], order: Optional[Sequence[int]] = None) -> np.ndarray:
    """Start tick of each played measure when measures of the given lengths are laid end to end.

    Parameters
    ----------
    lengths : sequence of int
        Length of each written measure, in ticks.
    order : sequence of int, optional
        Play order (see :func:`play_order`); default: written order.

    Returns
    -------
    numpy.ndarray of int64
        ``len(order) + 1`` values: the start of each played measure, then the end of the last.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    played = lengths if order is None else lengths[np.asarray(order, dtype=np.int64)]
    return np.concatenate([[0], np.cumsum(played)]).astype(np.int64)


def unfold_events(measure: np.ndarray, offset: np.ndarray, order: Sequence[int], starts: np.ndarray):
    """Copy events to every played instance of their measure.

    Parameters
    ----------
    measure : numpy.ndarray of int
        Written measure index of each event.
    offset : numpy.ndarray of int
        Position of each event inside its measure, in ticks.
    order : sequence of int
        Play order of the measures.
    starts : numpy.ndarray of int
        Start tick of each played measure (from :func:`measure_starts`).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``source`` (index of the original event of each output event) and ``time`` (its tick), in play
        order.
    """
    measure = np.asarray(measure, dtype=np.int64)
    by_measure = np.argsort(measure, kind="stable")
    sorted_measures = measure[by_measure]
    order = np.asarray(order, dtype=np.int64)
    first = np.searchsorted(sorted_measures, order, side="left")
    last = np.searchsorted(sorted_measures, order, side="right")
    counts = last - first
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    instance = np.repeat(np.arange(len(order)), counts)
    within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    source = by_measure[np.repeat(first, counts) + within]
    time = starts[instance] + np.asarray(offset, dtype=np.int64)[source]
    return source, time


def merge_tied_notes(
    time: np.ndarray,
    pitch: np.ndarray,
    duration: np.ndarray,
    tie_start: np.ndarray,
    tie_stop: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Join tied notes: a note that ends a tie extends the open tied note of the same pitch ending where it starts.

    A tie is open from a note marked ``tie_start`` until a note of the same pitch marked ``tie_stop`` starts
    exactly at its end. A tie that is never closed (a "not ended" tie) leaves its note as written; a
    ``tie_stop`` that matches no open tie is kept as a note of its own.

    Parameters
    ----------
    time, pitch, duration : numpy.ndarray
        Notes (ticks, MIDI numbers, ticks).
    tie_start, tie_stop : numpy.ndarray of bool
        Whether each note starts / ends a tie.

    Returns
    -------
    (numpy.ndarray of bool, numpy.ndarray of int64)
        ``keep`` (False for notes absorbed into an earlier one) and the new durations, in ticks.
    """
    duration = np.array(duration, dtype=np.int64, copy=True)
    keep = np.ones(len(time), dtype=bool)
    flagged = np.flatnonzero(np.asarray(tie_start) | np.asarray(tie_stop))
    if len(flagged) == 0:
        return keep, duration
    flagged = flagged[np.lexsort((flagged, np.asarray(time)[flagged]))]
    # Several tied notes of one pitch may end at the same tick (overlapping notes from MIDI, unisons in
    # two voices): they wait in arrival order, so each stop continues a different one.
    open_heads: dict[tuple[int, int], list[int]] = {}
    times, pitches = np.asarray(time).tolist(), np.asarray(pitch).tolist()
    starts_tie, stops_tie = np.asarray(tie_start).tolist(), np.asarray(tie_stop).tolist()
    for i in flagged.tolist():
        waiting = open_heads.get((pitches[i], times[i])) if stops_tie[i] else None
        if waiting:
            head = waiting.pop(0)
            duration[head] = times[i] + duration[i] - times[head]
            keep[i] = False
        else:
            head = i
        if starts_tie[i]:
            open_heads.setdefault((pitches[i], times[head] + int(duration[head])), []).append(head)
    return keep, duration
