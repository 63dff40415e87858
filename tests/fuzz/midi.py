"""The MIDI target of the fuzz harness: seeds, corruptions, and the two engines.

Seeds are small real files (MusPy's test files, the MIDI files music21 and miditoolkit ship) plus a few
written here that hold what real files rarely do (running status across meta events, system exclusive,
real-time bytes, program changes with running status). Corruptions are generic (bit flips, truncation,
inserted, deleted and repeated bytes) and MIDI-aware: chunk lengths kept consistent so that damage
reaches the event decoder, delta times and lengths of five bytes (a VLQ overflow) or of the largest
four-byte value, huge chunk, meta and system-exclusive lengths, a header announcing 65,535 chunks,
stray real-time and system bytes between events.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from tests.fuzz.harness import FuzzTarget

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
#: Seeds above this size are left out: every variant is also read by the (slow) mido engine.
MAX_SEED_BYTES = 16_000


def seeds() -> list[tuple[str, bytes]]:
    """Valid small MIDI files (label, bytes)."""
    import music21
    import miditoolkit

    from muspy_like.errors import MIDIError
    from muspy_like.io.midi import read_midi

    folders = [SHARED / "muspy_testdata" / "midi", Path(music21.__file__).parent, Path(miditoolkit.__file__).parent]
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*.mid")):
            data = path.read_bytes()
            if len(data) > MAX_SEED_BYTES:
                continue
            try:
                read_midi(data)
            except MIDIError:
                continue
            found.append((path.name, data))
    return found + _written_seeds()


def _written_seeds() -> list[tuple[str, bytes]]:
    def chunk(body: bytes) -> bytes:
        return b"MTrk" + len(body).to_bytes(4, "big") + body

    header = b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0"
    conductor = bytes.fromhex("00ff0305" "5469746c65" "00ff510307a120" "00ff580404021808" "00ff590200ff" "00ff2f00")
    voice = bytes.fromhex(
        "00c005" "00903c40" "003e40" "00ff050361626300" "404000"  # running status around a lyric
        "00f8" "103c00" "00f00305010203f7" "00903e00"  # a real-time byte inside running status, a sysex
        "00b00740" "000a20" "00e00040" "81007f7f" "00d040" "0041"  # controllers, bends, channel pressure
        "00c006" "0007" "00903c50" "83604000" "00ff2f00")  # program changes with running status
    return [("written/running-status", header + chunk(conductor) + chunk(voice))]


def _chunk_starts(data: bytes) -> list[tuple[int, int]]:
    """(header offset, data end) of each chunk of a valid file."""
    position, found = 8 + int.from_bytes(data[4:8], "big"), []
    while position + 8 <= len(data):
        length = int.from_bytes(data[position + 4 : position + 8], "big")
        found.append((position, min(position + 8 + length, len(data))))
        position += 8 + length
    return found


def _replace_in_chunk(data: bytes, rng: random.Random, replacement: bytes, remove: int = 0) -> bytes:
    """Replace ``remove`` bytes at a random place in a random chunk with ``replacement``, fixing the
    chunk's declared length so that the change reaches the event decoder."""
    chunks = _chunk_starts(data)
    if not chunks:
        return data + replacement
    header, end = rng.choice(chunks)
    at = rng.randrange(header + 8, max(header + 9, end))
    remove = min(remove, end - at)
    length = int.from_bytes(data[header + 4 : header + 8], "big") + len(replacement) - remove
    out = bytearray(data[:at] + replacement + data[at + remove :])
    out[header + 4 : header + 8] = max(length, 0).to_bytes(4, "big")
    return bytes(out)


def mutate(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """One corrupt variant of ``data`` and the name of the corruption."""
    kind = rng.choice(["bit flips", "truncation", "inserted bytes", "inserted bytes (length kept)",
                       "deleted bytes", "repeated bytes", "vlq overflow", "largest vlq", "huge chunk length",
                       "huge meta length", "huge sysex", "65535 chunks", "real-time byte", "system byte",
                       "random bytes"])
    out = bytearray(data)
    if kind == "bit flips":  # mostly in the chunks' data, where the event decoder meets them
        low = 14 if rng.random() < 0.8 else 0
        for _ in range(rng.randint(1, 3)):
            position = rng.randrange(min(low, len(out) - 1), len(out))
            out[position] ^= 1 << rng.randrange(8)
        return kind, bytes(out)
    if kind == "truncation":
        return kind, data[: rng.randrange(len(data))]
    if kind == "inserted bytes":
        position = rng.randrange(len(data) + 1)
        return kind, data[:position] + rng.randbytes(rng.randint(1, 8)) + data[position:]
    if kind == "inserted bytes (length kept)":
        return kind, _replace_in_chunk(data, rng, rng.randbytes(rng.randint(1, 8)))
    if kind == "deleted bytes":
        return kind, _replace_in_chunk(data, rng, b"", remove=rng.randint(1, 8))
    if kind == "repeated bytes":
        start = rng.randrange(len(data))
        span = data[start : start + rng.randint(1, 32)]
        return kind, _replace_in_chunk(data, rng, span * rng.randint(2, 20))
    if kind == "vlq overflow":
        return kind, _replace_in_chunk(data, rng, b"\x8f\xff\xff\xff\x7f\x90\x3c\x40")
    if kind == "largest vlq":
        return kind, _replace_in_chunk(data, rng, b"\xff\xff\xff\x7f\x90\x3c\x40" * rng.randint(1, 40))
    if kind == "huge chunk length":
        chunks = _chunk_starts(data)
        header = rng.choice(chunks)[0] if chunks else 14
        out[header + 4 : header + 8] = rng.choice([0xFFFFFFFF, 0x7FFFFFFF, len(data)]).to_bytes(4, "big")
        return kind, bytes(out)
    if kind == "huge meta length":
        return kind, _replace_in_chunk(data, rng, b"\x00\xff\x01\xff\xff\xff\x7f" + rng.randbytes(4))
    if kind == "huge sysex":
        return kind, _replace_in_chunk(data, rng, b"\x00\xf0\xff\xff\xff\x7f" + rng.randbytes(4))
    if kind == "65535 chunks":
        out[10:12] = b"\xff\xff"
        return kind, bytes(out)
    if kind == "real-time byte":
        return kind, _replace_in_chunk(data, rng, bytes([rng.choice([0xF8, 0xFA, 0xFB, 0xFC, 0xFE, 0xF9, 0xFD])]))
    if kind == "system byte":
        return kind, _replace_in_chunk(data, rng, b"\x00" + bytes([rng.choice([0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6])])
                                       + rng.randbytes(rng.randint(0, 2)))
    return kind, _replace_in_chunk(data, rng, rng.randbytes(rng.randint(1, 64)), remove=rng.randint(0, 64))


def read(data: bytes) -> dict[str, Any]:
    """The outcome of each MIDI engine and of each path of the numpy engine (compiled, where the extension
    is built; whole arrays; one event at a time): the Music it read, or the exception it raised."""
    from muspy_like.io.midi.compiled import extension_available
    from muspy_like.io.midi.reader import read_bytes

    ways = {"numpy, one event at a time": ("numpy", {"accelerated": False, "small_file_bytes": 1 << 40}),
            "numpy, whole arrays": ("numpy", {"accelerated": False, "small_file_bytes": -1}),
            "mido": ("mido", {})}
    if extension_available():
        ways["numpy, compiled"] = ("numpy", {"accelerated": True})
    outcomes = {}
    for way, (engine, forced) in ways.items():
        try:
            outcomes[way] = read_bytes(data, "<bytes>", None, engine, "fifo", **forced)
        except Exception as error:  # noqa: BLE001 - the harness judges the exception
            outcomes[way] = error
    return outcomes


TARGET = FuzzTarget("midi", seeds, mutate, read)
