"""MusPy's representation names at the top level: MusPy's defaults and token layout over our encoders."""

from __future__ import annotations

import numpy as np
import pytest

import muspy_like as ml
from muspy_like import Music, Note, Track
from muspy_like.representations import event_vocabulary


def melody() -> Music:
    # Two touching notes, a rest, then a repeated pitch: C4 (0-4), E4 (4-6), rest, E4 (8-10), E4 (10-12).
    notes = [Note(0, 60, 4, 80), Note(4, 64, 2, 80), Note(8, 64, 2, 40), Note(10, 64, 2, 40)]
    return Music(resolution=4, tracks=[Track(notes=notes)])


def test_pitch_defaults_to_no_hold_state_and_rests_are_128():
    tokens = ml.to_pitch_representation(melody()).ravel().tolist()
    assert tokens == [60] * 4 + [64] * 2 + [128] * 2 + [64] * 4
    held = ml.to_pitch_representation(melody(), use_hold_state=True).ravel().tolist()
    assert held[:6] == [60, 129, 129, 129, 64, 129] and held[8:] == [64, 129, 64, 129]
    assert ml.from_pitch_representation(np.array(held), use_hold_state=True, resolution=4).tracks[0].notes.duration.tolist() == [4, 2, 2, 2]


def test_event_tokens_follow_muspys_layout_and_order():
    music = Music(resolution=4, tracks=[Track(notes=[Note(0, 60, 2, 64), Note(2, 62, 1, 64)])])
    tokens = ml.to_event_representation(music).ravel().tolist()
    # note-on 60, shift 2, note-off 60 before note-on 62 at the same step, shift 1, note-off 62
    assert tokens == [60, 256 + 1, 128 + 60, 62, 256, 128 + 62]
    with_velocity = ml.to_event_representation(music, encode_velocity=True).ravel().tolist()
    assert with_velocity[0] == 356 + 16 and with_velocity.count(356 + 16) == 2
    once = ml.to_event_representation(music, encode_velocity=True, force_velocity_event=False).ravel().tolist()
    assert once.count(356 + 16) == 1
    assert ml.to_event_representation(music, use_end_of_sequence_event=True).ravel()[-1] == 388


def test_event_layout_agrees_with_our_vocabulary_without_track_program_and_tempo_tokens():
    names = event_vocabulary(encode_program=False, encode_track=False, encode_tempo=False)
    tokens = ml.to_event_representation(melody(), encode_velocity=True).ravel()
    assert [names[t] for t in tokens[:3]] == ["velocity-80", "note-on-60", "time-shift-4"]


def test_long_gaps_take_several_time_shift_tokens():
    music = Music(tracks=[Track(notes=[Note(250, 60, 1)])])
    assert ml.to_event_representation(music).ravel().tolist()[:4] == [355, 355, 256 + 49, 60]


def test_event_round_trips_and_single_note_off_closes_every_sounding_note():
    music = melody()
    for options in ({}, {"encode_velocity": True}, {"use_end_of_sequence_event": True}):
        back = ml.from_event_representation(ml.to_event_representation(music, **options), resolution=4,
                                            use_end_of_sequence_event=options.get("use_end_of_sequence_event", False))
        expected = [(n.time, n.pitch, n.duration) for n in music.tracks[0]]
        assert [(n.time, n.pitch, n.duration) for n in back.tracks[0]] == expected
    chord = Music(tracks=[Track(notes=[Note(0, 60, 4), Note(0, 64, 2)])])
    tokens = ml.to_event_representation(chord, use_single_note_off_event=True).ravel().tolist()
    assert tokens == [60, 64, 129 + 1, 128, 129 + 1, 128]
    back = ml.from_event_representation(np.array(tokens), use_single_note_off_event=True)
    assert back.tracks[0].notes.duration.tolist() == [2, 2]  # the first note-off ends both (MusPy's rule)
    with pytest.raises(ValueError, match="duplicate_note_mode"):
        ml.from_event_representation(np.array(tokens), duplicate_note_mode="lifo")


def test_note_representation_has_four_columns_sorted_across_tracks():
    music = Music(tracks=[Track(notes=[Note(4, 70, 2)]), Track(program=5, notes=[Note(0, 60, 1), Note(4, 65, 3)])])
    table = ml.to_note_representation(music)
    assert table.tolist() == [[0, 60, 1, 64], [4, 65, 3, 64], [4, 70, 2, 64]]
    assert ml.to_note_representation(music, use_start_end=True)[:, 2].tolist() == [1, 7, 6]
    back = ml.from_note_representation(table, resolution=music.resolution)
    assert len(back.tracks) == 1 and back.tracks[0].notes.pitch.tolist() == [60, 65, 70]


def test_piano_roll_has_one_extra_step_and_boolean_decoding():
    roll = ml.to_pianoroll_representation(melody())
    assert roll.shape == (13, 128) and not roll[12].any() and roll[0, 60] == 80
    binary = ml.to_pianoroll_representation(melody(), encode_velocity=False)
    assert binary.dtype == bool
    back = ml.from_pianoroll_representation(roll.astype(np.int64) * 0 + (roll > 0) * 3, encode_velocity=False)
    assert set(back.tracks[0].notes.velocity.tolist()) == {64}


def test_processors_carry_muspys_defaults():
    assert ml.PitchRepresentationProcessor().use_hold_state is False
    assert ml.EventRepresentationProcessor().encode_velocity is False
    processor = ml.NoteRepresentationProcessor()
    assert processor.decode(processor.encode(melody())).tracks[0].notes.pitch.tolist() == [60, 64, 64, 64]
    from muspy_like.representations import PitchRepresentationProcessor as Ours

    assert Ours().use_hold_state is True  # our own API keeps its default


def test_dispatch_by_kind_name():
    music = melody()
    assert np.array_equal(ml.to_representation(music, "piano-roll"), music.to_pianoroll_representation())
    assert ml.from_representation(ml.to_representation(music, "note"), "note-based").n_notes == 4
    with pytest.raises(ValueError, match="kind must be one of"):
        ml.to_representation(music, "midi")


def test_event_sequences_name_their_codes_and_leave_the_piece_unchanged():
    from muspy_like.outputs.event import to_default_event_sequence, to_performance_event_sequence

    music = Music(resolution=4, tracks=[Track(notes=[Note(0, 60, 2)])])
    sequence = to_default_event_sequence(music)
    assert sequence == [60, 257, 188] and sequence.events == ["note_on_60", "time_shift_2", "note_off_60"]
    assert to_performance_event_sequence(music).events[0] == "velocity_16"
    to_default_event_sequence(music, resolution=8)
    assert music.resolution == 4
