"""``muspy-like separation``: build datasets, train, evaluate and apply part-separation models.

``muspy-like separate IN OUT`` is kept as an alias of ``muspy-like separation apply IN OUT`` (the command
of muspy_like 0.1).
"""

from __future__ import annotations

import argparse
import json
import sys

__all__ = ["register"]

_DESCRIPTION = """\
Part separation (automatic instrumentation): the baselines and sequence models of Dong et al., "Towards
Automatic Instrumentation by Learning to Separate Parts in Symbolic Multitrack Music" (ISMIR 2021), on the
paper's datasets and more, and models that split your own pieces into parts. The baselines train in
seconds; the sequence models (LSTM, Transformer) need PyTorch (pip install 'muspy_like[ml]') and train for
minutes, on a GPU when PyTorch sees one (--device to choose).

Actions:
  build      build (or rebuild) a dataset from its sources and cache it
  train      train a method on a dataset and save the model
  evaluate   the paper's Table 2: ours next to the paper's, one column per dataset
  apply      split a piece into parts with a model (also: muspy-like separate)

Datasets:
{datasets}

Methods:
{methods}
"""

_EPILOG = """\
examples:
  muspy-like separation build --dataset quartets-music21 -j 2
  muspy-like datasets download nes_mdb
  muspy-like separation build --dataset nes -j 2
  muspy-like separation train --dataset quartets-music21 --method mlp --out quartet_mlp.json
  muspy-like separation train --dataset bach --method bilstm --out bach_bilstm.npz
  muspy-like separation apply piano.mid quartet.mid --model quartet_mlp.json
  muspy-like separation evaluate --dataset bach quartets-music21 musicnet nes lmd --splits 10
"""

_APPLY_DESCRIPTION = """\
Split a piece into parts for an ensemble.

The notes of every pitched track of IN are merged into one sequence; the model predicts a part for each
note, and OUT gets one track per part (named and voiced for --ensemble, by default the ensemble of the
model's training data: a string quartet, the NES voices, a pop band, a choir), with tempos, meter and the
rest of the piece unchanged. Drum tracks are copied as they are. The formats of IN and OUT follow their
extensions (.mid, .musicxml, .json...).

Give either a trained model (--model, from 'muspy-like separation train') or an untrained method
(--method closest-pitch or closest-pitch-mono: each part starts from an even share of the piece's pitch
range and follows the closest pitches).
"""

_APPLY_EPILOG = """\
examples:
  muspy-like separation apply piano.mid quartet.mid --method closest-pitch-mono --ensemble string_quartet
  muspy-like separation apply chorale.musicxml satb.mid --model bach_mlp.json
  muspy-like separate song.mid band.mid --model pop_zone.json        (the same command, older name)
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``separation`` command and its ``separate`` alias."""
    # Light imports: the names of datasets, methods and ensembles, declared once in the package.
    from muspy_like.separation.ensembles import ENSEMBLES
    from muspy_like.separation.methods import METHODS
    from muspy_like.separation.recipes import RECIPES

    titles = {name: recipe.title for name, recipe in RECIPES.items()}

    datasets = "\n".join(f"  {name:<20} {title}" for name, title in titles.items())
    width = max(20, *(len(name) for name in METHODS))
    methods = "\n".join(f"  {name:<{width}} {method.description}" for name, method in METHODS.items())
    separation = subparsers.add_parser(
        "separation",
        help="build datasets, train, evaluate and apply part-separation models",
        description=_DESCRIPTION.format(datasets=datasets, methods=methods),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = separation.add_subparsers(dest="separation_command", metavar="ACTION", required=True)
    _add_build(actions, titles)
    _add_train(actions, titles, METHODS)
    _add_evaluate(actions, titles, METHODS)
    _add_apply(actions.add_parser("apply", help="split a piece into parts with a model",
                                  description=_APPLY_DESCRIPTION, epilog=_APPLY_EPILOG,
                                  formatter_class=argparse.RawDescriptionHelpFormatter), ENSEMBLES)
    _add_apply(subparsers.add_parser("separate", help="alias of 'separation apply': split a piece into parts",
                                     description=_APPLY_DESCRIPTION, epilog=_APPLY_EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter), ENSEMBLES)


def _data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder of the catalog downloads, one folder per dataset as 'muspy-like datasets "
                        "download' makes them (default: $MUSPY_LIKE_DATA or the platform's data folder)")
    parser.add_argument("--cache-dir", metavar="DIR", help="where built datasets are cached "
                        "(default: separation/ in $MUSPY_LIKE_CACHE or the platform's cache folder)")
    parser.add_argument("--download", action="store_true", help="download missing data first")
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="processes for building (default 1; -1 = all cores)")


def _add_build(actions: argparse._SubParsersAction, datasets: dict) -> None:
    build = actions.add_parser("build", help="build (or rebuild) and cache a dataset; print its size",
                               description="Build a dataset from its sources with the paper's collection "
                               "rules and cache it; print what was kept and what was skipped, and why.")
    build.add_argument("--dataset", required=True, choices=list(datasets), help="the dataset")
    _data_options(build)
    build.add_argument("--rebuild", action="store_true", help="build again even if the cache is valid")
    build.set_defaults(func=run_build)


def _add_train(actions: argparse._SubParsersAction, datasets: dict, methods: dict) -> None:
    train = actions.add_parser(
        "train",
        help="train a method and save the model",
        description="Train on the training pieces of the dataset's fixed split (its official split, else "
        "the seeded 8:1:1 split; the MLP and the sequence models stop early on the validation pieces), print "
        "the accuracy on its test pieces, and save the model with the dataset's part names (JSON; a .npz "
        "archive of weights for the sequence models). With --all, train on every piece instead.",
    )
    train.add_argument("--dataset", default="bach", choices=list(datasets), help="the dataset (default bach)")
    _data_options(train)
    train.add_argument("--method", required=True, choices=[m for m, spec in methods.items() if not spec.oracle],
                       help="method to train (the oracles need the true parts: evaluation only)")
    train.add_argument("--out", required=True, metavar="MODEL",
                       help="model file to write (JSON; .npz for the sequence models)")
    train.add_argument("--all", action="store_true", help="train on all pieces (no test score)")
    _device_option(train)
    train.set_defaults(func=run_train)


def _add_evaluate(actions: argparse._SubParsersAction, datasets: dict, methods: dict) -> None:
    evaluate = actions.add_parser(
        "evaluate",
        help="the paper's Table 2: ours next to the paper's, one column per dataset",
        description="Train and score each method on each dataset's fixed split and on --splits random 8:1:1 "
        "splits. With one dataset: accuracy on the fixed split, mean +/- sd over the random splits and the "
        "paper's figure. With several (or 'all'): one column per dataset; a dataset that is not downloaded "
        "keeps its column, which says so, and the command that downloads it is printed under the table.",
    )
    evaluate.add_argument("--dataset", nargs="+", default=["bach"], choices=list(datasets) + ["all"],
                          metavar="DATASET", help=f"one or more of {', '.join(datasets)}, or all (default bach)")
    _data_options(evaluate)
    evaluate.add_argument("--splits", type=int, default=10, metavar="N", help="random splits (default 10)")
    evaluate.add_argument("--methods", nargs="+", choices=list(methods), metavar="METHOD",
                          help="methods to run (default: the six baselines)")
    evaluate.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    evaluate.add_argument("--markdown", metavar="FILE", help="also write the table as markdown")
    evaluate.add_argument("--quiet", action="store_true", help="no per-split progress")
    _device_option(evaluate)
    evaluate.set_defaults(func=run_evaluate)


def _device_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", metavar="DEVICE",
                        help="PyTorch device of the sequence models: cpu, cuda, cuda:1... (default: the first "
                        "CUDA GPU when PyTorch sees one, else the CPU)")


def _sequence_params(method: str, args: argparse.Namespace, verbose: bool = False) -> dict:
    """Command-line settings of a method's estimator: device (and progress) for the sequence models."""
    from muspy_like.separation.methods import SEQUENCE_MODELS

    if method not in SEQUENCE_MODELS:
        return {}
    params = {"verbose": verbose}
    if args.device is not None:
        params["device"] = args.device
    return params


def _add_apply(apply: argparse.ArgumentParser, ensembles: dict) -> None:
    apply.add_argument("input", metavar="IN", help="piece to separate (any readable format)")
    apply.add_argument("output", metavar="OUT", help="where to write the separated piece")
    source = apply.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", metavar="FILE", help="trained model (from 'separation train')")
    source.add_argument("--method", choices=("closest-pitch", "closest-pitch-mono"), help="untrained method")
    apply.add_argument("--ensemble", choices=list(ensembles), help="instruments of the parts (default: the "
                       "ensemble of the model's training data, else 'Part 1', 'Part 2'... on piano)")
    apply.add_argument("--parts", type=int, metavar="N",
                       help="number of parts for --method (default: the ensemble's size, else 4)")
    _device_option(apply)
    apply.set_defaults(func=run_apply)


def _load(args: argparse.Namespace, name: str, rebuild: bool = False):
    from muspy_like.separation.recipes import load_dataset

    return load_dataset(name, data_dir=args.data_dir, cache_dir=args.cache_dir, download=args.download,
                        n_jobs=args.jobs, progress=True, rebuild=rebuild)


def run_build(args: argparse.Namespace) -> int:
    """Run ``muspy-like separation build``."""
    from muspy_like.separation.recipes import dataset_cache_path
    from muspy_like.separation.recipes.build import BuildReport

    dataset = _load(args, args.dataset, rebuild=args.rebuild)
    report = BuildReport.from_dict(dataset.info)
    print(report.summary())
    for name, reason, detail in report.skipped_items[:10]:
        print(f"  skipped {name}: {reason}{': ' + detail if detail else ''}")
    if sum(report.skipped.values()) > 10:
        print(f"  ... {sum(report.skipped.values()) - 10} more")
    drums = f", {report.drum_notes:,} drum notes not separated" if report.drum_notes else ""
    print(f"parts: {', '.join(dataset.part_names)}{drums}")
    print(f"cached at {dataset_cache_path(args.dataset, args.cache_dir)}")
    return 0


def run_train(args: argparse.Namespace) -> int:
    """Run ``muspy-like separation train``."""
    from muspy_like.files import check_output_file
    from muspy_like.separation import evaluate, make_estimator, save_model

    check_output_file(args.out)  # before minutes of training, not after
    dataset = _load(args, args.dataset)
    model = make_estimator(args.method, **_sequence_params(args.method, args, verbose=True))
    split = dataset.fixed_split()
    train = dataset if args.all else dataset.subset(split.train)
    extra = {}
    if model.uses_validation:
        valid = dataset.subset(split.valid)
        extra["validation"] = (valid.notes, valid.labels)
    model.fit(train.notes, train.labels, **extra)
    save_model(model, args.out, part_names=dataset.part_names)
    if not args.all:
        test = dataset.subset(split.test)
        score = evaluate(model, test.notes, test.labels)
        which = "official split" if split.seed < 0 else "fixed split"
        print(f"{args.method}: {100 * score['accuracy']:.2f}% of {score['n_notes']} test notes ({which})")
    print(f"model saved to {args.out}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    """Run ``muspy-like separation evaluate``."""
    from muspy_like.files import atomic_write_text, check_output_file
    from muspy_like.separation import evaluate_baselines, evaluate_datasets
    from muspy_like.separation.recipes import RECIPES

    for output in (args.json, args.markdown):
        if output:
            check_output_file(output)

    names = list(RECIPES) if "all" in args.dataset else list(dict.fromkeys(args.dataset))
    progress = None if args.quiet else (lambda message: print(message, file=sys.stderr))
    options = {"data_dir": args.data_dir, "cache_dir": args.cache_dir, "download": args.download,
               "n_jobs": args.jobs, "progress": not args.quiet}
    params = {method: _sequence_params(method, args) for method in args.methods or ()}
    if len(names) == 1:
        results = evaluate_baselines(names[0], n_splits=args.splits, methods=args.methods, params=params,
                                     progress=progress, load_options=options)
    else:
        results = evaluate_datasets(names, n_splits=args.splits, methods=args.methods, params=params,
                                    progress=progress, load_options=options)
    table = results.to_markdown()
    print(table)
    if args.json:
        atomic_write_text(args.json, json.dumps(results.to_dict(), indent=2) + "\n")
    if args.markdown:
        atomic_write_text(args.markdown, table + "\n")
    return 0


def run_apply(args: argparse.Namespace) -> int:
    """Run ``muspy-like separation apply`` (and its alias ``muspy-like separate``)."""
    from muspy_like.files import check_output_file
    from muspy_like.io import format_of, read, write
    from muspy_like.separation import separate

    format_of(args.output)
    check_output_file(args.output)
    music = read(args.input)
    model = args.model if args.model is not None else args.method
    if args.model is not None and args.device is not None:
        from muspy_like.separation import load_model

        model = load_model(args.model)
        if "device" in model.get_params():
            model.set_params(device=args.device)
    result = separate(music, model, ensemble=args.ensemble, n_parts=args.parts)
    write(args.output, result)
    counts = ", ".join(f"{track.name}: {len(track.notes)}" for track in result.tracks)
    print(f"{args.output}: {counts}")
    return 0
