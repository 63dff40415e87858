"""Pickling and copying: exact, independent, writable, and cheap to send to another process."""

import copy
import pickle
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import music_strategy

import muspy_like
from muspy_like import (
    Annotation,
    Barline,
    Beat,
    Chord,
    ControlChange,
    KeySignature,
    Lyric,
    Metadata,
    Music,
    Note,
    PitchBend,
    Tempo,
    TimeSignature,
    Track,
)
from muspy_like.core import columns as columns_module
from muspy_like.core.events import ControlChangeArray, NoteArray, PitchBendArray


def notes_of(*rows):
    return NoteArray.from_columns(**dict(zip(("time", "pitch", "duration", "velocity"), map(list, zip(*rows)))))


def round_trip(obj):
    return pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


@settings(max_examples=60, deadline=None)
@given(music_strategy())
def test_pickle_deepcopy_and_copy_are_exact_for_any_piece(music):
    for protocol in (2, 4, 5):
        assert pickle.loads(pickle.dumps(music, protocol=protocol)) == music
    assert copy.deepcopy(music) == music
    assert music.copy() == music
    for track in music.tracks:
        assert round_trip(track) == track
        assert track.copy() == track


def test_restored_columns_are_writable_native_and_independent():
    notes = notes_of((0, 60, 24, 80), (24, 62, 12, 90), (36, 64, 12, 100))
    data = pickle.dumps(notes)
    first, second = pickle.loads(data), pickle.loads(data)
    for name, column in first.columns().items():
        declared = dict((f.name, f.dtype) for f in NoteArray.fields)[name]
        assert column.dtype == np.dtype(declared) and column.dtype.isnative
        assert column.flags.writeable and column.shape == (3,)
    first.pitch[0] = 10
    first.time += 1
    assert second.pitch.tolist() == [60, 62, 64] and second.time.tolist() == [0, 24, 36]
    assert notes.pitch.tolist() == [60, 62, 64]
    assert first.pitch.tolist() == [10, 62, 64] and first.time.tolist() == [1, 25, 37]


def test_restored_arrays_grow_shrink_and_sort_like_new_ones():
    notes = round_trip(notes_of((48, 67, 6, 70), (0, 60, 24, 80)))
    notes.append(Note(12, 72, 3, 99))
    notes.sort()
    assert [n.to_tuple() for n in notes] == [(0, 60, 24, 80), (12, 72, 3, 99), (48, 67, 6, 70)]
    del notes[1]
    assert notes == notes_of((0, 60, 24, 80), (48, 67, 6, 70))


def test_empty_arrays_pickle_small_and_never_share_written_memory():
    for kind in (NoteArray, ControlChangeArray, PitchBendArray):
        empty = kind()
        data = pickle.dumps(empty)
        assert len(data) < 120
        clone = pickle.loads(data)
        assert type(clone) is kind and len(clone) == 0 and clone == empty
    clone = round_trip(NoteArray())
    clone.append(Note(5, 61, 7))
    assert all(len(col) == 0 for col in NoteArray._empty_columns.values())
    assert len(NoteArray()) == 0 and round_trip(NoteArray()) == NoteArray()


def test_only_live_rows_are_pickled():
    notes = NoteArray()
    for i in range(20):
        notes.append(Note(i, 60, 1))
    del notes[5:]
    assert len(notes) == 5
    # Capacity is at least 20 rows; 5 rows of 8 + 2 + 8 + 2 bytes must be all that is sent.
    assert len(pickle.dumps(notes)) < 5 * 20 + 120
    assert round_trip(notes) == notes_of(*[(i, 60, 1, 64) for i in range(5)])


def test_packed_buffer_is_little_endian_widest_column_first():
    notes = notes_of((1, 60, 24, 80), (2**40, 127, 3, 1))
    func, args = notes.__reduce__()
    cls, n, packed = args
    expected = b"".join([
        np.array([1, 2**40], dtype="<i8").tobytes(),   # time
        np.array([24, 3], dtype="<i8").tobytes(),      # duration
        np.array([60, 127], dtype="<i2").tobytes(),    # pitch
        np.array([80, 1], dtype="<i2").tobytes(),      # velocity
    ])
    assert (cls, n, packed) == (NoteArray, 2, expected)
    assert func(*args) == notes


def test_big_endian_branch_converts_both_ways(monkeypatch):
    monkeypatch.setattr(columns_module, "_LITTLE_ENDIAN", False)
    bends = PitchBendArray.from_columns(time=[0, 10], value=[-8192, 8191])
    clone = round_trip(bends)
    assert clone == bends and clone.value.dtype == np.int32 and clone.value.dtype.isnative
    clone.value[0] = 5
    assert bends.value[0] == -8192


def test_a_truncated_buffer_is_refused():
    func, (cls, n, packed) = notes_of((0, 60, 24, 80), (1, 61, 2, 3)).__reduce__()
    for wrong in (packed[:-1], packed + b"\0"):
        with pytest.raises(ValueError, match=f"NoteArray of 2 rows cannot have {len(wrong)} bytes"):
            func(cls, n, wrong)


@pytest.mark.parametrize("event", [
    Chord(3, [60, 64, 67], 24, 90), Tempo(0, 96.5), KeySignature(0, 2, "minor", -1, "D"),
    KeySignature(8), TimeSignature(0, 6, 8), Beat(4, True), Barline(96), Lyric(5, "Ky-"),
    Annotation(7, {"text": "dolce"}, "text"), Metadata(title="BWV 1.6", creators=["J. S. Bach"]),
])
def test_small_events_pickle_and_deepcopy_exactly_and_independently(event):
    assert round_trip(event) == event and type(round_trip(event)) is type(event)
    clone = copy.deepcopy(event)
    assert clone == event
    for name in ("pitches", "annotation", "creators"):
        if isinstance(getattr(event, name, None), (list, dict)):
            assert getattr(clone, name) is not getattr(event, name)


def test_copy_falls_back_to_deepcopy_when_an_annotation_does_not_pickle():
    marker = lambda: "not picklable"  # noqa: E731
    music = Music(annotations=[Annotation(0, marker)], tracks=[Track(notes=[Note(0, 60, 24)])])
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        pickle.dumps(music)
    clone = music.copy()
    assert clone == music and clone.annotations[0].annotation is marker
    clone.tracks[0].notes.pitch[0] = 61
    assert music.tracks[0].notes.pitch[0] == 60
    track_clone = Track(annotations=[Annotation(0, marker)], notes=[Note(0, 60, 24)]).copy()
    assert track_clone.annotations[0].annotation is marker


def test_copies_are_independent_at_every_level():
    music = Music(lyrics=[Lyric(0, "A")], tracks=[Track(
        notes=[Note(0, 60, 24)], chords=[Chord(0, [60, 64], 24)], control_changes=[ControlChange(0, 7, 100)],
        pitch_bends=[PitchBend(0, 10)])])
    for clone in (music.copy(), copy.deepcopy(music), round_trip(music)):
        clone.lyrics[0].lyric = "B"
        track = clone.tracks[0]
        track.notes.velocity[0] = 1
        track.chords[0].pitches.append(67)
        track.control_changes.value[0] = 0
        track.pitch_bends.value[0] = -10
    track = music.tracks[0]
    assert music.lyrics[0].lyric == "A" and track.notes.velocity[0] == 64
    assert track.chords[0].pitches == [60, 64] and track.control_changes.value[0] == 100
    assert track.pitch_bends.value[0] == 10


def _summarize(music: Music) -> tuple:
    music.transpose(2)
    lyrics = sum(len(track.lyrics) for track in music.tracks)
    return music.n_notes, sum(int(track.notes.pitch.sum()) for track in music.tracks), lyrics


def test_a_real_chorale_crosses_a_process_boundary():
    from music21 import corpus

    # The first chorales of the corpus that carry lyrics, so that notes and small events both travel.
    pieces = (muspy_like.read(p) for p in sorted(str(p) for p in corpus.getComposer("bach"))[:10])
    music = next(m for m in pieces if any(track.lyrics for track in m.tracks))
    assert not any(track.is_drum for track in music.tracks)
    assert round_trip(music) == music and music.copy() == music
    expected = (music.n_notes, sum(int(t.notes.pitch.sum()) + 2 * len(t.notes) for t in music.tracks),
                sum(len(t.lyrics) for t in music.tracks))
    with ProcessPoolExecutor(max_workers=1) as pool:
        assert pool.submit(_summarize, music).result() == expected
