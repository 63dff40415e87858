"""MusicNet's string quartets, as the paper collects them (its "String" column).

Data: the catalog's ``musicnet`` download, MusicNet's MIDI scores (``musicnet_midis/<Composer>/<id>_<name>.mid``)
and its metadata table (``musicnet_metadata.csv``: ``id, composer, composition, movement, ensemble,
source, transcriber, catalog_name, seconds``).

Recipe (Dong et al., ISMIR 2021; their ``collect_musicnet.py``):

1. the recordings whose ``ensemble`` is ``String Quartet`` (the paper does not say how its 57 files were
   chosen; its README downloads this table, and the five files its script maps by hand are all string
   quartets), each with the MIDI file named after its id;
2. each MIDI file read with muspy_like's reader, times at 24 ticks per quarter;
3. tracks mapped to violin 1, violin 2, viola and cello by the released script's rule: a name containing
   ``viola``, ``cello``, ``1st``/``violin 1``/``violin1``/``violino i``, ``2nd``/``violin 2``/``violin2``/
   ``violino ii`` (case-insensitive); the five files whose tracks are not named so are mapped by track
   position, as in the script (:data:`MUSICNET_TRACK_PARTS`); other tracks are left out;
4. zero-length notes dropped, duplicates within a part kept once, a piece kept when 2 parts have more than
   10 notes.

Where we depart from the released script: it tests the first violin's words before the second's, so a
track named ``Violino II`` (which contains ``violino i``) would become the first violin; we test the
second violin's words first. Its split is ``random.choices`` over the files in file-system order, which
cannot be repeated; ours are seeded 8:1:1 splits that keep recordings of the same movement (same composer,
composition and movement in the table) together, so that no test piece has its twin in training.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Mapping, Optional

from muspy_like.core.track import Track
from muspy_like.errors import DatasetError
from muspy_like.separation.recipes.base import Item, Recipe
from muspy_like.separation.recipes.quartets import QUARTET_PART_NAMES

__all__ = ["MusicNetRecipe", "MUSICNET_TRACK_PARTS", "musicnet_part"]

METADATA_FILE = "musicnet_metadata.csv"
QUARTET_ENSEMBLE = "String Quartet"

_V1, _V2, _VA, _VC = range(4)
#: The released script's positional maps: file stem -> part of track 0, 1, ...
MUSICNET_TRACK_PARTS: dict[str, tuple[int, ...]] = {
    "1931_dv96_2": (_V1, _V2, _VA, _VC) * 2,
    "1932_dv96_3": (_V1, _V2, _VA, _VC, _VC),
    "1933_dv96_4": (_V1, _V2) + (_VA, _VC) * 2,
    "2138_br51n1m2": (_V1, _V2) * 2 + (_VA,) + (_VC,) * 3,
    "2140_br51n1m4": (_V1, _V2, _VA, _VC, _VC),
}
_SECOND_VIOLIN = ("2nd", "violin 2", "violin2", "violino ii")
_FIRST_VIOLIN = ("1st", "violin 1", "violin1", "violino i")


def musicnet_part(name: Optional[str]) -> Optional[int]:
    """The quartet part a MusicNet track name gives by the released rule (second violin tested first).

    Examples
    --------
    >>> [musicnet_part(n) for n in ("Violino I", "Violino II", "Viola", "Violoncello", "Piano")]
    [0, 1, 2, 3, None]
    """
    text = (name or "").lower()
    if "viola" in text:
        return _VA
    if "cello" in text:
        return _VC
    if any(key in text for key in _SECOND_VIOLIN):
        return _V2
    if any(key in text for key in _FIRST_VIOLIN):
        return _V1
    return None


class MusicNetRecipe(Recipe):
    """MusicNet's string quartets (see the module notes)."""

    name = "musicnet"
    title = "MusicNet string quartets"
    part_names = QUARTET_PART_NAMES
    catalog = ("musicnet",)
    paper = "String"
    version = 1

    def items(self, folders: Mapping[str, Path]) -> list[Item]:
        root = folders["musicnet"]
        metadata = root / METADATA_FILE
        if not metadata.is_file():
            raise DatasetError(f"musicnet: {metadata} is missing; download the dataset again")
        midi_by_id = {path.stem.split("_", 1)[0]: path for path in root.rglob("*.mid")}
        items = []
        with open(metadata, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if (row.get("ensemble") or "").strip() != QUARTET_ENSEMBLE:
                    continue
                identifier = (row.get("id") or "").strip()
                path = midi_by_id.get(identifier, root / "musicnet_midis" / f"{identifier}.mid")
                group = "|".join((row.get(key) or "").strip() for key in ("composer", "composition", "movement"))
                items.append(Item(str(path), path.stem, group=group))
        return sorted(items, key=lambda item: item.name)

    def part_of(self, item: Item, index: int, track: Track) -> Optional[int]:
        positions = MUSICNET_TRACK_PARTS.get(item.name)
        if positions is not None:
            return positions[index] if index < len(positions) else None
        return musicnet_part(track.name)
