"""What the score readers (MusicXML and MuseScore) have in common.

Both formats describe music measure by measure, with navigation marks (repeats, volta endings, D.C.,
D.S., coda, fine), ties written as separate notes, and dynamics as markings. This module turns those into
the plain timeline of a :class:`~muspy_like.Music`:

* :class:`MeasureFlow` and :func:`play_order` -- the order in which measures are played when repeats and
  jumps are expanded;
* :func:`measure_starts` and :func:`unfold_events` -- lay measures (and the events in them) end to end on
  that order;
* :func:`merge_tied_notes` -- join a note tied to the next into one note;
* :func:`read_int`, :func:`read_decimal` and :func:`read_fraction` -- the one place where numbers read
  from score files are checked (:class:`ScoreValueError` says which element held which value), with the
  bounds :data:`MAX_RESOLUTION`, :data:`MAX_QUARTERS` and :data:`MAX_TICK`;
* :data:`DYNAMIC_VELOCITIES` and :func:`velocity_of_dynamics` -- dynamics markings and MusicXML
  ``dynamics`` percentages to MIDI velocities;
* :func:`hyphenated_syllable` and :func:`split_syllable` -- a lyric's ``<syllabic>`` kept in its text as
  MusPy keeps it (``"Tra -"``, ``"- la -"``, ``"- li"``), and read back by the writer.

Times are integer ticks throughout; a reader chooses the resolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Optional, Sequence

import numpy as np

from muspy_like.core.events import KeySignature
from muspy_like.theory import key_root

__all__ = [
    "ScoreValueError",
    "read_int",
    "read_decimal",
    "read_fraction",
    "check_resolution",
    "check_piece_length",
    "MAX_RESOLUTION",
    "MAX_QUARTERS",
    "MAX_TICK",
    "key_signature_event",
    "MeasureFlow",
    "play_order",
    "measure_starts",
    "unfold_events",
    "merge_tied_notes",
    "OPEN_TIE_POLICIES",
    "check_grace_notes",
    "check_open_ties",
    "DYNAMIC_VELOCITIES",
    "velocity_of_dynamics",
    "percent_to_velocity",
    "velocity_to_percent",
    "FORTE_VELOCITY",
    "hyphenated_syllable",
    "split_syllable",
]

#: Largest resolution (ticks per quarter note) a score may need to be read exactly. Real files need far
#: less (music21 writes 10,080 divisions; MuseScore 480 times the tuplet denominators).
MAX_RESOLUTION = 2**30
#: Longest single duration, offset or move in a score, in quarter notes (a million quarters: days of music).
MAX_QUARTERS = 2**20
#: Latest tick a piece may reach (times are stored as 64-bit integers).
MAX_TICK = 2**62
#: Longest numeral accepted, in characters (Python refuses to convert integers of more than 4,300 digits).
_MAX_DIGITS = 40


class ScoreValueError(ValueError):
    """A number read from a score file is malformed or out of range.

    The message names the element and its value (``<duration> '-4' is below 0``); the reader adds the
    file, part (or staff) and measure.
    """


def _shown(text: object) -> str:
    """A value for a message: quoted, and cut (saying how long it was) when long."""
    value = text.strip() if isinstance(text, str) else text
    shown = repr(value)
    if len(shown) <= 60:
        return shown
    return f"{shown[:40]}...' ({len(value) if isinstance(value, str) else len(shown)} characters)"


def _check_range(value, what: str, text: object, low, high):
    if low is not None and value < low:
        raise ScoreValueError(f"{what} {_shown(text)} is below {low}")
    if high is not None and value > high:
        raise ScoreValueError(f"{what} {_shown(text)} is above {high}")
    return value


def read_int(text: Optional[str], what: str, low: Optional[int] = None, high: Optional[int] = None,
             rounding: bool = False) -> int:
    """An integer read from a score file, checked.

    Parameters
    ----------
    text : str or None
        The element's text or attribute value (surrounding blanks allowed).
    what : str
        What holds it, for messages: ``"<duration>"``, ``"<time> <beats>"``, ``'len="..."'``.
    low, high : int, optional
        Inclusive bounds.
    rounding : bool, default False
        Accept a finite decimal (``"4.0"``, ``"2.5"``) and round it to the nearest integer, halves to even
        (MusicXML allows decimal divisions counts; a few encoders write them).

    Raises
    ------
    ScoreValueError
        If the text is missing, not an integer (or decimal with ``rounding``), or out of bounds.
    """
    try:
        value = int(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        if not rounding:
            _refuse_number(text, what, "an integer")
        value = round(read_decimal(text, what))
    return _check_range(value, what, text, low, high)


def read_decimal(text: Optional[str], what: str, low: Optional[float] = None,
                 high: Optional[float] = None) -> float:
    """A finite decimal number read from a score file, checked (see :func:`read_int`)."""
    if text is None or len(text) > 4 * _MAX_DIGITS:
        _refuse_number(text, what, "a number")
    try:
        value = float(text)  # type: ignore[arg-type]
    except ValueError:
        _refuse_number(text, what, "a number")
    if not math.isfinite(value):
        _refuse_number(text, what, "a finite number")
    return _check_range(value, what, text, low, high)


def read_fraction(text: Optional[str], what: str, low: Optional[Fraction] = None,
                  high: Optional[Fraction] = None) -> Fraction:
    """A fraction such as ``"3/4"`` (or an integer) read from a score file, checked (see :func:`read_int`)."""
    if text is None or len(text) > 2 * _MAX_DIGITS:
        _refuse_number(text, what, "a fraction")
    numerator, slash, denominator = text.partition("/")
    try:
        top, bottom = int(numerator), int(denominator) if slash else 1
    except ValueError:
        _refuse_number(text, what, "a fraction")
    if bottom <= 0:
        raise ScoreValueError(f"{what} {_shown(text)} has a denominator of {bottom}: expected a positive one")
    return _check_range(Fraction(top, bottom), what, text, low, high)


def _refuse_number(text: Optional[str], what: str, kind: str):
    if text is None or not text.strip():
        raise ScoreValueError(f"{what} is empty: expected {kind}")
    digits = text.strip().lstrip("+-").replace("/", "", 1)  # an integer, or a fraction's two
    if len(digits) > _MAX_DIGITS and digits.isdigit():
        raise ScoreValueError(f"{what} {_shown(text)} has {len(digits)} digits: far too large")
    raise ScoreValueError(f"{what} {_shown(text)} is not {kind}")


def check_resolution(resolution: int, what: str) -> int:
    """Refuse a resolution above :data:`MAX_RESOLUTION`; ``what`` says where it comes from."""
    if resolution > MAX_RESOLUTION:
        raise ScoreValueError(
            f"{what} need a resolution of {resolution} ticks per quarter note to be exact, above the "
            f"limit of {MAX_RESOLUTION}; the file is not a real score"
        )
    return resolution


def check_piece_length(ticks: int, resolution: int) -> int:
    """Refuse a piece whose end lies beyond :data:`MAX_TICK` (returns ``ticks``)."""
    if ticks > MAX_TICK:
        raise ScoreValueError(
            f"the measures add up to {ticks / resolution:.4g} quarter notes, more than a Music can hold "
            f"({MAX_TICK} ticks at {resolution} ticks per quarter)"
        )
    return ticks


def key_signature_event(time: int, fifths: int, mode: Optional[str]) -> KeySignature:
    """A key signature read from a score.

    Theoretical keys beyond 7 sharps or flats (MusicXML and MuseScore allow them) keep their spelled tonic
    (``"Abb"``) but store the enharmonic signature within -7..7 (11 flats -> 1 sharp), which is what
    :class:`~muspy_like.KeySignature` holds.
    """
    root, root_str = key_root(fifths, mode)
    fifths = (fifths + 7) % 12 - 7 if not -7 <= fifths <= 7 else fifths
    return KeySignature(time=time, root=root, mode=mode, fifths=fifths, root_str=root_str)


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


#: ``<syllabic>`` values after which the word goes on to the next syllable / which continue a word.
_WORD_GOES_ON = frozenset({"begin", "middle"})
_WORD_CONTINUED = frozenset({"middle", "end"})


def hyphenated_syllable(text: str, first_syllabic: Optional[str], last_syllabic: Optional[str] = None) -> str:
    """A lyric's text with its hyphenation written into it, the way MusPy stores it.

    A syllable that continues a word (``<syllabic>`` ``middle`` or ``end``) gets a leading ``"- "``, one
    whose word goes on (``begin`` or ``middle``) a trailing ``" -"``: ``"Tra -"``, ``"- la -"``, ``"- li"``;
    a whole word (``single`` or no ``<syllabic>``), and an empty text, are left alone. ``first_syllabic`` is the lyric's first
    ``<syllabic>``; ``last_syllabic`` its last one, which differs only where an ``<elision>`` joins
    syllables of two words on one note (it defaults to the first).
    """
    if not text:
        return text
    if last_syllabic is None:
        last_syllabic = first_syllabic
    if first_syllabic is not None:
        first_syllabic = first_syllabic.strip()
    if last_syllabic is not None:
        last_syllabic = last_syllabic.strip()
    if first_syllabic in _WORD_CONTINUED:
        text = "- " + text
    if last_syllabic in _WORD_GOES_ON:
        text += " -"
    return text


def split_syllable(text: str) -> tuple[str, Optional[str]]:
    """The syllable and its MusicXML ``<syllabic>`` value from a text made by :func:`hyphenated_syllable`.

    ``"Tra -"`` gives ``("Tra", "begin")``, ``"- la -"`` ``("la", "middle")``, ``"- li"`` ``("li", "end")``
    and a text with no such hyphen ``(text, None)``. A lone hyphen is a syllable, not a mark.
    """
    continued = text.startswith("- ") and len(text) > 2
    if continued:
        text = text[2:]
    goes_on = text.endswith(" -") and len(text) > 2
    if goes_on:
        text = text[:-2]
    syllabic = {(False, True): "begin", (True, True): "middle", (True, False): "end"}.get((continued, goes_on))
    return text, syllabic


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
    if len(order) == len(starts) - 1 and _is_identity(order):
        # Written order (no repeats expanded): every event is played once, where it is written.
        return np.arange(len(measure)), starts[measure] + np.asarray(offset, dtype=np.int64)
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


#: Values of the readers' ``open_ties`` keyword: what a tie start that no tie stop answers does.
OPEN_TIE_POLICIES = ("join", "keep")


def check_open_ties(open_ties: str) -> str:
    """Return ``open_ties`` if it is one of :data:`OPEN_TIE_POLICIES`; raise ValueError naming the keyword."""
    if open_ties not in OPEN_TIE_POLICIES:
        raise ValueError(f"open_ties={open_ties!r}: expected one of {', '.join(map(repr, OPEN_TIE_POLICIES))}")
    return open_ties


#: Values of the readers' ``grace_notes`` keyword (see ``docs/io-scores.md``, "Grace notes"): ``"keep"`` a
#: grace note as a note of its notated value (type and dots) where it is written, ``"zero"`` as a note of
#: zero length there (music21's reading), ``"drop"`` leave it out.
GRACE_NOTE_POLICIES = ("keep", "zero", "drop")


def check_grace_notes(grace_notes: str) -> str:
    """Return ``grace_notes`` if it is one of :data:`GRACE_NOTE_POLICIES`; raise ValueError naming the keyword."""
    if grace_notes not in GRACE_NOTE_POLICIES:
        raise ValueError(
            f"grace_notes={grace_notes!r}: expected one of {', '.join(map(repr, GRACE_NOTE_POLICIES))}"
        )
    return grace_notes


def _is_identity(order: Sequence[int]) -> bool:
    """Whether a play order is the written order 0, 1, 2, ..."""
    return len(order) == 0 or (order[0] == 0 and order[-1] == len(order) - 1 and list(order) == list(range(len(order))))


def merge_tied_notes(
    time: np.ndarray,
    pitch: np.ndarray,
    duration: np.ndarray,
    tie_start: np.ndarray,
    tie_stop: np.ndarray,
    voice: Optional[np.ndarray] = None,
    open_ties: str = "join",
) -> tuple[np.ndarray, np.ndarray]:
    """Join tied notes into one note, per note (chord members are tied one by one).

    A note marked ``tie_start`` opens a tie that waits at its end tick for a note of the same pitch:

    * a note marked ``tie_stop`` that starts there continues it, whatever its voice (ties into another
      voice or staff exist). When several ties of its pitch wait there, a tie whose latest note is in the
      stop's own voice is continued first; stops that find none take the remaining ties in the order they
      were opened;
    * with ``open_ties="join"`` (the default), a tie that no stop answers -- a "tie start and no stop" as
      many encoders write -- is continued by the note of the same pitch *and voice* that starts where the
      tied note ends, if there is one; a rest, a gap or another pitch in between leaves the tie open;
    * with ``open_ties="keep"`` such a tie leaves its note as written.

    A tie still open at the end leaves its note as written; a ``tie_stop`` that meets no open tie is a note
    of its own. A note that continues a tie and is itself marked ``tie_start`` keeps the tie open.

    Parameters
    ----------
    time, pitch, duration : numpy.ndarray
        Notes (ticks, MIDI numbers, ticks).
    tie_start, tie_stop : numpy.ndarray of bool
        Whether each note starts / ends a tie.
    voice : numpy.ndarray of int, optional
        Voice of each note (any integer code, unique within the part); default: all in one voice.
    open_ties : {"join", "keep"}
        What an unanswered tie start does (see above).

    Returns
    -------
    (numpy.ndarray of bool, numpy.ndarray of int64)
        ``keep`` (False for notes absorbed into an earlier one) and the new durations, in ticks.
    """
    check_open_ties(open_ties)
    time = np.asarray(time, dtype=np.int64)
    pitch = np.asarray(pitch, dtype=np.int64)
    duration = np.array(duration, dtype=np.int64, copy=True)
    tie_start, tie_stop = np.asarray(tie_start, dtype=bool), np.asarray(tie_stop, dtype=bool)
    voice = np.zeros(len(time), dtype=np.int64) if voice is None else np.asarray(voice, dtype=np.int64)
    keep = np.ones(len(time), dtype=bool)
    candidates = tie_start | tie_stop
    if not candidates.any():
        return keep, duration
    if open_ties == "join":
        candidates |= _starts_at_a_tie_end(time, pitch, voice, duration, tie_start)
    flagged = np.flatnonzero(candidates)
    flagged = flagged[np.lexsort((flagged, time[flagged]))]
    times = time.tolist()
    chains = _TieChains(times, pitch.tolist(), voice.tolist(), duration)
    starts, stops = tie_start.tolist(), tie_stop.tolist()
    for group in _same_time_groups(flagged.tolist(), times):
        explicit = [i for i in group if stops[i]]
        implied = [i for i in group if not stops[i]] if open_ties == "join" else []
        # Chains continued in their own voice first, so that a stop in another voice takes what is left.
        continued = {i: chains.take(i, same_voice=True) for i in explicit}
        continued.update({i: chains.take(i, same_voice=False) for i in explicit if continued[i] is None})
        continued.update({i: chains.take(i, same_voice=True) for i in implied})
        for i in group:
            head = continued.get(i)
            if head is not None:
                chains.extend(head, i)
                keep[i] = False
            if starts[i]:
                chains.open(i if head is None else head)
    return keep, duration


def _same_time_groups(indices: list[int], times: list[int]):
    """Runs of ``indices`` (sorted by time) that share a time."""
    start = 0
    for k in range(1, len(indices) + 1):
        if k == len(indices) or times[indices[k]] != times[indices[start]]:
            yield indices[start:k]
            start = k


class _TieChains:
    """Tie chains waiting for their next note, for :func:`merge_tied_notes`.

    A chain is named by its first note (its head), whose duration grows as notes join it; it waits at
    (pitch, its end tick). Chains waiting at one place are kept in the order they were opened.
    """

    def __init__(self, times: list[int], pitches: list[int], voices: list[int], duration: np.ndarray):
        self.times, self.pitches, self.voices, self.duration = times, pitches, voices, duration
        self.reached = list(voices)  # per head: the voice of the chain's latest note
        self.waiting: dict[tuple[int, int], list[int]] = {}

    def open(self, head: int) -> None:
        end = self.times[head] + int(self.duration[head])
        self.waiting.setdefault((self.pitches[head], end), []).append(head)

    def take(self, note: int, same_voice: bool) -> Optional[int]:
        """Remove and return the chain waiting for ``note`` (in its voice, or the earliest), or None."""
        queue = self.waiting.get((self.pitches[note], self.times[note]))
        if not queue:
            return None
        if not same_voice:
            return queue.pop(0)
        for k, head in enumerate(queue):
            if self.reached[head] == self.voices[note]:
                return queue.pop(k)
        return None

    def extend(self, head: int, note: int) -> None:
        self.duration[head] = self.times[note] + self.duration[note] - self.times[head]
        self.reached[head] = self.voices[note]


def _starts_at_a_tie_end(time: np.ndarray, pitch: np.ndarray, voice: np.ndarray, duration: np.ndarray,
                         tie_start: np.ndarray) -> np.ndarray:
    """Whether each note starts, in the voice and at the pitch of a tie-start note, where that note ends."""
    ends = {(int(p), int(v), int(t)) for p, v, t in
            zip(pitch[tie_start], voice[tie_start], (time + duration)[tie_start])}
    if not ends:
        return np.zeros(len(time), dtype=bool)
    end_times = np.fromiter((t for _, _, t in ends), dtype=np.int64, count=len(ends))
    maybe = np.flatnonzero(np.isin(time, end_times))
    result = np.zeros(len(time), dtype=bool)
    for i in maybe.tolist():
        result[i] = (int(pitch[i]), int(voice[i]), int(time[i])) in ends
    return result
