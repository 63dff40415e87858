"""muspy_like: a fast, faithful toolkit for symbolic music.

``import muspy_like`` loads only numpy and the standard library. The container classes are imported
eagerly; readers, writers and the other areas (datasets, metrics, separation, audio) load on first use,
so heavy optional libraries (music21, mido, symusic, scikit-learn, matplotlib, FluidSynth) are imported
only by the functions that need them.

Areas
-----
core
    :class:`Music`, :class:`Track`, :class:`Note` and the other timed objects.
io
    :func:`read` / :func:`write` by file extension; MIDI, MusicXML, MuseScore, ABC, native JSON/YAML.
interop
    Conversion to and from mido, pretty_midi, miditoolkit, pypianoroll, music21 and symusic.
representations
    Pitch, event, note and piano-roll encodings for machine learning.
datasets
    Dataset catalog, robust downloads, parallel conversion and ML adapters.
metrics, statistics
    Per-piece metrics; dataset statistics, plots and reports.
separation
    Part-separation (automatic instrumentation) baselines and their evaluation.
audio
    Rendering to audio and echo watermarks.
"""

from __future__ import annotations

import importlib
from typing import Any

from muspy_like.core import (
    DEFAULT_QPM,
    DEFAULT_RESOLUTION,
    DEFAULT_VELOCITY,
    SCHEMA_VERSION,
    Annotation,
    Barline,
    Beat,
    Chord,
    ControlChange,
    ControlChangeArray,
    KeySignature,
    Lyric,
    Metadata,
    Music,
    Note,
    NoteArray,
    PitchBend,
    PitchBendArray,
    Tempo,
    TempoMap,
    TimeSignature,
    Track,
)
from muspy_like.errors import *  # noqa: F401,F403  (the exception hierarchy is part of the top-level API)
from muspy_like.errors import __all__ as _error_names

__version__ = "0.1.0"

#: Functions exported at the top level but defined in modules loaded on first use.
_LAZY_FUNCTIONS = {
    # These eight accept MusPy's arguments too (kind=, backend=, open files); otherwise they are io's.
    "read": "muspy_like.compat.io",
    "write": "muspy_like.compat.io",
    "load": "muspy_like.compat.io",
    "save": "muspy_like.compat.io",
    "read_midi": "muspy_like.compat.io",
    "write_midi": "muspy_like.compat.io",
    "read_musicxml": "muspy_like.compat.io",
    "write_musicxml": "muspy_like.io.musicxml",
    "read_musescore": "muspy_like.compat.io",
    "read_abc": "muspy_like.io.abc",
    "read_abc_tunes": "muspy_like.io.abc",
    "write_abc": "muspy_like.io.abc",
}
_LAZY_MODULES = {
    "io",
    "interop",
    "representations",
    "datasets",
    "metrics",
    "statistics",
    "separation",
    "audio",
}


#: MusPy's module paths provided as thin modules (``muspy_like.inputs`` ...), loaded on first use.
_MUSPY_MODULES = {"inputs", "outputs", "utils", "schemas", "processors", "external", "visualization"}


def __getattr__(name: str) -> Any:
    if name in _LAZY_FUNCTIONS:
        value = getattr(importlib.import_module(_LAZY_FUNCTIONS[name]), name)
    elif name in _LAZY_MODULES or name in _MUSPY_MODULES:
        value = importlib.import_module(f"muspy_like.{name}")
    else:
        # MusPy's other names (the compatibility layer): looked up only when a name is not ours.
        from muspy_like.compat.names import TOP_LEVEL

        if name not in TOP_LEVEL:
            raise AttributeError(f"module 'muspy_like' has no attribute {name!r}")
        module, _, attribute = TOP_LEVEL[name].partition(":")
        value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    from muspy_like.compat.names import TOP_LEVEL

    return sorted(set(globals()) | set(_LAZY_FUNCTIONS) | _LAZY_MODULES | _MUSPY_MODULES | set(TOP_LEVEL))


__all__ = [
    "Annotation",
    "Barline",
    "Beat",
    "Chord",
    "ControlChange",
    "ControlChangeArray",
    "DEFAULT_QPM",
    "DEFAULT_RESOLUTION",
    "DEFAULT_VELOCITY",
    "KeySignature",
    "Lyric",
    "Metadata",
    "Music",
    "Note",
    "NoteArray",
    "PitchBend",
    "PitchBendArray",
    "SCHEMA_VERSION",
    "Tempo",
    "TempoMap",
    "TimeSignature",
    "Track",
    *_error_names,
    *_LAZY_FUNCTIONS,
]
