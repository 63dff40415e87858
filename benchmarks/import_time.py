"""Start-up cost: ``import muspy_like`` against the peers' imports, each in a fresh interpreter.

Target (issue 2): ``python -c "import muspy_like"`` under 0.25 s, numpy and the standard library only.
"""

from __future__ import annotations

import subprocess
import sys
import time

from benchmarks.harness import machine_info, markdown_table, save_results

MODULES = ["muspy_like", "numpy", "mido", "symusic", "pretty_midi", "miditoolkit", "muspy", "music21"]


def import_seconds(module: str, repeat: int = 5) -> float:
    """Best wall time of a fresh interpreter importing ``module``, minus a bare interpreter's start-up."""

    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        return time.perf_counter() - start

    bare = min(run("pass") for _ in range(repeat))
    return max(min(run(f"import {module}") for _ in range(repeat)) - bare, 0.0)


def main() -> dict:
    rows, figures = [], {}
    for module in MODULES:
        try:
            seconds = import_seconds(module)
        except subprocess.CalledProcessError:
            rows.append([module, "not importable", ""])
            continue
        figures[module] = seconds
    ours = figures["muspy_like"]
    for module, seconds in figures.items():
        rows.append([module, f"{seconds * 1000:.0f} ms", f"{seconds / ours:.1f}x" if module != "muspy_like" else "1x"])
    table = markdown_table(["import", "time above bare interpreter", "vs muspy_like"], rows)
    verdict = "met" if ours < 0.25 else "MISSED"
    table += f"\n\nTarget: import muspy_like under 250 ms: {verdict} ({ours * 1000:.0f} ms)."
    save_results("import_time", {"seconds": figures, "target_met": ours < 0.25, "machine": machine_info(MODULES[1:])}, table)
    print(table)
    return figures


if __name__ == "__main__":
    main()
