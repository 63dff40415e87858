"""MusicXML read speed and growth: muspy_like against music21 and partitura on music21's own corpus.

**Speed.** The corpus is broad: Bach chorales (every 10th of music21's 410 Bach files) and a seeded sample
of the other composers (Beethoven, Haydn and Mozart quartets, Monteverdi madrigals, Trecento pieces,
Schumann, Schubert...; the ten largest files are left out to keep a pass of music21 near a minute).
Every library reads the whole set once per round, the libraries in a rotating order, for several rounds
(interleaved, so a busy machine slows them alike); each keeps its best round. A warm-up read of a few
files comes first, so that no library pays its imports inside a round. music21 parses with
``converter.parse(path, forceSource=True)`` (its pickle cache is not used), partitura with
``partitura.load_musicxml``. The table gives the best seconds per set and group, files per second and
how many times faster muspy_like is. Targets (issues 3 and 11): at least 15x music21 and 5x partitura
on the whole set.

**Growth** (:func:`musicxml_read_growth` gives the rows, for ``benchmarks/scaling.py``;
:func:`musicxml_growth` adds the fitted exponents): read time and peak memory against the
size of the piece, on Beethoven's Große Fuge op. 133 (music21's longest score) cut to its first 1/8, 1/4
and 1/2 and repeated 2 and 4 times (32x in all); each size is read in a fresh interpreter, the peak
resident memory above the interpreter's state after its imports, the time in CPU seconds of the reading
process (best of three). The fitted exponent of time (and memory) against the number of notes should be
1.1 or less.

Note content is compared with music21 on every corpus file by the test suite
(``tests/io/test_musicxml_music21.py``), against a cached reference; see ``docs/io-scores.md``.

Usage: ``python -m benchmarks.formats [--bach N] [--other N] [--rounds R] [--no-growth]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import subprocess
import sys
import tempfile
import time
import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

from benchmarks.growth import fit_exponent
from benchmarks.harness import machine_info, markdown_table, save_results

TARGETS = {"music21": 15.0, "partitura": 5.0}
GROWTH_TARGET = 1.1
#: Sizes of the growth series, as fractions of op. 133 (cuts below 1, repeats above).
GROWTH_FACTORS = (Fraction(1, 8), Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(2), Fraction(4))
SUFFIXES = (".mxl", ".xml", ".musicxml")


def corpus_root() -> Path:
    from music21 import corpus

    return Path(corpus.__file__).resolve().parent


def corpus_files() -> list[Path]:
    """Every MusicXML file of music21's corpus, sorted."""
    return sorted(p for p in corpus_root().rglob("*") if p.suffix.lower() in SUFFIXES)


def bach_files(limit: int | None = None) -> list[Path]:
    """music21's bundled Bach corpus, compressed MusicXML files only, in name order."""
    paths = [p for p in corpus_files() if p.parent.name == "bach" and p.suffix == ".mxl"]
    return paths[:limit] if limit else paths


def broad_set(n_bach: int = 41, n_other: int = 30, seed: int = 0) -> dict[str, list[Path]]:
    """The speed corpus: ``{"Bach": every k-th Bach file, "other composers": a seeded sample}``."""
    bach = bach_files()
    step = max(len(bach) // max(n_bach, 1), 1)
    others = [p for p in corpus_files() if corpus_root() / "bach" not in p.parents]
    largest = set(sorted(others, key=lambda p: p.stat().st_size)[-10:])
    candidates = [p for p in others if p not in largest]
    return {"Bach": bach[::step][:n_bach],
            "other composers": sorted(random.Random(seed).sample(candidates, min(n_other, len(candidates))))}


def import_partitura() -> Any:
    """Import partitura without pyfluidsynth: with it, partitura downloads a sound font at import time."""
    hidden = sys.modules.get("fluidsynth")
    sys.modules["fluidsynth"] = None  # type: ignore[assignment]  # makes "import fluidsynth" fail
    try:
        import partitura
    finally:
        if hidden is None:
            del sys.modules["fluidsynth"]
        else:
            sys.modules["fluidsynth"] = hidden
    return partitura


def readers() -> dict[str, Callable[[Path], Any]]:
    """Library name -> function reading one MusicXML file."""
    from music21 import converter

    from muspy_like.io.musicxml import read_musicxml

    partitura = import_partitura()
    return {
        "muspy_like": read_musicxml,
        "music21": lambda path: converter.parse(str(path), forceSource=True),
        "partitura": lambda path: partitura.load_musicxml(str(path)),
    }


def interleaved_best(readers: dict[str, Callable[[Path], Any]], groups: dict[str, list[Path]],
                     rounds: int) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Best CPU seconds and best wall seconds per library and group, over interleaved rounds.

    Each round reads every group once with every library, the libraries in a rotating order. CPU time
    (``time.process_time``) is what the ratios use: the readers are single-threaded and do no waiting, and
    other processes on a shared machine change it far less than wall time.
    """
    cpu: dict[str, dict[str, float]] = {name: {} for name in readers}
    wall: dict[str, dict[str, float]] = {name: {} for name in readers}
    names = list(readers)
    for round_index in range(rounds):
        order = names[round_index % len(names):] + names[:round_index % len(names)]
        for name in order:
            read = readers[name]
            for group, paths in groups.items():
                gc.collect()
                start_cpu, start_wall = time.process_time(), time.perf_counter()
                for path in paths:
                    read(path)
                cpu[name][group] = min(cpu[name].get(group, math.inf), time.process_time() - start_cpu)
                wall[name][group] = min(wall[name].get(group, math.inf), time.perf_counter() - start_wall)
            print(f"round {round_index + 1}/{rounds}: {name} {sum(cpu[name].values()):.2f} s CPU (best so far)",
                  flush=True)
    return cpu, wall


def speed_table(best: dict[str, dict[str, float]], wall: dict[str, dict[str, float]],
                groups: dict[str, list[Path]]) -> tuple[str, dict]:
    totals = {name: sum(times.values()) for name, times in best.items()}
    wall_totals = {name: sum(times.values()) for name, times in wall.items()}
    n_files = sum(map(len, groups.values()))
    speedup = {name: totals[name] / totals["muspy_like"] for name in totals if name != "muspy_like"}
    wall_speedup = {name: wall_totals[name] / wall_totals["muspy_like"] for name in speedup}
    group_speedup = {name: {g: best[name][g] / best["muspy_like"][g] for g in groups} for name in speedup}
    headers = ["library", f"CPU seconds, {n_files} files"] + [f"{g} ({len(p)} files)" for g, p in groups.items()]
    headers += ["files/s", "muspy_like is (CPU)", "(wall)", "target"]
    rows = [["muspy_like", f"{totals['muspy_like']:.2f}"] + [f"{best['muspy_like'][g]:.2f} s" for g in groups]
            + [f"{n_files / totals['muspy_like']:.0f}", "", "", ""]]
    for name, ratio in speedup.items():
        verdict = "met" if ratio >= TARGETS[name] else "MISSED"
        rows.append([name, f"{totals[name]:.2f}"]
                    + [f"{best[name][g]:.2f} s ({group_speedup[name][g]:.1f}x)" for g in groups]
                    + [f"{n_files / totals[name]:.1f}", f"{ratio:.1f}x faster", f"{wall_speedup[name]:.1f}x",
                       f">= {TARGETS[name]:.0f}x: {verdict}"])
    figures = {"files": {g: [str(p.relative_to(corpus_root())) for p in paths] for g, paths in groups.items()},
               "best_cpu_seconds": best, "best_wall_seconds": wall, "total_cpu_seconds": totals,
               "total_wall_seconds": wall_totals, "speedup": speedup, "wall_speedup": wall_speedup,
               "group_speedup": group_speedup,
               "targets_met": {name: speedup[name] >= TARGETS[name] for name in speedup}}
    return markdown_table(headers, rows), figures


# -- growth with the size of the piece ----------------------------------------------------------------

def scaled_score(source: Path, factor: Fraction, target: Path) -> int:
    """Write ``source`` cut to ``factor`` of its measures (factor < 1) or repeated (factor > 1) as plain
    partwise MusicXML at ``target``; return the number of measures per part."""
    from lxml import etree

    from muspy_like.errors import MusicXMLError
    from muspy_like.io.musicxml.safe_xml import parse_xml, read_score_bytes

    root = parse_xml(read_score_bytes(source, (".mxl",), (".xml", ".musicxml"), MusicXMLError), str(source),
                     MusicXMLError)
    count = 0
    for part in root.iterchildren("part"):
        measures = list(part.iterchildren("measure"))
        for measure in measures:
            part.remove(measure)
        wanted = max(int(len(measures) * factor), 1)
        for index in range(wanted):
            copy = etree.fromstring(etree.tostring(measures[index % len(measures)]))
            copy.set("number", str(index + 1))
            part.append(copy)
        count = wanted
    target.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return count


_GROWTH_PROBE = """
import json, sys, time
from muspy_like.io.musicxml import read_musicxml
import lxml.etree, numpy  # imported by the reader; part of the baseline
def status(field):  # bytes; VmHWM is the peak resident size of this process image
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(field + ":"))
base = status("VmRSS")
cpu = wall = float("inf")
for _ in range(int(sys.argv[2])):
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    music = read_musicxml(sys.argv[1])
    cpu, wall = min(cpu, time.process_time() - start_cpu), min(wall, time.perf_counter() - start_wall)
print(json.dumps({"cpu_seconds": cpu, "wall_seconds": wall, "peak_bytes": status("VmHWM") - base,
                  "notes": music.n_notes}))
"""


def musicxml_read_growth(factors: tuple[Fraction, ...] = GROWTH_FACTORS, repeat: int = 3,
                         source: str = "beethoven/opus133.mxl") -> list[dict[str, Any]]:
    """Read time and peak memory of MusicXML reading against the size of the piece, one row per size.

    The source score is cut to its first measures (factors below 1) or repeated (above 1) and written as
    plain MusicXML; each size is read ``repeat`` times in a fresh interpreter (so one size's memory does
    not carry into the next).

    Parameters
    ----------
    factors : tuple of Fraction
        Sizes as fractions of the source score; 4 or more spanning 16x or more (the default: 1/8 to 4,
        32x).
    repeat : int
        Reads per size; the best time is kept (memory is the peak over all of them).
    source : str
        Corpus file to scale (music21's longest score, Beethoven's Große Fuge op. 133, by default).

    Returns
    -------
    list of dict
        One row per size: ``size`` (notes read), ``seconds`` (best wall seconds of one read),
        ``cpu_seconds`` (best CPU seconds of the reading process), ``peak_bytes`` (peak resident memory
        above the interpreter's state after its imports, bytes), and ``factor``, ``measures`` (per part),
        ``notes``, ``bytes`` (file size).
    """
    rows = []
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as folder:
        for factor in factors:
            path = Path(folder) / f"scaled-{factor.numerator}-{factor.denominator}.musicxml"
            measures = scaled_score(corpus_root() / source, factor, path)
            out = subprocess.run([sys.executable, "-c", _GROWTH_PROBE, str(path), str(repeat)], capture_output=True,
                                 text=True, check=True, cwd=root)
            probe = json.loads(out.stdout)
            rows.append({"size": probe["notes"], "seconds": probe["wall_seconds"], "cpu_seconds": probe["cpu_seconds"],
                         "peak_bytes": probe["peak_bytes"], "factor": str(factor), "measures": measures,
                         "notes": probe["notes"], "bytes": path.stat().st_size})
            print(f"growth x{factor}: {probe['notes']} notes, {probe['cpu_seconds']:.3f} s CPU, "
                  f"{probe['peak_bytes'] / 2**20:.1f} MiB", flush=True)
    return rows


def musicxml_growth(factors: tuple[Fraction, ...] = GROWTH_FACTORS, repeat: int = 3,
                    source: str = "beethoven/opus133.mxl") -> dict[str, Any]:
    """:func:`musicxml_read_growth` with the fitted exponents.

    Returns
    -------
    dict
        ``{"source", "rows", "time_exponent", "memory_exponent", "target"}``; the exponents are the
        least-squares slopes of log CPU seconds and log peak memory against log notes (1 is linear).
    """
    rows = musicxml_read_growth(factors, repeat, source)
    notes = [r["size"] for r in rows]
    return {
        "source": source,
        "rows": rows,
        "time_exponent": fit_exponent(notes, [r["cpu_seconds"] for r in rows]),
        "memory_exponent": fit_exponent(notes, [max(r["peak_bytes"], 1) for r in rows]),
        "target": GROWTH_TARGET,
    }


def growth_table(growth: dict[str, Any]) -> str:
    rows = [[r["factor"], r["measures"], r["notes"], f"{r['bytes'] / 2**20:.1f}", f"{r['cpu_seconds']:.3f}",
             f"{r['seconds']:.3f}", f"{r['notes'] / r['cpu_seconds']:,.0f}", f"{r['peak_bytes'] / 2**20:.1f}"]
            for r in growth["rows"]]
    table = markdown_table(["size (x op. 133)", "measures per part", "notes", "file MiB", "read CPU seconds",
                            "(wall)", "notes/s (CPU)", "peak MiB above imports"], rows)
    verdict = lambda e: "met" if e <= GROWTH_TARGET else "MISSED"  # noqa: E731
    return (table + f"\n\nFitted growth exponents against the number of notes: time "
            f"{growth['time_exponent']:.2f} ({verdict(growth['time_exponent'])}), memory "
            f"{growth['memory_exponent']:.2f} ({verdict(growth['memory_exponent'])}); target <= {GROWTH_TARGET}.")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.formats", description=__doc__.splitlines()[0])
    parser.add_argument("--bach", type=int, default=41, help="Bach files (every k-th; default 41)")
    parser.add_argument("--other", type=int, default=30, help="files of other composers (seeded sample; default 30)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; each library keeps its best")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample of other composers")
    parser.add_argument("--no-growth", action="store_true", help="skip the growth series")
    args = parser.parse_args(argv)

    groups = broad_set(args.bach, args.other, args.seed)
    all_readers = readers()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for read in all_readers.values():  # warm-up: imports and first-call costs stay out of the rounds
            for path in groups["Bach"][:3] + groups["other composers"][:2]:
                read(path)
        best, wall = interleaved_best(all_readers, groups, args.rounds)
    table, figures = speed_table(best, wall, groups)
    table = (f"Best of {args.rounds} interleaved rounds per library (each round reads every file once).\n\n"
             + table)
    if not args.no_growth:
        growth = musicxml_growth()
        figures["growth"] = growth
        table += "\n\nGrowth with the size of the piece (Beethoven op. 133 cut and repeated; fresh interpreter " \
                 "per size):\n\n" + growth_table(growth)
    figures["machine"] = machine_info(["music21", "partitura", "lxml"])
    save_results("formats", figures, table)
    print(table)
    return figures


if __name__ == "__main__":
    main()
