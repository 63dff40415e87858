"""The statistics report: CSV and Parquet tables, a JSON summary, PNG plots and one HTML page.

:func:`write_report` is what ``muspy-like stats`` and ``muspy-like quickstart`` call. The HTML page is
self-contained (the plots are embedded as base64 PNG), so it can be opened from disk, mailed or archived
without its folder.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence, Union

from muspy_like.core.music import Music
from muspy_like.files import atomic_write_text
from muspy_like.statistics.histograms import DURATION_BIN_LABELS
from muspy_like.statistics.output import write_json
from muspy_like.statistics.page import Cell, Failures, Figure, Section, Table, format_value, render_page
from muspy_like.statistics.sources import PieceSource, load_piece, origin_of, resolve_sources
from muspy_like.statistics.table import DatasetStatistics, compute_statistics

__all__ = ["write_report", "collect_pieces", "render_html", "SUMMARY_COLUMNS"]

#: Columns shown in the HTML summary and comparison tables (all columns are in the CSV and JSON).
SUMMARY_COLUMNS = (
    "n_notes",
    "n_tracks",
    "length_seconds",
    "length_beats",
    "initial_tempo",
    "pitch_range",
    "n_pitch_classes_used",
    "polyphony",
    "polyphony_rate",
    "pitch_class_entropy",
    "scale_consistency",
    "empty_beat_rate",
    "groove_consistency",
    "note_density_per_second",
    "mean_duration_quarters",
    "velocity_mean",
    "key_correlation",
)

_PLOTS = {
    "plot_length": ("length.png", "Length of the pieces (seconds)"),
    "plot_tempo": ("tempo.png", "Initial tempo"),
    "plot_pitch_classes": ("pitch_classes.png", "Pitch classes"),
    "plot_pitches": ("pitches.png", "Pitches"),
    "plot_durations": ("durations.png", "Note durations"),
    "plot_instruments": ("instruments.png", "Instrument usage"),
    "plot_pianoroll": ("pianoroll.png", "Piano roll of one piece"),
}


def collect_pieces(
    pieces_or_sources: Iterable[Union[Music, PieceSource, str, Path]], root: Optional[Union[str, Path]] = None
) -> list[Union[Music, PieceSource]]:
    """Expand source strings and paths (see :func:`resolve_sources`); keep Music and PieceSource as given."""
    collected: list[Union[Music, PieceSource]] = []
    for item in pieces_or_sources:
        if isinstance(item, (Music, PieceSource)):
            collected.append(item)
        else:
            collected.extend(resolve_sources([item], root=root))
    return collected


def write_report(
    pieces_or_sources: Iterable[Union[Music, PieceSource, str, Path]],
    out_dir: Union[str, Path],
    *,
    n_jobs: int = 1,
    root: Optional[Union[str, Path]] = None,
    title: str = "Dataset statistics",
    progress: bool = True,
    executor: Any = None,
) -> dict[str, Path]:
    """Compute statistics of pieces and write the full report into ``out_dir``.

    Parameters
    ----------
    pieces_or_sources : iterable
        Music objects, :class:`PieceSource` objects, file or folder paths, ``music21:COMPOSER`` or dataset
        names (see :mod:`muspy_like.statistics.sources`).
    out_dir : str or Path
        Output folder (created if missing; existing report files are replaced atomically).
    n_jobs : int, default 1
        Worker processes (see :func:`muspy_like.parallel.parallel_map`).
    root : str or Path, optional
        Folder holding the catalog datasets, for dataset names.
    title : str
        Title of the HTML page.
    progress : bool, default True
        Show a progress bar.
    executor : concurrent.futures.Executor, optional
        Run on this executor instead of local processes.

    Returns
    -------
    dict of str to Path
        The files written: ``csv`` (one row per piece), ``parquet`` (when pandas and pyarrow are
        installed), ``summary`` (JSON: figures per column and dataset, histograms, failures), ``html``
        (the page), and ``plot_length``, ``plot_tempo``, ``plot_pitch_classes``, ``plot_pitches``,
        ``plot_durations``, ``plot_instruments``, ``plot_pianoroll`` (PNG).

    Raises
    ------
    DatasetError
        If a source cannot be resolved (unknown path or dataset). Pieces that fail to load are not an
        error: they are listed in the summary and the page.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pieces = collect_pieces(pieces_or_sources, root)
    stats = compute_statistics(pieces, n_jobs=n_jobs, executor=executor, progress=progress)
    written: dict[str, Path] = {"csv": stats.write_csv(out / "statistics.csv")}
    try:
        written["parquet"] = stats.write_parquet(out / "statistics.parquet")
    except ImportError:
        pass  # pandas/pyarrow are the optional ``stats`` extra; the CSV holds the same table
    summary = _summary_document(stats, title)
    written["summary"] = write_json(summary, out / "summary.json")
    written.update(_write_plots(stats, pieces, out))
    page = render_html(stats, summary, {key: written[key] for key in _PLOTS if key in written}, title)
    atomic_write_text(out / "report.html", page)
    written["html"] = out / "report.html"
    return written


def _failure_records(stats: DatasetStatistics) -> list[dict[str, str]]:
    records = []
    for failure in stats.failures:
        _, source = origin_of(failure.item)
        records.append({"source": source, "error": failure.exception_type, "message": failure.message})
    return records


def _summary_document(stats: DatasetStatistics, title: str) -> dict[str, Any]:
    from muspy_like import __version__

    return {
        "title": title,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "muspy_like_version": __version__,
        "summary": stats.summary(),
        "histograms": {
            label: {**hist, "duration_bin_labels": list(DURATION_BIN_LABELS)} for label, hist in stats.histograms.items()
        },
        "failures": _failure_records(stats),
    }


def _write_plots(stats: DatasetStatistics, pieces: Sequence[Any], out: Path) -> dict[str, Path]:
    from muspy_like.statistics import plots

    labels = stats.column("dataset") if len(stats) else []
    n_pieces = {label: labels.count(label) for label in stats.datasets}
    figures = {
        "plot_length": plots.plot_length_distribution(stats, "seconds"),
        "plot_tempo": plots.plot_tempo_distribution(stats),
        "plot_pitch_classes": plots.plot_pitch_class_histogram(stats.histograms),
        "plot_pitches": plots.plot_pitch_histogram(stats.histograms),
        "plot_durations": plots.plot_duration_histogram(stats.histograms),
        "plot_instruments": plots.plot_instrument_usage(stats.histograms, n_pieces),
    }
    example = _example_piece(stats, pieces)
    if example is not None:
        music, source = example
        figures["plot_pianoroll"] = plots.plot_pianoroll(music, title=f"Piano roll: {source}", max_quarters=64)
    return {key: plots.save_figure(figure, out / _PLOTS[key][0]) for key, figure in figures.items()}


def _example_piece(stats: DatasetStatistics, pieces: Sequence[Any]) -> Optional[tuple[Music, str]]:
    """The first piece that was described successfully (loaded again here, in this process)."""
    failed = {failure.index for failure in stats.failures}
    for index, item in enumerate(pieces):
        if index not in failed:
            return load_piece(item), Path(origin_of(item)[1]).name
    return None


def _figures_table(summary: dict[str, Any]) -> Table:
    """Rows = columns of the statistics table; cells = count, mean, std, percentiles over every piece."""
    keys = ("count", "mean", "std", "min", "p5", "p25", "median", "p75", "p95", "max")
    rows = [[column, *(summary["all"][column][key] for key in keys)]
            for column in SUMMARY_COLUMNS if summary["all"].get(column) is not None]
    return Table(("column", *keys), rows)


def _comparison_table(summary: dict[str, Any], failed: dict[str, int]) -> Table:
    """Rows = columns; one cell per dataset: median (and interquartile range)."""
    datasets = summary.get("datasets", {})
    notes = [None] + [f"{d['n_pieces']} pieces, {failed.get(label, 0)} failed" for label, d in datasets.items()]
    rows = []
    for column in SUMMARY_COLUMNS:
        cells: list[Any] = [column]
        for data in datasets.values():
            figures = data["columns"].get(column)
            cells.append(None if figures is None else
                         Cell(figures["median"], f"{format_value(figures['p25'])}\u2013{format_value(figures['p75'])}"))
        rows.append(cells)
    return Table(("median (p25\u2013p75)", *datasets), rows, notes)


def _failed_per_dataset(stats: DatasetStatistics) -> dict[str, int]:
    counts: dict[str, int] = {}
    for failure in stats.failures:
        label, _ = origin_of(failure.item)
        counts[label] = counts.get(label, 0) + 1
    return counts


def render_html(stats: DatasetStatistics, summary: dict[str, Any], plot_files: dict[str, Path], title: str) -> str:
    """The report page as one self-contained HTML string (plots embedded as base64 PNG)."""
    overview = summary["summary"]
    datasets = ", ".join(stats.datasets) or "none"
    facts = (f"{overview['n_pieces']} pieces described, {len(stats.failures)} failed; datasets: {datasets}; "
             f"created {summary['created']} with muspy_like {summary['muspy_like_version']}. "
             "Full table: statistics.csv; all figures: summary.json.")
    return render_page(title, facts, [
        Section("Summary over all pieces", [_figures_table(overview)]),
        Section("Datasets compared", [_comparison_table(overview, _failed_per_dataset(stats))]),
        Section("Plots", [Figure(key, path, _PLOTS[key][1]) for key, path in plot_files.items()]),
        Section("Failures", [Failures(summary["failures"], "piece")]),
    ])
