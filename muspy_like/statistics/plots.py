"""Figures of dataset statistics and of single pieces (matplotlib, imported on first use).

The figures are built as :class:`matplotlib.figure.Figure` objects on the ``Agg`` canvas, without pyplot,
so they work headless and leave no global state. Datasets are compared on one figure, one colour each, as
in the dataset analysis of the MusPy paper (Dong, Chen, McAuley and Berg-Kirkpatrick, 2020, "MusPy: A
toolkit for symbolic music generation", ISMIR).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np

from muspy_like.core.music import Music
from muspy_like.extras import require
from muspy_like.files import atomic_write
from muspy_like.metrics.key import PITCH_CLASS_NAMES
from muspy_like.statistics.histograms import DURATION_BIN_LABELS

__all__ = [
    "GM_FAMILIES",
    "new_figure",
    "save_figure",
    "plot_length_distribution",
    "plot_tempo_distribution",
    "plot_pitch_class_histogram",
    "plot_pitch_histogram",
    "plot_duration_histogram",
    "plot_instrument_usage",
    "plot_pianoroll",
]

#: The 16 General MIDI instrument families; program ``p`` belongs to family ``p // 8``.
GM_FAMILIES = (
    "Piano", "Chromatic perc.", "Organ", "Guitar", "Bass", "Strings", "Ensemble", "Brass",
    "Reed", "Pipe", "Synth lead", "Synth pad", "Synth effects", "Ethnic", "Percussive", "Sound effects",
)


def new_figure(width: float = 8.0, height: float = 4.0) -> Any:
    """A matplotlib Figure on the Agg canvas (size in inches)."""
    FigureCanvasAgg = require("matplotlib.backends.backend_agg", "stats", "plots").FigureCanvasAgg
    Figure = require("matplotlib.figure", "stats", "plots").Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save_figure(figure: Any, path: Union[str, Path]) -> Path:
    """Save a figure as PNG (or the format of the extension), atomically."""
    path = Path(path)
    with atomic_write(path, "wb") as handle:
        figure.savefig(handle, format=path.suffix.lstrip(".") or "png")
    return path


def _by_dataset(rows: Any, column: str) -> dict[str, np.ndarray]:
    """Finite values of ``column`` per dataset, from rows (dicts) or a table with a ``column()`` method."""
    if hasattr(rows, "column"):  # DatasetStatistics: read the columns, build no row dicts
        labels = rows.column("dataset") if len(rows) else []
        values = np.asarray(rows.column(column), dtype=np.float64) if len(rows) else np.zeros(0)
    else:
        labels = [row["dataset"] for row in rows]
        values = np.asarray([row[column] for row in rows], dtype=np.float64)
    label_array = np.asarray(labels, dtype=object)
    groups = {label: values[label_array == label] for label in dict.fromkeys(labels)}
    return {label: group[np.isfinite(group)] for label, group in groups.items()}


def _distribution(rows, column, title, xlabel, log_x):
    figure = new_figure()
    axes = figure.add_subplot()
    groups = {label: v for label, v in _by_dataset(rows, column).items() if len(v)}
    if log_x:
        groups = {label: v[v > 0] for label, v in groups.items()}
    everything = np.concatenate(list(groups.values())) if groups else np.zeros(0)
    if len(everything):
        low, high = float(everything.min()), float(everything.max())
        if log_x:
            bins = np.geomspace(low, high * 1.0001, 31) if high > low else np.array([low / 1.1, low * 1.1])
            axes.set_xscale("log")
        else:
            bins = np.linspace(low, high + 1e-9, 31) if high > low else np.array([low - 1, low + 1])
        for label, values in groups.items():
            weights = np.full(len(values), 1.0 / len(values))
            axes.hist(values, bins=bins, weights=weights, histtype="step", linewidth=2,
                      label=f"{label} (n={len(values)}, median {np.median(values):.3g})")
        axes.legend(fontsize="small")
    else:
        axes.text(0.5, 0.5, "no data", ha="center", va="center", transform=axes.transAxes)
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    axes.set_ylabel("share of pieces")
    return figure


def plot_length_distribution(rows: Sequence[Mapping[str, Any]], unit: str = "seconds") -> Any:
    """Distribution of piece lengths per dataset (step histograms on a log scale, one per dataset).

    Parameters
    ----------
    rows : DatasetStatistics or sequence of dict
        Statistics (``dataset`` and ``length_seconds`` / ``length_beats`` columns).
    unit : {"seconds", "beats"}
        Length column to plot.
    """
    if unit not in ("seconds", "beats"):
        raise ValueError(f"unit must be 'seconds' or 'beats', not {unit!r}")
    return _distribution(rows, f"length_{unit}", "Length of the pieces", f"length ({unit}, log scale)", True)


def plot_tempo_distribution(rows: Sequence[Mapping[str, Any]]) -> Any:
    """Distribution of initial tempos (quarter notes per minute) per dataset."""
    return _distribution(rows, "initial_tempo", "Initial tempo", "tempo (quarter notes per minute)", False)


def plot_pitch_class_histogram(histograms: Mapping[str, Mapping[str, np.ndarray]]) -> Any:
    """Share of notes in each pitch class, one group of bars per pitch class, one bar per dataset."""
    figure = new_figure()
    axes = figure.add_subplot()
    labels = list(histograms)
    width = 0.8 / max(1, len(labels))
    for k, label in enumerate(labels):
        axes.bar(np.arange(12) + (k - (len(labels) - 1) / 2) * width, _shares(histograms[label]["pitch_class"]),
                 width=width, label=label)
    axes.set_xticks(np.arange(12), PITCH_CLASS_NAMES)
    axes.set_title("Pitch classes")
    axes.set_xlabel("pitch class")
    axes.set_ylabel("share of pitched notes")
    if labels:
        axes.legend(fontsize="small")
    return figure


def _shares(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, dtype=np.float64)
    return counts / counts.sum() if counts.sum() else counts


def plot_pitch_histogram(histograms: Mapping[str, Mapping[str, np.ndarray]]) -> Any:
    """Share of pitched notes at each MIDI pitch, one step curve per dataset."""
    figure = new_figure()
    axes = figure.add_subplot()
    for label, totals in histograms.items():
        axes.step(np.arange(128), _shares(totals["pitch"]), where="mid", linewidth=2, label=label)
    axes.set_xlim(0, 127)
    axes.set_xticks(np.arange(0, 128, 12), [f"C{octave - 1}" for octave in range(11)])
    axes.set_title("Pitches")
    axes.set_xlabel("pitch (MIDI number; C4 = 60)")
    axes.set_ylabel("share of pitched notes")
    if histograms:
        axes.legend(fontsize="small")
    return figure


def plot_duration_histogram(histograms: Mapping[str, Mapping[str, np.ndarray]]) -> Any:
    """Share of pitched notes in each duration bin (quarter notes), one group of bars per bin."""
    figure = new_figure()
    axes = figure.add_subplot()
    labels = list(histograms)
    n_bins = len(DURATION_BIN_LABELS)
    width = 0.8 / max(1, len(labels))
    for k, label in enumerate(labels):
        axes.bar(np.arange(n_bins) + (k - (len(labels) - 1) / 2) * width, _shares(histograms[label]["duration"]),
                 width=width, label=label)
    axes.set_xticks(np.arange(n_bins), DURATION_BIN_LABELS, rotation=45)
    axes.set_title("Note durations")
    axes.set_xlabel("duration (quarter notes)")
    axes.set_ylabel("share of pitched notes")
    if labels:
        axes.legend(fontsize="small")
    return figure


def plot_instrument_usage(histograms: Mapping[str, Mapping[str, np.ndarray]], n_pieces: Mapping[str, int]) -> Any:
    """Share of pieces that use each General MIDI instrument family (and drums), per dataset.

    Parameters
    ----------
    histograms : mapping
        Per dataset, the summed histograms (its ``families`` histogram counts pieces per family).
    n_pieces : mapping of str to int
        Number of pieces per dataset (the denominators).
    """
    figure = new_figure(8.0, 5.5)
    axes = figure.add_subplot()
    # Program 0 is also what a track gets when its file names no instrument (MusicXML without
    # <midi-program>, music21's sung chorales), so the first family says so rather than claim a piano.
    names = [f"{GM_FAMILIES[0]} (or none given)", *GM_FAMILIES[1:], "Drums"]
    labels = list(histograms)
    height = 0.8 / max(1, len(labels))
    for k, label in enumerate(labels):
        usage = np.asarray(histograms[label]["families"]) / max(1, n_pieces.get(label, 0))
        axes.barh(np.arange(17) + (k - (len(labels) - 1) / 2) * height, usage,
                  height=height, label=label)
    axes.set_yticks(np.arange(17), names)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_title("Instrument usage")
    axes.set_xlabel("share of pieces using the family")
    if labels:
        axes.legend(fontsize="small")
    return figure


def plot_pianoroll(music: Music, title: Optional[str] = None, max_quarters: Optional[float] = None) -> Any:
    """A piano roll of one piece: one bar per note, one colour per track, time in quarter notes.

    Parameters
    ----------
    music : Music
        The piece.
    title : str, optional
        Figure title (default: the piece's title).
    max_quarters : float, optional
        Show only the first this many quarter notes.
    """
    figure = new_figure(10.0, 4.5)
    axes = figure.add_subplot()
    colours = [f"C{k % 10}" for k in range(len(music.tracks))]
    lowest, highest = math.inf, -math.inf
    for k, track in enumerate(music.tracks):
        notes = track.notes
        if not len(notes):
            continue
        start = notes.time / music.resolution
        length = np.maximum(notes.duration / music.resolution, 1e-3)
        keep = start < max_quarters if max_quarters is not None else np.ones(len(start), dtype=bool)
        if not keep.any():
            continue
        pitch = notes.pitch[keep].astype(np.float64)
        axes.barh(pitch, length[keep], left=start[keep], height=0.8, color=colours[k],
                  label=track.name or ("drums" if track.is_drum else f"program {track.program}"))
        lowest, highest = min(lowest, pitch.min()), max(highest, pitch.max())
    if math.isfinite(lowest):
        axes.set_ylim(lowest - 2, highest + 2)
        axes.legend(fontsize="small", loc="upper right")
    title = title or music.metadata.title or "Piano roll"
    length = music.get_end_time() / music.resolution
    if max_quarters is not None:
        axes.set_xlim(0, max_quarters)
        if length > max_quarters:  # say that the piece is cut, and where
            title += f" (first {max_quarters:g} of {length:.0f} quarter notes)"
    axes.set_title(title)
    axes.set_xlabel("time (quarter notes)")
    axes.set_ylabel("pitch (MIDI number)")
    return figure
