"""The ABC target of the fuzz harness: seeds, token-level corruptions, and two ways of reading.

Seeds are MusPy's ABC test files and a few short tunes of music21's corpus, plus a small tune book.
Corruptions act on what an ABC reader parses: tokens deleted, repeated or swapped; header fields (``X:``,
``M:``, ``L:``, ``K:``, ``Q:``) truncated or given bad values (``L:1/0``, ``M:0/0``, ``M:4/3``, huge
numbers); note lengths made bad fractions (``A/0``, ``A0``, ``A999999``); repeat and tuplet counts made
huge (``(999``, ``[9999``, ``:|999``); a tune of a tune book broken; the text truncated; bytes flipped.

Each variant is read as a file (every tune) and as text through the MusPy-compatible reader: they must
agree on the verdict and on the pieces. A refusal may be worded differently by the two paths (a tune book's
error lists every failed tune), so only its class is compared.
"""

from __future__ import annotations

import importlib.util
import random
import re
from pathlib import Path
from typing import Any

from tests.fuzz.harness import FuzzTarget
from tests.fuzz.scratch import scratch_folder

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
#: music21's corpus, found without importing music21 (seconds of every child's start-up).
MUSIC21_CORPUS = Path(importlib.util.find_spec("music21").origin).parent / "corpus"
#: Seeds above this size are left out: music21 parses ABC slowly, and every variant is read twice.
MAX_SEED_BYTES = 1_500
BAD_VALUES = ("1/0", "0/0", "4/3", "-1/4", "0", "999999999999999999999/4", "1/" + "9" * 30, "abc", "", "C|", "1e9")
HUGE = ("(999", "(0", "[999999", ":|999", "|:" * 200, "z999999999", "A/0", "A0", "A" + "9" * 25, "A//////////",
        "^^^^^^^^A", "A'''''''''''''''''", "x" * 3000, '"' + "C" * 100, "!" + "trill" * 20, "[K:H]", "[M:1/0]",
        "[L:0/1]", "{" * 50, "(" * 100)
TUNE_BOOK = (b"X:1\nT:First\nM:4/4\nL:1/8\nK:G\nGABc d2e2|d2B2 G4|]\n\n"
             b"X:2\nT:Second\nM:3/4\nL:1/4\nK:D\nDFA|d2A|FED|]\n\n"
             b"X:3\nT:Third\nM:6/8\nL:1/8\nK:Em\nEFG B2e|dBA G3|]\n")


def seeds() -> list[tuple[str, bytes]]:
    """Small valid ABC files (label, bytes)."""
    found = [(path.name, path.read_bytes()) for path in sorted((SHARED / "muspy_testdata" / "abc").glob("*.abc"))]
    corpus = MUSIC21_CORPUS
    small = sorted(p for p in corpus.rglob("*.abc") if p.stat().st_size <= MAX_SEED_BYTES)[:6]
    return found + [(path.name, path.read_bytes()) for path in small] + [("written/tune-book", TUNE_BOOK)]


_FIELD = re.compile(rb"^([XMLKQT]):(.*)$", re.MULTILINE)


def mutate(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """One corrupt variant of ``data`` and the name of the corruption."""
    kind = rng.choice(["bad field value", "truncated header", "drop tokens", "repeat tokens", "swap tokens",
                       "huge count", "huge count", "broken tune in a book", "truncation", "byte flips"])
    fields = list(_FIELD.finditer(data))
    if kind == "bad field value" and fields:
        field = rng.choice(fields)
        value = rng.choice(BAD_VALUES).encode()
        return f"{field.group(1).decode()}:{value.decode()[:20]}", data[: field.start(2)] + value + data[field.end(2):]
    if kind == "truncated header" and fields:
        field = rng.choice(fields)
        return kind, data[: field.start(2) + rng.randrange(max(1, len(field.group(2))))]
    body_start = fields[-1].end() if fields else 0
    head, body = data[:body_start], data[body_start:]
    tokens = re.split(rb"(\s+|\|)", body)
    if kind == "drop tokens" and tokens:
        for _ in range(rng.randint(1, 5)):
            if tokens:
                del tokens[rng.randrange(len(tokens))]
        return kind, head + b"".join(tokens)
    if kind == "repeat tokens" and tokens:
        at = rng.randrange(len(tokens))
        tokens[at:at] = tokens[at : at + rng.randint(1, 4)] * rng.randint(2, 20)
        return kind, head + b"".join(tokens)
    if kind == "swap tokens" and len(tokens) > 1:
        a, b = rng.randrange(len(tokens)), rng.randrange(len(tokens))
        tokens[a], tokens[b] = tokens[b], tokens[a]
        return kind, head + b"".join(tokens)
    if kind == "huge count":
        insert = rng.choice(HUGE).encode()
        at = body_start + rng.randrange(len(body) + 1)
        return f"insert {insert.decode()[:12]}", data[:at] + insert + data[at:]
    if kind == "broken tune in a book":
        broken = data.replace(b"K:", b"K:" + rng.choice(BAD_VALUES).encode() + b" ", 1)
        return kind, TUNE_BOOK + b"\n" + broken.replace(b"X:1", b"X:4", 1) + b"\n" + TUNE_BOOK.replace(b"X:", b"X:9")
    if kind == "truncation":
        return kind, data[: rng.randrange(len(data) + 1)]
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return "byte flips", bytes(out)


class Tunes(list):
    """The pieces of one ABC file, judged as one outcome: valid when every tune is."""

    def validate(self) -> None:
        for music in self:
            music.validate()


def _every_tune(path: Path) -> Tunes:
    from muspy_like.io import abc

    # ``read_abc_tunes`` where the reader has it (one tune per call in ``read_abc``), else ``read_abc``.
    reader = getattr(abc, "read_abc_tunes", None) or abc.read_abc
    return Tunes(reader(path))


def _text(data: bytes) -> Tunes:
    from muspy_like.compat.io import read_abc_string

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # as the file reader decodes
    pieces = read_abc_string(text)
    return Tunes(pieces if isinstance(pieces, list) else [pieces])


def read(data: bytes) -> dict[str, Any]:
    """The outcome of each way of reading the variant: its tunes, or the exception raised."""
    from muspy_like.errors import ABCError

    path = scratch_folder() / "tune.abc"
    path.write_bytes(data)
    outcomes = {}
    for way, reader in {"file": lambda: _every_tune(path), "text (compatible)": lambda: _text(data)}.items():
        try:
            tunes = reader()
            for music in tunes:
                music.metadata.source_filename = None  # "tune.abc" or none: the one expected difference
            outcomes[way] = tunes
        except ABCError:
            outcomes[way] = ABCError("refused")  # compared by verdict only (see the module notes)
        except Exception as error:  # noqa: BLE001 - the harness judges the exception
            outcomes[way] = error
    return outcomes


TARGET = FuzzTarget("abc", seeds, mutate, read)
