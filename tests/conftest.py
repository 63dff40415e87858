"""Shared fixtures: where the real test files live, and small generated pieces."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

# Test modules import shared helpers such as ``strategies`` by name, from any sub-folder, and may reuse
# the benchmarks' comparison helpers (``benchmarks.formats``) instead of writing them again.
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

#: ``../shared`` beside the checkout (CI puts it there); overridable for local runs.
SHARED_DIR = Path(os.environ.get("MUSPY_LIKE_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
TESTDATA_DIR = SHARED_DIR / "muspy_testdata"
DATA_DIR = Path(__file__).resolve().parent / "data"


def pytest_configure(config: pytest.Config) -> None:
    if not TESTDATA_DIR.is_dir():
        raise pytest.UsageError(f"the shared test data is missing: expected {TESTDATA_DIR}")
    config._music21_scratch = _private_music21_scratch()


def pytest_unconfigure(config: pytest.Config) -> None:
    scratch = getattr(config, "_music21_scratch", None)
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)


def _private_music21_scratch() -> str:
    """Give this test process a music21 scratch folder of its own (in memory; no settings file is written).

    music21 caches each parsed file as a pickle in its scratch folder and reads it straight back; two test
    processes parsing the same corpus file for the first time would read each other's half-written pickle.
    """
    import tempfile

    from music21 import environment

    scratch = tempfile.mkdtemp(prefix="music21-tests-")
    environment.Environment()["directoryScratch"] = scratch
    return scratch


@pytest.fixture(scope="session")
def testdata_dir() -> Path:
    """``shared/muspy_testdata`` (real MIDI, MusicXML, MuseScore and ABC files)."""
    return TESTDATA_DIR


@pytest.fixture(scope="session")
def midi_dir() -> Path:
    """The 16 edge-case MIDI files of MusPy's test suite."""
    return TESTDATA_DIR / "midi"


@pytest.fixture(scope="session")
def bench_dir() -> Path:
    """``shared/bench`` (large real files for benchmarks)."""
    return SHARED_DIR / "bench"
