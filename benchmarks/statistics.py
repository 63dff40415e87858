"""Per-piece metrics against muspy's, and parallel dataset statistics (issue 5).

1. **Metrics on music21's Bach corpus.** Every score of the corpus is read by muspy
   (``muspy.read_musicxml``) and the same muspy objects are converted to muspy_like Music (same ticks,
   same resolution), so both libraries evaluate identical notes. Timed: muspy's 14 metrics against
   muspy_like's same 14 metrics, and against all of muspy_like's per-piece metrics
   (:func:`muspy_like.metrics.compute_metrics` plus the two parameterized ones). Target: >= 10x.
2. **Dataset statistics of generated pieces.** 10,000 random pieces are written as MIDI files (not
   timed), then :func:`muspy_like.statistics.compute_statistics` reads and describes the folder with
   ``n_jobs=1`` and ``n_jobs=2``: as with a real dataset, the workers receive paths and read the files
   themselves. Target: >= 1.6x on 2 cores. For reference, the same pieces passed as in-memory Music
   objects are timed too (the main process then pickles every piece to the workers).

3. **Statistics against the size of the corpus** (issue 11): the small real MIDI files of
   ``benchmarks.datasets.generate_corpus`` (excerpts of real files, transposed), N/16 to N files (default
   N = 100,000), one process: time and peak memory with the fitted growth exponent (target <= 1.1); memory
   must not grow with N (rows stream into the column-wise table and the CSV). Then one process against a
   dask LocalCluster of 2 worker processes on the same files (target >= 1.6x).

:func:`statistics_growth` returns the growth measurement (for ``benchmarks/scaling.py``).

Usage: ``python -m benchmarks.statistics [--pieces N] [--bach-step K] [--corpus N] [--skip-growth]``
(``K > 1`` takes every K-th score, for a quick run).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from benchmarks.growth import growth_table, measure_growth
from benchmarks.harness import best_time, machine_info, markdown_table, save_results
from muspy_like import Music, NoteArray, Tempo, TimeSignature, Track

PEERS = ["muspy", "music21", "numpy", "dask", "distributed"]


def from_muspy(music) -> Music:
    """The notes, tempos and time signatures of a muspy Music as a muspy_like Music (same ticks)."""
    tracks = []
    for track in music.tracks:
        columns = {
            "time": [n.time for n in track.notes],
            "pitch": [n.pitch for n in track.notes],
            "duration": [n.duration for n in track.notes],
            "velocity": [64 if n.velocity is None else n.velocity for n in track.notes],
        }
        tracks.append(Track(program=track.program, is_drum=track.is_drum, notes=NoteArray.from_columns(**columns)))
    return Music(
        resolution=music.resolution,
        tempos=[Tempo(t.time, t.qpm) for t in music.tempos],
        time_signatures=[TimeSignature(t.time, t.numerator, t.denominator) for t in music.time_signatures],
        tracks=tracks,
    )


def muspy_metrics(music) -> list:
    """muspy's 14 metrics (bar length: one 4/4 bar, scale: C major, drum meter: duple)."""
    import muspy

    bar = 4 * music.resolution
    return [
        muspy.pitch_range(music), muspy.n_pitches_used(music), muspy.n_pitch_classes_used(music),
        muspy.polyphony(music), muspy.polyphony_rate(music), muspy.pitch_in_scale_rate(music, 0, "major"),
        muspy.scale_consistency(music), muspy.pitch_entropy(music), muspy.pitch_class_entropy(music),
        muspy.empty_beat_rate(music), muspy.empty_measure_rate(music, bar), muspy.groove_consistency(music, bar),
        muspy.drum_in_pattern_rate(music, "duple"), muspy.drum_pattern_consistency(music),
    ]


def our_same_metrics(music: Music) -> list:
    """muspy_like's versions of the same 14 metrics."""
    from muspy_like import metrics as m

    return [
        m.pitch_range(music), m.n_pitches_used(music), m.n_pitch_classes_used(music), m.polyphony(music),
        m.polyphony_rate(music), m.pitch_in_scale_rate(music, 0, "major"), m.scale_consistency(music),
        m.pitch_entropy(music), m.pitch_class_entropy(music), m.empty_beat_rate(music),
        m.empty_measure_rate(music), m.groove_consistency(music), m.drum_in_pattern_rate(music, "duple"),
        m.drum_pattern_consistency(music),
    ]


def our_all_metrics(music: Music) -> dict:
    """Every muspy_like per-piece metric: the registry, the two parameterized ones and the key."""
    from muspy_like import metrics as m

    values = m.compute_metrics(music)
    values["pitch_in_scale_rate"] = m.pitch_in_scale_rate(music, 0, "major")
    values["drum_in_pattern_rate"] = m.drum_in_pattern_rate(music, "duple")
    values["key"] = m.estimate_key(music)
    return values


def bach_metrics(step: int) -> dict:
    import muspy

    from muspy_like.statistics import resolve_sources

    paths = [s.location for s in resolve_sources(["music21:bach"])][::step]
    theirs = [muspy.read_musicxml(p) for p in paths]
    ours = [from_muspy(m) for m in theirs]
    n_notes = sum(m.n_notes for m in ours)
    print(f"Bach corpus: {len(paths)} scores, {n_notes} notes; timing muspy's metrics (slow)...")
    muspy_seconds = best_time(lambda: [muspy_metrics(m) for m in theirs], repeat=1)
    same_seconds = best_time(lambda: [our_same_metrics(m) for m in ours], repeat=3)
    all_seconds = best_time(lambda: [our_all_metrics(m) for m in ours], repeat=3)
    return {
        "n_scores": len(paths),
        "n_notes": n_notes,
        "muspy_14_metrics_s": muspy_seconds,
        "muspy_like_same_14_metrics_s": same_seconds,
        "muspy_like_all_metrics_s": all_seconds,
        "speedup_same_metrics": muspy_seconds / same_seconds,
        "speedup_all_metrics": muspy_seconds / all_seconds,
    }


def generated_piece(seed: int) -> Music:
    """A random piece: 1-4 pitched tracks and maybe drums, 50-400 notes per track, 4/4 or 3/4 or 6/8."""
    rng = np.random.default_rng(seed)
    resolution = 24
    tracks = []
    for k in range(int(rng.integers(1, 5))):
        n = int(rng.integers(50, 400))
        time_ = np.sort(rng.integers(0, 200 * resolution, n))
        tracks.append(Track(program=int(rng.integers(0, 128)), notes=NoteArray.from_columns(
            time=time_, pitch=rng.integers(36, 96, n), duration=rng.integers(6, 96, n),
            velocity=rng.integers(30, 120, n))))
    if rng.random() < 0.5:
        n = int(rng.integers(50, 400))
        tracks.append(Track(is_drum=True, notes=NoteArray.from_columns(
            time=np.sort(rng.integers(0, 200 * resolution, n)) // 6 * 6, pitch=rng.integers(35, 82, n),
            duration=np.full(n, 6), velocity=rng.integers(30, 120, n))))
    meter = [(4, 4), (3, 4), (6, 8)][int(rng.integers(0, 3))]
    music = Music(resolution=resolution, tempos=[Tempo(0, float(rng.integers(60, 180)))],
                  time_signatures=[TimeSignature(0, *meter)], tracks=tracks)
    music.metadata.collection = "generated"
    return music


def _write_generated(job: tuple[int, str]) -> str:
    seed, folder = job
    path = f"{folder}/{seed:05d}.mid"
    generated_piece(seed).write(path)
    return path


def _time_statistics(pieces: list) -> dict:
    from muspy_like.statistics import compute_statistics

    seconds = {}
    for n_jobs in (1, 2):
        start = time.perf_counter()
        stats = compute_statistics(pieces, n_jobs=n_jobs, progress=False)
        seconds[n_jobs] = time.perf_counter() - start
        assert len(stats.rows) == len(pieces) and not stats.failures, stats.failures[:1]
    return {"n_jobs_1_s": seconds[1], "n_jobs_2_s": seconds[2], "speedup_2_jobs": seconds[1] / seconds[2]}


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def machine_scaling() -> dict:
    """Control: how a pure-Python busy loop scales from 1 to 2 processes on this machine right now.

    On a machine shared with other work the second core may not be available; this figure says how much
    of the statistics' speed-up the machine allowed.
    """
    import os

    from muspy_like.parallel import parallel_map

    seconds = {}
    for n_jobs in (1, 2):
        start = time.perf_counter()
        parallel_map(_spin, [2_000_000] * 8, n_jobs=n_jobs, progress=False)
        seconds[n_jobs] = time.perf_counter() - start
    return {"busy_loop_speedup_2_jobs": seconds[1] / seconds[2], "load_average_1min": os.getloadavg()[0]}


def parallel_statistics(n_pieces: int) -> dict:
    import tempfile

    from muspy_like.parallel import parallel_map
    from muspy_like.statistics import resolve_sources

    with tempfile.TemporaryDirectory() as folder:
        print(f"Writing {n_pieces} generated pieces as MIDI files (not timed)...")
        parallel_map(_write_generated, [(seed, folder) for seed in range(n_pieces)], n_jobs=2,
                     progress=False).raise_if_failed()
        print("Dataset statistics of the files with 1 and 2 jobs...")
        files = _time_statistics(resolve_sources([folder]))
    print("Dataset statistics of the same pieces in memory...")
    memory = _time_statistics([generated_piece(seed) for seed in range(n_pieces)])
    return {"n_pieces": n_pieces, "files": files, "in_memory": memory, "control": machine_scaling()}


def statistics_work(size: int, folder: str, n_jobs: int = 1, dask_workers: int = 0) -> dict:
    """Statistics of the first ``size`` files of ``folder``, rows written to a CSV (for measure_growth).

    Timed after a warm-up on 2 pieces where the work runs (first imports, the cluster's start).
    """
    import tempfile

    from muspy_like.statistics import compute_statistics, resolve_sources

    sources = resolve_sources([folder])[:size]

    def describe(**where) -> float:
        compute_statistics(sources[:2], progress=False, **where)
        start = time.perf_counter()
        stats = compute_statistics(sources, progress=False, **where)
        with tempfile.TemporaryDirectory() as out:
            stats.write_csv(f"{out}/statistics.csv")
        if stats.failures or len(stats) != len(sources):
            raise RuntimeError(f"statistics failed: {stats.failures[:1]}")
        return time.perf_counter() - start

    if dask_workers:
        import distributed

        from benchmarks.datasets import warm_worker

        with distributed.LocalCluster(n_workers=dask_workers, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, distributed.Client(cluster) as client:
            client.run(warm_worker, sources[0].location)  # every worker: first imports are set-up
            seconds = describe(executor=client.get_executor())
    else:
        seconds = describe(n_jobs=n_jobs)
    return {"work_seconds": seconds, "pieces": len(sources)}


def statistics_growth(folder=None, largest: int = 100_000) -> dict:
    """Time and peak memory of the statistics of N/16 .. N generated MIDI files (for benchmarks/scaling.py)."""
    import tempfile
    from pathlib import Path

    from benchmarks.datasets import corpus_sizes, generate_corpus

    folder = generate_corpus(Path(folder or Path(tempfile.gettempdir()) / "muspy-like-corpus"), largest)
    return measure_growth("benchmarks.statistics:statistics_work", corpus_sizes(largest), folder=str(folder))


def statistics_dask_speedup(folder, size: int, rounds: int = 3) -> dict:
    """Statistics of ``size`` files: one process against a LocalCluster of 2 worker processes (target >= 1.6x).

    Interleaved rounds, best of ``rounds`` for each (see :mod:`benchmarks.dask_speedup`).
    """
    from benchmarks.dask_speedup import dask_speedup

    return dask_speedup("statistics", folder, size, rounds)


def _growth_text(growth: dict, dask: dict) -> str:
    verdict = "met" if dask["speedup"] >= 1.6 else "MISSED"
    return (
        growth_table("Statistics (`compute_statistics` + CSV, one process) against the number of generated MIDI "
                     "files:", "files", growth)
        + f"\n\nStatistics of {dask['size']} files: one process {dask['one_process_s']:.1f} s, dask LocalCluster "
        f"of 2 worker processes {dask['dask_2_workers_s']:.1f} s: {dask['speedup']:.2f}x (target >= 1.6x: {verdict})."
    )


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pieces", type=int, default=10_000, help="generated pieces (default 10000)")
    parser.add_argument("--bach-step", type=int, default=1, help="take every K-th Bach score (default 1: all)")
    parser.add_argument("--corpus", type=int, default=100_000, help="largest generated corpus (default 100000)")
    parser.add_argument("--skip-growth", action="store_true", help="skip the growth measurements")
    args = parser.parse_args(argv)
    metrics = bach_metrics(args.bach_step)
    parallel = parallel_statistics(args.pieces)
    growth: dict = {}
    if not args.skip_growth:
        import tempfile
        from pathlib import Path

        from benchmarks.datasets import corpus_sizes

        folder = Path(tempfile.gettempdir()) / "muspy-like-corpus"
        growth["statistics_growth"] = statistics_growth(folder, args.corpus)
        growth["dask"] = statistics_dask_speedup(folder, corpus_sizes(args.corpus)[2])
    rows = [
        ["muspy: its 14 metrics", f"{metrics['muspy_14_metrics_s']:.2f} s", "1x"],
        ["muspy_like: the same 14 metrics", f"{metrics['muspy_like_same_14_metrics_s']:.3f} s",
         f"{metrics['speedup_same_metrics']:.0f}x"],
        ["muspy_like: all its per-piece metrics (22)", f"{metrics['muspy_like_all_metrics_s']:.3f} s",
         f"{metrics['speedup_all_metrics']:.0f}x"],
    ]
    table = (
        f"Metrics on music21's Bach corpus ({metrics['n_scores']} scores, {metrics['n_notes']} notes, the "
        "same muspy-read notes for both libraries):\n\n"
        + markdown_table(["metrics", "time", "speed-up vs muspy"], rows)
        + f"\n\nDataset statistics of {parallel['n_pieces']} generated pieces:\n\n"
        + markdown_table(
            ["input", "n_jobs=1", "n_jobs=2", "speed-up"],
            [[label, f"{parallel[key]['n_jobs_1_s']:.1f} s", f"{parallel[key]['n_jobs_2_s']:.1f} s",
              f"{parallel[key]['speedup_2_jobs']:.2f}x"]
             for key, label in (("files", "MIDI files (target)"), ("in_memory", "Music objects in memory"))],
        )
        + f"\n\nControl: a pure-Python busy loop scaled {parallel['control']['busy_loop_speedup_2_jobs']:.2f}x "
        f"from 1 to 2 processes during this run (1-minute load average "
        f"{parallel['control']['load_average_1min']:.1f} on {os.cpu_count()} cores): the ceiling this machine allowed."
        + f"\n\nTargets: metrics >= 10x muspy: {'met' if metrics['speedup_all_metrics'] >= 10 else 'MISSED'}; "
        f"2 jobs >= 1.6x: {'met' if parallel['files']['speedup_2_jobs'] >= 1.6 else 'MISSED'}."
    )
    if growth:
        table += "\n\n" + _growth_text(growth["statistics_growth"], growth["dask"])
    payload = {"metrics": metrics, "parallel": parallel, "machine": machine_info(PEERS), **growth}
    save_results("statistics", payload, table)
    print(table)
    return payload


if __name__ == "__main__":
    main()
