"""Strict parsing of native JSON and YAML text: every fault is a :class:`SchemaError` with its JSON path.

The standard parsers resolve some faults silently or fail with errors that do not say where:

* a key that appears twice in a mapping: both ``json`` and PyYAML keep the last value without a word;
  here it is an error at the mapping's path;
* nesting deeper than the ``document_depth`` cap of :mod:`muspy_like.limits` (JSON nested 100,000
  deep makes ``json.loads`` raise RecursionError; libyaml stops at 1,000 levels, PyYAML's pure-Python
  parser at the recursion limit): an error at the path where the cap is crossed;
* YAML aliases that expand a small document to billions of values ("billion laughs"): an error;
* an integer of more than 4,300 digits (``json`` and PyYAML raise a bare ValueError from ``int()``):
  an error at the integer's path. Shorter integers that still exceed 64 bits are left to the schema,
  which bounds every integer field (``resolution: 10**100`` is beyond its maximum).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Iterator, Optional

from muspy_like.errors import SchemaError
from muspy_like.io.schema.checker import format_path

__all__ = ["depth_error", "parse_json", "parse_yaml", "too_deep"]

#: Python's int() refuses longer decimal strings (``sys.get_int_max_str_digits()``'s default); shorter
#: integers that exceed 64 bits reach the schema, which reports them against each field's maximum.
_LONGEST_INTEGER = 4300
_YAML_INT = "tag:yaml.org,2002:int"
_YAML_STR = "tag:yaml.org,2002:str"
_YAML_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_YAML_FLOAT = "tag:yaml.org,2002:float"
#: Scalar tags whose values are JSON's (a string, a number, true/false, null); dates are read as their text.
_JSON_SCALAR_TAGS = frozenset({_YAML_STR, _YAML_INT, _YAML_FLOAT, "tag:yaml.org,2002:bool",
                               "tag:yaml.org,2002:null"})
_KEY_KINDS = {"int": "an integer", "float": "a number", "bool": "a boolean", "null": "null", "timestamp": "a date"}
_JSON_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})
#: Visits of shared YAML nodes allowed beyond twice the distinct nodes (legitimate anchors repeat little).
_ALIAS_ALLOWANCE = 100_000


class _DuplicateKeys(dict):
    """A JSON object in which ``key`` appeared more than once (kept to report its path)."""

    key: str = ""


class _HugeInteger:
    """Stands in for an integer too long to convert, so that its path can be found."""

    def __init__(self, text: str) -> None:
        self.digits = len(text.lstrip("-"))


def depth_error(source: str, path: list, max_depth: int) -> SchemaError:
    """The error for a container nested deeper than ``max_depth``, at ``path`` (long paths shortened)."""
    shown = format_path(path) if len(path) <= 12 else format_path(path[:10]) + f"... ({len(path)} levels down)"
    return SchemaError(
        f"{source}: {shown}: nested deeper than {max_depth} levels (the document_depth cap of muspy_like.limits)"
    )


def _mapping_hook(marked: list) -> Any:
    """An ``object_pairs_hook`` that builds dicts and remembers those in which a key appeared twice."""

    def mapping(pairs: list[tuple[str, Any]]) -> dict:
        result = dict(pairs)
        if len(result) == len(pairs):
            return result
        seen: set[str] = set()
        duplicate = _DuplicateKeys(result)
        duplicate.key = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        marked.append(duplicate)
        return duplicate

    return mapping


class _NonFinite:
    """Stands in for NaN, an infinity, or a number too large for a float, so that its path can be found."""

    def __init__(self, text: str) -> None:
        self.text = text if len(text) <= 20 else text[:17] + "..."


def _number_hooks(marked: list) -> dict[str, Any]:
    """``json.loads`` hooks that replace NaN, Infinity and floats beyond the double range (``1e400``)
    with stand-ins, and mark the document for the walk that reports them."""

    def constant(text: str) -> Any:
        marked.append(None)
        return _NonFinite(text)

    def number(text: str) -> Any:
        value = float(text)
        if math.isfinite(value):
            return value
        marked.append(None)
        return _NonFinite(text)

    return {"parse_constant": constant, "parse_float": number}


def _integer(text: str) -> Any:
    return _HugeInteger(text) if len(text) > _LONGEST_INTEGER else int(text)


def _walk(value: Any, path: list) -> Iterator[tuple[Any, list]]:
    """Every value of a parsed document with its path, depth first, without recursion."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        yield item, where
        if isinstance(item, dict):
            stack.extend((child, where + [key]) for key, child in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((child, where + [index]) for index, child in reversed(list(enumerate(item))))


def too_deep(value: Any, max_depth: int, path: Optional[list] = None) -> Optional[list]:
    """The path of the first container nested deeper than ``max_depth`` inside ``value``, or None.

    ``value`` itself counts as depth 1 if it is a list or mapping. The walk keeps its own stack, so any
    depth that the parser produced can be measured.
    """
    stack = [(value, list(path or []), 1)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, dict):
            children = item.items()
        elif isinstance(item, list):
            children = enumerate(item)  # type: ignore[assignment]
        else:
            continue
        if depth > max_depth:
            return where
        stack.extend((child, where + [key], depth + 1) for key, child in children if isinstance(child, (dict, list)))
    return None


def parse_json(text: str, source: str, max_depth: int) -> Any:
    """Parse JSON text strictly (see the module notes).

    Raises
    ------
    SchemaError
        Naming ``source`` and the JSON path (or line and column for a syntax error).
    """
    marked: list = []
    try:
        document = json.loads(text, object_pairs_hook=_mapping_hook(marked), **_number_hooks(marked))
    except json.JSONDecodeError as error:
        raise SchemaError(f"{source}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise depth_error(source, _json_path_at_depth(text, max_depth), max_depth) from None
    except ValueError:
        # int() refused a number of thousands of digits: parse again with a stand-in to find where it is.
        document = json.loads(text, object_pairs_hook=_mapping_hook(marked), parse_int=_integer,
                              **_number_hooks(marked))
        marked.append(None)
    if marked:  # walking costs time in proportion to the document: only when something was marked
        for value, path in _walk(document, []):
            if isinstance(value, _HugeInteger):
                raise SchemaError(
                    f"{source}: {format_path(path)}: an integer of {value.digits} digits; integers must fit in 64 bits"
                )
            if isinstance(value, _DuplicateKeys):
                raise SchemaError(f"{source}: {format_path(path)}: the key {value.key!r} appears twice in this mapping")
            if isinstance(value, _NonFinite):
                raise SchemaError(f"{source}: {format_path(path)}: {value.text} is not a finite number "
                                  "(JSON has no NaN or infinity)")
    return document


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]')


def _json_path_at_depth(text: str, max_depth: int) -> list:
    """The path of the first container nested deeper than ``max_depth`` in JSON text (a token scan
    without recursion, used only after the parser gave up)."""
    stack: list[list] = []  # one [key or index, expecting a key] per open container
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            if len(stack) >= max_depth:
                return [entry[0] for entry in stack]
            stack.append([0, False] if token == "[" else [None, True])
        elif token in "]}":
            if stack:
                stack.pop()
        elif token == ",":
            if stack and isinstance(stack[-1][0], int) and not stack[-1][1]:
                stack[-1][0] += 1
            elif stack:
                stack[-1][1] = True
        elif stack and stack[-1][1]:
            stack[-1][0], stack[-1][1] = json.loads(token), False
    return [entry[0] for entry in stack]


def parse_yaml(text: str, source: str, max_depth: int) -> Any:
    """Parse YAML text strictly (see the module notes); libyaml's loader when installed.

    Raises
    ------
    SchemaError
        Naming ``source`` and the JSON path of the fault (or PyYAML's own position for a syntax error).
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise SchemaError(f"{source}: nested deeper than Python's parser allows (at most {max_depth} levels)") from None
        if node is None:
            return None
        _check_nodes(node, source, max_depth)
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        raise SchemaError(f"{source}: invalid YAML: {error}") from None
    finally:
        loader.dispose()


def _check_json_scalar(node: Any, source: str, path: list) -> None:
    """Keep a YAML scalar to JSON's types: a date or time is read as its text (JSON has no date type, and
    the document must survive being saved as JSON); NaN, infinities, binary data and other tags are errors."""
    if node.tag == _YAML_TIMESTAMP:
        node.tag = _YAML_STR
    elif node.tag == _YAML_FLOAT:
        text = node.value.replace("_", "").lower()
        try:
            finite = math.isfinite(float(text))
        except ValueError:  # ".nan", ".inf", sexagesimal "1:30.5": leave the last to the constructor
            finite = text.lstrip("+-") not in (".nan", ".inf")
        if not finite:
            shown = node.value if len(node.value) <= 20 else node.value[:17] + "..."
            raise SchemaError(f"{source}: {format_path(path)}: {shown} is not a finite number "
                              "(JSON has no NaN or infinity)")
    elif node.tag not in _JSON_SCALAR_TAGS:
        raise SchemaError(f"{source}: {format_path(path)}: the YAML tag {node.tag} makes a value JSON has no type "
                          "for; native documents hold only lists, mappings, strings, numbers, booleans and null")


def _check_nodes(root: Any, source: str, max_depth: int) -> None:
    """Duplicate keys, depth, over-long integers and alias bombs in a composed YAML node tree, with paths.

    An alias (``*name``) makes PyYAML share one node in several places; a "billion laughs" document
    nests aliases of aliases so that a few hundred bytes stand for billions of values, harmless while
    shared but fatal to anything that walks or writes the document out. The walk below visits the
    document as it expands and stops when the visits outgrow the distinct nodes by a wide margin.
    """
    import yaml

    stack = [(root, [], 1)]
    distinct: set[int] = set()
    visits = 0
    while stack:
        node, path, depth = stack.pop()
        visits += 1
        distinct.add(id(node))
        if visits > 2 * len(distinct) + _ALIAS_ALLOWANCE:
            raise SchemaError(
                f"{source}: {format_path(path)}: YAML aliases expand this document to more than {visits:,} values "
                "(a 'billion laughs' document?); refusing it"
            )
        if isinstance(node, yaml.ScalarNode):
            _check_json_scalar(node, source, path)
            if node.tag == _YAML_INT and len(node.value) > _LONGEST_INTEGER:
                raise SchemaError(
                    f"{source}: {format_path(path)}: an integer of {len(node.value)} digits; "
                    "integers must fit in 64 bits"
                )
            continue
        if depth > max_depth:
            raise depth_error(source, path, max_depth)
        if node.tag not in _JSON_COLLECTION_TAGS:
            raise SchemaError(f"{source}: {format_path(path)}: the YAML tag {node.tag} makes a value JSON has no "
                              "type for; native documents hold only lists, mappings, strings, numbers, booleans "
                              "and null")
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, path + [index], depth + 1) for index, child in enumerate(node.value))
            continue
        keys: set[tuple[str, str]] = set()
        for key, value in node.value:
            label = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark)
            if key.tag != _YAML_STR:  # JSON's keys are strings; YAML reads 1, yes or a list as others
                if not isinstance(key, yaml.ScalarNode) or key.tag not in _JSON_SCALAR_TAGS | {_YAML_TIMESTAMP}:
                    raise SchemaError(f"{source}: {format_path(path)}: a mapping key that is not a string "
                                      f"(line {key.start_mark.line + 1}); quote it")
                kind = _KEY_KINDS.get(key.tag.rsplit(":", 1)[-1], "something else")
                raise SchemaError(f"{source}: {format_path(path)}: the key {label!r} (line {key.start_mark.line + 1}) "
                                  f"is read by YAML as {kind}, not a string; quote it")
            identity = (key.tag, label)
            if identity in keys:
                raise SchemaError(
                    f"{source}: {format_path(path)}: the key {label!r} appears twice in this mapping "
                    f"(line {key.start_mark.line + 1})"
                )
            keys.add(identity)
            stack.append((value, path + [label], depth + 1))
