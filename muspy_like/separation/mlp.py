"""MLP baseline: a multilayer perceptron on hand-crafted features of the note and of each part's history.

For each note the network sees :func:`~muspy_like.separation.features.static_features` (pitch, duration,
metric position, chord context) and :func:`~muspy_like.separation.features.history_features` (each part's
last pitch, last onset, last offset and whether it still sounds), and outputs the part. It is trained
with the true labels as history. At prediction time the *online* variant builds the history from its own
earlier predictions, note by note; the *oracle* variant reads it from the true labels, which measures
the network alone, free of its own mistakes (Dong et al., ISMIR 2021, Section 5.1, after de Valk et al.).

The network is scikit-learn's :class:`~sklearn.neural_network.MLPClassifier` (three hidden layers of 128
ReLU units, Adam), trained epoch by epoch with ``partial_fit`` and stopped early on the log loss of the
validation pieces. The learned weights are kept as plain arrays, so prediction and saving need neither
scikit-learn nor pickle.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from muspy_like.errors import SeparationError
from muspy_like.extras import require
from muspy_like.separation.base import PartSeparator, check_labels, check_pieces
from muspy_like.separation.data import DURATION, PITCH, TIME
from muspy_like.separation.features import history_features, static_features, true_history_features

__all__ = ["MLPSeparator"]

_HISTORIES = ("predicted", "true")
_ACTIVATIONS = ("relu", "identity")


class MLPSeparator(PartSeparator):
    """Predict each note's part with a multilayer perceptron.

    Parameters
    ----------
    history : {"predicted", "true"}, default "predicted"
        Where prediction takes the parts' history from: the model's own earlier predictions (online) or
        the true labels passed to ``predict`` as ``hints`` (oracle).
    hidden_layer_sizes : tuple of int, default (128, 128, 128)
        Units of each hidden layer.
    activation : {"relu", "identity"}, default "relu"
        Nonlinearity of the hidden layers. ``"identity"`` reproduces the paper's released code, whose
        dense layers have no activation (so the network is a linear classifier).
    max_epochs : int, default 40
        Most passes over the training notes.
    patience : int, default 4
        Stop after this many epochs without a lower validation log loss (as Keras' ``EarlyStopping``,
        which the paper used); the best epoch's weights are kept.
    batch_size : int, default 256
        Notes per Adam step.
    learning_rate : float, default 0.001
        Adam's initial step size.
    alpha : float, default 0.0001
        L2 penalty.
    validation_fraction : float, default 0.1
        Share of the training *pieces* held out for early stopping when ``fit`` gets no ``validation``.
    max_training_notes : int or None, default 4,000,000
        Train on whole training pieces drawn at random (``random_state``) until this many notes, so that
        the features (8 bytes per feature, 25 to 35 features per note) fit in memory; None takes every
        piece. Every dataset but ``lmd`` (50 million training notes) is below the default.
    random_state : int, default 0
        Seed of the weight initialisation, the shuffling and the held-out pieces.

    Attributes
    ----------
    n_parts_ : int
        Number of parts seen in training.
    coefs_, intercepts_ : list of numpy.ndarray
        Weights and biases of each layer (as in scikit-learn's MLPClassifier).
    feature_mean_, feature_scale_ : numpy.ndarray
        Standardisation of the features, learned on the training notes.
    n_epochs_ : int
        Epochs run.
    best_epoch_ : int
        Epoch whose weights were kept (1-based): the one with the lowest validation log loss.
    validation_loss_ : float
        Mean cross-entropy on the validation notes at the best epoch (true history).
    n_training_notes_ : int
        Training notes the network learned from (see ``max_training_notes``).
    validation_accuracy_ : float
        Note accuracy on the validation pieces at the best epoch (true history).
    """

    inference_params = ("history",)
    uses_validation = True

    def __init__(
        self,
        history: str = "predicted",
        hidden_layer_sizes: tuple[int, ...] = (128, 128, 128),
        activation: str = "relu",
        max_epochs: int = 40,
        patience: int = 4,
        batch_size: int = 256,
        learning_rate: float = 0.001,
        alpha: float = 0.0001,
        validation_fraction: float = 0.1,
        max_training_notes: Optional[int] = 4_000_000,
        random_state: int = 0,
    ) -> None:
        self.history = history
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.max_epochs = max_epochs
        self.patience = patience
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.alpha = alpha
        self.validation_fraction = validation_fraction
        self.max_training_notes = max_training_notes
        self.random_state = random_state

    @property
    def requires_hints(self) -> bool:  # type: ignore[override]
        return self.history == "true"

    def fit(
        self,
        X: Sequence[np.ndarray],
        y: Sequence[np.ndarray],
        validation: Optional[tuple[Sequence[np.ndarray], Sequence[np.ndarray]]] = None,
    ) -> "MLPSeparator":
        """Train on pieces ``X`` with labels ``y``.

        Parameters
        ----------
        X, y : list of numpy.ndarray
            Training pieces and their labels.
        validation : (list, list), optional
            Validation pieces and labels for early stopping. Default: hold out ``validation_fraction`` of
            the training pieces.
        """
        threadpool_limits = require("threadpoolctl", "separation", "the MLP part separator").threadpool_limits

        if self.history not in _HISTORIES:
            raise SeparationError(f"history must be one of {_HISTORIES}, not {self.history!r}")
        if self.activation not in _ACTIVATIONS:
            raise SeparationError(f"activation must be one of {_ACTIVATIONS}, not {self.activation!r}")
        # Layers this small run slower with several BLAS threads (much slower on a busy machine).
        with threadpool_limits(limits=1):
            return super().fit(X, y, validation=validation)  # type: ignore[return-value]

    def _fit(self, pieces: list[np.ndarray], labels: list[np.ndarray], **fit_params: Any) -> None:
        train_x, train_y, valid_x, valid_y = self._training_data(pieces, labels, fit_params.get("validation"))
        best_loss, best_epoch, epochs = self._train_with_early_stopping(train_x, train_y, valid_x, valid_y)
        self.n_epochs_, self.best_epoch_, self.validation_loss_ = epochs, best_epoch, best_loss
        self.validation_accuracy_ = float(np.mean(self._forward(valid_x) == valid_y))

    def _training_data(self, pieces: list[np.ndarray], labels: list[np.ndarray], validation: Optional[tuple]):
        """Standardized features and labels of the training and validation notes (the standardization is
        learned on the training notes)."""
        if validation is None:
            pieces, labels, valid_pieces, valid_labels = self._hold_out(pieces, labels)
        else:
            valid_pieces = check_pieces(validation[0])
            valid_labels = check_labels(validation[1], valid_pieces, self.n_parts_)
        pieces, labels = self._within_budget(pieces, labels)
        valid_pieces, valid_labels = self._within_budget(valid_pieces, valid_labels)
        self.n_training_notes_ = int(sum(len(notes) for notes in pieces))
        train_x = np.concatenate([self._features(n, part) for n, part in zip(pieces, labels)])
        valid_x = np.concatenate([self._features(n, part) for n, part in zip(valid_pieces, valid_labels)])
        self.feature_mean_ = train_x.mean(axis=0)
        scale = train_x.std(axis=0)
        self.feature_scale_ = np.where(scale > 0, scale, 1.0)
        return (self._standardize(train_x), np.concatenate(labels), self._standardize(valid_x),
                np.concatenate(valid_labels))

    def _train_with_early_stopping(self, train_x, train_y, valid_x, valid_y) -> tuple[float, int, int]:
        """Adam, one epoch at a time, until the validation log loss stops falling; keep the best weights.

        Returns the best loss, its epoch and the number of epochs run.
        """
        MLPClassifier = require("sklearn.neural_network", "separation", "the MLP part separator").MLPClassifier

        network = MLPClassifier(
            hidden_layer_sizes=tuple(self.hidden_layer_sizes),
            activation=self.activation,
            solver="adam",
            alpha=self.alpha,
            batch_size=self.batch_size,
            learning_rate_init=self.learning_rate,
            random_state=self.random_state,
        )
        classes = np.arange(self.n_parts_)
        best_loss, best_epoch, best_weights = np.inf, 0, None
        epoch = 0
        for epoch in range(1, self.max_epochs + 1):
            network.partial_fit(train_x, train_y, classes=classes)
            self.coefs_, self.intercepts_ = network.coefs_, network.intercepts_
            loss = _log_loss(self._logits(valid_x), valid_y)
            if loss < best_loss:
                best_loss, best_epoch = loss, epoch
                best_weights = ([w.copy() for w in network.coefs_], [b.copy() for b in network.intercepts_])
            elif epoch - best_epoch >= self.patience:
                break
        self.coefs_, self.intercepts_ = best_weights
        return best_loss, best_epoch, epoch

    def _within_budget(self, pieces: list[np.ndarray], labels: list[np.ndarray]):
        """Whole pieces drawn at random until :attr:`max_training_notes` notes (all of them if they fit)."""
        budget = self.max_training_notes
        if budget is None or sum(len(notes) for notes in pieces) <= budget:
            return pieces, labels
        chosen, total = [], 0
        for index in np.random.default_rng(self.random_state).permutation(len(pieces)):
            if chosen and total + len(pieces[index]) > budget:
                break
            chosen.append(index)
            total += len(pieces[index])
        chosen.sort()
        return [pieces[i] for i in chosen], [labels[i] for i in chosen]

    def _hold_out(self, pieces: list[np.ndarray], labels: list[np.ndarray]):
        if len(pieces) < 2:
            raise SeparationError("the MLP needs at least 2 training pieces (one is held out for validation)")
        n_valid = min(max(1, int(round(len(pieces) * self.validation_fraction))), len(pieces) - 1)
        order = np.random.default_rng(self.random_state).permutation(len(pieces))
        valid, train = order[:n_valid], order[n_valid:]
        return ([pieces[i] for i in train], [labels[i] for i in train],
                [pieces[i] for i in valid], [labels[i] for i in valid])

    def _features(self, notes: np.ndarray, labels: np.ndarray) -> np.ndarray:
        return np.hstack([static_features(notes), true_history_features(notes, labels, self.n_parts_)])

    def _standardize(self, features: np.ndarray) -> np.ndarray:
        return (features - self.feature_mean_) / self.feature_scale_

    def _logits(self, standardized: np.ndarray) -> np.ndarray:
        """Output-layer values (before softmax) for rows of standardized features."""
        hidden = standardized
        for weights, bias in zip(self.coefs_[:-1], self.intercepts_[:-1]):
            hidden = hidden @ weights + bias
            if self.activation == "relu":
                hidden = np.maximum(hidden, 0.0)
        output = hidden @ self.coefs_[-1] + self.intercepts_[-1]
        if output.shape[1] == 1:  # two parts: scikit-learn uses one logistic unit, i.e. logits (0, z)
            output = np.hstack([np.zeros_like(output), output])
        return output

    def _forward(self, standardized: np.ndarray) -> np.ndarray:
        """Most likely part of each row of standardized features (the network's argmax)."""
        return np.argmax(self._logits(standardized), axis=1).astype(np.int64)

    def _predict_piece(self, notes: np.ndarray, hints: Optional[np.ndarray]) -> np.ndarray:
        if self.history == "true":
            return self._forward(self._standardize(self._features(notes, hints)))
        return self._predict_online(notes)

    def _predict_online(self, notes: np.ndarray) -> np.ndarray:
        n_parts = self.n_parts_
        static = static_features(notes)
        n_static = static.shape[1]
        mean, scale = self.feature_mean_, self.feature_scale_
        static = (static - mean[:n_static]) / scale[:n_static]
        history_mean, history_scale = mean[n_static:], scale[n_static:]
        last_pitch = np.zeros((1, n_parts), dtype=np.int64)
        last_onset = np.zeros((1, n_parts), dtype=np.int64)
        last_offset = np.zeros((1, n_parts), dtype=np.int64)
        active = np.zeros((1, n_parts), dtype=bool)
        predictions = np.empty(len(notes), dtype=np.int64)
        row = np.empty((1, static.shape[1] + 5 * n_parts))
        for i in range(len(notes)):
            history = history_features(notes[i : i + 1, TIME], notes[i : i + 1, PITCH], last_pitch, last_onset,
                                       last_offset, active)
            row[0, :n_static] = static[i]
            row[0, n_static:] = (history[0] - history_mean) / history_scale
            part = int(self._forward(row)[0])
            predictions[i] = part
            last_pitch[0, part] = notes[i, PITCH]
            last_onset[0, part] = notes[i, TIME]
            last_offset[0, part] = notes[i, TIME] + notes[i, DURATION]
            active[0, part] = True
        return predictions

    def _state(self) -> dict[str, Any]:
        return {
            "coefs": [w.tolist() for w in self.coefs_],
            "intercepts": [b.tolist() for b in self.intercepts_],
            "feature_mean": self.feature_mean_.tolist(),
            "feature_scale": self.feature_scale_.tolist(),
            "n_epochs": self.n_epochs_,
            "best_epoch": self.best_epoch_,
            "validation_loss": self.validation_loss_,
            "validation_accuracy": self.validation_accuracy_,
            "n_training_notes": self.n_training_notes_,
        }

    def _set_state(self, state: dict[str, Any]) -> None:
        self.coefs_ = [np.asarray(w, dtype=np.float64) for w in state["coefs"]]
        self.intercepts_ = [np.asarray(b, dtype=np.float64) for b in state["intercepts"]]
        self.feature_mean_ = np.asarray(state["feature_mean"], dtype=np.float64)
        self.feature_scale_ = np.asarray(state["feature_scale"], dtype=np.float64)
        self.n_epochs_ = int(state["n_epochs"])
        self.best_epoch_ = int(state["best_epoch"])
        self.validation_loss_ = float(state["validation_loss"])
        self.validation_accuracy_ = float(state["validation_accuracy"])
        self.n_training_notes_ = int(state.get("n_training_notes", -1))  # -1: a model file of muspy_like 0.1


def _log_loss(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean cross-entropy (nats) of softmax(logits) against integer labels."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.mean(log_probabilities[np.arange(len(labels)), labels]))
