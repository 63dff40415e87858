"""Convert a dataset once into a cache that loads many times faster than parsing the sources.

Cache layout (``cache_dir``)
----------------------------
``index.json``
    ``{"format": "muspy_like-cache", "version": 2, "dataset": ..., "root": ..., "pieces": [...]}``; one
    entry per *source* piece, in dataset order: ``key``, ``source`` (path relative to the dataset root,
    ``#n`` for the tune at position n of an ABC file, from 0), ``path`` (absolute), ``tune``, ``ok`` and, for
    converted pieces, ``tracks`` and ``notes`` counts and ``stamp`` (size and modification time of the
    source when it was read). This is how the cache maps back to the source files.
``json/<shard>/<key>.json``
    The piece in the native JSON format (:func:`muspy_like.io.native.save`): readable, diffable, lossless.
    ``<shard>`` is the key's last two digits (:mod:`muspy_like.datasets.layout` says why; caches of
    version 1 have no shard folders and are still read).
``arrays/<shard>/<key>.bin``
    The same piece, column-wise, for speed (:func:`save_arrays`): a JSON header (the native document of
    the piece without its notes, control changes and pitch bends) followed, for each of those three event
    kinds, by one int64 matrix (one row per event, one column per field, all tracks stacked) and the
    offsets of each track's rows. Loading is one file read, one small JSON parse and zero-copy views.
``failures.json``
    One entry per piece that could not be converted: ``source``, ``exception`` (type) and ``message``
    (for an ABC tune, the message names the file, the tune's ``X:`` number and its line).
``progress.jsonl``
    Only while a conversion runs, or after one was interrupted: the pieces finished so far, one JSON line
    each (:mod:`muspy_like.datasets.journal`). The next conversion into the folder resumes from it.

Everything is written atomically; ``index.json`` last. The conversion runs through
:func:`muspy_like.parallel.parallel_map`: inline, on worker processes (``n_jobs``) or on any executor
(e.g. a ``dask.distributed`` cluster). Workers write the piece files themselves, so on a multi-machine
cluster the cache folder (and the sources) must be on a shared file system. The result does not depend
on how the work was distributed.
"""

from __future__ import annotations

import copy
import functools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence, Union

import numpy as np

from muspy_like.datasets.base import Dataset
from muspy_like.datasets.journal import Journal, source_stamp
from muspy_like.datasets.layout import PIECE_KINDS, piece_path
from muspy_like.datasets.pieces import Piece
from muspy_like.errors import DatasetError
from muspy_like.files import atomic_write, atomic_write_text
from muspy_like.parallel import Failure, parallel_map

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from muspy_like.core.music import Music

__all__ = ["CachedDataset", "ConversionReport", "convert", "load_cached", "save_arrays", "load_arrays"]

CACHE_FORMAT = "muspy_like-cache"
CACHE_VERSION = 2
#: Versions :class:`CachedDataset` reads (1: one folder per kind, 2: shard folders).
_READABLE_VERSIONS = (1, 2)
_EVENT_KINDS = ("notes", "control_changes", "pitch_bends")
_MAGIC = b"MLCACHE1"


@dataclass
class ConversionReport:
    """What :func:`convert` did.

    Parameters
    ----------
    cache_dir : Path
        The cache folder.
    converted : int
        Pieces converted by this run.
    failures : list of Failure
        Pieces that could not be converted (item, exception type, message, traceback).
    seconds : float
        Wall time of the conversion.
    sources : list of str
        Source label of each failure, in the same order as ``failures``.
    reused : int
        Pieces already converted by an earlier run (complete or interrupted) and kept as they were.
    """

    cache_dir: Path
    converted: int
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    sources: list[str] = field(default_factory=list)
    reused: int = 0

    @property
    def ok(self) -> bool:
        """True if every piece was converted."""
        return not self.failures

    @property
    def total(self) -> int:
        """Pieces of the dataset."""
        return self.converted + self.reused + len(self.failures)

    def summary(self) -> str:
        """One line for people: counts, failures and throughput (pieces converted per second)."""
        rate = self.converted / self.seconds if self.seconds > 0 else float("inf")
        kept = f", {self.reused} kept from an earlier run" if self.reused else ""
        return (
            f"{self.converted + self.reused} of {self.total} pieces converted into {self.cache_dir}{kept} in "
            f"{self.seconds:.1f} s ({rate:.1f} pieces/s); {len(self.failures)} failed"
        )


def convert(
    dataset: Dataset,
    cache_dir: Union[str, Path],
    *,
    n_jobs: int = 1,
    executor: Optional["Executor"] = None,
    progress: bool = True,
    chunksize: Optional[int] = None,
    resume: bool = True,
) -> ConversionReport:
    """Convert every piece of ``dataset`` into ``cache_dir`` (layout in the module docstring).

    Memory does not grow with the size of the dataset beyond a few bytes per piece: workers write the
    pieces they read, and only their counts come back, streamed into a journal as they arrive.

    Parameters
    ----------
    dataset : Dataset
        Any dataset (catalog, folder, music21 corpus, or a split of one).
    cache_dir : str or Path
        Output folder (created if missing).
    n_jobs : int
        Worker processes (1: inline; -1: every core). Ignored when ``executor`` is given.
    executor : concurrent.futures.Executor, optional
        Where to run the work, e.g. ``dask.distributed.Client(...).get_executor()``.
    progress : bool
        Show a progress bar.
    chunksize : int, optional
        Pieces per task (see :func:`muspy_like.parallel.parallel_map`).
    resume : bool, default True
        Keep the pieces an earlier conversion into ``cache_dir`` finished (even one that was interrupted),
        when their source file is unchanged (see :mod:`muspy_like.datasets.journal`); only the others are
        converted. False converts every piece again.

    Returns
    -------
    ConversionReport
        Counts, per-piece failures (also saved as ``failures.json``) and wall time.
    """
    cache_dir = Path(cache_dir)
    (cache_dir / "json").mkdir(parents=True, exist_ok=True)
    (cache_dir / "arrays").mkdir(parents=True, exist_ok=True)
    keys = _keys(len(dataset))
    journal = Journal(cache_dir, {"dataset": dataset.name, "reader_options": dataset.reader_options}, CACHE_VERSION)
    existing = _existing_index(cache_dir)
    _remove_version_1_pieces(cache_dir, existing)
    earlier = _earlier_entries(existing, dataset) if resume else []
    finished = journal.finished(dataset.pieces, keys, earlier) if resume else {}
    todo = [index for index in range(len(dataset)) if index not in finished]
    state = _State(len(dataset), finished)
    start = time.perf_counter()
    journal.start(list(finished.values()))
    try:
        result = _convert_pieces(dataset, cache_dir, keys, todo, state, journal, n_jobs, executor, progress, chunksize)
    finally:
        journal.close(remove=False)
    failures = sorted(result.failures, key=lambda f: todo[f.index])
    labels = [dataset.pieces[todo[f.index]].label(dataset.root) for f in failures]
    seconds = time.perf_counter() - start
    _write_failures(cache_dir, labels, failures)
    _write_index(cache_dir, dataset, keys, state, {todo[f.index]: f for f in failures})
    journal.close(remove=True)
    return ConversionReport(cache_dir, len(todo) - len(failures), failures, seconds, labels, len(finished))


def _keys(n: int) -> list[str]:
    """File names of the pieces: their position, zero-padded (at least six digits)."""
    width = max(6, len(str(max(n - 1, 0))))
    return [f"{index:0{width}d}" for index in range(n)]


def _existing_index(cache_dir: Path) -> Optional[dict]:
    """The ``index.json`` of an earlier conversion into ``cache_dir``, if one is there and readable."""
    try:
        index = json.loads((cache_dir / "index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return index if isinstance(index, dict) and index.get("format") == CACHE_FORMAT else None


def _remove_version_1_pieces(cache_dir: Path, index: Optional[dict]) -> None:
    """Delete the piece files of a version 1 cache in ``cache_dir`` (they are converted again, sharded)."""
    if index is None or index.get("version") != 1:
        return
    for entry in index.get("pieces", []):
        for kind in PIECE_KINDS:
            piece_path(cache_dir, kind, str(entry.get("key")), 1).unlink(missing_ok=True)


def _earlier_entries(index: Optional[dict], dataset: Dataset) -> list[dict]:
    """The pieces of an earlier complete conversion (``index``) of the same dataset with the same options."""
    if index is None or index.get("version") != CACHE_VERSION:
        return []
    if index.get("dataset") != dataset.name or index.get("reader_options") != dataset.reader_options:
        return []
    return index.get("pieces", [])


class _State:
    """Per piece, compactly: converted or not, its track and note counts and its source stamp."""

    def __init__(self, n: int, finished: dict[int, dict]) -> None:
        self.ok = np.zeros(n, dtype=bool)
        self.tracks = np.zeros(n, dtype=np.int64)
        self.notes = np.zeros(n, dtype=np.int64)
        self.stamps: dict[int, list[int]] = {}
        for index, entry in finished.items():
            self.record(index, entry)

    def record(self, index: int, summary: dict[str, Any]) -> None:
        self.ok[index] = True
        self.tracks[index] = summary["tracks"]
        self.notes[index] = summary["notes"]
        if summary.get("stamp") is not None:
            self.stamps[index] = summary["stamp"]


def _convert_pieces(
    dataset: Dataset,
    cache_dir: Path,
    keys: list[str],
    todo: list[int],
    state: _State,
    journal: Journal,
    n_jobs: int,
    executor: Optional["Executor"],
    progress: bool,
    chunksize: Optional[int],
) -> Any:
    """Convert the pieces ``todo``, recording each in ``state`` and the journal as it comes back."""
    worker = functools.partial(_convert_piece, options=dataset.reader_options, cache_dir=str(cache_dir))

    def on_result(position: int, summary: dict[str, Any]) -> None:
        index = todo[position]
        state.record(index, summary)
        piece = dataset.pieces[index]
        journal.append({"key": keys[index], "path": piece.path, "tune": piece.tune, "ok": True, **summary})

    return parallel_map(
        worker,
        [(keys[index], dataset.pieces[index]) for index in todo],
        n_jobs=n_jobs,
        executor=executor,
        progress=progress,
        desc=f"convert {dataset.name}",
        chunksize=chunksize,
        on_result=on_result,
        keep_values=False,
    )


def _write_failures(cache_dir: Path, labels: list[str], failures: list[Failure]) -> None:
    records = [
        {"source": label, "exception": f.exception_type, "message": f.message} for label, f in zip(labels, failures)
    ]
    atomic_write_text(cache_dir / "failures.json", json.dumps(records, indent=1) + "\n")


def _write_index(
    cache_dir: Path, dataset: Dataset, keys: list[str], state: _State, failures: dict[int, Failure]
) -> None:
    """Write ``index.json``, one piece entry at a time (it is not built in memory first)."""
    head = {
        "format": CACHE_FORMAT,
        "version": CACHE_VERSION,
        "dataset": dataset.name,
        "root": str(dataset.root) if dataset.root else None,
        "reader_options": dataset.reader_options,
    }
    with atomic_write(cache_dir / "index.json", "w") as handle:
        handle.write(json.dumps(head, indent=1)[:-2] + ',\n "pieces": [\n')
        for index, (key, piece) in enumerate(zip(keys, dataset.pieces)):
            entry: dict[str, Any] = {"key": key, "source": piece.label(dataset.root), "path": piece.path}
            entry["tune"] = piece.tune
            if state.ok[index]:
                entry.update(ok=True, tracks=int(state.tracks[index]), notes=int(state.notes[index]))
                entry["stamp"] = state.stamps.get(index)
            else:
                entry["ok"] = False
            handle.write(("  " if index == 0 else ",\n  ") + json.dumps(entry))
        handle.write("\n ]\n}\n")


def _convert_piece(job: tuple[str, Piece], options: dict, cache_dir: str) -> dict[str, Any]:
    """Read one piece and write its JSON and array files; runs in a worker."""
    from muspy_like.datasets.pieces import read_piece
    from muspy_like.io import native

    key, piece = job
    stamp = source_stamp(piece.path)
    music = read_piece(piece, options)
    music.validate()  # the cache is trusted when loading, so only valid pieces enter it
    json_path = piece_path(Path(cache_dir), "json", key, CACHE_VERSION)
    arrays_path = piece_path(Path(cache_dir), "arrays", key, CACHE_VERSION)
    json_path.parent.mkdir(exist_ok=True)
    arrays_path.parent.mkdir(exist_ok=True)
    # Piece files can be rebuilt, so they skip fsync (most of the cost of a small file); index.json,
    # written last by the parent, is durable.
    atomic_write_text(json_path, native.dumps(music, "json"), durable=False)
    save_arrays(arrays_path, music, durable=False)
    return {"tracks": len(music.tracks), "notes": int(sum(len(t.notes) for t in music.tracks)), "stamp": stamp}


def save_arrays(path: Union[str, Path], music: "Music", durable: bool = True) -> None:
    """Write ``music`` in the column-wise cache format (see the module docstring), atomically.

    The file is ``MLCACHE1``, the byte length of a JSON header (8 bytes, little-endian), the JSON header
    (``music``: the native document without notes, control changes and pitch bends; ``arrays``: byte
    offset, rows and columns of each int64 matrix), zero padding to a multiple of 8 bytes, then the
    matrices (little-endian int64, row-major). Equal pieces give byte-identical files. ``durable=False``
    skips the fsync (see :func:`muspy_like.files.atomic_write`).
    """
    from muspy_like.io import native

    stripped = copy.copy(music)
    stripped.tracks = []
    for track in music.tracks:
        bare = copy.copy(track)
        for kind in _EVENT_KINDS:
            setattr(bare, kind, type(getattr(track, kind))())
        stripped.tracks.append(bare)
    document = native.to_dict(stripped)
    for track_document in document["tracks"]:
        for kind in _EVENT_KINDS:
            track_document.pop(kind, None)  # stored as matrices below
    blocks: list[bytes] = []
    layout: dict[str, list[int]] = {}
    offset = 0
    for kind in _EVENT_KINDS:
        arrays = [getattr(track, kind) for track in music.tracks]
        n_fields = len(type(arrays[0]).fields) if arrays else 0
        rows = [np.stack([c.astype("<i8") for c in a.columns().values()], axis=1) for a in arrays]
        lengths = np.cumsum([0] + [len(a) for a in arrays]).astype("<i8")
        matrix = np.concatenate(rows) if rows else np.zeros((0, n_fields), dtype="<i8")
        for name, block in ((kind, matrix), (f"{kind}_offsets", lengths.reshape(-1, 1))):
            data = np.ascontiguousarray(block, dtype="<i8").tobytes()
            layout[name] = [offset, int(block.shape[0]), int(block.shape[1])]
            blocks.append(data)
            offset += len(data)
    header = json.dumps(
        {"music": document, "arrays": layout}, separators=(",", ":"), sort_keys=True
    ).encode("utf-8")
    padding = -(len(_MAGIC) + 8 + len(header)) % 8
    with atomic_write(path, "wb", durable=durable) as handle:
        handle.write(_MAGIC + len(header).to_bytes(8, "little") + header + b"\0" * padding)
        for data in blocks:
            handle.write(data)


def load_arrays(path: Union[str, Path]) -> "Music":
    """Read a piece written by :func:`save_arrays`.

    The pieces were validated when the cache was written, so loading skips validation (that is most of
    the speed); a damaged file is still detected by its structure.

    Raises
    ------
    DatasetError
        If the file is missing or not a valid cache file (the message names it).
    """
    from muspy_like.io import native

    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise DatasetError(f"{path}: cannot read the cache file ({error}); convert the dataset again") from error
    try:
        if raw[: len(_MAGIC)] != _MAGIC:
            raise ValueError("wrong magic bytes")
        start = len(_MAGIC) + 8
        size = int.from_bytes(raw[len(_MAGIC) : start], "little")
        header = json.loads(raw[start : start + size])
        base = start + size + (-(start + size) % 8)
        music = native.from_dict(header["music"], validator="none", source=str(path))
        arrays = {}
        for name, (offset, rows, cols) in header["arrays"].items():
            arrays[name] = np.frombuffer(raw, dtype="<i8", count=rows * cols, offset=base + offset).reshape(rows, cols)
        for kind in _EVENT_KINDS:
            matrix, offsets = arrays[kind], arrays[f"{kind}_offsets"][:, 0]
            for i, track in enumerate(music.tracks):
                if offsets[i + 1] == offsets[i]:
                    continue  # the track already holds an empty array of this kind
                array_class = type(getattr(track, kind))
                block = matrix[offsets[i] : offsets[i + 1]]
                columns = {f.name: block[:, j].astype(f.dtype) for j, f in enumerate(array_class.fields)}
                setattr(track, kind, array_class._from_trusted(columns, len(block)))
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise DatasetError(f"{path}: damaged cache file ({error}); convert the dataset again") from error
    return music


class CachedDataset(Dataset):
    """A converted dataset: indexing loads the column-wise files, much faster than parsing the sources.

    Only the pieces converted successfully are included; :attr:`index` keeps every entry (failures
    too) and :meth:`source` maps an item back to its source file.

    Parameters
    ----------
    cache_dir : str or Path
        A folder written by :func:`convert`.

    Raises
    ------
    DatasetError
        If the folder holds no valid ``index.json``.
    """

    def __init__(self, cache_dir: Union[str, Path]) -> None:
        cache_dir = Path(cache_dir)
        try:
            index = json.loads((cache_dir / "index.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise DatasetError(f"{cache_dir}: no readable index.json ({error}); run convert() first") from error
        if index.get("format") != CACHE_FORMAT or index.get("version") not in _READABLE_VERSIONS:
            raise DatasetError(
                f"{cache_dir}: not a muspy_like cache of a version this release reads "
                f"({', '.join(map(str, _READABLE_VERSIONS))}); convert the dataset again"
            )
        self.cache_dir = cache_dir
        self.version = int(index["version"])
        self.index = index
        entries = [entry for entry in index["pieces"] if entry.get("ok")]
        self.keys = [entry["key"] for entry in entries]
        pieces = [Piece(entry["path"], entry.get("tune")) for entry in entries]
        root = index.get("root")
        super().__init__(pieces, root, index.get("reader_options"), None, index.get("dataset"))

    def read(self, index: int) -> "Music":
        """Load piece ``index`` from its column-wise file."""
        n = len(self.keys)
        if not -n <= index < n:
            raise IndexError(f"{self.name}: index {index} out of range for {n} cached pieces")
        return load_arrays(piece_path(self.cache_dir, "arrays", self.keys[index], self.version))

    def read_json(self, index: int) -> "Music":
        """Load piece ``index`` from its native JSON file (slower; the readable copy)."""
        from muspy_like.io import native

        return native.load(self.path(index, "json"))

    def path(self, index: int, kind: str = "arrays") -> Path:
        """The file of piece ``index``: ``kind`` ``"arrays"`` (column-wise) or ``"json"`` (native JSON)."""
        return piece_path(self.cache_dir, kind, self.keys[index], self.version)

    def source(self, index: int) -> str:
        """The source of piece ``index``: path relative to the dataset root (``#n`` for an ABC tune)."""
        return self.label(index)

    def _select(self, indices: Sequence[int]) -> None:
        super()._select(indices)
        self.keys = [self.keys[i] for i in indices]


def load_cached(cache_dir: Union[str, Path]) -> CachedDataset:
    """Open a cache written by :func:`convert` (shortcut for :class:`CachedDataset`)."""
    return CachedDataset(cache_dir)
