"""Part separation (automatic instrumentation): baselines, datasets and evaluation.

Given the notes of all parts of a piece merged into one sequence sorted by (time, pitch, duration), a
model predicts the part of each note; the score is the note-level accuracy pooled over all test notes.
This package reproduces the baselines of Dong, Donahue, Berg-Kirkpatrick and McAuley, "Towards Automatic
Instrumentation by Learning to Separate Parts in Symbolic Multitrack Music" (ISMIR 2021), on their four
datasets (Bach chorales, MusicNet string quartets, NES-MDB game music, Lakh MIDI pop) and on an offline
set of string quartets from music21's corpus, and applies any trained model to any
:class:`~muspy_like.Music` with :func:`separate`.

Estimators are scikit-learn estimators (``fit(X, y)``, ``predict(X, hints)``, ``score``, learned
attributes ending in ``_``, ``get_params``/``set_params``/``clone``): :class:`ZoneSeparator`,
:class:`ClosestPitchSeparator`, :class:`MLPSeparator`, and the paper's own sequence models,
:class:`LSTMSeparator` (LSTM, BiLSTM) and :class:`TransformerSeparator` (Transformer decoder and
encoder), which need PyTorch (``pip install "muspy_like[ml]"``). Datasets are built by recipes
(:data:`RECIPES`, :func:`load_dataset`) and cached.

scikit-learn is needed by every estimator (``pip install "muspy_like[separation]"``), scipy by the
closest-pitch "mono" variant, music21 to build the corpus datasets; each is imported only when used.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> module defining it. Modules are imported on first use, so that listing the methods,
#: ensembles and datasets (the command line's ``--help``) needs neither scikit-learn nor music21.
_EXPORTS = {
    "load_model": "api",
    "save_model": "api",
    "separate": "api",
    "PartSeparator": "base",
    "ClosestPitchSeparator": "closest_pitch",
    "NOTE_FIELDS": "data",
    "RESOLUTION": "data",
    "music_to_notes": "data",
    "notes_from_columns": "data",
    "sort_notes": "data",
    "SeparationDataset": "dataset",
    "DEFAULT_ENSEMBLES": "ensembles",
    "ENSEMBLES": "ensembles",
    "Instrument": "ensembles",
    "PAPER_ACCURACY": "evaluation",
    "PAPER_BACH_ACCURACY": "evaluation",
    "accuracy": "evaluation",
    "evaluate": "evaluation",
    "evaluate_baselines": "evaluation",
    "evaluate_datasets": "evaluation",
    "METHODS": "methods",
    "Method": "methods",
    "make_estimator": "methods",
    "register_method": "methods",
    "MLPSeparator": "mlp",
    "LSTMSeparator": "sequence",
    "SequenceSeparator": "sequence",
    "TransformerSeparator": "sequence",
    "RECIPES": "recipes",
    "bach_cache_path": "recipes",
    "build_dataset": "recipes",
    "dataset_cache_path": "recipes",
    "load_bach": "recipes",
    "load_dataset": "recipes",
    "BACH_PART_MAP": "recipes.bach",
    "BACH_PART_NAMES": "recipes.bach",
    "Split": "splits",
    "fixed_split": "splits",
    "random_splits": "splits",
    "seeded_split": "splits",
    "ZoneSeparator": "zone",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name == "split_indices":
        # Renamed seeded_split: muspy_like.datasets.split_indices is another function (fractions of n
        # items), and two public functions of one name confused users.
        import warnings

        warnings.warn(
            "muspy_like.separation.split_indices is deprecated; use seeded_split (same arguments)",
            DeprecationWarning,
            stacklevel=2,
        )
        name = "seeded_split"
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
