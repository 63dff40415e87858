"""One evaluation for every baseline and dataset: note-level accuracy pooled over all test notes.

:func:`evaluate_baselines` reproduces a column of Table 2 of Dong et al. (ISMIR 2021): each method is
trained on the training pieces of a split (the MLP stops early on the validation pieces) and scored on the
test pieces, over the dataset's fixed split (its official split, else the seeded one) and ``n_splits``
random 8:1:1 splits, next to the paper's figure. :func:`evaluate_datasets` does so for several datasets
and gives one table with a column per dataset; a dataset that is not downloaded keeps its column, which
says so and how to download it.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from muspy_like.errors import DatasetNotInstalledError, SeparationError
from muspy_like.separation.base import PartSeparator
from muspy_like.separation.dataset import SeparationDataset
from muspy_like.separation.methods import BASELINES, METHODS, make_estimator
from muspy_like.separation.splits import Split

__all__ = [
    "PAPER_ACCURACY",
    "PAPER_BACH_ACCURACY",
    "PAPER_SUBSET",
    "accuracy",
    "evaluate",
    "evaluate_baselines",
    "evaluate_datasets",
    "BaselineResults",
    "DatasetTable",
]

#: Accuracy (%) reported in Table 2 of the paper, by column (Bach, String, Game, Pop) and method.
PAPER_ACCURACY: dict[str, dict[str, float]] = {
    "Bach": {"zone": 73.14, "zone-oracle": 78.33, "closest-pitch": 68.87, "closest-pitch-mono": 89.76,
             "mlp": 81.63, "mlp-oracle": 97.59, "lstm": 93.02, "transformer-decoder": 91.51, "bilstm": 97.13,
             "transformer-encoder": 96.81, "lstm-entry-hints": 92.70, "transformer-decoder-entry-hints": 91.17,
             "bilstm-entry-hints": 97.39, "transformer-encoder-entry-hints": 93.81},
    "String": {"zone": 58.85, "zone-oracle": 66.89, "closest-pitch": 50.69, "closest-pitch-mono": 42.82,
               "mlp": 29.85, "mlp-oracle": 58.16},
    "Game": {"zone": 43.67, "zone-oracle": 79.54, "closest-pitch": 57.14, "closest-pitch-mono": 49.91,
             "mlp": 43.08, "mlp-oracle": 65.30},
    "Pop": {"zone": 57.07, "closest-pitch": 47.45, "closest-pitch-mono": 32.28, "mlp": 33.50,
            "mlp-oracle": 44.62},
}
#: Paper figures measured on a subset of 100 test pieces only (starred in the paper).
PAPER_SUBSET = {("Game", "zone-oracle"), ("Game", "mlp"), ("Pop", "mlp")}
#: The Bach column alone (kept for code written against muspy_like 0.1).
PAPER_BACH_ACCURACY = PAPER_ACCURACY["Bach"]


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


def paper_figure(column: Optional[str], method: str) -> Optional[float]:
    """The paper's accuracy (%) of a method in a column of Table 2, or None."""
    return PAPER_ACCURACY.get(column or "", {}).get(method)


@dataclass
class BaselineResults:
    """Accuracies of several methods over the fixed split and repeated random splits.

    Attributes
    ----------
    methods : list of str
        Method names (keys of :data:`~muspy_like.separation.METHODS`).
    fixed : dict
        Method -> accuracy (%) on the fixed split (the official one, else seed 0).
    random : dict
        Method -> list of accuracies (%) over the random splits.
    seconds : dict
        Method -> mean training plus prediction time per split, in seconds.
    seeds : list of int
        Seeds of the random splits.
    dataset : dict
        Name, number of pieces and notes, part names, the paper's column (``paper``) and whether the
        fixed split is the dataset's official one.
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
        column = self.dataset.get("paper")
        paper = paper_figure(column, method)
        return {
            "method": method,
            "fixed": self.fixed.get(method),
            "mean": mean,
            "sd": sd,
            "n_splits": len(scores),
            "paper": paper,
            "paper_subset": (column, method) in PAPER_SUBSET,
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
        split = "official split" if self.dataset.get("official_split") else "fixed split"
        lines = [
            f"| Method | Paper | Ours, {split} | Ours, mean +/- sd | Paper - mean (sd) | Time / split (s) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for row in self.rows():
            paper = _paper_text(row)
            fixed = f"{row['fixed']:.2f}" if row["fixed"] is not None else "-"
            spread = f"{row['mean']:.2f} +/- {row['sd']:.2f}" if row["n_splits"] > 1 else "-"
            distance = f"{row['paper_in_sds']:+.1f}" if row["paper_in_sds"] is not None else "-"
            seconds = f"{row['seconds']:.2f}" if row["seconds"] is not None else "-"
            lines.append(f"| {row['method']} | {paper} | {fixed} | {spread} | {distance} | {seconds} |")
        return "\n".join(lines)


def _paper_text(row: dict[str, Any]) -> str:
    if row["paper"] is None:
        return "-"
    return f"{row['paper']:.2f}" + ("*" if row["paper_subset"] else "")


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


def _check_methods(methods: Optional[Sequence[str]]) -> list[str]:
    methods = list(methods) if methods is not None else list(BASELINES)
    for method in methods:
        if method not in METHODS:
            raise SeparationError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    return methods


def _describe(data: SeparationDataset, paper: Optional[str]) -> dict[str, Any]:
    return {
        "name": data.name,
        "n_pieces": len(data),
        "n_notes": data.n_notes,
        "part_names": list(data.part_names),
        "paper": paper,
        "official_split": data.split_labels is not None,
    }


def evaluate_baselines(
    dataset: Union[str, SeparationDataset] = "bach",
    n_splits: int = 10,
    methods: Optional[Sequence[str]] = None,
    params: Optional[dict[str, dict[str, Any]]] = None,
    progress: Optional[Callable[[str], None]] = None,
    load_options: Optional[dict[str, Any]] = None,
) -> BaselineResults:
    """Train and score baselines over the fixed split and ``n_splits`` random splits.

    Parameters
    ----------
    dataset : str or SeparationDataset, default "bach"
        The data: a name of :data:`~muspy_like.separation.RECIPES` (loaded with
        :func:`~muspy_like.separation.load_dataset`, built and cached on first use), or a dataset.
    n_splits : int, default 10
        Random 8:1:1 splits (seeds 1 to ``n_splits``) besides the fixed split (the dataset's official
        split, else seed 0).
    methods : sequence of str, optional
        Names from :data:`~muspy_like.separation.METHODS` (default: the baselines,
        :data:`~muspy_like.separation.methods.BASELINES`; the sequence models train for minutes each).
    params : dict, optional
        Method -> extra hyper-parameters, e.g. ``{"mlp": {"max_epochs": 5}}``.
    progress : callable, optional
        Called with a short message after each split (e.g. ``print``).
    load_options : dict, optional
        Keyword arguments of :func:`~muspy_like.separation.load_dataset` for a named dataset
        (``data_dir``, ``cache_dir``, ``download``, ``n_jobs``...).

    Returns
    -------
    BaselineResults
        Per-method accuracies (%); ``.to_markdown()`` gives the table, ``.to_dict()`` the JSON.

    Raises
    ------
    DatasetNotInstalledError
        A named dataset whose data is not downloaded.

    Examples
    --------
    >>> from muspy_like.separation import evaluate_baselines
    >>> table = evaluate_baselines("bach", n_splits=10, methods=["zone", "closest-pitch-mono"])  # doctest: +SKIP
    >>> print(table.to_markdown())  # doctest: +SKIP
    """
    from muspy_like.separation.recipes import RECIPES, load_dataset

    if isinstance(dataset, str):
        data = load_dataset(dataset, **(load_options or {}))
    else:
        data = dataset
    recipe = RECIPES.get(data.name)
    methods = _check_methods(methods)
    params = params or {}
    results = BaselineResults(methods=methods, dataset=_describe(data, recipe.paper if recipe else None))
    splits = [data.fixed_split()] + data.random_splits(n_splits)
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
            label = "official split" if split.seed < 0 else f"split seed {split.seed}"
            progress(f"{data.name}, {label}: {shown}")
    results.seconds = {method: total / len(splits) for method, total in total_seconds.items()}
    return results


@dataclass
class DatasetTable:
    """Results of :func:`evaluate_datasets`: one column per dataset.

    Attributes
    ----------
    methods : list of str
        The rows.
    results : dict
        Dataset name -> :class:`BaselineResults`, for the datasets that could be evaluated.
    missing : dict
        Dataset name -> the one-line message saying it is not downloaded and how to download it.
    """

    methods: list[str]
    results: dict[str, BaselineResults] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    def cell(self, dataset: str, method: str) -> str:
        """``mean +/- sd [paper X]`` (the fixed split's figure when there are no random splits)."""
        if dataset in self.missing:
            return "not downloaded"
        row = self.results[dataset].summary(method)
        ours = f"{row['mean']:.2f} +/- {row['sd']:.2f}" if row["n_splits"] > 1 else f"{row['fixed']:.2f}"
        return f"{ours} [paper {_paper_text(row)}]" if row["paper"] is not None else ours

    def to_markdown(self) -> str:
        """The table, a line of sizes under the header, and the download commands of missing datasets."""
        header = "| Method | " + " | ".join(self.order) + " |"
        rule = "|---|" + "---:|" * len(self.order)
        sizes = "| (pieces, notes) | " + " | ".join(self._size(name) for name in self.order) + " |"
        lines = [header, rule, sizes]
        for method in self.methods:
            lines.append(f"| {method} | " + " | ".join(self.cell(name, method) for name in self.order) + " |")
        notes = [f"* {name}: {message}" for name, message in self.missing.items()]
        return "\n".join(lines + ([""] + notes if notes else []))

    def _size(self, name: str) -> str:
        if name in self.missing:
            return "-"
        info = self.results[name].dataset
        return f"{info['n_pieces']:,}, {info['n_notes']:,}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "methods": self.methods,
            "datasets": self.order,
            "results": {name: result.to_dict() for name, result in self.results.items()},
            "missing": self.missing,
        }


def evaluate_datasets(
    datasets: Sequence[str],
    n_splits: int = 10,
    methods: Optional[Sequence[str]] = None,
    params: Optional[dict[str, dict[str, Any]]] = None,
    progress: Optional[Callable[[str], None]] = None,
    load_options: Optional[dict[str, Any]] = None,
) -> DatasetTable:
    """:func:`evaluate_baselines` on several datasets, as one table with a column per dataset.

    A dataset whose data is not downloaded is not an error here: its column says so, and the table's
    notes give the command that downloads it. The other arguments are those of
    :func:`evaluate_baselines`.
    """
    methods = _check_methods(methods)
    table = DatasetTable(methods, order=list(datasets))
    for name in datasets:
        try:
            table.results[name] = evaluate_baselines(name, n_splits, methods, params, progress, load_options)
        except DatasetNotInstalledError as error:
            table.missing[name] = getattr(error, "cli_message", None) or str(error)
    return table
