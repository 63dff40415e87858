"""Robust HTTP(S) downloads: timeouts, retries with backoff, resume, mirrors, streaming verification.

Guarantees of :func:`download_file`
-----------------------------------
* Bytes go to ``<name>.part`` and are renamed to ``<name>`` only after the size and every known hash
  match; a reader never sees a partial or unverified file under the final name.
* Every network operation has a timeout (seconds, per connection attempt and per read), so a stalled
  server cannot hang the caller.
* Transient failures (connection errors, timeouts, truncated bodies, HTTP 408/429/5xx) are retried with
  exponential backoff; permanent ones (e.g. HTTP 404) move on to the next mirror at once.
* An interrupted transfer resumes from the end of the ``.part`` file with an HTTP ``Range`` request,
  guarded by ``If-Range`` (the ETag or Last-Modified date of the first response) so a file that changed on
  the server restarts from zero instead of being spliced. A server that ignores ``Range`` (answers 200)
  restarts the transfer from zero: the ``.part`` file is truncated, never appended to.
* The hash is computed while streaming (the resumed prefix is hashed from disk first); a mismatch
  deletes the bad file and raises :class:`~muspy_like.errors.ChecksumError` once no mirror is left.
* A per-file lock (``<name>.lock``) stops two processes from writing the same ``.part`` file.
* When every URL has failed, :class:`~muspy_like.errors.DownloadError` names each URL and its last error.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import logging
import os
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

from muspy_like.datasets.catalog import SourceSpec
from muspy_like.datasets.locking import FileLock
from muspy_like.errors import ChecksumError, DownloadError
from muspy_like.files import atomic_write_text

__all__ = ["DownloadOptions", "download_file", "file_digests", "verify_file"]

logger = logging.getLogger(__name__)

_USER_AGENT = "muspy_like-downloader/0.1 (+https://pypi.org/project/muspy_like/)"
_PERMANENT_STATUS = {400, 401, 403, 404, 405, 410, 451}
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


@dataclass(frozen=True)
class DownloadOptions:
    """Network behaviour of :func:`download_file`.

    Parameters
    ----------
    timeout : float
        Seconds to wait for a connection or for the next block of data.
    retries : int
        Extra attempts per URL after the first one, for transient errors.
    backoff : float
        Seconds before the first retry; doubled after each failure (exponential backoff).
    max_backoff : float
        Upper bound of the wait between retries, in seconds.
    chunk_size : int
        Bytes read per block.
    progress : bool
        Show a tqdm progress bar (bytes).
    """

    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0
    max_backoff: float = 60.0
    chunk_size: int = 1 << 16
    progress: bool = True


class _Transient(Exception):
    """A failure worth retrying on the same URL."""


class _Permanent(Exception):
    """A failure that retrying this URL will not fix (move to the next mirror)."""


class _Digests:
    """SHA-256 and MD5 computed together over a stream of blocks."""

    def __init__(self) -> None:
        self.sha256 = hashlib.sha256()
        self.md5 = hashlib.md5(usedforsecurity=False)

    def update(self, block: bytes) -> None:
        self.sha256.update(block)
        self.md5.update(block)

    def update_from_file(self, path: Path, chunk_size: int = 1 << 20) -> None:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(chunk_size), b""):
                self.update(block)

    def hexdigests(self) -> dict[str, str]:
        return {"sha256": self.sha256.hexdigest(), "md5": self.md5.hexdigest()}


def file_digests(path: Union[str, Path]) -> dict[str, str]:
    """SHA-256 and MD5 hex digests of a file (read in 1 MiB blocks)."""
    digests = _Digests()
    digests.update_from_file(Path(path))
    return digests.hexdigests()


def verify_file(path: Union[str, Path], source: SourceSpec) -> Optional[str]:
    """Check a file against the size and hashes of ``source``; return a description of the mismatch or None."""
    path = Path(path)
    size = path.stat().st_size
    if source.size is not None and size != source.size:
        return f"size is {size} bytes, expected {source.size}"
    if not source.verified:
        return None
    return _digest_mismatch(file_digests(path), source)


def _digest_mismatch(digests: dict[str, str], source: SourceSpec) -> Optional[str]:
    for kind in ("sha256", "md5"):
        expected = getattr(source, kind)
        if expected and digests[kind] != expected:
            return f"{kind} is {digests[kind]}, expected {expected}"
    return None


def download_file(
    source: SourceSpec, directory: Union[str, Path], options: DownloadOptions = DownloadOptions()
) -> Path:
    """Download one source into ``directory`` and verify it; return the final path.

    A file already present under the final name is verified first and kept if it matches; a
    mismatching one is deleted and downloaded again.

    Parameters
    ----------
    source : SourceSpec
        URL, mirrors, expected size (bytes) and hashes.
    directory : str or Path
        Destination folder (created if missing).
    options : DownloadOptions
        Timeouts, retries, backoff, progress.

    Returns
    -------
    Path
        ``directory / source.filename``, complete and verified.

    Raises
    ------
    ChecksumError
        The bytes served by every URL had the wrong size or hash (bad files are deleted).
    DownloadError
        Every URL failed after its retries (the message names each URL and its last error).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / source.filename
    with FileLock(directory / f"{source.filename}.lock"):
        if final.exists():
            problem = verify_file(final, source)
            if problem is None:
                return final
            logger.warning("%s: existing file is bad (%s); downloading it again", final, problem)
            final.unlink()
        errors: list[str] = []
        checksum_failures: list[str] = []
        for url in source.urls:
            try:
                _download_from(url, source, final, options)
                return final
            except ChecksumError as error:
                checksum_failures.append(str(error))
                errors.append(f"{url}: {error}")
            except _Permanent as error:
                errors.append(f"{url}: {error}")
            except DownloadError as error:
                errors.append(str(error))
        detail = "\n  ".join(errors)
        if checksum_failures and len(checksum_failures) == len(errors):
            raise ChecksumError(f"{source.filename}: no URL served the expected bytes:\n  {detail}")
        raise DownloadError(f"{source.filename}: download failed from every URL:\n  {detail}")


def _download_from(url: str, source: SourceSpec, final: Path, options: DownloadOptions) -> None:
    """Try one URL with retries; leave a verified file at ``final`` or raise."""
    from tqdm.auto import tqdm

    part = final.with_name(final.name + ".part")
    state_path = final.with_name(final.name + ".part.json")
    delay = options.backoff
    last_error: Optional[BaseException] = None
    bar = tqdm(
        total=source.size,
        desc=final.name,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        disable=not options.progress,
        dynamic_ncols=True,
    )
    try:
        for attempt in range(options.retries + 1):
            if attempt:
                logger.info("%s: retry %d of %d in %.1f s (%s)", url, attempt, options.retries, delay, last_error)
                time.sleep(delay)
                delay = min(delay * 2, options.max_backoff)
            try:
                digests = _transfer(url, source, part, state_path, options, bar)
            except _Transient as error:
                last_error = error.__cause__ or error
                continue
            with contextlib.suppress(FileNotFoundError):
                state_path.unlink()
            size = part.stat().st_size
            problem = (
                f"size is {size} bytes, expected {source.size}"
                if source.size is not None and size != source.size
                else _digest_mismatch(digests, source)
            )
            if problem is not None:
                part.unlink()
                raise ChecksumError(f"{url}: {problem}; the bad file was deleted")
            if not source.verified:
                logger.warning("%s: no checksum in the catalog; the download is unverified", final.name)
            os.replace(part, final)
            return
    finally:
        bar.close()
    raise DownloadError(f"{url}: failed after {options.retries + 1} attempts; last error: {last_error}")


def _resume_state(part: Path, state_path: Path, url: str, source: SourceSpec) -> tuple[int, Optional[str]]:
    """Bytes already on disk that may be resumed, and the validator to send in ``If-Range``."""
    if not part.exists():
        return 0, None
    try:
        state = json.loads(state_path.read_text())
    except (OSError, ValueError):
        state = {}
    validator = state.get("validator") if state.get("url") == url else None
    offset = part.stat().st_size
    # Without a validator the server cannot tell us the file changed; resume only if a hash will catch it.
    if offset == 0 or (validator is None and not source.verified):
        return 0, None
    return offset, validator


def _transfer(
    url: str, source: SourceSpec, part: Path, state_path: Path, options: DownloadOptions, bar: Any
) -> dict[str, str]:
    """One HTTP request appending to or restarting ``part``; return the digests of the whole file.

    Raises _Transient (retry), _Permanent (next mirror) or ChecksumError (wrong size; part deleted).
    """
    offset, validator = _resume_state(part, state_path, url, source)
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
        if validator:
            request.add_header("If-Range", validator)
    try:
        response = urllib.request.urlopen(request, timeout=options.timeout)
    except urllib.error.HTTPError as error:
        if error.code == 416 and offset:
            # Our .part is at least as long as the file: it is complete or junk; let the check decide.
            error.close()
            if source.size is not None and offset == source.size:
                return file_digests(part)
            part.unlink()
            raise _Transient(f"HTTP 416 for a resume at byte {offset}; restarting from zero") from error
        error.close()
        if error.code in _PERMANENT_STATUS:
            raise _Permanent(f"HTTP {error.code} {error.reason}") from error
        raise _Transient(f"HTTP {error.code} {error.reason}") from error
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        raise _Transient(str(getattr(error, "reason", error))) from error
    with response:
        status = response.status
        if status == 206 and offset:
            match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
            if not match or int(match.group(1)) != offset:
                part.unlink()
                raise _Transient(f"server answered a resume at byte {offset} with Content-Range "
                                 f"{response.headers.get('Content-Range')!r}; restarting from zero")
            mode = "ab"
        elif status == 200:
            offset, mode = 0, "wb"  # a fresh transfer, or a server that ignored Range: start over
        else:
            raise _Transient(f"unexpected HTTP status {status}")
        length = response.headers.get("Content-Length")
        expected_end = offset + int(length) if length and length.isdigit() else None
        if source.size is not None and expected_end is not None and expected_end != source.size:
            with contextlib.suppress(FileNotFoundError):
                part.unlink()
            raise ChecksumError(f"{url}: size is {expected_end} bytes, expected {source.size}")
        _save_state(state_path, url, response.headers)
        bar.reset(total=source.size or expected_end)
        bar.update(offset)
        received = offset
        digests = _Digests()
        if mode == "ab":
            digests.update_from_file(part)
        with open(part, mode) as handle:
            try:
                while True:
                    block = response.read(options.chunk_size)
                    if not block:
                        break
                    received += len(block)
                    limit = source.size if source.size is not None else expected_end
                    if limit is not None and received > limit:
                        handle.close()
                        part.unlink()
                        raise ChecksumError(f"{url}: server sent more than the expected {limit} bytes")
                    handle.write(block)
                    digests.update(block)
                    bar.update(len(block))
            except (OSError, http.client.HTTPException) as error:
                # socket.timeout is an OSError; keep the bytes received so far for a resume
                raise _Transient(f"transfer interrupted at byte {received}: {error}") from error
        if expected_end is not None and received < expected_end:
            raise _Transient(f"connection closed at byte {received} of {expected_end}")
    return digests.hexdigests()


def _save_state(state_path: Path, url: str, headers: Any) -> None:
    validator = headers.get("ETag")
    if validator and validator.startswith("W/"):
        validator = None  # weak ETags may not be used with If-Range (RFC 9110, 13.1.5)
    validator = validator or headers.get("Last-Modified")
    atomic_write_text(state_path, json.dumps({"url": url, "validator": validator}))

