"""Representations of music for machine learning: pitch, event (MIDI-like and REMI-style), note and
piano roll, as encoder/decoder functions and processor classes.

Every encoder takes a :class:`~muspy_like.Music` and returns a numpy array; every decoder takes the array
(and the same options) and returns a :class:`~muspy_like.Music`. All of them keep tracks apart where the
representation allows (program and track columns, program tokens, a track axis), work on whole note
columns with numpy, and document exactly which pieces come back unchanged. See ``docs/representations.md``.
"""

from muspy_like.representations.event import from_event_representation, to_event_representation
from muspy_like.representations.note import (
    DEFAULT_NOTE_COLUMNS,
    NOTE_COLUMNS,
    from_note_representation,
    to_note_representation,
)
from muspy_like.representations.pianoroll import from_pianoroll_representation, to_pianoroll_representation
from muspy_like.representations.pitch import HOLD, REST, from_pitch_representation, pitch_vocabulary, to_pitch_representation
from muspy_like.representations.processors import (
    EventRepresentationProcessor,
    NoteRepresentationProcessor,
    PianoRollRepresentationProcessor,
    PitchRepresentationProcessor,
)
from muspy_like.representations.vocabulary import EventVocabulary, event_vocabulary

__all__ = [
    "to_pitch_representation",
    "from_pitch_representation",
    "pitch_vocabulary",
    "REST",
    "HOLD",
    "to_event_representation",
    "from_event_representation",
    "event_vocabulary",
    "EventVocabulary",
    "to_note_representation",
    "from_note_representation",
    "NOTE_COLUMNS",
    "DEFAULT_NOTE_COLUMNS",
    "to_pianoroll_representation",
    "from_pianoroll_representation",
    "PitchRepresentationProcessor",
    "EventRepresentationProcessor",
    "NoteRepresentationProcessor",
    "PianoRollRepresentationProcessor",
]
