"""The vectorized metrics against straightforward loop-and-array versions written here, on random pieces."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from muspy_like import Music, Note, Track
from muspy_like import metrics as M

R = 4  # small resolution keeps the brute-force piano roll small


@st.composite
def pieces(draw) -> Music:
    """1-2 pitched tracks and maybe a drum track, notes at random times (some zero-length), in 4/4."""
    tracks = []
    for is_drum in [False] * draw(st.integers(1, 2)) + [True] * draw(st.integers(0, 1)):
        n = draw(st.integers(0, 25))
        notes = [
            Note(draw(st.integers(0, 80)), draw(st.integers(50, 62)), draw(st.integers(0, 12)))
            for _ in range(n)
        ]
        tracks.append(Track(is_drum=is_drum, notes=notes))
    return Music(resolution=R, tracks=tracks)


def note_list(music, drums=None):
    return [(n.time, n.pitch, n.duration) for t in music.tracks if drums is None or t.is_drum == drums for n in t.notes]


def end_of(music):
    return max((t + d for t, _, d in note_list(music)), default=0)


def span_of(music):
    """Where beats and bars stop being counted: past every offset and every onset."""
    return max([end_of(music)] + [t + 1 for t, _, _ in note_list(music)])


def roll_of(music):
    roll = np.zeros((end_of(music), 128), dtype=bool)
    for t, p, d in note_list(music, drums=False):
        roll[t : t + d, p] = True
    return roll


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) < 1e-9


@settings(max_examples=150, deadline=None)
@given(pieces())
def test_polyphony_matches_a_dense_piano_roll(music):
    roll = roll_of(music)
    per_tick = roll.sum(axis=1)
    sounding = np.count_nonzero(per_tick)
    expected_polyphony = per_tick.sum() / sounding if sounding else math.nan
    expected_rate = np.count_nonzero(per_tick >= 2) / len(roll) if len(roll) else math.nan
    assert same(M.polyphony(music), expected_polyphony)
    assert same(M.polyphony_rate(music), expected_rate)


@settings(max_examples=150, deadline=None)
@given(pieces())
def test_empty_beat_and_measure_rates_match_a_loop(music):
    end = span_of(music)
    notes = note_list(music)
    for unit, metric in ((R, M.empty_beat_rate), (4 * R, M.empty_measure_rate)):
        starts = list(range(0, end, unit))
        empty = 0
        for b in starts:
            occupied = any(
                (t < b + unit and t + d > b) or (d == 0 and b <= t < b + unit) for t, _, d in notes
            )
            empty += not occupied
        expected = empty / len(starts) if starts else math.nan
        assert same(metric(music), expected), metric.__name__


@settings(max_examples=150, deadline=None)
@given(pieces())
def test_groove_consistency_matches_a_loop(music):
    bar = 4 * R
    n_bars = len(range(0, span_of(music), bar))
    patterns = [set() for _ in range(n_bars)]
    for t, _, _ in note_list(music):
        patterns[t // bar].add(t % bar)
    if n_bars < 2:
        expected = math.nan
    else:
        distances = [len(patterns[i] ^ patterns[i + 1]) / bar for i in range(n_bars - 1)]
        expected = 1 - sum(distances) / len(distances)
    assert same(M.groove_consistency(music), expected)


@settings(max_examples=100, deadline=None)
@given(pieces())
def test_pitch_metrics_match_python_counting(music):
    pitches = [p for _, p, _ in note_list(music, drums=False)]
    assert M.n_pitches_used(music) == len(set(pitches))
    assert M.n_pitch_classes_used(music) == len({p % 12 for p in pitches})
    assert same(M.pitch_range(music), max(pitches) - min(pitches) if pitches else math.nan)
    if pitches:
        counts = np.array([pitches.count(p) for p in set(pitches)], dtype=float)
        probabilities = counts / counts.sum()
        assert same(M.pitch_entropy(music), float(-(probabilities * np.log2(probabilities)).sum()))
