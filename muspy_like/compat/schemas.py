"""MusPy's schema functions (``muspy.schemas``) over the schemas muspy_like ships.

``validate_json`` and ``validate_yaml`` check a file against muspy_like's native JSON Schema (MusPy's own
files are recognised and checked after migration, as :func:`muspy_like.load` does); ``validate_musicxml``
checks against the MusicXML 4.0 XSD, offline. All raise on the first violation, naming the file and place.
MusPy validates YAML with a separate Yamale schema; here one JSON Schema covers both serializations, so
``get_yaml_schema_path`` returns the JSON Schema too.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Union

from muspy_like.core.events import SCHEMA_VERSION

__all__ = [
    "DEFAULT_SCHEMA_VERSION",
    "get_json_schema_path",
    "get_yaml_schema_path",
    "get_musicxml_schema_path",
    "validate_json",
    "validate_yaml",
    "validate_musicxml",
]

#: Version of the native schema written by :func:`muspy_like.save`.
DEFAULT_SCHEMA_VERSION = SCHEMA_VERSION

Pathish = Union[str, os.PathLike]


def get_json_schema_path() -> str:
    """Path of the native format's JSON Schema shipped in the package."""
    from muspy_like.io.schema import SCHEMA_FILE

    return str(resources.files("muspy_like.io.schema").joinpath(SCHEMA_FILE))


def get_yaml_schema_path() -> str:
    """Path of the schema YAML files are checked against (the same JSON Schema)."""
    return get_json_schema_path()


def get_musicxml_schema_path() -> str:
    """Path of the MusicXML 4.0 XSD shipped in the package."""
    from muspy_like.io.musicxml.schema import SCHEMA_PATH

    return str(SCHEMA_PATH)


def _validate_native(path: Pathish, fmt: str) -> None:
    from muspy_like.compat.io import _load

    _load(Path(path), fmt)


def validate_json(path: Pathish) -> None:
    """Check a (possibly gzipped) JSON file against the native schema.

    Raises
    ------
    SchemaError
        Naming the file and the JSON path of the first bad field.
    """
    _validate_native(path, "json")


def validate_yaml(path: Pathish) -> None:
    """Check a (possibly gzipped) YAML file against the native schema (see :func:`validate_json`)."""
    _validate_native(path, "yaml")


def validate_musicxml(path: Pathish) -> None:
    """Check a MusicXML file (plain or ``.mxl``) against the MusicXML 4.0 XSD, offline.

    Raises
    ------
    MusicXMLError
        With the first violation (its path in the document and the reason).
    """
    from muspy_like.io.musicxml.schema import validate_musicxml as validate

    validate(path)
