"""The main job end to end: ``muspy-like quickstart`` on music21's bundled corpus, no network."""

import csv
import subprocess
import sys

import pytest

import muspy_like
from muspy_like.separation import ENSEMBLES


@pytest.fixture(scope="module")
def quickstart_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("quickstart")
    completed = subprocess.run(
        [sys.executable, "-m", "muspy_like", "quickstart", "--out", str(out), "--splits", "1", "--pieces", "2",
         "--no-progress"],
        capture_output=True, text=True, timeout=900,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return out, completed.stdout


def test_summary_names_every_output(quickstart_dir):
    out, stdout = quickstart_dir
    for name in ("cache", "report", "separation table", "separated MIDI", "audio", "detection report"):
        assert name in stdout
    assert str(out) in stdout


def test_cache_holds_the_converted_corpus(quickstart_dir):
    from music21 import corpus

    out, _ = quickstart_dir
    from muspy_like.datasets import load_cached

    cached = load_cached(out / "cache")
    expected = [p for p in corpus.getComposer("bach") if p.suffix.lower() in (".mxl", ".xml", ".musicxml")]
    assert len(cached) == len(expected)


def test_report_page_embeds_its_plots(quickstart_dir):
    out, _ = quickstart_dir
    pages = list((out / "report").glob("*.html"))
    assert len(pages) == 1
    html = pages[0].read_text()
    assert html.count("<img") >= 3
    assert any((out / "report").glob("*.png"))


def test_separation_table_lists_the_fast_baselines(quickstart_dir):
    out, _ = quickstart_dir
    table = (out / "separation" / "results.md").read_text()
    for method in ("zone", "zone-oracle", "closest-pitch", "closest-pitch-mono"):
        assert f"| {method} |" in table


def test_separated_files_are_string_quartets(quickstart_dir):
    out, _ = quickstart_dir
    files = sorted((out / "separated").glob("*.mid"))
    assert len(files) == 2
    programs = [program for _, program in ENSEMBLES["string_quartet"]]
    for path in files:
        music = muspy_like.read(path)
        assert [t.program for t in music.tracks] == programs
        assert music.n_notes > 0


def test_every_written_audio_file_is_detected_as_marked(quickstart_dir):
    out, _ = quickstart_dir
    wavs = list((out / "audio").rglob("*.wav"))
    # two pieces: a mix and four stems each
    assert len(wavs) == 2 * (1 + 4)
    with open(out / "detection.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(wavs)
    assert all(row["marked"] == "True" for row in rows), rows
