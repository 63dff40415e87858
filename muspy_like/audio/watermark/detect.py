"""Detecting echo watermarks in the cepstrum (Tralie, Amery, Douglas, Utz, arXiv:2412.10649).

An echo ``x[n] + alpha * x[n - delta]`` multiplies the spectrum by ``1 + alpha * exp(-i w delta)``; its log
magnitude gains a ripple whose inverse transform, the real cepstrum
``c = irfft(log(|rfft(hann * x)| + eps))``, has a peak of about ``alpha / 2`` at lag (quefrency) ``delta``.
A time-spread echo leaves ``alpha / 2 * q`` at lags ``delta ... delta + 1023``, found by correlating the
cepstrum with ``q``.

Scores
------
* single echo: the z-score of ``c[delta]`` against the null lags 25..150, with ``delta`` (and the
  watermark's other lags) left out: ``z = (c[delta] - mean(c[null])) / std(c[null])``;
* time-spread: the same z-score for the cross-correlation ``r[l] = sum_j q[j] c[l + j]`` at ``l = delta``,
  against ``r`` at the null lags. Lags within two samples of ``delta`` are also left out of the null:
  with runs of at most two equal chips, ``q`` correlates with its own one- and two-chip shifts (about
  -1/3 and -1/3 of the peak on average), so ``r`` there is part of the mark, not noise.

Frames and segments
-------------------
The clip is cut into Hann frames (0.5 s, hop 0.25 s); frames quieter than about -80 dBFS are skipped. The
cepstrum that is scored is the average over the frames (computed as the inverse transform of the averaged
log spectrum, which is the same thing since the transform is linear). Averaging many frames keeps the
echo's peak, which is identical in every frame, while the cepstral peaks of the music itself (its pitch
periods), which change from chord to chord, average out. The frame length is a trade-off measured on the
benchmark: 0.25 s frames give clean marked audio the highest scores, but 0.5 s frames resolve the
harmonics better, so more of the spectrum lies between partials and the echo survives noise and MP3
coding better (time-spread z after 30 dB noise 3.8 -> 4.6, after MP3 5.0 -> 5.8, clean 15.9 -> 15.4).

Whitening (time-spread only): the music's cepstrum is about three times larger at lags near 25 than near
1200, while each chip of the mark adds the same ``alpha / 2`` at every lag from ``delta`` to
``delta + 1023``. Dividing the cepstrum by its own moving RMS (over :data:`WHITENING_WIDTH` lags) before
the correlation weights every lag by the inverse of its noise level, the matched filter for noise whose
level changes with lag. Both the peak and the null lags go through the same operation, so unmarked
scores stay centred (benchmark: time-spread z after 30 dB noise 4.6 -> 5.3, after MP3 5.8 -> 7.2, 16-bit
11 -> 13). It does not help the single echo, whose score uses one lag against its neighbours.

Per-segment detection: frames are also grouped into segments (5 s by default) and each segment gets its
own z-score (``Detection.z_segments``). The clip's score ``z`` is aggregated in one of two documented ways:
``aggregate="cepstrum"`` (default) scores the cepstrum averaged over all frames of all segments;
``aggregate="mean"`` averages the segments' z-scores. Several single-echo lags give one z-score each; the
reported ``z`` is the smallest (all lags must be present).

Decision: marked when ``z >= threshold``, by default :data:`THRESHOLD` = 5. Unmarked scores behave like a
standard normal variable (benchmark: mean 0.0 and largest 3.0 over 1,200 unmarked 5 s clips scored for ten
seeds); 5 is the usual five-sigma rule. For the spread method each seed carries a small offset shared by
all audio from one renderer (its persistent cepstral content correlates a little with the sequence; on
FluidSynth renders between -2.3 and +1.2 for seeds 0-7); it is zero on average over seeds.

Band-limited cepstrum
---------------------
Resampling to 22.05 kHz (and back) empties the band above 11.025 kHz; the log of that empty band is
numerical noise that swamps the cepstrum. With ``band_hz=(low, high)`` the log spectrum is kept only
between ``low`` and ``high`` Hz (mean removed, edges tapered by a Tukey window) and set to zero elsewhere
before the inverse transform. The echo's ripple ``cos(w delta)`` is still present inside the band, so the
peak stays at lag ``delta`` (with the band's share of its height) while the empty band no longer adds
noise. For audio that went through 22.05 kHz use ``band_hz=(0, 10500)``.

Sample rates: audio at a rate other than the watermark's is refused unless ``resample=True``; then it is
resampled to the watermark's rate (the filter of ``scipy.signal.resample_poly``, applied as a stream by
:class:`~muspy_like.audio.resample.StreamResampler`) and the band is limited to 95 % of the lower Nyquist
frequency, so the lags keep their meaning (samples at the watermark's rate).

Streams: :class:`CepstrumAccumulator` gathers the per-segment sums of frame log spectra block by block,
:func:`detect_blocks` scores a stream, and :func:`score` scores an accumulator for any watermark, so long
files are scored in bounded memory and one pass over the audio can be scored for many watermarks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Optional

import numpy as np

from muspy_like.audio.arguments import check_sample_rate, check_seconds, spell
from muspy_like.audio.watermark.echo import EchoWatermark
from muspy_like.errors import WatermarkError
from muspy_like.extras import require

__all__ = [
    "Detection",
    "detect_audio",
    "detect_blocks",
    "accumulate_blocks",
    "resampled_band",
    "CepstrumAccumulator",
    "score",
    "lags_needed",
    "mean_cepstra",
    "cepstrum_zscore",
    "single_echo_zscore",
    "spread_echo_zscore",
    "spread_echo_zscores",
    "NULL_LAGS",
    "THRESHOLD",
    "DEFAULT_FRAME",
    "DEFAULT_SEGMENT",
    "SILENCE_RMS",
    "DEFAULT_LAGS",
]

#: Lags (samples) whose values form the null distribution of the z-score.
NULL_LAGS = np.arange(25, 151)
#: z-score at or above which a clip is declared marked.
THRESHOLD = 5.0
#: Analysis frame, in seconds (hop: half a frame).
DEFAULT_FRAME = 0.5
#: Segment length for per-segment scores, in seconds.
DEFAULT_SEGMENT = 5.0
#: Frames quieter than this RMS (-80 dBFS) are skipped; a clip without a louder frame is silent.
SILENCE_RMS = 1e-4
#: Floor of the magnitudes before the log, relative to the frame's largest magnitude.
_RELATIVE_EPS = 1e-9
_TINY = float(np.finfo(np.float32).tiny)
#: Lags (samples) over which the spread detector's cepstrum is whitened (moving RMS), and the first lag.
WHITENING_WIDTH = 255
_WHITEN_FROM = 20
#: Lags this close to a spread echo's delta are part of the mark (see the module docstring).
_SPREAD_GUARD = 2
#: Frames transformed at once (bounds memory on long clips).
_CHUNK_FRAMES = 64
#: Cepstral lags an accumulator keeps by default (enough for spread echoes with delta up to about 2,500).
DEFAULT_LAGS = 4096


@dataclass
class Detection:
    """The outcome of scoring one clip.

    Attributes
    ----------
    z : float
        The detection score (smallest over lags for several single echoes); NaN when the clip is silent.
    marked : bool
        ``z >= threshold``.
    threshold : float
        The threshold applied.
    z_per_lag : list of float
        One z-score per watermark lag (aggregated over segments).
    z_segments : list of float
        The score of each non-silent segment, in time order.
    n_frames : int
        Non-silent frames that were analysed.
    band_hz : tuple of float, optional
        The band of the band-limited cepstrum, in Hz, if one was used.
    silent : bool
        No frame was louder than about -80 dBFS, so there was nothing to score (``z`` is NaN).
    """

    z: float
    marked: bool
    threshold: float
    z_per_lag: list[float] = field(default_factory=list)
    z_segments: list[float] = field(default_factory=list)
    n_frames: int = 0
    band_hz: Optional[tuple[float, float]] = None
    silent: bool = False


class CepstrumAccumulator:
    """Frame log spectra of a stream, averaged per segment and over the whole: what detections are scored from.

    Feed audio block by block with :meth:`update` (any block sizes: the frames sit at fixed positions and
    are transformed in fixed batches, so the results are the same, bit for bit, whatever the blocks). Each
    segment is reduced to its cepstrum's first ``n_lags`` lags as soon as its last frame is in, and one
    log spectrum is summed over the whole stream; :meth:`cepstrum` and :meth:`cepstra` give the averaged
    cepstra. They do not depend on the watermark, so one pass over the audio can be scored for any number
    of watermarks whose lags fit in ``n_lags`` (:func:`score`), and the accumulators of several clips can
    be merged (:meth:`merge`).

    Memory: one frame of overlap, one batch of 64 frames, one spectrum, and ``8 * n_lags`` bytes per
    segment (11 KB per 5 s segment for the default watermark: 8 MB per hour of audio).

    Parameters
    ----------
    sample_rate : int
        Rate of the audio fed in, in Hz.
    frame_length : int
        Samples per Hann frame; the hop is half a frame. A clip shorter than one frame is one zero-padded frame.
    segment_length : int, optional
        Samples per segment (frames are assigned by their start); None: one segment.
    band_hz : (low, high), optional
        Band-limited cepstrum, in Hz (see the module docstring).
    n_lags : int, optional
        Lags kept per cepstrum (default :data:`DEFAULT_LAGS`, at most the frame length); a watermark needs
        :func:`lags_needed`.
    """

    def __init__(self, sample_rate: int, frame_length: int, segment_length: Optional[int] = None,
                 band_hz: Optional[tuple[float, float]] = None, n_lags: Optional[int] = None) -> None:
        self.sample_rate = int(sample_rate)
        self.frame_length = int(frame_length)
        self.hop = max(1, self.frame_length // 2)
        self.segment_length = segment_length
        self.band = _check_band(band_hz, self.sample_rate)
        self.n_lags = min(int(n_lags or DEFAULT_LAGS), self.frame_length)
        self.counts: dict[int, int] = {}
        self.n_samples = 0
        self._total = np.zeros(self.frame_length // 2 + 1)
        self._segments: dict[int, np.ndarray] = {}  # cepstra of the segments whose frames are all in
        self._open: dict[int, np.ndarray] = {}  # log-spectrum sums of the segments still receiving frames
        self._tail = np.zeros(0, dtype=np.float32)  # samples from self._tail_start on, not yet fully used
        self._tail_start = 0
        self._next_frame = 0
        self._energies = np.zeros(0, dtype=np.float64)  # energy of each hop from self._energy_start on
        self._energy_start = 0
        self._batch: list[np.ndarray] = []
        self._batch_starts: list[int] = []
        self._finished = False

    @property
    def n_frames(self) -> int:
        """Non-silent frames accumulated so far (transformed or waiting in the batch)."""
        return sum(self.counts.values()) + len(self._batch)

    def update(self, audio: np.ndarray) -> None:
        """Add samples, shape ``(n,)`` or ``(n, channels)`` (channels are averaged; int16 is read as value / 32768)."""
        if self._finished:
            raise WatermarkError("this accumulator is finished; create a new one for more audio")
        mono = _mono(audio, allow_empty=True)
        if not len(mono):
            return
        self.n_samples += len(mono)
        data = np.concatenate((self._tail, mono)) if len(self._tail) else mono
        self._frames(data, self._tail_start)
        keep_from = min(self._next_frame, self._tail_start + len(data))
        self._tail = data[keep_from - self._tail_start:].copy()
        self._tail_start = keep_from

    def finish(self) -> "CepstrumAccumulator":
        """Process the last frames (a clip shorter than a frame becomes one zero-padded frame); return self."""
        if not self._finished:
            if 0 < self.n_samples < self.frame_length:
                padded = np.zeros(self.frame_length, dtype=np.float32)
                padded[: len(self._tail)] = self._tail
                self._tail = np.zeros(0, dtype=np.float32)
                self._frames(padded, 0)
            self._transform()
            for key in sorted(self._open):
                self._close(key)
            self._finished = True
        return self

    def merge(self, other: "CepstrumAccumulator") -> "CepstrumAccumulator":
        """Add another accumulator's frames (same rate, frame, segment, band and lags) to this one; return self.

        Segments with the same index (the first 5 s of two clips, say) are averaged together, frame-weighted.
        """
        settings = ("sample_rate", "frame_length", "segment_length", "band", "n_lags")
        if any(getattr(self, name) != getattr(other, name) for name in settings):
            raise WatermarkError("only accumulators with the same rate, frame, segment, band and lags can be merged")
        self.finish()
        other.finish()
        for key, cepstrum in other._segments.items():
            mine, theirs = self.counts.get(key, 0), other.counts[key]
            previous = self._segments.get(key, np.zeros_like(cepstrum))
            self._segments[key] = (previous * mine + cepstrum * theirs) / (mine + theirs)
            self.counts[key] = mine + theirs
        self._total = self._total + other._total
        self.n_samples += other.n_samples
        return self

    def cepstrum(self) -> np.ndarray:
        """The cepstrum of the log spectrum averaged over every non-silent frame (``n_lags`` lags; empty if silent)."""
        self.finish()
        frames = sum(self.counts.values())
        return self._cepstrum(self._total / frames) if frames else np.zeros(0)

    @property
    def segment_indices(self) -> list[int]:
        """Index of each segment :meth:`cepstra` returns, in the same order (segment ``k`` starts at sample
        ``k * segment_length``; always ``[0]`` without segments)."""
        self.finish()
        return sorted(self._segments)

    def cepstra(self, n_lags: Optional[int] = None) -> tuple[np.ndarray, np.ndarray, Optional[tuple[float, float]]]:
        """Frame-averaged real cepstrum of each segment that has non-silent frames.

        Returns
        -------
        (cepstra, counts, band)
            Shape ``(n_segments, n_lags)`` in time order; the frames averaged in each; the band used
            (None for the full band).
        """
        self.finish()
        lags = self.n_lags if n_lags is None else min(n_lags, self.n_lags)
        keys = sorted(self._segments)
        counts = np.array([self.counts[key] for key in keys], dtype=np.int64)
        if not keys:
            return np.zeros((0, lags)), counts, self.band
        return np.stack([self._segments[key][:lags] for key in keys]), counts, self.band

    def _cepstrum(self, log_spectrum: np.ndarray) -> np.ndarray:
        fft = require("scipy.fft", "audio", "watermark detection")

        if self.band is not None:
            log_spectrum = _band_limit(log_spectrum[None, :], self.band, self.sample_rate, self.frame_length)[0]
        return fft.irfft(log_spectrum, n=self.frame_length)[: self.n_lags].copy()  # not a view of the whole

    def _close(self, key: int) -> None:
        self._segments[key] = self._cepstrum(self._open.pop(key) / self.counts[key])

    def _frames(self, data: np.ndarray, data_start: int) -> None:
        """Queue the loud frames of ``data`` (which starts at sample ``data_start``) that are complete."""
        hop, length = self.hop, self.frame_length
        # Energies of the hops now complete; a frame's loudness is that of its first two hops.
        first_hop = self._energy_start + len(self._energies)
        last_hop = (data_start + len(data)) // hop
        if last_hop > first_hop:
            hops = data[first_hop * hop - data_start: last_hop * hop - data_start].reshape(-1, hop)
            energies = np.square(hops, dtype=np.float64).sum(axis=1)
            self._energies = np.concatenate((self._energies, energies))
        last_start = data_start + len(data) - length
        if last_start < self._next_frame:
            return
        starts = np.arange(self._next_frame, last_start + 1, hop)
        index = starts // hop - self._energy_start
        loud = self._energies[index] + self._energies[index + 1] >= SILENCE_RMS**2 * 2 * hop
        window_view = np.lib.stride_tricks.sliding_window_view(data, length)
        for start in starts[loud].tolist():
            self._batch.append(window_view[start - data_start])
            self._batch_starts.append(start)
            if len(self._batch) == _CHUNK_FRAMES:
                self._transform()
        self._next_frame = int(starts[-1]) + hop
        drop = self._next_frame // hop - self._energy_start
        self._energies = self._energies[drop:]
        self._energy_start += drop

    def _transform(self) -> None:
        """Add the log magnitude spectra of the queued frames to their segment's and the total sums."""
        fft = require("scipy.fft", "audio", "watermark detection")

        if not self._batch:
            return
        frames = np.stack(self._batch) * _hann(self.frame_length)
        starts = np.array(self._batch_starts)
        self._batch, self._batch_starts = [], []
        magnitude = np.abs(fft.rfft(frames, axis=1, workers=-1))
        np.maximum(magnitude, _RELATIVE_EPS * magnitude.max(axis=1, keepdims=True) + _TINY, out=magnitude)
        log_magnitude = np.log(magnitude, out=magnitude)
        segments = np.zeros(len(starts), dtype=np.int64) if self.segment_length is None else starts // self.segment_length
        bounds = np.flatnonzero(np.diff(segments, prepend=-1))
        sums = np.add.reduceat(log_magnitude, bounds, axis=0, dtype=np.float64)
        for key, row, count in zip(segments[bounds].tolist(), sums, np.diff(np.append(bounds, len(starts))).tolist()):
            self._open[key] = self._open[key] + row if key in self._open else row
            self._total += row
            self.counts[key] = self.counts.get(key, 0) + count
        # Frames come in time order: segments before the last one of this batch are complete.
        for key in [key for key in self._open if key < segments[-1]]:
            self._close(key)


def detect_audio(
    audio: np.ndarray,
    sample_rate: int,
    watermark: EchoWatermark = EchoWatermark(),
    band_hz: Optional[tuple[float, float]] = None,
    segment: Optional[float] = DEFAULT_SEGMENT,
    frame: float = DEFAULT_FRAME,
    aggregate: str = "cepstrum",
    threshold: float = THRESHOLD,
    resample: bool = False,
) -> Detection:
    """Score a clip for a watermark.

    Parameters
    ----------
    audio : ndarray
        Float (or int16) samples, shape ``(n_samples,)`` or ``(n_samples, n_channels)``; channels are averaged.
    sample_rate : int
        Rate of ``audio``, in Hz.
    watermark : EchoWatermark
        The watermark to look for; its lags are counted at ``watermark.sample_rate``.
    band_hz : (low, high), optional
        Band-limited cepstrum, in Hz (see the module docstring); None uses the full band.
    segment : float or None, default 5.0
        Segment length for per-segment scores, in seconds; None makes the whole clip one segment.
    frame : float, default 0.5
        Analysis frame, in seconds; half of it must exceed the watermark's lags plus 150 samples and half
        the whitening width.
    aggregate : {"cepstrum", "mean"}
        Score the cepstrum averaged over all frames, or average the segments' scores.
    threshold : float, default :data:`THRESHOLD`
        Decision threshold on ``z``.
    resample : bool, default False
        Audio at another rate than ``watermark.sample_rate`` is refused unless this is True; then it is
        resampled to the watermark's rate (band-limited; the band is limited to 95 % of the lower
        Nyquist frequency). Refusing is the default because the two ways a rate can differ need
        different answers: audio marked at its own rate needs a watermark at that rate (resampling would
        move the echo to another lag and miss it), audio resampled after marking needs resampling back.

    Returns
    -------
    Detection
        ``z`` is NaN and ``silent`` True when no frame is louder than about -80 dBFS.

    Examples
    --------
    >>> import numpy as np
    >>> from muspy_like.audio.watermark import EchoWatermark, embed
    >>> noise = np.random.default_rng(0).uniform(-0.5, 0.5, 44100 * 3)
    >>> mark = EchoWatermark("single", delta=75)
    >>> detect_audio(embed(noise, 44100, mark), 44100, mark).marked, detect_audio(noise, 44100, mark).marked
    (True, False)
    """
    return detect_blocks([audio], sample_rate, watermark, band_hz, segment, frame, aggregate, threshold, resample)


def detect_blocks(
    blocks: Iterable[np.ndarray],
    sample_rate: int,
    watermark: EchoWatermark = EchoWatermark(),
    band_hz: Optional[tuple[float, float]] = None,
    segment: Optional[float] = DEFAULT_SEGMENT,
    frame: float = DEFAULT_FRAME,
    aggregate: str = "cepstrum",
    threshold: float = THRESHOLD,
    resample: bool = False,
) -> Detection:
    """Score audio that arrives block by block (e.g. :func:`~muspy_like.audio.read_blocks` of a long file).

    The result is the same as :func:`detect_audio` on the whole signal, whatever the blocks; memory is one
    block plus the accumulator's (see :class:`CepstrumAccumulator`). Parameters as in :func:`detect_audio`.
    """
    if aggregate not in ("cepstrum", "mean"):
        raise WatermarkError(f"{spell('aggregate')} must be 'cepstrum' or 'mean', not {aggregate!r}")
    accumulator = accumulate_blocks(blocks, sample_rate, watermark.sample_rate, lags_needed(watermark), band_hz,
                                    segment, frame, resample)
    return score(accumulator, watermark, aggregate, threshold)


def accumulate_blocks(
    blocks: Iterable[np.ndarray],
    sample_rate: int,
    target_rate: int,
    n_lags: int,
    band_hz: Optional[tuple[float, float]] = None,
    segment: Optional[float] = DEFAULT_SEGMENT,
    frame: float = DEFAULT_FRAME,
    resample: bool = False,
) -> CepstrumAccumulator:
    """Gather the cepstra of a stream at the watermarks' rate: the watermark-independent half of detection.

    :func:`detect_blocks` is this followed by :func:`score`; calling :func:`score` on the result for
    several watermarks (at ``target_rate``, needing at most ``n_lags`` lags) scores them all from one pass.

    Parameters
    ----------
    blocks : iterable of ndarray
        The audio, ``(n,)`` or ``(n, channels)`` per block.
    sample_rate : int
        Rate of the audio, in Hz.
    target_rate : int
        The rate the watermarks' lags are counted at, in Hz.
    n_lags : int
        Cepstral lags to keep (:func:`lags_needed` of the watermarks to score).
    band_hz, segment, frame, resample
        As in :func:`detect_audio`.

    Raises
    ------
    WatermarkError
        A rate mismatch without ``resample`` (the message says which option fits which case), a frame
        too short for ``n_lags``, or no samples at all.
    """
    rate = check_sample_rate(sample_rate)
    target = check_sample_rate(target_rate)
    resampler = None
    if rate != target:
        if not resample:
            raise WatermarkError(
                f"the audio is at {rate} Hz but the watermark's lags are counted at {target} Hz: if it was marked at "
                f"{rate} Hz, count the lags at that rate ({spell('sample_rate', str(rate))}); if it was marked at "
                f"{target} Hz and resampled since, pass {spell('resample', 'True')}")
        from muspy_like.audio.resample import StreamResampler

        resampler = StreamResampler(rate, target)
        band_hz = resampled_band(rate, target, band_hz)
    frame_length = int(round(check_seconds(frame, "frame", 0.0, 60.0, include_low=False) * target))
    if frame_length // 2 <= n_lags:
        raise WatermarkError(f"frames of {frame_length} samples are too short for lags up to {n_lags}; "
                             f"use a longer {spell('frame')}")
    segment_length = None if segment is None else int(round(check_seconds(segment, "segment", 0.0,
                                                                           include_low=False) * target))
    accumulator = CepstrumAccumulator(target, frame_length, segment_length, band_hz, n_lags)
    for block in blocks:
        if resampler is None:
            accumulator.update(block)
        else:
            accumulator.update(resampler.process(_mono(block, allow_empty=True)))
    if resampler is not None:
        accumulator.update(resampler.flush())
    if accumulator.n_samples == 0:
        raise WatermarkError("audio must have at least one sample")
    return accumulator.finish()


def resampled_band(rate: int, target: int, band_hz: Optional[tuple[float, float]] = None) -> tuple[float, float]:
    """The band scored after resampling from ``rate`` to ``target`` Hz: at most 95 % of the lower Nyquist frequency."""
    nyquist = 0.95 * min(rate, target) / 2
    return (0.0, nyquist) if band_hz is None else (band_hz[0], min(band_hz[1], nyquist))


def lags_needed(watermark: EchoWatermark) -> int:
    """Cepstral lags the scores of ``watermark`` read (its span, the null lags, the whitening margin)."""
    return watermark.span + int(NULL_LAGS[-1]) + _SPREAD_GUARD + 1 + WHITENING_WIDTH // 2


def score(
    accumulator: CepstrumAccumulator,
    watermark: EchoWatermark,
    aggregate: str = "cepstrum",
    threshold: float = THRESHOLD,
) -> Detection:
    """Score accumulated audio for one watermark (call it for each of several watermarks on one accumulator).

    Parameters as in :func:`detect_audio`; the accumulator must run at ``watermark.sample_rate`` and keep
    at least :func:`lags_needed` lags.
    """
    if accumulator.sample_rate != watermark.sample_rate:
        raise WatermarkError(f"the accumulator runs at {accumulator.sample_rate} Hz, the watermark at "
                             f"{watermark.sample_rate} Hz")
    needed = lags_needed(watermark)
    if accumulator.n_lags < needed:
        raise WatermarkError(f"the accumulator keeps {accumulator.n_lags} lags; this watermark needs {needed}")
    cepstra, counts, band = accumulator.cepstra(needed)
    if not counts.sum():
        return Detection(float("nan"), False, threshold, band_hz=band, silent=True)
    segment_scores = [min(_scores(c, watermark)) for c in cepstra]
    if aggregate == "cepstrum":
        per_lag = _scores(accumulator.cepstrum()[:needed], watermark)
        z = float(min(per_lag))
    else:
        per_lag = np.mean([_scores(c, watermark) for c in cepstra], axis=0).tolist()
        z = float(np.mean(segment_scores))
    return Detection(z, bool(z >= threshold), threshold, per_lag, segment_scores, int(counts.sum()), band)


def mean_cepstra(
    mono: np.ndarray,
    sample_rate: int,
    frame_length: int,
    segment_length: Optional[int] = None,
    band_hz: Optional[tuple[float, float]] = None,
    n_lags: Optional[int] = None,
) -> tuple[np.ndarray, np.ndarray, Optional[tuple[float, float]]]:
    """Frame-averaged real cepstrum of each segment of a mono signal (see :class:`CepstrumAccumulator`).

    Parameters
    ----------
    mono : ndarray
        Samples, shape ``(n_samples,)`` (computed in float32).
    sample_rate : int
        In Hz (turns ``band_hz`` into FFT bins).
    frame_length : int
        Samples per Hann frame; the hop is half a frame.
    segment_length : int, optional
        Samples per segment (frames are assigned by their start); None: one segment.
    band_hz : (low, high), optional
        Band-limited cepstrum, in Hz.
    n_lags : int, optional
        Keep only the first ``n_lags`` lags.
    """
    accumulator = CepstrumAccumulator(sample_rate, frame_length, segment_length, band_hz, n_lags or frame_length)
    accumulator.update(mono)
    return accumulator.cepstra()


def single_echo_zscore(cepstrum: np.ndarray, delta: int, exclude: tuple[int, ...] = ()) -> float:
    """z-score of ``cepstrum[delta]`` against the null lags 25..150 (``delta`` and ``exclude`` left out)."""
    return _zscore(cepstrum, delta, exclude)


def spread_echo_zscore(cepstrum: np.ndarray, sequence: np.ndarray, delta: int) -> float:
    """z-score at lag ``delta`` of the cross-correlation of the whitened cepstrum with the +/-1 sequence.

    The cepstrum from lag 20 on is divided by its moving RMS over :data:`WHITENING_WIDTH` lags (see the
    module docstring), then ``r[l] = sum_j q[j] cepstrum[l + j]`` is computed for ``l`` in the null lags
    and ``delta``; lags within two samples of ``delta`` are left out of the null. The cepstrum must reach
    lag ``max(l) + len(q) - 1``; lags beyond it (up to half the whitening width) make the whitening at the
    end of the sequence better estimated.
    """
    return float(spread_echo_zscores(cepstrum, np.asarray(sequence)[None, :], delta)[0])


def spread_echo_zscores(cepstrum: np.ndarray, sequences: np.ndarray, delta: int) -> np.ndarray:
    """:func:`spread_echo_zscore` for many sequences of one length at once, shape ``(n_sequences, length)``.

    The cepstrum is whitened once and the correlations are one matrix product, so scoring a clip for a
    thousand decoy sequences costs milliseconds.
    """
    sequences = np.atleast_2d(sequences)
    lags = np.union1d(NULL_LAGS, np.arange(delta - _SPREAD_GUARD, delta + _SPREAD_GUARD + 1))
    lags = lags[lags >= _WHITEN_FROM]
    needed = int(lags[-1]) + sequences.shape[1]
    if len(cepstrum) < needed:
        raise WatermarkError(f"the cepstrum has {len(cepstrum)} lags; the spread detector needs {needed}")
    whitened = cepstrum[_WHITEN_FROM:needed + WHITENING_WIDTH // 2]
    whitened = whitened / _moving_rms(whitened, WHITENING_WIDTH)
    windows = np.lib.stride_tricks.sliding_window_view(whitened[: needed - _WHITEN_FROM], sequences.shape[1])
    r = windows[lags - _WHITEN_FROM] @ sequences.T  # (lags, sequences)
    null = ~np.isin(lags, np.arange(delta - _SPREAD_GUARD, delta + _SPREAD_GUARD + 1)) & np.isin(lags, NULL_LAGS)
    spread = r[null].std(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (r[lags == delta][0] - r[null].mean(axis=0)) / spread
    return np.where(spread > 0, z, np.nan)


def cepstrum_zscore(cepstrum: np.ndarray, watermark: EchoWatermark) -> float:
    """The score of one averaged cepstrum for a watermark: its z-score (the smallest over several single-echo lags).

    ``cepstrum`` must reach :func:`lags_needed` lags. This is what :func:`score` computes for a clip or
    segment; it costs microseconds, so many watermarks (candidates, decoys) can be scored on one cepstrum.
    """
    return float(min(_scores(cepstrum, watermark)))


def _moving_rms(values: np.ndarray, width: int) -> np.ndarray:
    """RMS of ``values`` over a centred window of ``width`` (odd) samples, mirrored at both ends."""
    half = width // 2
    squares = np.pad(np.square(values), half, mode="reflect")
    cumulative = np.concatenate(([0.0], np.cumsum(squares)))
    rms = np.sqrt((cumulative[width:] - cumulative[:-width]) / width)
    return np.maximum(rms, np.finfo(float).tiny)


@lru_cache(maxsize=8)
def _hann(length: int) -> np.ndarray:
    return np.hanning(length).astype(np.float32)


def _scores(cepstrum: np.ndarray, watermark: EchoWatermark) -> list[float]:
    if watermark.method == "spread":
        return [spread_echo_zscore(cepstrum, watermark.sequence, watermark.deltas[0])]
    return [single_echo_zscore(cepstrum, delta, watermark.deltas) for delta in watermark.deltas]


def _zscore(values: np.ndarray, lag: int, exclude: tuple[int, ...]) -> float:
    null = np.setdiff1d(NULL_LAGS, (lag, *exclude))
    spread = values[null].std()
    if not spread > 0:
        return float("nan")
    return float((values[lag] - values[null].mean()) / spread)


def _mono(audio: np.ndarray, allow_empty: bool = False) -> np.ndarray:
    audio = np.asarray(audio)
    if audio.dtype == np.int16:
        audio = audio / 32768.0
    if audio.ndim == 2 and audio.shape[1] > 0:
        channels = [audio[:, k].astype(np.float32) for k in range(audio.shape[1])]
        audio = np.add.reduce(channels) / np.float32(len(channels))
    if audio.ndim != 1 or (audio.shape[0] == 0 and not allow_empty):
        raise WatermarkError(f"audio must have shape (n_samples,) or (n_samples, n_channels), got {np.shape(audio)}")
    if not np.isfinite(audio).all():
        raise WatermarkError("the audio contains NaN or infinite samples")
    return audio.astype(np.float32, copy=False)


def _check_band(band_hz: Optional[tuple[float, float]], sample_rate: int) -> Optional[tuple[float, float]]:
    if band_hz is None:
        return None
    low, high = float(band_hz[0]), float(band_hz[1])
    if not 0 <= low < high:
        raise WatermarkError(f"band_hz must satisfy 0 <= low < high, got {band_hz}")
    return (low, min(high, sample_rate / 2))


def _band_limit(log_spectra: np.ndarray, band: tuple[float, float], sample_rate: int, n_fft: int) -> np.ndarray:
    tukey = require("scipy.signal.windows", "audio", "band-limited watermark detection").tukey

    low_bin = int(np.ceil(band[0] * n_fft / sample_rate))
    high_bin = min(int(band[1] * n_fft / sample_rate), log_spectra.shape[1] - 1)
    limited = np.zeros_like(log_spectra)
    inside = log_spectra[:, low_bin: high_bin + 1]
    limited[:, low_bin: high_bin + 1] = (inside - inside.mean(axis=1, keepdims=True)) * tukey(inside.shape[1], 0.1)
    return limited
