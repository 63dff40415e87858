"""The paper's downloadable datasets end to end: replicas in each real layout, served over HTTP on
127.0.0.1, downloaded, built with the paper's rules and evaluated; and what happens without the data."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from muspy_like.cli import main
from muspy_like.datasets import get_spec
from muspy_like.errors import DatasetNotInstalledError
from muspy_like.separation import SeparationDataset, evaluate_baselines, load_dataset, music_to_notes
from muspy_like.separation.recipes import build_dataset, dataset_cache_path, get_recipe
from muspy_like.separation.recipes.build import build_recipe

from replicas import serve

def labelled(notes, labels):
    return sorted(zip(map(tuple, notes[:, :4].tolist()), labels.tolist()))


def write_catalog_file(spec, path):
    """The real catalog entry with the spec's (local) sources, as a catalog YAML file of the user's own."""
    entry = yaml.safe_load(spec.path.read_text(encoding="utf-8"))
    entry["sources"] = [{k: v for k, v in vars(source).items() if v not in (None, ())} for source in spec.sources]
    path.write_text(yaml.safe_dump(entry), encoding="utf-8")
    return path


def served_musicnet(server, replicas):
    replica = replicas["musicnet"]
    return serve(server, "musicnet", {"musicnet_midis.tar.gz": replica["archive"],
                                      "musicnet_metadata.csv": replica["metadata"]})


# -- MusicNet ----------------------------------------------------------------------------------------
def test_musicnet_not_downloaded_is_one_line_with_the_command(tmp_path):
    with pytest.raises(DatasetNotInstalledError) as caught:
        load_dataset("musicnet", data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    root = tmp_path / "data" / "musicnet"
    command = f"muspy-like datasets download musicnet --root {root}"
    for message in (str(caught.value), caught.value.cli_message):
        assert "\n" not in message and command in message
    assert "load_dataset('musicnet', download=True)" in str(caught.value)
    assert caught.value.name == "musicnet" and caught.value.root == str(root)
    assert not (tmp_path / "cache").exists()


def test_musicnet_download_build_and_evaluate(server, tmp_path, replicas):
    replica = replicas["musicnet"]
    spec = served_musicnet(server, replicas)
    options = {"data_dir": tmp_path / "data", "cache_dir": tmp_path / "cache"}
    dataset = load_dataset("musicnet", download=True, specs={"musicnet": spec}, **options)
    # The metadata chose the string quartets; the Bach solo sonata is not one, even with matching tracks.
    assert dataset.names == sorted(replica["expected"])
    assert dataset.info["skipped"] == {"no-part": 1, "too-few-notes": 1}
    assert {(name, reason) for name, reason, _ in dataset.info["skipped_items"]} == set(replica["skipped"].items())
    # Each kept piece holds exactly the notes of its file, each in the part of its track: named tracks by
    # the released rule ("Violino II" is the second violin), Dvorak op. 96 by track position (8 tracks).
    for name, notes, labels in zip(dataset.names, dataset.notes, dataset.labels):
        written, part_of_track = replica["expected"][name]
        expected_notes, expected_labels = music_to_notes(written, part_of_track)
        assert np.array_equal(notes, expected_notes), name
        # (Unisons of two parts may come in either order: compare the labelled notes as sets.)
        assert labelled(notes, labels) == labelled(expected_notes, expected_labels), name
    # Two recordings of one movement stay on the same side of every split.
    twins = [dataset.names.index("2494_qt0_1"), dataset.names.index("2495_qt0_1")]
    for split in [dataset.fixed_split()] + dataset.random_splits(10):
        sides = [[index in part for part in split[:3]] for index in twins]
        assert sides[0] == sides[1]
    results = evaluate_baselines("musicnet", n_splits=3, methods=["zone", "zone-oracle", "closest-pitch"],
                                 load_options=options)
    assert results.dataset["paper"] == "String" and results.dataset["n_pieces"] == 5
    assert all(o >= z for o, z in zip(results.random["zone-oracle"], results.random["zone"]))
    assert "| zone | 58.85 |" in results.to_markdown()


def test_musicnet_cache_is_reused_until_the_data_changes(server, tmp_path, replicas):
    spec = served_musicnet(server, replicas)
    options = {"data_dir": tmp_path / "data", "cache_dir": tmp_path / "cache"}
    load_dataset("musicnet", download=True, specs={"musicnet": spec}, **options)
    header = dataset_cache_path("musicnet", tmp_path / "cache") / "header.json"
    built = header.stat().st_mtime_ns
    load_dataset("musicnet", **options)
    assert header.stat().st_mtime_ns == built
    # Another download (a new manifest) invalidates the cache.
    marker = tmp_path / "data" / "musicnet" / "muspy_like.complete.json"
    record = json.loads(marker.read_text())
    record["manifest_sha256"] = "0" * 64
    marker.write_text(json.dumps(record))
    load_dataset("musicnet", **options)
    assert header.stat().st_mtime_ns != built


# -- NES-MDB through the command line ----------------------------------------------------------------
def test_nes_download_build_evaluate_on_the_command_line(server, tmp_path, replicas, capsys):
    replica = replicas["nes"]
    spec = serve(server, "nes_mdb", {"nesmdb_midi.tar.gz": replica["archive"]})
    catalog_file = write_catalog_file(spec, tmp_path / "nes_mdb.yaml")
    data, cache = tmp_path / "data", tmp_path / "cache"
    assert main(["datasets", "download", str(catalog_file), "--root", str(data / "nes_mdb"), "--no-progress"]) == 0
    assert main(["separation", "build", "--dataset", "nes", "--data-dir", str(data), "--cache-dir", str(cache)]) == 0
    out = capsys.readouterr().out
    assert "nes: 6 pieces" in out and "1 no-part" in out and "1 too-few-notes" in out
    dataset = load_dataset("nes", data_dir=data, cache_dir=cache)
    for name, notes, labels in zip(dataset.names, dataset.notes, dataset.labels):
        split, song = replica["expected"][name]
        assert dataset.split_labels[dataset.names.index(name)] == split
        # 50 steps per second (22,050 ticks per quarter at 120 qpm: 882 ticks a step), velocity 64, no noise.
        expected, expected_labels = music_to_notes(song, {"p1": 0, "p2": 1, "tr": 2}, frame_rate=50)
        assert np.array_equal(notes[:, :3], expected[:, :3]) and np.array_equal(labels, expected_labels)
        first = song.tracks[0].notes
        assert notes[labels == 0][0, 0] == round(int(first.time[0]) / 882)
        assert set(notes[:, 3].tolist()) == {64}
    out_json = tmp_path / "nes.json"
    assert main(["separation", "evaluate", "--dataset", "nes", "--data-dir", str(data), "--cache-dir", str(cache),
                 "--splits", "2", "--methods", "zone", "closest-pitch", "--quiet", "--json", str(out_json)]) == 0
    results = json.loads(out_json.read_text())
    assert results["dataset"]["official_split"] and results["dataset"]["paper"] == "Game"
    assert "| Method | Paper | Ours, official split |" in capsys.readouterr().out
    official = dataset.official_split()
    assert [dataset.names[i] for i in official.test] == ["421_Zelda_00_01Title"]


def test_nes_builds_the_same_on_a_dask_cluster(server, tmp_path, replicas):
    distributed = pytest.importorskip("distributed")
    replica = replicas["nes"]
    spec = serve(server, "nes_mdb", {"nesmdb_midi.tar.gz": replica["archive"]})
    inline = load_dataset("nes", data_dir=tmp_path / "data", cache_dir=tmp_path / "a", download=True,
                          specs={"nes_mdb": spec})
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        build_dataset("nes", data_dir=tmp_path / "data", cache_dir=tmp_path / "b", executor=client.get_executor())
    clustered = load_dataset("nes", data_dir=tmp_path / "data", cache_dir=tmp_path / "b")
    assert clustered.names == inline.names
    assert all(np.array_equal(a, b) for a, b in zip(clustered.notes, inline.notes))


# -- Lakh MIDI, LPD-cleansed -------------------------------------------------------------------------
def served_lmd(server, replicas):
    replica = replicas["lmd"]
    return {"lmd_matched": serve(server, "lmd_matched", {"lmd_matched.tar.gz": replica["archive"]}),
            "lpd_cleansed_ids": serve(server, "lpd_cleansed_ids", {"cleansed_ids.txt": replica["ids"]})}


def test_lmd_download_and_parallel_build(server, tmp_path, replicas):
    replica = replicas["lmd"]
    dataset = load_dataset("lmd", data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", download=True,
                           specs=served_lmd(server, replicas), n_jobs=2)
    # One piece per listed file, read from the path the list names (not the copy under another song).
    assert dataset.names == sorted(replica["expected"])
    for name, labels in zip(dataset.names, dataset.labels):
        assert np.bincount(labels, minlength=5).tolist() == replica["expected"][name]
    info = dataset.info
    assert info["skipped"] == {"no-part": 1, "too-long": 1, "missing": 1, "duplicate": 1}
    assert info["drum_notes"] == replica["drum_notes"] and info["files"] == 9
    assert dataset.part_names == ("piano", "guitar", "bass", "strings", "brass")
    results = evaluate_baselines(dataset, n_splits=2, methods=["zone", "closest-pitch-mono"])
    assert results.dataset["paper"] == "Pop" and "| zone | 57.07 |" in results.to_markdown()
    assert all(0 < score <= 100 for scores in results.random.values() for score in scores)


def test_lmd_chunks_do_not_change_the_result(server, tmp_path, replicas):
    recipe = get_recipe("lmd")
    folders = recipe.sources(tmp_path / "data", download=True, specs=served_lmd(server, replicas))
    build_recipe(recipe, folders, tmp_path / "one", chunk_size=1)
    build_recipe(recipe, folders, tmp_path / "many", chunk_size=256)
    one, many = SeparationDataset.load(tmp_path / "one"), SeparationDataset.load(tmp_path / "many")
    assert one.names == many.names and one.n_notes == many.n_notes
    assert all(np.array_equal(a, b) for a, b in zip(one.notes, many.notes))


def test_lmd_missing_downloads_name_both_commands(tmp_path, capsys):
    assert main(["separation", "build", "--dataset", "lmd", "--data-dir", str(tmp_path)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0
    assert f"muspy-like datasets download lmd_matched --root {tmp_path / 'lmd_matched'}" in error
    assert f"muspy-like datasets download lpd_cleansed_ids --root {tmp_path / 'lpd_cleansed_ids'}" in error


# -- the table of several datasets -------------------------------------------------------------------
def test_evaluation_table_keeps_a_column_for_data_not_downloaded(server, tmp_path, replicas, capsys):
    spec = served_musicnet(server, replicas)
    data, cache = tmp_path / "data", tmp_path / "cache"
    load_dataset("musicnet", data_dir=data, cache_dir=cache, download=True, specs={"musicnet": spec})
    markdown = tmp_path / "table.md"
    assert main(["separation", "evaluate", "--dataset", "musicnet", "nes", "--data-dir", str(data),
                 "--cache-dir", str(cache), "--splits", "2", "--methods", "zone", "zone-oracle", "--quiet",
                 "--markdown", str(markdown)]) == 0
    table = markdown.read_text()
    assert table == capsys.readouterr().out
    header, _, sizes, zone, oracle = table.splitlines()[:5]
    assert header == "| Method | musicnet | nes |"
    assert zone.startswith("| zone | ") and zone.endswith("[paper 58.85] | not downloaded |")
    assert f"* nes: nes: not downloaded (nes_mdb in {data / 'nes_mdb'}); download with: muspy-like datasets " \
           f"download nes_mdb --root {data / 'nes_mdb'}" in table


def test_catalog_entries_the_recipes_read():
    assert [s.filename for s in get_spec("musicnet").sources] == ["musicnet_midis.tar.gz", "musicnet_metadata.csv"]
    ids = get_spec("lpd_cleansed_ids")
    assert ids.sources[0].filename == "cleansed_ids.txt" and ids.checksum_status == "unverified"
    assert get_spec("nes_mdb").splits.kind == "folders"
