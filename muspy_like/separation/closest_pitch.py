"""Closest-pitch baseline: each note joins the part whose last pitch is nearest.

Notes are processed onset by onset. A note's cost for a part is the squared distance (semitones) to the
last pitch that part played. Following the paper (Dong et al., ISMIR 2021, Section 5.1), when the true
labels are passed to :meth:`~ClosestPitchSeparator.predict` they give *onset hints*: the first note of
each part is assigned to it, each part starts from the pitch of its first note, and no note goes to a part
before the part has entered. Without labels every part may take any note and starts from its mean
training pitch.

The ``mono`` variant treats each part as monophonic: a part whose last note still sounds at the onset
costs a large penalty ``M``, and the notes of one onset go to distinct parts (an optimal assignment,
solved by ``scipy.optimize.linear_sum_assignment``, instead of the paper's loop over permutations). An onset with more notes
than parts falls back to the independent choice. Equally good assignments are resolved so that voices
do not cross (the lowest note to the lowest part); the paper's exhaustive search over permutations
resolves them the same way for parts ordered from high to low, as in the chorales.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from muspy_like.separation.base import PartSeparator
from muspy_like.separation.data import DURATION, PITCH, TIME
from muspy_like.separation.features import chord_bounds, onset_hints

__all__ = ["ClosestPitchSeparator"]

#: Bonus for the part a hinted note starts (large enough to beat any pitch distance and penalty).
HINT_BONUS = 10**9
#: Cost of giving a note to a part that has not entered yet.
ENTRY_PENALTY = 10**7


class ClosestPitchSeparator(PartSeparator):
    """Assign each note to the part whose last pitch is closest (squared distance).

    Parameters
    ----------
    mono : bool, default False
        Penalise parts whose last note still sounds by ``penalty`` and assign the notes of one onset to
        distinct parts (the paper's "closest-pitch" with monophonic constraint).
    penalty : int, default 100000
        The penalty ``M`` for a sounding part, in squared semitones (larger than any pitch distance).

    Attributes
    ----------
    n_parts_ : int
        Number of parts seen in training.
    initial_pitches_ : numpy.ndarray of int64
        Mean training pitch of each part, the starting point when no onset hints are given.

    Notes
    -----
    Reads from ``labels`` (when given to ``predict``) only the index of each part's first note.
    """

    inference_params = ("mono", "penalty")

    def __init__(self, mono: bool = False, penalty: int = 100_000) -> None:
        self.mono = mono
        self.penalty = penalty

    def _fit(self, pieces: list[np.ndarray], labels: list[np.ndarray], **fit_params: Any) -> None:
        pitches = np.concatenate([notes[:, PITCH] for notes in pieces])
        parts = np.concatenate(labels)
        sums = np.bincount(parts, weights=pitches, minlength=self.n_parts_)
        counts = np.bincount(parts, minlength=self.n_parts_)
        fallback = pitches.mean()
        self.initial_pitches_ = np.rint(np.where(counts > 0, sums / np.maximum(counts, 1), fallback)).astype(
            np.int64
        )

    def _predict_piece(self, notes: np.ndarray, labels: Optional[np.ndarray]) -> np.ndarray:
        from scipy.optimize import linear_sum_assignment

        n_parts = self.n_parts_
        n = len(notes)
        predictions = np.empty(n, dtype=np.int64)
        pitches = notes[:, PITCH]
        ends = notes[:, TIME] + notes[:, DURATION]
        if labels is None:
            hints = np.full(n_parts, -1, dtype=np.int64)
            entry = np.zeros(n_parts, dtype=np.int64)
            last_pitch = self.initial_pitches_.copy()
        else:
            hints = onset_hints(labels, n_parts)
            entry = np.where(hints >= 0, hints, n)  # a part absent from the piece never enters
            last_pitch = np.where(hints >= 0, pitches[np.maximum(hints, 0)], self.initial_pitches_)
        hinted_part = np.full(n, -1, dtype=np.int64)
        hinted_part[hints[hints >= 0]] = np.flatnonzero(hints >= 0)
        sounding_until = np.zeros(n_parts, dtype=np.int64)
        bounds = chord_bounds(notes[:, TIME])
        for start, stop in zip(bounds[:-1], bounds[1:]):
            index = np.arange(start, stop)
            scores = -np.square(last_pitch[None, :] - pitches[start:stop, None])
            scores[index[:, None] < entry[None, :]] = -ENTRY_PENALTY
            hinted = hinted_part[start:stop] >= 0
            if hinted.any():
                scores[hinted] = 0
                scores[np.flatnonzero(hinted), hinted_part[start:stop][hinted]] = HINT_BONUS
            if self.mono and stop - start <= n_parts:
                sounding = sounding_until > notes[start, TIME]
                scores[~hinted] -= self.penalty * sounding[None, :]
                tie_break = _uncrossing_bonus(last_pitch, self.initial_pitches_, stop - start)
                _, chosen = linear_sum_assignment(scores + tie_break, maximize=True)
            else:
                chosen = np.argmax(scores, axis=1)
            predictions[start:stop] = chosen
            for offset, part in enumerate(chosen):
                last_pitch[part] = pitches[start + offset]
                sounding_until[part] = ends[start + offset]
        return predictions

    def _state(self) -> dict[str, Any]:
        return {"initial_pitches": self.initial_pitches_.tolist()}

    def _set_state(self, state: dict[str, Any]) -> None:
        self.initial_pitches_ = np.asarray(state["initial_pitches"], dtype=np.int64)


def _uncrossing_bonus(last_pitch: np.ndarray, mean_pitch: np.ndarray, n_notes: int) -> np.ndarray:
    """Bonuses below one, so they only break ties between equally good assignments of a chord.

    Among ties, the lowest note (chord rows are sorted by pitch) goes to the lowest part, then the next
    note to the lowest part left, and so on, so that equal costs never make voices cross. Parts are ranked
    by last pitch, then by mean training pitch.
    """
    n_parts = len(last_pitch)
    rank_from_bottom = np.empty(n_parts, dtype=np.int64)
    rank_from_bottom[np.lexsort((mean_pitch, last_pitch))] = np.arange(n_parts)
    preference = (n_parts - 1 - rank_from_bottom).astype(np.float64)
    base = float(n_parts + 1)
    weights = base ** np.arange(n_notes - 1, -1, -1, dtype=np.float64)
    return 0.5 * weights[:, None] * preference[None, :] / base**n_notes
