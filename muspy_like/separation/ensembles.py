"""Ensembles that :func:`~muspy_like.separation.separate` voices its parts for, one instrument per part.

Each ensemble lists its players in the part order of a dataset: a model trained on that dataset labels
its parts 0, 1, ... in the same order, so player ``i`` plays part ``i``. :data:`DEFAULT_ENSEMBLES` says
which ensemble fits a model trained on each dataset's parts.
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Sequence, Union

from muspy_like.errors import SeparationError

__all__ = ["ENSEMBLES", "DEFAULT_ENSEMBLES", "Instrument", "ensemble_players", "default_ensemble"]


class Instrument(NamedTuple):
    """One player of an ensemble: track name and General MIDI program (0-127)."""

    name: str
    program: int


#: Ensembles by name; the four-part ones list the highest part first.
ENSEMBLES: dict[str, tuple[Instrument, ...]] = {
    "satb_choir": (
        Instrument("Soprano", 52),
        Instrument("Alto", 52),
        Instrument("Tenor", 52),
        Instrument("Bass", 52),
    ),
    "string_quartet": (
        Instrument("Violin I", 40),
        Instrument("Violin II", 40),
        Instrument("Viola", 41),
        Instrument("Cello", 42),
    ),
    "woodwind_quartet": (
        Instrument("Flute", 73),
        Instrument("Oboe", 68),
        Instrument("Clarinet", 71),
        Instrument("Bassoon", 70),
    ),
    "brass_quartet": (
        Instrument("Trumpet I", 56),
        Instrument("Trumpet II", 56),
        Instrument("Trombone", 57),
        Instrument("Tuba", 58),
    ),
    "rock_band": (
        Instrument("Lead Guitar", 29),
        Instrument("Rhythm Guitar", 27),
        Instrument("Keyboard", 4),
        Instrument("Bass", 33),
    ),
    # The NES-MDB parts: two square-wave pulse channels and the triangle channel (noise is not separated).
    "nes_voices": (
        Instrument("Pulse 1", 80),
        Instrument("Pulse 2", 80),
        Instrument("Triangle", 38),
    ),
    # The Lakh MIDI parts of the paper, in its order: piano, guitar, bass, strings, brass.
    "pop_band": (
        Instrument("Piano", 0),
        Instrument("Guitar", 25),
        Instrument("Bass", 33),
        Instrument("Strings", 48),
        Instrument("Brass", 61),
    ),
    "piano_duet": (Instrument("Primo", 0), Instrument("Secondo", 0)),
}

#: Part names of a dataset (as stored in its model files) -> the ensemble that voices them.
DEFAULT_ENSEMBLES: dict[tuple[str, ...], str] = {
    ("soprano", "alto", "tenor", "bass"): "satb_choir",
    ("violin 1", "violin 2", "viola", "cello"): "string_quartet",
    ("pulse 1", "pulse 2", "triangle"): "nes_voices",
    ("piano", "guitar", "bass", "strings", "brass"): "pop_band",
}


def default_ensemble(part_names: Optional[Sequence[str]]) -> Optional[str]:
    """The ensemble of :data:`DEFAULT_ENSEMBLES` for these part names (case-insensitive), or None."""
    if not part_names:
        return None
    return DEFAULT_ENSEMBLES.get(tuple(name.lower() for name in part_names))


def ensemble_players(ensemble: Union[str, Sequence]) -> list[Instrument]:
    """The players of an ensemble name of :data:`ENSEMBLES`, or of a list of (name, program) pairs.

    Raises
    ------
    SeparationError
        For an unknown ensemble name.
    """
    if isinstance(ensemble, str):
        if ensemble not in ENSEMBLES:
            raise SeparationError(f"unknown ensemble {ensemble!r}; choose one of {', '.join(ENSEMBLES)}")
        return list(ENSEMBLES[ensemble])
    return [Instrument(*player) for player in ensemble]
