"""Tick <-> second conversion through the tempo map, checked against hand-computed values."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from muspy_like import Music, Tempo, TempoMap


def test_default_tempo_is_120_qpm():
    tm = TempoMap([], resolution=480)
    # 480 ticks = one quarter = 0.5 s at 120 qpm.
    assert tm.tick_to_second(480) == pytest.approx(0.5)


def test_piecewise_tempo_map():
    # 120 qpm for 4 quarters (2 s), then 60 qpm: each further quarter lasts 1 s.
    tm = TempoMap([Tempo(96, 60.0), Tempo(0, 120.0)], resolution=24)
    assert tm.tick_to_second([0, 48, 96, 120, 144]).tolist() == pytest.approx([0.0, 1.0, 2.0, 3.0, 4.0])
    assert tm.second_to_tick([0.0, 1.0, 2.0, 3.5]).tolist() == [0, 48, 96, 132]


def test_tempo_before_first_change_is_default():
    tm = TempoMap([Tempo(48, 60.0)], resolution=24)
    # 48 ticks at the default 120 qpm = 1 s; then 24 ticks at 60 qpm = 1 s.
    assert tm.tick_to_second(72) == pytest.approx(2.0)


def test_last_tempo_at_a_tick_wins():
    tm = TempoMap([Tempo(0, 120.0), Tempo(0, 60.0)], resolution=10)
    assert tm.tick_to_second(10) == pytest.approx(1.0)


def test_invalid_tempo_map():
    with pytest.raises(ValueError):
        TempoMap([Tempo(0, 0.0)], 24)
    with pytest.raises(ValueError):
        TempoMap([], 0)


def test_rounding_modes():
    tm = TempoMap([Tempo(0, 60.0)], resolution=2)  # one tick = 0.5 s
    assert tm.second_to_tick(0.6, "floor") == 1
    assert tm.second_to_tick(0.6, "ceil") == 2
    assert tm.second_to_tick(0.75, "round") == 2
    assert tm.second_to_tick(0.6, "none") == pytest.approx(1.2)


@given(st.lists(st.tuples(st.integers(0, 10_000), st.floats(20, 300)), max_size=6),
       st.lists(st.integers(0, 20_000), max_size=30))
def test_second_to_tick_inverts_tick_to_second(tempos, ticks):
    tm = TempoMap([Tempo(t, q) for t, q in tempos], resolution=480)
    ticks = np.array(ticks, dtype=np.int64)
    assert np.array_equal(tm.second_to_tick(tm.tick_to_second(ticks)), ticks)
    assert np.all(np.diff(tm.tick_to_second(np.sort(ticks))) >= 0)


def test_music_real_end_time():
    from muspy_like import Note, Track

    music = Music(resolution=24, tempos=[Tempo(0, 60.0)], tracks=[Track(notes=[Note(0, 60, 48)])])
    assert music.get_real_end_time() == pytest.approx(2.0)
