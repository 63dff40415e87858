"""Every metric on small hand-built pieces; expected values are worked out in the comments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from muspy_like import Music, Note, Tempo, TimeSignature, Track
from muspy_like import metrics as M

R = 24  # ticks per quarter note in every piece below


def piece(*notes, drums=(), time_signatures=(), tempos=()) -> Music:
    """A piece with one pitched track of ``notes`` (time, pitch, duration[, velocity]) and optional drums."""
    tracks = [Track(notes=[Note(*n) for n in notes])]
    if drums:
        tracks.append(Track(is_drum=True, notes=[Note(*n) for n in drums]))
    return Music(resolution=R, tracks=tracks, time_signatures=list(time_signatures), tempos=list(tempos))


EMPTY = Music(resolution=R)
DRUMS_ONLY = Music(resolution=R, tracks=[Track(is_drum=True, notes=[Note(0, 36, 12), Note(24, 38, 12)])])


# -- pitch ------------------------------------------------------------------------------------------------
def test_pitch_range_counts_and_ignores_drums():
    music = piece((0, 60, 24), (24, 67, 24), (48, 55, 24), drums=[(0, 35, 6), (0, 81, 6)])
    # 67 - 55 = 12; the drum numbers 35 and 81 are not pitches.
    assert M.pitch_range(music) == 12
    # {55, 60, 67}: 3 pitches; classes {7, 0, 7} -> {0, 7}: 2 classes.
    assert M.n_pitches_used(music) == 3
    assert M.n_pitch_classes_used(music) == 2


def test_pitch_range_is_nan_not_minus_127_without_pitched_notes():
    assert math.isnan(M.pitch_range(DRUMS_ONLY))
    assert math.isnan(M.pitch_range(EMPTY))
    assert M.n_pitches_used(DRUMS_ONLY) == 0


def test_entropies_in_bits():
    # Pitches 60, 60, 62, 72: p = 1/2, 1/4, 1/4 -> H = 0.5*1 + 2*0.25*2 = 1.5 bits.
    music = piece((0, 60, 24), (24, 60, 24), (48, 62, 24), (72, 72, 24))
    assert M.pitch_entropy(music) == pytest.approx(1.5)
    # Classes: C (60, 60, 72) = 3/4, D = 1/4 -> H = -(0.75 log2 0.75 + 0.25 log2 0.25) = 0.811278 bits.
    assert M.pitch_class_entropy(music) == pytest.approx(-(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25)))
    one_pitch = piece((0, 60, 24), (24, 60, 24))
    assert M.pitch_entropy(one_pitch) == 0.0
    assert math.isnan(M.pitch_entropy(DRUMS_ONLY))
    assert math.isnan(M.pitch_class_entropy(EMPTY))


def test_pitch_in_scale_rate_and_scale_consistency():
    # C D E F# : in C major 3 of 4 (F# is out); in G major all 4 (G A B C D E F#).
    music = piece((0, 60, 24), (24, 62, 24), (48, 64, 24), (72, 66, 24))
    assert M.pitch_in_scale_rate(music, 0, "major") == 0.75
    assert M.pitch_in_scale_rate(music, 7, "major") == 1.0
    # A natural minor = C major's pitch classes: 3/4 again.
    assert M.pitch_in_scale_rate(music, 9, "minor") == 0.75
    assert M.scale_consistency(music) == 1.0
    # The chromatic scale: every major or minor scale holds 7 of the 12 classes -> 7/12.
    chromatic = piece(*[(24 * i, 60 + i, 24) for i in range(12)])
    assert M.scale_consistency(chromatic) == pytest.approx(7 / 12)
    assert math.isnan(M.scale_consistency(DRUMS_ONLY))
    with pytest.raises(ValueError, match="mode"):
        M.pitch_in_scale_rate(music, 0, "dorian")


# -- polyphony --------------------------------------------------------------------------------------------
def test_polyphony_rate_counts_a_two_note_chord_as_polyphonic():
    # One quarter of C+E: 2 pitches on during all 24 ticks -> rate 24/24 = 1 (MusPy: 0).
    chord = piece((0, 60, 24), (0, 64, 24))
    assert M.polyphony_rate(chord) == 1.0
    assert M.polyphony_rate(chord, threshold=3) == 0.0
    assert M.polyphony(chord) == 2.0


def test_polyphony_with_overlaps_rests_and_duplicates():
    # Ticks 0-24: C4 alone; 24-48: C4 + E4 + G4 (C4 lasts 48); 48-72: rest; 72-96: G4 twice (same pitch).
    music = piece((0, 60, 48), (24, 64, 24), (24, 67, 24), (72, 67, 24), (80, 67, 16))
    # Sounding ticks: 0-48 and 72-96 = 72 ticks; pitch-ticks: 24*1 + 24*3 + 24*1 = 120 -> 120/72 = 5/3.
    assert M.polyphony(music) == pytest.approx(5 / 3)
    # Ticks with >= 2 pitches: 24 of the piece's 96 -> 0.25; with >= 1: 72/96 = 0.75.
    assert M.polyphony_rate(music) == pytest.approx(0.25)
    assert M.polyphony_rate(music, threshold=1) == pytest.approx(0.75)


def test_polyphony_ignores_drums_but_drums_extend_the_piece():
    # Pitched: 0-24 two pitches; drum note ends at 96 -> rate 24/96.
    music = piece((0, 60, 24), (0, 64, 24), drums=[(90, 36, 6)])
    assert M.polyphony_rate(music) == pytest.approx(0.25)
    assert math.isnan(M.polyphony(DRUMS_ONLY))
    assert math.isnan(M.polyphony_rate(EMPTY))


# -- rhythm -----------------------------------------------------------------------------------------------
def test_empty_beat_rate_counts_no_phantom_beat():
    # 4/4, 8 beats (ends at tick 192 = 2 bars), notes in beats 0, 1 and 5 (a half note from 96 covers
    # beats 4 and 5; a note ending exactly on a beat boundary does not touch the next beat).
    # Occupied beats: 0 (0-24), 1 (24-48), 4, 5 (96-144), 7 (168-192) -> 5 of 8; empty 3/8.
    music = piece((0, 60, 24), (24, 62, 24), (96, 64, 48), (168, 65, 24))
    assert M.empty_beat_rate(music) == pytest.approx(3 / 8)
    # Quarter, quarter rest, quarter: 3 beats, the middle one empty -> 1/3. (MusPy counts 72 // 24 + 1 = 4
    # beats and marks a beat as sounding when a note merely ends on its first tick, so it reports 0.)
    rest = piece((0, 60, 24), (48, 60, 24))
    assert M.empty_beat_rate(rest) == pytest.approx(1 / 3)
    assert math.isnan(M.empty_beat_rate(EMPTY))


def test_empty_beat_rate_follows_the_meter():
    # 6/8: beats are dotted quarters of 36 ticks. Notes end at 144 -> 4 beats: 0-36, 36-72, 72-108, 108-144.
    # Notes in 0-12 and 108-144 -> beats 1 and 2 are empty -> 2/4.
    music = piece((0, 60, 12), (108, 60, 36), time_signatures=[TimeSignature(0, 6, 8)])
    assert M.empty_beat_rate(music) == 0.5
    # In 2/2 the beats are half notes of 48 ticks: 0-48 (occupied), 48-96 (empty), 96-144 (occupied).
    cut_time = piece((0, 60, 12), (108, 60, 36), time_signatures=[TimeSignature(0, 2, 2)])
    assert M.empty_beat_rate(cut_time) == pytest.approx(1 / 3)


def test_empty_measure_rate_with_a_meter_change():
    # 3/4 bar (72 ticks), then 2/4 from tick 72 (bars of 48): bars 0-72, 72-120, 120-168, 168-216.
    # Notes: 0-24 (bar 0) and 170-216 (bar 3) -> 2 empty of 4.
    music = piece(
        (0, 60, 24), (170, 60, 46), time_signatures=[TimeSignature(0, 3, 4), TimeSignature(72, 2, 4)]
    )
    assert M.empty_measure_rate(music) == 0.5
    assert math.isnan(M.empty_measure_rate(EMPTY))


def test_groove_consistency_is_exactly_one_for_identical_bars():
    # Three identical 4/4 bars of onsets at 0, 24, 36, 72 ticks into the bar; the piece ends at 288
    # exactly (3 bars), so there is no fourth, empty bar (MusPy: 1 - 4/(96*3) = 0.9861 here).
    bar = [(0, 60, 24), (24, 62, 12), (36, 64, 12), (72, 65, 24)]
    music = piece(*[(t + 96 * b, p, d) for b in range(3) for t, p, d in bar])
    assert M.groove_consistency(music) == 1.0


def test_groove_consistency_hamming_distance():
    # Bar 0 onsets {0, 24, 48, 72}, bar 1 onsets {0, 48}: symmetric difference {24, 72} -> d = 2/96 ticks.
    # Bar 2 onsets {0, 48}: d = 0.  GC = 1 - (2/96 + 0)/2 = 1 - 1/96.
    music = piece(
        *[(24 * i, 60, 24) for i in range(4)], (96, 60, 48), (144, 60, 48), (192, 60, 48), (240, 60, 48)
    )
    assert M.groove_consistency(music) == pytest.approx(1 - 1 / 96)
    # On a grid of 4 steps per quarter (16 per bar): d = 2/16 then 0 -> 1 - 1/16.
    assert M.groove_consistency(music, steps_per_quarter=4) == pytest.approx(1 - 1 / 16)
    one_bar = piece((0, 60, 24))
    assert math.isnan(M.groove_consistency(one_bar))


def test_drum_in_pattern_rate_and_consistency():
    # Drum onsets at 0, 6, 8, 16, 30 ticks (quarter beat = 24 ticks):
    # duple grid (every 6 ticks): 0, 6, 30 on it -> 3/5; triple grid (every 8 ticks): 0, 8, 16 -> 3/5;
    # add an onset at 12 (duple only) -> duple 4/6, triple 3/6.
    drums = [(0, 36, 1), (6, 42, 1), (8, 42, 1), (16, 42, 1), (30, 38, 1), (12, 42, 1)]
    music = piece((0, 60, 96), drums=drums)
    assert M.drum_in_pattern_rate(music, "duple") == pytest.approx(4 / 6)
    assert M.drum_in_pattern_rate(music, "triple") == pytest.approx(3 / 6)
    assert M.drum_pattern_consistency(music) == pytest.approx(4 / 6)
    assert math.isnan(M.drum_pattern_consistency(piece((0, 60, 24))))


def test_drum_pattern_in_compound_meter_uses_the_dotted_beat():
    # 6/8, beat = 36 ticks: triple grid = eighths (12 ticks), duple grid = 9 ticks.
    # Onsets 0, 12, 24, 36, 48: all on the triple grid (5/5); duple: 0, 36 -> 2/5.
    drums = [(t, 38, 1) for t in (0, 12, 24, 36, 48)]
    music = piece(drums=drums, time_signatures=[TimeSignature(0, 6, 8)])
    assert M.drum_in_pattern_rate(music, "triple") == 1.0
    assert M.drum_in_pattern_rate(music, "duple") == pytest.approx(2 / 5)


# -- density, duration, velocity ---------------------------------------------------------------------------
def test_density_and_duration_through_the_tempo_map():
    # 120 qpm for the first 48 ticks (2 quarters = 1 s), then 60 qpm (1 quarter = 1 s).
    # Notes end at 96 ticks: 1 s + 2 quarters * 1 s = 3 s; 4 quarter beats.
    music = piece(
        (0, 60, 24, 40), (24, 62, 24, 80), (48, 64, 48, 90), drums=[(72, 36, 6, 100)],
        tempos=[Tempo(0, 120.0), Tempo(48, 60.0)],
    )
    assert M.length_in_seconds(music) == pytest.approx(3.0)
    assert M.length_in_beats(music) == 4
    assert M.note_density_per_second(music) == pytest.approx(4 / 3)
    assert M.note_density_per_beat(music) == pytest.approx(1.0)
    # Pitched durations 1, 1, 2 quarters -> mean 4/3 quarter; in seconds 0.5, 0.5, 2.0 -> mean 1.0 s.
    assert M.mean_duration_quarters(music) == pytest.approx(4 / 3)
    assert M.mean_duration_seconds(music) == pytest.approx(1.0)
    # Velocities 40, 80, 90, 100 (drums included): mean 77.5; deviations -37.5, 2.5, 12.5, 22.5 ->
    # variance (1406.25 + 6.25 + 156.25 + 506.25) / 4 = 518.75.
    assert M.velocity_mean(music) == pytest.approx(77.5)
    assert M.velocity_std(music) == pytest.approx(math.sqrt(518.75))
    for metric in (M.note_density_per_second, M.mean_duration_seconds, M.velocity_mean, M.velocity_std):
        assert math.isnan(metric(EMPTY))


# -- key --------------------------------------------------------------------------------------------------
def test_estimate_key_krumhansl_and_temperley():
    # An A harmonic-minor melody, tonic and dominant long: A minor under both profile sets.
    melody = [(69, 96), (71, 24), (72, 48), (74, 24), (76, 96), (77, 24), (80, 24), (81, 96), (64, 72)]
    notes, t = [], 0
    for pitch, duration in melody:
        notes.append((t, pitch, duration))
        t += duration
    music = piece(*notes)
    for profiles in ("krumhansl", "temperley"):
        estimate = M.estimate_key(music, profiles=profiles)
        assert (estimate.root, estimate.mode) == (9, "minor"), profiles
        assert estimate.name == "A minor"
    none = M.estimate_key(DRUMS_ONLY)
    assert none.root is None and math.isnan(none.correlation)


def test_key_correlation_equals_profile_correlation_for_the_tonic_triad():
    # A C major triad held equally long: distribution 1 at C, E, G. Its correlation with the C major
    # Krumhansl-Kessler profile is the Pearson r computed here directly with numpy.
    music = piece((0, 60, 24), (0, 64, 24), (0, 67, 24))
    major = M.KEY_PROFILES["krumhansl"][0]
    distribution = np.zeros(12)
    distribution[[0, 4, 7]] = 1
    expected = np.corrcoef(distribution, major)[0, 1]
    estimate = M.estimate_key(music)
    assert (estimate.root, estimate.mode) == (0, "major")
    assert estimate.correlation == pytest.approx(expected)


# -- all at once ------------------------------------------------------------------------------------------
def test_compute_metrics_matches_the_single_functions_and_rejects_unknown_names():
    music = piece((0, 60, 24), (0, 64, 24), (24, 67, 48), drums=[(0, 36, 6)])
    values = M.compute_metrics(music)
    assert set(values) == set(M.METRICS)
    assert values["pitch_range"] == 7 and values["polyphony_rate"] == pytest.approx(24 / 72)
    with pytest.raises(KeyError, match="known metrics"):
        M.compute_metrics(music, ["pitch_rnage"])
    empty = M.compute_metrics(EMPTY)
    # Every metric is NaN or a true count of zero on an empty piece; none is a sentinel like -127.
    assert all(math.isnan(v) or v == 0 for v in empty.values())


def test_triple_drum_pattern_at_a_resolution_not_divisible_by_three():
    # Resolution 1024: triplet eighths fall at 0, 341.33 and 682.67 ticks, stored as 0, 341 and 683 (each
    # within half a tick of the grid) -> all three on the triple pattern. (MusPy: 1/3, since 1024 % 3 != 0
    # leaves only the beat itself in its pattern.)
    music = Music(resolution=1024, tracks=[Track(is_drum=True, notes=[Note(t, 38, 10) for t in (0, 341, 683)])])
    assert M.drum_in_pattern_rate(music, "triple") == 1.0
    # Duple grid: every 256 ticks; only the onset at 0 is on it.
    assert M.drum_in_pattern_rate(music, "duple") == pytest.approx(1 / 3)
