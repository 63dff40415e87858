"""Small helpers shared by the converters of :mod:`muspy_like.interop`."""

from __future__ import annotations

from typing import Any

from muspy_like.core.music import Music
from muspy_like.errors import ConversionError

__all__ = ["require_type", "require_music", "DRUM_CHANNEL"]

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
