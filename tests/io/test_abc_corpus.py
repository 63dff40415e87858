"""ABC tune books of music21's corpus: read_abc against music21's own parse of the same file."""

from __future__ import annotations

from collections import Counter

import pytest
from music21 import converter, corpus, stream

from muspy_like.io.abc import read_abc

FILES = ["oneills1850/0721-0730.abc", "oneills1850/0626-0635.abc", "ryansMammoth/BenButlersReel.abc"]


def _music21_notes(score, resolution):
    """(time, pitch, duration, tie type) of music21's notes, chord members split, grace notes excluded."""
    rows = []
    for element in score.recurse().notes:
        if element.duration.isGrace or "ChordSymbol" in element.classes:
            continue
        start = round(float(element.getOffsetInHierarchy(score)) * resolution)
        end = round(float(element.getOffsetInHierarchy(score) + element.quarterLength) * resolution)
        for member in element.notes if element.isChord else [element]:
            tie = member.tie.type if member.tie is not None else None
            rows.append((start, member.pitch.midi, end - start, tie))
    return rows


@pytest.mark.parametrize("name", FILES)
def test_tune_book_matches_music21_up_to_merged_ties(name):
    path = corpus.getWork(name)
    parsed = converter.parse(path, format="abc", forceSource=True)
    theirs = list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]
    assert len(read_abc(path)) == len(theirs)
    for score in theirs:
        (music,) = read_abc(path, number=int(score.metadata.number))
        assert music.metadata.title == score.metadata.title
        reference = _music21_notes(score, music.resolution)
        notes = [
            (t, p, d)
            for track in music.tracks
            for t, p, d in zip(track.notes.time.tolist(), track.notes.pitch.tolist(), track.notes.duration.tolist())
        ]
        # Every note of ours starts a note of music21's; music21's others continue a tie of the same pitch.
        missing = Counter((t, p) for t, p, _, _ in reference) - Counter((t, p) for t, p, _ in notes)
        assert not Counter((t, p) for t, p, _ in notes) - Counter((t, p) for t, p, _, _ in reference)
        continuations = Counter((t, p) for t, p, _, tie in reference if tie in ("continue", "stop"))
        assert not missing - continuations
        # Merging tied notes keeps the total sounding length of each pitch.
        total = Counter()
        for _, p, d in notes:
            total[p] += d
        expected = Counter()
        for _, p, d, _ in reference:
            expected[p] += d
        assert total == expected
