"""REMI-style event tokens (``to_event_representation(music, mode="remi")``).

After REMI (Huang and Yang, "Pop Music Transformer", ACM MM 2020) with the instrument tokens of REMI+
(von Rütte et al., "FIGARO", ICLR 2023), but meter-aware: bars follow the piece's time signatures
(:mod:`muspy_like.core.meter`), and a ``time-signature`` token after a ``bar`` token says that a new meter
starts with that bar.

Sequence
--------
The track header (see :mod:`~muspy_like.representations.instruments`), then for each bar: ``bar``,
[``time-signature-n/d``], and for each step of the bar where something happens: ``position-p`` (steps
from the bar start), [``tempo-q``]..., then per note [``track-i``] (when the track changes; or
``program-k`` with ``encode_track=False``) [``velocity-v``] ``pitch-p`` ``duration-d``. Every bar up to the last event gets a ``bar`` token, empty
or not.

A bar cut short by a time signature inside it (the meter module starts a new bar there) is marked by a
``position`` token giving its true length right before the next ``bar`` token; otherwise a bar lasts
what its meter says.

Exact round trip
----------------
As for the MIDI-like mode (resolution, at most ``max_tracks`` tracks, velocity and tempo grids), except that
overlapping notes of one pitch are always kept apart (durations are explicit); in addition time
signatures come back when they have tokens (numerator up to ``max_numerator``, denominator a power of
two up to 64) and no two share a tick, every bar lasts at least one step and at most ``max_bar_quarters`` quarter notes, and no
note is longer than ``max_duration_quarters`` (longer ones are clipped to it).
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from muspy_like.core import Music, Tempo, TimeSignature
from muspy_like.core.meter import bar_length, bar_ticks
from muspy_like.errors import RepresentationError
from muspy_like.representations.common import gather_notes, on_grid, quantize_tempo, state_at
from muspy_like.representations.instruments import header_tokens, needs_switch, note_groups, switch_block
from muspy_like.representations.vocabulary import EventVocabulary

__all__ = ["encode_remi", "decode_remi"]

_BAR, _SIGNATURE, _TEMPO, _NOTE = 0, 1, 2, 3


def _effective_time_signatures(music: Music) -> list[TimeSignature]:
    """One time signature per tick (the last listed wins, as in the meter module), sorted by time."""
    by_time = {int(ts.time): ts for ts in sorted(music.time_signatures, key=lambda ts: ts.time)}
    return [by_time[t] for t in sorted(by_time)]


def _next_bar_start(segment_start: int, length: float, index_in_segment: int) -> int:
    """Where the bar after the ``index_in_segment``-th bar of a meter segment starts (as the meter module)."""
    return int(np.floor(segment_start + (index_in_segment + 1) * length + 0.5))


def interleave(slots: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Lay out per-row tokens: row ``i`` contributes ``values[i]`` of every slot whose ``mask[i]`` is set.

    Slots are ``(mask, values)`` pairs over the same rows, in the order their tokens appear in a row.
    """
    counts = np.sum([mask for mask, _ in slots], axis=0)
    out = np.empty(int(counts.sum()), dtype=np.int64)
    place = np.cumsum(counts) - counts
    for mask, values in slots:
        out[place[mask]] = values[mask]
        place = place + mask
    return out


def encode_remi(music: Music, vocab: EventVocabulary, resolution: Optional[int],
                force_velocity_event: bool) -> np.ndarray:
    """REMI-style tokens of ``music`` (see the module notes); called by ``to_event_representation``."""
    grid = on_grid(music, resolution)
    table = gather_notes(grid)
    signatures = _effective_time_signatures(grid)
    signature_index = _signature_indexes(signatures, vocab)
    tempos = table.tempos if vocab.encode_tempo else []
    tempo_time = np.array([t.time for t in tempos], dtype=np.int64)
    signature_time = np.array([ts.time for ts in signatures], dtype=np.int64)
    end = 1 + max([0] + [int(table.time.max()) if len(table) else 0] + tempo_time.tolist() + signature_time.tolist())
    bars = bar_ticks(signatures, grid.resolution, end)
    cut_short, marker = _bar_markers(signatures, signature_time, bars, grid.resolution, vocab)
    rows = _Rows.sorted(bars, signature_time, tempo_time, table, vocab)
    header = header_tokens(grid, vocab)
    n_bar, n_sig = len(bars), len(signatures)
    is_bar, is_sig, is_tempo, is_note = (rows.rank == _BAR), (rows.rank == _SIGNATURE), (rows.rank == _TEMPO), (rows.rank == _NOTE)
    is_marker = np.zeros(len(rows.rank), dtype=bool)
    is_marker[is_bar] = cut_short[rows.source[is_bar]]
    marker_value = np.zeros(len(rows.rank), dtype=np.int64)
    marker_value[is_bar] = marker[rows.source[is_bar]]
    signature_value = np.zeros(len(rows.rank), dtype=np.int64)
    signature_value[is_sig] = np.asarray(signature_index, dtype=np.int64)[rows.source[is_sig] - n_bar]
    tempo_value = np.zeros(len(rows.rank), dtype=np.int64)
    if len(tempos):
        tempo_index = quantize_tempo([t.qpm for t in tempos], vocab.tempo_range) - vocab.tempo_range[0]
        tempo_value[is_tempo] = vocab.offsets["tempo"] + tempo_index[rows.source[is_tempo] - n_bar - n_sig]
    switch_offset = vocab.offsets[switch_block(vocab)] if switch_block(vocab) else 0
    tokens = interleave([
        (is_marker, vocab.offsets["position"] + marker_value),
        (is_bar, np.full(len(rows.rank), vocab.offsets["bar"])),
        (is_sig, vocab.offsets["time-signature"] + signature_value),
        (rows.needs_position(bars), vocab.offsets["position"] + rows.time - bars[rows.bar(bars)]),
        (is_tempo, tempo_value),
        (rows.needs_program(header, vocab), switch_offset + rows.inst),
        (rows.needs_velocity(vocab, force_velocity_event), vocab.offsets["velocity"] + rows.velocity_bin),
        (is_note, vocab.offsets["pitch"] + rows.pitch),
        (is_note, vocab.offsets["duration"] + rows.duration),
    ])
    return np.concatenate([header, tokens])


def _signature_indexes(signatures: list[TimeSignature], vocab: EventVocabulary) -> list[int]:
    """The ``time-signature`` token index of each time signature; an error for one without a token."""
    indexes = []
    for ts in signatures:
        index = vocab.time_signature_index(ts.numerator, ts.denominator)
        if index is None:
            raise RepresentationError(
                f"REMI representation: time signature {ts.numerator}/{ts.denominator} at tick {ts.time} has no "
                f"token (numerators 1..{vocab.max_numerator}, denominators up to 64); raise max_numerator")
        indexes.append(index)
    return indexes


def _bar_markers(signatures: list[TimeSignature], signature_time: np.ndarray, bars: np.ndarray, steps: int,
                 vocab: EventVocabulary) -> tuple[np.ndarray, np.ndarray]:
    """Which bars a new meter cuts short, and each bar's true length in steps (the marker's value).

    Every bar must also fit the position tokens: a meter whose bar lasts less than one step or more than
    ``vocab.max_position`` steps is an error.
    """
    segment_starts = np.concatenate([[0], signature_time[signature_time > 0]]) if len(signatures) else np.zeros(1, np.int64)
    segment_meters = ([TimeSignature(0, 4, 4)] if not len(signatures) or signatures[0].time > 0 else []) + signatures
    segment_of_bar = np.searchsorted(segment_starts, bars, side="right") - 1
    lengths = np.array([bar_length(ts, steps) for ts in segment_meters])
    too_short = np.flatnonzero(lengths < 1)
    if len(too_short):
        ts = segment_meters[too_short[0]]
        raise RepresentationError(f"REMI representation: a bar of {ts.numerator}/{ts.denominator} lasts "
                                  f"{lengths[too_short[0]]:g} steps at {steps} steps per quarter note, less than "
                                  f"one step; encode with a finer resolution")
    too_long = np.flatnonzero(np.ceil(lengths - 1e-9) > vocab.max_position)
    if len(too_long):
        ts = segment_meters[too_long[0]]
        raise RepresentationError(f"REMI representation: a bar of {ts.numerator}/{ts.denominator} lasts "
                                  f"{lengths[too_long[0]]:g} steps, more than the {vocab.max_position} position "
                                  f"tokens; raise max_bar_quarters")
    first_bar_of_segment = np.searchsorted(bars, segment_starts)
    index_in_segment = np.arange(len(bars)) - first_bar_of_segment[segment_of_bar]
    expected = np.floor(segment_starts[segment_of_bar] + (index_in_segment + 1) * lengths[segment_of_bar] + 0.5)
    cut_short = np.zeros(len(bars), dtype=bool)
    cut_short[1:] = bars[1:] != expected[:-1].astype(np.int64)
    marker = np.zeros(len(bars), dtype=np.int64)
    marker[1:] = np.diff(bars)
    return cut_short, marker


class _Rows:
    """Bars, time signatures, tempos and notes as one table sorted in token order (one row per event).

    ``source`` is each row's index into the inputs stacked in that order (bars, signatures, tempos, notes).
    """

    def __init__(self, columns: dict[str, np.ndarray]) -> None:
        self.time, self.rank, self.inst = columns["time"], columns["rank"], columns["inst"]
        self.pitch, self.duration, self.velocity_bin = columns["pitch"], columns["duration"], columns["velocity_bin"]
        self.source = columns["source"]

    @classmethod
    def sorted(cls, bars: np.ndarray, signature_time: np.ndarray, tempo_time: np.ndarray, table: object,
               vocab: EventVocabulary) -> "_Rows":
        sizes = (len(bars), len(signature_time), len(tempo_time))

        def stack(others: tuple, note: np.ndarray) -> np.ndarray:
            return np.concatenate([np.asarray(part, np.int64) for part in (*others, note)])

        empty = tuple(np.zeros(size, np.int64) for size in sizes)
        columns = {
            "time": stack((bars, signature_time, tempo_time), table.time),
            "rank": stack(tuple(np.full(size, rank, np.int64) for size, rank in zip(sizes, (_BAR, _SIGNATURE, _TEMPO))),
                          np.full(len(table), _NOTE, np.int64)),
            "inst": stack(empty, note_groups(table, vocab)),
            "pitch": stack(empty, table.pitch),
            "duration": stack(empty, np.minimum(table.duration, vocab.max_duration)),
            "velocity_bin": stack(empty, vocab.velocity_to_bin(table.velocity)),
        }
        order = np.lexsort(tuple(columns[name] for name in ("velocity_bin", "duration", "pitch", "inst", "rank", "time")))
        columns = {name: column[order] for name, column in columns.items()}
        columns["source"] = order
        return cls(columns)

    def bar(self, bars: np.ndarray) -> np.ndarray:
        """The bar of each row."""
        return np.searchsorted(bars, self.time, side="right") - 1

    def needs_position(self, bars: np.ndarray) -> np.ndarray:
        """Rows of tempos and notes that start a new step (after a bar or signature, or at a new time)."""
        previous_rank = np.concatenate([[_BAR], self.rank[:-1]])
        previous_time = np.concatenate([[-1], self.time[:-1]])
        is_event = (self.rank == _TEMPO) | (self.rank == _NOTE)
        return is_event & ((previous_rank <= _SIGNATURE) | (previous_time != self.time))

    def needs_program(self, header: np.ndarray, vocab: EventVocabulary) -> np.ndarray:
        """Note rows whose track (or program) differs from the previous note's."""
        is_note = self.rank == _NOTE
        needs = np.zeros(len(self.rank), dtype=bool)
        needs[is_note] = needs_switch(self.inst[is_note], header, vocab)
        return needs

    def needs_velocity(self, vocab: EventVocabulary, force: bool) -> np.ndarray:
        """Note rows that get a velocity token: every note when forced, else where the bin changes."""
        is_note = self.rank == _NOTE
        needs = np.zeros(len(self.rank), dtype=bool)
        if vocab.encode_velocity:
            if force:
                return is_note
            bins = self.velocity_bin[is_note]
            needs[is_note] = np.concatenate([[True], bins[1:] != bins[:-1]])
        return needs


def decode_remi(tokens: np.ndarray, vocab: EventVocabulary, default_velocity: int) -> tuple:
    """Notes, tempos and time signatures of REMI-style tokens; called by ``from_event_representation``."""
    kind, index = vocab.split(tokens)
    length = len(tokens)
    number = {name: vocab.kind_number(name) for name in vocab.kinds}
    is_position = kind == number["position"]
    bar_at = np.flatnonzero(kind == number["bar"])
    starts, signatures = _bar_starts(kind, index, bar_at, number, vocab)
    bar_number = np.cumsum(kind == number["bar"]) - 1
    bar_start = np.append(np.asarray(starts, dtype=np.int64), 0)[bar_number]  # -1 (before any bar) -> 0
    position_at = np.flatnonzero(is_position)
    last_position = state_at(position_at, position_at, length, -1)
    last_bar = state_at(bar_at, bar_at, length, -1)
    offset = np.where(last_position > last_bar, index[np.maximum(last_position, 0)], 0)
    now = bar_start + offset

    velocity_at = np.flatnonzero(kind == number["velocity"])
    velocity = state_at(velocity_at, vocab.bin_to_velocity(index[velocity_at]), length, default_velocity)
    is_tempo = kind == number["tempo"]
    tempos = [Tempo(int(t), float(vocab.tempo_range[0] + i)) for t, i in zip(now[is_tempo], index[is_tempo])]

    pitch_at = np.flatnonzero(kind == number["pitch"])
    pitch_at = pitch_at[pitch_at + 1 < length]
    pitch_at = pitch_at[kind[pitch_at + 1] == number["duration"]]
    notes = (pitch_at, now[pitch_at], index[pitch_at], index[pitch_at + 1], velocity[pitch_at])
    return notes, tempos, signatures


def _bar_starts(kind: np.ndarray, index: np.ndarray, bar_at: np.ndarray, number: dict[str, int],
                vocab: EventVocabulary) -> tuple[list[int], list[TimeSignature]]:
    """The tick of each ``bar`` token and the time signatures they start.

    A short loop over bars (not notes) replays the meter module's grid: a bar starts where its meter puts
    it, or where the ``position`` marker before its token says the previous bar was cut short.
    """
    is_position = kind == number["position"]
    starts: list[int] = []
    signatures: list[TimeSignature] = []
    segment_start, meter, index_in_segment = 0, TimeSignature(0, 4, 4), 0
    for count, at in enumerate(bar_at.tolist()):
        if count == 0:
            start = 0
        elif at > 0 and is_position[at - 1]:
            start = starts[-1] + int(index[at - 1])
            index_in_segment += 1
        else:
            start = _next_bar_start(segment_start, bar_length(meter, vocab.resolution), index_in_segment)
            index_in_segment += 1
        if at + 1 < len(kind) and kind[at + 1] == number["time-signature"]:
            numerator, denominator = vocab.time_signature_of(int(index[at + 1]))
            meter = TimeSignature(start, numerator, denominator)
            signatures.append(meter)
            segment_start, index_in_segment = start, 0
        starts.append(start)
    return starts, signatures
