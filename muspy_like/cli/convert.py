"""``muspy-like convert``: read one format, write another, chosen by the file extensions."""

from __future__ import annotations

import argparse

__all__ = ["register"]

_DESCRIPTION = """\
Convert a music file to another format. Both formats are chosen by the file extensions:
.mid/.midi/.smf/.kar (MIDI), .xml/.musicxml/.mxl (MusicXML), .mscx/.mscz (MuseScore, reading only),
.abc (ABC), .json/.yaml/.yml with optional .gz (the lossless native format).

The output is written atomically: it appears complete or not at all. What the target format cannot
hold is lost (for MIDI: chords as objects, beats and barlines, creators; see the I/O guide).
"""

_EPILOG = """\
examples:
  muspy-like convert song.mid song.json
  muspy-like convert song.json.gz song.mid
  muspy-like convert score.musicxml score.mid
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
    parser.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``muspy-like convert``; returns the exit code."""
    from muspy_like.io import format_of, read, write

    from muspy_like.files import check_output_file

    format_of(args.output)  # an unknown output extension or a bad destination fails before any reading
    check_output_file(args.output)
    options = {"engine": args.engine} if args.engine and format_of(args.input).name == "midi" else {}
    music = read(args.input, **options)
    write(args.output, music)
    if not args.quiet:
        print(f"wrote {args.output}: {len(music.tracks)} tracks, {music.n_notes} notes")
    return 0
