"""Exact, vectorized conversion between metrical time (ticks) and real time (seconds).

The tempo map is piecewise linear: between two tempo changes one tick lasts
``60 / (qpm * resolution)`` seconds. Before the first tempo change (or when there is none) the MIDI
default of 120 quarter notes per minute applies. When several tempos share a tick, the last one listed wins
(as a MIDI player would apply them).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from muspy_like.core.events import Tempo

__all__ = ["TempoMap", "DEFAULT_QPM"]

DEFAULT_QPM = 120.0


class TempoMap:
    """Piecewise-linear map between ticks and seconds.

    Parameters
    ----------
    tempos : iterable of Tempo
        Tempo changes (any order).
    resolution : int
        Ticks per quarter note.

    Examples
    --------
    >>> tm = TempoMap([Tempo(0, 120.0), Tempo(96, 60.0)], resolution=24)
    >>> tm.tick_to_second([0, 96, 120]).tolist()
    [0.0, 2.0, 3.0]
    """

    def __init__(self, tempos: Iterable[Tempo], resolution: int) -> None:
        if resolution <= 0:
            raise ValueError(f"resolution must be positive, got {resolution}")
        by_time: dict[int, float] = {}
        for tempo in sorted(tempos, key=lambda t: t.time):
            if tempo.qpm <= 0:
                raise ValueError(f"tempo at tick {tempo.time} has non-positive qpm {tempo.qpm}")
            by_time[int(tempo.time)] = float(tempo.qpm)
        if not by_time or min(by_time) > 0:
            by_time[0] = DEFAULT_QPM
        self.resolution = int(resolution)
        #: Tick of each tempo segment's start.
        self.ticks = np.array(sorted(by_time), dtype=np.int64)
        #: Tempo of each segment, in quarter notes per minute.
        self.qpm = np.array([by_time[t] for t in self.ticks], dtype=np.float64)
        #: Seconds per tick in each segment.
        self.seconds_per_tick = 60.0 / (self.qpm * self.resolution)
        spans = np.diff(self.ticks) * self.seconds_per_tick[:-1]
        #: Time in seconds at the start of each segment.
        self.seconds = np.concatenate(([0.0], np.cumsum(spans)))

    def tick_to_second(self, ticks: np.ndarray | Iterable[int] | int) -> np.ndarray:
        """Convert ticks (scalar or array) to seconds (float64 array of the same shape)."""
        ticks = np.asarray(ticks, dtype=np.float64)
        segment = np.searchsorted(self.ticks, ticks, side="right") - 1
        segment = np.clip(segment, 0, None)
        return self.seconds[segment] + (ticks - self.ticks[segment]) * self.seconds_per_tick[segment]

    def second_to_tick(self, seconds: np.ndarray | Iterable[float] | float, rounding: str = "round") -> np.ndarray:
        """Convert seconds to ticks.

        Parameters
        ----------
        seconds : float or array
            Real times, in seconds.
        rounding : {"round", "floor", "ceil", "none"}
            How to make whole ticks; ``"none"`` returns fractional ticks (float64).
        """
        seconds = np.asarray(seconds, dtype=np.float64)
        segment = np.clip(np.searchsorted(self.seconds, seconds, side="right") - 1, 0, None)
        ticks = self.ticks[segment] + (seconds - self.seconds[segment]) / self.seconds_per_tick[segment]
        if rounding == "none":
            return ticks
        return _ROUNDERS[rounding](ticks).astype(np.int64)


def _round_half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(x + 0.5)


_ROUNDERS = {"round": _round_half_up, "floor": np.floor, "ceil": np.ceil}
