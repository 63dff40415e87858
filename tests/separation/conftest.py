"""Fixtures of the separation tests: the real corpus datasets, dataset replicas, a local HTTP server and
small hand-built pieces."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from muspy_like.separation import load_bach, load_dataset, notes_from_columns, sort_notes

# The replicas (this folder) and the dataset tests' HTTP server (tests/datasets) are imported by name.
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1] / "datasets"))

from dataset_testing import LocalServer  # noqa: E402


@pytest.fixture(scope="session")
def bach():
    """The Bach chorales from music21's corpus (built on first use, then read from the user cache)."""
    return load_bach(n_jobs=2)


#: Hyper-parameters that make each method's shared-contract tests take a second or less.
_SMALL_MLP = {"hidden_layer_sizes": (32, 32), "max_epochs": 30, "patience": 5, "batch_size": 32}
_SMALL_SEQUENCE = {"n_layers": 1, "n_units": 16, "seq_len": 64, "batch_size": 4, "learning_rate": 0.01,
                   "max_epochs": 15, "patience": 15}


def small_params(method: str) -> dict:
    """Small, quick hyper-parameters for a method of ``METHODS`` (none for the heuristics)."""
    from muspy_like.separation.methods import SEQUENCE_MODELS

    if method.startswith("mlp"):
        return dict(_SMALL_MLP)
    if method in SEQUENCE_MODELS:
        return {**_SMALL_SEQUENCE, **({"n_heads": 2, "d_feedforward": 16} if "transformer" in method else {})}
    return {}


@pytest.fixture(scope="session")
def quick_params():
    """:func:`small_params`: quick hyper-parameters for any method."""
    return small_params


@pytest.fixture(scope="session")
def quartets():
    """The string quartets of music21's corpus (built on first use, then read from the user cache)."""
    return load_dataset("quartets-music21", n_jobs=2)


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 (see tests/datasets/dataset_testing.py)."""
    local = LocalServer()
    yield local
    local.close()


@pytest.fixture(scope="session")
def replicas():
    """The dataset replicas of :mod:`replicas`, made once per session."""
    import replicas as builders

    return {"musicnet": builders.musicnet_replica(), "nes": builders.nes_replica(), "lmd": builders.lmd_replica()}


@pytest.fixture(scope="session")
def two_voice_pieces():
    """A builder of toy two-voice pieces (see :func:`make_two_voice_pieces`)."""
    return make_two_voice_pieces


def make_two_voice_pieces(n_pieces: int, seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Pieces where a high voice (part 0, pitches 70-80) and a low voice (part 1, 40-50) sing together.

    Every quarter note both voices move to a random pitch of their range; now and then a voice rests, so
    that chord sizes and sounding states vary.
    """
    rng = np.random.default_rng(seed)
    pieces, labels = [], []
    for _ in range(n_pieces):
        times, pitches, parts = [], [], []
        for beat in range(32):
            for part, (low, high) in enumerate([(70, 81), (40, 51)]):
                if beat == 0 or rng.random() > 0.15:
                    times.append(24 * beat)
                    pitches.append(int(rng.integers(low, high)))
                    parts.append(part)
        notes = notes_from_columns(time=times, pitch=pitches, duration=[24] * len(times))
        notes, part_labels = sort_notes(notes, np.array(parts))
        pieces.append(notes)
        labels.append(part_labels)
    return pieces, labels
