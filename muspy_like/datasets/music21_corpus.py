"""The corpus bundled with music21, as an offline dataset (by composer or collection).

MusicXML files (``.mxl``, ``.xml``, ``.musicxml``) are read with muspy_like's own MusicXML reader, ABC
files (several tunes per file) with muspy_like's ABC reader, one piece per tune, and the other formats
(Humdrum ``.krn``...) through music21 and :func:`muspy_like.interop.from_music21`.

A work the corpus holds in several formats counts once: where a MusicXML file and a file of another
format share a folder and a name (``bach/bwv277.mxl`` and ``bach/bwv277.krn``), only the MusicXML file
is a piece. :func:`corpus_files` is the one selector of files that every command uses, which makes "Bach"
the same 410 files in ``datasets convert music21:bach``, ``stats music21:bach``, the quickstart and the
part-separation recipe; see ``docs/datasets.md``.

Reference: M. S. Cuthbert and C. Ariza, "music21: A Toolkit for Computer-Aided Musicology and Symbolic
Music Data", ISMIR 2010.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional, Sequence

from muspy_like.datasets.base import Dataset
from muspy_like.datasets.catalog import get_spec
from muspy_like.datasets.pieces import Piece, count_tunes
from muspy_like.extras import require

__all__ = ["Music21Dataset", "DEFAULT_EXTENSIONS", "corpus_files", "one_file_per_work"]

#: Score formats included by default (Roman-numeral analyses ``.rntxt`` are not scores and are left out).
DEFAULT_EXTENSIONS = (".mxl", ".xml", ".musicxml", ".abc", ".krn")
_MUSICXML = (".mxl", ".xml", ".musicxml")


def one_file_per_work(paths: Iterable[Path]) -> list[Path]:
    """The paths, sorted, without the non-MusicXML copies of works that also exist as MusicXML files.

    Examples
    --------
    >>> [p.name for p in one_file_per_work([Path("a/x.krn"), Path("a/x.mxl"), Path("a/y.krn")])]
    ['x.mxl', 'y.krn']
    """
    paths = sorted(set(paths))
    as_musicxml = {(p.parent, p.stem) for p in paths if p.suffix.lower() in _MUSICXML}
    return [p for p in paths if p.suffix.lower() in _MUSICXML or (p.parent, p.stem) not in as_musicxml]


def corpus_files(composer: Optional[str] = None, extensions: Sequence[str] = DEFAULT_EXTENSIONS) -> list[Path]:
    """The score files of music21's corpus that make a collection: the one selector every command uses.

    :class:`Music21Dataset`, ``muspy-like stats music21:COMPOSER`` (through it) and the part-separation
    recipe for Bach (``muspy_like.separation.recipes.bach``) all take their files from here, so "Bach" is
    the same 410 files everywhere; a task may then leave out pieces by their content (the separation
    recipe keeps the 409 with sung parts), never by a different choice of files.

    Parameters
    ----------
    composer : str, optional
        A composer or collection known to ``music21.corpus.getComposer``; None takes the whole core corpus.
    extensions : sequence of str
        File suffixes to include (case-insensitive).

    Returns
    -------
    list of Path
        Sorted, without the non-MusicXML copies of works also present as MusicXML
        (:func:`one_file_per_work`).
    """
    corpus = require("music21.corpus", "music21", "music21's corpus")

    wanted = tuple(e.lower() for e in extensions)
    paths = corpus.corpora.CoreCorpus().getPaths() if composer is None else corpus.getComposer(composer)
    return one_file_per_work(Path(p) for p in paths if Path(p).suffix.lower() in wanted)


class Music21Dataset(Dataset):
    """Pieces of music21's bundled corpus.

    Parameters
    ----------
    composer : str, optional
        A composer or collection known to ``music21.corpus.getComposer`` (``"bach"``, ``"beethoven"``,
        ``"essenFolksong"``, ...). None takes the whole core corpus.
    extensions : sequence of str
        File suffixes to include.

    Examples
    --------
    >>> from muspy_like.datasets import Music21Dataset
    >>> chorales = Music21Dataset("bach", extensions=[".mxl"])
    >>> len(chorales) > 300
    True
    """

    def __init__(self, composer: Optional[str] = None, extensions: Sequence[str] = DEFAULT_EXTENSIONS) -> None:
        corpus = require("music21.corpus", "music21", "music21's corpus")

        pieces: list[Piece] = []
        for path in corpus_files(composer, extensions):
            if path.suffix.lower() == ".abc":
                pieces += [Piece(str(path), tune) for tune in range(count_tunes(path))]
            else:
                pieces.append(Piece(str(path)))
        root = Path(corpus.__file__).resolve().parent
        label = composer or "all"
        super().__init__(pieces, root, {"collection": f"music21:{label}"}, get_spec("music21"), f"music21:{label}")
        self.composer = composer
