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

This gives **409 pieces and 96,605 notes**, the counts of the issue's own rebuild of the recipe. The
paper's script went through MusPy's music21 reader, which expands repeats part by part; doing so
(``expand_repeats=True``) gives the same 409 pieces but 110,242 notes (164 chorales repeat their first
phrase). Building takes a minute or a few (music21 parsing); the result is cached as a ``.npz`` file, so
later calls take well under a second.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Optional, Union

from muspy_like.core.events import Barline, Metadata, NoteArray, TimeSignature
from muspy_like.core.music import Music
from muspy_like.core.track import Track
from muspy_like.errors import DatasetError
from muspy_like.separation.data import RESOLUTION, SeparationDataset

__all__ = ["BACH_PART_NAMES", "BACH_PART_MAP", "load_bach", "build_bach", "bach_cache_path", "bach_files"]

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
MIN_NOTES = 10
MIN_ACTIVE_PARTS = 2
CACHE_VERSION = 1


def bach_files() -> list[Path]:
    """The MusicXML files of music21's Bach corpus, sorted by name."""
    try:
        from music21 import corpus
    except ImportError as error:
        raise DatasetError("building the Bach chorales needs music21: pip install music21") from error
    paths = [Path(p) for p in corpus.getComposer("bach") if Path(p).suffix in (".mxl", ".xml")]
    return sorted(paths, key=lambda p: p.name)


def bach_cache_path(cache_dir: Optional[Union[str, Path]] = None, expand_repeats: bool = False) -> Path:
    """Where the built dataset is cached.

    ``cache_dir`` if given, else ``$MUSPY_LIKE_CACHE``, else ``$XDG_CACHE_HOME/muspy_like``, else
    ``~/.cache/muspy_like``; the file is ``separation/bach_chorales_v1.npz`` under it
    (``bach_chorales_repeats_v1.npz`` with repeats expanded).
    """
    if cache_dir is None:
        base = os.environ.get("MUSPY_LIKE_CACHE")
        if base is None:
            xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
            base = str(Path(xdg) / "muspy_like")
        cache_dir = Path(base) / "separation"
    variant = "_repeats" if expand_repeats else ""
    return Path(cache_dir) / f"bach_chorales{variant}_v{CACHE_VERSION}.npz"


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
    from music21 import converter

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


def build_bach(n_jobs: int = 1, progress: bool = False, expand_repeats: bool = False) -> SeparationDataset:
    """Build the dataset from the corpus (slow: music21 parses every file; see :func:`load_bach`).

    Parameters
    ----------
    expand_repeats : bool, default False
        Write repeats out (the paper's data: 409 pieces, 110,241 notes) instead of reading the score as
        written (409 pieces, 96,605 notes).
    n_jobs : int, default 1
        Processes reading files in parallel.
    progress : bool, default False
        Show a progress bar (tqdm).
    """
    paths = bach_files()
    if not paths:
        raise DatasetError("music21's Bach corpus has no MusicXML files; is the corpus installed?")
    read = partial(read_bach_file, expand_repeats=expand_repeats)
    if n_jobs > 1:
        with ProcessPoolExecutor(n_jobs) as pool:
            pieces = list(_progress(pool.map(read, paths, chunksize=8), len(paths), progress))
    else:
        pieces = [read(p) for p in _progress(paths, len(paths), progress)]
    return SeparationDataset.from_music(
        pieces,
        BACH_PART_NAMES,
        BACH_PART_MAP,
        names=[p.stem for p in paths],
        min_notes=MIN_NOTES,
        min_active_parts=MIN_ACTIVE_PARTS,
        name="bach-repeats" if expand_repeats else "bach",
    )


def _progress(iterable, total: int, enabled: bool):
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc="Bach chorales", unit="file")


def load_bach(
    cache_dir: Optional[Union[str, Path]] = None,
    rebuild: bool = False,
    n_jobs: int = 1,
    progress: bool = False,
    expand_repeats: bool = False,
) -> SeparationDataset:
    """The Bach chorale dataset (409 pieces, 96,605 notes), from the cache or built and then cached.

    Parameters
    ----------
    cache_dir : str or Path, optional
        Folder of the cache file (default: see :func:`bach_cache_path`).
    rebuild : bool, default False
        Build again from the corpus even if a cache exists.
    n_jobs : int, default 1
        Processes used when building.
    progress : bool, default False
        Show a progress bar when building.
    expand_repeats : bool, default False
        The variant with repeats written out, as the paper's data (110,241 notes; cached separately).

    Examples
    --------
    >>> from muspy_like.separation import load_bach
    >>> bach = load_bach()  # doctest: +SKIP
    >>> len(bach), bach.n_notes, bach.part_names  # doctest: +SKIP
    (409, 96605, ('soprano', 'alto', 'tenor', 'bass'))
    """
    path = bach_cache_path(cache_dir, expand_repeats)
    if path.exists() and not rebuild:
        return SeparationDataset.load(path)
    dataset = build_bach(n_jobs=n_jobs, progress=progress, expand_repeats=expand_repeats)
    path.parent.mkdir(parents=True, exist_ok=True)
    dataset.save(path)
    return dataset

