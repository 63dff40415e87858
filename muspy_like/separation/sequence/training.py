"""Training and prediction loops of the sequence models (PyTorch).

Training follows the paper's recipe: Adam on the cross-entropy of every note's part, batches of pieces
cut to random windows of ``seq_len`` notes and randomly transposed, dropout, and early stopping on the
validation loss with the best epoch's weights kept. An epoch draws one window per training piece, in as
many passes as it takes to cover the training notes once (:func:`passes_per_epoch`; one for chorales).
The validation loss is computed on every note of every validation piece (the released code's validation
saw only the first notes of each piece, see ``docs/separation.md``).

All randomness (initial weights, dropout masks, order, windows and transpositions) comes from generators
seeded with ``random_state`` on the CPU, so a run is repeatable and gives the same network on a GPU.
"""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional, Sequence, Union

import numpy as np
import torch
from torch import nn

from muspy_like.errors import SeparationError
from muspy_like.separation.sequence.inputs import (
    PieceInputs,
    crop,
    length_groups,
    make_batch,
    training_batches,
    window_plan,
)
from muspy_like.separation.sequence.networks import (
    NetworkConfig,
    SeededDropout,
    batch_tensors,
    build_network,
    initialize,
)

__all__ = ["resolve_device", "resolve_dtype", "TrainingResult", "train_network", "predict_log_probabilities",
           "cpu_threads", "PREDICTION_NOTES"]

_DTYPES = {"float32": torch.float32, "float64": torch.float64}
#: Padded notes per prediction batch (bounds the memory of a batch of long pieces).
PREDICTION_NOTES = 16_000


def resolve_device(device: Union[None, str, torch.device]) -> torch.device:
    """``None`` -> the first CUDA GPU when PyTorch sees one, else the CPU; otherwise ``torch.device(device)``.

    Raises
    ------
    SeparationError
        An unknown device name, or a CUDA device when PyTorch sees no CUDA GPU.
    """
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise SeparationError(f"device={device!r} is not a PyTorch device name ('cpu', 'cuda', 'cuda:1'...)") from error
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise SeparationError(f"device={device!r} but PyTorch sees no CUDA GPU; use device='cpu' or device=None")
    return resolved


def resolve_dtype(dtype: str) -> torch.dtype:
    """``"float32"`` or ``"float64"`` as a torch dtype."""
    if dtype not in _DTYPES:
        raise SeparationError(f"dtype must be one of {', '.join(_DTYPES)}, not {dtype!r}")
    return _DTYPES[dtype]


@contextlib.contextmanager
def cpu_threads(device: torch.device, n_threads: int = 1) -> Iterator[None]:
    """Run with ``n_threads`` PyTorch CPU threads (then restore the setting) when ``device`` is the CPU.

    Layers this small gain nothing from more threads, and on a busy machine extra threads cost many
    times their work (measured: 30 times slower with 2 threads on 2 shared cores).
    """
    if device.type != "cpu":
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@dataclass
class TrainingResult:
    """What :func:`train_network` learned and how it went.

    Attributes
    ----------
    network : torch.nn.Module
        The network with the best epoch's weights, in evaluation mode, on the training device.
    n_epochs : int
        Epochs run.
    best_epoch : int
        Epoch whose weights were kept (1-based): the lowest validation loss.
    history : dict of list of float
        Per epoch: ``train_loss`` (mean over training notes, with dropout), ``validation_loss`` (nats per
        note) and ``validation_accuracy`` (0 to 1).
    """

    network: nn.Module
    n_epochs: int
    best_epoch: int
    history: dict[str, list[float]] = field(default_factory=dict)


def passes_per_epoch(lengths: Sequence[int], seq_len: int) -> int:
    """Passes over the training pieces in one epoch: enough windows to cover the training notes once.

    One pass draws one window of at most ``seq_len`` notes per piece: for pieces shorter than that (the
    chorales) one pass sees every note. Long pieces (a quartet movement of 17,000 notes) would be seen
    only in small part, so an epoch makes ``round(notes / (seq_len * pieces))`` passes instead.
    """
    return max(1, int(round(sum(lengths) / (seq_len * max(len(lengths), 1)))))


def _seed_dropout(network: nn.Module, generator: Optional[torch.Generator]) -> None:
    for module in network.modules():
        if isinstance(module, SeededDropout):
            module.generator = generator


def train_network(
    config: NetworkConfig,
    train: Sequence[PieceInputs],
    valid: Sequence[PieceInputs],
    *,
    seq_len: int,
    batch_size: int,
    transposition: tuple[int, int],
    learning_rate: float,
    max_epochs: int,
    patience: int,
    random_state: int,
    device: torch.device,
    dtype: torch.dtype,
    window: Optional[int] = None,
    progress: Optional[Callable[[int, dict[str, float]], None]] = None,
) -> TrainingResult:
    """Train a new network on ``train``, stopping early on the loss over ``valid``.

    Parameters
    ----------
    config : NetworkConfig
        The network.
    train, valid : sequence of PieceInputs
        Training and validation pieces, with labels.
    seq_len : int
        Longest training window, in notes.
    batch_size : int
        Pieces per Adam step.
    transposition : (int, int)
        Inclusive range of the random transposition of each training window, in semitones.
    learning_rate : float
        Adam's step size.
    max_epochs, patience : int
        Most epochs; stop after ``patience`` epochs without a lower validation loss.
    random_state : int
        Seed of every random choice.
    device, dtype : torch.device, torch.dtype
        Where and in what precision to train.
    window : int, optional
        Predict validation pieces longer than this in windows (see :func:`predict_log_probabilities`).
    progress : callable, optional
        Called after each epoch with the epoch number and its :attr:`TrainingResult.history` values.
    """
    generator = torch.Generator().manual_seed(random_state)
    rng = np.random.default_rng(random_state)
    network = build_network(config).to(dtype)
    initialize(network, generator)
    network.to(device)
    _seed_dropout(network, generator)
    optimizer = torch.optim.Adam(network.parameters(), lr=learning_rate)
    history: dict[str, list[float]] = {"train_loss": [], "validation_loss": [], "validation_accuracy": []}
    best_loss, best_epoch, best_state = np.inf, 0, None
    epoch = 0
    passes = passes_per_epoch([len(piece) for piece in train], seq_len)
    for epoch in range(1, max_epochs + 1):
        network.train()
        total, count = 0.0, 0
        batches = (batch for _ in range(passes) for batch in training_batches(train, batch_size, seq_len,
                                                                               transposition, rng))
        for batch in batches:
            tensors = batch_tensors(batch, device)
            logits = network(tensors)
            loss = nn.functional.cross_entropy(logits.reshape(-1, config.n_parts), tensors["labels"].reshape(-1),
                                               ignore_index=-1)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            notes = int(batch.lengths.sum())
            total += float(loss.detach()) * notes
            count += notes
        log_probabilities = predict_log_probabilities(network, valid, device, window, config.causal)
        valid_loss, valid_accuracy = _score(log_probabilities, [piece.labels for piece in valid])
        for name, value in (("train_loss", total / max(count, 1)), ("validation_loss", valid_loss),
                            ("validation_accuracy", valid_accuracy)):
            history[name].append(value)
        if progress is not None:
            progress(epoch, {name: values[-1] for name, values in history.items()})
        if not np.isfinite(valid_loss):
            raise SeparationError(f"training diverged at epoch {epoch} (validation loss {valid_loss}); "
                                  "try a lower learning_rate")
        if valid_loss < best_loss:
            best_loss, best_epoch = valid_loss, epoch
            best_state = copy.deepcopy(network.state_dict())
        elif epoch - best_epoch >= patience:
            break
    network.load_state_dict(best_state)
    network.eval()
    _seed_dropout(network, None)
    return TrainingResult(network, epoch, best_epoch, history)


def _score(log_probabilities: list[np.ndarray], labels: list[np.ndarray]) -> tuple[float, float]:
    """Mean negative log-likelihood (nats per note) and accuracy, pooled over all notes."""
    nll = correct = notes = 0.0
    for scores, truth in zip(log_probabilities, labels):
        nll -= float(scores[np.arange(len(truth)), truth].sum())
        correct += int(np.count_nonzero(scores.argmax(axis=1) == truth))
        notes += len(truth)
    return nll / notes, correct / notes


def predict_log_probabilities(
    network: nn.Module,
    pieces: Sequence[PieceInputs],
    device: torch.device,
    window: Optional[int],
    causal: bool,
    batch_size: int = 16,
) -> list[np.ndarray]:
    """Log-probability of each part for every note of every piece (arrays of shape ``(n_notes, n_parts)``).

    Pieces are predicted in batches of similar length. With ``window``, a piece longer than ``window``
    notes is predicted in overlapping windows of that many notes
    (:func:`~muspy_like.separation.sequence.inputs.window_plan`): a causal network keeps, for each note,
    the window with the most notes before it, so its predictions still depend only on earlier notes.
    """
    was_training = network.training
    network.eval()
    segments, owners = [], []  # (piece index, keep_start, keep_stop, offset in segment)
    for index, piece in enumerate(pieces):
        plan = window_plan(len(piece), window, causal) if window else [(0, len(piece), 0, len(piece))]
        for start, stop, keep_start, keep_stop in plan:
            segments.append(crop(piece, start, stop) if (start, stop) != (0, len(piece)) else piece)
            owners.append((index, keep_start, keep_stop, keep_start - start))
    parts: list[list[tuple[int, np.ndarray]]] = [[] for _ in pieces]
    with torch.no_grad():
        for group in length_groups([len(s) for s in segments], batch_size, PREDICTION_NOTES):
            batch = make_batch([segments[i] for i in group])
            logits = network(batch_tensors(batch, device))
            scores = torch.log_softmax(logits.to(torch.float64), dim=-1).cpu().numpy()
            for row, segment in enumerate(group):
                index, keep_start, keep_stop, offset = owners[segment]
                parts[index].append((keep_start, scores[row, offset : offset + keep_stop - keep_start]))
    network.train(was_training)
    return [np.concatenate([scores for _, scores in sorted(chunks, key=lambda c: c[0])]) for chunks in parts]
