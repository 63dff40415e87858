"""A statistics table stored column by column, filled one row at a time in any order.

Rows arrive from worker processes in completion order, one at a time (:meth:`RowTable.put`) or as a
block of rows turned into columns where they were computed (:func:`rows_to_block`,
:meth:`RowTable.put_block`: a few array assignments per block instead of one per cell in the collecting
process); each is stored at its piece's position at once and not kept as a dict, so the table costs
about 8 bytes per number (numpy) plus the text cells, instead of a Python dict per piece: a corpus of 100,000 pieces fits in a few tens of megabytes.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional, Sequence, Union

import numpy as np

__all__ = ["RowTable", "rows_to_block"]

Column = Union[np.ndarray, list]
#: Rows as columns: name -> the values of the rows, in row order.
Block = dict[str, list]


#: The kind of the common exact types, looked up before the isinstance chain of :func:`_kind` (a table of
#: a large corpus stores millions of cells, in the one process that collects the workers' rows).
_KIND_OF_TYPE: dict[type, str] = {
    bool: "bool", np.bool_: "bool", int: "int", np.int64: "int", np.int32: "int",
    float: "float", np.float64: "float", np.float32: "float", str: "text", type(None): "text",
}


def _kind(value: Any) -> str:
    kind = _KIND_OF_TYPE.get(type(value))
    if kind is not None:
        return kind
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, np.integer)):
        return "int"
    if isinstance(value, (float, np.floating)):
        return "float"
    return "text"


def rows_to_block(rows: Sequence[dict[str, Any]]) -> Block:
    """Turn rows (dicts with the same keys) into a :data:`Block` of columns, in the first row's key order.

    Raises
    ------
    ValueError
        If the rows do not all have the same columns.
    """
    if not rows:
        return {}
    names = rows[0].keys()
    if any(row.keys() != names for row in rows):
        raise ValueError("rows of one table must have the same columns")
    return {name: [row[name] for row in rows] for name in names}


def _kinds_of(values: list) -> set[str]:
    """The kinds of the values of a column (looked up once per distinct type)."""
    kinds = set()
    for kind_type in set(map(type, values)):
        kind = _KIND_OF_TYPE.get(kind_type)
        if kind is None:
            kind = _kind(next(value for value in values if type(value) is kind_type))
        kinds.add(kind)
    return kinds


def _joined_kind(kinds: set[str]) -> str:
    """The kind of a column holding values of all these kinds (numbers widen to float, else to text)."""
    if len(kinds) == 1:
        return next(iter(kinds))
    return "float" if kinds <= {"int", "float"} else "text"


class RowTable:
    """Rows with the same columns, at fixed positions ``0 .. capacity - 1``; empty positions are skipped.

    Parameters
    ----------
    capacity : int
        Number of positions (the number of pieces).

    Examples
    --------
    >>> table = RowTable(3)
    >>> table.put(2, {"name": "c", "n": 3})
    >>> table.put(0, {"name": "a", "n": 1.5})
    >>> [row["n"] for row in table.iter_rows()], len(table)
    ([1.5, 3.0], 2)
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.present = np.zeros(capacity, dtype=bool)
        self._columns: dict[str, Column] = {}
        self._kinds: dict[str, str] = {}

    def __len__(self) -> int:
        return int(self.present.sum())

    @property
    def names(self) -> list[str]:
        """The column names, in the order of the first row."""
        return list(self._columns)

    def put(self, position: int, row: dict[str, Any]) -> None:
        """Store ``row`` at ``position`` (numbers in numpy columns, text in lists)."""
        columns, kinds = self._columns, self._kinds
        for name, value in row.items():
            value_kind = _kind(value)
            kind = kinds.get(name)
            if kind is None:
                self._add_column(name, value_kind)
            elif kind != value_kind and (target := _joined_kind({kind, value_kind})) != kind:
                self._widen(name, target)
            columns[name][position] = value
        self.present[position] = True

    def put_block(self, positions: Sequence[int], block: Block) -> None:
        """Store the rows of ``block`` (from :func:`rows_to_block`) at ``positions``, column by column.

        The table ends as if each row had been given to :meth:`put`, in any order.
        """
        where = np.asarray(positions, dtype=np.int64)
        for name, values in block.items():
            kinds = _kinds_of(values)
            kind = self._kinds.get(name)
            target = _joined_kind(kinds if kind is None else kinds | {kind})
            if kind is None:
                self._add_column(name, target)
            elif target != kind:
                self._widen(name, target)
            column = self._columns[name]
            if isinstance(column, np.ndarray):
                column[where] = values
            else:
                for position, value in zip(where.tolist(), values):
                    column[position] = value
        self.present[where] = True

    def _add_column(self, name: str, kind: str) -> None:
        self._kinds[name] = kind
        if kind == "text":
            self._columns[name] = [None] * self.capacity
        else:
            dtype = {"bool": bool, "int": np.int64, "float": np.float64}[kind]
            self._columns[name] = np.zeros(self.capacity, dtype=dtype)

    def _widen(self, name: str, kind: str) -> None:
        old = self._columns[name]
        self._kinds[name] = kind
        if kind == "float":
            self._columns[name] = np.asarray(old, dtype=np.float64)
        else:
            self._columns[name] = [v.item() if isinstance(v, np.generic) else v for v in old]

    def column(self, name: str) -> Column:
        """The values of one column for the rows present, in position order (numpy array or list)."""
        values = self._columns[name]
        if isinstance(values, np.ndarray):
            return values[self.present]
        return [value for value, here in zip(values, self.present.tolist()) if here]

    def numeric_names(self) -> list[str]:
        """Columns of numbers (not flags, not text)."""
        return [name for name, kind in self._kinds.items() if kind in ("int", "float")]

    def iter_rows(self, names: Optional[Sequence[str]] = None) -> Iterator[dict[str, Any]]:
        """The rows present as dicts of plain Python values, one at a time, in position order."""
        names = list(self._columns) if names is None else [n for n in names if n in self._columns]
        for position in np.flatnonzero(self.present).tolist():
            row = {}
            for name in names:
                value = self._columns[name][position]
                row[name] = value.item() if isinstance(value, np.generic) else value
            yield row
