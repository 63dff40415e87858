"""download_file against a real HTTP server on 127.0.0.1 that truncates, stalls, fails and ignores Range."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import time
from pathlib import Path

import pytest

from muspy_like.datasets.download import DownloadOptions, download_file, file_digests
from muspy_like.errors import ChecksumError, DownloadError

from dataset_testing import payload, source_for, wrong_digest

FAST = DownloadOptions(timeout=2.0, retries=2, backoff=0.01, progress=False, chunk_size=4096)
DATA = payload(100_000)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


def test_download_verifies_and_renames(server, tmp_path):
    server.add("/a.bin", data=DATA)
    path = download_file(source_for(DATA, server.url("/a.bin")), tmp_path, FAST)
    assert path == tmp_path / "data.bin"
    assert path.read_bytes() == DATA
    assert leftovers(tmp_path) == ["data.bin"]  # no .part, no resume state


def test_interrupted_transfer_resumes_with_range(server, tmp_path):
    route = server.add("/a.bin", data=DATA, truncate_first=1, truncate_at=30_000)
    path = download_file(source_for(DATA, server.url("/a.bin")), tmp_path, FAST)
    assert path.read_bytes() == DATA
    assert len(route.requests) == 2
    assert "Range" not in route.requests[0]
    assert route.requests[1]["Range"] == "bytes=30000-"
    assert route.requests[1]["If-Range"] == '"v1"'


def test_resume_across_calls_after_giving_up(server, tmp_path):
    route = server.add("/a.bin", data=DATA, truncate_first=1, truncate_at=40_000)
    source = source_for(DATA, server.url("/a.bin"))
    with pytest.raises(DownloadError, match="/a.bin"):
        download_file(source, tmp_path, dataclasses.replace(FAST, retries=0))
    assert (tmp_path / "data.bin.part").stat().st_size == 40_000
    assert not (tmp_path / "data.bin").exists()
    download_file(source, tmp_path, FAST)
    assert (tmp_path / "data.bin").read_bytes() == DATA
    assert route.requests[1]["Range"] == "bytes=40000-"


def test_server_ignoring_range_restarts_instead_of_appending(server, tmp_path):
    route = server.add("/a.bin", data=DATA, mode="ignore_range", truncate_first=1, truncate_at=25_000)
    path = download_file(source_for(DATA, server.url("/a.bin")), tmp_path, FAST)
    assert route.requests[1]["Range"] == "bytes=25000-"  # we asked to resume, the server sent everything
    assert path.read_bytes() == DATA


def test_changed_file_on_server_restarts_from_zero(server, tmp_path):
    old = payload(100_000, seed=1)
    route = server.add("/a.bin", data=old, truncate_first=1, truncate_at=50_000)
    source = source_for(DATA, server.url("/a.bin"))
    with pytest.raises(DownloadError):
        download_file(source, tmp_path, dataclasses.replace(FAST, retries=0))
    route.data, route.etag = DATA, '"v2"'  # the file changed: If-Range no longer matches
    path = download_file(source, tmp_path, FAST)
    assert route.requests[-1]["If-Range"] == '"v1"'
    assert path.read_bytes() == DATA


def test_wrong_checksum_removes_the_file(server, tmp_path):
    server.add("/a.bin", data=DATA)
    source = source_for(DATA, server.url("/a.bin"), sha256=wrong_digest())
    with pytest.raises(ChecksumError, match="sha256"):
        download_file(source, tmp_path, FAST)
    assert leftovers(tmp_path) == []


def test_wrong_md5_alone_is_caught(server, tmp_path):
    server.add("/a.bin", data=DATA)
    source = source_for(DATA, server.url("/a.bin"), sha256=None, md5=wrong_digest("md5"))
    with pytest.raises(ChecksumError, match="md5"):
        download_file(source, tmp_path, FAST)
    assert leftovers(tmp_path) == []


def test_wrong_size_announced_is_refused_before_download(server, tmp_path):
    route = server.add("/a.bin", data=DATA + b"extra")
    with pytest.raises(ChecksumError, match="size"):
        download_file(source_for(DATA, server.url("/a.bin")), tmp_path, FAST)
    assert len(route.requests) == 1
    assert leftovers(tmp_path) == []


def test_404_falls_back_to_mirror_without_retrying(server, tmp_path):
    missing = server.add("/gone.bin", mode="status", status=404)
    server.add("/mirror.bin", data=DATA)
    source = source_for(DATA, server.url("/gone.bin"), mirrors=[server.url("/mirror.bin")])
    assert download_file(source, tmp_path, FAST).read_bytes() == DATA
    assert len(missing.requests) == 1


def test_bad_primary_checksum_falls_back_to_mirror(server, tmp_path):
    server.add("/bad.bin", data=payload(100_000, seed=7))
    server.add("/good.bin", data=DATA)
    source = source_for(DATA, server.url("/bad.bin"), mirrors=[server.url("/good.bin")])
    assert download_file(source, tmp_path, FAST).read_bytes() == DATA


def test_transient_errors_are_retried(server, tmp_path):
    route = server.add("/a.bin", data=DATA, fail_first=2)
    assert download_file(source_for(DATA, server.url("/a.bin")), tmp_path, FAST).read_bytes() == DATA
    assert len(route.requests) == 3


def test_every_url_failing_names_each_url(server, tmp_path):
    server.add("/a.bin", mode="status", status=500)
    server.add("/b.bin", mode="status", status=404)
    source = source_for(DATA, server.url("/a.bin"), mirrors=[server.url("/b.bin")])
    with pytest.raises(DownloadError) as info:
        download_file(source, tmp_path, FAST)
    assert not isinstance(info.value, ChecksumError)
    assert "/a.bin" in str(info.value) and "/b.bin" in str(info.value) and "404" in str(info.value)


def test_stalled_server_times_out_then_retry_succeeds(server, tmp_path):
    route = server.add("/a.bin", data=DATA, stall_first=1, stall_seconds=4.0)
    options = dataclasses.replace(FAST, timeout=0.3)
    start = time.monotonic()
    assert download_file(source_for(DATA, server.url("/a.bin")), tmp_path, options).read_bytes() == DATA
    assert len(route.requests) == 2
    assert time.monotonic() - start < 3.0  # gave up on the stalled response instead of waiting 4 s for it


def test_always_stalled_server_raises_download_error(server, tmp_path):
    server.add("/a.bin", data=DATA, stall_first=99, stall_seconds=5.0)
    options = dataclasses.replace(FAST, timeout=0.2, retries=1)
    start = time.monotonic()
    with pytest.raises(DownloadError, match="/a.bin"):
        download_file(source_for(DATA, server.url("/a.bin")), tmp_path, options)
    assert time.monotonic() - start < 3.0  # two attempts of 0.2 s, not 5 s each


def test_existing_bad_file_is_replaced_and_good_file_kept(server, tmp_path):
    route = server.add("/a.bin", data=DATA)
    source = source_for(DATA, server.url("/a.bin"))
    (tmp_path / "data.bin").write_bytes(b"junk from an older, broken run")
    assert download_file(source, tmp_path, FAST).read_bytes() == DATA
    assert len(route.requests) == 1
    download_file(source, tmp_path, FAST)  # verified copy present: no new request
    assert len(route.requests) == 1


def test_unverified_source_downloads_with_size_only(server, tmp_path):
    server.add("/a.bin", data=DATA)
    source = source_for(DATA, server.url("/a.bin"), sha256=None, md5=None, size=None)
    path = download_file(source, tmp_path, FAST)
    assert file_digests(path)["sha256"] == source_for(DATA, "x").sha256


def test_progress_bar_counts_bytes_once_after_resume(server, tmp_path, capsys):
    server.add("/a.bin", data=DATA, truncate_first=1, truncate_at=30_000)
    download_file(source_for(DATA, server.url("/a.bin")), tmp_path, dataclasses.replace(FAST, progress=True))
    err = capsys.readouterr().err
    final = err.replace("\r", "\n").strip().splitlines()[-1]
    assert "97.7k/97.7k" in final  # 100,000 bytes in KiB: exactly the file size, not size + resumed part


def _download_in_process(url: str, folder: str, queue) -> None:
    try:
        path = download_file(source_for(DATA, url), folder, dataclasses.replace(FAST, chunk_size=1024))
        queue.put(path.read_bytes() == DATA)
    except Exception as error:  # reported to the parent, which asserts on it
        queue.put(repr(error))


def test_two_processes_downloading_the_same_file(server, tmp_path):
    route = server.add("/a.bin", data=DATA, stall_first=1, stall_seconds=0.5)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    arguments = (server.url("/a.bin"), str(tmp_path), queue)
    workers = [context.Process(target=_download_in_process, args=arguments) for _ in range(2)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert results == [True, True]
    assert len(route.requests) == 1  # the second process waited for the lock, then found a verified file
    assert (tmp_path / "data.bin").read_bytes() == DATA


def test_complete_part_file_is_finished_after_416(server, tmp_path):
    # A run killed between the last byte and the rename leaves a complete .part file.
    route = server.add("/a.bin", data=DATA)
    (tmp_path / "data.bin.part").write_bytes(DATA)
    (tmp_path / "data.bin.part.json").write_text(json.dumps({"url": server.url("/a.bin"), "validator": '"v1"'}))
    path = download_file(source_for(DATA, server.url("/a.bin")), tmp_path, FAST)
    assert path.read_bytes() == DATA
    assert [r.get("Range") for r in route.requests] == ["bytes=100000-"]
    assert leftovers(tmp_path) == ["data.bin"]


def test_part_without_validator_resumes_only_when_a_hash_will_check_it(server, tmp_path):
    route = server.add("/a.bin", data=DATA)
    (tmp_path / "data.bin.part").write_bytes(DATA[:1000])
    download_file(source_for(DATA, server.url("/a.bin")), tmp_path, FAST)
    assert route.requests[0]["Range"] == "bytes=1000-" and "If-Range" not in route.requests[0]
    (tmp_path / "data.bin").unlink()
    (tmp_path / "data.bin.part").write_bytes(b"x" * 1000)  # junk from an unknown source
    unverified = source_for(DATA, server.url("/a.bin"), sha256=None, md5=None)
    assert download_file(unverified, tmp_path, FAST).read_bytes() == DATA
    assert "Range" not in route.requests[1]
