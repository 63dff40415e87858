"""One evaluation for every baseline: note-level accuracy pooled over all test notes.

:func:`evaluate_baselines` reproduces the Bach column of Table 2 of Dong et al. (ISMIR 2021): each method
is trained on the training pieces of a split (the MLP stops early on the validation pieces) and scored on
the test pieces, over the fixed split and ``n_splits`` random 8:1:1 splits, next to the paper's figure.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from muspy_like.errors import SeparationError
from muspy_like.separation.base import PartSeparator
from muspy_like.separation.data import SeparationDataset, Split, fixed_split, random_splits
from muspy_like.separation.methods import METHODS, make_estimator

__all__ = ["PAPER_BACH_ACCURACY", "accuracy", "evaluate", "evaluate_baselines", "BaselineResults"]

#: Dataset names whose results are shown beside the paper's Bach column.
BACH_DATASETS = ("bach", "bach-repeats")

#: Accuracy (%) on the Bach chorales reported in Table 2 of the paper.
PAPER_BACH_ACCURACY = {
    "zone": 73.14,
    "zone-oracle": 78.33,
    "closest-pitch": 68.87,
    "closest-pitch-mono": 89.76,
    "mlp": 81.63,
    "mlp-oracle": 97.59,
}


def accuracy(y_true: Sequence[np.ndarray], y_pred: Sequence[np.ndarray]) -> float:
    """Fraction of notes whose predicted part is right, pooled over all pieces (0 to 1)."""
    if len(y_true) != len(y_pred):
        raise SeparationError(f"{len(y_true)} label arrays but {len(y_pred)} predictions")
    correct = total = 0
    for index, (truth, guess) in enumerate(zip(y_true, y_pred)):
        if len(truth) != len(guess):
            raise SeparationError(f"piece {index}: {len(truth)} labels but {len(guess)} predictions")
        correct += int(np.count_nonzero(np.asarray(truth) == np.asarray(guess)))
        total += len(truth)
    if total == 0:
        raise SeparationError("no notes to score")
    return correct / total


def evaluate(estimator: PartSeparator, X: Sequence[np.ndarray], y: Sequence[np.ndarray]) -> dict[str, Any]:
    """Score a fitted estimator on pieces ``X`` with true labels ``y``.

    The labels are passed to ``predict`` as hints, so each method sees what the paper gives it (onset
    hints for closest-pitch, everything for the oracles, nothing for the others).

    Returns
    -------
    dict
        ``accuracy`` (0 to 1), ``n_notes``, ``n_correct`` and ``seconds`` (prediction time).
    """
    start = time.perf_counter()
    predictions = estimator.predict(X, y)
    seconds = time.perf_counter() - start
    score = accuracy(y, predictions)
    n_notes = int(sum(len(labels) for labels in y))
    return {"accuracy": score, "n_notes": n_notes, "n_correct": int(round(score * n_notes)), "seconds": seconds}


@dataclass
class BaselineResults:
    """Accuracies of several methods over the fixed split and repeated random splits.

    Attributes
    ----------
    methods : list of str
        Method names (keys of :data:`~muspy_like.separation.METHODS`).
    fixed : dict
        Method -> accuracy (%) on the fixed split (seed 0).
    random : dict
        Method -> list of accuracies (%) over the random splits.
    seconds : dict
        Method -> mean training plus prediction time per split, in seconds.
    seeds : list of int
        Seeds of the random splits.
    dataset : dict
        Name, number of pieces and notes.
    """

    methods: list[str]
    fixed: dict[str, float] = field(default_factory=dict)
    random: dict[str, list[float]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    seeds: list[int] = field(default_factory=list)
    dataset: dict[str, Any] = field(default_factory=dict)

    def summary(self, method: str) -> dict[str, Any]:
        """Fixed-split accuracy, mean and sd over random splits, paper figure and its distance in sds."""
        scores = np.array(self.random.get(method, []), dtype=np.float64)
        mean = float(scores.mean()) if len(scores) else float("nan")
        sd = float(scores.std(ddof=1)) if len(scores) > 1 else float("nan")
        paper = PAPER_BACH_ACCURACY.get(method) if self.dataset.get("name") in BACH_DATASETS else None
        return {
            "method": method,
            "fixed": self.fixed.get(method),
            "mean": mean,
            "sd": sd,
            "n_splits": len(scores),
            "paper": paper,
            "paper_in_sds": (paper - mean) / sd if paper is not None and sd > 0 else None,
            "seconds": self.seconds.get(method),
        }

    def rows(self) -> list[dict[str, Any]]:
        """One :meth:`summary` per method."""
        return [self.summary(method) for method in self.methods]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "dataset": self.dataset,
            "seeds": self.seeds,
            "fixed": self.fixed,
            "random": self.random,
            "seconds": self.seconds,
            "summary": self.rows(),
        }

    def to_markdown(self) -> str:
        """The results as a markdown table (accuracies in %)."""
        lines = [
            "| Method | Paper | Ours, fixed split | Ours, mean +/- sd | Paper - mean (sd) | Time / split (s) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for row in self.rows():
            paper = f"{row['paper']:.2f}" if row["paper"] is not None else "-"
            fixed = f"{row['fixed']:.2f}" if row["fixed"] is not None else "-"
            spread = f"{row['mean']:.2f} +/- {row['sd']:.2f}" if row["n_splits"] > 1 else "-"
            distance = f"{row['paper_in_sds']:+.1f}" if row["paper_in_sds"] is not None else "-"
            seconds = f"{row['seconds']:.2f}" if row["seconds"] is not None else "-"
            lines.append(f"| {row['method']} | {paper} | {fixed} | {spread} | {distance} | {seconds} |")
        return "\n".join(lines)


def _training_key(estimator: PartSeparator) -> tuple:
    params = {k: v for k, v in estimator.get_params().items() if k not in estimator.inference_params}
    return (type(estimator).__name__, repr(sorted(params.items())))


def _fit(estimator: PartSeparator, train: SeparationDataset, valid: SeparationDataset) -> None:
    if estimator.uses_validation:
        estimator.fit(train.notes, train.labels, validation=(valid.notes, valid.labels))
    else:
        estimator.fit(train.notes, train.labels)


def _run_split(
    dataset: SeparationDataset, split: Split, methods: Sequence[str], params: dict[str, dict[str, Any]]
) -> dict[str, tuple[float, float]]:
    """Accuracy (%) and seconds of each method on one split; methods differing only at prediction time
    share one training (e.g. "mlp" and "mlp-oracle")."""
    train, valid, test = (dataset.subset(split.train), dataset.subset(split.valid), dataset.subset(split.test))
    trained: dict[tuple, tuple[PartSeparator, float]] = {}
    results = {}
    for method in methods:
        estimator = make_estimator(method, **params.get(method, {}))
        key = _training_key(estimator)
        start = time.perf_counter()
        if key in trained:
            fitted, fit_seconds = trained[key]
            learned = {k: copy.deepcopy(v) for k, v in vars(fitted).items() if k.endswith("_")}
            vars(estimator).update(learned)
        else:
            _fit(estimator, train, valid)
            fit_seconds = time.perf_counter() - start
            trained[key] = (estimator, fit_seconds)
        scores = evaluate(estimator, test.notes, test.labels)
        results[method] = (100.0 * scores["accuracy"], fit_seconds + scores["seconds"])
    return results


def evaluate_baselines(
    dataset: Union[str, SeparationDataset] = "bach",
    n_splits: int = 10,
    methods: Optional[Sequence[str]] = None,
    params: Optional[dict[str, dict[str, Any]]] = None,
    progress: Optional[Callable[[str], None]] = None,
) -> BaselineResults:
    """Train and score baselines over the fixed split and ``n_splits`` random splits.

    Parameters
    ----------
    dataset : "bach", "bach-repeats" or SeparationDataset, default "bach"
        The data; ``"bach"`` loads :func:`~muspy_like.separation.load_bach` (built and cached on first use),
        ``"bach-repeats"`` its variant with repeats written out, as in the paper.
    n_splits : int, default 10
        Random 8:1:1 splits (seeds 1 to ``n_splits``) in addition to the fixed split (seed 0).
    methods : sequence of str, optional
        Names from :data:`~muspy_like.separation.METHODS` (default: all six).
    params : dict, optional
        Method -> extra hyper-parameters, e.g. ``{"mlp": {"max_epochs": 5}}``.
    progress : callable, optional
        Called with a short message after each split (e.g. ``print``).

    Returns
    -------
    BaselineResults
        Per-method accuracies (%); ``.to_markdown()`` gives the table, ``.to_dict()`` the JSON.

    Examples
    --------
    >>> from muspy_like.separation import evaluate_baselines
    >>> table = evaluate_baselines("bach", n_splits=10, methods=["zone", "closest-pitch-mono"])  # doctest: +SKIP
    >>> print(table.to_markdown())  # doctest: +SKIP
    """
    if isinstance(dataset, str):
        if dataset not in BACH_DATASETS:
            raise SeparationError(f"unknown dataset {dataset!r}: give 'bach', 'bach-repeats' or a SeparationDataset")
        from muspy_like.separation.bach import load_bach

        data = load_bach(expand_repeats=dataset == "bach-repeats")
    else:
        data = dataset
    methods = list(methods) if methods is not None else list(METHODS)
    for method in methods:
        if method not in METHODS:
            raise SeparationError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    params = params or {}
    results = BaselineResults(
        methods=methods,
        dataset={
            "name": data.name,
            "n_pieces": len(data),
            "n_notes": data.n_notes,
            "part_names": list(data.part_names),
        },
    )
    splits = [fixed_split(data.names)] + random_splits(data.names, n_splits)
    results.seeds = [split.seed for split in splits[1:]]
    total_seconds = {method: 0.0 for method in methods}
    for index, split in enumerate(splits):
        scores = _run_split(data, split, methods, params)
        for method, (score, seconds) in scores.items():
            total_seconds[method] += seconds
            if index == 0:
                results.fixed[method] = score
            else:
                results.random.setdefault(method, []).append(score)
        if progress is not None:
            shown = ", ".join(f"{m} {s:.2f}" for m, (s, _) in scores.items())
            progress(f"split seed {split.seed}: {shown}")
    results.seconds = {method: total / len(splits) for method, total in total_seconds.items()}
    return results
