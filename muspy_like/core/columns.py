"""Column-wise storage of many small timed events behind a list-like facade.

A track can hold hundreds of thousands of notes. Keeping one Python object per note (as MusPy and
pretty_midi do) costs ~100 bytes and a dictionary look-up per field, and makes every bulk operation a Python
loop. Here each kind of event declares its fields once (name, dtype, valid range); :class:`EventArray`
stores one numpy array per field and :class:`EventView` gives a friendly object for one row whose
attributes read and write through to the arrays.

The facade keeps the habits of a list: ``len``, indexing (an ``int`` gives a view, a slice or mask gives a
new array), iteration, ``append``, ``extend``, ``insert``, ``del`` and ``pop``. Whole columns are available
as numpy arrays (``notes.pitch``); writing into them changes the events in place.

A view is bound to its array and an index, not to an event: after ``sort`` or a deletion before it, the
same view shows whatever event is now at that index. Copy a view with :meth:`EventView.copy` to keep it.
"""

from __future__ import annotations

import sys
from typing import Any, ClassVar, Iterable, Iterator, NamedTuple

import numpy as np

from muspy_like.compat.base import MusPyObject

__all__ = ["Field", "EventArray", "EventView"]


class Field(NamedTuple):
    """Declaration of one column.

    Attributes
    ----------
    name : str
        Attribute name.
    dtype : type
        numpy dtype of the column.
    low, high : int
        Inclusive range of valid values, used by validation.
    default : int or None
        Value used when a constructor omits the field (``None``: the field is required).
    """

    name: str
    dtype: type
    low: int
    high: int
    default: int | None = None


class EventArray:
    """A growable, column-wise array of events of one kind.

    Subclasses set ``fields`` (a tuple of :class:`Field`) and ``item_class`` (the :class:`EventView`
    subclass returned for one row). Column accessors (``arr.time``, ``arr.pitch``...) are generated.

    Parameters
    ----------
    items : iterable of EventView, optional
        Initial events (copied).
    """

    fields: ClassVar[tuple[Field, ...]] = ()
    item_class: ClassVar[type["EventView"]]
    _empty_columns: ClassVar[dict[str, np.ndarray]] = {}
    _packed_layout: ClassVar[tuple[tuple[str, np.dtype], ...]] = ()
    _row_bytes: ClassVar[int] = 0
    sort_keys: ClassVar[tuple[str, ...]] = ()

    __slots__ = ("_data", "_n")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for field in cls.fields:
            setattr(cls, field.name, _column_property(field.name))
        # Every empty array starts from the same zero-length columns: nothing is ever written into a
        # zero-capacity column (growing replaces it), and tracks are created by the thousand.
        cls._empty_columns = {f.name: np.zeros(0, dtype=f.dtype) for f in cls.fields}
        # Pickles hold all columns in one little-endian buffer, widest columns first, so that every
        # column restored as a view of that buffer starts at a multiple of its item size.
        widest_first = sorted(cls.fields, key=lambda f: -np.dtype(f.dtype).itemsize)
        cls._packed_layout = tuple((f.name, np.dtype(f.dtype).newbyteorder("<")) for f in widest_first)
        cls._row_bytes = sum(dtype.itemsize for _, dtype in cls._packed_layout)

    def __init__(self, items: Iterable["EventView"] | None = None) -> None:
        self._n = 0
        self._data = dict(self._empty_columns)
        if items is not None:
            self.extend(items)

    # -- construction --------------------------------------------------------------------------------
    @classmethod
    def from_columns(cls, **columns: Any) -> "EventArray":
        """Build an array from one sequence per field (all of the same length).

        Missing fields take their declared default; a missing field without default raises ``TypeError``.
        """
        unknown = set(columns) - {f.name for f in cls.fields}
        if unknown:
            raise TypeError(f"{cls.__name__}.from_columns() got unknown fields {sorted(unknown)}")
        lengths = {len(np.atleast_1d(v)) for v in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"{cls.__name__}.from_columns(): columns have different lengths {sorted(lengths)}")
        n = lengths.pop() if lengths else 0
        new = cls.__new__(cls)
        new._n = n
        new._data = {}
        for f in cls.fields:
            if f.name in columns:
                new._data[f.name] = np.array(columns[f.name], dtype=f.dtype, copy=True).reshape(n)
            elif f.default is not None:
                new._data[f.name] = np.full(n, f.default, dtype=f.dtype)
            else:
                raise TypeError(f"{cls.__name__}.from_columns() missing required column {f.name!r}")
        return new

    @classmethod
    def _from_trusted(cls, columns: dict[str, np.ndarray], n: int) -> "EventArray":
        """Wrap ready columns without checking or copying them (for readers that built them).

        ``columns`` must map every field name to a new one-dimensional array of the field's dtype and
        length ``n`` that nothing else holds. Zero-length arrays may be shared: nothing is ever
        written into them (growing replaces the arrays).
        """
        new = cls.__new__(cls)
        new._n = n
        new._data = columns
        return new

    def columns(self) -> dict[str, np.ndarray]:
        """Return the columns as a dict of numpy arrays (views of the live data)."""
        return {f.name: self._data[f.name][: self._n] for f in self.fields}

    def copy(self) -> "EventArray":
        """Return a deep copy (new arrays, trimmed to length)."""
        n = self._n
        if n == 0:
            return type(self)()
        return self._from_trusted({name: col[:n].copy() for name, col in self._data.items()}, n)

    def __deepcopy__(self, memo: dict) -> "EventArray":
        return self.copy()

    # -- list protocol -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._n

    def __bool__(self) -> bool:
        return self._n > 0

    def __iter__(self) -> Iterator["EventView"]:
        item_class = self.item_class
        for i in range(self._n):
            yield item_class._bind(self, i)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (int, np.integer)):
            return self.item_class._bind(self, self._normalize_index(key))
        return type(self).from_columns(**{name: col[key] for name, col in self.columns().items()})

    def __setitem__(self, key: int, value: "EventView") -> None:
        index = self._normalize_index(key)
        self._check_item(value)
        for f in self.fields:
            self._data[f.name][index] = getattr(value, f.name)

    def __delitem__(self, key: Any) -> None:
        keep = np.ones(self._n, dtype=bool)
        if isinstance(key, (int, np.integer)):
            keep[self._normalize_index(key)] = False
        else:
            keep[key] = False
        self.keep(keep)

    def append(self, item: "EventView") -> None:
        """Append one event (its values are copied)."""
        self._check_item(item)
        self._reserve(self._n + 1)
        for f in self.fields:
            self._data[f.name][self._n] = getattr(item, f.name)
        self._n += 1

    def extend(self, items: Iterable["EventView"] | "EventArray") -> None:
        """Append many events, or all rows of another array of the same kind."""
        if isinstance(items, EventArray):
            if type(items) is not type(self):
                raise TypeError(f"cannot extend {type(self).__name__} with {type(items).__name__}")
            other = items.columns()
            m = len(items)
            self._reserve(self._n + m)
            for name, col in other.items():
                self._data[name][self._n : self._n + m] = col
            self._n += m
            return
        for item in items:
            self.append(item)

    def insert(self, index: int, item: "EventView") -> None:
        """Insert one event before ``index``."""
        self._check_item(item)
        index = min(max(index if index >= 0 else self._n + index, 0), self._n)
        cols = self.columns()
        self._data = {
            f.name: np.insert(cols[f.name], index, getattr(item, f.name)).astype(f.dtype) for f in self.fields
        }
        self._n += 1

    def __add__(self, other: Any) -> "EventArray":
        """Concatenation, as for lists: a new array with the rows of both (``other`` may be a list of events)."""
        if not isinstance(other, (EventArray, list, tuple)):
            return NotImplemented
        new = self.copy()
        new.extend(other)
        return new

    def __iadd__(self, other: Iterable["EventView"] | "EventArray") -> "EventArray":
        self.extend(other)
        return self

    def pop(self, index: int = -1) -> "EventView":
        """Remove and return the event at ``index`` (as a standalone copy)."""
        item = self[index].copy()
        del self[index]
        return item

    def clear(self) -> None:
        """Remove all events (keeps the allocated memory)."""
        self._n = 0

    # -- bulk operations -----------------------------------------------------------------------------
    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows where the boolean ``mask`` is true, in place."""
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (self._n,):
            raise ValueError(f"mask of shape {mask.shape} does not match {self._n} events")
        self._data = {name: col[mask] for name, col in self.columns().items()}
        self._n = int(mask.sum())

    def reorder(self, order: np.ndarray) -> None:
        """Reorder the rows in place by an index array (a permutation or a selection)."""
        self._data = {name: col[order] for name, col in self.columns().items()}
        self._n = len(order)

    def sort(self, keys: tuple[str, ...] | None = None) -> None:
        """Sort in place, stably, by the given columns (first key is the primary one).

        The default keys are the class's ``sort_keys`` (``time`` first).
        """
        keys = keys or self.sort_keys or (self.fields[0].name,)
        cols = self.columns()
        order = np.lexsort([cols[k] for k in reversed(keys)])
        self.reorder(order)

    def is_sorted(self, keys: tuple[str, ...] | None = None) -> bool:
        """Whether the rows are already in the order :meth:`sort` would give."""
        keys = keys or self.sort_keys or (self.fields[0].name,)
        cols = self.columns()
        order = np.lexsort([cols[k] for k in reversed(keys)])
        return bool(np.all(order == np.arange(self._n)))

    # -- comparison and pickling ---------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        if len(other) != self._n:
            return False
        mine, theirs = self.columns(), other.columns()
        return all(np.array_equal(mine[name], theirs[name]) for name in mine)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __reduce__(self) -> tuple:
        # One bytes object per array instead of one pickled ndarray per column: the per-object cost
        # of pickling (not the bytes) dominates for the few hundred notes of a typical track.
        n = self._n
        if n == 0:
            return (type(self), ())
        data = self._data
        columns = [data[name][:n] for name, _ in self._packed_layout]
        if not _LITTLE_ENDIAN:
            columns = [col.astype(dtype) for col, (_, dtype) in zip(columns, self._packed_layout)]
        return (_unpack_array, (type(self), n, b"".join(columns)))

    def __repr__(self) -> str:
        shown = ", ".join(repr(item) for item in list(self)[:3])
        more = f", ... ({self._n} in all)" if self._n > 3 else ""
        return f"{type(self).__name__}([{shown}{more}])"

    # -- internals -----------------------------------------------------------------------------------
    def _normalize_index(self, key: int) -> int:
        index = int(key)
        if index < 0:
            index += self._n
        if not 0 <= index < self._n:
            raise IndexError(f"{type(self).__name__} index {key} out of range for length {self._n}")
        return index

    def _check_item(self, item: Any) -> None:
        if not isinstance(item, self.item_class):
            raise TypeError(f"{type(self).__name__} holds {self.item_class.__name__}, not {type(item).__name__}")

    def _reserve(self, size: int) -> None:
        capacity = len(self._data[self.fields[0].name])
        if size <= capacity:
            return
        new_capacity = max(size, 2 * capacity, 16)
        for name, col in self._data.items():
            grown = np.zeros(new_capacity, dtype=col.dtype)
            grown[: self._n] = col[: self._n]
            self._data[name] = grown


_LITTLE_ENDIAN = sys.byteorder == "little"


def _unpack_array(cls: type[EventArray], n: int, packed: bytes) -> EventArray:
    """Rebuild an array pickled by :meth:`EventArray.__reduce__` (columns of ``n`` rows in ``packed``).

    The bytes are copied once into a new writable buffer that only this array's columns view.
    """
    if len(packed) != n * cls._row_bytes:
        raise ValueError(f"pickled {cls.__name__} of {n} rows cannot have {len(packed)} bytes")
    buffer = bytearray(packed)
    columns = {}
    offset = 0
    for name, dtype in cls._packed_layout:
        # Positional arguments: numpy parses keywords several times slower than the copy itself.
        columns[name] = np.frombuffer(buffer, dtype, n, offset)
        offset += n * dtype.itemsize
    if not _LITTLE_ENDIAN:
        columns = {name: column.astype(column.dtype.newbyteorder("=")) for name, column in columns.items()}
    new = cls.__new__(cls)
    new._n = n
    new._data = columns
    return new


def _column_property(name: str) -> property:
    def getter(self: EventArray) -> np.ndarray:
        return self._data[name][: self._n]

    def setter(self: EventArray, values: Any) -> None:
        self._data[name][: self._n] = values

    return property(getter, setter, doc=f"The ``{name}`` column as a numpy array (writes go through).")


class EventView(MusPyObject):
    """One event: a standalone value or a live view of one row of an :class:`EventArray`.

    Subclasses set ``array_class``. Constructing a view directly (``Note(time=0, pitch=60, duration=24)``)
    makes a standalone event backed by a one-row array of its own.
    """

    array_class: ClassVar[type[EventArray]]

    __slots__ = ("_owner", "_index")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "array_class" in cls.__dict__:
            cls.array_class.item_class = cls
            for field in cls.array_class.fields:
                setattr(cls, field.name, _row_property(field.name))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self.array_class.fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__}() takes at most {len(fields)} positional arguments")
        values = dict(zip((f.name for f in fields), args))
        for name, value in kwargs.items():
            if name in values:
                raise TypeError(f"{type(self).__name__}() got multiple values for {name!r}")
            values[name] = value
        self._owner = self.array_class.from_columns(**{k: [v] for k, v in values.items()})
        self._index = 0

    @classmethod
    def _bind(cls, owner: EventArray, index: int) -> "EventView":
        view = cls.__new__(cls)
        view._owner = owner
        view._index = index
        return view

    def to_tuple(self) -> tuple[int, ...]:
        """The field values, in declaration order, as Python numbers."""
        data, i = self._owner._data, self._index
        return tuple(data[f.name][i].item() for f in self.array_class.fields)

    def to_dict(self) -> dict[str, int]:
        """The field values as a dict of Python numbers."""
        return dict(zip((f.name for f in self.array_class.fields), self.to_tuple()))

    def copy(self) -> "EventView":
        """A standalone copy, detached from any array."""
        return type(self)(*self.to_tuple())

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.to_tuple() == other.to_tuple()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __reduce__(self) -> tuple:
        return (type(self), self.to_tuple())

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items())
        return f"{type(self).__name__}({body})"


def _row_property(name: str) -> property:
    def getter(self: EventView) -> int:
        return self._owner._data[name][self._index].item()

    def setter(self: EventView, value: Any) -> None:
        self._owner._data[name][self._index] = value

    return property(getter, setter)
