"""Key estimation with the Krumhansl-Schmuckler algorithm.

The duration-weighted pitch-class distribution of the piece is correlated (Pearson) with the 24 rotations
of a major and a minor key profile; the key whose profile correlates best is the estimate (Krumhansl,
1990, *Cognitive Foundations of Musical Pitch*, Oxford University Press, ch. 4, after an algorithm by
Schmuckler). Two sets of profiles are offered:

``"krumhansl"``
    The probe-tone ratings of Krumhansl and Kessler (1982), "Tracing the dynamic changes in perceived
    tonal organization in a spatial representation of musical keys", Psychological Review 89(4).
``"temperley"``
    The revised profiles of Temperley (1999), "What's key for key? The Krumhansl-Schmuckler
    key-finding algorithm reconsidered", Music Perception 17(1).
"""

from __future__ import annotations

import math
from typing import NamedTuple, Optional

import numpy as np

from muspy_like.core.music import Music
from muspy_like.metrics.notes import collect_notes
from muspy_like.theory import PITCH_CLASS_NAMES

__all__ = ["KeyEstimate", "estimate_key", "key_correlation", "KEY_PROFILES", "PITCH_CLASS_NAMES"]


#: Profiles (major, minor), index 0 = tonic.
KEY_PROFILES = {
    "krumhansl": (
        np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]),
        np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]),
    ),
    "temperley": (
        np.array([5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0]),
        np.array([5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0]),
    ),
}


class KeyEstimate(NamedTuple):
    """The best-matching key.

    Attributes
    ----------
    root : int or None
        Tonic pitch class (0 = C ... 11 = B); None when the piece has no pitched note.
    mode : str or None
        ``"major"`` or ``"minor"``.
    correlation : float
        Pearson correlation of the piece's distribution with that key's profile (-1 to 1; NaN when
        undefined: no pitched note, or a flat distribution such as all 12 pitch classes equally long).
    """

    root: Optional[int]
    mode: Optional[str]
    correlation: float

    @property
    def name(self) -> str:
        """E.g. ``"Eb major"``; empty when there is no estimate."""
        if self.root is None:
            return ""
        return f"{PITCH_CLASS_NAMES[self.root]} {self.mode}"


def _rotated_profiles(profiles: str) -> np.ndarray:
    major, minor = KEY_PROFILES[profiles]
    # Row r of each block is the profile of the key whose tonic is pitch class r.
    return np.array([np.roll(p, r) for p in (major, minor) for r in range(12)])


_ROTATED = {name: _rotated_profiles(name) for name in KEY_PROFILES}


def estimate_key(music: Music, profiles: str = "krumhansl", weighting: str = "duration") -> KeyEstimate:
    """Estimate the key of a piece (Krumhansl-Schmuckler; drums ignored).

    Parameters
    ----------
    music : Music
        The piece.
    profiles : {"krumhansl", "temperley"}
        Key profiles (see the module notes).
    weighting : {"duration", "count"}
        Weight each note by its duration in ticks (Krumhansl's choice) or count each note once.

    Returns
    -------
    KeyEstimate
        ``root``, ``mode`` and ``correlation``; ``KeyEstimate(None, None, nan)`` when there is no
        pitched note or the distribution is flat.

    Examples
    --------
    >>> from muspy_like import Music, Track, Note
    >>> notes = [Note(24 * i, p, 24) for i, p in enumerate([60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 60])]
    >>> estimate_key(Music(tracks=[Track(notes=notes)])).name
    'C major'
    """
    notes = collect_notes(music)
    if weighting == "duration":
        weights = notes.duration.astype(np.float64)
    elif weighting == "count":
        weights = np.ones(len(notes))
    else:
        raise ValueError(f"weighting must be 'duration' or 'count', not {weighting!r}")
    rotated = _ROTATED.get(profiles)
    if rotated is None:
        raise ValueError(f"profiles must be one of {sorted(KEY_PROFILES)}, not {profiles!r}")
    distribution = np.bincount(notes.pitch % 12, weights=weights, minlength=12)
    centred = distribution - distribution.mean()
    norm = np.sqrt((centred**2).sum())
    if norm == 0:
        return KeyEstimate(None, None, math.nan)
    profiles_centred = rotated - rotated.mean(axis=1, keepdims=True)
    correlations = profiles_centred @ centred / (np.sqrt((profiles_centred**2).sum(axis=1)) * norm)
    best = int(np.argmax(correlations))
    return KeyEstimate(best % 12, "major" if best < 12 else "minor", float(correlations[best]))


def key_correlation(music: Music) -> float:
    """Correlation of the best Krumhansl-Schmuckler key (-1 to 1): how clearly tonal the piece is.

    NaN without pitched notes or with a flat pitch-class distribution.
    """
    return estimate_key(music).correlation
