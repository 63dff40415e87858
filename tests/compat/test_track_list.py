"""A Track behaves as the list of its notes, and Music/Track take MusPy's append, extend and +."""

from __future__ import annotations

import pytest

from muspy_like import Annotation, Chord, ControlChange, Lyric, Music, Note, NoteArray, PitchBend, Tempo, Track


def track_of(*pitches: int) -> Track:
    return Track(notes=[Note(time=i, pitch=p, duration=1) for i, p in enumerate(pitches)])


def test_len_index_and_iteration_see_the_notes():
    track = track_of(60, 62, 64)
    assert len(track) == 3 and track[1].pitch == 62 and track[-1].pitch == 64
    assert [note.pitch for note in track] == [60, 62, 64]
    with pytest.raises(IndexError):
        track[3]


def test_an_indexed_note_is_a_live_view_of_the_columns():
    track = track_of(60, 62)
    track[0].velocity = 99
    assert track.notes.velocity[0] == 99
    track[1] = Note(time=5, pitch=70, duration=2)
    assert track.notes.pitch.tolist() == [60, 70]


def test_a_slice_gives_a_list_of_views_and_del_removes():
    track = track_of(60, 62, 64)
    part = track[1:]
    assert isinstance(part, list) and part == [Note(1, 62, 1), Note(2, 64, 1)]
    del track[0]
    assert track.notes.pitch.tolist() == [62, 64]


def test_append_puts_each_event_in_its_field():
    track = Track()
    for event in (Note(0, 60, 1), Chord(0, [60, 64], 2), Lyric(0, "la"), Annotation(0, "x"),
                  ControlChange(0, 64, 127), PitchBend(0, 100)):
        assert track.append(event) is track
    assert [len(track.notes), len(track.chords), len(track.lyrics), len(track.annotations),
            len(track.control_changes), len(track.pitch_bends)] == [1] * 6
    with pytest.raises(TypeError, match="Tempo"):
        track.append(Tempo(0, 120.0))


def test_extend_with_a_track_or_an_iterable_and_deepcopy_controls_sharing():
    first = track_of(60)
    other = track_of(62, 64)
    other.lyrics.append(Lyric(0, "la"))
    first.extend(other)
    assert first.notes.pitch.tolist() == [60, 62, 64] and first.lyrics[0] is other.lyrics[0]
    copied = track_of(60).extend(other, deepcopy=True)
    assert copied.lyrics[0] == other.lyrics[0] and copied.lyrics[0] is not other.lyrics[0]
    first.extend([Note(9, 65, 1), Lyric(9, "lo")])
    assert len(first) == 4 and len(first.lyrics) == 2


def test_plus_concatenates_and_plus_equals_extends():
    a, b = track_of(60), track_of(62, 64)
    merged = a + b
    assert merged.notes == a.notes + b.notes and len(a) == 1
    a += [Note(5, 67, 1)]
    assert a.notes.pitch.tolist() == [60, 67]
    assert (a.notes + [Note(0, 1, 1)]).pitch.tolist() == [60, 67, 1]
    assert isinstance(a.notes + b.notes, NoteArray)


def test_music_append_and_extend_dispatch_by_type_and_share_unless_deepcopy():
    music = Music()
    tempo = Tempo(0, 90.0)
    music.append(track_of(60)).append(tempo)
    assert len(music.tracks) == 1 and music.tempos == [tempo]
    other = Music(tempos=[Tempo(10, 80.0)], tracks=[track_of(62)])
    music.extend(other)
    assert music.tracks[1] is other.tracks[0] and music.tempos[1] is other.tempos[0]
    music.extend(other, deepcopy=True)
    assert music.tracks[2] == other.tracks[0] and music.tracks[2] is not other.tracks[0]
    with pytest.raises(TypeError, match="Note"):
        music.append(Note(0, 60, 1))


def test_append_takes_subclasses_of_the_known_kinds():
    class Part(Track):
        pass

    music = Music().append(Part())
    assert isinstance(music.tracks[0], Part)


def test_music_plus_merges_copies():
    a, b = Music(tracks=[track_of(60)]), Music(tracks=[track_of(62)])
    merged = a + b
    assert len(merged) == 2 and merged.tracks[1] is not b.tracks[0] and len(a) == 1
