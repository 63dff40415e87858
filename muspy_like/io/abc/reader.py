"""Read ABC tunes into Music: one tune at a time, each parsed on its own, in time linear in its length.

:func:`read_abc` returns one Music, like every other ``read_<format>`` function and :func:`muspy_like.read`;
:func:`read_abc_tunes` returns every tune of a tune book. Reading a tune is: split the file into tunes
(:mod:`~muspy_like.io.abc.tunebook`), tokenize the tune with music21 (:mod:`~muspy_like.io.abc.tokens`),
lay each voice out in time and build its track (:mod:`~muspy_like.io.abc.voices`), align the ``w:``
lyrics (:mod:`~muspy_like.io.abc.lyrics`).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Optional, Union

from muspy_like.core.events import Metadata
from muspy_like.core.music import DEFAULT_RESOLUTION, Music
from muspy_like.core.track import Track
from muspy_like.errors import ABCError, ABCTuneBookError
from muspy_like.io.abc.fields import staff_groups
from muspy_like.io.abc.lyrics import voice_lyrics
from muspy_like.io.abc.text import field_text
from muspy_like.io.abc.tokens import TokenizedTune, prepare_text, tokenize_tune
from muspy_like.io.abc.tunebook import Tune, load_tune_book
from muspy_like.io.abc.voices import header_shift, lay_out, timed_fields, to_track

__all__ = ["read_abc", "read_abc_tunes", "read_tune", "ERRORS"]

#: What :func:`read_abc_tunes` does with a tune that cannot be read.
ERRORS = ("raise", "skip")


def read_abc(
    path: Union[str, Path], number: Optional[int] = None, *, resolution: int = DEFAULT_RESOLUTION
) -> Music:
    """Read one tune of an ABC file.

    Parameters
    ----------
    path : str or Path
        The ``.abc`` file (UTF-8, or Latin-1 when it is not valid UTF-8).
    number : int, optional
        The ``X:`` reference number of the tune to read. Needed when the file is a tune book (more than
        one tune); :func:`read_abc_tunes` reads them all.
    resolution : int, default 24
        Ticks per quarter note.

    Returns
    -------
    Music
        Title (``T:``), composers (``C:``), tempos (``Q:``), key signatures with their mode (``K:``), time
        signatures (``M:``), one track per voice (``V:``, named by its ``name=``) with its notes, chord
        symbols and text annotations, and its ``w:`` lyrics.

    Raises
    ------
    ABCError
        If the file cannot be read, holds several tunes and no ``number`` was given (the message lists
        them), has no tune with ``number``, or the tune cannot be parsed (the message names the file, the
        tune's ``X:`` number and its line).

    Examples
    --------
    >>> import muspy_like as ml  # doctest: +SKIP
    >>> music = ml.read_abc("tunebook.abc", number=3)  # doctest: +SKIP
    >>> same = ml.read("tunebook.abc", number=3)  # doctest: +SKIP
    """
    book = load_tune_book(path)
    if number is not None:
        return read_tune(book.find(number), book.path, resolution)
    if len(book) != 1:
        raise ABCError(
            f"{book.path}: the file is a tune book ({book.numbers()}); pass number=<X: reference number> "
            "to read one tune (muspy-like commands: --tune N), or call muspy_like.read_abc_tunes() for all"
        )
    return read_tune(book.tunes[0], book.path, resolution)


def read_abc_tunes(
    path: Union[str, Path], *, resolution: int = DEFAULT_RESOLUTION, errors: str = "raise"
) -> list[Music]:
    """Read every tune of an ABC file (a tune book, or a file of one tune), each parsed on its own.

    Parameters
    ----------
    path : str or Path
        The ``.abc`` file.
    resolution : int, default 24
        Ticks per quarter note.
    errors : {"raise", "skip"}, default "raise"
        A tune that cannot be read never stops the others from being read. With ``"raise"``, after all
        tunes are read, :class:`~muspy_like.errors.ABCTuneBookError` lists every failed tune (``X:``
        number, line, reason) and carries the tunes that were read (``.tunes``) and the failures
        (``.failures``). With ``"skip"``, the tunes that were read are returned and a warning lists the
        failed ones.

    Returns
    -------
    list of Music
        In file order.

    Raises
    ------
    ABCError
        If the file cannot be read.
    ABCTuneBookError
        If a tune cannot be read and ``errors="raise"``.
    ValueError
        If ``errors`` is not one of :data:`ERRORS`.
    """
    if errors not in ERRORS:
        raise ValueError(f"errors must be one of {ERRORS}, not {errors!r}")
    book = load_tune_book(path)
    tunes: list[Music] = []
    failures: list[ABCError] = []
    for tune in book.tunes:
        try:
            tunes.append(read_tune(tune, book.path, resolution))
        except ABCError as error:
            failures.append(error)
    if failures and errors == "raise":
        raise ABCTuneBookError(book.path, tunes, failures)
    if failures:
        listed = "; ".join(str(f) for f in failures[:5]) + ("; ..." if len(failures) > 5 else "")
        warnings.warn(f"{book.path}: {len(failures)} of {len(book)} tunes skipped: {listed}", stacklevel=2)
    return tunes


def read_tune(tune: Tune, path: Union[str, Path], resolution: int = DEFAULT_RESOLUTION) -> Music:
    """Parse one tune of a :class:`~muspy_like.io.abc.tunebook.TuneBook` into a Music.

    Parameters
    ----------
    tune : Tune
        The tune (from :func:`~muspy_like.io.abc.tunebook.load_tune_book`).
    path : str or Path
        The file it comes from (for messages and ``metadata.source_filename``).
    resolution : int, default 24
        Ticks per quarter note.

    Raises
    ------
    ABCError
        If the tune cannot be parsed; the message starts with the file, the tune's ``X:`` number and line.
    """
    where = tune.where(path)
    text = prepare_text(tune.text)
    tokenized = tokenize_tune(text, where)
    try:
        return _build_music(tokenized, text, Path(path).name, resolution)
    except ABCError as error:
        raise ABCError(f"{where}: {error}") from error
    except Exception as error:  # music21's tokens can hold values its own converter would reject
        raise ABCError(f"{where}: cannot read it: {type(error).__name__}: {error}") from error


def _build_music(tune: TokenizedTune, text: str, filename: str, resolution: int) -> Music:
    shift = header_shift(tune)
    timelines = [lay_out(voice, shift) for voice in tune.voices]
    music = Music(metadata=_metadata(text, filename), resolution=resolution)
    lyrics = voice_lyrics(text, timelines, resolution)
    tracks: dict[str, Track] = {}
    for timeline in timelines:
        track = to_track(timeline, resolution)
        track.lyrics = lyrics.get(timeline.voice.identifier, [])
        tracks[timeline.voice.identifier] = track
    music.tracks = _merge_staves(tracks, staff_groups(text))
    music.key_signatures, music.tempos, music.time_signatures = timed_fields(tune, timelines, resolution)
    return music


def _merge_staves(tracks: dict[str, Track], groups: list[list[str]]) -> list[Track]:
    """One track per voice, except that the voices of one staff (``%%score (1 2)``) make one track."""
    merged: dict[str, Track] = {}
    for identifier, track in tracks.items():
        group = next((g for g in groups if identifier in g), [identifier])
        owner = next((member for member in group if member in tracks), identifier)
        if owner not in merged:
            merged[owner] = track
            continue
        first = merged[owner]
        first.notes.extend(track.notes)
        first.annotations += track.annotations
        first.lyrics += track.lyrics
        first.sort()
    return list(merged.values())


def _metadata(text: str, filename: str) -> Metadata:
    """Title (the first ``T:`` field) and composers (``C:`` fields), with ABC's text escapes undone."""
    titles = [field_text(line[2:]) for line in text.split("\n") if line.startswith("T:")]
    creators = [field_text(line[2:]) for line in text.split("\n") if line.startswith("C:")]
    return Metadata(
        title=titles[0] if titles else None,
        creators=[creator for creator in creators if creator],
        source_format="abc",
        source_filename=filename,
    )
