"""Fixtures of the dataset tests: a local HTTP server and the readable shared MIDI files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Test modules import the shared helpers of this folder by name (``from dataset_testing import ...``).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset_testing import LocalServer  # noqa: E402


@pytest.fixture
def server():
    local = LocalServer()
    yield local
    local.close()


@pytest.fixture(scope="session")
def midi_files(midi_dir: Path) -> list[Path]:
    """Real MIDI files from the shared test data that every reader accepts (no deliberately broken ones)."""
    broken = {"empty.mid", "negative-ticks-per-beat.mid", "zero-ticks-per-beat.mid", "type2.mid"}
    return sorted(p for p in midi_dir.glob("*.mid") if p.name not in broken)
