"""What the file-based fuzz targets share: a scratch folder per child process, and errors made comparable.

Readers of files name the file in their messages; one variant read through two paths (``score.xml`` and
``score.mxl``, ``piece.json`` and ``piece.json.gz``) must give the same error apart from that name, so
each target rewrites the names it chose to one placeholder before the harness compares the messages.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

__all__ = ["scratch_folder", "named_alike"]


@lru_cache(maxsize=None)
def scratch_folder() -> Path:
    """A temporary folder for this process's variant files, removed when the process exits."""
    folder = Path(tempfile.mkdtemp(prefix="fuzz-variant-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def named_alike(error: BaseException, names: list[str]) -> BaseException:
    """``error`` with each of ``names`` (longest first) replaced by ``<file>`` in its message; same class.

    Errors that are not ours are returned as they are: the harness reports them whatever they say.
    """
    from muspy_like.errors import MuspyLikeError

    if not isinstance(error, MuspyLikeError) or not error.args:
        return error
    message = str(error)
    for name in sorted(names, key=len, reverse=True):
        message = message.replace(name, "<file>")
    renamed = type(error).__new__(type(error))  # whatever its constructor takes, the same class
    renamed.args = (message,)
    return renamed
