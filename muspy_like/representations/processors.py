"""Processor classes: the options of one representation, stored once, with ``encode`` and ``decode``.

Each processor is a dataclass whose fields are the options of its encoder and decoder functions; a
field is passed to whichever of the two takes an argument of that name. The time grid defaults to
``resolution=24`` steps per quarter note (not the piece's own ticks), so that ``decode(encode(music))``
gives back a piece of the same resolution and every sequence from one processor shares one vocabulary.

Examples
--------
>>> from muspy_like import Music, Track, Note
>>> processor = EventRepresentationProcessor(mode="remi")
>>> music = Music(resolution=24, tracks=[Track(program=0, notes=[Note(0, 60, 24, 64)])])
>>> processor.decode(processor.encode(music)).tracks[0].notes == music.tracks[0].notes
True
"""

from __future__ import annotations

import inspect
from dataclasses import asdict, dataclass
from typing import Any, Callable, ClassVar, Optional, Sequence

import numpy as np

from muspy_like.core import DEFAULT_RESOLUTION, DEFAULT_VELOCITY, Music
from muspy_like.representations.common import DEFAULT_TEMPO_RANGE
from muspy_like.representations.event import from_event_representation, to_event_representation
from muspy_like.representations.note import DEFAULT_NOTE_COLUMNS, from_note_representation, to_note_representation
from muspy_like.representations.pianoroll import from_pianoroll_representation, to_pianoroll_representation
from muspy_like.representations.pitch import from_pitch_representation, to_pitch_representation
from muspy_like.representations.vocabulary import EventVocabulary

__all__ = [
    "PitchRepresentationProcessor",
    "EventRepresentationProcessor",
    "NoteRepresentationProcessor",
    "PianoRollRepresentationProcessor",
]


class _Processor:
    """Routes the dataclass fields to the encoder and decoder functions by argument name."""

    encoder: ClassVar[Callable[..., np.ndarray]]
    decoder: ClassVar[Callable[..., Music]]

    def _options_for(self, function: Callable) -> dict[str, Any]:
        names = inspect.signature(function).parameters
        return {name: value for name, value in asdict(self).items() if name in names}

    def encode(self, music: Music) -> np.ndarray:
        """Encode a piece with this processor's options."""
        return type(self).encoder(music, **self._options_for(type(self).encoder))

    def decode(self, array: np.ndarray) -> Music:
        """Decode an array written by :meth:`encode` (with the same options)."""
        return type(self).decoder(array, **self._options_for(type(self).decoder))


@dataclass
class PitchRepresentationProcessor(_Processor):
    """Options of :func:`~muspy_like.representations.pitch.to_pitch_representation` and its decoder."""

    use_hold_state: bool = True
    polyphony: str = "highest"
    track: Optional[int] = None
    resolution: int = DEFAULT_RESOLUTION
    program: int = 0
    is_drum: bool = False
    default_velocity: int = DEFAULT_VELOCITY
    dtype: type = np.int64

    encoder = staticmethod(to_pitch_representation)
    decoder = staticmethod(from_pitch_representation)


@dataclass
class EventRepresentationProcessor(_Processor):
    """Options of :func:`~muspy_like.representations.event.to_event_representation` and its decoder."""

    mode: str = "midi"
    resolution: int = DEFAULT_RESOLUTION
    max_time_shift: int = 100
    velocity_bins: int = 32
    encode_velocity: bool = True
    force_velocity_event: bool = True
    encode_program: bool = True
    encode_track: bool = True
    max_tracks: int = 64
    encode_tempo: bool = True
    tempo_range: tuple[int, int] = DEFAULT_TEMPO_RANGE
    use_end_of_sequence_event: bool = False
    max_bar_quarters: int = 8
    max_duration_quarters: int = 16
    max_numerator: int = 16
    program: int = 0
    is_drum: bool = False
    default_velocity: int = DEFAULT_VELOCITY
    dtype: type = np.int64

    encoder = staticmethod(to_event_representation)
    decoder = staticmethod(from_event_representation)

    @property
    def vocabulary(self) -> EventVocabulary:
        """The token vocabulary of these options (``len()`` is its size, ``.names()`` the token names)."""
        return EventVocabulary(**self._options_for(EventVocabulary))


@dataclass
class NoteRepresentationProcessor(_Processor):
    """Options of :func:`~muspy_like.representations.note.to_note_representation` and its decoder."""

    columns: Sequence[str] = DEFAULT_NOTE_COLUMNS
    resolution: int = DEFAULT_RESOLUTION
    program: int = 0
    is_drum: bool = False
    default_velocity: int = DEFAULT_VELOCITY
    dtype: type = np.int64

    encoder = staticmethod(to_note_representation)
    decoder = staticmethod(from_note_representation)


@dataclass
class PianoRollRepresentationProcessor(_Processor):
    """Options of :func:`~muspy_like.representations.pianoroll.to_pianoroll_representation` and its decoder."""

    encode_velocity: bool = True
    encode_onsets: bool = False
    track_axis: bool = False
    resolution: int = DEFAULT_RESOLUTION
    program: int = 0
    is_drum: bool = False
    programs: Optional[Sequence[int]] = None
    is_drums: Optional[Sequence[bool]] = None
    default_velocity: int = DEFAULT_VELOCITY
    dtype: Optional[type] = None

    encoder = staticmethod(to_pianoroll_representation)
    decoder = staticmethod(from_pianoroll_representation)
