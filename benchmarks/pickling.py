"""Pickling speed of a piece: what it costs to send Music objects to worker processes (issue 2).

Corpora: every K-th Bach chorale of music21's bundled corpus (MusicXML, 4-5 parts with lyrics), and
``shared/bench/mahler.mid`` (33 tracks, 60k notes), read with ``muspy_like.read``. For each piece the benchmark times ``pickle.dumps`` and ``pickle.loads`` (protocol 5,
best of R passes over the corpus, GC off) and ``Music.copy()``. Peers pickle the same pieces in the same
run: symusic's ``Score`` (through ``muspy_like.interop.to_symusic``), pretty_midi's ``PrettyMIDI``
(``to_pretty_midi``) and MusPy's ``Music`` read by ``muspy.read`` from the same files.

``--against REV`` also times the package as it was at git revision REV (exported to a temporary folder
and measured in a subprocess on the same files), to show the effect of a change to the core.

Usage: ``python -m benchmarks.pickling [--step K] [--repeat R] [--against REV]``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

from benchmarks.harness import SHARED_DIR, best_time, machine_info, markdown_table, save_results

PEERS = ["symusic", "pretty_midi", "muspy"]
REPO = Path(__file__).resolve().parents[1]


def chorale_paths(step: int) -> list[str]:
    """Every ``step``-th Bach chorale (MusicXML) of music21's corpus."""
    from music21 import corpus

    return sorted(str(p) for p in corpus.getComposer("bach") if p.suffix == ".mxl")[::step]


def pickle_times(pieces: list, repeat: int) -> dict[str, float]:
    """Microseconds per piece to dump and to load (protocol 5), and the mean pickle size in bytes."""
    blobs = [pickle.dumps(piece, protocol=5) for piece in pieces]
    per_piece = 1e6 / len(pieces)
    return {
        "dumps_us": best_time(lambda: [pickle.dumps(piece, protocol=5) for piece in pieces], repeat) * per_piece,
        "loads_us": best_time(lambda: [pickle.loads(blob) for blob in blobs], repeat) * per_piece,
        "bytes": sum(map(len, blobs)) / len(blobs),
    }


def measure_muspy_like(paths: list[str], repeat: int) -> dict[str, float]:
    """Pickle and copy times of muspy_like's ``Music`` for the pieces at ``paths``."""
    import muspy_like

    pieces = [muspy_like.read(path) for path in paths]
    if any(pickle.loads(pickle.dumps(piece, protocol=5)) != piece for piece in pieces):
        raise AssertionError("a piece changed in a pickle round trip")
    times = pickle_times(pieces, repeat)
    times["copy_us"] = best_time(lambda: [piece.copy() for piece in pieces], repeat) * 1e6 / len(pieces)
    times["n_notes"] = sum(piece.n_notes for piece in pieces)
    return times


def measure_revision(revision: str, paths: list[str], repeat: int) -> dict[str, float]:
    """:func:`measure_muspy_like` run on the package as it was at git ``revision``."""
    archive = subprocess.run(["git", "archive", revision, "muspy_like"], cwd=REPO, check=True,
                             capture_output=True).stdout
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        # The exported package comes first on the path; the benchmarks package comes from this checkout.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([folder, str(REPO)])}
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks.pickling", "--measure-only", "--repeat", str(repeat)],
            input=json.dumps(paths), cwd=folder, env=env, check=True, capture_output=True, text=True,
        )
    return json.loads(completed.stdout)


def peer_pieces(paths: list[str]) -> dict[str, list]:
    """The same chorales as each peer library's object."""
    import muspy

    import muspy_like
    from muspy_like.interop import to_pretty_midi, to_symusic

    ours = [muspy_like.read(path) for path in paths]
    return {
        "symusic Score": [to_symusic(music) for music in ours],
        "pretty_midi PrettyMIDI": [to_pretty_midi(music) for music in ours],
        "muspy Music": [muspy.read(path) for path in paths],
    }


def corpus_results(paths: list[str], repeat: int, against: str | None) -> dict[str, dict[str, float]]:
    """Times of muspy_like (and of muspy_like at revision ``against``) and of the peers on ``paths``."""
    results = {"muspy_like": measure_muspy_like(paths, repeat)}
    print(f"{len(paths)} pieces, {results['muspy_like']['n_notes']} notes")
    if against:
        results[f"muspy_like at {against}"] = measure_revision(against, paths, repeat)
    for name, pieces in peer_pieces(paths).items():
        results[name] = pickle_times(pieces, repeat)
    return results


def corpus_table(label: str, results: dict[str, dict[str, float]]) -> str:
    """Markdown table of :func:`corpus_results`, with ratios to muspy_like."""
    ours = results["muspy_like"]

    def ratio(row: dict[str, float], key: str) -> str:
        return f"{row[key] / ours[key]:.1f}x"

    rows = [
        [name, f"{row['dumps_us']:,.0f}", f"{row['loads_us']:,.0f}", f"{row['bytes']:,.0f}",
         ratio(row, "dumps_us"), ratio(row, "loads_us"),
         f"{row['copy_us']:,.0f}" if "copy_us" in row else "-"]
        for name, row in results.items()
    ]
    return (
        f"Pickling {label} ({ours['n_notes']:,} notes, protocol 5), microseconds per piece (best of the same "
        "number of passes; the ratio columns give how many times longer than muspy_like):\n\n"
        + markdown_table(["objects", "dumps (us)", "loads (us)", "bytes", "dumps vs ours", "loads vs ours",
                          "copy() (us)"], rows)
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--step", type=int, default=4, help="take every K-th chorale (default 4)")
    parser.add_argument("--repeat", type=int, default=7, help="timed passes, best kept (default 7)")
    parser.add_argument("--against", metavar="REV", help="also time the package at this git revision")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_only:
        print(json.dumps(measure_muspy_like(json.loads(sys.stdin.read()), args.repeat)))
        return {}

    chorales = chorale_paths(args.step)
    corpora = {f"{len(chorales)} Bach chorales": chorales, "mahler.mid": [str(SHARED_DIR / "bench" / "mahler.mid")]}
    results = {label: corpus_results(paths, args.repeat, args.against) for label, paths in corpora.items()}
    table = "\n\n".join(corpus_table(label, rows) for label, rows in results.items())
    payload = {"results": results, "machine": machine_info(PEERS)}
    save_results("pickling", payload, table)
    print(table)
    return payload


if __name__ == "__main__":
    main()
