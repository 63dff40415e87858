"""Hypothesis round trips: every representation gives back exactly the pieces its docs say it holds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from muspy_like.representations import (
    EventRepresentationProcessor,
    NoteRepresentationProcessor,
    from_event_representation,
    from_note_representation,
    from_pianoroll_representation,
    from_pitch_representation,
    to_event_representation,
    to_note_representation,
    to_pianoroll_representation,
    to_pitch_representation,
)
from representations.helpers import (
    canonical,
    first_in_first_out,
    midi_like_music,
    monophonic_music,
    pianoroll_music,
    remi_music,
    tempo_list,
)
from strategies import music_strategy

SETTINGS = settings(max_examples=60, deadline=None)


@SETTINGS
@given(midi_like_music(), st.booleans())
def test_midi_like_events_round_trip(music, force_velocity_event):
    tokens = to_event_representation(music, force_velocity_event=force_velocity_event)
    decoded = from_event_representation(tokens, resolution=music.resolution)
    assert decoded.resolution == music.resolution
    assert canonical(decoded) == canonical(music)
    assert tempo_list(decoded) == tempo_list(music)


@SETTINGS
@given(midi_like_music(track_tokens=False), st.booleans())
def test_midi_like_events_with_program_tokens_round_trip(music, remi):
    mode = "remi" if remi else "midi"
    if remi:
        music.time_signatures = []
        for track in music.tracks:
            track.notes.duration = np.minimum(track.notes.duration, 16 * music.resolution)
    tokens = to_event_representation(music, mode=mode, encode_track=False)
    decoded = from_event_representation(tokens, mode=mode, resolution=music.resolution, encode_track=False)
    assert canonical(decoded) == canonical(music)
    assert tempo_list(decoded) == tempo_list(music)


@SETTINGS
@given(remi_music(), st.booleans())
def test_remi_events_round_trip(music, force_velocity_event):
    tokens = to_event_representation(music, mode="remi", force_velocity_event=force_velocity_event)
    decoded = from_event_representation(tokens, mode="remi", resolution=music.resolution)
    assert canonical(decoded) == canonical(music)
    assert tempo_list(decoded) == tempo_list(music)
    assert [(t.time, t.numerator, t.denominator) for t in decoded.time_signatures] == \
        [(t.time, t.numerator, t.denominator) for t in music.time_signatures]


@SETTINGS
@given(music_strategy(max_tracks=4, max_notes=30))
def test_note_representation_round_trip_with_exact_tempos(music):
    music.tracks = [t for t in music.tracks if len(t.notes)]  # empty tracks have no rows
    array = to_note_representation(music, dtype=np.float64)
    decoded = from_note_representation(array, resolution=music.resolution)
    assert canonical(decoded) == canonical(music)
    assert tempo_list(decoded) == tempo_list(music)


@SETTINGS
@given(music_strategy(max_tracks=3, max_notes=30))
def test_note_representation_rounds_tempos_to_whole_qpm_with_integers(music):
    array = to_note_representation(music)
    decoded = from_note_representation(array, resolution=music.resolution)
    assert tempo_list(decoded) == [(t.time, float(np.floor(t.qpm + 0.5))) for t in music.tempos]


@SETTINGS
@given(monophonic_music(), st.booleans())
def test_pitch_representation_round_trip(music, use_hold_state):
    if not use_hold_state:  # without holds, back-to-back notes of one pitch merge: keep a gap between them
        notes = music.tracks[0].notes
        same = np.ones(len(notes), dtype=bool)
        same[1:] = ~((notes.pitch[1:] == notes.pitch[:-1]) & (notes.time[1:] == notes.end[:-1]))
        notes.keep(same)
    array = to_pitch_representation(music, use_hold_state=use_hold_state)
    decoded = from_pitch_representation(array, resolution=music.resolution, use_hold_state=use_hold_state)
    assert canonical(decoded) == canonical(music)


@SETTINGS
@given(pianoroll_music(touching=True), st.booleans())
def test_pianoroll_with_onsets_and_track_axis_round_trip(music, encode_velocity):
    if not encode_velocity:
        for track in music.tracks:
            track.notes.velocity = np.full(len(track.notes), 64)
    roll = to_pianoroll_representation(music, encode_velocity=encode_velocity, encode_onsets=True, track_axis=True)
    decoded = from_pianoroll_representation(roll, encode_onsets=True, track_axis=True, resolution=music.resolution,
                                            programs=[t.program for t in music.tracks],
                                            is_drums=[t.is_drum for t in music.tracks])
    assert canonical(decoded) == canonical(music)


@SETTINGS
@given(pianoroll_music(touching=False))
def test_merged_pianoroll_round_trip_of_first_track(music):
    music.tracks = music.tracks[:1]
    roll = to_pianoroll_representation(music)
    program = music.tracks[0].program if music.tracks else 0
    is_drum = music.tracks[0].is_drum if music.tracks else False
    decoded = from_pianoroll_representation(roll, resolution=music.resolution, program=program, is_drum=is_drum)
    assert canonical(decoded) == canonical(music) or (not music.tracks and canonical(decoded) == [(0, False, [])])


@settings(max_examples=25, deadline=None)
@given(midi_like_music(), st.sampled_from([1, 4, 12]))
def test_processors_round_trip_at_their_resolution(music, resolution):
    # Rescaling can make notes of one pitch end out of order again: restore first-in-first-out order.
    music = first_in_first_out(music.adjust_resolution(resolution))
    events = EventRepresentationProcessor(resolution=resolution)
    decoded = events.decode(events.encode(music))
    assert decoded.resolution == resolution
    assert canonical(decoded) == canonical(music)
    notes = NoteRepresentationProcessor(resolution=resolution)
    decoded = notes.decode(notes.encode(music))
    assert canonical(decoded) == [track for track in canonical(music) if track[2]]  # empty tracks have no rows
