"""Property tests: random pieces that a library can hold come back from it unchanged."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muspy_like.interop import (
    from_miditoolkit,
    from_mido,
    from_music21,
    from_pretty_midi,
    from_pypianoroll,
    from_symusic,
    to_miditoolkit,
    to_mido,
    to_music21,
    to_pretty_midi,
    to_pypianoroll,
    to_symusic,
)
from strategies import music_strategy

MIDI_PIECES = music_strategy(max_tracks=3, max_notes=25, max_time=3000, midi_compatible=True)


def _track_rows(music):
    return [
        (
            t.program,
            t.is_drum,
            sorted(
                map(tuple, zip(*(t.notes.columns()[c].tolist() for c in ("time", "pitch", "duration", "velocity"))))
            ),
        )
        for t in music.tracks
    ]


def _signatures(music):
    return [(t.time, t.numerator, t.denominator) for t in music.time_signatures], [
        (k.time, k.root, k.mode) for k in music.key_signatures
    ]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(music=MIDI_PIECES, library=st.sampled_from(["miditoolkit", "symusic", "mido"]))
def test_tick_based_libraries_keep_everything_midi_can_hold(music, library):
    to, back_from = {
        "miditoolkit": (to_miditoolkit, from_miditoolkit),
        "symusic": (to_symusic, from_symusic),
        "mido": (to_mido, from_mido),
    }[library]
    back = back_from(to(music))
    assert back.resolution == music.resolution
    assert sorted(_track_rows(back)) == sorted(_track_rows(music))
    assert _signatures(back) == _signatures(music)
    assert _tempos(back, music) == [(t.time, round(t.qpm, 6)) for t in music.tempos]


def _tempos(back, music):
    """Tempos of ``back``, without a default 120 qpm at tick 0 that a writer added where ``music`` had none."""
    has_start = any(t.time == 0 for t in music.tempos)
    return [(t.time, round(t.qpm, 6)) for t in back.tempos if has_start or t.time or t.qpm != 120]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(music=MIDI_PIECES)
def test_pretty_midi_maps_seconds_back_to_the_same_ticks(music):
    back = from_pretty_midi(to_pretty_midi(music))
    assert _track_rows(back) == _track_rows(music)
    for ours, theirs in zip(music.tracks, back.tracks):
        assert ours.control_changes == theirs.control_changes
        assert ours.pitch_bends == theirs.pitch_bends
    assert _signatures(back) == _signatures(music)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(music=music_strategy(max_tracks=2, max_notes=15, max_time=1500, midi_compatible=True))
def test_music21_keeps_notes_programs_tempos_and_signatures(music):
    back = from_music21(to_music21(music), resolution=music.resolution)
    assert [r for r in _track_rows(back) if r[2]] == [r for r in _track_rows(music) if r[2]]
    assert [(t.time, t.qpm) for t in back.tempos] == [(t.time, t.qpm) for t in music.tempos]
    assert _signatures(back) == _signatures(music)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(music=music_strategy(max_tracks=2, max_notes=15, max_time=500, midi_compatible=True))
def test_piano_roll_keeps_notes_that_do_not_touch_a_same_pitch_note(music):
    for track in music.tracks:  # the strategy forbids overlaps; a roll also merges touching notes
        notes = track.notes
        notes.sort(("pitch", "time"))
        touching = (notes.pitch[1:] == notes.pitch[:-1]) & (notes.time[1:] == notes.end[:-1])
        notes.keep([True] * min(len(notes), 1) + (~touching).tolist())
        notes.sort()
    back = from_pypianoroll(to_pypianoroll(music))
    assert _track_rows(back) == _track_rows(music)
