"""Histograms of one piece, summed over a corpus by :func:`~muspy_like.statistics.compute_statistics`.

``pitch``
    Pitched notes per MIDI pitch (128 bins; drums excluded).
``pitch_class``
    Pitched notes per pitch class (12 bins, index 0 = C).
``duration``
    Pitched notes per duration bin; the bins, in quarter notes, are
    ``[DURATION_BIN_EDGES[k], DURATION_BIN_EDGES[k + 1])`` (the last one is open-ended).
``programs``
    Pieces that use each General MIDI program in a pitched track with notes (bins 0-127), and pieces with
    drum notes (bin 128). Summed over a corpus it counts pieces, not notes.
``families``
    Pieces that use each of the 16 General MIDI instrument families (program ``p`` is in family
    ``p // 8``: piano, chromatic percussion, organ, guitar...; bins 0-15), and pieces with drum notes
    (bin 16).
"""

from __future__ import annotations

import numpy as np

from muspy_like.core.music import Music
from muspy_like.metrics.notes import collect_notes

__all__ = ["HISTOGRAM_NAMES", "DURATION_BIN_EDGES", "DURATION_BIN_LABELS", "DRUMS_BIN", "piece_histograms"]

HISTOGRAM_NAMES = ("pitch", "pitch_class", "duration", "programs", "families")

#: Lower edges of the duration bins, in quarter notes (a sixteenth is 0.25).
DURATION_BIN_EDGES = np.array([0, 0.125, 0.25, 0.375, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8])
DURATION_BIN_LABELS = tuple(
    f"{a:g}-{b:g}" for a, b in zip(DURATION_BIN_EDGES[:-1], DURATION_BIN_EDGES[1:])
) + (f">={DURATION_BIN_EDGES[-1]:g}",)

#: Index of the drums in the ``programs`` histogram.
DRUMS_BIN = 128


def piece_histograms(music: Music) -> dict[str, np.ndarray]:
    """The four histograms of one piece (see the module notes), as int64 arrays."""
    notes = collect_notes(music)
    quarters = notes.duration / music.resolution
    duration_bins = np.searchsorted(DURATION_BIN_EDGES, quarters, side="right") - 1
    programs = np.zeros(DRUMS_BIN + 1, dtype=np.int64)
    for track in music.tracks:
        if len(track.notes):
            programs[DRUMS_BIN if track.is_drum else track.program] = 1
    return {
        "pitch": np.bincount(notes.pitch, minlength=128)[:128].astype(np.int64),
        "pitch_class": np.bincount(notes.pitch % 12, minlength=12).astype(np.int64),
        "duration": np.bincount(duration_bins, minlength=len(DURATION_BIN_EDGES)).astype(np.int64),
        "programs": programs,
        "families": np.append(programs[:DRUMS_BIN].reshape(16, 8).max(axis=1), programs[DRUMS_BIN]),
    }
