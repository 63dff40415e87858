"""Statistics stream into a column-wise table: input order kept, columns typed, no row dict held."""

from __future__ import annotations

import math

import numpy as np

from muspy_like import Music, Note, Track
from muspy_like.statistics import compute_statistics
from muspy_like.statistics.rowtable import RowTable, rows_to_block


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


def _table_state(table: RowTable) -> tuple:
    return table.names, dict(table._kinds), list(table.iter_rows())


def test_a_block_of_rows_gives_the_table_that_row_by_row_puts_give():
    """Blocks (rows turned into columns in a worker) against one put per row: same columns, kinds, values.

    Rows have the same columns (the table's contract); the values' types vary, so columns widen.
    """
    rng = np.random.default_rng(7)
    makers = [
        lambda i: {"name": f"p{i}", "n": i, "x": float(i) / 3, "flag": bool(i % 2)},
        lambda i: {"name": f"p{i}", "n": np.int64(i), "x": i, "flag": np.bool_(i % 3 == 0)},  # int into a float column
        lambda i: {"name": f"p{i}", "n": 2.5 * i, "x": math.nan, "flag": True},  # widens n to float
        lambda i: {"name": f"p{i}", "n": i, "x": 1.0, "flag": None},  # None in a flag column: text
        lambda i: {"name": None, "n": i, "x": 0.5, "flag": 1},  # bool column meets an int: text
    ]
    for trial in range(20):
        count = 40
        rows = [makers[int(rng.integers(len(makers)))](i) for i in range(count)]
        order = rng.permutation(count).tolist()
        by_row, by_block = RowTable(count), RowTable(count)
        for position in order:
            by_row.put(position, rows[position])
        cuts = sorted(set(rng.integers(1, count, size=4).tolist()))
        for chunk in np.split(np.array(order), cuts):
            positions = chunk.tolist()
            by_block.put_block(positions, rows_to_block([rows[p] for p in positions]))
        np.testing.assert_equal(_table_state(by_block), _table_state(by_row), err_msg=f"trial {trial}")


def test_statistics_of_a_corpus_are_the_same_inline_and_on_processes(tmp_path):
    """compute_statistics collects blocks of rows: n_jobs=1 and n_jobs=2 give equal tables and histograms."""
    pieces = [Music(tracks=[Track(notes=[Note(t * 24, 60 + (t * k) % 12, 24) for t in range(k + 1)])]) for k in range(30)]
    one = compute_statistics(pieces, n_jobs=1, progress=False, chunksize=7)
    two = compute_statistics(pieces, n_jobs=2, progress=False, chunksize=4)
    np.testing.assert_equal(one.rows, two.rows)  # NaN metrics compare equal here
    assert [row["n_notes"] for row in one.rows] == [k + 1 for k in range(30)]
    assert one.histograms.keys() == two.histograms.keys()
    for label in one.histograms:
        for name, values in one.histograms[label].items():
            assert np.array_equal(values, two.histograms[label][name])
    assert int(one.histograms[next(iter(one.histograms))]["pitch"].sum()) == sum(k + 1 for k in range(30))
