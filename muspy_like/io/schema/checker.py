"""A small validator for the subset of JSON Schema that ``music.schema.json`` uses.

It lets :func:`muspy_like.io.native.load` validate without the ``jsonschema`` package and checks the long
integer columns of notes with numpy instead of one Python call per number. Supported keywords: ``type``,
``properties``, ``required``, ``additionalProperties: false``, ``items``, ``minimum``, ``maximum``,
``exclusiveMinimum``, ``enum``, ``pattern`` and local ``$ref``.
"""

from __future__ import annotations

import re
import reprlib
from typing import Any

import numpy as np

__all__ = ["first_error", "format_path"]

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


# Values quoted in messages are shortened: a wrong value may be a list of a million numbers or nested
# hundreds of levels deep, and the message must stay one readable line.
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring, _SHORT.maxlong = 3, 6, 4, 60, 40


def format_path(parts: list) -> str:
    """A JSON path such as ``$.tracks[0].notes.pitch[3]``."""
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def first_error(instance: Any, schema: dict, root: dict | None = None, path: list | None = None) -> tuple[list, str] | None:
    """The (path, message) of the first place where ``instance`` breaks ``schema``, or ``None``."""
    root = schema if root is None else root
    path = [] if path is None else path
    if "$ref" in schema:
        schema = _resolve(root, schema["$ref"])
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_TYPES[k](instance) for k in kinds):
            return path, f"{_SHORT.repr(instance)} is not of type {' or '.join(kinds)}"
        if instance is None:
            return None
    if "enum" in schema and instance not in schema["enum"]:
        return path, f"{_SHORT.repr(instance)} is not one of {schema['enum']}"
    if isinstance(instance, (int, float)) and not isinstance(instance, bool):
        problem = _bounds(instance, schema)
        if problem:
            return path, problem
    if isinstance(instance, str) and "pattern" in schema and not re.search(schema["pattern"], instance):
        return path, f"{_SHORT.repr(instance)} does not match {schema['pattern']!r}"
    if isinstance(instance, dict):
        return _object_error(instance, schema, root, path)
    if isinstance(instance, list) and "items" in schema:
        return _array_error(instance, schema["items"], root, path)
    return None


def _resolve(root: dict, reference: str) -> dict:
    node: Any = root
    for part in reference.lstrip("#/").split("/"):
        node = node[part]
    return node


def _bounds(value: float, schema: dict) -> str | None:
    if "minimum" in schema and value < schema["minimum"]:
        return f"{_SHORT.repr(value)} is less than the minimum {schema['minimum']}"
    if "maximum" in schema and value > schema["maximum"]:
        return f"{_SHORT.repr(value)} is greater than the maximum {schema['maximum']}"
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        return f"{_SHORT.repr(value)} is not greater than {schema['exclusiveMinimum']}"
    return None


def _object_error(instance: dict, schema: dict, root: dict, path: list) -> tuple[list, str] | None:
    properties = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in instance:
            return path, f"the required property {name!r} is missing"
    if schema.get("additionalProperties") is False:
        extra = sorted(set(instance) - set(properties))
        if extra:
            return path, f"unknown property {extra[0]!r} (allowed: {sorted(properties)})"
    for name, value in instance.items():
        if name in properties:
            error = first_error(value, properties[name], root, path + [name])
            if error:
                return error
    return None


def _array_error(instance: list, items: dict, root: dict, path: list) -> tuple[list, str] | None:
    resolved = _resolve(root, items["$ref"]) if "$ref" in items else items
    if resolved.get("type") == "integer" and instance:
        return _integer_column_error(instance, resolved, root, path)
    for index, value in enumerate(instance):
        error = first_error(value, items, root, path + [index])
        if error:
            return error
    return None


def _integer_column_error(instance: list, schema: dict, root: dict, path: list) -> tuple[list, str] | None:
    """Vectorized check of a long list of integers (the note columns)."""
    if not set(map(type, instance)) <= {int}:  # bools, floats, strings...: check one by one
        for index, value in enumerate(instance):
            error = first_error(value, schema, root, path + [index])
            if error:
                return error
        return None
    try:
        column = np.asarray(instance, dtype=np.int64)
    except OverflowError:  # name the first integer beyond 64 bits, as the one-by-one check would
        index = next(i for i, value in enumerate(instance) if not -(2**63) <= value < 2**63)
        return path + [index], _bounds(instance[index], schema) or "an integer does not fit in 64 bits"
    bad = np.zeros(len(column), dtype=bool)
    if "minimum" in schema:
        bad |= column < schema["minimum"]
    if "maximum" in schema:
        bad |= column > schema["maximum"]
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        return path + [index], _bounds(int(column[index]), schema) or "out of range"
    return None
