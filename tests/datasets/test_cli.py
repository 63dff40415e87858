"""``muspy-like datasets``: list, info, download and convert, against a local server."""

from __future__ import annotations

import json

import yaml

from muspy_like.cli import main
from muspy_like.datasets import read_marker

from dataset_testing import source_for, zip_bytes


def run(capsys, *argv):
    code = main(["datasets", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_marks_unverified_entries(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert "UNVERIFIED" in lines["pop909"]
    assert "sha256+md5" in lines["lmd_full"] and "1.77 GB" in lines["lmd_full"]
    code, out, _ = run(capsys, "list", "--json")
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["pop909"]["verified"] is False and rows["nottingham"]["size"] == 142934


def test_info_prints_citation(capsys):
    code, out, _ = run(capsys, "info", "maestro")
    assert code == 0
    assert "name:            maestro_v3" in out
    assert "@inproceedings{hawthorne2019enabling," in out
    assert "CC BY-NC-SA 4.0" in out


def test_info_lists_sources_and_mirrors(capsys):
    code, out, _ = run(capsys, "info", "nes_mdb")
    assert code == 0
    assert "source:          https://drive.google.com/uc?export=download&id=1w2uo1Cmio4gz6nGUhZOtzF54kPkoKyo7 [tar.gz, verified]" in out
    assert "  mirror:        https://drive.usercontent.google.com/download?id=1w2uo1Cmio4gz6nGUhZOtzF54kPkoKyo7" in out
    assert "license:         MIT" in out


def test_unknown_dataset_is_a_clear_error(capsys):
    code, _, err = run(capsys, "info", "nope")
    assert code == 2 and "unknown dataset 'nope'" in err


def test_download_then_convert_a_dataset_of_your_own(capsys, server, tmp_path, midi_files):
    members = {f"toy/{p.name}": p.read_bytes() for p in midi_files[:4]}
    members["toy/zz-broken.mid"] = b"MThd broken"
    data = zip_bytes(members)
    server.add("/toy.zip", data=data)
    source = source_for(data, server.url("/toy.zip"), name="toy.zip", archive="zip")
    entry = {
        "name": "toy", "title": "Toy", "description": "Test set", "homepage": "http://127.0.0.1/",
        "license": "CC0", "format": "midi", "download": "archive", "files": "**/*.mid",
        "sources": [{"url": source.url, "filename": source.filename, "archive": "zip", "size": source.size,
                     "sha256": source.sha256}],
    }
    catalog_file = tmp_path / "toy.yaml"
    catalog_file.write_text(yaml.safe_dump(entry))
    root, cache = tmp_path / "root", tmp_path / "cache"

    code, out, err = run(capsys, "download", str(catalog_file), "--root", str(root))
    assert code == 0 and "toy: 5 pieces" in out
    assert "toy.zip" in err  # the progress bar
    assert read_marker(root)["sources"][0]["verified"] is True

    code, out, _ = run(capsys, "verify", "--root", str(root))
    assert code == 0 and "toy: 5 files checked; all files match the manifest" in out
    (root / "data" / "toy" / midi_files[0].name).write_bytes(b"changed")
    code, out, _ = run(capsys, "verify", "--root", str(root))
    assert code == 1 and f"toy/{midi_files[0].name}: changed since installation" in out
    (root / "data" / "toy" / midi_files[0].name).write_bytes(midi_files[0].read_bytes())

    code, out, _ = run(
        capsys, "convert", str(catalog_file), "--root", str(root), "--cache", str(cache), "-j", "2", "--no-progress"
    )
    assert code == 1  # one piece failed: reported, exit status says so
    assert "4 of 5 pieces converted" in out and "failed: toy/zz-broken.mid" in out
    index = json.loads((cache / "index.json").read_text())
    assert [e["ok"] for e in index["pieces"]] == [True] * 4 + [False]


def test_table_update_rewrites_between_markers(capsys, tmp_path):
    from muspy_like.datasets.catalog import TABLE_END, TABLE_START, catalog_table

    page = tmp_path / "page.md"
    page.write_text(f"# Title\n\n{TABLE_START}\n| stale |\n{TABLE_END}\n\nafter\n")
    code, out, _ = run(capsys, "table", "--update", str(page))
    assert code == 0 and "updated" in out
    assert page.read_text() == f"# Title\n\n{TABLE_START}\n{catalog_table()}\n{TABLE_END}\n\nafter\n"
    code, out, _ = run(capsys, "table", "--update", str(page))
    assert "already up to date" in out
    page.write_text("no markers")
    code, _, err = run(capsys, "table", "--update", str(page))
    assert code == 2 and "markers" in err


def test_convert_of_a_music21_composer_without_pieces_is_an_error(capsys, tmp_path):
    code, out, err = run(capsys, "convert", "music21:nobody", "--cache", str(tmp_path / "cache"), "--no-progress")
    assert code == 2 and out == ""
    assert err.strip() == (
        "muspy-like: error: music21:nobody: music21's corpus has no piece by or in 'nobody' "
        "(try music21:bach, music21:beethoven, music21:essenFolksong ...)"
    )
    assert not (tmp_path / "cache").exists()
    code, _, err = run(capsys, "convert", "maestro:chopin", "--cache", str(tmp_path / "cache"))
    assert code == 2 and "NAME:PART is only for music21" in err


def test_not_downloaded_hints_name_commands_not_python(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MUSPY_LIKE_DATA", str(tmp_path / "home"))
    code, _, err = run(capsys, "info", "maestro", "--root", str(tmp_path / "nowhere"))
    assert code == 2
    assert err.strip() == (
        f"muspy-like: error: maestro_v3 is not downloaded into {tmp_path / 'nowhere'}; download it with: "
        f"muspy-like datasets download maestro_v3 --root {tmp_path / 'nowhere'}"
    )
    code = main(["stats", "maestro", "--out", str(tmp_path / "stats")])  # an alias, in the default folder
    err = capsys.readouterr().err
    assert code == 2 and "not a catalog dataset" not in err and "get_dataset" not in err
    assert err.strip().endswith("download it with: muspy-like datasets download maestro_v3")


def test_download_from_a_local_file_with_a_deadline(capsys, server, tmp_path, midi_files, monkeypatch):
    data = zip_bytes({f"toy/{p.name}": p.read_bytes() for p in midi_files[:3]})
    server.add("/gone.zip", mode="status", status=404)
    source = source_for(data, server.url("/gone.zip"), name="toy.zip", archive="zip")
    entry = {
        "name": "toy", "title": "Toy", "description": "Test set", "homepage": "http://127.0.0.1/",
        "license": "CC0", "format": "midi", "download": "archive", "files": "**/*.mid",
        "sources": [{"url": source.url, "filename": "toy.zip", "archive": "zip", "size": source.size, "sha256": source.sha256}],
    }
    catalog_file = tmp_path / "toy.yaml"
    catalog_file.write_text(yaml.safe_dump(entry))
    code, _, err = run(capsys, "download", str(catalog_file), "--root", str(tmp_path / "r1"), "--retries", "0", "--no-progress")
    assert code == 2 and err.startswith(f"muspy-like: error: toy (catalog file {catalog_file}): toy.zip: download failed")
    (tmp_path / "toy.zip").write_bytes(data)
    monkeypatch.setenv("MUSPY_LIKE_DATA", str(tmp_path / "home"))  # no --root: DATA_HOME/NAME
    code, out, _ = run(capsys, "download", str(catalog_file), "--from", str(tmp_path / "toy.zip"), "--deadline", "30",
                       "--no-progress")
    assert code == 0 and f"toy: 3 pieces in {tmp_path / 'home' / 'toy' / 'data'}" in out
    code, _, err = run(capsys, "download", str(catalog_file), "--deadline", "0")
    assert code == 2 and "--deadline must be positive" in err
