"""miditoolkit <-> Music: ticks copied exactly both ways."""

from __future__ import annotations

import miditoolkit
import pytest

import muspy_like as ml
from muspy_like import Annotation, KeySignature, Lyric, Music, Note, Tempo, Track
from muspy_like.errors import ConversionError
from muspy_like.interop import from_miditoolkit, to_miditoolkit


def test_notes_match_miditoolkits_reading(peer_midi_path):
    midi = miditoolkit.MidiFile(str(peer_midi_path))
    music = from_miditoolkit(midi)
    assert music.resolution == midi.ticks_per_beat
    for track, instrument in zip(music.tracks, midi.instruments, strict=True):
        theirs = [(n.start, n.pitch, n.end - n.start, n.velocity) for n in instrument.notes]
        assert sorted(theirs) == sorted(map(tuple, (n.to_tuple() for n in track.notes)))
        assert len(track.control_changes) == len(instrument.control_changes)


def test_round_trip_through_a_miditoolkit_file(midi_path, tmp_path, content):
    music = ml.read(midi_path)
    target = tmp_path / "out.mid"
    to_miditoolkit(music).dump(str(target))
    back = ml.read(target)
    assert content(back) == content(music)
    assert from_miditoolkit(to_miditoolkit(music)).tempos == [Tempo(t.time, t.qpm) for t in music.tempos]


def test_markers_lyrics_and_keys_are_kept():
    music = Music(
        resolution=48,
        key_signatures=[KeySignature(0, root=4, mode="minor", fifths=1)],
        annotations=[Annotation(10, "Verse", "marker")],
        tracks=[Track(program=40, name="Violin", notes=[Note(0, 76, 48, 99)], lyrics=[Lyric(0, "ah")])],
    )
    midi = to_miditoolkit(music)
    assert [(k.key_name, k.time) for k in midi.key_signature_changes] == [("Em", 0)]
    assert [(m.text, m.time) for m in midi.markers] == [("Verse", 10)]
    back = from_miditoolkit(midi)
    assert [(k.root, k.mode, k.fifths) for k in back.key_signatures] == [(4, "minor", 1)]
    assert [(x.time, x.lyric) for x in back.lyrics] == [(0, "ah")]
    assert (back.tracks[0].program, back.tracks[0].name) == (40, "Violin")
    assert back.tracks[0].notes == music.tracks[0].notes


def test_unsupported_input_raises_conversion_error():
    with pytest.raises(ConversionError, match="from_miditoolkit"):
        from_miditoolkit([])
    with pytest.raises(ConversionError, match="to_miditoolkit"):
        to_miditoolkit(None)
