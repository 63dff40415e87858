"""The sequence models as estimators: :class:`LSTMSeparator` and :class:`TransformerSeparator`.

They have the shape of every baseline (``fit(X, y, validation=...)``, ``predict(X, labels)``, learned
attributes ending in ``_``, :func:`~muspy_like.separation.save_model` and
:func:`~muspy_like.separation.load_model`), so the evaluation, the CLI and
:func:`~muspy_like.separation.separate` take them unchanged. The learned weights are kept as numpy arrays
(``weights_``); PyTorch is imported only to train and to predict, and the network is rebuilt from the
arrays on the chosen device.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from muspy_like.errors import SeparationError
from muspy_like.separation.base import PartSeparator, check_labels, check_pieces
from muspy_like.separation.sequence.inputs import PieceInputs, piece_inputs

__all__ = ["SequenceSeparator", "LSTMSeparator", "TransformerSeparator"]


def _import_torch():
    try:
        import torch
    except ImportError as error:
        raise SeparationError(
            "the sequence models (LSTM, Transformer) need PyTorch: pip install 'muspy_like[ml]'"
        ) from error
    return torch


class SequenceSeparator(PartSeparator):
    """What the LSTM and Transformer separators share: inputs, hints, training recipe, device, saving.

    Not used directly: :class:`LSTMSeparator` and :class:`TransformerSeparator` take these parameters
    besides their own. Subclasses describe their network in :meth:`_network_config` and have a ``causal``
    attribute: whether each prediction depends only on the notes up to it (an online model).

    Parameters
    ----------
    embeddings : bool, default True
        Pitch, beat and position embeddings and the normalised frequency (else raw pitch and onset).
    duration : bool, default False
        Also read each note's duration (through an embedding when ``embeddings``).
    entry_hints : bool, default False
        Tell the model where each part enters: ``predict`` then needs the labels as ``hints``, from which
        it reads only the index of each part's first note.
    pitch_hints : bool, default False
        Tell the model each part's mean pitch: ``predict`` then needs the labels as ``hints``, from which
        it reads only each part's mean pitch.
    n_layers : int, default 3
        Layers of the network.
    n_units : int, default 128
        Units (model dimensions) per layer.
    dropout : float, default 0.2
        Dropout rate after each layer.
    transposition : (int, int), default (-5, 6)
        Inclusive range, in semitones, of the random transposition of each training window ((0, 0): none).
    seq_len : int, default 500
        Training windows: pieces longer than this many notes are cut to a random window of it.
    batch_size : int, default 16
        Pieces (windows) per Adam step.
    learning_rate : float, default 0.001
        Adam's step size.
    max_epochs : int, default 100 (LSTM) or 60 (Transformer)
        Most epochs. An epoch draws one window per training piece, in as many passes over the pieces as
        it takes to cover the training notes once (one for the chorales: 327 pieces, 21 steps). The
        defaults keep the training of a Bach chorale model within 10 minutes on one CPU core.
    patience : int, default 10
        Stop after this many epochs without a lower validation loss; the best epoch's weights are kept.
    validation_fraction : float, default 0.1
        Share of the training pieces held out for early stopping when ``fit`` gets no ``validation``.
    random_state : int, default 0
        Seed of the initial weights, dropout, order, windows and transpositions.
    device : str, optional
        PyTorch device to train and predict on (``"cpu"``, ``"cuda"``, ``"cuda:1"``...). Default: the first
        CUDA GPU when PyTorch sees one, else the CPU.
    dtype : {"float32", "float64"}, default "float32"
        Floating-point precision of the network. In float64 a seeded model learns the same weights (to
        rounding) and makes the same predictions on a CPU and on a GPU.
    verbose : bool, default False
        Print the losses and the validation accuracy after each epoch.

    Attributes
    ----------
    n_parts_ : int
        Number of parts seen in training.
    weights_ : dict of numpy.ndarray
        The learned weights, by PyTorch parameter name.
    n_epochs_, best_epoch_ : int
        Epochs run, and the one whose weights were kept (1-based).
    history_ : dict of list of float
        Per epoch: ``train_loss``, ``validation_loss`` (nats per note) and ``validation_accuracy``.
    validation_loss_, validation_accuracy_ : float
        At the best epoch.
    """

    uses_validation = True

    def __init__(
        self,
        embeddings: bool = True,
        duration: bool = False,
        entry_hints: bool = False,
        pitch_hints: bool = False,
        n_layers: int = 3,
        n_units: int = 128,
        dropout: float = 0.2,
        transposition: tuple[int, int] = (-5, 6),
        seq_len: int = 500,
        batch_size: int = 16,
        learning_rate: float = 0.001,
        max_epochs: int = 100,
        patience: int = 10,
        validation_fraction: float = 0.1,
        random_state: int = 0,
        device: Optional[str] = None,
        dtype: str = "float32",
        verbose: bool = False,
    ) -> None:
        self.embeddings = embeddings
        self.duration = duration
        self.entry_hints = entry_hints
        self.pitch_hints = pitch_hints
        self.n_layers = n_layers
        self.n_units = n_units
        self.dropout = dropout
        self.transposition = transposition
        self.seq_len = seq_len
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.device = device
        self.dtype = dtype
        self.verbose = verbose

    @property
    def requires_hints(self) -> bool:  # type: ignore[override]
        """Hint models read each part's first note or mean pitch from the labels passed to ``predict``."""
        return bool(self.entry_hints or self.pitch_hints)

    # -- training --------------------------------------------------------------------------------------
    def fit(
        self,
        X: Sequence[np.ndarray],
        y: Sequence[np.ndarray],
        validation: Optional[tuple[Sequence[np.ndarray], Sequence[np.ndarray]]] = None,
    ) -> "SequenceSeparator":
        """Train on pieces ``X`` with labels ``y``, stopping early on the validation loss.

        Parameters
        ----------
        X, y : list of numpy.ndarray
            Training pieces (note arrays) and their part labels.
        validation : (list, list), optional
            Validation pieces and labels. Default: hold out ``validation_fraction`` of the training pieces.
        """
        _import_torch()
        self._check_params()
        return super().fit(X, y, validation=validation)  # type: ignore[return-value]

    def _check_params(self) -> None:
        from muspy_like.separation.sequence.training import resolve_device, resolve_dtype

        resolve_device(self.device)
        resolve_dtype(self.dtype)
        low, high = self.transposition
        if low > high:
            raise SeparationError(f"transposition must be (lowest, highest) semitones, not {self.transposition!r}")
        for name in ("n_layers", "n_units", "seq_len", "batch_size", "max_epochs", "patience"):
            if int(getattr(self, name)) < 1:
                raise SeparationError(f"{name} must be at least 1, not {getattr(self, name)!r}")
        if not 0 <= self.dropout < 1:
            raise SeparationError(f"dropout must be in [0, 1), not {self.dropout!r}")

    def _fit(self, pieces: list[np.ndarray], labels: list[np.ndarray], **fit_params: Any) -> None:
        from muspy_like.separation.sequence.training import (
            cpu_threads,
            resolve_device,
            resolve_dtype,
            train_network,
        )

        validation = fit_params.get("validation")
        if validation is None:
            pieces, labels, valid_pieces, valid_labels = self._hold_out(pieces, labels)
        else:
            valid_pieces = check_pieces(validation[0])
            valid_labels = check_labels(validation[1], valid_pieces, self.n_parts_)
        config = self._network_config()
        device = resolve_device(self.device)
        train = [self._inputs(notes, part) for notes, part in zip(pieces, labels)]
        valid = [self._inputs(notes, part) for notes, part in zip(valid_pieces, valid_labels)]
        with cpu_threads(device):
            result = train_network(
                config,
                train,
                valid,
                seq_len=int(self.seq_len),
                batch_size=int(self.batch_size),
                transposition=(int(self.transposition[0]), int(self.transposition[1])),
                learning_rate=float(self.learning_rate),
                max_epochs=int(self.max_epochs),
                patience=int(self.patience),
                random_state=int(self.random_state),
                device=device,
                dtype=resolve_dtype(self.dtype),
                window=self._window(),
                progress=self._progress_printer(),
            )
        self.weights_ = {name: value.detach().cpu().numpy() for name, value in result.network.state_dict().items()}
        self.n_epochs_, self.best_epoch_ = result.n_epochs, result.best_epoch
        self.history_ = result.history
        self.validation_loss_ = result.history["validation_loss"][result.best_epoch - 1]
        self.validation_accuracy_ = result.history["validation_accuracy"][result.best_epoch - 1]
        self._network_cache = ((str(device), self.dtype, config), self.weights_, result.network)

    def _progress_printer(self):
        if not self.verbose:
            return None

        def report(epoch: int, values: dict[str, float]) -> None:
            print(f"{type(self).__name__} epoch {epoch}: train loss {values['train_loss']:.4f}, validation loss "
                  f"{values['validation_loss']:.4f}, accuracy {100 * values['validation_accuracy']:.2f}%", flush=True)

        return report

    def _hold_out(self, pieces: list[np.ndarray], labels: list[np.ndarray]):
        if len(pieces) < 2:
            raise SeparationError(f"{type(self).__name__} needs at least 2 training pieces (one is held out for "
                                  "validation) or validation=(X_valid, y_valid)")
        n_valid = min(max(1, int(round(len(pieces) * self.validation_fraction))), len(pieces) - 1)
        order = np.random.default_rng(self.random_state).permutation(len(pieces))
        valid, train = order[:n_valid], order[n_valid:]
        return ([pieces[i] for i in train], [labels[i] for i in train],
                [pieces[i] for i in valid], [labels[i] for i in valid])

    def _inputs(self, notes: np.ndarray, labels: Optional[np.ndarray]) -> PieceInputs:
        return piece_inputs(notes, labels, self.n_parts_, bool(self.entry_hints), bool(self.pitch_hints))

    def _window(self) -> Optional[int]:
        """Longest piece predicted at once, in notes (None: whole pieces)."""
        return None

    def _network_config(self):
        raise NotImplementedError

    # -- prediction ------------------------------------------------------------------------------------
    def predict(
        self,
        X: Sequence[np.ndarray],
        hints: Optional[Sequence[np.ndarray]] = None,
        *,
        labels: Optional[Sequence[np.ndarray]] = None,
    ) -> list[np.ndarray]:
        """Predict the part of every note of every piece (see :meth:`PartSeparator.predict`).

        ``hints`` (the true labels) are read only for the hints the model was trained with: each part's
        first note for entry hints, each part's mean pitch for pitch hints. Without hints they are
        checked but never read. Pieces are predicted in batches of similar length.
        """
        if hints is None and labels is None and self.requires_hints:
            self._check_fitted()
            raise self._missing_hints()
        return super().predict(X, hints, labels=labels)

    def predict_log_proba(self, X: Sequence[np.ndarray], hints: Optional[Sequence[np.ndarray]] = None) -> list[np.ndarray]:
        """Log-probability of each part for every note: one array of shape ``(n_notes, n_parts_)`` per piece.

        ``hints`` as for :meth:`predict`.
        """
        self._check_fitted()
        pieces = check_pieces(X)
        if hints is None:
            if self.requires_hints:
                raise self._missing_hints()
            return self._log_probabilities(pieces, [None] * len(pieces))
        return self._log_probabilities(pieces, check_labels(hints, pieces, self.n_parts_))

    def _missing_hints(self) -> SeparationError:
        kinds = [kind for kind, used in (("entry hints (each part's first note)", self.entry_hints),
                                         ("pitch hints (each part's mean pitch)", self.pitch_hints)) if used]
        return SeparationError(f"{type(self).__name__} was trained with {' and '.join(kinds)}: predict() needs "
                               "the parts of the notes (hints=labels), from which only the hints are read")

    def _log_probabilities(self, pieces: list[np.ndarray], hints: list[Optional[np.ndarray]]) -> list[np.ndarray]:
        from muspy_like.separation.sequence.training import cpu_threads, predict_log_probabilities

        if not self.requires_hints:
            hints = [None] * len(pieces)  # checked like every estimator's, but never read: no leakage
        inputs = [self._inputs(notes, part) for notes, part in zip(pieces, hints)]
        network, device = self._network()
        with cpu_threads(device):
            return predict_log_probabilities(network, inputs, device, self._window(), self.causal)

    def _predict_pieces(self, pieces: list[np.ndarray], hints: list[Optional[np.ndarray]]) -> list[np.ndarray]:
        return [scores.argmax(axis=1).astype(np.int64) for scores in self._log_probabilities(pieces, hints)]

    def _predict_piece(self, notes: np.ndarray, hints: Optional[np.ndarray]) -> np.ndarray:
        return self._predict_pieces([notes], [hints])[0]

    def _network(self):
        """The network with the learned weights, on the chosen device and dtype (built once, then cached)."""
        torch = _import_torch()
        from muspy_like.separation.sequence.networks import build_network
        from muspy_like.separation.sequence.training import resolve_device, resolve_dtype

        device = resolve_device(self.device)
        config = self._network_config()
        # Rebuilt when the device, precision, architecture or the weights object itself change.
        key = (str(device), self.dtype, config)
        cache = getattr(self, "_network_cache", None)
        if cache is not None and cache[0] == key and cache[1] is self.weights_:
            return cache[2], device
        network = build_network(config).to(resolve_dtype(self.dtype))
        state = {name: torch.from_numpy(np.asarray(value)) for name, value in self.weights_.items()}
        try:
            network.load_state_dict(state)
        except RuntimeError as error:
            raise SeparationError(f"the weights do not fit this {type(self).__name__}'s network: {error}") from error
        network.to(device).eval()
        self._network_cache = (key, self.weights_, network)
        return network, device

    # -- saving ----------------------------------------------------------------------------------------
    def _state(self) -> dict[str, Any]:
        return {
            "n_epochs": self.n_epochs_,
            "best_epoch": self.best_epoch_,
            "history": self.history_,
            "validation_loss": self.validation_loss_,
            "validation_accuracy": self.validation_accuracy_,
        }

    def _set_state(self, state: dict[str, Any]) -> None:
        self.n_epochs_ = int(state["n_epochs"])
        self.best_epoch_ = int(state["best_epoch"])
        self.history_ = {name: [float(v) for v in values] for name, values in state["history"].items()}
        self.validation_loss_ = float(state["validation_loss"])
        self.validation_accuracy_ = float(state["validation_accuracy"])

    def _arrays(self) -> dict[str, np.ndarray]:
        """The learned weights, by parameter name (saved as plain arrays)."""
        return dict(self.weights_)

    def _set_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self.weights_ = dict(arrays)
        self._network_cache = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        state.pop("_network_cache", None)  # rebuilt from weights_ on first use
        return state




class LSTMSeparator(SequenceSeparator):
    """Predict each note's part with a recurrent network: the paper's LSTM (online) and BiLSTM (offline).

    Dong et al. (ISMIR 2021): the notes, in (time, pitch, duration) order, go through stacked LSTM layers,
    each followed by layer normalisation and dropout, then a linear layer gives each note's part. The
    online LSTM reads the notes up to the current one only, so it can follow a live performance; the
    BiLSTM reads the whole piece in both directions. The inputs, hints, size, training recipe, device and
    learned attributes are those of :class:`SequenceSeparator`.

    Parameters
    ----------
    bidirectional : bool, default False
        BiLSTM (offline): ``n_units`` split in two directions of ``n_units // 2``.

    Examples
    --------
    >>> from muspy_like.separation import LSTMSeparator, load_bach, fixed_split, evaluate  # doctest: +SKIP
    >>> bach = load_bach(); split = fixed_split(bach.names)  # doctest: +SKIP
    >>> train, valid, test = (bach.subset(s) for s in split[:3])  # doctest: +SKIP
    >>> model = LSTMSeparator().fit(train.notes, train.labels, validation=(valid.notes, valid.labels))  # doctest: +SKIP
    >>> evaluate(model, test.notes, test.labels)["accuracy"]  # doctest: +SKIP
    """

    def __init__(
        self,
        bidirectional: bool = False,
        embeddings: bool = True,
        duration: bool = False,
        entry_hints: bool = False,
        pitch_hints: bool = False,
        n_layers: int = 3,
        n_units: int = 128,
        dropout: float = 0.2,
        transposition: tuple[int, int] = (-5, 6),
        seq_len: int = 500,
        batch_size: int = 16,
        learning_rate: float = 0.001,
        max_epochs: int = 100,
        patience: int = 10,
        validation_fraction: float = 0.1,
        random_state: int = 0,
        device: Optional[str] = None,
        dtype: str = "float32",
        verbose: bool = False,
    ) -> None:
        self.bidirectional = bidirectional
        super().__init__(
            embeddings=embeddings,
            duration=duration,
            entry_hints=entry_hints,
            pitch_hints=pitch_hints,
            n_layers=n_layers,
            n_units=n_units,
            dropout=dropout,
            transposition=transposition,
            seq_len=seq_len,
            batch_size=batch_size,
            learning_rate=learning_rate,
            max_epochs=max_epochs,
            patience=patience,
            validation_fraction=validation_fraction,
            random_state=random_state,
            device=device,
            dtype=dtype,
            verbose=verbose,
        )

    @property
    def causal(self) -> bool:
        """The LSTM is online; the BiLSTM is not."""
        return not self.bidirectional

    def _check_params(self) -> None:
        super()._check_params()
        if self.bidirectional and self.n_units % 2:
            raise SeparationError(f"a BiLSTM splits n_units in two directions: n_units must be even, not {self.n_units}")

    def _network_config(self):
        from muspy_like.separation.sequence.networks import NetworkConfig

        return NetworkConfig(
            kind="lstm", n_parts=self.n_parts_, embeddings=bool(self.embeddings), duration=bool(self.duration),
            entry_hints=bool(self.entry_hints), pitch_hints=bool(self.pitch_hints), n_layers=int(self.n_layers),
            n_units=int(self.n_units), dropout=float(self.dropout), bidirectional=bool(self.bidirectional),
            causal=self.causal,
        )


class TransformerSeparator(SequenceSeparator):
    """Predict each note's part with self-attention: the paper's Transformer decoder (online) and encoder (offline).

    Dong et al. (ISMIR 2021): the note inputs are projected to ``n_units`` dimensions, a sinusoidal
    encoding of the note's index is added, and ``n_layers`` self-attention layers (post-norm, ReLU
    feed-forward, dropout) lead to a linear layer that gives each note's part. The decoder masks
    attention to later notes (online); the encoder attends to the whole piece (offline). Pieces longer
    than ``seq_len`` notes are predicted in overlapping windows of ``seq_len`` notes, the length the
    model was trained on (a causal window arrangement for the decoder, so it stays online). The inputs,
    hints, size, training recipe, device and learned attributes are those of :class:`SequenceSeparator`.

    Parameters
    ----------
    causal : bool, default True
        Decoder (online, True) or encoder (offline, False).
    n_heads : int, default 8
        Attention heads (``n_units`` must be a multiple of it).
    d_feedforward : int, default 256
        Units of each layer's feed-forward network.
    """

    def __init__(
        self,
        causal: bool = True,
        embeddings: bool = True,
        duration: bool = False,
        entry_hints: bool = False,
        pitch_hints: bool = False,
        n_layers: int = 3,
        n_units: int = 128,
        n_heads: int = 8,
        d_feedforward: int = 256,
        dropout: float = 0.2,
        transposition: tuple[int, int] = (-5, 6),
        seq_len: int = 500,
        batch_size: int = 16,
        learning_rate: float = 0.001,
        max_epochs: int = 60,
        patience: int = 10,
        validation_fraction: float = 0.1,
        random_state: int = 0,
        device: Optional[str] = None,
        dtype: str = "float32",
        verbose: bool = False,
    ) -> None:
        self.causal = causal
        self.n_heads = n_heads
        self.d_feedforward = d_feedforward
        super().__init__(
            embeddings=embeddings,
            duration=duration,
            entry_hints=entry_hints,
            pitch_hints=pitch_hints,
            n_layers=n_layers,
            n_units=n_units,
            dropout=dropout,
            transposition=transposition,
            seq_len=seq_len,
            batch_size=batch_size,
            learning_rate=learning_rate,
            max_epochs=max_epochs,
            patience=patience,
            validation_fraction=validation_fraction,
            random_state=random_state,
            device=device,
            dtype=dtype,
            verbose=verbose,
        )

    def _check_params(self) -> None:
        super()._check_params()
        if int(self.n_units) % int(self.n_heads):
            raise SeparationError(f"n_units ({self.n_units}) must be a multiple of n_heads ({self.n_heads})")

    def _window(self) -> Optional[int]:
        return int(self.seq_len)

    def _network_config(self):
        from muspy_like.separation.sequence.networks import NetworkConfig

        return NetworkConfig(
            kind="transformer", n_parts=self.n_parts_, embeddings=bool(self.embeddings),
            duration=bool(self.duration), entry_hints=bool(self.entry_hints), pitch_hints=bool(self.pitch_hints),
            n_layers=int(self.n_layers), n_units=int(self.n_units), dropout=float(self.dropout),
            causal=bool(self.causal), n_heads=int(self.n_heads), d_feedforward=int(self.d_feedforward),
        )
