"""The watermark-survival experiment in its tiny configuration: a DDSP model trained on marked renders."""

from __future__ import annotations

import pytest

pytest.importorskip("torch", reason='the experiment trains PyTorch models: pip install "muspy_like[ml]"')

from muspy_like.audio.watermark.experiment import ExperimentConfig, run_experiment  # noqa: E402


def test_tiny_run_marked_trained_outputs_score_above_clean_trained(tmp_path):
    result = run_experiment(ExperimentConfig.tiny(seed=0, device="cpu"), tmp_path)
    assert result.training_data[0]["mean_z"] > 5  # the marked training copy carries the echo
    row = result.row("single")
    assert row["candidate"] == "single d=75" and row["clips"] == 2
    # Seeded, so the figures repeat (4.5 against 0.1 here); over seeds 0-2 the margin was 2.5 to 4.5.
    assert row["mean_z"] > row["clean_mean_z"] + 2
    assert row["auroc"] >= 0.75  # two held-out clips per model: 1.0 here
    assert result.pieces["held_out"] and not set(result.pieces["held_out"]) & set(result.pieces["train"])
    assert (tmp_path / "audits" / "single_as_generated" / "report.html").is_file()
    assert sorted(p.name for p in (tmp_path / "outputs" / "single" / "as_generated").iterdir()) == \
        sorted(p.name for p in (tmp_path / "inputs").iterdir())
