"""Standard MIDI Files: :func:`read_midi` (a numpy engine and the mido reference, giving the same result) and
:func:`write_midi`.

:data:`ACCELERATED` says whether the numpy engine reads with its compiled decoder (built when the package
was installed with a C compiler at hand) or, with the same results, with numpy alone.

See ``docs/io-midi-native.md`` for the policies (overlapping and never-closed notes, channels, programs,
lyrics, SMPTE, what is accepted, what MIDI cannot hold).
"""

from muspy_like.io.midi.compiled import ACCELERATED
from muspy_like.io.midi.reader import ENGINES, read_midi
from muspy_like.io.midi.writer import planned_channels, write_midi

__all__ = ["read_midi", "write_midi", "planned_channels", "ENGINES", "ACCELERATED"]
