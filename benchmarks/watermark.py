"""Robustness and speed of the echo watermarks on rendered Bach chorales (music21 corpus).

For each of N chorales (read with ``muspy_like.read``, rendered with FluidSynth at 44.1 kHz):
z-scores of the single echo (delta 75, alpha 0.4) and of the time-spread echo (delta 75, alpha 0.01,
1024 chips) for: clean audio, marked audio, MP3 128 kbit/s (ffmpeg/LAME), white noise at 30 dB SNR,
44.1 -> 22.05 -> 44.1 kHz resampling (full-band and band-limited detector), a 5 s crop, and marked audio
written as 16-bit WAV. False positives: every non-overlapping 5 s crop of the unmarked renders (>= 100
clips) scored for both watermarks at the detection threshold. Speeds: render (FluidSynth and numpy
synthesizer) and embed + detect, in multiples of real time.

Run: ``python -m benchmarks.watermark [--pieces 20]``.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.harness import machine_info, markdown_table, save_results

RATE = 44100
CROP = 5 * RATE


def _mp3_round_trip(audio: np.ndarray) -> np.ndarray:
    import soundfile

    with tempfile.TemporaryDirectory() as folder:
        wav, mp3, back = Path(folder, "a.wav"), Path(folder, "a.mp3"), Path(folder, "b.wav")
        soundfile.write(wav, audio, RATE, subtype="PCM_16")
        run = ["ffmpeg", "-loglevel", "error", "-y", "-i"]
        subprocess.run([*run, str(wav), "-codec:a", "libmp3lame", "-b:a", "128k", str(mp3)], check=True)
        subprocess.run([*run, str(mp3), str(back)], check=True)
        decoded, _ = soundfile.read(back, dtype="float32", always_2d=True)
    # LAME adds a short encoder delay at the start; keep the input's length.
    return decoded[: len(audio)]


def _quantised(audio: np.ndarray) -> np.ndarray:
    return np.round(audio * 32767) / 32767


def main() -> None:
    import music21
    from scipy.signal import resample_poly

    import muspy_like
    from muspy_like.audio import render
    from muspy_like.audio.fluidsynth_engine import FluidSynthEngine
    from muspy_like.audio.watermark import THRESHOLD, EchoWatermark, detect_audio, embed

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pieces", type=int, default=20)
    args = parser.parse_args()

    paths = sorted(music21.corpus.getComposer("bach"), key=lambda p: p.name)[: args.pieces]
    marks = {"single": EchoWatermark("single", delta=75), "spread": EchoWatermark("spread", delta=75, seed=2024)}
    rng = np.random.default_rng(0)
    engine = FluidSynthEngine(RATE)
    scores: dict[str, dict[str, list[float]]] = {name: {} for name in marks}
    speeds = {"fluidsynth": [], "synth": [], "embed_detect": []}
    unmarked_clips: list[np.ndarray] = []
    for path in paths:
        music = muspy_like.read(path)
        start = time.perf_counter()
        audio = render(music, RATE, engine=engine)
        seconds = len(audio) / RATE
        speeds["fluidsynth"].append(seconds / (time.perf_counter() - start))
        start = time.perf_counter()
        render(music, RATE, engine="synth")
        speeds["synth"].append(seconds / (time.perf_counter() - start))
        unmarked_clips.extend(audio[k: k + CROP] for k in range(0, len(audio) - CROP + 1, CROP))
        power = float(np.mean(audio**2))
        for name, mark in marks.items():
            start = time.perf_counter()
            marked = embed(audio, RATE, mark)
            z_marked = detect_audio(marked, RATE, mark).z
            speeds["embed_detect"].append(seconds / (time.perf_counter() - start))
            noise = rng.normal(0.0, np.sqrt(power / 10 ** (30 / 10)), marked.shape).astype(np.float32)
            resampled = resample_poly(resample_poly(marked, 1, 2, axis=0), 2, 1, axis=0)
            conditions = {
                "clean (unmarked)": detect_audio(audio, RATE, mark).z,
                "marked": z_marked,
                "marked, 16-bit WAV": detect_audio(_quantised(marked), RATE, mark).z,
                "MP3 128 kbit/s": detect_audio(_mp3_round_trip(marked), RATE, mark).z,
                "white noise, 30 dB SNR": detect_audio(marked + noise, RATE, mark).z,
                "22.05 kHz round trip, full band": detect_audio(resampled, RATE, mark).z,
                "22.05 kHz round trip, band 0-10.5 kHz": detect_audio(resampled, RATE, mark, band_hz=(0, 10500)).z,
                "5 s crop": detect_audio(marked[10 * RATE: 10 * RATE + CROP], RATE, mark).z,
            }
            for condition, z in conditions.items():
                scores[name].setdefault(condition, []).append(float(z))
        print(f"{path.name}: {seconds:.0f} s, single {scores['single']['marked'][-1]:.1f}, "
              f"spread {scores['spread']['marked'][-1]:.1f}", flush=True)
    engine.close()

    false_positives = {}
    for name, mark in marks.items():
        z = np.array([detect_audio(clip, RATE, mark).z for clip in unmarked_clips])
        false_positives[name] = {"clips": len(z), "false_positives": int(np.sum(z >= THRESHOLD)),
                                 "max_z": float(np.max(z)), "mean_z": float(np.mean(z))}

    rows = []
    for condition in scores["single"]:
        row = [condition]
        for name in marks:
            values = np.array(scores[name][condition])
            row.append(f"{values.mean():.1f} ± {values.std():.1f}")
        rows.append(row)
    table = markdown_table(["condition", "single echo z (mean ± sd)", "time-spread z (mean ± sd)"], rows)
    fp_rows = [[name, v["clips"], v["false_positives"], v["mean_z"], v["max_z"]] for name, v in false_positives.items()]
    table += "\n\nFalse positives on unmarked 5 s crops at z >= %.0f:\n\n" % THRESHOLD
    table += markdown_table(["watermark", "clips", "false positives", "mean z", "max z"], fp_rows)
    speed_rows = [[what, float(np.median(v)), float(np.min(v))] for what, v in speeds.items()]
    table += "\n\nSpeed, multiples of real time (median and slowest piece):\n\n"
    table += markdown_table(["task", "median x real time", "slowest"], speed_rows)
    payload = {
        "pieces": [p.name for p in paths],
        "threshold": THRESHOLD,
        "z": {name: {c: {"mean": float(np.mean(v)), "sd": float(np.std(v)), "values": v} for c, v in conds.items()}
              for name, conds in scores.items()},
        "false_positives": false_positives,
        "speed_x_real_time": {what: {"median": float(np.median(v)), "min": float(np.min(v))} for what, v in speeds.items()},
        "machine": machine_info(["pyfluidsynth", "scipy", "soundfile", "music21"]),
    }
    save_results("watermark", payload, table)
    print(table)


if __name__ == "__main__":
    main()
