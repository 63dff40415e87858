"""Safe archive extraction: nothing is ever written outside the destination.

Policy (every rule raises :class:`~muspy_like.errors.UnsafeArchiveError` naming the archive and member,
before or while writing, and the partial output is removed):

* member names must be relative paths that stay inside the root: no absolute paths (``/x``, ``C:\\x``,
  ``\\\\server\\x``), no ``..`` component, no NUL byte;
* only regular files and directories: symbolic links and hard links are refused outright (a dataset of
  notes needs none, and refusing them removes the whole class of link-following escapes), as are device
  files, FIFOs and sockets;
* at most ``max_members`` members, and at most the extracted bytes that the size policy of
  :mod:`muspy_like.limits` allows this archive (the published extracted size times ``archive_margin``
  when the catalog gives one, otherwise the archive's size times ``archive_ratio``), counted on the
  bytes actually written (headers of zip bombs lie about sizes); beyond it,
  :class:`~muspy_like.errors.ArchiveSizeError`;
* a file name may not appear twice (ambiguous archives are refused rather than resolved silently);
* a tar archive must end with its end-of-archive marker (two zero blocks) followed only by zero
  padding, and a compressed stream must reach its end-of-stream marker: a tar cut between two members
  reads like a shorter archive to ``tarfile``, and is refused here instead of extracting partially.

Tar members also pass through the standard library's ``tarfile.data_filter`` (PEP 706, the
``filter="data"`` policy) before our own checks. For tar archives it duplicates three of our rules
(absolute paths, ``..`` escapes, device files and FIFOs) and is kept as defence in depth; our rules
remain the only ones for zip archives, and stricter for links (the filter allows links that stay
inside the destination; we refuse every link).

Extraction goes to a fresh temporary folder beside the destination, and only a complete, checked result
is moved into place, so an interrupted or refused extraction leaves no partial tree behind. Files are
written with mode 0644 (set-uid bits and the like from the archive are ignored) and their SHA-256 is
computed while they are written; :func:`extract_archive` returns that record for the completion marker.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import hashlib
import lzma
import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Iterator, Optional, Union

from muspy_like import limits as size_policy
from muspy_like.errors import ArchiveSizeError, UnsafeArchiveError

__all__ = ["ExtractedFile", "ExtractionLimits", "check_archive", "extract_archive", "safe_member_path"]

_BLOCK = 1 << 20


@dataclass(frozen=True)
class ExtractionLimits:
    """Bounds that stop archive bombs.

    Parameters
    ----------
    max_total_bytes : int, optional
        Largest total size of the extracted files, in bytes. None (the default) takes the bound of the
        size policy for each archive (:func:`muspy_like.limits.archive_cap`): proportionate to the
        extracted size the catalog publishes, or to the archive's own size.
    max_members : int
        Largest number of members (files and folders; default 2 million: GigaMIDI, the largest corpus
        we know of, has about 1.4 million files).
    """

    max_total_bytes: Optional[int] = None
    max_members: int = 2_000_000


@dataclass(frozen=True)
class _Cap:
    """The bound on an archive's extracted bytes, why it is what it is, and how to raise it."""

    bytes: int
    reason: str
    how: str

    @classmethod
    def of(cls, archive: Path, limits: ExtractionLimits, expected_bytes: Optional[int]) -> "_Cap":
        keyword = "ExtractionLimits(max_total_bytes=...)"
        if limits.max_total_bytes is not None:
            return cls(limits.max_total_bytes, "ExtractionLimits(max_total_bytes)", keyword)
        caps = size_policy.current()
        name = "archive_ratio" if expected_bytes is None else "archive_margin"
        how = f"{keyword}, muspy_like.limits.configure({name}=...) or the environment variable {size_policy.ENVIRONMENT[name]}"
        size = archive.stat().st_size
        if expected_bytes is None:
            reason = f"{caps.archive_ratio:g} times the archive's {size:,} bytes (archive_ratio; no published extracted size)"
        else:
            reason = f"{caps.archive_margin:g} times the published extracted size of {expected_bytes:,} bytes (archive_margin)"
        return cls(size_policy.archive_cap(size, expected_bytes), reason, how)


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
    """Writes checked members under a temporary root, enforcing the limits on real byte counts.

    With ``root=None`` nothing is written: every member is read to its end, checked and hashed, which
    proves that an archive is complete and sound without extracting it.
    """

    def __init__(self, root: Optional[Path], archive: Path, limits: ExtractionLimits, cap: "_Cap") -> None:
        self.root = root
        self.archive = archive
        self.limits = limits
        self.cap = cap
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
        if self.root is not None:
            (self.root / relative).mkdir(parents=True, exist_ok=True)

    def count_bytes(self, count: int, name: str) -> None:
        self.total += count
        if self.total > self.cap.bytes:
            raise ArchiveSizeError(
                f"{self.archive}: extracts to more than {self.cap.bytes:,} bytes (at member {name!r}), the bound "
                f"of {self.cap.reason}; refusing a possible archive bomb. If the archive is genuine, raise the "
                f"bound with {self.cap.how}"
            )

    def file(self, name: str, stream: IO[bytes]) -> None:
        self.count_member(name)
        relative = safe_member_path(name, self.archive)
        key = relative.as_posix()
        if key in self.files:
            raise UnsafeArchiveError(f"{self.archive}: member {name!r} appears twice; refusing an ambiguous archive")
        digest = hashlib.sha256()
        size = 0
        with self._output(relative) as handle:
            for block in iter(lambda: stream.read(_BLOCK), b""):
                size += len(block)
                self.count_bytes(len(block), name)
                if handle is not None:
                    handle.write(block)
                digest.update(block)
        self.files[key] = ExtractedFile(key, size, digest.hexdigest())

    def _output(self, relative: PurePosixPath) -> IO[bytes]:
        if self.root is None:
            return contextlib.nullcontext()  # type: ignore[return-value]
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL|O_NOFOLLOW: never write through something that already exists at this path
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        return os.fdopen(fd, "wb")


def extract_archive(
    archive: Union[str, Path],
    destination: Union[str, Path],
    kind: str,
    limits: ExtractionLimits = ExtractionLimits(),
    expected_bytes: Optional[int] = None,
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
        ``zip``, ``tar``, ``tar.gz``, ``tar.bz2``, ``tar.xz``, ``gz``, ``xz`` or ``bz2`` (one compressed
        file, extracted under the archive's name without the suffix) or ``none`` (copied as is).
    limits : ExtractionLimits
        Member count and total size bounds.
    expected_bytes : int, optional
        The extracted size the catalog publishes for this archive, in bytes (it sets the size bound
        when ``limits.max_total_bytes`` is None).

    Returns
    -------
    list of ExtractedFile
        Every extracted file, sorted by path, with its size (bytes) and SHA-256.

    Raises
    ------
    UnsafeArchiveError
        A member breaks the policy, or the archive is corrupt or incomplete; nothing from this archive is
        left in ``destination``.
    ArchiveSizeError
        The archive extracts to more bytes than its bound (an UnsafeArchiveError and a SizeLimitError).
    """
    archive = Path(archive)
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".extract-", dir=destination.parent))
    try:
        writer = _Writer(staging, archive, limits, _Cap.of(archive, limits, expected_bytes))
        _read_archive(writer, archive, kind)
        _merge(staging, destination, archive)
        return sorted(writer.files.values(), key=lambda f: f.path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def check_archive(
    archive: Union[str, Path], kind: str, limits: ExtractionLimits = ExtractionLimits(), expected_bytes: Optional[int] = None
) -> list[ExtractedFile]:
    """Read ``archive`` completely under the extraction policy without writing anything.

    Every member is decompressed to its end (CRCs checked), every rule of the module notes applied and
    the end-of-archive markers required, so a download whose completeness nothing else can prove (no
    size, no hash, no Content-Length) is shown complete before it is kept.

    Returns
    -------
    list of ExtractedFile
        What extracting it would produce (path, size in bytes, SHA-256).

    Raises
    ------
    UnsafeArchiveError
        The archive is truncated, corrupt or breaks the policy (see :func:`extract_archive`).
    """
    archive = Path(archive)
    writer = _Writer(None, archive, limits, _Cap.of(archive, limits, expected_bytes))
    _read_archive(writer, archive, kind)
    return sorted(writer.files.values(), key=lambda f: f.path)


def _read_archive(writer: _Writer, archive: Path, kind: str) -> None:
    try:
        _extract_into(writer, archive, kind)
    except UnsafeArchiveError:
        raise
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, lzma.LZMAError, zlib.error, OSError) as error:
        raise UnsafeArchiveError(f"{archive}: corrupt or incomplete {kind} archive: {error}") from error


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
        if declared > writer.cap.bytes:
            raise ArchiveSizeError(
                f"{archive}: declares {declared:,} extracted bytes, more than {writer.cap.bytes:,}, the bound of "
                f"{writer.cap.reason}; if the archive is genuine, raise the bound with {writer.cap.how}"
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
    # The standard filter judges paths against a destination; a dry run has none, so give it one that
    # will never be written.
    root = str(writer.root if writer.root is not None else archive.parent / f".{archive.name}.check")
    with tarfile.open(archive, "r:*") as bundle:
        for member in _members(bundle):
            if not (member.isdir() or member.isreg()):
                if member.issym():
                    what = "symbolic link"
                elif member.islnk():
                    what = "hard link"
                else:
                    what = "device, FIFO or special file"
                raise UnsafeArchiveError(
                    f"{archive}: member {member.name!r} is a {what}; only files and folders are allowed"
                )
            safe_member_path(member.name, archive)  # our message first; the filter is the second line
            _apply_data_filter(member, root, archive)
            if member.isdir():
                writer.directory(member.name)
            else:
                stream = bundle.extractfile(member)
                assert stream is not None  # a regular member always has data
                with stream:
                    writer.file(member.name, stream)
        _check_tar_end(bundle, archive)


def _apply_data_filter(member: tarfile.TarInfo, root: str, archive: Path) -> None:
    data_filter = getattr(tarfile, "data_filter", None)  # Python 3.10.12+, 3.11.4+ (PEP 706)
    if data_filter is None:
        return
    try:
        data_filter(member, root)
    except tarfile.FilterError as error:
        # The filter's own message names the temporary folder, not the user's: give only its verdict.
        raise UnsafeArchiveError(
            f"{archive}: member {member.name!r} refused by tarfile's data filter ({type(error).__name__})"
        ) from None


def _check_tar_end(bundle: tarfile.TarFile, archive: Path) -> None:
    """Require the end-of-archive marker where ``tarfile`` stopped, and only zero padding after it.

    ``tarfile`` ends its member list silently at the end of the data, at a truncated header or at
    garbage, so an archive cut between two members would pass for a shorter one.
    """
    stream = bundle.fileobj
    assert stream is not None
    stream.seek(bundle.offset)
    marker = stream.read(2 * tarfile.BLOCKSIZE)
    if len(marker) < 2 * tarfile.BLOCKSIZE or marker.count(0) != len(marker):
        raise UnsafeArchiveError(
            f"{archive}: the tar archive is incomplete: no end-of-archive marker after {len(bundle.members)} "
            f"member(s) at byte {bundle.offset:,} (a download or copy cut short?)"
        )
    # Reading the padding to its end also makes a compressed stream check its own end marker and CRC.
    # Writers pad to a record (10 KiB for GNU tar and Python's tarfile); more than a MiB is not padding.
    padding = stream.read(_BLOCK + 1)
    if padding.count(0) != len(padding) or len(padding) > _BLOCK:
        raise UnsafeArchiveError(f"{archive}: data after the tar end-of-archive marker; refusing an ambiguous archive")


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
