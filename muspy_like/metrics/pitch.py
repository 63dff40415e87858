"""Pitch metrics: range, pitches and pitch classes used, entropies, scale membership.

Drum tracks are ignored here (a drum note's number names an instrument, not a pitch). Counting metrics
return 0 for a piece without pitched notes (zero pitches are used); the others are undefined there and
return NaN.
"""

from __future__ import annotations

import math

import numpy as np

from muspy_like.core.music import Music
from muspy_like.metrics.notes import collect_notes

__all__ = [
    "pitch_range",
    "n_pitches_used",
    "n_pitch_classes_used",
    "pitch_entropy",
    "pitch_class_entropy",
    "pitch_in_scale_rate",
    "scale_consistency",
    "pitch_histogram",
    "pitch_class_histogram",
    "scale_mask",
]

_MAJOR = np.array([1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1], dtype=bool)
_NATURAL_MINOR = np.array([1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0], dtype=bool)
_SCALES = {"major": _MAJOR, "minor": _NATURAL_MINOR}


def pitch_histogram(music: Music) -> np.ndarray:
    """Number of pitched notes at each MIDI pitch (array of 128 ints; drums excluded)."""
    return np.bincount(collect_notes(music).pitch, minlength=128)[:128]


def pitch_class_histogram(music: Music) -> np.ndarray:
    """Number of pitched notes in each pitch class (array of 12 ints, index 0 = C; drums excluded)."""
    return np.bincount(collect_notes(music).pitch % 12, minlength=12)


def pitch_range(music: Music) -> float:
    """Highest minus lowest pitch of the pitched notes, in semitones.

    Returns
    -------
    float
        ``max(pitch) - min(pitch)``; 0 for a single pitch; NaN when there is no pitched note (an empty
        piece, or drums only: a range of nothing is undefined, not -127 as in MusPy).
    """
    pitch = collect_notes(music).pitch
    if not len(pitch):
        return math.nan
    return float(pitch.max() - pitch.min())


def n_pitches_used(music: Music) -> float:
    """Number of distinct MIDI pitches among the pitched notes (0 when there is none)."""
    return float(np.count_nonzero(pitch_histogram(music)))


def n_pitch_classes_used(music: Music) -> float:
    """Number of distinct pitch classes (0-12) among the pitched notes (0 when there is none)."""
    return float(np.count_nonzero(pitch_class_histogram(music)))


def _entropy_bits(counts: np.ndarray) -> float:
    total = counts.sum()
    if total == 0:
        return math.nan
    p = counts[counts > 0] / total
    return float(-(p * np.log2(p)).sum()) + 0.0


def pitch_entropy(music: Music) -> float:
    """Shannon entropy of the pitch histogram, in bits.

    ``H = -sum_i p_i log2 p_i`` where ``p_i`` is the share of pitched notes with MIDI pitch ``i`` (each
    note counts once, whatever its length). Ranges from 0 (one pitch) to 7 (all 128 equally often).
    NaN without pitched notes.
    """
    return _entropy_bits(pitch_histogram(music))


def pitch_class_entropy(music: Music) -> float:
    """Shannon entropy of the pitch-class histogram, in bits (0 to log2 12 = 3.585; NaN without notes).

    Used by Wu and Yang (2020), "The Jazz Transformer on the Front Line", ISMIR, as a measure of tonal
    ambiguity.
    """
    return _entropy_bits(pitch_class_histogram(music))


def scale_mask(root: int, mode: str) -> np.ndarray:
    """Boolean mask over the 12 pitch classes of the major or natural-minor scale on ``root`` (0 = C).

    Raises
    ------
    ValueError
        If ``mode`` is not ``"major"`` or ``"minor"``, or ``root`` is not in 0-11.
    """
    if mode not in _SCALES:
        raise ValueError(f"mode must be 'major' or 'minor', not {mode!r}")
    if not 0 <= int(root) <= 11:
        raise ValueError(f"root must be a pitch class 0-11, not {root!r}")
    return np.roll(_SCALES[mode], int(root))


def pitch_in_scale_rate(music: Music, root: int, mode: str) -> float:
    """Share of pitched notes whose pitch class lies in the given scale (0 to 1; NaN without notes).

    Parameters
    ----------
    music : Music
        The piece.
    root : int
        Tonic pitch class, 0 = C ... 11 = B.
    mode : {"major", "minor"}
        Major or natural-minor scale.

    Notes
    -----
    Used by Dong et al. (2018), "MuseGAN", AAAI.
    """
    histogram = pitch_class_histogram(music)
    total = histogram.sum()
    if total == 0:
        return math.nan
    return float(histogram[scale_mask(root, mode)].sum() / total)


def scale_consistency(music: Music) -> float:
    """Largest :func:`pitch_in_scale_rate` over the 24 major and natural-minor scales (NaN without notes).

    Used by Mogren (2016), "C-RNN-GAN", NeurIPS Workshop on Constructive Machine Learning.
    """
    histogram = pitch_class_histogram(music)
    total = histogram.sum()
    if total == 0:
        return math.nan
    return float((_ALL_SCALE_MASKS @ histogram).max() / total)


#: The 24 scales of :func:`scale_consistency`, one row each (12 major, then 12 minor).
_ALL_SCALE_MASKS = np.array([scale_mask(root, mode) for mode in _SCALES for root in range(12)], dtype=np.int64)
