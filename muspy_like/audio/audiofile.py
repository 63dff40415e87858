"""Reading and writing audio files (WAV, FLAC and the other formats of libsndfile, through soundfile).

Whole arrays: :func:`write_audio` and :func:`read_audio`. Streams: :class:`AudioWriter` (and
:func:`write_blocks`) writes blocks as they come, :func:`read_blocks` reads a file block by block, so
that a long file never has to be in memory at once.

Writes are atomic: the final name appears only once the file is complete (a hidden ``.NAME.*.part`` file
beside it holds the work in progress and is removed on failure). Destinations follow the project's rule
(:mod:`muspy_like.files`): the folder of a file must exist; mistakes raise
:class:`~muspy_like.errors.OutputPathError` naming the path given, before any work. Integer formats are checked before
writing: a float sample outside [-1, 1] would wrap around in 16-bit PCM, so it is refused with an
:class:`AudioError` instead of being written as a loud click.

Level limiting of streams
-------------------------
An :class:`AudioWriter` with ``peak`` set keeps a streamed file's level below ``peak`` exactly as
:func:`muspy_like.audio.render` does for an array: if the loudest sample exceeds ``peak``, the whole file
is scaled down by one factor so that it peaks exactly there. The factor is known only at the end, so the
blocks first go to a hidden scratch file of 32-bit floats beside the target (8 bytes per stereo sample,
on disk, not in memory); closing the writer converts it to the requested format with the factor applied,
then removes it. Peak memory is one block.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator, Optional, Union

import numpy as np

from muspy_like.audio.arguments import check_level, check_sample_rate
from muspy_like.errors import AudioError, OutputPathError
from muspy_like.extras import require
from muspy_like.files import atomic_write, check_output_file

__all__ = ["write_audio", "read_audio", "read_blocks", "audio_info", "AudioInfo", "AudioWriter", "write_blocks",
           "DEFAULT_READ_BLOCK"]

_FORMATS = {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG", ".aiff": "AIFF", ".aif": "AIFF"}
#: Frames per block when files are read as streams.
DEFAULT_READ_BLOCK = 1 << 16
#: RIFF WAV sizes are 32-bit: larger data is written as RF64 (read by soundfile, ffmpeg, sox).
_WAV_LIMIT = 0xFFFFFFFF - (1 << 20)
_SCRATCH_BLOCK = 1 << 16


def _file_format(path: Path) -> str:
    file_format = _FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise AudioError(f"{path}: unknown audio extension; use one of {', '.join(sorted(_FORMATS))}")
    return file_format


def write_audio(
    path: Union[str, Path], audio: np.ndarray, sample_rate: int, subtype: Optional[str] = None
) -> Path:
    """Write audio atomically; the format comes from the extension (``.wav``, ``.flac``, ``.ogg``, ``.aiff``).

    Parameters
    ----------
    path : str or Path
        Output file; its folder must exist.
    audio : ndarray
        Float samples in [-1, 1], shape ``(n_samples,)`` or ``(n_samples, n_channels)``.
    sample_rate : int
        In Hz.
    subtype : str, optional
        A soundfile subtype, e.g. ``"PCM_16"`` (the default for WAV and FLAC), ``"PCM_24"``, ``"FLOAT"``.

    Raises
    ------
    AudioError
        Unknown extension, non-finite samples, or samples beyond [-1, 1] for an integer subtype.
    OutputPathError
        A missing folder, a folder as target, a full or read-only disk.
    """
    path = Path(path)
    audio = np.asarray(audio)
    if audio.ndim not in (1, 2) or audio.shape[0] == 0:
        raise AudioError(f"{path}: audio must have shape (n_samples,) or (n_samples, n_channels), got {audio.shape}")
    channels = 1 if audio.ndim == 1 else audio.shape[1]
    with AudioWriter(path, sample_rate, channels, subtype, peak=None, frames=len(audio)) as writer:
        writer.write(audio.reshape(len(audio), channels))
    return path


def read_audio(path: Union[str, Path]) -> tuple[np.ndarray, int]:
    """Read an audio file as float32 samples of shape ``(n_samples, n_channels)``, and its rate in Hz.

    Raises
    ------
    AudioError
        If the file is missing, a folder, or not a readable audio file (the message names it).
    """
    soundfile = require("soundfile", "audio", "audio file input and output")

    _check_input(path)
    try:
        audio, sample_rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, OSError) as error:
        raise AudioError(f"{path}: cannot read audio ({_reason(error)})") from error
    return audio, int(sample_rate)


@dataclass(frozen=True)
class AudioInfo:
    """What a file holds: ``sample_rate`` (Hz), ``channels``, ``frames`` (samples per channel)."""

    sample_rate: int
    channels: int
    frames: int

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate


def audio_info(path: Union[str, Path]) -> AudioInfo:
    """Sample rate, channels and length of an audio file, read from its header."""
    soundfile = require("soundfile", "audio", "audio file input and output")

    _check_input(path)
    try:
        info = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError, OSError) as error:
        raise AudioError(f"{path}: cannot read audio ({_reason(error)})") from error
    return AudioInfo(int(info.samplerate), int(info.channels), int(info.frames))


def read_blocks(path: Union[str, Path], block_size: int = DEFAULT_READ_BLOCK) -> Iterator[np.ndarray]:
    """Read a file block by block: float32 arrays of shape ``(n, n_channels)``, at most ``block_size`` frames.

    Raises
    ------
    AudioError
        If the file is missing or unreadable (also for a read error midway: the message names the file).
    """
    soundfile = require("soundfile", "audio", "audio file input and output")

    _check_input(path)
    try:
        with soundfile.SoundFile(str(path)) as handle:
            while True:
                block = handle.read(block_size, dtype="float32", always_2d=True)
                if not len(block):
                    return
                yield block
    except (soundfile.LibsndfileError, RuntimeError, OSError) as error:
        raise AudioError(f"{path}: cannot read audio ({_reason(error)})") from error


def _check_input(path: Union[str, Path]) -> None:
    path = Path(path)
    if path.is_dir():
        raise AudioError(f"{path}: is a folder, not an audio file")
    if not path.exists():
        raise AudioError(f"{path}: no such file")


def _reason(error: BaseException) -> str:
    return str(error).strip() or type(error).__name__


class AudioWriter:
    """Write an audio file block by block; the file appears under its name only when complete.

    Parameters
    ----------
    path : str or Path
        Output file (``.wav``, ``.flac``, ``.ogg``, ``.aiff``); its folder must exist.
    sample_rate : int
        In Hz.
    channels : int, default 2
        Columns of every block.
    subtype : str, optional
        A soundfile subtype (default: 16-bit PCM for WAV and FLAC).
    peak : float or None, default None
        None: blocks are written as they are (an integer format refuses samples beyond +/-1). A level
        in (0, 1]: the file is scaled down, as a whole, if it would exceed it (see the module docstring).
    frames : int, optional
        Expected length, in samples per channel: a WAV file whose data would pass 4 GiB is written as
        RF64 (with ``peak`` set, the length is known at the end and this is not needed).

    Examples
    --------
    >>> import numpy as np
    >>> with AudioWriter("out.wav", 44100, peak=0.99) as writer:  # doctest: +SKIP
    ...     for block in blocks:
    ...         writer.write(block)
    >>> writer.scale  # doctest: +SKIP
    1.0
    """

    def __init__(self, path: Union[str, Path], sample_rate: int, channels: int = 2, subtype: Optional[str] = None,
                 peak: Optional[float] = None, frames: Optional[int] = None) -> None:
        soundfile = require("soundfile", "audio", "audio file input and output")

        self.path = check_output_file(path)
        self.sample_rate = check_sample_rate(sample_rate)
        self.channels = int(channels)
        self._format = _file_format(self.path)
        self.subtype = subtype or soundfile.default_subtype(self._format)
        if not soundfile.check_format(self._format, self.subtype):
            raise AudioError(f"{self.path}: {self._format} files cannot hold subtype {self.subtype}")
        self.peak = None if peak is None else check_level(peak)
        self.frames = 0
        self.loudest = 0.0
        #: The factor the file was scaled by (known once closed; 1.0 when nothing was scaled).
        self.scale = 1.0
        self._integer = self.subtype.startswith("PCM") or self.subtype in ("ULAW", "ALAW")
        self._scratch: Optional[IO[bytes]] = None
        self._scratch_name = ""
        self._direct = None
        self._context = None
        if self.peak is None:
            self._open_direct(self._rf64_needed(frames or 0))
        else:
            # Named like atomic_write's temporary files (with this process's id), so that the leftovers of
            # a killed render are removed by the next write to the same target.
            fd, self._scratch_name = tempfile.mkstemp(prefix=f".{self.path.name}.{os.getpid()}.", suffix=".part",
                                                      dir=self.path.parent)
            self._scratch = os.fdopen(fd, "wb")

    def write(self, block: np.ndarray) -> None:
        """Append a block of shape ``(n, channels)`` (float samples)."""
        block = np.asarray(block, dtype=np.float32)
        if block.ndim != 2 or block.shape[1] != self.channels:
            raise AudioError(f"{self.path}: blocks must have shape (n, {self.channels}), got {block.shape}")
        if not len(block):
            return
        loudest = float(np.abs(block).max())
        if not math.isfinite(loudest):
            raise AudioError(f"{self.path}: the audio contains NaN or infinite samples (near sample {self.frames})")
        if self._integer and self.peak is None and loudest > 1.0:
            raise AudioError(f"{self.path}: peak {loudest:.3f} exceeds 1.0 and would wrap around in {self.subtype}; "
                             f"scale the audio down (render and embed keep peaks below 1 by default)")
        self.loudest = max(self.loudest, loudest)
        try:
            if self._scratch is not None:
                np.ascontiguousarray(block).tofile(self._scratch)
            else:
                self._direct.write(block)
        except OSError as error:
            raise OutputPathError(f"cannot write {self.path}: {error.strerror or error}") from error
        self.frames += len(block)

    def close(self) -> Path:
        """Finish the file (scale and convert the scratch file, if any) and give it its final name."""
        try:
            if self._scratch is not None:
                self._scratch.close()
                if self.peak is not None and self.loudest > self.peak:
                    self.scale = self.peak / self.loudest
                self._open_direct(self._rf64_needed(self.frames))
                self._convert_scratch()
            if self.frames == 0:
                raise AudioError(f"{self.path}: no audio was written")
            self._direct.close()
            self._context.__exit__(None, None, None)
        except BaseException as error:
            self._abandon(error)
            if isinstance(error, OSError) and not isinstance(error, OutputPathError):
                raise OutputPathError(f"cannot write {self.path}: {error.strerror or error}") from error
            raise
        finally:
            self._remove_scratch()
        return self.path

    def abandon(self) -> None:
        """Stop without writing the file (nothing appears under its name)."""
        self._abandon(None)
        self._remove_scratch()

    def __enter__(self) -> "AudioWriter":
        return self

    def __exit__(self, kind: object, error: Optional[BaseException], traceback: object) -> None:
        if error is None:
            self.close()
        else:
            self.abandon()

    def _rf64_needed(self, frames: int) -> bool:
        bytes_per_sample = {"PCM_U8": 1, "PCM_S8": 1, "PCM_16": 2, "PCM_24": 3, "PCM_32": 4, "FLOAT": 4, "DOUBLE": 8}
        size = frames * self.channels * bytes_per_sample.get(self.subtype, 4)
        return self._format == "WAV" and size > _WAV_LIMIT

    def _open_direct(self, rf64: bool) -> None:
        soundfile = require("soundfile", "audio", "audio file input and output")

        self._context = atomic_write(self.path, "wb")
        handle = self._context.__enter__()
        try:
            self._direct = soundfile.SoundFile(handle, "w", self.sample_rate, self.channels, self.subtype,
                                               format="RF64" if rf64 else self._format)
        except BaseException as error:
            self._context.__exit__(type(error), error, error.__traceback__)
            self._context = None
            raise

    def _convert_scratch(self) -> None:
        scale = np.float32(self.scale)
        samples = _SCRATCH_BLOCK * self.channels
        with open(self._scratch_name, "rb") as source:
            while True:
                block = np.fromfile(source, dtype=np.float32, count=samples)
                if not len(block):
                    break
                if self.scale != 1.0:
                    block *= scale
                self._direct.write(block.reshape(-1, self.channels))

    def _abandon(self, error: Optional[BaseException]) -> None:
        if self._direct is not None:
            try:
                self._direct.close()
            except Exception:  # the file is being discarded; its own close error adds nothing
                pass
            self._direct = None
        if self._context is not None:
            failure = error or AudioError("abandoned")
            try:
                self._context.__exit__(type(failure), failure, None)
            except BaseException:  # atomic_write re-raises the failure after removing its temporary file
                pass
            self._context = None

    def _remove_scratch(self) -> None:
        if self._scratch is not None:
            self._scratch.close()
            self._scratch = None
            try:
                os.unlink(self._scratch_name)
            except FileNotFoundError:
                pass


def write_blocks(path: Union[str, Path], blocks: Iterable[np.ndarray], sample_rate: int, channels: int = 2,
                 subtype: Optional[str] = None, peak: Optional[float] = None,
                 frames: Optional[int] = None) -> AudioWriter:
    """Write every block of ``blocks`` to ``path`` through an :class:`AudioWriter`; return the closed writer.

    On any error (in the blocks or the writing) nothing is left under ``path`` or beside it.
    """
    writer = AudioWriter(path, sample_rate, channels, subtype, peak, frames)
    try:
        for block in blocks:
            writer.write(block)
    except BaseException:
        writer.abandon()
        raise
    writer.close()
    return writer
