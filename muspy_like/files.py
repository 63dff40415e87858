"""Safe file output shared by every writer: check the destination, write a temporary file, then rename.

A reader of the target path sees either the old complete file or the new complete file, never a half
written one; if the writer fails, the temporary file is removed and the target is left as it was.

Destinations follow one rule, the same in the API and on the command line:

* a **file** you name is written into an existing folder: a missing parent folder is an error, never
  created behind your back (a typo in a folder name should not scatter results);
* a **folder** you name (``--out DIR``, a stems folder, a cache) is created, with its missing parents.

Every failure is an :class:`~muspy_like.errors.OutputPathError` naming the path the caller gave, never the
hidden temporary file. A write killed outright (SIGKILL, power cut) cannot clean up after itself; the
temporary file carries the writer's process id, and the first write of a process into a folder removes
the leftovers there of writers that are no longer running. (Once per folder and process, not at every
write: listing a folder of n files at each of its n writes would make filling a dataset cache cost time
in the square of its size.)
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
from pathlib import Path
from typing import IO, Iterator, Union

from muspy_like.errors import OutputPathError

__all__ = [
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_output_file",
    "prepare_output_folder",
]

_PART_SUFFIX = ".part"
#: OS errors that mean the destination itself failed while writing (other errors raised by the code that
#: produces the content, such as a missing input file, pass through unchanged).
_DESTINATION_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG, errno.EIO}
)


def check_output_file(path: Union[str, Path]) -> Path:
    """Check that ``path`` can be written as a file, before any work is done; return it as a Path.

    Raises
    ------
    OutputPathError
        If the path is an existing folder, its parent folder is missing or is a file, or the parent
        folder cannot be written to.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputPathError(f"cannot write {path}: it is a folder, not a file")
    parent = path.parent
    if not parent.exists():
        blocker = _first_non_folder(parent)
        if blocker is not None:
            raise OutputPathError(f"cannot write {path}: {blocker} is a file, not a folder")
        raise OutputPathError(f"cannot write {path}: the folder {parent} does not exist")
    if not parent.is_dir():
        raise OutputPathError(f"cannot write {path}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputPathError(f"cannot write {path}: no permission to write into {parent}")
    return path


def prepare_output_folder(path: Union[str, Path]) -> Path:
    """Create the output folder ``path`` (and its missing parents) if needed; return it as a Path.

    Raises
    ------
    OutputPathError
        If ``path`` or one of its parents is a file, or the folder cannot be created or written to.
    """
    path = Path(path)
    blocker = _first_non_folder(path)
    if blocker is not None:
        raise OutputPathError(f"cannot use {path} as an output folder: {blocker} is a file")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputPathError(f"cannot create the folder {path}: {_reason(error)}") from error
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputPathError(f"cannot write into {path}: permission denied")
    return path


def _first_non_folder(path: Path) -> Path | None:
    """The first existing non-folder among ``path`` and its ancestors, if any."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return None if candidate.is_dir() else candidate
    return None


def _reason(error: OSError) -> str:
    """A short reason for an OS error, without the (temporary) file name the OS attached to it."""
    if error.errno == errno.EROFS:
        return "the file system is read-only"
    if error.errno == errno.ENOSPC:
        return "no space left on the device"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return error.strerror or str(error)


@contextlib.contextmanager
def atomic_write(
    path: Union[str, Path], mode: str = "wb", encoding: str | None = None, durable: bool = True
) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; rename it onto ``path`` on success.

    Parameters
    ----------
    path : str or Path
        Final location. Its parent folder must exist (see the module's rule).
    mode : {"wb", "w"}
        Binary or text mode.
    encoding : str, optional
        Text encoding (text mode only; default UTF-8).
    durable : bool, default True
        ``fsync`` the file before the rename, so it survives a power cut. Derived files that can be
        rebuilt (a dataset cache of many small files) may skip it: the rename still guarantees that a
        reader never sees a partial file, and the fsync is often most of the cost of a small file.

    Raises
    ------
    OutputPathError
        If the destination cannot be written (see :func:`check_output_file`), or the disk fills up or
        turns read-only while writing; the message names ``path``.

    Examples
    --------
    >>> with atomic_write("out.txt", "w") as f:  # doctest: +SKIP
    ...     f.write("complete or nothing")
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"mode must be 'wb' or 'w', not {mode!r}")
    path = check_output_file(path)
    _remove_abandoned_parts(path)
    tmp_path = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{_PART_SUFFIX}")
    try:
        fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise OutputPathError(f"cannot write {path}: {_reason(error)}") from error
    try:
        with os.fdopen(fd, mode, encoding=(encoding or "utf-8") if mode == "w" else None) as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        try:
            os.replace(tmp_path, path)
        except OSError as error:
            raise OutputPathError(f"cannot write {path}: {_reason(error)}") from error
    except OSError as error:
        _unlink_quietly(tmp_path)
        if isinstance(error, OutputPathError) or error.errno not in _DESTINATION_ERRNOS:
            raise
        raise OutputPathError(f"cannot write {path}: {_reason(error)}") from error
    except BaseException:
        _unlink_quietly(tmp_path)
        raise


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


#: The name :func:`atomic_write` gives its temporary file: ``.{target}.{pid}.{8 hex digits}.part``.
_PART_NAME = re.compile(r"^\..+\.([0-9]+)\.[0-9a-f]{8}" + re.escape(_PART_SUFFIX) + "$")

#: Folders (device, inode) this process has cleaned of abandoned temporary files.
_CLEANED_FOLDERS: set[tuple[int, int]] = set()
_CLEANED_FOLDERS_KEPT = 4096


def _remove_abandoned_parts(path: Path) -> None:
    """Delete the temporary files that writers no longer running left in ``path``'s folder.

    Done at the first write of this process into the folder (a folder is known by its device and inode,
    so one removed and made again is cleaned again).
    """
    try:
        folder = os.stat(path.parent)
    except OSError:
        return
    key = (folder.st_dev, folder.st_ino)
    if key in _CLEANED_FOLDERS:
        return
    if len(_CLEANED_FOLDERS) >= _CLEANED_FOLDERS_KEPT:
        _CLEANED_FOLDERS.clear()
    _CLEANED_FOLDERS.add(key)
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return
    for entry in entries:
        match = _PART_NAME.match(entry.name)
        if match and not _process_is_running(int(match.group(1))):
            _unlink_quietly(Path(entry.path))


def _process_is_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or we cannot tell: leave its file alone
    return True


def atomic_write_bytes(path: Union[str, Path], data: bytes, durable: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write` for ``durable``)."""
    with atomic_write(path, "wb", durable=durable) as handle:
        handle.write(data)


def atomic_write_text(path: Union[str, Path], text: str, encoding: str = "utf-8", durable: bool = True) -> None:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write` for ``durable``)."""
    with atomic_write(path, "w", encoding, durable) as handle:
        handle.write(text)
