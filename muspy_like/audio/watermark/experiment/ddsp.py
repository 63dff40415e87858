"""A small DDSP instrument: harmonic plus filtered-noise synthesis with a learned reverb (PyTorch).

After Engel, Hantrakul, Gu and Roberts, "DDSP: Differentiable Digital Signal Processing" (ICLR 2020), in
the form Tralie et al. (arXiv:2412.10649) train to test whether echo watermarks survive training: a
decoder maps frame-wise pitch (f0) and loudness to the amplitudes of the harmonics of f0 and to the
magnitudes of a filtered noise; the sum is convolved with a learned impulse response (the "reverb"),
and the whole is trained with a multi-scale spectral loss. Pitch and loudness are inputs, not learned:
here they come from the score (f0) and from the training audio (loudness), so no pitch tracker is needed.

The reverb is a free FIR filter ``h = [1, h_1, ..., h_{L-1}]`` shared by every output, so a model
trained on audio in which every clip went through the same echo can learn that echo there, and will
then put it into everything it generates: the mechanism the watermark audit measures.

This module imports torch at the top; :mod:`muspy_like.audio.watermark.experiment` imports it only when a
model is built.
"""

from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional

__all__ = ["DDSPInstrument", "multiscale_spectral_loss", "harmonic_phases", "LOUDNESS_FLOOR_DB"]

#: Loudness of silence, in dB relative to full scale (frames quieter than this are clipped to it).
LOUDNESS_FLOOR_DB = -80.0
_NOISE_FFT = 512


def _scaled_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """DDSP's positive output nonlinearity: ``2 sigmoid(x) ** ln(10) + 1e-7`` (gradients at small values)."""
    return 2.0 * torch.sigmoid(x) ** math.log(10.0) + 1e-7


def harmonic_phases(f0: np.ndarray, hop: int, sample_rate: int, n_samples: int) -> np.ndarray:
    """Phase of the fundamental at every sample, in radians modulo 2 pi (float64 for exact accumulation).

    Parameters
    ----------
    f0 : ndarray
        Fundamental frequency per frame, in Hz, shape ``(batch, frames)``; frame ``t`` is centred on sample
        ``t * hop``.
    hop : int
        Samples per frame.
    sample_rate : int
        In Hz.
    n_samples : int
        Output samples per row.
    """
    f0 = np.atleast_2d(np.asarray(f0, dtype=np.float64))
    frame_times = np.arange(f0.shape[1]) * hop
    samples = np.arange(n_samples)
    per_sample = np.stack([np.interp(samples, frame_times, row) for row in f0])
    return np.mod(2 * np.pi * np.cumsum(per_sample, axis=1) / sample_rate, 2 * np.pi)


class DDSPInstrument(nn.Module):
    """Pitch and loudness frames in, audio out.

    Parameters
    ----------
    sample_rate : int
        Of the audio, in Hz.
    hop : int
        Samples per conditioning frame.
    n_harmonics : int
        Harmonics of f0 synthesized (those above the Nyquist frequency are silenced).
    n_noise_bands : int
        Bands of the noise filter (linearly spaced from 0 Hz to the Nyquist frequency).
    hidden : int
        Width of the decoder.
    ir_length : int
        Taps of the learned reverb, in samples (the direct path, tap 0, is fixed at 1).
    n_instruments : int
        Size of an optional one-hot instrument input (0: none).
    """

    def __init__(self, sample_rate: int = 44100, hop: int = 256, n_harmonics: int = 40, n_noise_bands: int = 64,
                 hidden: int = 192, ir_length: int = 4096, n_instruments: int = 0) -> None:
        super().__init__()
        self.sample_rate, self.hop = int(sample_rate), int(hop)
        self.n_harmonics, self.n_noise_bands, self.n_instruments = n_harmonics, n_noise_bands, n_instruments
        self.encoder = nn.Linear(2 + n_instruments, hidden)
        # Two non-causal convolutions over frames give the decoder about 60 ms of context on each side,
        # a cheap stand-in for DDSP's GRU.
        self.body = nn.Sequential(
            nn.LeakyReLU(0.1), nn.Conv1d(hidden, hidden, 5, padding=2),
            nn.LeakyReLU(0.1), nn.Conv1d(hidden, hidden, 5, padding=2),
            nn.LeakyReLU(0.1),
        )
        self.head = nn.Linear(hidden, 1 + n_harmonics + n_noise_bands)
        self.reverb = nn.Parameter(torch.zeros(ir_length - 1))

    def impulse_response(self) -> torch.Tensor:
        """The learned reverb ``[1, h_1, ..., h_{L-1}]``."""
        return torch.cat((torch.ones(1, device=self.reverb.device), self.reverb))

    def forward(self, f0: torch.Tensor, loudness_db: torch.Tensor, phases: torch.Tensor,
                instrument: Optional[torch.Tensor] = None, noise: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Synthesize ``(batch, frames * hop)`` samples: :meth:`dry` then :meth:`reverberate`.

        Parameters
        ----------
        f0 : Tensor
            Hz per frame, ``(batch, frames)``.
        loudness_db : Tensor
            dBFS per frame, ``(batch, frames)``.
        phases : Tensor
            The fundamental's phase per sample, ``(batch, frames * hop)`` (see :func:`harmonic_phases`).
        instrument : Tensor, optional
            One-hot instrument, ``(batch, n_instruments)``.
        noise : Tensor, optional
            White noise in [-1, 1], ``(batch, frames * hop)``; drawn from torch's generator if omitted.
        """
        return self.reverberate(self.dry(f0, loudness_db, phases, instrument, noise))

    def dry(self, f0: torch.Tensor, loudness_db: torch.Tensor, phases: torch.Tensor,
            instrument: Optional[torch.Tensor] = None, noise: Optional[torch.Tensor] = None) -> torch.Tensor:
        """The harmonic plus filtered-noise signal before the reverb (arguments as in :meth:`forward`)."""
        batch, frames = f0.shape
        n_samples = phases.shape[1]
        features = [torch.log2(f0.clamp(min=20.0) / 440.0), (loudness_db - LOUDNESS_FLOOR_DB / 2) / -LOUDNESS_FLOOR_DB * 2]
        inputs = torch.stack(features, dim=-1)
        if self.n_instruments:
            inputs = torch.cat((inputs, instrument[:, None, :].expand(batch, frames, -1)), dim=-1)
        hidden = self.body(self.encoder(inputs).transpose(1, 2)).transpose(1, 2)
        outputs = self.head(hidden)
        amplitude = _scaled_sigmoid(outputs[..., :1])
        harmonic_logits = outputs[..., 1:1 + self.n_harmonics]
        numbers = torch.arange(1, self.n_harmonics + 1, device=f0.device, dtype=f0.dtype)
        audible = (f0[..., None] * numbers) < self.sample_rate / 2
        harmonic_logits = harmonic_logits.masked_fill(~audible, -1e4)
        amplitudes = amplitude * torch.softmax(harmonic_logits, dim=-1) * audible
        harmonic = self._harmonics(amplitudes, phases, n_samples)
        magnitudes = _scaled_sigmoid(outputs[..., 1 + self.n_harmonics:] - 5.0)
        filtered = self._filtered_noise(magnitudes, n_samples, noise)
        return harmonic + filtered

    def _harmonics(self, amplitudes: torch.Tensor, phases: torch.Tensor, n_samples: int) -> torch.Tensor:
        """Sum of ``a_k(t) sin(k phase(t))``, amplitudes interpolated linearly between frames.

        Sample ``j`` of frame ``t`` mixes the amplitudes of frames ``t`` and ``t + 1`` with weights
        ``1 - j / hop`` and ``j / hop``, so the sum is two batched matrix products of the (constant) sines
        with the frame amplitudes: no per-sample amplitude tensor is built or differentiated.
        """
        batch, frames, _ = amplitudes.shape
        numbers = torch.arange(1, self.n_harmonics + 1, device=phases.device, dtype=phases.dtype)
        with torch.no_grad():
            sines = torch.sin(phases.reshape(batch * frames, self.hop, 1) * numbers)
            ramp = torch.arange(self.hop, device=phases.device, dtype=phases.dtype)[:, None] / self.hop
            rising, falling = sines * ramp, sines * (1 - ramp)
        following = torch.cat((amplitudes[:, 1:], amplitudes[:, -1:]), dim=1)
        out = falling @ amplitudes.reshape(-1, self.n_harmonics, 1) + rising @ following.reshape(-1, self.n_harmonics, 1)
        return out.reshape(batch, frames * self.hop)[:, :n_samples]

    def _filtered_noise(self, magnitudes: torch.Tensor, n_samples: int, noise: Optional[torch.Tensor]) -> torch.Tensor:
        """White noise shaped per frame in the short-time Fourier domain (bands interpolated to bins)."""
        batch = magnitudes.shape[0]
        if noise is None:
            noise = torch.rand(batch, n_samples, device=magnitudes.device) * 2 - 1
        window = torch.hann_window(_NOISE_FFT, device=magnitudes.device)
        spectrum = torch.stft(noise, _NOISE_FFT, self.hop, window=window, return_complex=True)
        gains = functional.interpolate(magnitudes.transpose(1, 2)[:, None], size=spectrum.shape[-2:],
                                       mode="bilinear", align_corners=True)[:, 0]
        return torch.istft(spectrum * gains, _NOISE_FFT, self.hop, window=window, length=n_samples)

    def reverberate(self, dry: torch.Tensor) -> torch.Tensor:
        """``dry`` convolved with the learned impulse response, cut to the input's length."""
        ir = self.impulse_response()
        n_samples = dry.shape[-1]
        size = 1 << int(math.ceil(math.log2(n_samples + len(ir))))
        wet = torch.fft.irfft(torch.fft.rfft(dry, size) * torch.fft.rfft(ir, size), size)
        return wet[..., :n_samples]


def multiscale_spectral_loss(output: torch.Tensor, target: torch.Tensor,
                             sizes: Sequence[int] = (4096, 2048, 1024, 512, 256, 128)) -> torch.Tensor:
    """DDSP's loss: over several FFT sizes, the mean L1 distance of magnitudes plus that of log magnitudes.

    The log term weighs the quiet parts of the spectrum, where an echo's ripple is as large (in dB) as in
    the loud parts; the largest size resolves the ripple of lags up to about 2,000 samples.
    """
    total = output.new_zeros(())
    for size in sizes:
        window = torch.hann_window(size, device=output.device)
        produced = torch.stft(output, size, size // 4, window=window, return_complex=True).abs()
        with torch.no_grad():
            wanted = torch.stft(target, size, size // 4, window=window, return_complex=True).abs()
            log_wanted = torch.log(wanted + 1e-7)
        total = total + (produced - wanted).abs().mean() + (torch.log(produced + 1e-7) - log_wanted).abs().mean()
    return total
