"""The optional compiled decoder: how it is built, chosen and ruled out.

Whether it reads like the numpy decoder is checked where every path of the numpy engine is compared with
the mido engine (``test_midi_engines.py``, ``test_midi_decoder.py``, the fuzz campaign); here: an install
without Cython or a C compiler succeeds and falls back, the environment variable turns the extension off,
and an extension built from another source is not used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from muspy_like.io.midi import compiled

ROOT = Path(__file__).resolve().parents[2]
NOT_BUILT = "the compiled MIDI decoder was not built"


def _build(tmp_path: Path, env: dict[str, str], prelude: str = "") -> subprocess.CompletedProcess:
    """Run ``setup.py build_ext`` on a copy of the build files in ``tmp_path`` (never in the checkout)."""
    # muspy_like/__init__.py holds the version that pyproject.toml reads.
    for name in ("setup.py", "setup.cfg", "pyproject.toml", "README.md", "muspy_like/__init__.py", compiled.SOURCE):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    code = f"{prelude}import runpy, sys; sys.argv = ['setup.py', '-q', 'build_ext', '--build-lib', 'lib', " \
           "'--build-temp', 'tmp']; runpy.run_path('setup.py', run_name='__main__')"
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=300)


def test_a_build_without_a_c_compiler_succeeds_without_the_extension(tmp_path):
    pytest.importorskip("Cython")
    result = _build(tmp_path, {"CC": "/bin/false"})
    assert result.returncode == 0, result.stderr
    assert NOT_BUILT in result.stderr
    assert not list(tmp_path.rglob("*.so")) and not list(tmp_path.rglob("*.pyd"))


def test_a_build_without_cython_succeeds_without_the_extension(tmp_path):
    result = _build(tmp_path, {}, prelude="import sys; sys.modules['Cython'] = None; ")  # import Cython fails
    assert result.returncode == 0, result.stderr
    assert NOT_BUILT in result.stderr and "Cython" in result.stderr
    assert not list(tmp_path.rglob("*.so")) and not list(tmp_path.rglob("*.pyd"))


@pytest.mark.parametrize("value, expected", [("0", False), ("off", False), ("1", None)])
def test_the_environment_variable_rules_the_extension_out(value, expected):
    code = "from muspy_like.io.midi import ACCELERATED, compiled; print(ACCELERATED, compiled.extension_available())"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, compiled.ENV_VARIABLE: value}, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[1] == str(compiled.extension_available())
    assert out[0] == str(compiled.extension_available() if expected is None else expected)


def test_an_extension_built_from_another_source_is_not_used(tmp_path):
    if not compiled.extension_available():
        pytest.skip("the compiled decoder is not built here (no C compiler at install time): numpy paths only")
    other = tmp_path / "_cdecoder.pyx"
    other.write_bytes((ROOT / compiled.SOURCE).read_bytes() + b"\n# changed\n")
    with pytest.warns(RuntimeWarning, match="another version"):
        assert compiled._load_extension(other) is None
    assert compiled._load_extension(ROOT / compiled.SOURCE) is not None
