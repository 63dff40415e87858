"""Hand-built pieces with their encodings worked out by hand from the documented vocabularies."""

from __future__ import annotations

import numpy as np
import pytest

from muspy_like import Music, Note, Tempo, TimeSignature, Track
from muspy_like.errors import RepresentationError
from muspy_like.representations import (
    HOLD,
    REST,
    EventRepresentationProcessor,
    event_vocabulary,
    from_event_representation,
    from_note_representation,
    from_pianoroll_representation,
    from_pitch_representation,
    pitch_vocabulary,
    to_event_representation,
    to_note_representation,
    to_pianoroll_representation,
    to_pitch_representation,
)
from representations.helpers import canonical, tempo_list


def band() -> Music:
    piano = Track(program=0, notes=[Note(0, 60, 4, 64), Note(4, 62, 4, 100)])
    drums = Track(program=0, is_drum=True, notes=[Note(0, 36, 1, 80)])
    return Music(resolution=4, tempos=[Tempo(0, 120.0), Tempo(8, 90.0)], tracks=[piano, drums])


# -- event: MIDI-like ----------------------------------------------------------------------------------
def test_default_vocabulary_layout():
    names = event_vocabulary()
    # 128 note-on + 128 note-off + 100 shifts + 32 velocities + 129 programs + 64 tracks
    # + 281 tempos (20..300 qpm).
    assert len(names) == 128 + 128 + 100 + 32 + 129 + 64 + 281
    assert names[:2] == ["note-on-0", "note-on-1"]
    assert names[256] == "time-shift-1" and names[355] == "time-shift-100"
    assert names[356] == "velocity-0" and names[357] == "velocity-4" and names[387] == "velocity-124"
    assert names[388] == "program-0" and names[516] == "program-drum"
    assert names[517] == "track-0" and names[580] == "track-63"
    assert names[581] == "tempo-20" and names[-1] == "tempo-300"


def test_midi_like_tokens_of_a_two_track_piece():
    names = event_vocabulary()
    tokens = to_event_representation(band())
    assert tokens.shape == (21, 1)
    assert [names[t] for t in tokens.ravel()] == [
        "track-0", "program-0", "track-1", "program-drum",   # the header declares the tracks
        "tempo-120", "track-0", "velocity-64", "note-on-60", "track-1", "velocity-80", "note-on-36",
        "time-shift-1", "note-off-36",
        "time-shift-3", "track-0", "velocity-100", "note-on-62", "note-off-60",
        "time-shift-4", "tempo-90", "note-off-62",
    ]
    assert tokens.ravel()[:5].tolist() == [517, 388, 518, 516, 581 + 100]


def test_program_tokens_instead_of_track_tokens():
    names = event_vocabulary(encode_track=False)
    tokens = to_event_representation(band(), encode_track=False)
    assert [names[t] for t in tokens.ravel()][:9] == [
        "program-0", "program-drum", "tempo-120", "program-0", "velocity-64", "note-on-60", "program-drum",
        "velocity-80", "note-on-36"]
    decoded = from_event_representation(tokens, resolution=4, encode_track=False)
    assert canonical(decoded) == canonical(band())


def test_tracks_sharing_a_program_stay_apart_with_track_tokens():
    hands = Music(resolution=4, tracks=[Track(notes=[Note(0, 72, 4)]), Track(notes=[Note(0, 48, 4)])])
    decoded = from_event_representation(to_event_representation(hands), resolution=4)
    assert canonical(decoded) == canonical(hands)
    merged = from_event_representation(to_event_representation(hands, encode_track=False), resolution=4,
                                       encode_track=False)
    assert canonical(merged) == [(0, False, [(0, 48, 4, 64), (0, 72, 4, 64)])]
    with pytest.raises(RepresentationError, match="max_tracks"):
        to_event_representation(hands, max_tracks=1)


def test_midi_like_decoding_restores_tracks_tempo_and_timing():
    music = band()
    decoded = from_event_representation(to_event_representation(music), resolution=4)
    assert canonical(decoded) == canonical(music)
    assert tempo_list(decoded) == [(0, 120.0), (8, 90.0)]
    assert decoded.get_real_end_time() == pytest.approx(music.get_real_end_time())


def test_long_gaps_split_into_several_time_shifts():
    music = Music(resolution=24, tracks=[Track(notes=[Note(250, 60, 1)])])
    options = dict(encode_velocity=False, encode_program=False, encode_track=False, encode_tempo=False)
    names = event_vocabulary(**options)
    tokens = to_event_representation(music, **options)
    assert len(names) == 128 + 128 + 100
    assert [names[t] for t in tokens.ravel()] == ["time-shift-100", "time-shift-100", "time-shift-50",
                                                  "note-on-60", "time-shift-1", "note-off-60"]


def test_repeated_and_zero_length_notes_stay_apart():
    notes = [Note(0, 60, 4), Note(4, 60, 4), Note(8, 62, 0), Note(8, 62, 3)]
    music = Music(resolution=4, tracks=[Track(notes=notes)])
    decoded = from_event_representation(to_event_representation(music), resolution=4)
    assert canonical(decoded) == canonical(music)


def test_velocity_token_only_on_change_without_forcing():
    music = Music(resolution=4, tracks=[Track(notes=[Note(0, 60, 1, 64), Note(1, 62, 1, 64), Note(2, 64, 1, 8)])])
    names = event_vocabulary(encode_tempo=False)
    tokens = to_event_representation(music, force_velocity_event=False, encode_tempo=False)
    assert [names[t] for t in tokens.ravel()].count("velocity-64") == 1
    assert "velocity-8" in [names[t] for t in tokens.ravel()]


def test_lossy_cases_are_the_documented_ones():
    music = Music(resolution=4, tempos=[Tempo(0, 97.4)], tracks=[Track(notes=[Note(0, 60, 4, 66)])])
    decoded = from_event_representation(to_event_representation(music), resolution=4)
    assert decoded.tracks[0].notes[0].velocity == 64  # 66 falls in the bin of 64..67
    assert tempo_list(decoded) == [(0, 97.0)]  # whole qpm


def test_dangling_note_events_from_a_model_are_handled():
    names = event_vocabulary()
    index = {name: i for i, name in enumerate(names)}
    tokens = [index[n] for n in ["note-off-60", "note-on-60", "time-shift-2", "note-off-60", "note-off-60",
                                 "note-on-61", "time-shift-1"]]
    music = from_event_representation(np.array(tokens))
    assert canonical(music) == [(0, False, [(0, 60, 2, 64)])]  # stray off ignored, unclosed on dropped


def test_event_decoder_rejects_tokens_outside_the_vocabulary():
    with pytest.raises(RepresentationError, match="position 1"):
        from_event_representation(np.array([0, 862]))
    with pytest.raises(RepresentationError, match="integer"):
        from_event_representation(np.array([0.5]))


def test_end_of_sequence_stops_decoding():
    music = band()
    tokens = to_event_representation(music, use_end_of_sequence_event=True).ravel()
    names = event_vocabulary(use_end_of_sequence_event=True)
    assert names[tokens[-1]] == "end-of-sequence"
    garbage = np.concatenate([tokens, [60, 257, 188]])  # note-on, shift, note-off after the end
    decoded = from_event_representation(garbage, resolution=4, use_end_of_sequence_event=True)
    assert canonical(decoded) == canonical(music)


# -- event: REMI ---------------------------------------------------------------------------------------
def remi_names(tokens, **options):
    names = event_vocabulary(mode="remi", **options)
    return [names[t] for t in np.asarray(tokens).ravel()]


def test_remi_tokens_in_three_four():
    music = Music(resolution=2, time_signatures=[TimeSignature(0, 3, 4)], tempos=[Tempo(0, 100.0)],
                  tracks=[Track(program=40, notes=[Note(0, 60, 2, 64), Note(7, 64, 1, 64)])])
    tokens = to_event_representation(music, mode="remi")
    assert remi_names(tokens, resolution=2) == [
        "track-0", "program-40", "bar", "time-signature-3/4", "position-0", "tempo-100", "velocity-64", "pitch-60",
        "duration-2", "bar", "position-1", "velocity-64", "pitch-64", "duration-1"]
    decoded = from_event_representation(tokens, mode="remi", resolution=2)
    assert canonical(decoded) == canonical(music)
    assert [(t.time, t.numerator, t.denominator) for t in decoded.time_signatures] == [(0, 3, 4)]


def test_remi_marks_a_bar_cut_short_by_a_new_meter():
    # 4/4 at resolution 1: bars at 0 and 4; 3/4 from tick 5 cuts the second bar to one step.
    music = Music(resolution=1, time_signatures=[TimeSignature(0, 4, 4), TimeSignature(5, 3, 4)],
                  tracks=[Track(notes=[Note(6, 60, 1, 64)])])
    assert music.bar_ticks().tolist() == [0, 4, 5]
    tokens = to_event_representation(music, mode="remi", encode_tempo=False)
    assert remi_names(tokens, resolution=1, encode_tempo=False) == [
        "track-0", "program-0", "bar", "time-signature-4/4", "bar", "position-1", "bar", "time-signature-3/4",
        "position-1", "velocity-64", "pitch-60", "duration-1"]
    decoded = from_event_representation(tokens, mode="remi", resolution=1, encode_tempo=False)
    assert canonical(decoded) == canonical(music)
    assert [(t.time, t.numerator) for t in decoded.time_signatures] == [(0, 4), (5, 3)]


def test_remi_rejects_bars_longer_than_its_positions():
    music = Music(resolution=4, time_signatures=[TimeSignature(0, 9, 4)], tracks=[Track(notes=[Note(0, 60, 1)])])
    with pytest.raises(RepresentationError, match="max_bar_quarters"):
        to_event_representation(music, mode="remi")
    assert len(to_event_representation(music, mode="remi", max_bar_quarters=9)) > 0
    tiny = Music(resolution=1, time_signatures=[TimeSignature(0, 1, 16)])
    with pytest.raises(RepresentationError, match="less than one step"):
        to_event_representation(tiny, mode="remi")


def test_remi_processor_vocabulary_size():
    processor = EventRepresentationProcessor(mode="remi", resolution=4)
    # bar 1 + positions 32 + signatures 16*7 + tempos 281 + programs 129 + tracks 64 + velocities 32
    # + pitches 128 + durations 65.
    assert len(processor.vocabulary) == 1 + 32 + 112 + 281 + 129 + 64 + 32 + 128 + 65


# -- pitch ---------------------------------------------------------------------------------------------
def test_rests_are_not_pitch_zero():
    music = Music(resolution=1, tracks=[Track(notes=[Note(0, 0, 2), Note(3, 0, 1)])])
    assert to_pitch_representation(music).ravel().tolist() == [0, HOLD, REST, 0]
    assert to_pitch_representation(music, use_hold_state=False).ravel().tolist() == [0, 0, REST, 0]
    decoded = from_pitch_representation(np.array([0, HOLD, REST, 0]), resolution=1)
    assert canonical(decoded) == [(0, False, [(0, 0, 2, 64), (3, 0, 1, 64)])]
    assert pitch_vocabulary()[REST] == "rest" and pitch_vocabulary()[HOLD] == "hold"


def test_polyphony_policies():
    music = Music(resolution=1, tracks=[Track(notes=[Note(0, 60, 4), Note(1, 64, 1)])])
    # Highest: 60, then 64 over it, then 60 again (a new onset when the top voice changes), then held.
    assert to_pitch_representation(music).ravel().tolist() == [60, 64, 60, HOLD]
    assert to_pitch_representation(music, polyphony="lowest").ravel().tolist() == [60, HOLD, HOLD, HOLD]
    with pytest.raises(RepresentationError, match="step 1"):
        to_pitch_representation(music, polyphony="raise")


def test_pitch_of_one_track():
    music = Music(resolution=1, tracks=[Track(notes=[Note(0, 60, 2)]), Track(notes=[Note(0, 72, 1)])])
    assert to_pitch_representation(music, track=0).ravel().tolist() == [60, HOLD]
    assert to_pitch_representation(music).ravel().tolist() == [72, 60]
    with pytest.raises(RepresentationError, match="track index 5"):
        to_pitch_representation(music, track=5)


def test_pitch_decoder_rejects_unknown_tokens():
    with pytest.raises(RepresentationError, match="step 2"):
        from_pitch_representation(np.array([60, 129, 130]))
    with pytest.raises(RepresentationError, match="outside 0..128"):
        from_pitch_representation(np.array([129]), use_hold_state=False)


# -- note ----------------------------------------------------------------------------------------------
def trio() -> Music:
    return Music(resolution=24, tempos=[Tempo(0, 100.0), Tempo(48, 80.5)], tracks=[
        Track(program=0, notes=[Note(0, 60, 24, 90)]),
        Track(program=0, is_drum=True, notes=[Note(0, 36, 12, 100)]),
        Track(program=40, notes=[Note(48, 67, 24, 70)]),
    ])


def test_note_rows_with_tracks_and_tempo():
    expected = [
        [0, -1, 0, 0, -1, 0, -1, 100],
        [0, 60, 24, 90, 0, 0, 0, 100],
        [0, 36, 12, 100, 0, 1, 1, 100],
        [48, -1, 0, 0, -1, 0, -1, 81],     # 80.5 qpm rounds half up in an integer array
        [48, 67, 24, 70, 40, 0, 2, 81],
    ]
    assert to_note_representation(trio()).tolist() == expected
    exact = to_note_representation(trio(), dtype=np.float64)
    assert exact[3, 7] == 80.5
    decoded = from_note_representation(exact, resolution=24)
    assert canonical(decoded) == canonical(trio()) and tempo_list(decoded) == [(0, 100.0), (48, 80.5)]


def test_note_columns_like_muspy():
    array = to_note_representation(trio(), columns=("time", "pitch", "end", "velocity"))
    assert array.tolist() == [[0, 60, 24, 90], [0, 36, 12, 100], [48, 67, 72, 70]]  # time, then track order
    decoded = from_note_representation(array, columns=("time", "pitch", "end", "velocity"), program=5)
    assert canonical(decoded) == [(5, False, [(0, 36, 12, 100), (0, 60, 24, 90), (48, 67, 24, 70)])]


def test_note_decoder_names_the_bad_row():
    with pytest.raises(RepresentationError, match="row 1 has pitch 200"):
        from_note_representation(np.array([[0, 60, 1, 64], [1, 200, 1, 64]]), columns=("time", "pitch", "duration", "velocity"))
    with pytest.raises(RepresentationError, match="unknown columns"):
        to_note_representation(trio(), columns=("time", "pitch", "duration", "loudness"))
    with pytest.raises(RepresentationError, match="shape"):
        from_note_representation(np.zeros((2, 3), dtype=int))


# -- piano roll ----------------------------------------------------------------------------------------
def repeated() -> Music:
    return Music(resolution=1, tracks=[Track(notes=[Note(0, 60, 2, 90), Note(2, 60, 1, 50), Note(1, 64, 1, 30)])])


def test_velocity_roll_and_its_decoding():
    roll = to_pianoroll_representation(repeated())
    assert roll.shape == (3, 128) and roll.dtype == np.uint8
    assert roll[:, 60].tolist() == [90, 90, 50] and roll[:, 64].tolist() == [0, 30, 0]
    assert roll.sum() == 90 + 90 + 50 + 30
    assert canonical(from_pianoroll_representation(roll, resolution=1)) == canonical(repeated())


def test_binary_roll_merges_repeated_notes_unless_onsets_are_encoded():
    binary = to_pianoroll_representation(repeated(), encode_velocity=False)
    assert binary.dtype == bool and binary[:, 60].tolist() == [True, True, True]
    assert canonical(from_pianoroll_representation(binary))[0][2] == [(0, 60, 3, 64), (1, 64, 1, 64)]
    with_onsets = to_pianoroll_representation(repeated(), encode_velocity=False, encode_onsets=True)
    assert with_onsets.shape == (2, 3, 128) and with_onsets[1, :, 60].tolist() == [True, False, True]
    assert canonical(from_pianoroll_representation(with_onsets, encode_onsets=True))[0][2] == [
        (0, 60, 2, 64), (1, 64, 1, 64), (2, 60, 1, 64)]


def test_track_axis_keeps_tracks_apart():
    roll = to_pianoroll_representation(trio(), track_axis=True)
    assert roll.shape == (3, 72, 128)
    assert roll[0, :24, 60].tolist() == [90] * 24 and roll[1, :12, 36].tolist() == [100] * 12
    assert roll[2, 48:, 67].tolist() == [70] * 24 and roll.astype(bool).sum() == 24 + 12 + 24
    decoded = from_pianoroll_representation(roll, track_axis=True, programs=[0, 0, 40], is_drums=[False, True, False])
    assert canonical(decoded) == canonical(trio())


def test_pianoroll_decoder_checks_its_input():
    with pytest.raises(RepresentationError, match="shape"):
        from_pianoroll_representation(np.zeros((4, 100), dtype=np.uint8))
    with pytest.raises(RepresentationError, match="0..127"):
        from_pianoroll_representation(np.full((2, 128), 200, dtype=np.int16))
    with pytest.raises(RepresentationError, match="programs"):
        from_pianoroll_representation(np.zeros((2, 3, 128), dtype=bool), track_axis=True, programs=[0])
