"""The object methods MusPy gives its classes, as mixins that the core classes inherit.

Every method is a thin delegation to :mod:`muspy_like.compat.objects` (or to the top-level functions),
imported on first call, so that ``import muspy_like`` stays light. The field information MusPy keeps in
``_attributes`` / ``_optional_attributes`` / ``_list_attributes`` is derived from the dataclass fields
and column declarations of our classes (:func:`muspy_like.compat.objects.declared_fields`).

The mixins have no instance state (``__slots__ = ()``), so the slotted event classes stay slotted.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar, Union

__all__ = ["MusPyObject", "MusPyContainer", "MusicShortcuts", "Base", "ComplexBase"]

ObjectT = TypeVar("ObjectT", bound="MusPyObject")


class _FieldTable:
    """Class-level attribute giving MusPy's view of a class's fields (computed once per class).

    ``kind`` is ``"attributes"`` (an ordered mapping name -> type), ``"optional"`` (names that may be
    None) or ``"list"`` (names holding lists or note columns).
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __get__(self, obj: Any, owner: type) -> Any:
        from muspy_like.compat.objects import field_table

        return field_table(owner, self.kind)


class MusPyObject:
    """MusPy's generic methods: dict conversion, type checks and fixes, time adjustment, ordering by time."""

    __slots__ = ()

    _attributes = _FieldTable("attributes")
    _optional_attributes = _FieldTable("optional")
    _list_attributes = _FieldTable("list")

    @classmethod
    def from_dict(cls: type[ObjectT], dict_: Any, strict: bool = False, cast: bool = False) -> ObjectT:
        """Build an object from a mapping of its fields (nested mappings for nested objects).

        Parameters
        ----------
        dict_ : mapping
            Field values; notes as a list of mappings (MusPy) or as columns (muspy_like's native form).
        strict : bool, default False
            Raise ``TypeError`` when a value is not of the declared type.
        cast : bool, default False
            Convert values to the declared types (``"1"`` -> 1, ``numpy.int64([60])`` -> 60).
        """
        from muspy_like.compat.objects import object_from_dict

        return object_from_dict(cls, dict_, strict, cast)

    def to_ordered_dict(self, skip_missing: bool = True, deepcopy: bool = True) -> "OrderedDict[str, Any]":
        """The fields as an ordered dict (notes as a list of dicts, as MusPy writes them).

        ``skip_missing`` leaves out fields that are None or empty lists; ``deepcopy`` copies values.
        """
        from muspy_like.compat.objects import object_to_ordered_dict

        return object_to_ordered_dict(self, skip_missing, deepcopy)

    def deepcopy(self: ObjectT) -> ObjectT:
        """A deep copy (``copy.deepcopy``)."""
        import copy

        return copy.deepcopy(self)

    def pretty_str(self, skip_missing: bool = True) -> str:
        """The fields as readable YAML-like text."""
        from muspy_like.compat.objects import pretty_str

        return pretty_str(self, skip_missing)

    def print(self, skip_missing: bool = True) -> None:
        """Print :meth:`pretty_str`."""
        print(self.pretty_str(skip_missing))

    def validate_type(self: ObjectT, attr: Optional[str] = None, recursive: bool = True) -> ObjectT:
        """Raise ``TypeError`` naming the first field whose value is not of the declared type."""
        from muspy_like.compat.objects import validate_type

        validate_type(self, attr, recursive)
        return self

    def is_valid_type(self, attr: Optional[str] = None, recursive: bool = True) -> bool:
        """Whether :meth:`validate_type` passes."""
        try:
            self.validate_type(attr, recursive)
        except TypeError:
            return False
        return True

    def validate(self: ObjectT, attr: Optional[str] = None, recursive: bool = True) -> ObjectT:
        """Raise :class:`~muspy_like.errors.ValidationError` (or ``TypeError``) on the first wrong value."""
        from muspy_like.compat.objects import validate_values

        validate_values(self, attr, recursive)
        return self

    def is_valid(self, attr: Optional[str] = None, recursive: bool = True) -> bool:
        """Whether :meth:`validate` passes."""
        from muspy_like.errors import ValidationError

        try:
            self.validate(attr, recursive)
        except (TypeError, ValidationError):
            return False
        return True

    def fix_type(self: ObjectT, attr: Optional[str] = None, recursive: bool = True) -> ObjectT:
        """Convert every field to its declared type in place (``"1"`` -> 1, ``0.0`` -> 0)."""
        from muspy_like.compat.objects import fix_type

        fix_type(self, attr, recursive)
        return self

    def adjust_time(self: ObjectT, func: Callable[[int], int], attr: Optional[str] = None,
                    recursive: bool = True) -> ObjectT:
        """Map every time through ``func`` (ticks to ticks); a note's end is mapped too, so its duration follows."""
        from muspy_like.compat.objects import adjust_time

        adjust_time(self, func, attr, recursive)
        return self

    # MusPy orders timed objects by time alone, so a list of them sorts chronologically (stably).
    def __lt__(self, other: Any) -> bool:
        if not hasattr(self, "time") or not hasattr(other, "time"):
            return NotImplemented
        return self.time < other.time

    def __gt__(self, other: Any) -> bool:
        if not hasattr(self, "time") or not hasattr(other, "time"):
            return NotImplemented
        return self.time > other.time


class MusPyContainer(MusPyObject):
    """MusPy's list operations on objects that hold lists (Track, Music): ``+``, ``+=``, ``remove_invalid``."""

    __slots__ = ()

    def __iadd__(self, other: Any) -> Any:
        return self.extend(other)

    def __add__(self, other: Any) -> Any:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.copy().extend(other, deepcopy=True)

    def remove_invalid(self: ObjectT, attr: Optional[str] = None, recursive: bool = True) -> ObjectT:
        """Drop every event (list item or note row) that fails validation, in place."""
        from muspy_like.compat.objects import remove_invalid

        remove_invalid(self, attr, recursive)
        return self


class MusicShortcuts:
    """MusPy's shortcuts on ``Music``: each calls the top-level function of the same name with ``self``.

    ``music.write_midi(path)`` is ``muspy_like.write_midi(path, music)``; ``music.to_pretty_midi()`` is
    ``muspy_like.to_pretty_midi(music)``; and so on. See ``docs/migration.md`` for what each delegates to.
    """

    __slots__ = ()

    def infer_barlines(self, overwrite: bool = False) -> Any:
        """Fill ``barlines`` from the time signatures (meter-aware); existing ones are kept unless ``overwrite``."""
        from muspy_like.compat.barlines import infer_barlines

        return infer_barlines(self, overwrite)

    def infer_barlines_and_beats(self, overwrite: bool = False) -> Any:
        """Fill ``barlines`` and ``beats`` from the time signatures (6/8 beats are dotted quarters)."""
        from muspy_like.compat.barlines import infer_barlines_and_beats

        return infer_barlines_and_beats(self, overwrite)

    def save_json(self, path: Any, **kwargs: Any) -> None:
        """Save as native JSON to a path or an open text file (see :func:`muspy_like.save_json`)."""
        _call("save_json", path, self, **kwargs)

    def save_yaml(self, path: Any, **kwargs: Any) -> None:
        """Save as native YAML to a path or an open text file (see :func:`muspy_like.save_yaml`)."""
        _call("save_yaml", path, self, **kwargs)

    def write_midi(self, path: Union[str, Path], **kwargs: Any) -> None:
        """Write a MIDI file (see :func:`muspy_like.write_midi`)."""
        _call("write_midi", path, self, **kwargs)

    def write_musicxml(self, path: Union[str, Path], **kwargs: Any) -> None:
        """Write MusicXML (see :func:`muspy_like.write_musicxml`)."""
        _call("write_musicxml", path, self, **kwargs)

    def write_abc(self, path: Union[str, Path], **kwargs: Any) -> None:
        """Write ABC (see :func:`muspy_like.write_abc`)."""
        _call("write_abc", path, self, **kwargs)

    def write_audio(self, path: Union[str, Path], **kwargs: Any) -> None:
        """Render and write an audio file (see :func:`muspy_like.write_audio`)."""
        _call("write_audio", path, self, **kwargs)

    def to_object(self, kind: str, **kwargs: Any) -> Any:
        """Convert to another library's object: ``"mido"``, ``"pretty_midi"``, ``"pypianoroll"``, ``"music21"``..."""
        return _call("to_object", self, kind, **kwargs)

    def to_music21(self, **kwargs: Any) -> Any:
        """A music21 ``Score`` (see :func:`muspy_like.interop.to_music21`)."""
        return _call("to_music21", self, **kwargs)

    def to_mido(self, **kwargs: Any) -> Any:
        """A mido ``MidiFile`` (see :func:`muspy_like.interop.to_mido`)."""
        return _call("to_mido", self, **kwargs)

    def to_pretty_midi(self, **kwargs: Any) -> Any:
        """A ``pretty_midi.PrettyMIDI`` with the real tempo map (see :func:`muspy_like.interop.to_pretty_midi`)."""
        return _call("to_pretty_midi", self, **kwargs)

    def to_pypianoroll(self, **kwargs: Any) -> Any:
        """A ``pypianoroll.Multitrack`` (see :func:`muspy_like.interop.to_pypianoroll`)."""
        return _call("to_pypianoroll", self, **kwargs)

    def to_representation(self, kind: str, **kwargs: Any) -> Any:
        """Encode with MusPy's defaults: ``kind`` is ``"pitch"``, ``"event"``, ``"note"`` or ``"pianoroll"``."""
        return _call("to_representation", self, kind, **kwargs)

    def to_pitch_representation(self, **kwargs: Any) -> Any:
        """Pitch representation with MusPy's defaults (see :func:`muspy_like.to_pitch_representation`)."""
        return _call("to_pitch_representation", self, **kwargs)

    def to_event_representation(self, **kwargs: Any) -> Any:
        """Event representation with MusPy's defaults and token layout."""
        return _call("to_event_representation", self, **kwargs)

    def to_note_representation(self, **kwargs: Any) -> Any:
        """Note representation with MusPy's four columns."""
        return _call("to_note_representation", self, **kwargs)

    def to_pianoroll_representation(self, **kwargs: Any) -> Any:
        """Piano roll with MusPy's defaults (one extra empty step)."""
        return _call("to_pianoroll_representation", self, **kwargs)

    def show(self, kind: str, **kwargs: Any) -> Any:
        """Show the piece: ``kind`` is ``"pianoroll"`` or ``"score"``."""
        return _call("show", self, kind, **kwargs)

    def show_score(self, **kwargs: Any) -> Any:
        """Show a score (see :func:`muspy_like.show_score`)."""
        return _call("show_score", self, **kwargs)

    def show_pianoroll(self, **kwargs: Any) -> Any:
        """Plot a piano roll with matplotlib (see :func:`muspy_like.show_pianoroll`)."""
        return _call("show_pianoroll", self, **kwargs)

    def synthesize(self, **kwargs: Any) -> Any:
        """Render to a waveform (see :func:`muspy_like.synthesize`)."""
        return _call("synthesize", self, **kwargs)


def _call(name: str, *args: Any, **kwargs: Any) -> Any:
    import muspy_like

    return getattr(muspy_like, name)(*args, **kwargs)


#: MusPy's names for the two base classes.
Base = MusPyObject
ComplexBase = MusPyContainer
