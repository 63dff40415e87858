"""Marking a rendered dataset, and checking files for the mark.

:func:`watermark_dataset` renders every piece (the mix and one stem per track), embeds the watermark in
each, writes WAV files (16-bit by default) and a manifest; :func:`detect` scores audio files and writes a
report; :func:`embed_file` and :func:`detect_file` mark and score one file. Everything streams: audio is
rendered, marked, written and scored block by block, so memory does not depend on the files' length.

Layout written by :func:`watermark_dataset`::

    OUT_DIR/
        manifest.csv, manifest.json     one row per written file
        <piece>/mix.wav                 the marked mix
        <piece>/track00_<name>.wav      the marked stems (stems=True)

The manifest columns are ``piece, track, file, method, delta, alpha, seed, length, sample_rate, z``
(``track`` is ``mix`` or the track index; ``z`` is the detection score of the file as written, i.e. after
16-bit quantisation). The JSON manifest also records the engine, the detection threshold and the pieces
that failed (also in ``failures.csv``: ``source, error, message``); a failed piece leaves no files.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Optional, Sequence, Union

import numpy as np

from muspy_like.audio.arguments import DEFAULT_MAX_DURATION, check_sample_rate
from muspy_like.audio.audiofile import DEFAULT_READ_BLOCK, AudioWriter, audio_info, read_blocks, write_blocks
from muspy_like.audio.render import DEFAULT_PEAK, render_blocks, stem_file_name
from muspy_like.audio.stream import AudioStream
from muspy_like.audio.watermark.detect import SILENCE_RMS, THRESHOLD, Detection, detect_blocks
from muspy_like.audio.watermark.echo import EchoEmbedder, EchoWatermark, check_rate_matches
from muspy_like.errors import AudioError, MuspyLikeError, WatermarkError
from muspy_like.extras import require
from muspy_like.files import atomic_write_text, check_output_file, prepare_output_folder

if TYPE_CHECKING:
    from muspy_like.core.music import Music

__all__ = ["watermark_dataset", "DatasetManifest", "detect", "detect_file", "embed_file", "embed_blocks",
           "AUDIO_EXTENSIONS", "MANIFEST_FIELDS", "REPORT_FIELDS", "FAILURE_FIELDS"]

#: Extensions :func:`detect` picks up in a folder.
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".aiff", ".aif", ".mp3")
MANIFEST_FIELDS = ("piece", "track", "file", "method", "delta", "alpha", "seed", "length", "sample_rate", "z")
REPORT_FIELDS = ("file", "sample_rate", "seconds", "z", "marked", "threshold", "n_frames", "error")
FAILURE_FIELDS = ("source", "error", "message")
_FORMAT_OF = {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG", ".aiff": "AIFF", ".aif": "AIFF"}

Source = Union[str, Path, "Music", Sequence[Union[str, Path, "Music"]]]


class DatasetManifest(list):
    """The manifest rows written by :func:`watermark_dataset` (a list of dicts), plus ``failures``.

    Attributes
    ----------
    failures : list of dict
        One per piece that could not be marked: ``source`` (the file or piece), ``error`` (the exception
        type) and ``message``. Its files are not written (or removed if it failed midway).
    """

    def __init__(self, rows: Iterable[dict[str, object]] = (), failures: Iterable[dict[str, str]] = ()) -> None:
        super().__init__(rows)
        self.failures = list(failures)


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
    max_duration: float = DEFAULT_MAX_DURATION,
) -> DatasetManifest:
    """Render, mark and write every piece of a source, with a manifest; a bad piece fails alone.

    Every file is streamed: rendered in blocks, marked by an :class:`~muspy_like.audio.watermark.echo.EchoEmbedder`
    and written as it comes (:class:`~muspy_like.audio.audiofile.AudioWriter`, level-limited to 0.99),
    then scored back from the written file block by block, so memory does not depend on the length of
    the pieces or their number of tracks.

    Parameters
    ----------
    source : Music, path, folder, or a list of them
        Pieces to render: Music objects, files readable by :func:`muspy_like.read`, or a folder (searched
        recursively for files with a known extension).
    out_dir : str or Path
        Output folder (created, with missing parents, if needed).
    watermark : EchoWatermark
        What to embed (default: the paper's time-spread echo).
    engine : {"synth", "fluidsynth"}
        Rendering engine (see :func:`muspy_like.audio.render`).
    soundfont : str or Path, optional
        Sound font for FluidSynth.
    stems : bool, default True
        Also write one marked file per track. The mix is marked as a whole; the stems are scaled by the
        factor that keeps the unmarked mix below 0.99 (so they add up to it), then marked one by one.
    sample_rate : int, optional
        Render rate, in Hz; default the watermark's rate (they must agree).
    subtype : str, default "PCM_16"
        WAV sample format (soundfile subtype). 16-bit quantisation noise fills the quietest part of the
        spectrum and lowers the scores somewhat; ``"PCM_24"`` or ``"FLOAT"`` keep them higher.
    progress : bool
        Show a tqdm progress bar over the pieces.
    max_duration : float, default 14400
        Pieces whose audio would last longer (seconds) fail with the duration guard's message.

    Returns
    -------
    DatasetManifest
        The manifest rows (also written to ``manifest.csv`` and ``manifest.json``), with ``failures``
        (also in ``manifest.json`` and ``failures.csv``).
    """
    from muspy_like.audio.fluidsynth_engine import FluidSynthEngine

    rate = watermark.sample_rate if sample_rate is None else check_sample_rate(sample_rate)
    check_rate_matches(rate, watermark)
    out_dir = prepare_output_folder(out_dir)
    items = list(_sources(source))
    renderer: Union[str, FluidSynthEngine] = FluidSynthEngine(rate, soundfont) if engine == "fluidsynth" else engine
    manifest = DatasetManifest()
    used_names: set[str] = set()
    try:
        for name, item in _progress(items, progress, "watermarking"):
            name = _unique(_safe(name), used_names)
            written: list[Path] = []
            try:
                music = _read(item) if isinstance(item, Path) else item
                rows = _mark_piece(music, name, out_dir, watermark, renderer, soundfont, stems, subtype,
                                   max_duration, written)
            except MuspyLikeError as error:
                _remove(written, out_dir / name)
                manifest.failures.append({"source": str(item) if isinstance(item, Path) else name,
                                          "error": type(error).__name__, "message": str(error)})
                continue
            manifest.extend(rows)
    finally:
        if isinstance(renderer, FluidSynthEngine):
            renderer.close()
    _write_table(out_dir / "manifest.csv", manifest, MANIFEST_FIELDS)
    header = {"watermark": watermark.to_dict(), "engine": engine, "threshold": THRESHOLD, "files": list(manifest),
              "failures": manifest.failures}
    atomic_write_text(out_dir / "manifest.json", json.dumps(header, indent=2) + "\n")
    if manifest.failures:
        _write_table(out_dir / "failures.csv", manifest.failures, FAILURE_FIELDS)
    return manifest


def _mark_piece(music: "Music", name: str, out_dir: Path, watermark: EchoWatermark, renderer: object,
                soundfont: Optional[Union[str, Path]], stems: bool, subtype: str, max_duration: float,
                written: list[Path]) -> list[dict[str, object]]:
    """Write one piece's marked mix (and stems); return its manifest rows; ``written`` lists the files made."""
    rate = watermark.sample_rate
    piece_dir = out_dir / name
    piece_dir.mkdir(exist_ok=True)
    mix = render_blocks(music, rate, engine=renderer, soundfont=soundfont, max_duration=max_duration)
    loudest = [0.0]

    def measured(block: np.ndarray) -> np.ndarray:
        loudest[0] = max(loudest[0], float(np.abs(block).max(initial=0.0)))
        return block

    written.append(piece_dir / "mix.wav")
    rows = [_mark_file(mix.map(measured), written[-1], watermark, subtype, name, "mix", out_dir)]
    if stems:
        # The stems get the factor that keeps the unmarked mix below the peak, so they add up to it.
        scale = np.float32(DEFAULT_PEAK / loudest[0] if loudest[0] > DEFAULT_PEAK else 1.0)
        for number, track in enumerate(music.tracks):
            stem = render_blocks(music, rate, engine=renderer, soundfont=soundfont, tracks=[number],
                                 max_duration=max_duration).map(lambda block: block * scale)
            written.append(piece_dir / stem_file_name(number, track))
            rows.append(_mark_file(stem, written[-1], watermark, subtype, name, str(number), out_dir))
    return rows


def _mark_file(stream: AudioStream, path: Path, watermark: EchoWatermark, subtype: str, piece: str,
               track_label: str, out_dir: Path) -> dict[str, object]:
    write_blocks(path, embed_blocks(stream, watermark), stream.sample_rate, stream.channels, subtype, DEFAULT_PEAK)
    z = detect_file(path, watermark).z
    row: dict[str, object] = {"piece": piece, "track": track_label, "file": str(path.relative_to(out_dir))}
    row.update({key: watermark.to_dict()[key] for key in ("method", "delta", "alpha", "seed", "length")})
    row.update({"sample_rate": stream.sample_rate, "z": None if np.isnan(z) else round(z, 3)})
    return row


def embed_blocks(blocks: Iterable[np.ndarray], watermark: EchoWatermark, channels: int = 2) -> Iterator[np.ndarray]:
    """Mark a stream of blocks ``(n, channels)``: yields the marked samples as they are complete.

    The blocks must be at ``watermark.sample_rate``. The output adds up to the input's length and equals
    :func:`~muspy_like.audio.watermark.embed` on the whole signal before level limiting (write it through
    an :class:`~muspy_like.audio.audiofile.AudioWriter` with ``peak`` set to limit the level).
    """
    embedder = EchoEmbedder(watermark, channels)
    for block in blocks:
        marked = embedder.process(block)
        if len(marked):
            yield marked
    rest = embedder.flush()
    if len(rest):
        yield rest


def embed_file(
    source: Union[str, Path],
    target: Union[str, Path],
    watermark: EchoWatermark = EchoWatermark(),
    subtype: Optional[str] = None,
    peak: float = DEFAULT_PEAK,
    block_size: int = DEFAULT_READ_BLOCK,
) -> Detection:
    """Mark an audio file block by block and write the result; return the detection score of the file written.

    The written file holds the same samples as ``write_audio(target, embed(read_audio(source)...))``; memory
    is a few blocks whatever the file's length. ``subtype`` defaults to the source's (16-bit PCM if the
    target's format cannot hold it).

    Raises
    ------
    AudioError
        The source is missing or unreadable, at another rate than the watermark's, shorter than the echo
        kernel, or silent (there is nothing to hide an echo in); or the target cannot be written. Nothing
        is written then.
    """
    soundfile = require("soundfile", "audio", "watermarking an audio file")

    info = audio_info(source)
    try:
        check_rate_matches(info.sample_rate, watermark)
    except WatermarkError as error:
        raise WatermarkError(f"{source}: {error}") from error
    check_output_file(target)
    if info.frames <= watermark.span:
        raise WatermarkError(f"{source}: the clip has {info.frames} samples, fewer than the echo kernel needs "
                             f"({watermark.span + 1})")
    if subtype is None:
        source_subtype = soundfile.info(str(source)).subtype
        file_format = _FORMAT_OF.get(Path(target).suffix.lower(), "WAV")
        subtype = source_subtype if soundfile.check_format(file_format, source_subtype) else "PCM_16"
    writer = AudioWriter(target, info.sample_rate, info.channels, subtype, peak)
    try:
        for block in embed_blocks(read_blocks(source, block_size), watermark, info.channels):
            writer.write(block)
    except BaseException:
        writer.abandon()
        raise
    if writer.loudest < SILENCE_RMS:  # no frame can be louder than the loudest sample
        writer.abandon()
        raise WatermarkError(f"{source}: the audio is silent (no sample above -80 dBFS), so there is nothing to hide "
                             f"an echo in")
    writer.close()
    return detect_file(target, watermark, block_size=block_size)


def detect_file(
    path: Union[str, Path],
    watermark: EchoWatermark = EchoWatermark(),
    band_hz: Optional[tuple[float, float]] = None,
    threshold: float = THRESHOLD,
    resample: bool = False,
    block_size: int = DEFAULT_READ_BLOCK,
) -> Detection:
    """Score an audio file for a watermark, reading it block by block (bounded memory for any length).

    Same result as :func:`~muspy_like.audio.watermark.detect_audio` on the whole file; parameters as there.

    Raises
    ------
    AudioError
        The file is missing or unreadable, or at another rate than the watermark's without ``resample``
        (the message names the file).
    """
    info = audio_info(path)
    try:
        return detect_blocks(read_blocks(path, block_size), info.sample_rate, watermark, band_hz,
                             threshold=threshold, resample=resample)
    except WatermarkError as error:
        raise WatermarkError(f"{path}: {error}") from error


def detect(
    paths: Union[str, Path, Iterable[Union[str, Path]]],
    watermark: EchoWatermark = EchoWatermark(),
    report: Optional[Union[str, Path]] = None,
    threshold: float = THRESHOLD,
    band_hz: Optional[tuple[float, float]] = None,
    progress: bool = False,
    resample: bool = False,
) -> list[dict[str, object]]:
    """Score audio files (or every audio file in a folder) for a watermark, each read block by block.

    Parameters
    ----------
    paths : path, folder, or iterable of paths
        Audio files; folders are searched recursively for :data:`AUDIO_EXTENSIONS`.
    watermark : EchoWatermark
        The watermark to look for.
    report : str or Path, optional
        Write the rows to this file: ``.json`` for JSON, anything else for CSV. Its folder must exist
        (checked before any file is scored).
    threshold : float, default :data:`~muspy_like.audio.watermark.detect.THRESHOLD`
        A file is ``marked`` when its z-score reaches this value.
    band_hz : (low, high), optional
        Band-limited cepstrum, in Hz (e.g. ``(0, 10500)`` for audio that went through 22.05 kHz).
    progress : bool
        Show a tqdm progress bar.
    resample : bool, default False
        Resample files at another rate than the watermark's (see
        :func:`~muspy_like.audio.watermark.detect_audio`); otherwise such a file gets an error row saying
        which option to use, never a silent "not marked".

    Returns
    -------
    list of dict
        One row per file: ``file, sample_rate, seconds, z, marked, threshold, n_frames, error``. A file
        that cannot be read or scored gets ``marked=False`` and the reason in ``error`` (the others are
        still scored); a silent file gets ``z=None`` and ``error="silent"``.
    """
    if report is not None:
        report = check_output_file(report)
    files = _audio_files(paths)
    rows = []
    for path in _progress(files, progress, "detecting"):
        row: dict[str, object] = {"file": str(path), "threshold": threshold}
        try:
            info = audio_info(path)
            result = detect_file(path, watermark, band_hz=band_hz, threshold=threshold, resample=resample)
        except MuspyLikeError as error:
            row.update({"sample_rate": None, "seconds": None, "z": None, "marked": False, "n_frames": 0,
                        "error": str(error)})
        else:
            row.update({"sample_rate": info.sample_rate, "seconds": round(info.seconds, 3),
                        "z": None if np.isnan(result.z) else round(result.z, 3), "marked": result.marked,
                        "n_frames": result.n_frames, "error": "silent" if result.silent else ""})
        rows.append(row)
    if report is not None:
        if report.suffix.lower() == ".json":
            payload = {"watermark": watermark.to_dict(), "threshold": threshold, "files": rows}
            atomic_write_text(report, json.dumps(payload, indent=2) + "\n")
        else:
            _write_table(report, rows, REPORT_FIELDS)
    return rows


def _sources(source: Source) -> Iterator[tuple[str, Union[Path, "Music"]]]:
    """(name, Music or file) for every piece of the source; files are read later, one at a time."""
    from muspy_like.core.music import Music

    items = [source] if isinstance(source, (str, Path, Music)) else list(source)
    for position, item in enumerate(items):
        if isinstance(item, Music):
            yield (item.metadata.title or f"piece{position:04d}"), item
            continue
        path = Path(item)
        if path.is_dir():
            yield from _sources(_music_files(path))
        else:
            yield path.name.split(".")[0], path


def _read(path: Path) -> "Music":
    from muspy_like.io import read

    if not path.is_file():
        raise AudioError(f"{path}: no such file")
    result = read(path)
    return result[0] if isinstance(result, list) else result


def _remove(paths: list[Path], folder: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:  # not empty (files of an earlier run) or already gone: leave it
        pass


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
