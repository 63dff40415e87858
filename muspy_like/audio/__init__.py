"""Rendering symbolic music to audio, and echo watermarks for rendered audio datasets.

Rendering uses the built-in numpy synthesizer (``engine="synth"``, no dependencies) or FluidSynth with a
General MIDI sound font (``engine="fluidsynth"``): :func:`render` returns one array, :func:`render_to_file`,
:func:`render_stems` and :func:`render_blocks` stream in blocks with memory independent of the length. The :mod:`muspy_like.audio.watermark`
package hides echoes in audio and detects them, after Tralie, Amery, Douglas and Utz, "Hidden Echoes
Survive Training in Audio To Audio Generative Instrument Models" (AAAI 2025 workshop, arXiv:2412.10649).

Only numpy is imported here; soundfile, scipy and pyfluidsynth load inside the functions that use them.
"""

from __future__ import annotations

from muspy_like.audio.audiofile import AudioWriter, audio_info, read_audio, read_blocks, write_audio, write_blocks
from muspy_like.audio.render import ENGINES, render, render_blocks, render_stems, render_to_file
from muspy_like.audio.soundfonts import find_soundfont
from muspy_like.audio.stream import AudioStream

__all__ = [
    "render",
    "render_blocks",
    "render_to_file",
    "render_stems",
    "AudioStream",
    "write_audio",
    "read_audio",
    "read_blocks",
    "audio_info",
    "AudioWriter",
    "write_blocks",
    "find_soundfont",
    "ENGINES",
]
