"""Datasets: a declarative catalog, robust downloads, lazy datasets, fast caches and ML adapters.

Quick start
-----------
>>> from muspy_like.datasets import get_dataset, list_datasets
>>> "maestro_v3" in list_datasets()
True
>>> bach = get_dataset("music21", composer="bach")   # offline: music21's bundled corpus
>>> train, valid, test = bach.split([0.8, 0.1, 0.1], seed=0)
>>> music = train[0]                                   # read on access

``get_dataset("jsb_chorales", root="data/jsb")`` downloads (with retries, resume, mirrors and checksum
verification), extracts safely and returns the dataset; ``dataset.convert("cache/jsb", n_jobs=4)`` builds
a cache that :class:`CachedDataset` loads many times faster than parsing. See ``docs/datasets.md``.

Modules: :mod:`~muspy_like.datasets.catalog` (catalog entries), :mod:`~muspy_like.datasets.download`
(HTTP), :mod:`~muspy_like.datasets.confirmation` (Google Drive's confirmation page),
:mod:`~muspy_like.datasets.extract` (safe archives), :mod:`~muspy_like.datasets.install`
(root layout and completion marker), :mod:`~muspy_like.datasets.base` (datasets and splits),
:mod:`~muspy_like.datasets.music21_corpus`, :mod:`~muspy_like.datasets.cache` (conversion) and
:mod:`~muspy_like.datasets.ml` (PyTorch adapters).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

from muspy_like.datasets.base import Dataset, FolderDataset, split_indices
from muspy_like.datasets.cache import CachedDataset, ConversionReport, convert, load_cached
from muspy_like.datasets.catalog import DatasetSpec, SourceSpec, find_spec, get_spec, load_catalog, override_sources
from muspy_like.datasets.download import DownloadOptions, download_file
from muspy_like.datasets.extract import ExtractionLimits, extract_archive
from muspy_like.datasets.install import data_dir, install, read_marker, verify_installation
from muspy_like.datasets.ml import PadCollate, RepresentationDataset, pad_sequences
from muspy_like.datasets.music21_corpus import Music21Dataset
from muspy_like.datasets.pieces import Piece
from muspy_like.errors import DatasetError, DatasetNotInstalledError

__all__ = [
    "CachedDataset",
    "ConversionReport",
    "Dataset",
    "DatasetSpec",
    "DownloadOptions",
    "ExtractionLimits",
    "FolderDataset",
    "Music21Dataset",
    "PadCollate",
    "Piece",
    "RepresentationDataset",
    "SourceSpec",
    "convert",
    "dataset_info",
    "default_root",
    "download_file",
    "extract_archive",
    "find_spec",
    "get_dataset",
    "get_spec",
    "install",
    "list_datasets",
    "load_cached",
    "override_sources",
    "pad_sequences",
    "read_marker",
    "split_indices",
    "verify_installation",
]


def list_datasets() -> list[str]:
    """Names of every dataset in the catalog, sorted."""
    return sorted(load_catalog())


def default_root(name: str) -> Path:
    """Where a dataset goes when no root is given: ``data_home() / name``, where :func:`muspy_like.paths.data_home`
    is ``$MUSPY_LIKE_DATA`` or the platform's data folder."""
    from muspy_like.paths import data_home

    return data_home() / name


def get_dataset(
    name: Union[str, DatasetSpec],
    root: Optional[Union[str, Path]] = None,
    download: bool = True,
    *,
    composer: Optional[str] = None,
    options: DownloadOptions = DownloadOptions(),
    limits: ExtractionLimits = ExtractionLimits(),
    keep_archives: bool = True,
    lock_timeout: Optional[float] = None,
    sources: Optional[Union[str, Sequence[str], Mapping[str, Any]]] = None,
) -> Dataset:
    """A catalog dataset, downloaded and extracted first if needed.

    Parameters
    ----------
    name : str or DatasetSpec
        Catalog name or alias (see :func:`list_datasets`), or a catalog entry of your own.
    root : str or Path, optional
        Folder of this one dataset (default :func:`default_root`: ``<data home>/<name>``). Not used by
        ``music21``.
    download : bool
        Download and extract if the root is not complete; with False, an incomplete root is an error.
    composer : str, optional
        For ``music21`` only: the composer or collection (default: the whole corpus).
    options, limits, keep_archives, lock_timeout
        See :func:`~muspy_like.datasets.install.install`.
    sources : str, sequence of str or mapping, optional
        Fetch the archives from these URLs or local files instead of the catalog's (the catalog's sizes
        and checksums still apply); see :func:`~muspy_like.datasets.catalog.override_sources`.

    Returns
    -------
    Dataset
        A :class:`FolderDataset` over the extracted files (or a :class:`Music21Dataset`).

    Raises
    ------
    DatasetNotInstalledError
        Incomplete root with ``download=False``.
    DatasetError
        Unknown name, or a manual dataset whose files are missing (the message says where to put them).
    DownloadError, ChecksumError, UnsafeArchiveError
        From the download and extraction (see :func:`~muspy_like.datasets.install.install`).
    """
    spec = name if isinstance(name, DatasetSpec) else get_spec(name)
    if sources is not None:
        spec = override_sources(spec, sources)
    if spec.download == "music21":
        return Music21Dataset(composer)
    root = Path(root).expanduser() if root is not None else default_root(spec.name)
    if spec.download == "manual":
        dataset = FolderDataset(root, spec.files, spec.reader, spec=spec) if root.is_dir() else None
        if dataset is None or not len(dataset):
            raise DatasetError(
                f"{spec.where}: no files matching {spec.files!r} in {root}. {spec.title} has no downloadable "
                f"archive: put the files there yourself ({spec.description})"
            )
        return dataset
    marker = read_marker(root)
    if marker is not None and marker.get("dataset") != spec.name:
        raise DatasetError(f"{root} holds the dataset {marker.get('dataset')!r}, not {spec.name!r}; use another root")
    if marker is None:
        if not download:
            raise _not_installed(spec, root)
        install(spec, root, options=options, limits=limits, keep_archives=keep_archives, lock_timeout=lock_timeout)
    return FolderDataset(data_dir(root), spec.files, spec.reader, spec=spec)


def _not_installed(spec: DatasetSpec, root: Path) -> DatasetNotInstalledError:
    # A common slip: naming the folder that holds all datasets instead of the dataset's own folder.
    inside = root / spec.name
    hint = ""
    if (read_marker(inside) or {}).get("dataset") == spec.name:
        hint = f" ({inside} holds it: the root is the folder of the dataset itself)"
    return DatasetNotInstalledError(
        f"{spec.name}: {root} is not completely downloaded{hint}; call "
        f"get_dataset({spec.name!r}, root={str(root)!r}, download=True) to download it",
        spec.name,
        str(root),
        cli_message=(
            f"{spec.name} is not downloaded into {root}{hint.replace('the root', '--root')}; download it with: "
            f"muspy-like datasets download {spec.name}" + ("" if root == default_root(spec.name) else f" --root {root}")
        ),
    )


def dataset_info(name: str) -> dict[str, Any]:
    """The catalog description of a dataset without downloading it (see :meth:`Dataset.info`)."""
    spec = get_spec(name)
    return Dataset([], spec=spec).info()
