"""The catalog: every MusPy dataset plus Groove and POP909, valid fields, shipped in the package."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from muspy_like.datasets import dataset_info, get_spec, list_datasets
from muspy_like.datasets.catalog import CATALOG_DIR, catalog_table, load_catalog, spec_from_dict
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
        assert ours.url == theirs["url"]
        for key in ("size", "md5", "sha256"):
            assert getattr(ours, key) == theirs.get(key), (name, key)


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
            assert source.archive in ("zip", "tar.gz")
            assert source.sha256 is None or re.fullmatch("[0-9a-f]{64}", source.sha256)


def test_unverified_entries_are_marked():
    assert get_spec("pop909").checksum_status == "unverified"
    assert not get_spec("pop909").verified
    assert get_spec("jsb_chorales").checksum_status == "sha256+md5"
    assert get_spec("maestro_v3").checksum_status == "sha256"
    assert get_spec("hymnal").checksum_status == "n/a (manual)"
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


def test_the_catalog_ships_in_the_wheel(tmp_path):
    # Build from a copy so the checkout is not touched (build/ and *.egg-info stay out of it).
    copy = tmp_path / "src"
    copy.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(REPO / name, copy / name)
    for name in ("muspy_like", "datasets"):
        shutil.copytree(REPO / name, copy / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(copy), "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path)],
        check=True, capture_output=True, timeout=240,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(Path(n).name for n in names if n.startswith("muspy_like/datasets/catalog/"))
    assert shipped == sorted(p.name for p in CATALOG_DIR.glob("*.yaml"))
