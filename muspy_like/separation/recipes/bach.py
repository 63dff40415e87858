"""The Bach chorale dataset of the paper, built offline from music21's bundled corpus and cached.

Recipe (Dong et al., ISMIR 2021, Section 4, and their data-collection script):

1. every ``.mxl`` and ``.xml`` file that ``music21.corpus.getComposer("bach")`` lists (410 files);
2. each file read with music21, as written (repeats are *not* expanded: a repeated phrase counts once);
   grace notes left out; tied notes merged; chords split into notes; times rounded to 24 ticks per
   quarter note;
3. parts named Soprano, Alto, Tenor and Bass (case-insensitive; two cantatas, BWV 41.6 and 171.6, name
   their parts after the doubling instruments as well, e.g. ``"Soprano Oboe 1 Violin1"``) become parts
   0-3; other parts (instrumental obbligati, continuo) are left out;
4. notes of zero length dropped, duplicates within a part kept once;
5. a piece is kept when at least 2 parts have more than 10 notes.

This gives **409 pieces and 96,605 notes**, the counts of the paper's own data notebook (the one file
left out, ``bach/bwv1.6-2`` ..., is named in the build report). The paper's script went through MusPy's
music21 reader, which expands repeats part by part; doing so (``expand_repeats=True``, dataset
``bach-repeats``) gives the same 409 pieces but 110,242 notes (164 chorales repeat their first phrase).
Building takes a minute or a few (music21 parsing, in parallel with ``n_jobs``); the result is cached, so
later calls take well under a second.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional, Union

from muspy_like.core.events import Barline, Metadata, NoteArray, TimeSignature
from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.extras import require
from muspy_like.separation.data import RESOLUTION
from muspy_like.separation.recipes.base import Item, Recipe, music21_corpus

__all__ = ["BACH_PART_NAMES", "BACH_PART_MAP", "BachRecipe", "bach_files", "read_bach_file"]

BACH_PART_NAMES = ("soprano", "alto", "tenor", "bass")
#: Part names as the corpus writes them (matched case-insensitively) -> part index.
BACH_PART_MAP = {
    "soprano": 0,
    "alto": 1,
    "tenor": 2,
    "bass": 3,
    # BWV 41.6 and 171.6 name the instruments doubling each voice (typos included).
    "soprano oboe 1 violin1": 0,
    "alto oboe 2 viloin 2": 1,
    "tenor viola": 2,
    "bass continuo": 3,
    "soprano\roboe 1,2\rviolin1": 0,
    "alto\rviloin 2": 1,
    "tenor\rviola": 2,
    "bass\rcontinuo": 3,
}


def bach_files() -> list[Path]:
    """The MusicXML files of music21's Bach corpus, sorted by name (the files every command calls "Bach":
    :func:`muspy_like.datasets.music21_corpus.corpus_files`)."""
    require("music21", "music21", "the Bach chorales of music21's corpus")
    from muspy_like.datasets.music21_corpus import corpus_files

    return sorted(corpus_files("bach", (".mxl", ".xml")), key=lambda p: p.name)


def _ticks(quarters) -> int:
    return int(round(float(quarters) * RESOLUTION))


def _part_to_track(part) -> Track:
    """Notes of one music21 part (grace notes skipped, ties merged) as a Track at :data:`RESOLUTION`."""
    times, pitches, durations = [], [], []
    open_ties: dict[int, int] = {}
    for item in part.flatten().notes:
        if item.duration.isGrace:
            continue
        time, duration = _ticks(item.offset), _ticks(item.quarterLength)
        for note in getattr(item, "notes", None) or [item]:
            pitch = int(note.pitch.midi)
            tie = note.tie.type if note.tie is not None else None
            if pitch in open_ties and tie in ("stop", "continue"):
                index = open_ties[pitch]
                durations[index] = time + duration - times[index]
            else:
                index = len(times)
                times.append(time)
                pitches.append(pitch)
                durations.append(duration)
            if tie in ("start", "continue"):
                open_ties[pitch] = index
            else:
                open_ties.pop(pitch, None)
    notes = NoteArray.from_columns(time=times, pitch=pitches, duration=durations)
    return Track(name=part.partName, notes=notes)


def read_bach_file(path: Union[str, Path], expand_repeats: bool = False) -> Music:
    """Read one corpus file with music21 into a Music (24 ticks per quarter; notes, names, meter, bars).

    Only what part separation needs is kept: part names, notes, time signatures and the bar starts of
    the first part (so that pickup bars are placed right). With ``expand_repeats``, each part's repeats
    are written out (music21's ``expandRepeats``), as MusPy's reader did for the paper.
    """
    converter = require("music21.converter", "music21", "reading the Bach chorales")

    # No music21 parse cache: music21 writes its pickle and reads it straight back, which breaks
    # (truncated zlib streams) when two processes parse the same file at once.
    score = converter.parse(str(path), forceSource=True, storePickle=False)
    parts = list(score.parts)
    if expand_repeats:
        parts = [part.expandRepeats() if part.hasMeasures() else part for part in parts]
    tracks = [_part_to_track(part) for part in parts]
    time_signatures, barlines = [], []
    if parts:
        first = parts[0]
        for ts in first.flatten().getElementsByClass("TimeSignature"):
            time_signatures.append(TimeSignature(_ticks(ts.offset), ts.numerator, ts.denominator))
        barlines = [Barline(_ticks(m.offset)) for m in first.getElementsByClass("Measure")]
    return Music(
        metadata=Metadata(title=Path(path).stem),
        resolution=RESOLUTION,
        time_signatures=time_signatures,
        barlines=barlines,
        tracks=tracks,
    )


class BachRecipe(Recipe):
    """The Bach chorales of music21's corpus, as the paper collects them (see the module notes).

    Parameters
    ----------
    expand_repeats : bool, default False
        Write repeats out, as MusPy's reader did for the paper's data (dataset ``bach-repeats``).
    """

    title = "Bach chorales (music21 corpus)"
    part_names = BACH_PART_NAMES
    paper = "Bach"
    version = 2

    def __init__(self, expand_repeats: bool = False) -> None:
        self.expand_repeats = expand_repeats
        self.name = "bach-repeats" if expand_repeats else "bach"
        self.title = "Bach chorales (music21 corpus), repeats written out" if expand_repeats else self.title

    def sources(self, data_dir: Optional[Path] = None, download: bool = False, specs: Any = None) -> dict[str, Path]:
        """No download: the corpus comes with music21 (checked here)."""
        return {"music21": music21_corpus()[0]}

    def source_identity(self, folders: Mapping[str, Path]) -> dict[str, Any]:
        return {"music21": music21_corpus()[1]}

    def items(self, folders: Mapping[str, Path]) -> list[Item]:
        return [Item(str(path), path.stem) for path in bach_files()]

    def read(self, item: Item) -> Music:
        return read_bach_file(item.path, self.expand_repeats)

    def part_of(self, item: Item, index: int, track: Track) -> Optional[int]:
        return BACH_PART_MAP.get((track.name or "").strip().lower())
