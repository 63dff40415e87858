"""Statistics of a sample of music21's Bach corpus checked against figures computed by music21."""

from __future__ import annotations

import math

import numpy as np
import pytest

from muspy_like.metrics.key import PITCH_CLASS_NAMES
from muspy_like.statistics import compute_statistics, resolve_sources


@pytest.fixture(scope="module")
def stats(bach_sample):
    return compute_statistics(bach_sample, n_jobs=2, progress=False)


def test_every_piece_is_described_in_order(stats, bach_sample):
    assert stats.failures == []
    assert [row["source"] for row in stats.rows] == [s.location for s in bach_sample]
    assert stats.datasets == ["music21:bach"]


def test_counts_length_and_meter_match_music21(stats, bach_reference):
    for row in stats.rows:
        reference = bach_reference[row["source"]]
        assert row["n_notes"] == reference["n_notes"], row["source"]
        assert row["n_tracks"] == reference["n_parts"], row["source"]
        assert row["length_quarters"] == pytest.approx(reference["length_quarters"]), row["source"]
        assert row["time_signature"] == reference["time_signature"], row["source"]
        assert row["pitch_min"] == min(reference["pitches"]) and row["pitch_max"] == max(reference["pitches"])
        assert row["pitch_range"] == max(reference["pitches"]) - min(reference["pitches"])
        assert row["has_drums"] is False and row["n_drum_notes"] == 0


def test_key_estimate_matches_music21_krumhansl_kessler(stats, bach_reference):
    for row in stats.rows:
        tonic, mode = bach_reference[row["source"]]["key"]
        assert row["key_estimated"] == f"{PITCH_CLASS_NAMES[tonic]} {mode}", row["source"]
        assert row["key_correlation"] == pytest.approx(bach_reference[row["source"]]["key_correlation"])


def test_histograms_sum_the_notes_music21_counts(stats, bach_reference):
    pitches = np.concatenate([reference["pitches"] for reference in bach_reference.values()])
    totals = stats.histograms["music21:bach"]
    assert np.array_equal(totals["pitch"], np.bincount(pitches, minlength=128))
    assert np.array_equal(totals["pitch_class"], np.bincount(pitches % 12, minlength=12))
    assert totals["duration"].sum() == len(pitches)
    # Chorales are written for voices read as program 0: every piece uses the piano family, none drums.
    assert totals["programs"][0] == len(bach_reference) and totals["families"][16] == 0


def test_summary_figures_match_numpy_on_the_music21_counts(stats, bach_reference):
    counts = np.array([bach_reference[row["source"]]["n_notes"] for row in stats.rows], dtype=float)
    figures = stats.summary()["all"]["n_notes"]
    assert figures["count"] == len(counts)
    assert figures["mean"] == pytest.approx(counts.mean())
    assert figures["median"] == pytest.approx(np.median(counts))
    assert figures["std"] == pytest.approx(counts.std(ddof=1))
    assert figures["p25"] == pytest.approx(np.percentile(counts, 25))


def test_parallel_and_inline_give_the_same_rows(stats, bach_sample):
    inline = compute_statistics(bach_sample, n_jobs=1, progress=False)
    for a, b in zip(inline.rows, stats.rows):
        assert a.keys() == b.keys()
        for key in a:
            same_nan = isinstance(a[key], float) and math.isnan(a[key]) and math.isnan(b[key])
            assert same_nan or a[key] == b[key], key


def test_music21_source_lists_only_readable_scores():
    sources = resolve_sources(["music21:bach"])
    # The Bach folder of music21's corpus also holds Roman-numeral analyses (.rntxt): not scores.
    assert sources and all(s.location.endswith((".mxl", ".xml", ".musicxml", ".abc")) for s in sources)
    assert not any(s.location.endswith(".rntxt") for s in sources)
