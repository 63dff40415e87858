"""Small hand-built pieces and a shared FluidSynth engine for the audio tests."""

from __future__ import annotations

import numpy as np
import pytest

from muspy_like import Music, Note, Tempo, Track

SAMPLE_RATE = 44100


def single_note(pitch: int = 69, program: int = 0, is_drum: bool = False, beats: int = 2) -> Music:
    """One note of ``beats`` quarters at 120 qpm (resolution 24)."""
    track = Track(program=program, is_drum=is_drum, notes=[Note(time=0, pitch=pitch, duration=24 * beats, velocity=100)])
    return Music(resolution=24, tempos=[Tempo(0, 120.0)], tracks=[track])


def chorale_like(seed: int, seconds: float = 8.0, programs: tuple[int, ...] = (0, 48, 73)) -> Music:
    """A random four-part-ish piece in C major: one voice per program, notes of 1/8 to 1 beat at 100 qpm."""
    rng = np.random.default_rng(seed)
    scale = np.array([0, 2, 4, 5, 7, 9, 11])
    resolution, qpm = 24, 100.0
    end = int(seconds * qpm / 60 * resolution)
    tracks = []
    for voice, program in enumerate(programs):
        base = 48 + 12 * voice
        times, pitches, durations = [], [], []
        time = 0
        while time < end:
            duration = int(rng.choice([6, 12, 24, 24, 36]))
            times.append(time)
            pitches.append(base + int(rng.choice(scale)) + 12 * int(rng.integers(0, 2)))
            durations.append(duration)
            time += duration
        track = Track(program=program, name=f"voice{voice}")
        track.notes = track.notes.from_columns(time=times, pitch=pitches, duration=durations,
                                               velocity=rng.integers(60, 110, len(times)))
        tracks.append(track)
    return Music(resolution=resolution, tempos=[Tempo(0, qpm)], tracks=tracks)


@pytest.fixture(scope="session")
def fluid():
    """One FluidSynth engine (system GM sound font) shared by the tests."""
    from muspy_like.audio.fluidsynth_engine import FluidSynthEngine

    engine = FluidSynthEngine(SAMPLE_RATE)
    yield engine
    engine.close()


@pytest.fixture(params=["synth", "fluidsynth"])
def engine(request, fluid):
    """Each test using this runs with the numpy synthesizer and with FluidSynth."""
    return "synth" if request.param == "synth" else fluid


def peak_frequency(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> float:
    """Fundamental frequency (Hz) of the mono mix by the harmonic product spectrum (partials 1-3).

    The bin where ``|X(k)| |X(2k)| |X(3k)|`` peaks is refined by parabolic interpolation of ``log |X|``.
    """
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono)))) + 1e-30
    n = len(spectrum) // 3
    product = np.log(spectrum[:n]) + np.log(spectrum[: 2 * n: 2]) + np.log(spectrum[: 3 * n: 3])
    k = int(np.argmax(product[20:])) + 20  # ignore the lowest bins (below ~20 Hz for 1 s clips)
    a, b, c = np.log(spectrum[k - 1: k + 2])
    offset = 0.5 * (a - c) / (a - 2 * b + c)
    return (k + offset) * sample_rate / len(mono)


def onset_times(audio: np.ndarray, sample_rate: int = SAMPLE_RATE, hop: float = 0.005) -> np.ndarray:
    """Onsets (seconds): starts of rises of more than 12 dB in the 5 ms RMS envelope, at least 100 ms apart."""
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    step = int(hop * sample_rate)
    lead = 20 * step  # silence before the start, so an onset at 0 s is a rise too
    mono = np.concatenate((np.zeros(lead), mono))
    frames = mono[: len(mono) // step * step].reshape(-1, step)
    level = 20 * np.log10(np.sqrt((frames**2).mean(axis=1)) + 1e-7)
    rise = level[4:] - level[:-4]  # over 20 ms
    candidates = np.nonzero(rise > 12)[0]
    onsets: list[float] = []
    for index in candidates:
        time = (index + 4) * hop - lead / sample_rate  # the rise ends at the onset frame
        if not onsets or time - onsets[-1] > 0.1:
            onsets.append(time)
    return np.array(onsets)


def mp3_round_trip(audio: np.ndarray, folder, bitrate: str = "128k") -> np.ndarray:
    """Encode to MP3 with ffmpeg's LAME encoder and decode again (16-bit WAV in between), same length."""
    import subprocess

    import soundfile

    wav, mp3, back = folder / "in.wav", folder / "coded.mp3", folder / "back.wav"
    soundfile.write(wav, audio, SAMPLE_RATE, subtype="PCM_16")
    run = ["ffmpeg", "-loglevel", "error", "-y", "-i"]
    subprocess.run([*run, str(wav), "-codec:a", "libmp3lame", "-b:a", bitrate, str(mp3)], check=True)
    subprocess.run([*run, str(mp3), str(back)], check=True)
    decoded, _ = soundfile.read(back, dtype="float32", always_2d=True)
    return decoded[: len(audio)]
