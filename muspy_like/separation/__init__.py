"""Part separation (automatic instrumentation): baselines, data and evaluation.

Given the notes of all parts of a piece merged into one sequence sorted by (time, pitch, duration), a
model predicts the part of each note; the score is the note-level accuracy pooled over all test notes.
This package reproduces the baselines of Dong, Donahue, Berg-Kirkpatrick and McAuley, "Towards Automatic
Instrumentation by Learning to Separate Parts in Symbolic Multitrack Music" (ISMIR 2021), on their Bach
chorale dataset, and applies them to any :class:`~muspy_like.Music` with :func:`separate`.

Estimators follow scikit-learn's conventions (``fit(X, y)``, ``predict(X)``, learned attributes ending in
``_``): :class:`ZoneSeparator`, :class:`ClosestPitchSeparator`, :class:`MLPSeparator`.

scipy is needed by the closest-pitch "mono" variant, scikit-learn to train the MLP, music21 to build the
Bach dataset; each is imported only when used.
"""

from muspy_like.separation.api import (
    ENSEMBLES,
    load_model,
    save_model,
    separate,
)
from muspy_like.separation.bach import BACH_PART_MAP, BACH_PART_NAMES, bach_cache_path, build_bach, load_bach
from muspy_like.separation.base import PartSeparator
from muspy_like.separation.closest_pitch import ClosestPitchSeparator
from muspy_like.separation.data import (
    NOTE_FIELDS,
    RESOLUTION,
    SeparationDataset,
    Split,
    fixed_split,
    music_to_notes,
    notes_from_columns,
    random_splits,
    sort_notes,
    split_indices,
)
from muspy_like.separation.evaluation import (
    PAPER_BACH_ACCURACY,
    accuracy,
    evaluate,
    evaluate_baselines,
)
from muspy_like.separation.methods import METHODS, make_estimator
from muspy_like.separation.mlp import MLPSeparator
from muspy_like.separation.zone import ZoneSeparator

__all__ = [
    "BACH_PART_MAP",
    "BACH_PART_NAMES",
    "ClosestPitchSeparator",
    "ENSEMBLES",
    "METHODS",
    "MLPSeparator",
    "NOTE_FIELDS",
    "PAPER_BACH_ACCURACY",
    "PartSeparator",
    "RESOLUTION",
    "SeparationDataset",
    "Split",
    "ZoneSeparator",
    "accuracy",
    "bach_cache_path",
    "build_bach",
    "evaluate",
    "evaluate_baselines",
    "fixed_split",
    "load_bach",
    "load_model",
    "make_estimator",
    "music_to_notes",
    "notes_from_columns",
    "random_splits",
    "save_model",
    "separate",
    "sort_notes",
    "split_indices",
]
