"""The corpus bundled with music21, as an offline dataset (by composer or collection).

MusicXML files (``.mxl``, ``.xml``, ``.musicxml``) are read with muspy_like's own MusicXML reader, ABC
files (several tunes per file) with muspy_like's ABC reader, one piece per tune, and the other formats
(Humdrum ``.krn``...) through music21 and :func:`muspy_like.interop.from_music21`.

Reference: M. S. Cuthbert and C. Ariza, "music21: A Toolkit for Computer-Aided Musicology and Symbolic
Music Data", ISMIR 2010.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from muspy_like.datasets.base import Dataset
from muspy_like.datasets.catalog import get_spec
from muspy_like.datasets.pieces import Piece, count_tunes

__all__ = ["Music21Dataset", "DEFAULT_EXTENSIONS"]

#: Score formats included by default (Roman-numeral analyses ``.rntxt`` are not scores and are left out).
DEFAULT_EXTENSIONS = (".mxl", ".xml", ".musicxml", ".abc", ".krn")


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
        from music21 import corpus

        wanted = tuple(e.lower() for e in extensions)
        if composer is None:
            paths = corpus.corpora.CoreCorpus().getPaths()
        else:
            paths = corpus.getComposer(composer)
        pieces: list[Piece] = []
        for path in sorted(p for p in paths if p.suffix.lower() in wanted):
            if path.suffix.lower() == ".abc":
                pieces += [Piece(str(path), tune) for tune in range(count_tunes(path))]
            else:
                pieces.append(Piece(str(path)))
        root = Path(corpus.__file__).resolve().parent
        label = composer or "all"
        super().__init__(pieces, root, {"collection": f"music21:{label}"}, get_spec("music21"), f"music21:{label}")
        self.composer = composer
