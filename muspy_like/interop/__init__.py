"""Conversion to and from the objects of other symbolic-music libraries.

======================  =============================  ===================================
library                 to muspy_like                  from muspy_like
======================  =============================  ===================================
mido                    :func:`from_mido`              :func:`to_mido`
pretty_midi             :func:`from_pretty_midi`       :func:`to_pretty_midi`
miditoolkit             :func:`from_miditoolkit`       :func:`to_miditoolkit`
pypianoroll             :func:`from_pypianoroll`       :func:`to_pypianoroll`
music21                 :func:`from_music21`           :func:`to_music21`
symusic                 :func:`from_symusic`           :func:`to_symusic`
======================  =============================  ===================================

Each converter lives in its own module and imports its library only when called, so
``import muspy_like.interop`` stays light. Unsupported input raises
:class:`~muspy_like.errors.ConversionError`. What each conversion keeps and loses is listed in
``docs/interop-abc.md``.
"""

from __future__ import annotations

import importlib
from typing import Any

_FUNCTIONS = {
    "from_mido": "mido_interop",
    "to_mido": "mido_interop",
    "from_pretty_midi": "pretty_midi_interop",
    "to_pretty_midi": "pretty_midi_interop",
    "from_miditoolkit": "miditoolkit_interop",
    "to_miditoolkit": "miditoolkit_interop",
    "from_pypianoroll": "pypianoroll_interop",
    "to_pypianoroll": "pypianoroll_interop",
    "from_music21": "music21_interop",
    "to_music21": "music21_interop",
    "from_symusic": "symusic_interop",
    "to_symusic": "symusic_interop",
}

__all__ = sorted(_FUNCTIONS)


def __getattr__(name: str) -> Any:
    if name not in _FUNCTIONS:
        raise AttributeError(f"module 'muspy_like.interop' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"muspy_like.interop.{_FUNCTIONS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_FUNCTIONS))
