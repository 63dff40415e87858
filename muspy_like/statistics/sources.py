"""Turn what a user names (files, folders, ``music21:bach``, dataset names, Music objects) into pieces.

A :class:`PieceSource` is a small picklable description of one piece, so that worker processes load the
piece themselves instead of receiving it through a pipe.

Source strings
--------------
``path/to/file.mid`` (any extension :func:`muspy_like.read` knows)
    One piece.
``path/to/folder``
    Every file with a known extension below the folder (recursively), in sorted order.
``music21:COMPOSER`` (e.g. ``music21:bach``)
    The works of that composer in music21's bundled corpus, read with muspy_like's readers.
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
    """

    dataset: str
    kind: str
    location: str
    index: int = 0
    root: Optional[str] = None
    label: str = ""

    def describe(self) -> str:
        """Human-readable origin: the file path, or ``dataset:label`` (``dataset[index]`` without label)."""
        if self.kind == "file":
            return self.location
        return f"{self.location}:{self.label}" if self.label else f"{self.location}[{self.index}]"


def _known_file(path: Path) -> bool:
    from muspy_like.io import FORMATS

    name = path.name.lower()
    return path.is_file() and any(name.endswith(extension) for extension in FORMATS)


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
            files = sorted(p for p in path.rglob("*") if _known_file(p))
            if not files:
                raise DatasetError(f"{path}: the folder holds no file of a known music format")
            resolved.extend(PieceSource(path.name or text, "file", str(p)) for p in files)
        elif path.is_file():
            resolved.append(PieceSource(path.parent.name or ".", "file", str(path)))
        else:
            resolved.extend(_dataset_sources(text, root))
    return resolved


def _music21_sources(label: str, composer: str) -> list[PieceSource]:
    from music21 import corpus

    # The corpus also holds analyses (.rntxt) and other formats muspy_like does not read: keep only scores.
    paths = sorted(str(p) for p in corpus.getComposer(composer) if _known_file(Path(p)))
    if not paths:
        raise DatasetError(f"{label}: music21's corpus has no works by {composer!r}")
    return [PieceSource(label, "file", p) for p in paths]


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
        from muspy_like.io import read

        return read(source.location)
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
