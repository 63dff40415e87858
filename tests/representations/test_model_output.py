"""Whatever a model writes within the vocabulary decodes to a valid piece: no crash, no invalid value."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from muspy_like.representations import (
    EventVocabulary,
    from_event_representation,
    from_note_representation,
    from_pianoroll_representation,
    from_pitch_representation,
)

SETTINGS = settings(max_examples=80, deadline=None)


@SETTINGS
@given(st.sampled_from(["midi", "remi"]), st.booleans(), st.data())
def test_any_token_sequence_decodes_to_a_valid_piece(mode, encode_track, data):
    size = len(EventVocabulary(mode=mode, resolution=4, encode_track=encode_track))
    tokens = np.array(data.draw(st.lists(st.integers(0, size - 1), max_size=200)), dtype=np.int64)
    music = from_event_representation(tokens, mode=mode, resolution=4, encode_track=encode_track)
    music.validate()
    assert music.resolution == 4


@SETTINGS
@given(st.lists(st.integers(0, 129), max_size=100))
def test_any_pitch_sequence_decodes_to_a_valid_piece(values):
    music = from_pitch_representation(np.array(values, dtype=np.int64))
    music.validate()
    notes = music.tracks[0].notes
    # Every pitch token sounds one step; a hold (129) sounds only when it continues a note, never after a
    # rest (128) or at the start (the documented decoding rule).
    sounding, in_note = 0, False
    for value in values:
        in_note = value < 128 or (value == 129 and in_note)
        sounding += in_note
    assert int(notes.duration.sum()) == sounding


@SETTINGS
@given(st.integers(0, 40), st.booleans(), st.integers(0, 2**32 - 1), st.sampled_from([0.05, 0.5, 0.95]))
def test_any_velocity_roll_decodes_to_a_valid_piece(length, onsets, seed, density):
    rng = np.random.default_rng(seed)
    shape = (2, length, 128) if onsets else (length, 128)
    values = rng.integers(1, 4, shape) * 40  # few distinct velocities, so that runs form
    roll = np.where(rng.random(shape) < density, values, 0).astype(np.uint8)
    music = from_pianoroll_representation(roll, encode_onsets=onsets)
    music.validate()
    frames = roll[0] if onsets else roll
    covered = np.zeros(frames.shape, dtype=bool)
    for note in music.tracks[0].notes:
        assert not covered[note.time:note.end, note.pitch].any()  # notes never overlap
        covered[note.time:note.end, note.pitch] = True
    assert np.array_equal(covered, frames > 0)  # and they cover exactly the sounding cells


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 127), st.integers(0, 50), st.integers(0, 127),
                          st.integers(0, 127), st.integers(0, 1), st.integers(0, 5)), max_size=40))
def test_any_valid_note_table_decodes(rows):
    columns = ("time", "pitch", "duration", "velocity", "program", "drum", "track")
    array = np.array(rows, dtype=np.int64).reshape(-1, 7)
    music = from_note_representation(array, columns=columns)
    music.validate()
    assert music.n_notes == len(rows)
