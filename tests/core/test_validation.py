"""validate() names the track, the index and the field that is wrong."""

import pytest

from muspy_like import Chord, KeySignature, Lyric, Music, Note, Tempo, TimeSignature, Track, ValidationError


def valid():
    return Music(tempos=[Tempo(0, 120.0)], tracks=[Track(notes=[Note(0, 60, 1)]), Track(notes=[Note(0, 61, 1), Note(1, 62, 1)])])


def test_valid_music_passes():
    assert valid().validate().is_valid()


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda m: m.tracks[1].notes.pitch.__setitem__(1, 128), r"tracks\[1\]\.notes\[1\]\.pitch = 128"),
        (lambda m: m.tracks[0].notes.velocity.__setitem__(0, -1), r"tracks\[0\]\.notes\[0\]\.velocity = -1"),
        (lambda m: m.tracks[1].notes.time.__setitem__(0, -5), r"tracks\[1\]\.notes\[0\]\.time = -5"),
        (lambda m: setattr(m.tracks[0], "program", 200), r"tracks\[0\]\.program = 200"),
        (lambda m: setattr(m.tracks[0], "channel", 16), r"tracks\[0\]\.channel = 16"),
        (lambda m: setattr(m, "resolution", 0), r"resolution = 0"),
        (lambda m: m.tempos.append(Tempo(5, -1.0)), r"tempos\[1\]\.qpm = -1\.0"),
        (lambda m: m.time_signatures.append(TimeSignature(0, 3, 3)), r"time_signatures\[0\]\.denominator = 3"),
        (lambda m: m.key_signatures.append(KeySignature(0, root=12)), r"key_signatures\[0\]\.root = 12"),
        (lambda m: m.tracks[0].lyrics.append(Lyric(0, 5)), r"tracks\[0\]\.lyrics\[0\]\.lyric = 5"),
        (lambda m: m.tracks[0].chords.append(Chord(0, [60, 130], 1)), r"tracks\[0\]\.chords\[0\]\.pitches"),
        (lambda m: m.tempos.append("fast"), r"tempos\[1\] should be a Tempo"),
        (lambda m: m.tracks.append("piano"), r"tracks\[2\] should be a Track"),
    ],
)
def test_errors_name_the_path(mutate, message):
    music = valid()
    mutate(music)
    with pytest.raises(ValidationError, match=message):
        music.validate()
    assert not music.is_valid()
