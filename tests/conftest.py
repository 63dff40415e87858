"""Shared fixtures: where the real test files live, and small generated pieces."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest

from muspy_like.errors import MissingExtraError
from muspy_like.extras import EXTRAS, install_line

# Test modules import shared helpers such as ``strategies`` by name, from any sub-folder, or by their
# path under the repository (``tests.io.music21_reference``); nothing under benchmarks/ is imported.
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

#: ``../shared`` beside the checkout (CI puts it there); overridable for local runs.
SHARED_DIR = Path(os.environ.get("MUSPY_LIKE_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
TESTDATA_DIR = SHARED_DIR / "muspy_testdata"
DATA_DIR = Path(__file__).resolve().parent / "data"


def pytest_configure(config: pytest.Config) -> None:
    if not TESTDATA_DIR.is_dir():
        raise pytest.UsageError(f"the shared test data is missing: expected {TESTDATA_DIR}")
    config.addinivalue_line("markers", "extra(name): the test needs this extra; skipped (with the reason) without it")
    config._music21_scratch = None if _missing("music21") else _private_music21_scratch()


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


# A core-only install (``pip install -e ".[test]"``) runs the suite too: what needs an extra is skipped
# with the reason, found where it fails (a test module that imports the library, our code raising
# MissingExtraError, a test importing it lazily) or declared with ``@pytest.mark.extra("audio")``. A
# skip happens only when the library is really absent, so the full run skips nothing for this reason.


#: Extras the library never imports but some tests do (peers compared against, the docs build).
_DEV_EXTRAS = {"bench": ("muspy", "partitura"), "docs": ("mkdocs",)}
_ALL_EXTRAS = {**EXTRAS, **_DEV_EXTRAS}

#: Tests whose missing extra cannot be seen from here: they run the code in a child process or through
#: the CLI's ``main`` (which prints MissingExtraError's message and returns 2), or treat a missing peer
#: as an empty result. Node-id prefix -> extras.
_NEEDS_EXTRAS = {
    "tests/test_quickstart.py": ("quickstart",),
    "tests/test_docs.py": ("docs",),
    "tests/compat/test_muspy_script.py": ("music21",),
    "tests/io/test_midi_peers.py": ("interop",),
    "tests/audio/test_watermark.py::test_dataset_": ("audio",),
    "tests/audio/test_watermark.py::test_cli_": ("audio",),
    "tests/cli/test_output_paths.py::test_a_file_in_a_missing_folder_is_refused_before_any_work[separat": ("separation", "music21"),
    "tests/cli/test_output_paths.py::test_an_output_folder_that_is_a_file_is_refused[quickstart]": ("quickstart",),
    "tests/statistics/test_report.py::test_cli_": ("stats",),
    "tests/datasets/test_cache.py::test_a_broken_tune_fails_alone_with_its_number_and_line": ("music21",),
    "tests/datasets/test_cli.py::test_convert_of_a_music21_composer_without_pieces_is_an_error": ("music21",),
    "tests/cli/test_tune_books.py::test_stats_": ("music21",),
    "tests/cli/test_tune_books.py::test_info_": ("music21",),
}


def _missing(extra: str) -> list[str]:
    return [module for module in _ALL_EXTRAS[extra] if importlib.util.find_spec(module) is None]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for prefix, extras in _NEEDS_EXTRAS.items():
            if item.nodeid.startswith(prefix):
                item.add_marker(pytest.mark.extra(*extras))


def _skip_reason(error: BaseException) -> "str | None":
    """Why to skip, if ``error`` (or its cause) is an optional library that is not installed."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, MissingExtraError):
            return str(error) if _missing(error.extra) else None
        if isinstance(error, ModuleNotFoundError) and error.name:
            top = error.name.partition(".")[0]
            extras = [extra for extra, modules in _ALL_EXTRAS.items() if top in modules and extra != "quickstart"]
            if extras and importlib.util.find_spec(top) is None:
                return f"needs {top}, which is not installed ({' or '.join(install_line(e) for e in extras)})"
        error = error.__cause__ or error.__context__
    return None


class _ModuleNeedingExtras(pytest.Module):
    """A test module whose top-level import of a missing optional library skips it instead of erroring."""

    def _getobj(self):
        try:
            return super()._getobj()
        except self.CollectError as error:
            reason = _skip_reason(error)
            if reason is None:
                raise
            raise pytest.skip.Exception(reason, allow_module_level=True) from None


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector):
    if module_path.name == "__init__.py":
        return None
    return _ModuleNeedingExtras.from_parent(parent, path=module_path)


def _skip_if_extra_missing(item: pytest.Item) -> None:
    for marker in item.iter_markers("extra"):
        for extra in marker.args:
            missing = _missing(extra)
            if missing:
                pytest.skip(f"needs the {extra!r} extra ({', '.join(missing)} not installed): {install_line(extra)}")


def _skip_or_raise(error: Exception):
    reason = _skip_reason(error)
    if reason is None:
        raise error
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    _skip_if_extra_missing(item)
    try:
        return (yield)
    except Exception as error:
        _skip_or_raise(error)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    try:
        return (yield)
    except Exception as error:
        _skip_or_raise(error)
