"""String quartets from music21's corpus: an offline counterpart of the paper's MusicNet quartets.

Recipe:

1. every MusicXML file (``.mxl``, ``.xml``, ``.musicxml``) of music21's corpus whose part list holds
   exactly four parts that are two violins, a viola and a cello (51 files in music21 9: Beethoven op. 18
   nos. 1, 3-5, op. 59, op. 74, op. 132, op. 133; Haydn op. 1 no. 1, op. 74 no. 1; Mozart K. 80, 155,
   156, 458; Schumann op. 41 no. 1), found by reading only the part lists;
2. each part's role from its name, in English, Italian, German or French (``"Violin I"``,
   ``"1st Violin"``, ``"Violino 2"``, ``"Bratsche"``, ``"Violoncello."``...), else from its instrument name,
   else from its MIDI program (41-43); the two violins are told apart by their number, else by score
   order (the upper staff is the first violin);
3. each file read with muspy_like's MusicXML reader as written (repeats not expanded, grace notes left
   out, ties merged, as for the chorales), times at 24 ticks per quarter;
4. the paper's clean-up and filter: zero-length notes dropped, duplicates within a part kept once, a
   piece kept when 2 parts have more than 10 notes.

The splits are the seeded random 8:1:1 splits, one movement per piece, as for the chorales. The material
differs from MusicNet's (see ``docs/separation.md``): printed scores of a handful of composers, many of
them whole multi-movement works in one file, against MusicNet's MIDI transcriptions of recordings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from muspy_like.core.music import Music
from muspy_like.separation.recipes.base import Item, Recipe, music21_corpus

__all__ = ["QuartetRecipe", "QUARTET_PART_NAMES", "quartet_parts", "string_role", "corpus_quartets"]

QUARTET_PART_NAMES = ("violin 1", "violin 2", "viola", "cello")
_SCORE_SUFFIXES = (".mxl", ".xml", ".musicxml")
_FIRST = {"1", "i", "1st", "first", "primo", "prima", "erste", "premier"}
_SECOND = {"2", "ii", "2nd", "second", "secondo", "seconda", "zweite"}
#: General MIDI programs (0-based) of the bowed strings.
_PROGRAM_ROLES = {40: "violin", 41: "viola", 42: "cello"}


def _word_role(word: str) -> Optional[str]:
    if word.startswith(("violoncel", "cello")) or word in ("vc", "vlc", "vcl"):
        return "cello"
    if word in ("viola", "viole", "bratsche", "vla", "va"):
        return "viola"
    if word.startswith(("violin", "violon", "geige")) or word in ("vl", "vln", "vn", "vni"):
        return "violin"
    return None


def string_role(text: Optional[str]) -> Optional[tuple[str, Optional[int]]]:
    """The bowed-string role a part name or instrument name gives, with the violin's number if any.

    Examples
    --------
    >>> string_role("1st Violin"), string_role("Violoncello."), string_role("Viola"), string_role("Piano")
    (('violin', 1), ('cello', None), ('viola', None), None)
    """
    words = re.findall(r"[a-z0-9]+", (text or "").lower())
    roles = [role for role in map(_word_role, words) if role is not None]
    if not roles:
        return None
    number = 1 if _FIRST & set(words) else 2 if _SECOND & set(words) else None
    return roles[0], number if roles[0] == "violin" else None


def _part_role(texts: Sequence[Optional[str]], program: Optional[int]) -> Optional[tuple[str, Optional[int]]]:
    for text in texts:
        role = string_role(text)
        if role is not None:
            return role
    role = _PROGRAM_ROLES.get(program) if program is not None else None
    return (role, None) if role else None


def quartet_parts(parts: Sequence[tuple[Sequence[Optional[str]], Optional[int]]]) -> Optional[list[int]]:
    """The quartet part (0 violin 1, 1 violin 2, 2 viola, 3 cello) of each of four score parts, or None.

    Parameters
    ----------
    parts : sequence of (texts, program)
        Per score part, in score order: its names (part name first, then instrument names) and its
        0-based MIDI program (or None).

    Returns
    -------
    list of int or None
        None unless there are exactly four parts: two violins, a viola and a cello. Violins are told
        apart by their numbers when both have different ones, else by score order.
    """
    if len(parts) != 4:
        return None
    roles = [_part_role(texts, program) for texts, program in parts]
    if any(role is None for role in roles) or sorted(r[0] for r in roles) != ["cello", "viola", "violin", "violin"]:
        return None
    violins = [index for index, role in enumerate(roles) if role[0] == "violin"]
    numbers = [roles[index][1] for index in violins]
    if sorted(n for n in numbers if n is not None) != [1, 2]:
        numbers = [1, 2]  # unnumbered (or numbered twice alike): the upper staff plays first
    result = []
    for index, (role, _) in enumerate(roles):
        if role == "violin":
            result.append(numbers[violins.index(index)] - 1)
        else:
            result.append(2 if role == "viola" else 3)
    return result


def _score_part_list(path: Path) -> list[tuple[list[Optional[str]], Optional[int]]]:
    """(names, program) of each ``<score-part>`` of a MusicXML file, reading only its part list."""
    from muspy_like.errors import MusicXMLError
    from muspy_like.io.musicxml.safe_xml import parse_xml, read_score_bytes

    data = read_score_bytes(path, (".mxl",), (".xml", ".musicxml"), MusicXMLError)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 (Beethoven op. 132 and others)
        data = data.decode("utf-16").encode("utf-8")
    start, end = data.find(b"<part-list"), data.find(b"</part-list>")
    if start < 0 or end < start:
        return []
    part_list = parse_xml(data[start : end + len(b"</part-list>")], str(path), MusicXMLError)
    parts = []
    for score_part in part_list.iter("score-part"):
        texts = [score_part.findtext("part-name")] + [e.text for e in score_part.iter("instrument-name")]
        program = score_part.findtext("midi-instrument/midi-program")
        parts.append((texts, int(program) - 1 if program and program.strip().isdigit() else None))
    return parts


def corpus_quartets(root: Optional[Path] = None) -> list[Path]:
    """The MusicXML files of music21's corpus (or of ``root``) that are string quartets, sorted."""
    from muspy_like.errors import MusicXMLError

    root = music21_corpus()[0] if root is None else Path(root)
    found = []
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in _SCORE_SUFFIXES and p.is_file()):
        try:
            parts = _score_part_list(path)
        except MusicXMLError:
            continue  # not a readable score: not a quartet of this dataset
        if quartet_parts(parts) is not None:
            found.append(path)
    return found


class QuartetRecipe(Recipe):
    """String quartets of music21's corpus (see the module notes)."""

    name = "quartets-music21"
    title = "String quartets (music21 corpus)"
    part_names = QUARTET_PART_NAMES
    paper = "String"
    version = 1

    def sources(self, data_dir: Optional[Path] = None, download: bool = False, specs: Any = None) -> dict[str, Path]:
        """No download: music21's corpus (its folder is the one source)."""
        return {"music21": music21_corpus()[0]}

    def source_identity(self, folders: Mapping[str, Path]) -> dict[str, Any]:
        return {"music21": music21_corpus()[1]}

    def items(self, folders: Mapping[str, Path]) -> list[Item]:
        root = folders["music21"]
        items = [Item(str(path), path.relative_to(root).with_suffix("").as_posix()) for path in corpus_quartets(root)]
        return sorted(items, key=lambda item: item.name)

    def read(self, item: Item) -> Music:
        from muspy_like.io.musicxml.reader import read_musicxml

        return read_musicxml(item.path)

    def track_parts(self, item: Item, music: Music) -> list[Optional[int]]:
        # The violins' order depends on both violin parts, so the four parts are mapped together.
        parts = quartet_parts([([track.name], track.program) for track in music.tracks])
        return list(parts) if parts is not None else [None] * len(music.tracks)
