"""A dataset of pieces prepared for part separation: note arrays, labels, groups and official splits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import numpy as np

from muspy_like.core.music import Music
from muspy_like.errors import DatasetError, SeparationError
from muspy_like.separation.data import RESOLUTION, PartMap, music_to_notes
from muspy_like.separation.splits import Split, random_splits, seeded_split, split_from_labels
from muspy_like.separation.storage import DatasetWriter, read_folder, read_legacy_npz

__all__ = ["SeparationDataset"]


@dataclass
class SeparationDataset:
    """Pieces prepared for part separation.

    Parameters
    ----------
    names : list of str
        One name per piece (e.g. the file stem ``bwv1.6``).
    notes : list of numpy.ndarray
        Note arrays (columns :data:`~muspy_like.separation.NOTE_FIELDS`, ticks at ``resolution``).
    labels : list of numpy.ndarray
        Part index of each note.
    part_names : tuple of str
        Name of each part index (``("soprano", "alto", "tenor", "bass")`` for the chorales).
    resolution : int, default 24
        Ticks per quarter note of the note arrays.
    name : str, default ""
        Name of the dataset (``"bach"`` for the chorales).
    groups : list of str, optional
        A key per piece; pieces sharing one are never split apart (two recordings of one movement).
    split_labels : list of str, optional
        The dataset's official split, ``"train"``, ``"valid"`` or ``"test"`` per piece (NES-MDB).
    info : dict
        How the dataset was built (recipe, counts of kept and skipped pieces, sources).
    """

    names: list[str]
    notes: list[np.ndarray]
    labels: list[np.ndarray]
    part_names: tuple[str, ...]
    resolution: int = field(default=RESOLUTION)
    name: str = ""
    groups: Optional[list[str]] = None
    split_labels: Optional[list[str]] = None
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not len(self.names) == len(self.notes) == len(self.labels):
            raise DatasetError(
                f"{len(self.names)} names, {len(self.notes)} note arrays and {len(self.labels)} label "
                "arrays: they must match"
            )
        for field_name in ("groups", "split_labels"):
            values = getattr(self, field_name)
            if values is not None and len(values) != len(self.names):
                raise DatasetError(f"{len(self.names)} pieces but {len(values)} {field_name}")

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return (f"SeparationDataset(name={self.name!r}, pieces={len(self)}, notes={self.n_notes}, "
                f"parts={self.part_names})")

    @property
    def n_notes(self) -> int:
        """Number of notes over all pieces."""
        return int(sum(len(notes) for notes in self.notes))

    @property
    def n_parts(self) -> int:
        """Number of parts."""
        return len(self.part_names)

    def subset(self, indices: Sequence[int]) -> "SeparationDataset":
        """The pieces at ``indices``, in that order."""

        def pick(values: Optional[list]) -> Optional[list]:
            return None if values is None else [values[i] for i in indices]

        return SeparationDataset(
            pick(self.names), pick(self.notes), pick(self.labels), self.part_names, self.resolution, self.name,
            pick(self.groups), pick(self.split_labels), self.info,
        )

    def official_split(self) -> Optional[Split]:
        """The dataset's own split (seed -1), or None when it has none."""
        return split_from_labels(self.split_labels) if self.split_labels is not None else None

    def fixed_split(self) -> Split:
        """The split results are reported on: the official one, else the seeded 8:1:1 split (seed 0)."""
        return self.official_split() or seeded_split(self.names, 0, groups=self.groups)

    def random_splits(self, n_splits: int, first_seed: int = 1) -> list[Split]:
        """``n_splits`` seeded 8:1:1 splits (seeds ``first_seed, ...``), keeping groups together."""
        return random_splits(self.names, n_splits, first_seed, groups=self.groups)

    @classmethod
    def from_music(
        cls,
        pieces: Sequence[Music],
        part_names: Sequence[str],
        part_map: Optional[PartMap] = None,
        names: Optional[Sequence[str]] = None,
        min_notes: int = 0,
        min_active_parts: int = 1,
        name: str = "",
    ) -> "SeparationDataset":
        """Build a dataset from Music objects through :func:`~muspy_like.separation.music_to_notes`.

        Parameters
        ----------
        pieces : sequence of Music
            The pieces.
        part_names : sequence of str
            Name of each part index.
        part_map : mapping or callable, optional
            Track name or index -> part index (default: track ``i`` is part ``i``).
        names : sequence of str, optional
            Piece names (default: the title, else ``piece<i>``).
        min_notes, min_active_parts : int
            Keep a piece only when at least ``min_active_parts`` parts have more than ``min_notes``
            notes (the paper's filter is 10 and 2).
        name : str, optional
            Name of the dataset.
        """
        kept_names, kept_notes, kept_labels = [], [], []
        for index, music in enumerate(pieces):
            notes, labels = music_to_notes(music, part_map)
            counts = np.bincount(labels, minlength=len(part_names))
            if len(counts) > len(part_names):
                raise SeparationError(
                    f"piece {index} maps a track to part {len(counts) - 1}, but only "
                    f"{len(part_names)} part names were given"
                )
            if np.count_nonzero(counts > min_notes) < min_active_parts:
                continue
            kept_names.append(names[index] if names is not None else (music.metadata.title or f"piece{index}"))
            kept_notes.append(notes)
            kept_labels.append(labels)
        return cls(kept_names, kept_notes, kept_labels, tuple(part_names), RESOLUTION, name)

    def save(self, path: Union[str, Path]) -> Path:
        """Write the dataset as a folder of arrays (see :mod:`~muspy_like.separation.storage`); the folder
        appears only once complete. Returns its path."""
        with DatasetWriter(path, self.part_names, self.name, self.resolution) as writer:
            writer.info.update(self.info)
            for index in range(len(self)):
                writer.add(
                    self.names[index],
                    self.notes[index],
                    self.labels[index],
                    self.groups[index] if self.groups is not None else None,
                    self.split_labels[index] if self.split_labels is not None else None,
                )
        return Path(path)

    @classmethod
    def load(cls, path: Union[str, Path], mmap: bool = False) -> "SeparationDataset":
        """Load a dataset written by :meth:`save` (or a ``.npz`` file of muspy_like 0.1).

        Parameters
        ----------
        path : str or Path
            The dataset folder.
        mmap : bool, default False
            Map the arrays from disk instead of reading them (for datasets larger than memory): the
            pieces are then read-only int32 notes and int8 labels.

        Raises
        ------
        DatasetError
            The path is not a separation dataset, is of another format version, or is damaged.
        """
        path = Path(path)
        if path.is_dir():
            data = read_folder(path, mmap)
        elif path.is_file():
            data = read_legacy_npz(path)
        else:
            raise DatasetError(f"{path}: no separation dataset there")
        return cls(
            list(data["names"]),
            data["notes"],
            data["labels"],
            tuple(data["part_names"]),
            int(data["resolution"]),
            str(data.get("name", "")),
            data.get("groups"),
            data.get("splits"),
            dict(data.get("info") or {}),
        )
