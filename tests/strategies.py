"""Hypothesis strategies for random, valid Music objects, shared by the round-trip tests.

``music_strategy()`` draws any valid Music. Formats that cannot hold everything ask for a restricted
piece with the flags of :func:`music_strategy` (e.g. ``midi_compatible=True``), so that an exact round
trip is a fair expectation.
"""

from __future__ import annotations

import string

import numpy as np
from hypothesis import strategies as st

from muspy_like import (
    Annotation,
    Barline,
    Beat,
    Chord,
    ControlChangeArray,
    KeySignature,
    Lyric,
    Metadata,
    Music,
    NoteArray,
    PitchBendArray,
    Tempo,
    TimeSignature,
    Track,
)

__all__ = ["music_strategy", "note_array_strategy", "track_strategy"]

TEXT = st.text(alphabet=string.ascii_letters + string.digits + " .,'-", min_size=1, max_size=12)
MAJOR_ROOT_BY_FIFTHS = {f: (7 * f) % 12 for f in range(-7, 8)}


@st.composite
def note_array_strategy(draw, max_notes: int = 40, max_time: int = 4000, no_same_pitch_overlap: bool = False,
                        min_duration: int = 0, min_velocity: int = 0) -> NoteArray:
    """Random notes; with ``no_same_pitch_overlap`` no two notes of one pitch overlap or touch at onset."""
    n = draw(st.integers(0, max_notes))
    time = draw(st.lists(st.integers(0, max_time), min_size=n, max_size=n))
    pitch = draw(st.lists(st.integers(0, 127), min_size=n, max_size=n))
    duration = draw(st.lists(st.integers(min_duration, max_time // 4 + min_duration), min_size=n, max_size=n))
    velocity = draw(st.lists(st.integers(min_velocity, 127), min_size=n, max_size=n))
    notes = NoteArray.from_columns(time=time, pitch=pitch, duration=duration, velocity=velocity)
    if no_same_pitch_overlap and n:
        notes.sort(("pitch", "time"))
        same_pitch = notes.pitch[1:] == notes.pitch[:-1]
        overlaps = same_pitch & (notes.time[1:] < notes.end[:-1])
        onset_clash = same_pitch & (notes.time[1:] == notes.time[:-1])
        keep = np.ones(n, dtype=bool)
        keep[1:] = ~(overlaps | onset_clash)
        notes.keep(keep)
        # Dropping a note can leave its successor overlapping the one before: repeat until stable.
        while len(notes) > 1:
            same = notes.pitch[1:] == notes.pitch[:-1]
            bad = same & (notes.time[1:] < notes.end[:-1])
            if not bad.any():
                break
            keep = np.ones(len(notes), dtype=bool)
            keep[1:] = ~bad
            notes.keep(keep)
    notes.sort()
    return notes


@st.composite
def track_strategy(draw, midi_compatible: bool = False, max_notes: int = 40, max_time: int = 4000) -> Track:
    """A random track; ``midi_compatible`` keeps only what a MIDI file can hold exactly (no channel-mode CCs 120-127)."""
    is_drum = draw(st.booleans())
    notes = draw(note_array_strategy(max_notes=max_notes, max_time=max_time,
                                     no_same_pitch_overlap=midi_compatible,
                                     min_duration=1 if midi_compatible else 0,
                                     min_velocity=1 if midi_compatible else 0))
    n_cc = draw(st.integers(0, 6))
    control_changes = ControlChangeArray.from_columns(
        time=draw(st.lists(st.integers(0, max_time), min_size=n_cc, max_size=n_cc)),
        number=draw(st.lists(st.integers(0, 119 if midi_compatible else 127), min_size=n_cc, max_size=n_cc)),
        value=draw(st.lists(st.integers(0, 127), min_size=n_cc, max_size=n_cc)),
    )
    n_pb = draw(st.integers(0, 4))
    pitch_bends = PitchBendArray.from_columns(
        time=draw(st.lists(st.integers(0, max_time), min_size=n_pb, max_size=n_pb)),
        value=draw(st.lists(st.integers(-8192, 8191), min_size=n_pb, max_size=n_pb)),
    )
    control_changes.sort()
    pitch_bends.sort()
    chords = [] if midi_compatible else draw(st.lists(
        st.builds(Chord, time=st.integers(0, max_time), pitches=st.lists(st.integers(0, 127), min_size=1, max_size=4),
                  duration=st.integers(0, 200), velocity=st.integers(0, 127)), max_size=2))
    lyrics = sorted(draw(st.lists(st.builds(Lyric, time=st.integers(0, max_time), lyric=TEXT), max_size=3)),
                    key=lambda x: x.time)
    groups = st.sampled_from(["marker", "text", "cue"]) if midi_compatible else st.one_of(st.none(), TEXT)
    annotations = sorted(draw(st.lists(st.builds(Annotation, time=st.integers(0, max_time), annotation=TEXT,
                                                 group=groups), max_size=3)), key=lambda x: x.time)
    return Track(
        program=draw(st.integers(0, 127)),
        is_drum=is_drum,
        name=draw(st.one_of(st.none(), TEXT)),
        notes=notes,
        chords=chords,
        lyrics=lyrics,
        annotations=annotations,
        control_changes=control_changes,
        pitch_bends=pitch_bends,
    )


@st.composite
def _key_signature(draw, max_time: int) -> KeySignature:
    fifths = draw(st.integers(-7, 7))
    mode = draw(st.sampled_from(["major", "minor"]))
    root = MAJOR_ROOT_BY_FIFTHS[fifths] if mode == "major" else (MAJOR_ROOT_BY_FIFTHS[fifths] + 9) % 12
    return KeySignature(time=draw(st.integers(0, max_time)), root=root, mode=mode, fifths=fifths)


def _unique_times(items: list) -> list:
    """Keep one item per tick (the first drawn), sorted by time."""
    seen: dict[int, object] = {}
    for item in items:
        seen.setdefault(item.time, item)
    return [seen[t] for t in sorted(seen)]


@st.composite
def music_strategy(draw, max_tracks: int = 4, max_notes: int = 40, max_time: int = 4000,
                   midi_compatible: bool = False) -> Music:
    """A random valid Music.

    Parameters
    ----------
    max_tracks, max_notes, max_time : int
        Size bounds (times in ticks).
    midi_compatible : bool
        Restrict to what a Standard MIDI File holds exactly: tempos from whole microseconds per quarter,
        no chords, beats or barlines, no overlapping same-pitch notes in a track, durations >= 1,
        velocities >= 1, annotations grouped as marker/text/cue, no creators.
    """
    resolution = draw(st.sampled_from([24, 96, 480]) if midi_compatible else st.integers(1, 960))
    if midi_compatible:
        qpm = st.integers(200_000, 2_000_000).map(lambda us: 60_000_000 / us)
    else:
        qpm = st.floats(10, 400, allow_nan=False, allow_infinity=False)
    tempos = _unique_times(draw(st.lists(st.builds(Tempo, time=st.integers(0, max_time), qpm=qpm), max_size=4)))
    time_signatures = _unique_times(draw(st.lists(st.builds(
        TimeSignature, time=st.integers(0, max_time), numerator=st.integers(1, 12),
        denominator=st.sampled_from([1, 2, 4, 8, 16])), max_size=3)))
    key_signatures = _unique_times(draw(st.lists(_key_signature(max_time), max_size=3)))
    metadata = Metadata(
        title=draw(st.one_of(st.none(), TEXT)),
        creators=[] if midi_compatible else draw(st.lists(TEXT, max_size=2)),
        copyright=draw(st.one_of(st.none(), TEXT)),
    )
    music = Music(
        metadata=metadata,
        resolution=resolution,
        tempos=tempos,
        key_signatures=key_signatures,
        time_signatures=time_signatures,
        tracks=draw(st.lists(track_strategy(midi_compatible, max_notes, max_time), max_size=max_tracks)),
    )
    if not midi_compatible:
        music.beats = sorted(draw(st.lists(st.builds(Beat, time=st.integers(0, max_time),
                                                     is_downbeat=st.booleans()), max_size=3)), key=lambda b: b.time)
        music.barlines = sorted(draw(st.lists(st.builds(Barline, time=st.integers(0, max_time)), max_size=3)),
                                key=lambda b: b.time)
        music.lyrics = sorted(draw(st.lists(st.builds(Lyric, time=st.integers(0, max_time), lyric=TEXT), max_size=2)),
                              key=lambda x: x.time)
        music.annotations = sorted(draw(st.lists(st.builds(Annotation, time=st.integers(0, max_time),
                                                           annotation=TEXT, group=st.one_of(st.none(), TEXT)),
                                                 max_size=2)), key=lambda x: x.time)
    return music.validate()
