"""Train/valid/test splits of separation datasets: seeded, reproducible, optionally by group or official.

The paper (Dong et al., ISMIR 2021) draws one random 8:1:1 split per dataset (NES-MDB: the dataset's
own split). Ours are seeded so that they can be repeated: :func:`seeded_split` with seed 0 is the fixed
split of every dataset without an official one, seeds 1, 2, ... give further random splits for the
spread of a score. Pieces that share a *group* (two recordings of the same movement, the tracks of one
game) always land in the same part of a split, so that no test piece has a twin in training.
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Sequence

import numpy as np

from muspy_like.errors import SeparationError

__all__ = ["Split", "SPLIT_NAMES", "seeded_split", "fixed_split", "random_splits", "split_from_labels"]

#: The three parts of a split, in order.
SPLIT_NAMES = ("train", "valid", "test")


class Split(NamedTuple):
    """Piece indices of a train/valid/test split, and the seed that made it (-1 for an official split)."""

    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray
    seed: int


def seeded_split(
    names: Sequence[str],
    seed: int,
    ratios: tuple[int, int, int] = (8, 1, 1),
    groups: Optional[Sequence[str]] = None,
) -> Split:
    """Split pieces into train/valid/test by ``ratios``, reproducibly.

    Without groups, the names are sorted, shuffled with ``numpy.random.default_rng(seed)``, and cut into
    three runs of ``round(n * r / sum(ratios))`` pieces (train and valid; test takes the rest). With
    ``groups`` (one key per piece), the sorted group keys are shuffled instead and taken whole, in that
    order, into train until it holds its share of pieces, then into valid, the rest into test. With 3
    pieces (groups) or more, valid and test get at least one each, so that tiny datasets still give a
    score.

    Returns
    -------
    Split
        Indices into the original order of ``names``, each run sorted.
    """
    total = sum(ratios)
    n_train = int(round(len(names) * ratios[0] / total))
    n_valid = int(round(len(names) * ratios[1] / total))
    if len(names) >= 3:
        n_valid = max(n_valid, 1)
        n_train = min(n_train, len(names) - n_valid - 1)
    rng = np.random.default_rng(seed)
    if groups is None:
        order = np.argsort(np.asarray(names, dtype=object), kind="stable")
        shuffled = order[rng.permutation(len(order))]
        parts = (shuffled[:n_train], shuffled[n_train : n_train + n_valid], shuffled[n_train + n_valid :])
    else:
        parts = _group_runs(names, groups, rng, n_train, n_valid)
    return Split(*(np.sort(np.asarray(part, dtype=np.int64)) for part in parts), seed)


def _group_runs(
    names: Sequence[str], groups: Sequence[str], rng: np.random.Generator, n_train: int, n_valid: int
) -> tuple[list[int], list[int], list[int]]:
    if len(groups) != len(names):
        raise SeparationError(f"{len(names)} pieces but {len(groups)} group keys")
    members: dict[str, list[int]] = {}
    for index in np.argsort(np.asarray(names, dtype=object), kind="stable"):
        members.setdefault(str(groups[index]), []).append(int(index))
    keys = sorted(members)
    runs: tuple[list[int], list[int], list[int]] = ([], [], [])
    reserve = len(keys) >= 3  # keep a group for valid and one for test
    for taken, position in enumerate(rng.permutation(len(keys))):
        group = members[keys[position]]
        left_after = len(keys) - taken - 1
        needed_after_train = reserve * ((not runs[1]) + (not runs[2]))
        if len(runs[0]) < n_train and left_after >= needed_after_train:
            runs[0].extend(group)
        elif len(runs[1]) < n_valid and left_after >= reserve * (not runs[2]):
            runs[1].extend(group)
        else:
            runs[2].extend(group)
    return runs


def fixed_split(names: Sequence[str], groups: Optional[Sequence[str]] = None) -> Split:
    """The documented fixed 8:1:1 split: :func:`seeded_split` with seed 0."""
    return seeded_split(names, seed=0, groups=groups)


def random_splits(
    names: Sequence[str], n_splits: int, first_seed: int = 1, groups: Optional[Sequence[str]] = None
) -> list[Split]:
    """``n_splits`` further 8:1:1 splits with seeds ``first_seed, first_seed + 1, ...``."""
    return [seeded_split(names, seed, groups=groups) for seed in range(first_seed, first_seed + n_splits)]


def split_from_labels(labels: Sequence[str]) -> Split:
    """An official split from one label per piece (``"train"``, ``"valid"`` or ``"test"``); seed -1.

    Raises
    ------
    SeparationError
        For a label that is none of the three.
    """
    unknown = sorted(set(labels) - set(SPLIT_NAMES))
    if unknown:
        raise SeparationError(f"split labels must be {', '.join(SPLIT_NAMES)}; got {', '.join(map(repr, unknown))}")
    array = np.asarray(labels, dtype=object)
    return Split(*(np.flatnonzero(array == name).astype(np.int64) for name in SPLIT_NAMES), -1)
