"""MusPy's dataset classes over our dataset API (offline: music21's corpus and local folders)."""

from __future__ import annotations

import json
import pickle
import shutil

import numpy as np
import pytest

import muspy_like as ml
from muspy_like.datasets import Dataset as OurDataset
from muspy_like.errors import DatasetError


def test_get_dataset_maps_muspys_keys_to_classes():
    assert ml.get_dataset("jsb") is ml.JSBChoralesDataset
    assert ml.get_dataset("nmd") is ml.NottinghamDatabase
    assert ml.get_dataset("maestro-v2") is ml.MAESTRODatasetV2
    assert ml.get_dataset("lmd") is ml.LakhMIDIDataset and ml.get_dataset("haydn") is ml.HaydnOp20Dataset
    assert ml.get_dataset("music21") is ml.Music21Dataset
    assert len(ml.list_datasets()) == 17 and issubclass(ml.JSBChoralesDataset, OurDataset)
    with pytest.raises(ValueError, match="unknown dataset key"):
        ml.get_dataset("nope")


def test_a_catalog_class_without_its_files_says_how_to_download(tmp_path):
    with pytest.raises(DatasetError, match="download"):
        ml.NottinghamDatabase(tmp_path / "nmd")


def test_music_dataset_reads_a_folder_of_json_and_yaml(testdata_dir, tmp_path):
    for name in ("test.json", "test.json.gz", "test.yaml", "test.yaml.gz"):
        shutil.copy(testdata_dir / name, tmp_path / name)
    assert len(ml.MusicDataset(tmp_path)) == 4
    assert len(ml.MusicDataset(tmp_path, kind="yaml")) == 2
    assert ml.MusicDataset(tmp_path)[0].tracks[0].name == "Melody"


@pytest.fixture(scope="module")
def demos():
    return ml.Music21Dataset("demos")


def test_music21_convert_saves_json_and_returns_a_music_dataset(demos, tmp_path):
    converted = demos.convert(tmp_path / "demos")
    assert isinstance(converted, ml.MusicDataset) and len(converted) == len(demos)
    assert converted[0] == demos[0]


def test_split_follows_muspys_rule_and_file(demos, tmp_path):
    parts = demos.split(tmp_path / "split.json", splits=(0.5, 0.25, 0.25), random_state=3)
    order = np.random.RandomState(3).permutation(len(demos))
    assert parts["train"] == order[: int(0.5 * len(demos))].tolist()
    assert sorted(parts["train"] + parts["test"] + parts["validation"]) == sorted(order[: int(len(demos))].tolist())
    assert demos.split(tmp_path / "split.json") == json.loads((tmp_path / "split.json").read_text())
    ours = demos.split([0.5, 0.5], seed=0)
    assert isinstance(ours[0], OurDataset) and len(ours[0]) + len(ours[1]) == len(demos)


def test_pytorch_dataset_is_picklable_and_encodes_with_muspys_representation(demos):
    arrays = demos.to_pytorch_dataset(representation="pitch")
    again = pickle.loads(pickle.dumps(arrays))
    assert np.array_equal(again[0], ml.to_pitch_representation(demos[0]))
    parts = demos.to_pytorch_dataset(factory=lambda m: m.n_notes, splits=(0.5, 0.5), random_state=0)
    assert set(parts) == {"train", "test"} and len(parts["train"]) + len(parts["test"]) == len(demos)


def test_folder_dataset_convert_then_reads_the_cache(midi_dir, tmp_path):
    shutil.copy(midi_dir / "fur-elise.mid", tmp_path / "a.mid")
    shutil.copy(midi_dir / "multitrack.mid", tmp_path / "b.mid")
    dataset = ml.FolderDataset(tmp_path)
    raw = [dataset[i] for i in range(len(dataset))]
    dataset.convert()
    assert dataset.converted_exists() and dataset._cache is not None
    assert [dataset[i].tracks for i in range(len(dataset))] == [m.tracks for m in raw]
    assert dataset.on_the_fly()[0].tracks == raw[0].tracks


def test_a_catalog_class_on_files_put_there_by_hand(midi_dir, tmp_path):
    root = tmp_path / "hymns"
    root.mkdir()
    for name in ("fur-elise.mid", "multitrack.mid", "chords.mid"):
        shutil.copy(midi_dir / name, root / name)
    hymns = ml.HymnalDataset(root, convert=True)
    assert hymns.exists() and len(hymns) == 3 and hymns.converted_dir == root / "_converted"
    assert hymns._cache is not None
    raw = [ml.io.read(piece.path) for piece in hymns.pieces]
    assert [hymns[i].tracks for i in range(3)] == [m.tracks for m in raw]
    part = hymns.subset([2, 0])
    assert [part[i].tracks for i in range(2)] == [raw[2].tracks, raw[0].tracks]
    assert part.on_the_fly()[0].tracks == raw[2].tracks
    assert [hymns.on_the_fly()[i].tracks for i in range(3)] == [m.tracks for m in raw]
