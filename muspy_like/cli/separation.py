"""``muspy-like separate`` and ``muspy-like separation``: part separation (automatic instrumentation)."""

from __future__ import annotations

import argparse
import sys

__all__ = ["register"]


_SEPARATE_DESCRIPTION = """\
Split a piece into parts for an ensemble.

The notes of every pitched track of IN are merged into one sequence; the model predicts a part for each
note, and OUT gets one track per part (named and voiced for --ensemble, highest part first), with tempos,
meter and the rest of the piece unchanged. Drum tracks are copied as they are. The formats of IN and OUT
follow their extensions (.mid, .musicxml, .json...).

Give either a trained model (--model, from 'muspy-like separation train') or an untrained method
(--method closest-pitch or closest-pitch-mono: each part starts from an even share of the piece's pitch
range and follows the closest pitches).
"""

_SEPARATE_EPILOG = """\
examples:
  muspy-like separate piano.mid quartet.mid --method closest-pitch-mono --ensemble string_quartet
  muspy-like separate chorale.musicxml satb.mid --model bach_mlp.json --ensemble satb_choir
"""

_SEPARATION_DESCRIPTION = """\
Train and evaluate the part-separation baselines of Dong et al., "Towards Automatic Instrumentation by
Learning to Separate Parts in Symbolic Multitrack Music" (ISMIR 2021), on the Bach chorales built offline
from music21's corpus (409 pieces, 96,605 notes; built once, then cached).

Methods:
  zone                 pitch zones learned on the training set
  zone-oracle          pitch zones chosen on each test piece (upper bound of zoning)
  closest-pitch        closest last pitch, with onset hints
  closest-pitch-mono   the same, sounding parts penalised, one part per chord note
  mlp                  MLP on hand-crafted features, its own predictions as history
  mlp-oracle           the same MLP with the true labels as history
"""

_SEPARATION_EPILOG = """\
examples:
  muspy-like separation build --dataset bach
  muspy-like separation train --dataset bach --method closest-pitch-mono --out cp.json
  muspy-like separation train --dataset bach --method mlp --out mlp.json
  muspy-like separation evaluate --dataset bach --splits 10 --json results.json --markdown results.md
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``separate`` and ``separation`` commands."""
    # Light imports (numpy only): the method and ensemble names, declared once in the package.
    from muspy_like.separation.api import ENSEMBLES
    from muspy_like.separation.methods import METHODS

    separate = subparsers.add_parser(
        "separate",
        help="split a piece into parts for an ensemble",
        description=_SEPARATE_DESCRIPTION,
        epilog=_SEPARATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    separate.add_argument("input", metavar="IN", help="piece to separate (any readable format)")
    separate.add_argument("output", metavar="OUT", help="where to write the separated piece")
    source = separate.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", metavar="FILE", help="trained model (JSON from 'separation train')")
    source.add_argument("--method", choices=("closest-pitch", "closest-pitch-mono"), help="untrained method")
    separate.add_argument("--ensemble", choices=list(ENSEMBLES), help="instruments of the parts (default: "
                          "'Part 1', 'Part 2'... on piano)")
    separate.add_argument("--parts", type=int, metavar="N",
                          help="number of parts for --method (default: the ensemble's size, else 4)")
    separate.set_defaults(func=run_separate)

    separation = subparsers.add_parser(
        "separation",
        help="train and evaluate part-separation baselines",
        description=_SEPARATION_DESCRIPTION,
        epilog=_SEPARATION_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = separation.add_subparsers(dest="separation_command", metavar="ACTION", required=True)

    build = commands.add_parser("build", help="build (or rebuild) and cache the dataset; print its size")
    _dataset_options(build)
    build.add_argument("--rebuild", action="store_true", help="build again even if cached")
    build.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help="processes for building")
    build.set_defaults(func=run_build)

    train = commands.add_parser(
        "train",
        help="train a method and save the model",
        description="Train on the training pieces of the fixed 8:1:1 split (the MLP stops early on the "
        "validation pieces), print the accuracy on its test pieces, and save the model as JSON. With "
        "--all, train on every piece instead.",
    )
    _dataset_options(train)
    train.add_argument("--method", required=True, choices=[m for m in METHODS if not m.endswith("oracle")],
                       help="method to train (the oracles need the true parts: evaluation only)")
    train.add_argument("--out", required=True, metavar="MODEL", help="model file to write (JSON)")
    train.add_argument("--all", action="store_true", help="train on all pieces (no test score)")
    train.set_defaults(func=run_train)

    evaluate = commands.add_parser(
        "evaluate",
        help="the paper's Table 2 (Bach column): ours next to the paper's",
        description="Train and score each method on the fixed split and on --splits random 8:1:1 splits; "
        "print accuracy on the fixed split, mean +/- sd over the random splits, and the paper's figure.",
    )
    _dataset_options(evaluate)
    evaluate.add_argument("--splits", type=int, default=10, metavar="N", help="random splits (default 10)")
    evaluate.add_argument("--methods", nargs="+", choices=list(METHODS), metavar="METHOD",
                          help="methods to run (default: all six)")
    evaluate.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    evaluate.add_argument("--markdown", metavar="FILE", help="also write the table as markdown")
    evaluate.add_argument("--quiet", action="store_true", help="no per-split progress")
    evaluate.set_defaults(func=run_evaluate)


def _dataset_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", default="bach", choices=("bach", "bach-repeats"),
                        help="the chorales as written (bach, the default) or with repeats written out as in "
                        "the paper's data (bach-repeats: 110,242 notes)")
    parser.add_argument("--cache-dir", metavar="DIR", help="where the built dataset is cached "
                        "(default: $MUSPY_LIKE_CACHE or ~/.cache/muspy_like, under separation/)")


def run_separate(args: argparse.Namespace) -> int:
    """Run ``muspy-like separate``."""
    from muspy_like.io import read, write
    from muspy_like.separation import separate

    music = read(args.input)
    model = args.model if args.model is not None else args.method
    result = separate(music, model, ensemble=args.ensemble, n_parts=args.parts)
    write(args.output, result)
    counts = ", ".join(f"{track.name}: {len(track.notes)}" for track in result.tracks)
    print(f"{args.output}: {counts}")
    return 0


def run_build(args: argparse.Namespace) -> int:
    """Run ``muspy-like separation build``."""
    from muspy_like.separation import bach_cache_path, load_bach

    repeats = args.dataset == "bach-repeats"
    dataset = load_bach(args.cache_dir, rebuild=args.rebuild, n_jobs=args.jobs, progress=True,
                        expand_repeats=repeats)
    print(f"{dataset.name}: {len(dataset)} pieces, {dataset.n_notes} notes, parts {', '.join(dataset.part_names)}")
    print(f"cached at {bach_cache_path(args.cache_dir, repeats)}")
    return 0


def run_train(args: argparse.Namespace) -> int:
    """Run ``muspy-like separation train``."""
    from muspy_like.separation import evaluate, fixed_split, load_bach, make_estimator, save_model

    dataset = load_bach(args.cache_dir, progress=True, expand_repeats=args.dataset == "bach-repeats")
    model = make_estimator(args.method)
    split = fixed_split(dataset.names)
    train = dataset if args.all else dataset.subset(split.train)
    extra = {}
    if model.uses_validation:
        valid = dataset.subset(split.valid)
        extra["validation"] = (valid.notes, valid.labels)
    model.fit(train.notes, train.labels, **extra)
    save_model(model, args.out)
    if not args.all:
        test = dataset.subset(split.test)
        score = evaluate(model, test.notes, test.labels)
        print(f"{args.method}: {100 * score['accuracy']:.2f}% of {score['n_notes']} test notes (fixed split)")
    print(f"model saved to {args.out}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    """Run ``muspy-like separation evaluate``."""
    import json

    from muspy_like.files import atomic_write_text
    from muspy_like.separation import evaluate_baselines, load_bach

    dataset = load_bach(args.cache_dir, progress=True, expand_repeats=args.dataset == "bach-repeats")
    progress = None if args.quiet else (lambda message: print(message, file=sys.stderr))
    results = evaluate_baselines(dataset, n_splits=args.splits, methods=args.methods, progress=progress)
    table = results.to_markdown()
    print(table)
    if args.json:
        atomic_write_text(args.json, json.dumps(results.to_dict(), indent=2) + "\n")
    if args.markdown:
        atomic_write_text(args.markdown, table + "\n")
    return 0
