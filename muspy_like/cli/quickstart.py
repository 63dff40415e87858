"""``muspy-like quickstart``: the whole pipeline on the embedded default, with no network."""

from __future__ import annotations

import argparse


def _count(minimum: int):
    """An argparse type: an integer of at least ``minimum``, refused with the option's rule otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is too small: use {minimum} or more")
        return value

    return parse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``quickstart`` command."""
    parser = subparsers.add_parser(
        "quickstart",
        help="run the whole pipeline on music21's bundled Bach chorales (no network)",
        description=(
            "Convert music21's bundled Bach chorales to a cache, write a statistics report (HTML and plots), "
            "evaluate the part-separation baselines, separate a few chorales into string-quartet MIDI files, "
            "render them to audio with stems, embed echo watermarks and write a detection report. "
            "Prints a summary with the paths it wrote."
        ),
    )
    parser.add_argument("--out", default="quickstart-output", help="output folder (default: %(default)s)")
    parser.add_argument("-j", "--jobs", type=_count(1), default=2, help="worker processes (default: %(default)s)")
    parser.add_argument("--splits", type=_count(0), default=2,
                        help="random splits for the separation evaluation, besides the fixed one (default: %(default)s)")
    parser.add_argument("--pieces", type=_count(1), default=3,
                        help="pieces to separate, render and watermark (default: %(default)s)")
    parser.add_argument("--with-mlp", action="store_true", help="also train and evaluate the MLP baselines")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the pipeline and print its summary."""
    from muspy_like.quickstart import run_quickstart

    result = run_quickstart(args.out, n_jobs=args.jobs, n_splits=args.splits, n_pieces=args.pieces,
                            with_mlp=args.with_mlp, progress=not args.no_progress)
    print()
    print(result.summary())
    return 0
