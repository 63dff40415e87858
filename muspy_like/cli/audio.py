"""``muspy-like render`` and ``muspy-like watermark``: audio rendering and echo watermarks."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``render`` and ``watermark`` commands."""
    render = subparsers.add_parser(
        "render",
        help="render a music file to audio (WAV/FLAC)",
        description=(
            "Render a music file (MIDI, MusicXML, MuseScore, ABC, native JSON/YAML) to stereo audio. "
            "The built-in numpy synthesizer needs nothing installed; FluidSynth needs libfluidsynth, "
            "pyfluidsynth and a General MIDI sound font (e.g. 'apt-get install fluidsynth fluid-soundfont-gm'). "
            "With --stems, OUT is a folder that receives one file per track."
        ),
    )
    render.add_argument("input", type=Path, help="music file to render")
    render.add_argument("output", type=Path, help="output .wav/.flac file, or a folder with --stems")
    render.add_argument("--engine", choices=("synth", "fluidsynth"), default="synth",
                        help="synthesizer: the built-in numpy one (default) or FluidSynth")
    render.add_argument("--soundfont", type=Path, help="sound font for FluidSynth (default: the system GM font)")
    render.add_argument("--sample-rate", type=int, default=44100, help="output rate in Hz (default 44100)")
    render.add_argument("--stems", action="store_true", help="write one file per track into OUTPUT (a folder)")
    render.set_defaults(func=_render)

    watermark = subparsers.add_parser(
        "watermark",
        help="embed or detect echo watermarks in audio",
        description=(
            "Echo watermarks after Tralie et al., 'Hidden Echoes Survive Training in Audio To Audio Generative "
            "Instrument Models' (arXiv:2412.10649). 'single' adds y[n] = x[n] + alpha x[n - delta] (paper: "
            "alpha 0.4); 'spread' adds a +/-1 pattern of 1024 tiny echoes from lag delta (paper: alpha 0.01). "
            "Lags are in samples at 44.1 kHz. Detection scores the cepstrum with a z-score; a file is marked "
            "when z >= 5."
        ),
    )
    actions = watermark.add_subparsers(dest="action", metavar="ACTION")

    embed = actions.add_parser("embed", help="mark one audio file", description="Embed a watermark in one audio file.")
    embed.add_argument("input", type=Path, help="audio file to mark")
    embed.add_argument("output", type=Path, help="marked output (.wav/.flac)")
    _watermark_options(embed)
    embed.set_defaults(func=_embed)

    detect = actions.add_parser(
        "detect", help="score audio files for a watermark",
        description="Score audio files (or folders of them) and print one line per file; optionally write a report.",
    )
    detect.add_argument("files", nargs="+", type=Path, help="audio files or folders")
    detect.add_argument("--report", type=Path, help="write the results as CSV, or JSON if the name ends in .json")
    detect.add_argument("--band", type=float, nargs=2, metavar=("LOW_HZ", "HIGH_HZ"),
                        help="band-limited cepstrum, e.g. '0 10500' for audio that went through 22.05 kHz")
    _watermark_options(detect)
    detect.set_defaults(func=_detect)

    dataset = actions.add_parser(
        "dataset", help="render, mark and write a whole dataset with a manifest",
        description=("Render every music file of SOURCE (a file or folder): the mix and one stem per track, each "
                     "marked, written as 16-bit WAV under OUT_DIR with manifest.csv and manifest.json."),
    )
    dataset.add_argument("source", type=Path, help="music file or folder")
    dataset.add_argument("out_dir", type=Path, help="output folder")
    dataset.add_argument("--engine", choices=("synth", "fluidsynth"), default="synth", help="rendering engine")
    dataset.add_argument("--soundfont", type=Path, help="sound font for FluidSynth")
    dataset.add_argument("--no-stems", action="store_true", help="write only the marked mixes")
    _watermark_options(dataset)
    dataset.set_defaults(func=_dataset)
    watermark.set_defaults(func=lambda args: watermark.print_help() or 1)


def _watermark_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--method", choices=("single", "spread"), default="spread",
                        help="single echo or time-spread echo (default spread)")
    parser.add_argument("--delta", type=int, nargs="+", default=[75],
                        help="lag(s) in samples at --rate (default 75; several lags for --method single)")
    parser.add_argument("--alpha", type=float, help="echo strength (default: 0.4 single, 0.01 spread)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the spread sequence (default 0)")
    parser.add_argument("--rate", type=int, default=44100, help="sample rate in Hz at which lags are counted")


def _make_watermark(args: argparse.Namespace):
    from muspy_like.audio.watermark import EchoWatermark

    delta = args.delta[0] if len(args.delta) == 1 else tuple(args.delta)
    return EchoWatermark(args.method, delta=delta, alpha=args.alpha, seed=args.seed, sample_rate=args.rate)


def _render(args: argparse.Namespace) -> int:
    from muspy_like.audio import render, write_audio
    from muspy_like.audio.watermark.pipeline import _read, _safe

    music = _read(args.input)
    audio = render(music, args.sample_rate, engine=args.engine, soundfont=args.soundfont, stems=args.stems)
    if not args.stems:
        write_audio(args.output, audio, args.sample_rate)
        print(f"{args.output}: {len(audio) / args.sample_rate:.2f} s")
        return 0
    args.output.mkdir(parents=True, exist_ok=True)
    for index, (track, stem) in enumerate(zip(music.tracks, audio)):
        path = args.output / f"track{index:02d}_{_safe(track.name or f'program{track.program}')}.wav"
        write_audio(path, stem, args.sample_rate)
        print(path)
    return 0


def _embed(args: argparse.Namespace) -> int:
    from muspy_like.audio import read_audio, write_audio
    from muspy_like.audio.watermark import detect_audio, embed

    mark = _make_watermark(args)
    audio, rate = read_audio(args.input)
    marked = embed(audio, rate, mark)
    write_audio(args.output, marked, rate)
    result = detect_audio(marked, rate, mark)
    print(f"{args.output}: {mark.method} echo embedded, z = {result.z:.2f}")
    return 0


def _detect(args: argparse.Namespace) -> int:
    from muspy_like.audio.watermark import detect

    rows = detect(args.files, _make_watermark(args), report=args.report, band_hz=args.band)
    for row in rows:
        verdict = "error: " + str(row["error"]) if row["error"] else ("MARKED" if row["marked"] else "not marked")
        z = "   n/a" if row["z"] is None else f"{row['z']:6.2f}"
        print(f"{z}  {verdict:10s}  {row['file']}")
    return 0


def _dataset(args: argparse.Namespace) -> int:
    from muspy_like.audio.watermark import watermark_dataset

    rows = watermark_dataset(args.source, args.out_dir, _make_watermark(args), engine=args.engine,
                             soundfont=args.soundfont, stems=not args.no_stems, progress=True)
    print(f"{len(rows)} marked files written to {args.out_dir} (manifest.csv, manifest.json)")
    return 0
