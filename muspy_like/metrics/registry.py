"""Every per-piece metric under one name, and :func:`compute_metrics` to evaluate them all at once."""

from __future__ import annotations

from typing import Callable, Iterable, Optional

from muspy_like.core.music import Music
from muspy_like.metrics.density import (
    mean_duration_quarters,
    mean_duration_seconds,
    note_density_per_beat,
    note_density_per_second,
    velocity_mean,
    velocity_std,
)
from muspy_like.metrics.key import key_correlation
from muspy_like.metrics.notes import shared_notes
from muspy_like.metrics.pitch import (
    n_pitch_classes_used,
    n_pitches_used,
    pitch_class_entropy,
    pitch_entropy,
    pitch_range,
    scale_consistency,
)
from muspy_like.metrics.polyphony import polyphony, polyphony_rate
from muspy_like.metrics.rhythm import drum_pattern_consistency, empty_beat_rate, empty_measure_rate, groove_consistency

__all__ = ["METRICS", "compute_metrics"]

#: Name -> function ``f(music) -> float`` of every metric that needs no argument besides the piece.
#: (``pitch_in_scale_rate`` and ``drum_in_pattern_rate`` take a scale or meter and are not listed; their
#: maxima, ``scale_consistency`` and ``drum_pattern_consistency``, are.)
METRICS: dict[str, Callable[[Music], float]] = {
    "pitch_range": pitch_range,
    "n_pitches_used": n_pitches_used,
    "n_pitch_classes_used": n_pitch_classes_used,
    "pitch_entropy": pitch_entropy,
    "pitch_class_entropy": pitch_class_entropy,
    "scale_consistency": scale_consistency,
    "polyphony": polyphony,
    "polyphony_rate": polyphony_rate,
    "empty_beat_rate": empty_beat_rate,
    "empty_measure_rate": empty_measure_rate,
    "groove_consistency": groove_consistency,
    "drum_pattern_consistency": drum_pattern_consistency,
    "note_density_per_second": note_density_per_second,
    "note_density_per_beat": note_density_per_beat,
    "mean_duration_quarters": mean_duration_quarters,
    "mean_duration_seconds": mean_duration_seconds,
    "velocity_mean": velocity_mean,
    "velocity_std": velocity_std,
    "key_correlation": key_correlation,
}


def compute_metrics(music: Music, names: Optional[Iterable[str]] = None) -> dict[str, float]:
    """Evaluate several metrics on one piece.

    Parameters
    ----------
    music : Music
        The piece.
    names : iterable of str, optional
        Metric names from :data:`METRICS` (default: all of them, in that order).

    Returns
    -------
    dict of str to float
        One value per metric; NaN where a metric is undefined for this piece (see its docstring).

    Raises
    ------
    KeyError
        If a name is not a known metric (the message lists the known ones).
    """
    selected = list(METRICS) if names is None else list(names)
    unknown = [name for name in selected if name not in METRICS]
    if unknown:
        raise KeyError(f"unknown metric(s) {unknown}; known metrics: {', '.join(METRICS)}")
    with shared_notes():
        return {name: METRICS[name](music) for name in selected}
