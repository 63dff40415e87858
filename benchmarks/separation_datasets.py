"""Part-separation datasets: the offline string quartets against the paper's String column, build speed,
and the bounded memory of streamed builds.

Run with ``python -m benchmarks.separation_datasets [--splits 10] [--sizes 250 500 1000 2000]``. Writes
``results/separation_datasets.json`` and ``.md``:

* building ``quartets-music21`` from music21's corpus, cold, with 1 and 2 worker processes (target: under
  a minute on 2 cores);
* the four heuristics fitted and scored on all its pieces (target: under 30 s together) and the MLP's
  training on its fixed split (target: under 5 minutes);
* every baseline on it, fixed split and mean +/- sd over random 8:1:1 splits, beside the paper's String
  column (MusicNet's quartets);
* streamed builds of Lakh-MIDI-like corpora of growing size (real chorale voices on pop programs, in the
  lmd_matched layout), each in a fresh interpreter with 2 workers: time and peak memory against the number
  of songs, with the fitted growth exponent (memory should not grow with the corpus: about 0), next to
  the same corpus read into a list of ``Music`` objects first (what a build must not do; about 1).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.growth import fit_exponent
from benchmarks.harness import best_time, machine_info, markdown_table, save_results

HEURISTICS = ("zone", "zone-oracle", "closest-pitch", "closest-pitch-mono")
ROOT = Path(__file__).resolve().parents[1]


def time_builds(cache: Path) -> dict[str, float]:
    """Seconds to build quartets-music21 from the corpus, cold, with 1 and 2 workers (best of 2)."""
    from muspy_like.separation import build_dataset

    return {f"{jobs} worker(s)": best_time(lambda j=jobs: build_dataset("quartets-music21", cache_dir=cache, n_jobs=j),
                                           repeat=2) for jobs in (1, 2)}


def time_heuristics(dataset) -> dict[str, float]:
    """Seconds to fit and score each heuristic on every piece (best of 3)."""
    from muspy_like.separation import evaluate, make_estimator

    def run(method: str) -> None:
        model = make_estimator(method).fit(dataset.notes, dataset.labels)
        evaluate(model, dataset.notes, dataset.labels)

    return {method: best_time(lambda m=method: run(m), repeat=3) for method in HEURISTICS}


def time_mlp(dataset) -> dict[str, float]:
    """Seconds to train the MLP on the fixed split, its epochs and training notes."""
    from muspy_like.separation import MLPSeparator

    split = dataset.fixed_split()
    train, valid = dataset.subset(split.train), dataset.subset(split.valid)
    start = time.perf_counter()
    model = MLPSeparator().fit(train.notes, train.labels, validation=(valid.notes, valid.labels))
    return {"seconds": time.perf_counter() - start, "epochs": model.n_epochs_, "training_notes": train.n_notes}


# -- streamed builds of growing corpora --------------------------------------------------------------
def make_pop_corpus(folder: Path, n_songs: int) -> Path:
    """``n_songs`` songs in the lmd_matched layout (8 chorales in a row, on pop programs, with drums) and
    LPD's ID list; returns the folder holding both (as ``data_dir/<catalog name>/data``)."""
    from music21 import corpus

    from muspy_like import Music, Note, Tempo, Track
    from muspy_like.io.midi.writer import encode_midi
    from muspy_like.io.musicxml.reader import read_musicxml

    chorales = [read_musicxml(path) for path in sorted(corpus.getComposer("bach"))[:40] if path.suffix == ".mxl"]
    chorales = [c for c in chorales if len(c.tracks) >= 4]
    matched, ids = folder / "lmd_matched" / "data" / "lmd_matched", []
    programs = [(0, 25, 48, 33), (4, 27, 61, 34), (1, 29, 50, 32)]
    for song in range(n_songs):
        tracks = [Track(program=programs[song % 3][v], name=f"v{v}") for v in range(4)]
        tracks.append(Track(is_drum=True, name="Drums"))
        offset = 0
        for k in range(8):
            chorale = chorales[(song * 8 + k) % len(chorales)]
            scale = 480 / chorale.resolution
            for voice in range(4):
                notes = chorale.tracks[voice].notes
                rows = zip(notes.time.tolist(), notes.pitch.tolist(), notes.duration.tolist())
                tracks[voice].notes.extend(Note(offset + round(t * scale), p + song % 5, max(1, round(d * scale)))
                                           for t, p, d in rows)
            end = round(chorale.get_end_time() * scale)
            tracks[4].notes.extend(Note(offset + beat, 36, 120) for beat in range(0, end, 480))
            offset += end
        msd = f"TR{'ABCDEFGH'[song % 8]}{'ABCDEFGH'[song // 8 % 8]}{'ABCDEFGH'[song // 64 % 8]}{song:013d}"
        md5 = f"{song:032x}"
        path = matched / msd[2] / msd[3] / msd[4] / msd / f"{md5}.mid"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(encode_midi(Music(resolution=480, tempos=[Tempo(0, 110.0)], tracks=tracks)))
        ids.append(f"{md5}    {msd}\n")
    (folder / "lpd_cleansed_ids" / "data").mkdir(parents=True, exist_ok=True)
    (folder / "lpd_cleansed_ids" / "data" / "cleansed_ids.txt").write_text("".join(ids))
    return folder


_CHILD = """
import json, resource, sys, time
from pathlib import Path
folder, mode = Path(sys.argv[1]), sys.argv[2]
from muspy_like.separation.recipes import get_recipe
from muspy_like.separation.recipes.build import build_recipe
recipe = get_recipe("lmd")
folders = {name: folder / name / "data" for name in recipe.catalog}
start = time.perf_counter()
if mode == "streamed":
    report = build_recipe(recipe, folders, folder / "built", n_jobs=2)
    pieces, notes = report.pieces, report.notes
else:
    from muspy_like.io import read
    items = recipe.items(folders)
    music = [read(item.path) for item in items]
    pieces, notes = len(music), sum(m.n_notes for m in music)
seconds = time.perf_counter() - start
# VmHWM is this process's peak since exec (ru_maxrss would include the parent's memory before the exec).
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
own = int(status["VmHWM"].split()[0]) / 1024
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": own + workers, "main_mb": own, "worker_mb": workers,
                  "pieces": pieces, "notes": notes}))
"""


def measure_build(folder: Path, mode: str) -> dict:
    """Run one build (or the list-of-Music reading) in a fresh interpreter; its time and peak memory."""
    completed = subprocess.run([sys.executable, "-c", _CHILD, str(folder), mode], cwd=ROOT, capture_output=True,
                               text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def scaling(sizes: list[int]) -> dict:
    """Streamed builds and list-of-Music reads of growing corpora."""
    runs = {"streamed": [], "list": []}
    with tempfile.TemporaryDirectory(prefix="sep-scaling-") as scratch:
        for size in sizes:
            folder = make_pop_corpus(Path(scratch) / str(size), size)
            for mode in runs:
                runs[mode].append({"songs": size, **measure_build(folder, mode)})
                print(mode, runs[mode][-1], flush=True)
    return {mode: {"runs": rows,
                   "time_exponent": fit_exponent(sizes, [r["seconds"] for r in rows]),
                   "memory_exponent": fit_exponent(sizes, [r["peak_mb"] for r in rows])}
            for mode, rows in runs.items()}


# -- the report --------------------------------------------------------------------------------------
def spread_rows(results) -> list[list[str]]:
    rows = []
    for row in results.rows():
        scores = np.array(results.random.get(row["method"], []))
        low, high = np.percentile(scores, [5, 95]) if len(scores) else (float("nan"), float("nan"))
        rows.append([row["method"], f"{row['paper']:.2f}" if row["paper"] is not None else "-",
                     f"{row['fixed']:.2f}", f"{row['mean']:.2f} +/- {row['sd']:.2f}", f"{low:.2f} - {high:.2f}",
                     f"{row['seconds']:.1f}"])
    return rows


def quartets_report(measured: dict, splits: int) -> list[str]:
    """The quartet tables: every baseline beside the paper, and the timings."""
    dataset, builds, heuristics, mlp = (measured[k] for k in ("dataset", "builds", "heuristics", "mlp"))
    timing_rows = [[f"build quartets-music21, {jobs} (target < 60 s)", f"{seconds:.1f}"]
                   for jobs, seconds in builds.items()]
    timing_rows += [[f"{m}, fit + score all {len(dataset)} pieces", f"{s:.2f}"] for m, s in heuristics.items()]
    timing_rows.append(["the four heuristics together (target < 30 s)", f"{sum(heuristics.values()):.2f}"])
    timing_rows.append([f"MLP training, fixed split ({mlp['epochs']} epochs, {mlp['training_notes']:,} notes; "
                        "target < 300 s)", f"{mlp['seconds']:.1f}"])
    return [
        f"String quartets of music21's corpus (quartets-music21): {len(dataset)} pieces, {dataset.n_notes:,} "
        f"notes. Accuracy in %, fixed split (seed 0) and over {splits} random 8:1:1 splits (seeds "
        f"1-{splits}), beside the paper's String column (MusicNet's 57 quartets):",
        markdown_table(["Method", "Paper (String)", "Ours, fixed split", "Ours, mean +/- sd",
                        "5th - 95th percentile", "Time / split (s)"], spread_rows(measured["results"])),
        "Timings (seconds):",
        markdown_table(["Task", "Seconds"], timing_rows),
    ]


def scaling_report(growth: dict) -> list[str]:
    """The streamed-build tables: time and memory against the corpus size, and the growth exponents."""
    rows = []
    for mode, label in (("streamed", "streamed build, 2 workers"), ("list", "list of Music objects")):
        rows += [[label, run["songs"], f"{run['notes']:,}", f"{run['seconds']:.1f}", f"{run['peak_mb']:.0f}"]
                 for run in growth[mode]["runs"]]
    exponents = [[mode, f"{growth[mode]['time_exponent']:.2f}", f"{growth[mode]['memory_exponent']:.2f}"]
                 for mode in growth]
    return [
        "Streamed builds of Lakh-MIDI-like corpora (about 2,000 pitched notes and a drum track per song), each "
        "in a fresh interpreter; peak memory of the main process plus the largest worker (Linux VmHWM and "
        "ru_maxrss):",
        markdown_table(["How", "Songs", "Notes", "Seconds", "Peak MB"], rows),
        "Growth exponents (slope of log cost against log songs; 1 = linear, 0 = constant):",
        markdown_table(["How", "Time", "Peak memory"], exponents),
    ]


def measure_quartets(splits: int) -> dict:
    """Build times, heuristic and MLP times, and every baseline over the splits."""
    from muspy_like.separation import evaluate_baselines, load_dataset

    with tempfile.TemporaryDirectory(prefix="sep-build-") as cache:
        builds = time_builds(Path(cache))
    dataset = load_dataset("quartets-music21", n_jobs=2)
    print(f"quartets-music21: {len(dataset)} pieces, {dataset.n_notes} notes; builds {builds}", flush=True)
    heuristics = time_heuristics(dataset)
    print("heuristics:", heuristics, flush=True)
    mlp = time_mlp(dataset)
    print("MLP:", mlp, flush=True)
    results = evaluate_baselines(dataset, n_splits=splits, progress=print)
    return {"dataset": dataset, "builds": builds, "heuristics": heuristics, "mlp": mlp, "results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--splits", type=int, default=10, help="random splits for every baseline (default 10)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 2000],
                        help="corpus sizes (songs) of the streamed-build scaling (default 250 500 1000 2000)")
    parser.add_argument("--only", choices=("quartets", "scaling"), help="run one half only (a quick look: "
                        "nothing is saved)")
    args = parser.parse_args()
    if args.only == "scaling":
        print(json.dumps(scaling(args.sizes), indent=2))
        return
    measured = measure_quartets(args.splits)
    if args.only == "quartets":
        print("\n\n".join(quartets_report(measured, args.splits)))
        return
    growth = scaling(args.sizes)
    markdown = "\n\n".join(quartets_report(measured, args.splits) + scaling_report(growth))
    dataset = measured["dataset"]
    payload = {"machine": machine_info(["numpy", "scipy", "scikit-learn", "music21"]),
               "dataset": {"pieces": len(dataset), "notes": dataset.n_notes},
               "builds": measured["builds"], "heuristics": measured["heuristics"], "mlp": measured["mlp"],
               "baselines": measured["results"].to_dict(), "scaling": growth}
    path = save_results("separation_datasets", payload, markdown)
    print(markdown)
    print(f"written {path}")


if __name__ == "__main__":
    main()
