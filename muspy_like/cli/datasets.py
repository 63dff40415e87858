"""``muspy-like datasets``: list the catalog, describe, download and convert datasets."""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from muspy_like.datasets import DownloadOptions
    from muspy_like.datasets.catalog import DatasetSpec

__all__ = ["register"]

_DESCRIPTION = """\
Manage the datasets of the muspy_like catalog.

  list                       every dataset: download size, format, license, checksum status
  info NAME                  description, homepage, license, splits and BibTeX citation
  download NAME [--root DIR] download (resumable, verified) and extract safely into DIR
  convert NAME [--root DIR] --cache DIR [-j N]
                             read every piece once into a fast cache (native JSON + arrays)
  verify --root DIR          re-hash the extracted files against the installation manifest
  table [--update FILE]      the catalog as a markdown table (regenerates docs/datasets.md)

--root is the folder of one dataset (it receives DIR/data, DIR/archives and the completion marker).
Without it, a dataset goes to DATA_HOME/NAME, where DATA_HOME is $MUSPY_LIKE_DATA or the platform's
data folder (Linux: ~/.local/share/muspy_like/datasets).

Downloads retry with backoff, resume interrupted transfers, fall back to mirrors, stop at a deadline and
verify sizes and SHA-256/MD5 checksums; datasets whose checksum is unknown are marked "unverified".
--from PATH_OR_URL fetches an archive from a local file or another URL instead of the catalog's (its
size and checksum still apply); $MUSPY_LIKE_CATALOG names folders of catalog files of your own, which
add datasets or replace entries of the same name.
"""

_ROOT_HELP = "folder of this dataset (default: DATA_HOME/NAME; see 'muspy-like datasets --help')"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``datasets`` command and its subcommands."""
    parser = subparsers.add_parser(
        "datasets",
        help="list, describe, download and convert datasets",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="datasets_command", metavar="SUBCOMMAND")

    listing = commands.add_parser("list", help="list the catalog", description="List every dataset of the catalog.")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(func=_list)

    info = commands.add_parser(
        "info", help="describe one dataset", description="Describe one dataset and print its citation."
    )
    info.add_argument("name", help="dataset name or alias (see 'muspy-like datasets list'), or a catalog YAML file")
    info.add_argument("--root", help=_ROOT_HELP + "; given, the downloaded pieces are counted")
    info.set_defaults(func=_info)

    download = commands.add_parser(
        "download",
        help="download and extract a dataset",
        description="Download, verify and safely extract a dataset into ROOT (ROOT/data, with a completion marker).",
    )
    download.add_argument("name", help="dataset name or alias, or a catalog YAML file of your own")
    download.add_argument("--root", help=_ROOT_HELP + "; created if missing")
    _network_options(download)
    download.set_defaults(func=_download)

    convert = commands.add_parser(
        "convert",
        help="convert a dataset into a fast cache",
        description=(
            "Read every piece of a dataset (downloading it first if needed) and write a cache of native JSON "
            "and column-wise arrays, with index.json mapping back to the sources and failures.json listing "
            "the pieces that could not be read (file, ABC tune with its X: number and line, reason). ABC tune "
            "books are one piece per tune: a broken tune fails alone. An interrupted conversion resumes: "
            "running the command again converts only the pieces not finished (or changed, or failed)."
        ),
    )
    convert.add_argument(
        "name", help="dataset name or alias, or a catalog YAML file (music21:COMPOSER for part of the music21 corpus)"
    )
    convert.add_argument("--root", help=_ROOT_HELP + "; not used for music21")
    convert.add_argument("--cache", required=True, help="output folder of the cache")
    convert.add_argument("-j", "--jobs", type=int, default=1, help="worker processes (default 1; -1 = all cores)")
    _network_options(convert)
    convert.add_argument(
        "--restart", action="store_true", help="convert every piece again (default: resume, keeping finished pieces)"
    )
    convert.set_defaults(func=_convert)

    verify = commands.add_parser(
        "verify",
        help="re-check the extracted files of a dataset",
        description="Re-hash every extracted file of ROOT against its manifest; exit status 1 if any changed.",
    )
    verify.add_argument("--root", required=True, help="folder of one installed dataset")
    verify.set_defaults(func=_verify)

    table = commands.add_parser(
        "table",
        help="print the catalog as a markdown table",
        description="Print the catalog as a markdown table, or rewrite it between the catalog-table markers of a page.",
    )
    table.add_argument("--update", metavar="FILE", help="markdown file to update in place (e.g. docs/datasets.md)")
    table.set_defaults(func=_table)

    parser.set_defaults(func=lambda args: parser.print_help() or 1)


def _network_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="sources", action="append", metavar="PATH_OR_URL",
        help="fetch an archive from this local file or URL instead of the catalog's URLs (repeatable: one per "
        "archive, matched by file name, or mirrors tried in order for a one-archive dataset)",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the server (default 30)")
    parser.add_argument("--retries", type=int, default=4, help="retries per URL for transient errors (default 4)")
    parser.add_argument(
        "--deadline", type=float, metavar="SECONDS",
        help="give up on an archive after this many seconds, retries and mirrors included "
        "(default: 600 plus the archive's size at 50 kB/s); a later run resumes",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")


def _options(args: argparse.Namespace) -> "DownloadOptions":
    from muspy_like.datasets import DownloadOptions

    if args.timeout <= 0 or args.retries < 0 or (args.deadline is not None and args.deadline <= 0):
        from muspy_like.errors import DatasetError

        raise DatasetError("--timeout and --deadline must be positive, --retries zero or more")
    return DownloadOptions(
        timeout=args.timeout, retries=args.retries, deadline=args.deadline, progress=not args.no_progress
    )


def _spec(name: str) -> "DatasetSpec":
    """A catalog entry by name or alias, or read from a YAML file of the same form."""
    from pathlib import Path

    from muspy_like.datasets.catalog import get_spec, load_spec

    if name.endswith((".yaml", ".yml")) and Path(name).is_file():
        return load_spec(name)
    return get_spec(name)


def _list(args: argparse.Namespace) -> int:
    from muspy_like.datasets.catalog import format_size, load_catalog

    specs = load_catalog().values()
    if args.json:
        rows = [
            {"name": s.name, "title": s.title, "size": s.size, "format": s.format, "license": s.license,
             "checksum": s.checksum_status, "verified": s.verified, "download": s.download}
            for s in specs
        ]
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'name':<14} {'size':>9}  {'format':<9} {'checksum':<20} title")
    for spec in specs:
        size = format_size(spec.size) if spec.download == "archive" else "-"
        status = spec.checksum_status
        flag = status.upper() if status.startswith("unverified") else status
        print(f"{spec.name:<14} {size:>9}  {spec.format:<9} {flag:<20} {spec.title}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from muspy_like.datasets import read_marker, verify_installation

    problems = verify_installation(args.root)
    marker = read_marker(args.root) or {}
    for problem in problems:
        print(f"  {problem}")
    state = f"{len(problems)} problem(s)" if problems else "all files match the manifest"
    print(f"{marker.get('dataset')}: {marker.get('files')} files checked; {state}")
    return 1 if problems else 0


def _table(args: argparse.Namespace) -> int:
    from muspy_like.datasets.catalog import catalog_table, update_table_in

    if args.update:
        print(f"{args.update}: {'updated' if update_table_in(args.update) else 'already up to date'}")
    else:
        print(catalog_table())
    return 0


def _info(args: argparse.Namespace) -> int:
    from muspy_like.datasets import Dataset, get_dataset

    spec = _spec(args.name)
    info = Dataset([], spec=spec).info()
    if args.root:
        info["pieces"] = len(get_dataset(spec, args.root, download=False))
    else:
        info.pop("pieces")
        info.pop("root")
    for key, value in info.items():
        if key == "description":
            value = textwrap.fill(str(value), 96, initial_indent=" " * 17, subsequent_indent=" " * 17).lstrip()
        print(f"{key + ':':<16} {value}")
    for source in spec.sources:
        status = "verified" if source.verified else "UNVERIFIED (no checksum known)"
        print(f"{'source:':<16} {source.url} [{source.archive}, {status}]")
        for mirror in source.mirrors:
            print(f"{'  mirror:':<16} {mirror}")
    if spec.citation:
        print("\nCite as:\n" + spec.citation)
    return 0


def _download(args: argparse.Namespace) -> int:
    from muspy_like.datasets import get_dataset

    dataset = get_dataset(_spec(args.name), args.root, options=_options(args), sources=args.sources)
    print(f"{dataset.name}: {len(dataset)} pieces in {dataset.root}")
    return 0


def _convert(args: argparse.Namespace) -> int:
    from muspy_like.datasets import get_dataset
    from muspy_like.errors import DatasetError

    name, _, composer = args.name.partition(":")
    spec = _spec(name)
    if composer and spec.download != "music21":
        raise DatasetError(f"{args.name}: NAME:PART is only for music21 (music21:COMPOSER, e.g. music21:bach)")
    dataset = get_dataset(spec, args.root, composer=composer or None, options=_options(args), sources=args.sources)
    if not len(dataset):
        if spec.download == "music21":
            raise DatasetError(
                f"{args.name}: music21's corpus has no piece by or in {composer!r} "
                "(try music21:bach, music21:beethoven, music21:essenFolksong ...)"
            )
        raise DatasetError(f"{args.name}: no piece matches {spec.files!r} in {dataset.root}")
    report = dataset.convert(args.cache, n_jobs=args.jobs, progress=not args.no_progress, resume=not args.restart)
    print(report.summary())
    for label, failure in list(zip(report.sources, report.failures))[:10]:
        print(f"  failed: {label}: {failure.exception_type}: {failure.message}")
    if len(report.failures) > 10:
        print(f"  ... {len(report.failures) - 10} more in {report.cache_dir / 'failures.json'}")
    return 0 if report.ok else 1
