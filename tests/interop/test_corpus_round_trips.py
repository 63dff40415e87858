"""Pieces of music21's bundled corpus through every MIDI-side library and back: notes, tempos, programs."""

from __future__ import annotations

import pytest
from music21 import corpus

from muspy_like.interop import (
    from_miditoolkit,
    from_mido,
    from_music21,
    from_pretty_midi,
    from_pypianoroll,
    from_symusic,
    to_miditoolkit,
    to_mido,
    to_pretty_midi,
    to_pypianoroll,
    to_symusic,
)

PIECES = ["bach/bwv66.6", "beethoven/opus18no1/movement1.mxl", "schoenberg/opus19/movement2"]
ROUND_TRIPS = {
    "mido": lambda m: from_mido(to_mido(m)),
    "pretty_midi": lambda m: from_pretty_midi(to_pretty_midi(m)),
    "miditoolkit": lambda m: from_miditoolkit(to_miditoolkit(m)),
    "symusic": lambda m: from_symusic(to_symusic(m)),
}


@pytest.fixture(scope="module", params=PIECES)
def corpus_music(request):
    return from_music21(corpus.parse(request.param), resolution=24)


@pytest.mark.parametrize("library", sorted(ROUND_TRIPS))
def test_corpus_piece_survives_the_library(corpus_music, library, content):
    back = ROUND_TRIPS[library](corpus_music)
    assert back.resolution == corpus_music.resolution
    assert content(back) == content(corpus_music)
    # music21 may give a bare signature (no mode); MIDI-side libraries write it as a major key.
    assert [(k.time, k.fifths) for k in back.key_signatures] == [
        (k.time, k.fifths) for k in corpus_music.key_signatures
    ]
    assert all(k.mode == b.mode for k, b in zip(corpus_music.key_signatures, back.key_signatures) if k.mode)
    assert [(t.time, t.numerator, t.denominator) for t in back.time_signatures] == [
        (t.time, t.numerator, t.denominator) for t in corpus_music.time_signatures
    ]


def test_corpus_piece_survives_a_piano_roll_where_no_repeated_pitch_touches(corpus_music, content):
    back = from_pypianoroll(to_pypianoroll(corpus_music, separate_repeated=True))
    for ours, theirs in zip(corpus_music.tracks, back.tracks, strict=True):
        ours.notes.sort()
        assert ours.notes.time.tolist() == theirs.notes.time.tolist()
        assert ours.notes.pitch.tolist() == theirs.notes.pitch.tolist()
        assert ours.notes.velocity.tolist() == theirs.notes.velocity.tolist()
        assert set((ours.notes.duration - theirs.notes.duration).tolist()) <= {0, 1}
