"""Robustness and speed of the echo watermarks on rendered Bach chorales (music21 corpus).

For each of N chorales (read with ``muspy_like.read``, rendered with FluidSynth at 44.1 kHz):
z-scores of the single echo (delta 75, alpha 0.4) and of the time-spread echo (delta 75, alpha 0.01,
1024 chips) for: clean audio, marked audio, MP3 128 kbit/s (ffmpeg/LAME), white noise at 30 dB SNR,
44.1 -> 22.05 -> 44.1 kHz resampling (full-band and band-limited detector), a 5 s crop, and marked audio
written as 16-bit WAV. The time-spread echo is measured twice: with one seed (2024) for every piece, and
with a different seed per piece (2024 + piece index), because the score depends on the seed by a
piece-independent offset (the renderer's own persistent cepstral content correlates a little with each
sequence; see docs/audio.md). False positives: every non-overlapping 5 s crop of the unmarked renders
(>= 100 clips) scored for every watermark at the detection threshold. Speeds: render (FluidSynth once;
numpy synthesizer best of two) and embed + detect (best of two, after one warm-up call that pays the
one-off imports), in multiples of real time.

Run: ``python -m benchmarks.watermark [--pieces 20]``.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.harness import best_time, machine_info, markdown_table, save_results

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
    fixed = {"single": EchoWatermark("single", delta=75), "spread": EchoWatermark("spread", delta=75, seed=2024)}
    names = ["single", "spread", "spread, seed per piece"]
    rng = np.random.default_rng(0)
    engine = FluidSynthEngine(RATE)
    scores: dict[str, dict[str, list[float]]] = {name: {} for name in names}
    speeds = {"fluidsynth": [], "synth": [], "embed_detect": []}
    unmarked_clips: list[np.ndarray] = []
    warm_up = np.random.default_rng(1).uniform(-0.5, 0.5, (2 * RATE, 2)).astype(np.float32)
    for mark in fixed.values():
        detect_audio(embed(warm_up, RATE, mark), RATE, mark)
    for index, path in enumerate(paths):
        music = muspy_like.read(path)
        start = time.perf_counter()
        audio = render(music, RATE, engine=engine)
        seconds = len(audio) / RATE
        speeds["fluidsynth"].append(seconds / (time.perf_counter() - start))
        speeds["synth"].append(seconds / best_time(lambda: render(music, RATE, engine="synth"), repeat=2))
        unmarked_clips.extend(audio[k: k + CROP] for k in range(0, len(audio) - CROP + 1, CROP))
        power = float(np.mean(audio**2))
        marks = dict(fixed)
        marks["spread, seed per piece"] = EchoWatermark("spread", delta=75, seed=2024 + index)
        for name, mark in marks.items():
            marked = embed(audio, RATE, mark)
            z_marked = detect_audio(marked, RATE, mark).z
            if name in fixed:
                elapsed = best_time(lambda: detect_audio(embed(audio, RATE, mark), RATE, mark), repeat=2)
                speeds["embed_detect"].append(seconds / elapsed)
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
    fp_marks = {name: [mark] for name, mark in fixed.items()}
    fp_marks["spread, seeds 0-9"] = [EchoWatermark("spread", delta=75, seed=seed) for seed in range(10)]
    for name, marks_to_try in fp_marks.items():
        z = np.array([detect_audio(clip, RATE, mark).z for mark in marks_to_try for clip in unmarked_clips])
        false_positives[name] = {"clips": len(z), "false_positives": int(np.sum(z >= THRESHOLD)),
                                 "max_z": float(np.max(z)), "mean_z": float(np.mean(z))}

    rows = []
    for condition in scores["single"]:
        row = [condition]
        for name in names:
            values = np.array(scores[name][condition])
            row.append(f"{values.mean():.1f} ± {values.std():.1f}")
        rows.append(row)
    table = markdown_table(["condition", "single echo z (mean ± sd)", "time-spread z, seed 2024",
                            "time-spread z, seed per piece"], rows)
    fp_rows = [[name, v["clips"], v["false_positives"], v["mean_z"], v["max_z"]] for name, v in false_positives.items()]
    table += "\n\nFalse positives on unmarked 5 s crops at z >= %.0f (clips x watermarks):\n\n" % THRESHOLD
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
