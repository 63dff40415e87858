"""The one place that checks the arguments of the audio functions, and names them as the caller knows them.

Every audio entry point (:func:`~muspy_like.audio.render`, the streaming renderers, the watermark
functions and the ``render``/``watermark`` commands) checks its sample rate, durations, levels and output
paths here, so that a bad value gets the same :class:`~muspy_like.errors.AudioError` everywhere.

Messages name the argument in the caller's language: the keyword for Python users (``sample_rate``), the
option for command-line users (``--sample-rate``). Output paths follow the project's rule (:mod:`muspy_like.files`). The command line runs its commands inside
:func:`cli_spelling`, which switches the spelling for everything called below it (a context variable, so
no function signature carries it).
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import numbers
from typing import Iterator, Mapping, Optional

from muspy_like.errors import AudioError

__all__ = [
    "MIN_SAMPLE_RATE",
    "MAX_SAMPLE_RATE",
    "DEFAULT_MAX_DURATION",
    "check_sample_rate",
    "check_seconds",
    "check_level",
    "check_max_duration",
    "format_duration",
    "spell",
    "cli_spelling",
]

#: Lowest and highest sample rates accepted, in Hz (telephone audio to high-resolution studio audio).
MIN_SAMPLE_RATE = 8000
MAX_SAMPLE_RATE = 192000
#: Longest audio a render may produce by default, in seconds (4 hours; ``max_duration`` changes it).
DEFAULT_MAX_DURATION = 4 * 3600.0

# None: Python spelling (keywords). A mapping: command-line spelling, keyword -> option.
_CLI_OPTIONS: contextvars.ContextVar[Optional[Mapping[str, str]]] = contextvars.ContextVar(
    "muspy_like_audio_cli_options", default=None
)


@contextlib.contextmanager
def cli_spelling(options: Mapping[str, str] = {}) -> Iterator[None]:
    """Name arguments as command-line options in every message raised inside this block.

    Parameters
    ----------
    options : mapping of str to str
        Keyword -> option where the option is not simply ``--`` plus the keyword with dashes
        (e.g. ``{"sample_rate": "--rate"}`` for the watermark commands).
    """
    token = _CLI_OPTIONS.set(dict(options))
    try:
        yield
    finally:
        _CLI_OPTIONS.reset(token)


def spell(keyword: str, value: Optional[str] = None) -> str:
    """The name of an argument as the caller writes it, optionally with a value.

    ``spell("soundfont", "PATH")`` is ``soundfont=PATH`` in Python and ``--soundfont PATH`` on the
    command line; ``spell("sample_rate")`` is ``sample_rate`` or ``--sample-rate``.
    """
    options = _CLI_OPTIONS.get()
    if options is None:
        return keyword if value is None else f"{keyword}={value}"
    option = options.get(keyword, "--" + keyword.replace("_", "-"))
    if value is None or value == "True":  # a flag: the option alone switches it on
        return option
    return f"{option} {value}"


def check_sample_rate(value: object, keyword: str = "sample_rate", high: int = MAX_SAMPLE_RATE,
                      why_high: str = "") -> int:
    """Return ``value`` as a whole number of Hz between :data:`MIN_SAMPLE_RATE` and ``high``.

    ``why_high`` is appended to the range in the message (e.g. ``" (FluidSynth's highest rate)"``).

    Raises
    ------
    AudioError
        Not a number, not whole (``0.5``, ``22050.5``), NaN, zero, negative or out of range (``100``,
        ``1_000_000``); the message names the argument (see :func:`spell`).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise AudioError(f"{spell(keyword)} must be a number of Hz, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number != int(number):
        raise AudioError(f"{spell(keyword)} must be a whole number of Hz, got {value!r}")
    if not MIN_SAMPLE_RATE <= number <= high:
        raise AudioError(f"{spell(keyword)} must be between {MIN_SAMPLE_RATE} and {high} Hz{why_high}, got {int(number)}")
    return int(number)


def check_seconds(value: object, keyword: str, low: float = 0.0, high: float = math.inf,
                  include_low: bool = True) -> float:
    """Return ``value`` as a finite number of seconds in ``[low, high]`` (``(low, high]`` without ``include_low``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise AudioError(f"{spell(keyword)} must be a finite number of seconds, got {value!r}")
    number = float(value)
    above_low = number >= low if include_low else number > low
    if not above_low or number > high:
        bracket = "[" if include_low else "("
        raise AudioError(f"{spell(keyword)} must be in {bracket}{low:g}, {high:g}] seconds, got {number:g}")
    return number


def check_level(value: object, keyword: str = "peak") -> float:
    """Return ``value`` as a level in ``(0, 1]`` (a fraction of full scale)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < float(value) <= 1:
        raise AudioError(f"{spell(keyword)} must be in (0, 1], got {value!r}")
    return float(value)


def check_max_duration(value: object) -> float:
    """Return the duration guard, in seconds (positive; ``math.inf`` disables it)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not float(value) > 0:
        raise AudioError(f"{spell('max_duration')} must be a positive number of seconds, got {value!r}")
    return float(value)


def format_duration(seconds: float) -> str:
    """``3725.0`` -> ``"1:02:05 (3,725 s)"``: hours, minutes and seconds, then the seconds."""
    whole = int(round(seconds))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d} ({seconds:,.0f} s)"
