"""Fixtures for the interop tests: the readable real MIDI files and a note-content comparison."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

#: MusPy's test MIDI files our reader accepts (SMPTE, zero division and type 2 are its error cases).
READABLE_MIDI = [
    "chords.mid",
    "durations.mid",
    "empty.mid",
    "fur-elise.mid",
    "key-signatures.mid",
    "multichannel.mid",
    "multiple-copyrights.mid",
    "multitrack.mid",
    "pitches.mid",
    "single-track-single-channel.mid",
    "tempos.mid",
    "ticks-per-beat-480.mid",
    "time-signatures.mid",
]


def note_content(music, with_program: bool = True) -> Counter:
    """Multiset of (time, pitch, duration, velocity[, program, is_drum]) over all tracks."""
    rows = Counter()
    for track in music.tracks:
        extra = (track.program, track.is_drum) if with_program else ()
        for t, p, d, v in zip(*(track.notes.columns()[k].tolist() for k in ("time", "pitch", "duration", "velocity"))):
            rows[(t, p, d, v, *extra)] += 1
    return rows


@pytest.fixture(params=READABLE_MIDI)
def midi_path(request, midi_dir) -> Path:
    """Each readable MIDI file of MusPy's test suite."""
    return midi_dir / request.param


@pytest.fixture(scope="session")
def content():
    """The :func:`note_content` function."""
    return note_content


#: pretty_midi and miditoolkit fail on a file with an empty track (``max() arg is an empty sequence``).
PEER_READABLE_MIDI = [name for name in READABLE_MIDI if name != "ticks-per-beat-480.mid"]


@pytest.fixture(params=PEER_READABLE_MIDI)
def peer_midi_path(request, midi_dir) -> Path:
    """Each MIDI file that pretty_midi and miditoolkit can read too."""
    return midi_dir / request.param
