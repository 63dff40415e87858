"""Reading the real MIDI files of MusPy's test suite: content checked against mido's raw messages and by hand."""

from __future__ import annotations

import io

import pytest

from muspy_like import MIDIError, read
from muspy_like.io.midi import read_midi
from tests.io.midi_reference import mido_meta, mido_note_tuples, music_note_tuples

ENGINES = ["numpy", "mido"]
READABLE = [
    "chords.mid", "durations.mid", "empty.mid", "fur-elise.mid", "key-signatures.mid", "multichannel.mid",
    "multiple-copyrights.mid", "multitrack.mid", "pitches.mid", "single-track-single-channel.mid",
    "tempos.mid", "ticks-per-beat-480.mid", "time-signatures.mid",
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", READABLE)
def test_notes_match_mido_messages(midi_dir, name, engine):
    music = read_midi(midi_dir / name, engine=engine)
    assert music_note_tuples(music) == mido_note_tuples(midi_dir / name)
    assert music.resolution == 480
    assert music.metadata.source_filename == name and music.metadata.source_format == "midi"


@pytest.mark.parametrize("engine", ENGINES)
def test_chords_by_hand(midi_dir, engine):
    music = read_midi(midi_dir / "chords.mid", engine=engine)
    (track,) = music.tracks
    assert track.channel == 0 and track.program == 0 and not track.is_drum
    assert track.notes.pitch.tolist()[:3] == [60, 64, 67]
    assert track.notes.time.tolist() == [0, 0, 0, 960, 960, 960, 1920, 1920, 1920, 2880, 2880, 2880]
    assert set(track.notes.duration.tolist()) == {480}


@pytest.mark.parametrize("engine", ENGINES)
def test_pitches_cover_the_midi_range(midi_dir, engine):
    music = read_midi(midi_dir / "pitches.mid", engine=engine)
    assert sorted(music.tracks[0].notes.pitch.tolist()) == list(range(128))


@pytest.mark.parametrize("engine", ENGINES)
def test_durations_halve(midi_dir, engine):
    durations = read_midi(midi_dir / "durations.mid", engine=engine).tracks[0].notes.duration.tolist()
    assert durations[:7] == [7680, 3840, 1920, 960, 480, 240, 120]


@pytest.mark.parametrize("engine", ENGINES)
def test_tempos(midi_dir, engine):
    music = read_midi(midi_dir / "tempos.mid", engine=engine)
    # set_tempo 600000 then 500000 microseconds per quarter, the second after a whole note (1920 ticks)
    assert [(t.time, t.qpm) for t in music.tempos] == [(0, 100.0), (1920, 120.0)]
    assert music.get_real_end_time() == pytest.approx(1920 / 480 * 0.6 + 1920 / 480 * 0.5)


@pytest.mark.parametrize("engine", ENGINES)
def test_time_signatures(midi_dir, engine):
    music = read_midi(midi_dir / "time-signatures.mid", engine=engine)
    expected = [(t, v) for t, v in mido_meta(midi_dir / "time-signatures.mid", "time_signature", "numerator")]
    assert [(s.time, s.numerator) for s in music.time_signatures] == expected
    assert [s.denominator for s in music.time_signatures][:5] == [2, 4, 2, 2, 4]


@pytest.mark.parametrize("engine", ENGINES)
def test_key_signatures_in_every_key(midi_dir, engine):
    music = read_midi(midi_dir / "key-signatures.mid", engine=engine)
    expected = mido_meta(midi_dir / "key-signatures.mid", "key_signature", "key")
    assert len(music.key_signatures) == len(expected) == 30
    names = [(k.time, k.root_str + ("m" if k.mode == "minor" else "")) for k in music.key_signatures]
    assert names == expected
    first = music.key_signatures[0]  # 3 sharps major: A major
    assert (first.root, first.mode, first.fifths) == (9, "major", 3)


@pytest.mark.parametrize("engine", ENGINES)
def test_multitrack_names(midi_dir, engine):
    music = read_midi(midi_dir / "multitrack.mid", engine=engine)
    assert [t.name for t in music.tracks] == ["Track 0", "Track 1", "Track 2", "Track 3"]
    assert [t.notes.pitch.tolist() for t in music.tracks] == [[60], [64], [67], [72]]


@pytest.mark.parametrize("engine", ENGINES)
def test_multichannel_splits_by_channel(midi_dir, engine):
    music = read_midi(midi_dir / "multichannel.mid", engine=engine)
    assert [(t.channel, t.notes.pitch.tolist()) for t in music.tracks] == [(0, [60]), (1, [64]), (2, [67]), (3, [72])]


@pytest.mark.parametrize("engine", ENGINES)
def test_copyrights_are_joined(midi_dir, engine):
    music = read_midi(midi_dir / "multiple-copyrights.mid", engine=engine)
    assert music.metadata.copyright == "Test copyright.\nAnother test copyright."
    assert music.tracks == []


@pytest.mark.parametrize("engine", ENGINES)
def test_fur_elise(midi_dir, engine):
    music = read_midi(midi_dir / "fur-elise.mid", engine=engine)
    assert [len(t.notes) for t in music.tracks] == [605, 415]
    # the left hand holds the sustain pedal: CC 64 events, kept as control changes
    pedal = music.tracks[1].control_changes
    assert (pedal.number == 64).sum() == 94
    assert music.tempos[0].qpm == pytest.approx(60_000_000 / 833333)
    assert [(s.numerator, s.denominator) for s in music.time_signatures[:2]] == [(1, 8), (3, 8)]


@pytest.mark.parametrize("engine", ENGINES)
def test_empty_files(midi_dir, engine):
    for name in ("empty.mid", "ticks-per-beat-480.mid"):
        music = read_midi(midi_dir / name, engine=engine)
        assert music.tracks == [] and music.n_notes == 0


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "name, words",
    [
        ("type2.mid", "type 2"),
        ("zero-ticks-per-beat.mid", "zero ticks per quarter"),
        ("negative-ticks-per-beat.mid", "SMPTE division 0xffff"),
    ],
)
def test_unsupported_headers_raise(midi_dir, name, words, engine):
    with pytest.raises(MIDIError, match=words) as error:
        read_midi(midi_dir / name, engine=engine)
    assert name in str(error.value) and "byte" in str(error.value)


def test_bytes_and_file_objects(midi_dir):
    data = (midi_dir / "chords.mid").read_bytes()
    from_path = read_midi(midi_dir / "chords.mid")
    from_bytes = read_midi(data)
    from_file = read_midi(io.BytesIO(data))
    assert from_bytes.tracks == from_path.tracks == from_file.tracks
    assert from_bytes.metadata.source_filename is None


def test_generic_read_dispatches_to_midi(midi_dir):
    assert read(midi_dir / "chords.mid") == read_midi(midi_dir / "chords.mid")


def test_missing_file_raises_midierror(tmp_path):
    with pytest.raises(MIDIError, match="cannot read"):
        read_midi(tmp_path / "missing.mid")


def test_bad_engine_name(midi_dir):
    with pytest.raises(ValueError, match="engine"):
        read_midi(midi_dir / "chords.mid", engine="fast")


def test_mahler_real_orchestral_file(bench_dir):
    music = read_midi(bench_dir / "mahler.mid")
    assert music_note_tuples(music) == mido_note_tuples(bench_dir / "mahler.mid")
    assert music.metadata.copyright == "Copyright(C) by ?"
    drums = [t for t in music.tracks if t.is_drum]
    assert drums and all(t.channel == 9 for t in drums)
    # program changes mid-track split a chunk into one track per (channel, program)
    piccolo = [(t.channel, t.program) for t in music.tracks if t.name == "PICCOLO"]
    assert piccolo == [(0, 72), (0, 73)]


@pytest.mark.parametrize("engine", ENGINES)
def test_smpte_timing_is_converted(engine):
    # division 0xE728: -25 frames per second, 40 ticks per frame -> 1000 ticks per second
    chunk = bytes.fromhex("00ff5103" "07a120")  # a tempo event, which SMPTE files must ignore
    chunk += bytes.fromhex("00903c40" "8768803c00" "00ff2f00")  # note-on at 0, note-off 1000 ticks later
    data = b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\xe7\x28" + b"MTrk" + len(chunk).to_bytes(4, "big") + chunk
    music = read_midi(data, engine=engine)
    assert music.resolution == 25 * 40
    assert [(t.time, t.qpm) for t in music.tempos] == [(0, 60.0)]
    assert music.tracks[0].notes[0].to_tuple() == (0, 60, 1000, 64)
    assert music.get_real_end_time() == pytest.approx(1.0)


@pytest.mark.parametrize("exponent", [2, 7, 8, 16])
def test_large_time_signature_denominators(exponent):
    # the denominator is stored as a power of two: 2**8 and more do not fit a byte
    chunk = bytes([0, 0xFF, 0x58, 4, 3, exponent, 24, 8]) + bytes.fromhex("00903c40" "10803c00" "00ff2f00")
    data = b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60" + b"MTrk" + len(chunk).to_bytes(4, "big") + chunk
    for engine in ENGINES:
        (signature,) = read_midi(data, engine=engine).time_signatures
        assert (signature.numerator, signature.denominator) == (3, 2**exponent)


def test_ticks_beyond_32_bits_are_read_exactly():
    # nine notes 2**28 - 1 ticks apart: the last ones lie beyond 2**31 ticks (a 32-bit counter would wrap)
    chunk = b"".join(b"\xff\xff\xff\x7f\x90\x3c\x40" + b"\x00\x80\x3c\x00" for _ in range(9)) + b"\x00\xff\x2f\x00"
    data = b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60" + b"MTrk" + len(chunk).to_bytes(4, "big") + chunk
    expected = [(2**28 - 1) * (k + 1) for k in range(9)]
    for engine in ENGINES:
        assert read_midi(data, engine=engine).tracks[0].notes.time.tolist() == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_events_after_an_end_of_track_are_kept(engine):
    conductor = bytes.fromhex("00ff510307a120" "00ff2f00" "10ff5103051615" "00ff2f00")
    notes = bytes.fromhex("00903c40" "10803c00" "00ff2f00")
    data = b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x00\x60"
    data += b"MTrk" + len(conductor).to_bytes(4, "big") + conductor + b"MTrk" + len(notes).to_bytes(4, "big") + notes
    assert [(t.time, round(t.qpm, 3)) for t in read_midi(data, engine=engine).tempos] == [(0, 120.0), (16, 180.0)]
