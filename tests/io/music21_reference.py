"""music21's reading of every MusicXML file of its own corpus, cached as a compact reference for the tests.

music21 needs about 40 minutes of CPU to parse its 654 MusicXML/MXL corpus files, so its side of the
differential test (``test_musicxml_music21.py``) is computed once and stored in
``tests/data/music21_musicxml_notes.json.gz`` (about half a megabyte). Regenerate it after upgrading
music21 (the test refuses a reference made by another version)::

    python -m tests.io.music21_reference [-j JOBS]

For each file the reference holds, per music21 part (``Part`` or, for multi-staff parts, ``PartStaff``),
what a music21 user gets from ``converter.parse(path, forceSource=True)`` with parts not at sounding
pitch moved there (``toSoundingPitch``, as we read transposing instruments):

* ``notes``: the part tie-stripped (``stripTies``) and flattened -- the notes music21 says sound;
* ``written``: the part flattened without stripping ties -- every written note once, with its tie;
* ``measures``: the offset of each measure.

Chord members count as separate notes; grace notes (no metrical time) and chord symbols
(``harmony.Harmony``, which music21 counts among ``.notes`` with no duration) are left out. A note is
(onset, MIDI key, duration, flags): flags ``1`` tie start (or continue), ``2`` tie stop (or continue),
``4`` unpitched (the key is then the display position, as music21 gives it). Onsets and durations are
exact fractions of a quarter note, stored as integers at the least common multiple of their
denominators, onsets as differences from the previous one.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "music21_musicxml_notes.json.gz"
SUFFIXES = (".xml", ".mxl", ".musicxml")

#: (onset in quarters, MIDI key, duration in quarters, flags)
NoteRow = tuple[Fraction, int, Fraction, int]
TIE_START, TIE_STOP, UNPITCHED = 1, 2, 4
_TIE_FLAGS = {"start": TIE_START, "stop": TIE_STOP, "continue": TIE_START | TIE_STOP}


def corpus_root() -> Path:
    from music21 import corpus

    return Path(corpus.__file__).resolve().parent


def corpus_files() -> list[str]:
    """Every MusicXML file of music21's corpus, as paths relative to the corpus folder, sorted."""
    root = corpus_root()
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.suffix.lower() in SUFFIXES)


def music21_parts(path: Path) -> list[dict[str, Any]]:
    """music21's parts of one file: ``{"id", "staff", "notes", "written", "measures"}`` (see the module notes)."""
    from music21 import converter, stream

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = converter.parse(str(path), forceSource=True)
        parts = []
        for part in score.parts:
            if part.atSoundingPitch is False:
                part = part.toSoundingPitch()
            measures = [Fraction(m.getOffsetBySite(part)) for m in part.getElementsByClass(stream.Measure)]
            parts.append({"id": str(part.id), "staff": isinstance(part, stream.PartStaff),
                          "notes": _note_rows(part.stripTies().flatten()), "written": _note_rows(part.flatten()),
                          "measures": measures})
    return parts


def _note_rows(flat: Any) -> list[NoteRow]:
    """Sorted NoteRows of a flattened music21 stream."""
    from music21 import chord, harmony, note

    rows = []
    for element in flat.notes:
        if element.duration.isGrace or isinstance(element, harmony.Harmony):
            continue
        onset, duration = Fraction(element.getOffsetBySite(flat)), Fraction(element.duration.quarterLength)
        for member in element.notes if isinstance(element, chord.ChordBase) else [element]:
            flags = _TIE_FLAGS.get(member.tie.type, 0) if member.tie is not None else 0
            if isinstance(member, note.Unpitched):
                rows.append((onset, member.displayPitch().midi, duration, flags | UNPITCHED))
            else:
                rows.append((onset, member.pitch.midi, duration, flags))
    return sorted(rows)


def encode_notes(notes: list[NoteRow]) -> dict[str, Any]:
    """Notes as ``{"unit": U, "rows": [onset step, key, duration, flags, ...]}``, times in quarters / U."""
    unit = math.lcm(1, *(n[0].denominator for n in notes), *(n[2].denominator for n in notes))
    rows: list[int] = []
    previous = 0
    for onset, key, duration, flags in notes:
        tick = int(onset * unit)
        rows += [tick - previous, int(key), int(duration * unit), int(flags)]
        previous = tick
    return {"unit": unit, "rows": rows}


def decode_notes(encoded: dict[str, Any]) -> list[NoteRow]:
    unit, rows = encoded["unit"], encoded["rows"]
    notes, tick = [], 0
    for k in range(0, len(rows), 4):
        tick += rows[k]
        notes.append((Fraction(tick, unit), rows[k + 1], Fraction(rows[k + 2], unit), rows[k + 3]))
    return notes


def encode_times(times: list[Fraction]) -> dict[str, Any]:
    """Increasing times as ``{"unit": U, "steps": [...]}`` (differences, in quarters / U)."""
    unit = math.lcm(1, *(t.denominator for t in times))
    ticks = [int(t * unit) for t in times]
    return {"unit": unit, "steps": [b - a for a, b in zip([0] + ticks, ticks)]}


def decode_times(encoded: dict[str, Any]) -> list[Fraction]:
    times, tick = [], 0
    for step in encoded["steps"]:
        tick += step
        times.append(Fraction(tick, encoded["unit"]))
    return times


def _reference_entry(relative: str) -> tuple[str, dict[str, Any]]:
    from music21 import environment

    environment.Environment()["directoryScratch"] = tempfile.mkdtemp(prefix="music21-reference-")
    start = time.perf_counter()
    parts = music21_parts(corpus_root() / relative)
    entry = {
        "parts": [{"id": p["id"], "staff": p["staff"], "notes": encode_notes(p["notes"]),
                   "written": encode_notes(p["written"]), "measures": encode_times(p["measures"])} for p in parts],
        "seconds": round(time.perf_counter() - start, 3),
    }
    return relative, entry


def build_reference(jobs: int = 1) -> dict[str, Any]:
    """music21's notes for every corpus file (slow: about 40 minutes of CPU in all)."""
    import music21

    files = corpus_files()
    entries: dict[str, Any] = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for done, (relative, entry) in enumerate(pool.map(_reference_entry, files, chunksize=1), 1):
            entries[relative] = entry
            print(f"{done}/{len(files)} {relative} ({entry['seconds']:.1f} s)", flush=True)
    return {"music21": music21.__version__, "files": entries}


def load_reference(path: Path = REFERENCE) -> dict[str, Any]:
    """The stored reference (``{"music21": version, "files": {relative path: entry}}``)."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.io.music21_reference", description=__doc__.splitlines()[0])
    parser.add_argument("-j", "--jobs", type=int, default=1, help="music21 processes (default 1)")
    parser.add_argument("--output", type=Path, default=REFERENCE, help=f"where to write (default {REFERENCE})")
    args = parser.parse_args(argv)
    reference = build_reference(args.jobs)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.output.with_name(args.output.name + ".part")
    with gzip.open(temporary, "wt", encoding="utf-8", compresslevel=9) as handle:
        json.dump(reference, handle, separators=(",", ":"), sort_keys=True)
    temporary.replace(args.output)
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes) for music21 {reference['music21']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
