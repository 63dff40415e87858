"""Barlines and beats inferred from the time signatures (MusPy's ``infer_barlines``), meter-aware.

Bars start at every time signature and repeat by its bar length (``Music.bar_ticks``); beats follow the
meter (``Music.beat_ticks``): 6/8, 9/8 and 12/8 beat in dotted quarters, other meters in units of the
denominator. MusPy derives the same bars but counts the beats of compound meters in eighths. A piece
without time signatures is taken as 4/4 (MusPy raises ``ValueError``).
"""

from __future__ import annotations

from muspy_like.core.events import Barline, Beat
from muspy_like.core.music import Music

__all__ = ["infer_barlines", "infer_barlines_and_beats"]


def infer_barlines(music: Music, overwrite: bool = False) -> Music:
    """Fill ``music.barlines`` with the bar starts, in place; existing barlines stay unless ``overwrite``."""
    if music.barlines and not overwrite:
        return music
    music.barlines = [Barline(time=int(tick)) for tick in music.bar_ticks()]
    return music


def infer_barlines_and_beats(music: Music, overwrite: bool = False) -> Music:
    """Fill ``music.barlines`` and ``music.beats`` (downbeats marked), in place.

    Lists that already hold items stay unless ``overwrite``.
    """
    bars = music.bar_ticks()
    if overwrite or not music.barlines:
        music.barlines = [Barline(time=int(tick)) for tick in bars]
    if overwrite or not music.beats:
        downbeats = set(bars.tolist())
        music.beats = [Beat(time=int(tick), is_downbeat=int(tick) in downbeats) for tick in music.beat_ticks()]
    return music
