"""``muspy-like stats``: dataset statistics, plots and an HTML report."""

from __future__ import annotations

import argparse

__all__ = ["register"]

_DESCRIPTION = """\
Compute statistics of one or more collections of pieces and write a report a person can read.

Each SOURCE is a file, a folder (every file of a known format below it), a music21 corpus composer
written music21:NAME (e.g. music21:bach, read offline from music21's bundled corpus), or the name of a
catalog dataset (read from --root, the folder of that one dataset, or DATA_HOME/NAME; see
'muspy-like datasets --help'). Each SOURCE is one group: the plots and the comparison table put
the groups side by side.

Written into --out:
  statistics.csv       one row per piece (counts, length in beats and seconds, tempo, key, time
                       signature, programs, and every metric)
  statistics.parquet   the same table (when pandas and pyarrow are installed)
  summary.json         count, mean, std, percentiles of every column, per group; histograms of pitch,
                       pitch class, duration and programs; the pieces that failed and why
  *.png                length and tempo distributions, pitches, pitch classes, durations,
                       instrument usage, a piano roll
  report.html          everything above on one self-contained page (open it in a browser)

Pieces that cannot be read are listed (file, error, message), not skipped silently; the exit code is 0
when at least one piece was described, 3 when some failed and --strict is given.
"""

_EPILOG = """\
examples:
  muspy-like stats music21:bach --out bach_report -j 2
  muspy-like stats my_midi/ music21:mozart --out compare
  muspy-like stats maestro --root ~/muspy_data/maestro_v3 --out maestro_stats -j 4
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``stats`` command."""
    parser = subparsers.add_parser(
        "stats",
        help="dataset statistics, plots and an HTML report",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="file, folder, music21:COMPOSER or dataset name")
    parser.add_argument("--out", "-o", required=True, metavar="DIR", help="output folder (created if missing)")
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="worker processes (default 1; -1 = every core)")
    parser.add_argument("--root", metavar="DIR", help="folder of the dataset named as SOURCE, as given to 'muspy-like datasets download NAME --root DIR' "
                        "(default: DATA_HOME/NAME)")
    parser.add_argument("--title", default="Dataset statistics", help="title of the HTML page")
    parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    parser.add_argument("--strict", action="store_true", help="exit with code 3 if any piece failed")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``muspy-like stats``; returns the exit code."""
    import json

    from muspy_like.errors import DatasetError
    from muspy_like.statistics import write_report

    written = write_report(
        args.sources, args.out, n_jobs=args.jobs, root=args.root, title=args.title, progress=not args.no_progress
    )
    summary = json.loads(written["summary"].read_text())
    n_pieces, failures = summary["summary"]["n_pieces"], summary["failures"]
    print(f"described {n_pieces} piece(s), {len(failures)} failed")
    for failure in failures[:10]:
        print(f"  failed: {failure['source']}: {failure['error']}: {failure['message']}")
    if len(failures) > 10:
        print(f"  ... and {len(failures) - 10} more (see {written['summary']})")
    for key, path in written.items():
        print(f"{key:>20}: {path}")
    if n_pieces == 0:
        raise DatasetError(f"no piece could be described from {', '.join(args.sources)}")
    return 3 if failures and args.strict else 0
