"""Safe archive extraction: nothing is ever written outside the destination.

Policy (every rule raises :class:`~muspy_like.errors.UnsafeArchiveError` naming the archive and member,
before or while writing, and the partial output is removed):

* member names must be relative paths that stay inside the root: no absolute paths (``/x``, ``C:\\x``,
  ``\\\\server\\x``), no ``..`` component, no NUL byte;
* only regular files and directories: symbolic links and hard links are refused outright (a dataset of
  notes needs none, and refusing them removes the whole class of link-following escapes), as are device
  files, FIFOs and sockets;
* at most ``max_members`` members and ``max_total_bytes`` extracted bytes, counted on the bytes
  actually written (headers of zip bombs lie about sizes);
* a file name may not appear twice (ambiguous archives are refused rather than resolved silently).

Extraction goes to a fresh temporary folder beside the destination, and only a complete, checked result
is moved into place, so an interrupted or refused extraction leaves no partial tree behind. Files are
written with mode 0644 (set-uid bits and the like from the archive are ignored) and their SHA-256 is
computed while they are written; :func:`extract_archive` returns that record for the completion marker.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Iterator, Union

from muspy_like.errors import UnsafeArchiveError

__all__ = ["ExtractedFile", "ExtractionLimits", "extract_archive", "safe_member_path"]

_BLOCK = 1 << 20


@dataclass(frozen=True)
class ExtractionLimits:
    """Bounds that stop archive bombs.

    Parameters
    ----------
    max_total_bytes : int
        Largest total size of the extracted files, in bytes (default 64 GiB: the Lakh MIDI full set
        takes a few GB).
    max_members : int
        Largest number of members (files and folders; default 2 million).
    """

    max_total_bytes: int = 64 << 30
    max_members: int = 2_000_000


@dataclass(frozen=True)
class ExtractedFile:
    """One extracted file: path relative to the destination (POSIX separators), size in bytes, SHA-256."""

    path: str
    size: int
    sha256: str


def safe_member_path(name: str, archive: Union[str, Path]) -> PurePosixPath:
    """Validate an archive member name and return it as a relative POSIX path.

    Raises
    ------
    UnsafeArchiveError
        If the name is empty, absolute, contains a ``..`` component, a drive letter or a NUL byte.
    """
    if "\x00" in name:
        raise UnsafeArchiveError(f"{archive}: member {name!r} has a NUL byte in its name")
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":"):
        raise UnsafeArchiveError(f"{archive}: member {name!r} has an absolute path")
    parts = [part for part in normalized.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchiveError(f"{archive}: member {name!r} would escape the extraction folder ('..')")
    if not parts:
        raise UnsafeArchiveError(f"{archive}: member {name!r} has an empty path")
    return PurePosixPath(*parts)


class _Writer:
    """Writes checked members under a temporary root, enforcing the limits on real byte counts."""

    def __init__(self, root: Path, archive: Path, limits: ExtractionLimits) -> None:
        self.root = root
        self.archive = archive
        self.limits = limits
        self.total = 0
        self.members = 0
        self.files: dict[str, ExtractedFile] = {}

    def count_member(self, name: str) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise UnsafeArchiveError(
                f"{self.archive}: more than {self.limits.max_members} members (at {name!r}); refusing"
            )

    def directory(self, name: str) -> None:
        self.count_member(name)
        relative = safe_member_path(name, self.archive)
        (self.root / relative).mkdir(parents=True, exist_ok=True)

    def file(self, name: str, stream: IO[bytes]) -> None:
        self.count_member(name)
        relative = safe_member_path(name, self.archive)
        key = relative.as_posix()
        if key in self.files:
            raise UnsafeArchiveError(f"{self.archive}: member {name!r} appears twice; refusing an ambiguous archive")
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        # O_EXCL|O_NOFOLLOW: never write through something that already exists at this path
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(fd, "wb") as handle:
            for block in iter(lambda: stream.read(_BLOCK), b""):
                size += len(block)
                self.total += len(block)
                if self.total > self.limits.max_total_bytes:
                    raise UnsafeArchiveError(
                        f"{self.archive}: extracted size exceeds {self.limits.max_total_bytes} bytes "
                        f"(at {name!r}); refusing a possible archive bomb"
                    )
                handle.write(block)
                digest.update(block)
        self.files[key] = ExtractedFile(key, size, digest.hexdigest())


def extract_archive(
    archive: Union[str, Path],
    destination: Union[str, Path],
    kind: str,
    limits: ExtractionLimits = ExtractionLimits(),
) -> list[ExtractedFile]:
    """Extract ``archive`` into ``destination`` safely (see the module docstring for the policy).

    Parameters
    ----------
    archive : str or Path
        The archive file.
    destination : str or Path
        Folder to extract into (created if missing). Existing files there are never overwritten: a
        member whose path already exists is an error.
    kind : str
        ``zip``, ``tar``, ``tar.gz``, ``tar.bz2``, ``tar.xz``, ``gz`` or ``xz`` (one compressed file,
        extracted under the archive's name without the suffix) or ``none`` (copied as is).
    limits : ExtractionLimits
        Member count and total size bounds.

    Returns
    -------
    list of ExtractedFile
        Every extracted file, sorted by path, with its size (bytes) and SHA-256.

    Raises
    ------
    UnsafeArchiveError
        A member breaks the policy; nothing from this archive is left in ``destination``.
    """
    archive = Path(archive)
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".extract-", dir=destination.parent))
    try:
        writer = _Writer(staging, archive, limits)
        try:
            _extract_into(writer, archive, kind)
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, lzma.LZMAError, OSError) as error:
            if isinstance(error, UnsafeArchiveError):
                raise
            raise UnsafeArchiveError(f"{archive}: corrupt or unreadable {kind} archive: {error}") from error
        _merge(staging, destination, archive)
        return sorted(writer.files.values(), key=lambda f: f.path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _extract_into(writer: _Writer, archive: Path, kind: str) -> None:
    if kind == "zip":
        _extract_zip(writer, archive)
    elif kind.startswith("tar"):
        _extract_tar(writer, archive)
    elif kind in ("gz", "xz", "bz2"):
        opener = {"gz": gzip.open, "xz": lzma.open, "bz2": bz2.open}[kind]
        name = archive.name[: -len(kind) - 1] if archive.name.endswith("." + kind) else archive.name + ".out"
        with opener(archive, "rb") as stream:
            writer.file(name, stream)
    elif kind == "none":
        with open(archive, "rb") as stream:
            writer.file(archive.name, stream)
    else:
        raise UnsafeArchiveError(f"{archive}: unknown archive type {kind!r}")


def _extract_zip(writer: _Writer, archive: Path) -> None:
    with zipfile.ZipFile(archive) as bundle:
        infos = bundle.infolist()
        if len(infos) > writer.limits.max_members:
            raise UnsafeArchiveError(f"{archive}: {len(infos)} members, more than {writer.limits.max_members}")
        declared = sum(info.file_size for info in infos)
        if declared > writer.limits.max_total_bytes:
            raise UnsafeArchiveError(
                f"{archive}: declares {declared} extracted bytes, more than {writer.limits.max_total_bytes}"
            )
        for info in infos:
            # Unix zips keep the file mode in the high 16 bits; many writers set only permission bits
            # (no file type), which means a regular file.
            mode = info.external_attr >> 16
            kind = stat.S_IFMT(mode)
            if info.create_system == 3 and kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
                raise UnsafeArchiveError(
                    f"{archive}: member {info.filename!r} is a {_kind_of(mode)}; only files and folders are allowed"
                )
            if info.is_dir():
                writer.directory(info.filename)
            else:
                with bundle.open(info) as stream:
                    writer.file(info.filename, stream)


def _extract_tar(writer: _Writer, archive: Path) -> None:
    with tarfile.open(archive, "r:*") as bundle:
        for member in _members(bundle):
            if member.isdir():
                writer.directory(member.name)
            elif member.isreg():
                stream = bundle.extractfile(member)
                assert stream is not None  # a regular member always has data
                with stream:
                    writer.file(member.name, stream)
            else:
                if member.issym():
                    what = "symbolic link"
                elif member.islnk():
                    what = "hard link"
                else:
                    what = "device, FIFO or special file"
                raise UnsafeArchiveError(
                    f"{archive}: member {member.name!r} is a {what}; only files and folders are allowed"
                )


def _members(bundle: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    # Iterate lazily instead of getmembers(): a tar bomb with millions of headers stops at the limit.
    member = bundle.next()
    while member is not None:
        yield member
        member = bundle.next()


def _kind_of(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device file"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    return "special file"


def _merge(staging: Path, destination: Path, archive: Path) -> None:
    """Move the checked tree into ``destination`` without overwriting anything already there."""
    for source in sorted(staging.rglob("*")):
        target = destination / source.relative_to(staging)
        if target.is_symlink():
            raise UnsafeArchiveError(f"{archive}: {target} is a symbolic link; refusing to write through it")
        if source.is_dir():
            target.mkdir(exist_ok=True)
        elif target.exists():
            raise UnsafeArchiveError(f"{archive}: {target} already exists; refusing to overwrite it")
    for source in sorted(staging.rglob("*")):
        if source.is_file():
            os.replace(source, destination / source.relative_to(staging))
