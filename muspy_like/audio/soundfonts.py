"""Finding a General MIDI sound font for the FluidSynth engine.

Search order: the path given by the caller, the ``MUSPY_LIKE_SOUNDFONT`` environment variable, the
sound fonts that Linux distributions install (Debian/Ubuntu ``fluid-soundfont-gm``:
``/usr/share/sounds/sf2/FluidR3_GM.sf2``; Fedora/Arch ``/usr/share/soundfonts``), then the small
``TimGM6mb.sf2`` shipped inside pretty_midi's wheel (located without importing pretty_midi).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Optional, Union

from muspy_like.audio.arguments import spell
from muspy_like.errors import SoundFontError

__all__ = ["find_soundfont", "install_hint", "INSTALL_HINT", "SYSTEM_SOUNDFONTS"]

#: Where distributions put General MIDI sound fonts, best first.
SYSTEM_SOUNDFONTS = (
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/soundfonts/FluidR3_GM.sf2"),
    Path("/usr/share/sounds/sf2/default-GM.sf2"),
    Path("/usr/share/soundfonts/default.sf2"),
    Path("/usr/share/sounds/sf2/TimGM6mb.sf2"),
)

#: What to install when the FluidSynth engine cannot run.
INSTALL_HINT = (
    "install FluidSynth and a General MIDI sound font, e.g. 'apt-get install fluidsynth fluid-soundfont-gm' "
    "(Debian/Ubuntu) or 'brew install fluid-synth' (macOS), plus the Python binding 'pip install pyfluidsynth'"
)


def install_hint() -> str:
    """:data:`INSTALL_HINT` plus the alternatives, named as the caller writes them (keyword or CLI option)."""
    return (f"{INSTALL_HINT}; or pass {spell('soundfont', 'PATH')} / set MUSPY_LIKE_SOUNDFONT; "
            f"or use {spell('engine', 'synth')}, which needs nothing")


def find_soundfont(path: Optional[Union[str, Path]] = None) -> Path:
    """Return the sound font (``.sf2``/``.sf3``) to use.

    Parameters
    ----------
    path : str or Path, optional
        An explicit sound font. When given it must exist; no fallback is tried.

    Raises
    ------
    SoundFontError
        If ``path`` does not exist, or no sound font is found anywhere (the message says how to install one).
    """
    if path is not None:
        path = Path(path).expanduser()
        if not path.is_file():
            raise SoundFontError(f"sound font not found: {path}; {install_hint()}")
        return path
    from_env = os.environ.get("MUSPY_LIKE_SOUNDFONT")
    if from_env:
        return find_soundfont(from_env)
    for candidate in (*SYSTEM_SOUNDFONTS, _pretty_midi_soundfont()):
        if candidate is not None and candidate.is_file():
            return candidate
    raise SoundFontError(f"no General MIDI sound font found (looked in {', '.join(map(str, SYSTEM_SOUNDFONTS))}); "
                         f"{install_hint()}")


def _pretty_midi_soundfont() -> Optional[Path]:
    spec = importlib.util.find_spec("pretty_midi")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "TimGM6mb.sf2"
