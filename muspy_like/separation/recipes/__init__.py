"""The separation datasets by name: recipes that build them from their sources, and a cache.

=====================  ==========================================  ====================================
name                   data                                        paper (Dong et al., ISMIR 2021)
=====================  ==========================================  ====================================
``bach``               music21's Bach chorales, as written         Bach column (409 pieces, 96.6k notes)
``bach-repeats``       the same with repeats written out           the paper's script's reading
``quartets-music21``   music21's string quartets (offline)         compared with the String column
``musicnet``           MusicNet's string quartets (download)       String column (57 files, 226k notes)
``nes``                NES Music Database (download)               Game column (4,610 files, 2.46M)
``lmd``                Lakh MIDI, LPD-cleansed (two downloads)     Pop column (16,228 files, 63.6M)
=====================  ==========================================  ====================================

:func:`load_dataset` returns a :class:`~muspy_like.separation.SeparationDataset` from the cache, building
it first when there is no cache, when the recipe changed or when the data it was built from changed.
Data to download is never fetched unless asked (``download=True``); without it, a missing download is a
:class:`~muspy_like.errors.DatasetNotInstalledError` whose one-line message gives the command to run.
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from muspy_like.errors import DatasetError, SeparationError
from muspy_like.separation.dataset import SeparationDataset
from muspy_like.separation.recipes.bach import BachRecipe
from muspy_like.separation.recipes.base import Item, Outcome, Recipe
from muspy_like.separation.recipes.build import BuildReport, build_recipe
from muspy_like.separation.recipes.lmd import LakhRecipe
from muspy_like.separation.recipes.musicnet import MusicNetRecipe
from muspy_like.separation.recipes.nes import NESRecipe
from muspy_like.separation.recipes.quartets import QuartetRecipe
from muspy_like.separation.storage import default_cache_dir

__all__ = [
    "RECIPES",
    "BuildReport",
    "Item",
    "Outcome",
    "Recipe",
    "bach_cache_path",
    "build_dataset",
    "dataset_cache_path",
    "get_recipe",
    "load_bach",
    "load_dataset",
]

#: Every dataset recipe, by name.
RECIPES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in (
        BachRecipe(),
        BachRecipe(expand_repeats=True),
        QuartetRecipe(),
        MusicNetRecipe(),
        NESRecipe(),
        LakhRecipe(),
    )
}
#: Datasets at least this large (notes) load memory-mapped by default.
_MMAP_NOTES = 20_000_000


def get_recipe(name: Union[str, Recipe]) -> Recipe:
    """The recipe of a dataset name (or the recipe itself).

    Raises
    ------
    SeparationError
        For an unknown name; the message lists the known ones.
    """
    if isinstance(name, Recipe):
        return name
    try:
        return RECIPES[name]
    except KeyError:
        raise SeparationError(f"unknown dataset {name!r}; choose one of {', '.join(RECIPES)}") from None


def dataset_cache_path(name: Union[str, Recipe], cache_dir: Optional[Union[str, Path]] = None) -> Path:
    """The cache folder of a dataset: ``<cache_dir>/<name>`` (default cache dir:
    :func:`~muspy_like.separation.storage.default_cache_dir`)."""
    recipe = get_recipe(name)
    return Path(cache_dir if cache_dir is not None else default_cache_dir()).expanduser() / recipe.name


def build_dataset(
    name: Union[str, Recipe],
    *,
    data_dir: Optional[Union[str, Path]] = None,
    cache_dir: Optional[Union[str, Path]] = None,
    download: bool = False,
    specs: Optional[Mapping[str, Any]] = None,
    n_jobs: int = 1,
    executor: Optional[concurrent.futures.Executor] = None,
    progress: bool = False,
) -> BuildReport:
    """Build (or rebuild) a dataset into its cache folder and return the build report.

    Parameters
    ----------
    name : str or Recipe
        A name of :data:`RECIPES`.
    data_dir : str or Path, optional
        Folder holding the catalog downloads, one folder per catalog dataset (default: where
        ``muspy-like datasets download`` puts them, :func:`muspy_like.paths.data_home`).
    cache_dir : str or Path, optional
        Folder of the built datasets (default ``separation/`` in :func:`muspy_like.paths.cache_home`).
    download : bool, default False
        Download what is missing first.
    specs : mapping, optional
        Catalog name -> :class:`~muspy_like.datasets.DatasetSpec` replacing the catalog's entry (a mirror).
    n_jobs : int, default 1
        Worker processes (-1: every core).
    executor : concurrent.futures.Executor, optional
        Run on this executor instead (e.g. a dask cluster's ``client.get_executor()``).
    progress : bool, default False
        Show a progress bar.

    Raises
    ------
    DatasetNotInstalledError
        The data is not downloaded (and ``download`` is False).
    """
    recipe = get_recipe(name)
    folders = recipe.sources(Path(data_dir) if data_dir is not None else None, download, specs)
    path = dataset_cache_path(recipe, cache_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    return build_recipe(recipe, folders, path, n_jobs=n_jobs, executor=executor, progress=progress)


def load_dataset(
    name: Union[str, Recipe],
    *,
    data_dir: Optional[Union[str, Path]] = None,
    cache_dir: Optional[Union[str, Path]] = None,
    rebuild: bool = False,
    download: bool = False,
    specs: Optional[Mapping[str, Any]] = None,
    n_jobs: int = 1,
    executor: Optional[concurrent.futures.Executor] = None,
    progress: bool = False,
    mmap: Optional[bool] = None,
) -> SeparationDataset:
    """A separation dataset by name, from the cache or built first (see :func:`build_dataset`).

    The cache is used when it was built by the same recipe version from the same data (the manifest of
    each download, music21's version for the corpus datasets); otherwise the dataset is built again.

    Parameters
    ----------
    rebuild : bool, default False
        Build again even if the cache is valid.
    mmap : bool, optional
        Map the arrays from disk (read-only int32 notes); default: only for datasets of 20 million notes
        or more.
    data_dir, cache_dir, download, specs, n_jobs, executor, progress
        As for :func:`build_dataset`.

    Examples
    --------
    >>> from muspy_like.separation import load_dataset
    >>> quartets = load_dataset("quartets-music21", n_jobs=2)  # doctest: +SKIP
    >>> quartets.part_names  # doctest: +SKIP
    ('violin 1', 'violin 2', 'viola', 'cello')
    """
    recipe = get_recipe(name)
    folders = recipe.sources(Path(data_dir) if data_dir is not None else None, download, specs)
    path = dataset_cache_path(recipe, cache_dir)
    if not rebuild and _cache_is_valid(path, recipe, folders):
        return _load(path, mmap)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_recipe(recipe, folders, path, n_jobs=n_jobs, executor=executor, progress=progress)
    return _load(path, mmap)


def _cache_is_valid(path: Path, recipe: Recipe, folders: Mapping[str, Path]) -> bool:
    import json

    try:
        info = json.loads((path / "header.json").read_text(encoding="utf-8")).get("info") or {}
    except (OSError, ValueError):
        return False
    return (
        info.get("recipe") == recipe.name
        and info.get("version") == recipe.version
        and info.get("sources") == recipe.source_identity(folders)
    )


def _load(path: Path, mmap: Optional[bool]) -> SeparationDataset:
    if mmap is None:
        import numpy as np

        try:
            mmap = int(np.load(path / "offsets.npy", mmap_mode="r")[-1]) >= _MMAP_NOTES
        except (OSError, ValueError, IndexError) as error:
            raise DatasetError(f"{path}: damaged dataset ({error}); build it again") from error
    return SeparationDataset.load(path, mmap=mmap)


def load_bach(
    cache_dir: Optional[Union[str, Path]] = None,
    rebuild: bool = False,
    n_jobs: int = 1,
    progress: bool = False,
    expand_repeats: bool = False,
) -> SeparationDataset:
    """The Bach chorale dataset (409 pieces, 96,605 notes): ``load_dataset("bach")``, or
    ``"bach-repeats"`` with ``expand_repeats`` (110,242 notes).

    Examples
    --------
    >>> from muspy_like.separation import load_bach
    >>> bach = load_bach()  # doctest: +SKIP
    >>> len(bach), bach.n_notes, bach.part_names  # doctest: +SKIP
    (409, 96605, ('soprano', 'alto', 'tenor', 'bass'))
    """
    name = "bach-repeats" if expand_repeats else "bach"
    return load_dataset(name, cache_dir=cache_dir, rebuild=rebuild, n_jobs=n_jobs, progress=progress)


def bach_cache_path(cache_dir: Optional[Union[str, Path]] = None, expand_repeats: bool = False) -> Path:
    """The cache folder of the Bach chorales (see :func:`dataset_cache_path`)."""
    return dataset_cache_path("bach-repeats" if expand_repeats else "bach", cache_dir)
