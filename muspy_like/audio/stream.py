"""Audio as a stream of blocks, and the progress bar of long streams.

An :class:`AudioStream` is an iterable of float32 blocks of shape ``(n, channels)`` that together make
``n_samples`` samples; iterating it (again) produces the audio (again), block by block, so a consumer that
writes or analyses each block as it comes holds one block at a time, whatever the length of the piece.
"""

from __future__ import annotations

import sys
from typing import Callable, Iterator, Optional

import numpy as np

__all__ = ["AudioStream", "Progress", "PROGRESS_DELAY"]

#: A progress bar appears only once a task has run this long, in seconds (short renders stay quiet).
PROGRESS_DELAY = 2.0


class Progress:
    """A tqdm bar counting audio seconds done of a total, or nothing.

    Parameters
    ----------
    total_seconds : float
        Audio seconds the task will produce.
    enabled : bool or None
        True: always show; False: never; None: show when standard error is a terminal (the bar then
        appears only after :data:`PROGRESS_DELAY` seconds, so quick renders print nothing).
    description : str
        Label of the bar.
    """

    def __init__(self, total_seconds: float, enabled: Optional[bool] = None, description: str = "rendering") -> None:
        if enabled is None:
            enabled = bool(getattr(sys.stderr, "isatty", lambda: False)())
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=round(total_seconds, 1), unit="s", desc=description, delay=PROGRESS_DELAY,
                             bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s audio "
                                        "[{elapsed}<{remaining}]")

    def advance(self, seconds: float) -> None:
        """Count ``seconds`` more of audio as done."""
        if self._bar is not None:
            self._bar.update(seconds)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AudioStream:
    """Audio produced on demand, block by block.

    Parameters
    ----------
    produce : callable
        Returns a fresh iterator of float32 blocks ``(n, channels)`` each time the stream is iterated.
    sample_rate : int
        In Hz.
    n_samples : int
        Total samples over all blocks.
    channels : int
        Columns of each block.
    progress : Progress, optional
        Advanced by each block's duration as it is produced.

    Examples
    --------
    >>> import numpy as np
    >>> stream = AudioStream(lambda: iter([np.zeros((3, 2), np.float32)] * 2), 8000, 6, 2)
    >>> [block.shape for block in stream], stream.seconds
    ([(3, 2), (3, 2)], 0.00075)
    """

    def __init__(self, produce: Callable[[], Iterator[np.ndarray]], sample_rate: int, n_samples: int,
                 channels: int = 2, progress: Optional[Progress] = None) -> None:
        self._produce = produce
        self.sample_rate = int(sample_rate)
        self.n_samples = int(n_samples)
        self.channels = int(channels)
        self.progress = progress

    @property
    def seconds(self) -> float:
        """Duration, in seconds."""
        return self.n_samples / self.sample_rate

    def __iter__(self) -> Iterator[np.ndarray]:
        for block in self._produce():
            if self.progress is not None:
                self.progress.advance(len(block) / self.sample_rate)
            yield block

    def map(self, function: Callable[[np.ndarray], np.ndarray]) -> "AudioStream":
        """A stream whose blocks are ``function(block)`` (same lengths), e.g. a gain."""
        return AudioStream(lambda: (function(block) for block in self), self.sample_rate, self.n_samples,
                           self.channels)

    def collect(self) -> np.ndarray:
        """The whole stream as one array, shape ``(n_samples, channels)`` (memory: 4 bytes per sample)."""
        out = np.empty((self.n_samples, self.channels), dtype=np.float32)
        position = 0
        for block in self:
            out[position: position + len(block)] = block
            position += len(block)
        return out[:position]

