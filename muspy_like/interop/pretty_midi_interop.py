"""Conversion between :class:`~muspy_like.Music` and :class:`pretty_midi.PrettyMIDI`.

pretty_midi keeps times in seconds, muspy_like in ticks. Both directions go through the tempo map
(:class:`~muspy_like.core.timing.TempoMap`) built from the same tempo changes, at the same resolution, so
seconds are converted back to the ticks they came from; only a time that is not on the tick grid (set by
hand in pretty_midi) is rounded, to the nearest tick (halves up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import numpy as np

from muspy_like.core.events import (
    Annotation,
    ControlChangeArray,
    KeySignature,
    Lyric,
    Metadata,
    NoteArray,
    PitchBendArray,
    Tempo,
    TimeSignature,
)
from muspy_like.core.music import Music
from muspy_like.core.timing import TempoMap
from muspy_like.core.track import Track
from muspy_like.errors import ConversionError
from muspy_like.extras import require
from muspy_like.interop._common import require_music, require_type
from muspy_like.theory import is_minor, key_fifths, key_from_fifths, key_root

if TYPE_CHECKING:
    import pretty_midi

__all__ = ["from_pretty_midi", "to_pretty_midi"]


def from_pretty_midi(pm: "pretty_midi.PrettyMIDI", resolution: Optional[int] = None) -> Music:
    """Convert a :class:`pretty_midi.PrettyMIDI` to a Music.

    Parameters
    ----------
    pm : pretty_midi.PrettyMIDI
        The object to convert.
    resolution : int, optional
        Ticks per quarter note of the result. Default: ``pm.resolution``, the tick grid pretty_midi read
        the file at, so every time maps back to its original tick. Another value rescales afterwards
        (:meth:`Music.adjust_resolution`, rounding halves up).

    Returns
    -------
    Music
        Tempos come from pretty_midi's tick scales (the tempo map it read), so their ticks are exact;
        note, control-change, pitch-bend, lyric, text, key and time-signature times in seconds are mapped
        to the nearest tick. Lyrics and text events are global in pretty_midi, so they become
        ``music.lyrics`` and ``music.annotations`` (group ``"text"``).

    Raises
    ------
    ConversionError
        If ``pm`` is not a PrettyMIDI object.
    """
    pretty_midi = require("pretty_midi", "interop", "conversion with pretty_midi")

    require_type(pm, (pretty_midi.PrettyMIDI,), "from_pretty_midi")
    music = Music(metadata=Metadata(source_format="midi"), resolution=int(pm.resolution))
    # pretty_midi has no public tick-level tempo map; its tick scales hold the exact tempo-change ticks.
    music.tempos = [Tempo(time=int(tick), qpm=60.0 / (scale * pm.resolution)) for tick, scale in pm._tick_scales]
    tempo_map = music.tempo_map()

    def ticks(seconds: list[float]) -> list[int]:
        return tempo_map.second_to_tick(np.asarray(seconds, dtype=np.float64)).tolist()

    music.time_signatures = [
        TimeSignature(tick, ts.numerator, ts.denominator)
        for tick, ts in zip(ticks([ts.time for ts in pm.time_signature_changes]), pm.time_signature_changes)
    ]
    music.key_signatures = [
        _key_from_number(tick, ks.key_number)
        for tick, ks in zip(ticks([ks.time for ks in pm.key_signature_changes]), pm.key_signature_changes)
    ]
    music.lyrics = [Lyric(tick, x.text) for tick, x in zip(ticks([x.time for x in pm.lyrics]), pm.lyrics)]
    music.annotations = [
        Annotation(tick, x.text, "text") for tick, x in zip(ticks([x.time for x in pm.text_events]), pm.text_events)
    ]
    music.tracks = [_track_from_instrument(instrument, tempo_map) for instrument in pm.instruments]
    if resolution is not None and resolution != music.resolution:
        music.adjust_resolution(resolution)
    return music


def _key_from_number(time: int, key_number: int) -> KeySignature:
    mode = "minor" if key_number >= 12 else "major"
    fifths = key_fifths(KeySignature(time=time, root=key_number % 12, mode=mode))
    return key_from_fifths(time, fifths, mode)


def _track_from_instrument(instrument: "pretty_midi.Instrument", tempo_map: TempoMap) -> Track:
    notes = instrument.notes
    starts = tempo_map.second_to_tick(np.fromiter((n.start for n in notes), np.float64, len(notes)))
    ends = tempo_map.second_to_tick(np.fromiter((n.end for n in notes), np.float64, len(notes)))
    track = Track(program=instrument.program, is_drum=instrument.is_drum, name=instrument.name or None)
    track.notes = NoteArray.from_columns(
        time=starts,
        pitch=np.fromiter((n.pitch for n in notes), np.int16, len(notes)),
        duration=np.maximum(ends - starts, 0),
        velocity=np.fromiter((n.velocity for n in notes), np.int16, len(notes)),
    )
    controls = instrument.control_changes
    track.control_changes = ControlChangeArray.from_columns(
        time=tempo_map.second_to_tick(np.fromiter((c.time for c in controls), np.float64, len(controls))),
        number=[c.number for c in controls],
        value=[c.value for c in controls],
    )
    bends = instrument.pitch_bends
    track.pitch_bends = PitchBendArray.from_columns(
        time=tempo_map.second_to_tick(np.fromiter((b.time for b in bends), np.float64, len(bends))),
        value=[b.pitch for b in bends],
    )
    return track


def to_pretty_midi(music: Music) -> "pretty_midi.PrettyMIDI":
    """Convert a Music to a :class:`pretty_midi.PrettyMIDI` at ``resolution = music.resolution``.

    Every tick is converted to seconds through the Music's tempo map, and the same tempo map is installed
    in the PrettyMIDI object, so writing it with pretty_midi puts every event back on its original tick.
    Track lyrics and annotations become pretty_midi's global lyrics and text events (the track they
    belonged to is lost); chords, the MIDI channel and church modes (written as the major or minor key
    with the same signature) are lost; zero-length notes are kept.

    Raises
    ------
    ConversionError
        If ``music`` is not a Music, or ends beyond ``pretty_midi.MAX_TICK`` (pretty_midi stores one time
        per tick).
    """
    pretty_midi = require("pretty_midi", "interop", "conversion with pretty_midi")

    require_music(music, "to_pretty_midi")
    end = max(music.get_end_time(), max((t.time for t in music.tempos), default=0))
    if end > pretty_midi.MAX_TICK:
        # pretty_midi keeps one float per tick; it refuses such files itself when reading.
        raise ConversionError(
            f"to_pretty_midi(): the piece ends at tick {end}, beyond pretty_midi's limit {pretty_midi.MAX_TICK}"
        )
    tempo_map = music.tempo_map()
    pm = pretty_midi.PrettyMIDI(resolution=music.resolution)
    # Install our tempo map: pretty_midi writes its tempo events and converts seconds back to ticks from it.
    pm._tick_scales = [(int(t), float(s)) for t, s in zip(tempo_map.ticks, tempo_map.seconds_per_tick)]
    pm._update_tick_to_time(int(end) + 1)

    def seconds(ticks: list[int]) -> list[float]:
        return tempo_map.tick_to_second(np.asarray(ticks, dtype=np.int64)).tolist()

    for sig, time in zip(music.time_signatures, seconds([x.time for x in music.time_signatures])):
        pm.time_signature_changes.append(pretty_midi.TimeSignature(sig.numerator, sig.denominator, time))
    for key, time in zip(music.key_signatures, seconds([x.time for x in music.key_signatures])):
        fifths = key_fifths(key)
        if fifths is not None:
            tonic, _ = key_root(fifths, "minor" if is_minor(key) else "major")
            number = tonic + 12 if is_minor(key) else tonic
            pm.key_signature_changes.append(pretty_midi.KeySignature(number, time))
    lyrics = music.lyrics + [x for track in music.tracks for x in track.lyrics]
    for lyric, time in zip(lyrics, seconds([x.time for x in lyrics])):
        pm.lyrics.append(pretty_midi.Lyric(lyric.lyric, time))
    annotations = music.annotations + [x for track in music.tracks for x in track.annotations]
    for item, time in zip(annotations, seconds([x.time for x in annotations])):
        pm.text_events.append(pretty_midi.Text(str(item.annotation), time))
    for track in music.tracks:
        pm.instruments.append(_instrument_from_track(track, tempo_map))
    return pm


def _instrument_from_track(track: Track, tempo_map: TempoMap) -> "pretty_midi.Instrument":
    pretty_midi = require("pretty_midi", "interop", "conversion with pretty_midi")

    instrument = pretty_midi.Instrument(program=track.program, is_drum=track.is_drum, name=track.name or "")
    notes = track.notes
    starts = tempo_map.tick_to_second(notes.time).tolist()
    ends = tempo_map.tick_to_second(notes.end).tolist()
    instrument.notes = [
        pretty_midi.Note(velocity=v, pitch=p, start=s, end=e)
        for v, p, s, e in zip(notes.velocity.tolist(), notes.pitch.tolist(), starts, ends)
    ]
    controls = track.control_changes
    instrument.control_changes = [
        pretty_midi.ControlChange(number=n, value=v, time=t)
        for n, v, t in zip(
            controls.number.tolist(), controls.value.tolist(), tempo_map.tick_to_second(controls.time).tolist()
        )
    ]
    bends = track.pitch_bends
    instrument.pitch_bends = [
        pretty_midi.PitchBend(pitch=v, time=t)
        for v, t in zip(bends.value.tolist(), tempo_map.tick_to_second(bends.time).tolist())
    ]
    return instrument
