"""MusicXML: read ``.xml``, ``.musicxml`` and ``.mxl`` files into a Music, and write Music as MusicXML 4.0.

See :func:`read_musicxml` and :func:`write_musicxml`; ``docs/io-scores.md`` describes the policies (grace
notes, repeats, transposition, resolution, velocities) and what writing loses.
"""

from muspy_like.io.musicxml.reader import parse_musicxml, read_musicxml
from muspy_like.io.musicxml.writer import musicxml_tree, write_musicxml

__all__ = ["read_musicxml", "parse_musicxml", "write_musicxml", "musicxml_tree"]
