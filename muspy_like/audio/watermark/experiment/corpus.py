"""The experiment's audio: Bach chorales from music21's corpus, each voice rendered alone with its own timbre.

Every four-part chorale (parts named Soprano, Alto, Tenor and Bass) is read with :func:`muspy_like.read`;
each voice is given an instrument (:data:`VOICES`) and rendered alone, so every part is monophonic and its
pitch is known exactly from the score (:func:`~muspy_like.audio.watermark.experiment.features.score_f0`).
Renders are kept as 16-bit values, as a dataset would be distributed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from muspy_like.audio.watermark.experiment.features import frames_of, score_f0

__all__ = ["VOICES", "RenderedPart", "chorale_paths", "render_parts", "quantize_16_bit"]

#: Voice -> (General MIDI program, instrument name): one timbre per voice.
VOICES = {
    "Soprano": (40, "violin"),
    "Alto": (68, "oboe"),
    "Tenor": (60, "horn"),
    "Bass": (19, "church organ"),
}


@dataclass
class RenderedPart:
    """One voice of one piece, rendered alone.

    Attributes
    ----------
    piece : str
        The file's stem (``bwv10.7``).
    voice : str
        A key of :data:`VOICES`.
    audio : ndarray
        Mono float32 samples (16-bit values), unmarked.
    f0 : ndarray
        Hz per frame, from the score.
    """

    piece: str
    voice: str
    audio: np.ndarray
    f0: np.ndarray

    @property
    def name(self) -> str:
        """``bwv10.7_Soprano``: the stem of the part's files."""
        return f"{self.piece}_{self.voice}"


def quantize_16_bit(audio: np.ndarray) -> np.ndarray:
    """Round float samples to the 16-bit grid (what writing and reading a PCM_16 WAV does), as float32."""
    return (np.round(np.clip(audio, -1.0, 32767 / 32768) * 32768) / 32768).astype(np.float32)


def chorale_paths(seconds: float, voices: Sequence[str] = tuple(VOICES),
                  max_piece_seconds: Optional[float] = None) -> list[Path]:
    """Four-part Bach chorales of music21's corpus, in name order, until their voices add up to ``seconds`` of audio.

    Only pieces whose parts are exactly Soprano, Alto, Tenor and Bass are used (no instrumental parts); at
    least two (one to train on, one to hold out). ``max_piece_seconds`` counts each piece as cut there.
    """
    import music21

    import muspy_like

    chosen: list[Path] = []
    total = 0.0
    for path in sorted(music21.corpus.getComposer("bach"), key=lambda p: p.name):
        if total >= seconds and len(chosen) >= 2:
            break
        if path.suffix not in (".mxl", ".xml", ".musicxml"):
            continue
        music = muspy_like.read(path)
        if sorted(track.name for track in music.tracks) != sorted(VOICES):
            continue
        chosen.append(Path(path))
        length = music.get_real_end_time() if max_piece_seconds is None else min(music.get_real_end_time(),
                                                                                   max_piece_seconds)
        total += len(voices) * (length + 1.0)
    return chosen


def render_parts(paths: Sequence[Path], sample_rate: int, hop: int, voices: Sequence[str] = tuple(VOICES),
                 engine: str = "synth", max_seconds: Optional[float] = None) -> list[RenderedPart]:
    """Render each voice of each piece alone (mono, 16-bit values) with its pitch frames.

    Parameters
    ----------
    paths : sequence of Path
        Chorales with parts named as the keys of :data:`VOICES`.
    sample_rate : int
        In Hz.
    hop : int
        Samples per pitch frame.
    voices : sequence of str
        Which voices to render.
    engine : {"synth", "fluidsynth"}
        The renderer (:func:`muspy_like.audio.render_blocks`).
    max_seconds : float, optional
        Cut each piece after this many seconds (short parts for quick runs).
    """
    import muspy_like
    from muspy_like.audio import render_blocks
    from muspy_like.audio.performance import track_performance

    parts = []
    for path in paths:
        music = muspy_like.read(path)
        if max_seconds is not None:
            music.trim(int(music.second_to_tick(max_seconds)))
        names = [track.name for track in music.tracks]
        for voice in voices:
            index = names.index(voice)
            music.tracks[index].program = VOICES[voice][0]
            blocks = list(render_blocks(music, sample_rate, engine=engine, tracks=[index]))
            audio = quantize_16_bit(np.concatenate(blocks).mean(axis=1))
            performance = track_performance(music.tracks[index], music.tempo_map(), sample_rate)
            f0 = score_f0(performance, frames_of(len(audio), hop), hop)
            parts.append(RenderedPart(Path(path).name.rsplit(".", 1)[0], voice, audio, f0))
    return parts
