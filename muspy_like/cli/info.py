"""``muspy-like info``: what a music file holds (tracks, notes, length, tempos, signatures)."""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["register", "describe", "describe_tune_book"]

_DESCRIPTION = """\
Read a music file (format chosen by its extension: MIDI, MusicXML, MuseScore, ABC, native JSON/YAML)
and print what it holds: the resolution (ticks per quarter note), the length in ticks and seconds
(through the tempo map), the tempos, time and key signatures, and one line per track with its name,
General MIDI program, channel, drum flag and number of notes.

An ABC tune book (several tunes, each with its X: reference number) lists its tunes: number, line,
title, notes, or the reason a tune cannot be read. --tune N describes tune X:N.
"""

_EPILOG = """\
examples:
  muspy-like info song.mid
  muspy-like info song.mid --json > song_info.json
  muspy-like info score.musicxml --all
  muspy-like info tunebook.abc            (lists the tunes)
  muspy-like info tunebook.abc --tune 12
"""

_SHOWN = 8


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``info`` command."""
    parser = subparsers.add_parser(
        "info",
        help="describe a music file (tracks, notes, length, tempos, signatures)",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE", help="the music file")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--all", action="store_true", help=f"list every tempo and signature (default: the first {_SHOWN})")
    parser.add_argument("--engine", choices=("numpy", "mido"), help="MIDI engine (MIDI files only; default numpy)")
    parser.add_argument("--tune", type=int, metavar="N", help="ABC files: describe the tune with reference number X:N")
    parser.set_defaults(func=run)


def describe(music: Any) -> dict[str, Any]:
    """A JSON-ready summary of a :class:`~muspy_like.Music` (what ``info --json`` prints)."""
    end = music.get_end_time()
    return {
        "title": music.metadata.title,
        "copyright": music.metadata.copyright,
        "resolution": music.resolution,
        "length_ticks": int(end),
        "length_seconds": float(music.tick_to_second(end)),
        "n_tracks": len(music.tracks),
        "n_notes": music.n_notes,
        "tempos": [{"time": t.time, "qpm": t.qpm} for t in music.tempos],
        "time_signatures": [
            {"time": s.time, "numerator": s.numerator, "denominator": s.denominator} for s in music.time_signatures
        ],
        "key_signatures": [
            {"time": k.time, "root": k.root, "root_str": k.root_str, "mode": k.mode, "fifths": k.fifths}
            for k in music.key_signatures
        ],
        "tracks": [
            {
                "index": i,
                "name": t.name,
                "program": t.program,
                "channel": t.channel,
                "is_drum": t.is_drum,
                "n_notes": len(t.notes),
                "n_control_changes": len(t.control_changes),
                "n_pitch_bends": len(t.pitch_bends),
                "n_lyrics": len(t.lyrics),
            }
            for i, t in enumerate(music.tracks)
        ],
    }


def _key_name(key: dict[str, Any]) -> str:
    from muspy_like.io.midi.constants import key_signature_from_midi

    root = key["root_str"]
    if root is None and key["fifths"] is not None and key["mode"] in ("major", "minor"):
        root = key_signature_from_midi(0, key["fifths"], key["mode"] == "minor").root_str
    if root is None and key["root"] is not None:
        root = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"][key["root"]]
    return f"{root or '?'} {key['mode'] or ''}".strip()


def _listing(items: list[str], show_all: bool) -> str:
    if not items:
        return "none"
    shown = items if show_all else items[:_SHOWN]
    more = "" if len(shown) == len(items) else f", ... ({len(items)} in all)"
    return ", ".join(shown) + more


def format_text(path: str, info: dict[str, Any], show_all: bool = False) -> str:
    """The human-readable report of ``info``."""
    lines = [f"file:            {path}"]
    if info["title"]:
        lines.append(f"title:           {info['title']}")
    if info["copyright"]:
        lines.append(f"copyright:       {info['copyright']}")
    lines += [
        f"resolution:      {info['resolution']} ticks per quarter note",
        f"length:          {info['length_ticks']} ticks, {info['length_seconds']:.3f} s",
        f"notes:           {info['n_notes']} in {info['n_tracks']} tracks",
        "tempos:          " + _listing([f"{t['qpm']:.6g} qpm at {t['time']}" for t in info["tempos"]], show_all),
        "time signatures: "
        + _listing([f"{s['numerator']}/{s['denominator']} at {s['time']}" for s in info["time_signatures"]], show_all),
        "key signatures:  " + _listing([f"{_key_name(k)} at {k['time']}" for k in info["key_signatures"]], show_all),
    ]
    if info["tracks"]:
        lines.append("")
        header = f"{'#':>3}  {'name':<24} {'program':>7} {'channel':>7} {'drum':>4} {'notes':>7} {'CCs':>6} {'bends':>6}"
        lines.append(header)
        for t in info["tracks"]:
            name = (t["name"] or "")[:24]
            channel = "-" if t["channel"] is None else t["channel"]
            drum = "yes" if t["is_drum"] else ""
            lines.append(
                f"{t['index']:>3}  {name:<24} {t['program']:>7} {channel:>7} {drum:>4} {t['n_notes']:>7} "
                f"{t['n_control_changes']:>6} {t['n_pitch_bends']:>6}"
            )
    return "\n".join(lines)


def describe_tune_book(path: str) -> list[dict[str, Any]]:
    """One entry per tune of an ABC file: ``number``, ``line``, ``title``, and ``n_notes`` or ``error``."""
    from muspy_like.errors import ABCError
    from muspy_like.io.abc import load_tune_book, read_tune

    entries = []
    for tune in load_tune_book(path).tunes:
        entry: dict[str, Any] = {"number": tune.number, "line": tune.line, "title": tune.title}
        try:
            music = read_tune(tune, path)
            entry.update(n_tracks=len(music.tracks), n_notes=music.n_notes)
        except ABCError as error:
            entry["error"] = str(error)
        entries.append(entry)
    return entries


def format_tune_book(path: str, tunes: list[dict[str, Any]]) -> str:
    """The text listing of a tune book (what ``info`` prints for an ABC file of several tunes)."""
    failed = sum("error" in t for t in tunes)
    lines = [f"file:            {path}", f"tunes:           {len(tunes)} ({failed} cannot be read)", ""]
    lines.append(f"{'X:':>6} {'line':>6} {'notes':>7}  title")
    for tune in tunes:
        notes = "error" if "error" in tune else str(tune["n_notes"])
        number = "-" if tune["number"] is None else tune["number"]
        lines.append(f"{number:>6} {tune['line']:>6} {notes:>7}  {tune['title'] or ''}")
    lines += [f"  {t['error']}" for t in tunes if "error" in t]
    lines.append("")
    lines.append("describe one tune with --tune N (its X: number)")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run ``muspy-like info``; returns the exit code."""
    from muspy_like.io import format_of, read

    kind = format_of(args.file).name
    if args.tune is not None and kind != "abc":
        from muspy_like.errors import FormatError

        raise FormatError(f"{args.file}: --tune applies to ABC files only")
    if kind == "abc" and args.tune is None:
        tunes = describe_tune_book(args.file)
        if len(tunes) != 1:
            if args.json:
                print(json.dumps({"file": args.file, "tunes": tunes}, indent=2, ensure_ascii=False))
            else:
                print(format_tune_book(args.file, tunes))
            return 0
    options: dict[str, Any] = {"engine": args.engine} if args.engine and kind == "midi" else {}
    if args.tune is not None:
        options["number"] = args.tune
    info = describe(read(args.file, **options))
    if args.json:
        print(json.dumps({"file": args.file, **info}, indent=2, ensure_ascii=False))
    else:
        print(format_text(args.file, info, args.all))
    return 0
