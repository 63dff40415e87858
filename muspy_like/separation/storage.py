"""Separation datasets on disk: a folder of flat arrays, written piece by piece in bounded memory.

Layout of a dataset folder (format version 2)
---------------------------------------------
``header.json``
    Format name and version, dataset name, part names, resolution, one name per piece, optional group key
    and official split label per piece, and ``info`` (how the dataset was built: recipe, counts of kept
    and skipped pieces and why, the sources read).
``notes.npy``
    int32, shape ``(n_notes, 6)``: every piece's note array, one after the other.
``labels.npy``
    int8, shape ``(n_notes,)``: the part of each note.
``offsets.npy``
    int64, shape ``(n_pieces + 1,)``: piece ``i`` holds rows ``offsets[i]:offsets[i + 1]``.

:class:`DatasetWriter` appends pieces to the ``.npy`` files as they come (nothing is held but the piece
being written and one offset per piece), writes each file's header last, in place (its size is reserved
up front), and publishes the folder under its final name in one rename: a reader never sees a
half-written dataset. Big datasets load memory-mapped.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from muspy_like.errors import DatasetError
from muspy_like.files import atomic_write_text
from muspy_like.separation.data import N_NOTE_FIELDS, RESOLUTION

__all__ = ["DatasetWriter", "FORMAT", "VERSION", "read_folder", "read_legacy_npz", "default_cache_dir"]

FORMAT = "muspy_like.separation.dataset"
VERSION = 2
_NOTE_DTYPE = np.dtype("<i4")
_LABEL_DTYPE = np.dtype("i1")
#: Bytes reserved for an ``.npy`` header (format 1.0), so that it can be written once the shape is known.
_HEADER_BYTES = 128


def default_cache_dir() -> Path:
    """``separation/`` in muspy_like's cache folder (:func:`muspy_like.paths.cache_home`:
    ``$MUSPY_LIKE_CACHE``, else the platform's, ``~/.cache/muspy_like`` on Linux)."""
    from muspy_like.paths import cache_home

    return cache_home() / "separation"


class DatasetWriter:
    """Write a separation dataset folder piece by piece.

    Parameters
    ----------
    path : str or Path
        The folder to create (replaced, once complete, if it exists).
    part_names : sequence of str
        Name of each part index.
    name : str
        Name of the dataset.
    resolution : int
        Ticks per quarter note of the note arrays.

    Examples
    --------
    >>> with DatasetWriter("cache/quartets", ("v1", "v2", "va", "vc")) as writer:  # doctest: +SKIP
    ...     writer.add("k458-1", notes, labels)
    ...     writer.info["recipe"] = "mine"
    """

    def __init__(
        self, path: Union[str, Path], part_names: tuple[str, ...], name: str = "", resolution: int = RESOLUTION
    ) -> None:
        self.path = Path(path)
        self.part_names = tuple(part_names)
        self.name = name
        self.resolution = resolution
        #: Anything JSON-compatible to store in the header under ``info``.
        self.info: dict[str, Any] = {}
        self._names: list[str] = []
        self._groups: list[Optional[str]] = []
        self._splits: list[Optional[str]] = []
        self._offsets = [0]
        self._staging = self.path.parent / f".{self.path.name}.partial-{os.getpid()}"
        shutil.rmtree(self._staging, ignore_errors=True)
        self._staging.mkdir(parents=True)
        self._notes = _open_npy(self._staging / "notes.npy")
        self._labels = _open_npy(self._staging / "labels.npy")

    def __enter__(self) -> "DatasetWriter":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()

    def __len__(self) -> int:
        return len(self._names)

    @property
    def n_notes(self) -> int:
        """Notes written so far."""
        return self._offsets[-1]

    def add(
        self,
        name: str,
        notes: np.ndarray,
        labels: np.ndarray,
        group: Optional[str] = None,
        split: Optional[str] = None,
    ) -> None:
        """Append one piece (a sorted note array and its labels).

        Raises
        ------
        DatasetError
            For arrays of the wrong shape, a label beyond the part names, or values beyond int32.
        """
        notes = np.asarray(notes)
        labels = np.asarray(labels)
        if notes.ndim != 2 or notes.shape[1] != N_NOTE_FIELDS or labels.shape != (len(notes),):
            raise DatasetError(f"{name}: notes of shape {notes.shape} and labels of shape {labels.shape} do not fit")
        if len(labels) and (labels.min() < 0 or labels.max() >= len(self.part_names)):
            raise DatasetError(f"{name}: part labels must lie in 0..{len(self.part_names) - 1}")
        limit = np.iinfo(_NOTE_DTYPE)
        if len(notes) and (notes.min() < limit.min or notes.max() > limit.max):
            raise DatasetError(f"{name}: a time or value does not fit in 32 bits")
        self._notes.write(notes.astype(_NOTE_DTYPE, copy=False).tobytes())
        self._labels.write(labels.astype(_LABEL_DTYPE, copy=False).tobytes())
        self._offsets.append(self._offsets[-1] + len(notes))
        self._names.append(str(name))
        self._groups.append(group)
        self._splits.append(split)

    def close(self) -> Path:
        """Finish the arrays, write the header and publish the folder; return its path."""
        n = self.n_notes
        _close_npy(self._notes, _NOTE_DTYPE, (n, N_NOTE_FIELDS))
        _close_npy(self._labels, _LABEL_DTYPE, (n,))
        np.save(self._staging / "offsets.npy", np.asarray(self._offsets, dtype=np.int64))
        header = {
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "part_names": list(self.part_names),
            "resolution": self.resolution,
            "names": self._names,
            "groups": self._groups if any(g is not None for g in self._groups) else None,
            "splits": self._splits if any(s is not None for s in self._splits) else None,
            "info": self.info,
        }
        atomic_write_text(self._staging / "header.json", json.dumps(header) + "\n")
        _publish(self._staging, self.path)
        return self.path

    def abort(self) -> None:
        """Drop everything written (the final folder, if it existed, is left as it was)."""
        self._notes.close()
        self._labels.close()
        shutil.rmtree(self._staging, ignore_errors=True)


def _open_npy(path: Path):
    """A new ``.npy`` file whose header space is reserved; the array's bytes are appended after it."""
    handle = open(path, "wb")
    handle.write(b"\0" * _HEADER_BYTES)
    return handle


def _close_npy(handle, dtype: np.dtype, shape: tuple[int, ...]) -> None:
    """Write the ``.npy`` header (format 1.0, padded to the reserved size) now that the shape is known."""
    text = repr({"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape})
    prefix = np.lib.format.magic(1, 0)
    body = text.encode("latin1")
    padding = _HEADER_BYTES - len(prefix) - 2 - len(body) - 1
    if padding < 0:
        raise DatasetError(f"{handle.name}: array shape {shape} does not fit the reserved header")
    handle.seek(0)
    handle.write(prefix + (_HEADER_BYTES - len(prefix) - 2).to_bytes(2, "little") + body + b" " * padding + b"\n")
    handle.close()


def _publish(staging: Path, path: Path) -> None:
    """Move a finished folder to its final name, replacing an older one."""
    old = path.parent / f".{path.name}.old-{os.getpid()}"
    if path.exists():
        os.replace(path, old)
    os.replace(staging, path)
    shutil.rmtree(old, ignore_errors=True)


def read_folder(path: Path, mmap: bool = False) -> dict[str, Any]:
    """Read a dataset folder: the header fields plus ``notes`` and ``labels`` lists (one array per piece).

    With ``mmap``, the arrays are read-only int32/int8 views of memory-mapped files; otherwise int64
    arrays in memory.

    Raises
    ------
    DatasetError
        For a folder that is not a separation dataset, of another version, or damaged.
    """
    try:
        header = json.loads((path / "header.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DatasetError(f"{path}: not a separation dataset folder ({error})") from error
    if header.get("format") != FORMAT or header.get("version") != VERSION:
        raise DatasetError(
            f"{path}: unsupported dataset format {header.get('format')!r} version {header.get('version')!r} "
            f"(this muspy_like reads version {VERSION}); build the dataset again"
        )
    try:
        offsets = np.load(path / "offsets.npy")
        mode = "r" if mmap and len(offsets) and offsets[-1] > 0 else None  # an empty array cannot be mapped
        notes = np.load(path / "notes.npy", mmap_mode=mode)
        labels = np.load(path / "labels.npy", mmap_mode=mode)
    except (OSError, ValueError) as error:
        raise DatasetError(f"{path}: damaged dataset arrays ({error}); build the dataset again") from error
    if len(offsets) != len(header["names"]) + 1 or offsets[-1] != len(notes) or len(labels) != len(notes):
        raise DatasetError(f"{path}: the arrays do not match the header; build the dataset again")
    if mode is None:
        notes, labels = notes.astype(np.int64), labels.astype(np.int64)
    bounds = list(zip(offsets[:-1].tolist(), offsets[1:].tolist()))
    header["notes"] = [notes[a:b] for a, b in bounds]
    header["labels"] = [labels[a:b] for a, b in bounds]
    return header


def read_legacy_npz(path: Path) -> dict[str, Any]:
    """Read a dataset saved as one ``.npz`` file by muspy_like 0.1 (format version 1)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            header = json.loads(str(archive["header"]))
            offsets, notes, labels = archive["offsets"], archive["notes"], archive["labels"]
    except (OSError, KeyError, ValueError) as error:
        raise DatasetError(f"{path}: not a separation dataset file ({error})") from error
    if header.get("format") != FORMAT or header.get("version") != 1:
        raise DatasetError(f"{path}: unsupported dataset format {header.get('format')!r} "
                           f"version {header.get('version')!r}")
    bounds = list(zip(offsets[:-1], offsets[1:]))
    header["notes"] = [notes[a:b] for a, b in bounds]
    header["labels"] = [labels[a:b] for a, b in bounds]
    return header
