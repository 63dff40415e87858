"""The catalog: every MusPy dataset plus Groove and POP909, valid fields, shipped in the package."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from muspy_like.datasets import dataset_info, get_spec, list_datasets
from muspy_like.datasets.catalog import CATALOG_DIR, catalog_table, load_catalog, override_sources, spec_from_dict
from muspy_like.errors import DatasetError

REPO = Path(__file__).resolve().parents[2]

# The datasets MusPy 0.5 offers (muspy.datasets), by our catalog name, plus the two the issue adds.
MUSPY_DATASETS = [
    "emopia", "essen", "haydn_op20", "hymnal", "hymnal_tune", "jsb_chorales", "lmd_full", "lmd_matched",
    "lmd_aligned", "maestro_v1", "maestro_v2", "maestro_v3", "music21", "musicnet", "nes_mdb", "nottingham",
    "wikifonia",
]


def test_catalog_covers_muspy_and_more():
    names = list_datasets()
    for name in MUSPY_DATASETS + ["groove", "pop909"]:
        assert name in names


# Entries whose host moved since MusPy 0.5 was released: the bytes (checksums) are the same.
MOVED = {
    "jsb_chorales": "www-etud.iro.umontreal.ca no longer resolves; the page lives on www-ens",
    "emopia": "zenodo.org/record/ became zenodo.org/records/",
}


def test_checksums_match_muspy_where_muspy_has_them():
    # Facts cross-checked against the installed MusPy's own definitions (an independent public record).
    import muspy.datasets as muspy_datasets

    pairs = {
        "jsb_chorales": muspy_datasets.JSBChoralesDataset,
        "lmd_full": muspy_datasets.LakhMIDIDataset,
        "maestro_v3": muspy_datasets.MAESTRODatasetV3,
        "nottingham": muspy_datasets.NottinghamDatabase,
        "essen": muspy_datasets.EssenFolkSongDatabase,
        "emopia": muspy_datasets.EMOPIADataset,
        "wikifonia": muspy_datasets.WikifoniaDataset,
    }
    for name, cls in pairs.items():
        (theirs,) = cls._sources.values()
        (ours,) = get_spec(name).sources
        assert ours.url == theirs["url"] or name in MOVED, name
        for key in ("size", "md5", "sha256"):
            assert getattr(ours, key) == theirs.get(key), (name, key)


def test_moved_hosts_are_current():
    urls = {spec.name: [u for s in spec.sources for u in s.urls] for spec in load_catalog().values()}
    assert not any("zenodo.org/record/" in u for entry in urls.values() for u in entry)
    assert not any("www-etud.iro.umontreal.ca" in u or "deepyeti.ucsd.edu" in u for entry in urls.values() for u in entry)
    (nes,) = get_spec("nes_mdb").sources
    assert all("1w2uo1Cmio4gz6nGUhZOtzF54kPkoKyo7" in url for url in nes.urls) and len(nes.urls) == 2
    assert nes.sha256 == "37610e2ca5fe70359c85170cf1f4982596783bb304c59d9c439f68c24ff4ee93"  # same bytes as before
    assert len(get_spec("jsb_chorales").sources[0].urls) == 2


def test_licenses_and_descriptions_corrected():
    emopia = get_spec("emopia")
    assert emopia.license == "CC BY-NC-SA 4.0"
    assert "MIDI files only (1,071 clips" in emopia.description and "audio is not part" in emopia.description
    assert get_spec("nes_mdb").license.startswith("MIT") and get_spec("haydn_op20").license.startswith("MIT")


def test_large_modern_datasets_are_catalogued():
    pdmx = get_spec("pdmx")
    assert pdmx.checksum_status == "md5" and pdmx.format == "musicxml"
    archive, table = pdmx.sources
    assert (archive.filename, archive.size, archive.md5) == ("mxl.tar.gz", 1894335797, "49ffd75ecf5489c0be6d41182eb11ff7")
    assert archive.extracted_size == 1982103220 and table.archive == "none" and table.size == 225399738
    for name in ("metamidi", "gigamidi"):  # gated downloads with no published checksum
        assert get_spec(name).download == "manual" and get_spec(name).checksum_status == "unverified (manual)"
    assert get_spec("mmd").name == "metamidi"


def test_every_file_is_valid_and_named_after_its_dataset():
    files = sorted(CATALOG_DIR.glob("*.yaml"))
    assert len(files) == len(load_catalog())
    for spec in load_catalog().values():
        assert spec.path.stem == spec.name
        assert spec.homepage.startswith("http")
        assert spec.description and spec.license
        if spec.citation:
            assert re.match(r"@\w+\{\w+,", spec.citation)
        for source in spec.sources:
            assert source.archive in ("zip", "tar.gz", "none")
            assert source.sha256 is None or re.fullmatch("[0-9a-f]{64}", source.sha256)
            assert source.archive != "none" or source.size is not None or source.verified


def test_unverified_entries_are_marked():
    assert get_spec("pop909").checksum_status == "unverified"
    assert not get_spec("pop909").verified
    assert get_spec("jsb_chorales").checksum_status == "sha256+md5"
    assert get_spec("maestro_v3").checksum_status == "sha256"
    assert get_spec("hymnal").checksum_status == "unverified (manual)"
    assert get_spec("music21").checksum_status == "n/a (music21)"
    assert "| `pop909` |" in catalog_table() and "unverified" in catalog_table()


def test_aliases_and_unknown_names():
    assert get_spec("jsb").name == "jsb_chorales"
    assert get_spec("MAESTRO").name == "maestro_v3"
    with pytest.raises(DatasetError, match="known datasets"):
        get_spec("no_such_dataset")


def test_reader_options_and_splits_declared():
    assert get_spec("jsb_chorales").reader == {"resolution": 120}
    assert set(get_spec("jsb_chorales").splits.patterns) == {"train", "valid", "test"}
    assert get_spec("maestro_v2").splits.kind == "csv"
    assert get_spec("groove").splits.split_column == "split"
    info = dataset_info("nes_mdb")
    assert info["official_splits"] == ["train", "valid", "test"] and info["download_size"] == "12.9 MB"


@pytest.mark.parametrize(
    "broken,needle",
    [
        ({"name": "Bad Name"}, "lower-case"),
        ({"download": "torrent"}, "download must be"),
        ({"sources": [{"url": "http://x/a.zip", "archive": "rar"}]}, "archive must be"),
        ({"sources": [{"url": "http://x/a.zip", "sha256": "abc"}]}, "64 hex"),
        ({"sources": [{"url": "http://x/a.zip", "filename": "../a.zip"}]}, "plain file name"),
        ({"sources": []}, "at least one source"),
        ({"splits": {"kind": "csv", "file": "x.csv"}}, "path_column"),
        ({"sources": [{"url": "http://x/a.mid", "archive": "none"}]}, "needs a size or a checksum"),
        ({"sources": [{"url": "http://x/a.zip", "extracted_size": 0}]}, "extracted_size must be"),
    ],
)
def test_invalid_entries_are_reported(broken, needle):
    entry = {
        "name": "ok", "title": "t", "description": "d", "homepage": "http://h", "license": "l",
        "format": "midi", "download": "archive", "sources": [{"url": "http://x/a.zip", "archive": "zip"}],
    }
    entry.update(broken)
    with pytest.raises(DatasetError, match=needle):
        spec_from_dict(entry, Path("ok.yaml"))


def test_docs_table_matches_the_catalog():
    docs = (REPO / "docs" / "datasets.md").read_text(encoding="utf-8")
    assert catalog_table() in docs, "regenerate: muspy-like datasets table --update docs/datasets.md"


def _shipped(names: list[str], prefix: str) -> list[str]:
    return sorted(Path(n).name for n in names if n.startswith(prefix) and n.endswith(".yaml"))


def test_the_catalog_ships_in_every_kind_of_install(tmp_path):
    """The catalog reaches the package through a link (muspy_like/datasets/catalog -> datasets/): a wheel
    built from the checkout (what a non-editable ``pip install .`` installs) and an sdist (what a wheel
    of a release is built from) must carry real copies, and an installed copy must load them."""
    # Build from a copy so the checkout is not touched (build/ and *.egg-info stay out of it).
    copy = tmp_path / "src"
    copy.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(REPO / name, copy / name)
    for name in ("muspy_like", "datasets"):
        shutil.copytree(REPO / name, copy / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    expected = sorted(p.name for p in CATALOG_DIR.glob("*.yaml"))
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run([*pip, str(copy), "-w", str(tmp_path / "from_tree")], check=True, capture_output=True, timeout=240)
    (wheel,) = (tmp_path / "from_tree").glob("*.whl")
    assert _shipped(zipfile.ZipFile(wheel).namelist(), "muspy_like/datasets/catalog/") == expected

    subprocess.run(
        [sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "sdist", "--dist-dir", str(tmp_path / "sdist")],
        cwd=copy, check=True, capture_output=True, timeout=240,
    )
    (sdist,) = (tmp_path / "sdist").glob("*.tar.gz")
    with tarfile.open(sdist) as bundle:
        members = [m for m in bundle.getmembers() if "/muspy_like/datasets/catalog/" in m.name and m.name.endswith(".yaml")]
        assert sorted(Path(m.name).name for m in members) == expected and all(m.isreg() for m in members)

    site = tmp_path / "site"  # installing a pure-Python wheel is unpacking it
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "from muspy_like.datasets.catalog import CATALOG_DIR, load_catalog; "
        "print(CATALOG_DIR.is_symlink(), CATALOG_DIR.is_dir(), len(load_catalog()))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(site)},
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.split()
    assert found == ["False", "True", str(len(expected))]


@pytest.fixture
def fresh_catalog():
    load_catalog.cache_clear()
    yield
    load_catalog.cache_clear()


def test_user_catalog_folder_adds_and_replaces_entries(tmp_path, monkeypatch, fresh_catalog):
    import yaml

    mine = tmp_path / "mine"
    mine.mkdir()
    stale = yaml.safe_load((CATALOG_DIR / "nottingham.yaml").read_text())
    stale["sources"][0]["url"] = "https://mirror.example.org/nottingham_database.zip"
    (mine / "nottingham.yaml").write_text(yaml.safe_dump(stale))
    extra = {"name": "toy", "title": "Toy", "description": "d", "homepage": "http://h", "license": "CC0",
             "format": "midi", "download": "manual"}
    (mine / "toy.yaml").write_text(yaml.safe_dump(extra))
    monkeypatch.setenv("MUSPY_LIKE_CATALOG", str(mine))
    load_catalog.cache_clear()
    assert get_spec("nottingham").sources[0].url == "https://mirror.example.org/nottingham_database.zip"
    assert get_spec("nottingham").path == mine / "nottingham.yaml"
    assert "toy" in list_datasets() and "maestro_v3" in list_datasets()
    monkeypatch.setenv("MUSPY_LIKE_CATALOG", str(tmp_path / "missing"))
    load_catalog.cache_clear()
    with pytest.raises(DatasetError, match="missing.*MUSPY_LIKE_CATALOG"):
        load_catalog()


def test_override_sources():
    nes = get_spec("nes_mdb")
    moved = override_sources(nes, ["/data/nesmdb_midi.tar.gz", "https://example.org/nes.tar.gz"])
    (source,) = moved.sources
    assert source.urls == ("/data/nesmdb_midi.tar.gz", "https://example.org/nes.tar.gz")
    assert (source.sha256, source.size, source.filename) == (nes.sources[0].sha256, nes.sources[0].size, "nesmdb_midi.tar.gz")
    assert get_spec("nes_mdb").sources == nes.sources  # the catalog itself is untouched
    pdmx = get_spec("pdmx")
    moved = override_sources(pdmx, ["/mnt/pdmx/PDMX.csv"])
    assert [s.url for s in moved.sources] == [pdmx.sources[0].url, "/mnt/pdmx/PDMX.csv"]
    moved = override_sources(pdmx, {"mxl.tar.gz": ["/a/mxl.tar.gz", "/b/mxl.tar.gz"]})
    assert moved.sources[0].urls == ("/a/mxl.tar.gz", "/b/mxl.tar.gz")
    with pytest.raises(DatasetError, match=r"pdmx \(catalog file .*pdmx\.yaml\): no source is named 'data\.tar\.gz'"):
        override_sources(pdmx, ["/mnt/pdmx/data.tar.gz"])
