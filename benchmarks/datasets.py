"""Dataset conversion: speed-up, cache loading, whole corpora, growth with the size of the work (issues 4, 11).

1. **Conversion speed-up.** :meth:`Dataset.convert` of every MusicXML score of ``music21.corpus``'s Bach
   collection (read by muspy_like's MusicXML reader, written as native JSON plus the column-wise cache)
   with ``n_jobs=1`` and ``n_jobs=2`` (worker processes). Target: >= 1.6x on 2 cores.
2. **Cache loading.** Loading every converted piece from the cache (:class:`CachedDataset`) against
   parsing every source file again (muspy_like's reader) and, for reference, against loading the native
   JSON copies and against music21's own parser on a sample. Target: >= 20x; reported in files/s.

3. **music21's whole corpus** (``muspy-like datasets convert music21 -j 2``: 14,951 pieces, of which 12,978
   ABC tunes): wall time (target: 15 minutes or less on 2 cores) and every failure by file, tune and
   reason.
4. **ABC read against the length of a tune** (500 to 8,000 bars, 16x): time and peak memory with the
   fitted growth exponent (target <= 1.1), and music21's own parse of the same tunes where it finishes
   in reasonable time (its time grows with the square of the bars).
5. **Conversion against the size of the corpus**: small MIDI files made from real ones (every MIDI file
   shipped with music21, miditoolkit and MusPy's tests, and mahler.mid) by cutting 8-bar excerpts and
   transposing them; N/16 to N files (default N = 100,000): time and peak memory with the fitted growth
   exponent. Memory must not grow with N (the results stream to the cache).
6. **One process against a dask LocalCluster of 2 worker processes** on the same files (target >= 1.6x).

A control runs first: :func:`muspy_like.parallel.parallel_map` of a pure-Python loop with ``n_jobs=1``
and ``2``. It shows the speed-up the machine can give at that moment (on a shared machine whose cores are
busy it is near 1x, and so is every other speed-up).

The functions :func:`abc_read_growth` and :func:`conversion_growth` return the growth measurements
(for ``benchmarks/scaling.py``).

Usage: ``python -m benchmarks.datasets [--step K] [--pieces N] [--skip-corpus] [--skip-growth]``
(``K > 1`` takes every K-th Bach score; N sets the largest generated corpus).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

import numpy as np

from benchmarks.growth import growth_table, measure_growth
from benchmarks.harness import SHARED_DIR, machine_info, markdown_table, save_results
from muspy_like.datasets import CachedDataset, Music21Dataset

PEERS = ["music21", "numpy", "dask", "distributed"]
#: Bars of the ABC tunes read (16x from the shortest to the longest).
ABC_BARS = (500, 1000, 2000, 4000, 8000)
#: music21's ABC parse is measured up to this many bars (it takes minutes beyond).
MUSIC21_MAX_BARS = 1000
#: Quarter notes per excerpt of the generated corpus.
EXCERPT_QUARTERS = 32


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def spin(n: int) -> int:
    """Pure-Python CPU work for the control measurement."""
    total = 0
    for i in range(n):
        total += i * i
    return total


def load_all(dataset) -> None:
    for index in range(len(dataset)):
        dataset[index]


# -- ABC read against the length of the tune --------------------------------------------------------------

_BAR_PATTERNS = ("GABc dedB", "dedB dedB", "c2ec B2dB", "c2A2 A2BA", "[GB]2 (3ABc d2-d2", "g2ge f>ga2")


def long_tune(bars: int) -> str:
    """An ABC tune of ``bars`` bars of 4/4 eighths: plain notes, a chord, a triplet, a tie, broken rhythm.

    A key change every 64 bars keeps the key handling in the measured path.
    """
    lines = ["X:1", f"T:Long tune of {bars} bars", "M:4/4", "L:1/8", "K:G"]
    row: list[str] = []
    for bar in range(bars):
        if bar and bar % 64 == 0:
            lines += [" | ".join(row) + " |"] if row else []
            row = []
            lines.append("K:D" if (bar // 64) % 2 else "K:G")
        row.append(_BAR_PATTERNS[bar % len(_BAR_PATTERNS)])
        if len(row) == 4:
            lines.append(" | ".join(row) + " |")
            row = []
    if row:
        lines.append(" | ".join(row) + " |]")
    return "\n".join(lines) + "\n"


def abc_read_work(bars: int, reader: str = "muspy_like") -> dict[str, Any]:
    """Read a tune of ``bars`` bars (``reader``: "muspy_like" or "music21"), timed after a warm-up read of a
    short tune (first imports); for measure_growth."""

    def read(path: Path) -> int:
        if reader == "music21":
            import music21

            score = music21.converter.parse(str(path), format="abc", forceSource=True, storePickle=False)
            return len(score.recurse().notes)
        from muspy_like.io.abc import read_abc

        return read_abc(path).n_notes

    with tempfile.TemporaryDirectory() as folder:
        warm, path = Path(folder) / "short.abc", Path(folder) / "long.abc"
        warm.write_text(long_tune(8))
        path.write_text(long_tune(bars))
        read(warm)
        start, cpu = time.perf_counter(), time.process_time()
        notes = read(path)
        return {"notes": notes, "work_seconds": time.perf_counter() - start,
                "work_cpu_seconds": time.process_time() - cpu}


def abc_read_growth(bars: tuple[int, ...] = ABC_BARS, repeat: int = 3) -> dict[str, Any]:
    """Time and peak memory of reading one ABC tune against its number of bars (for benchmarks/scaling.py)."""
    return measure_growth("benchmarks.datasets:abc_read_work", bars, repeat=repeat)


# -- a corpus of many small real MIDI files -----------------------------------------------------------------


def real_midi_sources() -> list[Path]:
    """Real MIDI files: those shipped inside music21 and miditoolkit, MusPy's test files, mahler.mid."""
    import importlib.util

    found = []
    for package in ("music21", "miditoolkit"):
        spec = importlib.util.find_spec(package)
        for folder in spec.submodule_search_locations or [] if spec else []:
            found += sorted(Path(folder).rglob("*.mid"))
    found += sorted((SHARED_DIR / "muspy_testdata" / "midi").glob("*.mid"))
    found.append(SHARED_DIR / "bench" / "mahler.mid")
    return found


def _excerpts(path: Path) -> list[Any]:
    """Excerpts of a real file: 8 bars (32 quarters) starting at every bar (4 quarters), each from tick 0."""
    import muspy_like as ml
    from muspy_like import Music, NoteArray, Tempo, TimeSignature, Track

    try:
        music = ml.read(path)
    except ml.MuspyLikeError:
        return []  # MusPy's deliberately broken test files
    span, step = EXCERPT_QUARTERS * music.resolution, 4 * music.resolution
    columns = [(track, track.notes.columns()) for track in music.tracks]
    pieces = []
    for start in range(0, max(music.get_end_time() - span // 2, 1), step):
        tracks = []
        for track, notes in columns:
            keep = (notes["time"] >= start) & (notes["time"] < start + span)
            if keep.any():
                time_ = notes["time"][keep] - start
                tracks.append(Track(program=track.program, is_drum=track.is_drum, name=track.name,
                                    notes=NoteArray.from_columns(
                                        time=time_, pitch=notes["pitch"][keep], velocity=notes["velocity"][keep],
                                        duration=np.minimum(notes["duration"][keep], span - time_))))
        if not tracks:
            continue
        tempos = [t for t in music.tempos if t.time <= start]
        meters = [t for t in music.time_signatures if t.time <= start]
        pieces.append(Music(
            resolution=music.resolution, tracks=tracks,
            tempos=[Tempo(0, tempos[-1].qpm)] if tempos else [],
            time_signatures=[TimeSignature(0, meters[-1].numerator, meters[-1].denominator)] if meters else []))
    return pieces


def _write_variants(job: tuple[str, str, int, int, int]) -> int:
    """Write files ``first``, ``first + step``, ... below ``n``: transposed excerpts of one source (a worker)."""
    source, folder, first, step, n = job
    excerpts = _excerpts(Path(source))
    for number in range(first, n, step):
        excerpt = excerpts[(number // step) % len(excerpts)].copy()
        semitones = (number // step // len(excerpts)) % 12 - 6
        for track in excerpt.tracks:
            if not track.is_drum:
                track.notes.pitch = np.clip(track.notes.pitch + semitones, 0, 127)
        excerpt.write(Path(folder) / f"{number // 1000:03d}" / f"{number:06d}.mid")
    return len(range(first, n, step))


def generate_corpus(folder: Path, n: int, n_jobs: int = 2) -> Path:
    """Write ``n`` small MIDI files into ``folder`` (1,000 per sub-folder), cut and transposed from real files.

    File ``k`` is an excerpt of source ``k % S`` (S sources with notes), transposed by one of 12 intervals
    from -6 to +5 semitones (drums are not transposed). Reuses ``folder`` if it already holds ``n`` files.
    """
    from muspy_like.parallel import parallel_map

    folder = Path(folder)
    if folder.is_dir() and sum(1 for _ in folder.rglob("*.mid")) == n:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    for sub in range((n + 999) // 1000):
        (folder / f"{sub:03d}").mkdir(parents=True, exist_ok=True)
    usable = [str(p) for p in real_midi_sources() if _excerpts(p)]
    jobs = [(source, str(folder), k, len(usable), n) for k, source in enumerate(usable)]
    parallel_map(_write_variants, jobs, n_jobs=n_jobs, progress=False).raise_if_failed()
    return folder


# -- conversion against the size of the corpus ------------------------------------------------------------


def warm_worker(path: str) -> None:
    """Import what the work needs and read one piece, in a worker (first imports are set-up, not work)."""
    import muspy_like.datasets.cache  # noqa: F401
    import muspy_like.statistics.table  # noqa: F401
    from muspy_like.statistics import compute_statistics

    compute_statistics([path], progress=False)


def conversion_work(size: int, folder: str, n_jobs: int = 1, dask_workers: int = 0,
                    keep_in: Optional[str] = None) -> dict[str, Any]:
    """Convert the first ``size`` files of ``folder`` into a fresh cache (for measure_growth).

    ``dask_workers > 0`` runs on a dask.distributed LocalCluster of that many worker processes. With
    ``keep_in``, the cache is made in that folder and left there (the caller removes it after the last
    measurement: see :mod:`benchmarks.dask_speedup` on deleting files between timed runs).
    """
    from muspy_like.datasets import FolderDataset, convert

    dataset = FolderDataset(folder)[:size]
    place = tempfile.TemporaryDirectory() if keep_in is None else contextlib.nullcontext(
        tempfile.mkdtemp(dir=keep_in, prefix=f"cache-{size}-"))
    with place as cache, tempfile.TemporaryDirectory() as warm:
        # Timed after a warm-up conversion of 2 pieces where the work runs: first imports (and the
        # cluster's start) are set-up, not work.
        if dask_workers:
            import distributed

            with distributed.LocalCluster(n_workers=dask_workers, threads_per_worker=1, processes=True,
                                          dashboard_address=None) as cluster, distributed.Client(cluster) as client:
                executor = client.get_executor()
                client.run(warm_worker, dataset.pieces[0].path)  # every worker, not whichever got the tasks
                convert(dataset[:2 * dask_workers], warm, executor=executor, chunksize=1, progress=False)
                start = time.perf_counter()
                report = dataset.convert(cache, executor=executor, progress=False)
                seconds = time.perf_counter() - start
        else:
            dataset[:2].convert(warm, n_jobs=1, progress=False)
            start = time.perf_counter()
            report = dataset.convert(cache, n_jobs=n_jobs, progress=False)
            seconds = time.perf_counter() - start
    if not report.ok:
        raise RuntimeError(f"conversion failed: {report.failures[0].summary()}")
    return {"converted": report.converted, "work_seconds": seconds}


def corpus_sizes(largest: int) -> list[int]:
    """Five sizes from ``largest / 16`` to ``largest``, doubling."""
    return [largest // 16 * 2**k for k in range(5)]


def conversion_growth(folder: Optional[Path] = None, largest: int = 100_000, n_jobs: int = 1) -> dict[str, Any]:
    """Time and peak memory of converting N/16 .. N generated MIDI files (for benchmarks/scaling.py)."""
    folder = generate_corpus(folder or Path(tempfile.gettempdir()) / "muspy-like-corpus", largest)
    scratch = tempfile.mkdtemp(prefix="muspy-like-conversion-growth-")
    try:
        return measure_growth("benchmarks.datasets:conversion_work", corpus_sizes(largest), folder=str(folder),
                              n_jobs=n_jobs, keep_in=scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def dask_speedup(folder: Path, size: int, rounds: int = 3) -> dict[str, Any]:
    """Conversion of ``size`` files: one process against a LocalCluster of 2 worker processes (target >= 1.6x).

    Interleaved rounds, best of ``rounds`` for each (see :mod:`benchmarks.dask_speedup`).
    """
    from benchmarks.dask_speedup import dask_speedup as compare

    return compare("conversion", folder, size, rounds)


# -- music21's whole corpus ----------------------------------------------------------------------------------


def music21_corpus_conversion(n_jobs: int = 2) -> dict[str, Any]:
    """``datasets convert music21 -j 2``: wall time, counts per format, every failure."""
    import resource

    dataset = Music21Dataset()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as cache:
        report = dataset.convert(cache, n_jobs=n_jobs, progress=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time of the workers: on a busy machine the wall time says how busy it was; this does not.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    kinds: dict[str, int] = {}
    for piece in dataset.pieces:
        kind = Path(piece.path).suffix.lstrip(".")
        kinds[kind] = kinds.get(kind, 0) + 1
    failures = [{"source": label, "error": f.exception_type, "message": f.message}
                for label, f in zip(report.sources, report.failures)]
    return {"pieces": len(dataset), "per_format": kinds, "converted": report.converted, "seconds": report.seconds,
            "worker_cpu_seconds": cpu, "n_jobs": n_jobs, "failures": failures}


def bach_conversion(step: int = 1) -> dict[str, Any]:
    """Conversion with 1 and 2 jobs, then cache loading against parsing, on the Bach scores (sections 1-2)."""
    from muspy_like.parallel import parallel_map

    control = {j: timed(lambda: parallel_map(spin, [300_000] * 64, n_jobs=j, progress=False)) for j in (1, 2)}
    dataset = Music21Dataset("bach", extensions=[".mxl", ".xml", ".musicxml"])[::step]
    work = Path(tempfile.mkdtemp(prefix="muspy-like-bench-"))
    try:
        conversion = {}
        for n_jobs in (1, 2):
            report = dataset.convert(work / f"cache-{n_jobs}", n_jobs=n_jobs, progress=False)
            conversion[n_jobs] = report.seconds
            print(f"convert n_jobs={n_jobs}: {report.summary()}")
        cached = CachedDataset(work / "cache-1")
        load_all(cached)  # warm the file-system cache for both sides: only decoding is compared
        load_all(dataset)
        seconds = {
            "cache": min(timed(lambda: load_all(cached)) for _ in range(3)),
            "parse": min(timed(lambda: load_all(dataset)) for _ in range(2)),
            "json": timed(lambda: [cached.read_json(i) for i in range(len(cached))]),
        }
        sample = dataset.pieces[:: max(1, len(dataset) // 20)]
        import music21

        music21_seconds = timed(lambda: [music21.converter.parse(p.path, forceSource=True) for p in sample])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rate = {key: len(dataset) / value for key, value in seconds.items()}
    rate["music21"] = len(sample) / music21_seconds
    return {"n": len(dataset), "cached": len(cached), "sample": len(sample), "step": step, "control_seconds": control,
            "conversion_seconds": conversion, "load_seconds": seconds, "files_per_second": rate}


def _bach_table(bach: dict[str, Any]) -> str:
    n, control, conversion, seconds, rate = (bach[k] for k in ("n", "control_seconds", "conversion_seconds",
                                                                "load_seconds", "files_per_second"))
    speedup, load_ratio = conversion[1] / conversion[2], seconds["parse"] / seconds["cache"]
    rows = [
        ["control: CPU loop, n_jobs=2 vs 1", 64, control[2], 64 / control[2], f"{control[1] / control[2]:.2f}x", ""],
        ["convert, n_jobs=1", n, conversion[1], n / conversion[1], "1.00x", ""],
        ["convert, n_jobs=2", n, conversion[2], n / conversion[2], f"{speedup:.2f}x", ">= 1.6x"],
        ["load cache (CachedDataset)", bach["cached"], seconds["cache"], rate["cache"], f"{load_ratio:.1f}x", ">= 20x"],
        ["load native JSON copies", bach["cached"], seconds["json"], rate["json"],
         f"{seconds['parse'] / seconds['json']:.1f}x", ""],
        ["parse sources (muspy_like MusicXML)", n, seconds["parse"], rate["parse"], "1.00x", ""],
        ["parse sources (music21, sample)", bach["sample"], bach["sample"] / rate["music21"], rate["music21"],
         f"{rate['music21'] / rate['parse']:.2f}x", ""],
    ]
    return markdown_table(["task", "files", "seconds", "files/s", "ratio", "target"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", type=int, default=1, help="take every STEP-th score (default: all)")
    parser.add_argument("--pieces", type=int, default=100_000, help="largest generated corpus (default 100000)")
    parser.add_argument("--skip-corpus", action="store_true", help="skip the conversion of music21's whole corpus")
    parser.add_argument("--skip-growth", action="store_true", help="skip the growth measurements")
    args = parser.parse_args()

    bach = bach_conversion(args.step)
    table = _bach_table(bach)
    extra: dict[str, Any] = {}
    if not args.skip_corpus:
        extra["music21_corpus"] = corpus = music21_corpus_conversion()
        table += "\n\n" + _corpus_text(corpus)
    if not args.skip_growth:
        extra.update(_growth_sections(args.pieces))
        table += "\n\n" + _growth_text(extra)
    print(table)
    conversion, seconds = bach["conversion_seconds"], bach["load_seconds"]
    payload = {
        "benchmark": "datasets",
        "corpus": f"music21 corpus, bach, MusicXML ({bach['n']} scores, step {args.step})",
        **bach,
        "control_speedup": bach["control_seconds"][1] / bach["control_seconds"][2],
        "conversion_speedup": conversion[1] / conversion[2],
        "cache_vs_parse": seconds["parse"] / seconds["cache"],
        "targets": {"conversion_speedup": 1.6, "cache_vs_parse": 20, "growth_exponent": 1.1,
                    "music21_corpus_seconds": 900, "dask_speedup": 1.6},
        "machine": machine_info(PEERS),
        **extra,
    }
    save_results("datasets", payload, table)


def _corpus_text(corpus: dict[str, Any]) -> str:
    formats = ", ".join(f"{count} {kind}" for kind, count in sorted(corpus["per_format"].items()))
    verdict = "met" if corpus["seconds"] <= 900 else "MISSED"
    lines = [
        f"music21's whole corpus (`muspy-like datasets convert music21 -j 2`): {corpus['pieces']} pieces "
        f"({formats}); {corpus['converted']} converted in {corpus['seconds']:.0f} s (target <= 900 s: {verdict}; "
        f"the workers used {corpus['worker_cpu_seconds']:.0f} s of CPU, {corpus['worker_cpu_seconds'] / 2:.0f} s "
        f"per core); {len(corpus['failures'])} failed" + (":" if corpus["failures"] else "."),
    ]
    lines += [f"- {f['source']}: {f['error']}: {f['message'][:300]}" for f in corpus["failures"]]
    return "\n".join(lines)


def _growth_sections(largest: int) -> dict[str, Any]:
    folder = Path(tempfile.gettempdir()) / "muspy-like-corpus"
    print("ABC read against the number of bars...")
    abc = abc_read_growth()
    music21_abc = measure_growth("benchmarks.datasets:abc_read_work",
                                 [b for b in ABC_BARS if b <= MUSIC21_MAX_BARS], reader="music21")
    print(f"Generating {largest} small MIDI files from real ones...")
    generate_corpus(folder, largest)
    print("Conversion against the size of the corpus...")
    conversion = conversion_growth(folder, largest)
    print("One process against a dask LocalCluster of 2 workers...")
    dask = dask_speedup(folder, corpus_sizes(largest)[2])
    return {"abc_read_growth": abc, "music21_abc_read": music21_abc, "conversion_growth": conversion,
            "dask": dask}


def _growth_text(extra: dict[str, Any]) -> str:
    music21_rows = ", ".join(f"{row['size']} bars {row['seconds']:.1f} s" for row in extra["music21_abc_read"]["rows"])
    ours = {row["size"]: row["seconds"] for row in extra["abc_read_growth"]["rows"]}
    ratios = ", ".join(f"{row['seconds'] / ours[row['size']]:.0f}x at {row['size']} bars"
                       for row in extra["music21_abc_read"]["rows"])
    dask = extra["dask"]
    verdict = "met" if dask["speedup"] >= 1.6 else "MISSED"
    return "\n\n".join([
        growth_table("ABC read against the length of one tune (`read_abc`):", "bars", extra["abc_read_growth"]),
        f"music21's parse of the same tunes: {music21_rows} (growth exponent "
        f"{extra['music21_abc_read']['time_exponent']:.2f}); muspy_like is {ratios} faster.",
        growth_table("Dataset conversion (`Dataset.convert`, one process) against the number of generated MIDI "
                     "files:", "files", extra["conversion_growth"]),
        f"Conversion of {dask['size']} files: one process {dask['one_process_s']:.1f} s, dask LocalCluster of 2 "
        f"worker processes {dask['dask_2_workers_s']:.1f} s: {dask['speedup']:.2f}x (target >= 1.6x: {verdict}).",
    ])


if __name__ == "__main__":
    main()
