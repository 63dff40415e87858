"""Conversion: identical caches inline, on processes and on a dask LocalCluster; failures reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from muspy_like.datasets import CachedDataset, FolderDataset, Music21Dataset, convert
from muspy_like.datasets.cache import load_arrays, save_arrays
from muspy_like.errors import DatasetError
from muspy_like.io import native


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def chorales():
    return Music21Dataset("bach", extensions=[".mxl"])[:10]


@pytest.fixture(scope="module")
def inline_cache(chorales, tmp_path_factory):
    folder = tmp_path_factory.mktemp("inline")
    report = chorales.convert(folder, n_jobs=1, progress=False)
    assert report.ok and report.converted == len(chorales)
    return folder


def test_cache_loads_the_same_music_as_the_sources(chorales, inline_cache):
    cached = CachedDataset(inline_cache)
    assert len(cached) == len(chorales)
    for i in range(len(chorales)):
        expected = native.to_dict(chorales[i])
        assert native.to_dict(cached[i]) == expected
        assert native.to_dict(cached.read_json(i)) == expected
        assert cached.source(i) == chorales.label(i)


def test_index_maps_back_to_sources(chorales, inline_cache):
    index = json.loads((inline_cache / "index.json").read_text())
    assert [e["path"] for e in index["pieces"]] == [p.path for p in chorales.pieces]
    for entry, piece in zip(index["pieces"], chorales.pieces):
        assert entry["ok"] is True
        assert entry["notes"] == chorales.read(chorales.pieces.index(piece)).n_notes
    assert json.loads((inline_cache / "failures.json").read_text()) == []


def test_processes_give_an_identical_cache(chorales, inline_cache, tmp_path):
    convert(chorales, tmp_path, n_jobs=2, progress=False)
    assert tree(tmp_path) == tree(inline_cache)


def test_dask_local_cluster_gives_an_identical_cache(chorales, inline_cache, tmp_path):
    import distributed

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            report = chorales.convert(tmp_path, executor=client.get_executor(), progress=False)
    assert report.ok
    assert tree(tmp_path) == tree(inline_cache)


def test_failures_are_reported_not_swallowed(tmp_path, midi_files):
    source = tmp_path / "src"
    source.mkdir()
    for path in midi_files[:3]:
        (source / path.name).write_bytes(path.read_bytes())
    (source / "zz-broken.mid").write_bytes(b"MThd\x00\x00\x00\x06 truncated")
    dataset = FolderDataset(source)
    report = dataset.convert(tmp_path / "cache", n_jobs=2, progress=False)
    assert report.converted == 3 and len(report.failures) == 1
    assert report.sources == ["zz-broken.mid"]
    assert report.failures[0].exception_type.startswith("muspy_like.errors.")
    saved = json.loads((tmp_path / "cache" / "failures.json").read_text())
    assert saved == [{"source": "zz-broken.mid", "exception": report.failures[0].exception_type,
                      "message": report.failures[0].message}]
    assert "zz-broken.mid" in saved[0]["message"]
    cached = CachedDataset(tmp_path / "cache")
    assert len(cached) == 3
    index = json.loads((tmp_path / "cache" / "index.json").read_text())
    assert [e["ok"] for e in index["pieces"]] == [True, True, True, False]
    assert "3 of 4 pieces converted" in report.summary()


def test_cached_dataset_splits_keep_keys_aligned(inline_cache, chorales):
    cached = CachedDataset(inline_cache)
    train, test = cached.split([0.7, 0.3], seed=1)
    for part in (train, test):
        for i in range(len(part)):
            original = chorales.pieces.index(part.pieces[i])
            assert native.to_dict(part[i]) == native.to_dict(chorales[original])


def test_array_file_round_trip_with_every_event_kind(tmp_path, midi_dir):
    from muspy_like import PitchBendArray
    from muspy_like.io import read

    music = read(midi_dir / "fur-elise.mid")  # notes, control changes (pedal), tempos, two tracks
    music.tracks[1].pitch_bends = PitchBendArray.from_columns(time=[0, 480, 960], value=[-8192, 0, 8191])
    assert all(len(getattr(music.tracks[1], kind)) for kind in ("notes", "control_changes", "pitch_bends"))
    save_arrays(tmp_path / "piece.bin", music)
    assert native.to_dict(load_arrays(tmp_path / "piece.bin")) == native.to_dict(music)
    save_arrays(tmp_path / "again.bin", music)
    assert (tmp_path / "again.bin").read_bytes() == (tmp_path / "piece.bin").read_bytes()


def test_damaged_cache_files_are_reported(tmp_path, inline_cache):
    with pytest.raises(DatasetError, match="index.json"):
        CachedDataset(tmp_path)
    (tmp_path / "x.bin").write_bytes(b"not a cache file")
    with pytest.raises(DatasetError, match="x.bin"):
        load_arrays(tmp_path / "x.bin")
    some = sorted((inline_cache / "arrays").rglob("*.bin"))[0].read_bytes()
    (tmp_path / "cut.bin").write_bytes(some[: len(some) // 2])
    with pytest.raises(DatasetError, match="cut.bin"):
        load_arrays(tmp_path / "cut.bin")


def _copies(folder: Path, sources: list, n: int) -> Path:
    """``n`` copies of real MIDI files under distinct names (a corpus of many small files)."""
    folder.mkdir()
    for i in range(n):
        source = sources[i % len(sources)]
        (folder / f"{i:04d}-{source.name}").write_bytes(source.read_bytes())
    return folder


def _journal_lines(cache: Path) -> int:
    try:
        return len((cache / "progress.jsonl").read_text().splitlines()) - 1
    except OSError:
        return 0


def test_killed_conversion_resumes_without_redoing_finished_pieces(tmp_path, midi_files):
    """Kill a conversion of 150 files mid-way (SIGKILL), run it again: only the rest is converted."""
    import os
    import signal
    import subprocess
    import sys
    import time

    source = _copies(tmp_path / "src", midi_files, 150)
    cache = tmp_path / "cache"
    script = (
        "import sys; from muspy_like.datasets import FolderDataset, convert; "
        "convert(FolderDataset(sys.argv[1]), sys.argv[2], n_jobs=1, progress=False)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen([sys.executable, "-c", script, str(source), str(cache)], env=env)
    deadline = time.monotonic() + 120
    while _journal_lines(cache) < 20 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (cache / "index.json").exists(), "the conversion finished before it could be killed"
    finished = _journal_lines(cache)
    assert 20 <= finished < 150
    written = {p: p.stat().st_mtime_ns for p in (cache / "arrays").rglob("*.bin")}

    report = convert(FolderDataset(source), cache, n_jobs=1, progress=False)
    assert report.ok and report.total == 150, report.summary()
    assert finished - 1 <= report.reused <= finished, (finished, report.summary())  # last line may be cut
    assert report.converted == 150 - report.reused
    kept = {path for path, mtime in written.items() if path.stat().st_mtime_ns == mtime}
    assert len(kept) >= report.reused, (len(kept), report.reused)  # the finished pieces were not written again
    assert not (cache / "progress.jsonl").exists()
    fresh = tmp_path / "fresh"
    convert(FolderDataset(source), fresh, n_jobs=1, progress=False)
    assert tree(cache) == tree(fresh)  # the resumed cache is the cache a single run writes


def test_resume_reconverts_changed_and_failed_pieces_only(tmp_path, midi_files):
    source = _copies(tmp_path / "src", midi_files, 6)
    (source / "zz-broken.mid").write_bytes(b"MThd\x00\x00\x00\x06 truncated")
    cache = tmp_path / "cache"
    first = convert(FolderDataset(source), cache, progress=False)
    assert (first.converted, first.reused, len(first.failures)) == (6, 0, 1)
    again = convert(FolderDataset(source), cache, progress=False)
    assert (again.converted, again.reused, len(again.failures)) == (0, 6, 1)  # the failure is tried again
    changed = sorted(source.glob("0001-*"))[0]
    changed.write_bytes(midi_files[-1].read_bytes())
    third = convert(FolderDataset(source), cache, progress=False)
    assert (third.converted, third.reused) == (1, 5)
    assert CachedDataset(cache)[1].n_notes == FolderDataset(source)[1].n_notes
    assert convert(FolderDataset(source), cache, progress=False, resume=False).converted == 6


def test_a_broken_tune_fails_alone_with_its_number_and_line(tmp_path, testdata_dir):
    book = (testdata_dir / "abc" / "tunebook.abc").read_text()
    broken = "X:5\nT:Broken\nM:4/4\nK:C\nc'''''2 D |\n"  # MIDI pitch 132: refused with a clear reason
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "book.abc").write_text(book.rstrip("\n") + "\n\n" + broken + "\n" + book.replace("X:1", "X:6", 1))
    dataset = FolderDataset(tmp_path / "src")
    report = dataset.convert(tmp_path / "cache", progress=False)
    assert report.converted == 4 and report.sources == ["book.abc#2"]
    message = report.failures[0].message
    line = 1 + (book.rstrip("\n") + "\n\n").count("\n")
    assert f"book.abc: tune X:5 (line {line})" in message and "outside MIDI's range" in message
    assert [CachedDataset(tmp_path / "cache")[i].metadata.title for i in range(4)] == [
        "Untitled Reel", "Kitchen Girl", "Untitled Reel", "Kitchen Girl"
    ]


def test_piece_files_are_spread_over_shard_folders(chorales, inline_cache):
    """Version 2 layout: json/<last two digits>/<key>.json and arrays/<same>/<key>.bin, nothing else."""
    cached = CachedDataset(inline_cache)
    assert cached.version == 2
    for kind, suffix in (("json", ".json"), ("arrays", ".bin")):
        files = sorted((inline_cache / kind).rglob("*" + suffix))
        assert [p.relative_to(inline_cache / kind).as_posix() for p in files] == [
            f"{key[-2:]}/{key}{suffix}" for key in cached.keys
        ]
        assert files == [cached.path(i, kind) for i in range(len(cached))]


def test_a_version_1_cache_is_read_and_converted_again_sharded(chorales, inline_cache, tmp_path):
    """A cache written by an older release (flat folders, version 1) loads; converting over it reshards it."""
    import shutil

    old = tmp_path / "old"
    shutil.copytree(inline_cache, old)
    index = json.loads((old / "index.json").read_text())
    index["version"] = 1
    (old / "index.json").write_text(json.dumps(index))
    for kind in ("json", "arrays"):
        for path in list((old / kind).rglob("*.*")):
            path.rename(old / kind / path.name)
        for shard in [p for p in (old / kind).iterdir() if p.is_dir()]:
            shard.rmdir()
    cached = CachedDataset(old)
    assert cached.version == 1
    assert [native.to_dict(cached[i]) for i in range(len(cached))] == [
        native.to_dict(chorales[i]) for i in range(len(chorales))
    ]
    report = convert(chorales, old, progress=False)
    assert report.ok and report.converted == len(chorales) and report.reused == 0
    assert tree(old) == tree(inline_cache)  # no flat file left behind


def test_a_cache_of_an_unknown_version_is_refused(inline_cache, tmp_path):
    import shutil

    other = tmp_path / "other"
    shutil.copytree(inline_cache, other)
    index = json.loads((other / "index.json").read_text())
    index["version"] = 99
    (other / "index.json").write_text(json.dumps(index))
    with pytest.raises(DatasetError, match="version this release reads"):
        CachedDataset(other)
