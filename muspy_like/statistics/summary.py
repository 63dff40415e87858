"""Summaries of a statistics table: count, mean, std, min, percentiles, max of each numeric column.

Works on plain rows (a list of dicts), so pandas is not needed. NaN values (metrics undefined for a piece)
are left out of each column's figures, and ``count`` says how many values remained.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

__all__ = ["summarize", "describe_values", "PERCENTILES"]

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


def _numeric_columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    return [
        key
        for key, value in rows[0].items()
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    ]


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
    columns = _numeric_columns(rows)

    def describe(subset: Sequence[dict[str, Any]]) -> dict[str, Any]:
        figures = {column: describe_values([row[column] for row in subset]) for column in columns}
        if subset and "has_drums" in subset[0]:
            figures["share_has_drums"] = float(np.mean([bool(row["has_drums"]) for row in subset]))
        return figures

    result: dict[str, Any] = {"n_pieces": len(rows), "all": describe(rows)}
    if by_dataset:
        labels = list(dict.fromkeys(row["dataset"] for row in rows))
        result["datasets"] = {
            label: {"n_pieces": len(subset), "columns": describe(subset)}
            for label in labels
            for subset in [[row for row in rows if row["dataset"] == label]]
        }
    return result
