"""Run every benchmark and collect one markdown page of ratios: ``python -m benchmarks``.

Each benchmark runs in its own interpreter (so one's memory and imports do not affect another) and writes
``benchmarks/results/NAME.md``/``.json``. This entry point gathers the tables, with the machine and the
versions they ran on, into ``benchmarks/results/SUMMARY.md`` and the documentation's benchmark page.

Usage: ``python -m benchmarks [NAME ...] [--no-docs] [--collect]``; names default to all of
:data:`BENCHMARKS`. ``--collect`` runs nothing and only gathers the tables already saved (for benchmarks run
one by one, e.g. the parallel-scaling ones on an otherwise idle machine).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.harness import RESULTS_DIR, machine_info

#: name -> what it measures (module ``benchmarks.NAME``).
BENCHMARKS = {
    "scaling": "Cost against the size of the work on every long path, with growth exponents (issue 11)",
    "import_time": "Start-up cost of `import muspy_like` (issue 2)",
    "midi_io": "MIDI read/write speed and memory vs mido, pretty_midi, miditoolkit, symusic, muspy (issue 2)",
    "formats": "MusicXML read speed vs music21 and partitura on a broad corpus; growth with size (issues 3, 11)",
    "representations": "Representation encode/decode vs muspy (issue 3)",
    "pickling": "Pickle and copy cost of a piece vs symusic, pretty_midi, muspy (issue 2)",
    "datasets": "Parallel conversion speed-up and cache loading (issue 4)",
    "dask_speedup": "Conversion and statistics on a dask LocalCluster of 2 workers against one process (issue 11)",
    "statistics": "Metrics vs muspy, parallel dataset statistics (issue 5)",
    "separation": "Part-separation baselines on Bach chorales vs the paper (issue 6)",
    "separation_datasets": "Part separation on music21's string quartets vs the paper; streamed dataset builds (issue 16)",
    "sequence_models": "The paper's LSTM, BiLSTM and Transformer separators on Bach chorales (issue 17; hours on a CPU)",
    "watermark": "Rendering speed and echo-watermark robustness (issue 7)",
    "size_caps": "The real files the size caps were sized against; what a decompression bomb costs (issue 13)",
    "compat": "Our own API before and after the MusPy compatibility layer (issue 14)",
    "rendering": "Rendering and watermarking mahler.mid in blocks: speed, memory, growth with length (issue 11)",
    "watermark_audit": "Echo watermarks surviving DDSP training: audit of marked- vs clean-trained models (issue 18)",
}
PEERS = ["numpy", "mido", "symusic", "pretty_midi", "miditoolkit", "muspy", "music21", "partitura",
         "scikit-learn", "pyfluidsynth", "dask"]
DOCS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def run(name: str) -> tuple[bool, float]:
    """Run one benchmark in a fresh interpreter; return (succeeded, seconds)."""
    start = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], cwd=Path(__file__).resolve().parents[1])
    return completed.returncode == 0, time.perf_counter() - start


def summary(names: list[str], outcomes: dict[str, tuple[bool, float]]) -> str:
    """The markdown page: machine, versions, then each benchmark's table."""
    info = machine_info(PEERS)
    lines = [
        "# Benchmarks",
        "",
        "Each table below was measured by one benchmark script (`python -m benchmarks` runs them all, or",
        "`python -m benchmarks NAME` one of them) on the machine described here. Within a table muspy_like and",
        "its peers ran on the same inputs in the same run, so the ratios are what to read (absolute times",
        "depend on the machine). The parallel-scaling figures need two idle cores; each of those tables",
        "records a busy-loop control showing how much scaling the machine allowed during the run.",
        "",
        f"- Python {info['python']} on {info['platform']}, {info['cpu_count']} CPU cores ({info['processor']})",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()),
        "",
    ]
    for name in names:
        ok, seconds = outcomes.get(name, (False, 0.0))
        lines += [f"## {name}: {BENCHMARKS[name]}", ""]
        table = RESULTS_DIR / f"{name}.md"
        if ok and table.exists():
            lines += [table.read_text().strip(), ""]
            if seconds:
                lines += [f"_(ran in {seconds:.0f} s)_", ""]
        else:
            lines += ["This benchmark failed in this run; see its output.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks to run, among {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--collect", action="store_true", help="run nothing; gather the saved tables")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(unknown)}")
    names = args.names or list(BENCHMARKS)
    outcomes = {}
    for name in names:
        if args.collect:
            outcomes[name] = ((RESULTS_DIR / f"{name}.md").exists(), 0.0)
            continue
        print(f"== benchmarks.{name}", flush=True)
        outcomes[name] = run(name)
    page = summary(names, outcomes)
    (RESULTS_DIR / "SUMMARY.md").write_text(page + "\n")
    if not args.no_docs:
        DOCS_PAGE.write_text(page + "\n")
    failed = [name for name, (ok, _) in outcomes.items() if not ok]
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
