"""The column-wise note store behaves like a list of Note objects and like numpy columns."""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from muspy_like import ControlChange, ControlChangeArray, Note, NoteArray, PitchBend


def make_notes():
    return NoteArray([Note(0, 60, 24), Note(24, 64, 12, 90), Note(12, 67, 6, 30)])


def test_standalone_note_fields_and_defaults():
    note = Note(time=0, pitch=60, duration=24)
    assert (note.time, note.pitch, note.duration, note.velocity) == (0, 60, 24, 64)
    assert note.end == 24 and note.start == 0
    assert isinstance(note.pitch, int)


def test_positional_order_is_musPy_order():
    note = Note(10, 61, 5, 100)
    assert note.to_dict() == {"time": 10, "pitch": 61, "duration": 5, "velocity": 100}


def test_missing_required_field_is_an_error():
    with pytest.raises(TypeError, match="duration"):
        Note(time=0, pitch=60)


def test_view_reads_and_writes_through():
    notes = make_notes()
    view = notes[1]
    view.pitch = 70
    assert notes.pitch.tolist() == [60, 70, 67]
    notes.velocity[1] = 5
    assert view.velocity == 5


def test_columns_are_arrays_and_assignable():
    notes = make_notes()
    assert notes.time.dtype == np.int64 and notes.pitch.dtype == np.int16
    notes.pitch = notes.pitch + 2
    assert [n.pitch for n in notes] == [62, 66, 69]
    assert notes.end.tolist() == [24, 36, 18]


def test_list_protocol():
    notes = make_notes()
    assert len(notes) == 3 and bool(notes)
    notes.append(Note(48, 50, 1))
    assert len(notes) == 4 and notes[-1].pitch == 50
    notes.insert(0, Note(1, 40, 2))
    assert notes[0].pitch == 40 and len(notes) == 5
    popped = notes.pop(0)
    assert popped == Note(1, 40, 2) and len(notes) == 4
    del notes[0]
    assert notes.pitch.tolist() == [64, 67, 50]
    with pytest.raises(IndexError):
        notes[3]
    notes.clear()
    assert len(notes) == 0 and not notes


def test_slicing_and_masks_give_new_arrays():
    notes = make_notes()
    first_two = notes[:2]
    assert isinstance(first_two, NoteArray) and len(first_two) == 2
    first_two[0].pitch = 1
    assert notes[0].pitch == 60, "a slice is a copy, not a view"
    loud = notes[notes.velocity > 50]
    assert loud.pitch.tolist() == [60, 64]


def test_extend_with_list_and_array_and_type_checks():
    notes = make_notes()
    notes.extend([Note(1, 2, 3)])
    notes.extend(make_notes())
    assert len(notes) == 7
    with pytest.raises(TypeError):
        notes.append(ControlChange(0, 64, 127))
    with pytest.raises(TypeError):
        notes.extend(ControlChangeArray([ControlChange(0, 1, 2)]))


def test_sort_is_by_time_then_pitch():
    notes = NoteArray([Note(10, 60, 1), Note(0, 70, 1), Note(0, 50, 1)])
    assert not notes.is_sorted()
    notes.sort()
    assert [(n.time, n.pitch) for n in notes] == [(0, 50), (0, 70), (10, 60)]
    assert notes.is_sorted()


def test_equality_compares_type_and_values():
    assert make_notes() == make_notes()
    other = make_notes()
    other[2].duration = 7
    assert make_notes() != other
    assert Note(0, 60, 24) == Note(0, 60, 24)
    assert Note(0, 60, 24) != PitchBend(0, 60)
    assert (Note(0, 60, 24) == (0, 60, 24, 64)) is False


def test_mutable_objects_are_unhashable():
    with pytest.raises(TypeError):
        hash(Note(0, 60, 24))
    with pytest.raises(TypeError):
        hash(make_notes())


def test_pickle_round_trip_is_cheap_and_exact():
    notes = NoteArray.from_columns(time=np.arange(10_000), pitch=np.full(10_000, 60),
                                   duration=np.ones(10_000, dtype=int))
    data = pickle.dumps(notes)
    assert pickle.loads(data) == notes
    # Four columns of 10,000 values: a few hundred kB, not one Python object per note.
    assert len(data) < 10_000 * (8 + 2 + 8 + 2) + 2_000
    assert pickle.loads(pickle.dumps(notes[3])) == Note(3, 60, 1)


def test_copy_detaches_view():
    notes = make_notes()
    copy = notes[0].copy()
    notes[0].pitch = 1
    assert copy.pitch == 60


def test_from_columns_validates_shape_and_names():
    with pytest.raises(ValueError, match="different lengths"):
        NoteArray.from_columns(time=[0, 1], pitch=[60], duration=[1, 1])
    with pytest.raises(TypeError, match="unknown"):
        NoteArray.from_columns(time=[0], pitch=[60], duration=[1], loudness=[3])


@settings(max_examples=50)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 127), st.integers(0, 10**4), st.integers(0, 127))))
def test_appending_one_by_one_equals_bulk_construction(rows):
    one_by_one = NoteArray()
    for row in rows:
        one_by_one.append(Note(*row))
    columns = list(zip(*rows)) if rows else [[], [], [], []]
    bulk = NoteArray.from_columns(time=columns[0], pitch=columns[1], duration=columns[2], velocity=columns[3])
    assert one_by_one == bulk
    assert [n.to_tuple() for n in bulk] == [tuple(r) for r in rows]
