"""The ``muspy-like`` command-line tool.

Each subcommand lives in its own module of this package and defines ``register(subparsers)``, which adds
an ``argparse`` sub-parser and sets ``func`` (called with the parsed arguments, returning an exit code).
Modules are discovered automatically, so an area adds a command without touching this file. Heavy
libraries are imported inside the command functions, keeping ``muspy-like --help`` fast.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import Optional, Sequence

from muspy_like import __version__
from muspy_like.errors import MuspyLikeError

__all__ = ["main", "build_parser"]

#: Order of the command modules in ``--help`` (the way a user meets them); others follow by name.
_HELP_ORDER = ["info", "convert", "datasets", "stats", "separation", "audio", "quickstart"]


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every discovered subcommand."""
    parser = argparse.ArgumentParser(
        prog="muspy-like",
        description=(
            "Symbolic music toolkit: inspect and convert files, manage datasets, compute statistics, "
            "separate parts, render audio and embed or detect echo watermarks."
        ),
        epilog="Run 'muspy-like COMMAND --help' for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"muspy-like {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    names = [info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]
    rank = {name: index for index, name in enumerate(_HELP_ORDER)}
    modules = sorted(names, key=lambda name: (rank.get(name, len(rank)), name))
    for name in modules:
        module = importlib.import_module(f"{__name__}.{name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of ``muspy-like``; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 1
    try:
        return int(args.func(args) or 0)
    except MuspyLikeError as error:
        # An error may carry its message in the words of the command line (options, not keywords).
        print(f"muspy-like: error: {getattr(error, 'cli_message', None) or error}", file=sys.stderr)
        return 2
    except OSError as error:
        # A file the command was given cannot be opened, or the system refused an operation: one line that
        # names the path, as for our own errors, not a traceback.
        print(f"muspy-like: error: {_describe_os_error(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("muspy-like: interrupted", file=sys.stderr)
        return 130


def _describe_os_error(error: OSError) -> str:
    reason = error.strerror or str(error)
    if error.filename is None:
        return reason
    if error.filename2 is not None:
        return f"{error.filename} -> {error.filename2}: {reason}"
    return f"{error.filename}: {reason}"


if __name__ == "__main__":
    sys.exit(main())
