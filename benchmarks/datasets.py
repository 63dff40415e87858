"""Dataset conversion on music21's Bach corpus: parallel speed-up, and cache loading vs parsing (issue 4).

1. **Conversion speed-up.** :meth:`Dataset.convert` of every MusicXML score of ``music21.corpus``'s Bach
   collection (read by muspy_like's MusicXML reader, written as native JSON plus the column-wise cache)
   with ``n_jobs=1`` and ``n_jobs=2`` (worker processes). Target: >= 1.6x on 2 cores.
2. **Cache loading.** Loading every converted piece from the cache (:class:`CachedDataset`) against
   parsing every source file again (muspy_like's reader) and, for reference, against loading the native
   JSON copies and against music21's own parser on a sample. Target: >= 20x; reported in files/s.

A control runs first: :func:`muspy_like.parallel.parallel_map` of a pure-Python loop with ``n_jobs=1``
and ``2``. It shows the speed-up the machine can give at that moment (on a shared machine whose cores are
busy it is near 1x, and so is every other speed-up).

Usage: ``python -m benchmarks.datasets [--step K]`` (``K > 1`` takes every K-th score, for a quick run).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.harness import machine_info, markdown_table, save_results
from muspy_like.datasets import CachedDataset, Music21Dataset

PEERS = ["music21", "numpy"]


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", type=int, default=1, help="take every STEP-th score (default: all)")
    args = parser.parse_args()

    from muspy_like.parallel import parallel_map

    control = {j: timed(lambda: parallel_map(spin, [300_000] * 64, n_jobs=j, progress=False)) for j in (1, 2)}
    dataset = Music21Dataset("bach", extensions=[".mxl", ".xml", ".musicxml"])[:: args.step]
    n = len(dataset)
    work = Path(tempfile.mkdtemp(prefix="muspy-like-bench-"))
    try:
        conversion = {}
        for n_jobs in (1, 2):
            target = work / f"cache-{n_jobs}"
            report = dataset.convert(target, n_jobs=n_jobs, progress=False)
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
        sample = dataset.pieces[:: max(1, n // 20)]
        import music21

        music21_seconds = timed(lambda: [music21.converter.parse(p.path, forceSource=True) for p in sample])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    speedup = conversion[1] / conversion[2]
    load_ratio = seconds["parse"] / seconds["cache"]
    rate = {key: n / value for key, value in seconds.items()}
    rate["music21"] = len(sample) / music21_seconds
    rows = [
        ["control: CPU loop, n_jobs=2 vs 1", 64, control[2], 64 / control[2], f"{control[1] / control[2]:.2f}x", ""],
        ["convert, n_jobs=1", n, conversion[1], n / conversion[1], "1.00x", ""],
        ["convert, n_jobs=2", n, conversion[2], n / conversion[2], f"{speedup:.2f}x", ">= 1.6x"],
        ["load cache (CachedDataset)", len(cached), seconds["cache"], rate["cache"], f"{load_ratio:.1f}x", ">= 20x"],
        ["load native JSON copies", len(cached), seconds["json"], rate["json"],
         f"{seconds['parse'] / seconds['json']:.1f}x", ""],
        ["parse sources (muspy_like MusicXML)", n, seconds["parse"], rate["parse"], "1.00x", ""],
        ["parse sources (music21, sample)", len(sample), music21_seconds, rate["music21"],
         f"{rate['music21'] / rate['parse']:.2f}x", ""],
    ]
    table = markdown_table(["task", "files", "seconds", "files/s", "ratio", "target"], rows)
    print(table)
    payload = {
        "benchmark": "datasets",
        "corpus": f"music21 corpus, bach, MusicXML ({n} scores, step {args.step})",
        "control_seconds": control,
        "control_speedup": control[1] / control[2],
        "conversion_seconds": conversion,
        "conversion_speedup": speedup,
        "load_seconds": seconds,
        "files_per_second": rate,
        "cache_vs_parse": load_ratio,
        "targets": {"conversion_speedup": 1.6, "cache_vs_parse": 20},
        "machine": machine_info(PEERS),
    }
    save_results("datasets", payload, table)


if __name__ == "__main__":
    main()
