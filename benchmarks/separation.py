"""Part separation on the Bach chorales: the paper's Table 2 (Bach column) next to ours, and timings.

Run with ``python -m benchmarks.separation [--splits 10]``. Writes ``results/separation.json`` and
``results/separation.md``: accuracy of each baseline on the fixed split and mean +/- sd over random 8:1:1
splits, beside the figure of Dong et al. (ISMIR 2021); the time to evaluate the four heuristic baselines on
the whole dataset; the MLP's training time; the heuristics on the variant with repeats written out (as
the released script reads the chorales with MusPy 0.5); the spread of the heuristics over many random splits (they train in milliseconds, so 200
splits are cheap), including closest-pitch mono with the tie rule of the paper's released code
(``tie_break="index"``); and, to show what the hidden nonlinearity is worth, the MLP with linear hidden
layers (``activation="identity"``, as in the paper's released code).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks.harness import best_time, machine_info, markdown_table, save_results

HEURISTICS = ("zone", "zone-oracle", "closest-pitch", "closest-pitch-mono")
RELEASED_TIE_RULE = {"closest-pitch-mono": {"tie_break": "index"}}


def time_heuristics_on_whole_set(dataset) -> dict[str, float]:
    """Seconds to fit and score each heuristic on all 409 chorales (best of 3)."""
    from muspy_like.separation import evaluate, make_estimator

    def run(method: str) -> None:
        model = make_estimator(method).fit(dataset.notes, dataset.labels)
        evaluate(model, dataset.notes, dataset.labels)

    return {method: best_time(lambda m=method: run(m), repeat=3) for method in HEURISTICS}


def time_mlp_training(dataset) -> dict[str, float]:
    """Seconds to train the MLP on the fixed split's training pieces, and its epochs."""
    from muspy_like.separation import MLPSeparator, fixed_split

    split = fixed_split(dataset.names)
    train, valid = dataset.subset(split.train), dataset.subset(split.valid)
    start = time.perf_counter()
    model = MLPSeparator().fit(train.notes, train.labels, validation=(valid.notes, valid.labels))
    return {"seconds": time.perf_counter() - start, "epochs": model.n_epochs_, "best_epoch": model.best_epoch_,
            "n_training_notes": train.n_notes}


def heuristic_spread(dataset, n_splits: int) -> tuple[list[list[str]], dict]:
    """The heuristics over ``n_splits`` random splits: table rows (mean, sd, 5th-95th percentile, share of
    splits at or above the paper's figure) and the raw results for the JSON."""
    from muspy_like.separation import evaluate_baselines

    ours = evaluate_baselines(dataset, n_splits=n_splits, methods=list(HEURISTICS))
    released = evaluate_baselines(dataset, n_splits=n_splits, methods=["closest-pitch-mono"],
                                  params=RELEASED_TIE_RULE)
    rows = []
    for label, results, method in [(m, ours, m) for m in HEURISTICS] + [
        ("closest-pitch-mono, released tie rule", released, "closest-pitch-mono")
    ]:
        row = results.summary(method)
        scores = np.array(results.random[method])
        low, high = np.percentile(scores, [5, 95])
        rows.append([label, f"{row['paper']:.2f}", f"{row['mean']:.2f} +/- {row['sd']:.2f}",
                     f"{low:.2f} - {high:.2f}", f"{100 * np.mean(scores >= row['paper']):.1f}"])
    return rows, {"ours": ours.to_dict(), "released_tie_rule": released.to_dict()}


def measure(splits: int, spread_splits: int) -> dict:
    """Every figure of the page, measured."""
    from muspy_like.separation import bach_cache_path, evaluate_baselines, load_bach

    cached = bach_cache_path().exists()
    start = time.perf_counter()
    dataset = load_bach(n_jobs=2)
    load_seconds = time.perf_counter() - start
    print(f"bach: {len(dataset)} pieces, {dataset.n_notes} notes ({load_seconds:.1f} s, cached={cached})")
    heuristics = time_heuristics_on_whole_set(dataset)
    print("whole-set evaluation:", {k: round(v, 2) for k, v in heuristics.items()})
    mlp_training = time_mlp_training(dataset)
    print("MLP training:", mlp_training)
    linear_params = {"activation": "identity"}
    return {
        "dataset": dataset, "cached": cached, "load_seconds": load_seconds, "heuristics": heuristics,
        "mlp_training": mlp_training,
        "results": evaluate_baselines(dataset, n_splits=splits, progress=print),
        "repeats": evaluate_baselines("bach-repeats", n_splits=splits, methods=list(HEURISTICS), progress=print),
        "spread": heuristic_spread(dataset, spread_splits),
        "spread_repeats": heuristic_spread("bach-repeats", spread_splits),
        "linear": evaluate_baselines(dataset, n_splits=splits, methods=["mlp", "mlp-oracle"],
                                     params={"mlp": linear_params, "mlp-oracle": linear_params}, progress=print),
    }


def report(measured: dict, splits: int, spread_splits: int) -> str:
    """The markdown page of the measured figures."""
    dataset, heuristics, mlp_training = measured["dataset"], measured["heuristics"], measured["mlp_training"]
    spread_columns = ["Method", "Paper", f"Mean +/- sd ({spread_splits} splits)", "5th - 95th percentile",
                      "Splits >= paper (%)"]
    linear_rows = [
        [f"{row['method']} (linear layers)", f"{row['paper']:.2f}", f"{row['fixed']:.2f}",
         f"{row['mean']:.2f} +/- {row['sd']:.2f}"]
        for row in measured["linear"].rows()
    ]
    timing_rows = [[f"{method}, fit + predict all 409 chorales", f"{seconds:.2f}"]
                   for method, seconds in heuristics.items()]
    timing_rows.append(["the four together (target < 10 s)", f"{sum(heuristics.values()):.2f}"])
    timing_rows.append([f"MLP training, fixed split ({mlp_training['epochs']} epochs; target < 120 s)",
                        f"{mlp_training['seconds']:.1f}"])
    timing_rows.append([f"loading the dataset ({'cache' if measured['cached'] else 'built from the corpus'})",
                        f"{measured['load_seconds']:.2f}"])
    return "\n\n".join(
        [
            f"Bach chorales: {len(dataset)} pieces, {dataset.n_notes:,} notes. Accuracy in %, fixed split "
            f"(seed 0) and mean +/- sd over {splits} random 8:1:1 splits (seeds 1-{splits}).",
            measured["results"].to_markdown(),
            f"The same on the chorales with repeats written out, as the released script reads them with MusPy "
            f"0.5 ({measured['repeats'].dataset['n_notes']:,} notes):",
            measured["repeats"].to_markdown(),
            f"The heuristics over {spread_splits} random splits (seeds 1-{spread_splits}), as written "
            f"and with repeats written out; \"released tie rule\" is closest-pitch mono with "
            f"tie_break=\"index\", the paper's code note for note:",
            markdown_table(spread_columns, measured["spread"][0]),
            markdown_table(spread_columns, measured["spread_repeats"][0]),
            "MLP with linear hidden layers (the paper's released code has no activation):",
            markdown_table(["Method", "Paper", "Ours, fixed split", "Ours, mean +/- sd"], linear_rows),
            "Timings (seconds):",
            markdown_table(["Task", "Seconds"], timing_rows),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--splits", type=int, default=10, help="random splits (default 10)")
    parser.add_argument("--spread-splits", type=int, default=200,
                        help="random splits for the spread of the heuristics (default 200)")
    args = parser.parse_args()
    measured = measure(args.splits, args.spread_splits)
    markdown = report(measured, args.splits, args.spread_splits)
    dataset = measured["dataset"]
    payload = {
        "machine": machine_info(["numpy", "scipy", "scikit-learn", "music21"]),
        "dataset": {"pieces": len(dataset), "notes": dataset.n_notes, "load_seconds": measured["load_seconds"],
                    "from_cache": measured["cached"]},
        "table2": measured["results"].to_dict(),
        "table2_repeats_expanded": measured["repeats"].to_dict(),
        "heuristics_spread": measured["spread"][1],
        "heuristics_spread_repeats_expanded": measured["spread_repeats"][1],
        "mlp_linear": measured["linear"].to_dict(),
        "whole_set_seconds": measured["heuristics"],
        "mlp_training": measured["mlp_training"],
    }
    path = save_results("separation", payload, markdown)
    print(markdown)
    print(f"written {path}")


if __name__ == "__main__":
    main()
