"""The named separation methods (the paper's Table 2 and any added later), as lazy estimator recipes.

A method is an estimator class plus fixed hyper-parameters (``"zone-oracle"`` is :class:`ZoneSeparator`
with ``oracle=True``). Classes are named by import path and imported only by :func:`make_estimator`, so
listing the methods (the command line does, to build its ``--help``) needs neither scikit-learn nor torch.
The paper's baselines (:data:`BASELINES`) and sequence models (:data:`SEQUENCE_MODELS`) are listed here;
other estimators add themselves with :func:`register_method`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from muspy_like.errors import SeparationError

if TYPE_CHECKING:
    from muspy_like.separation.base import PartSeparator

__all__ = ["BASELINES", "METHODS", "Method", "SEQUENCE_MODELS", "make_estimator", "register_method"]


@dataclass(frozen=True)
class Method:
    """One named method.

    Parameters
    ----------
    estimator : str
        The estimator class as ``"module:ClassName"``.
    description : str
        One line for tables and ``--help``.
    params : mapping
        Hyper-parameters fixed by the method (callers may add others, not override these).
    oracle : bool
        Whether the method needs the true labels at prediction time (evaluation only).
    """

    estimator: str
    description: str
    params: Mapping[str, Any] = field(default_factory=dict)
    oracle: bool = False

    def estimator_class(self) -> type:
        """Import and return the estimator class."""
        module, _, name = self.estimator.partition(":")
        return getattr(importlib.import_module(module), name)

    def make(self, **params: Any) -> "PartSeparator":
        """A new, unfitted estimator with the method's hyper-parameters and ``params``."""
        clash = sorted(set(params) & set(self.params))
        if clash:
            raise SeparationError(f"{', '.join(clash)} is fixed by the method ({dict(self.params)})")
        return self.estimator_class()(**dict(self.params), **params)


_ZONE = "muspy_like.separation.zone:ZoneSeparator"
_CLOSEST = "muspy_like.separation.closest_pitch:ClosestPitchSeparator"
_MLP = "muspy_like.separation.mlp:MLPSeparator"
_LSTM = "muspy_like.separation.sequence.estimator:LSTMSeparator"
_TRANSFORMER = "muspy_like.separation.sequence.estimator:TransformerSeparator"

#: Method name -> :class:`Method`, in the order of the paper's Table 2.
METHODS: dict[str, Method] = {
    "zone": Method(_ZONE, "pitch zones learned on the training set"),
    "zone-oracle": Method(_ZONE, "pitch zones chosen on each test piece", {"oracle": True}, oracle=True),
    "closest-pitch": Method(_CLOSEST, "closest last pitch, with onset hints"),
    "closest-pitch-mono": Method(
        _CLOSEST, "closest last pitch, sounding parts penalised, one part per chord note", {"mono": True}
    ),
    "mlp": Method(_MLP, "MLP on hand-crafted features, online (its own predictions as history)"),
    "mlp-oracle": Method(_MLP, "the same MLP with the true labels as history", {"history": "true"}, oracle=True),
    "lstm": Method(_LSTM, "LSTM on pitch, beat and position embeddings, online"),
    "transformer-decoder": Method(_TRANSFORMER, "Transformer decoder (causal self-attention), online"),
    "bilstm": Method(_LSTM, "bidirectional LSTM, offline", {"bidirectional": True}),
    "transformer-encoder": Method(
        _TRANSFORMER, "Transformer encoder (self-attention over the whole piece), offline", {"causal": False}
    ),
    "lstm-entry-hints": Method(_LSTM, "the LSTM told where each part enters", {"entry_hints": True}),
    "transformer-decoder-entry-hints": Method(
        _TRANSFORMER, "the Transformer decoder told where each part enters", {"entry_hints": True}
    ),
    "bilstm-entry-hints": Method(
        _LSTM, "the BiLSTM told where each part enters", {"bidirectional": True, "entry_hints": True}
    ),
    "transformer-encoder-entry-hints": Method(
        _TRANSFORMER, "the Transformer encoder told where each part enters", {"causal": False, "entry_hints": True}
    ),
}
#: The baselines, which train in seconds: what the evaluation runs by default.
BASELINES = ("zone", "zone-oracle", "closest-pitch", "closest-pitch-mono", "mlp", "mlp-oracle")
#: The paper's sequence models (PyTorch; minutes of training each on a CPU).
SEQUENCE_MODELS = ("lstm", "transformer-decoder", "bilstm", "transformer-encoder", "lstm-entry-hints",
                   "transformer-decoder-entry-hints", "bilstm-entry-hints", "transformer-encoder-entry-hints")


def register_method(name: str, method: Method) -> None:
    """Add a method under ``name`` (evaluation, training and the command line then offer it).

    Raises
    ------
    SeparationError
        If the name is taken.
    """
    if name in METHODS:
        raise SeparationError(f"a method named {name!r} already exists")
    METHODS[name] = method


def make_estimator(method: str, **params: Any) -> "PartSeparator":
    """A new, unfitted estimator for a method name of :data:`METHODS` (extra hyper-parameters allowed)."""
    try:
        spec = METHODS[method]
    except KeyError:
        raise SeparationError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}") from None
    return spec.make(**params)
