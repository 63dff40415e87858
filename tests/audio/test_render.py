"""Rendering with the numpy synthesizer and with the real FluidSynth (no mocks)."""

from __future__ import annotations

import numpy as np
import pytest

from muspy_like import ControlChange, Music, Note, PitchBend, Tempo, Track
from muspy_like.audio import find_soundfont, read_audio, render, write_audio
from muspy_like.audio.fluidsynth_engine import FluidSynthEngine
from muspy_like.errors import AudioError, SoundFontError

from .conftest import SAMPLE_RATE, chorale_like, onset_times, peak_frequency, single_note


def test_fluidsynth_engine_uses_the_system_general_midi_soundfont(fluid):
    assert fluid.soundfont == find_soundfont()
    assert fluid.soundfont.stat().st_size > 1_000_000  # a real GM bank, not a stub


@pytest.mark.parametrize("pitch, program", [(69, 0), (72, 73), (57, 40)])
def test_rendered_pitch_is_the_spectral_peak(engine, pitch, program):
    audio = render(single_note(pitch, program), engine=engine)
    expected = 440.0 * 2 ** ((pitch - 69) / 12)
    assert audio.dtype == np.float32 and audio.shape[1] == 2
    assert peak_frequency(audio[: SAMPLE_RATE // 2 * 2]) == pytest.approx(expected, rel=0.01)


def test_pitch_bend_of_one_semitone_raises_the_peak(engine):
    music = single_note(69, program=73)
    music.tracks[0].pitch_bends = [PitchBend(time=0, value=4096)]  # +1 semitone of the default +/-2 range
    audio = render(music, engine=engine)
    assert peak_frequency(audio[:SAMPLE_RATE]) == pytest.approx(440.0 * 2 ** (1 / 12), rel=0.01)


def test_tempo_change_moves_onsets(engine):
    # Eight staccato notes, one per quarter; 120 qpm for the first four quarters, then 60 qpm.
    notes = [Note(time=24 * k, pitch=72, duration=4, velocity=110) for k in range(8)]
    music = Music(resolution=24, tempos=[Tempo(0, 120.0), Tempo(96, 60.0)], tracks=[Track(program=0, notes=notes)])
    expected = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0])  # by hand: 0.5 s, then 1 s per quarter
    found = onset_times(render(music, engine=engine))
    assert len(found) == len(expected)
    np.testing.assert_allclose(found, expected, atol=0.03)


def _spectrum(audio: np.ndarray) -> np.ndarray:
    mono = audio.mean(axis=1)[:SAMPLE_RATE]
    bands = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))[:16000].reshape(64, -1).sum(axis=1)
    return bands / np.linalg.norm(bands)


def _tonal_concentration(audio: np.ndarray) -> float:
    """Share of the 50 Hz-5 kHz power held by its strongest 1 % of bins (first 0.2 s): high for tones."""
    power = np.abs(np.fft.rfft(audio.mean(axis=1)[: SAMPLE_RATE // 5] * np.hanning(SAMPLE_RATE // 5))) ** 2
    band = power[10:1000]  # bins of 5 Hz
    return float(np.sort(band)[::-1][: len(band) // 100].sum() / band.sum())


def test_programs_and_drums_sound_different(engine):
    piano, violin, flute = (_spectrum(render(single_note(60, p), engine=engine)) for p in (0, 40, 73))
    assert max(piano @ violin, piano @ flute, violin @ flute) < 0.95
    tone = _tonal_concentration(render(single_note(60, 0), engine=engine))
    hi_hat, crash = (_tonal_concentration(render(single_note(k, is_drum=True), engine=engine)) for k in (42, 49))
    assert tone > 0.8 and max(hi_hat, crash) < 0.5  # harmonic partials versus noise


def test_sustain_pedal_holds_notes(engine):
    def level_after_release(pedal: bool) -> float:
        music = single_note(60, 0, beats=1)  # released at 0.5 s
        if pedal:
            music.tracks[0].control_changes = [ControlChange(0, 64, 127), ControlChange(96, 64, 0)]  # up at 2 s
        audio = render(music, engine=engine)
        return float(np.sqrt(np.mean(audio[int(1.2 * SAMPLE_RATE): int(1.6 * SAMPLE_RATE)] ** 2)))

    assert level_after_release(True) > 4 * level_after_release(False)


def test_stems_add_up_to_the_mix_and_follow_the_tracks():
    music = chorale_like(1, seconds=3)
    stems = render(music, stems=True)
    mix = render(music)
    assert len(stems) == len(music.tracks)
    assert all(stem.shape == mix.shape for stem in stems)
    np.testing.assert_allclose(np.sum(stems, axis=0), mix, atol=1e-5)
    # Each stem has the pitch range of its own voice: the bass voice is lowest.
    assert peak_frequency(stems[0]) < peak_frequency(stems[2])


def test_fluidsynth_renders_repeat_and_stems_follow_the_mix(fluid):
    music = chorale_like(2, seconds=3, programs=(0, 73))
    mix = render(music, engine=fluid)
    again = render(music, engine=fluid)
    assert np.corrcoef(again.ravel(), mix.ravel())[0, 1] > 0.97
    stems = render(music, engine=fluid, stems=True)
    assert len(stems) == 2
    # Not sample-exact: FluidSynth's chorus modulation is not reset between renders.
    total = np.sum(stems, axis=0).ravel()
    assert np.corrcoef(total, mix.ravel())[0, 1] > 0.97
    assert peak_frequency(stems[0]) < peak_frequency(stems[1])


def test_length_follows_the_tempo_map_plus_tail():
    music = single_note(60, beats=4)  # 2 s at 120 qpm
    assert render(music, sample_rate=16000, tail=0.5).shape == (int(2.5 * 16000), 2)


def test_loud_renders_are_limited_and_survive_int16(tmp_path, engine):
    chord = [Note(time=0, pitch=p, duration=48, velocity=127) for p in range(40, 90)]
    music = Music(resolution=24, tracks=[Track(program=p, notes=chord) for p in (0, 19, 61)])
    audio = render(music, engine=engine)
    assert np.abs(audio).max() <= 0.99 + 1e-6
    path = write_audio(tmp_path / "loud.wav", audio, SAMPLE_RATE)
    back, rate = read_audio(path)
    assert rate == SAMPLE_RATE
    assert np.abs(back - audio).max() <= 1.0 / 32767 + 1e-6  # quantisation only, no wrap-around


def test_write_audio_refuses_clipping_and_leaves_no_file(tmp_path):
    target = tmp_path / "bad.wav"
    with pytest.raises(AudioError, match="exceeds 1.0"):
        write_audio(target, np.full((100, 2), 1.5, dtype=np.float32), SAMPLE_RATE)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(AudioError, match="extension"):
        write_audio(tmp_path / "bad.xyz", np.zeros(10), SAMPLE_RATE)


def test_flac_round_trip(tmp_path):
    audio = render(single_note(), sample_rate=22050)
    back, rate = read_audio(write_audio(tmp_path / "a.flac", audio, 22050))
    assert rate == 22050 and back.shape == audio.shape
    np.testing.assert_allclose(back, audio, atol=1.0 / 32767 + 1e-6)


def test_missing_soundfont_raises_with_install_hint(tmp_path):
    missing = tmp_path / "none.sf2"
    with pytest.raises(SoundFontError, match="apt-get install fluidsynth"):
        find_soundfont(missing)
    with pytest.raises(SoundFontError, match="pip install pyfluidsynth"):
        render(single_note(), engine="fluidsynth", soundfont=missing)
    not_a_font = tmp_path / "fake.sf2"
    not_a_font.write_bytes(b"RIFF0000junk")
    with pytest.raises(SoundFontError, match="could not load"):
        FluidSynthEngine(SAMPLE_RATE, not_a_font)


def test_unknown_engine_and_wrong_rate_are_errors(fluid):
    with pytest.raises(AudioError, match="unknown engine"):
        render(single_note(), engine="timidity")
    with pytest.raises(AudioError, match="44100 Hz"):
        render(single_note(), sample_rate=22050, engine=fluid)
