"""get_dataset end to end: a local server serves real archives of the shared MIDI files."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import multiprocessing
import pickle
import re
import tarfile

import pytest
import yaml

from muspy_like.datasets import FolderDataset, get_dataset, read_marker, verify_installation
from muspy_like.datasets.catalog import SourceSpec, load_spec, spec_from_dict
from muspy_like.datasets.download import DownloadOptions, file_digests
from muspy_like.errors import (
    ArchiveSizeError,
    ChecksumError,
    DatasetError,
    DatasetNotInstalledError,
    DownloadError,
    UnsafeArchiveError,
)
from muspy_like.io import read

from dataset_testing import source_for, zip_bytes

FAST = DownloadOptions(timeout=2.0, retries=1, backoff=0.01, progress=False)
SPLITS = ("train", "valid", "test")


def spec_for(source, **fields):
    entry = {
        "name": "toy", "title": "Toy chorales", "description": "A test set.", "homepage": "http://127.0.0.1/",
        "license": "CC0", "format": "midi", "download": "archive", "files": "**/*.mid",
        "citation": "@misc{toy, title={Toy}}",
    }
    entry.update(fields)
    entry["sources"] = [{k: v for k, v in dataclasses.asdict(source).items() if v not in (None, ())}]
    spec = spec_from_dict(entry)
    assert spec.sources == (source,)
    return spec


@pytest.fixture
def folder_archive(midi_files):
    """A zip with the real MIDI files spread over train/valid/test folders, and the expected layout."""
    layout = {f"toy/{SPLITS[i % 3]}/{path.name}": path for i, path in enumerate(midi_files)}
    members = {name: path.read_bytes() for name, path in layout.items()}
    members["toy/README.txt"] = b"not a piece"
    return zip_bytes(members), layout


def folder_spec(server, data, **fields):
    server.add("/toy.zip", data=data)
    source = source_for(data, server.url("/toy.zip"), name="toy.zip", archive="zip")
    splits = {"kind": "folders", "patterns": {s: f"**/{s}/*.mid" for s in SPLITS}}
    return spec_for(source, splits=splits, **fields)


def test_download_extract_read_and_official_splits(server, tmp_path, folder_archive):
    data, layout = folder_archive
    spec = folder_spec(server, data, reader={"resolution": 120})
    dataset = get_dataset(spec, tmp_path / "root", options=FAST)
    assert isinstance(dataset, FolderDataset)
    assert sorted(dataset.label(i) for i in range(len(dataset))) == sorted(layout)
    for index in range(len(dataset)):
        music = dataset[index]
        original = read(layout[dataset.label(index)])
        assert music.resolution == 120  # the reader option overrides the declared resolution ...
        assert [t.notes.time.tolist() for t in music.tracks] == [t.notes.time.tolist() for t in original.tracks]
    splits = dataset.official_splits()
    assert list(splits) == list(SPLITS)
    for name, part in splits.items():
        assert sorted(part.label(i) for i in range(len(part))) == sorted(k for k in layout if f"/{name}/" in k)
    assert dataset.citation().startswith("@misc{toy")
    assert dataset.info()["checksum"] == "sha256+md5"


def test_marker_records_what_was_verified(server, tmp_path, folder_archive):
    data, layout = folder_archive
    root = tmp_path / "root"
    get_dataset(folder_spec(server, data), root, options=FAST)
    marker = read_marker(root)
    assert marker["dataset"] == "toy"
    assert marker["files"] == len(layout) + 1  # the README too
    (source,) = marker["sources"]
    assert source["verified"] is True and source["checked"] == ["sha256", "md5"]
    manifest = (root / "manifest.tsv").read_text().splitlines()
    assert len(manifest) == marker["files"]
    assert verify_installation(root) == []
    first = sorted(layout)[0]
    (root / "data" / first).write_bytes(b"tampered")
    assert verify_installation(root) == [f"{first}: changed since installation"]


def test_complete_root_needs_no_network(server, tmp_path, folder_archive):
    data, _ = folder_archive
    spec = folder_spec(server, data)
    root = tmp_path / "root"
    first = get_dataset(spec, root, options=FAST)
    server.close()
    again = get_dataset(spec, root, download=False, options=FAST)
    assert again.pieces == first.pieces


def test_not_downloaded_with_download_false(tmp_path, server, folder_archive):
    with pytest.raises(DatasetError, match="download=True"):
        get_dataset(folder_spec(server, folder_archive[0]), tmp_path / "empty", download=False)


def test_wrong_checksum_never_marks_complete(server, tmp_path, folder_archive):
    data, _ = folder_archive
    server.add("/toy.zip", data=data)
    source = source_for(data, server.url("/toy.zip"), name="toy.zip", archive="zip", md5="0" * 32)
    root = tmp_path / "root"
    with pytest.raises(ChecksumError):
        get_dataset(spec_for(source), root, options=FAST)
    assert read_marker(root) is None
    assert not (root / "data").exists()
    assert not (root / "archives" / "toy.zip").exists()


def test_malicious_archive_leaves_no_data(server, tmp_path):
    data = zip_bytes({"toy/ok.mid": b"MThd", "../../escape.mid": b"owned"})
    server.add("/evil.zip", data=data)
    root = tmp_path / "nested" / "root"
    with pytest.raises(UnsafeArchiveError):
        source = source_for(data, server.url("/evil.zip"), name="evil.zip", archive="zip")
        get_dataset(spec_for(source), root, options=FAST)
    assert read_marker(root) is None and not (root / "data").exists()
    assert not (tmp_path / "escape.mid").exists() and not (tmp_path / "nested" / "escape.mid").exists()
    assert not [p for p in root.iterdir() if p.name.startswith(".data-staging") or p.name.startswith(".extract")]


def test_csv_official_split(server, tmp_path, midi_files):
    buffer = io.BytesIO()
    rows = [{"midi_filename": f"2018/{p.name}", "split": SPLITS[i % 3]} for i, p in enumerate(midi_files)]
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        for path in midi_files:
            bundle.add(path, arcname=f"set-v1/2018/{path.name}")
        table = io.StringIO()
        writer = csv.DictWriter(table, ["midi_filename", "split"])
        writer.writeheader()
        writer.writerows(rows)
        encoded = table.getvalue().encode()
        member = tarfile.TarInfo("set-v1/set-v1.csv")
        member.size = len(encoded)
        bundle.addfile(member, io.BytesIO(encoded))
    data = buffer.getvalue()
    server.add("/set.tar.gz", data=data)
    source = source_for(data, server.url("/set.tar.gz"), name="set.tar.gz", archive="tar.gz")
    splits = {"kind": "csv", "file": "**/set-v1.csv", "path_column": "midi_filename", "split_column": "split"}
    dataset = get_dataset(spec_for(source, splits=splits), tmp_path / "root", options=FAST)
    parts = dataset.official_splits()
    assert sorted(parts) == sorted(SPLITS)
    for name, part in parts.items():
        expected = sorted(f"set-v1/{r['midi_filename']}" for r in rows if r["split"] == name)
        assert sorted(part.label(i) for i in range(len(part))) == expected


def test_root_of_another_dataset_is_refused(server, tmp_path, folder_archive):
    data, _ = folder_archive
    root = tmp_path / "root"
    get_dataset(folder_spec(server, data), root, options=FAST)
    other = dataclasses.replace(folder_spec(server, data), name="other")
    marker = json.loads((root / "muspy_like.complete.json").read_text())
    assert marker["dataset"] == "toy"
    from muspy_like.datasets import install

    with pytest.raises(DatasetError, match="holds the dataset 'toy'"):
        install(other, root, options=FAST)
    with pytest.raises(DatasetError, match="holds the dataset 'toy'"):
        get_dataset(other, root, options=FAST)


def test_manual_dataset(tmp_path, midi_files):
    with pytest.raises(DatasetError, match="hymnal.net"):
        get_dataset("hymnal", tmp_path / "hymns")
    (tmp_path / "hymns").mkdir()
    for path in midi_files[:3]:
        (tmp_path / "hymns" / path.name).write_bytes(path.read_bytes())
    assert len(get_dataset("hymnal", tmp_path / "hymns")) == 3


def _install_in_process(spec, root: str, queue) -> None:
    try:
        queue.put(len(get_dataset(spec, root, options=FAST)))
    except Exception as error:  # reported to the parent, which asserts on it
        queue.put(repr(error))


def test_two_processes_installing_the_same_root(server, tmp_path, folder_archive):
    data, layout = folder_archive
    spec = folder_spec(server, data)
    server.routes["/toy.zip"].stall_first, server.routes["/toy.zip"].stall_seconds = 1, 0.5
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    arguments = (spec, str(tmp_path / "root"), queue)
    workers = [context.Process(target=_install_in_process, args=arguments) for _ in range(2)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert results == [len(layout), len(layout)]
    assert len(server.routes["/toy.zip"].requests) == 1
    assert verify_installation(tmp_path / "root") == []


# -- downloads that nothing can verify (the catalog's POP909), errors that name the dataset ----------
def test_cut_archive_without_size_or_hash_never_marks_complete(server, tmp_path, folder_archive):
    data, layout = folder_archive
    route = server.add("/toy.zip", data=data, framing="close", truncate_first=99, truncate_at=len(data) // 2)
    spec = spec_for(SourceSpec(url=server.url("/toy.zip"), filename="toy.zip", archive="zip"))
    root = tmp_path / "root"
    with pytest.raises(DownloadError) as error:
        get_dataset(spec, root, options=FAST)
    assert str(error.value).startswith("toy: toy.zip: download failed") and "incomplete or corrupt" in str(error.value)
    assert read_marker(root) is None and not (root / "data").exists()
    assert not (root / "archives" / "toy.zip").exists()
    with pytest.raises(DatasetError, match="not completely downloaded"):
        get_dataset(spec, root, download=False)
    route.truncate_first = 0  # the server recovers: the next install downloads the whole archive
    dataset = get_dataset(spec, root, options=FAST)
    assert len(dataset) == len(layout)
    (source,) = read_marker(root)["sources"]
    assert source["verified"] is False and source["complete_because"] == ["archive read completely"]


def test_tampered_unverified_archive_is_dropped_after_failing_extraction(server, tmp_path, folder_archive):
    data, layout = folder_archive
    route = server.add("/toy.zip", data=data)
    spec = spec_for(SourceSpec(url=server.url("/toy.zip"), filename="toy.zip", archive="zip"))
    root = tmp_path / "root"
    archives = root / "archives"
    archives.mkdir(parents=True)
    (archives / "toy.zip").write_bytes(data[: len(data) // 2])
    digests = file_digests(archives / "toy.zip")  # a record that vouches for the wrong bytes
    (archives / "toy.zip.download.json").write_text(json.dumps({"size": len(data) // 2, **digests}))
    with pytest.raises(UnsafeArchiveError, match="^toy: .*corrupt or incomplete zip archive"):
        get_dataset(spec, root, options=FAST)
    assert not (archives / "toy.zip").exists() and route.requests == []
    assert len(get_dataset(spec, root, options=FAST)) == len(layout)  # downloaded anew
    assert len(route.requests) == 1


def test_errors_name_the_dataset_and_its_catalog_file(server, tmp_path, folder_archive):
    data, _ = folder_archive
    server.add("/toy.zip", data=data)
    source = source_for(data, server.url("/toy.zip"), name="toy.zip", archive="zip", md5="0" * 32)
    entry = {"name": "toy", "title": "Toy", "description": "d", "homepage": "http://h", "license": "CC0",
             "format": "midi", "download": "archive", "files": "**/*.mid",
             "sources": [{k: v for k, v in dataclasses.asdict(source).items() if v not in (None, ())}]}
    catalog_file = tmp_path / "toy.yaml"
    catalog_file.write_text(yaml.safe_dump(entry))
    with pytest.raises(ChecksumError) as error:
        get_dataset(load_spec(catalog_file), tmp_path / "root", options=FAST)
    assert str(error.value).startswith(f"toy (catalog file {catalog_file}): toy.zip: no URL served the expected bytes")
    assert server.url("/toy.zip") in str(error.value)
    entry["sources"][0].update(md5=source_for(data, "x").md5, extracted_size=1000)
    catalog_file.write_text(yaml.safe_dump(entry))
    with pytest.raises(ArchiveSizeError, match=rf"^toy \(catalog file {re.escape(str(catalog_file))}\): .*published extracted size"):
        get_dataset(load_spec(catalog_file), tmp_path / "root", options=FAST)


def test_sources_can_point_at_a_local_file_or_another_url(server, tmp_path, folder_archive):
    data, layout = folder_archive
    server.add("/gone.zip", mode="status", status=404)
    spec = spec_for(source_for(data, server.url("/gone.zip"), name="toy.zip", archive="zip"))
    local = tmp_path / "downloads" / "toy.zip"
    local.parent.mkdir()
    local.write_bytes(data)
    dataset = get_dataset(spec, tmp_path / "a", options=FAST, sources=str(local))
    assert len(dataset) == len(layout)
    assert read_marker(tmp_path / "a")["sources"][0]["url"] == str(local)
    server.add("/elsewhere/toy.zip", data=data)
    assert len(get_dataset(spec, tmp_path / "b", options=FAST, sources=[server.url("/elsewhere/toy.zip")])) == len(layout)
    local.write_bytes(data[:-1] + b"!")  # other bytes than the catalog's: refused, as from any URL
    with pytest.raises(ChecksumError):
        get_dataset(spec, tmp_path / "c", options=FAST, sources=[str(local)])


def test_not_installed_error_speaks_python_and_command_line(server, tmp_path, folder_archive):
    spec = folder_spec(server, folder_archive[0])
    home = tmp_path / "home"
    get_dataset(spec, home / "toy", options=FAST)
    with pytest.raises(DatasetNotInstalledError) as error:
        get_dataset(spec, home, download=False)
    assert "get_dataset('toy', root=" in str(error.value) and "download=True" in str(error.value)
    assert f"{home / 'toy'} holds it" in str(error.value)
    cli = error.value.cli_message
    assert cli.startswith(f"toy is not downloaded into {home} ({home / 'toy'} holds it: --root is the folder")
    assert cli.endswith(f"muspy-like datasets download toy --root {home}") and "get_dataset" not in cli
    again = pickle.loads(pickle.dumps(error.value))  # crosses process boundaries intact
    assert (str(again), again.cli_message, again.name, again.root) == (str(error.value), cli, "toy", str(home))
