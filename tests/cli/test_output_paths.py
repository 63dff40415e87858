"""Every command follows one rule for its outputs and reports a mistake as one line naming the user's path.

The rule (docs/getting-started.md): a file you name goes into a folder that must exist; a folder you name
is created unless a file is in its way. Mistakes are caught before any long work and end with status 2.
"""

from __future__ import annotations

import pytest

from muspy_like.cli import main


def _run(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


def _assert_one_line_naming(err: str, path) -> None:
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert str(path) in err


@pytest.fixture
def song(midi_dir):
    return str(midi_dir / "fur-elise.mid")


@pytest.mark.parametrize(
    "command",
    [
        ["separation", "train", "--dataset", "bach", "--method", "zone", "--out", "{missing}/model.json"],
        ["separation", "evaluate", "--dataset", "bach", "--json", "{missing}/results.json"],
        ["separation", "evaluate", "--dataset", "bach", "--markdown", "{missing}/results.md"],
        ["separation", "apply", "{song}", "{missing}/parts.mid", "--method", "closest-pitch"],
        ["separate", "{song}", "{missing}/parts.mid", "--method", "closest-pitch"],
        ["convert", "{song}", "{missing}/song.json"],
    ],
    ids=lambda command: " ".join(command[:2]),
)
def test_a_file_in_a_missing_folder_is_refused_before_any_work(capsys, tmp_path, song, command):
    missing = tmp_path / "nodir"
    args = [part.format(missing=missing, song=song) for part in command]
    code, err = _run(capsys, *args)
    assert code == 2
    _assert_one_line_naming(err, missing)
    assert "does not exist" in err
    assert not missing.exists()


@pytest.mark.parametrize(
    "command",
    [["quickstart", "--out", "{target}"]],
    ids=["quickstart"],
)
def test_an_output_folder_that_is_a_file_is_refused(capsys, tmp_path, command):
    target = tmp_path / "results"
    target.write_text("a file, not a folder")
    code, err = _run(capsys, *[part.format(target=target) for part in command])
    assert code == 2
    _assert_one_line_naming(err, target)
    assert target.read_text() == "a file, not a folder"


def test_updating_a_missing_markdown_file_is_a_one_line_error(capsys, tmp_path):
    missing = tmp_path / "missing.md"
    code, err = _run(capsys, "datasets", "table", "--update", str(missing))
    assert code == 2
    _assert_one_line_naming(err, missing)
    assert not missing.exists()


@pytest.mark.parametrize("value", ["-1", "0", "two"])
def test_quickstart_refuses_a_meaningless_number_of_pieces(capsys, tmp_path, value):
    with pytest.raises(SystemExit) as caught:
        main(["quickstart", "--out", str(tmp_path / "q"), "--pieces", value])
    assert caught.value.code == 2
    assert "--pieces" in capsys.readouterr().err
    assert not (tmp_path / "q").exists()
