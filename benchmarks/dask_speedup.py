"""One process against a dask.distributed LocalCluster of 2 worker processes, interleaved, best of N.

Used by ``benchmarks/datasets.py`` (dataset conversion) and ``benchmarks/statistics.py`` (corpus
statistics) for the target of issue 11: the cluster at least 1.6x as fast as one process on the same
files. ``python -m benchmarks.dask_speedup [--sizes 4000 16000] [--rounds 3] [--folder F]`` measures both
jobs at each size (on the generated corpus of :func:`benchmarks.datasets.generate_corpus`) and writes
``results/dask_speedup.{json,md}``; :func:`dask_speedup` measures one job at one size in a fresh
interpreter.

How it is measured, and why:

* One interpreter starts the cluster once (its start-up is not work) and warms every worker (first
  imports); then each round runs the work in this process (``n_jobs=1``) and on the cluster, one after
  the other, so both see the same machine load. Each side's figure is its best round (wall time); the
  CPU seconds of this process and of the workers are reported beside it.
* Every output of every round is kept until all rounds are done, in one scratch folder removed at the
  end. Deleting thousands of files just before a timed run can slow the next file creations on some file
  systems: ext4 without a journal (the benchmark machine's) does not reuse an inode freed in the last
  minutes, and searches past each of them when creating a file. A measurement that deleted the previous
  round's cache measured that search, not our code.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

__all__ = ["dask_speedup"]

_ROOT = Path(__file__).resolve().parents[1]
JOBS = ("conversion", "statistics")
#: The speed-up issue 11 asks of a LocalCluster of 2 workers over one process.
TARGET = 1.6


def dask_speedup(job: str, folder: Path, size: int, rounds: int = 3) -> dict[str, Any]:
    """Run the comparison in a fresh interpreter; return its figures (see :func:`compare`)."""
    command = [sys.executable, "-m", "benchmarks.dask_speedup", "--child", job, str(folder), str(size),
               "--rounds", str(rounds)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
    output = subprocess.run(command, cwd=_ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def cpu_seconds() -> float:
    """User and system CPU seconds of the calling process (runs in the workers too)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _conversion(folder: str, size: int) -> tuple[Callable[..., Any], Any]:
    from muspy_like.datasets import FolderDataset, convert

    dataset = FolderDataset(folder)[:size]

    def run(out: Path, **where: Any) -> None:
        report = convert(dataset, out, progress=False, **where)
        if not report.ok or report.converted != size:
            raise RuntimeError(f"conversion failed: {report.summary()}")

    return run, dataset.pieces[0].path


def _statistics(folder: str, size: int) -> tuple[Callable[..., Any], Any]:
    from muspy_like.statistics import compute_statistics, resolve_sources

    sources = resolve_sources([folder])[:size]

    def run(out: Path, **where: Any) -> None:
        out.mkdir()
        stats = compute_statistics(sources, progress=False, **where)
        stats.write_csv(out / "statistics.csv")
        if stats.failures or len(stats) != size:
            raise RuntimeError(f"statistics failed: {stats.failures[:1]}")

    return run, sources[0].location


def compare(job: str, folder: str, size: int, rounds: int) -> dict[str, Any]:
    """Interleaved rounds of one process and of a LocalCluster of 2 worker processes (see the module notes).

    Returns
    -------
    dict
        ``one_process_s`` and ``dask_2_workers_s`` (best wall seconds), ``speedup`` (their ratio),
        ``rounds`` (each round's wall and CPU seconds), ``size`` and ``job``.
    """
    import distributed

    from benchmarks.datasets import warm_worker

    run, first_source = {"conversion": _conversion, "statistics": _statistics}[job](folder, size)
    scratch = Path(tempfile.mkdtemp(prefix=f"muspy-like-dask-{job}-"))
    measured = []
    try:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, distributed.Client(cluster) as client:
            executor = client.get_executor()
            client.run(warm_worker, first_source)
            warm_worker(first_source)
            for index in range(rounds):
                before, start = cpu_seconds(), time.perf_counter()
                run(scratch / f"one-{index}", n_jobs=1)
                one = {"wall_s": time.perf_counter() - start, "cpu_s": cpu_seconds() - before}
                workers_before, before, start = client.run(cpu_seconds), cpu_seconds(), time.perf_counter()
                run(scratch / f"dask-{index}", executor=executor)
                wall = time.perf_counter() - start
                workers_after = client.run(cpu_seconds)
                two = {"wall_s": wall, "cpu_s": cpu_seconds() - before,
                       "workers_cpu_s": sum(workers_after[w] - workers_before[w] for w in workers_before)}
                measured.append({"one_process": one, "dask": two})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    best_one = min(r["one_process"]["wall_s"] for r in measured)
    best_two = min(r["dask"]["wall_s"] for r in measured)
    return {"job": job, "size": size, "one_process_s": best_one, "dask_2_workers_s": best_two,
            "speedup": best_one / best_two, "rounds": measured, "load_average": os.getloadavg()}


def report(results: list[dict[str, Any]]) -> str:
    """Markdown: one row per job and size, best rounds and the ratio against the 1.6x target."""
    from benchmarks.harness import markdown_table

    rows = []
    for result in results:
        pairs = [r["one_process"]["wall_s"] / r["dask"]["wall_s"] for r in result["rounds"]]
        verdict = "met" if result["speedup"] >= TARGET else "MISSED"
        rows.append([result["job"], f"{result['size']:,}", f"{result['one_process_s']:.2f}",
                     f"{result['dask_2_workers_s']:.2f}", f"{result['speedup']:.2f}x",
                     ", ".join(f"{p:.2f}x" for p in pairs), verdict])
    return (
        "One process against a dask.distributed LocalCluster of 2 worker processes on the same generated MIDI "
        "files, interleaved rounds, best round of each side (wall seconds):\n\n"
        + markdown_table(["job", "files", "one process (s)", "cluster (s)", "speed-up", "each round",
                          f"target >= {TARGET}x"], rows)
    )


def _merged_with_saved(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """These results and the saved ones of other (job, size) pairs: a run of some sizes updates the table."""
    from benchmarks.harness import RESULTS_DIR

    try:
        saved = json.loads((RESULTS_DIR / "dask_speedup.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        saved = []
    fresh = {(r["job"], r["size"]) for r in results}
    kept = [r for r in saved if (r.get("job"), r.get("size")) not in fresh]
    return sorted(kept + results, key=lambda r: (r["size"], JOBS.index(r["job"])))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000, 16000], help="files (default 4000 16000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--jobs", nargs="+", choices=JOBS, default=list(JOBS), help="jobs to measure (default both)")
    parser.add_argument("--folder", type=Path, help="corpus folder (default: generated in the temp folder)")
    parser.add_argument("--child", nargs=3, metavar=("JOB", "FOLDER", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        job, folder, size = args.child
        if job not in JOBS:
            parser.error(f"job must be one of {JOBS}")
        print(json.dumps(compare(job, folder, int(size), args.rounds)))
        return
    from benchmarks.datasets import generate_corpus
    from benchmarks.harness import machine_info, save_results

    folder = generate_corpus(args.folder or Path(tempfile.gettempdir()) / "muspy-like-corpus", max(args.sizes))
    results = []
    for size in args.sizes:
        for job in args.jobs:
            print(f"== {job}, {size} files", flush=True)
            results.append(dask_speedup(job, folder, size, args.rounds))
            print(f"   {results[-1]['speedup']:.2f}x", flush=True)
    results = _merged_with_saved(results)
    text = report(results)
    print(text)
    save_results("dask_speedup", {"machine": machine_info(["numpy", "dask", "distributed"]), "results": results}, text)


if __name__ == "__main__":
    main()
