"""MusPy's reader and writer signatures over muspy_like's own I/O.

The top-level ``muspy_like.read``, ``write``, ``load``, ``save``, ``read_midi``, ``write_midi``,
``read_musicxml`` and ``read_musescore`` are the functions of this module: they behave exactly as
:mod:`muspy_like.io` when called as documented there, and accept MusPy's arguments as well:

==============================  =====================================================================
MusPy                           here
==============================  =====================================================================
``kind=`` (read, write, ...)    picks the format instead of the file extension
``read_midi(backend="mido")``   ``engine="mido"`` (same result as the default engine)
``backend="pretty_midi"``       reads or writes through pretty_midi and the interop converters
``duplicate_note_mode``         ``overlap`` (``"fifo"`` or ``"lifo"``; MusPy's ``"all"`` is refused)
``load(file_object)``           text files and gzip files opened by the caller are read too
``compressed=``                 gzip for JSON/YAML; for MusicXML/MuseScore it must agree with the suffix
==============================  =====================================================================

JSON and YAML are always written in muspy_like's native schema (notes as columns), which MusPy's own
files also load from; MusPy's ``skip_missing``, ``ensure_ascii`` and ``allow_unicode`` are accepted and
have no effect (the native format writes every field, as UTF-8).
"""

from __future__ import annotations

import gzip
import io as _io
import os
import zlib
from pathlib import Path
from typing import IO, Any, Optional, Union

from muspy_like import limits
from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.errors import FormatError, SchemaError
from muspy_like.extras import require
from muspy_like.files import atomic_write

__all__ = [
    "read",
    "write",
    "load",
    "save",
    "read_midi",
    "write_midi",
    "read_musicxml",
    "read_musescore",
    "read_abc_string",
    "load_json",
    "load_yaml",
    "save_json",
    "save_yaml",
    "to_object",
    "from_object",
    "from_music21_part",
    "from_music21_score",
    "from_music21_opus",
    "from_pypianoroll_track",
    "to_mido",
    "MuseScoreWarning",
    "read_midi_mido",
    "read_midi_pretty_midi",
    "write_midi_mido",
    "write_midi_pretty_midi",
]

Pathish = Union[str, os.PathLike]

#: MusPy's ``kind`` names for :func:`read` and :func:`write` -> extension standing for that format.
_READ_KINDS = {"midi": ".mid", "musicxml": ".musicxml", "musescore": ".mscx", "abc": ".abc"}
_WRITE_KINDS = {"midi": ".mid", "musicxml": ".musicxml", "abc": ".abc", "audio": ".wav"}
_NATIVE_KINDS = ("json", "yaml")
_MIDI_BACKENDS = ("mido", "pretty_midi")
_AUDIO_SUFFIXES = (".wav", ".aiff", ".aif", ".flac", ".ogg", ".mp3")


def _kind_error(kind: str, kinds: Any) -> ValueError:
    return ValueError(f"kind must be one of {sorted(kinds)}, not {kind!r}")


# -- generic entry points -----------------------------------------------------------------------------
def read(path: Pathish, kind: Optional[str] = None, **kwargs: Any) -> Music:
    """Read a MIDI, MusicXML, MuseScore, ABC or native JSON/YAML file, by extension or by ``kind``.

    Parameters
    ----------
    path : str or Path
        The file.
    kind : {"midi", "musicxml", "musescore", "abc"}, optional
        The format, when the extension does not say it.
    **kwargs
        Passed to the format's reader (MusPy's names accepted, e.g. ``backend="pretty_midi"``).
    """
    from muspy_like.io import format_of

    if kind is not None:
        if kind.lower() not in _READ_KINDS:
            raise _kind_error(kind, _READ_KINDS)
        name = format_of(_READ_KINDS[kind.lower()]).name
    else:
        name = format_of(path).name
    if name == "midi":
        return read_midi(path, **kwargs)
    if name == "musicxml":
        return read_musicxml(path, **kwargs)
    if name == "musescore":
        return read_musescore(path, **kwargs)
    if name == "abc":
        from muspy_like.io.abc import read_abc

        return read_abc(path, **kwargs)
    return load(path, **kwargs)


def write(path: Pathish, music: Music, kind: Optional[str] = None, **kwargs: Any) -> None:
    """Write a piece to a file chosen by extension or ``kind``, atomically.

    ``kind`` is ``"midi"``, ``"musicxml"``, ``"abc"``, ``"audio"``, ``"json"`` or ``"yaml"``; audio files
    (``.wav``, ``.flac``...) are rendered with :func:`muspy_like.write_audio`.
    """
    import importlib

    from muspy_like.io import format_of

    if kind is None:
        kind = "audio" if str(path).lower().endswith(_AUDIO_SUFFIXES) else None
    else:
        kind = kind.lower()
        if kind in _NATIVE_KINDS:
            return save(path, music, kind, **kwargs)
        if kind not in _WRITE_KINDS:
            raise _kind_error(kind, (*_WRITE_KINDS, *_NATIVE_KINDS))
    if kind == "audio":
        from muspy_like.compat.audio import write_audio

        return write_audio(path, music, **kwargs)
    fmt = format_of(_WRITE_KINDS[kind] if kind else path)
    if fmt.name == "midi":
        return write_midi(path, music, **kwargs)
    if fmt.name == "native":
        return save(path, music, **kwargs)
    if fmt.writer is None:
        raise FormatError(f"{path}: writing {fmt.name} files is not supported")
    getattr(importlib.import_module(fmt.module), fmt.writer)(path, music, **kwargs)


# -- native JSON / YAML -------------------------------------------------------------------------------
def _native_kind(path: Any, kind: Optional[str]) -> str:
    if kind is not None:
        if kind.lower() not in _NATIVE_KINDS:
            raise _kind_error(kind, _NATIVE_KINDS)
        return kind.lower()
    name = str(getattr(path, "name", path)).lower()
    name = name[:-3] if name.endswith(".gz") else name
    if name.endswith(".json"):
        return "json"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    raise SchemaError(f"{getattr(path, 'name', path)}: native files end in .json, .yaml or .yml (optionally .gz); "
                      "or pass kind='json' or 'yaml'")


def load(path: Union[Pathish, IO], kind: Optional[str] = None, **kwargs: Any) -> Music:
    """Load a native (or MusPy) JSON/YAML file, optionally gzipped, from a path or an open file.

    Parameters
    ----------
    path : str, Path or file object
        A path, or a text or binary file opened by the caller.
    kind : {"json", "yaml"}, optional
        The format, when the name does not end in ``.json``, ``.yaml`` or ``.yml`` (optionally ``.gz``).
    **kwargs
        ``compressed`` (MusPy: gzip or not, default by the ``.gz`` suffix) and ``validator``
        (see :func:`muspy_like.io.native.load`).
    """
    return _load(path, _native_kind(path, kind), **kwargs)


def load_json(path: Union[Pathish, IO], compressed: Optional[bool] = None, **kwargs: Any) -> Music:
    """Load a native (or MusPy) JSON file or open file (see :func:`load`)."""
    return _load(path, "json", compressed, **kwargs)


def load_yaml(path: Union[Pathish, IO], compressed: Optional[bool] = None, **kwargs: Any) -> Music:
    """Load a native (or MusPy) YAML file or open file (see :func:`load`)."""
    return _load(path, "yaml", compressed, **kwargs)


def _load(
    path: Union[Pathish, IO],
    fmt: str,
    compressed: Optional[bool] = None,
    validator: str = "auto",
    max_bytes: Optional[int] = None,
) -> Music:
    from muspy_like.io import native

    if isinstance(path, (str, os.PathLike)):
        source = str(path)
        if compressed is None and _named_as(source) and _native_kind(path, None) == fmt:
            # our loader, with its checks, when the name says it all
            return native.load(path, validator, max_bytes=max_bytes)
        with open(path, "rb") as stream:
            raw = _read_capped(stream, source, max_bytes)
        if compressed is None:
            compressed = source.lower().endswith(".gz")
    else:
        source = str(getattr(path, "name", f"<{type(path).__name__}>"))
        raw = _read_capped(path, source, max_bytes)
        if isinstance(raw, str):
            if compressed:
                raise ValueError(f"{source}: compressed=True needs a file opened in binary mode ('rb')")
            return native.loads(raw, fmt, validator, source)
        if compressed is None:
            compressed = raw[:2] == b"\x1f\x8b"
    return native.loads(_decoded(raw, source, bool(compressed), max_bytes), fmt, validator, source)


def _read_capped(stream: IO, source: str, max_bytes: Optional[int]) -> Union[bytes, str]:
    """Everything ``stream`` holds, refused past the ``document_bytes`` cap (text or bytes, as it gives)."""
    return limits.read_bounded(stream, "document_bytes", source, keyword="max_bytes", cap=max_bytes)


def _named_as(name: str) -> bool:
    """Whether a file name ends in a native extension (``.json``, ``.yaml``, ``.yml``, optionally ``.gz``)."""
    lowered = name.lower()
    return lowered.removesuffix(".gz").endswith((".json", ".yaml", ".yml"))


def _decoded(raw: bytes, source: str, compressed: bool, max_bytes: Optional[int] = None) -> str:
    if compressed:
        try:
            with gzip.GzipFile(fileobj=_io.BytesIO(raw)) as stream:
                raw = limits.read_bounded(stream, "document_bytes", source, keyword="max_bytes", cap=max_bytes)
        except (OSError, EOFError, zlib.error) as error:
            raise SchemaError(f"{source}: not a valid gzip file ({error})") from error
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SchemaError(f"{source}: not UTF-8 text (byte {error.start})") from error


def save(path: Union[Pathish, IO], music: Music, kind: Optional[str] = None, **kwargs: Any) -> None:
    """Save a piece as native JSON or YAML to a path (atomically) or to an open file.

    ``kind`` chooses the format when the name does not; ``compressed`` (default: by the ``.gz`` suffix)
    gzips; ``indent`` goes to the JSON writer. MusPy's ``skip_missing``, ``ensure_ascii`` and
    ``allow_unicode`` are accepted and have no effect.
    """
    _save(path, music, _native_kind(path, kind), **kwargs)


def save_json(path: Union[Pathish, IO], music: Music, **kwargs: Any) -> None:
    """Save as native JSON to a path or an open file (see :func:`save`)."""
    _save(path, music, "json", **kwargs)


def save_yaml(path: Union[Pathish, IO], music: Music, **kwargs: Any) -> None:
    """Save as native YAML to a path or an open file (see :func:`save`)."""
    _save(path, music, "yaml", **kwargs)


def _save(path: Union[Pathish, IO], music: Music, fmt: str, compressed: Optional[bool] = None,
          indent: Optional[int] = 2, skip_missing: bool = True, ensure_ascii: bool = False,
          allow_unicode: bool = True) -> None:
    from muspy_like.io import native

    music.validate()
    text = native.dumps(music, fmt, indent)
    if isinstance(path, (str, os.PathLike)):
        if compressed is None:
            compressed = str(path).lower().endswith(".gz")
        data = text.encode("utf-8")
        with atomic_write(path, "wb") as handle:
            handle.write(gzip.compress(data, mtime=0) if compressed else data)
        return
    if compressed:
        path.write(gzip.compress(text.encode("utf-8"), mtime=0))
    elif isinstance(path, (_io.RawIOBase, _io.BufferedIOBase)) or "b" in getattr(path, "mode", ""):
        path.write(text.encode("utf-8"))
    else:
        path.write(text)


# -- MIDI ---------------------------------------------------------------------------------------------
def read_midi(
    path: Any,
    engine: str = "numpy",
    overlap: str = "fifo",
    *,
    backend: Optional[str] = None,
    duplicate_note_mode: Optional[str] = None,
) -> Music:
    """Read a MIDI file (see :func:`muspy_like.io.midi.read_midi`), accepting MusPy's arguments too.

    Parameters
    ----------
    path : path, bytes or binary file object
        The file.
    engine : {"numpy", "mido", "pretty_midi"}
        Our engines give identical results; ``"pretty_midi"`` reads through pretty_midi (MusPy's
        ``backend="pretty_midi"``: pretty_midi drops duplicate tempos and keys at time 0, lyrics kept).
    overlap : {"fifo", "lifo"}
        Which sounding note of a pitch a note-off ends.
    backend : {"mido", "pretty_midi"}, optional
        MusPy's name for ``engine`` (``"mido"`` selects our mido engine).
    duplicate_note_mode : {"fifo", "lifo"}, optional
        MusPy's name for ``overlap``. MusPy's ``"all"`` (one note-off ends every sounding note of its
        pitch) is refused with ``ValueError``.
    """
    from muspy_like.io.midi import read_midi as read_native

    if backend is not None:
        if backend not in _MIDI_BACKENDS:
            raise ValueError(f"backend must be one of {_MIDI_BACKENDS}, not {backend!r}")
        engine = backend
    if duplicate_note_mode is not None:
        if duplicate_note_mode not in ("fifo", "lifo"):
            raise ValueError(
                f"duplicate_note_mode={duplicate_note_mode!r} is not supported: use 'fifo' (default) or 'lifo'"
            )
        overlap = duplicate_note_mode
    if engine != "pretty_midi":
        return read_native(path, engine, overlap)
    if overlap != "fifo":
        raise ValueError("the pretty_midi backend pairs notes first-in-first-out only; use overlap='fifo'")
    pretty_midi = require("pretty_midi", "interop", "reading MIDI with backend='pretty_midi'")

    from muspy_like.interop import from_pretty_midi

    try:
        pm = pretty_midi.PrettyMIDI(path if not isinstance(path, os.PathLike) else str(path))
    except Exception as error:  # pretty_midi and mido raise many unrelated types on bad files
        from muspy_like.errors import MIDIError

        raise MIDIError(f"{path}: pretty_midi cannot read it: {type(error).__name__}: {error}") from error
    music = from_pretty_midi(pm)
    music.metadata.source_format = "midi"
    if isinstance(path, (str, os.PathLike)):
        music.metadata.source_filename = Path(path).name
    return music


def write_midi(path: Pathish, music: Music, backend: str = "mido", **kwargs: Any) -> None:
    """Write a MIDI file atomically; MusPy's ``backend="pretty_midi"`` writes through pretty_midi.

    ``backend="mido"`` (MusPy's default) uses muspy_like's own writer
    (:func:`muspy_like.io.midi.write_midi`), which keeps markers, lyrics, text, controllers and pitch
    bends. MusPy's mido-writer options are not supported and raise ``TypeError``.
    """
    if backend not in _MIDI_BACKENDS:
        raise ValueError(f"backend must be one of {_MIDI_BACKENDS}, not {backend!r}")
    if kwargs:
        raise TypeError(f"write_midi() got unsupported arguments {sorted(kwargs)}")
    if backend == "mido":
        from muspy_like.io.midi import write_midi as write_native

        return write_native(path, music)
    from muspy_like.interop import to_pretty_midi

    pm = to_pretty_midi(music)
    with atomic_write(path, "wb") as handle:
        pm.write(handle)


# -- scores ---------------------------------------------------------------------------------------------
class MuseScoreWarning(UserWarning):
    """MusPy's warning category for MuseScore files it may read wrongly (legacy versions 1 and 2).

    muspy_like reads MuseScore 1, 2 and 3 files fully and issues no such warning; the class exists so that
    code catching or filtering it keeps working.
    """


# -- scores (continued) -------------------------------------------------------------------------------------------
def _check_compressed(path: Pathish, compressed: Optional[bool], suffix: str) -> None:
    if compressed is not None and compressed != str(path).lower().endswith(suffix):
        raise ValueError(
            f"{path}: compressed={compressed} contradicts the file name; compressed files end in {suffix}"
        )


def read_musicxml(path: Pathish, resolution: Optional[int] = None, compressed: Optional[bool] = None,
                  expand_repeats: bool = True, grace_notes: str = "keep") -> Music:
    """Read MusicXML as played: repeats, endings, D.C. and D.S. unfolded, as MusPy does.

    This is :func:`muspy_like.io.musicxml.read_musicxml` with MusPy's default ``expand_repeats=True``
    (``muspy_like.io``'s readers keep the written order by default). MusPy's ``compressed`` is checked
    against the suffix (``.mxl``). Grace notes are kept with their notated length, as MusPy keeps them
    (``grace_notes``, see the native reader).
    """
    from muspy_like.io.musicxml import read_musicxml as read_native

    _check_compressed(path, compressed, ".mxl")
    return read_native(path, resolution, expand_repeats, grace_notes=grace_notes)


def read_musescore(path: Pathish, resolution: Optional[int] = None, compressed: Optional[bool] = None,
                   timeout: Optional[int] = None, expand_repeats: bool = True, grace_notes: str = "keep") -> Music:
    """Read MuseScore as played (repeats unfolded, as MusPy does; see :func:`read_musicxml`).

    MusPy's ``compressed`` is checked against the suffix (``.mscz``); ``timeout`` (MusPy's limit on
    parsing time) is accepted and unused.
    """
    from muspy_like.io.musescore import read_musescore as read_native

    _check_compressed(path, compressed, ".mscz")
    return read_native(path, resolution, expand_repeats, grace_notes=grace_notes)


def read_abc_string(data_str: str, number: Optional[int] = None, resolution: int = 24) -> Union[Music, list[Music]]:
    """Read ABC text: one Music for one tune, or a list for a tune book (MusPy's rule).

    Raises
    ------
    ABCError
        If there is no tune with ``number`` or music21 cannot parse a tune (named ``<string>``).
    """
    from muspy_like.io.abc import read_tune
    from muspy_like.io.abc.tunebook import TuneBook, split_tune_book

    book = TuneBook(Path("<string>"), tuple(split_tune_book(data_str)))
    tunes = [book.find(number)] if number is not None else list(book.tunes)
    pieces = [read_tune(tune, book.path, resolution) for tune in tunes]
    for music in pieces:
        music.metadata.source_filename = None
    return pieces[0] if len(pieces) == 1 else pieces


# -- other libraries ----------------------------------------------------------------------------------
#: ``to_object`` kinds -> converter name in :mod:`muspy_like.interop`.
_OBJECT_KINDS = {
    "music21": "to_music21",
    "mido": "to_mido",
    "pretty_midi": "to_pretty_midi",
    "pypianoroll": "to_pypianoroll",
    "miditoolkit": "to_miditoolkit",
    "symusic": "to_symusic",
}
#: Top-level package of an object's type -> converter name in :mod:`muspy_like.interop`.
_OBJECT_SOURCES = {
    "music21": "from_music21",
    "mido": "from_mido",
    "pretty_midi": "from_pretty_midi",
    "pypianoroll": "from_pypianoroll",
    "miditoolkit": "from_miditoolkit",
    "symusic": "from_symusic",
}


def to_object(music: Music, kind: str, **kwargs: Any) -> Any:
    """Convert to another library's object: ``kind`` is ``"music21"``, ``"mido"``, ``"pretty_midi"``,
    ``"pypianoroll"``, ``"miditoolkit"`` or ``"symusic"``."""
    import muspy_like.interop as interop

    name = _OBJECT_KINDS.get(kind.lower())
    if name is None:
        raise _kind_error(kind, _OBJECT_KINDS)
    return getattr(interop, name)(music, **kwargs)


def from_object(obj: Any, **kwargs: Any) -> Any:
    """Convert a music21, mido, pretty_midi, pypianoroll, miditoolkit or symusic object (by its type).

    Raises
    ------
    TypeError
        If the object comes from none of these libraries.
    """
    import muspy_like.interop as interop

    package = type(obj).__module__.partition(".")[0]
    name = _OBJECT_SOURCES.get(package)
    if name is None:
        raise TypeError(f"cannot convert a {type(obj).__module__}.{type(obj).__name__}; "
                        f"from_object takes objects of {', '.join(_OBJECT_SOURCES)}")
    return getattr(interop, name)(obj, **kwargs)


def from_music21_score(score: Any, resolution: int = 24) -> Music:
    """A music21 ``Score`` as one Music (see :func:`muspy_like.interop.from_music21`)."""
    from muspy_like.interop import from_music21

    return from_music21(score, resolution)


def from_music21_opus(opus: Any, resolution: int = 24) -> list[Music]:
    """A music21 ``Opus`` as a list of Music, one per score."""
    from muspy_like.interop import from_music21

    result = from_music21(opus, resolution)
    return result if isinstance(result, list) else [result]


def from_music21_part(part: Any, resolution: int = 24) -> Union[Track, list[Track]]:
    """A music21 ``Part`` as a Track (a list of Tracks when it holds several instruments, as MusPy)."""
    from muspy_like.interop import from_music21

    tracks = from_music21(part, resolution).tracks
    return tracks[0] if len(tracks) == 1 else tracks


def from_pypianoroll_track(track: Any, default_velocity: int = 64, resolution: int = 24) -> Track:
    """A pypianoroll ``Track`` as a Track (pypianoroll tracks carry no resolution: 24 steps per quarter)."""
    pypianoroll = require("pypianoroll", "interop", "conversion from pypianoroll")

    from muspy_like.interop import from_pypianoroll

    multitrack = pypianoroll.Multitrack(resolution=resolution, tracks=[track])
    return from_pypianoroll(multitrack, default_velocity).tracks[0]


def to_mido(music: Music, use_note_off_message: Optional[bool] = None) -> Any:
    """A mido ``MidiFile`` (see :func:`muspy_like.interop.to_mido`).

    ``use_note_off_message`` is MusPy's option: True writes every note end as a note-off message, False
    as a note-on of velocity 0; None (default) keeps what :func:`muspy_like.interop.to_mido` writes.
    """
    import mido

    from muspy_like.interop import to_mido as to_mido_native

    midi = to_mido_native(music)
    if use_note_off_message is None:
        return midi
    for track in midi.tracks:
        for i, message in enumerate(track):
            if use_note_off_message and message.type == "note_on" and message.velocity == 0:
                track[i] = mido.Message("note_off", channel=message.channel, note=message.note, time=message.time)
            elif not use_note_off_message and message.type == "note_off":
                track[i] = mido.Message("note_on", channel=message.channel, note=message.note, velocity=0,
                                        time=message.time)
    return midi


def read_midi_mido(path: Any, duplicate_note_mode: str = "fifo") -> Music:
    """MusPy's ``read_midi_mido``: :func:`read_midi` with ``backend="mido"``."""
    return read_midi(path, backend="mido", duplicate_note_mode=duplicate_note_mode)


def read_midi_pretty_midi(path: Any) -> Music:
    """MusPy's ``read_midi_pretty_midi``: :func:`read_midi` with ``backend="pretty_midi"``."""
    return read_midi(path, backend="pretty_midi")


def write_midi_mido(path: Pathish, music: Music) -> None:
    """MusPy's ``write_midi_mido``: muspy_like's own MIDI writer."""
    write_midi(path, music, backend="mido")


def write_midi_pretty_midi(path: Pathish, music: Music) -> None:
    """MusPy's ``write_midi_pretty_midi``: write through pretty_midi."""
    write_midi(path, music, backend="pretty_midi")
