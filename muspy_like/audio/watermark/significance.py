"""The statistics of a watermark audit: AUROC, one-sided tests of clip z-scores, multiple-comparison correction.

Each test asks whether a set of clip z-scores (the suspect model's outputs, scored for one candidate
watermark) is larger than unmarked audio would give. They differ in what "unmarked audio" is taken to be:

* :func:`normal_test` (Stouffer's test): under the null hypothesis every clip's z is an independent
  standard normal variable, so ``Z = sum(z) / sqrt(n)`` is standard normal and ``p = P(N(0, 1) >= Z)``.
  The detector is built for this (each z compares one cepstral value with 120 or so others, so it is a
  standardized variable), and on unmarked renders it holds roughly (docs/audio.md gives the measured
  mean and spread), but it is fragile: a constant offset shared by every clip (a renderer's persistent
  cepstral content correlating with one particular spread sequence) grows into ``offset * sqrt(n)``.
* :func:`reference_test` (one-sided Mann-Whitney U test): the null is a reference set of known-clean
  clips of the same kind (for a model audit, outputs of a model trained on clean data, or clean renders);
  the suspect z-scores are tested for being stochastically larger. Its statistic divided by
  ``n_suspect * n_reference`` is the AUROC (:func:`auroc`). It assumes nothing about the shape of the null.
* :func:`decoy_test` (a Monte Carlo rank test): the null is the same audio scored for decoy watermarks
  (other seeds of the spread sequence), whose mean z has the distribution the candidate's would have if
  the audio did not carry it; ``p = (1 + #{decoys >= candidate}) / (1 + n_decoys)``. Exact when the
  candidate's seed is as arbitrary as the decoys' (it is chosen at random when the data is marked), and
  immune to shared offsets, since every seed's own offset is part of its null; it needs no reference.

:func:`holm` corrects the p-values of several candidates tested on the same audio (Holm's step-down
method, which controls the family-wise error rate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from muspy_like.extras import require

__all__ = ["TestResult", "auroc", "normal_test", "reference_test", "decoy_test", "holm", "TESTS"]

#: What each null hypothesis is tested with (for reports).
TESTS = {
    "normal": "Stouffer's test: sum(z) / sqrt(n) against N(0, 1) (clip z-scores independent standard normal)",
    "reference": "one-sided Mann-Whitney U test against the reference clips' z-scores",
    "decoys": "Monte Carlo rank test of the mean z against the same clips scored for decoy spread sequences",
}


@dataclass(frozen=True)
class TestResult:
    """The outcome of one one-sided test.

    Attributes
    ----------
    statistic : float
        Stouffer's Z, the Mann-Whitney U, or the candidate's mean z (decoys).
    p_value : float
        One-sided p-value (may underflow to 0.0 for overwhelming evidence; see ``log10_p``).
    log10_p : float
        ``log10(p_value)``, finite even where ``p_value`` underflows.
    """

    statistic: float
    p_value: float
    log10_p: float


def _finite(values: Sequence[float], name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64).ravel()
    if not len(array):
        raise ValueError(f"{name} is empty")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinite scores")
    return array


def auroc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """Area under the ROC curve separating ``positive`` scores from ``negative`` ones.

    The probability that a random positive outscores a random negative, ties counting one half: the
    Mann-Whitney ``U`` of the positives over ``n_positive * n_negative``. 1 for perfectly separated sets,
    0.5 for identical distributions, 0 when every negative is larger.

    Examples
    --------
    >>> auroc([3, 4, 5], [0, 1, 2]), auroc([1, 2], [1, 2]), auroc([1, 3], [2])
    (1.0, 0.5, 0.5)
    """
    rankdata = require("scipy.stats", "audio", "watermark significance tests").rankdata

    pos, neg = _finite(positive, "positive"), _finite(negative, "negative")
    ranks = rankdata(np.concatenate((pos, neg)))  # ties get their average rank
    u = ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2
    return float(u / (len(pos) * len(neg)))


def normal_test(z: Sequence[float]) -> TestResult:
    """Stouffer's one-sided test that the clip z-scores exceed independent standard normal variables.

    ``Z = sum(z) / sqrt(n)``; ``p = P(N(0, 1) >= Z)`` (computed in log space, so that ``log10_p`` stays
    finite for Z in the hundreds).

    Examples
    --------
    >>> result = normal_test([1.0, 2.0, 3.0])
    >>> round(result.statistic, 4), round(result.p_value, 6)
    (3.4641, 0.000266)
    """
    norm = require("scipy.stats", "audio", "watermark significance tests").norm

    values = _finite(z, "z")
    statistic = float(values.sum() / math.sqrt(len(values)))
    log_p = float(norm.logsf(statistic))
    return TestResult(statistic, math.exp(log_p), log_p / math.log(10))


def reference_test(z: Sequence[float], reference: Sequence[float]) -> TestResult:
    """One-sided Mann-Whitney U test that the suspect z-scores are stochastically larger than the reference ones.

    Exact p-values for small samples without ties, else the normal approximation with tie and continuity
    corrections (:func:`scipy.stats.mannwhitneyu`, ``alternative="greater"``). ``U / (n * m)`` is :func:`auroc`.
    """
    mannwhitneyu = require("scipy.stats", "audio", "watermark significance tests").mannwhitneyu

    values, null = _finite(z, "z"), _finite(reference, "reference")
    result = mannwhitneyu(values, null, alternative="greater")
    p = float(result.pvalue)
    return TestResult(float(result.statistic), p, math.log10(p) if p > 0 else -math.inf)


def decoy_test(mean_z: float, decoy_means: Sequence[float]) -> TestResult:
    """Rank of the candidate's mean z among decoy watermarks' mean z on the same clips.

    ``p = (1 + #{decoys >= mean_z}) / (1 + n_decoys)``: never below ``1 / (1 + n_decoys)``, so use enough
    decoys for the significance level wanted after correction (199 decoys: p >= 0.005).
    """
    null = _finite(decoy_means, "decoy_means")
    if not math.isfinite(mean_z):
        raise ValueError("mean_z must be finite")
    p = (1 + int(np.sum(null >= mean_z))) / (1 + len(null))
    return TestResult(float(mean_z), p, math.log10(p))


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjustment of p-values (family-wise error rate), in the input order.

    The ``i``-th smallest p-value is multiplied by ``m - i`` (``i`` from 0), made non-decreasing along the
    sorted order and capped at 1; a hypothesis is rejected at level ``a`` when its adjusted value is below ``a``.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(p, kind="stable")
    factors = len(p) - np.arange(len(p))
    adjusted_sorted = np.minimum(np.maximum.accumulate(p[order] * factors), 1.0)
    adjusted = np.empty_like(p)
    adjusted[order] = adjusted_sorted
    return adjusted
