"""``muspy_like.interop`` must not import the peer libraries until a converter is used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import muspy_like.interop as interop

REPO = Path(__file__).resolve().parents[2]


def test_importing_interop_loads_no_peer_library():
    code = (
        "import sys, muspy_like.interop, muspy_like.io.abc\n"
        "heavy = {'mido', 'pretty_midi', 'miditoolkit', 'pypianoroll', 'music21', 'symusic'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_every_pair_of_converters_is_exported():
    for library in ("mido", "pretty_midi", "miditoolkit", "pypianoroll", "music21", "symusic"):
        assert callable(getattr(interop, f"from_{library}")) and callable(getattr(interop, f"to_{library}"))
    with pytest.raises(AttributeError):
        interop.from_lilypond  # noqa: B018
