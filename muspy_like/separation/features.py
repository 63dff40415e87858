"""Per-note context shared by the baselines: chord groups, onset hints and the MLP's hand-crafted features.

Features of a note fall in two kinds:

* **static** ones, read from the note array alone (:func:`static_features`): the note, its metric
  position and its chord;
* **history** ones, which describe each part as it stands just before the note (:func:`history_features`):
  its last pitch, last onset, last offset and whether it is still sounding. They depend on which earlier
  notes belong to which part: the true labels (training, oracle) or the model's own predictions (online).

All times are in ticks at :data:`~muspy_like.separation.data.RESOLUTION` and features are given in quarter
notes. The feature set follows the voice-separation features the paper's MLP baseline uses (after de
Valk et al.), see ``docs/separation.md`` for where it differs.
"""

from __future__ import annotations

import numpy as np

from muspy_like.separation.data import BAR_POSITION, BEAT_POSITION, DURATION, PITCH, RESOLUTION, TIME

__all__ = [
    "chord_bounds",
    "onset_hints",
    "static_features",
    "history_features",
    "true_history_features",
    "STATIC_FEATURE_NAMES",
    "HISTORY_FEATURE_NAMES",
    "SHORT_NOTE",
    "MAX_GAP",
]

#: A note at most this long (ticks: a sixteenth note) counts as an ornament.
SHORT_NOTE = RESOLUTION // 4
#: Time gaps are clipped to this many quarter notes (a long rest says little more than a shorter one).
MAX_GAP = 16.0

STATIC_FEATURE_NAMES = (
    "pitch",
    "duration",
    "is_short",
    "beat_position",
    "bar_position",
    "index_in_chord",
    "chord_size",
    "interval_below",
    "interval_above",
    "next_chord_size",
)
#: Per part, in this order, repeated for parts 0, 1, ...
HISTORY_FEATURE_NAMES = ("active", "interval_from_last", "since_last_onset", "since_last_offset", "sounding")


def chord_bounds(times: np.ndarray) -> np.ndarray:
    """Start index of each group of notes sharing an onset, plus the total length at the end.

    ``bounds[g]:bounds[g + 1]`` are the notes of group ``g`` (notes must be sorted by time).
    """
    changes = np.flatnonzero(np.diff(times)) + 1
    return np.concatenate([[0], changes, [len(times)]]).astype(np.int64)


def onset_hints(labels: np.ndarray, n_parts: int) -> np.ndarray:
    """Index of the first note of each part, -1 for a part without notes (the paper's "onset hints")."""
    hints = np.full(n_parts, -1, dtype=np.int64)
    parts, first = np.unique(labels, return_index=True)
    known = parts < n_parts
    hints[parts[known]] = first[known]
    return hints


def static_features(notes: np.ndarray) -> np.ndarray:
    """Features of each note that need no part history, shape ``(n_notes, len(STATIC_FEATURE_NAMES))``.

    ``index_in_chord`` counts from the lowest note of the chord (notes are sorted by pitch within an
    onset); ``interval_below``/``interval_above`` are the semitones to the neighbouring chord notes (0 when
    there is none); ``next_chord_size`` is the number of notes at the next onset (0 for the last chord).
    """
    n = len(notes)
    times, pitches = notes[:, TIME], notes[:, PITCH].astype(np.float64)
    bounds = chord_bounds(times)
    sizes = np.diff(bounds)
    group = np.repeat(np.arange(len(sizes)), sizes)
    index_in_chord = np.arange(n) - bounds[group]
    chord_size = sizes[group]
    below = np.zeros(n)
    above = np.zeros(n)
    has_below = index_in_chord > 0
    below[has_below] = pitches[has_below] - pitches[np.flatnonzero(has_below) - 1]
    has_above = index_in_chord < chord_size - 1
    above[has_above] = pitches[np.flatnonzero(has_above) + 1] - pitches[has_above]
    next_size = np.append(sizes[1:], 0)[group]
    quarters = float(RESOLUTION)
    return np.column_stack(
        [
            pitches,
            np.minimum(notes[:, DURATION] / quarters, MAX_GAP),
            notes[:, DURATION] <= SHORT_NOTE,
            notes[:, BEAT_POSITION] / quarters,
            notes[:, BAR_POSITION] / quarters,
            index_in_chord,
            chord_size,
            below,
            above,
            next_size,
        ]
    ).astype(np.float64)


def history_features(
    times: np.ndarray,
    pitches: np.ndarray,
    last_pitch: np.ndarray,
    last_onset: np.ndarray,
    last_offset: np.ndarray,
    active: np.ndarray,
) -> np.ndarray:
    """The state of every part just before each note, shape ``(n_notes, 5 * n_parts)``.

    Parameters
    ----------
    times, pitches : numpy.ndarray, shape (n_notes,)
        Onset (ticks) and pitch of each note.
    last_pitch, last_onset, last_offset : numpy.ndarray, shape (n_notes, n_parts)
        Pitch, onset and offset (ticks) of the latest earlier note of each part.
    active : numpy.ndarray of bool, shape (n_notes, n_parts)
        Whether the part has played any earlier note; where it has not, the other values are ignored.

    Returns
    -------
    numpy.ndarray
        For each part, :data:`HISTORY_FEATURE_NAMES`: active flag, ``pitch - last_pitch`` (semitones),
        quarters since the last onset and since the last offset (negative while it sounds; both clipped
        to +-:data:`MAX_GAP`), and whether the last note still sounds. Inactive parts get zeros.
    """
    t = times[:, None]
    quarters = float(RESOLUTION)
    columns = np.stack(
        [
            active,
            (pitches[:, None] - last_pitch) * active,
            np.clip((t - last_onset) / quarters, -MAX_GAP, MAX_GAP) * active,
            np.clip((t - last_offset) / quarters, -MAX_GAP, MAX_GAP) * active,
            (t < last_offset) & active,
        ],
        axis=2,
    )
    return columns.reshape(len(times), -1).astype(np.float64)


def true_history_features(notes: np.ndarray, labels: np.ndarray, n_parts: int) -> np.ndarray:
    """:func:`history_features` with the true labels as history (vectorized; for training and oracles)."""
    n = len(notes)
    index = np.arange(n)
    previous = np.empty((n, n_parts), dtype=np.int64)
    for part in range(n_parts):
        marks = np.where(labels == part, index, -1)
        latest = np.maximum.accumulate(marks) if n else marks
        previous[:, part] = np.concatenate([[-1], latest[:-1]]) if n else latest
    active = previous >= 0
    safe = np.where(active, previous, 0)
    onsets = notes[safe, TIME]
    return history_features(
        notes[:, TIME],
        notes[:, PITCH],
        notes[safe, PITCH],
        onsets,
        onsets + notes[safe, DURATION],
        active,
    )
