"""MusPy's generic object methods on our classes: dict conversion, type checks and fixes, time mapping."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import muspy_like as ml
from muspy_like import Annotation, Lyric, Metadata, Music, Note, Tempo, Track
from muspy_like.errors import ValidationError


def piece() -> Music:
    notes = [Note(time=0, pitch=60, duration=12, velocity=80), Note(time=12, pitch=64, duration=12)]
    return Music(metadata=Metadata(title="t", creators=["c"]), resolution=24, tempos=[Tempo(0, 100.0)],
                 lyrics=[Lyric(0, "la")], tracks=[Track(program=40, name="Violin", notes=notes)])


def test_note_from_dict_reads_fields_by_name():
    note = Note.from_dict({"pitch": 67, "time": 5, "duration": 3})
    assert (note.time, note.pitch, note.duration, note.velocity) == (5, 67, 3, 64)


def test_strict_from_dict_refuses_values_of_the_wrong_type():
    Note.from_dict({"time": 0, "pitch": 60, "duration": 1}, strict=True)
    with pytest.raises(TypeError, match="Note.time"):
        Note.from_dict({"time": 0.5, "pitch": 60, "duration": 1}, strict=True)


def test_casting_from_dict_converts_strings_floats_and_one_element_arrays():
    note = Note.from_dict({"time": 2.0, "duration": "3", "pitch": np.array([61])}, cast=True)
    assert [type(v) for v in note.to_tuple()] == [int] * 4
    assert note.to_tuple() == (2, 61, 3, 64)
    meta = Metadata.from_dict({"creators": (7, False)}, cast=True)
    assert meta.creators == ["7", "False"]
    with pytest.raises(TypeError, match="not a whole number"):
        Note.from_dict({"time": 2.5, "pitch": 60, "duration": 1}, cast=True)


def test_ordered_dict_round_trip_rebuilds_an_equal_piece():
    music = piece()
    plain = music.to_ordered_dict()
    assert list(plain["tracks"][0]["notes"][0]) == ["time", "pitch", "duration", "velocity"]
    assert plain["tracks"][0]["notes"][1]["pitch"] == 64
    assert "key_signatures" not in plain  # empty lists are skipped by default
    assert "key_signatures" in music.to_ordered_dict(skip_missing=False)
    assert Music.from_dict(plain) == music


def test_from_dict_takes_our_native_note_columns_too():
    track = Track.from_dict({"program": 1, "notes": {"time": [0, 4], "pitch": [60, 62], "duration": [4, 4]}})
    assert track.notes.pitch.tolist() == [60, 62] and track.notes.velocity.tolist() == [64, 64]


def test_fix_type_converts_sparse_events_and_recurses_into_the_piece():
    music = piece()
    music.tempos[0].qpm = np.float64(90)
    music.tempos[0].time = 0.0
    music.tracks[0].program = "41"
    music.fix_type()
    assert type(music.tempos[0].qpm) is float and type(music.tempos[0].time) is int
    assert music.tracks[0].program == 41


def test_validate_type_names_the_field_and_is_valid_type_says_no():
    tempo = Tempo(time=0, qpm="fast")
    with pytest.raises(TypeError, match="Tempo.qpm"):
        tempo.validate_type()
    assert not tempo.is_valid_type()
    assert piece().is_valid_type()


def test_validate_checks_one_field_or_everything():
    music = piece()
    music.tempos.append(Tempo(-5, 120.0))
    assert music.is_valid("tracks")
    assert not music.is_valid("tempos")
    with pytest.raises(ValidationError, match=r"tempos\[1\]\.time"):
        music.validate()


def test_remove_invalid_drops_bad_rows_and_items_and_keeps_cleaned_tracks():
    music = piece()
    music.tracks[0].notes.append(Note(time=0, pitch=60, duration=1))
    music.tracks[0].notes.time[2] = -3
    music.tempos.append(Tempo(10, -1.0))
    music.remove_invalid()
    assert len(music.tracks) == 1 and len(music.tracks[0]) == 2
    assert [t.qpm for t in music.tempos] == [100.0]


def test_adjust_time_maps_onsets_and_ends():
    music = piece()
    music.adjust_time(lambda t: 2 * t + 1)
    assert music.tracks[0].notes.time.tolist() == [1, 25]
    assert music.tracks[0].notes.duration.tolist() == [24, 24]  # ends mapped too: (2*12+1) - 1
    assert music.tempos[0].time == 1 and music.lyrics[0].time == 1


def test_timed_objects_order_by_time_only():
    a, b, c = Note(1, 70, 1), Note(0, 72, 1), Note(0, 60, 1)
    assert b < a and a > c and not (b < c) and not (c < b)
    assert [n.pitch for n in sorted([a, b, c])] == [72, 60, 70]  # stable among equal times
    assert sorted([Annotation(5, "x"), Annotation(2, "y")])[0].annotation == "y"


def test_field_tables_follow_the_declarations():
    assert list(Note._attributes) == ["time", "pitch", "duration", "velocity"]
    assert Music._list_attributes == ["tempos", "key_signatures", "time_signatures", "beats", "barlines",
                                      "lyrics", "annotations", "tracks"]
    assert "name" in Track._optional_attributes and "program" not in Track._optional_attributes


def test_pretty_str_is_yaml_of_the_fields():
    import yaml

    assert yaml.safe_load(piece().pretty_str())["tracks"][0]["name"] == "Violin"


def test_deepcopy_method_gives_an_equal_independent_piece():
    music = piece()
    other = music.deepcopy()
    other.tracks[0].notes.pitch[0] = 1
    assert music.tracks[0].notes.pitch[0] == 60 and other == copy.deepcopy(other)


def test_function_forms_call_the_methods():
    music = piece()
    assert ml.transpose(music, 2) is music and music.tracks[0].notes.pitch.tolist() == [62, 66]
    assert ml.get_end_time(music, is_sorted=True) == music.get_end_time() == 24
    assert ml.to_ordered_dict(music)["resolution"] == 24
    with pytest.raises(TypeError, match="callable"):
        ml.adjust_resolution(music, 12, rounding=round)
