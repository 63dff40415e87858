"""The ``muspy-like info`` and ``convert`` commands, run as a user would (a subprocess) and in process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mido
import pytest

from muspy_like import load
from muspy_like.cli import main
from muspy_like.io.midi import read_midi

REPO = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "muspy_like.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_info_json_matches_the_file(midi_dir):
    result = _cli("info", str(midi_dir / "fur-elise.mid"), "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    midi = mido.MidiFile(midi_dir / "fur-elise.mid")
    assert info["resolution"] == midi.ticks_per_beat == 480
    note_ons = [sum(1 for m in t if m.type == "note_on" and m.velocity > 0) for t in midi.tracks]
    assert [t["n_notes"] for t in info["tracks"]] == [n for n in note_ons if n]
    seconds, last_note_end = 0.0, 0.0
    for message in midi:  # mido yields messages in time order with deltas in seconds through the tempo map
        seconds += message.time
        if message.type == "note_off" or (message.type == "note_on" and message.velocity == 0):
            last_note_end = seconds
    assert info["length_seconds"] == pytest.approx(last_note_end, abs=1e-6)
    assert info["tempos"][0]["qpm"] == pytest.approx(60_000_000 / 833333)
    assert [(s["numerator"], s["denominator"]) for s in info["time_signatures"][:2]] == [(1, 8), (3, 8)]


def test_info_text(midi_dir, capsys):
    assert main(["info", str(midi_dir / "multitrack.mid")]) == 0
    out = capsys.readouterr().out
    assert "480 ticks per quarter note" in out
    assert "notes:           4 in 4 tracks" in out
    for name in ("Track 0", "Track 1", "Track 2", "Track 3"):
        assert name in out
    assert "1920 ticks, 2.000 s" in out  # a whole note at the default 120 qpm


def test_info_key_signatures_text(midi_dir, capsys):
    assert main(["info", str(midi_dir / "key-signatures.mid"), "--all"]) == 0
    out = capsys.readouterr().out
    assert "A major at 0" in out and "Bb minor" in out


def test_info_reports_errors(midi_dir):
    result = _cli("info", str(midi_dir / "type2.mid"))
    assert result.returncode == 2
    assert "type2.mid" in result.stderr and "type 2" in result.stderr and "Traceback" not in result.stderr


def test_convert_midi_to_json_and_back(tmp_path, midi_dir):
    json_path = tmp_path / "fur-elise.json.gz"
    result = _cli("convert", str(midi_dir / "fur-elise.mid"), str(json_path))
    assert result.returncode == 0, result.stderr
    assert "1020 notes" in result.stdout
    assert load(json_path) == read_midi(midi_dir / "fur-elise.mid")
    midi_path = tmp_path / "again.mid"
    assert main(["convert", str(json_path), str(midi_path), "-q"]) == 0
    assert read_midi(midi_path).tracks == read_midi(midi_dir / "fur-elise.mid").tracks


def test_convert_unknown_extension_fails_before_reading(tmp_path, midi_dir, capsys):
    assert main(["convert", str(midi_dir / "chords.mid"), str(tmp_path / "out.wav")]) == 2
    assert "unknown file extension" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_help_reads_like_documentation():
    result = _cli("convert", "--help")
    assert result.returncode == 0
    assert "chosen by the file extensions" in result.stdout and "atomically" in result.stdout
    assert "info" in _cli("--help").stdout


@pytest.mark.parametrize(
    "make_target, expected",
    [
        (lambda tmp: tmp / "nodir" / "out.json", "does not exist"),
        (lambda tmp: (tmp / "existing.json").mkdir() or tmp / "existing.json", "it is a folder"),
        (lambda tmp: (tmp / "plain").write_text("") * 0 or tmp / "plain" / "out.json", "is a file, not a folder"),
    ],
    ids=["missing-folder", "target-is-a-folder", "parent-is-a-file"],
)
def test_convert_output_mistakes_are_one_line_errors_naming_the_path(tmp_path, midi_dir, make_target, expected):
    target = make_target(tmp_path)
    result = _cli("convert", str(midi_dir / "fur-elise.mid"), str(target))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(target) in result.stderr and expected in result.stderr
    assert not [name for name in (p.name for p in tmp_path.rglob("*")) if name.endswith(".part")]


def test_missing_input_is_a_one_line_error(tmp_path):
    result = _cli("convert", str(tmp_path / "absent.mid"), str(tmp_path / "out.json"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "absent.mid" in result.stderr and result.stderr.count("\n") == 1
