"""Corrupt and truncated MIDI files raise MIDIError (never another exception, never a hang)."""

from __future__ import annotations

import random
import threading
import tracemalloc

import pytest

from muspy_like import MIDIError
from muspy_like.io.midi import read_midi

ENGINES = ["numpy", "mido"]
TIME_LIMIT = 20.0  # seconds per read; a hang fails the test instead of blocking the suite


def _outcome(data: bytes, engine: str):
    """Read in a worker thread: return ("ok", Music), ("error", exception), or fail if it does not finish."""
    result: list = []

    def work() -> None:
        try:
            result.append(("ok", read_midi(data, engine=engine)))
        except BaseException as error:  # noqa: BLE001 - the test inspects the type
            result.append(("error", error))

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(TIME_LIMIT)
    assert not worker.is_alive(), f"reading did not finish within {TIME_LIMIT} s"
    return result[0]


def _valid_files(midi_dir, bench_dir):
    files = []
    for path in sorted(midi_dir.glob("*.mid")):
        try:
            read_midi(path)
        except MIDIError:
            continue
        files.append(path)
    return files + [bench_dir / "mahler.mid"]


@pytest.mark.parametrize("engine", ENGINES)
def test_truncated_files_raise_midierror_with_offset(midi_dir, bench_dir, engine):
    checked = 0
    for path in _valid_files(midi_dir, bench_dir):
        data = path.read_bytes()
        for cut in sorted({0, 4, 13, 14, 21, 22, len(data) // 3, len(data) // 2, len(data) - 5, len(data) - 1}):
            if not 0 <= cut < len(data):
                continue
            kind, value = _outcome(data[:cut], engine)
            assert kind == "error", f"{path.name} cut at {cut} was accepted"
            assert isinstance(value, MIDIError), f"{path.name} cut at {cut}: {type(value).__name__}: {value}"
            assert "byte" in str(value) and "<bytes>" in str(value)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("engine", ENGINES)
def test_flipped_bytes_give_music_or_midierror(midi_dir, bench_dir, engine):
    rng = random.Random(2026)
    outcomes = {"ok": 0, "error": 0}
    for path in _valid_files(midi_dir, bench_dir)[:-1]:
        data = path.read_bytes()
        for _ in range(25):
            corrupt = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                position = rng.randrange(14, len(data)) if len(data) > 14 else rng.randrange(len(data))
                corrupt[position] ^= 1 << rng.randrange(8)
            kind, value = _outcome(bytes(corrupt), engine)
            if kind == "error":
                assert isinstance(value, MIDIError), f"{path.name}: {type(value).__name__}: {value}"
            else:
                value.validate()  # whatever was read is a valid Music
            outcomes[kind] += 1
    assert outcomes["ok"] > 0 and outcomes["error"] > 0


def test_flipped_bytes_agree_between_engines(midi_dir):
    """On corrupt input that still parses, the numpy and mido engines read the same thing."""
    rng = random.Random(7)
    data = (midi_dir / "fur-elise.mid").read_bytes()
    for _ in range(60):
        corrupt = bytearray(data)
        corrupt[rng.randrange(22, len(data))] ^= 1 << rng.randrange(7)
        first = _outcome(bytes(corrupt), "numpy")
        second = _outcome(bytes(corrupt), "mido")
        assert first[0] == second[0]
        if first[0] == "ok":
            assert first[1] == second[1]


@pytest.mark.parametrize("engine", ENGINES)
def test_lying_header_allocates_nothing_large(engine):
    # 65535 tracks declared, one chunk claiming 4 GB: refused before any buffer of that size exists
    data = b"MThd\x00\x00\x00\x06\x00\x01\xff\xff\x01\xe0" + b"MTrk\xff\xff\xff\xff" + b"\x00\x90\x3c\x40"
    tracemalloc.start()
    try:
        with pytest.raises(MIDIError, match="declares 4294967295 bytes") as error:
            read_midi(data, engine=engine)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "byte 14" in str(error.value)
    assert peak < 5_000_000


@pytest.mark.parametrize("engine", ENGINES)
def test_event_running_past_its_chunk(engine):
    # a note-on whose data bytes lie beyond the end of its chunk (the next chunk header follows)
    chunk = b"\x00\x90\x3c"
    data = b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x00\x60" + b"MTrk" + len(chunk).to_bytes(4, "big") + chunk
    data += b"MTrk\x00\x00\x00\x04\x00\xff\x2f\x00"
    with pytest.raises(MIDIError, match="truncated message at byte 23"):
        read_midi(data, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_running_status_without_status(engine):
    chunk = b"\x00\x3c\x40\x00\xff\x2f\x00"
    data = b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60" + b"MTrk" + len(chunk).to_bytes(4, "big") + chunk
    with pytest.raises(MIDIError, match="without a status .* at byte 23"):
        read_midi(data, engine=engine)


def test_not_a_midi_file():
    with pytest.raises(MIDIError, match="not a MIDI file"):
        read_midi(b"RIFF....WAVEfmt ")
