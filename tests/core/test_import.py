"""`import muspy_like` stays light: numpy and the standard library only."""

import json
import subprocess
import sys

HEAVY = ["music21", "mido", "symusic", "pretty_midi", "miditoolkit", "sklearn", "matplotlib", "fluidsynth",
         "torch", "pandas", "scipy", "yaml", "tqdm", "soundfile", "dask"]


def test_import_loads_no_heavy_library():
    code = "import sys, json, muspy_like; print(json.dumps(sorted(sys.modules)))"
    loaded = set(json.loads(subprocess.check_output([sys.executable, "-c", code], text=True)))
    assert not loaded & set(HEAVY), f"imported at start-up: {sorted(loaded & set(HEAVY))}"
    assert "numpy" in loaded


def test_cli_help_loads_no_heavy_library():
    code = ("import sys, json, contextlib, io\n"
            "from muspy_like.cli import build_parser\n"
            "build_parser()\n"
            "print(json.dumps(sorted(sys.modules)))")
    loaded = set(json.loads(subprocess.check_output([sys.executable, "-c", code], text=True)))
    assert not loaded & set(HEAVY), f"imported by the CLI parser: {sorted(loaded & set(HEAVY))}"
