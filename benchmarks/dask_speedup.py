"""One process against a dask.distributed LocalCluster of 2 worker processes, interleaved, best of N.

Used by ``benchmarks/datasets.py`` (dataset conversion) and ``benchmarks/statistics.py`` (corpus
statistics) for the target of issue 11: the cluster at least 1.6x as fast as one process on the same
files. ``python -m benchmarks.dask_speedup conversion FOLDER SIZE [--rounds 3]`` prints the result as
JSON; :func:`dask_speedup` runs that command in a fresh interpreter and returns the parsed result.

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


def dask_speedup(job: str, folder: Path, size: int, rounds: int = 3) -> dict[str, Any]:
    """Run the comparison in a fresh interpreter; return its figures (see :func:`compare`)."""
    command = [sys.executable, "-m", "benchmarks.dask_speedup", job, str(folder), str(size), "--rounds", str(rounds)]
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("job", choices=JOBS)
    parser.add_argument("folder", help="a folder of MIDI files (benchmarks.datasets.generate_corpus)")
    parser.add_argument("size", type=int, help="files to use")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    args = parser.parse_args(argv)
    print(json.dumps(compare(args.job, args.folder, args.size, args.rounds)))


if __name__ == "__main__":
    main()
