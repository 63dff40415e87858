"""Note content against the peers, on MIDI files no one here wrote: the MIDI files shipped inside the
music21, miditoolkit, pretty_midi, mido, symusic and partitura packages, and MusPy's test files.

Each peer is compared with the reading of ours that uses its pairing rule (``overlap="all"`` for
pretty_midi, first-in-first-out for the others). Every note a peer reads, we read; every note we read
and a peer does not falls in a documented class (``docs/io-midi-native.md``, "Against the peers"), whose
counts are checked here:

* *never closed*: a note-on no note-off ends. We end it at the last event of its track, as MusPy does;
  pretty_midi, miditoolkit and symusic drop it.
* *zero length at a note-off's tick*: under pretty_midi's rule, a note-off meeting only notes begun at its
  own tick; pretty_midi drops them, we keep them with zero length.
"""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import mido
import pytest

from muspy_like import MIDIError
from muspy_like.io.midi import read_midi

PACKAGES = ["music21", "miditoolkit", "pretty_midi", "mido", "symusic", "partitura"]
#: Differences by peer and class over all the files (the table of docs/io-midi-native.md).
EXPECTED = {
    "muspy": {},
    "pretty_midi": {"never closed": 5, "zero length at a note-off's tick": 1},
    "miditoolkit": {"never closed": 17},
    "symusic": {"never closed": 17},
}


def _files(midi_dir: Path) -> list[Path]:
    import importlib.util

    files = sorted(midi_dir.glob("*.mid"))
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin:
            files += sorted(Path(spec.origin).parent.rglob("*.mid"))
    return files


def _peer_notes(peer: str, path: Path) -> Counter:
    """(time, pitch, duration, velocity) of every note the peer reads, in ticks."""
    if peer == "muspy":
        import muspy

        return Counter(n.to_tuple() if hasattr(n, "to_tuple") else (n.time, n.pitch, n.duration, n.velocity)
                       for t in muspy.read_midi(path).tracks for n in t.notes)
    if peer == "pretty_midi":
        import pretty_midi

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            midi = pretty_midi.PrettyMIDI(str(path))
        tick = midi.time_to_tick
        return Counter((tick(n.start), n.pitch, tick(n.end) - tick(n.start), n.velocity)
                       for i in midi.instruments for n in i.notes)
    if peer == "miditoolkit":
        import miditoolkit

        return Counter((n.start, n.pitch, n.end - n.start, n.velocity)
                       for i in miditoolkit.MidiFile(str(path)).instruments for n in i.notes)
    import symusic

    return Counter((n.time, n.pitch, n.duration, n.velocity) for t in symusic.Score(path).tracks for n in t.notes)


def _classify(note: tuple, chunk_ends: set[int]) -> str:
    time, _, duration, _ = note
    if duration == 0:
        return "zero length at a note-off's tick"
    if time + duration in chunk_ends:
        return "never closed"
    return f"unexplained {note}"


def test_every_peer_note_is_ours_and_every_extra_note_is_explained(midi_dir):
    found = {peer: Counter() for peer in EXPECTED}
    compared = Counter()
    for path in _files(midi_dir):
        try:
            ours = {overlap: Counter(n.to_tuple() for t in read_midi(path, overlap=overlap).tracks for n in t.notes)
                    for overlap in ("fifo", "all")}
        except MIDIError:
            continue
        chunk_ends = {sum(message.time for message in track) for track in mido.MidiFile(path).tracks}
        for peer in EXPECTED:
            try:
                theirs = _peer_notes(peer, path)
            except Exception:  # noqa: BLE001 - a peer that cannot read a file has nothing to compare
                continue
            mine = ours["all" if peer == "pretty_midi" else "fifo"]
            assert not theirs - mine, f"{peer} reads notes we do not in {path.name}: {list(theirs - mine)[:3]}"
            for note, count in (mine - theirs).items():
                found[peer][_classify(note, chunk_ends)] += count
            compared[peer] += 1
    assert {peer: dict(counts) for peer, counts in found.items()} == EXPECTED
    assert min(compared.values()) >= 35  # the files really were read by every peer


@pytest.mark.parametrize("overlap", ["fifo", "all"])
def test_a_meta_event_of_unknown_type_keeps_its_delta_time(overlap):
    """mido drops the delta time of meta events of types it does not know (``UnknownMetaMessage`` is built
    without it), so every mido-based peer shifts all later events; we do not."""
    import io

    chunk = bytes.fromhex("00903c40" "60ff6001" "00" "10803c00" "00ff2f00")  # meta type 0x60, 96 ticks in
    data = b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60" + b"MTrk" + len(chunk).to_bytes(4, "big") + chunk
    for engine in ("numpy", "mido"):
        (note,) = read_midi(data, engine=engine, overlap=overlap).tracks[0].notes
        assert note.duration == 96 + 16
    (track,) = mido.MidiFile(file=io.BytesIO(data)).tracks
    assert sum(message.time for message in track) == 16  # mido lost the 96 ticks
