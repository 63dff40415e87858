"""Where muspy_like keeps data on the user's machine: the dataset folder and the cache folder.

Both follow the platform's conventions through ``platformdirs`` (the library symusic and pip use), and
each has an environment variable that wins over everything else:

* datasets: ``$MUSPY_LIKE_DATA``; else ``~/.muspy_like/datasets`` if it exists (the folder of earlier
  versions); else ``platformdirs.user_data_path("muspy_like") / "datasets"`` (Linux
  ``~/.local/share/muspy_like/datasets``, macOS ``~/Library/Application Support/muspy_like/datasets``,
  Windows ``%LOCALAPPDATA%\\muspy_like\\datasets``).
* caches: ``$MUSPY_LIKE_CACHE``; else ``platformdirs.user_cache_path("muspy_like")`` (Linux
  ``$XDG_CACHE_HOME/muspy_like``, else ``~/.cache/muspy_like``).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_home", "data_home"]

_LEGACY_DATA = Path("~/.muspy_like/datasets")


def data_home() -> Path:
    """The folder holding one subfolder per downloaded dataset (see the module notes)."""
    chosen = os.environ.get("MUSPY_LIKE_DATA")
    if chosen:
        return Path(chosen).expanduser()
    legacy = _LEGACY_DATA.expanduser()
    if legacy.is_dir():
        return legacy
    import platformdirs

    return platformdirs.user_data_path("muspy_like") / "datasets"


def cache_home() -> Path:
    """The folder for caches that can be rebuilt at any time (see the module notes)."""
    chosen = os.environ.get("MUSPY_LIKE_CACHE")
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    return platformdirs.user_cache_path("muspy_like")
