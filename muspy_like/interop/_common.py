"""Small helpers shared by the converters of :mod:`muspy_like.interop`."""

from __future__ import annotations

from typing import Any, Iterable, Optional

import numpy as np

from muspy_like.core.music import Music
from muspy_like.errors import ConversionError

__all__ = ["require_type", "require_music", "quarters_to_ticks", "assign_channels", "DRUM_CHANNEL"]

#: MIDI channel 10 (0-based 9) is the General MIDI percussion channel.
DRUM_CHANNEL = 9


def require_type(obj: Any, expected: tuple[type, ...], function: str) -> None:
    """Raise :class:`ConversionError` naming the function and the accepted types if ``obj`` is not one."""
    if not isinstance(obj, expected):
        names = " or ".join(f"{t.__module__}.{t.__qualname__}" for t in expected)
        raise ConversionError(f"{function}() expects {names}, got {type(obj).__module__}.{type(obj).__qualname__}")


def require_music(music: Any, function: str) -> None:
    """Raise :class:`ConversionError` unless ``music`` is a :class:`~muspy_like.Music`."""
    require_type(music, (Music,), function)


def quarters_to_ticks(quarters: Any, resolution: int) -> np.ndarray:
    """Quarter-note positions (floats or Fractions) to whole ticks, rounding halves up (int64 array)."""
    values = np.asarray([float(q) for q in quarters] if not isinstance(quarters, np.ndarray) else quarters)
    return np.floor(values.astype(np.float64) * resolution + 0.5).astype(np.int64)


def assign_channels(channels: Iterable[tuple[Optional[int], bool]]) -> list[int]:
    """MIDI channels (0-15) for tracks given as ``(stored channel or None, is_drum)`` pairs.

    A drum track goes to channel 9; a stored channel is kept when it is compatible (not 9 for a pitched
    track); the other tracks take channels 0-15 (skipping 9) in turn, so more than 15 pitched tracks share
    channels.
    """
    pitched = [c for c in range(16) if c != DRUM_CHANNEL]
    result, turn = [], 0
    for stored, is_drum in channels:
        if is_drum:
            result.append(DRUM_CHANNEL)
        elif stored is not None and 0 <= stored < 16 and stored != DRUM_CHANNEL:
            result.append(int(stored))
        else:
            result.append(pitched[turn % len(pitched)])
            turn += 1
    return result
