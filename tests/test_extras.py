"""Extras: each one's hint when it is missing, and the list in extras.py against pyproject.toml.

A missing library is simulated for real: a child Python whose import system refuses the extra's modules
(a finder at the front of ``sys.meta_path``), running the feature the way a user would.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from muspy_like.extras import EXTRAS, install_line

ROOT = Path(__file__).resolve().parents[1]

#: Extra -> a feature that needs it, as a user calls it (run in the child; ``tmp`` is a scratch folder).
FEATURES = {
    "music21": "ml.interop.to_music21(music)",
    "interop": "ml.interop.to_pretty_midi(music)",
    "separation": "from muspy_like.separation import ZoneSeparator",
    "audio": "ml.audio.write_audio(tmp + '/a.wav', np.zeros(100, dtype=np.float32), 22050)",
    "stats": "from muspy_like.statistics.plots import new_figure; new_figure()",
    "ml": "from muspy_like.datasets.ml import PadCollate; PadCollate()([np.zeros(3)])",
    "jsonschema": "from muspy_like.io import native; native.validate_document(native.to_dict(music), validator='jsonschema')",
    "quickstart": "from muspy_like.quickstart import run_quickstart; run_quickstart(tmp)",
    # Nothing of ours imports dask (users pass its executor); the hint is the helper's, named as elsewhere.
    "dask": "from muspy_like.extras import require; require('dask.distributed', 'dask', 'a dask cluster')",
}

_CHILD = """
import sys, tempfile
blocked = set(sys.argv[1].split(","))

class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Blocker())
import numpy as np
import muspy_like as ml
from muspy_like.errors import MissingExtraError
music = ml.Music(resolution=24, tracks=[ml.Track(notes=[ml.Note(0, 60, 24, 64)])])
tmp = tempfile.mkdtemp()
try:
    exec(sys.argv[2])
except MissingExtraError as error:
    print("MissingExtraError", error.extra, "|", error)
else:
    print("no error")
"""


def test_every_extra_has_a_feature_checked():
    assert set(FEATURES) == set(EXTRAS)


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_a_missing_extra_names_its_pip_line(extra):
    modules = ",".join(EXTRAS[extra])
    result = subprocess.run([sys.executable, "-c", _CHILD, modules, FEATURES[extra]], capture_output=True,
                            text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith(f"MissingExtraError {extra} |"), line
    assert install_line(extra) in line
    assert "needs" in line


def _requirement_names(extra: str, table: dict[str, list[str]]) -> set[str]:
    """Distribution names an extra installs, following ``muspy_like[...]`` references."""
    names = set()
    for requirement in table[extra]:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower().replace("_", "-")
        inner = re.search(r"\[(.*?)\]", requirement)
        if name == "muspy-like":
            for other in inner.group(1).split(","):
                names |= _requirement_names(other.strip(), table)
        else:
            names.add(name)
            if inner:
                names |= {part.strip() for part in inner.group(1).split(",")}
    return names


def test_extras_agree_with_pyproject():
    table = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    distribution = {"sklearn": "scikit-learn", "fluidsynth": "pyfluidsynth", "pretty_midi": "pretty-midi"}
    for extra, modules in EXTRAS.items():
        assert extra in table, f"{extra} is in muspy_like/extras.py but not in pyproject.toml"
        installed = _requirement_names(extra, table)
        for module in modules:
            assert distribution.get(module, module) in installed, (extra, module, installed)
    everything = _requirement_names("all", table)
    for extra in EXTRAS:
        assert _requirement_names(extra, table) <= everything, f"'all' misses part of {extra!r}"
