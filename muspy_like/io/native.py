"""The native format: lossless JSON or YAML (optionally gzipped), validated against a shipped schema.

A document is a plain mapping that mirrors :class:`~muspy_like.Music` field by field, with a top-level
``schema_version``. Notes, control changes and pitch bends are stored column-wise (one list per field),
which keeps files compact and still readable::

    {"schema_version": "1.0", "resolution": 24, "tempos": [{"time": 0, "qpm": 120.0}], ...,
     "tracks": [{"program": 0, "is_drum": false, "name": "Piano", "channel": null,
                 "notes": {"time": [0, 24], "pitch": [60, 64], "duration": [24, 24], "velocity": [64, 64]},
                 ...}]}

The schema is ``muspy_like/io/schema/music.schema.json`` (JSON Schema draft 2020-12). MusPy's own JSON and
YAML files (schema 0.0: notes as a list of objects, no top-level ``schema_version``) are recognised and
migrated on loading.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from muspy_like.core.events import (
    SCHEMA_VERSION,
    Annotation,
    Barline,
    Beat,
    Chord,
    ControlChangeArray,
    KeySignature,
    Lyric,
    Metadata,
    NoteArray,
    PitchBendArray,
    Tempo,
    TimeSignature,
)
from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.errors import SchemaError, ValidationError
from muspy_like import limits
from muspy_like.extras import require
from muspy_like.files import atomic_write
from muspy_like.io.schema import music_schema
from muspy_like.io.schema.checker import first_error, format_path
from muspy_like.io.schema.strict import depth_error, parse_json, parse_yaml, too_deep

__all__ = ["load", "save", "to_dict", "from_dict", "dumps", "loads", "validate_document", "VALIDATORS"]

#: How :func:`load` and :func:`from_dict` check a document.
VALIDATORS = ("auto", "jsonschema", "builtin", "none")

_EVENT_LISTS = {
    "tempos": Tempo,
    "key_signatures": KeySignature,
    "time_signatures": TimeSignature,
    "beats": Beat,
    "barlines": Barline,
    "lyrics": Lyric,
    "annotations": Annotation,
}
_TRACK_LISTS = {"chords": Chord, "lyrics": Lyric, "annotations": Annotation}
_TRACK_ARRAYS = {"notes": NoteArray, "control_changes": ControlChangeArray, "pitch_bends": PitchBendArray}
_COLUMN_KEYS = frozenset(["notes", "control_changes", "pitch_bends"])

Pathish = Union[str, os.PathLike]


# -- Music <-> dict -----------------------------------------------------------------------------------
def _event_dict(event: Any) -> dict[str, Any]:
    return {name: getattr(event, name) for name in event.__dataclass_fields__}


def to_dict(music: Music) -> dict[str, Any]:
    """A JSON-ready dict holding every field of ``music`` (columns as lists of Python ints).

    Examples
    --------
    >>> from muspy_like import Music, Track, Note
    >>> doc = to_dict(Music(tracks=[Track(notes=[Note(0, 60, 24)])]))
    >>> doc["tracks"][0]["notes"]
    {'time': [0], 'pitch': [60], 'duration': [24], 'velocity': [64]}
    """
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "metadata": _event_dict(music.metadata),
        "resolution": int(music.resolution),
    }
    for name in _EVENT_LISTS:
        doc[name] = [_event_dict(event) for event in getattr(music, name)]
    tracks = []
    for track in music.tracks:
        item: dict[str, Any] = {
            "program": int(track.program),
            "is_drum": bool(track.is_drum),
            "name": track.name,
            "channel": None if track.channel is None else int(track.channel),
        }
        for name in _TRACK_ARRAYS:
            item[name] = {key: column.tolist() for key, column in getattr(track, name).columns().items()}
        for name in _TRACK_LISTS:
            item[name] = [_event_dict(event) for event in getattr(track, name)]
        tracks.append(item)
    doc["tracks"] = tracks
    return doc


def validate_document(doc: Any, validator: str = "auto", source: str = "<document>") -> None:
    """Check a native document against the schema; raise :class:`SchemaError` with the JSON path.

    Parameters
    ----------
    doc : Any
        The parsed JSON/YAML.
    validator : {"auto", "jsonschema", "builtin", "none"}
        ``"jsonschema"`` uses the jsonschema package, ``"builtin"`` the small validator shipped with
        muspy_like (numpy-fast on long note columns), ``"auto"`` the builtin one (same schema, same
        verdicts; see the tests), ``"none"`` skips the check.
    source : str
        File name for the message.
    """
    if validator not in VALIDATORS:
        raise ValueError(f"validator must be one of {VALIDATORS}, not {validator!r}")
    if validator == "none":
        return
    schema = music_schema()
    if validator == "jsonschema":
        jsonschema = require("jsonschema", "jsonschema", "validator='jsonschema'")

        # The first error in document order (as the builtin validator finds it): a missing property at an
        # object before anything inside it, then the object's fields in the order they are written.
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc),
                        key=lambda e: (_document_order(doc, list(e.absolute_path)), e.validator != "required"))
        if errors:
            error = errors[0]
            raise SchemaError(f"{source}: {format_path(list(error.absolute_path))}: {error.message}")
    else:
        found = first_error(doc, schema)
        if found is not None:
            path, message = found
            raise SchemaError(f"{source}: {format_path(path)}: {message}")
    _check_annotation_depth(doc, source)
    for index, track in enumerate(doc.get("tracks", [])):
        for name in _COLUMN_KEYS & set(track):
            lengths = {len(column) for column in track[name].values()}
            if len(lengths) > 1:
                raise SchemaError(
                    f"{source}: {format_path(['tracks', index, name])}: columns have different lengths {sorted(lengths)}"
                )


def _document_order(doc: Any, path: list) -> tuple[int, ...]:
    """Where ``path`` lies in ``doc``: the position of each step in its list or mapping (sorts paths in the
    order their values are written)."""
    order, node = [], doc
    for step in path:
        order.append(list(node).index(step) if isinstance(node, dict) else int(step))
        node = node[step]
    return tuple(order)


def _check_annotation_depth(doc: dict[str, Any], source: str) -> None:
    # The schema fixes the shape of everything but annotation values (free JSON), so only they can
    # nest deep enough to break recursive code later (copying, saving).
    max_depth = limits.current().document_depth
    places = [(["annotations"], doc.get("annotations", []))]
    places += [(["tracks", i, "annotations"], track.get("annotations", [])) for i, track in enumerate(doc["tracks"])]
    for path, items in places:
        for index, item in enumerate(items):
            # The value is a container at depth len(path) + 3 of the document (the document is depth 1).
            deep = too_deep(item.get("annotation"), max_depth - len(path) - 2, path + [index, "annotation"])
            if deep is not None:
                raise depth_error(source, deep, max_depth)


def from_dict(doc: dict[str, Any], validator: str = "auto", source: str = "<document>") -> Music:
    """Build a :class:`Music` from a native (or MusPy) document, validating it first.

    Raises
    ------
    SchemaError
        Naming the JSON path of the first bad field (e.g. ``$.tracks[0].notes.pitch[3]``).
    """
    if is_muspy_document(doc):
        check_muspy_shape(doc, source)
        doc = migrate_muspy(doc)
    validate_document(doc, validator, source)
    metadata = Metadata(**doc.get("metadata", {}))
    music = Music(metadata=metadata, resolution=int(doc["resolution"]))
    for name, kind in _EVENT_LISTS.items():
        setattr(music, name, [_event(kind, item) for item in doc.get(name, [])])
    for item in doc["tracks"]:
        track = Track(
            program=int(item.get("program", 0)),
            is_drum=bool(item.get("is_drum", False)),
            name=item.get("name"),
            channel=item.get("channel"),
        )
        for name, kind in _TRACK_ARRAYS.items():
            columns = item.get(name)
            if columns:
                setattr(track, name, kind.from_columns(**{k: np.asarray(v, dtype=np.int64) for k, v in columns.items()}))
        for name, kind in _TRACK_LISTS.items():
            setattr(track, name, [_event(kind, event) for event in item.get(name, [])])
        music.tracks.append(track)
    if validator != "none":
        try:
            music.validate()
        except ValidationError as error:
            raise SchemaError(f"{source}: {error}") from error
    return music


def _event(kind: type, item: dict[str, Any]) -> Any:
    if kind is Tempo:
        return Tempo(time=_whole(item["time"]), qpm=float(item["qpm"]))
    if float in map(type, item.values()):
        # YAML and some JSON writers give 3.0 for 3: whole floats become the integers they stand for.
        item = {key: _whole(value) for key, value in item.items()}
    return kind(**item)


def _whole(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


# -- MusPy migration ---------------------------------------------------------------------------------
def is_muspy_document(doc: Any) -> bool:
    """Whether ``doc`` is a MusPy JSON/YAML document (no top-level ``schema_version``; version 0.x)."""
    if not isinstance(doc, dict) or "schema_version" in doc:
        return False
    metadata = doc.get("metadata")
    version = str(metadata.get("schema_version", "")) if isinstance(metadata, dict) else ""
    return version.startswith("0.")


_MUSPY_NOTE_KEYS = ("time", "pitch", "duration")


def check_muspy_shape(doc: dict[str, Any], source: str = "<document>") -> None:
    """Check the containers of a MusPy document before :func:`migrate_muspy` rearranges them.

    Migration turns lists of note objects into columns, so a list that is not one, an item that is not a
    mapping or a note without ``time``, ``pitch`` or ``duration`` must be reported here, at its path in the
    user's document; the values are then checked by the schema on the migrated document.

    Raises
    ------
    SchemaError
        Naming ``source`` and the JSON path of the first misshapen container.
    """

    def mappings(value: Any, path: list) -> list[dict[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise SchemaError(f"{source}: {format_path(path)}: a {type(value).__name__}, not a list")
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise SchemaError(f"{source}: {format_path(path + [index])}: a {type(item).__name__}, not a mapping")
        return value

    if not isinstance(doc.get("metadata") or {}, dict):
        raise SchemaError(f"{source}: $.metadata: a {type(doc['metadata']).__name__}, not a mapping")
    for name in _EVENT_LISTS:
        mappings(doc.get(name), [name])
    for number, track in enumerate(mappings(doc.get("tracks"), ["tracks"])):
        for name in ("chords", "lyrics", "annotations"):
            mappings(track.get(name), ["tracks", number, name])
        for index, note in enumerate(mappings(track.get("notes"), ["tracks", number, "notes"])):
            missing = [key for key in _MUSPY_NOTE_KEYS if key not in note]
            if missing:
                raise SchemaError(f"{source}: {format_path(['tracks', number, 'notes', index])}: "
                                  f"a note without {' or '.join(map(repr, missing))}")


def migrate_muspy(doc: dict[str, Any]) -> dict[str, Any]:
    """Convert a MusPy (schema 0.x) document to the native schema (notes become columns).

    ``metadata.schema_version`` keeps the version the document was written in (``"0.0"``), as MusPy
    keeps it; the top-level ``schema_version`` of the converted document is the native one.
    """
    metadata = dict(doc.get("metadata") or {})
    new: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "metadata": {k: v for k, v in metadata.items() if k in Metadata.__dataclass_fields__},
        "resolution": doc.get("resolution", 24),
    }
    for name in _EVENT_LISTS:
        new[name] = [dict(item) for item in doc.get(name) or []]
    tracks = []
    for track in doc.get("tracks") or []:
        notes = track.get("notes") or []
        tracks.append(
            {
                "program": track.get("program", 0),
                "is_drum": bool(track.get("is_drum", False)),
                "name": track.get("name"),
                "channel": None,
                "notes": {
                    "time": [n["time"] for n in notes],
                    "pitch": [n["pitch"] for n in notes],
                    "duration": [n["duration"] for n in notes],
                    "velocity": [n.get("velocity", 64) for n in notes],
                },
                "chords": [dict(c) for c in track.get("chords") or []],
                "lyrics": [dict(x) for x in track.get("lyrics") or []],
                "annotations": [dict(x) for x in track.get("annotations") or []],
            }
        )
    new["tracks"] = tracks
    return new


# -- text ---------------------------------------------------------------------------------------------
def dumps(music: Music, fmt: str = "json", indent: Optional[int] = 2) -> str:
    """Serialize to JSON or YAML text; columns are written on one line each."""
    doc = to_dict(music)
    if fmt == "json":
        return _json_with_flat_columns(doc, indent)
    if fmt == "yaml":
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        return yaml.dump(doc, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=None, width=2**30)
    raise ValueError(f"fmt must be 'json' or 'yaml', not {fmt!r}")


def loads(text: str, fmt: str = "json", validator: str = "auto", source: str = "<string>") -> Music:
    """Parse JSON or YAML text into a :class:`Music` (see :func:`from_dict`).

    Parsing is strict (:mod:`muspy_like.io.schema.strict`): a key that appears twice, nesting deeper than
    the ``document_depth`` cap of :mod:`muspy_like.limits` and integers of thousands of digits are
    :class:`~muspy_like.errors.SchemaError` naming ``source`` and the JSON path.
    """
    max_depth = limits.current().document_depth
    if fmt == "json":
        doc = parse_json(text, source, max_depth)
    elif fmt == "yaml":
        doc = parse_yaml(text, source, max_depth)
    else:
        raise ValueError(f"fmt must be 'json' or 'yaml', not {fmt!r}")
    if not isinstance(doc, dict):
        raise SchemaError(f"{source}: $: the document is a {type(doc).__name__}, not a mapping")
    return from_dict(doc, validator, source)


def _json_with_flat_columns(doc: dict[str, Any], indent: Optional[int]) -> str:
    if indent is None:
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    columns: list[str] = []
    for track in doc["tracks"]:
        for name in _COLUMN_KEYS:
            for key, column in track[name].items():
                track[name][key] = f"\x00column{len(columns)}\x00"
                columns.append(json.dumps(column, separators=(",", ":")))
    text = json.dumps(doc, ensure_ascii=False, indent=indent)
    return _PLACEHOLDER.sub(lambda match: columns[int(match.group(1))], text)


_PLACEHOLDER = re.compile(r'"\\u0000column(\d+)\\u0000"')


# -- files --------------------------------------------------------------------------------------------
def _format_of(path: Path) -> tuple[str, bool]:
    name = path.name.lower()
    compressed = name.endswith(".gz")
    if compressed:
        name = name[:-3]
    if name.endswith(".json"):
        return "json", compressed
    if name.endswith((".yaml", ".yml")):
        return "yaml", compressed
    raise SchemaError(f"{path}: native files end in .json, .yaml or .yml (optionally .gz)")


def save(path: Pathish, music: Music, indent: Optional[int] = 2) -> None:
    """Save ``music`` losslessly as JSON or YAML, chosen by extension (``.gz`` compresses); atomic.

    The piece is validated first, so an invalid Music raises
    :class:`~muspy_like.errors.ValidationError` and nothing is written.
    """
    path = Path(path)
    fmt, compressed = _format_of(path)
    music.validate()
    data = dumps(music, fmt, indent).encode("utf-8")
    if compressed:
        data = gzip.compress(data, mtime=0)
    with atomic_write(path, "wb") as handle:
        handle.write(data)


def load(path: Pathish, validator: str = "auto", *, max_bytes: Optional[int] = None) -> Music:
    """Load a native (or MusPy) JSON/YAML file, optionally gzipped, validating it.

    Parameters
    ----------
    path : str or Path
        A ``.json``, ``.yaml`` or ``.yml`` file, optionally ending in ``.gz``.
    validator : {"auto", "jsonschema", "builtin", "none"}
        See :func:`validate_document`.
    max_bytes : int, optional
        Largest document accepted, in bytes of text after decompression (default: the
        ``document_bytes`` cap of :mod:`muspy_like.limits`, 64 MiB). A gzipped file is decompressed as a
        stream and refused as soon as it passes the cap, so a decompression bomb costs at most the cap.

    Raises
    ------
    SchemaError
        If the file is not valid JSON/YAML or breaks the schema (the message gives the JSON path).
    SizeLimitError
        If the document is larger than ``max_bytes``.
    """
    path = Path(path)
    fmt, compressed = _format_of(path)
    try:
        if compressed:
            with gzip.open(path, "rb") as stream:
                raw = limits.read_bounded(stream, "document_bytes", str(path), keyword="max_bytes", cap=max_bytes)
        else:
            limits.check("document_bytes", path.stat().st_size, str(path), keyword="max_bytes", cap=max_bytes)
            raw = path.read_bytes()
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise SchemaError(f"{path}: not a valid gzip file ({error})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SchemaError(f"{path}: not UTF-8 text (byte {error.start})") from None
    return loads(text, fmt, validator, str(path))
