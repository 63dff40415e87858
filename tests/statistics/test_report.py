"""The report: files written, the HTML page rendered by headless Chromium with its plots, the CLI."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from muspy_like import Music, Note, Track
from muspy_like.cli import main
from muspy_like.statistics import write_report

CHROMIUM = "/usr/bin/chromium"
#: matplotlib's first two colours (C0 blue, C1 orange): present in the plots, absent from the tables.
PLOT_COLOURS = {"blue": (31, 119, 180), "orange": (255, 127, 14)}


def handmade(n: int) -> Music:
    """A scale of ``n`` quarter notes with a held bass: a second dataset labelled 'handmade'."""
    notes = [Note(24 * i, 60 + i % 12, 24) for i in range(n)] + [Note(0, 36, 24 * n)]
    music = Music(resolution=24, tracks=[Track(program=40, notes=notes)])
    music.metadata.collection = "handmade"
    return music


@pytest.fixture(scope="module")
def report(bach_sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    broken = out.parent / "broken.musicxml"
    broken.write_text("this is not MusicXML", encoding="utf-8")
    written = write_report([*bach_sample[:4], handmade(8), handmade(16), str(broken)], out, n_jobs=2,
                           progress=False, title="Bach & friends")
    return written


def test_report_files(report):
    expected = {"csv", "parquet", "summary", "html", "plot_length", "plot_tempo", "plot_pitch_classes",
                "plot_pitches", "plot_durations", "plot_instruments", "plot_pianoroll"}
    assert set(report) == expected
    for key in expected:
        assert report[key].is_file() and report[key].stat().st_size > 0, key
    for key in (k for k in expected if k.startswith("plot_")):
        assert report[key].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", key
    summary = json.loads(report["summary"].read_text())
    assert summary["summary"]["n_pieces"] == 6
    assert set(summary["summary"]["datasets"]) == {"music21:bach", "handmade"}
    assert summary["summary"]["datasets"]["handmade"]["columns"]["n_notes"]["mean"] == 13.0  # (9 + 17) / 2
    assert len(summary["failures"]) == 1 and summary["failures"][0]["source"].endswith("broken.musicxml")


def test_html_is_self_contained_and_lists_the_failure(report):
    page = report["html"].read_text()
    assert "<title>Bach &amp; friends</title>" in page
    images = re.findall(r"<img alt='[^']*' src='data:image/png;base64,", page)
    assert len(images) == 7
    assert "broken.musicxml" in page and "MusicXMLError" in page
    assert "music21:bach" in page and "handmade" in page


def screenshot(html_path: Path, png_path: Path, profile: Path) -> np.ndarray:
    """Render a page with headless Chromium and return the screenshot as an RGB array."""
    import matplotlib.image

    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", f"--screenshot={png_path}", "--window-size=1200,6400",
        "--hide-scrollbars", html_path.resolve().as_uri(),
    ]
    # Chromium is slow to start on a loaded machine and is occasionally killed by a signal there (seen as
    # SIGTRAP under xdist); one more try then, and the browser's own message if that fails too.
    for attempt in range(2):
        completed = subprocess.run(command, capture_output=True, timeout=300)
        if completed.returncode == 0 or completed.returncode > 0 or attempt == 1:
            break
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")[-2000:]
    return (matplotlib.image.imread(png_path)[..., :3] * 255).round().astype(int)


def colour_pixels(image: np.ndarray, rgb: tuple[int, int, int]) -> int:
    return int(np.count_nonzero(np.abs(image - np.array(rgb)).max(axis=-1) <= 12))


def test_chromium_renders_the_page_with_its_plots(report, tmp_path):
    image = screenshot(report["html"], tmp_path / "page.png", tmp_path / "profile")
    # Control: the same page without its images shows none of the plot colours.
    page = report["html"].read_text()
    bare = tmp_path / "bare.html"
    bare.write_text(re.sub(r"src='data:image/png;base64,[^']*'", "src=''", page), encoding="utf-8")
    control = screenshot(bare, tmp_path / "bare.png", tmp_path / "profile2")
    for name, rgb in PLOT_COLOURS.items():
        assert colour_pixels(control, rgb) == 0, name
        # Two datasets: blue and orange curves and bars drawn over thousands of pixels.
        assert colour_pixels(image, rgb) > 2000, name
    # The page is not blank: the text and table rows darken a good share of the top of the page.
    top = image[:800]
    assert np.count_nonzero(top.min(axis=-1) < 128) > 5000


def test_cli_stats_on_a_folder(tmp_path, testdata_dir, capsys):
    out = tmp_path / "out"
    code = main(["stats", str(testdata_dir / "musicxml"), "--out", str(out), "--no-progress", "-j", "1"])
    printed = capsys.readouterr().out
    assert code == 0
    assert (out / "report.html").is_file() and (out / "statistics.csv").is_file()
    n_files = len([p for p in (testdata_dir / "musicxml").rglob("*") if p.suffix in (".xml", ".musicxml", ".mxl")])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["summary"]["n_pieces"] + len(summary["failures"]) == n_files
    assert f"described {summary['summary']['n_pieces']} piece(s)" in printed


def test_cli_stats_reports_an_unknown_source(tmp_path, capsys):
    code = main(["stats", str(tmp_path / "missing"), "--out", str(tmp_path / "out"), "--no-progress"])
    assert code == 2
    assert "missing" in capsys.readouterr().err


def test_cli_strict_exit_code_when_a_piece_fails(tmp_path, bach_sample, capsys):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.mxl").write_bytes(Path(bach_sample[0].location).read_bytes())
    (folder / "bad.mid").write_bytes(b"not a MIDI file")
    args = ["stats", str(folder), "--out", str(tmp_path / "out"), "--no-progress"]
    assert main(args) == 0
    assert main([*args, "--strict"]) == 3
    printed = capsys.readouterr().out
    assert "described 1 piece(s), 1 failed" in printed and "bad.mid" in printed
