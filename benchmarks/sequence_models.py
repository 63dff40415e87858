"""The paper's sequence models on the Bach chorales: Table 2 and Table 3 of Dong et al. (ISMIR 2021).

Run with ``python -m benchmarks.sequence_models [--splits 2] [--ablation-splits 1] [--quartet-splits 0]``
(``--only ROW...`` to train some rows, ``--report`` to train nothing and write the tables from the saved runs).
Trains, at the default size and with the default recipe, on the CPU unless a GPU is present:

* **Table 2** (Bach column): the online LSTM and Transformer decoder, the offline BiLSTM and Transformer
  encoder, each without and with entry hints;
* **Table 3**: the online LSTM's input ablation (raw inputs, embeddings, + duration, + entry hints,
  + duration and entry hints, + pitch hints);

on the fixed split (seed 0) and random 8:1:1 splits (seeds 1, 2, ...), the same splits as the baselines'
table (``benchmarks/separation.py``); and the four models on music21's string quartets
(``quartets-music21``, fixed split; ``--no-quartets`` to leave them out). Writes ``results/sequence_models.json`` and ``.md``: test accuracy
next to the paper's figure, training time and epochs per model.

Training takes minutes per model, so every finished (model, split) run is kept in
``results/sequence_models_runs.json`` as soon as it ends, and a later call reuses the runs made with the
same configuration and :data:`RECIPE` (``--fresh`` starts over). The file records the machine load and
the device of every run.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

import numpy as np

from benchmarks.harness import RESULTS_DIR, machine_info, markdown_table, save_results

#: Bump when the training recipe or the models change, so that older runs are not reused.
RECIPE = 1
RUNS_FILE = RESULTS_DIR / "sequence_models_runs.json"
LOCK_FILE = RESULTS_DIR.parent / ".cache" / "sequence_models_runs.lock"

#: Row -> (estimator class name, hyper-parameters, paper's accuracy in %, table).
CONFIGS: dict[str, tuple[str, dict[str, Any], float, str]] = {
    "LSTM": ("LSTMSeparator", {}, 93.02, "table2"),
    "Transformer decoder": ("TransformerSeparator", {"causal": True}, 91.51, "table2"),
    "BiLSTM": ("LSTMSeparator", {"bidirectional": True}, 97.13, "table2"),
    "Transformer encoder": ("TransformerSeparator", {"causal": False}, 96.81, "table2"),
    "LSTM, entry hints": ("LSTMSeparator", {"entry_hints": True}, 92.70, "table2"),
    "Transformer decoder, entry hints": ("TransformerSeparator", {"causal": True, "entry_hints": True}, 91.17,
                                         "table2"),
    "BiLSTM, entry hints": ("LSTMSeparator", {"bidirectional": True, "entry_hints": True}, 97.39, "table2"),
    "Transformer encoder, entry hints": ("TransformerSeparator", {"causal": False, "entry_hints": True}, 93.81,
                                         "table2"),
    "LSTM, raw inputs (no embeddings)": ("LSTMSeparator", {"embeddings": False}, 92.10, "table3"),
    "LSTM, + duration": ("LSTMSeparator", {"duration": True}, 96.17, "table3"),
    "LSTM, + duration and entry hints": ("LSTMSeparator", {"duration": True, "entry_hints": True}, 95.95,
                                         "table3"),
    "LSTM, + pitch hints": ("LSTMSeparator", {"pitch_hints": True}, 92.87, "table3"),
    # Beyond the 10-minute budget: how far the Transformers get with more epochs (fixed split only).
    "Transformer decoder, up to 200 epochs": ("TransformerSeparator", {"causal": True, "max_epochs": 200}, 91.51,
                                              "budget"),
    "Transformer encoder, up to 200 epochs": ("TransformerSeparator", {"causal": False, "max_epochs": 200}, 96.81,
                                              "budget"),
}
#: Table 3's rows, in the paper's order (two of them are Table 2's LSTM rows).
TABLE3 = ["LSTM, raw inputs (no embeddings)", "LSTM", "LSTM, + duration", "LSTM, entry hints",
          "LSTM, + duration and entry hints", "LSTM, + pitch hints"]


def run_key(name: str, seed: int, dataset: str = "bach") -> str:
    cls, params, _, _ = CONFIGS[name]
    return json.dumps({"recipe": RECIPE, "estimator": cls, "params": params, "seed": seed, "dataset": dataset},
                      sort_keys=True)


def load_runs(fresh: bool) -> dict[str, dict[str, Any]]:
    if fresh or not RUNS_FILE.exists():
        return {}
    runs = {}
    for key, run in json.loads(RUNS_FILE.read_text()).items():
        fields = json.loads(key)
        fields.setdefault("dataset", "bach")  # the first runs were all on the chorales
        runs[json.dumps(fields, sort_keys=True)] = run
    return runs


def save_runs(runs: dict[str, dict[str, Any]], merge: bool = True) -> None:
    """Write the runs, merged with those that other calls saved meanwhile (two calls may train side by side,
    each with its own ``--only`` rows; ``merge=False`` after ``--fresh``): the file is locked while it is read
    and rewritten."""
    import fcntl

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK_FILE, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if merge:
            for key, run in load_runs(fresh=False).items():
                runs.setdefault(key, run)
        temporary = RUNS_FILE.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(runs, indent=1, sort_keys=True) + "\n")
        temporary.replace(RUNS_FILE)


def train_and_score(dataset, name: str, split) -> dict[str, Any]:
    """Train one configuration on a split's training pieces (early stopping on its validation pieces) and
    score it on its test pieces."""
    from muspy_like.separation import evaluate
    from muspy_like.separation import sequence

    cls_name, params, _, _ = CONFIGS[name]
    model = getattr(sequence, cls_name)(**params)
    train, valid, test = (dataset.subset(split.train), dataset.subset(split.valid), dataset.subset(split.test))
    load_before = os.getloadavg()[0]
    start, cpu_start = time.perf_counter(), time.process_time()
    model.fit(train.notes, train.labels, validation=(valid.notes, valid.labels))
    fit_seconds, fit_cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    scores = evaluate(model, test.notes, test.labels)
    from muspy_like.separation.sequence.training import resolve_device

    return {
        "accuracy": 100.0 * scores["accuracy"],
        "fit_seconds": fit_seconds,
        "fit_cpu_seconds": fit_cpu_seconds,
        "predict_seconds": scores["seconds"],
        "epochs": model.n_epochs_,
        "best_epoch": model.best_epoch_,
        "validation_accuracy": 100.0 * model.validation_accuracy_,
        "device": str(resolve_device(model.device)),
        "load_average": [load_before, os.getloadavg()[0]],
        "history": model.history_,
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def summarize(runs: dict[str, dict[str, Any]], names: list[str], seeds: list[int], dataset: str = "bach",
              fixed_seed: int = 0) -> list[dict[str, Any]]:
    rows = []
    for name in names:
        paper = CONFIGS[name][2] if dataset == "bach" else None
        fixed = runs.get(run_key(name, fixed_seed, dataset))
        random = [runs[run_key(name, s, dataset)]["accuracy"] for s in seeds if run_key(name, s, dataset) in runs]
        mean = float(np.mean(random)) if random else float("nan")
        sd = float(np.std(random, ddof=1)) if len(random) > 1 else float("nan")
        rows.append({
            "model": name, "paper": paper, "fixed": fixed["accuracy"] if fixed else None,
            "mean": mean, "sd": sd, "n_splits": len(random),
            "paper_in_sds": (paper - mean) / sd if paper is not None and len(random) > 1 and sd > 0 else None,
            "fit_seconds": fixed["fit_seconds"] if fixed else None,
            "fit_cpu_seconds": fixed.get("fit_cpu_seconds") if fixed else None,
            "epochs": f"{fixed['best_epoch']}/{fixed['epochs']}" if fixed else None,
        })
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    headers = ["Model", "Paper", "Ours, fixed split", "Ours, random splits: mean +/- sd (n)", "Paper - mean (sd)",
               "Training, fixed split: wall / CPU (s)", "Best / last epoch"]
    body = []
    for row in rows:
        if row["n_splits"] > 1:
            spread = f"{row['mean']:.2f} +/- {row['sd']:.2f} ({row['n_splits']})"
        else:  # one random split: its figure, with no spread
            spread = f"{row['mean']:.2f} (1)" if row["n_splits"] == 1 else "-"
        body.append([
            row["model"], "-" if row["paper"] is None else f"{row['paper']:.2f}",
            "-" if row["fixed"] is None else f"{row['fixed']:.2f}", spread,
            "-" if row["paper_in_sds"] is None else f"{row['paper_in_sds']:+.1f}",
            "-" if row["fit_seconds"] is None else f"{row['fit_seconds']:.0f} / {row['fit_cpu_seconds']:.0f}",
            row["epochs"] or "-",
        ])
    return markdown_table(headers, body)


def stopping(runs: dict[str, dict[str, Any]], names: list[str], dataset: str = "bach", seed: int = 0
             ) -> list[dict[str, Any]]:
    """How each saved run on one split ended: by early stopping (``patience`` epochs without a lower
    validation loss) or at its epoch cap, and how much its validation loss still fell over its last 10
    epochs (a run stopped by the cap while that loss still falls was cut short by the budget)."""
    from muspy_like.separation import sequence

    rows = []
    for name in names:
        run = runs.get(run_key(name, seed, dataset))
        if run is None:
            continue
        cls_name, params, _, _ = CONFIGS[name]
        model = getattr(sequence, cls_name)(**params)
        losses = run["history"]["validation_loss"]
        by_cap = run["epochs"] == model.max_epochs and run["epochs"] - run["best_epoch"] < model.patience
        rows.append({
            "model": name, "max_epochs": model.max_epochs, "epochs": f"{run['best_epoch']}/{run['epochs']}",
            "stopped_by": "epoch cap" if by_cap else "early stopping",
            "loss_before": losses[-11] if len(losses) > 10 else None, "loss_last": losses[-1],
        })
    return rows


def stopping_table(rows: list[dict[str, Any]]) -> str:
    headers = ["Model", "Epoch cap", "Best / last epoch", "Stopped by",
               "Validation loss 10 epochs before the end", "at the end"]
    return markdown_table(headers, [[
        row["model"], row["max_epochs"], row["epochs"], row["stopped_by"],
        "-" if row["loss_before"] is None else f"{row['loss_before']:.4f}", f"{row['loss_last']:.4f}",
    ] for row in rows])


def run_missing(runs: dict[str, dict[str, Any]], dataset, names: list[str], splits, n_random: dict[str, int],
                merge: bool = True) -> None:
    """Train and score every (model, split) run not saved yet, one split after the other, saving each."""
    fixed_seed = splits[0].seed
    for split in splits:  # every model on one split before the next: partial results stay comparable
        for name in names:
            key = run_key(name, split.seed, dataset.name)
            if (split.seed != fixed_seed and split.seed > n_random[name]) or key in runs:
                continue
            runs[key] = train_and_score(dataset, name, split)
            save_runs(runs, merge)
            run = runs[key]
            print(f"{dataset.name}: {name}, split {split.seed}: {run['accuracy']:.2f}% ({run['fit_seconds']:.0f} s, "
                  f"CPU {run['fit_cpu_seconds']:.0f} s, epochs {run['best_epoch']}/{run['epochs']}, load "
                  f"{run['load_average'][0]:.1f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--splits", type=int, default=2, help="random splits for Table 2 (default 2)")
    parser.add_argument("--ablation-splits", type=int, default=1,
                        help="random splits for Table 3's other rows (default 1)")
    parser.add_argument("--quartet-splits", type=int, default=0,
                        help="random splits of quartets-music21 for the four models (default 0: fixed split)")
    parser.add_argument("--only", nargs="+", choices=list(CONFIGS), metavar="MODEL",
                        help="train only these rows (the tables show what is saved)")
    parser.add_argument("--no-quartets", action="store_true", help="leave out music21's string quartets")
    parser.add_argument("--fresh", action="store_true", help="ignore the runs saved by earlier calls")
    parser.add_argument("--report", action="store_true",
                        help="train nothing: write the tables from the saved runs (rows not run show '-')")
    args = parser.parse_args()

    from muspy_like.separation import load_dataset

    runs = load_runs(args.fresh)
    bach = load_dataset("bach", n_jobs=2)
    splits = [bach.fixed_split()] + bach.random_splits(max(args.splits, args.ablation_splits))
    n_random = {name: {"table2": args.splits, "table3": args.ablation_splits}.get(config[3], 0)
                for name, config in CONFIGS.items()}
    names = [] if args.report else args.only or list(CONFIGS)
    budget = [name for name in names if CONFIGS[name][3] == "budget"]
    run_missing(runs, bach, [name for name in names if name not in budget], splits[:1], n_random, not args.fresh)
    four = ["LSTM", "Transformer decoder", "BiLSTM", "Transformer encoder"]
    if not args.no_quartets:  # the quartets' fixed split before the chorales' random splits
        quartets = load_dataset("quartets-music21", n_jobs=2)
        q_splits = [quartets.fixed_split()] + quartets.random_splits(args.quartet_splits)
        run_missing(runs, quartets, [n for n in four if n in names], q_splits,
                    {name: args.quartet_splits for name in four}, not args.fresh)
    run_missing(runs, bach, budget, splits[:1], n_random, not args.fresh)
    run_missing(runs, bach, names, splits, n_random, not args.fresh)
    table2_names = [n for n, c in CONFIGS.items() if c[3] == "table2"]
    table2 = summarize(runs, table2_names, list(range(1, args.splits + 1)))
    table3 = summarize(runs, TABLE3, list(range(1, args.ablation_splits + 1)))
    budget_rows = summarize(runs, ["Transformer decoder", "Transformer decoder, up to 200 epochs",
                                   "Transformer encoder", "Transformer encoder, up to 200 epochs"], [])
    budget_rows = [row for row in budget_rows if row["fixed"] is not None]
    stops = stopping(runs, [n for n in CONFIGS if CONFIGS[n][3] != "budget"])
    sections = [
        f"Bach chorales: {len(bach)} pieces, {bach.n_notes:,} notes. Test accuracy in %, fixed split "
        "(seed 0) and mean +/- sd over random 8:1:1 splits; default sizes and recipe; training time on the "
        "fixed split (wall clock, and CPU time of the process: PyTorch runs one thread, so on an idle machine "
        "the CPU time is the wall time), best (kept) and last epoch.",
        "",
        "Table 2 (Bach column): online LSTM and Transformer decoder, offline BiLSTM and Transformer encoder, "
        "without and with entry hints:",
        "",
        table(table2),
        "",
        "Table 3: the online LSTM's inputs (embeddings: pitch, beat and position embeddings and frequency):",
        "",
        table(table3),
        "",
        "How the runs on the fixed split ended: early stopping (10 epochs without a lower validation loss) "
        "or the epoch cap that keeps a Bach model to about 10 CPU minutes:",
        "",
        stopping_table(stops),
    ]
    if len(budget_rows) > 2:
        sections += [
            "",
            "The Transformers with a larger budget (fixed split): up to 200 epochs instead of 60, still "
            "stopping after 10 epochs without a lower validation loss:",
            "",
            table(budget_rows),
        ]
    payload = {"machine": machine_info(["torch", "numpy"]), "recipe": RECIPE, "table2": table2, "table3": table3,
               "stopping": stops, "budget": budget_rows}
    if not args.no_quartets:
        payload["quartets"] = summarize(runs, four, list(range(1, args.quartet_splits + 1)), "quartets-music21",
                                        q_splits[0].seed)
        sections += [
            "",
            f"String quartets of music21's corpus: {len(quartets)} movements, {quartets.n_notes:,} notes; the "
            "four models on the fixed split (no paper figure: the paper's String column is MusicNet):",
            "",
            table(payload["quartets"]),
        ]
    text = "\n".join(sections)
    print(text)
    payload["runs"] = runs
    save_results("sequence_models", payload, text)


if __name__ == "__main__":
    main()
