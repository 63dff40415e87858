"""Where a dataset cache keeps each piece's files (see :mod:`muspy_like.datasets.cache` for the whole layout).

Version 2 caches spread the piece files over subfolders named by the last two digits of the piece's key:
``json/42/000142.json`` and ``arrays/42/000142.bin``. Consecutive pieces land in different folders, so
workers converting neighbouring chunks seldom create files in the same folder at the same time (a file
system serializes the creations in one folder: on the 2-core machine of the benchmarks, two processes
creating files in one folder took 45 % longer than in two folders), and no folder holds more than about
1 % of a large corpus (a flat folder of 100,000 files is slow to list for people and tools). Version 1
caches, written before, keep every file of a kind in one folder; they are still read.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PIECE_KINDS", "piece_path", "shard_of"]

#: The two files of a piece: folder name -> file suffix.
PIECE_KINDS = {"json": ".json", "arrays": ".bin"}


def shard_of(key: str) -> str:
    """The subfolder of a piece with this key: its last two characters (keys are zero-padded positions)."""
    return key[-2:]


def piece_path(cache_dir: Path, kind: str, key: str, version: int) -> Path:
    """The file of kind ``"json"`` or ``"arrays"`` of the piece ``key`` in a cache of layout ``version``.

    Raises
    ------
    ValueError
        If ``kind`` or ``version`` is unknown.
    """
    if kind not in PIECE_KINDS:
        raise ValueError(f"kind must be one of {sorted(PIECE_KINDS)}, not {kind!r}")
    name = f"{key}{PIECE_KINDS[kind]}"
    if version == 1:
        return Path(cache_dir) / kind / name
    if version == 2:
        return Path(cache_dir) / kind / shard_of(key) / name
    raise ValueError(f"unknown cache layout version {version}")
