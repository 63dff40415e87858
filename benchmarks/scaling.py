"""Cost against the size of the work on every long path: ``python -m benchmarks scaling``.

The question this page answers is whether a path stays linear on real material far larger than a Bach
chorale (issue 11): MIDI read (cuts of ``mahler.mid``), MusicXML read (cuts and repeats of Beethoven's
op. 133, music21's longest score), ABC read (one tune of 500 to 4,000 bars), rendering with both engines
and watermark embedding and detection (cuts of ``mahler.mid``, 42 minutes of audio in all), dataset
statistics and dataset conversion (corpora of generated small MIDI files). Each path is measured at 4
sizes or more spanning 16x or more, each size in a fresh interpreter, and the growth exponent ``k`` of
``cost ~ size**k`` is fitted by least squares on log-log axes (:func:`benchmarks.growth.fit_exponent`).

Target: a time exponent of 1.1 or less on every path. Time is fitted on CPU seconds, which a shared
machine inflates much less than wall seconds (both are recorded). Memory is reported as the peak above
the interpreter's state before the work where the path's script measures that, else the process's peak;
a memory exponent near 0 means memory does not grow with the work at all.

Usage: ``python -m benchmarks scaling [--paths NAME ...] [--largest-corpus N]``; with ``--paths`` the other
paths keep their saved results.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from benchmarks.growth import fit_exponent
from benchmarks.harness import machine_info, markdown_table, save_results

_ROOT = Path(__file__).resolve().parents[1]

#: The time-exponent target of issue 11.
TARGET_EXPONENT = 1.1


def _midi_read(largest_corpus: int) -> list[dict[str, Any]]:
    from benchmarks.midi_io import midi_read_growth

    return [{"size": row["size"], "unit": "notes", "seconds": row["seconds"], "cpu_seconds": row["cpu_seconds"],
             "memory_mb": row["peak_bytes"] / 2**20} for row in midi_read_growth(repeat=5)["rows"]]


def _musicxml_read(largest_corpus: int) -> list[dict[str, Any]]:
    from benchmarks.formats import musicxml_read_growth

    return [{"size": row["size"], "unit": "notes", "seconds": row["seconds"], "cpu_seconds": row["cpu_seconds"],
             "memory_mb": row["peak_bytes"] / 2**20} for row in musicxml_read_growth()]


def _from_measure_growth(result: dict[str, Any], unit: str) -> list[dict[str, Any]]:
    return [{"size": row["size"], "unit": unit, "seconds": row["seconds"], "cpu_seconds": row["cpu_seconds"],
             "memory_mb": row["peak_bytes"] / 2**20} for row in result["rows"]]


def _abc_read(largest_corpus: int) -> list[dict[str, Any]]:
    from benchmarks.datasets import abc_read_growth

    return _from_measure_growth(abc_read_growth(), "bars")


def _statistics(largest_corpus: int) -> list[dict[str, Any]]:
    from benchmarks.statistics import statistics_growth

    return _from_measure_growth(statistics_growth(largest=largest_corpus), "files")


def _conversion(largest_corpus: int) -> list[dict[str, Any]]:
    from benchmarks.datasets import conversion_growth

    return _from_measure_growth(conversion_growth(largest=largest_corpus), "files")


def _audio(path: str) -> Callable[[int], list[dict[str, Any]]]:
    def measure(largest_corpus: int) -> list[dict[str, Any]]:
        from benchmarks.rendering import audio_growth_rows

        return [{"size": row["size"], "unit": "s of audio", "seconds": row["seconds"],
                 "cpu_seconds": row["cpu_seconds"], "memory_mb": row["peak_mb"]}
                for row in audio_growth_rows(paths=(path,))]
    return measure


#: path name -> function measuring it (takes the largest corpus size, returns normalized rows).
PATHS: dict[str, Callable[[int], list[dict[str, Any]]]] = {
    "MIDI read": _midi_read,
    "MusicXML read": _musicxml_read,
    "ABC read": _abc_read,
    "render synth": _audio("render synth"),
    "render fluidsynth": _audio("render fluidsynth"),
    "watermark embed": _audio("watermark embed"),
    "watermark detect": _audio("watermark detect"),
    "statistics": _statistics,
    "dataset conversion": _conversion,
}


def _measure_in_child(name: str, largest_corpus: int) -> list[dict[str, Any]]:
    """Measure one path in a fresh interpreter, so that this process's memory sets no floor for it."""
    completed = subprocess.run([sys.executable, "-m", "benchmarks.scaling", "--child", name, "--largest-corpus",
                                str(largest_corpus)], stdout=subprocess.PIPE, text=True, cwd=_ROOT)
    rows = [line for line in completed.stdout.splitlines() if line.startswith("ROWS ")]
    if completed.returncode != 0 or not rows:
        raise RuntimeError(f"measuring {name} failed (exit status {completed.returncode})")
    return json.loads(rows[-1][len("ROWS "):])


def summarize(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The path's rows with its fitted exponents and span."""
    sizes = [row["size"] for row in rows]
    return {
        "rows": rows,
        "span": max(sizes) / min(sizes),
        "cpu_exponent": fit_exponent(sizes, [row["cpu_seconds"] for row in rows]),
        "wall_exponent": fit_exponent(sizes, [row["seconds"] for row in rows]),
        "memory_exponent": fit_exponent(sizes, [max(row["memory_mb"], 1.0) for row in rows]),
    }


def report(results: dict[str, dict[str, Any]]) -> str:
    """Markdown: one summary table of the exponents, then each path's rows."""
    summary_rows = []
    for name, result in results.items():
        verdict = "met" if result["cpu_exponent"] <= TARGET_EXPONENT else "MISSED"
        unit = result["rows"][0]["unit"]
        summary_rows.append([name, f"{result['rows'][0]['size']:g} to {result['rows'][-1]['size']:g} {unit}",
                             f"{result['span']:.0f}x", f"{result['cpu_exponent']:.2f}",
                             f"{result['wall_exponent']:.2f}", f"{result['memory_exponent']:.2f}", verdict])
    lines = [
        f"Growth exponent k of cost ~ size**k, fitted on log-log axes; target k <= {TARGET_EXPONENT} for time "
        "(CPU seconds; wall beside). Memory: the peak above the interpreter before the work (MIDI and MusicXML "
        "read, ABC read, statistics, conversion) or the process's whole peak (audio paths).",
        "",
        markdown_table(["path", "sizes", "span", "time exponent (CPU)", "time exponent (wall)",
                        "memory exponent", "target"], summary_rows),
        "",
    ]
    for name, result in results.items():
        unit = result["rows"][0]["unit"]
        lines += [f"### {name}", "", markdown_table(
            [unit, "wall seconds", "CPU seconds", "memory MB"],
            [[f"{row['size']:g}", f"{row['seconds']:.3f}", f"{row['cpu_seconds']:.3f}", f"{row['memory_mb']:.1f}"]
             for row in result["rows"]]), ""]
    return "\n".join(lines)


def _earlier_results(measuring: list[str]) -> dict[str, dict[str, Any]]:
    """The saved results of the paths not measured now (a run of some paths updates the page, not replaces it)."""
    from benchmarks.harness import RESULTS_DIR

    try:
        saved = json.loads((RESULTS_DIR / "scaling.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        return {}
    return {name: saved[name] for name in PATHS if name in saved and name not in measuring}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaling", description=__doc__.splitlines()[0])
    parser.add_argument("--paths", nargs="+", choices=list(PATHS), default=list(PATHS),
                        help="paths to measure (default: all)")
    parser.add_argument("--largest-corpus", type=int, default=32_000,
                        help="files in the largest generated corpus for statistics and conversion (default "
                             "32,000; sizes run from 1/16 of it)")
    parser.add_argument("--child", choices=list(PATHS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print("ROWS " + json.dumps(PATHS[args.child](args.largest_corpus)), flush=True)
        return
    results = _earlier_results(args.paths)
    for name in args.paths:
        start = time.perf_counter()
        print(f"== {name}", flush=True)
        results[name] = summarize(name, _measure_in_child(name, args.largest_corpus))
        print(f"   k = {results[name]['cpu_exponent']:.2f} ({time.perf_counter() - start:.0f} s)", flush=True)
    results = {name: results[name] for name in PATHS if name in results}  # the page's order
    text = report(results)
    print(text)
    save_results("scaling", {"machine": machine_info(["numpy", "symusic", "music21", "pyfluidsynth"]),
                             "results": json.loads(json.dumps(results))}, text)


if __name__ == "__main__":
    main()
