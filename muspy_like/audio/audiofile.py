"""Reading and writing audio files (WAV, FLAC and the other formats of libsndfile, through soundfile).

Writes are atomic (:func:`muspy_like.files.atomic_write`). Integer formats are checked before writing: a
float sample outside [-1, 1] would wrap around in 16-bit PCM, so it is refused with an :class:`AudioError`
instead of being written as a loud click.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

import numpy as np

from muspy_like.errors import AudioError
from muspy_like.files import atomic_write

__all__ = ["write_audio", "read_audio"]

_FORMATS = {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG", ".aiff": "AIFF", ".aif": "AIFF"}


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
    """
    import soundfile

    path = Path(path)
    file_format = _FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise AudioError(f"{path}: unknown audio extension; use one of {', '.join(sorted(_FORMATS))}")
    audio = np.asarray(audio)
    if audio.ndim not in (1, 2) or audio.shape[0] == 0:
        raise AudioError(f"{path}: audio must have shape (n_samples,) or (n_samples, n_channels), got {audio.shape}")
    if not np.all(np.isfinite(audio)):
        raise AudioError(f"{path}: audio contains NaN or infinite samples")
    subtype = subtype or soundfile.default_subtype(file_format)
    peak = float(np.abs(audio).max())
    if subtype.startswith("PCM") and peak > 1.0:
        raise AudioError(f"{path}: peak {peak:.3f} exceeds 1.0 and would wrap around in {subtype}; "
                         f"scale the audio down (render and embed keep peaks below 1 by default)")
    with atomic_write(path, "wb") as handle:
        soundfile.write(handle, audio, int(sample_rate), subtype=subtype, format=file_format)
    return path


def read_audio(path: Union[str, Path]) -> tuple[np.ndarray, int]:
    """Read an audio file as float32 samples of shape ``(n_samples, n_channels)``, and its rate in Hz.

    Raises
    ------
    AudioError
        If the file is missing or not a readable audio file.
    """
    import soundfile

    try:
        audio, sample_rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, OSError) as error:
        raise AudioError(f"{path}: cannot read audio ({error})") from error
    return audio, int(sample_rate)
