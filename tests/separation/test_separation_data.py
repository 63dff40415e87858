"""From Music to (notes, labels), metric positions, datasets and splits."""

from __future__ import annotations

import numpy as np
import pytest

from muspy_like import Barline, Music, Note, TimeSignature, Track
from muspy_like.errors import DatasetError
from muspy_like.separation import (
    SeparationDataset,
    fixed_split,
    music_to_notes,
    random_splits,
    split_indices,
)
from muspy_like.separation.data import merge_tracks


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
    path = tmp_path / "quartets.npz"
    dataset.save(path)
    loaded = SeparationDataset.load(path)
    assert loaded.names == dataset.names and loaded.part_names == dataset.part_names
    assert all(np.array_equal(a, b) for a, b in zip(loaded.notes, dataset.notes))
    assert all(np.array_equal(a, b) for a, b in zip(loaded.labels, dataset.labels))
    (tmp_path / "bad.npz").write_bytes(b"not an archive")
    with pytest.raises(DatasetError, match="bad.npz"):
        SeparationDataset.load(tmp_path / "bad.npz")


def test_splits_are_reproducible_and_independent_of_input_order():
    names = [f"piece{i:03d}" for i in range(100)]
    split = split_indices(names, seed=3)
    assert (len(split.train), len(split.valid), len(split.test)) == (80, 10, 10)
    assert sorted(np.concatenate(split[:3]).tolist()) == list(range(100))
    shuffled = names[::-1]
    other = split_indices(shuffled, seed=3)
    assert sorted(shuffled[i] for i in other.test) == sorted(names[i] for i in split.test)
    assert fixed_split(names).seed == 0
    seeds = [s.seed for s in random_splits(names, 3)]
    assert seeds == [1, 2, 3]
    tests = [set(s.test.tolist()) for s in random_splits(names, 3)]
    assert tests[0] != tests[1] != tests[2]
