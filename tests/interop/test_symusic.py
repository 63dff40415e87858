"""symusic <-> Music: column-wise conversion, exact ticks."""

from __future__ import annotations

import numpy as np
import pytest
import symusic

import muspy_like as ml
from muspy_like import Lyric, Music, Note, Tempo, Track
from muspy_like.errors import ConversionError
from muspy_like.interop import from_symusic, to_symusic


def test_notes_match_symusics_reading(midi_path, content):
    score = symusic.Score(str(midi_path))
    music = from_symusic(score)
    assert music.resolution == score.ticks_per_quarter
    for track, source in zip(music.tracks, score.tracks, strict=True):
        arrays = source.notes.numpy()
        assert np.array_equal(np.sort(track.notes.time), np.sort(arrays["time"]))
        assert sorted(
            zip(track.notes.time.tolist(), track.notes.pitch.tolist(), track.notes.duration.tolist())
        ) == sorted(zip(arrays["time"].tolist(), arrays["pitch"].tolist(), arrays["duration"].tolist()))
    assert content(music) == content(ml.read(midi_path))


def test_round_trip_through_symusic(midi_path, tmp_path, content):
    music = ml.read(midi_path)
    score = to_symusic(music)
    back = from_symusic(score)
    assert content(back) == content(music)
    assert [(t.time, round(t.qpm, 3)) for t in back.tempos] == [(t.time, round(t.qpm, 3)) for t in music.tempos]
    target = tmp_path / "out.mid"
    score.dump_midi(str(target))
    assert content(ml.read(target), with_program=False) == content(music, with_program=False)


def test_quarter_scores_lyrics_and_markers():
    music = Music(
        resolution=8,
        tempos=[Tempo(0, 90.0)],
        annotations=[ml.Annotation(4, "A", "marker")],
        tracks=[Track(program=3, notes=[Note(0, 60, 8, 70), Note(12, 67, 4, 20)], lyrics=[Lyric(12, "do")])],
    )
    score = to_symusic(music)
    assert [(m.time, m.text) for m in score.markers] == [(4, "A")]
    back = from_symusic(score.to("quarter"))
    assert back.tracks[0].notes == music.tracks[0].notes
    assert [(x.time, x.lyric) for x in back.tracks[0].lyrics] == [(12, "do")]
    assert back.tempos[0].qpm == pytest.approx(90.0)


def test_errors():
    with pytest.raises(ConversionError, match="from_symusic"):
        from_symusic("x.mid")
    with pytest.raises(ConversionError, match="32-bit"):
        to_symusic(Music(tracks=[Track(notes=[Note(2**31, 60, 1)])]))
