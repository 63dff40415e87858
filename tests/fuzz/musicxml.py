"""The MusicXML target of the fuzz harness: seeds, structural corruptions, and three ways of reading.

Seeds are small real files: MusPy's MusicXML test files, the LilyPond MusicXML suite and the smallest
MusicXML files of music21's corpus. Corruptions work on the element tree where the reader meets them
(elements removed, duplicated, moved among their siblings; numbers made bad, negative, zero, NaN,
fractional or hundreds of digits long; attributes emptied) and on the bytes (truncation, entity and
DOCTYPE declarations, other encodings, byte flips).

Each variant is read as an ``.xml`` file, as the same document zipped into an ``.mxl`` archive (with its
``META-INF/container.xml``), and through the MusPy-compatible reader (written order): the three must agree.
Repeats are also expanded (the compatible reader's default, MusPy's way), which must end in a valid piece
or in one of our errors, but may of course differ from the written order.
"""

from __future__ import annotations

import importlib.util
import io
import random
import zipfile
from pathlib import Path
from typing import Any

from tests.fuzz.harness import FuzzTarget
from tests.fuzz.scratch import named_alike, scratch_folder

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
#: music21's corpus, found without importing music21 (seconds of every child's start-up); None with the
#: core install alone, where the seeds are MusPy's test files only (the MusicXML reader is core).
_MUSIC21 = importlib.util.find_spec("music21")
MUSIC21_CORPUS = Path(_MUSIC21.origin).parent / "corpus" if _MUSIC21 and _MUSIC21.origin else None
#: Seeds above this size are left out (a few hundred variants must read in seconds).
MAX_SEED_BYTES = 12_000
#: Elements whose text is a number the reader computes with.
NUMERIC = ("divisions", "duration", "beats", "beat-type", "fifths", "octave", "alter", "staves", "staff", "voice",
           "actual-notes", "normal-notes", "per-minute", "chromatic", "backup", "forward", "velocity")
BAD_NUMBERS = ("", "abc", "NaN", "nan", "inf", "-inf", "-4", "0", "-0", "1e400", "2.5", "1/0", "0x10", " 7 ",
               "9" * 40, "9" * 400, str(2**63), str(-(2**63) - 1), "1" + "0" * 4400, "٣")
CONTAINER = (b'<?xml version="1.0" encoding="UTF-8"?><container><rootfiles>'
             b'<rootfile full-path="score.xml" media-type="application/vnd.recordare.musicxml+xml"/>'
             b"</rootfiles></container>")


def seeds() -> list[tuple[str, bytes]]:
    """Small valid MusicXML files (label, bytes) that our reader accepts."""
    from muspy_like.errors import MusicXMLError
    from muspy_like.io.musicxml import read_musicxml

    corpus = MUSIC21_CORPUS
    candidates = sorted((SHARED / "muspy_testdata" / "musicxml").glob("*.xml"))
    candidates += sorted((SHARED / "muspy_testdata" / "musicxml-lilypond").glob("*.xml"))
    if corpus is not None:
        candidates += sorted(path for path in corpus.rglob("*.xml") if path.stat().st_size <= MAX_SEED_BYTES)[:10]
    found = []
    for path in candidates:
        if path.stat().st_size > MAX_SEED_BYTES:
            continue
        try:
            read_musicxml(path)
        except MusicXMLError:
            continue
        found.append((path.name, path.read_bytes()))
    return found


def _tree(data: bytes) -> Any:
    from lxml import etree

    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False))


def _serialise(root: Any, data: bytes) -> bytes:
    from lxml import etree

    doctype = data[: data.find(b"<score-")] if b"<score-" in data else b""
    body = etree.tostring(root, encoding="UTF-8")
    if doctype.startswith(b"<?xml"):
        return doctype + body
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _structural(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """An edit of the element tree: remove, duplicate or move an element, or break a number."""
    root = _tree(data)
    elements = [element for element in root.iter() if isinstance(element.tag, str) and element is not root]
    kind = rng.choice(["remove element", "duplicate element", "move element", "bad number", "bad number",
                       "bad attribute", "duplicate measure contents"])
    numeric = [e for e in elements if e.tag in NUMERIC and e.text is not None]
    if kind == "bad number" and numeric:
        element = rng.choice(numeric)
        element.text = rng.choice(BAD_NUMBERS)
        kind = f"bad number <{element.tag}>{element.text[:12]}"
    elif kind == "bad attribute":
        attributed = [e for e in elements if e.attrib] or elements
        element = rng.choice(attributed)
        name = rng.choice(sorted(element.attrib) or ["number"])
        element.set(name, rng.choice(BAD_NUMBERS))
        kind = f"bad attribute {element.tag}@{name}"
    elif kind == "duplicate measure contents":
        measures = [e for e in elements if e.tag == "measure"]
        if measures:
            measure = rng.choice(measures)
            for child in list(measure)[: rng.randint(1, 20)] * rng.randint(1, 30):
                measure.append(_copy(child))
    else:
        element = rng.choice(elements)
        parent = element.getparent()
        if kind == "remove element":
            parent.remove(element)
            kind = f"remove <{element.tag}>"
        elif kind == "duplicate element":
            for _ in range(rng.choice([1, 1, 2, 100])):
                element.addnext(_copy(element))
            kind = f"duplicate <{element.tag}>"
        else:
            siblings = list(parent)
            parent.remove(element)
            parent.insert(rng.randrange(len(siblings)), element)
            kind = f"move <{element.tag}>"
    return kind, _serialise(root, data)


def _copy(element: Any) -> Any:
    import copy

    return copy.deepcopy(element)


def _textual(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """An edit of the bytes: truncation, entities, encodings, flips."""
    kind = rng.choice(["truncation", "entity", "external entity", "utf-16", "utf-32", "wrong declared encoding",
                       "latin-1 text", "byte flips", "no declaration"])
    start = data.find(b"<score-")
    if kind == "truncation":
        return kind, data[: rng.randrange(len(data))]
    if kind in ("entity", "external entity"):
        declaration = (b'<!DOCTYPE score-partwise [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
                       if kind == "entity" else b'<!DOCTYPE score-partwise [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
        body = data[start:].replace(b"<work-title>", b"<work-title>&b;&x;", 1)
        return kind, b'<?xml version="1.0" encoding="UTF-8"?>\n' + declaration + body
    if kind in ("utf-16", "utf-32"):
        text = data.decode("utf-8").replace('encoding="UTF-8"', f'encoding="{kind.upper()}"', 1)
        encoded = text.encode(kind)
        if rng.random() < 0.5:  # with an entity declaration, which the byte pre-filter must still see
            encoded = encoded.replace('<score-'.encode(kind)[2 if kind == "utf-16" else 4:],
                                      '<!DOCTYPE s [<!ENTITY a "b">]><score-'.encode(kind)[2 if kind == "utf-16" else 4:], 1)
            kind += " with an entity"
        return kind, encoded
    if kind == "wrong declared encoding":
        return kind, data.replace(b'encoding="UTF-8"', rng.choice([b'encoding="ISO-8859-1"', b'encoding="UTF-16"',
                                                                    b'encoding="nonsense"']), 1)
    if kind == "latin-1 text":
        return kind, data.replace(b"</work-title>", b"\xe9\xff</work-title>", 1).replace(b"<part-name>", b"<part-name>\xe9", 1)
    if kind == "no declaration":
        return kind, data[start:] if start > 0 else data
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        position = rng.randrange(len(out))
        out[position] ^= 1 << rng.randrange(8)
    return kind, bytes(out)


def mutate(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """One corrupt variant of ``data`` and the name of the corruption (mostly structural)."""
    if rng.random() < 0.7:
        return _structural(rng, data)
    return _textual(rng, data)


def read(data: bytes) -> dict[str, Any]:
    """The outcome of each way of reading the variant: the Music read, or the exception raised."""
    from muspy_like.compat.io import read_musicxml as read_compatible
    from muspy_like.io.musicxml import read_musicxml

    folder = scratch_folder()
    plain, archive = folder / "score.xml", folder / "score.mxl"
    plain.write_bytes(data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("META-INF/container.xml", CONTAINER)
        packed.writestr("score.xml", data)
    archive.write_bytes(buffer.getvalue())
    ways = {
        ".xml": lambda: read_musicxml(plain),
        ".mxl": lambda: read_musicxml(archive),
        "compatible reader (written order)": lambda: read_compatible(plain, expand_repeats=False),
    }
    outcomes = {}
    for way, reader in ways.items():
        try:
            music = reader()
            music.metadata.source_filename = None  # "score.xml" or "score.mxl": the one expected difference
            outcomes[way] = music
        except Exception as error:  # noqa: BLE001 - the harness judges the exception
            outcomes[way] = named_alike(error, [str(plain), str(archive)])
    written_order = outcomes[".xml"]
    try:
        read_musicxml(plain, expand_repeats=True).validate()
    except Exception as error:  # noqa: BLE001
        # A foreign error always counts; one of ours only where the written order was read fine.
        if not isinstance(written_order, BaseException) or not _ours(error):
            outcomes["repeats expanded"] = named_alike(error, [str(plain)])
    return outcomes


def _ours(error: BaseException) -> bool:
    from muspy_like.errors import MuspyLikeError

    return isinstance(error, MuspyLikeError)


TARGET = FuzzTarget("musicxml", seeds, mutate, read)
