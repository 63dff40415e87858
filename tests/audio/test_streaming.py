"""Rendering in blocks: the same audio as one-shot rendering, bounded memory, the duration guard, files."""

from __future__ import annotations

import math
import tracemalloc
import warnings

import numpy as np
import pytest

from muspy_like import Music, Note, Tempo, Track
from muspy_like.audio import (
    AudioWriter,
    read_audio,
    read_blocks,
    render,
    render_blocks,
    render_stems,
    render_to_file,
    write_audio,
)
from muspy_like.audio.stream import Progress
from muspy_like.errors import AudioError, OutputPathError

from .conftest import SAMPLE_RATE, chorale_like, single_note


def _long_piece(seconds: float) -> Music:
    """A chorale-like piece of ``seconds``, with piano, strings and flute (sustained and decaying timbres)."""
    return chorale_like(5, seconds=seconds)


@pytest.mark.parametrize("engine", ["synth", "fluidsynth"])
def test_blocks_of_any_size_add_up_to_the_one_shot_render(engine):
    music = chorale_like(3, seconds=6, programs=(0, 48, 73))
    music.tracks[0].is_drum = True  # a drum track too
    one_shot = render(music, engine=engine, peak=1.0)  # quiet piece: nothing is scaled
    assert np.abs(one_shot).max() < 1.0
    for block_seconds in ((0.013, 0.5, 2.0, 100.0) if engine == "synth" else (0.013, 2.0)):
        stream = render_blocks(music, engine=engine, block_seconds=block_seconds)
        np.testing.assert_array_equal(stream.collect(), one_shot)


def test_block_sizes_are_fixed_and_cover_the_piece():
    music = _long_piece(7)
    stream = render_blocks(music, sample_rate=16000, block_seconds=0.25)
    sizes = [len(block) for block in stream]
    assert sum(sizes) == stream.n_samples == math.ceil((music.get_real_end_time() + 1.0) * 16000)
    assert set(sizes[:-1]) == {4000} and 0 < sizes[-1] <= 4000


def _peak_traced_bytes(stream) -> int:
    tracemalloc.start()
    try:
        for _ in stream:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("engine, short, long", [("synth", 15, 120), ("fluidsynth", 5, 20)])
def test_memory_does_not_grow_with_the_length_of_the_piece(engine, short, long):
    short_peak = _peak_traced_bytes(render_blocks(_long_piece(short), engine=engine))
    long_piece = _long_piece(long)
    long_peak = _peak_traced_bytes(render_blocks(long_piece, engine=engine))
    whole = 8 * long * SAMPLE_RATE  # bytes of the long render as one array
    assert long_peak < 1.2 * short_peak + 2_000_000, (short_peak, long_peak)
    assert long_peak < whole / 2


def test_a_long_note_streams_and_a_free_decay_ends():
    organ = single_note(60, program=19)  # church organ: sustained while held
    organ.tracks[0].notes.duration[:] = 24 * 2 * 60 * 20  # 20 minutes at 120 qpm
    stream = render_blocks(organ, sample_rate=8000, block_seconds=5.0)
    assert _peak_traced_bytes(stream) < 10_000_000  # a 20-minute note never has a buffer of its length
    piano = single_note(60, program=0)
    piano.tracks[0].notes.duration[:] = 24 * 2 * 60 * 5  # 5 minutes, but a piano note dies away
    blocks = list(render_blocks(piano, sample_rate=8000, block_seconds=1.0))
    assert np.abs(blocks[0]).max() > 0.01
    assert all(not block.any() for block in blocks[30:])  # exactly zero once below -100 dB


def _eleven_hour_midi() -> bytes:
    """37 bytes: one track, one middle C held for 11 hours at 120 qpm, 96 ticks per quarter."""
    ticks = 11 * 3600 * 2 * 96
    vlq = [ticks & 0x7F]
    ticks >>= 7
    while ticks:
        vlq.insert(0, (ticks & 0x7F) | 0x80)
        ticks >>= 7
    events = bytes([0, 0x90, 60, 64]) + bytes(vlq) + bytes([0x80, 60, 0]) + bytes([0, 0xFF, 0x2F, 0])
    header = b"MThd" + (6).to_bytes(4, "big") + (0).to_bytes(2, "big") + (1).to_bytes(2, "big") + (96).to_bytes(2, "big")
    return header + b"MTrk" + len(events).to_bytes(4, "big") + events


def test_the_duration_guard_refuses_an_eleven_hour_note_before_allocating(tmp_path):
    from muspy_like import read

    data = _eleven_hour_midi()
    assert len(data) == 37
    path = tmp_path / "long.mid"
    path.write_bytes(data)
    music = read(path)
    tracemalloc.start()
    try:
        for attempt in (lambda: render(music), lambda: render_blocks(music, engine="fluidsynth"),
                        lambda: render_to_file(music, tmp_path / "out.wav")):
            with pytest.raises(AudioError, match=r"11:00:01 \(39,601 s\).*max_duration"):
                attempt()
        assert tracemalloc.get_traced_memory()[1] < 5_000_000
    finally:
        tracemalloc.stop()
    assert list(tmp_path.iterdir()) == [path]
    with pytest.raises(AudioError, match="longer than max_duration"):
        render(single_note(beats=8), max_duration=3.0)  # 4 s + 1 s tail
    assert render_blocks(music, max_duration=math.inf).n_samples == math.ceil(39601 * SAMPLE_RATE)


@pytest.mark.parametrize("bad", [0.5, float("nan"), 0, -44100, 100, 1_000_000, "44100", True])
def test_bad_sample_rates_are_refused_by_name(bad):
    with pytest.raises(AudioError, match="sample_rate must be"):
        render(single_note(), sample_rate=bad)
    with pytest.raises(AudioError, match="sample_rate must be"):
        render_blocks(single_note(), sample_rate=bad)


def test_other_arguments_are_checked_by_name(tmp_path):
    with pytest.raises(AudioError, match="tail must be"):
        render(single_note(), tail=-1)
    with pytest.raises(AudioError, match="peak must be"):
        render(single_note(), peak=1.5)
    with pytest.raises(AudioError, match="block_seconds must be"):
        render_blocks(single_note(), block_seconds=0)
    with pytest.raises(AudioError, match="max_duration must be"):
        render(single_note(), max_duration=float("nan"))
    with pytest.raises(AudioError, match="between 8000 and 96000 Hz .FluidSynth"):
        render(single_note(), sample_rate=192000, engine="fluidsynth")


def test_render_to_file_writes_what_render_returns(tmp_path):
    loud = chorale_like(4, seconds=4)
    for track in loud.tracks:
        track.notes.velocity[:] = 127
    loud.tracks.extend(track.copy() for track in list(loud.tracks))  # doubled: the mix passes the peak
    one_shot = render(loud)
    assert np.abs(one_shot).max() == pytest.approx(0.99)
    for name in ("a.wav", "a.flac"):
        written = render_to_file(loud, tmp_path / name, block_seconds=0.3)
        write_audio(tmp_path / ("ref" + written.suffix), one_shot, SAMPLE_RATE)
        assert written.read_bytes() == (tmp_path / ("ref" + written.suffix)).read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.flac", "a.wav", "ref.flac", "ref.wav"]  # no scratch left


def test_stems_are_written_one_file_each_and_add_up_to_the_mix(tmp_path):
    music = chorale_like(6, seconds=4)
    music.tracks[1].name = "Violin I / solo"
    paths = render_stems(music, tmp_path / "stems", subtype="FLOAT", block_seconds=0.7)
    assert [p.name for p in paths] == ["track00_voice0.wav", "track01_Violin_I_solo.wav", "track02_voice2.wav"]
    stems = [read_audio(p)[0] for p in paths]
    np.testing.assert_allclose(np.sum(stems, axis=0), render(music), atol=2e-6)
    np.testing.assert_array_equal(stems[1], render(music, stems=True)[1])


def test_output_mistakes_are_refused_before_rendering_and_leave_nothing(tmp_path):
    music = single_note()
    with pytest.raises(OutputPathError, match="nodir does not exist"):
        render_to_file(music, tmp_path / "nodir" / "a.wav")
    (tmp_path / "folder").mkdir()
    with pytest.raises(OutputPathError, match="folder: it is a folder"):
        render_to_file(music, tmp_path / "folder")
    with pytest.raises(AudioError, match="unknown audio extension"):
        render_to_file(music, tmp_path / "a.mp3")
    (tmp_path / "file.wav").write_bytes(b"old")
    with pytest.raises(OutputPathError, match="file.wav is a file"):
        render_stems(music, tmp_path / "file.wav")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.wav", "folder"]
    assert (tmp_path / "file.wav").read_bytes() == b"old"
    assert len(render_stems(music, tmp_path / "new" / "stems")) == 1  # a named folder is created


def test_a_failing_stream_leaves_no_file_and_no_scratch(tmp_path):
    target = tmp_path / "out.wav"
    target.write_bytes(b"previous")
    writer = AudioWriter(target, SAMPLE_RATE, peak=0.99)
    writer.write(np.zeros((100, 2), dtype=np.float32))
    with pytest.raises(AudioError, match="NaN"):
        writer.write(np.full((10, 2), np.nan, dtype=np.float32))
    writer.abandon()
    assert [p.name for p in tmp_path.iterdir()] == ["out.wav"] and target.read_bytes() == b"previous"


def test_reading_in_blocks_and_missing_files(tmp_path):
    audio = render(chorale_like(2, seconds=3), sample_rate=22050)
    path = write_audio(tmp_path / "a.wav", audio, 22050, subtype="FLOAT")
    blocks = list(read_blocks(path, 1000))
    assert max(len(b) for b in blocks) == 1000
    np.testing.assert_array_equal(np.concatenate(blocks), audio)
    with pytest.raises(AudioError, match=r"missing\.wav: no such file"):
        read_audio(tmp_path / "missing.wav")
    with pytest.raises(AudioError, match="is a folder"):
        list(read_blocks(tmp_path))


def test_a_drum_kit_missing_from_the_sound_font_falls_back_to_the_standard_kit(fluid):
    def drums(program: int) -> Music:
        notes = [Note(time=12 * k, pitch=key, duration=6, velocity=100) for k, key in enumerate((36, 38, 42, 49))]
        return Music(resolution=24, tempos=[Tempo(0, 120.0)], tracks=[Track(program=program, is_drum=True, notes=notes)])

    assert fluid._synth.sfpreset_name(fluid._sfid, 128, 49) is None  # FluidR3_GM has kits 0-19, 24, 25, 32-...
    assert fluid._synth.sfpreset_name(fluid._sfid, 128, 48) == "Orchestra Kit"
    with pytest.warns(UserWarning, match="no drum kit 49 in bank 128; using the standard kit"):
        missing = render(drums(49), engine="fluidsynth")
    standard = render(drums(0), engine="fluidsynth")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        orchestra = render(drums(48), engine="fluidsynth")
    np.testing.assert_array_equal(missing, standard)  # fresh engines render identically
    assert np.abs(missing).max() > 0.05 and not np.array_equal(orchestra, standard)


def test_progress_counts_audio_seconds_and_stays_quiet_off_a_terminal(capsys):
    assert Progress(100.0)._bar is None  # pytest's stderr is not a terminal
    with Progress(10.0, enabled=True, description="test") as bar:
        bar.advance(4.0)
        assert bar._bar.n == pytest.approx(4.0)
    stream = render_blocks(single_note(), progress=True)
    stream.collect()
    assert stream.progress._bar.n == pytest.approx(stream.seconds, abs=0.1)
