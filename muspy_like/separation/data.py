"""Part-separation data: note arrays with part labels, datasets of pieces, and train/valid/test splits.

The task (Dong et al., ISMIR 2021): the notes of all parts of a piece are merged into one sequence sorted
by (time, pitch, duration), and a model predicts the part of each note. Here a piece is

* a **note array**: int64, shape ``(n_notes, 6)``, columns :data:`NOTE_FIELDS` =
  ``time, pitch, duration, velocity, beat_position, bar_position``. Times, durations and positions are in
  ticks at :data:`RESOLUTION` (24 ticks per quarter note, as in the paper); ``beat_position`` and
  ``bar_position`` count the ticks since the beat and the bar that contain the onset;
* a **label array**: int64, shape ``(n_notes,)``, the part index of each note (0 = the first part).

:func:`music_to_notes` turns any multitrack :class:`~muspy_like.Music` into this form through a
track-to-part mapping, so any dataset (chorales, string quartets, game music, pop) plugs in.

References
----------
Hao-Wen Dong, Chris Donahue, Taylor Berg-Kirkpatrick and Julian McAuley, "Towards Automatic
Instrumentation by Learning to Separate Parts in Symbolic Multitrack Music", ISMIR 2021.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, NamedTuple, Optional, Sequence, Union

import numpy as np

from muspy_like.core import meter
from muspy_like.core.events import TimeSignature
from muspy_like.core.music import Music
from muspy_like.errors import DatasetError, SeparationError
from muspy_like.files import atomic_write

__all__ = [
    "NOTE_FIELDS",
    "N_NOTE_FIELDS",
    "RESOLUTION",
    "SeparationDataset",
    "Split",
    "MergedNotes",
    "merge_tracks",
    "music_to_notes",
    "notes_from_columns",
    "metric_positions",
    "sort_notes",
    "split_indices",
    "fixed_split",
    "random_splits",
]

#: Columns of a note array, in order.
NOTE_FIELDS = ("time", "pitch", "duration", "velocity", "beat_position", "bar_position")
N_NOTE_FIELDS = len(NOTE_FIELDS)
#: Ticks per quarter note of every note array (the paper's resolution).
RESOLUTION = 24

TIME, PITCH, DURATION, VELOCITY, BEAT_POSITION, BAR_POSITION = range(N_NOTE_FIELDS)

#: A track-to-part mapping: track name (case-insensitive) or track index -> part index.
PartMap = Mapping[Union[str, int], int]


def sort_notes(notes: np.ndarray, labels: Optional[np.ndarray] = None):
    """Sort a note array by (time, pitch, duration), stably; labels, if given, follow their notes.

    Returns
    -------
    numpy.ndarray or (numpy.ndarray, numpy.ndarray)
        The sorted notes, or the sorted notes and labels.
    """
    order = np.lexsort((notes[:, DURATION], notes[:, PITCH], notes[:, TIME]))
    if labels is None:
        return notes[order]
    return notes[order], np.asarray(labels)[order]


def metric_positions(
    times: np.ndarray, bar_starts: np.ndarray, bar_lengths: np.ndarray, beat_lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Position of each onset in its beat and in its bar.

    Parameters
    ----------
    times : numpy.ndarray
        Onsets, in ticks.
    bar_starts : numpy.ndarray
        Sorted bar starts, in ticks (the first one at or before the first onset).
    bar_lengths, beat_lengths : numpy.ndarray
        Nominal length of each bar and of a beat in it (from its time signature), in ticks.

    Returns
    -------
    beat_position, bar_position : numpy.ndarray of float
        Ticks since the beat and since the bar containing each onset. A first bar shorter than its
        nominal length is a pickup (anacrusis): it is measured from where the full bar would start, so
        that its notes sit on the right beats.
    """
    starts = np.asarray(bar_starts, dtype=np.float64).copy()
    if len(starts) > 1 and starts[1] - starts[0] < bar_lengths[0]:
        starts[0] = starts[1] - bar_lengths[0]
    index = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, None)
    bar_position = times - starts[index]
    beat_position = np.mod(bar_position, np.asarray(beat_lengths, dtype=np.float64)[index])
    return beat_position, bar_position


def _bar_grid(music: Music) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bar starts, nominal bar lengths and beat lengths of a piece, in its own ticks."""
    end = max(music.get_end_time(), 1)
    if music.barlines:
        starts = np.unique(np.array([0] + [b.time for b in music.barlines], dtype=np.int64))
    else:
        starts = music.bar_ticks(end)
    signatures = sorted(music.time_signatures, key=lambda ts: ts.time) or [TimeSignature(0, 4, 4)]
    signature_times = np.array([ts.time for ts in signatures])
    in_effect = np.clip(np.searchsorted(signature_times, starts, side="right") - 1, 0, None)
    bar_lengths = np.array([meter.bar_length(signatures[i], music.resolution) for i in in_effect])
    beat_lengths = np.array([meter.beat_length(signatures[i], music.resolution) for i in in_effect])
    return starts, bar_lengths, beat_lengths


def notes_from_columns(
    time: np.ndarray,
    pitch: np.ndarray,
    duration: np.ndarray,
    velocity: Optional[np.ndarray] = None,
    beat_position: Optional[np.ndarray] = None,
    bar_position: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Assemble a note array (unsorted) from columns already at :data:`RESOLUTION`.

    Missing columns get defaults: velocity 64; positions as in 4/4 with the first bar at tick 0
    (``time % 24`` and ``time % 96``).
    """
    time = np.asarray(time, dtype=np.int64)
    columns = [
        time,
        np.asarray(pitch, dtype=np.int64),
        np.asarray(duration, dtype=np.int64),
        np.full(len(time), 64, dtype=np.int64) if velocity is None else np.asarray(velocity, dtype=np.int64),
        time % RESOLUTION if beat_position is None else np.asarray(beat_position, dtype=np.int64),
        time % (4 * RESOLUTION) if bar_position is None else np.asarray(bar_position, dtype=np.int64),
    ]
    return np.stack(columns, axis=1) if len(time) else np.zeros((0, N_NOTE_FIELDS), dtype=np.int64)


def _resolve_part(track_index: int, name: Optional[str], part_map: Optional[PartMap]) -> Optional[int]:
    if part_map is None:
        return track_index
    if track_index in part_map:
        return int(part_map[track_index])
    if name is not None:
        lowered = {str(k).lower(): v for k, v in part_map.items() if isinstance(k, str)}
        key = name.strip().lower()
        if key in lowered:
            return int(lowered[key])
    return None


class MergedNotes(NamedTuple):
    """The notes of several tracks in one unsorted note array, with where each note came from."""

    notes: np.ndarray
    labels: np.ndarray
    track_index: np.ndarray
    note_index: np.ndarray


def merge_tracks(music: Music, part_map: Optional[PartMap] = None, include_drums: bool = False) -> MergedNotes:
    """Gather the notes of the mapped tracks into one note array at :data:`RESOLUTION` (not sorted).

    Parameters
    ----------
    music : Music
        A multitrack piece, at any resolution.
    part_map : mapping, optional
        Track name (matched case-insensitively, surrounding spaces ignored) or track index -> part index.
        Tracks it does not name are left out. Default: track ``i`` is part ``i``.
    include_drums : bool, default False
        Keep drum tracks (the paper leaves them out: they are not separated).

    Returns
    -------
    MergedNotes
        ``notes`` (times rescaled to :data:`RESOLUTION`, onsets and offsets rounded half up; metric
        positions from the piece's barlines, or its time signatures when it has none), ``labels`` (part
        of each note), and ``track_index``/``note_index`` (the note's place in ``music``).
    """
    columns: dict[str, list[np.ndarray]] = {"time": [], "pitch": [], "duration": [], "velocity": []}
    labels, track_index, note_index = [], [], []
    for index, track in enumerate(music.tracks):
        if track.is_drum and not include_drums:
            continue
        part = _resolve_part(index, track.name, part_map)
        if part is None or not len(track.notes):
            continue
        for name in columns:
            columns[name].append(getattr(track.notes, name))
        labels.append(np.full(len(track.notes), part, dtype=np.int64))
        track_index.append(np.full(len(track.notes), index, dtype=np.int64))
        note_index.append(np.arange(len(track.notes), dtype=np.int64))
    if not labels:
        empty = np.zeros(0, dtype=np.int64)
        return MergedNotes(np.zeros((0, N_NOTE_FIELDS), dtype=np.int64), empty, empty, empty)
    time = np.concatenate(columns["time"]).astype(np.int64)
    starts, bar_lengths, beat_lengths = _bar_grid(music)
    beat_position, bar_position = metric_positions(time, starts, bar_lengths, beat_lengths)
    scale = RESOLUTION / music.resolution
    onset = np.floor(time * scale + 0.5)
    offset = np.floor((time + np.concatenate(columns["duration"])) * scale + 0.5)
    notes = notes_from_columns(
        onset,
        np.concatenate(columns["pitch"]),
        offset - onset,
        np.concatenate(columns["velocity"]),
        np.floor(beat_position * scale + 0.5),
        np.floor(bar_position * scale + 0.5),
    )
    return MergedNotes(notes, np.concatenate(labels), np.concatenate(track_index), np.concatenate(note_index))


def music_to_notes(
    music: Music,
    part_map: Optional[PartMap] = None,
    include_drums: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Merge the tracks of a piece into one sorted note array with part labels.

    Parameters
    ----------
    music : Music
        A multitrack piece, at any resolution.
    part_map : mapping, optional
        Track name (case-insensitive) or track index -> part index; unnamed tracks are left out.
        Default: track ``i`` is part ``i``.
    include_drums : bool, default False
        Keep drum tracks.

    Returns
    -------
    notes : numpy.ndarray of int64, shape (n_notes, 6)
        Sorted by (time, pitch, duration); see :func:`merge_tracks` for the columns.
    labels : numpy.ndarray of int64, shape (n_notes,)
        Part index of each note.

    Notes
    -----
    As in the paper's data collection, notes of zero length (after rescaling) are dropped and duplicates
    (same time, pitch and duration in the same part) are kept once.

    Examples
    --------
    >>> from muspy_like import Music, Track, Note
    >>> from muspy_like.separation import music_to_notes
    >>> music = Music(resolution=4, tracks=[Track(name="Violin", notes=[Note(0, 76, 4)]),
    ...                                     Track(name="Cello", notes=[Note(0, 48, 8)])])
    >>> notes, labels = music_to_notes(music, {"violin": 0, "cello": 1})
    >>> notes[:, :3].tolist(), labels.tolist()
    ([[0, 48, 48], [0, 76, 24]], [1, 0])
    """
    merged = merge_tracks(music, part_map, include_drums)
    notes, label = merged.notes, merged.labels
    keep = notes[:, DURATION] > 0
    notes, label = notes[keep], label[keep]
    keys = np.column_stack([notes[:, [TIME, PITCH, DURATION]], label])
    _, first = np.unique(keys, axis=0, return_index=True)
    first.sort()
    return sort_notes(notes[first], label[first])


@dataclass
class SeparationDataset:
    """Pieces prepared for part separation.

    Parameters
    ----------
    names : list of str
        One name per piece (e.g. the file stem ``bwv1.6``).
    notes : list of numpy.ndarray
        Note arrays (columns :data:`NOTE_FIELDS`, ticks at :data:`RESOLUTION`).
    labels : list of numpy.ndarray
        Part index of each note.
    part_names : tuple of str
        Name of each part index (``("soprano", "alto", "tenor", "bass")`` for the chorales).
    resolution : int, default 24
        Ticks per quarter note of the note arrays.
    name : str, default ""
        Name of the dataset (``"bach"`` for the chorales).
    """

    names: list[str]
    notes: list[np.ndarray]
    labels: list[np.ndarray]
    part_names: tuple[str, ...]
    resolution: int = field(default=RESOLUTION)
    name: str = ""

    def __post_init__(self) -> None:
        if not len(self.names) == len(self.notes) == len(self.labels):
            raise DatasetError(
                f"{len(self.names)} names, {len(self.notes)} note arrays and {len(self.labels)} label "
                "arrays: they must match"
            )

    def __len__(self) -> int:
        return len(self.names)

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
        return SeparationDataset(
            [self.names[i] for i in indices],
            [self.notes[i] for i in indices],
            [self.labels[i] for i in indices],
            self.part_names,
            self.resolution,
            self.name,
        )

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
        """Build a dataset from Music objects through :func:`music_to_notes`.

        Parameters
        ----------
        pieces : sequence of Music
            The pieces.
        part_names : sequence of str
            Name of each part index.
        part_map : mapping, optional
            Track name or index -> part index (default: track ``i`` is part ``i``).
        names : sequence of str, optional
            Piece names (default: the title, else ``piece<i>``).
        min_notes, min_active_parts : int
            Keep a piece only when at least ``min_active_parts`` parts have more than ``min_notes``
            notes (the paper's chorale filter is 10 and 2).
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

    def save(self, path: Union[str, Path]) -> None:
        """Save as a compressed ``.npz`` (written atomically)."""
        offsets = np.cumsum([0] + [len(n) for n in self.notes])
        header = {"format": "muspy_like.separation.dataset", "version": 1, "part_names": list(self.part_names),
                  "names": self.names, "resolution": self.resolution, "name": self.name}
        with atomic_write(path, "wb") as handle:
            np.savez_compressed(
                handle,
                header=np.array(json.dumps(header)),
                offsets=offsets,
                notes=np.concatenate(self.notes) if self.notes else np.zeros((0, N_NOTE_FIELDS), np.int64),
                labels=np.concatenate(self.labels) if self.labels else np.zeros(0, np.int64),
            )

    @classmethod
    def load(cls, path: Union[str, Path]) -> "SeparationDataset":
        """Load a dataset written by :meth:`save`."""
        try:
            with np.load(path, allow_pickle=False) as archive:
                header = json.loads(str(archive["header"]))
                offsets, notes, labels = archive["offsets"], archive["notes"], archive["labels"]
        except (OSError, KeyError, ValueError) as error:
            raise DatasetError(f"{path}: not a separation dataset file ({error})") from error
        if header.get("format") != "muspy_like.separation.dataset" or header.get("version") != 1:
            raise DatasetError(f"{path}: unsupported dataset format {header.get('format')!r} "
                               f"version {header.get('version')!r}")
        bounds = list(zip(offsets[:-1], offsets[1:]))
        return cls(
            list(header["names"]),
            [notes[a:b] for a, b in bounds],
            [labels[a:b] for a, b in bounds],
            tuple(header["part_names"]),
            int(header["resolution"]),
            str(header.get("name", "")),
        )


class Split(NamedTuple):
    """Piece indices of a train/valid/test split, and the seed that made it."""

    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray
    seed: int


def split_indices(names: Sequence[str], seed: int, ratios: tuple[int, int, int] = (8, 1, 1)) -> Split:
    """Split pieces into train/valid/test by ``ratios``, reproducibly.

    The names are sorted, shuffled with ``numpy.random.default_rng(seed)``, and cut into three runs of
    ``round(n * r / sum(ratios))`` pieces (train and valid; test takes the rest). Indices refer to the
    original order of ``names``; each run is returned sorted.
    """
    order = np.argsort(np.asarray(names, dtype=object), kind="stable")
    shuffled = order[np.random.default_rng(seed).permutation(len(order))]
    total = sum(ratios)
    n_train = int(round(len(names) * ratios[0] / total))
    n_valid = int(round(len(names) * ratios[1] / total))
    return Split(
        np.sort(shuffled[:n_train]),
        np.sort(shuffled[n_train : n_train + n_valid]),
        np.sort(shuffled[n_train + n_valid :]),
        seed,
    )


def fixed_split(names: Sequence[str]) -> Split:
    """The documented fixed 8:1:1 split: :func:`split_indices` with seed 0."""
    return split_indices(names, seed=0)


def random_splits(names: Sequence[str], n_splits: int, first_seed: int = 1) -> list[Split]:
    """``n_splits`` further 8:1:1 splits with seeds ``first_seed, first_seed + 1, ...``."""
    return [split_indices(names, seed) for seed in range(first_seed, first_seed + n_splits)]
