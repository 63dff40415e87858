"""Convert a dataset once into a cache that loads many times faster than parsing the sources.

Cache layout (``cache_dir``)
----------------------------
``index.json``
    ``{"format": "muspy_like-cache", "version": 1, "dataset": ..., "root": ..., "pieces": [...]}``; one
    entry per *source* piece, in dataset order: ``key``, ``source`` (path relative to the dataset root,
    ``#n`` for the n-th tune of an ABC file), ``path`` (absolute), ``tune``, ``ok`` and, for converted
    pieces, ``tracks`` and ``notes`` counts. This is how the cache maps back to the source files.
``json/<key>.json``
    The piece in the native JSON format (:func:`muspy_like.io.native.save`): readable, diffable, lossless.
``arrays/<key>.npz``
    The same piece, column-wise, for speed: ``header`` (the native document of the piece without its
    notes, control changes and pitch bends, as UTF-8 bytes) and, for each of those three event kinds, one
    int64 matrix (one row per event, one column per field, all tracks stacked) with the offsets of each
    track's rows. Written without timestamps, so equal pieces give byte-identical files.
``failures.json``
    One entry per piece that could not be converted: ``source``, ``exception`` (type) and ``message``.

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
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence, Union

import numpy as np

from muspy_like.datasets.base import Dataset
from muspy_like.datasets.pieces import Piece
from muspy_like.errors import DatasetError
from muspy_like.files import atomic_write, atomic_write_text
from muspy_like.parallel import Failure, parallel_map

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from muspy_like.core.music import Music

__all__ = ["CachedDataset", "ConversionReport", "convert", "load_cached", "save_arrays", "load_arrays"]

CACHE_FORMAT = "muspy_like-cache"
CACHE_VERSION = 1
_EVENT_KINDS = ("notes", "control_changes", "pitch_bends")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass
class ConversionReport:
    """What :func:`convert` did.

    Parameters
    ----------
    cache_dir : Path
        The cache folder.
    converted : int
        Pieces written to the cache.
    failures : list of Failure
        Pieces that could not be converted (item, exception type, message, traceback).
    seconds : float
        Wall time of the conversion.
    sources : list of str
        Source label of each failure, in the same order as ``failures``.
    """

    cache_dir: Path
    converted: int
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    sources: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if every piece was converted."""
        return not self.failures

    def summary(self) -> str:
        """One line for people: counts, failures and throughput (pieces per second)."""
        total = self.converted + len(self.failures)
        rate = total / self.seconds if self.seconds > 0 else float("inf")
        return (
            f"{self.converted} of {total} pieces converted into {self.cache_dir} in {self.seconds:.1f} s "
            f"({rate:.1f} pieces/s); {len(self.failures)} failed"
        )


def convert(
    dataset: Dataset,
    cache_dir: Union[str, Path],
    *,
    n_jobs: int = 1,
    executor: Optional["Executor"] = None,
    progress: bool = True,
    chunksize: Optional[int] = None,
) -> ConversionReport:
    """Convert every piece of ``dataset`` into ``cache_dir`` (layout in the module docstring).

    Parameters
    ----------
    dataset : Dataset
        Any dataset (catalog, folder, music21 corpus, or a split of one).
    cache_dir : str or Path
        Output folder (created if missing). Piece files of an earlier conversion are overwritten.
    n_jobs : int
        Worker processes (1: inline; -1: every core). Ignored when ``executor`` is given.
    executor : concurrent.futures.Executor, optional
        Where to run the work, e.g. ``dask.distributed.Client(...).get_executor()``.
    progress : bool
        Show a progress bar.
    chunksize : int, optional
        Pieces per task (see :func:`muspy_like.parallel.parallel_map`).

    Returns
    -------
    ConversionReport
        Counts, per-piece failures (also saved as ``failures.json``) and wall time.
    """
    cache_dir = Path(cache_dir)
    (cache_dir / "json").mkdir(parents=True, exist_ok=True)
    (cache_dir / "arrays").mkdir(parents=True, exist_ok=True)
    width = max(6, len(str(max(len(dataset) - 1, 0))))
    keys = [f"{index:0{width}d}" for index in range(len(dataset))]
    jobs = list(zip(keys, dataset.pieces))
    worker = functools.partial(_convert_piece, options=dataset.reader_options, cache_dir=str(cache_dir))
    start = time.perf_counter()
    result = parallel_map(
        worker, jobs, n_jobs=n_jobs, executor=executor, progress=progress, desc=f"convert {dataset.name}", chunksize=chunksize
    )
    seconds = time.perf_counter() - start
    entries = []
    for (key, piece), summary in zip(jobs, result.values):
        entry: dict[str, Any] = {"key": key, "source": piece.label(dataset.root), "path": piece.path, "tune": piece.tune}
        entry.update(summary if summary is not None else {"ok": False})
        entries.append(entry)
    labels = [dataset.pieces[f.index].label(dataset.root) for f in result.failures]
    failures = [
        {"source": label, "exception": f.exception_type, "message": f.message}
        for label, f in zip(labels, result.failures)
    ]
    atomic_write_text(cache_dir / "failures.json", json.dumps(failures, indent=1) + "\n")
    index = {
        "format": CACHE_FORMAT,
        "version": CACHE_VERSION,
        "dataset": dataset.name,
        "root": str(dataset.root) if dataset.root else None,
        "reader_options": dataset.reader_options,
        "pieces": entries,
    }
    atomic_write_text(cache_dir / "index.json", json.dumps(index, indent=1) + "\n")
    converted = sum(1 for value in result.values if value is not None)
    return ConversionReport(cache_dir, converted, result.failures, seconds, labels)


def _convert_piece(job: tuple[str, Piece], options: dict, cache_dir: str) -> dict[str, Any]:
    """Read one piece and write its JSON and array files; runs in a worker."""
    from muspy_like.datasets.pieces import read_piece
    from muspy_like.io import native

    key, piece = job
    music = read_piece(piece, options)
    folder = Path(cache_dir)
    native.save(folder / "json" / f"{key}.json", music)
    save_arrays(folder / "arrays" / f"{key}.npz", music)
    return {"ok": True, "tracks": len(music.tracks), "notes": int(sum(len(t.notes) for t in music.tracks))}


def save_arrays(path: Union[str, Path], music: "Music") -> None:
    """Write ``music`` as a column-wise ``.npz`` (see the module docstring), atomically and reproducibly."""
    from muspy_like.io import native

    stripped = copy.copy(music)
    stripped.tracks = []
    arrays: dict[str, np.ndarray] = {}
    for kind in _EVENT_KINDS:
        matrices, offsets = [], [0]
        for track in music.tracks:
            columns = getattr(track, kind).columns()
            matrices.append(np.stack([c.astype(np.int64) for c in columns.values()], axis=1))
            offsets.append(offsets[-1] + len(getattr(track, kind)))
        n_fields = len(type(getattr(music.tracks[0], kind)).fields) if music.tracks else 0
        arrays[kind] = np.concatenate(matrices) if matrices else np.zeros((0, n_fields), dtype=np.int64)
        arrays[f"{kind}_offsets"] = np.asarray(offsets, dtype=np.int64)
    for track in music.tracks:
        bare = copy.copy(track)
        for kind in _EVENT_KINDS:
            setattr(bare, kind, type(getattr(track, kind))())
        stripped.tracks.append(bare)
    header = json.dumps(native.to_dict(stripped), separators=(",", ":"), sort_keys=True).encode("utf-8")
    arrays["header"] = np.frombuffer(header, dtype=np.uint8)
    with atomic_write(path, "wb") as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as bundle:
            for name, array in arrays.items():
                info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_EPOCH)
                with bundle.open(info, "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)


def load_arrays(path: Union[str, Path]) -> "Music":
    """Read a piece written by :func:`save_arrays`.

    Raises
    ------
    DatasetError
        If the file is missing or not a valid cache file (the message names it).
    """
    from muspy_like.io import native

    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise DatasetError(f"{path}: not a readable cache file ({error}); convert the dataset again") from error
    try:
        music = native.from_dict(json.loads(arrays["header"].tobytes()))
        for kind in _EVENT_KINDS:
            matrix, offsets = arrays[kind], arrays[f"{kind}_offsets"]
            for i, track in enumerate(music.tracks):
                array_class = type(getattr(track, kind))
                rows = matrix[offsets[i] : offsets[i + 1]]
                columns = {f.name: rows[:, j] for j, f in enumerate(array_class.fields)}
                setattr(track, kind, array_class.from_columns(**columns))
    except (KeyError, IndexError, ValueError) as error:
        raise DatasetError(f"{path}: inconsistent cache file ({error}); convert the dataset again") from error
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
        if index.get("format") != CACHE_FORMAT or index.get("version") != CACHE_VERSION:
            raise DatasetError(f"{cache_dir}: not a muspy_like cache of version {CACHE_VERSION}")
        self.cache_dir = cache_dir
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
        return load_arrays(self.cache_dir / "arrays" / f"{self.keys[index]}.npz")

    def read_json(self, index: int) -> "Music":
        """Load piece ``index`` from its native JSON file (slower; the readable copy)."""
        from muspy_like.io import native

        return native.load(self.cache_dir / "json" / f"{self.keys[index]}.json")

    def source(self, index: int) -> str:
        """The source of piece ``index``: path relative to the dataset root (``#n`` for an ABC tune)."""
        return self.label(index)

    def _select(self, indices: Sequence[int]) -> None:
        super()._select(indices)
        self.keys = [self.keys[i] for i in indices]


def load_cached(cache_dir: Union[str, Path]) -> CachedDataset:
    """Open a cache written by :func:`convert` (shortcut for :class:`CachedDataset`)."""
    return CachedDataset(cache_dir)
