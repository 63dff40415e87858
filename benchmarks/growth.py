"""Time and peak memory against the size of the work, with the fitted growth exponent.

A path of the library scales well when its cost grows in proportion to the work: time ~ size**1 and a
peak memory that does not grow with the number of pieces at all. :func:`measure_growth` runs one
measurement per size, each in a fresh interpreter (so that one size's peak memory does not hide the
next), and fits ``log(cost) = a + k log(size)`` by least squares: ``k`` is the growth exponent (target:
1.1 or less for time; for memory the exponent of the *increase* of the peak over the interpreter's
resident size before the work).

A measured function is given as ``"module:function"``; it is called with ``size`` and the keyword
arguments, does the work and returns a dict of extra figures (may be empty). When that dict holds
``work_seconds`` (the function timed its work itself, leaving out set-up such as first imports or
starting a cluster), that is the time fitted; otherwise the wall time of the call (likewise
``work_cpu_seconds`` for the CPU time). The child process
reports its resident memory before the call and its peak after it (:func:`resident_mb`), the largest peak of its
worker processes (``RUSAGE_CHILDREN``, when the work used a process pool), and the CPU time of the call
and of its finished workers: on a machine shared with other work the wall time grows with the load, the
CPU time much less, so both exponents are given.
"""

from __future__ import annotations

import importlib
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Sequence

__all__ = ["fit_exponent", "measure_growth", "growth_table"]

_ROOT = Path(__file__).resolve().parents[1]


def fit_exponent(sizes: Sequence[float], costs: Sequence[float]) -> float:
    """Least-squares slope of ``log(cost)`` against ``log(size)`` (NaN with fewer than two usable points).

    Examples
    --------
    >>> round(fit_exponent([1, 2, 4, 8], [3, 6, 12, 24]), 3)
    1.0
    """
    points = [(math.log(s), math.log(c)) for s, c in zip(sizes, costs) if s > 0 and c > 0]
    if len(points) < 2:
        return math.nan
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else math.nan


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def resident_mb(field: str = "VmHWM") -> float:
    """This process's peak (``VmHWM``) or current (``VmRSS``) resident memory in MB.

    Read from ``/proc/self/status`` where there is one: unlike ``ru_maxrss``, which Linux starts at the
    launching process's size when a child is spawned (so a child of a large benchmark process seems at
    least as large as its parent), ``VmHWM`` counts this process image alone. Elsewhere, ``ru_maxrss``.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return _peak_mb(resource.RUSAGE_SELF)


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its finished worker processes."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _child(target: str, size: int, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Run in the child interpreter: import, then time the call and read the peaks."""
    module, function = target.split(":")
    func = getattr(importlib.import_module(module), function)
    before = resident_mb("VmRSS")
    cpu = _cpu_seconds()
    start = time.perf_counter()
    extra = func(size, **kwargs) or {}
    seconds = time.perf_counter() - start
    return {
        "size": size,
        "seconds": extra.pop("work_seconds", seconds),
        "call_seconds": seconds,
        "cpu_seconds": extra.pop("work_cpu_seconds", _cpu_seconds() - cpu),
        "peak_mb": resident_mb(),
        "peak_bytes": int((resident_mb() - before) * 2**20),
        "peak_increase_mb": resident_mb() - before,
        "worker_peak_mb": _peak_mb(resource.RUSAGE_CHILDREN),
        "worker_peak_bytes": int(_peak_mb(resource.RUSAGE_CHILDREN) * 2**20),
        **extra,
    }


def measure_growth(target: str, sizes: Sequence[int], repeat: int = 1, **kwargs: Any) -> dict[str, Any]:
    """Time and peak memory of ``target(size, **kwargs)`` for each size, each run in a fresh interpreter.

    Parameters
    ----------
    target : str
        ``"module:function"``, importable from the repository root.
    sizes : sequence of int
        The sizes of the work (bars, pieces...), ideally spanning 16x or more.
    repeat : int
        Runs per size; the fastest counts (peak memory is that of the same run).
    **kwargs
        Passed to the function (JSON-serializable).

    Returns
    -------
    dict
        ``rows``: one dict per size with ``size``, ``seconds`` (the work's wall time), ``cpu_seconds``
        (this process and its finished workers), ``peak_bytes`` (peak resident memory of the measuring
        process above its size before the call, which includes what the call imports; as in
        ``benchmarks.formats``; also ``peak_increase_mb``),
        ``peak_mb`` (its whole peak),
        ``worker_peak_bytes`` (the largest worker process, 0 without workers) and the function's own
        figures. Then ``time_exponent``, ``cpu_exponent`` and ``memory_exponent`` (of the peak increase).
    """
    rows = []
    for size in sizes:
        runs = []
        for _ in range(repeat):
            code = (
                "import json, sys; from benchmarks.growth import _child; "
                f"print('GROWTH ' + json.dumps(_child({target!r}, {int(size)}, json.loads(sys.argv[1]))))"
            )
            completed = subprocess.run(
                [sys.executable, "-c", code, json.dumps(kwargs)], cwd=_ROOT, capture_output=True, text=True
            )
            lines = [line for line in completed.stdout.splitlines() if line.startswith("GROWTH ")]
            if completed.returncode != 0 or not lines:
                raise RuntimeError(f"{target}({size}) failed:\n{completed.stderr[-3000:]}")
            runs.append(json.loads(lines[-1][len("GROWTH "):]))
        rows.append(min(runs, key=lambda row: row["seconds"]))
        print(f"  {target} size {size}: {rows[-1]['seconds']:.3g} s, peak {rows[-1]['peak_mb']:.0f} MB", flush=True)
    return {
        "target": target,
        "rows": rows,
        "time_exponent": fit_exponent(sizes, [row["seconds"] for row in rows]),
        "cpu_exponent": fit_exponent(sizes, [row["cpu_seconds"] for row in rows]),
        "memory_exponent": fit_exponent(sizes, [max(row["peak_increase_mb"], 1.0) for row in rows]),
    }


def growth_table(title: str, unit: str, result: dict[str, Any]) -> str:
    """A markdown table of one path's measurements, with its exponents."""
    from benchmarks.harness import markdown_table

    rows = [
        [row["size"], row["seconds"], row["seconds"] / row["size"] * 1e3, row["cpu_seconds"], row["peak_mb"],
         row["peak_increase_mb"], row["worker_peak_mb"]]
        for row in result["rows"]
    ]
    table = markdown_table(
        [unit, "seconds", f"ms per {unit.rstrip('s')}", "CPU seconds", "peak MB", "peak increase MB",
         "worker peak MB"], rows
    )
    verdict = "met" if result["time_exponent"] <= 1.1 else "MISSED"
    return (
        f"{title}\n\n{table}\n\nGrowth exponent: time {result['time_exponent']:.2f} (target <= 1.1: {verdict}), "
        f"CPU time {result['cpu_exponent']:.2f}, peak memory increase {result['memory_exponent']:.2f}."
    )
