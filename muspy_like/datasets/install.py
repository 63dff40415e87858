"""Download, verify and extract a catalog dataset into its root folder, exactly once.

Layout of a dataset root
------------------------
``archives/``
    The downloaded archives (``.part`` files while downloading).
``data/``
    The extracted files; it appears only when every archive has been verified and extracted.
``manifest.tsv``
    One line per extracted file: path (relative to ``data/``), size in bytes, SHA-256.
``muspy_like.complete.json``
    The completion marker, written last: dataset name, time, every source with the checks that were
    applied (size, sha256, md5, or ``verified: false`` when the catalog has no checksum), the number and
    total size of the extracted files and the SHA-256 of ``manifest.tsv``.
``.lock``
    The cross-process lock held while installing.

A root without the marker is incomplete, whatever else it holds; installing again resumes the download
and redoes the extraction. :func:`verify_installation` re-hashes the extracted files against the manifest.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any, Optional, Union

from muspy_like.datasets.catalog import DatasetSpec, SourceSpec
from muspy_like.datasets.download import (
    RECORD_SUFFIX,
    DownloadOptions,
    download_file,
    file_digests,
    read_download_record,
)
from muspy_like.datasets.extract import ExtractedFile, ExtractionLimits, extract_archive
from muspy_like.datasets.locking import FileLock
from muspy_like.errors import DatasetError, UnsafeArchiveError
from muspy_like.files import atomic_write_text

__all__ = ["MARKER_NAME", "data_dir", "install", "read_marker", "verify_installation"]

logger = logging.getLogger(__name__)

MARKER_NAME = "muspy_like.complete.json"
MANIFEST_NAME = "manifest.tsv"
_MARKER_VERSION = 1


def data_dir(root: Union[str, Path]) -> Path:
    """The folder holding the extracted files of a dataset root."""
    return Path(root) / "data"


def read_marker(root: Union[str, Path]) -> Optional[dict[str, Any]]:
    """The completion marker of a root, or None if the dataset is not completely installed."""
    path = Path(root) / MARKER_NAME
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise DatasetError(f"{path}: unreadable completion marker ({error}); delete it to reinstall") from error
    return marker if isinstance(marker, dict) else None


def install(
    spec: DatasetSpec,
    root: Union[str, Path],
    *,
    options: DownloadOptions = DownloadOptions(),
    limits: ExtractionLimits = ExtractionLimits(),
    keep_archives: bool = True,
    lock_timeout: Optional[float] = None,
) -> Path:
    """Download, verify and extract ``spec`` into ``root``; return the data folder.

    Does nothing but return the data folder if the completion marker says the same dataset is already
    installed. Two processes installing the same root serialize on ``root/.lock``: the second waits, then
    finds the marker and returns.

    Parameters
    ----------
    spec : DatasetSpec
        A catalog entry with ``download: archive``.
    root : str or Path
        The dataset root (created if missing).
    options : DownloadOptions
        Timeouts, retries, progress.
    limits : ExtractionLimits
        Archive size and member-count bounds.
    keep_archives : bool
        Keep the downloaded archives in ``root/archives`` (lets a later reinstall skip the download).
    lock_timeout : float, optional
        Seconds to wait for another process holding the lock (None: wait until it finishes).

    Raises
    ------
    DownloadError, ChecksumError
        A source could not be downloaded or verified; no marker is written.
    UnsafeArchiveError
        An archive breaks the extraction policy, or is corrupt; nothing is left in ``data/``. A corrupt
        archive that the catalog cannot verify (no checksum) is deleted, so the next call downloads it
        again.

    Every error message opens with the dataset's name and catalog file (:attr:`DatasetSpec.where`).
    """
    if spec.download != "archive":
        raise DatasetError(f"{spec.where}: nothing to download (download: {spec.download})")
    try:
        return _install(spec, Path(root), options, limits, keep_archives, lock_timeout)
    except DatasetError as error:
        try:  # the same type of error, its message opened by the dataset and its catalog file
            named = type(error)(f"{spec.where}: {error}")
        except TypeError:  # an error type with fields of its own says where already
            raise error from None
        raise named from error


def _install(
    spec: DatasetSpec,
    root: Path,
    options: DownloadOptions,
    limits: ExtractionLimits,
    keep_archives: bool,
    lock_timeout: Optional[float],
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(root / ".lock", timeout=lock_timeout):
        marker = read_marker(root)
        if marker is not None:
            if marker.get("dataset") != spec.name:
                raise DatasetError(
                    f"{root} holds the dataset {marker.get('dataset')!r}, not {spec.name!r}; use another root"
                )
            return data_dir(root)
        sources = [_fetch(source, root / "archives", options) for source in spec.sources]
        staging = root / ".data-staging"
        shutil.rmtree(staging, ignore_errors=True)
        extracted: list[ExtractedFile] = []
        try:
            for source in spec.sources:
                extracted += _extract(source, root / "archives", staging, limits)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        target = data_dir(root)
        if target.exists():
            # No marker: whatever is there is an earlier incomplete installation of ours.
            shutil.rmtree(target)
        os.replace(staging, target)
        manifest = "".join(f"{f.path}\t{f.size}\t{f.sha256}\n" for f in sorted(extracted, key=lambda f: f.path))
        atomic_write_text(root / MANIFEST_NAME, manifest)
        marker = {
            "marker_version": _MARKER_VERSION,
            "dataset": spec.name,
            "completed": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "sources": sources,
            "files": len(extracted),
            "total_bytes": sum(f.size for f in extracted),
            "manifest_sha256": file_digests(root / MANIFEST_NAME)["sha256"],
        }
        atomic_write_text(root / MARKER_NAME, json.dumps(marker, indent=2) + "\n")
        if not keep_archives:
            shutil.rmtree(root / "archives", ignore_errors=True)
        return target


def _extract(source: SourceSpec, archives: Path, staging: Path, limits: ExtractionLimits) -> list[ExtractedFile]:
    archive = archives / source.filename
    try:
        return extract_archive(archive, staging, source.archive, limits, expected_bytes=source.extracted_size)
    except UnsafeArchiveError:
        if not source.verified:
            # Nothing vouches for these bytes: never reuse them; the next install downloads again.
            for path in (archive, Path(str(archive) + RECORD_SUFFIX)):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        raise


def _fetch(source: SourceSpec, directory: Path, options: DownloadOptions) -> dict[str, Any]:
    path = download_file(source, directory, options)
    record: dict[str, Any] = {"filename": source.filename, "url": source.url, "size": path.stat().st_size}
    downloaded = read_download_record(path) or {}
    if downloaded.get("url"):
        record["url"] = downloaded["url"]  # the mirror or local file it came from
    if source.verified:
        checked = [kind for kind in ("sha256", "md5") if getattr(source, kind)]
        record.update({kind: getattr(source, kind) for kind in checked}, verified=True, checked=checked)
    else:
        # Nothing to compare against: record the digest so later runs can at least detect a change.
        digests = {kind: downloaded[kind] for kind in ("sha256", "md5") if kind in downloaded} or file_digests(path)
        record.update(digests, verified=False, checked=[])
    record["complete_because"] = downloaded.get("complete_because", [])
    return record


def verify_installation(root: Union[str, Path]) -> list[str]:
    """Re-hash every extracted file against ``manifest.tsv``; return the problems found (empty if none).

    Raises
    ------
    DatasetError
        If the root has no completion marker or the manifest does not match the marker.
    """
    root = Path(root)
    marker = read_marker(root)
    if marker is None:
        raise DatasetError(f"{root}: not a completely installed dataset (no {MARKER_NAME})")
    manifest = root / MANIFEST_NAME
    if file_digests(manifest)["sha256"] != marker.get("manifest_sha256"):
        raise DatasetError(f"{manifest}: does not match the completion marker")
    problems = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        path, size, sha256 = line.split("\t")
        target = data_dir(root) / path
        if not target.is_file():
            problems.append(f"{path}: missing")
        elif target.stat().st_size != int(size) or file_digests(target)["sha256"] != sha256:
            problems.append(f"{path}: changed since installation")
    return problems
