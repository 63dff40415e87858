"""MusicXML read speed: muspy_like against music21 and partitura on music21's bundled Bach corpus (.mxl).

Each library reads the same files in the same run: muspy_like (best of three passes), music21
(``converter.parse(path, forceSource=True)``, so its cache is not used) and partitura
(``partitura.load_musicxml``), one pass each because they are slow. The table gives files per second
and how many times faster muspy_like is. Targets (issue 3): at least 10x music21 and 5x partitura.

The music21 scores parsed for timing are also compared with ours note by note (onset and duration in
quarter notes, MIDI pitch, per part; ties stripped, grace notes left out): the differential check of
issue 3 on the whole corpus. Files that differ are listed; the documented exceptions (``docs/io-scores.md``)
are multi-staff parts, which music21 splits into staves, and ties that music21's ``stripTies`` fails to
join.

Usage: ``python -m benchmarks.formats [--limit N] [--no-differential]``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

from benchmarks.harness import best_time, machine_info, markdown_table, save_results

TARGETS = {"music21": 10.0, "partitura": 5.0}


def bach_files(limit: int | None = None) -> list[Path]:
    """music21's bundled Bach corpus, compressed MusicXML files only, in name order."""
    from music21 import corpus

    paths = sorted(p for p in corpus.getComposer("bach") if p.suffix == ".mxl")
    return paths[:limit] if limit else paths


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


def music21_notes(score: Any) -> list[list[tuple]]:
    """Per part: sorted (onset, pitch, duration) in quarters, ties stripped, grace notes left out."""
    parts = []
    for part in score.parts:
        flat = part.stripTies().flatten()
        parts.append(sorted(
            (Fraction(n.getOffsetBySite(flat)), p.midi, Fraction(n.duration.quarterLength))
            for n in flat.notes if not n.duration.isGrace for p in n.pitches
        ))
    return parts


def our_notes(music: Any) -> list[list[tuple]]:
    """Per track: sorted (onset, pitch, duration) in quarters."""
    r = music.resolution
    return [sorted((Fraction(int(t), r), int(p), Fraction(int(d), r))
                   for t, p, d in zip(track.notes.time, track.notes.pitch, track.notes.duration))
            for track in music.tracks]


def timed_pass(read: Callable[[Path], Any], paths: list[Path]) -> tuple[float, list[Any]]:
    """Seconds to read every file once, and the results."""
    results = []
    start = time.perf_counter()
    for path in paths:
        results.append(read(path))
    return time.perf_counter() - start, results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.formats", description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="read only the first N files (default: all)")
    parser.add_argument("--no-differential", action="store_true", help="skip the note-by-note check against music21")
    args = parser.parse_args(argv)

    from music21 import converter

    from muspy_like.io.musicxml import read_musicxml

    partitura = import_partitura()
    paths = bach_files(args.limit)
    print(f"{len(paths)} files", flush=True)

    ours_seconds = best_time(lambda: [read_musicxml(p) for p in paths], repeat=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        music21_seconds, scores = timed_pass(lambda p: converter.parse(str(p), forceSource=True), paths)
        partitura_seconds, _ = timed_pass(lambda p: partitura.load_musicxml(str(p)), paths)

    figures = {
        "files": len(paths),
        "seconds": {"muspy_like": ours_seconds, "music21": music21_seconds, "partitura": partitura_seconds},
    }
    figures["files_per_second"] = {k: len(paths) / v for k, v in figures["seconds"].items()}
    figures["speedup"] = {k: figures["seconds"][k] / ours_seconds for k in TARGETS}
    rows = [["muspy_like", f"{ours_seconds:.2f} s", f"{len(paths) / ours_seconds:.0f}", "1x", ""]]
    for name in TARGETS:
        speedup = figures["speedup"][name]
        verdict = "met" if speedup >= TARGETS[name] else "MISSED"
        rows.append([name, f"{figures['seconds'][name]:.2f} s", f"{figures['files_per_second'][name]:.1f}",
                     f"{speedup:.1f}x slower", f">= {TARGETS[name]:.0f}x: {verdict}"])
    table = markdown_table(["library", f"time for {len(paths)} Bach .mxl files", "files/s", "vs muspy_like",
                            "target"], rows)

    if not args.no_differential:
        differing = []
        for path, score in zip(paths, scores):
            theirs, ours = music21_notes(score), our_notes(read_musicxml(path))
            if theirs != ours:
                same_overall = sorted(n for p in theirs for n in p) == sorted(n for p in ours for n in p)
                differing.append({"file": path.name, "parts": [len(theirs), len(ours)],
                                  "same_notes_over_all_parts": same_overall})
        figures["differential"] = {"files": len(paths), "differing": differing}
        staves_only = [d["file"] for d in differing if d["same_notes_over_all_parts"]]
        others = [d["file"] for d in differing if not d["same_notes_over_all_parts"]]
        table += (
            f"\n\nNote content against music21 (per part; onset, pitch, duration): "
            f"{len(paths) - len(differing)} of {len(paths)} files identical"
            + (f"; {len(staves_only)} identical over the whole score (music21 splits staves): "
               f"{', '.join(staves_only)}" if staves_only else "")
            + (f"; {len(others)} differ (ties music21 leaves split, see docs/io-scores.md): {', '.join(others)}"
               if others else "")
            + "."
        )
    figures["targets_met"] = {k: figures["speedup"][k] >= TARGETS[k] for k in TARGETS}
    figures["machine"] = machine_info(["music21", "partitura", "lxml"])
    save_results("formats", figures, table)
    print(table)
    return figures


if __name__ == "__main__":
    main()
