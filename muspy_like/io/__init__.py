"""Reading and writing files, the format chosen by the file's extension.

Each format lives in its own module and is imported on first use:

========================  =======================  ===========================  ==========================
extension                 module                   reader                       writer
========================  =======================  ===========================  ==========================
.mid .midi .smf .kar      ``io.midi``              ``read_midi``                ``write_midi``
.xml .musicxml .mxl       ``io.musicxml``          ``read_musicxml``            ``write_musicxml``
.mscx .mscz               ``io.musescore``         ``read_musescore``           (none)
.abc                      ``io.abc``               ``read_abc``                 ``write_abc``
.json .yaml .yml (.gz)    ``io.native``            ``load``                     ``save``
========================  =======================  ===========================  ==========================
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Union

from muspy_like.errors import FormatError

if TYPE_CHECKING:
    from muspy_like.core.music import Music

__all__ = ["read", "write", "load", "save", "format_of", "FORMATS"]


class FileFormat(NamedTuple):
    """Where the reader and writer of one format live."""

    name: str
    module: str
    reader: str
    writer: Optional[str]


_MIDI = FileFormat("midi", "muspy_like.io.midi", "read_midi", "write_midi")
_MUSICXML = FileFormat("musicxml", "muspy_like.io.musicxml", "read_musicxml", "write_musicxml")
_MUSESCORE = FileFormat("musescore", "muspy_like.io.musescore", "read_musescore", None)
_ABC = FileFormat("abc", "muspy_like.io.abc", "read_abc", "write_abc")
_NATIVE = FileFormat("native", "muspy_like.io.native", "load", "save")

#: Extension (lower case, with dot) -> format.
FORMATS: dict[str, FileFormat] = {
    ".mid": _MIDI,
    ".midi": _MIDI,
    ".smf": _MIDI,
    ".kar": _MIDI,
    ".xml": _MUSICXML,
    ".musicxml": _MUSICXML,
    ".mxl": _MUSICXML,
    ".mscx": _MUSESCORE,
    ".mscz": _MUSESCORE,
    ".abc": _ABC,
    ".json": _NATIVE,
    ".yaml": _NATIVE,
    ".yml": _NATIVE,
    ".json.gz": _NATIVE,
    ".yaml.gz": _NATIVE,
    ".yml.gz": _NATIVE,
}


def format_of(path: Union[str, Path]) -> FileFormat:
    """The format of a file, from its extension (``.json.gz`` style double extensions included).

    Raises
    ------
    FormatError
        If the extension is not one muspy_like knows.
    """
    name = Path(path).name.lower()
    for extension in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(extension):
            return FORMATS[extension]
    known = ", ".join(sorted(FORMATS))
    raise FormatError(f"{path}: unknown file extension; known extensions are {known}")


def _function(fmt: FileFormat, attribute: Optional[str], path: Union[str, Path]) -> Any:
    if attribute is None:
        raise FormatError(f"{path}: writing {fmt.name} files is not supported")
    return getattr(importlib.import_module(fmt.module), attribute)


def read(path: Union[str, Path], **kwargs: Any) -> "Music":
    """Read a file into a :class:`~muspy_like.Music`, choosing the reader by extension.

    Keyword arguments go to the format's reader (e.g. ``engine="mido"`` for MIDI).
    """
    fmt = format_of(path)
    return _function(fmt, fmt.reader, path)(path, **kwargs)


def write(path: Union[str, Path], music: "Music", **kwargs: Any) -> None:
    """Write a :class:`~muspy_like.Music` to a file, choosing the writer by extension (atomically)."""
    fmt = format_of(path)
    _function(fmt, fmt.writer, path)(path, music, **kwargs)


def load(path: Union[str, Path], **kwargs: Any) -> "Music":
    """Load a native JSON/YAML file (optionally gzipped), validating it against the schema."""
    from muspy_like.io import native

    return native.load(path, **kwargs)


def save(path: Union[str, Path], music: "Music", **kwargs: Any) -> None:
    """Save a Music losslessly as native JSON or YAML (by extension), atomically."""
    from muspy_like.io import native

    native.save(path, music, **kwargs)
