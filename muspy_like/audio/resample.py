"""Band-limited resampling of a stream, block by block, matching ``scipy.signal.resample_poly``.

:class:`StreamResampler` changes the rate of a signal that arrives in blocks by the rational factor
``up / down`` with the same polyphase filter as ``scipy.signal.resample_poly`` (a Kaiser-windowed sinc,
``beta = 5``, cut-off at the lower Nyquist frequency, ``10 * max(up, down)`` taps each side). Output
sample ``j`` is ``sum_i x[i] h[(j + R) down - i up]`` where ``R`` removes the filter's delay, so it is
computed here from exactly the input samples it needs: output comes in fixed chunks at fixed positions,
the same whatever the input blocks, and equals ``resample_poly`` on the whole signal up to float rounding.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from muspy_like.extras import require

__all__ = ["StreamResampler"]

#: Output samples computed per chunk.
_CHUNK = 1 << 15


class StreamResampler:
    """Resample a mono stream from ``source_rate`` to ``target_rate`` (Hz).

    Parameters
    ----------
    source_rate, target_rate : int
        Rates of the input and the output, in Hz.

    Examples
    --------
    >>> import numpy as np
    >>> resampler = StreamResampler(22050, 44100)
    >>> x = np.sin(np.arange(1000) / 10.0).astype(np.float32)
    >>> y = np.concatenate([resampler.process(x[:300]), resampler.process(x[300:]), resampler.flush()])
    >>> len(y)
    2000
    """

    def __init__(self, source_rate: int, target_rate: int) -> None:
        firwin = require("scipy.signal", "audio", "resampling audio").firwin

        ratio = Fraction(int(target_rate), int(source_rate))
        self.up, self.down = ratio.numerator, ratio.denominator
        half = 10 * max(self.up, self.down)
        pre_pad = self.down - half % self.down
        self._filter = np.concatenate((np.zeros(pre_pad), firwin(2 * half + 1, 1.0 / max(self.up, self.down),
                                                                 window=("kaiser", 5.0)) * self.up))
        self._delay = (half + pre_pad) // self.down
        self._buffer = np.zeros(0, dtype=np.float64)
        self._buffer_start = 0  # input index of self._buffer[0]
        self._received = 0
        self._emitted = 0

    def process(self, block: np.ndarray) -> np.ndarray:
        """Feed input samples (1-D); return the output samples now complete (float32)."""
        block = np.asarray(block, dtype=np.float64).ravel()
        self._buffer = np.concatenate((self._buffer, block))
        self._received += len(block)
        return self._emit(final=False)

    def flush(self) -> np.ndarray:
        """The remaining output: ``ceil(n_in * up / down)`` samples in all, zeros assumed after the input."""
        return self._emit(final=True)

    def _emit(self, final: bool) -> np.ndarray:
        total = -(-self._received * self.up // self.down)
        parts = []
        while self._emitted < total:
            stop = min(self._emitted + _CHUNK, total) if final else self._emitted + _CHUNK
            if not final and self._last_input(stop - 1) >= self._received:
                break
            parts.append(self._chunk(self._emitted, stop))
            self._emitted = stop
            self._trim()
        return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, dtype=np.float32)

    def _last_input(self, j: int) -> int:
        """The last input index output ``j`` depends on."""
        return (j + self._delay) * self.down // self.up

    def _chunk(self, first: int, stop: int) -> np.ndarray:
        """Output samples ``first..stop`` from the buffered input (zeros beyond what was received)."""
        upfirdn = require("scipy.signal", "audio", "resampling audio").upfirdn

        # Start at a multiple of `down`, so that upfirdn's output grid falls on ours.
        lowest = max(0, ((first + self._delay) * self.down - len(self._filter) + 1) // self.up)
        start = lowest // self.down * self.down
        end = self._last_input(stop - 1) + 1
        x = np.zeros(end - start)
        available = self._buffer[max(start - self._buffer_start, 0): end - self._buffer_start]
        offset = max(self._buffer_start - start, 0)
        x[offset: offset + len(available)] = available
        skip = first + self._delay - start * self.up // self.down
        y = upfirdn(self._filter, x, self.up, self.down)
        return y[skip: skip + stop - first]

    def _trim(self) -> None:
        """Drop input no future chunk needs."""
        lowest = max(0, ((self._emitted + self._delay) * self.down - len(self._filter) + 1) // self.up)
        keep_from = lowest // self.down * self.down
        if keep_from > self._buffer_start:
            self._buffer = self._buffer[keep_from - self._buffer_start:]
            self._buffer_start = keep_from
