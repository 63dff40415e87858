"""MusPy's ``show`` and ``show_pianoroll`` (matplotlib, through pypianoroll's plotting).

MusPy's ``show_score`` draws a score with its own plotter and the Bravura font. muspy_like has no score
engraver: :func:`show_score` raises ``NotImplementedError`` and says what to use instead.
"""

from __future__ import annotations

from typing import Any

from muspy_like.core.music import Music

__all__ = ["show", "show_pianoroll", "show_score"]


def show_pianoroll(music: Music, **kwargs: Any) -> Any:
    """Plot every track as a piano roll with matplotlib; keyword arguments go to ``pypianoroll``'s ``plot``.

    Returns the list of matplotlib axes (one per track).
    """
    from muspy_like.interop import to_pypianoroll

    return to_pypianoroll(music).plot(**kwargs)


def show_score(music: Music, **kwargs: Any) -> Any:
    """Not available: muspy_like does not engrave scores.

    Raises
    ------
    NotImplementedError
        Always; write MusicXML (``music.write_musicxml(path)``) and open it in a notation program, or
        plot a piano roll (:func:`show_pianoroll`).
    """
    raise NotImplementedError(
        "muspy_like has no score engraver: write MusicXML with music.write_musicxml('score.musicxml') and open "
        "it in MuseScore, or plot a piano roll with music.show_pianoroll()"
    )


def show(music: Music, kind: str, **kwargs: Any) -> Any:
    """Show a piece: ``kind`` is ``"pianoroll"`` (or ``"piano-roll"``) or ``"score"``."""
    if kind.lower() in ("pianoroll", "piano-roll", "piano roll"):
        return show_pianoroll(music, **kwargs)
    if kind.lower() == "score":
        return show_score(music, **kwargs)
    raise ValueError(f"kind must be 'pianoroll' or 'score', not {kind!r}")
