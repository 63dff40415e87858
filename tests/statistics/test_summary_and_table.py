"""Summaries, histograms, table output and failure reporting on hand-built pieces."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from muspy_like import KeySignature, Music, Note, Tempo, TimeSignature, Track
from muspy_like.errors import DatasetError
from muspy_like.statistics import (
    PieceSource,
    compute_statistics,
    describe_values,
    piece_histograms,
    piece_row,
    resolve_sources,
    summarize,
)


def test_describe_values_ignores_nan():
    # Values 1, 2, 3, 10 (NaN left out): mean 4, median 2.5, sample std sqrt(((-3)^2+(-2)^2+(-1)^2+6^2)/3)
    # = sqrt(50/3); p25 by linear interpolation = 1 + 0.75 * (2 - 1) = 1.75.
    figures = describe_values([1, 2, math.nan, 3, 10])
    assert figures["count"] == 4
    assert figures["mean"] == 4.0 and figures["median"] == 2.5
    assert figures["std"] == pytest.approx(math.sqrt(50 / 3))
    assert figures["p25"] == pytest.approx(1.75)
    assert figures["min"] == 1 and figures["max"] == 10
    empty = describe_values([math.nan])
    assert empty["count"] == 0 and math.isnan(empty["mean"])


def test_summarize_by_dataset_and_boolean_share():
    rows = [
        {"dataset": "a", "n_notes": 10, "has_drums": True},
        {"dataset": "a", "n_notes": 20, "has_drums": False},
        {"dataset": "b", "n_notes": 60, "has_drums": True},
    ]
    summary = summarize(rows)
    assert summary["n_pieces"] == 3
    assert summary["all"]["n_notes"]["mean"] == 30.0
    assert summary["datasets"]["a"]["columns"]["n_notes"]["median"] == 15.0
    assert summary["datasets"]["b"]["n_pieces"] == 1
    # Two of three pieces have drums.
    assert summary["all"]["share_has_drums"] == pytest.approx(2 / 3)
    assert "has_drums" not in summary["all"]  # booleans are not averaged as numbers


def band() -> Music:
    """Bass (program 33) and piano (0) and drums, 3/4 at 90 qpm then 60 qpm, in G major."""
    r = 12
    return Music(
        resolution=r,
        tempos=[Tempo(0, 90.0), Tempo(36, 60.0), Tempo(48, 60.0)],
        time_signatures=[TimeSignature(0, 3, 4)],
        key_signatures=[KeySignature(0, root=7, mode="major", fifths=1)],
        tracks=[
            Track(program=33, notes=[Note(0, 43, 36), Note(36, 50, 36)]),
            Track(program=0, notes=[Note(0, 67, 6), Note(6, 71, 18), Note(24, 74, 48)]),
            Track(program=0, is_drum=True, notes=[Note(0, 36, 3), Note(24, 38, 3)]),
        ],
    )


def test_piece_row_of_a_hand_built_band():
    row = piece_row(band(), "demo", "band")
    # Last note ends at 72 ticks = 6 quarters = 2 bars of 3/4 = 6 beats.
    assert row["length_quarters"] == 6.0 and row["length_beats"] == 6.0
    # 3 quarters at 90 qpm (2 s) then 3 quarters at 60 qpm (3 s) = 5 s; the tempo at 48 repeats 60.
    assert row["length_seconds"] == pytest.approx(5.0)
    assert row["initial_tempo"] == 90.0 and row["n_tempo_changes"] == 1
    assert row["n_notes"] == 7 and row["n_drum_notes"] == 2 and row["has_drums"] is True
    assert row["programs"] == "0;33" and row["time_signature"] == "3/4" and row["key_notated"] == "G major"
    assert (row["pitch_min"], row["pitch_max"], row["pitch_range"]) == (43, 74, 31)


def test_piece_histograms_of_the_band():
    histograms = piece_histograms(band())
    # Pitched notes: 43, 50, 67, 71, 74 (drums excluded); classes G, D, G, B, D.
    assert histograms["pitch"].sum() == 5 and histograms["pitch"][[43, 50, 67, 71, 74]].tolist() == [1] * 5
    assert histograms["pitch_class"][[7, 2, 11]].tolist() == [2, 2, 1]
    # Durations in quarters: 3, 3, 0.5, 1.5, 4 -> bins [3, 4) twice, [0.5, 0.75), [1.5, 2), [4, 6).
    assert histograms["duration"].tolist() == [0, 0, 0, 0, 1, 0, 0, 1, 0, 2, 1, 0, 0]
    # Programs 0 and 33 and drums; families piano (0), bass (33 // 8 = 4) and drums (16).
    assert np.flatnonzero(histograms["programs"]).tolist() == [0, 33, 128]
    assert np.flatnonzero(histograms["families"]).tolist() == [0, 4, 16]


def test_failures_are_reported_with_the_source(tmp_path):
    broken = tmp_path / "broken.musicxml"
    broken.write_text("<score-partwise><part id='P1'><measure", encoding="utf-8")
    sources = [PieceSource("mine", "file", str(broken))]
    stats = compute_statistics([band(), *sources], progress=False)
    assert len(stats.rows) == 1 and len(stats.failures) == 1
    failure = stats.failures[0]
    assert failure.index == 1 and failure.item.location == str(broken)
    assert "MusicXMLError" in failure.exception_type


def test_csv_and_parquet_hold_the_rows(tmp_path):
    stats = compute_statistics([band(), Music(resolution=24)], progress=False)
    csv_path = stats.write_csv(tmp_path / "table.csv")
    with open(csv_path, newline="") as handle:
        records = list(csv.DictReader(handle))
    assert [r["n_notes"] for r in records] == ["7", "0"]
    # The empty piece has undefined metrics: written as empty cells, not as a sentinel.
    assert records[1]["pitch_range"] == "" and records[1]["polyphony"] == ""
    frame = stats.write_parquet(tmp_path / "table.parquet")
    import pandas as pd

    loaded = pd.read_parquet(frame)
    assert loaded["n_notes"].tolist() == [7, 0]
    assert loaded["length_seconds"][0] == pytest.approx(5.0) and math.isnan(loaded["pitch_range"][1])
    assert not list(tmp_path.glob("*.part"))  # no temporary file left behind


def test_unknown_source_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="neither an existing file or folder.*known datasets: .*maestro_v3"):
        resolve_sources([str(tmp_path / "nothing_here")])
    # A catalog dataset that is not installed is not downloaded behind the user's back.
    with pytest.raises(DatasetError, match="hymnal"):
        resolve_sources(["hymnal"], root=tmp_path / "empty_root")
    with pytest.raises(DatasetError, match="no works by"):
        resolve_sources(["music21:nobody_at_all"])
    with pytest.raises(DatasetError, match="no file of a known music format"):
        resolve_sources([str(tmp_path)])


def test_summary_json_is_strict(tmp_path):
    from muspy_like.statistics.output import write_json

    path = write_json({"x": math.nan, "y": np.arange(3)}, tmp_path / "s.json")
    assert json.loads(path.read_text()) == {"x": None, "y": [0, 1, 2]}


def test_an_installed_catalog_dataset_is_a_source(tmp_path):
    # "hymnal" is a manual dataset of the catalog (MIDI files the user puts under its root).
    root = tmp_path / "hymnal"
    (root / "tunes").mkdir(parents=True)
    band().write(root / "tunes" / "a.mid")
    Music(resolution=24, tracks=[Track(notes=[Note(0, 60, 24), Note(24, 64, 24)])]).write(root / "tunes" / "b.mid")
    sources = resolve_sources(["hymnal"], root=root)
    assert [s.kind for s in sources] == ["dataset", "dataset"]
    assert sources[0].describe().startswith("hymnal:") and sources[0].describe().endswith("a.mid")
    stats = compute_statistics(sources, n_jobs=2, progress=False)
    assert stats.failures == []
    # Band: 7 notes (5 pitched + 2 drums); the second file: 2 notes.
    assert [row["n_notes"] for row in stats.rows] == [7, 2]
    assert stats.rows[0]["has_drums"] is True and stats.datasets == ["hymnal"]
