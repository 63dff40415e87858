"""The conversion journal: what a conversion has finished, so that an interrupted one resumes.

While :func:`muspy_like.datasets.cache.convert` runs, each finished piece is appended as one JSON line to
``progress.jsonl`` in the cache folder (after its files are written, so a line always stands for complete
files). A conversion killed at any moment leaves a journal whose lines are all true; the next conversion
into the same folder reads it (and the ``index.json`` of an earlier complete conversion) and converts only
the pieces not finished, or whose source file has changed since (size or modification time), or that
failed. The journal's first line records the dataset and reader options: a journal written with other
options is not reused.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

from muspy_like.datasets.layout import PIECE_KINDS, piece_path
from muspy_like.datasets.pieces import Piece

__all__ = ["Journal", "source_stamp", "JOURNAL_NAME"]

JOURNAL_NAME = "progress.jsonl"


def source_stamp(path: str) -> Optional[list[int]]:
    """``[size in bytes, modification time in ns]`` of a source file (None if it cannot be read)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


class Journal:
    """Appends finished pieces to ``progress.jsonl`` and finds the pieces an earlier run finished.

    Parameters
    ----------
    folder : Path
        The cache folder.
    header : dict
        What the entries depend on (dataset name, reader options); written as the first line.
    version : int
        Layout version of the piece files (:func:`muspy_like.datasets.layout.piece_path`).
    """

    def __init__(self, folder: Path, header: dict[str, Any], version: int) -> None:
        self.path = Path(folder) / JOURNAL_NAME
        self.version = version
        self.header = {"journal": {**header, "layout": version}}
        self._handle: Any = None

    def finished(self, pieces: Sequence[Piece], keys: Sequence[str], earlier: Sequence[dict]) -> dict[int, dict]:
        """Index -> entry of the pieces converted before (``earlier`` entries of an old index, then the journal).

        An entry is reused when it is for the same file and tune, converted successfully, from a source
        whose size and modification time have not changed, and its two piece files exist.
        """
        by_key: dict[str, dict] = {entry["key"]: entry for entry in earlier if "key" in entry}
        for entry in self._entries():
            by_key[entry["key"]] = entry
        stamps: dict[str, Optional[list[int]]] = {}
        found: dict[int, dict] = {}
        folder = self.path.parent
        for index, (key, piece) in enumerate(zip(keys, pieces)):
            entry = by_key.get(key)
            if not entry or not entry.get("ok") or entry.get("path") != piece.path or entry.get("tune") != piece.tune:
                continue
            if piece.path not in stamps:
                stamps[piece.path] = source_stamp(piece.path)
            if entry.get("stamp") != stamps[piece.path]:
                continue
            if all(piece_path(folder, kind, key, self.version).is_file() for kind in PIECE_KINDS):
                found[index] = entry
        return found

    def _entries(self) -> Iterator[dict]:
        """The journal's entries; nothing if it is missing or was written with another header."""
        try:
            handle = open(self.path, encoding="utf-8")
        except OSError:
            return
        with handle:
            first = handle.readline()
            try:
                if json.loads(first) != self.header:
                    return
            except ValueError:
                return
            for line in handle:
                try:
                    yield json.loads(line)
                except ValueError:  # the last line of a run killed while writing it
                    return

    def start(self, kept: Sequence[dict]) -> None:
        """Start the journal anew with the header and the entries ``kept`` from earlier runs, then append.

        Rewriting it drops a line cut short by a run killed while writing, so that later lines stay
        readable.
        """
        self._handle = open(self.path, "w", encoding="utf-8")
        self._handle.write("".join(json.dumps(line) + "\n" for line in [self.header, *kept]))
        self._handle.flush()

    def append(self, entry: dict[str, Any]) -> None:
        """Record one finished piece (flushed at once: it survives this process being killed)."""
        self._handle.write(json.dumps(entry) + "\n")
        self._handle.flush()

    def close(self, remove: bool) -> None:
        """Close the journal; ``remove`` deletes it (the complete ``index.json`` now holds everything)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if remove:
            self.path.unlink(missing_ok=True)
