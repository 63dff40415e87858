"""Summaries of a statistics table: count, mean, std, min, percentiles, max of each numeric column.

Works on plain rows (a list of dicts), so pandas is not needed. NaN values (metrics undefined for a piece)
are left out of each column's figures, and ``count`` says how many values remained.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

if TYPE_CHECKING:
    from muspy_like.statistics.rowtable import RowTable

__all__ = ["summarize", "summarize_table", "describe_values", "PERCENTILES"]

#: Percentiles reported for every column (the 50th is the median).
PERCENTILES = (5, 25, 50, 75, 95)


def describe_values(values: Sequence[float]) -> dict[str, float]:
    """Count, mean, std (sample, ``ddof=1``), min, percentiles, median and max of the non-NaN values.

    With no value every figure is NaN and ``count`` is 0; with one value ``std`` is NaN.
    """
    data = np.asarray(values, dtype=np.float64)
    data = data[~np.isnan(data)]
    figures: dict[str, float] = {"count": int(len(data))}
    if not len(data):
        nan_keys = ["mean", "std", "min", *(f"p{q}" for q in PERCENTILES), "median", "max"]
        return {**figures, **{key: math.nan for key in nan_keys}}
    figures["mean"] = float(data.mean())
    figures["std"] = float(data.std(ddof=1)) if len(data) > 1 else math.nan
    figures["min"] = float(data.min())
    for q, value in zip(PERCENTILES, np.percentile(data, PERCENTILES)):
        figures[f"p{q}"] = float(value)
    figures["median"] = figures["p50"]
    figures["max"] = float(data.max())
    return figures


def summarize(rows: Sequence[dict[str, Any]], by_dataset: bool = True) -> dict[str, Any]:
    """Describe every numeric column of ``rows`` (see :func:`describe_values`).

    Parameters
    ----------
    rows : sequence of dict
        Statistics rows (e.g. ``DatasetStatistics.rows``).
    by_dataset : bool, default True
        Also describe each dataset label separately.

    Returns
    -------
    dict
        ``{"n_pieces": N, "all": {column: figures}, "datasets": {label: {"n_pieces": n, "columns":
        {column: figures}}}}`` (``"datasets"`` only with ``by_dataset``); boolean columns become the share
        of pieces where they hold (``"share_has_drums"``).
    """
    from muspy_like.statistics.rowtable import RowTable

    table = RowTable(len(rows))
    for position, row in enumerate(rows):
        table.put(position, row)
    return summarize_table(table, by_dataset)


def summarize_table(table: "RowTable", by_dataset: bool = True) -> dict[str, Any]:
    """:func:`summarize` of a column-wise :class:`~muspy_like.statistics.rowtable.RowTable` (no row dicts built)."""
    columns = {name: np.asarray(table.column(name), dtype=np.float64) for name in table.numeric_names()}
    drums = np.asarray(table.column("has_drums"), dtype=bool) if "has_drums" in table.names else None

    def describe(mask: Any) -> dict[str, Any]:
        figures = {name: describe_values(values[mask]) for name, values in columns.items()}
        if drums is not None and len(drums[mask]):
            figures["share_has_drums"] = float(np.mean(drums[mask]))
        return figures

    everything = np.ones(len(table), dtype=bool)
    result: dict[str, Any] = {"n_pieces": len(table), "all": describe(everything)}
    if by_dataset:
        labels = np.asarray(table.column("dataset"), dtype=object) if "dataset" in table.names else np.zeros(0)
        result["datasets"] = {}
        for label in dict.fromkeys(labels.tolist()):
            mask = labels == label
            result["datasets"][label] = {"n_pieces": int(mask.sum()), "columns": describe(mask)}
    return result
