"""Turn what a user names (files, folders, ``music21:bach``, dataset names, Music objects) into pieces.

A :class:`PieceSource` is a small picklable description of one piece, so that worker processes load the
piece themselves instead of receiving it through a pipe.

Source strings
--------------
``path/to/file.mid`` (any extension :func:`muspy_like.read` knows)
    One piece; an ABC tune book is one piece per tune.
``path/to/folder``
    Every file with a known extension below the folder (recursively), in sorted order; ABC tune books
    one piece per tune.
``music21:COMPOSER`` (e.g. ``music21:bach``)
    The works of that composer in music21's bundled corpus, the same pieces as
    :class:`~muspy_like.datasets.Music21Dataset` (one file per work, ABC tunes one by one).
``NAME`` (e.g. ``maestro``)
    An installed dataset of the catalog, opened with :func:`muspy_like.datasets.get_dataset` from
    ``root`` (default: the catalog's default folder). Nothing is downloaded here: a dataset that is not
    installed is an error that says how to download it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Union

from muspy_like.core.music import Music
from muspy_like.errors import DatasetError

__all__ = ["PieceSource", "resolve_sources", "load_piece", "origin_of"]


@dataclass(frozen=True)
class PieceSource:
    """Where one piece comes from.

    Parameters
    ----------
    dataset : str
        Label of the group the piece belongs to (the SOURCE argument it came from); statistics and plots
        compare groups.
    kind : {"file", "dataset"}
        Read a file with :func:`muspy_like.read`, or take item ``index`` of a catalog dataset.
    location : str
        The file path, or the dataset name.
    index : int
        Item number inside a dataset (unused for files).
    root : str, optional
        Folder of the dataset's data (datasets only; None for the catalog's default folder).
    label : str
        The piece's name inside its dataset (e.g. its relative path), shown in tables.
    tune : int, optional
        For an ABC file: the position of the tune in the file (0-based).
    """

    dataset: str
    kind: str
    location: str
    index: int = 0
    root: Optional[str] = None
    label: str = ""
    tune: Optional[int] = None

    def describe(self) -> str:
        """Human-readable origin: the file path (``#tune`` for an ABC tune), or ``dataset:label``."""
        if self.kind == "file":
            return self.location if self.tune is None else f"{self.location}#{self.tune}"
        return f"{self.location}:{self.label}" if self.label else f"{self.location}[{self.index}]"


def _file_sources(label: str, paths: Iterable[Path]) -> list[PieceSource]:
    """One source per file, or per tune of an ABC file."""
    from muspy_like.datasets.pieces import count_tunes

    sources = []
    for path in paths:
        if path.name.lower().endswith(".abc"):
            sources += [PieceSource(label, "file", str(path), tune=t) for t in range(count_tunes(path))]
        else:
            sources.append(PieceSource(label, "file", str(path)))
    return sources


def resolve_sources(
    sources: Iterable[Union[str, Path]], root: Optional[Union[str, Path]] = None
) -> list[PieceSource]:
    """Expand source strings into one :class:`PieceSource` per piece (see the module notes).

    Parameters
    ----------
    sources : iterable of str or Path
        Files, folders, ``music21:COMPOSER`` or dataset names.
    root : str or Path, optional
        Folder of the dataset, for a dataset name (default: the catalog's default folder).

    Raises
    ------
    DatasetError
        If a source is neither an existing file or folder, nor a music21 composer with works in the
        corpus, nor an installed catalog dataset; or if a folder holds no readable file.
    """
    resolved: list[PieceSource] = []
    for source in sources:
        text = str(source)
        path = Path(text)
        if text.startswith("music21:"):
            resolved.extend(_music21_sources(text, text.split(":", 1)[1]))
        elif path.is_dir():
            from muspy_like.datasets.pieces import READABLE_SUFFIXES, scan_folder

            pieces = scan_folder(path, "**/*", READABLE_SUFFIXES)
            if not pieces:
                raise DatasetError(f"{path}: the folder holds no file of a known music format")
            resolved.extend(PieceSource(path.name or text, "file", p.path, tune=p.tune) for p in pieces)
        elif path.is_file():
            resolved.extend(_file_sources(path.parent.name or ".", [path]))
        else:
            resolved.extend(_dataset_sources(text, root))
    return resolved


def _music21_sources(label: str, composer: str) -> list[PieceSource]:
    from muspy_like.datasets import Music21Dataset

    pieces = Music21Dataset(composer).pieces
    if not pieces:
        raise DatasetError(f"{label}: music21's corpus has no works by {composer!r}")
    return [PieceSource(label, "file", p.path, tune=p.tune) for p in pieces]


def _dataset_sources(name: str, root: Optional[Union[str, Path]]) -> list[PieceSource]:
    from muspy_like.datasets import find_spec, list_datasets

    try:
        dataset = _open_dataset(name, None if root is None else str(root))
    except DatasetError as error:
        if find_spec(name) is None:  # names and aliases ("maestro") alike
            raise DatasetError(
                f"{name!r} is neither an existing file or folder, nor music21:COMPOSER, nor a catalog dataset "
                f"(known datasets: {', '.join(list_datasets())})"
            ) from error
        raise
    root_text = None if root is None else str(root)
    return [
        PieceSource(name, "dataset", name, index, root_text, dataset.label(index)) for index in range(len(dataset))
    ]


@functools.lru_cache(maxsize=8)
def _open_dataset(name: str, root: Optional[str]):
    # One open dataset per process: workers load many items of the same dataset. Never download here.
    from muspy_like.datasets import get_dataset

    return get_dataset(name, root, download=False)


def load_piece(source: Union[PieceSource, Music, str, Path]) -> Music:
    """Load the piece a source describes (a Music is returned as it is; a path is read)."""
    if isinstance(source, Music):
        return source
    if isinstance(source, (str, Path)):
        from muspy_like.io import read

        return read(source)
    if source.kind == "file":
        from muspy_like.datasets.pieces import Piece, read_piece

        return read_piece(Piece(source.location, source.tune))
    if source.kind == "dataset":
        return _open_dataset(source.location, source.root)[source.index]
    raise DatasetError(f"unknown piece source kind {source.kind!r} for {source.location}")


def origin_of(item: Union[PieceSource, Music, str, Path]) -> tuple[str, str]:
    """(dataset label, source description) of anything :func:`load_piece` accepts.

    A Music object's group is its ``metadata.collection`` (``"pieces"`` when unset) and its source its
    file name or title; a path's group is its folder's name.
    """
    if isinstance(item, PieceSource):
        return item.dataset, item.describe()
    if isinstance(item, Music):
        metadata = item.metadata
        return metadata.collection or "pieces", metadata.source_filename or metadata.title or "Music object"
    return Path(item).parent.name, str(item)
