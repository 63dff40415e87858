"""Event representation: a piece as a sequence of integer tokens, MIDI-like or REMI-style.

MIDI-like (``mode="midi"``, after Oore et al. 2018)
    ``note-on-p``, ``note-off-p``, ``time-shift-k`` (advance ``k`` steps), ``velocity-v`` (velocity of
    the following note-ons), ``program-k``/``program-drum`` (the track the following note events belong
    to) and ``tempo-q`` (a tempo change to ``q`` qpm at the current time).
REMI-style (``mode="remi"``, after Huang and Yang 2020): see :mod:`muspy_like.representations.remi`.

See :mod:`muspy_like.representations.vocabulary` for the token values and :func:`event_vocabulary` for
their names.

What the MIDI-like sequence holds
---------------------------------
* The sequence opens with a header that declares every track (``track-i program-p``), so the decoded
  piece has the same tracks in the same order, empty ones included, with their programs (drum tracks are
  ``program-drum`` and decode with program 0). See :mod:`~muspy_like.representations.instruments` for
  the program-only (``encode_track=False``) and merged modes.
* At one step, tokens come in this order: tempo changes, then per track (in track order) its note-ons
  (shorter notes first), then its note-offs; a ``track`` token comes before a note event whenever the
  track changes. Note-ons before note-offs keep zero-length notes and back-to-back repeated notes intact.
* Decoding matches each note-off with the earliest open note-on of the same pitch and track
  (first in, first out); a note-off with no open note is ignored, a note-on never closed is dropped.

Exact round trip
----------------
With the default options, ``from_event_representation(to_event_representation(music, resolution=r),
resolution=r)`` equals ``music`` (compared as notes per track, sorted; programs; drum flags; tempos) when:
the piece's resolution is ``r`` (or ``resolution=None`` and the decoder is given the piece's resolution);
it has at most ``max_tracks`` (64) tracks and drum tracks have program 0; every velocity is on the grid of
the velocity bins (0, 4, ..., 124 with 32 bins); every tempo is a whole number of qpm within
``tempo_range`` and the tempos are sorted by time; and, per track and pitch, notes sorted by onset (then
length) end in the same order (first-in-first-out note-offs then close the right note). Everything else
in the piece (names, key and time signatures, lyrics, controllers...) is not represented.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from muspy_like.core import DEFAULT_RESOLUTION, DEFAULT_VELOCITY, Music, Tempo
from muspy_like.errors import RepresentationError
from muspy_like.representations.common import (
    DEFAULT_TEMPO_RANGE,
    check_integer_array,
    gather_notes,
    new_music,
    quantize_tempo,
    state_at,
)
from muspy_like.representations.instruments import (
    decode_tracks,
    group_state,
    header_tokens,
    needs_switch,
    note_groups,
    switch_block,
)
from muspy_like.representations.vocabulary import DRUM, EventVocabulary, event_vocabulary

__all__ = ["to_event_representation", "from_event_representation", "event_vocabulary"]


def to_event_representation(
    music: Music,
    mode: str = "midi",
    resolution: Optional[int] = None,
    max_time_shift: int = 100,
    velocity_bins: int = 32,
    encode_velocity: bool = True,
    force_velocity_event: bool = True,
    encode_program: bool = True,
    encode_track: bool = True,
    max_tracks: int = 64,
    encode_tempo: bool = True,
    tempo_range: tuple[int, int] = DEFAULT_TEMPO_RANGE,
    use_end_of_sequence_event: bool = False,
    max_bar_quarters: int = 8,
    max_duration_quarters: int = 16,
    max_numerator: int = 16,
    dtype: type = np.int64,
) -> np.ndarray:
    """Encode a piece as a sequence of event tokens.

    Parameters
    ----------
    music : Music
        The piece.
    mode : {"midi", "remi"}
        MIDI-like or REMI-style tokens.
    resolution : int, optional
        Steps per quarter note of the time grid; default: one step per tick of the piece.
    max_time_shift : int, default 100
        MIDI-like: longest time shift of one token, in steps.
    velocity_bins : int, default 32
        Number of velocity tokens.
    encode_velocity : bool, default True
        Whether to write velocity tokens (MusPy's default is False).
    force_velocity_event : bool, default True
        Write a velocity token before every note; with False, only when the velocity bin changes.
    encode_program : bool, default True
        Whether to write program tokens (the instrument of each track).
    encode_track : bool, default True
        Whether to write track tokens, so that tracks sharing a program stay apart; with False,
        program tokens switch instruments and such tracks merge (see
        :mod:`~muspy_like.representations.instruments`).
    max_tracks : int, default 64
        Number of track tokens (a piece with more tracks raises :class:`RepresentationError`).
    encode_tempo : bool, default True
        Whether to write tempo tokens.
    tempo_range : (int, int), default (20, 300)
        Tempo tokens, in whole qpm; tempos are rounded and clipped to it.
    use_end_of_sequence_event : bool, default False
        Whether to end the sequence with an end-of-sequence token.
    max_bar_quarters, max_duration_quarters, max_numerator : int
        REMI vocabulary sizes (see :class:`~muspy_like.representations.vocabulary.EventVocabulary`).
    dtype : numpy dtype, default int64
        Type of the returned array.

    Returns
    -------
    numpy.ndarray, shape (M, 1)
        The tokens (shape of MusPy's event representation).

    Examples
    --------
    >>> from muspy_like import Music, Track, Note
    >>> music = Music(tracks=[Track(notes=[Note(0, 60, 4, 64)])])
    >>> names = event_vocabulary(encode_tempo=True)
    >>> [names[t] for t in to_event_representation(music).ravel()]
    ['track-0', 'program-0', 'velocity-64', 'note-on-60', 'time-shift-4', 'note-off-60']
    """
    vocab = EventVocabulary(
        mode=mode, resolution=music.resolution if resolution is None else resolution, max_time_shift=max_time_shift,
        velocity_bins=velocity_bins, encode_velocity=encode_velocity, encode_program=encode_program,
        encode_track=encode_track, max_tracks=max_tracks, encode_tempo=encode_tempo, tempo_range=tuple(tempo_range), use_end_of_sequence_event=use_end_of_sequence_event,
        max_bar_quarters=max_bar_quarters, max_duration_quarters=max_duration_quarters, max_numerator=max_numerator)
    if mode == "remi":
        from muspy_like.representations.remi import encode_remi

        tokens = encode_remi(music, vocab, resolution, force_velocity_event)
    else:
        tokens = _encode_midi_like(music, vocab, resolution, force_velocity_event)
    if use_end_of_sequence_event:
        tokens = np.append(tokens, vocab.token("end-of-sequence", 0))
    return tokens.astype(dtype).reshape(-1, 1)


def _encode_midi_like(music: Music, vocab: EventVocabulary, resolution: Optional[int],
                      force_velocity_event: bool) -> np.ndarray:
    table = gather_notes(music, resolution)
    n = len(table)
    group = note_groups(table, vocab)
    tempo_time = np.array([t.time for t in table.tempos], dtype=np.int64) if vocab.encode_tempo else np.zeros(0, np.int64)
    n_tempo = len(tempo_time)
    # One row per event: tempo changes, note-ons, note-offs. Sort key: time, tempo first, track (or
    # instrument), ons before offs, pitch, then duration so that first-in-first-out note-offs close the
    # right note.
    time = np.concatenate([tempo_time, table.time, table.end])
    rank = np.concatenate([np.zeros(n_tempo, np.int64), np.ones(2 * n, np.int64)])
    inst = np.concatenate([np.zeros(n_tempo, np.int64), group, group])
    is_off = np.concatenate([np.zeros(n_tempo + n, np.int64), np.ones(n, np.int64)])
    pitch = np.concatenate([np.zeros(n_tempo, np.int64), table.pitch, table.pitch])
    duration = np.concatenate([np.zeros(n_tempo, np.int64), table.duration, table.duration])
    order = _event_order(time, rank, inst, is_off, pitch, duration)
    time, rank, inst, is_off, pitch = time[order], rank[order], inst[order], is_off[order], pitch[order]
    source = order - n_tempo  # index into the note table (for ons and offs), negative for tempos

    is_tempo = rank == 0
    is_on = ~is_tempo & (is_off == 0)
    main = np.where(is_on, vocab.token("note-on", pitch), vocab.offsets["note-off"] + pitch)
    if n_tempo:
        qpm = np.array([t.qpm for t in table.tempos], dtype=np.float64)
        tempo_index = quantize_tempo(qpm, vocab.tempo_range) - vocab.tempo_range[0]
        main[is_tempo] = vocab.token("tempo", tempo_index[order[is_tempo]])
    header = header_tokens(music, vocab)
    needs_program = np.zeros(len(time), dtype=bool)
    needs_program[~is_tempo] = needs_switch(inst[~is_tempo], header, vocab)
    velocity_bin = np.zeros(len(time), dtype=np.int64)
    if vocab.encode_velocity:
        velocity_bin[is_on] = vocab.velocity_to_bin(table.velocity[source[is_on]])
    needs_velocity = _velocity_rows(is_on, velocity_bin, vocab.encode_velocity, force_velocity_event)
    return np.concatenate([header, _lay_out(time, main, inst, needs_program, velocity_bin, needs_velocity, vocab)])


def _velocity_rows(is_on: np.ndarray, velocity_bin: np.ndarray, encode_velocity: bool, force: bool) -> np.ndarray:
    """Rows that get a velocity token: every note-on when forced, else those where the bin changes."""
    if not encode_velocity:
        return np.zeros(len(is_on), dtype=bool)
    if force:
        return is_on.copy()
    needs = np.zeros(len(is_on), dtype=bool)
    on_bins = velocity_bin[is_on]
    changed = np.ones(len(on_bins), dtype=bool)
    changed[1:] = on_bins[1:] != on_bins[:-1]
    needs[is_on] = changed
    return needs


def _lay_out(time: np.ndarray, main: np.ndarray, inst: np.ndarray, needs_program: np.ndarray,
             velocity_bin: np.ndarray, needs_velocity: np.ndarray, vocab: EventVocabulary) -> np.ndarray:
    """The tokens of the sorted rows, without a Python loop.

    Every row takes [full shifts][remainder][track switch][velocity][main] at an offset given by the
    cumulative counts; unfilled places are full shifts.
    """
    gap = time.copy()
    gap[1:] -= time[:-1]
    full_shifts, remainder = np.divmod(gap, vocab.max_time_shift)
    has_remainder = remainder > 0
    counts = full_shifts + has_remainder + needs_program + needs_velocity + 1
    ends = np.cumsum(counts)
    out = np.full(int(ends[-1]) if len(time) else 0, vocab.token("time-shift", vocab.max_time_shift - 1), dtype=np.int64)
    out[ends - 1] = main
    at = ends - 1 - needs_velocity
    out[(ends - 2)[needs_velocity]] = vocab.offsets["velocity"] + velocity_bin[needs_velocity]
    if needs_program.any():
        out[(at - 1)[needs_program]] = vocab.offsets[switch_block(vocab)] + inst[needs_program]
    starts = ends - counts
    out[(starts + full_shifts)[has_remainder]] = vocab.offsets["time-shift"] + remainder[has_remainder] - 1
    return out


def _event_order(time: np.ndarray, rank: np.ndarray, group: np.ndarray, is_off: np.ndarray, pitch: np.ndarray,
                 duration: np.ndarray) -> np.ndarray:
    """Stable sort order by (time, rank, group, is_off, pitch, duration).

    The keys are packed into one int64 when their ranges allow it (one argsort is several times faster
    than a six-key lexsort on the short sequences of a typical piece); otherwise a lexsort.
    """
    if not len(time):
        return np.zeros(0, dtype=np.int64)
    groups, durations = int(group.max()) + 1, int(duration.max()) + 1
    if int(time.max()) < 2**62 // (2 * groups * 2 * 128 * durations):
        key = ((((time * 2 + rank) * groups + group) * 2 + is_off) * 128 + pitch) * durations + duration
        return np.argsort(key, kind="stable")
    return np.lexsort((duration, pitch, is_off, group, rank, time))


def from_event_representation(
    array: np.ndarray,
    mode: str = "midi",
    resolution: Optional[int] = None,
    program: int = 0,
    is_drum: bool = False,
    max_time_shift: int = 100,
    velocity_bins: int = 32,
    encode_velocity: bool = True,
    encode_program: bool = True,
    encode_track: bool = True,
    max_tracks: int = 64,
    encode_tempo: bool = True,
    tempo_range: tuple[int, int] = DEFAULT_TEMPO_RANGE,
    use_end_of_sequence_event: bool = False,
    max_bar_quarters: int = 8,
    max_duration_quarters: int = 16,
    max_numerator: int = 16,
    default_velocity: int = DEFAULT_VELOCITY,
) -> Music:
    """Decode event tokens into a piece.

    Parameters
    ----------
    array : numpy.ndarray, shape (M,) or (M, 1)
        Tokens, as written by :func:`to_event_representation` with the same options.
    mode, max_time_shift, velocity_bins, encode_velocity, encode_program, encode_track, max_tracks,
    encode_tempo, tempo_range, use_end_of_sequence_event, max_bar_quarters, max_duration_quarters, max_numerator
        The vocabulary options used to encode.
    resolution : int, optional
        Steps per quarter note, which becomes the piece's resolution (default 24).
    program, is_drum : int, bool
        Instrument of notes that come before any program token.
    default_velocity : int, default 64
        Velocity of notes that come before any velocity token.

    Returns
    -------
    Music
        One track per instrument, in order of first appearance; tokens after an end-of-sequence token
        are ignored.
    """
    vocab = EventVocabulary(
        mode=mode, resolution=DEFAULT_RESOLUTION if resolution is None else resolution, max_time_shift=max_time_shift,
        velocity_bins=velocity_bins, encode_velocity=encode_velocity, encode_program=encode_program,
        encode_track=encode_track, max_tracks=max_tracks, encode_tempo=encode_tempo, tempo_range=tuple(tempo_range), use_end_of_sequence_event=use_end_of_sequence_event,
        max_bar_quarters=max_bar_quarters, max_duration_quarters=max_duration_quarters, max_numerator=max_numerator)
    tokens = check_integer_array(array, f"{mode} event representation", (1, 2)).reshape(-1).astype(np.int64)
    bad = np.flatnonzero((tokens < 0) | (tokens >= len(vocab)))
    if len(bad):
        raise RepresentationError(f"event representation: token {int(tokens[bad[0]])} at position {int(bad[0])} "
                                  f"is outside the vocabulary 0..{len(vocab) - 1}")
    if use_end_of_sequence_event:
        stop = np.flatnonzero(tokens == vocab.token("end-of-sequence", 0))
        if len(stop):
            tokens = tokens[: stop[0]]
    default_instrument = DRUM if is_drum else program
    if mode == "remi":
        from muspy_like.representations.remi import decode_remi

        decoded = decode_remi(tokens, vocab, default_velocity)
    else:
        decoded = _decode_midi_like(tokens, vocab, default_instrument, default_velocity)
    (note_at, time, pitch, duration, velocity), tempos, time_signatures = decoded
    kind, index = vocab.split(tokens)
    tracks = decode_tracks(kind, index, note_at, time, pitch, duration, velocity, vocab, default_instrument)
    music = new_music(resolution, tempos, tracks)
    music.time_signatures = time_signatures
    return music


def _decode_midi_like(tokens: np.ndarray, vocab: EventVocabulary, default_instrument: int,
                      default_velocity: int) -> tuple:
    kind, index = vocab.split(tokens)
    is_shift = kind == vocab.kind_number("time-shift")
    now = np.cumsum(np.where(is_shift, index + 1, 0))
    group = group_state(kind, index, vocab, default_instrument)
    is_velocity = kind == vocab.kind_number("velocity")
    velocity_at = np.flatnonzero(is_velocity)
    velocity = state_at(velocity_at, vocab.bin_to_velocity(index[velocity_at]), len(tokens), default_velocity)
    is_tempo = kind == vocab.kind_number("tempo")
    tempos = [Tempo(int(t), float(vocab.tempo_range[0] + i)) for t, i in zip(now[is_tempo], index[is_tempo])]

    is_on = kind == vocab.kind_number("note-on")
    is_off = kind == vocab.kind_number("note-off")
    onset, offset = match_first_in_first_out(np.flatnonzero(is_on | is_off), is_on,
                                             group * 128 + index)
    return (onset, now[onset], index[onset], now[offset] - now[onset], velocity[onset]), tempos, []


def match_first_in_first_out(events: np.ndarray, is_on: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pair note-ons with note-offs of the same key, each note-off closing the earliest open note-on.

    Parameters
    ----------
    events : numpy.ndarray of int
        Sequence positions of the note-on and note-off tokens, increasing.
    is_on : numpy.ndarray of bool
        Over all sequence positions: whether the token is a note-on.
    key : numpy.ndarray of int
        Over all sequence positions: track (or instrument) * 128 + pitch.

    Returns
    -------
    (onset, offset) : numpy.ndarray of int
        Sequence positions of matched pairs. Note-offs with nothing open are ignored; note-ons never
        closed are left out.

    Notes
    -----
    Vectorized: within one key, with ``+1`` per on and ``-1`` per off and ``p`` the running sum, an off is
    ignored exactly when ``p`` falls below every earlier value (and below 0); the k-th kept off then
    closes the k-th on.
    """
    order = events[np.argsort(key[events], kind="stable")]
    keys = key[order]
    sign = np.where(is_on[order], 1, -1)
    m = len(order)
    if m == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    first = np.ones(m, dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    segment = np.cumsum(first) - 1
    running = np.cumsum(sign)
    before = (running - sign)[first][segment]
    level = running - before
    spread = 2 * m + 2
    shifted = level - segment * spread
    lowest = np.minimum.accumulate(shifted)
    lowest_before = np.empty(m, dtype=np.int64)
    lowest_before[0] = 0
    lowest_before[1:] = lowest[:-1]
    lowest_before = np.minimum(lowest_before, -segment * spread)
    kept_off = (sign < 0) & (shifted >= lowest_before)
    ons, offs = order[sign > 0], order[kept_off]
    on_keys, off_keys = keys[sign > 0], keys[kept_off]
    on_rank = np.arange(len(ons)) - np.searchsorted(on_keys, on_keys)
    off_rank = np.arange(len(offs)) - np.searchsorted(off_keys, off_keys)
    width = m + 1
    off_code = off_keys * width + off_rank
    on_code = on_keys * width + on_rank
    where = np.searchsorted(off_code, on_code)
    found = where < len(off_code)
    found[found] = off_code[where[found]] == on_code[found]
    return ons[found], offs[where[found]]
