"""The Music container and its parts (numpy and the standard library only)."""

from muspy_like.core.events import (
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
    Note,
    NoteArray,
    PitchBend,
    PitchBendArray,
    Tempo,
    TimeSignature,
)
from muspy_like.core.music import DEFAULT_RESOLUTION, Music
from muspy_like.core.timing import DEFAULT_QPM, TempoMap
from muspy_like.core.track import Track

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
]
