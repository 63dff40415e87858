"""music21 <-> Music on music21's bundled corpus, with music21's own view of the notes as reference."""

from __future__ import annotations

from collections import Counter

import pytest
from music21 import chord, converter, corpus, dynamics, note, stream, tempo, tie

import muspy_like as ml
from muspy_like import Lyric, Music, Note, Tempo, Track
from muspy_like.errors import ConversionError
from muspy_like.interop import from_mido, from_music21, to_mido, to_music21
from muspy_like.io.musicxml import read_musicxml

CHORALES = ["bach/bwv66.6", "bach/bwv7.7", "bach/bwv84.5"]


def _music21_notes(score, resolution):
    """(time, pitch, duration, part) of music21's own tie-stripped notes, grace notes excluded."""
    rows = Counter()
    for index, part in enumerate(score.parts):
        for element in part.stripTies().flatten().notes:
            if element.duration.isGrace:
                continue
            start = round(float(element.offset) * resolution)
            length = round(float(element.offset + element.quarterLength) * resolution) - start
            for pitch in element.pitches:
                rows[(start, pitch.midi, length, index)] += 1
    return rows


def _our_notes(music):
    return Counter(
        (t, p, d, index)
        for index, track in enumerate(music.tracks)
        for t, p, d in zip(track.notes.time.tolist(), track.notes.pitch.tolist(), track.notes.duration.tolist())
    )


@pytest.mark.parametrize("name", CHORALES)
def test_chorales_match_music21s_tie_stripped_notes(name):
    score = corpus.parse(name)
    music = from_music21(score, resolution=24)
    assert len(music.tracks) == len(score.parts)
    assert _our_notes(music) == _music21_notes(score, 24)
    key = (
        score.analyze("key")
        if not score.recurse().getElementsByClass("Key")
        else score.recurse().getElementsByClass("Key")[0]
    )
    assert (music.key_signatures[0].root, music.key_signatures[0].mode) == (key.tonic.pitchClass, key.mode)
    assert [t.name for t in music.tracks] == [p.partName for p in score.parts]


@pytest.mark.parametrize("name", CHORALES + ["schoenberg/opus19/movement2", "beethoven/opus18no1/movement1.mxl"])
def test_corpus_round_trip_through_music21(name):
    music = from_music21(corpus.parse(name))
    back = from_music21(to_music21(music))
    assert back.n_notes == music.n_notes > 0
    for ours, theirs in zip(music.tracks, back.tracks, strict=True):
        assert ours.notes == theirs.notes
        assert (ours.program, ours.name) == (theirs.program, theirs.name)
        assert [(x.time, x.lyric) for x in ours.lyrics] == [(x.time, x.lyric) for x in theirs.lyrics]
    assert back.key_signatures == music.key_signatures
    assert back.time_signatures == music.time_signatures


def test_midi_file_round_trip_keeps_velocities_programs_and_tempos(midi_dir):
    music = ml.read(midi_dir / "tempos.mid").adjust_resolution(24)
    back = from_music21(to_music21(music), resolution=24)
    assert [(t.time, t.qpm) for t in back.tempos] == [(t.time, t.qpm) for t in music.tempos]
    for ours, theirs in zip(music.tracks, back.tracks, strict=True):
        assert ours.notes == theirs.notes


def test_chords_ties_dynamics_and_lyrics_from_a_hand_built_part():
    part = stream.Part()
    part.insert(0, tempo.MetronomeMark(number=84))
    part.insert(0, dynamics.Dynamic("ff"))
    first = note.Note("C4", quarterLength=1.0)
    first.tie = tie.Tie("start")
    first.lyric = "sing"
    second = note.Note("C4", quarterLength=0.5)
    second.tie = tie.Tie("stop")
    part.insert(0, first)
    part.insert(1, second)
    triad = chord.Chord(["E4", "G4"], quarterLength=2 / 3)
    triad.volume.velocity = 33
    part.insert(1.5, triad)
    music = from_music21(part, resolution=12)
    assert [n.to_tuple() for n in music.tracks[0].notes] == [
        (0, 60, 18, round(dynamics.Dynamic("ff").volumeScalar * 127)),
        (18, 64, 8, 33),
        (18, 67, 8, 33),
    ]
    assert [(t.time, t.qpm) for t in music.tempos] == [(0, 84.0)]
    assert [(x.time, x.lyric) for x in music.tracks[0].lyrics] == [(0, "sing")]
    assert [(a.time, a.annotation, a.group) for a in music.tracks[0].annotations] == [(0, "ff", "dynamic")]


def test_opus_gives_a_list_and_to_music21_makes_chords():
    music = Music(
        resolution=4,
        tempos=[Tempo(0, 70.0)],
        tracks=[
            Track(program=40, notes=[Note(0, 60, 4, 50), Note(0, 64, 4, 60), Note(4, 62, 0)], lyrics=[Lyric(0, "o")])
        ],
    )
    score = to_music21(music)
    elements = list(score.parts[0].flatten().notes)
    assert len(elements) == 1 and isinstance(elements[0], chord.Chord)  # the zero-length note is dropped
    assert [n.volume.velocity for n in elements[0].notes] == [50, 60]
    assert elements[0].lyric == "o"
    opus = stream.Opus()
    opus.append(score)
    opus.append(to_music21(music))
    result = from_music21(opus, resolution=4)
    assert isinstance(result, list) and len(result) == 2
    assert [n.to_tuple() for n in result[1].tracks[0].notes] == [(0, 60, 4, 50), (0, 64, 4, 60)]


def test_unsupported_input_raises_conversion_error():
    with pytest.raises(ConversionError, match="from_music21"):
        from_music21(note.Note("C4"))
    with pytest.raises(ConversionError, match="to_music21"):
        to_music21(stream.Score())


@pytest.mark.parametrize("source", ["bach/bwv66.6", "fur-elise.mid"])
def test_music21_measures_and_ties_merge_back_into_the_same_notes(source, midi_dir):
    if source.endswith(".mid"):
        music = ml.read(midi_dir / source).adjust_resolution(24)
    else:
        music = from_music21(corpus.parse(source))
    notated = to_music21(music).makeNotation()  # music21 splits notes at barlines and ties them
    tied = [n for n in notated.recurse().notes if n.tie is not None or any(x.tie for x in getattr(n, "notes", []))]
    assert tied, "the piece should have notes tied over barlines"
    back = from_music21(notated, resolution=music.resolution)
    for ours, theirs in zip(music.tracks, back.tracks, strict=True):
        assert ours.notes == theirs.notes


def test_song_lyrics_survive_music21_and_midi():
    score = corpus.parse("schubert/Lindenbaum")
    music = from_music21(score)
    hyphens = {None: ("", ""), "single": ("", ""), "begin": ("", " -"), "middle": ("- ", " -"), "end": ("- ", "")}
    expected = [
        [(round(float(n.offset) * 24), "{1}{0}{2}".format(n.lyrics[0].text, *hyphens[n.lyrics[0].syllabic]))
         for n in part.flatten().notes if n.lyrics and n.lyrics[0].text]
        for part in score.parts
    ]
    assert any(text.endswith(" -") for part in expected for _, text in part)  # the song has words of 2+ syllables
    assert [[(x.time, x.lyric) for x in t.lyrics] for t in music.tracks] == expected
    assert sum(map(len, expected)) > 100
    voice = next(t for t in music.tracks if t.lyrics)
    again = from_music21(to_music21(music))
    assert next(t for t in again.tracks if t.lyrics).lyrics == voice.lyrics
    through_midi = from_mido(to_mido(music))
    assert [(x.time, x.lyric) for t in through_midi.tracks for x in t.lyrics] == [
        (x.time, x.lyric) for x in voice.lyrics
    ]


def test_every_program_and_drum_flag_survives_music21():
    tracks = [Track(program=p, is_drum=d, notes=[Note(0, 60, 24)]) for p in range(128) for d in (False, True)]
    back = from_music21(to_music21(Music(tracks=tracks)))
    assert [(t.program, t.is_drum) for t in back.tracks] == [(t.program, t.is_drum) for t in tracks]


def test_playback_only_tempo_is_kept_like_the_reader_does(testdata_dir):
    """Für Elise holds ``<sound tempo="72"/>`` with no printed metronome mark: music21 keeps it as a
    playback-only ``MetronomeMark`` (``numberSounding``); the converter gives the tempo our reader gives."""
    path = testdata_dir / "musicxml" / "fur-elise.xml"
    converted = from_music21(converter.parse(str(path)))
    read = read_musicxml(path)  # as written, as music21 parses it (the top-level reader plays repeats)
    assert [(t.time, t.qpm) for t in read.tempos] == [(0, 72.0)]
    assert [(t.time * read.resolution // converted.resolution, t.qpm) for t in converted.tempos] == [(0, 72.0)]
    # A mark music21 only guessed from a word ("Allegro") gives no tempo; a half-note mark is converted.
    part = stream.Part([tempo.MetronomeMark("Allegro"), note.Note("C4")])
    assert from_music21(part).tempos == []
    part = stream.Part([tempo.MetronomeMark(number=60, referent="half"), note.Note("C4")])
    assert [t.qpm for t in from_music21(part).tempos] == [120.0]
