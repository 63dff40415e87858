"""Small shared helpers for the benchmark scripts: timing, peer versions, result tables.

Every benchmark measures muspy_like and its peers in the same run on the same inputs and reports ratios,
never absolute targets, because absolute figures depend on the machine.
"""

from __future__ import annotations

import gc
import importlib.metadata
import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any, Callable, Iterable

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"


def best_time(func: Callable[[], Any], repeat: int = 3, number: int = 1) -> float:
    """Best wall time in seconds of ``number`` calls of ``func``, over ``repeat`` rounds (GC disabled)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            for _ in range(number):
                func()
            times.append((time.perf_counter() - start) / number)
        finally:
            gc.enable()
    return min(times)


def interleaved_best(funcs: dict[str, Callable[[Any], Any]], items: list[Any], rounds: int,
                     seed: int = 0) -> dict[str, list[float]]:
    """Best wall time in seconds of each function on each item, the functions interleaved.

    In every round each item is processed by every function, in an order shuffled per item (seeded), so
    that a slow spell of a shared machine hits all of them alike; each (function, item) keeps its best
    time over the rounds. Sums of these per-item bests are much steadier than best passes over a whole
    corpus, which is what makes ratios between libraries reproducible. GC is disabled while timing.

    Times are the process's CPU time (``time.process_time``): on a quiet machine the same as wall time
    for single-threaded work, and on a shared one free of the time the process waits for a core, which
    would otherwise inflate long calls (tens of milliseconds, likely to be preempted) more than short
    ones and bias ratios. A function that runs threads would be charged for all of them.
    """
    import random

    rng = random.Random(seed)
    names = list(funcs)
    best = {name: [float("inf")] * len(items) for name in names}
    for _ in range(rounds):
        for index, item in enumerate(items):
            rng.shuffle(names)
            for name in names:
                gc.disable()
                try:
                    start = time.process_time()
                    funcs[name](item)
                    elapsed = time.process_time() - start
                finally:
                    gc.enable()
                if elapsed < best[name][index]:
                    best[name][index] = elapsed
    return best


def median_time(func: Callable[[], Any], repeat: int = 5) -> float:
    """Median wall time in seconds of one call of ``func`` over ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def version_of(package: str) -> str:
    """Installed version of a distribution, or ``"not installed"``."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_info(packages: Iterable[str] = ()) -> dict[str, Any]:
    """Machine, Python and package versions, recorded next to every result."""
    import os

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "versions": {name: version_of(name) for name in ["muspy_like", *packages]},
    }


def markdown_table(headers: list[str], rows: list[list[Any]]) -> str:
    """A GitHub-flavoured markdown table."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
        return str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def save_results(name: str, payload: dict[str, Any], table: str) -> Path:
    """Write ``results/NAME.json`` (figures plus machine info) and ``results/NAME.md`` (the table)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    json_path = RESULTS_DIR / f"{name}.json"
    json_path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    (RESULTS_DIR / f"{name}.md").write_text(table + "\n")
    return json_path
