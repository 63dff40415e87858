"""The exception hierarchy of muspy_like.

Every error the library raises on purpose derives from :class:`MuspyLikeError`, so a caller can catch
them all at once, or one family (for example :class:`MIDIError`) precisely. Messages name the file and the
place (byte offset, measure, JSON path, track and note index) so that the user knows what to fix.
"""

from __future__ import annotations

__all__ = [
    "MuspyLikeError",
    "MissingExtraError",
    "ValidationError",
    "FormatError",
    "OutputPathError",
    "MIDIError",
    "MusicXMLError",
    "MuseScoreError",
    "ABCError",
    "ABCTuneBookError",
    "SchemaError",
    "SizeLimitError",
    "ConversionError",
    "DatasetError",
    "DownloadError",
    "ChecksumError",
    "UnsafeArchiveError",
    "ArchiveSizeError",
    "DatasetNotInstalledError",
    "RepresentationError",
    "SeparationError",
    "AudioError",
    "SoundFontError",
    "WatermarkError",
]


class MuspyLikeError(Exception):
    """Base class of every error raised on purpose by muspy_like."""


class MissingExtraError(MuspyLikeError, ImportError):
    """A feature needs an optional library that is not installed; the message gives the pip line.

    Raised by :func:`muspy_like.extras.require`. It is an :class:`ImportError`, so code that already
    guards an optional import with ``except ImportError`` keeps working.

    Attributes
    ----------
    module : str
        The module that could not be imported (e.g. ``"sklearn"``).
    extra : str
        The extra that installs it (e.g. ``"separation"``): ``pip install "muspy_like[separation]"``.
    feature : str
        What needed it, in the user's words (e.g. ``"the MLP part separator"``).
    """

    def __init__(self, message: str, module: str, extra: str, feature: str) -> None:
        super().__init__(message, name=module)
        self.module, self.extra, self.feature = module, extra, feature

    def __reduce__(self) -> tuple:
        # Worker processes send errors back pickled; rebuild from every field, not from ``args`` alone.
        return (type(self), (str(self), self.module, self.extra, self.feature))


class ValidationError(MuspyLikeError, ValueError):
    """A :class:`~muspy_like.Music` object holds a value of the wrong type or out of range.

    The message names the attribute path, e.g. ``tracks[2].notes[15].pitch``.
    """


class FormatError(MuspyLikeError):
    """A file cannot be read or written in the requested format."""


class OutputPathError(MuspyLikeError, OSError):
    """An output cannot be written where asked: a missing parent folder, a folder where a file is expected,
    a read-only or full disk. The message names the path the caller gave (never a temporary file)."""


class MIDIError(FormatError):
    """A MIDI file is corrupt, truncated or uses an unsupported feature (the message names file and offset)."""


class MusicXMLError(FormatError):
    """A MusicXML file is malformed, unsafe (entities, DTD tricks) or unsupported."""


class MuseScoreError(FormatError):
    """A MuseScore file is malformed or unsupported."""


class ABCError(FormatError):
    """An ABC file cannot be read or a Music cannot be written as ABC."""


class SchemaError(FormatError):
    """A native JSON/YAML document does not follow the muspy_like schema (the message gives the JSON path)."""


class SizeLimitError(FormatError):
    """A file, an archive member or a decompressed stream is larger than a cap of :mod:`muspy_like.limits`.

    The message names the file, the cap and how to raise it (keyword, settings call, environment variable).
    """


class ConversionError(MuspyLikeError):
    """A conversion to or from another library's objects failed."""


class RepresentationError(MuspyLikeError, ValueError):
    """An array cannot be encoded or decoded with the requested representation."""


class DatasetError(MuspyLikeError):
    """A dataset is unknown, incomplete or inconsistent."""


class DownloadError(DatasetError):
    """A download failed after all retries and mirrors (the message names the URL)."""


class ChecksumError(DownloadError):
    """A downloaded file does not match its expected size or hash; the bad file has been removed."""


class UnsafeArchiveError(DatasetError):
    """An archive member would escape the extraction root, is a device or link, or the archive is too large."""


class ArchiveSizeError(UnsafeArchiveError, SizeLimitError):
    """An archive extracts to more bytes than its cap allows (a possible archive bomb, or a cap set too low)."""


class DatasetNotInstalledError(DatasetError):
    """A catalog dataset is not (completely) downloaded into its folder.

    Attributes
    ----------
    name : str
        The catalog name of the dataset.
    root : str
        The folder that was looked at.
    cli_message : str
        The same message in the words of the command line (``muspy-like datasets download ...``).
    """

    def __init__(self, message: str, name: str, root: str, cli_message: str) -> None:
        super().__init__(message)
        self.name = name
        self.root = root
        self.cli_message = cli_message

    def __reduce__(self) -> tuple:
        # Worker processes send errors back pickled; rebuild from every field, not from ``args`` alone.
        return (type(self), (str(self), self.name, self.root, self.cli_message))


class SeparationError(MuspyLikeError, ValueError):
    """A part-separation model cannot be fitted or applied to the given data."""


class AudioError(MuspyLikeError):
    """Rendering or audio I/O failed."""


class SoundFontError(AudioError):
    """No usable sound font or synthesizer library; the message says how to install one."""


class WatermarkError(AudioError, ValueError):
    """Watermark parameters are invalid for the given audio (e.g. a lag longer than the clip)."""


class ABCTuneBookError(ABCError):
    """Some tunes of an ABC tune book cannot be read; the others were read.

    Attributes
    ----------
    path : Path
        The file.
    tunes : list of Music
        The tunes that were read, in file order.
    failures : list of ABCError
        One error per tune that failed; each message names the tune's ``X:`` number and line.
    """

    def __init__(self, path, tunes, failures):
        self.path, self.tunes, self.failures = path, list(tunes), list(failures)
        shown = "\n".join(f"  {failure}" for failure in self.failures[:10])
        more = f"\n  ... and {len(self.failures) - 10} more" if len(self.failures) > 10 else ""
        super().__init__(
            f"{path}: {len(self.failures)} tune(s) cannot be read ({len(self.tunes)} were read; they are in "
            f".tunes, or pass errors='skip' to get them with a warning):\n{shown}{more}"
        )
