"""MIDI read/write speed and memory: muspy_like against symusic, mido, pretty_midi, miditoolkit and MusPy.

Corpora:

* *many small files*: every MIDI file shipped in the music21, miditoolkit and partitura packages,
  MusPy's readable test files, and ``--files`` Bach chorales of music21's corpus converted to MIDI with
  music21 (cached under ``benchmarks/.cache/bach_midi``, git-ignored);
* ``shared/bench/mahler.mid`` (42 minutes, 33 chunks, 60k notes), reported on its own;
* a generated file of 1M notes (16 tracks) for time and peak memory against symusic's.

Every library reads the same bytes (already in memory) in the same run, **interleaved**: each file is read
by every library in a shuffled order, round after round, and each (library, file) keeps its best time
(:func:`benchmarks.harness.interleaved_best`). A ratio is a sum of per-file bests over another, so a slow
spell of a shared machine hits every library alike. muspy_like and symusic take ``--repeat`` rounds
(default 9); the slower pure-Python peers ``--peer-repeat`` (default 3).

:func:`midi_read_growth` measures read time and peak memory on cuts of mahler.mid (1/16 to all of it) and
fits the growth exponent, for ``benchmarks/scaling.py``.

Targets (issue 11): read time at most 3x symusic's on the small files, at most 2x on mahler.mid; growth
exponent at most 1.1. Usage: ``python -m benchmarks.midi_io [--files N] [--repeat R] [--peer-repeat R]``.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

from benchmarks.growth import fit_exponent
from benchmarks.harness import (
    SHARED_DIR,
    interleaved_best,
    machine_info,
    markdown_table,
    save_results,
)

CACHE = Path(__file__).resolve().parent / ".cache"
PEERS = ["mido", "pretty_midi", "miditoolkit", "symusic", "muspy"]
TARGETS = {"small files / symusic": 3.0, "mahler / symusic": 2.0, "growth exponent": 1.1}
MAHLER = SHARED_DIR / "bench" / "mahler.mid"
#: muspy_like without its compiled decoder (what an install without a C compiler reads with), measured
#: beside the default where the extension is built.
NUMPY_ONLY = "muspy_like, numpy decoder"


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


def package_files() -> list[Path]:
    """The MIDI files shipped inside installed packages (music21, miditoolkit, partitura) and MusPy's tests."""
    import importlib.util

    files = sorted((SHARED_DIR / "muspy_testdata" / "midi").glob("*.mid"))
    for package in ("music21", "miditoolkit", "pretty_midi", "mido", "symusic", "partitura"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin:
            files += sorted(Path(spec.origin).parent.rglob("*.mid"))
    return files


def readers() -> dict[str, Callable[[bytes], Any]]:
    """Library name -> function reading one file from its bytes."""
    import warnings

    import miditoolkit
    import mido
    import muspy
    import pretty_midi
    import symusic

    from muspy_like.io.midi import ACCELERATED, read_midi
    from muspy_like.io.midi.reader import read_bytes

    warnings.filterwarnings("ignore")  # pretty_midi warns about meta events outside the first track
    fallback = {NUMPY_ONLY: lambda data: read_bytes(data, "<bytes>", None, accelerated=False)} if ACCELERATED else {}
    return {
        "muspy_like": read_midi,
        "symusic": symusic.Score.from_midi,
        **fallback,
        "mido": lambda data: mido.MidiFile(file=io.BytesIO(data)),
        "pretty_midi": lambda data: pretty_midi.PrettyMIDI(io.BytesIO(data)),
        "miditoolkit": lambda data: miditoolkit.MidiFile(file=io.BytesIO(data)),
        "muspy": lambda data: muspy.from_mido(mido.MidiFile(file=io.BytesIO(data))),
    }


def _readable(files: list[Path], library_readers: dict[str, Callable]) -> tuple[list[Path], list[bytes]]:
    kept, datas = [], []
    for path in files:
        data = path.read_bytes()
        refused = []
        for name, read in library_readers.items():
            try:
                read(data)
            except Exception:  # noqa: BLE001 - any failure leaves the file out of the comparison
                refused.append(name)
        if refused:
            print(f"left out {path.name}: {', '.join(refused)} cannot read it")
        else:
            kept.append(path)
            datas.append(data)
    return kept, datas


def read_ratios(datas: list[bytes], library_readers: dict[str, Callable], repeat: int, peer_repeat: int) -> dict[str, float]:
    """Seconds per library for one read of every file (sums of per-file bests, interleaved)."""
    fast = {name: read for name, read in library_readers.items() if name in ("muspy_like", "symusic", NUMPY_ONLY)}
    seconds = {name: sum(times) for name, times in interleaved_best(fast, datas, repeat).items()}
    slow = {name: read for name, read in library_readers.items() if name not in fast}
    if slow and peer_repeat:
        slow["muspy_like"] = library_readers["muspy_like"]
        for name, times in interleaved_best(slow, datas, peer_repeat, seed=1).items():
            if name != "muspy_like":
                seconds[name] = sum(times)
    return seconds


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


def write_seconds(files: list[Path], repeat: int) -> tuple[dict[str, float], int]:
    """Seconds per library to write every file every library can write (interleaved bests)."""
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as folder:
        target = Path(folder) / "out.mid"
        library_writers = writers(files)
        writable = []
        for i in range(len(files)):
            try:
                for objects, write in library_writers.values():
                    write(objects[i], target)
            except Exception:  # noqa: BLE001
                print(f"left out of the write test {files[i].name}: a library cannot write it")
                continue
            writable.append(i)
        funcs = {name: (lambda i, o=objects, w=write: w(o[i], target)) for name, (objects, write) in library_writers.items()}
        best = interleaved_best(funcs, writable, repeat, seed=2)
    return {name: sum(times) for name, times in best.items()}, len(writable)


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
if library.startswith("muspy_like"):
    from muspy_like.io.midi import read_midi as read
    import symusic, numpy  # imported by the benchmark's other reader; part of the baseline
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
    """Read ``path`` in a fresh interpreter; return seconds and peak RSS above the post-import baseline.

    ``library`` is ``symusic``, ``muspy_like`` or :data:`NUMPY_ONLY` (muspy_like with its compiled decoder
    ruled out by the environment variable).
    """
    import os

    env = {**os.environ, "MUSPY_LIKE_MIDI_ACCEL": "0"} if library == NUMPY_ONLY else None
    out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, library, str(path)], capture_output=True,
                         text=True, check=True, cwd=Path(__file__).resolve().parents[1], env=env)
    return json.loads(out.stdout)


def mahler_cuts(fractions: tuple[float, ...] = (1 / 16, 1 / 8, 1 / 4, 1 / 2, 1.0)) -> list[tuple[float, bytes]]:
    """mahler.mid cut where its first ``fraction`` of notes have begun (each cut written by muspy_like's
    writer), so that the cuts' sizes follow the fractions."""
    import numpy as np

    from muspy_like.io.midi import read_midi
    from muspy_like.io.midi.writer import encode_midi

    music = read_midi(MAHLER)
    onsets = np.sort(np.concatenate([track.notes.time for track in music.tracks]))
    cuts = []
    for fraction in fractions:
        cut = music.copy()
        if fraction < 1:
            end = int(onsets[int(len(onsets) * fraction)])
            cut.tracks = [track.trim(end) for track in cut.tracks]
            for name in ("tempos", "time_signatures", "key_signatures", "lyrics", "annotations"):
                setattr(cut, name, [x for x in getattr(cut, name) if x.time < end])
        cuts.append((fraction, encode_midi(cut)))
    return cuts


def midi_read_growth(repeat: int = 9, accelerated: bool | None = None) -> dict[str, Any]:
    """MIDI read time and peak memory against the size of the file, on cuts of mahler.mid (16x span).

    Each cut is read ``repeat`` times; a row keeps the best wall time (``seconds``) and the best CPU time
    (``cpu_seconds``) of one read, and the peak bytes allocated during one read (``peak_bytes``, by
    tracemalloc, which sees numpy's buffers and the compiled decoder's: both use Python's allocators). ``size`` is the number of notes (also ``fraction`` of the piece and ``bytes`` of the file).
    ``accelerated`` forces the compiled decoder on or off (None: the default reader).

    Returns the rows and the growth exponents of wall time, CPU time and memory against ``size``
    (least-squares slopes on log-log axes; 1 is linear).
    """
    from muspy_like.io.midi import read_midi
    from muspy_like.io.midi.reader import read_bytes

    def read(data: bytes):
        return read_bytes(data, "<bytes>", None, accelerated=accelerated)

    rows = []
    for fraction, data in mahler_cuts():
        notes = read_midi(data).n_notes
        wall, cpu = _best_times(read, data, repeat)
        tracemalloc.start()
        read(data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append({"size": notes, "seconds": wall, "cpu_seconds": cpu, "peak_bytes": peak,
                     "fraction": fraction, "bytes": len(data)})
    sizes = [row["size"] for row in rows]
    return {
        "size_unit": "notes",
        "rows": rows,
        "time_exponent": fit_exponent(sizes, [row["seconds"] for row in rows]),
        "cpu_time_exponent": fit_exponent(sizes, [row["cpu_seconds"] for row in rows]),
        "memory_exponent": fit_exponent(sizes, [row["peak_bytes"] for row in rows]),
    }


def _best_times(func: Callable[[bytes], Any], data: bytes, repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time of ``repeat`` calls of ``func(data)`` (GC disabled while timing)."""
    import gc

    wall = cpu = float("inf")
    for _ in range(repeat):
        gc.disable()
        try:
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            func(data)
            cpu = min(cpu, time.process_time() - start_cpu)
            wall = min(wall, time.perf_counter() - start_wall)
        finally:
            gc.enable()
    return wall, cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100, help="number of Bach chorales (default 100)")
    parser.add_argument("--repeat", type=int, default=9, help="rounds for muspy_like and symusic (default 9)")
    parser.add_argument("--peer-repeat", type=int, default=3, help="rounds for the other libraries (default 3)")
    args = parser.parse_args(argv)
    measured = measure(args)
    text, checks = report(args, measured)
    print()
    print(text)
    save_results("midi_io", {"machine": machine_info(PEERS), **measured, "checks": checks}, text)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Every figure of the page: reads (small files, mahler), writes, the 1M-note file, growth."""
    import symusic

    from muspy_like.io.midi import read_midi

    library_readers = readers()
    files, datas = _readable(package_files() + chorale_files(args.files), library_readers)
    n_notes = sum(read_midi(d).n_notes for d in datas)
    print(f"small files: {len(files)} files, {n_notes} notes, {sum(map(len, datas))} bytes")
    small = read_ratios(datas, library_readers, args.repeat, args.peer_repeat)
    mahler = read_ratios([MAHLER.read_bytes()], library_readers, args.repeat, min(args.peer_repeat, 2))
    for label, seconds in (("small files", small), ("mahler", mahler)):
        for name, value in seconds.items():
            print(f"read {label:<11} {name:<12} {value * 1e3:9.2f} ms")
    write, n_written = write_seconds(files + [MAHLER], max(args.peer_repeat, 1))
    big, big_notes = million_note_file()
    big_readers = {name: library_readers[name] for name in ("muspy_like", NUMPY_ONLY) if name in library_readers}
    big_readers["symusic"] = symusic.Score.from_midi
    big_best = {name: min(times) for name, times in
                interleaved_best(big_readers, [big.read_bytes()], max(3, args.repeat // 3)).items()}
    from muspy_like.io.midi import ACCELERATED

    return {
        "compiled_decoder": ACCELERATED,
        "n_files": len(files), "n_notes": n_notes, "small_files_seconds": small, "mahler_seconds": mahler,
        "write_seconds": write, "n_written": n_written,
        "million_notes": {"seconds": big_best, "memory": {name: memory_probe(name, big) for name in big_readers},
                          "notes": big_notes},
        "growth": midi_read_growth(),
        **({"growth_numpy_decoder": midi_read_growth(accelerated=False)} if ACCELERATED else {}),
    }


def report(args: argparse.Namespace, measured: dict[str, Any]) -> tuple[str, dict[str, float]]:
    """The markdown page and the checks against the targets."""
    small, mahler, write = measured["small_files_seconds"], measured["mahler_seconds"], measured["write_seconds"]
    growth, big = measured["growth"], measured["million_notes"]
    rows = [[name, measured["n_files"] / small[name], f"{small[name] / small['symusic']:.2f}x",
             f"{mahler[name] / mahler['symusic']:.2f}x",
             f"{write[name] / write['muspy_like']:.2f}x" if name in write else "(as muspy_like)"]
            for name in small]
    table = markdown_table(["library", "small files: files/s", "small files: time / symusic's",
                            "mahler: time / symusic's", "write: time / muspy_like's"], rows)
    growth_table = markdown_table(
        ["cut of mahler.mid (share of its notes)", "bytes", "notes", "read ms (wall)", "read ms (CPU)",
         "peak MB (tracemalloc)"],
        [[f"{r['fraction']:.4g}", r["bytes"], r["size"], r["seconds"] * 1e3, r["cpu_seconds"] * 1e3,
          r["peak_bytes"] / 1e6] for r in growth["rows"]])
    big_table = markdown_table(
        ["1M-note file", "read seconds", "peak memory above baseline (MB)"],
        [[name, big["seconds"][name], big["memory"][name]["above_baseline"] / 1e6] for name in big["memory"]])
    checks = {
        "small files: read time / symusic's (<= 3)": small["muspy_like"] / small["symusic"],
        "mahler.mid: read time / symusic's (<= 2)": mahler["muspy_like"] / mahler["symusic"],
        "read time growth exponent, cuts of mahler (<= 1.1)": growth["time_exponent"],
        "read memory growth exponent, cuts of mahler": growth["memory_exponent"],
        "1M notes: read time / symusic's": big["seconds"]["muspy_like"] / big["seconds"]["symusic"],
        "1M notes: MB above baseline": big["memory"]["muspy_like"]["above_baseline"] / 1e6,
    }
    if NUMPY_ONLY in small:  # the fallback of an install without a C compiler, measured in the same run
        fallback_growth = measured["growth_numpy_decoder"]
        checks.update({
            "numpy decoder only: small files / symusic's": small[NUMPY_ONLY] / small["symusic"],
            "numpy decoder only: mahler.mid / symusic's": mahler[NUMPY_ONLY] / mahler["symusic"],
            "numpy decoder only: time growth exponent": fallback_growth["time_exponent"],
            "numpy decoder only: memory growth exponent": fallback_growth["memory_exponent"],
            "numpy decoder only: 1M notes, MB above baseline": big["memory"][NUMPY_ONLY]["above_baseline"] / 1e6,
        })
    decoder = ("with its compiled decoder; the numpy decoder alone (an install without a C compiler) in the row "
               f"'{NUMPY_ONLY}'" if measured["compiled_decoder"] else "with the numpy decoder (the compiled one is not built)")
    check_table = markdown_table(["target", "measured"], [[k, f"{v:.2f}"] for k, v in checks.items()])
    text = (
        f"muspy_like reads {decoder}.\n\n"
        f"Small files: {measured['n_files']} MIDI files ({args.files} Bach chorales converted by music21, the MIDI "
        f"files shipped in music21, miditoolkit and partitura, MusPy's test files), {measured['n_notes']} notes; "
        f"mahler.mid separately. Interleaved reads of the same bytes, CPU time, best of {args.repeat} rounds per "
        f"file for muspy_like and symusic, of {args.peer_repeat} for the others; {measured['n_written']} files "
        f"written by every library.\n\n{table}\n\nGrowth (cuts of mahler.mid, best of 9): wall-time exponent "
        f"{growth['time_exponent']:.2f}, CPU-time exponent {growth['cpu_time_exponent']:.2f}, memory exponent "
        f"{growth['memory_exponent']:.2f}.\n\n{growth_table}\n\n"
        f"{big_table}\n\n{check_table}"
    )
    return text, checks


if __name__ == "__main__":
    main()
