"""From Music to (notes, labels), metric positions, datasets and splits."""

from __future__ import annotations

import numpy as np
import pytest

from muspy_like import Barline, Music, Note, TimeSignature, Track
from muspy_like.errors import DatasetError, SeparationError
from muspy_like.separation import (
    SeparationDataset,
    fixed_split,
    music_to_notes,
    random_splits,
    seeded_split,
)
from muspy_like.separation.data import merge_tracks
from muspy_like.separation.splits import split_from_labels
from muspy_like.separation.storage import DatasetWriter


def quartet() -> Music:
    """Four named tracks at 12 ticks per quarter, plus a drum track, in 3/4 with a one-beat pickup."""
    return Music(
        resolution=12,
        time_signatures=[TimeSignature(0, 3, 4)],
        barlines=[Barline(0), Barline(12), Barline(48)],
        tracks=[
            Track(name="Cello", notes=[Note(12, 48, 36), Note(0, 43, 12)]),
            Track(name=" violin I ", notes=[Note(0, 79, 12), Note(12, 76, 6), Note(18, 77, 6)]),
            Track(name="Drums", is_drum=True, notes=[Note(0, 36, 1)]),
            Track(name="Viola", notes=[Note(12, 60, 12), Note(12, 60, 12), Note(24, 62, 0)]),
        ],
    )


PART_MAP = {"violin i": 0, "violin ii": 1, "viola": 2, "cello": 3}


def test_music_to_notes_by_hand():
    notes, labels = music_to_notes(quartet(), PART_MAP)
    # Rescaled to 24 ticks per quarter, sorted by (time, pitch, duration); the duplicate viola note is
    # kept once and its zero-length note dropped; drums left out.
    assert notes[:, :3].tolist() == [
        [0, 43, 24], [0, 79, 24], [24, 48, 72], [24, 60, 24], [24, 76, 12], [36, 77, 12],
    ]
    assert labels.tolist() == [3, 0, 3, 2, 0, 0]
    assert notes[:, 3].tolist() == [64] * 6
    # The first bar (0-12 at 12 ticks/quarter) is a one-beat pickup of a 3/4 bar: its note sits on beat
    # 3 (bar position 2 quarters = 48 ticks at 24); the bar at tick 12 starts the first full bar.
    assert notes[:, 5].tolist() == [48, 48, 0, 0, 0, 12]
    assert notes[:, 4].tolist() == [0, 0, 0, 0, 0, 12]


def test_default_part_map_is_track_order_and_indices_work():
    notes, labels = music_to_notes(quartet())
    assert sorted(set(labels.tolist())) == [0, 1, 3]  # the drum track (2) is left out
    notes, labels = music_to_notes(quartet(), {0: 1, "viola": 0})
    assert sorted(set(labels.tolist())) == [0, 1]


def test_merge_tracks_remembers_where_each_note_came_from():
    music = quartet()
    merged = merge_tracks(music)
    for row, track, index in zip(merged.notes, merged.track_index, merged.note_index):
        assert music.tracks[track].notes[index].pitch == row[1]


def test_positions_from_time_signatures_without_barlines():
    music = Music(resolution=24, time_signatures=[TimeSignature(0, 6, 8)],
                  tracks=[Track(notes=[Note(0, 60, 12), Note(36, 62, 12), Note(84, 64, 12)])])
    notes, _ = music_to_notes(music)
    # 6/8: bars of 3 quarters (72 ticks), beats of a dotted quarter (36 ticks).
    assert notes[:, 5].tolist() == [0, 36, 12]
    assert notes[:, 4].tolist() == [0, 0, 12]


def test_empty_music_gives_empty_arrays():
    notes, labels = music_to_notes(Music())
    assert notes.shape == (0, 6) and labels.shape == (0,)


def test_dataset_from_music_filters_and_round_trips(tmp_path):
    thin = Music(tracks=[Track(name="Violin I", notes=[Note(i, 70, 1) for i in range(11)])])
    dataset = SeparationDataset.from_music([quartet(), thin], ("v1", "v2", "va", "vc"), PART_MAP,
                                           names=["full", "thin"], min_notes=0, min_active_parts=2)
    assert dataset.names == ["full"]
    path = tmp_path / "quartets"
    dataset.save(path)
    loaded = SeparationDataset.load(path)
    assert loaded.names == dataset.names and loaded.part_names == dataset.part_names
    assert all(np.array_equal(a, b) for a, b in zip(loaded.notes, dataset.notes))
    assert all(np.array_equal(a, b) for a, b in zip(loaded.labels, dataset.labels))
    (tmp_path / "bad.npz").write_bytes(b"not an archive")
    with pytest.raises(DatasetError, match="bad.npz"):
        SeparationDataset.load(tmp_path / "bad.npz")
    with pytest.raises(DatasetError, match="no separation dataset"):
        SeparationDataset.load(tmp_path / "missing")


def test_splits_are_reproducible_and_independent_of_input_order():
    names = [f"piece{i:03d}" for i in range(100)]
    split = seeded_split(names, seed=3)
    assert (len(split.train), len(split.valid), len(split.test)) == (80, 10, 10)
    assert sorted(np.concatenate(split[:3]).tolist()) == list(range(100))
    shuffled = names[::-1]
    other = seeded_split(shuffled, seed=3)
    assert sorted(shuffled[i] for i in other.test) == sorted(names[i] for i in split.test)
    assert fixed_split(names).seed == 0
    seeds = [s.seed for s in random_splits(names, 3)]
    assert seeds == [1, 2, 3]
    tests = [set(s.test.tolist()) for s in random_splits(names, 3)]
    assert tests[0] != tests[1] != tests[2]


def test_the_old_split_name_still_works_with_a_warning():
    import muspy_like.separation as separation

    with pytest.warns(DeprecationWarning, match="seeded_split"):
        old = separation.split_indices
    assert old is seeded_split


def test_groups_stay_together_and_tiny_sets_still_have_a_test_piece():
    names = [f"piece{i:02d}" for i in range(20)]
    groups = [f"work{i // 3}" for i in range(20)]  # seven works of 1 to 3 pieces
    for seed in range(30):
        split = seeded_split(names, seed, groups=groups)
        assert sorted(np.concatenate(split[:3]).tolist()) == list(range(20))
        for part in split[:3]:
            assert len(part) > 0
            inside = {groups[i] for i in part}
            assert all(groups[i] not in inside for other in split[:3] if other is not part for i in other)
    for n in (3, 4, 5):
        split = seeded_split(names[:n], seed=1)
        assert len(split.valid) == 1 and len(split.test) >= 1 and len(split.train) == n - 1 - len(split.test)
    # Without groups, the 8:1:1 cut of the chorales is what it always was.
    assert [len(part) for part in seeded_split([f"c{i}" for i in range(409)], 0)[:3]] == [327, 41, 41]


def test_official_split_from_labels():
    split = split_from_labels(["train", "test", "valid", "train"])
    assert split.train.tolist() == [0, 3] and split.valid.tolist() == [2] and split.test.tolist() == [1]
    assert split.seed == -1
    with pytest.raises(SeparationError, match="'dev'"):
        split_from_labels(["train", "dev"])
    dataset = SeparationDataset(["a", "b", "c"], [np.zeros((1, 6), np.int64)] * 3, [np.zeros(1, np.int64)] * 3,
                                ("x",), split_labels=["test", "train", "valid"])
    assert dataset.fixed_split().test.tolist() == [0]
    assert dataset.subset([2, 0]).split_labels == ["valid", "test"]


def test_writer_streams_to_disk_and_publishes_only_when_complete(tmp_path):
    rng = np.random.default_rng(0)
    pieces = [(rng.integers(0, 100, size=(n, 6)), rng.integers(0, 3, size=n)) for n in (5, 0, 7)]
    target = tmp_path / "set"
    writer = DatasetWriter(target, ("a", "b", "c"), name="toy")
    raw = writer._staging / "notes.npy"
    for index, (notes, labels) in enumerate(pieces):
        writer.add(f"p{index}", notes, labels, group=f"g{index}")
        writer._notes.flush()
        # Written as it comes (int32 rows), nothing kept in memory but the offsets and names.
        assert raw.stat().st_size == 128 + 4 * 6 * sum(len(n) for n, _ in pieces[: index + 1])
    assert not target.exists()
    writer.info["recipe"] = "toy"
    writer.close()
    loaded = SeparationDataset.load(target)
    assert loaded.names == ["p0", "p1", "p2"] and loaded.groups == ["g0", "g1", "g2"]
    assert loaded.split_labels is None and loaded.info == {"recipe": "toy"}
    for (notes, labels), got_notes, got_labels in zip(pieces, loaded.notes, loaded.labels):
        assert np.array_equal(got_notes, notes) and got_notes.dtype == np.int64
        assert np.array_equal(got_labels, labels)
    mapped = SeparationDataset.load(target, mmap=True)
    assert mapped.notes[2].dtype == np.int32 and not mapped.notes[2].flags.writeable
    assert np.array_equal(mapped.notes[2], pieces[2][0])
    assert not list(tmp_path.glob(".set*"))  # no staging folder left behind


def test_writer_refuses_bad_pieces_and_aborts_cleanly(tmp_path):
    target = tmp_path / "set"
    with pytest.raises(DatasetError, match="part labels"):
        with DatasetWriter(target, ("a", "b")) as writer:
            writer.add("ok", np.zeros((2, 6), np.int64), np.array([0, 1]))
            writer.add("bad", np.zeros((1, 6), np.int64), np.array([2]))
    assert not target.exists() and not list(tmp_path.iterdir())
    with DatasetWriter(target, ("a",)) as writer:
        with pytest.raises(DatasetError, match="32 bits"):
            writer.add("huge", np.full((1, 6), 2**40), np.array([0]))
        with pytest.raises(DatasetError, match="do not fit"):
            writer.add("shape", np.zeros((2, 5), np.int64), np.array([0, 0]))
    assert SeparationDataset.load(target).names == []


def test_old_npz_datasets_still_load(tmp_path):
    import json

    header = {"format": "muspy_like.separation.dataset", "version": 1, "part_names": ["a", "b"],
              "names": ["x", "y"], "resolution": 24, "name": "old"}
    notes = np.arange(18).reshape(3, 6)
    np.savez_compressed(tmp_path / "old.npz", header=np.array(json.dumps(header)), offsets=np.array([0, 1, 3]),
                        notes=notes, labels=np.array([0, 1, 0]))
    loaded = SeparationDataset.load(tmp_path / "old.npz")
    assert loaded.names == ["x", "y"] and loaded.name == "old"
    assert np.array_equal(loaded.notes[1], notes[1:])
