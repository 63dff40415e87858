"""Atomic writers for statistics tables and summaries (CSV, Parquet, JSON)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any, Iterable, Sequence, Union

from muspy_like.files import atomic_write, atomic_write_text

__all__ = ["write_csv", "write_parquet", "write_json", "json_ready"]


def write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], path: Union[str, Path]) -> Path:
    """Write ``rows`` as CSV with the given column order (NaN as an empty cell), atomically.

    The rows are written as they come (an iterator is never held in memory as a whole).
    """
    with atomic_write(path, "w") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()})
    return Path(path)


def write_parquet(frame: Any, path: Union[str, Path]) -> Path:
    """Write a pandas DataFrame as Parquet (pyarrow), atomically."""
    with atomic_write(path, "wb") as handle:
        frame.to_parquet(handle, index=False)
    return Path(path)


def json_ready(value: Any) -> Any:
    """Turn numpy scalars and arrays into plain Python, and NaN into None (strict JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if hasattr(value, "tolist"):
        return json_ready(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(data: Any, path: Union[str, Path]) -> Path:
    """Write ``data`` as indented, strict JSON (NaN written as null), atomically."""
    atomic_write_text(path, json.dumps(json_ready(data), indent=2, allow_nan=False) + "\n")
    return Path(path)
