"""Datasets as lazy sequences of pieces: ``len``, indexing, iteration, splits, conversion.

A :class:`Dataset` holds a list of :class:`~muspy_like.datasets.pieces.Piece` (file paths, plus a tune
number for multi-tune ABC files) and reads a piece only when it is asked for. It is a plain picklable
object, so it crosses process boundaries cheaply (worker processes read the files themselves).
"""

from __future__ import annotations

import copy
import csv
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Optional, Union, overload

import numpy as np

from muspy_like.datasets.catalog import DatasetSpec, format_size
from muspy_like.datasets.pieces import READABLE_SUFFIXES, MUSIC21_SUFFIXES, Piece, read_piece, scan_folder
from muspy_like.errors import DatasetError

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from muspy_like.core.music import Music
    from muspy_like.datasets.cache import ConversionReport
    from muspy_like.datasets.ml import RepresentationDataset

__all__ = ["Dataset", "FolderDataset", "split_indices"]

#: Largest allowed deviation of the sum of split ratios from 1.
RATIO_TOLERANCE = 1e-6


class Dataset(Sequence):
    """A sequence of pieces read lazily into :class:`~muspy_like.Music`.

    Parameters
    ----------
    pieces : sequence of Piece
        The items, in order.
    root : str or Path, optional
        Folder the pieces live in (used for relative labels and official splits).
    reader_options : mapping, optional
        Passed to :func:`~muspy_like.datasets.pieces.read_piece` for every piece.
    spec : DatasetSpec, optional
        The catalog entry, for :meth:`info`, :meth:`citation` and official splits.
    name : str, optional
        Display name (default: the catalog name or ``"dataset"``).

    Examples
    --------
    >>> from muspy_like.datasets import FolderDataset  # doctest: +SKIP
    >>> dataset = FolderDataset("my_midi_folder")  # doctest: +SKIP
    >>> train, test = dataset.split([0.9, 0.1], seed=0)  # doctest: +SKIP
    >>> music = train[0]  # read now, not before  # doctest: +SKIP
    """

    def __init__(
        self,
        pieces: Sequence[Piece],
        root: Optional[Union[str, Path]] = None,
        reader_options: Optional[Mapping[str, Any]] = None,
        spec: Optional[DatasetSpec] = None,
        name: Optional[str] = None,
    ) -> None:
        self.pieces: list[Piece] = list(pieces)
        self.root = Path(root) if root is not None else None
        self.reader_options = dict(reader_options or {})
        self.spec = spec
        self.name = name or (spec.name if spec else "dataset")

    # -- sequence protocol ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.pieces)

    @overload
    def __getitem__(self, index: int) -> "Music": ...

    @overload
    def __getitem__(self, index: slice) -> "Dataset": ...

    def __getitem__(self, index: Union[int, slice]) -> Union["Music", "Dataset"]:
        if isinstance(index, slice):
            return self.subset(range(len(self))[index])
        return self.read(index)

    def __iter__(self) -> Iterator["Music"]:
        for index in range(len(self)):
            yield self.read(index)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, pieces={len(self)}, root={str(self.root)!r})"

    # -- reading -------------------------------------------------------------------------------------
    def read(self, index: int) -> "Music":
        """Read piece ``index`` (negative indices count from the end).

        Raises
        ------
        IndexError
            If the index is out of range.
        FormatError
            If the file cannot be read (the message names it).
        """
        n = len(self.pieces)
        if not -n <= index < n:
            raise IndexError(f"{self.name}: index {index} out of range for {n} pieces")
        return read_piece(self.pieces[index], self.reader_options)

    def label(self, index: int) -> str:
        """Where piece ``index`` comes from: its path relative to the root, ``#tune`` for ABC tunes."""
        return self.pieces[index].label(self.root)

    def subset(self, indices: Sequence[int]) -> "Dataset":
        """A dataset of the same kind holding the pieces at ``indices`` (same root, options and catalog entry)."""
        clone = copy.copy(self)
        clone._select(list(indices))
        return clone

    def _select(self, indices: Sequence[int]) -> None:
        # Subclasses with per-piece state beside ``pieces`` extend this to keep it aligned.
        self.pieces = [self.pieces[i] for i in indices]

    # -- description ---------------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """Name, description, homepage, license, size and checksum status, and the number of pieces."""
        info: dict[str, Any] = {"name": self.name, "pieces": len(self), "root": str(self.root) if self.root else None}
        if self.spec is not None:
            spec = self.spec
            info.update(
                title=spec.title,
                description=spec.description,
                homepage=spec.homepage,
                license=spec.license,
                format=spec.format,
                download_size=format_size(spec.size) if spec.download == "archive" else "n/a",
                checksum=spec.checksum_status,
                official_splits=self.official_split_names(),
            )
        return info

    def citation(self) -> str:
        """The BibTeX entry to cite the dataset (empty if the catalog gives none)."""
        return self.spec.citation if self.spec is not None else ""

    # -- splits --------------------------------------------------------------------------------------
    @overload
    def split(self, ratios: Sequence[float], seed: Optional[int] = 0) -> list["Dataset"]: ...

    @overload
    def split(self, ratios: Mapping[str, float], seed: Optional[int] = 0) -> dict[str, "Dataset"]: ...

    def split(
        self, ratios: Union[Sequence[float], Mapping[str, float]], seed: Optional[int] = 0
    ) -> Union[list["Dataset"], dict[str, "Dataset"]]:
        """Random split into parts of the given proportions, reproducible for a given ``seed``.

        Parameters
        ----------
        ratios : sequence of float or mapping of str to float
            Proportions, each in [0, 1], summing to 1 (within 1e-6). With a mapping, the result is a
            dict with the same keys.
        seed : int, optional
            Seed of the shuffle (numpy ``default_rng``); the same seed gives the same split.

        Returns
        -------
        list or dict of Dataset
            Disjoint parts covering the dataset; part sizes are rounded from the cumulative ratios so
            they always add up to ``len(self)``.

        Raises
        ------
        ValueError
            If a ratio is negative or the ratios do not sum to 1.
        """
        names = list(ratios) if isinstance(ratios, Mapping) else None
        values = [ratios[k] for k in names] if names is not None else list(ratios)
        parts = [self.subset(indices) for indices in split_indices(len(self), values, seed)]
        return dict(zip(names, parts)) if names is not None else parts

    def official_split_names(self) -> list[str]:
        """Names of the official splits declared by the catalog (empty if none)."""
        if self.spec is None or self.spec.splits is None:
            return []
        if self.spec.splits.kind == "folders":
            return list(self.spec.splits.patterns)
        if self.root is None or not any(self.root.glob(self.spec.splits.file)):  # not downloaded yet
            return []
        return sorted(set(self._csv_splits().values()))

    def official_splits(self) -> dict[str, "Dataset"]:
        """The dataset's own train/validation/test split, as declared in the catalog.

        Raises
        ------
        DatasetError
            If the dataset has no official split, or its split file is missing.
        """
        if self.spec is None or self.spec.splits is None or self.root is None:
            raise DatasetError(f"{self.name}: this dataset has no official split; use split(ratios, seed)")
        if self.spec.splits.kind == "folders":
            result = {}
            for split_name, pattern in self.spec.splits.patterns.items():
                members = {str(p) for p in self.root.glob(pattern)}
                result[split_name] = self.subset([i for i, p in enumerate(self.pieces) if p.path in members])
            return result
        by_path = self._csv_splits()
        names = sorted(set(by_path.values()))
        return {
            split_name: self.subset([i for i, p in enumerate(self.pieces) if by_path.get(p.path) == split_name])
            for split_name in names
        }

    def _csv_splits(self) -> dict[str, str]:
        spec = self.spec.splits  # type: ignore[union-attr]
        matches = sorted(self.root.glob(spec.file)) if self.root else []  # type: ignore[union-attr]
        if len(matches) != 1:
            raise DatasetError(
                f"{self.name}: expected one split file matching {spec.file!r} under {self.root}, found {len(matches)}"
            )
        table = matches[0]
        with open(table, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        if rows and (spec.path_column not in rows[0] or spec.split_column not in rows[0]):
            raise DatasetError(f"{table}: missing column {spec.path_column!r} or {spec.split_column!r}")
        return {str((table.parent / row[spec.path_column]).resolve()): row[spec.split_column] for row in rows}

    # -- conversion and ML ---------------------------------------------------------------------------
    def convert(
        self,
        cache_dir: Union[str, Path],
        *,
        n_jobs: int = 1,
        executor: Optional["Executor"] = None,
        progress: bool = True,
        resume: bool = True,
    ) -> "ConversionReport":
        """Convert every piece into a fast cache (see :func:`muspy_like.datasets.cache.convert`)."""
        from muspy_like.datasets.cache import convert

        return convert(self, cache_dir, n_jobs=n_jobs, executor=executor, progress=progress, resume=resume)

    def to_representation(self, factory: Callable[["Music"], Any]) -> "RepresentationDataset":
        """A picklable dataset of ``factory(music)`` arrays (:class:`~muspy_like.datasets.ml.RepresentationDataset`)."""
        from muspy_like.datasets.ml import RepresentationDataset

        return RepresentationDataset(self, factory)


def split_indices(n: int, ratios: Sequence[float], seed: Optional[int] = 0) -> list[list[int]]:
    """Shuffle ``range(n)`` with ``seed`` and cut it into parts of the given proportions.

    Raises
    ------
    ValueError
        If a ratio is negative, not finite, or the ratios do not sum to 1 within 1e-6.
    """
    values = [float(r) for r in ratios]
    if not values:
        raise ValueError("give at least one ratio")
    if any(not math.isfinite(r) or r < 0 for r in values):
        raise ValueError(f"ratios must be finite and non-negative, got {values}")
    if abs(sum(values) - 1.0) > RATIO_TOLERANCE:
        raise ValueError(f"ratios must sum to 1 (within {RATIO_TOLERANCE}), got {values} (sum {sum(values)!r})")
    order = np.random.default_rng(seed).permutation(n)
    bounds = np.rint(np.cumsum([0.0, *values]) * n).astype(int)
    bounds[-1] = n
    return [sorted(order[bounds[i] : bounds[i + 1]].tolist()) for i in range(len(values))]


class FolderDataset(Dataset):
    """Every MIDI, MusicXML, MuseScore, ABC or native JSON/YAML file under a folder.

    Parameters
    ----------
    root : str or Path
        The folder.
    pattern : str
        Glob pattern relative to ``root`` (default: every file, recursively).
    reader_options : mapping, optional
        See :func:`~muspy_like.datasets.pieces.read_piece`.
    use_music21 : bool
        Also include formats read through music21 (Humdrum ``.krn``, MEI, ...).
    spec : DatasetSpec, optional
        Catalog entry, when the folder holds a catalog dataset.

    Raises
    ------
    DatasetError
        If ``root`` is not a folder.
    """

    def __init__(
        self,
        root: Union[str, Path],
        pattern: str = "**/*",
        reader_options: Optional[Mapping[str, Any]] = None,
        use_music21: bool = False,
        spec: Optional[DatasetSpec] = None,
    ) -> None:
        root = Path(root).expanduser().resolve()
        if not root.is_dir():
            raise DatasetError(f"{root}: not a folder")
        via_music21 = use_music21 or (reader_options or {}).get("via") == "music21"
        suffixes = READABLE_SUFFIXES + (MUSIC21_SUFFIXES if via_music21 else ())
        name = spec.name if spec else root.name
        super().__init__(scan_folder(root, pattern, suffixes), root, reader_options, spec, name)
        self.pattern = pattern
