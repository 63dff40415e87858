"""ABC tune books in the commands: info lists the tunes, --tune picks one, stats reads every tune.

(Dataset conversion of tune books: ``tests/datasets/test_cache.py``.)
"""

from __future__ import annotations

import json

import pytest

from muspy_like.cli import main

BROKEN = "X:5\nT:Broken\nM:4/4\nK:C\nc'''''2 D |\n"  # MIDI pitch 132: cannot be read


@pytest.fixture()
def book(tmp_path, testdata_dir):
    """The two tunes of MusPy's tune book, then a broken tune X:5 (line 25), then the two again as X:6, X:7."""
    text = (testdata_dir / "abc" / "tunebook.abc").read_text().rstrip("\n")
    again = text.replace("X:1", "X:6", 1).replace("X:2", "X:7", 1)
    path = tmp_path / "folder" / "book.abc"
    path.parent.mkdir()
    path.write_text(f"{text}\n\n{BROKEN}\n{again}\n")
    return path


def test_info_lists_the_tunes_and_the_broken_one(book, capsys):
    assert main(["info", str(book)]) == 0
    out = capsys.readouterr().out
    assert "5 (1 cannot be read)" in out
    assert "Kitchen Girl" in out and "--tune N" in out
    line = 1 + book.read_text().split(BROKEN)[0].count("\n")
    assert f"book.abc: tune X:5 (line {line}): note" in out
    assert main(["info", str(book), "--json"]) == 0
    tunes = json.loads(capsys.readouterr().out)["tunes"]
    assert [t["number"] for t in tunes] == [1, 2, 5, 6, 7] and "error" in tunes[2]


def test_info_and_convert_pick_one_tune(book, tmp_path, capsys):
    assert main(["info", str(book), "--tune", "7", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Kitchen Girl"
    assert main(["info", str(book), "--tune", "9"]) == 2
    assert "no tune with reference number X:9" in capsys.readouterr().err
    assert main(["convert", str(book), str(tmp_path / "one.mid")]) == 2
    assert "--tune N" in capsys.readouterr().err and not (tmp_path / "one.mid").exists()
    assert main(["convert", str(book), str(tmp_path / "one.mid"), "--tune", "2"]) == 0
    assert "93 notes, read back with the same count" in capsys.readouterr().out


def test_tune_option_is_for_abc_files_only(midi_dir, capsys):
    assert main(["info", str(midi_dir / "chords.mid"), "--tune", "1"]) == 2
    assert "--tune applies to ABC files only" in capsys.readouterr().err


def test_stats_describes_every_tune_and_lists_the_broken_one(book):
    # What ``muspy-like stats FOLDER`` computes (the command adds plots and the page around it).
    from muspy_like.statistics import compute_statistics, resolve_sources

    sources = resolve_sources([book.parent])
    assert [s.describe() for s in sources] == [f"{book}#{k}" for k in range(5)]
    stats = compute_statistics(sources, progress=False)
    assert len(stats) == 4 and stats.column("title") == ["Untitled Reel", "Kitchen Girl"] * 2
    (failure,) = stats.failures
    assert failure.index == 2 and "tune X:5 (line" in failure.message
