"""The named baselines of the paper's Table 2, as estimator factories."""

from __future__ import annotations

from typing import Any, Callable

from muspy_like.errors import SeparationError
from muspy_like.separation.base import PartSeparator
from muspy_like.separation.closest_pitch import ClosestPitchSeparator
from muspy_like.separation.mlp import MLPSeparator
from muspy_like.separation.zone import ZoneSeparator

__all__ = ["METHODS", "make_estimator"]

#: Method name -> (factory, one-line description).
METHODS: dict[str, tuple[Callable[..., PartSeparator], str]] = {
    "zone": (ZoneSeparator, "pitch zones learned on the training set"),
    "zone-oracle": (lambda **kw: ZoneSeparator(oracle=True, **kw), "pitch zones chosen on each test piece"),
    "closest-pitch": (ClosestPitchSeparator, "closest last pitch, with onset hints"),
    "closest-pitch-mono": (
        lambda **kw: ClosestPitchSeparator(mono=True, **kw),
        "closest last pitch, sounding parts penalised, one part per chord note",
    ),
    "mlp": (MLPSeparator, "MLP on hand-crafted features, online (its own predictions as history)"),
    "mlp-oracle": (
        lambda **kw: MLPSeparator(history="true", **kw),
        "the same MLP with the true labels as history",
    ),
}


def make_estimator(method: str, **params: Any) -> PartSeparator:
    """A new, unfitted estimator for a method name of :data:`METHODS` (extra hyper-parameters allowed)."""
    try:
        factory, _ = METHODS[method]
    except KeyError:
        raise SeparationError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}") from None
    return factory(**params)
