"""Rendering symbolic music to audio, and echo watermarks for rendered audio datasets.

Rendering (:func:`render`) uses the built-in numpy synthesizer (``engine="synth"``, no dependencies) or
FluidSynth with a General MIDI sound font (``engine="fluidsynth"``). The :mod:`muspy_like.audio.watermark`
package hides echoes in audio and detects them, after Tralie, Amery, Douglas and Utz, "Hidden Echoes
Survive Training in Audio To Audio Generative Instrument Models" (AAAI 2025 workshop, arXiv:2412.10649).

Only numpy is imported here; soundfile, scipy and pyfluidsynth load inside the functions that use them.
"""

from __future__ import annotations

from muspy_like.audio.audiofile import read_audio, write_audio
from muspy_like.audio.render import ENGINES, render
from muspy_like.audio.soundfonts import find_soundfont

__all__ = ["render", "write_audio", "read_audio", "find_soundfont", "ENGINES"]
