"""Real MusPy code runs unchanged: the example data-preparation script through a one-line alias."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "examples" / "muspy_data_preparation.py"


def test_the_example_script_runs_through_the_alias(tmp_path, midi_dir):
    alias = tmp_path / "alias"
    alias.mkdir()
    (alias / "muspy.py").write_text("import sys, muspy_like\nsys.modules[__name__] = muspy_like\n")
    midis = tmp_path / "midi"
    midis.mkdir()
    for name in ("fur-elise.mid", "multitrack.mid", "type2.mid"):  # type 2 is refused with MIDIError
        shutil.copy(midi_dir / name, midis / name)
    out = tmp_path / "out"
    completed = subprocess.run([sys.executable, str(SCRIPT), str(out), str(midis)], capture_output=True, text=True,
                               env={"PYTHONPATH": f"{alias}:{REPO}", "PATH": "", "HOME": str(tmp_path)}, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["pieces"] == 24 and report["split"] == {"train": 19, "test": 2, "validation": 3}
    assert report["midi_written"] == ["fur-elise.mid", "multitrack.mid"] and report["roll_shape"][1] == 128
    pitch = np.load(out / "pitch.npz")
    assert len(pitch.files) == 24 and report["pitch_steps"] == sum(len(pitch[k]) for k in pitch.files)
    assert set(np.unique(np.concatenate([pitch[k].ravel() for k in pitch.files]))) & {128, 129}
    assert json.loads((out / "split.json").read_text())["train"]
