"""MusPy's module paths and the one-line alias."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import muspy_like as ml
from muspy_like.theory import MODE_FIFTHS, pitch_class_of

REPO = Path(__file__).resolve().parents[2]


def test_module_paths_give_the_top_level_functions():
    import muspy_like.inputs.midi as midi
    from muspy_like.outputs import event

    assert midi.read_midi is ml.read_midi and ml.inputs.musescore.MuseScoreWarning is ml.MuseScoreWarning
    assert event.to_event_representation is ml.to_event_representation
    assert ml.outputs.save_json is ml.save_json
    assert ml.processors.PitchRepresentationProcessor is ml.PitchRepresentationProcessor
    assert ml.schemas.validate_json is ml.validate_json
    with pytest.raises(AttributeError):
        midi.parse_track


def test_circle_of_fifths_table_is_consistent_with_the_theory_module():
    from muspy_like.utils import CIRCLE_OF_FIFTHS, MODE_CENTERS, TONAL_PITCH_CLASSES, note_str_to_note_num

    assert CIRCLE_OF_FIFTHS[8] == (0, "C") and len(CIRCLE_OF_FIFTHS) == 21
    assert all(pitch_class_of(name) == pc for pc, name in CIRCLE_OF_FIFTHS)
    assert all(CIRCLE_OF_FIFTHS[MODE_CENTERS[mode]][1] == name for mode, name in
               [("major", "C"), ("minor", "A"), ("dorian", "D"), ("lydian", "F"), ("locrian", "B")])
    assert set(MODE_CENTERS) == set(MODE_FIFTHS) and TONAL_PITCH_CLASSES[14] == "C"
    assert note_str_to_note_num("Eb") == 3
    with pytest.raises(ValueError):
        note_str_to_note_num("H")


def test_dir_lists_muspys_names_and_unknown_names_raise():
    assert {"NottinghamDatabase", "to_pitch_representation", "validate_json"} <= set(dir(ml))
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        ml.nonsense


def test_the_alias_serves_muspys_imports_without_loading_heavy_libraries(tmp_path):
    (tmp_path / "muspy.py").write_text("import sys, muspy_like\nsys.modules[__name__] = muspy_like\n")
    code = (
        "import sys, json, muspy\n"
        "from muspy.inputs.musescore import MuseScoreWarning\n"
        "from muspy.utils import CIRCLE_OF_FIFTHS\n"
        "import muspy.outputs.event\n"
        "print(json.dumps([muspy.__name__, sorted(m for m in ('music21', 'mido', 'symusic', 'pretty_midi') if m in sys.modules)]))"
    )
    env_path = f"{tmp_path}:{REPO}"
    out = subprocess.check_output([sys.executable, "-c", code], text=True, env={"PYTHONPATH": env_path, "PATH": ""})
    assert json.loads(out) == ["muspy_like", []]
