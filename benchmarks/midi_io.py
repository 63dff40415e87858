"""MIDI read/write speed and memory: muspy_like against mido, pretty_midi, miditoolkit, symusic and muspy.

Corpus: 100 Bach chorales from music21's bundled corpus, converted to MIDI once with music21 and cached
under ``benchmarks/.cache/bach_midi`` (git-ignored), the readable MIDI files of MusPy's test suite and
``shared/bench/mahler.mid`` (33 tracks, 60k notes). Every library reads and writes the same files in
the same run, each taking the best of the same number of passes; the table gives files per second, notes
per second and muspy_like's speed-up.

A generated 1M-note file (16 tracks) measures the read time against symusic's own parse and the memory
above the interpreter's baseline (peak resident set size of a fresh subprocess, after its imports).

Targets (issue 2): read >= 30x pretty_midi, >= 20x mido, at most 3x slower than symusic; write >= 20x
pretty_midi; 1M notes read in under 10x symusic's time and under 150 MB above baseline.

Usage: ``python -m benchmarks.midi_io [--files N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

from benchmarks.harness import SHARED_DIR, best_time, machine_info, markdown_table, save_results

CACHE = Path(__file__).resolve().parent / ".cache"
TARGETS = {"read": {"pretty_midi": 30.0, "mido": 20.0, "symusic": 1 / 3}, "write": {"pretty_midi": 20.0}}
PEERS = ["mido", "pretty_midi", "miditoolkit", "symusic", "muspy"]


def chorale_files(count: int) -> list[Path]:
    """``count`` Bach chorales as MIDI, converted with music21 on the first run and cached."""
    from music21 import converter, corpus

    folder = CACHE / "bach_midi"
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(p for p in corpus.getComposer("bach") if p.suffix == ".mxl")[:count]
    files = []
    for source in sources:
        target = folder / (source.stem + ".mid")
        if not target.exists():
            converter.parse(source).write("midi", fp=str(target))
        files.append(target)
    return files


def corpus_files(count: int) -> list[Path]:
    """The benchmark corpus: chorales, MusPy's readable test files, the Mahler symphony."""
    from muspy_like.errors import MIDIError
    from muspy_like.io.midi import read_midi

    shared = []
    for path in sorted((SHARED_DIR / "muspy_testdata" / "midi").glob("*.mid")):
        try:
            read_midi(path)
        except MIDIError:
            continue
        shared.append(path)
    return chorale_files(count) + shared + [SHARED_DIR / "bench" / "mahler.mid"]


def readers() -> dict[str, Callable[[Path], Any]]:
    """Library name -> function reading one file."""
    import miditoolkit
    import mido
    import muspy
    import pretty_midi
    import symusic

    from muspy_like.io.midi import read_midi

    return {
        "muspy_like": read_midi,
        "symusic": symusic.Score,
        "mido": mido.MidiFile,
        "pretty_midi": pretty_midi.PrettyMIDI,
        "miditoolkit": miditoolkit.MidiFile,
        "muspy": muspy.read_midi,
    }


def writers(files: list[Path]) -> dict[str, tuple[list[Any], Callable[[Any, Path], Any]]]:
    """Library name -> (objects read from ``files``, function writing one object to a path)."""
    import miditoolkit
    import mido
    import muspy
    import pretty_midi
    import symusic

    from muspy_like.io.midi import read_midi, write_midi

    return {
        "muspy_like": ([read_midi(f) for f in files], lambda m, p: write_midi(p, m)),
        "symusic": ([symusic.Score(f) for f in files], lambda s, p: s.dump_midi(p)),
        "mido": ([mido.MidiFile(f) for f in files], lambda m, p: m.save(p)),
        "pretty_midi": ([pretty_midi.PrettyMIDI(str(f)) for f in files], lambda m, p: m.write(str(p))),
        "miditoolkit": ([miditoolkit.MidiFile(f) for f in files], lambda m, p: m.dump(str(p))),
        "muspy": ([muspy.read_midi(f) for f in files], lambda m, p: muspy.write_midi(p, m)),
    }


def _reads(read: Callable[[Any], Any], item: Any) -> bool:
    """Whether ``read(item)`` succeeds (used for writers too)."""
    try:
        read(item)
    except Exception:  # noqa: BLE001 - any failure leaves the file out of the comparison
        return False
    return True


def time_all(func: Callable[[Any], Any], items: list[Any], repeat: int) -> float:
    """Best time, in seconds, of one pass of ``func`` over every item."""

    def one_pass() -> None:
        for item in items:
            func(item)

    return best_time(one_pass, repeat=repeat)


def million_note_file() -> tuple[Path, int]:
    """A generated 16-track MIDI file with 1,000,000 notes (cached)."""
    import numpy as np

    from muspy_like import Music, NoteArray, Track
    from muspy_like.io.midi import write_midi

    path = CACHE / "million_notes.mid"
    if not path.exists():
        rng = np.random.default_rng(0)
        tracks = []
        for index in range(16):
            n = 62_500
            gaps = rng.integers(0, 120, n)
            notes = NoteArray.from_columns(time=np.cumsum(gaps), pitch=rng.integers(21, 109, n),
                                           duration=rng.integers(10, 480, n), velocity=rng.integers(1, 128, n))
            tracks.append(Track(program=index * 8 % 128, is_drum=index == 9, notes=notes))
        CACHE.mkdir(parents=True, exist_ok=True)
        write_midi(path, Music(resolution=480, tracks=tracks))
    return path, 1_000_000


_MEMORY_PROBE = """
import json, sys, time
library, path = sys.argv[1], sys.argv[2]
if library == "muspy_like":
    from muspy_like.io.midi import read_midi as read
    import symusic, numpy  # imported by the reader; part of the baseline
else:
    import symusic
    read = symusic.Score
def status(field):  # bytes; VmHWM is the peak resident size of this process image (reset by exec)
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(field + ":"))
base = status("VmRSS")
start = time.perf_counter()
result = read(path)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "above_baseline": status("VmHWM") - base, "after": status("VmRSS") - base}))
"""


def memory_probe(library: str, path: Path) -> dict[str, float]:
    """Read ``path`` in a fresh interpreter; return seconds and peak RSS above the post-import baseline."""
    out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, library, str(path)], capture_output=True,
                         text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100, help="number of Bach chorales (default 100)")
    parser.add_argument("--repeat", type=int, default=3, help="passes per library (every library alike); the best counts (default 3)")
    args = parser.parse_args(argv)

    import warnings

    from muspy_like.io.midi import read_midi

    warnings.filterwarnings("ignore")  # pretty_midi warns about meta events outside the first track
    library_readers = readers()
    files = []
    for path in corpus_files(args.files):
        refused = [name for name, read in library_readers.items() if not _reads(read, path)]
        if refused:
            print(f"left out {path.name}: {', '.join(refused)} cannot read it")
        else:
            files.append(path)
    n_notes = sum(read_midi(f).n_notes for f in files)
    print(f"corpus: {len(files)} files, {n_notes} notes")

    read_seconds = {}
    for name, read in library_readers.items():
        read_seconds[name] = time_all(read, files, args.repeat)
        print(f"read  {name:<12} {read_seconds[name]:8.3f} s")
    write_seconds = {}
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as folder:
        target = Path(folder) / "out.mid"
        library_writers = writers(files)
        writable = [
            i for i in range(len(files))
            if all(_reads(lambda obj: write(obj, target), objects[i]) for objects, write in library_writers.values())
        ]
        for i in sorted(set(range(len(files))) - set(writable)):
            print(f"left out of the write test {files[i].name}: a library cannot write it")
        for name, (objects, write) in library_writers.items():
            write_seconds[name] = time_all(lambda obj: write(obj, target), [objects[i] for i in writable], args.repeat)
            print(f"write {name:<12} {write_seconds[name]:8.3f} s")
    n_written = len(writable)

    big, big_notes = million_note_file()
    big_ours = best_time(lambda: read_midi(big), repeat=args.repeat)
    import symusic

    big_symusic = best_time(lambda: symusic.Score(big), repeat=args.repeat)
    memory = {name: memory_probe(name, big) for name in ("muspy_like", "symusic")}

    rows, payload_rows = [], []
    for name in read_seconds:
        read_ratio = read_seconds[name] / read_seconds["muspy_like"]
        write_ratio = write_seconds[name] / write_seconds["muspy_like"]
        rows.append([name, len(files) / read_seconds[name], n_notes / read_seconds[name], f"{read_ratio:.2f}x",
                     n_written / write_seconds[name], f"{write_ratio:.2f}x"])
        payload_rows.append({"library": name, "read_seconds": read_seconds[name], "write_seconds": write_seconds[name],
                             "read_speedup_of_muspy_like": read_ratio, "write_speedup_of_muspy_like": write_ratio})
    table = markdown_table(
        ["library", "read files/s", "read notes/s", "muspy_like read speed-up", "write files/s", "muspy_like write speed-up"],
        rows,
    )
    big_table = markdown_table(
        ["1M-note file", "read seconds", "peak memory above baseline (MB)"],
        [[name, memory[name]["seconds"] if name == "symusic" else big_ours, memory[name]["above_baseline"] / 1e6]
         for name in memory],
    )
    checks = {
        "read vs pretty_midi (>= 30x)": read_seconds["pretty_midi"] / read_seconds["muspy_like"],
        "read vs mido (>= 20x)": read_seconds["mido"] / read_seconds["muspy_like"],
        "read time / symusic's (<= 3)": read_seconds["muspy_like"] / read_seconds["symusic"],
        "write vs pretty_midi (>= 20x)": write_seconds["pretty_midi"] / write_seconds["muspy_like"],
        "1M notes: read time / symusic's (< 10)": big_ours / big_symusic,
        "1M notes: MB above baseline (< 150)": memory["muspy_like"]["above_baseline"] / 1e6,
    }
    check_table = markdown_table(["target", "measured"], [[k, f"{v:.2f}"] for k, v in checks.items()])
    text = (
        f"Corpus: {len(files)} MIDI files ({args.files} Bach chorales converted by music21, MusPy's test files, "
        f"Mahler), {n_notes} notes; {n_written} of them written by every library.\n\n{table}\n\n{big_table}\n\n1M-note read: muspy_like {big_ours:.3f} s, "
        f"symusic {big_symusic:.3f} s (best of {args.repeat}, in process).\n\n{check_table}"
    )
    print()
    print(text)
    save_results(
        "midi_io",
        {"machine": machine_info(PEERS), "n_files": len(files), "n_notes": n_notes, "rows": payload_rows,
         "million_notes": {"muspy_like_seconds": big_ours, "symusic_seconds": big_symusic, "memory": memory,
                           "notes": big_notes},
         "checks": checks},
        text,
    )


if __name__ == "__main__":
    main()
