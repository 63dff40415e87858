"""Rendering a :class:`~muspy_like.Music` to audio with FluidSynth or the built-in numpy synthesizer.

Three forms, one engine underneath:

* :func:`render_blocks` returns an :class:`~muspy_like.audio.stream.AudioStream`: the audio block by block
  (float32, ``(n, 2)``), at the engines' own level (no limiting); memory is one block.
* :func:`render_to_file` and :func:`render_stems` write files as the blocks come, with the level policy
  of :func:`render` (scaled down as a whole if louder than ``peak``); memory is one block, whatever the
  length of the piece or its number of tracks.
* :func:`render` returns the whole piece as one array: ``8 * n_samples`` bytes for the mix (about 21 MB
  per minute at 44.1 kHz), times the number of tracks plus one with ``stems=True``.

Every form refuses a piece whose audio would be longer than ``max_duration`` (4 hours by default) before
rendering anything, and shows a progress bar (audio seconds done of total) on long renders.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional, Sequence, Union

import numpy as np

from muspy_like.audio.arguments import (
    DEFAULT_MAX_DURATION,
    check_level,
    check_max_duration,
    check_sample_rate,
    check_seconds,
    format_duration,
    spell,
)
from muspy_like.audio.audiofile import write_blocks
from muspy_like.audio.performance import TrackPerformance, track_performance
from muspy_like.audio.stream import AudioStream, Progress
from muspy_like.errors import AudioError
from muspy_like.files import prepare_output_folder

if TYPE_CHECKING:
    from muspy_like.audio.fluidsynth_engine import FluidSynthEngine
    from muspy_like.core.music import Music
    from muspy_like.core.track import Track

__all__ = [
    "render",
    "render_blocks",
    "render_to_file",
    "render_stems",
    "stem_file_name",
    "ENGINES",
    "DEFAULT_PEAK",
    "DEFAULT_TAIL",
    "DEFAULT_BLOCK_SECONDS",
]

#: Engine names accepted by :func:`render`.
ENGINES = ("synth", "fluidsynth")
#: Highest absolute sample value of a render (the level is lowered, never raised, to stay below it).
DEFAULT_PEAK = 0.99
#: Silence kept after the last event for releases and reverb, in seconds.
DEFAULT_TAIL = 1.0
#: Length of the blocks audio is produced in, in seconds.
DEFAULT_BLOCK_SECONDS = 1.0

Engine = Union[str, "FluidSynthEngine"]


@dataclass
class _Plan:
    """A checked render request: the piece's events in samples and the render's length."""

    music: "Music"
    sample_rate: int
    n_samples: int
    block_size: int
    tracks: list[tuple["Track", TrackPerformance]]


def _plan(music: "Music", sample_rate: object, tail: object, block_seconds: object, max_duration: object) -> _Plan:
    rate = check_sample_rate(sample_rate)
    tail = check_seconds(tail, "tail", 0.0, 3600.0)
    block_seconds = check_seconds(block_seconds, "block_seconds", 0.0, 600.0, include_low=False)
    limit = check_max_duration(max_duration)
    seconds = music.get_real_end_time() + tail
    if not math.isfinite(seconds) or seconds > limit:
        raise AudioError(f"the piece's audio would last {format_duration(seconds)}, longer than "
                         f"{spell('max_duration')}, {format_duration(limit)}; pass a larger {spell('max_duration')} "
                         f"to render it anyway")
    n_samples = max(1, math.ceil(seconds * rate))
    tempo_map = music.tempo_map()
    tracks = [(track, track_performance(track, tempo_map, rate)) for track in music.tracks]
    return _Plan(music, rate, n_samples, max(1, int(round(block_seconds * rate))), tracks)


def _blocks(plan: _Plan, engine: Engine, soundfont: Optional[Union[str, Path]],
            tracks: Optional[Sequence[int]]) -> Iterator[np.ndarray]:
    """The raw blocks of the chosen tracks (all: the mix), from one engine."""
    chosen = list(range(len(plan.tracks))) if tracks is None else list(tracks)
    if engine == "synth":
        from muspy_like.audio.synth import SynthRenderer

        synth = SynthRenderer([perf for _, perf in plan.tracks], [t.program for t, _ in plan.tracks],
                              [t.is_drum for t, _ in plan.tracks], plan.sample_rate, plan.n_samples)
        yield from synth.blocks(plan.block_size, chosen)
        return
    fluid = _fluidsynth_engine(engine, plan.sample_rate, soundfont)
    try:
        yield from fluid.blocks([plan.tracks[i] for i in chosen], plan.n_samples, plan.block_size)
    finally:
        if fluid is not engine:
            fluid.close()


def _stream(plan: _Plan, engine: Engine, soundfont: Optional[Union[str, Path]], tracks: Optional[Sequence[int]],
            progress: Optional[Progress]) -> AudioStream:
    _check_engine(engine)
    return AudioStream(lambda: _blocks(plan, engine, soundfont, tracks), plan.sample_rate, plan.n_samples, 2,
                       progress)


def render_blocks(
    music: "Music",
    sample_rate: int = 44100,
    engine: Engine = "synth",
    soundfont: Optional[Union[str, Path]] = None,
    tracks: Optional[Sequence[int]] = None,
    tail: float = DEFAULT_TAIL,
    block_seconds: float = DEFAULT_BLOCK_SECONDS,
    max_duration: float = DEFAULT_MAX_DURATION,
    progress: Optional[bool] = False,
) -> AudioStream:
    """Render a piece as a stream of stereo blocks, at the engine's level (no limiting).

    Iterating the returned stream renders the piece (again) and yields float32 arrays of shape
    ``(block_size, 2)``, the last one shorter, where ``block_size = round(block_seconds * sample_rate)``.
    The audio does not depend on the block size (both engines; see :mod:`muspy_like.audio.synth` and
    :mod:`muspy_like.audio.fluidsynth_engine`). Memory is one block, plus the piece's events.

    Parameters
    ----------
    music : Music
        The piece.
    sample_rate : int, default 44100
        In Hz, 8000 to 192000 (FluidSynth: up to 96000).
    engine : {"synth", "fluidsynth"} or FluidSynthEngine
        As in :func:`render`.
    soundfont : str or Path, optional
        Sound font for FluidSynth.
    tracks : sequence of int, optional
        Render only these tracks (a stem); default all (the mix).
    tail : float, default 1.0
        Seconds kept after the last event.
    block_seconds : float, default 1.0
        Block length, in seconds.
    max_duration : float, default 14400
        Refuse (with :class:`AudioError`, before rendering) a piece whose audio would last longer, in
        seconds; ``math.inf`` disables the guard.
    progress : bool or None, default False
        Show a progress bar while iterating (None: when standard error is a terminal and the render takes
        more than a few seconds).

    Returns
    -------
    AudioStream
        With ``sample_rate``, ``n_samples`` and ``seconds``.
    """
    plan = _plan(music, sample_rate, tail, block_seconds, max_duration)
    bar = Progress(plan.n_samples / plan.sample_rate, progress) if progress is not False else None
    return _stream(plan, engine, soundfont, tracks, bar)


def render_to_file(
    music: "Music",
    path: Union[str, Path],
    sample_rate: int = 44100,
    engine: Engine = "synth",
    soundfont: Optional[Union[str, Path]] = None,
    subtype: Optional[str] = None,
    tail: float = DEFAULT_TAIL,
    peak: float = DEFAULT_PEAK,
    block_seconds: float = DEFAULT_BLOCK_SECONDS,
    max_duration: float = DEFAULT_MAX_DURATION,
    progress: Optional[bool] = None,
) -> Path:
    """Render a piece's mix straight to an audio file, block by block.

    The file holds the same samples as ``write_audio(path, render(music, ...), sample_rate, subtype)``
    with the same arguments, but memory stays at one block: the blocks go to a hidden scratch file beside
    ``path`` while the peak is measured, then are scaled (only if louder than ``peak``) and converted to
    the final format (see :mod:`muspy_like.audio.audiofile`). Nothing appears under ``path`` unless the
    render completes. Parameters not listed here are those of :func:`render_blocks`.

    Parameters
    ----------
    path : str or Path
        ``.wav``, ``.flac``, ``.ogg`` or ``.aiff``; its folder must exist. WAV data over 4 GiB is written as RF64.
    subtype : str, optional
        soundfile subtype (default 16-bit PCM for WAV and FLAC).
    peak : float, default 0.99
        Level limit, as in :func:`render`.
    progress : bool or None, default None
        Progress bar: None shows it when standard error is a terminal and the render takes more than a
        few seconds.
    """
    peak = check_level(peak)
    plan = _plan(music, sample_rate, tail, block_seconds, max_duration)
    with Progress(plan.n_samples / plan.sample_rate, progress) as bar:
        stream = _stream(plan, engine, soundfont, None, bar)
        write_blocks(path, stream, plan.sample_rate, 2, subtype, peak)
    return Path(path)


def render_stems(
    music: "Music",
    out_dir: Union[str, Path],
    sample_rate: int = 44100,
    engine: Engine = "synth",
    soundfont: Optional[Union[str, Path]] = None,
    extension: str = ".wav",
    subtype: Optional[str] = None,
    tail: float = DEFAULT_TAIL,
    peak: float = DEFAULT_PEAK,
    block_seconds: float = DEFAULT_BLOCK_SECONDS,
    max_duration: float = DEFAULT_MAX_DURATION,
    progress: Optional[bool] = None,
) -> list[Path]:
    """Render one file per track into a folder, block by block (names from :func:`stem_file_name`).

    As with ``render(stems=True)``, every stem is scaled by the factor that keeps the mix below ``peak``,
    so the stems still add up to the mix. That factor needs the mix's peak first: the mix is rendered
    once (and measured, not written), then each stem. A stem still louder than ``peak`` after that
    factor (possible only when tracks cancel each other in the mix) is scaled down further on its own,
    with a warning. Memory is one block; the work is twice that of the mix. Parameters not listed here
    are those of :func:`render_to_file`.

    Parameters
    ----------
    out_dir : str or Path
        Folder of the stems; created (with missing parents) if needed.
    extension : str, default ".wav"
        File type of the stems.

    Returns
    -------
    list of Path
        One file per track, in track order.
    """
    peak = check_level(peak)
    plan = _plan(music, sample_rate, tail, block_seconds, max_duration)
    folder = prepare_output_folder(out_dir)
    seconds = plan.n_samples / plan.sample_rate
    paths = [folder / stem_file_name(index, track, extension) for index, (track, _) in enumerate(plan.tracks)]
    with Progress(seconds * (len(plan.tracks) + 1), progress, "rendering stems") as bar:
        loudest = max((float(np.abs(block).max(initial=0.0)) for block in _stream(plan, engine, soundfont, None, bar)),
                      default=0.0)
        scale = np.float32(peak / loudest if loudest > peak else 1.0)
        for index, path in enumerate(paths):
            stream = _stream(plan, engine, soundfont, [index], bar).map(lambda block: _scaled(block, scale))
            writer = write_blocks(path, stream, plan.sample_rate, 2, subtype, peak)
            if writer.scale != 1.0:
                warnings.warn(f"{path}: this stem is louder than the mix; scaled down by a further "
                              f"{writer.scale:.3f} to stay below {peak}", stacklevel=2)
    return paths


def stem_file_name(index: int, track: "Track", extension: str = ".wav") -> str:
    """``track03_Violin_I.wav``: the track's index, then its name (or program) in safe characters."""
    import re

    label = re.sub(r"[^A-Za-z0-9._-]+", "_", track.name or f"program{track.program}").strip("._")[:60] or "track"
    return f"track{index:02d}_{label}{extension}"


def render(
    music: "Music",
    sample_rate: int = 44100,
    engine: Engine = "synth",
    soundfont: Optional[Union[str, Path]] = None,
    stems: bool = False,
    tail: float = DEFAULT_TAIL,
    peak: float = DEFAULT_PEAK,
    max_duration: float = DEFAULT_MAX_DURATION,
    progress: Optional[bool] = False,
) -> Union[np.ndarray, list[np.ndarray]]:
    """Render a piece to stereo float32 audio, as one array.

    Event times come from the piece's tempo map (ticks -> seconds -> samples, rounded to the nearest
    sample), so tempo changes are honoured by both engines.

    Memory: the whole render is held at once, 8 bytes per sample (about 21 MB per minute at 44.1 kHz),
    and with ``stems=True`` that much per track plus the mix. For long pieces use :func:`render_to_file`,
    :func:`render_stems` or :func:`render_blocks`, which hold one block.

    Parameters
    ----------
    music : Music
        The piece.
    sample_rate : int, default 44100
        Output rate, in Hz, 8000 to 192000 (FluidSynth: up to 96000).
    engine : {"synth", "fluidsynth"} or FluidSynthEngine
        ``"synth"``: the built-in numpy synthesizer (:mod:`muspy_like.audio.synth`), always available.
        ``"fluidsynth"``: FluidSynth with a General MIDI sound font (a fresh synthesizer per call, so
        repeated calls give identical audio). A
        :class:`~muspy_like.audio.fluidsynth_engine.FluidSynthEngine` instance reuses its loaded sound font
        across calls (its sample rate must match ``sample_rate``).
    soundfont : str or Path, optional
        Sound font for ``engine="fluidsynth"`` (default: found by
        :func:`~muspy_like.audio.soundfonts.find_soundfont`).
    stems : bool, default False
        Return one stereo array per track (in track order) instead of the mix. The stems add up to the
        mix exactly (numpy synthesizer) or up to FluidSynth's voice-allocation differences.
    tail : float, default 1.0
        Seconds kept after the end of the last note or event.
    peak : float, default 0.99
        Level safety: if the mix would exceed this absolute value, the mix (and every stem, by the same
        factor) is scaled down so it peaks exactly at ``peak``; quieter renders are left as they are.
    max_duration : float, default 14400
        Refuse a piece whose audio would last longer, in seconds (4 hours), before allocating anything.
    progress : bool or None, default False
        Show a progress bar (None: when standard error is a terminal and the render takes a while).

    Returns
    -------
    ndarray or list of ndarray
        float32, shape ``(n_samples, 2)`` with ``n_samples = ceil((end_seconds + tail) * sample_rate)``.

    Raises
    ------
    AudioError
        Unknown engine, invalid parameters (the message names the keyword), or a piece longer than
        ``max_duration``.
    SoundFontError
        FluidSynth or the sound font is missing (the message says how to install them).

    Examples
    --------
    >>> from muspy_like import Music, Track, Note
    >>> music = Music(resolution=24, tracks=[Track(notes=[Note(time=0, pitch=69, duration=24)])])
    >>> render(music, sample_rate=8000, tail=0.5).shape
    (8000, 2)
    """
    peak = check_level(peak)
    plan = _plan(music, sample_rate, tail, DEFAULT_BLOCK_SECONDS, max_duration)
    n_parts = len(plan.tracks) if stems else 1
    with Progress(n_parts * plan.n_samples / plan.sample_rate, progress) as bar:
        if not stems:
            mix = _stream(plan, engine, soundfont, None, bar).collect()
            parts: list[np.ndarray] = []
        else:
            fluid = _fluidsynth_engine(engine, plan.sample_rate, soundfont) if engine != "synth" else engine
            try:
                parts = [_stream(plan, fluid, soundfont, [i], bar).collect() for i in range(len(plan.tracks))]
            finally:
                if fluid is not engine:
                    fluid.close()
            mix = np.zeros((plan.n_samples, 2), dtype=np.float32)
            for part in parts:
                mix += part
    loudest = float(np.abs(mix).max(initial=0.0))
    scale = np.float32(peak / loudest if loudest > peak else 1.0)
    if not stems:
        return _scaled(mix, scale)
    return [_scaled(part, scale) for part in parts]


def _check_engine(engine: object) -> None:
    if isinstance(engine, str) and engine not in ENGINES:
        raise AudioError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")


def _fluidsynth_engine(engine: object, sample_rate: int, soundfont: Optional[Union[str, Path]]) -> "FluidSynthEngine":
    from muspy_like.audio.fluidsynth_engine import FluidSynthEngine

    if isinstance(engine, FluidSynthEngine):
        if engine.sample_rate != sample_rate:
            raise AudioError(f"the FluidSynth engine runs at {engine.sample_rate} Hz, not {sample_rate} Hz")
        return engine
    if engine != "fluidsynth":
        raise AudioError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    return FluidSynthEngine(sample_rate, soundfont)


def _scaled(audio: np.ndarray, scale: np.float32) -> np.ndarray:
    if scale != 1.0:
        audio *= scale
    return audio
