"""Robust HTTP(S) downloads: timeouts, a deadline, retries with backoff, resume, mirrors, verification.

Guarantees of :func:`download_file`
-----------------------------------
* Bytes go to ``<name>.part`` and are renamed to ``<name>`` only once the file is shown complete and
  authentic as far as the catalog allows: its size and every known hash match, and a source with
  neither size nor hash must prove completeness another way (below). A reader never sees a partial or
  unverified file under the final name.
* **Completeness without size or hash.** A transfer that ends when the server closes the connection
  (no ``Content-Length``, no chunked encoding) looks the same whether it finished or was cut. Such a
  source must be an archive, and the archive is read completely (:func:`~muspy_like.datasets.extract.check_archive`:
  every member decompressed with its CRC, the end-of-archive markers present) before it is kept. A
  chunked body cut short is caught by its missing terminating chunk, a body shorter than its
  ``Content-Length`` by the count.
* **Download record.** Beside each verified file, ``<name>.download.json`` records the URL, size, SHA-256,
  MD5 and the evidence of completeness. A later call trusts an existing file only when it matches its
  hashes (catalog sources with a hash) or this record (sources without); otherwise the file is checked
  again, and a file that fails is deleted and downloaded anew.
* **No hang.** Every connection and every read has a timeout (``timeout``, seconds), and the whole
  download of one file, retries and mirrors included, has a deadline (``deadline``, seconds; by default
  10 minutes plus the time to receive the file at 50 kB/s), so a server that trickles one byte before
  each timeout cannot keep a download alive. The deadline is checked after each block, so it may be
  passed by at most one ``timeout``.
* Transient failures (connection errors, timeouts, truncated bodies, HTTP 408/429/5xx) are retried with
  exponential backoff; permanent ones (e.g. HTTP 404, an HTML page instead of the file) move on to the
  next mirror at once.
* An interrupted transfer resumes from the end of the ``.part`` file with an HTTP ``Range`` request,
  guarded by ``If-Range`` (the ETag or Last-Modified date of the first response) so a file that changed on
  the server restarts from zero instead of being spliced. A server that ignores ``Range`` (answers 200)
  restarts the transfer from zero: the ``.part`` file is truncated, never appended to.
* Google Drive's large-file confirmation page (and any page of the same kind: an HTML page with a form
  or link carrying ``confirm``) is followed to the file, with its cookies
  (:mod:`~muspy_like.datasets.confirmation`).
* A URL may also be a local path or a ``file://`` URL (a copy made by hand, a mirror on a shared disk):
  it is copied and checked exactly like a download.
* The hash is computed while streaming (the resumed prefix is hashed from disk first); a mismatch
  deletes the bad file and raises :class:`~muspy_like.errors.ChecksumError` once no mirror is left.
* A per-file lock (``<name>.lock``) stops two processes from writing the same ``.part`` file.
* When every URL has failed, :class:`~muspy_like.errors.DownloadError` names each URL and its last error.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import http.client
import http.cookiejar
import json
import logging
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

from muspy_like.datasets.catalog import SourceSpec
from muspy_like.datasets.confirmation import confirmation_url
from muspy_like.datasets.locking import FileLock
from muspy_like.errors import ChecksumError, DownloadError, UnsafeArchiveError
from muspy_like.files import atomic_write_text

__all__ = ["DownloadOptions", "download_file", "file_digests", "read_download_record", "verify_file"]

logger = logging.getLogger(__name__)

_USER_AGENT = "muspy_like-downloader/0.1 (+https://pypi.org/project/muspy_like/)"
_PERMANENT_STATUS = {400, 401, 403, 404, 405, 410, 451}
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
#: The automatic deadline: this many seconds, plus the time to receive the file at the slowest speed.
_DEADLINE_BASE = 600.0
_SLOWEST_SPEED = 50_000.0  # bytes per second
_UNKNOWN_SIZE = 10**9  # bytes assumed when neither the catalog nor the server gives a size
_PAGE_LIMIT = 1 << 20  # bytes of an HTML page read to look for a confirmation form
RECORD_SUFFIX = ".download.json"


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
    deadline : float, optional
        Seconds for the whole download of one file: every attempt, backoff and mirror. None (the
        default) allows 600 s plus the file's size at 50 kB/s (1 GB assumed when the size is unknown).
    """

    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0
    max_backoff: float = 60.0
    chunk_size: int = 1 << 16
    progress: bool = True
    deadline: Optional[float] = None

    def deadline_for(self, size: Optional[int]) -> float:
        """The deadline in seconds for a file of ``size`` bytes (None: unknown)."""
        if self.deadline is not None:
            return self.deadline
        return _DEADLINE_BASE + (size if size is not None else _UNKNOWN_SIZE) / _SLOWEST_SPEED


class _Transient(Exception):
    """A failure worth retrying on the same URL."""


class _Permanent(Exception):
    """A failure that retrying this URL will not fix (move to the next mirror)."""


class _DeadlinePassed(Exception):
    """The deadline of the whole download has passed: no further attempt or mirror."""


class _Clock:
    """The deadline of one download."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def check(self, doing: str) -> None:
        if self.remaining() <= 0:
            raise _DeadlinePassed(f"the deadline of {self.seconds:g} s passed while {doing}")


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


def read_download_record(path: Union[str, Path]) -> Optional[dict[str, Any]]:
    """The download record of a downloaded file (``<path>.download.json``), or None if it has none."""
    record = Path(str(path) + RECORD_SUFFIX)
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_record(final: Path, url: Optional[str], digests: dict[str, str], evidence: list[str]) -> None:
    record = {
        "url": url,
        "size": final.stat().st_size,
        **digests,
        "complete_because": evidence,
        "completed": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    atomic_write_text(Path(str(final) + RECORD_SUFFIX), json.dumps(record, indent=2) + "\n")


def download_file(
    source: SourceSpec, directory: Union[str, Path], options: DownloadOptions = DownloadOptions()
) -> Path:
    """Download one source into ``directory`` and verify it; return the final path.

    A file already present under the final name is kept only if it matches the catalog's size and
    hashes or, for a source with neither, its download record (see the module notes); otherwise it is
    checked again, and deleted and downloaded anew if it fails.

    Parameters
    ----------
    source : SourceSpec
        URLs (tried in order: the primary, then the mirrors), expected size (bytes) and hashes.
    directory : str or Path
        Destination folder (created if missing).
    options : DownloadOptions
        Timeouts, deadline, retries, backoff, progress.

    Returns
    -------
    Path
        ``directory / source.filename``, complete and verified.

    Raises
    ------
    ChecksumError
        The bytes served by every URL had the wrong size or hash (bad files are deleted).
    DownloadError
        Every URL failed after its retries, or the deadline passed (the message names each URL and its
        last error).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / source.filename
    with FileLock(directory / f"{source.filename}.lock"):
        if final.exists():
            problem = _check_existing(final, source)
            if problem is None:
                return final
            logger.warning("%s: existing file is bad (%s); downloading it again", final, problem)
            final.unlink()
        clock = _Clock(options.deadline_for(source.size))
        errors: list[str] = []
        checksum_failures: list[str] = []
        for url in source.urls:
            try:
                _download_from(url, source, final, options, clock)
                return final
            except ChecksumError as error:
                checksum_failures.append(str(error))
                errors.append(f"{url}: {error}")
            except _Permanent as error:
                errors.append(f"{url}: {error}")
            except DownloadError as error:
                errors.append(str(error))
            except _DeadlinePassed as error:
                errors.append(f"{url}: {error}")
                detail = "\n  ".join(errors)
                raise DownloadError(
                    f"{source.filename}: gave up after {clock.seconds:g} s (the deadline: DownloadOptions.deadline, "
                    f"--deadline on the command line); the bytes received are kept and the next run resumes:\n  {detail}"
                ) from None
        detail = "\n  ".join(errors)
        if checksum_failures and len(checksum_failures) == len(errors):
            raise ChecksumError(f"{source.filename}: no URL served the expected bytes:\n  {detail}")
        raise DownloadError(f"{source.filename}: download failed from every URL:\n  {detail}")


def _check_existing(final: Path, source: SourceSpec) -> Optional[str]:
    """None if the file under the final name may be trusted, else what is wrong with it."""
    if source.size is not None or source.verified:
        problem = verify_file(final, source)
        if problem is None and read_download_record(final) is None:
            _write_record(final, None, file_digests(final), ["size or hash of the catalog"])
        return problem
    record = read_download_record(final)
    digests = file_digests(final)
    if record is not None and record.get("size") == final.stat().st_size and record.get("sha256") == digests["sha256"]:
        return None
    # No record of a complete transfer (an older version, or an interrupted rename): prove it now.
    problem = _incomplete_archive(final, source)
    if problem is None:
        _write_record(final, None, digests, ["archive read completely"])
    return problem


def _incomplete_archive(path: Path, source: SourceSpec) -> Optional[str]:
    from muspy_like.datasets.extract import check_archive

    try:
        check_archive(path, source.archive, expected_bytes=source.extracted_size)
    except UnsafeArchiveError as error:
        return str(error)
    return None


def _is_local(url: str) -> bool:
    scheme = urllib.parse.urlsplit(url).scheme
    return scheme in ("", "file") or len(scheme) == 1  # a drive letter: C:\\data\\x.zip


def _local_path(url: str) -> Path:
    if url.startswith("file:"):
        return Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path))
    return Path(url).expanduser()


def _download_from(url: str, source: SourceSpec, final: Path, options: DownloadOptions, clock: _Clock) -> None:
    """Try one URL with retries; leave a verified file at ``final`` or raise."""
    from tqdm.auto import tqdm

    part = final.with_name(final.name + ".part")
    state_path = final.with_name(final.name + ".part.json")
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
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
                time.sleep(max(0.0, min(delay, clock.remaining())))
                delay = min(delay * 2, options.max_backoff)
            clock.check(f"retrying {url}" if attempt else f"starting {url}")
            try:
                if _is_local(url):
                    digests, evidence = _copy_local(_local_path(url), source, part, options, bar, clock)
                else:
                    digests, evidence = _transfer(url, source, part, state_path, options, bar, opener, clock)
                _finish(url, source, part, final, digests, evidence)
            except _Transient as error:
                last_error = error.__cause__ or error
                if not part.exists():
                    with contextlib.suppress(FileNotFoundError):
                        state_path.unlink()  # nothing left to resume
                continue
            except (ChecksumError, _Permanent):
                with contextlib.suppress(FileNotFoundError):
                    state_path.unlink()  # nothing left to resume
                raise
            with contextlib.suppress(FileNotFoundError):
                state_path.unlink()
            return
    finally:
        bar.close()
    raise DownloadError(f"{url}: failed after {options.retries + 1} attempts; last error: {last_error}")


def _finish(url: str, source: SourceSpec, part: Path, final: Path, digests: dict[str, str], evidence: list[str]) -> None:
    """Verify the received file and rename it to its final name (raise if it is bad or unproven)."""
    size = part.stat().st_size
    problem = (
        f"size is {size} bytes, expected {source.size}"
        if source.size is not None and size != source.size
        else _digest_mismatch(digests, source)
    )
    if problem is not None:
        part.unlink()
        raise ChecksumError(f"{url}: {problem}; the bad file was deleted")
    if source.size is not None:
        evidence = evidence + ["size"]
    evidence = evidence + [kind for kind in ("sha256", "md5") if getattr(source, kind)]
    if source.size is None and not source.verified:
        if source.archive != "none":
            problem = _incomplete_archive(part, source)
            if problem is not None:
                part.unlink()  # nothing can tell which of its bytes are good: start again
                raise _Transient(f"the received archive is incomplete or corrupt ({problem})")
            evidence.append("archive read completely")
        elif not evidence:
            part.unlink()
            raise _Permanent(
                "the server gave no length and the catalog has no size or checksum for this plain file: a cut "
                "transfer cannot be told from a complete one"
            )
        logger.warning("%s: no checksum in the catalog; the download is unverified", final.name)
    os.replace(part, final)
    _write_record(final, url, digests, evidence)


def _copy_local(
    path: Path, source: SourceSpec, part: Path, options: DownloadOptions, bar: Any, clock: _Clock
) -> tuple[dict[str, str], list[str]]:
    """Copy a local file into ``part`` while hashing it (a local mirror, or a file the user points to)."""
    if not path.is_file():
        raise _Permanent(f"no such file: {path}")
    digests = _Digests()
    bar.reset(total=path.stat().st_size)
    with open(path, "rb") as source_file, open(part, "wb") as handle:
        for block in iter(lambda: source_file.read(options.chunk_size), b""):
            handle.write(block)
            digests.update(block)
            bar.update(len(block))
            clock.check(f"copying {path}")
    return digests.hexdigests(), ["local file"]


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


def _open(
    opener: urllib.request.OpenerDirector,
    url: str,
    offset: int,
    validator: Optional[str],
    options: DownloadOptions,
    clock: _Clock,
) -> Any:
    """One GET request (resuming at ``offset``); HTTP errors become _Transient or _Permanent."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
        if validator:
            request.add_header("If-Range", validator)
    try:
        return opener.open(request, timeout=max(0.01, min(options.timeout, clock.remaining())))
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 416 and offset:
            raise  # the caller decides: a complete .part file, or junk
        if error.code in _PERMANENT_STATUS:
            raise _Permanent(f"HTTP {error.code} {error.reason}") from error
        raise _Transient(f"HTTP {error.code} {error.reason}") from error
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        raise _Transient(str(getattr(error, "reason", error))) from error


def _past_interstitial(
    response: Any, url: str, source: SourceSpec, opener: urllib.request.OpenerDirector,
    offset: int, validator: Optional[str], options: DownloadOptions, clock: _Clock,
) -> Any:
    """The response that carries the file: follow a confirmation page (Google Drive's) once if needed."""
    if source.filename.lower().endswith((".html", ".htm")):
        return response
    for hop in range(2):
        if response.headers.get_content_type() != "text/html":
            return response
        with response:
            page = response.read(_PAGE_LIMIT).decode("utf-8", errors="replace")
            page_url = response.geturl()
        target = confirmation_url(page, page_url) if hop == 0 else None
        if target is None:
            title = re.search(r"<title[^>]*>(.*?)</title>", page, re.IGNORECASE | re.DOTALL)
            shown = " ".join(title.group(1).split())[:80] if title else "no title"
            raise _Permanent(f"served an HTML page ({shown!r}) instead of the file: a login, error or unknown confirmation page")
        logger.info("%s: following the download confirmation page to %s", url, target)
        response = _open(opener, target, offset, validator, options, clock)
    return response


def _transfer(
    url: str, source: SourceSpec, part: Path, state_path: Path, options: DownloadOptions, bar: Any,
    opener: urllib.request.OpenerDirector, clock: _Clock,
) -> tuple[dict[str, str], list[str]]:
    """One HTTP request appending to or restarting ``part``; return the digests of the whole file and
    the evidence that the transfer is complete (empty when the server only closed the connection).

    Raises _Transient (retry), _Permanent (next mirror), _DeadlinePassed or ChecksumError (wrong size;
    part deleted).
    """
    offset, validator = _resume_state(part, state_path, url, source)
    try:
        response = _open(opener, url, offset, validator, options, clock)
    except urllib.error.HTTPError as error:  # 416 on a resume: our .part is at least as long as the file
        if source.size is not None and offset == source.size:
            return file_digests(part), ["size"]
        part.unlink()
        raise _Transient(f"HTTP 416 for a resume at byte {offset}; restarting from zero") from error
    response = _past_interstitial(response, url, source, opener, offset, validator, options, clock)
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
        digests = _Digests()
        if mode == "ab":
            digests.update_from_file(part)
        received = _receive(response, part, mode, offset, source.size or expected_end, url, options, bar, clock, digests)
        if expected_end is not None and received < expected_end:
            raise _Transient(f"connection closed at byte {received} of {expected_end}")
        if expected_end is not None:
            evidence = ["content-length"]
        elif getattr(response, "chunked", False):
            evidence = ["chunked encoding ended"]  # http.client raises IncompleteRead on a cut chunked body
        else:
            evidence = []  # the connection closed: complete or cut, nothing here can tell
    return digests.hexdigests(), evidence


def _receive(
    response: Any, part: Path, mode: str, offset: int, limit: Optional[int], url: str,
    options: DownloadOptions, bar: Any, clock: _Clock, digests: _Digests,
) -> int:
    """Append the body to ``part``, hashing it on the way; return the total bytes on disk."""
    received = offset
    with open(part, mode) as handle:
        try:
            while True:
                # read1: at most one system call, so a server trickling bytes cannot hold one call open
                # past the deadline (read() waits until the whole block has arrived).
                block = response.read1(options.chunk_size)
                if not block:
                    break
                received += len(block)
                if limit is not None and received > limit:
                    handle.close()
                    part.unlink()
                    raise ChecksumError(f"{url}: server sent more than the expected {limit} bytes")
                handle.write(block)
                digests.update(block)
                bar.update(len(block))
                clock.check(f"receiving {url} (byte {received:,})")
        except (OSError, http.client.HTTPException) as error:
            # socket.timeout is an OSError; keep the bytes received so far for a resume
            raise _Transient(f"transfer interrupted at byte {received}: {error!r}") from error
    return received


def _save_state(state_path: Path, url: str, headers: Any) -> None:
    validator = headers.get("ETag")
    if validator and validator.startswith("W/"):
        validator = None  # weak ETags may not be used with If-Range (RFC 9110, 13.1.5)
    validator = validator or headers.get("Last-Modified")
    atomic_write_text(state_path, json.dumps({"url": url, "validator": validator}))
