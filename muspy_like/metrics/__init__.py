"""Per-piece metrics: pitch, polyphony, rhythm, density, velocity and key.

Every metric is a function ``f(music, ...) -> float`` working on whole note columns (numpy), with its
definition and unit in its docstring. Where a metric is undefined for a piece (no notes, no drums, fewer
than two bars...) it returns NaN and its docstring says when; it never returns a sentinel value. Beats and
bars follow the time signatures. The differences from MusPy's metrics are listed in
``docs/metrics-vs-muspy.md``.

Examples
--------
>>> from muspy_like import Music, Track, Note
>>> from muspy_like.metrics import polyphony_rate, compute_metrics
>>> chord = Music(tracks=[Track(notes=[Note(0, 60, 24), Note(0, 64, 24)])])
>>> polyphony_rate(chord)
1.0
>>> compute_metrics(chord, ["pitch_range", "polyphony"])
{'pitch_range': 4.0, 'polyphony': 2.0}
"""

from muspy_like.metrics.density import (
    length_in_beats,
    length_in_seconds,
    mean_duration_quarters,
    mean_duration_seconds,
    note_density_per_beat,
    note_density_per_second,
    velocity_mean,
    velocity_std,
)
from muspy_like.metrics.key import KEY_PROFILES, KeyEstimate, estimate_key, key_correlation
from muspy_like.metrics.pitch import (
    n_pitch_classes_used,
    n_pitches_used,
    pitch_class_entropy,
    pitch_class_histogram,
    pitch_entropy,
    pitch_histogram,
    pitch_in_scale_rate,
    pitch_range,
    scale_consistency,
)
from muspy_like.metrics.polyphony import polyphony, polyphony_rate
from muspy_like.metrics.registry import METRICS, compute_metrics
from muspy_like.metrics.rhythm import (
    drum_in_pattern_rate,
    drum_pattern_consistency,
    empty_beat_rate,
    empty_measure_rate,
    groove_consistency,
)

__all__ = [
    "KEY_PROFILES",
    "KeyEstimate",
    "METRICS",
    "compute_metrics",
    "drum_in_pattern_rate",
    "drum_pattern_consistency",
    "empty_beat_rate",
    "empty_measure_rate",
    "estimate_key",
    "groove_consistency",
    "key_correlation",
    "length_in_beats",
    "length_in_seconds",
    "mean_duration_quarters",
    "mean_duration_seconds",
    "n_pitch_classes_used",
    "n_pitches_used",
    "note_density_per_beat",
    "note_density_per_second",
    "pitch_class_entropy",
    "pitch_class_histogram",
    "pitch_entropy",
    "pitch_histogram",
    "pitch_in_scale_rate",
    "pitch_range",
    "polyphony",
    "polyphony_rate",
    "scale_consistency",
    "velocity_mean",
    "velocity_std",
]
