"""Meter-aware bars and beats."""

from muspy_like import Music, TimeSignature
from muspy_like.core.meter import bar_ticks, beat_ticks, is_compound


def test_default_four_four():
    assert bar_ticks([], 24, 200).tolist() == [0, 96, 192]
    assert beat_ticks([], 24, 100).tolist() == [0, 24, 48, 72, 96]


def test_three_four_bars_last_three_quarters():
    assert bar_ticks([TimeSignature(0, 3, 4)], 10, 61).tolist() == [0, 30, 60]


def test_compound_meter_beats_are_dotted_quarters():
    assert is_compound(6, 8) and is_compound(12, 16) and not is_compound(3, 8) and not is_compound(6, 4)
    # 6/8 at resolution 24: a bar is 72 ticks, a beat a dotted quarter of 36 ticks.
    assert beat_ticks([TimeSignature(0, 6, 8)], 24, 144).tolist() == [0, 36, 72, 108]
    assert beat_ticks([TimeSignature(0, 6, 8)], 24, 73, compound=False).tolist() == [0, 12, 24, 36, 48, 60, 72]


def test_time_signature_change_starts_a_new_bar():
    # 4/4 bars at 0 and 96; a 2/4 change at tick 150 (inside a bar) starts a bar there: 150, 198.
    signatures = [TimeSignature(150, 2, 4), TimeSignature(0, 4, 4)]
    assert bar_ticks(signatures, 24, 240).tolist() == [0, 96, 150, 198]


def test_music_shortcuts_use_end_time():
    from muspy_like import Note, Track

    music = Music(resolution=4, time_signatures=[TimeSignature(0, 2, 2)],
                  tracks=[Track(notes=[Note(0, 60, 20)])])
    # 2/2: a bar is 16 ticks, a beat a half note of 8 ticks; the piece ends at tick 20.
    assert music.bar_ticks().tolist() == [0, 16]
    assert music.beat_ticks().tolist() == [0, 8, 16]
