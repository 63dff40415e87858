"""Pop music from the Lakh MIDI Dataset, LPD-cleansed subset, as the paper collects it ("Pop" column).

Data: two catalog downloads, ``lmd_matched`` (``lmd_matched/<A>/<B>/<C>/<MSD id>/<md5>.mid``, 45,129
files, a file sometimes under several MSD ids) and ``lpd_cleansed_ids`` (``cleansed_ids.txt``, one
``<md5>    <MSD id>`` line for each of the 21,425 files of the Lakh Pianoroll Dataset's cleansed subset:
4/4 throughout, first beat at time 0, one file per song, the best-matched one).

Recipe (Dong et al., ISMIR 2021; their ``collect_lmd.py``):

1. each file of the cleansed list, read with muspy_like's reader, times at 24 ticks per quarter;
2. songs longer than 20 minutes skipped (live recordings or broken files, says the script);
3. tracks grouped by General MIDI program: piano 0-7, guitar 24-31, bass 32-39, strings 40-45 and 48-51,
   brass 56-63; other programs are left out; drums are kept by the paper's data but never separated, so
   they are not part of the pieces here (their notes are counted in the build report);
4. duplicates within a part kept once, zero-length notes dropped, a song kept when 2 parts have more than
   10 notes. The paper reports 16,228 songs, 63.6 million notes (drums included).

Where we depart from the released script: it takes every ``<md5>.mid`` whose md5 is in the list, under
every MSD id it is filed under, so a file matched to several songs is read several times; we read the
path the list names, once per md5 (a md5 listed twice, under two songs, is counted as a duplicate). Its split is ``random.choices`` in file-system order; ours are seeded 8:1:1 splits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional

from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.errors import DatasetError
from muspy_like.separation.recipes.base import Item, Recipe

__all__ = ["LakhRecipe", "LMD_PART_NAMES", "program_part", "read_cleansed_ids"]

LMD_PART_NAMES = ("piano", "guitar", "bass", "strings", "brass")
#: General MIDI programs (0-based) of each part.
LMD_PROGRAMS = {
    0: range(0, 8),
    1: range(24, 32),
    2: range(32, 40),
    3: tuple(range(40, 46)) + tuple(range(48, 52)),
    4: range(56, 64),
}
_PART_OF_PROGRAM = {program: part for part, programs in LMD_PROGRAMS.items() for program in programs}
#: Songs longer than this (seconds) are skipped.
MAX_SECONDS = 20 * 60
ID_LIST = "cleansed_ids.txt"


def program_part(program: int) -> Optional[int]:
    """The part of a General MIDI program (0-based), or None for the programs the paper leaves out.

    Examples
    --------
    >>> [program_part(p) for p in (0, 25, 33, 48, 46, 61, 80)]
    [0, 1, 2, 3, None, 4, None]
    """
    return _PART_OF_PROGRAM.get(int(program))


def read_cleansed_ids(path: Path) -> list[tuple[str, str]]:
    """The ``(md5, MSD id)`` pairs of LPD's ``cleansed_ids.txt``.

    Raises
    ------
    DatasetError
        If a line is not an md5 and an MSD id.
    """
    pairs = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2 or len(fields[0]) != 32 or not fields[1].startswith("TR"):
                raise DatasetError(f"{path}, line {number}: expected '<md5> <MSD id>', got {line.strip()!r}")
            pairs.append((fields[0], fields[1]))
    return pairs


class LakhRecipe(Recipe):
    """The Lakh MIDI Dataset's LPD-cleansed songs (see the module notes)."""

    name = "lmd"
    title = "Lakh MIDI Dataset, LPD-cleansed (pop)"
    part_names = LMD_PART_NAMES
    catalog = ("lmd_matched", "lpd_cleansed_ids")
    paper = "Pop"
    version = 1

    def items(self, folders: Mapping[str, Path]) -> list[Item]:
        lists = sorted(folders["lpd_cleansed_ids"].rglob(ID_LIST))
        if not lists:
            raise DatasetError(f"lmd: no {ID_LIST} in {folders['lpd_cleansed_ids']}; download it again")
        base = folders["lmd_matched"] / "lmd_matched"  # the archive's top folder
        items, seen = [], set()
        for md5, msd_id in read_cleansed_ids(lists[0]):
            path = base / msd_id[2] / msd_id[3] / msd_id[4] / msd_id / f"{md5}.mid"
            # A file matched to two songs may be listed twice: one piece, not a train and a test copy.
            items.append(Item(str(path), md5, skip="duplicate" if md5 in seen else None))
            seen.add(md5)
        return sorted(items, key=lambda item: item.name)

    def reject(self, item: Item, music: Music) -> Optional[str]:
        return "too-long" if music.get_real_end_time() > MAX_SECONDS else None

    def part_of(self, item: Item, index: int, track: Track) -> Optional[int]:
        return None if track.is_drum else program_part(track.program)
