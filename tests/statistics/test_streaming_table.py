"""Statistics stream into a column-wise table: input order kept, columns typed, no row dict held."""

from __future__ import annotations

import math

import numpy as np

from muspy_like import Music, Note, Track
from muspy_like.statistics import compute_statistics
from muspy_like.statistics.rowtable import RowTable


def test_rows_land_at_their_position_whatever_order_they_arrive_in():
    table = RowTable(4)
    table.put(3, {"dataset": "b", "n": 7, "x": 1.5, "flag": True})
    table.put(0, {"dataset": "a", "n": 2, "x": math.nan, "flag": False})
    table.put(1, {"dataset": "a", "n": 2.5, "x": 3.0, "flag": False})  # an int column widens to float
    assert len(table) == 3 and table.names == ["dataset", "n", "x", "flag"]
    assert table.column("dataset") == ["a", "a", "b"]
    assert table.column("n").dtype == np.float64 and table.column("n").tolist() == [2.0, 2.5, 7.0]
    assert table.column("flag").tolist() == [False, False, True]
    assert table.numeric_names() == ["n", "x"]
    rows = list(table.iter_rows(["n", "dataset"]))
    assert rows[2] == {"n": 7.0, "dataset": "b"} and type(rows[2]["n"]) is float


def test_parallel_statistics_keep_the_input_order():
    pieces = [Music(tracks=[Track(notes=[Note(24 * i, 60, 24) for i in range(n)])]) for n in (30, 1, 12, 5, 2, 9)]
    stats = compute_statistics(pieces, n_jobs=2, chunksize=1, progress=False)
    assert stats.column("n_notes").tolist() == [30, 1, 12, 5, 2, 9]
    assert [row["n_notes"] for row in stats.rows] == [30, 1, 12, 5, 2, 9]
    assert stats.histograms["pieces"]["pitch"][60] == 59
    assert stats.summary()["all"]["n_notes"]["max"] == 30
