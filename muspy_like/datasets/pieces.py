"""What a dataset item is (a file, or one tune of a multi-tune ABC file) and how it is read.

Reading is a module-level function of picklable arguments so that worker processes (a process pool, a
dask cluster, PyTorch ``DataLoader`` workers) can read pieces on their own.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Union

from muspy_like.errors import DatasetError, FormatError
from muspy_like.extras import require
from muspy_like.io import FORMATS

if TYPE_CHECKING:
    from muspy_like.core.music import Music

__all__ = ["Piece", "read_piece", "scan_folder", "READABLE_SUFFIXES", "MUSIC21_SUFFIXES"]

#: Suffixes read by muspy_like's own readers (``muspy_like.io.read``).
READABLE_SUFFIXES = tuple(FORMATS)
#: Suffixes read through music21 and converted with :func:`muspy_like.interop.from_music21`.
MUSIC21_SUFFIXES = (".krn", ".hrm", ".mei", ".rntxt", ".md", ".nwctxt", ".capx", ".tntxt")



@dataclass(frozen=True, order=True)
class Piece:
    """One item of a dataset.

    Parameters
    ----------
    path : str
        Absolute path of the source file.
    tune : int, optional
        For ABC files: the 0-based position of the tune in the file (``#3`` in labels is the fourth
        tune; error messages also give its ``X:`` number and line).
    """

    path: str
    tune: Optional[int] = None

    def label(self, root: Optional[Union[str, Path]] = None) -> str:
        """The path relative to ``root`` (POSIX separators), with ``#<tune>`` for one tune of a file."""
        path = Path(self.path)
        if root is not None:
            try:
                path = path.relative_to(root)
            except ValueError:
                pass
        text = path.as_posix()
        return text if self.tune is None else f"{text}#{self.tune}"


def count_tunes(path: Union[str, Path]) -> int:
    """Number of tunes in an ABC file, as the ABC reader splits it (a file without ``X:`` is one tune)."""
    path = Path(path)
    stat = path.stat()
    return len(_tune_book(str(path), stat.st_mtime_ns, stat.st_size))


def scan_folder(root: Union[str, Path], pattern: str, suffixes: Iterable[str]) -> list[Piece]:
    """Every piece under ``root`` matching ``pattern`` whose suffix is in ``suffixes`` (sorted by path).

    ABC files are expanded into one piece per tune.
    """
    root = Path(root)
    wanted = tuple(s.lower() for s in suffixes)
    pieces = []
    for path in sorted(root.glob(pattern)):
        name = path.name.lower()
        if not path.is_file() or not name.endswith(wanted):
            continue
        if name.endswith(".abc"):
            pieces += [Piece(str(path), tune) for tune in range(count_tunes(path))]
        else:
            pieces.append(Piece(str(path)))
    return pieces


def read_piece(piece: Piece, options: Optional[Mapping[str, Any]] = None) -> "Music":
    """Read one piece into a :class:`~muspy_like.Music`.

    Parameters
    ----------
    piece : Piece
        The file (and tune).
    options : mapping, optional
        Reader options from the catalog: ``resolution`` (int) sets the ticks per quarter *without*
        rescaling times (for files that declare a wrong resolution, like the JSB Chorales MIDI files);
        ``via: music21`` reads through music21 even for formats muspy_like reads itself; ``collection``
        is written into ``metadata.collection``.

    Raises
    ------
    FormatError
        (or a subclass) if the file cannot be read; the message names the file.
    """
    options = dict(options or {})
    path = Path(piece.path)
    suffix = path.suffix.lower()
    if options.get("via") == "music21" or suffix in MUSIC21_SUFFIXES:
        music = _read_with_music21(path)
    elif piece.tune is not None:
        music = _read_tune(path, piece.tune)
    else:
        from muspy_like.io import read

        music = read(path)
    if "resolution" in options:
        music.resolution = int(options["resolution"])
    if options.get("collection"):
        music.metadata.collection = options["collection"]
    if not music.metadata.source_filename:
        music.metadata.source_filename = path.name
    return music


def _read_tune(path: Path, tune: int) -> "Music":
    """Tune ``tune`` (0-based position) of an ABC file, parsed on its own: a broken tune fails alone."""
    from muspy_like.io.abc import read_tune

    stat = path.stat()
    book = _tune_book(str(path), stat.st_mtime_ns, stat.st_size)
    if tune >= len(book):
        raise DatasetError(f"{path}: tune #{tune} requested but the file holds {len(book)} tunes")
    return read_tune(book.tunes[tune], path)


@functools.lru_cache(maxsize=4)
def _tune_book(path: str, mtime_ns: int, size: int) -> Any:
    # Consecutive pieces of a dataset are usually tunes of the same file: split each file once per process
    # (the key holds the file's time and size, so an edited file is split again).
    from muspy_like.io.abc import load_tune_book

    return load_tune_book(path)


def _read_with_music21(path: Path) -> "Music":
    music21 = require("music21", "music21", "reading this file with music21")

    from muspy_like.interop import from_music21

    try:
        # No music21 parse cache: music21 writes its pickle and reads it straight back, which breaks
        # (truncated zlib streams) when two processes parse the same file at once.
        score = music21.converter.parse(str(path), forceSource=True, storePickle=False)
    except Exception as error:  # music21 raises many unrelated types for bad input
        raise FormatError(f"{path}: music21 cannot parse the file: {error}") from error
    return from_music21(score)
