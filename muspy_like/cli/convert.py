"""``muspy-like convert``: read one format, write another, chosen by the file extensions."""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["register"]

_DESCRIPTION = """\
Convert a music file to another format. Both formats are chosen by the file extensions:
.mid/.midi/.smf/.kar (MIDI), .xml/.musicxml/.mxl (MusicXML), .mscx/.mscz (MuseScore, reading only),
.abc (ABC), .json/.yaml/.yml with optional .gz (the lossless native format).

The output is written atomically: it appears complete or not at all. What the target format cannot
hold is lost (for MIDI: chords as objects, beats and barlines, creators; see the I/O guide).

The written file is then read back and its notes counted (notes of zero length aside, which ABC and
MusicXML cannot hold): if the count differs, the command says so and exits with status 3 (the file is
kept for inspection). --no-verify skips the check. An ABC tune book needs --tune N (its X: number).
"""

_EPILOG = """\
examples:
  muspy-like convert song.mid song.json
  muspy-like convert song.json.gz song.mid
  muspy-like convert score.musicxml score.mid
  muspy-like convert tunebook.abc tune7.mid --tune 7
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``convert`` command."""
    parser = subparsers.add_parser(
        "convert",
        help="convert a music file to another format (by extension)",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", metavar="IN", help="file to read")
    parser.add_argument("output", metavar="OUT", help="file to write (replaced if it exists)")
    parser.add_argument("--engine", choices=("numpy", "mido"), help="MIDI engine (MIDI input only; default numpy)")
    parser.add_argument("--tune", type=int, metavar="N", help="ABC input: the tune with reference number X:N")
    parser.add_argument("--no-verify", action="store_true", help="do not read the written file back")
    parser.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    parser.set_defaults(func=run)


def _sounding_notes(music: Any) -> int:
    return int(sum(int((track.notes.duration > 0).sum()) for track in music.tracks))


def run(args: argparse.Namespace) -> int:
    """Run ``muspy-like convert``; returns the exit code."""
    from muspy_like.errors import FormatError
    from muspy_like.io import format_of, read, write

    from muspy_like.files import check_output_file

    format_of(args.output)  # an unknown output extension or a bad destination fails before any reading
    check_output_file(args.output)
    kind = format_of(args.input).name
    if args.tune is not None and kind != "abc":
        raise FormatError(f"{args.input}: --tune applies to ABC files only")
    options: dict[str, Any] = {"engine": args.engine} if args.engine and kind == "midi" else {}
    if args.tune is not None:
        options["number"] = args.tune
    music = read(args.input, **options)
    write(args.output, music)
    if not args.no_verify:
        expected, found = _sounding_notes(music), _sounding_notes(read(args.output))
        if found != expected:
            print(
                f"muspy-like: error: {args.output} was written but reads back with {found} notes instead of "
                f"{expected}: the writer lost or misplaced notes (the file is kept for inspection; please "
                "report it)",
                file=sys.stderr,
            )
            return 3
    if not args.quiet:
        checked = "" if args.no_verify else ", read back with the same count"
        print(f"wrote {args.output}: {len(music.tracks)} tracks, {music.n_notes} notes{checked}")
    return 0
