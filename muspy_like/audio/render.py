"""Rendering a :class:`~muspy_like.Music` to audio with FluidSynth or the built-in numpy synthesizer."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

import numpy as np

from muspy_like.audio.performance import track_performance
from muspy_like.audio.synth import synthesize_track
from muspy_like.errors import AudioError

if TYPE_CHECKING:
    from muspy_like.audio.fluidsynth_engine import FluidSynthEngine
    from muspy_like.core.music import Music

__all__ = ["render", "ENGINES", "DEFAULT_PEAK", "DEFAULT_TAIL"]

#: Engine names accepted by :func:`render`.
ENGINES = ("synth", "fluidsynth")
#: Highest absolute sample value of a render (the level is lowered, never raised, to stay below it).
DEFAULT_PEAK = 0.99
#: Silence kept after the last event for releases and reverb, in seconds.
DEFAULT_TAIL = 1.0


def render(
    music: "Music",
    sample_rate: int = 44100,
    engine: Union[str, "FluidSynthEngine"] = "synth",
    soundfont: Optional[Union[str, Path]] = None,
    stems: bool = False,
    tail: float = DEFAULT_TAIL,
    peak: float = DEFAULT_PEAK,
) -> Union[np.ndarray, list[np.ndarray]]:
    """Render a piece to stereo float32 audio.

    Event times come from the piece's tempo map (ticks -> seconds -> samples, rounded to the nearest
    sample), so tempo changes are honoured by both engines.

    Parameters
    ----------
    music : Music
        The piece.
    sample_rate : int, default 44100
        Output rate, in Hz.
    engine : {"synth", "fluidsynth"} or FluidSynthEngine
        ``"synth"``: the built-in numpy synthesizer (:mod:`muspy_like.audio.synth`), always available.
        ``"fluidsynth"``: FluidSynth with a General MIDI sound font. A
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

    Returns
    -------
    ndarray or list of ndarray
        float32, shape ``(n_samples, 2)`` with ``n_samples = ceil((end_seconds + tail) * sample_rate)``.

    Raises
    ------
    AudioError
        Unknown engine or invalid parameters.
    SoundFontError
        FluidSynth or the sound font is missing (the message says how to install them).

    Examples
    --------
    >>> from muspy_like import Music, Track, Note
    >>> music = Music(resolution=24, tracks=[Track(notes=[Note(time=0, pitch=69, duration=24)])])
    >>> render(music, sample_rate=8000, tail=0.5).shape
    (8000, 2)
    """
    if sample_rate <= 0 or tail < 0 or not 0 < peak <= 1:
        raise AudioError(f"invalid render parameters: sample_rate={sample_rate}, tail={tail}, peak={peak}")
    sample_rate = int(sample_rate)
    tempo_map = music.tempo_map()
    n_samples = max(1, math.ceil((music.get_real_end_time() + tail) * sample_rate))
    performances = [track_performance(track, tempo_map, sample_rate) for track in music.tracks]
    tracks = list(zip(music.tracks, performances))
    if engine == "synth":
        parts = [synthesize_track(perf, track.program, track.is_drum, sample_rate, n_samples) for track, perf in tracks]
        mix = _sum(parts, n_samples)
    else:
        fluid = _fluidsynth_engine(engine, sample_rate, soundfont)
        try:
            if stems:
                parts = [fluid.render([pair], n_samples) for pair in tracks]
                mix = _sum(parts, n_samples)
            else:
                parts = []
                mix = fluid.render(tracks, n_samples)
        finally:
            if fluid is not engine:
                fluid.close()
    loudest = float(np.abs(mix).max(initial=0.0))
    scale = peak / loudest if loudest > peak else 1.0
    if not stems:
        return _scaled(mix, scale)
    return [_scaled(part, scale) for part in parts]


def _fluidsynth_engine(engine: object, sample_rate: int, soundfont: Optional[Union[str, Path]]) -> "FluidSynthEngine":
    from muspy_like.audio.fluidsynth_engine import FluidSynthEngine

    if isinstance(engine, FluidSynthEngine):
        if engine.sample_rate != sample_rate:
            raise AudioError(f"the FluidSynth engine runs at {engine.sample_rate} Hz, not {sample_rate} Hz")
        return engine
    if engine != "fluidsynth":
        raise AudioError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    return FluidSynthEngine(sample_rate, soundfont)


def _sum(parts: list[np.ndarray], n_samples: int) -> np.ndarray:
    mix = np.zeros((n_samples, 2), dtype=np.float32)
    for part in parts:
        mix += part
    return mix


def _scaled(audio: np.ndarray, scale: float) -> np.ndarray:
    if scale != 1.0:
        audio *= np.float32(scale)
    return audio
