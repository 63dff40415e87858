"""The networks of the sequence models (PyTorch): input embeddings, LSTM and Transformer stacks.

Architectures of Dong et al. (ISMIR 2021), as described in the paper and its released configuration:

* the **input encoder** concatenates, per note, a 16-dimensional pitch embedding, a sinusoidal beat
  embedding and a learned position-in-beat embedding (16 each), the normalised frequency, optionally a
  16-dimensional duration embedding, the entry hints (one value per part) and the pitch hints (the pitch
  embedding of each part's mean pitch, the same for every note); without embeddings, pitch, onset and
  duration go in as raw numbers (MIDI number and ticks);
* the **LSTM** stacks ``n_layers`` LSTM layers of ``n_units`` units (split in two directions for the
  BiLSTM), each followed by layer normalisation and dropout, then a linear layer to the parts;
* the **Transformer** projects the inputs to ``n_units`` dimensions, adds a sinusoidal encoding of the
  note index, applies dropout and ``n_layers`` post-norm self-attention layers (``n_heads`` heads,
  feed-forward of ``d_feedforward`` ReLU units, dropout after attention and after the feed-forward); the
  *decoder* (online) masks attention to later notes, the *encoder* (offline) does not.

Dropout draws its masks from a CPU random generator, and weights are initialised from one too, so that a
seeded model trains the same on a CPU and on a GPU (up to floating-point rounding).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch
from torch import nn

from muspy_like.separation.data import RESOLUTION
from muspy_like.separation.sequence.inputs import (
    MAX_BEAT,
    MAX_DURATION,
    N_PITCH_TOKENS,
    N_POSITIONS,
    Batch,
)

__all__ = ["NetworkConfig", "build_network", "initialize", "batch_tensors", "SeededDropout", "EMBEDDING_SIZE"]

#: Dimensions of each embedding (pitch, beat, position, duration), as in the paper's released models.
EMBEDDING_SIZE = 16


@dataclass(frozen=True)
class NetworkConfig:
    """Everything that fixes a network's shape (and so the names and shapes of its weights)."""

    kind: str  # "lstm" or "transformer"
    n_parts: int
    embeddings: bool = True
    duration: bool = False
    entry_hints: bool = False
    pitch_hints: bool = False
    n_layers: int = 3
    n_units: int = 128
    dropout: float = 0.2
    bidirectional: bool = False
    causal: bool = True
    n_heads: int = 8
    d_feedforward: int = 256


def sinusoid(values: torch.Tensor, size: int) -> torch.Tensor:
    """Sinusoidal encoding of integer values (Vaswani et al. 2017): sines on even, cosines on odd dims."""
    dims = torch.arange(size, device=values.device)
    rates = torch.pow(torch.tensor(10000.0, dtype=torch.float64, device=values.device),
                      -(2 * (dims // 2)).to(torch.float64) / size)
    angles = values.to(torch.float64).unsqueeze(-1) * rates
    return torch.where(dims % 2 == 0, torch.sin(angles), torch.cos(angles))


class SeededDropout(nn.Module):
    """Dropout whose masks come from :attr:`generator` (a CPU generator), then move to the data's device."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p
        self.generator: Optional[torch.Generator] = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        draw = torch.rand(x.shape, generator=self.generator, dtype=x.dtype)
        keep = (draw >= self.p).to(x.device)
        return x * keep / (1.0 - self.p)


class InputEncoder(nn.Module):
    """Per-note input features, shape ``(batch, notes, size)``, in the network's ``dtype``."""

    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.config = config
        size = 0
        if config.embeddings:
            self.pitch_embedding = nn.Embedding(N_PITCH_TOKENS, EMBEDDING_SIZE)
            self.position_embedding = nn.Embedding(N_POSITIONS, EMBEDDING_SIZE)
            size += 3 * EMBEDDING_SIZE + 1  # pitch, beat, position, frequency
            if config.duration:
                self.duration_embedding = nn.Embedding(MAX_DURATION + 1, EMBEDDING_SIZE)
                size += EMBEDDING_SIZE
        else:
            size += 2 + int(config.duration)  # raw pitch, onset (and duration)
        if config.entry_hints:
            size += config.n_parts
        if config.pitch_hints:
            size += config.n_parts * (EMBEDDING_SIZE if config.embeddings else 1)
        self.size = size

    def forward(self, inputs: dict[str, torch.Tensor], dtype: torch.dtype) -> torch.Tensor:
        config = self.config
        pitch = inputs["pitch"]
        features = []
        if config.embeddings:
            features.append(self.pitch_embedding(pitch + 1))
            features.append(sinusoid(torch.clamp(inputs["time"] // RESOLUTION, 0, MAX_BEAT), EMBEDDING_SIZE).to(dtype))
            features.append(self.position_embedding(inputs["position"]))
            frequency = torch.pow(2.0, (pitch.to(dtype) - 127.0) / 12.0)  # f(pitch) / f(127)
            features.append(frequency.unsqueeze(-1))
            if config.duration:
                features.append(self.duration_embedding(torch.clamp(inputs["duration"], 0, MAX_DURATION)))
        else:
            features.append(pitch.to(dtype).unsqueeze(-1))
            features.append(inputs["time"].to(dtype).unsqueeze(-1))
            if config.duration:
                features.append(inputs["duration"].to(dtype).unsqueeze(-1))
        if config.entry_hints:
            features.append(inputs["entry"].to(dtype))
        if config.pitch_hints:
            tokens = inputs["pitch_hint"]  # (batch, parts)
            if config.embeddings:
                hint = self.pitch_embedding(tokens).flatten(1)
            else:
                hint = tokens.to(dtype) - 1.0
            features.append(hint.unsqueeze(1).expand(-1, pitch.shape[1], -1))
        return torch.cat(features, dim=-1)


def reverse_padded(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Each row's first ``length`` steps in reverse order, padding left at the end (its own inverse)."""
    steps = torch.arange(x.shape[1], device=x.device)[None, :]
    last = lengths.to(x.device)[:, None] - 1
    index = torch.where(steps <= last, last - steps, steps)
    return torch.gather(x, 1, index[:, :, None].expand_as(x))


class LSTMNetwork(nn.Module):
    """Input encoder, stacked (Bi)LSTM layers with layer norm and dropout, linear output.

    A BiLSTM layer is two LSTMs of ``n_units // 2`` units, the second one reading each piece from its
    last note back to its first (padding stays at the end, so it never reaches the notes); their outputs
    are concatenated. This is the usual bidirectional layer, computed faster than with packed sequences.
    """

    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.config = config
        self.encoder = InputEncoder(config)
        hidden = config.n_units // 2 if config.bidirectional else config.n_units
        sizes = [self.encoder.size] + [config.n_units] * (config.n_layers - 1)
        self.lstms = nn.ModuleList(nn.LSTM(size, hidden, batch_first=True) for size in sizes)
        if config.bidirectional:
            self.backward_lstms = nn.ModuleList(nn.LSTM(size, hidden, batch_first=True) for size in sizes)
        self.norms = nn.ModuleList(nn.LayerNorm(config.n_units) for _ in sizes)
        self.dropouts = nn.ModuleList(SeededDropout(config.dropout) for _ in sizes)
        self.output = nn.Linear(config.n_units, config.n_parts)

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        x = self.encoder(inputs, self.output.weight.dtype)
        lengths = inputs["lengths"]
        for layer, (lstm, norm, dropout) in enumerate(zip(self.lstms, self.norms, self.dropouts)):
            forward = lstm(x)[0]  # padding comes after the notes: it cannot reach them
            if self.config.bidirectional:
                backward = reverse_padded(self.backward_lstms[layer](reverse_padded(x, lengths))[0], lengths)
                forward = torch.cat([forward, backward], dim=-1)
            x = dropout(norm(forward))
        return self.output(x)


class SelfAttentionLayer(nn.Module):
    """A post-norm Transformer layer: multi-head self-attention, then a ReLU feed-forward network."""

    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        d = config.n_units
        if d % config.n_heads:
            raise ValueError(f"n_units ({d}) must be a multiple of n_heads ({config.n_heads})")
        self.n_heads = config.n_heads
        self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.merge = nn.Linear(d, d)
        self.feedforward_in = nn.Linear(d, config.d_feedforward)
        self.feedforward_out = nn.Linear(config.d_feedforward, d)
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.dropout1, self.dropout2 = SeededDropout(config.dropout), SeededDropout(config.dropout)

    def forward(self, x: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        """``allowed``: which keys each query may attend to, broadcastable to (batch, heads, notes, notes)."""
        b, t, d = x.shape
        heads = self.n_heads

        def split(projection: torch.Tensor) -> torch.Tensor:
            return projection.view(b, t, heads, d // heads).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        # Scaled by 1/sqrt(head size); PyTorch's fused kernel is 5 times faster on a CPU than written out.
        attended = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
        attended = attended.transpose(1, 2).reshape(b, t, d)
        x = self.norm1(x + self.dropout1(self.merge(attended)))
        feedforward = self.feedforward_out(torch.relu(self.feedforward_in(x)))
        return self.norm2(x + self.dropout2(feedforward))


class TransformerNetwork(nn.Module):
    """Input encoder, projection plus note-index encoding, self-attention layers, linear output."""

    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.config = config
        self.encoder = InputEncoder(config)
        self.project = nn.Linear(self.encoder.size, config.n_units)
        self.dropout = SeededDropout(config.dropout)
        self.layers = nn.ModuleList(SelfAttentionLayer(config) for _ in range(config.n_layers))
        self.output = nn.Linear(config.n_units, config.n_parts)

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        x = self.project(self.encoder(inputs, self.output.weight.dtype))
        t = x.shape[1]
        index = torch.arange(t, device=x.device)
        x = self.dropout(x + sinusoid(index, self.config.n_units).to(x.dtype))
        notes = index[None, :] < inputs["lengths"][:, None]  # (batch, keys): not padding
        allowed = notes[:, None, None, :]
        if self.config.causal:
            allowed = allowed & (index[None, :] <= index[:, None])[None, None]  # no later note
        for layer in self.layers:
            x = layer(x, allowed)
        return self.output(x)


def build_network(config: NetworkConfig) -> nn.Module:
    """A new network for ``config`` (weights not yet initialised: see :func:`initialize`)."""
    if config.kind == "lstm":
        return LSTMNetwork(config)
    if config.kind == "transformer":
        return TransformerNetwork(config)
    raise ValueError(f"unknown network kind {config.kind!r}")


def initialize(network: nn.Module, generator: torch.Generator) -> None:
    """Set every weight from ``generator`` with PyTorch's default distributions.

    Linear and LSTM weights and biases uniform in +-1/sqrt(fan-in) (LSTM: +-1/sqrt(hidden units)),
    embeddings standard normal, layer norms one and zero.
    """
    with torch.no_grad():
        for module in network.modules():
            if isinstance(module, nn.Linear):
                bound = 1.0 / math.sqrt(module.in_features)
                nn.init.uniform_(module.weight, -bound, bound, generator=generator)
                nn.init.uniform_(module.bias, -bound, bound, generator=generator)
            elif isinstance(module, nn.LSTM):
                bound = 1.0 / math.sqrt(module.hidden_size)
                for weight in module.parameters():
                    nn.init.uniform_(weight, -bound, bound, generator=generator)
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, 0.0, 1.0, generator=generator)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)


def batch_tensors(batch: Batch, device: torch.device) -> dict[str, torch.Tensor]:
    """The arrays of a :class:`~muspy_like.separation.sequence.inputs.Batch` as tensors on ``device``."""
    names = ("pitch", "time", "position", "duration", "entry", "pitch_hint", "labels", "lengths")
    tensors = {}
    for name in names:
        value = getattr(batch, name)
        if value is not None:
            tensors[name] = torch.from_numpy(np.ascontiguousarray(value)).to(device)
    return tensors
