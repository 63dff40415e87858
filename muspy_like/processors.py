"""MusPy's module path ``muspy.processors``: the representation processors with MusPy's defaults.

See :mod:`muspy_like.compat.representations`; muspy_like's own processors are in
:mod:`muspy_like.representations`.
"""

from muspy_like.compat.representations import (  # noqa: F401
    EventRepresentationProcessor,
    NoteRepresentationProcessor,
    PianoRollRepresentationProcessor,
    PitchRepresentationProcessor,
)

__all__ = [
    "EventRepresentationProcessor",
    "NoteRepresentationProcessor",
    "PianoRollRepresentationProcessor",
    "PitchRepresentationProcessor",
]
