"""Note representation: one row per note (and per tempo change), one column per attribute.

Columns
-------
The ``columns`` option chooses the columns and their order from:

==========  ==========================================================================================
name        meaning
==========  ==========================================================================================
time        onset, in steps
pitch       MIDI note number; ``-1`` marks a tempo row
duration    length, in steps
end         offset (``time + duration``), in steps (MusPy's ``use_start_end=True``)
velocity    MIDI velocity
program     General MIDI program of the note's track
drum        1 if the note's track is a drum track, else 0
track       index of the note's track in ``music.tracks``
qpm         tempo in effect at the row's time, quarter notes per minute
==========  ==========================================================================================

The default, ``("time", "pitch", "duration", "velocity", "program", "drum", "track", "qpm")``, keeps the
tracks apart (MusPy merges them into four anonymous columns). ``time``, ``pitch`` and one of
``duration``/``end`` are required.

Tempo rows
----------
When ``qpm`` is a column, every tempo change is also a row of its own: ``pitch = -1``, ``track = -1``,
``program = -1``, ``duration``/``end``/``velocity``/``drum`` 0 (``end`` = ``time``), ``qpm`` the new tempo.
Select the notes with ``array[array[:, pitch_column] >= 0]``. With an integer ``dtype`` tempos are rounded
to whole qpm; a floating ``dtype`` keeps them exactly.

Rows are sorted by time, then track (tempo rows first), pitch, duration and velocity.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from muspy_like.core import DEFAULT_QPM, DEFAULT_VELOCITY, Music, Tempo
from muspy_like.errors import RepresentationError
from muspy_like.representations.common import build_tracks, check_integer_array, gather_notes, new_music

__all__ = ["to_note_representation", "from_note_representation", "NOTE_COLUMNS", "DEFAULT_NOTE_COLUMNS"]

#: Every column the note representation can hold.
NOTE_COLUMNS = ("time", "pitch", "duration", "end", "velocity", "program", "drum", "track", "qpm")
#: The default columns, in order.
DEFAULT_NOTE_COLUMNS = ("time", "pitch", "duration", "velocity", "program", "drum", "track", "qpm")
#: Pitch value that marks a tempo row.
TEMPO_ROW = -1


def _check_columns(columns: Sequence[str]) -> tuple[str, ...]:
    columns = tuple(columns)
    unknown = [c for c in columns if c not in NOTE_COLUMNS]
    if unknown:
        raise RepresentationError(f"note representation: unknown columns {unknown}; choose from {NOTE_COLUMNS}")
    if len(set(columns)) != len(columns):
        raise RepresentationError(f"note representation: repeated column in {columns}")
    if "time" not in columns or "pitch" not in columns or not {"duration", "end"} & set(columns):
        raise RepresentationError("note representation: columns must include 'time', 'pitch' and "
                                  f"'duration' or 'end', got {columns}")
    return columns


def to_note_representation(
    music: Music,
    columns: Sequence[str] = DEFAULT_NOTE_COLUMNS,
    resolution: Optional[int] = None,
    dtype: type = np.int64,
) -> np.ndarray:
    """Encode a piece as a table with one row per note (and per tempo change when ``qpm`` is a column).

    Parameters
    ----------
    music : Music
        The piece.
    columns : sequence of str
        Columns and their order (see the module notes).
    resolution : int, optional
        Steps per quarter note; default: one step per tick of the piece.
    dtype : numpy dtype, default int64
        Type of the returned array (a floating type keeps fractional tempos).

    Returns
    -------
    numpy.ndarray, shape (N, len(columns))

    Examples
    --------
    >>> from muspy_like import Music, Track, Note
    >>> music = Music(tracks=[Track(program=40, notes=[Note(0, 60, 24, 80)])])
    >>> to_note_representation(music, columns=("time", "pitch", "duration", "velocity", "program")).tolist()
    [[0, 60, 24, 80, 40]]
    """
    columns = _check_columns(columns)
    table = gather_notes(music, resolution)
    values = {
        "time": table.time, "pitch": table.pitch, "duration": table.duration, "end": table.end,
        "velocity": table.velocity, "program": table.program, "drum": table.drum.astype(np.int64),
        "track": table.track,
    }
    if "qpm" in columns:
        tempo_time = np.array([t.time for t in table.tempos], dtype=np.int64)
        tempo_qpm = np.array([t.qpm for t in table.tempos], dtype=np.float64)
        in_effect = np.searchsorted(tempo_time, table.time, side="right") - 1
        padded = np.append(tempo_qpm, DEFAULT_QPM)
        values["qpm"] = padded[in_effect]
        n = len(tempo_time)
        tempo_rows = {"time": tempo_time, "pitch": np.full(n, TEMPO_ROW), "end": tempo_time,
                      "program": np.full(n, -1), "track": np.full(n, -1), "qpm": tempo_qpm}
        for name in values:
            filler = tempo_rows.get(name, np.zeros(n, dtype=np.int64))
            values[name] = np.concatenate([filler, values[name]])
    order = np.lexsort((values["velocity"], values["duration"], values["pitch"], values["track"], values["time"]))
    array = np.empty((len(order), len(columns)), dtype=dtype)
    for i, name in enumerate(columns):
        column = values[name][order]
        if name == "qpm" and np.issubdtype(np.dtype(dtype), np.integer):
            column = np.floor(column + 0.5)
        array[:, i] = column
    return array


def from_note_representation(
    array: np.ndarray,
    columns: Sequence[str] = DEFAULT_NOTE_COLUMNS,
    resolution: Optional[int] = None,
    program: int = 0,
    is_drum: bool = False,
    default_velocity: int = DEFAULT_VELOCITY,
) -> Music:
    """Decode a note table into a piece.

    Parameters
    ----------
    array : numpy.ndarray, shape (N, len(columns))
        Rows as written by :func:`to_note_representation` (any order).
    columns : sequence of str
        The columns of ``array``, in order.
    resolution : int, optional
        Steps per quarter note, which becomes the piece's resolution (default 24).
    program, is_drum : int, bool
        Instrument of the tracks when the table has no ``program``/``drum`` column.
    default_velocity : int, default 64
        Velocity when the table has no ``velocity`` column.

    Returns
    -------
    Music
        One track per distinct ``track`` value (or per ``(program, drum)`` pair without a ``track``
        column), in increasing order; tempo rows become the piece's tempos.
    """
    columns = _check_columns(columns)
    raw = np.asarray(array)
    if raw.ndim != 2 or raw.shape[1] != len(columns):
        raise RepresentationError(f"{_NAME}: expected shape (N, {len(columns)}) for columns {columns}, "
                                  f"got {raw.shape}")
    qpm_index = columns.index("qpm") if "qpm" in columns else None
    whole = check_integer_array(raw if qpm_index is None else np.delete(raw, qpm_index, axis=1), _NAME, (2,))
    col = {c: whole[:, i].astype(np.int64) for i, c in enumerate(c for c in columns if c != "qpm")}
    is_tempo = (col["pitch"] == TEMPO_ROW) & (qpm_index is not None)
    tempos = [] if qpm_index is None else _tempo_rows(col["time"][is_tempo], raw[is_tempo, qpm_index])
    notes = ~is_tempo
    time = col["time"][notes]
    duration = col["duration"][notes] if "duration" in col else col["end"][notes] - time
    pitch = col["pitch"][notes]
    n = len(time)
    velocity = col["velocity"][notes] if "velocity" in col else np.full(n, default_velocity)
    prog = col["program"][notes] if "program" in col else np.full(n, program)
    drum = col["drum"][notes] if "drum" in col else np.full(n, int(is_drum))
    _check_note_ranges(notes, {"time": time, "pitch": pitch, "duration": duration, "velocity": velocity,
                               "program": prog, "drum": drum})
    key = col["track"][notes] if "track" in col else drum.astype(np.int64) * 128 + prog
    order, first = np.unique(key, return_index=True)
    programs = {int(k): (int(prog[i]), bool(drum[i])) for k, i in zip(order, first)}
    tracks = build_tracks(key, time, pitch, duration, velocity, programs, [int(k) for k in order])
    return new_music(resolution, tempos, tracks)


_NAME = "note representation"
#: Range of each note column (None: no upper bound).
_NOTE_RANGES = {"time": (0, None), "pitch": (0, 127), "duration": (0, None), "velocity": (0, 127),
                "program": (0, 127), "drum": (0, 1)}


def _tempo_rows(time: np.ndarray, qpm: np.ndarray) -> list[Tempo]:
    """The tempos of the tempo rows, in time order; an error for a qpm that is not positive and finite."""
    qpm = qpm.astype(np.float64)
    if np.any(~np.isfinite(qpm) | (qpm <= 0)):
        raise RepresentationError(f"{_NAME}: a tempo row has a non-positive or non-finite qpm")
    order = np.argsort(time, kind="stable")
    return [Tempo(int(t), float(q)) for t, q in zip(time[order], qpm[order])]


def _check_note_ranges(notes: np.ndarray, values: dict[str, np.ndarray]) -> None:
    """An error naming the first note row (its index in the table) with a value out of its column's range."""
    for label, (low, high) in _NOTE_RANGES.items():
        column = values[label]
        bad = np.flatnonzero((column < low) | ((column > high) if high is not None else False))
        if len(bad):
            row = int(np.flatnonzero(notes)[bad[0]])
            raise RepresentationError(f"{_NAME}: row {row} has {label} {int(column[bad[0]])}, outside "
                                      f"{low}..{'' if high is None else high}")
