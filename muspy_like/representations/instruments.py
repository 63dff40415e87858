"""Which track each note event belongs to, in the event representations (MIDI-like and REMI).

Two ways, chosen by the vocabulary options:

``encode_track=True`` (default)
    The sequence opens with a header that declares every track: ``track-i`` then ``program-p`` (or
    ``program-drum``). Later, a ``track-i`` token says that the following note events belong to track ``i``.
    Tracks that share a program stay apart (piano left and right hands, the four voices of a chorale).
``encode_track=False`` and ``encode_program=True``
    The header is one ``program`` token per track, and a ``program`` token switches instrument; tracks
    that share an instrument are merged on decoding (the REMI+ convention).
Neither
    All tracks are merged into one, with the decoder's ``program`` and ``is_drum``.

A switch token is written only when the track (or instrument) changes from one note event to the next.
"""

from __future__ import annotations

import numpy as np

from muspy_like.core import Music
from muspy_like.errors import RepresentationError
from muspy_like.representations.common import NoteTable, build_tracks, state_at
from muspy_like.representations.vocabulary import DRUM, EventVocabulary

__all__ = [
    "instrument_of",
    "note_groups",
    "switch_block",
    "header_tokens",
    "needs_switch",
    "group_state",
    "decode_tracks",
]


def instrument_of(program: np.ndarray, drum: np.ndarray) -> np.ndarray:
    """Program-block index of each note's instrument: its program, or :data:`DRUM` for drum tracks."""
    return np.where(drum, DRUM, program)


def switch_block(vocab: EventVocabulary) -> "str | None":
    """The block whose tokens switch tracks: ``"track"``, ``"program"`` or None (tracks merged)."""
    if vocab.encode_track:
        return "track"
    return "program" if vocab.encode_program else None


def note_groups(table: NoteTable, vocab: EventVocabulary) -> np.ndarray:
    """Group of each note: its track index, its instrument, or 0 when tracks are merged."""
    block = switch_block(vocab)
    if block == "track":
        return table.track
    if block == "program":
        return instrument_of(table.program, table.drum)
    return np.zeros(len(table), dtype=np.int64)


def header_tokens(music: Music, vocab: EventVocabulary) -> np.ndarray:
    """Tokens that declare the tracks, in track order (see the module notes)."""
    block = switch_block(vocab)
    instruments = instrument_of(np.array([t.program for t in music.tracks], dtype=np.int64),
                                np.array([t.is_drum for t in music.tracks], dtype=bool))
    if block is None:
        return np.zeros(0, dtype=np.int64)
    if block == "program":
        return vocab.token("program", instruments)
    if len(music.tracks) > vocab.max_tracks:
        raise RepresentationError(f"event representation: the piece has {len(music.tracks)} tracks but only "
                                  f"{vocab.max_tracks} track tokens; raise max_tracks")
    tracks = vocab.token("track", np.arange(len(music.tracks)))
    if not vocab.encode_program:
        return tracks
    return np.column_stack([tracks, vocab.token("program", instruments)]).ravel()


def needs_switch(groups: np.ndarray, header: np.ndarray, vocab: EventVocabulary) -> np.ndarray:
    """Whether each note event (in sequence order) needs a switch token before it."""
    block = switch_block(vocab)
    if block is None or not len(groups):
        return np.zeros(len(groups), dtype=bool)
    in_block = header[(header >= vocab.offsets[block]) & (header < vocab.offsets[block] + vocab.sizes[block])]
    current = int(in_block[-1]) - vocab.offsets[block] if len(in_block) else -1
    previous = np.concatenate([[current], groups[:-1]])
    return groups != previous


def group_state(kind: np.ndarray, index: np.ndarray, vocab: EventVocabulary, default_instrument: int) -> np.ndarray:
    """Track index (or instrument) in effect at every token; 0 (or ``default_instrument``) before any switch."""
    block = switch_block(vocab)
    if block is None:
        return np.zeros(len(kind), dtype=np.int64)
    switch_at = np.flatnonzero(kind == vocab.kind_number(block))
    return state_at(switch_at, index[switch_at], len(kind), 0 if block == "track" else default_instrument)


def decode_tracks(kind: np.ndarray, index: np.ndarray, note_at: np.ndarray, time: np.ndarray,
                  pitch: np.ndarray, duration: np.ndarray, velocity: np.ndarray, vocab: EventVocabulary,
                  default_instrument: int) -> list:
    """Tracks of decoded notes.

    Parameters
    ----------
    kind, index : numpy.ndarray of int
        Block number and index within the block of every token (:meth:`EventVocabulary.split`).
    note_at : numpy.ndarray of int
        Sequence position of each decoded note (its note-on or pitch token).
    time, pitch, duration, velocity : numpy.ndarray of int
        The decoded notes' columns.
    vocab : EventVocabulary
        The vocabulary.
    default_instrument : int
        Instrument (program or :data:`DRUM`) of notes with no declared track or instrument.
    """
    block = switch_block(vocab)
    if block is None:
        group = np.zeros(len(note_at), dtype=np.int64)
        order = [0] if len(note_at) else []
        return build_tracks(group, time, pitch, duration, velocity, {0: _instrument(default_instrument)}, order)
    switch_at = np.flatnonzero(kind == vocab.kind_number(block))
    group = group_state(kind, index, vocab, default_instrument)[note_at]
    if block == "program":
        order = list(dict.fromkeys(index[switch_at].tolist()))
        if len(note_at) and (not len(switch_at) or note_at.min() < switch_at[0]):
            order.insert(0, default_instrument)
        order += [g for g in np.unique(group).tolist() if g not in order]
        instruments = {g: _instrument(g) for g in order}
    else:
        declared = switch_at[switch_at + 1 < len(kind)]
        declared = declared[kind[declared + 1] == vocab.kind_number("program")] if vocab.encode_program else []
        instruments = {int(t): _instrument(int(p)) for t, p in zip(index[declared], index[np.asarray(declared) + 1])}
        order = sorted(set(index[switch_at].tolist()) | set(group.tolist()))
        instruments = {g: instruments.get(g, _instrument(default_instrument)) for g in order}
    return build_tracks(group, time, pitch, duration, velocity, instruments, order)


def _instrument(instrument: int) -> tuple[int, bool]:
    """``(program, is_drum)`` of a program-block index (drums decode with program 0)."""
    return (0, True) if instrument == DRUM else (int(instrument), False)
