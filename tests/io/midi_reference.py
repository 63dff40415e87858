"""Independent expectations for MIDI tests, computed from mido's raw messages (not from our reader)."""

from __future__ import annotations

from collections import defaultdict, deque

import mido


def mido_note_tuples(source) -> list[tuple[int, int, int, int, int]]:
    """Sorted (channel, time, pitch, duration, velocity) of every completed note, pairing first-in-first-out."""
    midi = source if isinstance(source, mido.MidiFile) else mido.MidiFile(source)
    notes = []
    for track in midi.tracks:
        tick = 0
        sounding: dict[tuple[int, int], deque] = defaultdict(deque)
        for message in track:
            tick += message.time
            if message.type == "note_on" and message.velocity > 0:
                sounding[message.channel, message.note].append((tick, message.velocity))
            elif message.type in ("note_on", "note_off"):
                queue = sounding[message.channel, message.note]
                if queue:
                    start, velocity = queue.popleft()
                    notes.append((message.channel, start, message.note, tick - start, velocity))
    return sorted(notes)


def music_note_tuples(music) -> list[tuple[int, int, int, int, int]]:
    """The same tuples from a Music (channel of the track)."""
    out = []
    for track in music.tracks:
        for time, pitch, duration, velocity in zip(
            track.notes.time.tolist(), track.notes.pitch.tolist(), track.notes.duration.tolist(), track.notes.velocity.tolist()
        ):
            out.append((track.channel, time, pitch, duration, velocity))
    return sorted(out)


def mido_meta(source, kind: str, attribute: str) -> list[tuple[int, object]]:
    """(absolute tick, value) of every meta message of one kind, in track order."""
    midi = source if isinstance(source, mido.MidiFile) else mido.MidiFile(source)
    found = []
    for track in midi.tracks:
        tick = 0
        for message in track:
            tick += message.time
            if message.type == kind:
                found.append((tick, getattr(message, attribute)))
    return found
