"""Token vocabularies of the event representations (MIDI-like and REMI-style).

A vocabulary is a list of blocks of consecutive integer tokens, one block per kind of event, in a fixed
order. :class:`EventVocabulary` declares the blocks once from the options; token values, names, sizes and
the velocity and tempo grids are all derived from that declaration, so encoder, decoder and documentation
cannot disagree.

MIDI-like blocks, in order: ``note-on`` (128), ``note-off`` (128), ``time-shift`` (``max_time_shift``:
shifts of 1..max_time_shift steps), ``velocity`` (``velocity_bins``), ``program`` (129: programs 0-127 and
``drum``), ``track`` (``max_tracks``), ``tempo`` (one per whole qpm in ``tempo_range``),
``end-of-sequence`` (1).

REMI-style blocks, in order: ``bar`` (1), ``position`` (``max_position``: 0..max_position-1 steps from
the bar start), ``time-signature`` (``max_numerator`` x denominators 1, 2, 4, 8, 16, 32, 64), ``tempo``,
``program`` (129), ``track``, ``velocity``, ``pitch`` (128), ``duration`` (``max_duration + 1``: 0..max_duration
steps), ``end-of-sequence`` (1). ``max_position = max_bar_quarters * resolution`` and
``max_duration = max_duration_quarters * resolution``.

Blocks switched off by an option (``encode_velocity=False``, ``encode_program=False``,
``encode_track=False``, ``encode_tempo=False``, ``use_end_of_sequence_event=False``) have size zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from muspy_like.errors import RepresentationError
from muspy_like.representations.common import DEFAULT_TEMPO_RANGE

__all__ = ["EventVocabulary", "event_vocabulary", "DENOMINATORS", "DRUM"]

#: Time-signature denominators the REMI vocabulary can hold.
DENOMINATORS = (1, 2, 4, 8, 16, 32, 64)
#: Value of the ``program`` block that stands for a drum track.
DRUM = 128


@dataclass(frozen=True)
class EventVocabulary:
    """The token blocks of one configuration of the event representation.

    Parameters
    ----------
    mode : {"midi", "remi"}
        MIDI-like (note-on/note-off/time-shift) or REMI-style (bar/position/pitch/duration) tokens.
    max_time_shift : int, default 100
        Longest time shift one MIDI-like token holds, in steps; longer gaps take several tokens.
    velocity_bins : int, default 32
        Number of velocity tokens (1..128). Velocity ``v`` goes to bin ``v * bins // 128``; bin ``b``
        decodes to ``ceil(b * 128 / bins)`` (with 32 bins: 0, 4, 8, ..., 124).
    encode_velocity, encode_program, encode_tempo : bool, default True
        Whether the vocabulary has velocity, program (instrument) and tempo tokens.
    encode_track : bool, default True
        Whether the vocabulary has track tokens (see :mod:`muspy_like.representations.instruments`).
    max_tracks : int, default 64
        Number of track tokens.
    tempo_range : (int, int), default (20, 300)
        Lowest and highest tempo token, in whole quarter notes per minute.
    use_end_of_sequence_event : bool, default False
        Whether the vocabulary has an end-of-sequence token.
    resolution : int, default 24
        Steps per quarter note (the REMI sizes below are in quarter notes).
    max_bar_quarters : int, default 8
        REMI: longest bar, in quarter notes; there are ``max_position = max_bar_quarters * resolution``
        position tokens.
    max_duration_quarters : int, default 16
        REMI: longest duration token, ``max_duration = max_duration_quarters * resolution`` steps
        (longer notes are clipped to it).
    max_numerator : int, default 16
        REMI: largest time-signature numerator.
    """

    mode: str = "midi"
    max_time_shift: int = 100
    velocity_bins: int = 32
    encode_velocity: bool = True
    encode_program: bool = True
    encode_tempo: bool = True
    encode_track: bool = True
    max_tracks: int = 64
    tempo_range: tuple[int, int] = DEFAULT_TEMPO_RANGE
    use_end_of_sequence_event: bool = False
    resolution: int = 24
    max_bar_quarters: int = 8
    max_duration_quarters: int = 16
    max_numerator: int = 16
    offsets: dict = field(init=False, repr=False, compare=False)
    sizes: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.mode not in ("midi", "remi"):
            raise RepresentationError(f"event representation: mode must be 'midi' or 'remi', got {self.mode!r}")
        for name in ("max_time_shift", "max_tracks", "resolution", "max_bar_quarters", "max_duration_quarters", "max_numerator"):
            if int(getattr(self, name)) < 1:
                raise RepresentationError(f"event representation: {name} must be at least 1")
        if not 1 <= self.velocity_bins <= 128:
            raise RepresentationError(f"event representation: velocity_bins must be in 1..128, "
                                      f"got {self.velocity_bins}")
        low, high = self.tempo_range
        if not 0 < low <= high:
            raise RepresentationError(f"event representation: tempo_range must be 0 < low <= high, "
                                      f"got {self.tempo_range}")
        tempo = high - low + 1 if self.encode_tempo else 0
        velocity = self.velocity_bins if self.encode_velocity else 0
        program = 129 if self.encode_program else 0
        track = self.max_tracks if self.encode_track else 0
        eos = 1 if self.use_end_of_sequence_event else 0
        if self.mode == "midi":
            blocks = [("note-on", 128), ("note-off", 128), ("time-shift", self.max_time_shift),
                      ("velocity", velocity), ("program", program), ("track", track), ("tempo", tempo),
                      ("end-of-sequence", eos)]
        else:
            blocks = [("bar", 1), ("position", self.max_position),
                      ("time-signature", self.max_numerator * len(DENOMINATORS)), ("tempo", tempo),
                      ("program", program), ("track", track), ("velocity", velocity), ("pitch", 128),
                      ("duration", self.max_duration + 1), ("end-of-sequence", eos)]
        starts = np.cumsum([0] + [size for _, size in blocks])
        object.__setattr__(self, "offsets", {name: int(s) for (name, _), s in zip(blocks, starts)})
        object.__setattr__(self, "sizes", dict(blocks))

    @property
    def max_position(self) -> int:
        """REMI: number of position tokens (the longest bar, in steps)."""
        return self.max_bar_quarters * self.resolution

    @property
    def max_duration(self) -> int:
        """REMI: the longest duration token, in steps."""
        return self.max_duration_quarters * self.resolution

    def __len__(self) -> int:
        return sum(self.sizes.values())

    @property
    def kinds(self) -> tuple[str, ...]:
        """The block names, in token order."""
        return tuple(self.sizes)

    def token(self, kind: str, index: "int | np.ndarray") -> "int | np.ndarray":
        """Token value(s) of the ``index``-th token(s) of block ``kind``."""
        if self.sizes.get(kind, 0) == 0:
            raise RepresentationError(f"event representation: this vocabulary has no {kind!r} tokens")
        return self.offsets[kind] + index

    def split(self, tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Block number (index into :attr:`kinds`) and index within the block of every token."""
        starts = np.array([self.offsets[k] for k in self.kinds], dtype=np.int64)
        kind = np.searchsorted(starts, tokens, side="right") - 1
        # Empty blocks share their start with the next block; searchsorted lands on the last of them.
        return kind, tokens - starts[kind]

    def kind_number(self, kind: str) -> int:
        """Index of block ``kind`` in :attr:`kinds`."""
        return self.kinds.index(kind)

    # -- value grids ---------------------------------------------------------------------------------
    def velocity_to_bin(self, velocity: np.ndarray) -> np.ndarray:
        """Velocity bin of each velocity (0-127)."""
        return np.asarray(velocity, dtype=np.int64) * self.velocity_bins // 128

    def bin_to_velocity(self, index: np.ndarray) -> np.ndarray:
        """Velocity each bin decodes to (the smallest velocity of the bin)."""
        return -(-np.asarray(index, dtype=np.int64) * 128 // self.velocity_bins)

    def names(self) -> list[str]:
        """Name of every token, indexed by token value (e.g. ``note-on-60``, ``time-shift-5``, ``bar``)."""
        low = self.tempo_range[0]
        label = {
            "note-on": lambda i: f"note-on-{i}",
            "note-off": lambda i: f"note-off-{i}",
            "time-shift": lambda i: f"time-shift-{i + 1}",
            "velocity": lambda i: f"velocity-{int(self.bin_to_velocity(i))}",
            "program": lambda i: "program-drum" if i == DRUM else f"program-{i}",
            "track": lambda i: f"track-{i}",
            "tempo": lambda i: f"tempo-{low + i}",
            "end-of-sequence": lambda i: "end-of-sequence",
            "bar": lambda i: "bar",
            "position": lambda i: f"position-{i}",
            "time-signature": lambda i: "time-signature-{}/{}".format(*self.time_signature_of(i)),
            "pitch": lambda i: f"pitch-{i}",
            "duration": lambda i: f"duration-{i}",
        }
        return [label[kind](i) for kind in self.kinds for i in range(self.sizes[kind])]

    def time_signature_index(self, numerator: int, denominator: int) -> Optional[int]:
        """Index of ``numerator/denominator`` in the time-signature block, or None if it has no token."""
        if not 1 <= numerator <= self.max_numerator or denominator not in DENOMINATORS:
            return None
        return (numerator - 1) * len(DENOMINATORS) + DENOMINATORS.index(denominator)

    def time_signature_of(self, index: int) -> tuple[int, int]:
        """``(numerator, denominator)`` of a time-signature block index."""
        return index // len(DENOMINATORS) + 1, DENOMINATORS[index % len(DENOMINATORS)]


def event_vocabulary(**options) -> list[str]:
    """Token names of the event representation with the given options, indexed by token value.

    Takes the options of :class:`EventVocabulary` (``mode``, ``max_time_shift``, ``velocity_bins``...);
    the vocabulary size is the length of the list.

    Examples
    --------
    >>> names = event_vocabulary()
    >>> len(names), names[60], names[128 + 60], names[256]
    (862, 'note-on-60', 'note-off-60', 'time-shift-1')
    """
    return EventVocabulary(**options).names()
