"""The watermark audit: its statistics on hand-made numbers, on marked and unmarked renders, the report and the CLI."""

from __future__ import annotations

import csv
import json
import math
from math import comb

import numpy as np
import pytest
from scipy.signal import resample_poly

from muspy_like.audio import render, write_audio
from muspy_like.audio.watermark import EchoWatermark, audit, candidate_watermarks, embed, write_audit_report
from muspy_like.audio.watermark.significance import auroc, decoy_test, holm, normal_test, reference_test
from muspy_like.cli import main
from muspy_like.errors import WatermarkError

from .conftest import SAMPLE_RATE, chorale_like

MARK = EchoWatermark("spread", delta=75, seed=3)
N_CLIPS = 6


# --- the statistics, on numbers whose answers are known ---------------------------------------------------------

def test_auroc_counts_pairs_and_ties():
    assert auroc([3, 4, 5], [0, 1, 2]) == 1.0
    assert auroc([0, 1, 2], [3, 4, 5]) == 0.0
    # pairs (positive > negative): 2 > 1, 3 > 1, 3 > 2 win; 2 vs 2 is a tie (1/2); 1 vs 1 tie; 1 < 2, 2 < ... :
    # positives [1, 2, 3], negatives [1, 2]: wins 0 + 1 + 2 = 3, ties 1 + 1 = 2 -> (3 + 1) / 6
    assert auroc([1, 2, 3], [1, 2]) == pytest.approx(4 / 6)
    with pytest.raises(ValueError, match="NaN"):
        auroc([1.0, math.nan], [0.0])


def test_mann_whitney_p_is_exact_for_separated_small_sets():
    # n = m = 6 without ties, every suspect above every reference: one ordering out of C(12, 6).
    result = reference_test([5, 6, 7, 8, 9, 10], [-1, -0.5, 0, 0.5, 1, 1.5])
    assert result.p_value == pytest.approx(1 / comb(12, 6))
    assert result.statistic == 36


def test_stouffer_and_decoy_and_holm_by_hand():
    result = normal_test([2.0, 2.0, 2.0, 2.0])  # Z = 8 / 2 = 4
    assert result.statistic == pytest.approx(4.0)
    assert result.p_value == pytest.approx(3.167124183e-05, rel=1e-6)
    huge = normal_test(np.full(100, 40.0))  # Z = 400: p underflows, its log does not
    assert huge.p_value == 0.0 and huge.log10_p == pytest.approx(-34_745, rel=1e-3)
    assert decoy_test(3.0, [1.0, 2.0, 3.0, 4.0]).p_value == pytest.approx(3 / 5)  # (1 + #{3, 4}) / 5
    assert decoy_test(9.0, np.zeros(99)).p_value == pytest.approx(0.01)
    assert holm([0.01, 0.04, 0.03]).tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]).tolist() == pytest.approx([1.0, 1.0])


@pytest.mark.parametrize("test", ["normal", "reference", "decoys"])
def test_p_values_are_calibrated_under_the_null(test):
    """Under the null each test rejects at 5 % about 5 % of the time (1,000 seeded draws; binomial bounds)."""
    rng = np.random.default_rng(7)
    rejected = 0
    for _ in range(1000):
        z = rng.standard_normal(8)
        if test == "normal":
            p = normal_test(z).p_value
        elif test == "reference":
            p = reference_test(z, rng.standard_normal(8)).p_value
        else:
            p = decoy_test(z.mean(), rng.standard_normal((99, 8)).mean(axis=1)).p_value
        rejected += p < 0.05
    assert 25 <= rejected <= 75  # 5 % of 1,000 is 50; sd 6.9


# --- audits of real renders ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Suspect folder: the same pieces marked with MARK, one of them at 22.05 kHz; reference: clean renders."""
    root = tmp_path_factory.mktemp("audit")
    suspect, reference, unmarked = root / "suspect", root / "reference", root / "unmarked"
    for folder in (suspect, reference, unmarked):
        folder.mkdir()
    for index in range(N_CLIPS):
        clean = render(chorale_like(index, seconds=5), engine="synth")
        write_audio(reference / f"clean{index}.wav", clean, SAMPLE_RATE)
        write_audio(unmarked / f"other{index}.wav", render(chorale_like(100 + index, seconds=5), engine="synth"),
                    SAMPLE_RATE)
        marked = embed(clean, SAMPLE_RATE, MARK)
        if index == 0:
            write_audio(suspect / "marked0_22k.wav", np.clip(resample_poly(marked, 1, 2, axis=0), -1, 1), 22050)
        else:
            write_audio(suspect / f"marked{index}.wav", marked, SAMPLE_RATE)
    return root


def test_marked_outputs_against_clean_reference(folders):
    candidates = candidate_watermarks(["spread"], [75], [1, 2, 3])
    result = audit(folders / "suspect", candidates, reference=folders / "reference")
    assert result.null == "reference" and result.present == ["spread d=75 seed=3"]
    found = {c.label: c for c in result.candidates}["spread d=75 seed=3"]
    assert found.n_clips == N_CLIPS and found.reference_clips == N_CLIPS
    assert found.auroc == 1.0 and found.mean_z > 5 and found.share_over_threshold >= 0.8
    assert found.p_value == pytest.approx(1 / comb(2 * N_CLIPS, N_CLIPS))  # exact: every suspect clip above
    assert found.adjusted_p == pytest.approx(3 * found.p_value)
    for other in ("spread d=75 seed=1", "spread d=75 seed=2"):
        summary = {c.label: c for c in result.candidates}[other]
        assert not summary.present and summary.mean_z < 3
    resampled = [clip for clip in result.clips if clip.resampled]
    assert [(c.file.endswith("marked0_22k.wav"), c.sample_rate) for c in resampled] == [(True, 22050)]
    assert resampled[0].z["spread d=75 seed=3"] > 2  # band-limited to 10.5 kHz, still marked
    assert any("22050 Hz were resampled" in note for note in result.notes)


def test_decoy_null_without_reference_and_unmarked_outputs(folders):
    marked = audit(folders / "suspect", MARK, decoys=99)
    assert marked.null == "decoys" and marked.candidates[0].p_value == pytest.approx(1 / 100)
    assert marked.decoy_z["spread d=75 seed=3"].shape == (N_CLIPS, 99)
    assert marked.present == []  # p = 0.01 is the smallest 99 decoys can give: not below 0.01
    assert audit(folders / "suspect", MARK, decoys=199).present == ["spread d=75 seed=3"]
    unmarked = audit(folders / "unmarked", MARK, reference=folders / "reference")
    assert unmarked.present == [] and "no candidate is present" in unmarked.verdict
    assert 0.1 < unmarked.candidates[0].auroc < 0.9


def test_single_echo_candidates_and_clips(folders, tmp_path):
    single = EchoWatermark("single", delta=75)
    for index in range(2):
        audio = render(chorale_like(200 + index, seconds=12), engine="synth")
        write_audio(tmp_path / f"s{index}.wav", embed(audio, SAMPLE_RATE, single), SAMPLE_RATE)
    result = audit(tmp_path, candidate_watermarks(["single"], [75, 120]), null="normal", clip_seconds=4)
    assert len(result.clips) == 6 and {clip.clip for clip in result.clips} == {"0-4 s", "4-8 s", "8-12 s"}
    assert result.present == ["single d=75"]
    with pytest.raises(WatermarkError, match="decoy null"):
        audit(tmp_path, single, null="decoys")
    with pytest.raises(WatermarkError, match="reference"):
        audit(tmp_path, single, null="reference")


def test_report_files_and_escaped_html(folders, tmp_path):
    weird = tmp_path / "in"
    weird.mkdir()
    (weird / "<b>&'x.wav").write_bytes(b"not audio")
    for path in sorted((folders / "suspect").iterdir())[:3]:
        (weird / path.name).write_bytes(path.read_bytes())
    result = audit(weird, MARK, reference=folders / "reference")
    written = write_audit_report(result, tmp_path / "report", title="Audit <of> model & data")
    assert set(written) == {"summary_md", "summary_csv", "clips", "json", "histogram", "html", "failures"}
    page = written["html"].read_text()
    assert "<title>Audit &lt;of&gt; model &amp; data</title>" in page
    assert "&lt;b&gt;&amp;&#39;x.wav" in page and "<b>&" not in page
    assert page.count("src='data:image/png;base64,") == 1
    assert written["histogram"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(written["clips"]) as handle:
        rows = list(csv.DictReader(handle))
    assert {row["group"] for row in rows} == {"suspect", "reference"} and len(rows) == 3 + N_CLIPS
    data = json.loads(written["json"].read_text())
    assert data["null"] == "reference" and data["failures"][0]["error"] == "AudioError"
    assert data["candidates"][0]["auroc"] == 1.0


# --- the command line -----------------------------------------------------------------------------------------

def test_cli_audit_prints_the_table_and_writes_the_report(folders, tmp_path, capsys):
    out = tmp_path / "report"
    argv = ["watermark", "audit", str(folders / "suspect"), "--reference", str(folders / "reference"),
            "--seed", "1", "3", "--report", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Verdict: present: spread d=75 seed=3")
    assert "| spread d=75 seed=1 |" in printed and "resampled to 44100 Hz" in printed
    assert {p.name for p in out.iterdir()} == {"summary.md", "summary.csv", "clips.csv", "audit.json",
                                               "histogram.png", "report.html"}


def test_cli_audit_errors_are_one_line_with_the_path(folders, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "afile").write_text("x")
    (tmp_path / "broken.wav").write_text("not audio")
    suspect = str(folders / "suspect")
    mistakes = [
        ([str(tmp_path / "missing")], "missing: no such file"),
        ([str(tmp_path / "empty")], f"no audio files (.wav, .flac, .ogg, .aiff, .aif, .mp3) found in {tmp_path / 'empty'}"),
        ([suspect, "--reference", str(tmp_path / "empty")], f"found in --reference {tmp_path / 'empty'}"),
        ([suspect, "--reference", str(tmp_path / "broken.wav")], f"{tmp_path / 'broken.wav'}: cannot read audio"),
        ([str(tmp_path / "broken.wav")], f"{tmp_path / 'broken.wav'}: cannot read audio"),
        ([suspect, "--report", str(tmp_path / "afile")], f"{tmp_path / 'afile'} is a file"),
        ([suspect, "--method", "single", "--null", "decoys"], "every candidate must use the spread method"),
        ([suspect, "--significance", "2"], "--significance must be between 0 and 1"),
        ([suspect, "--clip-seconds", "0.01"], "--clip-seconds must be"),
        ([suspect, "--delta", "-5"], "lags (--delta) must be distinct positive"),
    ]
    for argv, message in mistakes:
        assert main(["watermark", "audit", *argv]) == 2, argv
        captured = capsys.readouterr()
        assert message in captured.err and captured.err.count("\n") == 1 and "Traceback" not in captured.err, \
            (argv, captured.err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "broken.wav", "empty"]  # nothing written
