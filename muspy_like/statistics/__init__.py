"""Dataset statistics: one row per piece, summaries, histograms, plots and an HTML report.

Examples
--------
>>> from muspy_like.statistics import compute_statistics, resolve_sources  # doctest: +SKIP
>>> stats = compute_statistics(resolve_sources(["music21:bach"]), n_jobs=2)  # doctest: +SKIP
>>> stats.to_dataframe()[["n_notes", "length_seconds", "key_estimated"]].head()  # doctest: +SKIP
>>> write_report(["music21:bach", "my_midi_folder/"], "report/", n_jobs=2)  # doctest: +SKIP
"""

from muspy_like.statistics.histograms import DURATION_BIN_EDGES, HISTOGRAM_NAMES, piece_histograms
from muspy_like.statistics.report import collect_pieces, write_report
from muspy_like.statistics.sources import PieceSource, load_piece, resolve_sources
from muspy_like.statistics.summary import describe_values, summarize
from muspy_like.statistics.table import COLUMNS, DatasetStatistics, compute_statistics, piece_row

__all__ = [
    "COLUMNS",
    "DURATION_BIN_EDGES",
    "DatasetStatistics",
    "HISTOGRAM_NAMES",
    "PieceSource",
    "collect_pieces",
    "compute_statistics",
    "describe_values",
    "load_piece",
    "piece_histograms",
    "piece_row",
    "resolve_sources",
    "summarize",
    "write_report",
]
