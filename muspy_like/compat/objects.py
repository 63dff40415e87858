"""MusPy's generic object operations, derived from the field declarations of the core classes.

MusPy declares each class's fields in ``_attributes`` (name -> type), ``_optional_attributes`` and
``_list_attributes``, and derives dict conversion, type checks and fixes from them. Our classes declare
their fields once already: dataclass fields with type hints, and column declarations
(:class:`~muspy_like.core.columns.Field`) for notes, control changes and pitch bends. This module reads
those declarations (:func:`declared_fields`) and implements MusPy's operations on top of them, so nothing is
declared twice. Columns of notes are handled as whole arrays (a type fix is a no-op: a column is always
integer; ``remove_invalid`` is one mask per column).
"""

from __future__ import annotations

import copy
import dataclasses
import typing
from collections import OrderedDict
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Callable, NamedTuple, Optional

import numpy as np

from muspy_like.core.columns import EventArray, EventView
from muspy_like.errors import ValidationError

__all__ = [
    "FieldInfo",
    "declared_fields",
    "field_table",
    "object_from_dict",
    "object_to_ordered_dict",
    "pretty_str",
    "validate_type",
    "validate_values",
    "fix_type",
    "remove_invalid",
    "adjust_time",
]


class FieldInfo(NamedTuple):
    """One field as MusPy sees it.

    Attributes
    ----------
    name : str
        Attribute name.
    kind : type
        Type of the value, or of each item for lists and arrays (``object`` when anything goes).
    optional : bool
        Whether None is allowed.
    container : str
        ``""`` for a single value, ``"list"`` for a Python list, ``"array"`` for an event array.
    array_class : type or None
        The :class:`EventArray` subclass of an ``"array"`` field.
    """

    name: str
    kind: type
    optional: bool
    container: str
    array_class: Optional[type] = None


@lru_cache(maxsize=None)
def declared_fields(cls: type) -> tuple[FieldInfo, ...]:
    """The fields of a core class, from its column declarations or its dataclass type hints."""
    if issubclass(cls, EventView):
        return tuple(FieldInfo(f.name, int, False, "") for f in cls.array_class.fields)
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} declares no fields")
    hints = typing.get_type_hints(cls)
    return tuple(_field_info(f.name, hints[f.name]) for f in dataclasses.fields(cls))


def _field_info(name: str, hint: Any) -> FieldInfo:
    if hint is Any:
        return FieldInfo(name, object, True, "")
    optional = False
    if typing.get_origin(hint) is typing.Union:
        members = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        optional = len(members) < len(typing.get_args(hint))
        hint = members[0] if len(members) == 1 else object
    if isinstance(hint, type) and issubclass(hint, EventArray):
        return FieldInfo(name, hint.item_class, optional, "array", hint)
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint) or (object,)
        return FieldInfo(name, item if isinstance(item, type) else object, optional, "list")
    return FieldInfo(name, hint if isinstance(hint, type) else object, optional, "")


@lru_cache(maxsize=None)
def field_table(cls: type, kind: str) -> Any:
    """MusPy's ``_attributes`` (``kind="attributes"``), ``_optional_attributes`` or ``_list_attributes``."""
    fields = declared_fields(cls)
    if kind == "attributes":
        return OrderedDict((f.name, f.kind) for f in fields)
    if kind == "optional":
        return [f.name for f in fields if f.optional]
    if kind == "list":
        return [f.name for f in fields if f.container]
    raise ValueError(f"unknown field table {kind!r}")


def _selected(obj: Any, attr: Optional[str]) -> tuple[FieldInfo, ...]:
    fields = declared_fields(type(obj))
    if attr is None:
        return fields
    for field in fields:
        if field.name == attr:
            return (field,)
    raise AttributeError(f"{type(obj).__name__} has no field {attr!r}; fields: {[f.name for f in fields]}")


# -- types --------------------------------------------------------------------------------------------
def _is_instance(value: Any, kind: type) -> bool:
    """Whether ``value`` already has the declared type (numpy scalars count as Python numbers)."""
    if kind is object:
        return True
    if kind is bool:
        return isinstance(value, (bool, np.bool_))
    if kind is int:
        return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if kind is float:
        return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    return isinstance(value, kind)


def _cast(value: Any, kind: type, where: str) -> Any:
    """Convert ``value`` to ``kind``; a one-element numpy array counts as its element."""
    if kind is object or _is_instance(value, kind) and not isinstance(value, np.generic):
        return value
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise TypeError(f"{where}: cannot convert an array of {value.size} values to {kind.__name__}")
        value = value.reshape(()).item()
    elif isinstance(value, np.generic):
        value = value.item()
    try:
        if kind is int and isinstance(value, str):
            number = float(value)
            if not number.is_integer():
                raise ValueError(f"{value!r} is not a whole number")
            return int(number)
        if kind is int and isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{value!r} is not a whole number")
        return kind(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{where}: cannot convert {value!r} to {kind.__name__} ({error})") from error


def _check(value: Any, kind: type, where: str) -> None:
    if not _is_instance(value, kind):
        raise TypeError(f"{where} should be of type {kind.__name__}, not {type(value).__name__} ({value!r})")


# -- dict conversion ----------------------------------------------------------------------------------
def object_from_dict(cls: type, data: Any, strict: bool = False, cast: bool = False) -> Any:
    """Build ``cls`` from a mapping of its fields (see :meth:`MusPyObject.from_dict`)."""
    if not isinstance(data, Mapping):
        raise TypeError(f"{cls.__name__}.from_dict() needs a mapping, not {type(data).__name__}")
    kwargs: dict[str, Any] = {}
    for field in declared_fields(cls):
        if field.name not in data:
            continue
        value = data[field.name]
        where = f"{cls.__name__}.{field.name}"
        if value is None:
            if field.optional:
                kwargs[field.name] = None
            elif strict:
                raise TypeError(f"{where} may not be None")
            continue
        kwargs[field.name] = _value_from_dict(field, value, strict, cast, where)
    return cls(**kwargs)


def _value_from_dict(field: FieldInfo, value: Any, strict: bool, cast: bool, where: str) -> Any:
    if field.container == "array":
        return _array_from_dict(field.array_class, value, strict, cast, where)
    if field.container == "list":
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{where} should be a list, not {type(value).__name__}")
        return [_item_from_dict(field.kind, item, strict, cast, f"{where}[{i}]") for i, item in enumerate(value)]
    return _item_from_dict(field.kind, value, strict, cast, where)


def _item_from_dict(kind: type, value: Any, strict: bool, cast: bool, where: str) -> Any:
    from muspy_like.compat.base import MusPyObject

    if isinstance(kind, type) and issubclass(kind, MusPyObject):
        if isinstance(value, kind):
            return value
        return object_from_dict(kind, value, strict, cast)
    if strict:
        _check(value, kind, where)
    return _cast(value, kind, where) if cast else value


def _array_from_dict(array_class: type, value: Any, strict: bool, cast: bool, where: str) -> EventArray:
    if isinstance(value, EventArray):
        return value.copy()
    if isinstance(value, Mapping):  # muspy_like's native form: one list per column
        return array_class.from_columns(**value)
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{where} should be a list of events, not {type(value).__name__}")
    if not strict and not cast and all(isinstance(item, Mapping) for item in value):
        columns: dict[str, list] = {}
        for f in array_class.fields:
            if f.default is None:
                columns[f.name] = [item[f.name] for item in value]
            else:
                columns[f.name] = [item.get(f.name, f.default) for item in value]
        return array_class.from_columns(**columns)
    item_class = array_class.item_class
    return array_class(
        item if isinstance(item, item_class) else object_from_dict(item_class, item, strict, cast)
        for item in value
    )


def object_to_ordered_dict(obj: Any, skip_missing: bool = True, deepcopy: bool = True) -> "OrderedDict[str, Any]":
    """The fields of ``obj`` as an ordered dict; nested objects and note rows become ordered dicts too."""
    result: OrderedDict[str, Any] = OrderedDict()
    for field in declared_fields(type(obj)):
        value = getattr(obj, field.name)
        if skip_missing and (value is None or field.container and not len(value)):
            continue
        result[field.name] = _plain(value, skip_missing, deepcopy)
    return result


def _plain(value: Any, skip_missing: bool, deepcopy: bool) -> Any:
    from muspy_like.compat.base import MusPyObject

    if isinstance(value, EventArray):
        names = [f.name for f in value.fields]
        rows = zip(*(column.tolist() for column in value.columns().values()))
        return [OrderedDict(zip(names, row)) for row in rows]
    if isinstance(value, MusPyObject):
        return object_to_ordered_dict(value, skip_missing, deepcopy)
    if isinstance(value, list):
        return [_plain(item, skip_missing, deepcopy) for item in value]
    return copy.deepcopy(value) if deepcopy else value


def pretty_str(obj: Any, skip_missing: bool = True) -> str:
    """``obj``'s fields as YAML text (block style, keys in declaration order)."""
    import yaml

    def plain(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(plain(object_to_ordered_dict(obj, skip_missing)), Dumper=dumper, sort_keys=False,
                     allow_unicode=True).rstrip("\n")


# -- checks and fixes ---------------------------------------------------------------------------------
def validate_type(obj: Any, attr: Optional[str] = None, recursive: bool = True) -> None:
    """Raise ``TypeError`` at the first field whose value is not of its declared type."""
    from muspy_like.compat.base import MusPyObject

    name = type(obj).__name__
    for field in _selected(obj, attr):
        value = getattr(obj, field.name)
        where = f"{name}.{field.name}"
        if value is None:
            if not field.optional:
                raise TypeError(f"{where} may not be None")
            continue
        if field.container == "array":
            if not isinstance(value, field.array_class):
                raise TypeError(f"{where} should be a {field.array_class.__name__}, not {type(value).__name__}")
            continue  # columns always hold their declared integer type
        items = value if field.container == "list" else [value]
        if field.container == "list" and not isinstance(value, list):
            raise TypeError(f"{where} should be a list, not {type(value).__name__}")
        for i, item in enumerate(items):
            item_where = f"{where}[{i}]" if field.container else where
            _check(item, field.kind, item_where)
            if recursive and isinstance(item, MusPyObject):
                validate_type(item, None, recursive)


def validate_values(obj: Any, attr: Optional[str] = None, recursive: bool = True) -> None:
    """Check types, then values; raise ``TypeError`` or :class:`ValidationError` at the first wrong one."""
    from muspy_like.core import validation
    from muspy_like.core.music import Music
    from muspy_like.core.track import Track

    validate_type(obj, attr, recursive)
    if attr is None and isinstance(obj, Music):
        validation.validate_music(obj)
    elif attr is None and isinstance(obj, Track):
        validation.validate_track(obj)
    elif isinstance(obj, EventView):
        _validate_row(obj)
    elif isinstance(obj, (Music, Track)):
        value = getattr(obj, attr)
        if isinstance(value, EventArray):
            validation.validate_array(value, attr)
        elif recursive:
            for item in value if isinstance(value, list) else [value]:
                if hasattr(item, "validate"):
                    item.validate()
    else:
        validation.validate_event(obj, type(obj).__name__)


def _validate_row(view: EventView) -> None:
    for field, value in zip(view.array_class.fields, view.to_tuple()):
        if not field.low <= value <= field.high:
            raise ValidationError(
                f"{type(view).__name__}.{field.name} = {value} is outside {field.low}..{field.high}"
            )


def fix_type(obj: Any, attr: Optional[str] = None, recursive: bool = True) -> None:
    """Convert every field of ``obj`` to its declared type, in place (columns are always typed)."""
    from muspy_like.compat.base import MusPyObject

    if isinstance(obj, EventView):
        return
    name = type(obj).__name__
    for field in _selected(obj, attr):
        value = getattr(obj, field.name)
        if value is None or field.container == "array":
            continue
        where = f"{name}.{field.name}"
        if field.container == "list":
            if not isinstance(value, list):
                value = list(value)
            for i, item in enumerate(value):
                if isinstance(item, MusPyObject):
                    if recursive:
                        fix_type(item, None, recursive)
                else:
                    value[i] = _cast(item, field.kind, f"{where}[{i}]")
            setattr(obj, field.name, value)
        elif isinstance(value, MusPyObject):
            if recursive:
                fix_type(value, None, recursive)
        elif not _is_instance(value, field.kind) or isinstance(value, np.generic):
            setattr(obj, field.name, _cast(value, field.kind, where))


def remove_invalid(obj: Any, attr: Optional[str] = None, recursive: bool = True) -> None:
    """Drop the invalid items of every list field (and the out-of-range rows of every note array), in place.

    Nested containers are cleaned first, so a track that cleaning makes valid is kept (MusPy's order).
    """
    from muspy_like.compat.base import MusPyContainer

    fields = [f for f in _selected(obj, attr) if f.container]
    if attr is not None and not fields:
        raise TypeError(f"{type(obj).__name__}.{attr} is not a list field")
    for field in fields:
        value = getattr(obj, field.name)
        if value is None:
            continue
        if field.container == "array":
            columns = value.columns()
            keep = np.ones(len(value), dtype=bool)
            for f in value.fields:
                keep &= (columns[f.name] >= f.low) & (columns[f.name] <= f.high)
            value.keep(keep)
            continue
        if recursive:
            for item in value:
                if isinstance(item, MusPyContainer):
                    remove_invalid(item, None, recursive)
        value[:] = [item for item in value if _item_is_valid(item, field.kind)]


def _item_is_valid(item: Any, kind: type) -> bool:
    if hasattr(item, "is_valid"):
        return isinstance(item, kind) and item.is_valid()
    return _is_instance(item, kind)


def adjust_time(obj: Any, func: Callable[[int], int], attr: Optional[str] = None, recursive: bool = True) -> None:
    """Map every ``time`` through ``func``; ends are mapped too, so durations follow (MusPy's rule)."""
    from muspy_like.compat.base import MusPyObject

    if isinstance(obj, EventView) or not hasattr(obj, "tracks") and not hasattr(obj, "notes"):
        _adjust_item(obj, func)
        return
    for field in _selected(obj, attr):
        value = getattr(obj, field.name)
        if field.container == "array":
            _adjust_array(value, func)
        elif field.container == "list" and recursive:
            for item in value:
                if isinstance(item, MusPyObject):
                    adjust_time(item, func, None, recursive)
        elif isinstance(value, MusPyObject) and recursive and hasattr(value, "time"):
            _adjust_item(value, func)


def _adjust_item(item: Any, func: Callable[[int], int]) -> None:
    if not hasattr(item, "time"):
        return
    start = item.time
    item.time = func(start)
    if hasattr(item, "duration"):
        item.duration = func(start + item.duration) - item.time


def _adjust_array(array: EventArray, func: Callable[[int], int]) -> None:
    if not len(array):
        return
    start = array.time.tolist()
    new_start = np.array([func(t) for t in start], dtype=np.int64)
    if "duration" in array.columns():
        ends = (array.time + array.duration).tolist()
        array.duration = np.array([func(t) for t in ends], dtype=np.int64) - new_start
    array.time = new_start
