"""mido <-> Music: exact tick round trips on real files, and the events a MIDI file can carry."""

from __future__ import annotations

from collections import Counter

import mido
import pytest

import muspy_like as ml
from muspy_like import (
    Annotation,
    ControlChange,
    KeySignature,
    Lyric,
    Music,
    Note,
    PitchBend,
    Tempo,
    TimeSignature,
    Track,
)
from muspy_like.errors import ConversionError
from muspy_like.interop import from_mido, to_mido


def test_from_mido_is_exactly_our_midi_reader(midi_path):
    ours = ml.read(midi_path)
    converted = from_mido(mido.MidiFile(midi_path))
    ours.metadata.source_filename = converted.metadata.source_filename = None
    assert converted == ours


def test_round_trip_through_mido_keeps_everything(midi_path, content):
    music = ml.read(midi_path)
    back = from_mido(to_mido(music))
    assert back.resolution == music.resolution
    assert content(back) == content(music)
    assert [(t.time, t.qpm) for t in back.tempos] == [(t.time, pytest.approx(t.qpm, rel=1e-9)) for t in music.tempos]
    assert [(k.time, k.root, k.mode) for k in back.key_signatures] == [
        (k.time, k.root, k.mode) for k in music.key_signatures
    ]
    for ours, theirs in zip(sorted(music.tracks, key=len), sorted(back.tracks, key=len)):
        assert ours.control_changes == theirs.control_changes


def _rich_music() -> Music:
    piano = Track(program=5, name="Piano", notes=[Note(0, 60, 24, 90), Note(24, 60, 24, 30), Note(48, 64, 0, 70)])
    piano.control_changes = [ControlChange(0, 64, 127), ControlChange(30, 64, 0)]
    piano.pitch_bends = [PitchBend(10, -8192), PitchBend(20, 8191)]
    piano.lyrics = [Lyric(0, "la"), Lyric(24, "lo")]
    piano.annotations = [Annotation(12, "dolce", "text")]
    drums = Track(program=0, is_drum=True, name="Kit", notes=[Note(0, 36, 6, 100), Note(12, 38, 6, 80)])
    return Music(
        resolution=24,
        metadata=ml.Metadata(title="Song", copyright="(c) us"),
        tempos=[Tempo(0, 100.0), Tempo(48, 150.0)],
        key_signatures=[
            KeySignature(0, root=9, mode="minor", fifths=0),
            KeySignature(48, root=3, mode="major", fifths=-3),
        ],
        time_signatures=[TimeSignature(0, 3, 4), TimeSignature(72, 6, 8)],
        annotations=[Annotation(24, "Chorus", "marker"), Annotation(36, "cue here", "cue")],
        tracks=[piano, drums],
    )


def test_rich_piece_round_trips_exactly():
    music = _rich_music()
    back = from_mido(to_mido(music))
    assert back.metadata.title == "Song" and back.metadata.copyright == "(c) us"
    assert [(t.time, t.qpm) for t in back.tempos] == [(0, 100.0), (48, 150.0)]
    assert [(k.time, k.root, k.mode) for k in back.key_signatures] == [(0, 9, "minor"), (48, 3, "major")]
    assert [(t.time, t.numerator, t.denominator) for t in back.time_signatures] == [(0, 3, 4), (72, 6, 8)]
    assert sorted((a.time, a.annotation, a.group) for a in back.annotations) == [
        (24, "Chorus", "marker"),
        (36, "cue here", "cue"),
    ]
    piano, drums = back.tracks
    assert (piano.program, piano.name, piano.is_drum) == (5, "Piano", False)
    assert (drums.is_drum, drums.channel, drums.name) == (True, 9, "Kit")
    assert piano.notes == music.tracks[0].notes  # repeated pitch and zero-length note kept
    assert piano.control_changes == music.tracks[0].control_changes
    assert piano.pitch_bends == music.tracks[0].pitch_bends
    assert [(x.time, x.lyric) for x in piano.lyrics] == [(0, "la"), (24, "lo")]
    assert [(x.time, x.annotation, x.group) for x in piano.annotations] == [(12, "dolce", "text")]
    assert drums.notes == music.tracks[1].notes


def test_note_offs_precede_note_ons_at_the_same_tick():
    midi = to_mido(Music(resolution=24, tracks=[Track(notes=[Note(0, 60, 24), Note(24, 60, 24)])]))
    kinds, tick = [], 0
    for message in midi.tracks[1]:
        tick += message.time
        if message.type in ("note_on", "note_off"):
            kinds.append((tick, message.type))
    assert kinds == [(0, "note_on"), (24, "note_off"), (24, "note_on"), (48, "note_off")]


def test_resolution_argument_rescales(midi_dir, content):
    path = midi_dir / "fur-elise.mid"
    rescaled = from_mido(mido.MidiFile(path), resolution=24)
    expected = ml.read(path).adjust_resolution(24)
    assert rescaled.resolution == 24
    assert content(rescaled) == content(expected)


def test_unsupported_input_raises_conversion_error():
    with pytest.raises(ConversionError, match="from_mido"):
        from_mido("song.mid")
    with pytest.raises(ConversionError, match="to_mido"):
        to_mido(mido.MidiFile())
    smpte = mido.MidiFile()
    smpte.ticks_per_beat = -1
    with pytest.raises(ConversionError, match="SMPTE"):
        from_mido(smpte)


def test_notes_match_midos_own_note_on_messages(midi_path):
    midi = mido.MidiFile(midi_path)
    expected = Counter()
    for track in midi.tracks:
        tick = 0
        for message in track:
            tick += message.time
            if message.type == "note_on" and message.velocity > 0:
                expected[(tick, message.note, message.velocity)] += 1
    music = from_mido(midi)
    found = Counter(
        (t, p, v)
        for track in music.tracks
        for t, p, v in zip(track.notes.time.tolist(), track.notes.pitch.tolist(), track.notes.velocity.tolist())
    )
    assert found == expected


def test_type_2_files_are_refused_like_the_midi_reader_does(midi_dir):
    with pytest.raises(ConversionError, match="type 2"):
        from_mido(mido.MidiFile(midi_dir / "type2.mid"))
