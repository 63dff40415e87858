"""Safe file output shared by every writer: write to a temporary file, then rename.

A reader of the target path sees either the old complete file or the new complete file, never a half
written one; if the writer fails, the temporary file is removed and the target is left as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator, Union

__all__ = ["atomic_write", "atomic_write_bytes", "atomic_write_text"]


@contextlib.contextmanager
def atomic_write(
    path: Union[str, Path], mode: str = "wb", encoding: str | None = None, durable: bool = True
) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; rename it onto ``path`` on success.

    Parameters
    ----------
    path : str or Path
        Final location. Its parent folder must exist.
    mode : {"wb", "w"}
        Binary or text mode.
    encoding : str, optional
        Text encoding (text mode only; default UTF-8).
    durable : bool, default True
        ``fsync`` the file before the rename, so it survives a power cut. Derived files that can be
        rebuilt (a dataset cache of many small files) may skip it: the rename still guarantees that a
        reader never sees a partial file, and the fsync is often most of the cost of a small file.

    Examples
    --------
    >>> with atomic_write("out.txt", "w") as f:  # doctest: +SKIP
    ...     f.write("complete or nothing")
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"mode must be 'wb' or 'w', not {mode!r}")
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
    try:
        with os.fdopen(fd, mode, encoding=(encoding or "utf-8") if mode == "w" else None) as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o666 & ~_current_umask())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def _current_umask() -> int:
    # mkstemp creates files readable by the owner only; give the final file the usual permissions.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Union[str, Path], data: bytes, durable: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write` for ``durable``)."""
    with atomic_write(path, "wb", durable=durable) as handle:
        handle.write(data)


def atomic_write_text(path: Union[str, Path], text: str, encoding: str = "utf-8", durable: bool = True) -> None:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write` for ``durable``)."""
    with atomic_write(path, "w", encoding, durable) as handle:
        handle.write(text)
