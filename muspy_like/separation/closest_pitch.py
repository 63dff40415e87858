"""Closest-pitch baseline: each note joins the part whose last pitch is nearest.

Notes are processed onset by onset. A note's cost for a part is the squared distance (semitones) to the
last pitch that part played. Following the paper (Dong et al., ISMIR 2021, Section 5.1), when the true
labels are passed to :meth:`~ClosestPitchSeparator.predict` as ``hints`` they give *onset hints*: the first note of
each part is assigned to it, each part starts from the pitch of its first note, and no note goes to a part
before the part has entered. Without labels every part may take any note and starts from its mean
training pitch.

The ``mono`` variant treats each part as monophonic: a part whose last note still sounds at the onset
costs a large penalty ``M``, and the notes of one onset go to distinct parts (an optimal assignment,
solved by ``scipy.optimize.linear_sum_assignment``, instead of the paper's loop over permutations). An
onset with more notes than parts falls back to the independent choice.

Equally good assignments (frequent: two parts that last sang the same pitch) are resolved in one of two
ways (``tie_break``):

* ``"uncross"`` (default): voices do not cross; the lowest note goes to the lowest part, parts ranked by
  their last pitch (then by mean training pitch).
* ``"index"``: the rule of the paper's released code, whose loop over permutations keeps the
  lexicographically last of the best ones: the lowest note goes to the part with the highest index, then
  the next note to the highest index left, and so on. With parts numbered from high to low (soprano 0 to
  bass 3) the lowest note goes to the lowest voice left, whatever the parts last sang.

Both follow the same optimum; they differ only among exact ties, which cascade (a wrong choice makes the
parts follow each other's lines), so the choice moves the Bach score by about a point (see
``docs/separation.md``).
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

import numpy as np

from muspy_like.errors import SeparationError
from muspy_like.extras import require
from muspy_like.separation.base import PartSeparator
from muspy_like.separation.data import DURATION, PITCH, TIME
from muspy_like.separation.features import chord_bounds, onset_hints

__all__ = ["ClosestPitchSeparator"]

#: Bonus for the part a hinted note starts (large enough to beat any pitch distance and penalty).
HINT_BONUS = 10**9
#: Cost of giving a note to a part that has not entered yet.
ENTRY_PENALTY = 10**7
_TIE_BREAKS = ("uncross", "index")


class ClosestPitchSeparator(PartSeparator):
    """Assign each note to the part whose last pitch is closest (squared distance).

    Parameters
    ----------
    mono : bool, default False
        Penalise parts whose last note still sounds by ``penalty`` and assign the notes of one onset to
        distinct parts (the paper's "closest-pitch" with monophonic constraint).
    penalty : int, default 100000
        The penalty ``M`` for a sounding part, in squared semitones (larger than any pitch distance).
    tie_break : {"uncross", "index"}, default "uncross"
        How equally good assignments of one onset's notes are resolved (mono only): voices that do not
        cross, or the paper's released rule (lowest note to the highest part index). See the module notes.

    Attributes
    ----------
    n_parts_ : int
        Number of parts seen in training.
    initial_pitches_ : numpy.ndarray of int64
        Mean training pitch of each part, the starting point when no onset hints are given.

    Notes
    -----
    Reads from ``hints`` (the true labels, when given to ``predict``) only the index of each part's first
    note.
    """

    inference_params = ("mono", "penalty", "tie_break")

    def __init__(self, mono: bool = False, penalty: int = 100_000, tie_break: str = "uncross") -> None:
        self.mono = mono
        self.penalty = penalty
        self.tie_break = tie_break

    def _fit(self, pieces: list[np.ndarray], labels: list[np.ndarray], **fit_params: Any) -> None:
        sums = np.zeros(self.n_parts_)
        counts = np.zeros(self.n_parts_, dtype=np.int64)
        for notes, parts in zip(pieces, labels):  # piece by piece: no copy of the whole training set
            sums += np.bincount(parts, weights=notes[:, PITCH], minlength=self.n_parts_)
            counts += np.bincount(parts, minlength=self.n_parts_)
        fallback = sums.sum() / max(int(counts.sum()), 1)
        self.initial_pitches_ = np.rint(np.where(counts > 0, sums / np.maximum(counts, 1), fallback)).astype(
            np.int64
        )

    def _predict_piece(self, notes: np.ndarray, hints: Optional[np.ndarray]) -> np.ndarray:
        if self.tie_break not in _TIE_BREAKS:
            raise SeparationError(f"tie_break must be one of {_TIE_BREAKS}, not {self.tie_break!r}")
        state = self._initial_state(notes, hints)
        predictions = np.empty(len(notes), dtype=np.int64)
        bounds = chord_bounds(notes[:, TIME])
        for start, stop in zip(bounds[:-1], bounds[1:]):
            chosen = self._assign_chord(notes, start, stop, state)
            predictions[start:stop] = chosen
            for row, part in zip(range(start, stop), chosen):  # in pitch order: the highest note wins a part
                state.last_pitch[part] = notes[row, PITCH]
                state.sounding_until[part] = notes[row, TIME] + notes[row, DURATION]
        return predictions

    def _initial_state(self, notes: np.ndarray, hints: Optional[np.ndarray]) -> "_Voices":
        """Where each part starts: its first note's pitch and index with onset hints, else its mean pitch."""
        n_parts, n = self.n_parts_, len(notes)
        if hints is None:
            first_notes = np.full(n_parts, -1, dtype=np.int64)
            entry = np.zeros(n_parts, dtype=np.int64)
            last_pitch = self.initial_pitches_.copy()
        else:
            first_notes = onset_hints(hints, n_parts)
            entry = np.where(first_notes >= 0, first_notes, n)  # a part absent from the piece never enters
            last_pitch = np.where(first_notes >= 0, notes[np.maximum(first_notes, 0), PITCH], self.initial_pitches_)
        hinted_part = np.full(n, -1, dtype=np.int64)
        hinted_part[first_notes[first_notes >= 0]] = np.flatnonzero(first_notes >= 0)
        return _Voices(last_pitch.astype(np.int64), np.zeros(n_parts, dtype=np.int64), entry, hinted_part)

    def _assign_chord(self, notes: np.ndarray, start: int, stop: int, state: "_Voices") -> np.ndarray:
        """The part of each note of the onset ``notes[start:stop]`` (sorted by pitch)."""
        index = np.arange(start, stop)
        scores = -np.square(state.last_pitch[None, :] - notes[start:stop, PITCH, None])
        scores[index[:, None] < state.entry[None, :]] = -ENTRY_PENALTY
        hinted = state.hinted_part[start:stop] >= 0
        if hinted.any():
            scores[hinted] = 0
            scores[np.flatnonzero(hinted), state.hinted_part[start:stop][hinted]] = HINT_BONUS
        if not self.mono or stop - start > self.n_parts_:
            return np.argmax(scores, axis=1)
        linear_sum_assignment = require("scipy.optimize", "separation", "the mono closest-pitch separator").linear_sum_assignment

        sounding = state.sounding_until > notes[start, TIME]
        scores[~hinted] -= self.penalty * sounding[None, :]
        preference = self._tie_preference(state.last_pitch)
        _, chosen = linear_sum_assignment(scores + _tie_bonus(preference, stop - start), maximize=True)
        return chosen

    def _tie_preference(self, last_pitch: np.ndarray) -> np.ndarray:
        """Rank of each part (0 = wanted first) for the lowest note of a chord when costs tie."""
        n_parts = len(last_pitch)
        if self.tie_break == "index":
            return n_parts - 1 - np.arange(n_parts)
        rank_from_bottom = np.empty(n_parts, dtype=np.int64)
        rank_from_bottom[np.lexsort((self.initial_pitches_, last_pitch))] = np.arange(n_parts)
        return rank_from_bottom

    def _state(self) -> dict[str, Any]:
        return {"initial_pitches": self.initial_pitches_.tolist()}

    def _set_state(self, state: dict[str, Any]) -> None:
        self.initial_pitches_ = np.asarray(state["initial_pitches"], dtype=np.int64)


class _Voices(NamedTuple):
    """The state of every part while a piece is walked onset by onset (arrays updated in place)."""

    last_pitch: np.ndarray  # pitch of each part's latest note
    sounding_until: np.ndarray  # offset (ticks) of each part's latest note
    entry: np.ndarray  # index of the note before which a part may take no note
    hinted_part: np.ndarray  # per note: the part it starts (onset hint), else -1


def _tie_bonus(preference: np.ndarray, n_notes: int) -> np.ndarray:
    """Bonuses below one, so they only break ties between equally good assignments of a chord.

    Among ties, the lowest note (chord rows are sorted by pitch) gets the part of lowest ``preference``,
    the next note the best part left, and so on: the bonuses are the digits of a number in base
    ``n_parts + 1``, most significant for the lowest note, so this order is lexicographic.
    """
    n_parts = len(preference)
    base = float(n_parts + 1)
    weights = base ** np.arange(n_notes - 1, -1, -1, dtype=np.float64)
    return 0.5 * weights[:, None] * (n_parts - 1 - preference)[None, :].astype(np.float64) / base**n_notes
