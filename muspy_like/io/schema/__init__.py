"""The JSON Schema of the native format, shipped inside the package (``music.schema.json``)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["SCHEMA_FILE", "music_schema"]

#: File name of the schema inside this package.
SCHEMA_FILE = "music.schema.json"


@lru_cache(maxsize=1)
def music_schema() -> dict[str, Any]:
    """The native-format JSON Schema (Draft 2020-12) as a dict (read once, then cached)."""
    return json.loads(resources.files(__name__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))
