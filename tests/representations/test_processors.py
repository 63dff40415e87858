"""Processors carry their options to both functions, pickle, and use one resolution both ways."""

from __future__ import annotations

import pickle

import numpy as np

from muspy_like import Music, Note, Tempo, Track
from muspy_like.representations import (
    EventRepresentationProcessor,
    NoteRepresentationProcessor,
    PianoRollRepresentationProcessor,
    PitchRepresentationProcessor,
    to_note_representation,
)
from representations.helpers import canonical, tempo_list


def duet() -> Music:
    return Music(resolution=24, tempos=[Tempo(0, 90.0)], tracks=[
        Track(program=0, notes=[Note(0, 72, 24, 96), Note(24, 74, 48, 80)]),
        Track(program=0, notes=[Note(0, 48, 72, 60)]),
    ])


def test_every_processor_round_trips_what_it_holds():
    music = duet()
    for processor in (EventRepresentationProcessor(), EventRepresentationProcessor(mode="remi"),
                      NoteRepresentationProcessor()):
        decoded = processor.decode(processor.encode(music))
        assert canonical(decoded) == canonical(music), processor
        assert tempo_list(decoded) == [(0, 90.0)]
    roll = PianoRollRepresentationProcessor(track_axis=True, programs=[0, 0], is_drums=[False, False])
    assert roll.encode(music).shape == (2, 72, 128)
    assert canonical(roll.decode(roll.encode(music))) == canonical(music)
    melody = Music(resolution=24, tracks=[Track(notes=[Note(0, 72, 24), Note(24, 72, 24)])])
    pitch = PitchRepresentationProcessor()
    assert canonical(pitch.decode(pitch.encode(melody))) == canonical(melody)


def test_processor_options_reach_encoder_and_decoder():
    processor = PianoRollRepresentationProcessor(encode_velocity=False, encode_onsets=True)
    array = processor.encode(duet())
    assert array.dtype == bool and array.shape == (2, 72, 128)
    assert {n.velocity for n in processor.decode(array).tracks[0].notes} == {64}
    events = EventRepresentationProcessor(encode_tempo=False, velocity_bins=8)
    assert len(events.vocabulary) == 128 + 128 + 100 + 8 + 129 + 64
    assert events.encode(duet()).max() < len(events.vocabulary)


def test_processors_rescale_to_their_resolution():
    fine = Music(resolution=96, tracks=[Track(notes=[Note(0, 60, 96), Note(96, 62, 48)])])
    decoded = NoteRepresentationProcessor(resolution=24).decode(NoteRepresentationProcessor(resolution=24).encode(fine))
    assert decoded.resolution == 24
    assert canonical(decoded) == [(0, False, [(0, 60, 24, 64), (24, 62, 12, 64)])]
    assert fine.resolution == 96 and fine.tracks[0].notes[1].duration == 48  # the input is untouched


def test_function_resolution_equals_adjusting_first():
    fine = Music(resolution=48, tempos=[Tempo(96, 100.0)],
                 tracks=[Track(notes=[Note(0, 60, 30), Note(50, 64, 7)])])
    expected = to_note_representation(fine.copy().adjust_resolution(24))
    assert np.array_equal(to_note_representation(fine, resolution=24), expected)
    assert expected[:, 0].tolist() == [0, 25, 48] and expected[:, 2].tolist() == [15, 4, 0]


def test_processors_pickle():
    processor = EventRepresentationProcessor(mode="remi", resolution=4)
    clone = pickle.loads(pickle.dumps(processor))
    assert clone == processor and np.array_equal(clone.encode(duet()), processor.encode(duet()))
