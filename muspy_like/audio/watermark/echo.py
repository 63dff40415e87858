"""Embedding echo watermarks (Tralie, Amery, Douglas, Utz, arXiv:2412.10649).

Two methods, both a convolution of the audio with a sparse kernel, applied to every channel alike:

* **single** echo(es): ``y[n] = x[n] + sum_i alpha_i * x[n - delta_i]``. The paper uses ``alpha = 0.4`` and
  one lag ``delta`` in {50, 75, 76, 100} samples at 44.1 kHz; several lags may be hidden at once.
* **spread** (time-spread echo): ``y = x * [1, 0, ..., 0, alpha * q]`` where ``q`` is a +/-1 sequence of
  1024 chips (:func:`~muspy_like.audio.watermark.sequences.spread_sequence`) starting at lag ``delta``.
  The paper uses ``alpha = 0.01``, ``delta = 75``. Each chip is a tiny echo; together they are
  inaudible but correlate strongly with ``q`` in the cepstrum.

The output has the input's length (the echo tail past the end is cut). :class:`EchoEmbedder` embeds in
a stream of blocks with the same result; :func:`embed` is that embedder run over one array.

Sample rates: ``delta`` is counted in samples at the watermark's ``sample_rate`` (44.1 kHz by default). The
audio must be at that rate; audio at another rate is refused rather than silently given a different lag
(create the watermark with the audio's rate, or resample first). Detection resamples explicitly instead.

Level safety: echoes can raise the peak (a single echo by up to ``1 + alpha``). After embedding, if the peak
exceeds ``peak`` (0.99 by default) the whole clip is scaled down to peak exactly there. A constant gain
changes only the cepstrum's lag 0, so the mark is untouched, and the result can be written as 16-bit PCM
without clipping or wrap-around.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import numpy as np

from muspy_like.audio.arguments import check_sample_rate, spell
from muspy_like.audio.watermark.sequences import DEFAULT_LENGTH, spread_sequence
from muspy_like.errors import WatermarkError
from muspy_like.extras import require

__all__ = ["EchoWatermark", "EchoEmbedder", "embed", "limit_peak", "check_rate_matches", "METHODS", "PAPER_ALPHA",
           "PAPER_DELTAS", "DEFAULT_PEAK", "FFT_SIZE"]

#: Watermarking methods.
METHODS = ("single", "spread")
#: Echo strengths used in the paper, per method.
PAPER_ALPHA = {"single": 0.4, "spread": 0.01}
#: Lags (samples at 44.1 kHz) used in the paper for single echoes; the time-spread echo uses 75.
PAPER_DELTAS = (50, 75, 76, 100)
#: Largest absolute sample value after embedding.
DEFAULT_PEAK = 0.99
#: Smallest FFT of the time-spread embedder's overlap-add, in samples (larger for longer kernels).
FFT_SIZE = 1 << 15


@dataclass(frozen=True)
class EchoWatermark:
    """The secret a dataset is marked with: method, lags, strengths and sequence seed.

    Parameters
    ----------
    method : {"single", "spread"}
        Single echo(es) or time-spread echo.
    delta : int or tuple of int, default 75
        Lag of the echo, or of the first chip of the spread sequence, in samples at ``sample_rate``. The
        single method accepts several lags (several echoes at once).
    alpha : float or tuple of float, optional
        Echo strength (one per lag, or one for all); default the paper's 0.4 (single) or 0.01 (spread).
    seed : int, default 0
        Seed of the +/-1 sequence (spread only).
    length : int, default 1024
        Chips in the sequence (spread only).
    sample_rate : int, default 44100
        The rate, in Hz, at which ``delta`` is counted.

    Examples
    --------
    >>> EchoWatermark("single", delta=(50, 100)).alphas
    (0.4, 0.4)
    """

    method: str = "spread"
    delta: Union[int, tuple[int, ...]] = 75
    alpha: Optional[Union[float, tuple[float, ...]]] = None
    seed: int = 0
    length: int = DEFAULT_LENGTH
    sample_rate: int = 44100
    deltas: tuple[int, ...] = field(init=False, repr=False)
    alphas: tuple[float, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise WatermarkError(f"unknown watermark method {self.method!r}; choose one of {', '.join(METHODS)}")
        deltas = tuple(int(d) for d in np.atleast_1d(self.delta))
        alpha = PAPER_ALPHA[self.method] if self.alpha is None else self.alpha
        alphas = tuple(float(a) for a in np.atleast_1d(alpha))
        if len(alphas) == 1:
            alphas = alphas * len(deltas)
        if not deltas or len(alphas) != len(deltas):
            raise WatermarkError(f"give one {spell('alpha')}, or one per lag: {len(deltas)} lags, {len(alphas)} alphas")
        if self.method == "spread" and len(deltas) != 1:
            raise WatermarkError(f"the spread method takes a single lag ({spell('delta')})")
        if min(deltas) < 1 or len(set(deltas)) != len(deltas):
            raise WatermarkError(f"lags ({spell('delta')}) must be distinct positive sample counts, got {deltas}")
        if any(not 0 < abs(a) < 1 for a in alphas):
            raise WatermarkError(f"echo strengths ({spell('alpha')}) must satisfy 0 < |alpha| < 1, got {alphas}")
        if self.length < 1:
            raise WatermarkError(f"the spread sequence needs at least one chip, got length={self.length}")
        object.__setattr__(self, "sample_rate", check_sample_rate(self.sample_rate))
        object.__setattr__(self, "deltas", deltas)
        object.__setattr__(self, "alphas", alphas)

    @property
    def sequence(self) -> np.ndarray:
        """The +/-1 chips of a spread watermark (float64, ``length`` chips)."""
        return spread_sequence(self.seed, self.length)

    @property
    def span(self) -> int:
        """Longest lag the kernel reaches, in samples."""
        return max(self.deltas) + (self.length - 1 if self.method == "spread" else 0)

    def kernel(self) -> np.ndarray:
        """The impulse response ``h`` such that the marked audio is ``x * h`` (float64, ``span + 1`` taps)."""
        h = np.zeros(self.span + 1)
        h[0] = 1.0
        if self.method == "spread":
            h[self.deltas[0]:] += self.alphas[0] * self.sequence
        else:
            for delta, alpha in zip(self.deltas, self.alphas):
                h[delta] += alpha
        return h

    def to_dict(self) -> dict[str, object]:
        """Plain values for a manifest (JSON/CSV)."""
        return {
            "method": self.method,
            "delta": list(self.deltas) if len(self.deltas) > 1 else self.deltas[0],
            "alpha": list(self.alphas) if len(self.alphas) > 1 else self.alphas[0],
            "seed": self.seed if self.method == "spread" else None,
            "length": self.length if self.method == "spread" else None,
            "sample_rate": self.sample_rate,
        }


def embed(
    audio: np.ndarray, sample_rate: int, watermark: EchoWatermark = EchoWatermark(), peak: float = DEFAULT_PEAK
) -> np.ndarray:
    """Hide the watermark's echo(es) in audio.

    Parameters
    ----------
    audio : ndarray
        Float samples (int16 is accepted and read as ``value / 32768``), shape ``(n_samples,)`` or
        ``(n_samples, n_channels)``.
    sample_rate : int
        Rate of ``audio``, in Hz; must equal ``watermark.sample_rate``.
    watermark : EchoWatermark
        What to embed (default: the paper's time-spread echo, delta 75, alpha 0.01, seed 0).
    peak : float, default 0.99
        Level safety: the result is scaled down if its peak would exceed this value.

    Returns
    -------
    ndarray
        float32, same shape as ``audio``.

    Raises
    ------
    WatermarkError
        Wrong sample rate, a clip shorter than the echo kernel, or non-finite samples.
    """
    check_rate_matches(sample_rate, watermark)
    x = _as_float(audio)
    if x.shape[0] <= watermark.span:
        raise WatermarkError(f"the clip has {x.shape[0]} samples, fewer than the echo kernel needs ({watermark.span + 1})")
    if not np.all(np.isfinite(x)):
        raise WatermarkError("the audio contains NaN or infinite samples")
    shape = x.shape
    embedder = EchoEmbedder(watermark, 1 if x.ndim == 1 else x.shape[1])
    frames = x.reshape(len(x), -1)
    y = np.concatenate([embedder.process(frames), embedder.flush()])
    return limit_peak(y.reshape(shape), peak)


def check_rate_matches(sample_rate: object, watermark: EchoWatermark) -> int:
    """Return the audio's rate if it is the one the watermark's lags are counted at; else a :class:`WatermarkError`."""
    rate = check_sample_rate(sample_rate)
    if rate != watermark.sample_rate:
        raise WatermarkError(
            f"the watermark's lags are in samples at {watermark.sample_rate} Hz but the audio is at {rate} Hz; "
            f"resample the audio, or use a watermark at the audio's rate ({spell('sample_rate', str(rate))})"
        )
    return rate


class EchoEmbedder:
    """Embeds a watermark in audio that arrives block by block (any block sizes).

    The output is the same, sample for sample, as :func:`embed` on the whole signal (before its level
    limiting), whatever the blocks: the echoes reach across block boundaries because the embedder keeps
    the input's last samples (single echoes: the longest lag; no delay) or convolves fixed segments at
    fixed positions and carries each segment's tail into the next (time-spread echo, overlap-add with FFTs
    of :data:`FFT_SIZE` samples; output lags the input by up to one segment). Memory: a few segments.

    Parameters
    ----------
    watermark : EchoWatermark
        What to embed.
    channels : int
        Columns of the blocks.

    Examples
    --------
    >>> import numpy as np
    >>> embedder = EchoEmbedder(EchoWatermark("single", delta=2, alpha=0.5), channels=1)
    >>> x = np.array([[1.0], [0.0], [0.0], [0.0]], dtype=np.float32)
    >>> np.concatenate([embedder.process(x[:1]), embedder.process(x[1:]), embedder.flush()]).ravel().tolist()
    [1.0, 0.0, 0.5, 0.0]
    """

    def __init__(self, watermark: EchoWatermark, channels: int) -> None:
        self.watermark = watermark
        self.channels = int(channels)
        if watermark.method == "spread":
            fft = self._fft = require("scipy.fft", "audio", "the time-spread echo watermark")
            self._n_fft = max(FFT_SIZE, 1 << int(np.ceil(np.log2(4 * (watermark.span + 1)))))
            self._segment = self._n_fft - watermark.span
            self._spectrum = fft.rfft(watermark.kernel().astype(np.float32), self._n_fft)[:, None]
            self._pending = np.zeros((0, self.channels), dtype=np.float32)
            self._overlap = np.zeros((watermark.span, self.channels), dtype=np.float32)
        else:
            self._history = np.zeros((max(watermark.deltas), self.channels), dtype=np.float32)

    def process(self, block: np.ndarray) -> np.ndarray:
        """Embed in the next block (float32 ``(n, channels)``); return the marked samples now complete."""
        block = np.asarray(block, dtype=np.float32).reshape(-1, self.channels)
        if self.watermark.method != "spread":
            return self._single(block)
        self._pending = np.concatenate((self._pending, block)) if len(self._pending) else block
        done = len(self._pending) // self._segment * self._segment
        parts = [self._convolve(self._pending[k: k + self._segment]) for k in range(0, done, self._segment)]
        self._pending = self._pending[done:]
        return np.concatenate(parts) if parts else np.zeros((0, self.channels), dtype=np.float32)

    def flush(self) -> np.ndarray:
        """The last marked samples (the echo's tail past the end of the input is cut)."""
        if self.watermark.method != "spread" or not len(self._pending):
            return np.zeros((0, self.channels), dtype=np.float32)
        rest = self._convolve(self._pending)
        self._pending = self._pending[:0]
        return rest

    def _single(self, block: np.ndarray) -> np.ndarray:
        history = len(self._history)
        extended = np.concatenate((self._history, block))
        out = block.copy()
        for delta, alpha in zip(self.watermark.deltas, self.watermark.alphas):
            out += alpha * extended[history - delta: history - delta + len(block)]
        self._history = extended[len(extended) - history:]
        return out

    def _convolve(self, segment: np.ndarray) -> np.ndarray:
        """Marked samples of one segment at its fixed position (a short last segment is zero-padded)."""
        length = len(segment)
        spectrum = self._fft.rfft(segment, self._n_fft, axis=0) * self._spectrum
        full = self._fft.irfft(spectrum, self._n_fft, axis=0)[: self._segment + self.watermark.span]
        full = full.astype(np.float32, copy=False)
        full[: self.watermark.span] += self._overlap
        self._overlap = full[self._segment:].copy()
        return full[:length]


def limit_peak(audio: np.ndarray, peak: float = DEFAULT_PEAK) -> np.ndarray:
    """Scale ``audio`` down (in place when it is a float array) so that ``max|audio| <= peak``."""
    if not 0 < peak <= 1:
        raise WatermarkError(f"peak must be in (0, 1], got {peak}")
    loudest = float(np.abs(audio).max(initial=0.0))
    if loudest > peak:
        audio *= peak / loudest
    return audio


def _as_float(audio: np.ndarray) -> np.ndarray:
    audio = np.asarray(audio)
    if audio.dtype == np.int16:
        return audio.astype(np.float32) / np.float32(32768.0)
    if not np.issubdtype(audio.dtype, np.floating):
        raise WatermarkError(f"audio must be float or int16 samples, got {audio.dtype}")
    if audio.ndim not in (1, 2):
        raise WatermarkError(f"audio must have shape (n_samples,) or (n_samples, n_channels), got {audio.shape}")
    return audio.astype(np.float32)
