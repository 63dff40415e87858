"""A small, fixed sample of music21's Bach corpus, with figures computed by music21 itself."""

from __future__ import annotations

import pytest

from muspy_like.statistics import resolve_sources


def music21_figures(path: str) -> dict:
    """Figures of one score computed with music21 alone (the independent reference)."""
    import music21
    from music21.analysis import discrete

    score = music21.converter.parse(path)
    pitches = []
    for element in score.recurse().notes:
        for note in element.notes if element.isChord else [element]:
            tie = note.tie or element.tie
            if tie is not None and tie.type in ("stop", "continue"):
                continue  # the continuation of a tied note is the same note
            pitches.append(note.pitch.midi)
    time_signature = score.recurse().getElementsByClass("TimeSignature").first()
    key = discrete.KrumhanslKessler(score).getSolution(score)
    return {
        "n_notes": len(pitches),
        "pitches": pitches,
        "n_parts": len(score.parts),
        "length_quarters": float(score.highestTime),
        "time_signature": time_signature.ratioString if time_signature else "4/4",
        "key": (key.tonic.pitchClass, key.mode),
        "key_correlation": key.correlationCoefficient,
    }


@pytest.fixture(scope="session")
def bach_sample():
    """Every 50th score of music21's Bach corpus (9 scores), as PieceSource objects."""
    sources = resolve_sources(["music21:bach"])
    return sources[::50]


@pytest.fixture(scope="session")
def bach_reference(bach_sample):
    """music21's own figures for each score of the sample, keyed by path."""
    return {source.location: music21_figures(source.location) for source in bach_sample}
