"""MusPy's function forms of the object methods (``muspy.transpose(music, 2)`` is ``music.transpose(2)``)."""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

__all__ = [
    "adjust_resolution",
    "adjust_time",
    "append",
    "clip",
    "get_end_time",
    "get_real_end_time",
    "remove_duplicate",
    "sort",
    "to_ordered_dict",
    "transpose",
]


def adjust_resolution(music: Any, target: Optional[int] = None, factor: Optional[float] = None,
                      rounding: Union[str, Callable] = "round") -> Any:
    """``music.adjust_resolution(target, factor, rounding)``; MusPy's callable ``rounding`` is refused."""
    if callable(rounding):
        raise TypeError("rounding must be 'round', 'floor' or 'ceil' (a callable is not supported)")
    return music.adjust_resolution(target, factor, rounding)


def adjust_time(obj: Any, func: Callable[[int], int]) -> Any:
    """``obj.adjust_time(func)``: map every time (and end) through ``func``."""
    return obj.adjust_time(func)


def append(obj1: Any, obj2: Any) -> Any:
    """``obj1.append(obj2)``: add a note to a track, a track or event to a piece."""
    return obj1.append(obj2)


def clip(obj: Any, lower: int = 0, upper: int = 127) -> Any:
    """``obj.clip(lower, upper)``: clip velocities."""
    return obj.clip(lower, upper)


def get_end_time(obj: Any, is_sorted: bool = False) -> int:
    """``obj.get_end_time()``, in ticks (``is_sorted`` is accepted; the end is found in one pass anyway)."""
    return obj.get_end_time(is_sorted)


def get_real_end_time(music: Any, is_sorted: bool = False) -> float:
    """``music.get_real_end_time()``, in seconds."""
    return music.get_real_end_time(is_sorted)


def remove_duplicate(obj: Any) -> Any:
    """``obj.remove_duplicate()``."""
    return obj.remove_duplicate()


def sort(obj: Any) -> Any:
    """``obj.sort()``."""
    return obj.sort()


def to_ordered_dict(obj: Any, skip_missing: bool = True, deepcopy: bool = True) -> Any:
    """``obj.to_ordered_dict(skip_missing, deepcopy)``."""
    return obj.to_ordered_dict(skip_missing, deepcopy)


def transpose(obj: Any, semitone: int) -> Any:
    """``obj.transpose(semitone)``."""
    return obj.transpose(semitone)
