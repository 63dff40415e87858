"""Conversion between :class:`~muspy_like.Music` and :class:`symusic.Score`.

symusic stores events as typed arrays, so both directions move whole columns at once
(``notes.numpy()`` and ``Note.from_numpy``) instead of building one object per note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import numpy as np

from muspy_like.core.events import (
    Annotation,
    ControlChangeArray,
    Lyric,
    Metadata,
    NoteArray,
    PitchBendArray,
    Tempo,
    TimeSignature,
)
from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.errors import ConversionError
from muspy_like.extras import require
from muspy_like.interop._common import require_music, require_type
from muspy_like.theory import is_minor, key_fifths, key_from_fifths

if TYPE_CHECKING:
    import symusic

__all__ = ["from_symusic", "to_symusic"]

_INT32_MAX = 2**31 - 1


def from_symusic(score: "symusic.Score", resolution: Optional[int] = None) -> Music:
    """Convert a :class:`symusic.Score` to a Music.

    Parameters
    ----------
    score : symusic.Score
        A score in any time unit; a ``"quarter"`` or ``"second"`` score is first converted to ticks by
        symusic (``score.to("tick")``).
    resolution : int, optional
        Ticks per quarter note of the result; default the score's ``ticks_per_quarter`` (exact). Another
        value rescales with :meth:`Music.adjust_resolution`.

    Returns
    -------
    Music
        Tracks (name, program, drum flag, notes, control changes, pitch bends, lyrics), tempos (symusic
        stores whole microseconds per quarter; qpm = 60,000,000 / that), time and key signatures (major or
        minor) and markers (annotations of group ``"marker"``). symusic's sustain pedals are derived from
        control change 64, which is kept.

    Raises
    ------
    ConversionError
        If ``score`` is not a symusic Score.
    """
    symusic = require("symusic", "interop", "conversion with symusic")

    accepted = tuple(getattr(symusic.core, f"Score{unit}") for unit in ("Tick", "Quarter", "Second"))
    require_type(score, accepted, "from_symusic")
    if not isinstance(score, symusic.core.ScoreTick):
        score = score.to("tick")
    music = Music(metadata=Metadata(source_format="midi"), resolution=int(score.ticks_per_quarter))
    tempos = score.tempos.numpy()
    music.tempos = [Tempo(t, 6e7 / m) for t, m in zip(tempos["time"].tolist(), tempos["mspq"].tolist())]
    sigs = score.time_signatures.numpy()
    music.time_signatures = [
        TimeSignature(t, n, d)
        for t, n, d in zip(sigs["time"].tolist(), sigs["numerator"].tolist(), sigs["denominator"].tolist())
    ]
    keys = score.key_signatures.numpy()
    music.key_signatures = [
        key_from_fifths(t, k, "minor" if minor else "major")
        for t, k, minor in zip(keys["time"].tolist(), keys["key"].tolist(), keys["tonality"].tolist())
    ]
    music.annotations = [Annotation(int(m.time), m.text, "marker") for m in score.markers]
    for source in score.tracks:
        track = Track(program=int(source.program), is_drum=bool(source.is_drum), name=source.name or None)
        notes = source.notes.numpy()
        track.notes = NoteArray.from_columns(**{k: notes[k] for k in ("time", "pitch", "duration", "velocity")})
        controls = source.controls.numpy()
        track.control_changes = ControlChangeArray.from_columns(**controls)
        bends = source.pitch_bends.numpy()
        track.pitch_bends = PitchBendArray.from_columns(**bends)
        track.lyrics = [Lyric(int(x.time), x.text) for x in source.lyrics]
        music.tracks.append(track)
    if resolution is not None and resolution != music.resolution:
        music.adjust_resolution(resolution)
    return music


def to_symusic(music: Music) -> "symusic.Score":
    """Convert a Music to a tick-based :class:`symusic.Score` with ``tpq = music.resolution``.

    Times are copied exactly; tempos are rounded to whole microseconds per quarter (symusic's unit).
    symusic has no title, per-track annotations or chords: global and track annotations become markers
    (their text), the title, chords and MIDI channel are lost, and a church mode is written as the major or
    minor key with the same signature.

    Raises
    ------
    ConversionError
        If ``music`` is not a Music, or a time does not fit symusic's 32-bit ticks.
    """
    symusic = require("symusic", "interop", "conversion with symusic")

    require_music(music, "to_symusic")
    end = music.get_end_time()
    if end > _INT32_MAX:
        raise ConversionError(f"to_symusic(): the piece ends at tick {end}, beyond symusic's 32-bit limit")
    score = symusic.Score(music.resolution)
    _write_global_events(score, music)
    for track in music.tracks:
        score.tracks.append(_symusic_track(track))
    for lyric in music.lyrics:
        if not score.tracks:
            score.tracks.append(symusic.Track("", 0, False))
        score.tracks[0].lyrics.append(symusic.TextMeta(lyric.time, lyric.lyric))
    return score


def _write_global_events(score: "symusic.Score", music: Music) -> None:
    """Tempos, time and key signatures, and every annotation (as markers) of ``music`` into ``score``."""
    import symusic

    score.tempos = symusic.Tempo.from_numpy(
        _int32([t.time for t in music.tempos]), _int32([round(6e7 / t.qpm) for t in music.tempos])
    )
    score.time_signatures = symusic.TimeSignature.from_numpy(
        _int32([t.time for t in music.time_signatures]),
        np.array([t.numerator for t in music.time_signatures], dtype=np.uint8),
        np.array([t.denominator for t in music.time_signatures], dtype=np.uint8),
    )
    keys = [(k.time, fifths, is_minor(k)) for k in music.key_signatures if (fifths := key_fifths(k)) is not None]
    score.key_signatures = symusic.KeySignature.from_numpy(
        _int32([k[0] for k in keys]),
        np.array([k[1] for k in keys], dtype=np.int8),
        np.array([k[2] for k in keys], dtype=np.uint8),
    )
    annotations = sorted(music.annotations + [x for t in music.tracks for x in t.annotations], key=lambda x: x.time)
    for item in annotations:
        score.markers.append(symusic.TextMeta(item.time, str(item.annotation)))


def _symusic_track(track: Track) -> "symusic.Track":
    """One track as a symusic track: notes, controllers, pitch bends and lyrics."""
    import symusic

    target = symusic.Track(track.name or "", track.program, track.is_drum)
    notes = track.notes
    target.notes = symusic.Note.from_numpy(
        _int32(notes.time), _int32(notes.duration), notes.pitch.astype(np.int8), notes.velocity.astype(np.int8)
    )
    controls = track.control_changes
    target.controls = symusic.ControlChange.from_numpy(
        _int32(controls.time), controls.number.astype(np.uint8), controls.value.astype(np.uint8)
    )
    target.pitch_bends = symusic.PitchBend.from_numpy(_int32(track.pitch_bends.time), _int32(track.pitch_bends.value))
    for lyric in track.lyrics:
        target.lyrics.append(symusic.TextMeta(lyric.time, lyric.lyric))
    return target


def _int32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).astype(np.int32)
