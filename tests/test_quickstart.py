"""The main job end to end: ``muspy-like quickstart`` on music21's bundled corpus, no network.

The command runs into a folder that already holds a smaller earlier run (two short pieces of another part
of the corpus), as a user who reruns it does: every count must be of this run's files only.
"""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

import muspy_like
from muspy_like.separation import ENSEMBLES


@pytest.fixture(scope="module")
def earlier_run(tmp_path_factory):
    """A folder after a first, quick run: its files, relative to the folder, and the run's result."""
    from muspy_like.quickstart import run_quickstart

    out = tmp_path_factory.mktemp("quickstart")
    result = run_quickstart(out, composer="theoryExercises", n_splits=0, n_pieces=3, progress=False, log=None)
    return out, {path.relative_to(out) for path in out.rglob("*") if path.is_file()}, result


@pytest.fixture(scope="module")
def quickstart_dir(earlier_run):
    out, _, _ = earlier_run
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


def test_separated_files_are_string_quartets(quickstart_dir, earlier_run):
    out, _ = quickstart_dir
    _, earlier_files, _ = earlier_run
    files = sorted(path for path in (out / "separated").glob("*.mid") if path.relative_to(out) not in earlier_files)
    assert len(files) == 2
    programs = [program for _, program in ENSEMBLES["string_quartet"]]
    for path in files:
        music = muspy_like.read(path)
        assert [t.program for t in music.tracks] == programs
        assert music.n_notes > 0


def test_every_written_audio_file_is_detected_as_marked(quickstart_dir, earlier_run):
    out, stdout = quickstart_dir
    _, earlier_files, earlier = earlier_run
    earlier_wavs = {out / path for path in earlier_files if path.suffix == ".wav"}
    assert len(earlier_wavs) == 2 * (1 + 4)  # the first run: two pieces, a mix and four stems each
    assert earlier.figures["watermark detected"].endswith("of 10 files (10 written)")
    with open(out / "audio" / "manifest.csv", newline="") as handle:
        written = {out / "audio" / row["file"] for row in csv.DictReader(handle)}
    assert len(written) == 2 * (1 + 4) and written.isdisjoint(earlier_wavs)
    assert set((out / "audio").rglob("*.wav")) == written | earlier_wavs  # the earlier files are still there
    with open(out / "detection.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {Path(row["file"]) for row in rows} == written  # ... but only this run's are scored and counted
    assert all(row["marked"] == "True" for row in rows), rows
    assert "watermark detected: 10 of 10 files (10 written)" in stdout
