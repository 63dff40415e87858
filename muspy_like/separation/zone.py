"""Zone-based baseline: each part owns a fixed pitch range.

The pitch axis is cut into one contiguous zone per part, the highest zone going to the part that sounds
highest on average. The boundaries are the ones that label the most training notes correctly; the oracle
variant chooses them on each test piece from its own labels, giving the best any fixed zoning can do on
that piece (Dong et al., ISMIR 2021, Section 5.1).

The paper enumerates every non-increasing boundary tuple. The same optimum is found here exactly by
dynamic programming over cumulative pitch histograms: for 4 parts and 128 pitches that is 3 matrix
maximisations of 129 x 129 instead of ~350,000 candidate tuples.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from muspy_like.separation.base import PartSeparator
from muspy_like.separation.data import PITCH

__all__ = ["ZoneSeparator", "pitch_counts", "optimal_boundaries"]

N_PITCHES = 128


def pitch_counts(notes: np.ndarray, labels: np.ndarray, n_parts: int) -> np.ndarray:
    """Histogram of pitches per part, shape ``(n_parts, 128)``."""
    flat = labels.astype(np.int64) * N_PITCHES + notes[:, PITCH]
    return np.bincount(flat, minlength=n_parts * N_PITCHES).reshape(n_parts, N_PITCHES)


def optimal_boundaries(counts: np.ndarray) -> tuple[np.ndarray, int]:
    """Zone boundaries that maximise the number of notes inside their own part's zone.

    Parameters
    ----------
    counts : numpy.ndarray, shape (n_zones, 128)
        Pitch histogram of the part given each zone, from the highest zone to the lowest.

    Returns
    -------
    boundaries : numpy.ndarray of int64, shape (n_zones + 1,)
        Non-increasing, from 128 down to 0: zone ``k`` holds the pitches ``boundaries[k + 1] <= p <
        boundaries[k]`` (it may be empty). Among equally good boundaries, the lowest ones are chosen.
    score : int
        Number of notes that fall in their own zone.
    """
    n_zones = len(counts)
    cumulative = np.concatenate([np.zeros((n_zones, 1), np.int64), np.cumsum(counts, axis=1)], axis=1)
    levels = np.arange(N_PITCHES + 1)
    allowed = levels[None, :] <= levels[:, None]  # [upper, lower]: lower <= upper
    # best[u]: most notes placed right by the zones k..n-1 when zone k's top is u (exclusive).
    best = cumulative[-1] - cumulative[-1, 0]
    choices = []
    for k in range(n_zones - 2, -1, -1):
        gain = cumulative[k][:, None] - cumulative[k][None, :] + best[None, :]
        gain = np.where(allowed, gain, np.iinfo(np.int64).min)
        choice = np.argmax(gain, axis=1)
        choices.append(choice)
        best = gain[levels, choice]
    boundaries = [N_PITCHES]
    for choice in reversed(choices):
        boundaries.append(int(choice[boundaries[-1]]))
    boundaries.append(0)
    return np.array(boundaries, dtype=np.int64), int(best[N_PITCHES])


def _predict_with(pitches: np.ndarray, boundaries: np.ndarray, order: np.ndarray) -> np.ndarray:
    # Zone k is [boundaries[k+1], boundaries[k]); searchsorted on the ascending inner boundaries.
    inner = boundaries[1:-1][::-1]
    zone_from_bottom = np.searchsorted(inner, pitches, side="right")
    return order[len(order) - 1 - zone_from_bottom]


class ZoneSeparator(PartSeparator):
    """Assign each note to the part whose pitch zone contains it.

    Parameters
    ----------
    oracle : bool, default False
        Choose the zones on each predicted piece from its true labels (an upper bound for zoning), rather
        than the zones learned by :meth:`fit`. ``predict`` then requires the true labels as ``hints``.

    Attributes
    ----------
    n_parts_ : int
        Number of parts seen in training.
    order_ : numpy.ndarray of int64
        Parts from the highest zone to the lowest (by descending mean training pitch).
    boundaries_ : numpy.ndarray of int64
        Learned boundaries, 128 down to 0 (see :func:`optimal_boundaries`).
    training_accuracy_ : float
        Fraction of training notes inside their part's learned zone.

    Examples
    --------
    >>> import numpy as np
    >>> from muspy_like.separation import ZoneSeparator, notes_from_columns
    >>> notes = notes_from_columns(time=[0, 0], pitch=[48, 72], duration=[24, 24])
    >>> model = ZoneSeparator().fit([notes], [np.array([1, 0])])
    >>> model.predict([notes_from_columns(time=[0], pitch=[80], duration=[24])])[0].tolist()
    [0]
    """

    inference_params = ("oracle",)

    def __init__(self, oracle: bool = False) -> None:
        self.oracle = oracle

    @property
    def requires_hints(self) -> bool:  # type: ignore[override]
        return bool(self.oracle)

    def _fit(self, pieces: list[np.ndarray], labels: list[np.ndarray], **fit_params: Any) -> None:
        counts = sum(pitch_counts(notes, part, self.n_parts_) for notes, part in zip(pieces, labels))
        self.order_ = _order_by_mean_pitch(counts)
        self.boundaries_, correct = optimal_boundaries(counts[self.order_])
        self.training_accuracy_ = correct / max(int(counts.sum()), 1)

    def _predict_piece(self, notes: np.ndarray, hints: Optional[np.ndarray]) -> np.ndarray:
        if self.oracle:
            counts = pitch_counts(notes, hints, self.n_parts_)
            boundaries, _ = optimal_boundaries(counts[self.order_])
        else:
            boundaries = self.boundaries_
        return _predict_with(notes[:, PITCH], boundaries, self.order_)

    def _state(self) -> dict[str, Any]:
        return {"order": self.order_.tolist(), "boundaries": self.boundaries_.tolist(),
                "training_accuracy": self.training_accuracy_}

    def _set_state(self, state: dict[str, Any]) -> None:
        self.order_ = np.asarray(state["order"], dtype=np.int64)
        self.boundaries_ = np.asarray(state["boundaries"], dtype=np.int64)
        self.training_accuracy_ = float(state["training_accuracy"])


def _order_by_mean_pitch(counts: np.ndarray) -> np.ndarray:
    totals = counts.sum(axis=1)
    means = (counts @ np.arange(N_PITCHES)) / np.maximum(totals, 1)
    return np.lexsort((np.arange(len(counts)), -means)).astype(np.int64)
