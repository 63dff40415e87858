"""Differential tests: the numpy engine (each of its paths: compiled, whole arrays, one event at a time) and
the mido engine (mido's decoding, the message-by-message builder) give the same Music on every file,
whatever the overlap policy."""

from __future__ import annotations

import io
import re

import mido
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muspy_like.io.midi import read_midi
from muspy_like.io.midi.builder import OVERLAP_POLICIES
from muspy_like.io.midi.reader import read_bytes
from muspy_like.io.midi.writer import encode_midi
from tests.io.midi_paths import NUMPY_PATHS
from tests.io.midi_reference import mido_note_tuples, music_note_tuples
from tests.strategies import music_strategy

TEXTS = st.text(alphabet="abcxyz äé-", min_size=0, max_size=6)


def _same_everywhere(data: bytes, overlap: str = "fifo"):
    """Both engines, and every path of the numpy engine, agree."""
    reference = read_midi(data, engine="mido", overlap=overlap)
    for path, forced in NUMPY_PATHS.items():
        assert read_bytes(data, "<bytes>", None, "numpy", overlap, **forced) == reference, path
    return reference


def test_engines_agree_on_every_shared_file(midi_dir, bench_dir):
    files = sorted(midi_dir.glob("*.mid")) + [bench_dir / "mahler.mid"]
    compared = 0
    for path in files:
        data = path.read_bytes()
        try:
            expected = read_midi(data, engine="mido")
        except Exception as error:  # noqa: BLE001 - then every engine must refuse the file the same way
            for forced in NUMPY_PATHS.values():
                with pytest.raises(type(error), match=re.escape(str(error))):
                    read_bytes(data, "<bytes>", None, "numpy", **forced)
            continue
        for overlap in OVERLAP_POLICIES:
            _same_everywhere(data, overlap)
        compared += 1
    assert compared == 14


@st.composite
def raw_midi_files(draw) -> bytes:
    """Arbitrary, messy but valid MIDI: several channels per chunk, program changes anywhere, overlapping
    and zero-length notes, stray note-offs, text of every kind, running status (mido writes it)."""
    midi = mido.MidiFile(type=draw(st.sampled_from([0, 1])), ticks_per_beat=draw(st.sampled_from([24, 96, 480])))
    n_tracks = 1 if midi.type == 0 else draw(st.integers(1, 4))
    channels = st.sampled_from([0, 1, 9, 15]) if draw(st.booleans()) else st.just(draw(st.integers(0, 15)))
    for _ in range(n_tracks):
        track = mido.MidiTrack()
        for _ in range(draw(st.integers(0, 30))):
            delta = draw(st.integers(0, 200))
            kind = draw(st.sampled_from(["on", "on", "on", "off", "off", "cc", "bend", "program", "meta", "sysex"]))
            channel = draw(channels)
            pitch = draw(st.integers(58, 62))
            if kind == "on":
                message = mido.Message("note_on", channel=channel, note=pitch, velocity=draw(st.integers(0, 127)), time=delta)
            elif kind == "off":
                message = mido.Message("note_off", channel=channel, note=pitch, time=delta)
            elif kind == "cc":
                message = mido.Message("control_change", channel=channel, control=draw(st.integers(0, 127)),
                                       value=draw(st.integers(0, 127)), time=delta)
            elif kind == "bend":
                message = mido.Message("pitchwheel", channel=channel, pitch=draw(st.integers(-8192, 8191)), time=delta)
            elif kind == "program":
                message = mido.Message("program_change", channel=channel, program=draw(st.integers(0, 3)), time=delta)
            elif kind == "sysex":
                message = mido.Message("sysex", data=draw(st.lists(st.integers(0, 127), max_size=4)), time=delta)
            else:
                meta = draw(st.sampled_from(["track_name", "lyrics", "text", "marker", "cue_marker", "copyright",
                                             "set_tempo", "key_signature", "time_signature", "instrument_name"]))
                if meta == "set_tempo":
                    message = mido.MetaMessage(meta, tempo=draw(st.integers(1, 2_000_000)), time=delta)
                elif meta == "key_signature":
                    message = mido.MetaMessage(meta, key=draw(st.sampled_from(["C", "Ab", "Ebm", "F#", "Cb", "A#m"])), time=delta)
                elif meta == "time_signature":
                    message = mido.MetaMessage(meta, numerator=draw(st.integers(1, 9)),
                                               denominator=draw(st.sampled_from([2, 4, 8])), time=delta)
                elif meta in ("track_name", "instrument_name"):
                    message = mido.MetaMessage(meta, name=draw(TEXTS), time=delta)
                else:
                    message = mido.MetaMessage(meta, text=draw(TEXTS), time=delta)
            track.append(message)
        midi.tracks.append(track)
    buffer = io.BytesIO()
    midi.save(file=buffer)
    return buffer.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_midi_files(), st.sampled_from(OVERLAP_POLICIES))
def test_engines_agree_on_messy_generated_files(data, overlap):
    music = _same_everywhere(data, overlap)
    if overlap == "fifo":
        assert music_note_tuples(music) == mido_note_tuples(mido.MidiFile(file=io.BytesIO(data)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(music_strategy(midi_compatible=True))
def test_engines_agree_on_written_files(music):
    _same_everywhere(encode_midi(music))


def test_lifo_overlap_policy():
    midi = mido.MidiFile(ticks_per_beat=96)
    track = mido.MidiTrack()
    track += [
        mido.Message("note_on", note=60, velocity=10, time=0),
        mido.Message("note_on", note=60, velocity=20, time=10),
        mido.Message("note_off", note=60, time=10),
        mido.Message("note_off", note=60, time=10),
    ]
    midi.tracks.append(track)
    buffer = io.BytesIO()
    midi.save(file=buffer)
    fifo = read_midi(buffer.getvalue())
    lifo = read_midi(buffer.getvalue(), overlap="lifo")
    # FIFO: the first note-off (tick 20) ends the oldest note (tick 0, velocity 10)
    assert [n.to_tuple() for n in fifo.tracks[0].notes] == [(0, 60, 20, 10), (10, 60, 20, 20)]
    # LIFO: it ends the newest one (tick 10)
    assert [n.to_tuple() for n in lifo.tracks[0].notes] == [(0, 60, 30, 10), (10, 60, 10, 20)]
    assert read_midi(buffer.getvalue(), engine="mido", overlap="lifo") == lifo


@st.composite
def timing_chunks(draw) -> mido.MidiTrack:
    """A conductor-like chunk: a name, tempos, signatures, events no reader keeps, and sometimes a text."""
    chunk = mido.MidiTrack()
    if draw(st.booleans()):
        chunk.append(mido.MetaMessage("track_name", name=draw(TEXTS)))
    for _ in range(draw(st.integers(1, 5))):
        delta = draw(st.integers(0, 300))
        kind = draw(st.sampled_from(["tempo", "tempo", "time", "key", "sequence", "sysex", "text"]))
        if kind == "tempo":
            chunk.append(mido.MetaMessage("set_tempo", tempo=draw(st.integers(100_000, 1_000_000)), time=delta))
        elif kind == "time":
            chunk.append(mido.MetaMessage("time_signature", numerator=draw(st.integers(1, 9)),
                                          denominator=draw(st.sampled_from([2, 4, 8])), time=delta))
        elif kind == "key":
            chunk.append(mido.MetaMessage("key_signature", key=draw(st.sampled_from(["C", "Eb", "C#m", "Cb"])), time=delta))
        elif kind == "sequence":
            chunk.append(mido.MetaMessage("sequence_number", number=draw(st.integers(0, 9)), time=delta))
        elif kind == "sysex":
            chunk.append(mido.Message("sysex", data=draw(st.lists(st.integers(0, 127), max_size=3)), time=delta))
        else:  # text of a chunk that makes no track becomes a global annotation
            chunk.append(mido.MetaMessage(draw(st.sampled_from(["text", "marker", "copyright", "lyrics"])),
                                          text=draw(TEXTS), time=delta))
    return chunk


@st.composite
def one_channel_files(draw) -> bytes:
    """Files of the common shape (one channel per chunk, program changes before or after the first note),
    with the hard cases inside that shape: overlapping, zero-length and never-closed notes, stray
    note-offs, controllers around program changes, text events, UTF-8 and Latin-1 lyrics, empty lyrics."""
    midi = mido.MidiFile(type=1, ticks_per_beat=draw(st.sampled_from([96, 480])))
    midi.tracks.append(draw(timing_chunks()))
    if draw(st.booleans()):  # a second chunk without channel messages: it makes no track
        midi.tracks.append(draw(timing_chunks()))
    for _ in range(draw(st.integers(1, 3))):
        channel = draw(st.integers(0, 15))
        track = mido.MidiTrack()
        if draw(st.booleans()):
            track.append(mido.MetaMessage("track_name", name=draw(TEXTS)))
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(["cc", "program", "bend"]))
            if kind == "cc":
                track.append(mido.Message("control_change", channel=channel, control=7, value=draw(st.integers(0, 127))))
            elif kind == "program":
                track.append(mido.Message("program_change", channel=channel, program=draw(st.integers(0, 127))))
            else:
                track.append(mido.Message("pitchwheel", channel=channel, pitch=draw(st.integers(-8192, 8191))))
        for _ in range(draw(st.integers(0, 25))):
            delta = draw(st.integers(0, 300))
            kind = draw(st.sampled_from(["on", "on", "off", "off", "cc", "bend", "lyric", "program", "text"]))
            pitch = draw(st.integers(60, 62))
            if kind == "on":
                track.append(mido.Message("note_on", channel=channel, note=pitch, velocity=draw(st.integers(0, 127)), time=delta))
            elif kind == "off":
                track.append(mido.Message("note_off", channel=channel, note=pitch, time=delta))
            elif kind == "cc":
                track.append(mido.Message("control_change", channel=channel, control=draw(st.integers(0, 127)),
                                          value=draw(st.integers(0, 127)), time=delta))
            elif kind == "bend":
                track.append(mido.Message("pitchwheel", channel=channel, pitch=draw(st.integers(-8192, 8191)), time=delta))
            elif kind == "program":  # after the first note: a new track for the same channel
                track.append(mido.Message("program_change", channel=channel, program=draw(st.integers(0, 3)), time=delta))
            elif kind == "text":
                meta = draw(st.sampled_from(["text", "marker", "cue_marker", "copyright", "instrument_name"]))
                field = "name" if meta == "instrument_name" else "text"
                track.append(mido.MetaMessage(meta, **{field: draw(TEXTS)}, time=delta))
            else:
                # mido writes text as Latin-1: the second form puts UTF-8 bytes in the file
                text = draw(TEXTS)
                text = text.encode("utf-8").decode("latin-1") if draw(st.booleans()) else text
                track.append(mido.MetaMessage("lyrics", text=text, time=delta))
        midi.tracks.append(track)
    buffer = io.BytesIO()
    midi.save(file=buffer)
    return buffer.getvalue()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_channel_files(), st.sampled_from(OVERLAP_POLICIES))
def test_engines_agree_on_one_channel_files(data, overlap):
    music = _same_everywhere(data, overlap)
    if overlap != "fifo":
        return
    assert music_note_tuples(music) == mido_note_tuples(mido.MidiFile(file=io.BytesIO(data)))
