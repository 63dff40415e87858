"""Pseudo-random +/-1 chip sequences for time-spread echoes.

Following Tralie et al. (arXiv:2412.10649), the chips come in runs of at most two equal values, which
keeps the pattern spectrally white-ish and free of long constant stretches (a long run would act like a
single loud echo). Run lengths are drawn uniformly from {1, 2} and signs alternate between runs, which is
the same distribution as drawing each chip at random and flipping it whenever it would make a third equal
chip in a row.
"""

from __future__ import annotations

import numpy as np

__all__ = ["spread_sequence", "DEFAULT_LENGTH"]

#: Chips per sequence in the paper.
DEFAULT_LENGTH = 1024


def spread_sequence(seed: int, length: int = DEFAULT_LENGTH) -> np.ndarray:
    """The +/-1 sequence of a seed: float64 array of ``length`` chips, no run longer than two.

    Parameters
    ----------
    seed : int
        Any non-negative integer; the same seed always gives the same sequence (numpy ``PCG64``).
    length : int, default 1024
        Number of chips.

    Examples
    --------
    >>> q = spread_sequence(7, 16)
    >>> sorted(set(q.tolist())), len(q)
    ([-1.0, 1.0], 16)
    """
    if length <= 0:
        raise ValueError(f"length must be positive, got {length}")
    rng = np.random.default_rng(seed)
    runs = rng.integers(1, 3, size=length)  # at least `length` chips in total
    first = 1.0 if rng.random() < 0.5 else -1.0
    signs = first * np.where(np.arange(length) % 2 == 0, 1.0, -1.0)
    return np.repeat(signs, runs)[:length]
