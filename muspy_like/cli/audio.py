"""``muspy-like render`` and ``muspy-like watermark``: audio rendering and echo watermarks.

Every command streams: audio is rendered, marked, written and scored block by block, so memory does not
depend on the length of the piece. Errors are one line naming the user's path or option, exit status 2
(arguments are checked by :mod:`muspy_like.audio.arguments`, which names them as options here).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

__all__ = ["register"]

_RENDER_OPTIONS: dict[str, str] = {}
_WATERMARK_OPTIONS = {"sample_rate": "--rate"}
# The audit resamples by default; its refusal (under --no-resample) names the way back.
_AUDIT_OPTIONS = {**_WATERMARK_OPTIONS, "resample": "--resample (the audit's default: leave out --no-resample)"}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``render`` and ``watermark`` commands."""
    _add_render(subparsers)
    _add_watermark(subparsers)


def _add_render(subparsers: argparse._SubParsersAction) -> None:
    """The ``render`` command."""
    render = subparsers.add_parser(
        "render",
        help="render a music file to audio (WAV/FLAC)",
        description=(
            "Render a music file (MIDI, MusicXML, MuseScore, ABC, native JSON/YAML) to stereo audio, written "
            "block by block (memory does not grow with the length of the piece). The built-in numpy synthesizer "
            "needs nothing installed; FluidSynth needs libfluidsynth, pyfluidsynth and a General MIDI sound font "
            "(e.g. 'apt-get install fluidsynth fluid-soundfont-gm'). With --stems, OUTPUT is a folder that "
            "receives one file per track (created if needed). The folder of an output file must exist."
        ),
    )
    render.add_argument("input", type=Path, help="music file to render")
    render.add_argument("output", type=Path, help="output .wav/.flac file, or a folder with --stems")
    render.add_argument("--engine", choices=("synth", "fluidsynth"), default="synth",
                        help="synthesizer: the built-in numpy one (default) or FluidSynth")
    render.add_argument("--soundfont", type=Path, help="sound font for FluidSynth (default: the system GM font)")
    render.add_argument("--sample-rate", type=float, default=44100,
                        help="output rate in Hz, 8000-192000 (FluidSynth: up to 96000; default 44100)")
    render.add_argument("--stems", action="store_true", help="write one file per track into OUTPUT (a folder)")
    _long_render_options(render)
    render.set_defaults(func=_render)


def _add_watermark(subparsers: argparse._SubParsersAction) -> None:
    """``watermark`` and its actions ``embed``, ``detect``, ``dataset`` and ``audit``."""
    watermark = subparsers.add_parser(
        "watermark",
        help="embed or detect echo watermarks in audio",
        description=(
            "Echo watermarks after Tralie et al., 'Hidden Echoes Survive Training in Audio To Audio Generative "
            "Instrument Models' (arXiv:2412.10649). 'single' adds y[n] = x[n] + alpha x[n - delta] (paper: "
            "alpha 0.4); 'spread' adds a +/-1 pattern of 1024 tiny echoes from lag delta (paper: alpha 0.01). "
            "Lags are in samples at --rate (44.1 kHz by default). Detection scores the cepstrum with a z-score; "
            "a file is marked when z >= 5. Files are processed block by block, whatever their length."
        ),
    )
    actions = watermark.add_subparsers(dest="action", metavar="ACTION")
    _add_embed(actions)
    _add_detect(actions)
    _add_dataset(actions)
    _add_audit(actions)
    watermark.set_defaults(func=lambda args: watermark.print_help() or 1)


def _add_embed(actions: argparse._SubParsersAction) -> None:
    """``watermark embed``: mark one file."""
    embed = actions.add_parser("embed", help="mark one audio file",
                               description="Embed a watermark in one audio file (at --rate) and write the result.")
    embed.add_argument("input", type=Path, help="audio file to mark")
    embed.add_argument("output", type=Path, help="marked output (.wav/.flac); its folder must exist")
    _watermark_options(embed)
    embed.set_defaults(func=_embed)


def _add_detect(actions: argparse._SubParsersAction) -> None:
    """``watermark detect``: score files, optionally write a report."""
    detect = actions.add_parser(
        "detect", help="score audio files for a watermark",
        description=("Score audio files (or folders of them) and print one line per file; optionally write a "
                     "report. A file at another rate than --rate is refused (say --rate or --resample); the exit "
                     "status is 2 when no file could be scored."),
    )
    detect.add_argument("files", nargs="+", type=Path, help="audio files or folders")
    detect.add_argument("--report", type=Path,
                        help="write the results as CSV, or JSON if the name ends in .json (its folder must exist)")
    detect.add_argument("--band", type=float, nargs=2, metavar=("LOW_HZ", "HIGH_HZ"),
                        help="band-limited cepstrum, e.g. '0 10500' for audio that went through 22.05 kHz")
    detect.add_argument("--resample", action="store_true",
                        help="resample files at another rate to --rate (for audio resampled after marking)")
    _watermark_options(detect)
    detect.set_defaults(func=_detect)


def _add_dataset(actions: argparse._SubParsersAction) -> None:
    """``watermark dataset``: render, mark and write a whole source."""
    dataset = actions.add_parser(
        "dataset", help="render, mark and write a whole dataset with a manifest",
        description=("Render every music file of SOURCE (a file or folder): the mix and one stem per track, each "
                     "marked, written as 16-bit WAV under OUT_DIR with manifest.csv and manifest.json. A piece "
                     "that fails is listed (failures.csv) and the others are still written; the exit status is 2 "
                     "when every piece failed."),
    )
    dataset.add_argument("source", type=Path, help="music file or folder")
    dataset.add_argument("out_dir", type=Path, help="output folder (created if needed)")
    dataset.add_argument("--engine", choices=("synth", "fluidsynth"), default="synth", help="rendering engine")
    dataset.add_argument("--soundfont", type=Path, help="sound font for FluidSynth")
    dataset.add_argument("--no-stems", action="store_true", help="write only the marked mixes")
    dataset.add_argument("--max-duration", type=_duration, default=None, metavar="DURATION",
                         help="refuse pieces longer than this (seconds, or e.g. 90m, 6h; default 4h)")
    _watermark_options(dataset)
    dataset.set_defaults(func=_dataset)


def _add_audit(actions: argparse._SubParsersAction) -> None:
    """``watermark audit``: test a model's outputs for the watermarks of its suspected training data."""
    audit = actions.add_parser(
        "audit", help="test a model's outputs for the watermarks of its suspected training data",
        description=("Score every clip of a suspect model's outputs for one or more candidate watermarks and test "
                     "whether any is present: mean z, share of clips over --threshold, a one-sided test against "
                     "unmarked audio (--null: the z-scores of a --reference folder of known-clean audio, decoy "
                     "spread sequences, or standard normal clip scores) with Holm's correction over the candidates, "
                     "and the AUROC against --reference. Candidates: every --delta for --method single; every "
                     "(--delta, --seed) pair for --method spread. Files at another rate are resampled to --rate and "
                     "reported; unreadable files are listed and skipped; the exit status is 2 when nothing could be "
                     "scored. With --report DIR: summary.md/.csv, clips.csv, audit.json, histogram.png, report.html."),
    )
    audit.add_argument("suspect", nargs="+", type=Path, help="the suspect model's outputs: audio files or folders")
    audit.add_argument("--reference", nargs="+", type=Path,
                       help="known-clean audio of the same kind (e.g. outputs of a model trained on clean data)")
    audit.add_argument("--report", type=Path, help="folder for the report (created if needed)")
    audit.add_argument("--null", choices=("auto", "normal", "reference", "decoys"), default="auto",
                       help="null distribution of unmarked audio (default: reference if given, else decoys for "
                            "spread candidates, else normal)")
    audit.add_argument("--decoys", type=int, default=999, help="decoy sequences for --null decoys (default 999)")
    audit.add_argument("--threshold", type=float, default=5.0, help="per-clip threshold on z (default 5)")
    audit.add_argument("--significance", type=float, default=0.01,
                       help="family-wise error rate for declaring a candidate present (default 0.01)")
    audit.add_argument("--clip-seconds", type=float,
                       help="score stretches of this length instead of whole files (e.g. 10)")
    audit.add_argument("--band", type=float, nargs=2, metavar=("LOW_HZ", "HIGH_HZ"),
                       help="band-limited cepstrum, e.g. '0 10500' for audio that went through 22.05 kHz")
    audit.add_argument("--no-resample", action="store_true",
                       help="list files at another rate than --rate as failures instead of resampling them")
    _watermark_options(audit, several=True)
    audit.set_defaults(func=_audit)


def _long_render_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-duration", type=_duration, default=None, metavar="DURATION",
                        help="refuse pieces whose audio would be longer (seconds, or e.g. 90m, 6h; default 4h)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (default: shown on a terminal)")


def _duration(text: str) -> float:
    """``"90"``, ``"90s"``, ``"15m"``, ``"6h"`` or ``"inf"`` -> seconds."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?|inf)\s*([smh]?)\s*", text.lower())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration (seconds, or a number followed by s, m or h)")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def _watermark_options(parser: argparse.ArgumentParser, several: bool = False) -> None:
    """The watermark's options; ``several``: methods and seeds take several values (candidates of an audit)."""
    if several:
        parser.add_argument("--method", choices=("single", "spread"), nargs="+", default=["spread"],
                            help="method(s) of the candidates (default spread)")
        parser.add_argument("--delta", type=int, nargs="+", default=[75],
                            help="lag(s) in samples at --rate, each its own candidate (default 75)")
    else:
        parser.add_argument("--method", choices=("single", "spread"), default="spread",
                            help="single echo or time-spread echo (default spread)")
        parser.add_argument("--delta", type=int, nargs="+", default=[75],
                            help="lag(s) in samples at --rate (default 75; several lags for --method single)")
    parser.add_argument("--alpha", type=float, help="echo strength (default: 0.4 single, 0.01 spread)")
    if several:
        parser.add_argument("--seed", type=int, nargs="+", default=[0],
                            help="seed(s) of the spread sequences, each its own candidate (default 0)")
    else:
        parser.add_argument("--seed", type=int, default=0, help="seed of the spread sequence (default 0)")
    parser.add_argument("--rate", type=float, default=44100, help="sample rate in Hz at which lags are counted")


def _make_watermark(args: argparse.Namespace):
    from muspy_like.audio.watermark import EchoWatermark

    delta = args.delta[0] if len(args.delta) == 1 else tuple(args.delta)
    return EchoWatermark(args.method, delta=delta, alpha=args.alpha, seed=args.seed, sample_rate=args.rate)


def _read_music(path: Path):
    from muspy_like.errors import AudioError
    from muspy_like.io import read

    if path.is_dir():
        raise AudioError(f"{path}: is a folder, not a music file")
    if not path.exists():
        raise AudioError(f"{path}: no such file")
    result = read(path)
    return result[0] if isinstance(result, list) else result


def _guard(args: argparse.Namespace) -> float:
    from muspy_like.audio.arguments import DEFAULT_MAX_DURATION

    return DEFAULT_MAX_DURATION if args.max_duration is None else args.max_duration


def _render(args: argparse.Namespace) -> int:
    from muspy_like.audio import render_stems, render_to_file
    from muspy_like.audio.arguments import check_sample_rate, cli_spelling
    from muspy_like.files import check_output_file

    with cli_spelling(_RENDER_OPTIONS):
        rate = check_sample_rate(args.sample_rate)
        if not args.stems:  # the stems folder is checked (and made) by render_stems
            check_output_file(args.output)
        music = _read_music(args.input)
        options = dict(sample_rate=rate, engine=args.engine, soundfont=args.soundfont, max_duration=_guard(args),
                       progress=False if args.no_progress else None)
        if args.stems:
            for path in render_stems(music, args.output, **options):
                print(path)
            return 0
        render_to_file(music, args.output, **options)
    from muspy_like.audio import audio_info

    print(f"{args.output}: {audio_info(args.output).seconds:.2f} s")
    return 0


def _embed(args: argparse.Namespace) -> int:
    from muspy_like.audio.arguments import cli_spelling
    from muspy_like.audio.watermark import embed_file

    with cli_spelling(_WATERMARK_OPTIONS):
        mark = _make_watermark(args)
        result = embed_file(args.input, args.output, mark)
    z = "n/a (silent after marking)" if result.silent else f"{result.z:.2f}"
    print(f"{args.output}: {mark.method} echo embedded, z = {z}")
    return 0


def _detect(args: argparse.Namespace) -> int:
    from muspy_like.audio.arguments import cli_spelling
    from muspy_like.audio.watermark import detect

    with cli_spelling(_WATERMARK_OPTIONS):
        rows = detect(args.files, _make_watermark(args), report=args.report, band_hz=args.band,
                      resample=args.resample)
    if not rows:
        print("muspy-like: error: no audio files found in " + " ".join(map(str, args.files)), file=sys.stderr)
        return 2
    for row in rows:
        if row["error"] == "silent":
            verdict = "silent: nothing to score"
        elif row["error"]:
            verdict = "error: " + str(row["error"])
        else:
            verdict = "MARKED" if row["marked"] else "not marked"
        z = "   n/a" if row["z"] is None else f"{row['z']:6.2f}"
        print(f"{z}  {verdict:10s}  {row['file']}")
    failed = sum(1 for row in rows if row["error"] and row["error"] != "silent")
    if failed == len(rows):
        print(f"muspy-like: error: none of the {len(rows)} file(s) could be scored", file=sys.stderr)
        return 2
    return 0


def _dataset(args: argparse.Namespace) -> int:
    from muspy_like.audio.arguments import cli_spelling
    from muspy_like.audio.watermark import watermark_dataset

    with cli_spelling(_WATERMARK_OPTIONS):
        manifest = watermark_dataset(args.source, args.out_dir, _make_watermark(args), engine=args.engine,
                                     soundfont=args.soundfont, stems=not args.no_stems, progress=sys.stderr.isatty(),
                                     max_duration=_guard(args))
    pieces = len({row["piece"] for row in manifest})
    print(f"{len(manifest)} marked files of {pieces} piece(s) written to {args.out_dir} (manifest.csv, manifest.json); "
          f"{len(manifest.failures)} piece(s) failed")
    for failure in manifest.failures[:10]:
        print(f"  failed: {failure['source']}: {failure['error']}: {failure['message']}")
    if len(manifest.failures) > 10:
        print(f"  ... and {len(manifest.failures) - 10} more (see {args.out_dir / 'failures.csv'})")
    if manifest.failures and not manifest:
        print("muspy-like: error: every piece failed", file=sys.stderr)
        return 2
    return 0


def _audit(args: argparse.Namespace) -> int:
    from muspy_like.audio.arguments import cli_spelling
    from muspy_like.audio.watermark.audit import audit, candidate_watermarks
    from muspy_like.audio.watermark.audit_report import summary_markdown, write_audit_report
    from muspy_like.files import prepare_output_folder

    with cli_spelling(_AUDIT_OPTIONS):
        candidates = candidate_watermarks(args.method, args.delta, args.seed, args.alpha, args.rate)
        if args.report is not None:
            prepare_output_folder(args.report)
        result = audit(args.suspect, candidates, reference=args.reference, null=args.null, threshold=args.threshold,
                       significance=args.significance, clip_seconds=args.clip_seconds,
                       band_hz=None if args.band is None else tuple(args.band), resample=not args.no_resample,
                       decoys=args.decoys, progress=sys.stderr.isatty())
        if args.report is not None:
            write_audit_report(result, args.report)
    suspect_failures = [f for f in result.failures if f["group"] == "suspect"]
    if not result.n_scored:
        if len(suspect_failures) == 1 and not result.silent:
            reason = ": " + suspect_failures[0]["message"]
        else:
            _print_failures(suspect_failures)
            reason = f" ({len(suspect_failures)} failed, {len(result.silent)} silent)"
        print(f"muspy-like: error: none of the suspect files could be scored{reason}", file=sys.stderr)
        return 2
    if result.null == "reference" and not any(clip.group == "reference" for clip in result.clips):
        failed = [f for f in result.failures if f["group"] == "reference"]
        reason = f" ({failed[0]['message']}{f' and {len(failed) - 1} more' if len(failed) > 1 else ''})" if failed else ""
        print("muspy-like: error: none of the reference files could be scored, so there is no null to test against"
              + reason, file=sys.stderr)
        return 2
    print(summary_markdown(result), end="")
    _print_failures(result.failures)
    if args.report is not None:
        print(f"report written to {args.report} (report.html, summary.md, summary.csv, clips.csv, audit.json)")
    return 0


def _print_failures(failures: list) -> None:
    for failure in failures[:10]:
        print(f"  failed: {failure['message']}")
    if len(failures) > 10:
        print(f"  ... and {len(failures) - 10} more (see the report's failures.csv)")
