"""What every dataset recipe shares: where its data is, which files it reads, and one piece's processing.

A :class:`Recipe` turns the files of a dataset into separation pieces following a paper's collection
rules. It knows

* the catalog datasets it needs (:attr:`Recipe.catalog`) and checks they are downloaded
  (:meth:`Recipe.sources`);
* the files to read (:meth:`Recipe.items`), each with its piece name, group and official split;
* how to read one file, which track plays which part (:meth:`Recipe.part_of`), which timing to use and
  which pieces to leave out. :meth:`Recipe.process` applies the shared steps in a worker process:

  1. read the file (a file that cannot be read is skipped as *unreadable*);
  2. let the recipe refuse the piece as a whole (:meth:`Recipe.reject`, e.g. longer than 20 minutes);
  3. gather the notes of the tracks that map to a part (:meth:`Recipe.track_parts`; drums never do),
     at 24 ticks per quarter;
  4. drop zero-length notes, keep duplicates within a part once, sort (:func:`clean_notes`);
  5. skip the piece when no track maps to a part, or when fewer than :attr:`Recipe.min_active_parts`
     parts have more than :attr:`Recipe.min_notes` notes (the paper's filter: 2 parts, 10 notes).

Skipped pieces are counted by reason; nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

import numpy as np

from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.errors import DatasetError, DatasetNotInstalledError
from muspy_like.separation.data import clean_notes, merge_tracks

__all__ = ["Item", "Outcome", "Recipe", "SKIP_REASONS", "music21_corpus"]

#: Why a file gives no piece.
SKIP_REASONS = {
    "no-part": "no track matches a part",
    "too-few-notes": "fewer than the required parts have enough notes",
    "too-long": "longer than the recipe allows",
    "missing": "listed by the dataset but absent from the download",
    "duplicate": "listed again (the same file under another name)",
    "unreadable": "the file could not be read",
}


def music21_corpus() -> tuple[Path, str]:
    """The folder of music21's bundled corpus and music21's version, found without importing music21
    (which takes seconds), so that loading a cached corpus dataset stays fast.

    Raises
    ------
    DatasetError
        If music21 is not installed.
    """
    import importlib.metadata
    import importlib.util

    spec = importlib.util.find_spec("music21")
    if spec is None or spec.origin is None:
        raise DatasetError("the corpus datasets need music21's corpus: pip install music21")
    return Path(spec.origin).resolve().parent / "corpus", importlib.metadata.version("music21")


@dataclass(frozen=True)
class Item:
    """One file of a dataset, and the piece it gives: name, group and official split (or None).

    ``skip`` is a reason of :data:`SKIP_REASONS` when the recipe excludes the item while listing it (a
    repeated entry): it is then counted, not read.
    """

    path: str
    name: str
    group: Optional[str] = None
    split: Optional[str] = None
    skip: Optional[str] = None


@dataclass(frozen=True)
class Outcome:
    """What :meth:`Recipe.process` made of one item: a piece, or the reason it was skipped.

    ``drum_notes`` counts the notes of drum tracks, read but never separated (the paper's note counts
    include them).
    """

    item: Item
    notes: Optional[np.ndarray] = None
    labels: Optional[np.ndarray] = None
    skipped: Optional[str] = None
    detail: str = ""
    drum_notes: int = 0


class Recipe:
    """Base class of the dataset recipes (subclasses set the attributes and override the hooks).

    Attributes
    ----------
    name : str
        The dataset name of the command line (``"musicnet"``).
    title : str
        What it is, in a few words.
    part_names : tuple of str
        The parts, in label order.
    catalog : tuple of str
        Catalog datasets whose download it reads (empty for offline data).
    paper : str or None
        The column of Table 2 of Dong et al. (ISMIR 2021) it reproduces or compares with.
    version : int
        Bumped whenever the recipe changes what it produces, so that caches are rebuilt.
    min_notes, min_active_parts : int
        A piece is kept when at least ``min_active_parts`` parts have more than ``min_notes`` notes.
    frame_rate : float or None
        Quantize real time at this many steps per second (see :func:`merge_tracks`); None for score time.
    """

    name: str = ""
    title: str = ""
    part_names: tuple[str, ...] = ()
    catalog: tuple[str, ...] = ()
    paper: Optional[str] = None
    version: int = 1
    min_notes: int = 10
    min_active_parts: int = 2
    frame_rate: Optional[float] = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

    # -- where the data is ---------------------------------------------------------------------------
    def sources(
        self, data_dir: Optional[Path] = None, download: bool = False, specs: Optional[Mapping[str, Any]] = None
    ) -> dict[str, Path]:
        """The data folder of each catalog dataset the recipe reads, downloading them if asked.

        Parameters
        ----------
        data_dir : Path, optional
            Folder holding one folder per catalog dataset (``data_dir/<catalog name>``). Default: where
            ``muspy-like datasets download`` puts them (:func:`muspy_like.datasets.default_root`).
        download : bool
            Download and extract what is missing.
        specs : mapping, optional
            Catalog name -> :class:`~muspy_like.datasets.DatasetSpec` to use instead of the catalog's
            entry (another URL or mirror).

        Raises
        ------
        DatasetNotInstalledError
            A dataset is not downloaded and ``download`` is False; its one-line message (``cli_message``
            in the words of the command line) gives the command that downloads it.
        """
        from muspy_like.datasets import data_dir as extracted, default_root, get_spec, install, read_marker

        specs = dict(specs or {})
        folders, missing = {}, []
        for catalog_name in self.catalog:
            root = default_root(catalog_name) if data_dir is None else Path(data_dir).expanduser() / catalog_name
            marker = read_marker(root)
            if marker is None and download:
                install(specs.get(catalog_name) or get_spec(catalog_name), root)
                marker = read_marker(root)
            if marker is None or marker.get("dataset") != catalog_name:
                missing.append((catalog_name, root))
            folders[catalog_name] = extracted(root)
        if missing:
            raise self._not_downloaded(missing)
        return folders

    def _not_downloaded(self, missing: list[tuple[str, Path]]) -> DatasetNotInstalledError:
        """The error for the catalog datasets not downloaded: both wordings name every download."""
        from muspy_like.datasets import default_root

        where = ", ".join(f"{name} in {root}" for name, root in missing)
        commands = " && ".join(
            f"muspy-like datasets download {name}" + ("" if root == default_root(name) else f" --root {root}")
            for name, root in missing
        )
        name, root = missing[0]
        return DatasetNotInstalledError(
            f"{self.name}: not downloaded ({where}); call load_dataset({self.name!r}, download=True) or run: "
            f"{commands}",
            name,
            str(root),
            cli_message=f"{self.name}: not downloaded ({where}); download with: {commands} (or add --download)",
        )

    def source_identity(self, folders: Mapping[str, Path]) -> dict[str, Any]:
        """What identifies the data read, for cache validity (the manifest hash of each download)."""
        from muspy_like.datasets import read_marker

        return {name: (read_marker(folder.parent) or {}).get("manifest_sha256") for name, folder in folders.items()}

    def items(self, folders: Mapping[str, Path]) -> list[Item]:
        """The files to read, sorted by piece name."""
        raise NotImplementedError

    # -- one piece (runs in worker processes) ---------------------------------------------------------
    def read(self, item: Item) -> Music:
        """Read the item's file."""
        from muspy_like.io import read

        return read(item.path)

    def part_of(self, item: Item, index: int, track: Track) -> Optional[int]:
        """The part a track plays, or None to leave it out."""
        raise NotImplementedError

    def track_parts(self, item: Item, music: Music) -> list[Optional[int]]:
        """The part of every track (None: left out); by default :meth:`part_of` track by track.

        Recipes whose rule looks at all tracks together (which of two violins is the first) override it.
        """
        return [self.part_of(item, index, track) for index, track in enumerate(music.tracks)]

    def reject(self, item: Item, music: Music) -> Optional[str]:
        """A skip reason of :data:`SKIP_REASONS` for a piece refused as a whole, or None."""
        return None

    def finish(self, notes: np.ndarray) -> np.ndarray:
        """A last change to the cleaned notes of a piece (the NES recipe sets every velocity to 64)."""
        return notes

    def process(self, item: Item) -> Outcome:
        """Read one item and turn it into a piece, or say why it gives none (see the module notes)."""
        if item.skip is not None:
            return Outcome(item, skipped=item.skip)
        if not Path(item.path).is_file():
            return Outcome(item, skipped="missing")
        try:
            music = self.read(item)
        except Exception as error:  # a bad file is skipped and counted, never a crash of the build
            return Outcome(item, skipped="unreadable", detail=f"{type(error).__name__}: {error}")
        reason = self.reject(item, music)
        if reason is not None:
            return Outcome(item, skipped=reason)
        drums = sum(len(track.notes) for track in music.tracks if track.is_drum)
        parts = self.track_parts(item, music)
        part_map = {index: part for index, part in enumerate(parts) if part is not None}
        merged = merge_tracks(music, part_map, frame_rate=self.frame_rate)
        if len(merged.notes) == 0:
            return Outcome(item, skipped="no-part", drum_notes=drums)
        notes, labels = clean_notes(merged.notes, merged.labels)
        counts = np.bincount(labels, minlength=len(self.part_names))
        if np.count_nonzero(counts > self.min_notes) < self.min_active_parts:
            return Outcome(item, skipped="too-few-notes", drum_notes=drums)
        return Outcome(item, self.finish(notes), labels, drum_notes=drums)
