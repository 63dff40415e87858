"""pypianoroll <-> Music: velocity rolls, and what a piano roll cannot hold."""

from __future__ import annotations

import numpy as np
import pypianoroll
import pytest

import muspy_like as ml
from muspy_like import Music, Note, Tempo, TimeSignature, Track
from muspy_like.errors import ConversionError
from muspy_like.interop import from_pypianoroll, to_pypianoroll


def test_velocities_survive_and_match_a_hand_built_roll():
    music = Music(resolution=4, tracks=[Track(program=33, notes=[Note(0, 60, 4, 100), Note(2, 64, 3, 20)])])
    multitrack = to_pypianoroll(music)
    roll = multitrack.tracks[0].pianoroll
    expected = np.zeros((5, 128), dtype=np.uint8)
    expected[0:4, 60] = 100
    expected[2:5, 64] = 20
    assert np.array_equal(roll, expected)
    assert multitrack.tracks[0].program == 33
    back = from_pypianoroll(multitrack)
    assert back.tracks[0].notes == music.tracks[0].notes


@pytest.mark.parametrize("name", ["chords.mid", "pitches.mid", "multitrack.mid", "multichannel.mid"])
def test_real_files_without_touching_repeated_pitches_are_exact(midi_dir, content, name):
    music = ml.read(midi_dir / name)
    back = from_pypianoroll(to_pypianoroll(music))
    assert back.resolution == music.resolution
    assert content(back) == content(music)


def test_real_file_with_repeated_notes_keeps_every_onset_when_separated(midi_dir):
    music = ml.read(midi_dir / "fur-elise.mid").adjust_resolution(24)
    back = from_pypianoroll(to_pypianoroll(music, separate_repeated=True))
    for ours, theirs in zip(music.tracks, back.tracks, strict=True):
        ours.notes.sort()
        assert np.array_equal(ours.notes.time, theirs.notes.time)
        assert np.array_equal(ours.notes.pitch, theirs.notes.pitch)
        assert np.array_equal(ours.notes.velocity, theirs.notes.velocity)
        shortened = ours.notes.duration - theirs.notes.duration
        assert set(shortened.tolist()) <= {0, 1}


def test_touching_repeated_notes_merge_unless_separated():
    notes = [Note(0, 60, 4, 80), Note(4, 60, 4, 80)]
    music = Music(resolution=4, tracks=[Track(notes=notes)])
    merged = from_pypianoroll(to_pypianoroll(music)).tracks[0].notes
    assert [n.to_tuple() for n in merged] == [(0, 60, 8, 80)]
    separated = from_pypianoroll(to_pypianoroll(music, separate_repeated=True)).tracks[0].notes
    assert [n.to_tuple() for n in separated] == [(0, 60, 3, 80), (4, 60, 4, 80)]
    different_velocity = Music(resolution=4, tracks=[Track(notes=[Note(0, 60, 4, 80), Note(4, 60, 4, 81)])])
    assert len(from_pypianoroll(to_pypianoroll(different_velocity)).tracks[0].notes) == 2


def test_tempo_curve_downbeats_and_binary_tracks():
    music = Music(
        resolution=2,
        tempos=[Tempo(0, 100.0), Tempo(6, 50.0)],
        time_signatures=[TimeSignature(0, 3, 4)],
        tracks=[Track(notes=[Note(0, 60, 12)])],
    )
    multitrack = to_pypianoroll(music)
    assert multitrack.tempo.tolist() == [100.0] * 6 + [50.0] * 6
    assert np.flatnonzero(multitrack.downbeat).tolist() == [0, 6]
    back = from_pypianoroll(multitrack)
    assert [(t.time, t.qpm) for t in back.tempos] == [(0, 100.0), (6, 50.0)]
    assert [b.time for b in back.barlines] == [0, 6]
    binary = pypianoroll.Multitrack(
        resolution=2, tracks=[pypianoroll.BinaryTrack(pianoroll=multitrack.tracks[0].pianoroll > 0)]
    )
    assert [n.to_tuple() for n in from_pypianoroll(binary, default_velocity=90).tracks[0].notes] == [(0, 60, 12, 90)]


def test_errors():
    with pytest.raises(ConversionError, match="from_pypianoroll"):
        from_pypianoroll(np.zeros((4, 128)))
    huge = Music(resolution=480, tracks=[Track(notes=[Note(10**8, 60, 1)])])
    with pytest.raises(ConversionError, match="smaller resolution"):
        to_pypianoroll(huge)
    bad = pypianoroll.Multitrack(
        resolution=4, tracks=[pypianoroll.StandardTrack(pianoroll=np.zeros((4, 127), np.uint8))]
    )
    with pytest.raises(ConversionError, match="shape"):
        from_pypianoroll(bad)


def test_float_and_out_of_range_rolls_are_clipped_to_midi_velocities():
    roll = np.zeros((4, 128))
    roll[0:2, 60] = 0.4  # rounds to 0: silence
    roll[1:3, 62] = 200.7
    roll[3, 64] = 64.6
    notes = from_pypianoroll(pypianoroll.Multitrack(resolution=1, tracks=[pypianoroll.Track(pianoroll=roll)])).tracks[0]
    assert [n.to_tuple() for n in notes.notes] == [(1, 62, 2, 127), (3, 64, 1, 65)]
    wide = np.zeros((2, 128), dtype=np.uint8)
    wide[:, 70] = 255
    track = pypianoroll.StandardTrack(pianoroll=wide)
    assert [
        n.to_tuple() for n in from_pypianoroll(pypianoroll.Multitrack(resolution=1, tracks=[track])).tracks[0].notes
    ] == [(0, 70, 2, 127)]
