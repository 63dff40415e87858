"""ABC notation: a reader built on music21's tokenizer, and a native writer.

Reading
-------
:func:`read_abc` reads one tune (``number=`` picks a tune of a tune book) and :func:`read_abc_tunes`
every tune of a file, each parsed on its own: a tune that cannot be read fails alone, with its ``X:``
number and line. music21's tokenizer reads the notes (pitches, lengths, tuplets, accidentals); the reader
lays the tokens out in time and builds the Music itself, in time linear in the length of the tune
(music21's own stream building grows with the square of the number of bars). It also corrects music21
where it misreads the file: key, tempo and meter changes in place, church modes (locrian), ties on
chords, voices that come back (``V:1 ... V:2 ... V:1``), ``w:`` lyrics, voice names, and notes below C0
(refused). See ``docs/interop-abc.md``.

Writing
-------
:func:`write_abc` writes ABC 2.1 itself (no music21 needed); see its docstring for the policies.
"""

from muspy_like.io.abc.reader import read_abc, read_abc_tunes, read_tune
from muspy_like.io.abc.tunebook import Tune, TuneBook, load_tune_book
from muspy_like.io.abc.writer import write_abc

__all__ = ["read_abc", "read_abc_tunes", "read_tune", "write_abc", "Tune", "TuneBook", "load_tune_book"]
