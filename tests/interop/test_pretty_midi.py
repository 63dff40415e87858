"""pretty_midi <-> Music: seconds mapped through the tempo map back to the exact ticks."""

from __future__ import annotations

import numpy as np
import pretty_midi
import pytest

import muspy_like as ml
from muspy_like import Lyric, Music, Note, Tempo, Track
from muspy_like.errors import ConversionError
from muspy_like.interop import from_pretty_midi, to_pretty_midi


def test_notes_match_pretty_midis_own_reading(peer_midi_path):
    pm = pretty_midi.PrettyMIDI(str(peer_midi_path))
    music = from_pretty_midi(pm)
    assert music.resolution == pm.resolution
    assert len(music.tracks) == len(pm.instruments)
    for track, instrument in zip(music.tracks, pm.instruments):
        theirs = sorted(
            (pm.time_to_tick(n.start), n.pitch, pm.time_to_tick(n.end), n.velocity) for n in instrument.notes
        )
        ours = sorted(
            zip(
                track.notes.time.tolist(),
                track.notes.pitch.tolist(),
                track.notes.end.tolist(),
                track.notes.velocity.tolist(),
            )
        )
        assert ours == theirs
        starts = sorted(n.start for n in instrument.notes)
        assert np.allclose(np.sort(music.tick_to_second(track.notes.time)), starts, atol=1e-9)
        assert (track.program, track.is_drum) == (instrument.program, instrument.is_drum)


def test_round_trip_through_a_pretty_midi_file_is_exact(midi_path, tmp_path, content):
    music = ml.read(midi_path)
    target = tmp_path / "out.mid"
    to_pretty_midi(music).write(str(target))
    back = ml.read(target)
    assert back.resolution == music.resolution
    assert content(back, with_program=False) == content(music, with_program=False)
    assert [(t.time, round(t.qpm, 6)) for t in back.tempos if t.time > 0] == [
        (t.time, round(t.qpm, 6)) for t in music.tempos if t.time > 0
    ]


def test_tempo_changes_map_seconds_exactly():
    music = Music(
        resolution=96,
        tempos=[Tempo(0, 60.0), Tempo(96, 120.0), Tempo(288, 90.0)],
        tracks=[Track(notes=[Note(0, 60, 96), Note(96, 62, 192), Note(300, 64, 7)])],
        lyrics=[Lyric(96, "hey")],
    )
    pm = to_pretty_midi(music)
    starts = [n.start for n in pm.instruments[0].notes]
    # By hand: 1 s per quarter, then 0.5 s, then 2/3 s per quarter.
    assert starts == pytest.approx([0.0, 1.0, 2.0 + 12 / 96 * (2 / 3)])
    assert pm.lyrics[0].time == pytest.approx(1.0)
    back = from_pretty_midi(pm)
    assert back.tracks[0].notes == music.tracks[0].notes
    assert [(t.time, round(t.qpm, 9)) for t in back.tempos] == [(0, 60.0), (96, 120.0), (288, 90.0)]


def test_times_off_the_grid_round_to_the_nearest_tick():
    pm = pretty_midi.PrettyMIDI(resolution=100, initial_tempo=120.0)  # 0.005 s per tick
    instrument = pretty_midi.Instrument(0)
    instrument.notes = [pretty_midi.Note(80, 60, 0.0124, 0.0276), pretty_midi.Note(80, 62, 0.0126, 0.5)]
    pm.instruments.append(instrument)
    notes = from_pretty_midi(pm).tracks[0].notes
    assert notes.time.tolist() == [2, 3]  # 2.48 -> 2 and 2.52 -> 3 ticks
    assert notes.end.tolist() == [6, 100]
    assert from_pretty_midi(pm, resolution=10).tracks[0].notes.time.tolist() == [0, 0]


def test_unsupported_input_raises_conversion_error():
    with pytest.raises(ConversionError, match="from_pretty_midi"):
        from_pretty_midi(object())
    with pytest.raises(ConversionError, match="to_pretty_midi"):
        to_pretty_midi(pretty_midi.PrettyMIDI())
    with pytest.raises(ConversionError, match="MAX_TICK|limit"):
        to_pretty_midi(Music(tracks=[Track(notes=[Note(pretty_midi.MAX_TICK, 60, 1)])]))
