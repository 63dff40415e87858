"""Safe extraction: real archives of the shared test files round-trip; malicious ones write nothing."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from muspy_like import limits
from muspy_like.datasets.extract import ExtractionLimits, check_archive, extract_archive, safe_member_path
from muspy_like.errors import ArchiveSizeError, SizeLimitError, UnsafeArchiveError


def snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture
def sandbox(tmp_path):
    """``tmp_path/outside`` (must stay untouched), ``tmp_path/work/dest`` (the extraction root)."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "work").mkdir()
    return tmp_path


def assert_nothing_written(sandbox: Path, archive: Path) -> None:
    assert snapshot(sandbox / "outside") == set()
    dest = sandbox / "work" / "dest"
    assert not dest.exists() or snapshot(dest) == set()
    # only the archive itself (and the empty destination) remain in the work folder: no staging leftovers
    assert {p.name for p in (sandbox / "work").iterdir()} <= {archive.name, "dest"}
    assert not (sandbox / "evil.txt").exists() and not Path("/tmp/evil-muspy-like.txt").exists()


def tar_with(path: Path, members: list[tuple[tarfile.TarInfo, bytes]], mode: str = "w") -> Path:
    with tarfile.open(path, mode) as bundle:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            bundle.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return path


def info(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "") -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type = kind
    member.linkname = linkname
    member.mode = 0o644
    return member


@pytest.mark.parametrize("kind,mode", [("tar", "w"), ("tar.gz", "w:gz"), ("tar.bz2", "w:bz2"), ("tar.xz", "w:xz")])
def test_tar_round_trip_of_real_files(sandbox, midi_files, kind, mode):
    archive = sandbox / "work" / f"set.{kind}"
    with tarfile.open(archive, mode) as bundle:
        for path in midi_files:
            bundle.add(path, arcname=f"set/midi/{path.name}")
    files = extract_archive(archive, sandbox / "work" / "dest", kind)
    assert [f.path for f in files] == sorted(f"set/midi/{p.name}" for p in midi_files)
    for record, path in zip(files, sorted(midi_files, key=lambda p: p.name)):
        data = path.read_bytes()
        assert (sandbox / "work" / "dest" / record.path).read_bytes() == data
        assert record.size == len(data) and record.sha256 == hashlib.sha256(data).hexdigest()


def test_zip_round_trip_of_real_files(sandbox, testdata_dir):
    sources = sorted((testdata_dir / "abc").glob("*.abc")) + sorted((testdata_dir / "musicxml").glob("*"))[:5]
    archive = sandbox / "work" / "set.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("set/", b"")  # explicit folder entry
        for path in sources:
            bundle.write(path, f"set/{path.parent.name}/{path.name}")
    files = extract_archive(archive, sandbox / "work" / "dest", "zip")
    assert len(files) == len(sources)
    for path in sources:
        assert (sandbox / "work" / "dest" / "set" / path.parent.name / path.name).read_bytes() == path.read_bytes()


@pytest.mark.parametrize("kind,opener", [("gz", gzip.open), ("xz", lzma.open), ("bz2", bz2.open)])
def test_single_compressed_file(sandbox, midi_files, kind, opener):
    data = midi_files[0].read_bytes()
    archive = sandbox / "work" / f"piece.mid.{kind}"
    with opener(archive, "wb") as handle:
        handle.write(data)
    files = extract_archive(archive, sandbox / "work" / "dest", kind)
    assert [f.path for f in files] == ["piece.mid"]
    assert (sandbox / "work" / "dest" / "piece.mid").read_bytes() == data


@pytest.mark.parametrize(
    "member,needle",
    [
        (info("../evil.txt"), "escape"),
        (info("a/../../evil.txt"), "escape"),
        (info("/tmp/evil-muspy-like.txt"), "absolute"),
        (info("link", tarfile.SYMTYPE, "/etc/passwd"), "symbolic link"),
        (info("link", tarfile.SYMTYPE, "../outside"), "symbolic link"),
        (info("hard", tarfile.LNKTYPE, "/etc/passwd"), "hard link"),
        (info("dev", tarfile.CHRTYPE), "device"),
        (info("blk", tarfile.BLKTYPE), "device"),
        (info("fifo", tarfile.FIFOTYPE), "FIFO"),
    ],
)
def test_malicious_tar_members_are_refused(sandbox, member, needle):
    archive = tar_with(sandbox / "work" / "evil.tar", [(info("good/ok.txt"), b"fine"), (member, b"owned")])
    with pytest.raises(UnsafeArchiveError, match=needle):
        extract_archive(archive, sandbox / "work" / "dest", "tar")
    assert_nothing_written(sandbox, archive)


def test_symlink_then_write_through_it_is_refused(sandbox):
    # The classic two-step escape: a link to the outside, then a file "inside" the link.
    archive = tar_with(
        sandbox / "work" / "evil.tar",
        [(info("escape", tarfile.SYMTYPE, str(sandbox / "outside")), b""), (info("escape/evil.txt"), b"owned")],
    )
    with pytest.raises(UnsafeArchiveError):
        extract_archive(archive, sandbox / "work" / "dest", "tar")
    assert_nothing_written(sandbox, archive)


@pytest.mark.parametrize("name", ["../evil.txt", "/tmp/evil-muspy-like.txt", "a\\..\\..\\evil.txt", "C:/evil.txt"])
def test_malicious_zip_names_are_refused(sandbox, name):
    archive = sandbox / "work" / "evil.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("good.txt", b"fine")
        bundle.writestr(zipfile.ZipInfo(name), b"owned")  # ZipInfo keeps the name as given
    with pytest.raises(UnsafeArchiveError):
        extract_archive(archive, sandbox / "work" / "dest", "zip")
    assert_nothing_written(sandbox, archive)


def test_zip_symlink_entry_is_refused(sandbox):
    archive = sandbox / "work" / "evil.zip"
    link = zipfile.ZipInfo("link")
    link.create_system = 3  # Unix: external_attr holds the file mode
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(link, "/etc/passwd")
    with pytest.raises(UnsafeArchiveError, match="symbolic link"):
        extract_archive(archive, sandbox / "work" / "dest", "zip")
    assert_nothing_written(sandbox, archive)


def test_zip_bomb_stops_at_the_size_limit(sandbox):
    archive = sandbox / "work" / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("zeros.bin", b"\0" * 20_000_000)
    assert archive.stat().st_size < 100_000  # compresses ~1000:1
    with pytest.raises(UnsafeArchiveError, match="exceeds|more than"):
        extract_archive(archive, sandbox / "work" / "dest", "zip", ExtractionLimits(max_total_bytes=1_000_000))
    assert_nothing_written(sandbox, archive)


def test_zip_with_lying_header_is_refused(sandbox):
    archive = sandbox / "work" / "liar.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("zeros.bin", b"\0" * 3_000_000)
    raw = bytearray(archive.read_bytes())
    # Patch the declared uncompressed size (local header and central directory) to 100 bytes.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.find(signature)
        raw[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
    archive.write_bytes(bytes(raw))
    with pytest.raises(UnsafeArchiveError):
        extract_archive(archive, sandbox / "work" / "dest", "zip", ExtractionLimits(max_total_bytes=1_000_000))
    assert_nothing_written(sandbox, archive)


def test_gzip_bomb_stops_at_the_size_limit(sandbox):
    archive = sandbox / "work" / "bomb.bin.gz"
    with gzip.open(archive, "wb") as handle:
        handle.write(b"\0" * 5_000_000)
    with pytest.raises(ArchiveSizeError, match="extracts to more than 1,000,000 bytes .at member 'bomb.bin'"):
        extract_archive(archive, sandbox / "work" / "dest", "gz", ExtractionLimits(max_total_bytes=1_000_000))
    assert_nothing_written(sandbox, archive)


def test_member_count_limit(sandbox):
    archive = tar_with(sandbox / "work" / "many.tar", [(info(f"f{i}.txt"), b"x") for i in range(50)])
    with pytest.raises(UnsafeArchiveError, match="members"):
        extract_archive(archive, sandbox / "work" / "dest", "tar", ExtractionLimits(max_members=10))
    assert_nothing_written(sandbox, archive)


def test_duplicate_member_is_refused(sandbox):
    archive = tar_with(sandbox / "work" / "dup.tar", [(info("a.txt"), b"one"), (info("a.txt"), b"two")])
    with pytest.raises(UnsafeArchiveError, match="twice"):
        extract_archive(archive, sandbox / "work" / "dest", "tar")
    assert_nothing_written(sandbox, archive)


def test_existing_files_are_never_overwritten(sandbox):
    dest = sandbox / "work" / "dest"
    dest.mkdir()
    (dest / "a.txt").write_bytes(b"mine")
    archive = tar_with(sandbox / "work" / "x.tar", [(info("a.txt"), b"theirs")])
    with pytest.raises(UnsafeArchiveError, match="already exists"):
        extract_archive(archive, dest, "tar")
    assert (dest / "a.txt").read_bytes() == b"mine"


def test_setuid_bits_are_dropped(sandbox):
    member = info("tool")
    member.mode = 0o4755
    archive = tar_with(sandbox / "work" / "x.tar", [(member, b"#!/bin/sh\n")])
    extract_archive(archive, sandbox / "work" / "dest", "tar")
    mode = os.stat(sandbox / "work" / "dest" / "tool").st_mode
    assert not mode & (stat.S_ISUID | stat.S_ISGID | stat.S_IXUSR)


def test_corrupt_archive_is_reported(sandbox):
    archive = sandbox / "work" / "broken.zip"
    archive.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UnsafeArchiveError, match="corrupt"):
        extract_archive(archive, sandbox / "work" / "dest", "zip")


@pytest.mark.parametrize("name", ["", ".", "a/./../..", "x\x00y"])
def test_safe_member_path_rejects(name):
    with pytest.raises(UnsafeArchiveError):
        safe_member_path(name, "t.tar")


def test_safe_member_path_normalizes():
    assert str(safe_member_path("./a//b/c.mid", "t.tar")) == "a/b/c.mid"


def test_default_bound_is_proportionate_to_the_archive(sandbox):
    archive = sandbox / "work" / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("zeros.bin", b"\0" * 20_000_000)  # ratio ~1000, beyond any real music archive
    with pytest.raises(ArchiveSizeError) as error:
        extract_archive(archive, sandbox / "work" / "dest", "zip")
    assert isinstance(error.value, SizeLimitError) and isinstance(error.value, UnsafeArchiveError)
    message = str(error.value)
    assert message.startswith(f"{archive}: declares 20,000,000 extracted bytes")
    assert "100 times the archive's" in message and "MUSPY_LIKE_MAX_ARCHIVE_RATIO" in message
    assert_nothing_written(sandbox, archive)
    with limits.override(archive_ratio=2000):  # a genuine archive this compressible: raise the ratio
        (extracted,) = extract_archive(archive, sandbox / "work" / "dest", "zip")
    assert extracted.size == 20_000_000


def test_published_extracted_size_sets_the_bound(sandbox, midi_files):
    archive = tar_with(sandbox / "work" / "set.tar.gz", [(info(p.name), p.read_bytes()) for p in midi_files], "w:gz")
    total = sum(p.stat().st_size for p in midi_files)
    with pytest.raises(ArchiveSizeError, match="1.25 times the published extracted size .*MUSPY_LIKE_ARCHIVE_MARGIN"):
        extract_archive(archive, sandbox / "work" / "dest", "tar.gz", expected_bytes=total // 2)
    assert_nothing_written(sandbox, archive)
    files = extract_archive(archive, sandbox / "work" / "dest", "tar.gz", expected_bytes=total)
    assert sum(f.size for f in files) == total


def _cut_between_members(sandbox, midi_files) -> tuple[Path, bytes, int]:
    """A real tar of several MIDI files, and the bytes of it cut right after the second member."""
    full = tar_with(sandbox / "work" / "full.tar", [(info(p.name), p.read_bytes()) for p in midi_files[:4]])
    with tarfile.open(full) as bundle:
        bundle.next()
        second = bundle.next()
        cut = second.offset_data + -(-second.size // 512) * 512
    return full, full.read_bytes()[:cut], cut


def test_tar_cut_between_members_is_refused(sandbox, midi_files):
    full, data, cut = _cut_between_members(sandbox, midi_files)
    with tarfile.open(fileobj=io.BytesIO(data)) as bundle:
        assert len(bundle.getmembers()) == 2  # tarfile alone takes it for a complete, shorter archive
    archive = sandbox / "work" / "cut.tar"
    archive.write_bytes(data)
    full.unlink()
    with pytest.raises(UnsafeArchiveError, match=f"incomplete: no end-of-archive marker after 2 member.s. at byte {cut:,}"):
        extract_archive(archive, sandbox / "work" / "dest", "tar")
    assert_nothing_written(sandbox, archive)
    with pytest.raises(UnsafeArchiveError, match="incomplete"):
        check_archive(archive, "tar")


def test_compressed_tar_of_a_cut_tar_and_cut_compressed_streams_are_refused(sandbox, midi_files):
    full, data, _ = _cut_between_members(sandbox, midi_files)
    wrapped = sandbox / "work" / "cut.tar.gz"
    wrapped.write_bytes(gzip.compress(data))  # a sound gzip stream around an incomplete tar
    with pytest.raises(UnsafeArchiveError, match="no end-of-archive marker"):
        extract_archive(wrapped, sandbox / "work" / "dest", "tar.gz")
    whole = gzip.compress(full.read_bytes())
    for length in (len(whole) - 9, len(whole) // 2):  # inside the gzip trailer; in the middle
        wrapped.write_bytes(whole[:length])
        with pytest.raises(UnsafeArchiveError, match="corrupt or incomplete|no end-of-archive"):
            extract_archive(wrapped, sandbox / "work" / "dest", "tar.gz")
    full.unlink()
    assert_nothing_written(sandbox, wrapped)


def test_data_after_the_end_marker_is_refused(sandbox, midi_files):
    archive = tar_with(sandbox / "work" / "x.tar", [(info(midi_files[0].name), midi_files[0].read_bytes())])
    archive.write_bytes(archive.read_bytes() + b"trailing junk".ljust(512, b"\0"))
    with pytest.raises(UnsafeArchiveError, match="after the tar end-of-archive marker"):
        extract_archive(archive, sandbox / "work" / "dest", "tar")
    assert_nothing_written(sandbox, archive)


def test_check_archive_reads_everything_and_writes_nothing(sandbox, midi_files):
    archive = tar_with(sandbox / "work" / "set.tar.xz", [(info(f"set/{p.name}"), p.read_bytes()) for p in midi_files], "w:xz")
    checked = check_archive(archive, "tar.xz")
    assert snapshot(sandbox / "work") == {"set.tar.xz"}
    extracted = extract_archive(archive, sandbox / "work" / "dest", "tar.xz")
    assert checked == extracted
    assert {f.sha256 for f in checked} == {hashlib.sha256(p.read_bytes()).hexdigest() for p in midi_files}
