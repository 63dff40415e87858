"""Our own API before and after the MusPy compatibility layer (issue 14): no slowdown allowed.

The layer adds mixin base classes to the core classes (MusPy's object methods), a list facade on
``Track`` and new top-level names. This benchmark runs one workload of our own API in fresh interpreters
on three builds, interleaved, best of R rounds:

* **before**: the package at the git revision just before the layer (``--baseline``; default: the parent
  of the commit that added ``muspy_like/compat``), exported to a temporary folder;
* **after**: this checkout;
* **after, layer loaded**: this checkout, with MusPy's module paths and names imported first.

Workload (``shared/bench/mahler.mid``, 51 tracks, 60k notes; and a Bach chorale): ``import muspy_like``;
read the MIDI file; touch every note through its view (``for note in track.notes``); transpose and adjust
the resolution of a copy; encode event tokens and a piano roll (``muspy_like.representations``); all
per-piece metrics (``muspy_like.metrics.compute_metrics``); validate; pickle round trip. Ratios
after/before near 1 mean no slowdown.

Usage: ``python -m benchmarks.compat [--repeat R] [--rounds N] [--baseline REV]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

from benchmarks.harness import SHARED_DIR, machine_info, markdown_table, save_results

REPO = Path(__file__).resolve().parents[1]
MAHLER = SHARED_DIR / "bench" / "mahler.mid"

#: Python run in each fresh interpreter: the workload, best of ``repeat`` per task, printed as JSON.
WORKLOAD = r"""
import json, pickle, sys, time
start = time.perf_counter()
import muspy_like as ml
import_s = time.perf_counter() - start
if sys.argv[2] == "load-layer":
    import muspy_like.inputs, muspy_like.outputs, muspy_like.utils  # MusPy's module paths
    [getattr(ml, name) for name in ("to_pitch_representation", "JSBChoralesDataset", "validate_json", "synthesize")]
from muspy_like.metrics import compute_metrics
from muspy_like.representations import to_event_representation, to_pianoroll_representation
from music21 import corpus
repeat, path = int(sys.argv[1]), sys.argv[3]
chorale = str(sorted(p for p in corpus.getComposer("bach") if p.suffix == ".mxl")[0])

def best(func):
    times = []
    for _ in range(repeat):
        t = time.perf_counter(); func(); times.append(time.perf_counter() - t)
    return min(times)

music = ml.io.read(path)
def touch():
    total = 0
    for track in music.tracks:
        for note in track.notes:
            total += note.pitch + note.duration
    return total
results = {
    "import muspy_like": import_s,
    "read MIDI (Mahler)": best(lambda: ml.io.read(path)),
    "read MusicXML (chorale)": best(lambda: ml.io.read(chorale)),
    "every note through its view": best(touch),
    "transpose + adjust_resolution": best(lambda: music.copy().transpose(2).adjust_resolution(96)),
    "event tokens": best(lambda: to_event_representation(music, resolution=12)),
    "piano roll": best(lambda: to_pianoroll_representation(music, resolution=12)),
    "all metrics": best(lambda: compute_metrics(music)),
    "validate": best(music.validate),
    "pickle round trip": best(lambda: pickle.loads(pickle.dumps(music, protocol=5))),
}
print(json.dumps(results))
"""


def baseline_revision() -> str:
    """The parent of the first commit that added ``muspy_like/compat``."""
    added = subprocess.run(["git", "log", "--diff-filter=A", "--format=%H", "--", "muspy_like/compat/__init__.py"],
                           cwd=REPO, check=True, capture_output=True, text=True).stdout.split()
    if not added:
        raise SystemExit("no commit adds muspy_like/compat; pass --baseline REV")
    return added[-1] + "^"


def export(revision: str, folder: str) -> None:
    """Write the package as it was at ``revision`` into ``folder``."""
    archive = subprocess.run(["git", "archive", revision, "muspy_like"], cwd=REPO, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")


def run_workload(package_root: str, repeat: int, mode: str) -> dict[str, float]:
    """The workload in a fresh interpreter with ``package_root`` first on the path."""
    env = {**os.environ, "PYTHONPATH": package_root}
    completed = subprocess.run([sys.executable, "-c", WORKLOAD, str(repeat), mode, str(MAHLER)], env=env,
                               cwd=package_root, check=True, capture_output=True, text=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timings per task in one interpreter (best kept)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the three builds")
    parser.add_argument("--baseline", help="git revision before the layer (default: found from the history)")
    args = parser.parse_args()
    revision = args.baseline or baseline_revision()
    builds = {"before": None, "after": str(REPO), "after, layer loaded": str(REPO)}
    best: dict[str, dict[str, float]] = {name: {} for name in builds}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        export(revision, folder)
        builds["before"] = folder
        for _ in range(args.rounds):
            for name, root in builds.items():
                mode = "load-layer" if name == "after, layer loaded" else "plain"
                for task, seconds in run_workload(root, args.repeat, mode).items():
                    best[name][task] = min(seconds, best[name].get(task, float("inf")))
    rows = []
    for task, before in best["before"].items():
        after, loaded = best["after"][task], best["after, layer loaded"][task]
        rows.append([task, f"{before * 1000:.2f}", f"{after * 1000:.2f}", f"{loaded * 1000:.2f}",
                     f"{after / before:.2f}", f"{loaded / before:.2f}"])
    table = markdown_table(["task (our API)", "before, ms", "after, ms", "after + layer loaded, ms",
                            "after / before", "loaded / before"], rows)
    worst = max(max(best["after"][t] / b, best["after, layer loaded"][t] / b) for t, b in best["before"].items())
    table += (f"\n\nBaseline: the package at `{revision}`; best of {args.repeat} timings x {args.rounds} interleaved "
              f"rounds of fresh interpreters ({time.perf_counter() - start:.0f} s). Largest ratio: {worst:.2f}.")
    save_results("compat", {"baseline": revision, "seconds": best, "worst_ratio": worst,
                            "machine": machine_info(["music21"])}, table)
    print(table)
    return best


if __name__ == "__main__":
    main()
