"""Real MIDI files (MusPy's test suite), read by muspy_like: round trips, and MusPy's encodings as the
independent expectation wherever both libraries define the same array."""

from __future__ import annotations

import numpy as np
import pytest

import muspy_like
from muspy_like.representations import (
    from_event_representation,
    from_note_representation,
    from_pianoroll_representation,
    to_event_representation,
    to_note_representation,
    to_pianoroll_representation,
    to_pitch_representation,
)
from representations.helpers import canonical, tempo_list

FILES = ["chords.mid", "durations.mid", "fur-elise.mid", "key-signatures.mid", "multichannel.mid",
         "multitrack.mid", "pitches.mid", "single-track-single-channel.mid", "tempos.mid", "time-signatures.mid"]
#: Every velocity and every tempo of a MIDI file has a token with these options.
FINE = dict(velocity_bins=128, tempo_range=(1, 1000))


def as_muspy(music):
    """The same notes as a muspy Music (one muspy track per track), to ask muspy for its arrays."""
    import muspy

    return muspy.Music(resolution=music.resolution, tracks=[
        muspy.Track(program=t.program, is_drum=t.is_drum,
                    notes=[muspy.Note(time=n.time, pitch=n.pitch, duration=n.duration, velocity=n.velocity)
                           for n in t.notes])
        for t in music.tracks])


@pytest.fixture(scope="module", params=FILES)
def piece(request, midi_dir):
    return muspy_like.read(midi_dir / request.param)


def test_event_round_trips_keep_tracks_and_tempos(piece):
    for mode, extra in (("midi", {}), ("remi", dict(max_bar_quarters=16, max_duration_quarters=1000))):
        tokens = to_event_representation(piece, mode=mode, **FINE, **extra)
        decoded = from_event_representation(tokens, mode=mode, resolution=piece.resolution, **FINE, **extra)
        assert canonical(decoded) == canonical(piece), mode
        assert tempo_list(decoded) == [(t.time, float(np.floor(t.qpm + 0.5))) for t in piece.tempos]
        assert decoded.get_real_end_time() == pytest.approx(piece.get_real_end_time(), rel=0.01)


def test_note_round_trip_with_exact_tempos(piece):
    decoded = from_note_representation(to_note_representation(piece, dtype=float), resolution=piece.resolution)
    assert canonical(decoded) == [track for track in canonical(piece) if track[2]]
    assert tempo_list(decoded) == tempo_list(piece)


def test_note_columns_match_muspy(piece):
    import muspy

    if not piece.n_notes:
        return
    ours = to_note_representation(piece, columns=("time", "pitch", "duration", "velocity"))
    theirs = muspy.to_note_representation(as_muspy(piece))
    assert sorted(map(tuple, ours.tolist())) == sorted(map(tuple, theirs.tolist()))


def test_velocity_roll_matches_muspy_where_notes_do_not_collide(piece):
    import muspy

    notes = [n for t in piece.tracks for n in t.notes]
    if not notes:
        return
    roll = to_pianoroll_representation(piece)
    theirs = muspy.to_pianoroll_representation(as_muspy(piece))
    assert theirs.shape[0] == roll.shape[0] + 1 and not theirs[-1].any()  # MusPy's extra empty step
    # MusPy writes notes in sorted order, later ones over earlier ones; ours keeps the loudest. They agree
    # wherever at most one note covers a cell.
    cover = np.zeros(roll.shape, dtype=np.int64)
    for n in notes:
        cover[n.time:n.time + n.duration, n.pitch] += 1
    single = cover <= 1
    assert np.array_equal(roll[single], theirs[:-1][single])
    assert np.all(roll[~single] >= theirs[:-1][~single])


def test_track_axis_roll_with_onsets_round_trips_fur_elise(midi_dir):
    piece = muspy_like.read(midi_dir / "fur-elise.mid")
    roll = to_pianoroll_representation(piece, track_axis=True, encode_onsets=True)
    assert roll.shape == (len(piece.tracks), 2, piece.get_end_time(), 128)
    decoded = from_pianoroll_representation(roll, track_axis=True, encode_onsets=True, resolution=piece.resolution,
                                            programs=[t.program for t in piece.tracks],
                                            is_drums=[t.is_drum for t in piece.tracks])
    expected = canonical(piece)
    overlapping = sum(_same_pitch_overlaps(t) for t in piece.tracks)
    assert overlapping == 0  # the precondition of an exact round trip holds for this file
    assert canonical(decoded) == expected


def _same_pitch_overlaps(track) -> int:
    order = np.lexsort((track.notes.time, track.notes.pitch))
    pitch, time, end = track.notes.pitch[order], track.notes.time[order], track.notes.end[order]
    return int(np.sum((pitch[1:] == pitch[:-1]) & (time[1:] < end[:-1])))


def test_pitch_of_a_monophonic_file_matches_muspy_except_rests(midi_dir):
    import muspy

    piece = muspy_like.read(midi_dir / "pitches.mid")
    ours = to_pitch_representation(piece, use_hold_state=False).ravel()
    theirs = muspy.to_pitch_representation(as_muspy(piece)).ravel()
    assert len(ours) == len(theirs)
    rests = ours == 128
    assert np.array_equal(ours[~rests], theirs[~rests])
    assert np.all(theirs[rests] == 0)  # MusPy writes rests as pitch 0
