"""Restricted random pieces (what each representation holds exactly) and a note-level comparison."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from muspy_like import Music, NoteArray, Tempo, TimeSignature, Track
from strategies import music_strategy


def canonical(music: Music) -> list:
    """Per track: program, drum flag and the sorted (time, pitch, duration, velocity) rows."""
    return [(t.program, t.is_drum, sorted(zip(*(t.notes.columns()[c].tolist()
                                                for c in ("time", "pitch", "duration", "velocity")))))
            for t in music.tracks]


def tempo_list(music: Music) -> list:
    return [(t.time, t.qpm) for t in music.tempos]


def distinct_instruments(music: Music) -> Music:
    """Give every track its own instrument: one drum track at most (program 0), distinct programs."""
    seen_drum = False
    for index, track in enumerate(music.tracks):
        if track.is_drum and not seen_drum:
            seen_drum, track.program = True, 0
        else:
            track.is_drum, track.program = False, (track.program + index * 31) % 128
    programs = [(t.program, t.is_drum) for t in music.tracks]
    music.tracks = [t for i, t in enumerate(music.tracks) if (t.program, t.is_drum) not in programs[:i]]
    return music


def on_token_grids(music: Music, velocity_step: int = 4) -> Music:
    """Velocities on the 32-bin grid and whole-qpm tempos within the default tempo range."""
    for track in music.tracks:
        track.notes.velocity = track.notes.velocity // velocity_step * velocity_step
    music.tempos = [Tempo(t.time, float(min(max(np.floor(t.qpm + 0.5), 20), 300))) for t in music.tempos]
    return music


def first_in_first_out(music: Music) -> Music:
    """Per pitch, make notes sorted by (onset, length) end in order (lengthen the ones that end early)."""
    for track in music.tracks:
        notes = track.notes
        notes.sort(("pitch", "time", "duration"))
        end = notes.end.copy()
        for pitch in np.unique(notes.pitch):
            rows = np.flatnonzero(notes.pitch == pitch)
            end[rows] = np.maximum.accumulate(end[rows])
        notes.duration = end - notes.time
        notes.sort()
    return music


def drums_on_program_zero(music: Music) -> Music:
    """Drum tracks decode with program 0 (the program block has one drum token)."""
    for track in music.tracks:
        if track.is_drum:
            track.program = 0
    return music


@st.composite
def midi_like_music(draw, track_tokens: bool = True) -> Music:
    """Pieces the MIDI-like event representation holds exactly at their own resolution.

    With program tokens only (``track_tokens=False``), tracks must also have distinct instruments.
    """
    music = drums_on_program_zero(draw(music_strategy(max_tracks=4, max_notes=30)))
    if not track_tokens:
        music = distinct_instruments(music)
    return first_in_first_out(on_token_grids(music))


@st.composite
def remi_music(draw) -> Music:
    """Pieces the REMI-style representation holds exactly at their own resolution."""
    music = on_token_grids(drums_on_program_zero(draw(music_strategy(max_tracks=4, max_notes=30))))
    # Bars must last from one step (bars shorter than a step raise) to 8 quarter notes.
    music.time_signatures = [
        TimeSignature(ts.time, min(ts.numerator, 8 * ts.denominator // 4) or 1, ts.denominator)
        if ts.numerator * 4 * music.resolution >= ts.denominator else TimeSignature(ts.time, ts.numerator, 4)
        for ts in music.time_signatures]
    for track in music.tracks:
        track.notes.duration = np.minimum(track.notes.duration, 16 * music.resolution)
    return music


@st.composite
def monophonic_music(draw) -> Music:
    """One track of notes that never overlap (lengths >= 1, velocity 64)."""
    n = draw(st.integers(0, 30))
    gaps = np.array(draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)), dtype=np.int64)
    lengths = np.array(draw(st.lists(st.integers(1, 8), min_size=n, max_size=n)), dtype=np.int64)
    pitches = draw(st.lists(st.integers(0, 127), min_size=n, max_size=n))
    starts = np.cumsum(gaps + np.concatenate([[0], lengths[:-1]])) if n else np.zeros(0, np.int64)
    notes = NoteArray.from_columns(time=starts, pitch=pitches, duration=lengths, velocity=np.full(n, 64))
    return Music(resolution=draw(st.sampled_from([1, 4, 24])), tracks=[Track(notes=notes)])


@st.composite
def pianoroll_music(draw, touching: bool) -> Music:
    """Tracks whose same-pitch notes never overlap (nor touch, unless ``touching``); lengths and velocities >= 1."""
    music = draw(music_strategy(max_tracks=3, max_notes=30, max_time=300))
    for track in music.tracks:
        notes = track.notes
        notes.keep(notes.duration > 0)
        notes.velocity = np.maximum(notes.velocity, 1)
        notes.sort(("pitch", "time"))
        keep = np.ones(len(notes), dtype=bool)
        last_end = {}
        for i, (time, pitch, end) in enumerate(zip(notes.time.tolist(), notes.pitch.tolist(), notes.end.tolist())):
            if pitch in last_end and (time < last_end[pitch] or (time == last_end[pitch] and not touching)):
                keep[i] = False
            else:
                last_end[pitch] = end
        notes.keep(keep)
        notes.sort()
    return music
