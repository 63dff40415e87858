"""download_file against a real HTTP server on 127.0.0.1 that truncates, stalls, fails and ignores Range."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import time
import urllib.parse
from pathlib import Path

import pytest

from muspy_like.datasets.download import DownloadOptions, download_file, file_digests, read_download_record
from muspy_like.datasets.catalog import SourceSpec
from muspy_like.errors import ChecksumError, DownloadError

from dataset_testing import payload, source_for, wrong_digest, zip_bytes

FAST = DownloadOptions(timeout=2.0, retries=2, backoff=0.01, progress=False, chunk_size=4096)
DATA = payload(100_000)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


def test_download_verifies_and_renames(server, tmp_path):
    server.add("/a.bin", data=DATA)
    path = download_file(source_for(DATA, server.url("/a.bin")), tmp_path, FAST)
    assert path == tmp_path / "data.bin"
    assert path.read_bytes() == DATA
    assert leftovers(tmp_path) == ["data.bin", "data.bin.download.json"]  # no .part, no resume state
    record = read_download_record(path)
    assert record["url"] == server.url("/a.bin") and record["size"] == len(DATA)
    assert record["sha256"] == hashlib.sha256(DATA).hexdigest()
    assert record["complete_because"] == ["content-length", "size", "sha256", "md5"]


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
    assert leftovers(tmp_path) == ["data.bin", "data.bin.download.json"]


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


# -- completeness without size or hash (the catalog's POP909 case) ------------------------------------
ARCHIVE = zip_bytes({f"set/{i}.bin": payload(20_000, seed=i) for i in range(5)})


def bare_source(url: str, archive: str = "zip", name: str = "set.zip") -> SourceSpec:
    """A source with neither size nor hash, as GitHub's on-demand archives are catalogued."""
    return SourceSpec(url=url, filename=name, archive=archive)


def test_archive_cut_without_length_is_never_kept(server, tmp_path):
    route = server.add("/set.zip", data=ARCHIVE, framing="close", truncate_first=99, truncate_at=len(ARCHIVE) // 2)
    source = bare_source(server.url("/set.zip"))
    with pytest.raises(DownloadError, match="incomplete or corrupt"):
        download_file(source, tmp_path, dataclasses.replace(FAST, retries=1))
    assert len(route.requests) == 2  # retried: a cut archive is a transient failure
    assert leftovers(tmp_path) == []  # nothing under the final name, no .part to splice onto
    route.truncate_first = 0  # the server is healthy again: the next call downloads it whole
    path = download_file(source, tmp_path, FAST)
    assert path.read_bytes() == ARCHIVE
    assert read_download_record(path)["complete_because"] == ["archive read completely"]
    download_file(source, tmp_path, FAST)  # its record vouches for it: no new request
    assert len(route.requests) == 3


def test_server_lying_about_length_is_caught_by_the_archive_check(server, tmp_path):
    # The body is cut, but Content-Length announces the cut size: only opening the archive tells.
    server.add("/set.zip", data=ARCHIVE[: len(ARCHIVE) - 100])
    with pytest.raises(DownloadError, match="incomplete or corrupt"):
        download_file(bare_source(server.url("/set.zip")), tmp_path, dataclasses.replace(FAST, retries=0))
    assert leftovers(tmp_path) == []


def test_unproven_file_under_the_final_name_is_checked_again(server, tmp_path):
    route = server.add("/set.zip", data=ARCHIVE)
    source = bare_source(server.url("/set.zip"))
    (tmp_path / "set.zip").write_bytes(ARCHIVE[:30_000])  # left by an older version, without a record
    assert download_file(source, tmp_path, FAST).read_bytes() == ARCHIVE
    assert len(route.requests) == 1
    (tmp_path / "set.zip").write_bytes(ARCHIVE[:-10] + b"0123456789")  # changed since its record
    assert download_file(source, tmp_path, FAST).read_bytes() == ARCHIVE
    assert len(route.requests) == 2
    (tmp_path / "set.zip.download.json").unlink()  # a complete file without record is proven, then kept
    assert download_file(source, tmp_path, FAST).read_bytes() == ARCHIVE
    assert len(route.requests) == 2 and read_download_record(tmp_path / "set.zip") is not None


def test_cut_chunked_body_is_detected_and_resumed(server, tmp_path):
    route = server.add("/a.bin", data=DATA, framing="chunked", truncate_first=1, truncate_at=40_000)
    path = download_file(source_for(DATA, server.url("/a.bin"), size=None), tmp_path, FAST)
    assert path.read_bytes() == DATA
    first, second = route.requests
    assert "Range" not in first
    assert 0 < int(second["Range"][len("bytes="):-1]) <= 40_000  # the cut was noticed; what arrived was kept


def test_plain_file_proven_by_chunked_encoding_or_refused_without_any_evidence(server, tmp_path):
    server.add("/chunked.bin", data=DATA, framing="chunked")
    path = download_file(bare_source(server.url("/chunked.bin"), "none", "a.bin"), tmp_path, FAST)
    assert path.read_bytes() == DATA
    assert read_download_record(path)["complete_because"] == ["chunked encoding ended"]
    server.add("/close.bin", data=DATA, framing="close")
    with pytest.raises(DownloadError, match="cut transfer cannot be told from a complete one"):
        download_file(bare_source(server.url("/close.bin"), "none", "b.bin"), tmp_path, FAST)
    assert not (tmp_path / "b.bin").exists() and not (tmp_path / "b.bin.part").exists()


# -- the deadline --------------------------------------------------------------------------------------
def test_trickling_server_cannot_outlive_the_deadline(server, tmp_path):
    # The case of the issue: one byte every 0.9 s never trips a 1 s read timeout.
    server.add("/a.bin", data=DATA, trickle_seconds=0.9)
    options = dataclasses.replace(FAST, timeout=1.0, deadline=2.0)
    start = time.monotonic()
    with pytest.raises(DownloadError) as error:
        download_file(source_for(DATA, server.url("/a.bin")), tmp_path, options)
    assert time.monotonic() - start < 2.0 + 1.0 + 0.5  # the deadline, passed by at most one read timeout
    message = str(error.value)
    assert "gave up after 2 s" in message and "DownloadOptions.deadline" in message and "--deadline" in message
    assert 1 <= (tmp_path / "data.bin.part").stat().st_size < 10  # kept for a later resume


def test_deadline_covers_retries_and_mirrors(server, tmp_path):
    first = server.add("/a.bin", data=DATA, stall_first=99, stall_seconds=5.0)
    second = server.add("/b.bin", data=DATA)
    options = dataclasses.replace(FAST, timeout=0.4, retries=5, backoff=0.3, deadline=1.0)
    start = time.monotonic()
    with pytest.raises(DownloadError, match="deadline"):
        download_file(source_for(DATA, server.url("/a.bin"), mirrors=[server.url("/b.bin")]), tmp_path, options)
    assert time.monotonic() - start < 2.0
    assert 1 <= len(first.requests) < 6 and second.requests == []


def test_automatic_deadline_grows_with_the_size():
    options = DownloadOptions()
    assert options.deadline_for(0) == 600
    assert options.deadline_for(50_000_000) == 600 + 1000  # 50 MB at 50 kB/s
    assert options.deadline_for(None) == 600 + 20_000  # 1 GB assumed
    assert DownloadOptions(deadline=5).deadline_for(10**12) == 5


# -- Google Drive's confirmation page, HTML instead of the file ----------------------------------------
DRIVE_FORM = """<!DOCTYPE html><html><head><title>Google Drive - Virus scan warning</title></head><body>
<p>Google Drive can't scan this file for viruses.</p>
<form id="download-form" action="{action}" method="get">
<input type="submit" id="uc-download-link" value="Download anyway"/>
<input type="hidden" name="id" value="FILEID"><input type="hidden" name="export" value="download">
<input type="hidden" name="confirm" value="t"><input type="hidden" name="uuid" value="1234-abcd"></form>
</body></html>"""


def test_drive_confirmation_form_is_followed(server, tmp_path):
    page = server.add("/uc", mode="confirm", page=DRIVE_FORM.format(action=server.url("/download")))
    files = server.add("/download", data=DATA, mode="confirm", page="<html>wrong token</html>")
    path = download_file(source_for(DATA, server.url("/uc?export=download&id=FILEID")), tmp_path, FAST)
    assert path.read_bytes() == DATA
    assert len(page.requests) == 1 and len(files.requests) == 1
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(files.requests[0]["path"]).query)
    assert query == {"id": ["FILEID"], "export": ["download"], "confirm": ["t"], "uuid": ["1234-abcd"]}


def test_drive_confirmation_link_with_cookie_is_followed(server, tmp_path):
    # Older pages: a link with confirm=TOKEN, honoured only with the download_warning cookie set by the page.
    link = '<html><a id="uc-download-link" href="/uc?export=download&amp;confirm=AbC9&amp;id=FILEID">Download anyway</a></html>'
    route = server.add("/uc", data=DATA, mode="confirm", confirm_token="AbC9", require_cookie=True, page=link)
    path = download_file(source_for(DATA, server.url("/uc?export=download&id=FILEID")), tmp_path, FAST)
    assert path.read_bytes() == DATA
    assert len(route.requests) == 2 and "download_warning=AbC9" in route.requests[1]["Cookie"]


def test_html_instead_of_the_file_moves_to_the_mirror(server, tmp_path):
    login = server.add("/a.bin", data=b"<html><head><title>Sign in</title></head><body>log in</body></html>",
                       content_type="text/html")
    server.add("/b.bin", data=DATA)
    source = source_for(DATA, server.url("/a.bin"), mirrors=[server.url("/b.bin")])
    assert download_file(source, tmp_path, FAST).read_bytes() == DATA
    assert len(login.requests) == 1  # permanent: not retried
    (tmp_path / "data.bin").unlink()
    with pytest.raises(DownloadError, match="served an HTML page \\('Sign in'\\) instead of the file"):
        download_file(source_for(DATA, server.url("/a.bin")), tmp_path, FAST)


# -- local files and file:// URLs ----------------------------------------------------------------------
def test_local_paths_and_file_urls_are_copied_and_verified(tmp_path):
    stash = tmp_path / "stash"
    stash.mkdir()
    (stash / "copy.bin").write_bytes(DATA)
    for index, url in enumerate([str(stash / "copy.bin"), (stash / "copy.bin").as_uri()]):
        target = tmp_path / f"out{index}"
        path = download_file(source_for(DATA, url), target, FAST)
        assert path.read_bytes() == DATA and read_download_record(path)["url"] == url
    (stash / "other.bin").write_bytes(payload(100_000, seed=3))
    with pytest.raises(ChecksumError, match="sha256|md5"):
        download_file(source_for(DATA, str(stash / "other.bin")), tmp_path / "out2", FAST)
    with pytest.raises(DownloadError, match="no such file"):
        download_file(source_for(DATA, str(stash / "missing.bin")), tmp_path / "out3", FAST)
