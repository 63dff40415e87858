"""What the sequence models read: per-note input arrays, the two kinds of hints, augmentation and batches.

Everything here is numpy; the networks (:mod:`~muspy_like.separation.sequence.networks`) turn these arrays
into tensors. The inputs follow Dong et al. (ISMIR 2021, Section 3), at 24 ticks per quarter note:

* **pitch**: the MIDI note number, through a learned pitch embedding (or as a raw number);
* **beat** and **position**: the onset in quarter notes since the start of the piece (``time // 24``,
  through a fixed sinusoidal embedding) and the ticks since the beat that contains it (a learned
  embedding); without embeddings, the raw onset in ticks;
* **frequency**: the pitch's frequency divided by that of MIDI note 127 (with the embeddings, as in the
  paper's released configurations);
* **duration** (optional): the note length in ticks, clipped to :data:`MAX_DURATION`, through a learned
  embedding (or as a raw number);
* **entry hints** (optional): for each part, -1 before its first note, 0 at it and +1 after it (-1
  throughout for a part that never plays);
* **pitch hints** (optional): the mean pitch of each part, rounded, through the pitch embedding (or raw).

Both hints are read from the true labels: they are what a user tells the model about the parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional, Sequence

import numpy as np

from muspy_like.separation.data import BEAT_POSITION, DURATION, PITCH, RESOLUTION, TIME

__all__ = [
    "MAX_DURATION",
    "MAX_BEAT",
    "N_POSITIONS",
    "N_PITCH_TOKENS",
    "PieceInputs",
    "piece_inputs",
    "entry_hint_matrix",
    "pitch_hint_tokens",
    "transpose",
    "crop",
    "Batch",
    "make_batch",
    "training_batches",
    "length_groups",
    "window_plan",
]

#: Durations are clipped to this many ticks (two whole notes) before their embedding.
MAX_DURATION = 8 * RESOLUTION
#: Beats (quarter notes) are clipped to this index before the sinusoidal beat embedding.
MAX_BEAT = 4096
#: Positions within a beat: 0 to 95 ticks (a whole-note beat; most beats are 24 or 36 ticks).
N_POSITIONS = 4 * RESOLUTION
#: Pitch embedding rows: 0 is "no pitch" (padding, a part without notes), MIDI pitch p is row p + 1.
N_PITCH_TOKENS = 129
#: MIDI pitches.
N_PITCHES = 128
#: Batches are padded to a multiple of this many notes: PyTorch's CPU kernels keep a cache per input
#: shape, which grows without bound over batches of every length (measured: +250 MB in 150 steps).
PAD_MULTIPLE = 32


@dataclass
class PieceInputs:
    """The input arrays of one piece (``n`` notes, ``k`` parts).

    Attributes
    ----------
    pitch : numpy.ndarray of int64, shape (n,)
        MIDI note numbers (0-127).
    time : numpy.ndarray of int64, shape (n,)
        Onsets, in ticks (24 per quarter note).
    position : numpy.ndarray of int64, shape (n,)
        Ticks since the beat containing the onset, clipped to 0..:data:`N_POSITIONS` - 1.
    duration : numpy.ndarray of int64, shape (n,)
        Note lengths, in ticks.
    entry : numpy.ndarray of int8, shape (n, k), or None
        Entry hints (-1 before the part's first note, 0 at it, +1 after).
    pitch_hint : numpy.ndarray of int64, shape (k,), or None
        Mean pitch of each part, rounded, as a pitch-embedding row (MIDI pitch + 1; 0 for a silent part).
    labels : numpy.ndarray of int64, shape (n,), or None
        Part of each note (training targets).
    """

    pitch: np.ndarray
    time: np.ndarray
    position: np.ndarray
    duration: np.ndarray
    entry: Optional[np.ndarray] = None
    pitch_hint: Optional[np.ndarray] = None
    labels: Optional[np.ndarray] = None

    def __len__(self) -> int:
        return len(self.pitch)


def entry_hint_matrix(labels: np.ndarray, n_parts: int) -> np.ndarray:
    """Entry hints of a piece, shape ``(n_notes, n_parts)``, int8.

    Column ``k`` is -1 before part ``k``'s first note, 0 at it and +1 after it; -1 throughout when part
    ``k`` has no note.
    """
    n = len(labels)
    index = np.arange(n)[:, None]
    first = np.full(n_parts, n, dtype=np.int64)  # a silent part "enters" after the end
    parts, where = np.unique(labels, return_index=True)
    known = parts < n_parts
    first[parts[known]] = where[known]
    return np.sign(index - first[None, :]).astype(np.int8)


def pitch_hint_tokens(notes: np.ndarray, labels: np.ndarray, n_parts: int) -> np.ndarray:
    """Mean pitch of each part, rounded half up, as pitch-embedding rows (pitch + 1); 0 for a silent part."""
    counts = np.bincount(labels, minlength=n_parts)[:n_parts]
    sums = np.bincount(labels, weights=notes[:, PITCH], minlength=n_parts)[:n_parts]
    tokens = np.zeros(n_parts, dtype=np.int64)
    played = counts > 0
    tokens[played] = np.floor(sums[played] / counts[played] + 0.5).astype(np.int64) + 1
    return tokens


def piece_inputs(
    notes: np.ndarray,
    labels: Optional[np.ndarray],
    n_parts: int,
    entry_hints: bool = False,
    pitch_hints: bool = False,
) -> PieceInputs:
    """The input arrays of a note array (see :mod:`muspy_like.separation.data` for its columns).

    ``labels`` are needed when either hint is asked for (and are kept as targets when given).
    """
    return PieceInputs(
        pitch=notes[:, PITCH].astype(np.int64),
        time=notes[:, TIME].astype(np.int64),
        position=np.clip(notes[:, BEAT_POSITION], 0, N_POSITIONS - 1).astype(np.int64),
        duration=notes[:, DURATION].astype(np.int64),
        entry=entry_hint_matrix(labels, n_parts) if entry_hints else None,
        pitch_hint=pitch_hint_tokens(notes, labels, n_parts) if pitch_hints else None,
        labels=None if labels is None else np.asarray(labels, dtype=np.int64),
    )


def transpose(piece: PieceInputs, semitones: int) -> PieceInputs:
    """The piece shifted by ``semitones`` (pitches clipped to 0-127; the pitch hints follow)."""
    hint = piece.pitch_hint
    if hint is not None:
        hint = np.where(hint > 0, np.clip(hint + semitones, 1, N_PITCHES), 0)
    return PieceInputs(
        np.clip(piece.pitch + semitones, 0, N_PITCHES - 1), piece.time, piece.position, piece.duration,
        piece.entry, hint, piece.labels,
    )


def crop(piece: PieceInputs, start: int, stop: int) -> PieceInputs:
    """Notes ``start:stop`` of a piece (the hints are those of the whole piece, cut to the same notes)."""
    return PieceInputs(
        piece.pitch[start:stop], piece.time[start:stop], piece.position[start:stop],
        piece.duration[start:stop], None if piece.entry is None else piece.entry[start:stop],
        piece.pitch_hint, None if piece.labels is None else piece.labels[start:stop],
    )


@dataclass
class Batch:
    """Pieces padded to one length ``t`` (``b`` pieces); padding is at the end of each row.

    Arrays as in :class:`PieceInputs` with a leading batch axis; ``lengths`` (b,) gives the notes of each
    row and ``labels`` holds -1 on padding (and everywhere when no labels were given).
    """

    pitch: np.ndarray
    time: np.ndarray
    position: np.ndarray
    duration: np.ndarray
    entry: Optional[np.ndarray]
    pitch_hint: Optional[np.ndarray]
    labels: np.ndarray
    lengths: np.ndarray


def make_batch(pieces: Sequence[PieceInputs]) -> Batch:
    """Pad pieces into one :class:`Batch` (pitch, times and labels padded with 0, 0 and -1) whose width
    is the longest piece rounded up to a multiple of :data:`PAD_MULTIPLE` notes."""
    lengths = np.array([len(p) for p in pieces], dtype=np.int64)
    width = -(-int(lengths.max()) // PAD_MULTIPLE) * PAD_MULTIPLE

    def pad(name: str, fill: int) -> np.ndarray:
        first = getattr(pieces[0], name)
        out = np.full((len(pieces), width) + first.shape[1:], fill, dtype=first.dtype)
        for row, piece in enumerate(pieces):
            out[row, : len(piece)] = getattr(piece, name)
        return out

    labels = np.full((len(pieces), width), -1, dtype=np.int64)
    for row, piece in enumerate(pieces):
        if piece.labels is not None:
            labels[row, : len(piece)] = piece.labels
    return Batch(
        pitch=pad("pitch", 0),
        time=pad("time", 0),
        position=pad("position", 0),
        duration=pad("duration", 0),
        entry=None if pieces[0].entry is None else pad("entry", 0),
        pitch_hint=None if pieces[0].pitch_hint is None else np.stack([p.pitch_hint for p in pieces]),
        labels=labels,
        lengths=lengths,
    )


def length_groups(lengths: Sequence[int], batch_size: int, max_notes: Optional[int] = None) -> list[np.ndarray]:
    """Indices of pieces grouped for batched prediction: sorted by length, at most ``batch_size`` pieces
    and (when given) about ``max_notes`` padded notes per group (a longer piece goes alone)."""
    order = np.argsort(np.asarray(lengths), kind="stable")
    groups, current = [], []
    for index in order:
        width = int(lengths[index])
        if current and (len(current) == batch_size or (max_notes is not None and width * (len(current) + 1) > max_notes)):
            groups.append(np.array(current))
            current = []
        current.append(index)
    if current:
        groups.append(np.array(current))
    return groups


def training_batches(
    pieces: Sequence[PieceInputs],
    batch_size: int,
    seq_len: int,
    transposition: tuple[int, int],
    rng: np.random.Generator,
) -> Iterator[Batch]:
    """One epoch of training batches: every piece once, in a random order.

    Each piece is cut to a random window of ``seq_len`` notes when longer, and transposed by a random
    number of semitones drawn uniformly from ``transposition`` (inclusive bounds; ``(0, 0)`` for none).
    To waste little work on padding, pieces are drawn in runs of 8 batches, sorted by length within a
    run, and the batches of the epoch are then shuffled.
    """
    order = rng.permutation(len(pieces))
    low, high = transposition
    chosen = []
    for index in order:
        piece = pieces[index]
        if len(piece) > seq_len:
            start = int(rng.integers(0, len(piece) - seq_len + 1))
            piece = crop(piece, start, start + seq_len)
        shift = int(rng.integers(low, high + 1)) if high > low else low
        chosen.append(transpose(piece, shift) if shift else piece)
    run = 8 * batch_size
    batches = []
    for start in range(0, len(chosen), run):
        block = sorted(chosen[start : start + run], key=len)
        batches.extend(block[i : i + batch_size] for i in range(0, len(block), batch_size))
    for index in rng.permutation(len(batches)):
        yield make_batch(batches[index])


def window_plan(n_notes: int, length: int, causal: bool) -> list[tuple[int, int, int, int]]:
    """How to predict a piece longer than a model's window: ``(start, stop, keep_start, keep_stop)`` rows.

    Windows of ``length`` notes start every ``length // 2`` notes; each note's prediction is taken from
    one window (``keep_start:keep_stop``, in piece indices, covering every note exactly once).

    * Causal models: windows start at multiples of the stride and the last one ends with the piece (it
      may be shorter); each note is kept from the earliest window that holds it, the one with the most
      notes before it (at least ``length - length // 2`` after the first window). Where a note's window
      starts depends on nothing after it, so predictions stay online.
    * Non-causal models: the last window ends with the piece, and each window keeps the notes nearer its
      centre than the neighbouring windows' centres, so every note has context on both sides.
    """
    if n_notes <= length:
        return [(0, n_notes, 0, n_notes)]
    stride = max(length // 2, 1)
    if causal:
        plan = [(0, length, 0, length)]
        start = stride
        while plan[-1][1] < n_notes:
            stop = min(start + length, n_notes)
            plan.append((start, stop, plan[-1][1], stop))
            start += stride
        return plan
    starts = list(range(0, n_notes - length, stride)) + [n_notes - length]
    plan = []
    kept = 0
    for index, start in enumerate(starts):
        last = index == len(starts) - 1
        keep_stop = n_notes if last else (start + starts[index + 1] + length) // 2  # between the centres
        if keep_stop > kept:
            plan.append((start, start + length, kept, keep_stop))
            kept = keep_stop
    return plan
