"""Game music from the NES Music Database, as the paper collects it (its "Game" column).

Data: the catalog's ``nes_mdb`` download, ``nesmdb_midi/{train,valid,test}/<game id>_<Game>_<song id>_<Song>.mid``;
each file has the tracks ``p1``, ``p2``, ``tr`` and ``no`` (the console's two pulse channels, its triangle
and its noise channel), written at 22,050 ticks per quarter and 120 qpm, i.e. 44,100 ticks per second.

Recipe (Dong et al., ISMIR 2021; their ``collect_nes.py``):

1. every MIDI file, in the dataset's own split (its folder);
2. tracks ``p1``, ``p2``, ``tr`` become pulse 1, pulse 2 and triangle; the noise track is removed (its
   "pitches" 0-15 are a noise setting, not notes);
3. time at 50 steps per second, which the paper states as "24 steps per quarter at 125 qpm";
4. every velocity set to 64 (NES-MDB's velocities are the channel's volume, not dynamics);
5. duplicates within a part kept once; zero-length notes dropped; a piece kept when 2 parts have more
   than 10 notes.

Where the paper and its released script disagree: the script calls ``adjust_resolution(50)``, which at
120 qpm is 100 steps per second, while its comment and the paper say 50 Hz; we follow the paper
(``frame_rate=100`` gives the script's timing). The script keeps zero-length notes (notes shorter than
half a step after rounding); we drop them, as the script does for every other dataset and as a note of
no length cannot be played. For random splits (the spread of a score), the tracks of one game stay
together.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional

import numpy as np

from muspy_like.core.track import Track
from muspy_like.separation.data import VELOCITY
from muspy_like.separation.recipes.base import Item, Recipe
from muspy_like.separation.splits import SPLIT_NAMES

__all__ = ["NESRecipe", "NES_PART_NAMES", "NES_TRACKS"]

NES_PART_NAMES = ("pulse 1", "pulse 2", "triangle")
#: Track name in NES-MDB's MIDI files -> part (the noise track ``no`` is left out).
NES_TRACKS = {"p1": 0, "p2": 1, "tr": 2}
#: Steps per second: the paper's 24 steps per quarter at 125 qpm.
NES_FRAME_RATE = 50.0
#: The velocity every note gets.
NES_VELOCITY = 64


class NESRecipe(Recipe):
    """NES-MDB's three melodic voices (see the module notes).

    Parameters
    ----------
    frame_rate : float, default 50
        Steps per second (the released script's timing is 100).
    """

    name = "nes"
    title = "NES Music Database (game music)"
    part_names = NES_PART_NAMES
    catalog = ("nes_mdb",)
    paper = "Game"
    version = 1

    def __init__(self, frame_rate: float = NES_FRAME_RATE) -> None:
        self.frame_rate = frame_rate

    def items(self, folders: Mapping[str, Path]) -> list[Item]:
        root = folders["nes_mdb"]
        items = []
        for path in root.rglob("*.mid"):
            split = path.parent.name
            if split not in SPLIT_NAMES:
                continue
            game = "_".join(path.stem.split("_")[:2])  # "297_SkyKid" of "297_SkyKid_00_01StartMusic"
            items.append(Item(str(path), path.stem, group=game, split=split))
        return sorted(items, key=lambda item: item.name)

    def part_of(self, item: Item, index: int, track: Track) -> Optional[int]:
        return NES_TRACKS.get((track.name or "").strip().lower())

    def finish(self, notes: np.ndarray) -> np.ndarray:
        notes[:, VELOCITY] = NES_VELOCITY
        return notes
