"""separate(), ensembles, model files and the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from muspy_like import Music, Note, Tempo, Track
from muspy_like.cli import main
from muspy_like.errors import SeparationError
from muspy_like.separation import (
    ENSEMBLES,
    METHODS,
    ClosestPitchSeparator,
    load_model,
    make_estimator,
    save_model,
    separate,
)

SMALL_MLP = {"hidden_layer_sizes": (16,), "max_epochs": 5, "batch_size": 32}


def piano_piece() -> Music:
    """Two voices written in one piano track, plus a drum track: soprano 72 71 72, bass 48 50 48."""
    return Music(
        resolution=4,
        tempos=[Tempo(0, 90.0)],
        tracks=[
            Track(name="Piano", notes=[Note(0, 72, 4), Note(0, 48, 8), Note(4, 71, 4), Note(8, 72, 4),
                                       Note(8, 50, 4, velocity=90), Note(12, 48, 4)]),
            Track(name="Kit", is_drum=True, notes=[Note(0, 36, 1)]),
        ],
    )


def test_separate_untrained_closest_pitch_into_a_duet():
    result = separate(piano_piece(), "closest-pitch-mono", ensemble="piano_duet")
    assert [t.name for t in result.tracks] == ["Primo", "Secondo", "Kit"]
    primo, secondo, kit = result.tracks
    assert [n.to_tuple() for n in primo.notes] == [(0, 72, 4, 64), (4, 71, 4, 64), (8, 72, 4, 64)]
    assert [n.to_tuple() for n in secondo.notes] == [(0, 48, 8, 64), (8, 50, 4, 90), (12, 48, 4, 64)]
    assert kit.is_drum and len(kit.notes) == 1
    # Everything else of the piece is kept, at its own resolution; the input is not modified.
    assert result.resolution == 4 and result.tempos == [Tempo(0, 90.0)]
    assert len(piano_piece().tracks) == 2


def test_separate_with_an_ensemble_sets_programs():
    result = separate(piano_piece(), "closest-pitch", ensemble="string_quartet")
    expected = [(player.name, player.program) for player in ENSEMBLES["string_quartet"]]
    assert [(t.name, t.program) for t in result.tracks[:4]] == expected
    assert sum(len(t.notes) for t in result.tracks[:4]) == 6


def test_separate_with_a_trained_model_and_saved_file(tmp_path, two_voice_pieces):
    X, y = two_voice_pieces(8, seed=11)
    model = make_estimator("zone").fit(X, y)
    path = tmp_path / "zone.json"
    save_model(model, path)
    for given in (model, path, str(path)):
        result = separate(piano_piece(), given, ensemble=[("High", 73), ("Low", 70)])
        assert [t.name for t in result.tracks[:2]] == ["High", "Low"]
        assert result.tracks[0].notes.pitch.tolist() == [72, 71, 72]


@pytest.mark.parametrize("method", list(METHODS))
def test_save_load_round_trip(method, tmp_path, two_voice_pieces, quick_params):
    X, y = two_voice_pieces(8, seed=12)
    model = make_estimator(method, **quick_params(method)).fit(X, y)
    path = tmp_path / "model.json"
    save_model(model, path)
    loaded = load_model(path)
    assert type(loaded) is type(model) and loaded.get_params() == model.get_params()
    before = model.predict(X, y)
    after = loaded.predict(X, y)
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
    for name, value in vars(model).items():
        if name.endswith("_") and isinstance(value, np.ndarray):
            assert np.array_equal(getattr(loaded, name), value)


def test_model_files_are_checked(tmp_path, two_voice_pieces):
    X, y = two_voice_pieces(4, seed=13)
    path = tmp_path / "model.json"
    save_model(make_estimator("closest-pitch").fit(X, y), path)
    document = json.loads(path.read_text())
    document["version"] = 99
    path.write_text(json.dumps(document))
    with pytest.raises(SeparationError, match="version 99 is not supported"):
        load_model(path)
    path.write_text("{not json")
    with pytest.raises(SeparationError, match="JSON expected"):
        load_model(path)
    with pytest.raises(SeparationError, match="not found"):
        load_model(tmp_path / "missing.json")
    with pytest.raises(SeparationError, match="fitted"):
        save_model(ClosestPitchSeparator(), path)


def test_separate_refuses_bad_input(two_voice_pieces):
    X, y = two_voice_pieces(4, seed=14)
    with pytest.raises(SeparationError, match="no pitched notes"):
        separate(Music(tracks=[Track(is_drum=True, notes=[Note(0, 36, 1)])]), "closest-pitch")
    with pytest.raises(SeparationError, match="no pitched notes"):
        separate(Music(), "closest-pitch")
    four_parts = make_estimator("zone").fit(X, [labels * 3 for labels in y])  # labels 0 and 3: 4 parts
    with pytest.raises(SeparationError, match="4 parts but the ensemble has only 2"):
        separate(piano_piece(), four_parts, ensemble="piano_duet")
    with pytest.raises(SeparationError, match="oracle"):
        separate(piano_piece(), make_estimator("zone-oracle").fit(X, y))
    with pytest.raises(SeparationError, match="trained first"):
        separate(piano_piece(), "mlp")
    with pytest.raises(SeparationError, match="unknown ensemble"):
        separate(piano_piece(), "closest-pitch", ensemble="kazoo_orchestra")
    with pytest.raises(SeparationError, match="fitted"):
        separate(piano_piece(), ClosestPitchSeparator())


def test_cli_separate_reads_and_writes_files(tmp_path, capsys):
    from muspy_like.io import read, write

    source = tmp_path / "piano.mid"
    write(source, piano_piece())
    target = tmp_path / "duet.mid"
    assert main(["separate", str(source), str(target), "--method", "closest-pitch-mono",
                 "--ensemble", "piano_duet"]) == 0
    result = read(target)
    pitched = [t for t in result.tracks if not t.is_drum]
    assert sorted(t.notes.pitch.tolist() for t in pitched) == [[48, 50, 48], [72, 71, 72]]
    assert "Primo: 3" in capsys.readouterr().out


def test_cli_train_and_errors(tmp_path, capsys, bach):
    model_path = tmp_path / "cp.json"
    assert main(["separation", "train", "--dataset", "bach", "--method", "closest-pitch-mono",
                 "--out", str(model_path)]) == 0
    out = capsys.readouterr().out
    assert "test notes (fixed split)" in out and model_path.exists()
    assert isinstance(load_model(model_path), ClosestPitchSeparator)
    assert main(["separate", str(tmp_path / "missing.mid"), str(tmp_path / "x.mid"), "--model",
                 str(model_path)]) == 2


def test_cli_evaluate_writes_the_table(tmp_path, capsys, bach):
    json_path, markdown_path = tmp_path / "r.json", tmp_path / "r.md"
    assert main(["separation", "evaluate", "--splits", "2", "--methods", "zone", "zone-oracle", "--quiet",
                 "--json", str(json_path), "--markdown", str(markdown_path)]) == 0
    results = json.loads(json_path.read_text())
    assert results["dataset"]["n_notes"] == 96605 and results["seeds"] == [1, 2]
    rows = {row["method"]: row for row in results["summary"]}
    assert rows["zone"]["paper"] == 73.14 and rows["zone"]["n_splits"] == 2
    # The oracle chooses its zones on each test piece itself: on every split it can only do better.
    assert rows["zone-oracle"]["fixed"] >= rows["zone"]["fixed"]
    assert all(o >= z for o, z in zip(results["random"]["zone-oracle"], results["random"]["zone"]))
    assert "| zone | 73.14 |" in markdown_path.read_text()
    assert "| zone-oracle | 78.33 |" in capsys.readouterr().out


def test_model_files_carry_part_names_and_choose_the_ensemble(tmp_path, two_voice_pieces):
    X, y = two_voice_pieces(6, seed=15)
    three = make_estimator("zone").fit(X, [labels * 2 for labels in y])  # parts 0 and 2 of 3
    path = tmp_path / "nes.json"
    save_model(three, path, part_names=("pulse 1", "pulse 2", "triangle"))
    loaded = load_model(path)
    assert loaded.part_names_ == ("pulse 1", "pulse 2", "triangle")
    result = separate(piano_piece(), path)
    assert [(t.name, t.program) for t in result.tracks[:3]] == [(p.name, p.program) for p in ENSEMBLES["nes_voices"]]
    # Part names without a known ensemble name the tracks; an explicit ensemble wins.
    two = make_estimator("zone").fit(X, y)
    save_model(two, path, part_names=("melody", "bass line"))
    assert [t.name for t in separate(piano_piece(), path).tracks[:2]] == ["Melody", "Bass Line"]
    assert [t.name for t in separate(piano_piece(), path, ensemble="piano_duet").tracks[:2]] == ["Primo", "Secondo"]
    with pytest.raises(SeparationError, match="3 part names for a model of 2 parts"):
        save_model(two, path, part_names=("a", "b", "c"))


def test_default_ensembles_cover_every_dataset():
    from muspy_like.separation import DEFAULT_ENSEMBLES, RECIPES

    for recipe in RECIPES.values():
        ensemble = DEFAULT_ENSEMBLES[recipe.part_names]
        assert len(ENSEMBLES[ensemble]) == len(recipe.part_names)
    assert [p.program for p in ENSEMBLES["pop_band"]] == [0, 25, 33, 48, 61]


def test_model_files_cannot_import_other_modules(tmp_path, two_voice_pieces):
    X, y = two_voice_pieces(4, seed=16)
    path = tmp_path / "model.json"
    save_model(make_estimator("zone").fit(X, y), path)
    document = json.loads(path.read_text())
    assert document["module"] == "muspy_like.separation.zone"
    document.update(module="antigravity", estimator="Python")
    path.write_text(json.dumps(document))
    import sys

    with pytest.raises(SeparationError, match="unknown estimator 'Python'"):
        load_model(path)
    assert "antigravity" not in sys.modules


def test_cli_train_on_quartets_then_apply_and_its_alias(tmp_path, capsys, quartets):
    from muspy_like.io import read, write

    model_path = tmp_path / "quartet_zone.json"
    assert main(["separation", "train", "--dataset", "quartets-music21", "--method", "zone",
                 "--out", str(model_path)]) == 0
    assert "test notes (fixed split)" in capsys.readouterr().out
    assert load_model(model_path).part_names_ == ("violin 1", "violin 2", "viola", "cello")
    source = tmp_path / "piano.mid"
    write(source, piano_piece())
    outputs = []
    for command in (["separation", "apply"], ["separate"]):
        target = tmp_path / f"{command[-1]}.mid"
        assert main(command + [str(source), str(target), "--model", str(model_path)]) == 0
        outputs.append(read(target))
    assert [t.name for t in outputs[0].tracks[:4]] == ["Violin I", "Violin II", "Viola", "Cello"]
    assert [t.notes.pitch.tolist() for t in outputs[0].tracks] == [t.notes.pitch.tolist() for t in outputs[1].tracks]
