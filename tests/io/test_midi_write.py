"""Writing MIDI: exact read -> write -> read on every test file and on random Music, every key, channels."""

from __future__ import annotations

import io

import mido
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from muspy_like import Annotation, KeySignature, Lyric, MIDIError, Music, Note, Tempo, Track
from muspy_like.io.midi import planned_channels, read_midi, write_midi
from muspy_like.io.midi.constants import key_signature_from_midi
from muspy_like.io.midi.writer import encode_midi
from tests.io.midi_reference import mido_meta, mido_note_tuples
from tests.strategies import music_strategy


def _reread(music: Music, tmp_path, engine: str = "numpy") -> Music:
    path = tmp_path / "out.mid"
    write_midi(path, music)
    return read_midi(path, engine=engine)


def _as_midi_reads_it(music: Music) -> Music:
    """What a MIDI round trip is expected to give, derived from the documented rules (not from the reader)."""
    expected = music.copy()
    expected.metadata.source_format = "midi"
    expected.metadata.source_filename = "out.mid"
    for track, channel in zip(expected.tracks, planned_channels(music)):
        track.channel = channel
        track.sort()
    for key in expected.key_signatures:
        key.root_str = key_signature_from_midi(0, key.fifths, key.mode == "minor").root_str
    expected.tempos = [Tempo(t.time, 60_000_000 / round(60_000_000 / t.qpm)) for t in expected.tempos]
    return expected


@pytest.mark.parametrize("engine", ["numpy", "mido"])
def test_round_trip_every_shared_file(midi_dir, bench_dir, tmp_path, engine):
    files = sorted(midi_dir.glob("*.mid")) + [bench_dir / "mahler.mid"]
    written = 0
    for path in files:
        try:
            original = read_midi(path)
        except MIDIError:
            continue
        again = _reread(original, tmp_path, engine)
        again.metadata.source_filename = original.metadata.source_filename
        assert again == original, path.name
        written += 1
    assert written == 14


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(music=music_strategy(midi_compatible=True))
def test_round_trip_random_music(tmp_path, music):
    assert _reread(music, tmp_path) == _as_midi_reads_it(music)


def test_written_file_is_what_mido_reads(tmp_path):
    music = Music(resolution=96, tempos=[Tempo(0, 90.0)])
    music.tracks.append(Track(program=40, name="violin", notes=[Note(0, 67, 48, 80), Note(48, 69, 0, 81)]))
    music.tracks.append(Track(is_drum=True, notes=[Note(10, 36, 5, 100)]))
    write_midi(tmp_path / "a.mid", music)
    midi = mido.MidiFile(tmp_path / "a.mid")
    assert midi.type == 1 and midi.ticks_per_beat == 96 and len(midi.tracks) == 3
    assert mido_note_tuples(midi) == [(0, 0, 67, 48, 80), (0, 48, 69, 0, 81), (9, 10, 36, 5, 100)]
    assert mido_meta(midi, "set_tempo", "tempo") == [(0, 666667)]
    assert mido_meta(midi, "track_name", "name") == [(0, "violin")]
    programs = [(m.channel, m.program) for t in midi.tracks for m in t if m.type == "program_change"]
    assert programs == [(0, 40), (9, 0)]


@pytest.mark.parametrize("fifths", range(-7, 8))
@pytest.mark.parametrize("mode", ["major", "minor"])
def test_every_key_signature(tmp_path, fifths, mode):
    major_roots = {-4: 8, -3: 3, -2: 10}  # Ab, Eb, Bb major: the keys MusPy cannot write
    root = major_roots.get(fifths, (7 * fifths) % 12) if mode == "major" else ((7 * fifths) % 12 + 9) % 12
    # fifths is derived from root and mode, except for the enharmonic pairs (6/7 accidentals) that need it
    explicit = fifths if abs(fifths) >= 6 else None
    music = Music(key_signatures=[KeySignature(0, root=root, mode=mode, fifths=explicit)])
    write_midi(tmp_path / "k.mid", music)
    (tick, name), = mido_meta(tmp_path / "k.mid", "key_signature", "key")
    again = read_midi(tmp_path / "k.mid").key_signatures[0]
    assert (again.fifths, again.mode, again.root) == (fifths, mode, root)
    assert name == again.root_str + ("m" if mode == "minor" else "")


def test_key_without_fifths_takes_the_spelling_with_fewer_accidentals():
    music = Music(key_signatures=[KeySignature(0, root=11, mode="major"), KeySignature(1, root=6, mode="major")])
    keys = read_midi(encode_midi(music)).key_signatures
    assert [(k.fifths, k.root_str) for k in keys] == [(5, "B"), (6, "F#")]


@pytest.mark.parametrize(
    "root, mode, fifths, minor",
    [
        (2, "dorian", 0, False),  # D dorian: the white keys, written as C major's signature
        (7, "mixolydian", 0, False),  # G mixolydian: no sharps
        (4, "phrygian", 0, False),  # E phrygian: no sharps
        (5, "lydian", 0, False),  # F lydian: no flats
        (9, "dorian", 1, False),  # A dorian: one sharp (F#), G major's signature
        (11, "locrian", 0, False),  # B locrian: white keys
        (2, "aeolian", -1, True),  # D aeolian = D minor, one flat
    ],
)
def test_church_modes_keep_their_signature(root, mode, fifths, minor):
    music = Music(key_signatures=[KeySignature(0, root=root, mode=mode)])
    (key,) = read_midi(encode_midi(music)).key_signatures
    assert key.fifths == fifths
    assert key.mode == ("minor" if minor else "major")


def test_markers_lyrics_text_and_copyright(tmp_path):
    music = Music(resolution=24)
    music.metadata.title = "Title"
    music.metadata.copyright = "(c) 2026"
    music.annotations = [Annotation(0, "Intro", "marker"), Annotation(24, "go", "cue"), Annotation(30, "note", "text")]
    music.lyrics = [Lyric(5, "global")]
    track = Track(notes=[Note(0, 60, 24)], lyrics=[Lyric(0, "la"), Lyric(12, "lä")],
                  annotations=[Annotation(3, "pizz.", "text"), Annotation(4, "Violin", "instrument")])
    music.tracks.append(track)
    write_midi(tmp_path / "t.mid", music)
    assert mido_meta(tmp_path / "t.mid", "marker", "text") == [(0, "Intro")]
    assert mido_meta(tmp_path / "t.mid", "copyright", "text") == [(0, "(c) 2026")]
    for engine in ("numpy", "mido"):
        again = read_midi(tmp_path / "t.mid", engine=engine)
        assert again.metadata.title == "Title" and again.metadata.copyright == "(c) 2026"
        assert again.annotations == music.annotations and again.lyrics == music.lyrics
        assert again.tracks[0].lyrics == track.lyrics and again.tracks[0].annotations == track.annotations


def test_controls_and_pitch_bends(tmp_path):
    track = Track(program=5, notes=[Note(0, 60, 10)])
    track.control_changes = track.control_changes.from_columns(time=[0, 5, 5], number=[7, 10, 64], value=[100, 0, 127])
    track.pitch_bends = track.pitch_bends.from_columns(time=[1, 2, 3], value=[-8192, 0, 8191])
    again = _reread(Music(tracks=[track]), tmp_path)
    assert again.tracks[0].control_changes == track.control_changes
    assert again.tracks[0].pitch_bends.value.tolist() == [-8192, 0, 8191]
    raw = [(m.type, getattr(m, "pitch", None)) for m in mido.MidiFile(tmp_path / "out.mid").tracks[1] if m.type == "pitchwheel"]
    assert raw == [("pitchwheel", -8192), ("pitchwheel", 0), ("pitchwheel", 8191)]


def test_more_than_fifteen_melodic_tracks_share_channels(tmp_path):
    tracks = [Track(program=p, notes=[Note(p, 60 + p % 10, 4)]) for p in range(18)] + [Track(is_drum=True, notes=[Note(0, 38, 4)])]
    music = Music(tracks=tracks)
    channels = planned_channels(music)
    assert channels[:15] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15]
    assert channels[15:18] == [0, 1, 2] and channels[18] == 9
    again = _reread(music, tmp_path)
    assert [t.program for t in again.tracks] == list(range(18)) + [0]
    assert [t.channel for t in again.tracks] == channels
    assert [t.notes for t in again.tracks] == [t.notes for t in tracks]


def test_explicit_channels_are_kept_and_others_fill_the_gaps():
    music = Music(tracks=[Track(channel=3), Track(), Track(channel=9), Track(is_drum=True, channel=4), Track()])
    # track 2 asks for channel 9 without being a drum track: it gets a free melodic channel instead
    assert planned_channels(music) == [3, 0, 1, 9, 2]


def test_zero_length_and_overlapping_notes(tmp_path):
    notes = [Note(0, 60, 0, 10), Note(0, 60, 10, 20), Note(5, 60, 10, 30), Note(20, 61, 0, 40)]
    again = _reread(Music(tracks=[Track(notes=notes)]), tmp_path)
    assert [n.to_tuple() for n in again.tracks[0].notes] == [(0, 60, 0, 10), (0, 60, 10, 20), (5, 60, 10, 30), (20, 61, 0, 40)]


def test_velocity_zero_is_written_as_one(tmp_path):
    again = _reread(Music(tracks=[Track(notes=[Note(0, 60, 10, 0)])]), tmp_path)
    assert again.tracks[0].notes.velocity.tolist() == [1]


def test_write_is_atomic(tmp_path):
    path = tmp_path / "keep.mid"
    path.write_bytes(b"old content")
    bad = Music(resolution=40000, tracks=[Track(notes=[Note(0, 60, 1)])])
    with pytest.raises(MIDIError, match="resolution"):
        write_midi(path, bad)
    assert path.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.mid"]


def test_huge_gap_is_refused():
    music = Music(tracks=[Track(notes=[Note(0, 60, 1), Note(2**28 + 5, 60, 1)])])
    with pytest.raises(MIDIError, match="gap"):
        encode_midi(music)


def test_vectorized_encoder_writes_every_event_at_its_tick():
    """Decode the numpy encoder's output with mido: every note-on and note-off is at its tick, in order."""
    rng = np.random.default_rng(0)
    n = 500
    notes = Track().notes.from_columns(time=np.sort(rng.integers(0, 100000, n)), pitch=rng.integers(0, 128, n),
                                       duration=rng.integers(1, 5000, n), velocity=rng.integers(1, 128, n))
    midi = mido.MidiFile(file=io.BytesIO(encode_midi(Music(resolution=480, tracks=[Track(notes=notes)]))))
    tick, ons, offs = 0, [], []
    for message in midi.tracks[1]:
        tick += message.time
        if message.type == "note_on":
            ons.append((tick, message.note, message.velocity))
        elif message.type == "note_off":
            offs.append((tick, message.note))
    assert sorted(ons) == sorted(zip(notes.time.tolist(), notes.pitch.tolist(), notes.velocity.tolist()))
    assert sorted(offs) == sorted(zip(notes.end.tolist(), notes.pitch.tolist()))
    assert [t for t, _, _ in ons] == sorted(t for t, _, _ in ons)


def test_generic_write_and_music_methods_dispatch_to_midi(tmp_path, midi_dir):
    import muspy_like

    music = read_midi(midi_dir / "chords.mid")
    muspy_like.write(tmp_path / "a.mid", music)
    music.write(tmp_path / "b.kar")
    assert (tmp_path / "a.mid").read_bytes() == (tmp_path / "b.kar").read_bytes()
    assert muspy_like.read(tmp_path / "b.kar").tracks == music.tracks
