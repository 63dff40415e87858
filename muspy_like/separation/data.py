"""Part-separation data: note arrays with part labels, made from any multitrack piece.

The task (Dong et al., ISMIR 2021): the notes of all parts of a piece are merged into one sequence sorted
by (time, pitch, duration), and a model predicts the part of each note. Here a piece is

* a **note array**: int64, shape ``(n_notes, 6)``, columns :data:`NOTE_FIELDS` =
  ``time, pitch, duration, velocity, beat_position, bar_position``. Times, durations and positions are in
  ticks at :data:`RESOLUTION` (24 ticks per quarter note, as in the paper); ``beat_position`` and
  ``bar_position`` count the ticks since the beat and the bar that contain the onset;
* a **label array**: int64, shape ``(n_notes,)``, the part index of each note (0 = the first part).

:func:`music_to_notes` turns any multitrack :class:`~muspy_like.Music` into this form through a
track-to-part mapping, so any dataset (chorales, string quartets, game music, pop) plugs in. Datasets of
pieces live in :mod:`muspy_like.separation.dataset`, splits in :mod:`muspy_like.separation.splits`.

References
----------
Hao-Wen Dong, Chris Donahue, Taylor Berg-Kirkpatrick and Julian McAuley, "Towards Automatic
Instrumentation by Learning to Separate Parts in Symbolic Multitrack Music", ISMIR 2021.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, NamedTuple, Optional, Union

import numpy as np

from muspy_like.core import meter
from muspy_like.core.events import TimeSignature
from muspy_like.core.music import Music
from muspy_like.core.track import Track

__all__ = [
    "NOTE_FIELDS",
    "N_NOTE_FIELDS",
    "RESOLUTION",
    "MergedNotes",
    "PartMap",
    "merge_tracks",
    "music_to_notes",
    "notes_from_columns",
    "metric_positions",
    "sort_notes",
    "clean_notes",
]

#: Columns of a note array, in order.
NOTE_FIELDS = ("time", "pitch", "duration", "velocity", "beat_position", "bar_position")
N_NOTE_FIELDS = len(NOTE_FIELDS)
#: Ticks per quarter note of every note array (the paper's resolution).
RESOLUTION = 24

TIME, PITCH, DURATION, VELOCITY, BEAT_POSITION, BAR_POSITION = range(N_NOTE_FIELDS)

#: A track-to-part mapping: track name (case-insensitive) or track index -> part index, or a function
#: ``(track_index, track) -> part index or None``.
PartMap = Union[Mapping[Union[str, int], int], Callable[[int, Track], Optional[int]]]


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


def _resolve_part(track_index: int, track: Track, part_map: Optional[PartMap]) -> Optional[int]:
    if part_map is None:
        return track_index
    if callable(part_map):
        part = part_map(track_index, track)
        return None if part is None else int(part)
    if track_index in part_map:
        return int(part_map[track_index])
    if track.name is not None:
        lowered = {str(k).lower(): v for k, v in part_map.items() if isinstance(k, str)}
        key = track.name.strip().lower()
        if key in lowered:
            return int(lowered[key])
    return None


class MergedNotes(NamedTuple):
    """The notes of several tracks in one unsorted note array, with where each note came from."""

    notes: np.ndarray
    labels: np.ndarray
    track_index: np.ndarray
    note_index: np.ndarray


def merge_tracks(
    music: Music,
    part_map: Optional[PartMap] = None,
    include_drums: bool = False,
    frame_rate: Optional[float] = None,
) -> MergedNotes:
    """Gather the notes of the mapped tracks into one note array at :data:`RESOLUTION` (not sorted).

    Parameters
    ----------
    music : Music
        A multitrack piece, at any resolution.
    part_map : mapping or callable, optional
        Track name (matched case-insensitively, surrounding spaces ignored) or track index -> part index,
        or a function ``(track_index, track) -> part index or None``. Tracks it does not map are left
        out. Default: track ``i`` is part ``i``.
    include_drums : bool, default False
        Keep drum tracks (the paper leaves them out: they are not separated).
    frame_rate : float, optional
        Quantize real time instead of score time: onsets and offsets in seconds (through the tempo map)
        times ``frame_rate`` steps per second, the steps counted as ticks at :data:`RESOLUTION`. The
        paper reads NES-MDB at 50 Hz, "24 steps per quarter at 125 qpm". Metric positions are then those
        of a 4/4 grid from step 0 (such files carry no meter). Default: score time, rescaled from the
        piece's resolution.

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
        part = _resolve_part(index, track, part_map)
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
    merged = {name: np.concatenate(parts).astype(np.int64) for name, parts in columns.items()}
    if frame_rate is None:
        notes = _notes_in_score_time(music, merged)
    else:
        notes = _notes_in_real_time(music, merged, frame_rate)
    return MergedNotes(notes, np.concatenate(labels), np.concatenate(track_index), np.concatenate(note_index))


def _notes_in_score_time(music: Music, columns: dict[str, np.ndarray]) -> np.ndarray:
    """Rescale ticks to :data:`RESOLUTION`; metric positions from the piece's bars."""
    time = columns["time"]
    starts, bar_lengths, beat_lengths = _bar_grid(music)
    beat_position, bar_position = metric_positions(time, starts, bar_lengths, beat_lengths)
    scale = RESOLUTION / music.resolution
    onset = np.floor(time * scale + 0.5)
    offset = np.floor((time + columns["duration"]) * scale + 0.5)
    return notes_from_columns(
        onset,
        columns["pitch"],
        offset - onset,
        columns["velocity"],
        np.floor(beat_position * scale + 0.5),
        np.floor(bar_position * scale + 0.5),
    )


def _notes_in_real_time(music: Music, columns: dict[str, np.ndarray], frame_rate: float) -> np.ndarray:
    """Seconds quantized to ``frame_rate`` steps; metric positions of a 4/4 grid (the defaults)."""
    time = columns["time"]
    onset = np.floor(music.tick_to_second(time) * frame_rate + 0.5)
    offset = np.floor(music.tick_to_second(time + columns["duration"]) * frame_rate + 0.5)
    return notes_from_columns(onset, columns["pitch"], offset - onset, columns["velocity"])


def clean_notes(notes: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The paper's clean-up of merged notes: zero-length notes dropped, duplicates within a part (same
    time, pitch and duration) kept once, the rest sorted by (time, pitch, duration)."""
    keep = notes[:, DURATION] > 0
    notes, labels = notes[keep], labels[keep]
    keys = np.column_stack([notes[:, [TIME, PITCH, DURATION]], labels])
    _, first = np.unique(keys, axis=0, return_index=True)
    first.sort()
    return sort_notes(notes[first], labels[first])


def music_to_notes(
    music: Music,
    part_map: Optional[PartMap] = None,
    include_drums: bool = False,
    frame_rate: Optional[float] = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Merge the tracks of a piece into one sorted note array with part labels.

    Parameters
    ----------
    music : Music
        A multitrack piece, at any resolution.
    part_map : mapping or callable, optional
        Track name (case-insensitive) or track index -> part index, or a function ``(track_index,
        track) -> part or None``; tracks it does not map are left out. Default: track ``i`` is part ``i``.
    include_drums : bool, default False
        Keep drum tracks.
    frame_rate : float, optional
        Quantize real time at this many steps per second (see :func:`merge_tracks`).

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
    merged = merge_tracks(music, part_map, include_drums, frame_rate)
    return clean_notes(merged.notes, merged.labels)


#: Names that moved to :mod:`~muspy_like.separation.dataset` and :mod:`~muspy_like.separation.splits`,
#: still importable from here for code written against muspy_like 0.1.
_MOVED = {
    "SeparationDataset": "muspy_like.separation.dataset",
    "Split": "muspy_like.separation.splits",
    "fixed_split": "muspy_like.separation.splits",
    "random_splits": "muspy_like.separation.splits",
    "split_indices": "muspy_like.separation.splits",
}


def __getattr__(name: str) -> Any:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    if name == "split_indices":
        import warnings

        warnings.warn("split_indices is deprecated; use muspy_like.separation.seeded_split", DeprecationWarning,
                      stacklevel=2)
        name = "seeded_split"
    return getattr(importlib.import_module(_MOVED.get(name, "muspy_like.separation.splits")), name)
