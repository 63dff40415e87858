"""Rendering and watermarking at scale: mahler.mid (42 minutes, 51 tracks, 60k notes) and cuts of it.

Measured, each in its own child process (peak memory is the child's peak resident set, from ``wait4``):

1. **Targets (issue 11)** on the whole of ``../shared/bench/mahler.mid``, written to a 16-bit WAV:
   the numpy synthesizer (``muspy-like render --engine synth``) in multiples of real time, and the
   FluidSynth engine (``muspy-like render --engine fluidsynth``) against the ``fluidsynth`` program
   rendering the same file with the same sound font in fast-render mode
   (``fluidsynth -ni -q -F out.wav FONT mahler.mid``), interleaved, best of N, wall time of the whole
   command (start-up included on both sides) and CPU time.
2. **Growth with the length of the work**: cuts of mahler.mid at 1/16, 1/8, 1/4, 1/2 and all of it (16x),
   for both renderers, watermark embedding and watermark detection (each timed inside its child, after
   the imports), with the fitted growth exponent ``b`` of ``time ~ size^b`` and ``memory ~ size^b``
   (least squares in log-log; 1.0 is linear, 0 is constant).

Run: ``python -m benchmarks.rendering [--repeat 2] [--quick]``. The growth rows are reusable:
:func:`audio_growth_rows` returns them for the audio paths (for ``benchmarks/scaling.py``), and
:func:`measure_child` and :func:`fit_exponent` are the measuring tools.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional, Sequence


from benchmarks.growth import fit_exponent, resident_mb
from benchmarks.harness import SHARED_DIR, machine_info, markdown_table, save_results

MAHLER = SHARED_DIR / "bench" / "mahler.mid"
ROOT = Path(__file__).resolve().parents[1]
#: Fractions of mahler.mid measured for the growth tables (a 16x span).
FRACTIONS = (1 / 16, 1 / 8, 1 / 4, 1 / 2, 1.0)
#: The audio paths of the growth tables, each a task of :func:`_run_task`.
AUDIO_PATHS = ("render synth", "render fluidsynth", "watermark embed", "watermark detect")


def measure_child(argv: Sequence[str], timeout: float = 3600.0) -> dict[str, float]:
    """Run a command; return its wall time, CPU time (user + system) in seconds and peak memory in MB.

    If the command prints a JSON object on its last line (the children of this module do), its fields
    are added (``task_seconds``: the time of the measured work alone).
    """
    start = time.perf_counter()
    process = subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed with status {os.waitstatus_to_exitcode(status)}")
    result = {"wall_seconds": wall, "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}
    lines = output.decode(errors="replace").strip().splitlines()
    if lines and lines[-1].startswith("{"):
        result.update(json.loads(lines[-1]))
    return result


def make_cuts(folder: Path, fractions: Sequence[float] = FRACTIONS) -> list[tuple[Path, float]]:
    """MIDI files of the first fractions of mahler.mid (cut at the tick of that fraction of its length).

    Returns (file, audio seconds of its render) pairs.
    """
    import muspy_like

    music = muspy_like.read(MAHLER)
    end = music.get_real_end_time()
    cuts = []
    for fraction in fractions:
        piece = muspy_like.read(MAHLER)
        if fraction < 1:
            piece.trim(int(piece.second_to_tick(end * fraction)))
        path = folder / f"mahler_{fraction:.4f}.mid"
        piece.write(path)
        cuts.append((path, muspy_like.read(path).get_real_end_time() + 1.0))
    return cuts


def _python(*args: str) -> list[str]:
    return [sys.executable, "-m", "benchmarks.rendering", "--child", *args]


def audio_growth_rows(folder: Optional[Path] = None, fractions: Sequence[float] = FRACTIONS,
                      paths: Sequence[str] = AUDIO_PATHS) -> list[dict[str, Any]]:
    """Time and peak memory of each audio path at each cut of mahler.mid, one row per (path, size).

    Rows: ``path, size`` (audio seconds), ``unit`` ("s of audio"), ``seconds`` and ``cpu_seconds`` (wall
    and CPU time of the work alone, after the imports), ``peak_mb`` (the child process's peak). Watermark embedding and detection run on the numpy
    synthesizer's render of the same cut (time-spread echo, the paper's parameters).
    """
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        scratch_dir = Path(scratch)
        rows = []
        for midi, seconds in make_cuts(scratch_dir, fractions):
            audio = midi.with_suffix(".synth.wav")
            for path in paths:
                if path.startswith("watermark") and not audio.exists():
                    measure_child(_python("render", str(midi), str(audio), "synth"))
                task = {
                    "render synth": ("render", str(midi), str(audio), "synth"),
                    "render fluidsynth": ("render", str(midi), str(midi.with_suffix(".fs.wav")), "fluidsynth"),
                    "watermark embed": ("embed", str(audio), str(midi.with_suffix(".marked.wav"))),
                    "watermark detect": ("detect", str(audio)),
                }[path]
                measured = measure_child(_python(*task))
                rows.append({"path": path, "size": round(seconds, 1), "unit": "s of audio",
                             "seconds": measured["task_seconds"], "cpu_seconds": measured["task_cpu_seconds"],
                             "peak_mb": measured["peak_mb"]})
                print(f"{path:18s} {seconds:7.0f} s audio: {measured['task_seconds']:7.2f} s, "
                      f"{measured['peak_mb']:6.0f} MB", flush=True)
    return rows


def growth_table(rows: list[dict[str, Any]]) -> tuple[str, dict[str, dict[str, float]]]:
    """Markdown table of the growth rows with the fitted exponents per path."""
    exponents = {}
    table_rows = []
    with_cpu = any("cpu_seconds" in row for row in rows)
    for path in dict.fromkeys(row["path"] for row in rows):
        mine = [row for row in rows if row["path"] == path]
        sizes = [row["size"] for row in mine]
        time_b = fit_exponent(sizes, [row["seconds"] for row in mine])
        memory_b = fit_exponent(sizes, [row["peak_mb"] for row in mine])
        exponents[path] = {"time": time_b, "memory": memory_b}
        cells = " / ".join(f"{row['seconds']:.2f}" for row in mine)
        memory = " / ".join(f"{row['peak_mb']:.0f}" for row in mine)
        row = [path, " / ".join(f"{s:.0f}" for s in sizes), cells, memory, f"{time_b:.2f}", f"{memory_b:.2f}"]
        if with_cpu:  # CPU time is steadier than wall time on a shared machine
            if all("cpu_seconds" in r for r in mine):
                exponents[path]["cpu_time"] = fit_exponent(sizes, [r["cpu_seconds"] for r in mine])
                row.append(f"{exponents[path]['cpu_time']:.2f}")
            else:
                row.append("not measured")
        table_rows.append(row)
    headers = ["path", "audio seconds", "time (s)", "peak memory (MB)", "time exponent", "memory exponent"]
    table = markdown_table(headers + (["CPU-time exponent"] if with_cpu else []), table_rows)
    return table, exponents


def targets(repeat: int, folder: Path) -> dict[str, Any]:
    """The issue's targets on the whole of mahler.mid, interleaved, best of ``repeat``."""
    from muspy_like.audio.soundfonts import find_soundfont

    import muspy_like

    audio_seconds = muspy_like.read(MAHLER).get_real_end_time() + 1.0
    font = str(find_soundfont())
    commands = {
        "numpy synthesizer": [sys.executable, "-m", "muspy_like.cli", "render", str(MAHLER), str(folder / "synth.wav"),
                              "--engine", "synth", "--no-progress"],
        "FluidSynth engine": [sys.executable, "-m", "muspy_like.cli", "render", str(MAHLER), str(folder / "fs.wav"),
                              "--engine", "fluidsynth", "--no-progress"],
        "fluidsynth program": ["fluidsynth", "-ni", "-q", "-F", str(folder / "cli.wav"), font, str(MAHLER)],
    }
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
    for round_number in range(repeat):
        for name, argv in commands.items():
            runs[name].append(measure_child(argv))
            print(f"round {round_number + 1}: {name}: {runs[name][-1]['wall_seconds']:.1f} s wall, "
                  f"{runs[name][-1]['cpu_seconds']:.1f} s CPU, {runs[name][-1]['peak_mb']:.0f} MB", flush=True)
    best = {name: {key: min(run[key] for run in values) for key in ("wall_seconds", "cpu_seconds", "peak_mb")}
            for name, values in runs.items()}
    return {"audio_seconds": audio_seconds, "best": best, "runs": runs}


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="rounds of the target commands (best of N)")
    parser.add_argument("--quick", action="store_true", help="growth on cuts 1/16 to 1/4 only, targets once")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _run_task(args.child)
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        goal = targets(1 if args.quick else args.repeat, folder)
        fractions = FRACTIONS[:3] if args.quick else FRACTIONS
        rows = audio_growth_rows(folder, fractions)
    seconds = goal["audio_seconds"]
    best = goal["best"]
    synth, engine, program = best["numpy synthesizer"], best["FluidSynth engine"], best["fluidsynth program"]
    target_rows = [
        ["numpy synthesizer, x real time (wall)", f"{seconds / synth['wall_seconds']:.0f}x", ">= 100x"],
        ["numpy synthesizer, peak memory", f"{synth['peak_mb']:.0f} MB", "<= 500 MB"],
        ["FluidSynth engine, speed vs fluidsynth -F (wall)", f"{program['wall_seconds'] / engine['wall_seconds']:.2f}x",
         ">= 0.9x"],
        ["FluidSynth engine, speed vs fluidsynth -F (CPU time)",
         f"{program['cpu_seconds'] / engine['cpu_seconds']:.2f}x", "(for reference)"],
        ["FluidSynth engine, peak memory", f"{engine['peak_mb']:.0f} MB (fluidsynth: {program['peak_mb']:.0f} MB)",
         "<= 500 MB"],
    ]
    table = (f"mahler.mid ({seconds:.0f} s of audio, 51 tracks), rendered to a 16-bit WAV; best of "
             f"{len(goal['runs']['numpy synthesizer'])} interleaved rounds; wall times of the whole command:\n\n")
    table += markdown_table(["what", "measured", "target"], target_rows)
    table += "\n\n" + markdown_table(
        ["command", "wall (s)", "CPU (s)", "peak memory (MB)"],
        [[name, f"{b['wall_seconds']:.1f}", f"{b['cpu_seconds']:.1f}", f"{b['peak_mb']:.0f}"] for name, b in best.items()])
    growth, exponents = growth_table(rows)
    table += ("\n\nGrowth with the length of the work (cuts of mahler.mid; time of the work alone, peak memory of "
              "the process; exponent b of size^b, target <= 1.1):\n\n" + growth)
    payload = {"targets": goal, "growth": rows, "exponents": exponents,
               "machine": machine_info(["pyfluidsynth", "soundfile", "scipy"])}
    save_results("rendering", payload, table)
    print(table)


def _run_task(argv: list[str]) -> None:
    """Child side: import, then time one task; print its wall and CPU seconds as JSON."""
    import muspy_like
    from muspy_like.audio import render_to_file
    from muspy_like.audio.watermark import EchoWatermark, detect_file, embed_file

    task, *rest = argv
    mark = EchoWatermark("spread", delta=75, seed=2024)
    start, start_cpu = time.perf_counter(), time.process_time()
    if task == "render":
        source, target, engine = rest
        render_to_file(muspy_like.read(source), target, engine=engine, progress=False)
    elif task == "embed":
        embed_file(rest[0], rest[1], mark)
    elif task == "detect":
        detect_file(rest[0], mark)
    else:
        raise SystemExit(f"unknown task {task}")
    # The child's own peak (VmHWM): wait4's ru_maxrss starts at the launching process's size.
    print(json.dumps({"task_seconds": time.perf_counter() - start, "task_cpu_seconds": time.process_time() - start_cpu,
                      "peak_mb": resident_mb()}))


if __name__ == "__main__":
    main()
