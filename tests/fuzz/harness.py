"""A seeded, bounded fuzz harness for file readers.

A *campaign* takes the valid seed files of one format, makes corrupt variants of them with a seeded random
generator, and reads every variant with every engine of that format in child processes that have a time
limit per file and a memory limit, many files per child (starting Python costs more than reading a file).
It reports each variant that

* raises anything but one of our own errors (:class:`~muspy_like.errors.MuspyLikeError` subclasses),
* runs past its time limit, runs out of memory, or kills its process (a crash),
* is read differently by two engines (one accepts and the other refuses, different results, or
  different error messages), or
* is accepted as a :class:`~muspy_like.Music` that fails its own ``validate()``.

A format plugs in with one module that defines a :class:`FuzzTarget` named ``TARGET`` (its seeds, a
``mutate`` function and a ``read`` function returning the outcome of each engine) and one line in
:data:`TARGETS`; ``tests/fuzz/midi.py`` is the example. The seed comes from ``MUSPY_LIKE_FUZZ_SEED`` when
set, so a failure found once can be replayed, and other seeds explored, from the command line.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

__all__ = ["FuzzTarget", "Finding", "Campaign", "TARGETS", "run_campaign", "replay", "load_target", "campaign_seed"]

#: Format name -> "module:attribute" of its FuzzTarget (imported lazily, also inside the child processes).
TARGETS = {
    "midi": "tests.fuzz.midi:TARGET",
    "musicxml": "tests.fuzz.musicxml:TARGET",
    "abc": "tests.fuzz.abc:TARGET",
    "native": "tests.fuzz.native:TARGET",
}
REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class FuzzTarget:
    """What a campaign needs to know about one format.

    Attributes
    ----------
    name : str
        Format name (a key of :data:`TARGETS`).
    seeds : callable
        ``seeds() -> list of (label, bytes)``: valid files to start from (small ones: every variant is
        read by every engine).
    mutate : callable
        ``mutate(rng, data) -> (mutation name, bytes)``: one corrupt variant of ``data``.
    read : callable
        ``read(data) -> dict``: engine name -> the :class:`~muspy_like.Music` it read, or the exception
        it raised. Runs in the child process.
    """

    name: str
    seeds: Callable[[], list[tuple[str, bytes]]]
    mutate: Callable[[random.Random, bytes], tuple[str, bytes]]
    read: Callable[[bytes], dict[str, Any]]


@dataclass
class Finding:
    """One variant that broke a rule: what was wrong, how it was made, and the bytes themselves."""

    problem: str
    origin: str  # seed label and mutation
    data: bytes
    detail: str = ""

    def __str__(self) -> str:
        shown = self.data.hex() if len(self.data) <= 96 else f"{len(self.data)} bytes"
        return f"{self.problem}: {self.origin}: {self.detail} [{shown}]"


@dataclass
class Campaign:
    """The outcome of a campaign: findings, and how many variants each engine verdict covered."""

    findings: list[Finding] = field(default_factory=list)
    verdicts: dict[str, int] = field(default_factory=dict)  # "accepted" / "refused" -> count


def campaign_seed(default: int) -> int:
    """The random seed of a campaign: ``MUSPY_LIKE_FUZZ_SEED`` if set, else ``default``."""
    return int(os.environ.get("MUSPY_LIKE_FUZZ_SEED", default))


def load_target(name: str) -> FuzzTarget:
    module, attribute = TARGETS[name].split(":")
    return getattr(importlib.import_module(module), attribute)


def run_campaign(name: str, count: int, seed: int, per_file_seconds: float = 10.0,
                 memory_bytes: int = 1 << 30, batch_size: int = 100) -> Campaign:
    """Make ``count`` variants of the target's seeds and read them all in child processes.

    Parameters
    ----------
    name : str
        Format (a key of :data:`TARGETS`).
    count : int
        Number of variants.
    seed : int
        Seed of the random generator (same seed, same variants).
    per_file_seconds : float
        Time limit for reading one variant with every engine.
    memory_bytes : int
        Address space a child may add to what it holds after its imports.
    batch_size : int
        Variants per child process.
    """
    target = load_target(name)
    rng = random.Random(seed)
    seeds = target.seeds()
    variants = []
    for _ in range(count):
        label, data = rng.choice(seeds)
        mutation, variant = target.mutate(rng, data)
        variants.append((f"{label} / {mutation} (seed {seed})", variant))
    campaign = Campaign()
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{name}-") as folder:
        paths = []
        for index, (_, data) in enumerate(variants):
            path = Path(folder) / f"{index:06d}.bin"
            path.write_bytes(data)
            paths.append(path)
        for start in range(0, len(paths), batch_size):
            _run_batch(name, paths[start : start + batch_size], variants, per_file_seconds, memory_bytes, campaign)
    return campaign


def replay(name: str, files: list[Path], per_file_seconds: float = 10.0, memory_bytes: int = 1 << 30) -> Campaign:
    """Read saved variants (say, what a campaign once found) as a campaign reads its own, in one child."""
    variants = [(f"{path.name} (saved)", path.read_bytes()) for path in files]
    campaign = Campaign()
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{name}-") as folder:
        paths = []
        for index, (_, data) in enumerate(variants):
            paths.append(Path(folder) / f"{index:06d}.bin")
            paths[-1].write_bytes(data)
        _run_batch(name, paths, variants, per_file_seconds, memory_bytes, campaign)
    return campaign


def _run_batch(name: str, paths: list[Path], variants: list, per_file_seconds: float, memory_bytes: int,
               campaign: Campaign) -> None:
    """Read ``paths`` in child processes; a child that dies is replaced and goes on after the culprit."""
    remaining = list(paths)
    while remaining:
        done = _child(name, remaining, per_file_seconds, memory_bytes, campaign, variants)
        if done < len(remaining):  # the child died on remaining[done]
            culprit = remaining[done]
            origin, data = variants[int(culprit.stem)]
            campaign.findings.append(Finding("crash or hang (the child process died)", origin, data))
            done += 1
        remaining = remaining[done:]


def _child(name: str, paths: list[Path], per_file_seconds: float, memory_bytes: int, campaign: Campaign,
           variants: list) -> int:
    """Run one child over ``paths``; return how many files it finished."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPOSITORY), os.environ.get("PYTHONPATH", "")]),
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    command = [sys.executable, "-m", "tests.fuzz.worker", name, str(per_file_seconds), str(memory_bytes)]
    command += [str(p) for p in paths]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPOSITORY,
                                   timeout=per_file_seconds * len(paths) + 60)
        output = completed.stdout
    except subprocess.TimeoutExpired as expired:
        output = expired.stdout.decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
    done = 0
    for line in output.splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        origin, data = variants[int(Path(record["file"]).stem)]
        verdict = record["verdict"]
        campaign.verdicts[verdict] = campaign.verdicts.get(verdict, 0) + 1
        for problem, detail in record["problems"]:
            campaign.findings.append(Finding(problem, origin, data, detail))
        done += 1
    return done
