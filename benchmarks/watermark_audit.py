"""Do echo watermarks in rendered training audio survive into a DDSP model's outputs? (issue 18)

Runs :func:`muspy_like.audio.watermark.experiment.run_experiment`: four-part Bach chorales from music21's
corpus rendered voice by voice (one timbre per voice), a clean copy and marked copies of the training
pieces (single echo at lag 75; time-spread at lag 75), one small DDSP instrument trained on each copy
(and one on the single-echo copy with pitch-shift augmentation), generation of the held-out pieces, and
an audit of each marked-trained model's outputs against the clean-trained model's outputs, as generated,
coded as MP3 and resampled to 22.05 kHz. The paper's DDSP row (Tralie et al., arXiv:2412.10649) is
printed beside ours.

Run: ``python -m benchmarks.watermark_audit`` (the default size: 30 minutes of audio, 300 steps per
model; 30 minutes or less on two CPU cores), ``--minutes M --steps N`` for another size (the results
say which size ran), ``--tiny`` for the seconds-long configuration of the tests, ``--keep DIR`` to keep
the generated audio and the audit reports (HTML, histograms).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from typing import Any

from benchmarks.harness import machine_info, markdown_table, save_results


def _cell(value: Any, digits: str = ".2f") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        if value != value:
            return "n/a"
        if 0 < abs(value) < 1e-3:
            return f"{value:.1e}"
        return format(value, digits)
    return str(value)


def tables(result: Any) -> str:
    """The experiment's markdown: the audit table with the paper's row, the null checks, the training data."""
    from muspy_like.audio.watermark.experiment import PAPER_DDSP

    rows = [[row["model"], row["outputs"], row["candidate"], row["clips"],
             f"{_cell(row['mean_z'])} ± {_cell(row['sd_z'])}", _cell(row["share_over_threshold"]),
             f"{_cell(row['clean_mean_z'])} ± {_cell(row['clean_sd_z'])}", _cell(row["auroc"], ".3f"),
             _cell(row["p_value"], ".2g"), _cell(row["decoy_p"], ".2g")] for row in result.rows]
    text = ["Outputs of each marked-trained model against the clean-trained model's outputs for the same held-out "
            "parts (clip z-scores, mean ± sd):", "",
            markdown_table(["model", "outputs", "candidate", "clips", "z marked-trained", "share z>=5",
                            "z clean-trained", "AUROC", "Mann-Whitney p", "decoy p"], rows), "",
            "The paper's DDSP row (Tralie et al., arXiv:2412.10649): "
            + "; ".join(f"{key}: {value}" for key, value in PAPER_DDSP.items()) + ".", ""]
    if result.notes:
        text += [f"- {note}" for note in result.notes] + [""]
    text += ["Unmarked audio scored for each watermark (is the detector's null N(0, 1)?):", "",
             markdown_table(["audio", "candidate", "clips", "mean z", "sd z", "KS p vs N(0,1)"],
                            [[r["audio"], r["candidate"], r["clips"], _cell(r["mean_z"]), _cell(r["sd_z"]),
                              _cell(r["ks_p"], ".2g")] for r in result.null_checks]), "",
             "The marked training copies (what the models saw), z per part:", "",
             markdown_table(["model", "candidate", "parts", "mean z", "sd z"],
                            [[r["model"], r["candidate"], r["parts"], _cell(r["mean_z"]), _cell(r["sd_z"])]
                             for r in result.training_data]), "",
             f"Pieces: {len(result.pieces['train'])} for training ({result.pieces['train_seconds']} s of parts), "
             f"{len(result.pieces['held_out'])} held out ({result.pieces['held_out_seconds']} s). "
             f"Device: {result.device}. Seconds: {json.dumps(result.timings)}."]
    return "\n".join(text)


def main(argv: list[str] | None = None) -> None:
    from muspy_like.audio.watermark.experiment import ExperimentConfig, run_experiment

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiny", action="store_true", help="the seconds-long configuration of the tests")
    parser.add_argument("--minutes", type=float, help="rendered audio, in minutes (default 30)")
    parser.add_argument("--steps", type=int, help="training steps per model (default 300)")
    parser.add_argument("--device", default="auto", help="torch device (default: CUDA when present, else CPU)")
    parser.add_argument("--keep", help="keep the generated audio and the audit reports in this folder")
    args = parser.parse_args(argv)
    config = ExperimentConfig.tiny(device=args.device) if args.tiny else ExperimentConfig()
    config = replace(config, training=replace(config.training, device=args.device))
    if args.minutes is not None:
        config = replace(config, minutes=args.minutes)
    if args.steps is not None:
        config = replace(config, training=replace(config.training, steps=args.steps))
    result = run_experiment(config, args.keep, log=print)
    size = ("tiny" if args.tiny else "default") if args.minutes is None and args.steps is None else "custom"
    header = (f"Configuration: {size} ({config.minutes:g} minutes of audio, {config.training.steps} steps per model, "
              f"batch {config.training.batch} x {config.training.crop_seconds:g} s).\n\n")
    table = header + tables(result)
    payload = {"size": size, "rows": result.rows, "null_checks": result.null_checks,
               "training_data": result.training_data, "pieces": result.pieces, "timings": result.timings,
               "device": result.device, "notes": result.notes, "config": result.config,
               "machine": machine_info(["torch", "music21", "scipy", "soundfile"])}
    save_results("watermark_audit", payload, table)
    print(table)


if __name__ == "__main__":
    main()
