"""Marking a rendered dataset, and checking files for the mark.

:func:`watermark_dataset` renders every piece (the mix and one stem per track), embeds the watermark in
each, writes WAV files (16-bit by default) and a manifest; :func:`detect` scores audio files and writes a report.

Layout written by :func:`watermark_dataset`::

    OUT_DIR/
        manifest.csv, manifest.json     one row per written file
        <piece>/mix.wav                 the marked mix
        <piece>/track00_<name>.wav      the marked stems (stems=True)

The manifest columns are ``piece, track, file, method, delta, alpha, seed, length, sample_rate, z``
(``track`` is ``mix`` or the track index; ``z`` is the detection score of the file as written, i.e. after
16-bit quantisation). The JSON manifest also records the engine and the detection threshold.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional, Sequence, Union

import numpy as np

from muspy_like.audio.audiofile import read_audio, write_audio
from muspy_like.audio.render import render
from muspy_like.audio.watermark.detect import THRESHOLD, detect_audio
from muspy_like.audio.watermark.echo import EchoWatermark, embed
from muspy_like.errors import AudioError, MuspyLikeError
from muspy_like.files import atomic_write_text

if TYPE_CHECKING:
    from muspy_like.core.music import Music

__all__ = ["watermark_dataset", "detect", "AUDIO_EXTENSIONS", "MANIFEST_FIELDS", "REPORT_FIELDS"]

#: Extensions :func:`detect` picks up in a folder.
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".aiff", ".aif", ".mp3")
MANIFEST_FIELDS = ("piece", "track", "file", "method", "delta", "alpha", "seed", "length", "sample_rate", "z")
REPORT_FIELDS = ("file", "sample_rate", "seconds", "z", "marked", "threshold", "n_frames", "error")

Source = Union[str, Path, "Music", Sequence[Union[str, Path, "Music"]]]


def watermark_dataset(
    source: Source,
    out_dir: Union[str, Path],
    watermark: EchoWatermark = EchoWatermark(),
    engine: str = "synth",
    soundfont: Optional[Union[str, Path]] = None,
    stems: bool = True,
    sample_rate: Optional[int] = None,
    subtype: str = "PCM_16",
    progress: bool = False,
) -> list[dict[str, object]]:
    """Render, mark and write every piece of a source, with a manifest.

    Parameters
    ----------
    source : Music, path, folder, or a list of them
        Pieces to render: Music objects, files readable by :func:`muspy_like.read`, or a folder (searched
        recursively for files with a known extension).
    out_dir : str or Path
        Output folder (created if needed).
    watermark : EchoWatermark
        What to embed (default: the paper's time-spread echo).
    engine : {"synth", "fluidsynth"}
        Rendering engine (see :func:`muspy_like.audio.render`).
    soundfont : str or Path, optional
        Sound font for FluidSynth.
    stems : bool, default True
        Also write one marked file per track. The mix is the sum of the unmarked stems, marked as a whole.
    sample_rate : int, optional
        Render rate, in Hz; default the watermark's rate (they must agree).
    subtype : str, default "PCM_16"
        WAV sample format (soundfile subtype). 16-bit quantisation noise fills the quietest part of the
        spectrum and lowers the scores somewhat; ``"PCM_24"`` or ``"FLOAT"`` keep them higher.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    list of dict
        The manifest rows (also written to ``manifest.csv`` and ``manifest.json``).

    Raises
    ------
    DatasetError, FormatError
        A source file cannot be read (the message names it).
    """
    from muspy_like.audio.fluidsynth_engine import FluidSynthEngine

    rate = watermark.sample_rate if sample_rate is None else int(sample_rate)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pieces = list(_pieces(source))
    renderer: Union[str, FluidSynthEngine] = FluidSynthEngine(rate, soundfont) if engine == "fluidsynth" else engine
    rows: list[dict[str, object]] = []
    used_names: set[str] = set()
    for name, music in _progress(pieces, progress, "watermarking"):
        name = _unique(_safe(name), used_names)
        piece_dir = out_dir / name
        piece_dir.mkdir(exist_ok=True)
        parts = render(music, rate, engine=renderer, soundfont=soundfont, stems=True)
        mix = np.sum(parts, axis=0) if parts else render(music, rate, engine=renderer, soundfont=soundfont)
        outputs = [("mix", "mix.wav", mix)]
        if stems:
            for index, (track, audio) in enumerate(zip(music.tracks, parts)):
                label = _safe(track.name or f"program{track.program}")
                outputs.append((str(index), f"track{index:02d}_{label}.wav", audio))
        for track_label, file_name, audio in outputs:
            marked = embed(audio, rate, watermark)
            path = write_audio(piece_dir / file_name, marked, rate, subtype=subtype)
            written, written_rate = read_audio(path)
            z = detect_audio(written, written_rate, watermark).z
            row = {"piece": name, "track": track_label, "file": str(path.relative_to(out_dir))}
            row.update({key: watermark.to_dict()[key] for key in ("method", "delta", "alpha", "seed", "length")})
            row.update({"sample_rate": rate, "z": None if np.isnan(z) else round(z, 3)})
            rows.append(row)
    if isinstance(renderer, FluidSynthEngine):
        renderer.close()
    _write_table(out_dir / "manifest.csv", rows, MANIFEST_FIELDS)
    header = {"watermark": watermark.to_dict(), "engine": engine, "threshold": THRESHOLD, "files": rows}
    atomic_write_text(out_dir / "manifest.json", json.dumps(header, indent=2) + "\n")
    return rows


def detect(
    paths: Union[str, Path, Iterable[Union[str, Path]]],
    watermark: EchoWatermark = EchoWatermark(),
    report: Optional[Union[str, Path]] = None,
    threshold: float = THRESHOLD,
    band_hz: Optional[tuple[float, float]] = None,
    progress: bool = False,
) -> list[dict[str, object]]:
    """Score audio files (or every audio file in a folder) for a watermark.

    Parameters
    ----------
    paths : path, folder, or iterable of paths
        Audio files; folders are searched recursively for :data:`AUDIO_EXTENSIONS`.
    watermark : EchoWatermark
        The watermark to look for.
    report : str or Path, optional
        Write the rows to this file: ``.json`` for JSON, anything else for CSV.
    threshold : float, default :data:`~muspy_like.audio.watermark.detect.THRESHOLD`
        A file is ``marked`` when its z-score reaches this value.
    band_hz : (low, high), optional
        Band-limited cepstrum, in Hz (e.g. ``(0, 10500)`` for audio that went through 22.05 kHz).
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    list of dict
        One row per file: ``file, sample_rate, seconds, z, marked, threshold, n_frames, error``. A file
        that cannot be read gets ``marked=False`` and the reason in ``error`` (the others are still scored).
    """
    files = _audio_files(paths)
    rows = []
    for path in _progress(files, progress, "detecting"):
        row: dict[str, object] = {"file": str(path), "threshold": threshold}
        try:
            audio, rate = read_audio(path)
            result = detect_audio(audio, rate, watermark, band_hz=band_hz, threshold=threshold)
        except MuspyLikeError as error:
            row.update({"sample_rate": None, "seconds": None, "z": None, "marked": False, "n_frames": 0,
                        "error": str(error)})
        else:
            row.update({"sample_rate": rate, "seconds": round(len(audio) / rate, 3),
                        "z": None if np.isnan(result.z) else round(result.z, 3), "marked": result.marked,
                        "n_frames": result.n_frames, "error": ""})
        rows.append(row)
    if report is not None:
        report = Path(report)
        if report.suffix.lower() == ".json":
            payload = {"watermark": watermark.to_dict(), "threshold": threshold, "files": rows}
            atomic_write_text(report, json.dumps(payload, indent=2) + "\n")
        else:
            _write_table(report, rows, REPORT_FIELDS)
    return rows


def _pieces(source: Source) -> Iterable[tuple[str, "Music"]]:
    from muspy_like.core.music import Music

    items = [source] if isinstance(source, (str, Path, Music)) else list(source)
    for position, item in enumerate(items):
        if isinstance(item, Music):
            yield (item.metadata.title or f"piece{position:04d}"), item
            continue
        path = Path(item)
        if path.is_dir():
            yield from _pieces(_music_files(path))
        elif path.is_file():
            yield path.name.split(".")[0], _read(path)
        else:
            raise AudioError(f"{path}: no such file or folder")


def _read(path: Path) -> "Music":
    from muspy_like.io import read

    result = read(path)
    return result[0] if isinstance(result, list) else result


def _music_files(folder: Path) -> list[Path]:
    from muspy_like.errors import FormatError
    from muspy_like.io import format_of

    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            format_of(path)
        except FormatError:
            continue
        found.append(path)
    if not found:
        raise AudioError(f"{folder}: no music files found")
    return found


def _audio_files(paths: Union[str, Path, Iterable[Union[str, Path]]]) -> list[Path]:
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    files: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in AUDIO_EXTENSIONS))
        else:
            files.append(path)
    return files


def _write_table(path: Path, rows: list[dict[str, object]], fields: Sequence[str]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row.get(key)) for key in fields})
    atomic_write_text(path, buffer.getvalue())


def _cell(value: object) -> object:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else value


def _safe(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return cleaned[:80] or "untitled"


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 1
    while candidate in used:
        number += 1
        candidate = f"{name}_{number}"
    used.add(candidate)
    return candidate


def _progress(items: list, enabled: bool, description: str) -> Iterable:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=description, unit="file")
