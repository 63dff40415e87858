"""Validation of Music objects, derived from the field declarations.

Every check raises :class:`~muspy_like.errors.ValidationError` with the attribute path of the first wrong
value, e.g. ``tracks[2].notes[15].pitch = 130 is outside 0..127``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable

import numpy as np

from muspy_like.core.columns import EventArray
from muspy_like.core.events import (
    Annotation,
    Barline,
    Beat,
    Chord,
    KeySignature,
    Lyric,
    Metadata,
    Tempo,
    TimeSignature,
)
from muspy_like.errors import ValidationError

if TYPE_CHECKING:
    from muspy_like.core.music import Music
    from muspy_like.core.track import Track

__all__ = ["validate_music", "validate_track", "validate_array", "validate_event"]


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _optional(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda v: v is None or check(v)


_TICK = (lambda v: _is_int(v) and v >= 0, "a non-negative integer tick")
_RULES: dict[type, dict[str, tuple[Callable[[Any], bool], str]]] = {
    Tempo: {"time": _TICK, "qpm": (lambda v: isinstance(v, (int, float)) and np.isfinite(v) and v > 0, "a positive number")},
    KeySignature: {
        "time": _TICK,
        "root": (_optional(lambda v: _is_int(v) and 0 <= v <= 11), "None or a pitch class 0..11"),
        "mode": (_optional(lambda v: isinstance(v, str)), "None or a string"),
        "fifths": (_optional(lambda v: _is_int(v) and -7 <= v <= 7), "None or an integer -7..7"),
        "root_str": (_optional(lambda v: isinstance(v, str)), "None or a string"),
    },
    TimeSignature: {
        "time": _TICK,
        "numerator": (lambda v: _is_int(v) and v > 0, "a positive integer"),
        "denominator": (lambda v: _is_int(v) and v > 0 and (v & (v - 1)) == 0, "a positive power of two"),
    },
    Beat: {"time": _TICK, "is_downbeat": (lambda v: isinstance(v, bool), "a bool")},
    Barline: {"time": _TICK},
    Lyric: {"time": _TICK, "lyric": (lambda v: isinstance(v, str), "a string")},
    Annotation: {"time": _TICK, "group": (_optional(lambda v: isinstance(v, str)), "None or a string")},
    Chord: {
        "time": _TICK,
        "pitches": (lambda v: isinstance(v, list) and all(_is_int(p) and 0 <= p <= 127 for p in v), "a list of pitches 0..127"),
        "duration": (lambda v: _is_int(v) and v >= 0, "a non-negative integer"),
        "velocity": (lambda v: _is_int(v) and 0 <= v <= 127, "an integer 0..127"),
    },
    Metadata: {
        "schema_version": (lambda v: isinstance(v, str), "a string"),
        "title": (_optional(lambda v: isinstance(v, str)), "None or a string"),
        "creators": (lambda v: isinstance(v, list) and all(isinstance(c, str) for c in v), "a list of strings"),
        "copyright": (_optional(lambda v: isinstance(v, str)), "None or a string"),
        "collection": (_optional(lambda v: isinstance(v, str)), "None or a string"),
        "source_filename": (_optional(lambda v: isinstance(v, str)), "None or a string"),
        "source_format": (_optional(lambda v: isinstance(v, str)), "None or a string"),
    },
}


def _validate_object(obj: Any, path: str) -> None:
    rules = _RULES.get(type(obj))
    if rules is None:
        raise ValidationError(f"{path} is a {type(obj).__name__}, which does not belong there")
    for name, (check, expected) in rules.items():
        value = getattr(obj, name)
        if not check(value):
            raise ValidationError(f"{path}.{name} = {value!r} should be {expected}")


def validate_event(event: Any, path: str = "event") -> None:
    """Validate one sparse event (tempo, key, chord, lyric...) or the metadata; ``path`` prefixes messages."""
    _validate_object(event, path)


def _validate_list(items: Iterable[Any], kind: type, path: str) -> None:
    if not isinstance(items, list):
        raise ValidationError(f"{path} should be a list, not {type(items).__name__}")
    for i, item in enumerate(items):
        if not isinstance(item, kind):
            raise ValidationError(f"{path}[{i}] should be a {kind.__name__}, not {type(item).__name__}")
        _validate_object(item, f"{path}[{i}]")


def validate_array(array: EventArray, path: str) -> None:
    """Check every column of an event array against its declared range (vectorized)."""
    for field in array.fields:
        column = array.columns()[field.name]
        bad = np.flatnonzero((column < field.low) | (column > field.high))
        if len(bad):
            i = int(bad[0])
            raise ValidationError(
                f"{path}[{i}].{field.name} = {column[i].item()} is outside {field.low}..{field.high}"
                + (f" ({len(bad)} bad values in all)" if len(bad) > 1 else "")
            )


def validate_track(track: "Track", path: str = "track") -> None:
    """Validate one track; ``path`` prefixes the attribute paths in error messages."""
    from muspy_like.core.events import ControlChangeArray, NoteArray, PitchBendArray

    if not _is_int(track.program) or not 0 <= track.program <= 127:
        raise ValidationError(f"{path}.program = {track.program!r} should be an integer 0..127")
    if not isinstance(track.is_drum, bool):
        raise ValidationError(f"{path}.is_drum = {track.is_drum!r} should be a bool")
    if track.name is not None and not isinstance(track.name, str):
        raise ValidationError(f"{path}.name = {track.name!r} should be None or a string")
    if track.channel is not None and not (_is_int(track.channel) and 0 <= track.channel <= 15):
        raise ValidationError(f"{path}.channel = {track.channel!r} should be None or an integer 0..15")
    for name, kind in (("notes", NoteArray), ("control_changes", ControlChangeArray), ("pitch_bends", PitchBendArray)):
        array = getattr(track, name)
        if type(array) is not kind:
            raise ValidationError(f"{path}.{name} should be a {kind.__name__}, not {type(array).__name__}")
        validate_array(array, f"{path}.{name}")
    _validate_list(track.chords, Chord, f"{path}.chords")
    _validate_list(track.lyrics, Lyric, f"{path}.lyrics")
    _validate_list(track.annotations, Annotation, f"{path}.annotations")


def validate_music(music: "Music") -> None:
    """Validate a whole piece; raises :class:`ValidationError` at the first wrong value."""
    from muspy_like.core.track import Track

    if not isinstance(music.metadata, Metadata):
        raise ValidationError(f"metadata should be a Metadata, not {type(music.metadata).__name__}")
    _validate_object(music.metadata, "metadata")
    if not _is_int(music.resolution) or music.resolution <= 0:
        raise ValidationError(f"resolution = {music.resolution!r} should be a positive integer (ticks per quarter)")
    for name, kind in (
        ("tempos", Tempo),
        ("key_signatures", KeySignature),
        ("time_signatures", TimeSignature),
        ("beats", Beat),
        ("barlines", Barline),
        ("lyrics", Lyric),
        ("annotations", Annotation),
    ):
        _validate_list(getattr(music, name), kind, name)
    if not isinstance(music.tracks, list):
        raise ValidationError(f"tracks should be a list, not {type(music.tracks).__name__}")
    for i, track in enumerate(music.tracks):
        if not isinstance(track, Track):
            raise ValidationError(f"tracks[{i}] should be a Track, not {type(track).__name__}")
        validate_track(track, f"tracks[{i}]")
