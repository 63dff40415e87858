"""MusPy's ``synthesize`` and ``write_audio`` over :func:`muspy_like.audio.render` (FluidSynth driven directly).

The sound font is the one given, else MuseScore General when downloaded
(:func:`~muspy_like.compat.external.download_musescore_soundfont`), else the General MIDI sound font found
on the system (:func:`muspy_like.audio.find_soundfont`), so rendering works offline. As in MusPy the
waveform ends with the last note (no release tail) and ``synthesize`` returns 16-bit integers. MusPy
passes ``options`` to the FluidSynth program; muspy_like has no such program to pass them to and refuses
them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

import numpy as np

from muspy_like.core.music import Music

__all__ = ["synthesize", "write_audio"]

Pathish = Union[str, os.PathLike]


def _render(music: Music, soundfont_path: Optional[Pathish], rate: int, gain: Optional[float],
            options: Optional[str]) -> np.ndarray:
    from muspy_like.audio import render
    from muspy_like.audio.fluidsynth_engine import FluidSynthEngine
    from muspy_like.compat.external import get_musescore_soundfont_path

    if options:
        raise ValueError(f"options={options!r}: FluidSynth command-line options are not supported "
                         "(muspy_like drives FluidSynth as a library); use gain= and soundfont_path=")
    if soundfont_path is None and get_musescore_soundfont_path().is_file():
        soundfont_path = get_musescore_soundfont_path()
    engine = FluidSynthEngine(rate, soundfont_path, 1 / max(len(music.tracks), 1) if gain is None else gain)
    try:
        return render(music, sample_rate=rate, engine=engine, tail=0.0)
    finally:
        engine.close()


def synthesize(music: Music, soundfont_path: Optional[Pathish] = None, rate: int = 44100,
               gain: Optional[float] = None, options: Optional[str] = None) -> np.ndarray:
    """Render a piece with FluidSynth; int16 samples, shape (n_samples, 2), at ``rate`` Hz.

    Parameters
    ----------
    music : Music
        The piece.
    soundfont_path : str or Path, optional
        Sound font (see the module notes for the default).
    rate : int, default 44100
        Sample rate, in Hz.
    gain : float, optional
        FluidSynth master gain; default one over the number of tracks, as in MusPy (muspy_like's own
        :func:`muspy_like.audio.render` uses 0.5). A render that would clip is scaled down to a peak of
        0.99 of full scale.
    """
    audio = _render(music, soundfont_path, rate, gain, options)
    return np.round(audio * 32767).astype(np.int16)


def write_audio(path: Pathish, music: Music, audio_format: Optional[str] = None,
                soundfont_path: Optional[Pathish] = None, rate: int = 44100, gain: Optional[float] = None,
                options: Optional[str] = None) -> None:
    """Render a piece and write it (WAV, FLAC, OGG or AIFF by extension), atomically.

    ``audio_format`` (MusPy's name) must agree with the extension when given.
    """
    from muspy_like.audio import write_audio as write

    if audio_format is not None and Path(path).suffix.lower().lstrip(".") not in (audio_format.lower(),
                                                                                  {"aiff": "aif"}.get(audio_format)):
        raise ValueError(f"{path}: audio_format={audio_format!r} does not match the extension")
    write(path, _render(music, soundfont_path, rate, gain, options), rate)
