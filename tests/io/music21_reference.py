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
import os
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import Any, Optional

DATA = Path(__file__).resolve().parents[1] / "data"
#: Where each source's files live, and its reference file. "corpus": music21's own corpus; "testdata":
#: the MusicXML files of MusPy's test data and the LilyPond test suite (``shared/muspy_testdata``).
REFERENCES = {"corpus": DATA / "music21_musicxml_notes.json.gz", "testdata": DATA / "music21_testdata_notes.json.gz"}
SUFFIXES = (".xml", ".mxl", ".musicxml")

#: (onset in quarters, MIDI key, duration in quarters, flags)
NoteRow = tuple[Fraction, int, Fraction, int]
TIE_START, TIE_STOP, UNPITCHED = 1, 2, 4
_TIE_FLAGS = {"start": TIE_START, "stop": TIE_STOP, "continue": TIE_START | TIE_STOP}


def source_root(source: str) -> Path:
    """The folder of a source's files (see :data:`REFERENCES`)."""
    if source == "corpus":
        from music21 import corpus

        return Path(corpus.__file__).resolve().parent
    shared = Path(os.environ.get("MUSPY_LIKE_SHARED", Path(__file__).resolve().parents[2].parent / "shared"))
    return shared / "muspy_testdata"


def source_files(source: str) -> list[str]:
    """Every MusicXML file of a source, as paths relative to its folder, sorted."""
    root = source_root(source)
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


def _reference_entry(task: tuple[str, str]) -> tuple[str, dict[str, Any]]:
    from music21 import environment

    source, relative = task
    environment.Environment()["directoryScratch"] = tempfile.mkdtemp(prefix="music21-reference-")
    start = time.perf_counter()
    parts = music21_parts(source_root(source) / relative)
    entry = {
        "parts": [{"id": p["id"], "staff": p["staff"], "notes": encode_notes(p["notes"]),
                   "written": encode_notes(p["written"]), "measures": encode_times(p["measures"])} for p in parts],
        "seconds": round(time.perf_counter() - start, 3),
    }
    return relative, entry


def build_reference(source: str, jobs: int = 1) -> dict[str, Any]:
    """music21's notes for every file of a source (the corpus takes about 40 minutes of CPU)."""
    import music21

    files = source_files(source)
    entries: dict[str, Any] = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        tasks = [(source, relative) for relative in files]
        for done, (relative, entry) in enumerate(pool.map(_reference_entry, tasks, chunksize=1), 1):
            entries[relative] = entry
            print(f"{done}/{len(files)} {relative} ({entry['seconds']:.1f} s)", flush=True)
    return {"music21": music21.__version__, "source": source, "files": entries}


def load_reference(source: str) -> dict[str, Any]:
    """The stored reference of a source (``{"music21": version, "source", "files": {path: entry}}``)."""
    with gzip.open(REFERENCES[source], "rt", encoding="utf-8") as handle:
        return json.load(handle)


def write_reference(reference: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    with gzip.open(temporary, "wt", encoding="utf-8", compresslevel=9) as handle:
        json.dump(reference, handle, separators=(",", ":"), sort_keys=True)
    temporary.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.io.music21_reference", description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", metavar="SOURCE",
                        help=f"which references to rebuild, among {', '.join(REFERENCES)} (default: all)")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="music21 processes (default 1)")
    parser.add_argument("--report", action="store_true",
                        help="build nothing: compare our reader with the stored references and count the classes")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.sources) - set(REFERENCES))
    if unknown:
        parser.error(f"unknown sources: {', '.join(unknown)}")
    for source in args.sources or list(REFERENCES):
        if args.report:
            print(difference_report(source))
            continue
        reference = build_reference(source, args.jobs)
        write_reference(reference, REFERENCES[source])
        print(f"wrote {REFERENCES[source]} ({REFERENCES[source].stat().st_size} bytes) for music21 "
              f"{reference['music21']}")
    return 0




# -- comparing our reader with the reference ------------------------------------------------------------

#: Classes of difference (see ``docs/io-scores.md``, "Differences from music21"), by name.
DIFFERENCE_CLASSES = {
    "staves": "music21 splits a multi-staff part into one PartStaff per staff (compared merged)",
    "unlisted parts": "music21 ignores a <part> that <part-list> does not declare; we read it",
    "unpitched": "unpitched percussion: music21 gives the display position, we the instrument's MIDI key",
    "direction offset": "music21 lengthens a measure to reach a direction placed after its end with <offset>",
    "zero forward": "music21 makes a <forward> of zero divisions a quarter rest, lengthening its measure",
    "ties": "music21's stripTies joins other notes than the file's ties (details in the report)",
    "cue notes": "music21 keeps <cue/> notes as sounding notes; the specification says they are silent",
    "accidental without alter": "music21 lets a printed <accidental> change a pitch that has no <alter>",
    "overfull measure": "a measure overfull by a stray amount keeps its time signature's length (both readers)",
    "grace notes": "we keep grace notes with their notated length (music21: zero length, left out of the reference)",
}


def reference_tracks(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """music21's parts grouped as our tracks: consecutive PartStaffs of one part make one track."""
    tracks: list[dict[str, Any]] = []
    previous = None
    for part in entry["parts"]:
        key = part["id"].rsplit("-Staff", 1)[0] if part["staff"] else None
        notes, written = decode_notes(part["notes"]), decode_notes(part["written"])
        if key is not None and key == previous:
            tracks[-1]["notes"] = sorted(tracks[-1]["notes"] + notes)
            tracks[-1]["written"] = sorted(tracks[-1]["written"] + written)
            tracks[-1]["staves"] += 1
        else:
            tracks.append({"notes": notes, "written": written, "measures": decode_times(part["measures"]),
                           "staves": 1})
        previous = key
    return tracks


def our_tracks(music: Any) -> list[list[tuple[Fraction, int, Fraction]]]:
    """Per track: sorted (onset, key, duration) in quarter notes."""
    r = music.resolution
    return [sorted((Fraction(t, r), p, Fraction(d, r)) for t, p, d in
                   zip(track.notes.time.tolist(), track.notes.pitch.tolist(), track.notes.duration.tolist()))
            for track in music.tracks]


def _plain(notes: list[NoteRow]) -> list[tuple[Fraction, int, Fraction]]:
    return sorted(n[:3] for n in notes)


def compare_file(source: str, relative: str, entry: dict[str, Any]) -> dict[str, Any]:
    """Compare our reading of a corpus file with music21's; return ``{"classes": set, "counts": {...}}``.

    ``classes`` is empty when the note content is identical (over whole tracks), else the classes of
    difference found (:data:`DIFFERENCE_CLASSES`), each checked: a difference that fits none is reported as
    ``"unexplained: ..."``. ``counts`` counts music21's notes by what music21 did wrong with ties.
    """
    from muspy_like.io.musicxml import read_musicxml

    path = source_root(source) / relative
    ours, theirs = our_tracks(read_musicxml(path)), reference_tracks(entry)
    result: dict[str, Any] = {"classes": set(), "counts": {}}
    if any(track["staves"] > 1 for track in theirs):
        result["classes"].add("staves")
    raw = _RawScore(path)
    if raw.has_grace_notes():
        ours = _without_grace_notes(ours, our_tracks(read_musicxml(path, grace_notes="drop")), raw, result)
        if ours is None:
            return result
    listed = list(range(len(ours)))
    if len(ours) != len(theirs):
        listed = [k for k in listed if k not in raw.unlisted_parts()]
        if len(listed) != len(theirs):
            result["classes"].add(f"unexplained: {len(theirs)} music21 tracks, {len(ours)} ours")
            return result
        result["classes"].add("unlisted parts")
    part_starts: list = []
    for part, reference in zip(listed, theirs):
        if ours[part] == _plain(reference["notes"]):
            continue
        part_starts = part_starts or our_measure_starts(path)  # the layout is needed only where notes differ
        try:
            _explain_track(ours[part], reference, part_starts[part], raw, part, result)
        except _Unexplained as exc:
            result["classes"].add(f"unexplained: part {part}: {exc}")
            return result
    return result


def _without_grace_notes(ours: list, dropped: list, raw: "_RawScore", result: dict[str, Any]) -> Optional[list]:
    """Our tracks read with grace notes dropped, once checked that the default reading holds exactly those
    notes plus one note per sounding grace note of the raw file's part; None (and an unexplained class) if not.
    """
    from collections import Counter

    if len(ours) != len(dropped):
        result["classes"].add("unexplained: grace notes change the number of tracks")
        return None
    for part, (kept, plain) in enumerate(zip(ours, dropped)):
        extra = Counter(kept) - Counter(plain)
        expected = raw.grace_notes(part) if part < len(raw.parts()) else 0
        if Counter(plain) - Counter(kept) or sum(extra.values()) != expected:
            result["classes"].add(f"unexplained: part {part}: {sum(extra.values())} grace notes read, "
                                  f"{expected} in the file")
            return None
        if expected:
            result["classes"].add("grace notes")
            kind = "we keep a grace note (music21: zero length)"
            result["counts"][kind] = result["counts"].get(kind, 0) + expected
    return dropped


class _Unexplained(Exception):
    """A difference that fits no class."""


def _explain_track(mine: list, reference: dict[str, Any], starts: list[Fraction], raw: "_RawScore", part: int,
                   result: dict[str, Any]) -> None:
    """Add to ``result`` the classes that explain how one track differs; raise _Unexplained if none does.

    The classes are tried in turn, each undoing its difference on music21's side: unpitched keys, longer
    measures, printed accidentals; what is left must be tie joins (and cue notes).
    """
    classes = result["classes"]
    notes, written = reference["notes"], reference["written"]
    if any(n[3] & UNPITCHED for n in written):
        classes.add("unpitched")
        mine, notes, written = _drop_keys(mine), _drop_keys_rows(notes), _drop_keys_rows(written)
        if mine == _plain(notes):
            return
    shifted = _measure_shifts(reference["measures"], starts)
    if shifted:
        found = raw.lengthened_measures(part, shifted)
        if found is None:
            raise _Unexplained(f"music21 makes measures {[k + 1 for k in shifted][:5]} longer, for no known cause")
        classes |= found
        notes, written = _unshift(notes, reference["measures"], starts), _unshift(written, reference["measures"], starts)
        if mine == _plain(notes):
            return
    fixed = _printed_accidentals(mine, notes, written, raw.accidentals_without_alter(part))
    if fixed is not None:
        classes.add("accidental without alter")
        notes, written = fixed
        if mine == _plain(notes):
            return
    cues = tie_joins(mine, written, raw.cue_pitches(part))
    if cues is None:
        raise _Unexplained("the notes are not music21's written notes joined at the file's ties")
    if cues:
        classes.add("cue notes")
        notes = [n for n in notes if (n[0], n[1]) not in {(c[0], c[1]) for c in cues}]
    kinds = _music21_tie_errors(_plain(notes), mine, written)
    if kinds or _plain(notes) != mine:
        classes.add("ties")
    for kind, number in kinds.items():
        result["counts"][kind] = result["counts"].get(kind, 0) + number


def our_measure_starts(path: Path) -> list[list[Fraction]]:
    """Where our reader starts each measure of each part, in quarter notes.

    The reader lays every part out on its own measure lengths (``Music.barlines`` holds the first part's
    only), so this rebuilds the layout with the reader's own steps.
    """
    from muspy_like.errors import MusicXMLError
    from muspy_like.io.musicxml import reader
    from muspy_like.io.musicxml.safe_xml import parse_xml, read_score_bytes
    from muspy_like.io.score_common import measure_starts

    root = parse_xml(read_score_bytes(path, (".mxl",), (".xml", ".musicxml"), MusicXMLError), str(path), MusicXMLError)
    _, infos = reader._part_list(root, str(path))
    tpq = reader._ticks_per_quarter(root, str(path))
    shared = reader._Globals()
    parts = [reader._PartReader(k, infos.get(pid, reader._PartInfo()), tpq, shared, str(path)).read(pid, measures)
             for k, (pid, measures) in enumerate(reader._parts(root, str(path)))]
    count = max((len(events.lengths) for events in parts), default=0)
    return [[Fraction(int(t), tpq) for t in measure_starts(reader._measure_lengths(events, count, tpq))[:-1]]
            for events in parts]


def _drop_keys(mine: list) -> list:
    """Our notes with the keys of unpitched notes (where music21 has unpitched notes) left out."""
    return sorted((o, -1, d) for o, _, d in mine)


def _drop_keys_rows(rows: list[NoteRow]) -> list[NoteRow]:
    return sorted((o, -1, d, f) for o, _, d, f in rows)


def _measure_shifts(music21_starts: list[Fraction], our_starts: list[Fraction]) -> list[int]:
    """Indices of the measures after which music21's measures start later than ours (its measure is longer)."""
    count = min(len(music21_starts), len(our_starts))
    shifts = [music21_starts[k] - our_starts[k] for k in range(count)]
    return [k - 1 for k in range(1, count) if shifts[k] != shifts[k - 1]]


def _unshift(rows: list[NoteRow], music21_starts: list[Fraction], our_starts: list[Fraction]) -> list[NoteRow]:
    """music21's notes moved from its measure starts to ours."""
    import bisect

    count = min(len(music21_starts), len(our_starts))
    moved = []
    for onset, key, duration, flags in rows:
        k = max(bisect.bisect_right(music21_starts, onset, 0, count) - 1, 0)
        moved.append((onset - music21_starts[k] + our_starts[k], key, duration, flags))
    return sorted(moved)


def tie_joins(mine: list, written: list[NoteRow], cues: Optional[list[int]] = None) -> Optional[list[NoteRow]]:
    """Whether our notes are exactly the written notes with some joined; return the written notes left over.

    Each of our notes must be a chain of written notes of its key, each starting where the previous ends
    and each but the last marked tie start in the file. Every written note must be used once, except cue
    notes: those left over must have the keys of the file's cue notes (``cues``, one key per cue note).
    Returns None when our notes are not such a grouping, else the written notes left over (cue notes).
    """
    pool: dict[tuple[Fraction, int], list[tuple[Fraction, int]]] = {}
    for onset, key, duration, flags in written:
        pool.setdefault((onset, key), []).append((duration, flags))
    for onset, key, duration in mine:
        position, end = onset, onset + duration
        while position < end:
            candidates = pool.get((position, key))
            if not candidates:
                return None
            remaining = end - position
            # The written note that closes the chain exactly, else one that is tied on to the next.
            choice = next((c for c in candidates if c[0] == remaining), None)
            if choice is None:
                choice = next((c for c in candidates if c[0] < remaining and c[1] & TIE_START), None)
            if choice is None:
                return None
            candidates.remove(choice)
            position += choice[0]
    leftover = [(onset, key, d, f) for (onset, key), rest in pool.items() for d, f in rest]
    from collections import Counter

    if Counter(key for _, key, _, _ in leftover) - Counter(cues or []):
        return None
    return leftover


def _printed_accidentals(mine: list, notes: list[NoteRow], written: list[NoteRow],
                         allowed: int) -> Optional[tuple[list[NoteRow], list[NoteRow]]]:
    """music21's notes with the pitches music21 took from printed accidentals put back as ours, if at most
    ``allowed`` notes (the file's accidentals without ``<alter>``) differ only so; else None."""
    from collections import Counter

    if not allowed:
        return None
    only_theirs = Counter(_plain(notes)) - Counter(mine)
    only_ours = Counter(mine) - Counter(_plain(notes))
    changes = {}
    for onset, key, duration in only_theirs.elements():
        match = next((n for n in only_ours if n[0] == onset and n[2] == duration and 0 < abs(n[1] - key) <= 2), None)
        if match is None:
            return None
        only_ours[match] -= 1
        only_ours += Counter()
        changes[(onset, key)] = match[1]
    if not changes or len(changes) > allowed:
        return None

    def put_back(rows: list[NoteRow]) -> list[NoteRow]:
        return sorted((o, changes.get((o, k), k), d, f) for o, k, d, f in rows)

    return put_back(notes), put_back(written)


def _music21_tie_errors(theirs: list, mine: list, written: list[NoteRow]) -> dict[str, int]:
    """Count music21's stripped notes that differ from ours, by what music21 did with the written notes."""
    from collections import Counter

    starts = Counter((o, k) for o, k, _, _ in written)
    kinds: dict[str, int] = {}
    for onset, key, duration in (Counter(theirs) - Counter(mine)).elements():
        if not starts[(onset, key)]:
            kind = "music21 drops a note"
        elif tie_joins([(onset, key, duration)], written, [k for _, k, _, _ in written]) is not None:
            kind = "music21 leaves tied notes apart"  # its note is written notes joined, just fewer of them
        else:
            kind = "music21 adds up notes that do not touch, or lengthens a chord member"
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


class _RawScore:
    """The raw MusicXML of a corpus file, for checking where music21 lengthens measures."""

    def __init__(self, path: Path):
        self.path = path
        self._parts: Optional[list] = None

    def parts(self) -> list:
        if self._parts is None:
            from muspy_like.errors import MusicXMLError
            from muspy_like.io.musicxml.safe_xml import parse_xml, read_score_bytes

            root = parse_xml(read_score_bytes(self.path, (".mxl",), (".xml", ".musicxml"), MusicXMLError),
                             str(self.path), MusicXMLError)
            self._parts = [list(part.iterchildren("measure")) for part in root.iterchildren("part")]
            listed = {part.get("id") for part in root.iterfind("part-list/score-part")}
            self._unlisted = {k for k, part in enumerate(root.iterchildren("part")) if part.get("id") not in listed}
        return self._parts

    def has_grace_notes(self) -> bool:
        return any(self.grace_notes(part) for part in range(len(self.parts())))

    def grace_notes(self, part: int) -> int:
        """How many sounding grace notes a part writes (pitched or unpitched; not rests, not cue notes)."""
        return sum(1 for measure in self.parts()[part] for note in measure.iterchildren("note")
                   if note.find("grace") is not None and note.find("rest") is None and note.find("cue") is None)

    def cue_pitches(self, part: int) -> list[int]:
        """MIDI keys of the cue notes of a part (before transposition)."""
        keys = []
        for measure in self.parts()[part]:
            for note in measure.iterchildren("note"):
                if note.find("cue") is not None and note.find("pitch") is not None:
                    keys.append(_raw_key(note.find("pitch")))
        return keys

    def accidentals_without_alter(self, part: int) -> int:
        """How many notes of a part print a sharp or flat that their ``<pitch>`` has no ``<alter>`` for."""
        return sum(1 for measure in self.parts()[part] for note in measure.iterchildren("note")
                   if note.findtext("accidental") in ("sharp", "flat", "double-sharp", "sharp-sharp", "flat-flat")
                   and note.find("pitch") is not None and note.find("pitch/alter") is None)

    def unlisted_parts(self) -> set[int]:
        """Indices of the ``<part>`` elements whose id ``<part-list>`` does not declare."""
        self.parts()
        return self._unlisted

    def lengthened_measures(self, track: int, measures: list[int]) -> Optional[set[str]]:
        """The classes that explain music21's longer measures, or None if a measure has no such cause.

        A measure is explained if, in any part, it holds a ``<direction>`` placed later with a positive
        ``<offset>`` ("direction offset") or a ``<forward>`` of zero divisions ("zero forward").
        """
        found: set[str] = set()
        for k in measures:
            causes = set()
            for part in self.parts():
                if k < len(part):
                    if any(_positive(text) for text in part[k].xpath("direction/offset/text()")):
                        causes.add("direction offset")
                    if any(text.strip() == "0" for text in part[k].xpath("forward/duration/text()")):
                        causes.add("zero forward")
            if not causes:
                return None
            found |= causes
        return found


def _raw_key(pitch: Any) -> int:
    steps = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
    return (int(pitch.findtext("octave")) + 1) * 12 + steps[pitch.findtext("step").strip()] + \
        round(float(pitch.findtext("alter") or 0))


def _positive(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False


def difference_report(source: str) -> str:
    """Our reader against a stored reference: files identical, and files and notes per class of difference."""
    reference = load_reference(source)
    by_class: dict[str, list[str]] = {}
    notes: dict[str, int] = {}
    identical = 0
    for relative, entry in sorted(reference["files"].items()):
        result = compare_file(source, relative, entry)
        if not result["classes"] - {"staves"}:
            identical += 1
        for name in result["classes"]:
            by_class.setdefault(name, []).append(relative)
        for kind, count in result["counts"].items():
            notes[kind] = notes.get(kind, 0) + count
    lines = [f"{source}: {len(reference['files'])} files (music21 {reference['music21']}); "
             f"{identical} with identical note content (multi-staff parts merged)"]
    for name, files in sorted(by_class.items()):
        lines.append(f"  {name}: {len(files)} files: {', '.join(files)}")
    for kind, count in sorted(notes.items()):
        lines.append(f"  notes where {kind}: {count}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
