"""One row of statistics per piece, computed in parallel, with histograms summed over the corpus.

:func:`compute_statistics` loads every piece (in worker processes when ``n_jobs > 1``, through
:func:`muspy_like.parallel.parallel_map`), describes it with :func:`piece_row` and adds its histograms to
the corpus totals. Pieces that fail to load or to describe are listed in ``failures`` with the error,
never dropped silently.

Columns of a row
----------------
dataset, source, title
    Group label, origin (path or ``dataset[index]``) and the piece's title.
n_tracks, n_notes, n_drum_notes, resolution
    Counts; resolution in ticks per quarter note.
length_ticks, length_quarters, length_beats, length_seconds
    From tick 0 to the end of the last note; beats follow the time signatures; seconds follow the
    tempo map.
initial_tempo, n_tempo_changes
    Tempo in force at tick 0, in quarter notes per minute (120, the MIDI default, when the file has no
    tempo); number of later tempo events that change the value.
key_notated, key_estimated, time_signature, n_time_signatures
    First key signature (e.g. ``"G major"``, or ``"1 sharp"`` when the mode is unknown), the
    Krumhansl-Schmuckler estimate, first time signature (``"4/4"`` when there is none) and the number of
    time signatures.
pitch_min, pitch_max, programs, has_drums
    Lowest and highest pitched note (MIDI numbers), the General MIDI programs of the pitched tracks
    (``"0;40"``), and whether a drum track has notes.
the metrics
    Every metric of :data:`muspy_like.metrics.METRICS` (pitch_range, polyphony, polyphony_rate...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional, Union

import numpy as np

from muspy_like.core.music import Music
from muspy_like.extras import require
from muspy_like.metrics import METRICS, compute_metrics, estimate_key, length_in_beats, length_in_seconds
from muspy_like.metrics.key import PITCH_CLASS_NAMES
from muspy_like.metrics.notes import collect_notes, notes_end, shared_notes
from muspy_like.parallel import Failure, parallel_map
from muspy_like.statistics.histograms import HISTOGRAM_NAMES, piece_histograms
from muspy_like.statistics.rowtable import Block, RowTable, rows_to_block
from muspy_like.statistics.sources import PieceSource, load_piece, origin_of

__all__ = ["DatasetStatistics", "compute_statistics", "piece_row", "COLUMNS"]

#: Descriptive columns of a row, in order (the metrics follow).
COLUMNS = (
    "dataset",
    "source",
    "title",
    "n_tracks",
    "n_notes",
    "n_drum_notes",
    "resolution",
    "length_ticks",
    "length_quarters",
    "length_beats",
    "length_seconds",
    "initial_tempo",
    "n_tempo_changes",
    "key_notated",
    "key_estimated",
    "time_signature",
    "n_time_signatures",
    "pitch_min",
    "pitch_max",
    "programs",
    "has_drums",
)


def _notated_key(music: Music) -> str:
    if not music.key_signatures:
        return ""
    key = min(music.key_signatures, key=lambda k: k.time)
    if key.root is not None and key.mode:
        return f"{PITCH_CLASS_NAMES[key.root % 12]} {key.mode}"
    if key.fifths is not None:
        count = abs(key.fifths)
        kind = "sharp" if key.fifths > 0 else "flat"
        return "no accidental" if count == 0 else f"{count} {kind}{'s' if count > 1 else ''}"
    return ""


def _tempo_summary(music: Music) -> tuple[float, int]:
    tempo_map = music.tempo_map()
    changes = int(np.count_nonzero(np.diff(tempo_map.qpm) != 0))
    return float(tempo_map.qpm[0]), changes


def piece_row(music: Music, dataset: str = "", source: str = "") -> dict[str, Any]:
    """Describe one piece: the columns listed in the module notes, then every metric.

    Parameters
    ----------
    music : Music
        The piece.
    dataset, source : str
        Group label and origin, copied into the row.

    Returns
    -------
    dict
        Column name -> value (str, int, float or bool; NaN where undefined).
    """
    with shared_notes():
        return _row(music, dataset, source)


def _row(music: Music, dataset: str, source: str) -> dict[str, Any]:
    pitched = collect_notes(music)
    end = notes_end(music)
    initial_tempo, n_tempo_changes = _tempo_summary(music)
    signatures = sorted(music.time_signatures, key=lambda ts: ts.time)
    first = signatures[0] if signatures and signatures[0].time == 0 else None
    row: dict[str, Any] = {
        "dataset": dataset,
        "source": source,
        "title": music.metadata.title or "",
        "n_tracks": len(music.tracks),
        "n_notes": music.n_notes,
        "n_drum_notes": sum(len(t.notes) for t in music.tracks if t.is_drum),
        "resolution": music.resolution,
        "length_ticks": end,
        "length_quarters": end / music.resolution,
        "length_beats": length_in_beats(music),
        "length_seconds": length_in_seconds(music),
        "initial_tempo": initial_tempo,
        "n_tempo_changes": n_tempo_changes,
        "key_notated": _notated_key(music),
        "key_estimated": estimate_key(music).name,
        "time_signature": f"{first.numerator}/{first.denominator}" if first else "4/4",
        "n_time_signatures": len(signatures),
        "pitch_min": float(pitched.pitch.min()) if len(pitched) else math.nan,
        "pitch_max": float(pitched.pitch.max()) if len(pitched) else math.nan,
        "programs": ";".join(str(p) for p in sorted({t.program for t in music.tracks if not t.is_drum})),
        "has_drums": any(t.is_drum and len(t.notes) for t in music.tracks),
    }
    row.update(compute_metrics(music))
    return row


def _describe(item: Union[PieceSource, Music, str, Path]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Worker: load one piece, return its row and its histograms."""
    music = load_piece(item)
    dataset, source = origin_of(item)
    with shared_notes():
        return piece_row(music, dataset, source), piece_histograms(music)


def _combine_described(described: list[tuple[dict[str, Any], dict[str, np.ndarray]]]) -> tuple[Block, dict]:
    """Worker: the rows of a chunk as columns, and its histograms summed per dataset label."""
    histograms: dict[str, dict[str, np.ndarray]] = {}
    for row, piece in described:
        _add_histograms(histograms.setdefault(row["dataset"], {}), piece)
    return rows_to_block([row for row, _ in described]), histograms


def _add_histograms(totals: dict[str, np.ndarray], more: dict[str, np.ndarray]) -> None:
    """Add the histograms ``more`` into ``totals`` (in place; copies on first use)."""
    for name in HISTOGRAM_NAMES:
        if name in totals:
            totals[name] += more[name]
        else:
            totals[name] = more[name].astype(np.int64, copy=True)


@dataclass
class DatasetStatistics:
    """Rows, corpus histograms and failures of :func:`compute_statistics`.

    Attributes
    ----------
    table : RowTable
        One row per piece that succeeded, in input order, stored column by column (columns: see
        :data:`COLUMNS` and the metrics).
    histograms : dict of str to dict of str to numpy.ndarray
        Per dataset label, the summed histograms (see :mod:`muspy_like.statistics.histograms`).
    failures : list of Failure
        Pieces that failed, with the exception type, message and traceback.
    """

    table: RowTable = field(default_factory=lambda: RowTable(0))
    histograms: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The rows as a list of dicts (built on each call: for a large corpus use :meth:`column`)."""
        return list(self.table.iter_rows())

    def __len__(self) -> int:
        return len(self.table)

    def column(self, name: str) -> Any:
        """One column over every row, in input order (numpy array for numbers and flags, list for text)."""
        return self.table.column(name)

    @property
    def datasets(self) -> list[str]:
        """Dataset labels in order of first appearance."""
        return list(dict.fromkeys(self.table.column("dataset"))) if len(self.table) else []

    @property
    def columns(self) -> list[str]:
        """Every column of a row: the descriptive ones, then the metrics."""
        return [*COLUMNS, *METRICS]

    def to_dataframe(self):
        """The rows as a pandas DataFrame (requires pandas, the ``stats`` extra)."""
        pd = require("pandas", "stats", "DataFrames of statistics")

        if not len(self.table):
            return pd.DataFrame(columns=self.columns)
        return pd.DataFrame({name: self.table.column(name) for name in self.columns})

    def summary(self, by_dataset: bool = True) -> dict[str, Any]:
        """Count, mean, std, min, percentiles and max of every numeric column (see :func:`summarize_table`)."""
        from muspy_like.statistics.summary import summarize_table

        return summarize_table(self.table, by_dataset=by_dataset)

    def write_csv(self, path: Union[str, Path]) -> Path:
        """Write the rows as CSV, streamed row by row (atomically; works without pandas)."""
        from muspy_like.statistics.output import write_csv

        return write_csv(self.table.iter_rows(self.columns), self.columns, path)

    def write_parquet(self, path: Union[str, Path]) -> Path:
        """Write the rows as Parquet (atomically; requires pandas and pyarrow)."""
        from muspy_like.statistics.output import write_parquet

        return write_parquet(self.to_dataframe(), path)


def compute_statistics(
    pieces: Iterable[Union[PieceSource, Music, str, Path]],
    *,
    n_jobs: int = 1,
    executor: Any = None,
    progress: bool = True,
    desc: Optional[str] = "statistics",
    chunksize: Optional[int] = None,
) -> DatasetStatistics:
    """Describe many pieces, in parallel, keeping every failure.

    Each piece is loaded and described where it is computed (a worker process or a cluster node); only its
    row and histograms come back, and they go straight into the column-wise table and the summed
    histograms, so memory grows by well under a kilobyte per piece.

    Parameters
    ----------
    pieces : iterable of PieceSource, Music, str or Path
        The pieces, or where to load them from (see :func:`muspy_like.statistics.resolve_sources`).
    n_jobs : int, default 1
        Worker processes (1 runs inline, -1 uses every core); see :func:`muspy_like.parallel.parallel_map`.
    executor : concurrent.futures.Executor, optional
        Run on this executor instead (e.g. a dask cluster's).
    progress : bool, default True
        Show a progress bar.
    desc : str, optional
        Progress bar label.
    chunksize : int, optional
        Pieces per task sent to a worker (default: automatic).

    Returns
    -------
    DatasetStatistics
        Rows, summed histograms per dataset, failures.

    Examples
    --------
    >>> from muspy_like import Music, Track, Note
    >>> stats = compute_statistics([Music(tracks=[Track(notes=[Note(0, 60, 24)])])], progress=False)
    >>> stats.rows[0]["n_notes"], stats.failures
    (1, [])
    """
    items = list(pieces)
    statistics = DatasetStatistics(table=RowTable(len(items)))

    def collect(indices: list[int], described: tuple[Block, dict[str, dict[str, np.ndarray]]]) -> None:
        block, histograms = described
        statistics.table.put_block(indices, block)
        for label, sums in histograms.items():
            _add_histograms(statistics.histograms.setdefault(label, {}), sums)

    result = parallel_map(
        _describe, items, n_jobs=n_jobs, executor=executor, progress=progress, desc=desc,
        chunksize=chunksize, keep_values=False, combine=_combine_described, on_combined=collect,
    )
    statistics.failures = list(result.failures)
    statistics.histograms = {label: statistics.histograms[label] for label in statistics.datasets}
    return statistics
