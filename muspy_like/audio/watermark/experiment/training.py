"""Training the DDSP instrument on rendered parts, and generating from it (PyTorch, imported when called).

Training draws random crops of the training parts (seeded), optionally pitch-shifted (the augmentation
whose effect on the watermark the paper measures), and minimises the multi-scale spectral loss with Adam.
Generation runs the trained model on the score's pitch and the input's loudness of unseen parts.
"""

from __future__ import annotations

import math
import contextlib
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Sequence

import numpy as np

if TYPE_CHECKING:
    import torch

    from muspy_like.audio.watermark.experiment.ddsp import DDSPInstrument

__all__ = ["TrainingConfig", "TrainingPart", "pick_device", "train", "synthesize"]


@dataclass(frozen=True)
class TrainingConfig:
    """Hyper-parameters of one training run (the same for every model of an experiment).

    Parameters
    ----------
    steps : int
        Optimiser steps.
    batch : int
        Crops per step.
    crop_seconds : float
        Length of a crop, in seconds.
    learning_rate : float
        Adam's step size for the decoder.
    reverb_learning_rate : float
        Adam's step size for the reverb's taps (larger: they start at zero and must reach the echo's strength).
    hidden : int
        Width of the decoder.
    n_harmonics : int
        Harmonics synthesized.
    n_noise_bands : int
        Bands of the noise filter.
    ir_length : int
        Taps of the learned reverb, in samples (a spread echo needs ``delta + 1024``).
    loss_sizes : tuple of int
        FFT sizes of the multi-scale spectral loss.
    hop : int
        Samples per conditioning frame.
    pitch_shift : float
        Probability that a crop is pitch-shifted.
    pitch_shift_range : (float, float)
        Range of the shift factor (drawn uniformly); a factor ``f`` plays the crop ``f`` times faster, so
        its pitch rises by ``f`` and an echo at lag ``d`` moves to ``d / f``.
    seed : int
        Seed of the initial weights, the crops, the augmentation and the noise.
    device : str
        "auto" (CUDA, then Apple's MPS, then the CPU), or a torch device name ("cpu", "cuda:0").
    threads : int
        CPU threads torch may use (restored afterwards). One by default: this model's operations are small,
        and on a busy machine torch's worker threads spin while they wait for a core (measured here: a
        step took 50 times longer with two threads than with one while other jobs ran).
    """

    steps: int = 300
    batch: int = 4
    crop_seconds: float = 1.0
    learning_rate: float = 1e-3
    reverb_learning_rate: float = 3e-3
    hidden: int = 128
    n_harmonics: int = 24
    n_noise_bands: int = 64
    ir_length: int = 2048
    loss_sizes: tuple[int, ...] = (4096, 1024, 256)
    hop: int = 256
    pitch_shift: float = 0.0
    pitch_shift_range: tuple[float, float] = (0.75, 1.25)
    seed: int = 0
    device: str = "auto"
    threads: int = 1


@dataclass
class TrainingPart:
    """One monophonic part to train on: its audio, pitch and loudness frames, and its instrument.

    Attributes
    ----------
    audio : ndarray
        Mono float32 samples at the model's rate.
    f0 : ndarray
        Hz per frame (``ceil(len(audio) / hop)`` frames).
    loudness : ndarray
        dBFS per frame, of ``audio``.
    instrument : int
        Index of the part's instrument (the model's one-hot input).
    """

    audio: np.ndarray
    f0: np.ndarray
    loudness: np.ndarray
    instrument: int


def pick_device(device: str = "auto") -> "torch.device":
    """The torch device for ``device``: "auto" takes CUDA, then MPS, then the CPU."""
    import torch

    if device != "auto":
        return torch.device(device)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


@contextlib.contextmanager
def _threads(count: int) -> Iterator[None]:
    """Let torch use ``count`` CPU threads inside the block."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(max(1, int(count)))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _crop(part: TrainingPart, start: int, frames: int, factor: float, hop: int,
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``frames`` frames of a part from frame ``start``, played ``factor`` times faster (1: unchanged).

    The audio is resampled by the nearest fraction ``p / q`` of the factor (denominator at most 40) with
    ``scipy.signal.resample_poly``; pitch and loudness are read at the same stretched times, and the pitch
    is multiplied by the factor.
    """
    n_samples = frames * hop
    if factor == 1.0:
        return (part.audio[start * hop: start * hop + n_samples], part.f0[start: start + frames],
                part.loudness[start: start + frames])
    from scipy.signal import resample_poly

    ratio = Fraction(factor).limit_denominator(40)
    source = part.audio[start * hop: start * hop + math.ceil(n_samples * ratio) + 64]
    audio = resample_poly(source, ratio.denominator, ratio.numerator)[:n_samples]
    audio = np.pad(audio, (0, n_samples - len(audio))).astype(np.float32)
    positions = start + np.arange(frames) * float(ratio)
    index = np.arange(len(part.f0))
    f0 = np.interp(positions, index, part.f0) * float(ratio)
    loudness = np.interp(positions, index, part.loudness)
    return audio, f0, loudness


def _batch(parts: Sequence[TrainingPart], config: TrainingConfig, frames: int, rng: np.random.Generator):
    """One batch of crops (audio, f0, loudness, instrument), drawn with probability proportional to length."""
    lengths = np.array([len(part.f0) for part in parts], dtype=np.float64)
    low, high = config.pitch_shift_range
    audios, f0s, louds, instruments = [], [], [], []
    for _ in range(config.batch):
        part = parts[int(rng.choice(len(parts), p=lengths / lengths.sum()))]
        factor = float(rng.uniform(low, high)) if rng.random() < config.pitch_shift else 1.0
        span = int(math.ceil(frames * factor)) + 1
        start = int(rng.integers(0, max(1, len(part.f0) - span)))
        audio, f0, loudness = _crop(part, start, frames, factor, config.hop)
        audios.append(np.pad(audio, (0, frames * config.hop - len(audio))))
        f0s.append(np.pad(f0, (0, frames - len(f0)), mode="edge"))
        louds.append(np.pad(loudness, (0, frames - len(loudness)), constant_values=-80.0))
        instruments.append(part.instrument)
    return np.stack(audios), np.stack(f0s), np.stack(louds), np.array(instruments)


def train(parts: Sequence[TrainingPart], config: TrainingConfig, sample_rate: int, n_instruments: int,
          progress: Optional[Callable[[int, float], None]] = None) -> "DDSPInstrument":
    """Train a DDSP instrument on the parts; return it (on ``config.device``, in evaluation mode).

    Parameters
    ----------
    parts : sequence of TrainingPart
        The training audio with its conditioning (each at least one crop long).
    config : TrainingConfig
        Hyper-parameters, seed and device.
    sample_rate : int
        Of the audio, in Hz.
    n_instruments : int
        Size of the instrument one-hot input.
    progress : callable, optional
        Called as ``progress(step, loss)`` every 25 steps and after the last.
    """
    import torch

    from muspy_like.audio.watermark.experiment.ddsp import DDSPInstrument, harmonic_phases, multiscale_spectral_loss

    device = pick_device(config.device)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    noise_generator = torch.Generator(device="cpu").manual_seed(config.seed)
    model = DDSPInstrument(sample_rate, config.hop, config.n_harmonics, config.n_noise_bands, config.hidden,
                           config.ir_length, n_instruments).to(device)
    decoder = [p for name, p in model.named_parameters() if name != "reverb"]
    optimiser = torch.optim.Adam([{"params": decoder, "lr": config.learning_rate},
                                  {"params": [model.reverb], "lr": config.reverb_learning_rate}])
    frames = max(1, int(round(config.crop_seconds * sample_rate / config.hop)))
    one_hot = torch.eye(max(n_instruments, 1), device=device)

    def tensor(values: np.ndarray) -> "torch.Tensor":
        return torch.tensor(values, dtype=torch.float32, device=device)

    with _threads(config.threads):
        for step in range(config.steps):
            audio, f0, loudness, instruments = _batch(parts, config, frames, rng)
            phases = harmonic_phases(f0, config.hop, sample_rate, frames * config.hop)
            noise = torch.rand(config.batch, frames * config.hop, generator=noise_generator) * 2 - 1
            output = model(tensor(f0), tensor(loudness), tensor(phases),
                           one_hot[torch.tensor(instruments, device=device)] if n_instruments else None,
                           noise.to(device))
            loss = multiscale_spectral_loss(output, tensor(audio), config.loss_sizes)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            if progress is not None and (step % 25 == 0 or step == config.steps - 1):
                progress(step, loss.item())
    return model.eval()


def synthesize(model: "DDSPInstrument", f0: np.ndarray, loudness: np.ndarray, instrument: int, n_samples: int,
               seed: int = 0, chunk_frames: int = 4096, threads: int = 1) -> np.ndarray:
    """Generate mono float32 audio from pitch and loudness frames with a trained model.

    The decoder and synthesizers run over chunks of ``chunk_frames`` frames (bounded memory for long
    parts); the phase runs on across chunks, and the reverb is applied to the whole dry signal at the end,
    so chunking leaves no seams.
    """
    import torch

    from muspy_like.audio.watermark.experiment.ddsp import harmonic_phases

    hop = model.hop
    device = model.reverb.device
    phases = harmonic_phases(f0[None], hop, model.sample_rate, len(f0) * hop)[0]
    generator = torch.Generator(device="cpu").manual_seed(seed)
    eye = torch.eye(max(model.n_instruments, 1), device=device)
    dry = []
    with torch.no_grad(), _threads(threads):
        for start in range(0, len(f0), chunk_frames):
            stop = min(start + chunk_frames, len(f0))
            samples = (stop - start) * hop
            noise = torch.rand(1, samples, generator=generator) * 2 - 1
            dry.append(model.dry(torch.tensor(f0[None, start:stop], dtype=torch.float32, device=device),
                                 torch.tensor(loudness[None, start:stop], dtype=torch.float32, device=device),
                                 torch.tensor(phases[None, start * hop: stop * hop], dtype=torch.float32,
                                              device=device),
                                 eye[[instrument]] if model.n_instruments else None, noise.to(device)))
        wet = model.reverberate(torch.cat(dry, dim=1))
    return wet[0, :n_samples].cpu().numpy().astype(np.float32)
