"""MusPy's metric signatures and barline inference."""

from __future__ import annotations

import math

import pytest

import muspy_like as ml
from muspy_like import Barline, Music, Note, TimeSignature, Track
from muspy_like import metrics as ours


def two_bars() -> Music:
    notes = [Note(t, 60, 6) for t in (0, 6, 12, 18, 24, 30, 36, 42, 48)]
    return Music(resolution=24, time_signatures=[TimeSignature(0, 3, 8)], tracks=[Track(notes=notes)])


def test_groove_consistency_takes_muspys_bar_length_in_ticks():
    music = two_bars()
    assert ml.groove_consistency(music, 36) == pytest.approx(11 / 12)
    assert ml.groove_consistency(music) == ours.groove_consistency(music)  # bars from the 3/8 meter
    assert ours.groove_consistency(music, 36) != pytest.approx(11 / 12)  # ours: 36 steps per quarter


def test_empty_measure_rate_with_a_fixed_bar_length():
    music = Music(resolution=4, tracks=[Track(notes=[Note(0, 60, 2), Note(12, 60, 2)])])
    assert ml.empty_measure_rate(music, 4) == pytest.approx(2 / 4)
    assert ml.empty_measure_rate(music) == ours.empty_measure_rate(music) == 0.0
    with pytest.raises(ValueError, match="measure_resolution"):
        ml.empty_measure_rate(music, 0)


def test_other_metrics_are_ours():
    assert ml.polyphony_rate is ours.polyphony_rate
    assert math.isnan(ml.drum_pattern_consistency(two_bars()))


def test_infer_barlines_from_the_meter_and_keep_existing_unless_overwrite():
    music = two_bars()
    assert [b.time for b in music.infer_barlines().barlines] == [0, 36]
    music.barlines = [Barline(5)]
    assert [b.time for b in music.infer_barlines().barlines] == [5]
    assert [b.time for b in music.infer_barlines(overwrite=True).barlines] == [0, 36]


def test_beats_are_meter_aware_and_downbeats_are_marked():
    music = Music(resolution=4, time_signatures=[TimeSignature(0, 6, 8)], tracks=[Track(notes=[Note(0, 60, 24)])])
    music.infer_barlines_and_beats()
    assert [(b.time, b.is_downbeat) for b in music.beats] == [(0, True), (6, False), (12, True), (18, False)]
    assert [b.time for b in music.barlines] == [0, 12]
