"""Processing of whole pieces: transpose, clip, sort, duplicates, trim, resolution, copies."""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings

from muspy_like import (
    Annotation,
    Chord,
    ControlChange,
    KeySignature,
    Lyric,
    Music,
    Note,
    PitchBend,
    Tempo,
    TimeSignature,
    Track,
)
from strategies import music_strategy


def piece():
    piano = Track(program=0, name="piano", notes=[Note(0, 60, 24, 100), Note(24, 64, 24, 20)],
                  chords=[Chord(48, [60, 64, 67], 24, 70)], lyrics=[Lyric(0, "la")],
                  control_changes=[ControlChange(0, 64, 127)], pitch_bends=[PitchBend(12, 100)])
    drums = Track(program=0, is_drum=True, notes=[Note(0, 36, 6)])
    return Music(resolution=24, tempos=[Tempo(0, 100.0)], key_signatures=[KeySignature(0, 0, "major", 0)],
                 time_signatures=[TimeSignature(0, 4, 4)], annotations=[Annotation(72, "end", "marker")],
                 tracks=[piano, drums])


def test_notes_assigned_as_list_become_columns():
    track = Track(notes=[Note(0, 60, 1)])
    track.notes = [Note(1, 61, 1), Note(2, 62, 1)]
    assert track.notes.pitch.tolist() == [61, 62]


def test_end_times():
    music = piece()
    # the chord at 48 ends at 72, the marker is at 72
    assert music.get_end_time() == 72
    # 72 ticks at resolution 24 = 3 quarters at 100 qpm = 1.8 s
    assert music.get_real_end_time() == pytest.approx(1.8)
    assert music.n_notes == 3


def test_transpose_leaves_drums_and_moves_keys():
    music = piece().transpose(3)
    assert music.tracks[0].notes.pitch.tolist() == [63, 67]
    assert music.tracks[0].chords[0].pitches == [63, 67, 70]
    assert music.tracks[1].notes.pitch.tolist() == [36]
    key = music.key_signatures[0]
    assert key.root == 3 and key.fifths == -3  # C major up a minor third = E-flat major, three flats


def test_clip_velocities():
    music = piece().clip(30, 90)
    assert music.tracks[0].notes.velocity.tolist() == [90, 30]
    assert music.tracks[0].chords[0].velocity == 70


def test_sort_orders_every_list():
    music = Music(tracks=[Track(notes=[Note(5, 60, 1), Note(0, 62, 1)])], tempos=[Tempo(10, 90.0), Tempo(0, 120.0)])
    music.sort()
    assert music.tracks[0].notes.time.tolist() == [0, 5]
    assert [t.time for t in music.tempos] == [0, 10]


def test_remove_duplicate_keeps_first_and_order():
    track = Track(notes=[Note(5, 60, 1), Note(0, 62, 1), Note(5, 60, 1), Note(5, 60, 2), Note(0, 62, 1)])
    track.remove_duplicate()
    assert [n.to_tuple()[:3] for n in track.notes] == [(5, 60, 1), (0, 62, 1), (5, 60, 2)]
    track.remove_duplicate(keys=("time", "pitch"))
    assert [n.to_tuple()[:3] for n in track.notes] == [(5, 60, 1), (0, 62, 1)]


def test_trim_cuts_and_drops():
    music = piece().trim(30)
    assert [(n.time, n.duration) for n in music.tracks[0].notes] == [(0, 24), (24, 6)]
    assert music.tracks[0].chords == []
    assert music.annotations == []
    assert music.get_end_time() == 30


def test_adjust_resolution_scales_everything():
    music = piece().adjust_resolution(48)
    assert music.resolution == 48
    assert [(n.time, n.duration) for n in music.tracks[0].notes] == [(0, 48), (48, 48)]
    assert music.tracks[0].chords[0].time == 96 and music.tracks[0].pitch_bends[0].time == 24
    assert music.annotations[0].time == 144
    assert music.get_real_end_time() == pytest.approx(1.8)


def test_adjust_resolution_keeps_short_notes_alive():
    music = Music(resolution=480, tracks=[Track(notes=[Note(0, 60, 5), Note(5, 62, 475)])])
    coarse = music.copy().adjust_resolution(4)
    # onsets/offsets scale by 1/120: 0->0, 5->0.04->0 (note 1 would vanish) ; 480->4
    assert [(n.time, n.duration) for n in coarse.tracks[0].notes] == [(0, 1), (0, 4)]
    lossy = music.copy().adjust_resolution(4, keep_short_notes=False)
    assert lossy.tracks[0].notes.duration.tolist() == [0, 4]
    with pytest.raises(ValueError):
        music.adjust_resolution(0)
    with pytest.raises(ValueError):
        music.adjust_resolution(target=4, factor=2.0)


def test_adjust_resolution_factor_and_rounding_modes():
    music = Music(resolution=10, tracks=[Track(notes=[Note(5, 60, 10)])])
    assert music.copy().adjust_resolution(factor=0.5, rounding="floor").tracks[0].notes[0].to_tuple()[:3] == (2, 60, 5)
    assert music.copy().adjust_resolution(factor=0.5, rounding="ceil").tracks[0].notes[0].to_tuple()[:3] == (3, 60, 5)


@settings(max_examples=40, deadline=None)
@given(music_strategy())
def test_doubling_resolution_is_exact_and_reversible(music):
    original = music.copy()
    music.adjust_resolution(music.resolution * 2).adjust_resolution(original.resolution)
    assert music == original


@settings(max_examples=40, deadline=None)
@given(music_strategy())
def test_pickle_and_copy_are_exact(music):
    assert pickle.loads(pickle.dumps(music)) == music
    clone = music.copy()
    assert clone == music
    if clone.tracks and len(clone.tracks[0].notes):
        clone.tracks[0].notes.pitch[0] = (clone.tracks[0].notes.pitch[0] + 1) % 128
        assert clone != music


def test_equality_is_type_aware():
    assert piece() == piece()
    assert piece() != "not music"
    other = piece()
    other.tempos[0].qpm = 101.0
    assert other != piece()


def test_indexing_and_iteration_over_tracks():
    music = piece()
    assert len(music) == 2 and music[1].is_drum and [t.name for t in music] == ["piano", None]
    assert np.array_equal(music[0].notes.pitch, [60, 64])
