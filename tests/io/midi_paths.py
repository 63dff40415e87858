"""The paths of the numpy MIDI engine, for the differential tests: each must read every file as the mido
reference does, and refuse the same files with the same messages."""

from __future__ import annotations

from muspy_like.io.midi.compiled import extension_available

#: Path name -> keyword arguments of :func:`muspy_like.io.midi.reader.read_bytes` that force it. The
#: compiled path is there only where the extension is built (``test_midi_compiled.py`` says when not).
NUMPY_PATHS = {
    "one event at a time": {"accelerated": False, "small_file_bytes": 1 << 40},
    "whole arrays": {"accelerated": False, "small_file_bytes": -1},
}
if extension_available():
    NUMPY_PATHS["compiled"] = {"accelerated": True}
