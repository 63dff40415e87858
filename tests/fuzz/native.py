"""The native JSON/YAML target of the fuzz harness: seeds, document-level corruptions, and four readers.

Seeds are MusPy's JSON and YAML test files (schema 0.0, migrated on loading) and native documents that
our writer made of small real pieces. Corruptions act on the parsed document, at a random place: a value
of the wrong type, NaN or infinity, a negative, 64-bit-overflowing, ``10**100`` or 5,000-digit integer,
nesting hundreds to 100,000 levels deep, a key removed, repeated or unknown, YAML that is not JSON (Python
tags, dates, binary, sets, complex keys, octal and hex, self-referencing anchors); and on the bytes: truncation,
flips, gzip (sometimes a small decompression bomb of more than the ``document_bytes`` cap).

Each variant is loaded from a file with the built-in validator and with jsonschema, gzipped, and from an
open file through the MusPy-compatible ``load_json``/``load_yaml``, and what is accepted is saved as JSON
and as YAML and loaded again: the verdicts and pieces must agree, and so must the place an error names (its
JSON path; the validators word their messages differently).
"""

from __future__ import annotations

import gzip
import json
import math
import random
import re
from pathlib import Path
from typing import Any

from tests.fuzz.harness import FuzzTarget
from tests.fuzz.scratch import named_alike, scratch_folder

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
#: The ``document_bytes`` cap while reading (lower than the default, so that bombs cost little time).
DOCUMENT_CAP = 4 << 20
BAD_VALUES: tuple[Any, ...] = ("x", "", [], {}, None, True, False, 1.5, -1, 0, 2**63, 2**64, -(2**63) - 1, 10**100,
                               [1, "a"], {"time": "0"}, 1e308)
#: Stand-ins replaced in the serialised text by what the serialisers cannot write themselves.
#: (Plain words, which YAML writes unquoted and JSON in quotes.)
_NAN, _INF, _DIGITS, _DEEP, _TAG = "zzfuzznan", "zzfuzzinf", "zzfuzzdigits", "zzfuzzdeep", "zzfuzztag"
#: YAML that PyYAML's safe loader turns into something else than JSON types, or refuses.
YAML_SPECIALS = ("!!python/object/apply:os.system ['true']", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
                 "!!binary aGVsbG8=", "!!set {a: null}", "{? [1, 2] : x}", "0o17", "0x1F", "1_000", "+12",
                 "!!float 3", "!!str 3", "!custom 3", "~", "yes", "&a [1, *a]")


def seeds() -> list[tuple[str, bytes]]:
    """Valid native and MusPy documents (label, bytes): JSON, YAML, some gzipped."""
    from muspy_like.core.events import Annotation
    from muspy_like.io.midi import read_midi
    from muspy_like.io.native import dumps

    testdata = SHARED / "muspy_testdata"
    found = [(name, (testdata / name).read_bytes()) for name in ("test.json", "test.yaml", "test.json.gz")]
    piece = read_midi(testdata / "midi" / "fur-elise.mid")
    piece.tracks = [piece.tracks[0]]
    piece.tracks[0].notes = piece.tracks[0].notes[:40]
    # annotations hold free JSON, where the schema cannot say what is allowed: the riskiest place
    piece.annotations = [Annotation(0, {"dynamic": "ff", "marks": [1, 2.5, {"text": "dolce", "on": None}]}),
                         Annotation(12, ["a", True])]
    found.append(("written/fur-elise.json", dumps(piece, "json").encode()))
    found.append(("written/fur-elise.yaml", dumps(piece, "yaml").encode()))
    return found


def _places(document: Any, path: tuple = ()) -> list[tuple]:
    """Every path into a parsed document (keys and indexes)."""
    found = [path]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _places(value, path + (key,))
    elif isinstance(document, list):
        for index, value in enumerate(document[:8]):  # a few items of long columns are enough
            found += _places(value, path + (index,))
    return found


def _set(document: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return document


def _is_yaml(data: bytes) -> bool:
    return not data.lstrip()[:1] in (b"{", b"[")


def _serialise(document: Any, as_yaml: bool, rng: random.Random) -> bytes:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = (yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True) if as_yaml
            else json.dumps(document))
    for marker in (_NAN, _INF, _DIGITS, _DEEP, _TAG):
        marker_text = marker if as_yaml else json.dumps(marker)
        depth = rng.choice([200, 1_000, 100_000])
        replacement = {_NAN: ".nan" if as_yaml else "NaN", _INF: "-.inf" if as_yaml else "-Infinity",
                       _DIGITS: "7" * rng.choice([30, 5_000, 50_000]), _DEEP: "[" * depth + "]" * depth,
                       _TAG: rng.choice(YAML_SPECIALS) if as_yaml else '"tag"'}[marker]
        text = text.replace(marker_text, replacement)
    return text.encode()


def _corrupt_document(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    import yaml

    as_yaml = _is_yaml(data)
    document = yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) if as_yaml else json.loads(data)
    places = _places(document)[1:]
    kind = rng.choice(["bad value", "bad value", "nan", "huge integer", "deep nesting", "remove key",
                       "unknown key", "repeat key"] + (["yaml special"] * 2 if as_yaml else []))
    free = [place for place in places if len(place) > 2 and place[0] == "annotations" and place[2] == "annotation"]
    # Annotation values are free JSON, which the schema cannot constrain: aim there half of the time.
    path = rng.choice(free if free and rng.random() < 0.5 else places)
    where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    if kind == "bad value":
        value = rng.choice(BAD_VALUES)
        _set(document, path, value)
        kind = f"{where} = {str(value)[:20]}"
    elif kind in ("nan", "huge integer", "deep nesting", "yaml special"):
        _set(document, path, {"nan": rng.choice([_NAN, _INF]), "huge integer": _DIGITS, "deep nesting": _DEEP,
                              "yaml special": _TAG}[kind])
        kind = f"{where}: {kind}"
    elif kind == "remove key" or kind == "unknown key":
        parent = _set(document, (), document)
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict):
            if kind == "remove key":
                del parent[path[-1]]
            else:
                parent["unknown_field"] = 1
        kind = f"{where}: {kind}"
    else:  # a key written twice: the parsers would keep the last one silently
        text = _serialise(document, as_yaml, rng)
        return kind, (text.replace(b"resolution: ", b"resolution: 12\nresolution: ", 1) if as_yaml
                      else text.replace(b'"resolution": ', b'"resolution": 12, "resolution": ', 1))
    return kind, _serialise(document, as_yaml, rng)


def mutate(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """One corrupt variant of ``data`` and the name of the corruption."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    roll = rng.random()
    if roll < 0.7:
        kind, out = _corrupt_document(rng, data)
    elif roll < 0.8:
        kind, out = "truncation", data[: rng.randrange(len(data))]
    else:
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        kind, out = "byte flips", bytes(flipped)
    if rng.random() < 0.03:  # a small decompression bomb: more spaces after the document than the cap
        return f"{kind}, gzip bomb", gzip.compress(out + b" " * (DOCUMENT_CAP + 1), compresslevel=1)
    if rng.random() < 0.2:
        return f"{kind}, gzipped", gzip.compress(out)
    return kind, out


def _format(data: bytes) -> str:
    """"json" or "yaml" by the first bytes of the (decompressed) text."""
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.open(__import__("io").BytesIO(data)) as stream:
                data = stream.read(64)
        except (OSError, EOFError):
            return "json"
    return "yaml" if _is_yaml(data) else "json"


_LOCATION = re.compile(r"^(<file>: \$[^:]*):.*", re.DOTALL)


def _where(error: BaseException, names: list[str]) -> BaseException:
    """The error, named alike, with its wording after the JSON path dropped (the validators word it apart)."""
    renamed = named_alike(error, names)
    from muspy_like.errors import MuspyLikeError

    if isinstance(renamed, MuspyLikeError):
        renamed.args = (_LOCATION.sub(r"\1", str(renamed)),)
    return renamed


def read(data: bytes) -> dict[str, Any]:
    """The outcome of each reader: the Music loaded, or the exception raised."""
    from muspy_like import limits
    from muspy_like.compat.io import load_json, load_yaml
    from muspy_like.io.native import dumps, load, loads

    fmt = _format(data)
    compressed = data[:2] == b"\x1f\x8b"
    folder = scratch_folder()
    plain = folder / f"piece.{fmt}{'.gz' if compressed else ''}"
    gzipped = folder / f"piece.{fmt}{'.gz' if compressed else ''}.gz"
    plain.write_bytes(data)
    gzipped.write_bytes(gzip.compress(data, compresslevel=1) if not compressed else data)

    def compatible() -> Any:
        with open(plain, "rb") as stream:
            return (load_json if fmt == "json" else load_yaml)(stream)

    def saved_and_loaded() -> Any:  # what is accepted must survive being saved, in either format
        music = load(plain)
        json_copy, yaml_copy = loads(dumps(music, "json"), "json"), loads(dumps(music, "yaml"), "yaml")
        return json_copy if json_copy == yaml_copy else ValueError("the JSON and YAML copies differ")

    ways = {"file, built-in validator": lambda: load(plain, validator="builtin"),
            "file, jsonschema": lambda: load(plain, validator="jsonschema"),
            "gzipped file": lambda: load(gzipped if not compressed else plain),
            "open file (compatible)": compatible,
            "saved as JSON and YAML, loaded again": saved_and_loaded}
    outcomes = {}
    for way, reader in ways.items():
        try:
            with limits.override(document_bytes=DOCUMENT_CAP):
                music = reader()
            if isinstance(music, BaseException):
                raise music
            music.metadata.source_filename = music.metadata.source_filename and "<name>"
            outcomes[way] = music
        except Exception as error:  # noqa: BLE001 - the harness judges the exception
            outcomes[way] = _where(error, [str(gzipped), str(plain)])
    return outcomes


TARGET = FuzzTarget("native", seeds, mutate, read)
