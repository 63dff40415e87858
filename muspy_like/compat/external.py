"""MusPy's external resources (``muspy.external``): the MuseScore General sound font and the Bravura font.

Downloads go through muspy_like's robust downloader (timeouts, retries, resume, atomic rename) into
``$MUSPY_LIKE_DATA/..`` siblings: ``~/.muspy_like/musescore-general`` and ``~/.muspy_like/bravura`` by
default. A copy that MusPy already downloaded (``~/.muspy/...``) is used as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "get_musescore_soundfont_dir",
    "get_musescore_soundfont_path",
    "download_musescore_soundfont",
    "get_bravura_font_dir",
    "get_bravura_font_path",
    "download_bravura_font",
]

_MUSESCORE_URL = "https://ftp.osuosl.org/pub/musescore/soundfont/MuseScore_General/MuseScore_General.sf3"
_BRAVURA_URL = "https://github.com/steinbergmedia/bravura/raw/master/redist/otf/Bravura.otf"


def _home() -> Path:
    data = os.environ.get("MUSPY_LIKE_DATA")
    return Path(data).expanduser().parent if data else Path("~/.muspy_like").expanduser()


def _found(ours: Path, name: str) -> Path:
    muspys = Path("~/.muspy").expanduser() / ours.parent.name / name
    return muspys if not ours.is_file() and muspys.is_file() else ours


def get_musescore_soundfont_dir() -> Path:
    """Folder of the MuseScore General sound font."""
    return _found(_home() / "musescore-general" / "MuseScore_General.sf3", "MuseScore_General.sf3").parent


def get_musescore_soundfont_path() -> Path:
    """Path of the MuseScore General sound font (``MuseScore_General.sf3``)."""
    return get_musescore_soundfont_dir() / "MuseScore_General.sf3"


def get_bravura_font_dir() -> Path:
    """Folder of the Bravura music font."""
    return _found(_home() / "bravura" / "Bravura.otf", "Bravura.otf").parent


def get_bravura_font_path() -> Path:
    """Path of the Bravura music font (``Bravura.otf``)."""
    return get_bravura_font_dir() / "Bravura.otf"


def _download(url: str, path: Path, overwrite: bool) -> Path:
    from muspy_like.datasets.catalog import SourceSpec
    from muspy_like.datasets.download import download_file

    if path.is_file() and not overwrite:
        return path
    if path.is_file():
        path.unlink()
    return download_file(SourceSpec(url=url, filename=path.name), path.parent)


def download_musescore_soundfont(overwrite: bool = False) -> Path:
    """Download the MuseScore General sound font (about 38 MB) unless it is there; return its path.

    Raises
    ------
    DownloadError
        If it cannot be downloaded (the message names the URL and the error).
    """
    return _download(_MUSESCORE_URL, get_musescore_soundfont_path(), overwrite)


def download_bravura_font(overwrite: bool = False) -> Path:
    """Download the Bravura font unless it is there; return its path (see :func:`download_musescore_soundfont`)."""
    return _download(_BRAVURA_URL, get_bravura_font_path(), overwrite)
