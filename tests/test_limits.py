"""The size-cap policy: defaults, environment variables, configure/override, messages and archive caps."""

from __future__ import annotations

import io

import pytest

from muspy_like import limits
from muspy_like.errors import MusicXMLError, SizeLimitError


def test_defaults_are_the_documented_ones():
    caps = limits.current()
    assert caps == limits.SizeLimits()
    assert (caps.document_bytes, caps.score_member_bytes) == (64 << 20, 128 << 20)
    assert (caps.document_depth, caps.archive_ratio, caps.archive_margin) == (100, 100.0, 1.25)


@pytest.mark.parametrize(
    "text, value", [("1000", 1000), ("64MiB", 64 << 20), ("2 GB", 2 * 10**9), ("1.5KiB", 1536), ("3kb", 3000)]
)
def test_environment_accepts_byte_units(monkeypatch, text, value):
    monkeypatch.setenv("MUSPY_LIKE_MAX_DOCUMENT_BYTES", text)
    assert limits.current().document_bytes == value


@pytest.mark.parametrize("variable, text", [
    ("MUSPY_LIKE_MAX_DOCUMENT_BYTES", "lots"),
    ("MUSPY_LIKE_MAX_DOCUMENT_BYTES", "12 parsecs"),
    ("MUSPY_LIKE_MAX_DOCUMENT_BYTES", "0"),
    ("MUSPY_LIKE_MAX_ARCHIVE_RATIO", "20MiB"),
    ("MUSPY_LIKE_ARCHIVE_MARGIN", "0.5"),
])
def test_bad_environment_values_are_refused(monkeypatch, variable, text):
    monkeypatch.setenv(variable, text)
    with pytest.raises(ValueError):
        limits.current()


def test_configure_beats_environment_and_override_restores(monkeypatch):
    monkeypatch.setenv("MUSPY_LIKE_MAX_ARCHIVE_RATIO", "30")
    assert limits.current().archive_ratio == 30
    try:
        assert limits.configure(archive_ratio=7).archive_ratio == 7
        with limits.override(archive_ratio=3, document_depth=10) as inside:
            assert (inside.archive_ratio, inside.document_depth) == (3, 10)
        assert (limits.current().archive_ratio, limits.current().document_depth) == (7, 100)
    finally:
        limits.configure(archive_ratio=None)
    assert limits.current().archive_ratio == 30  # back to the environment
    with pytest.raises(TypeError, match="unknown cap 'speed'"):
        limits.configure(speed=1)
    with pytest.raises(ValueError, match="document_bytes must be a positive number"):
        limits.configure(document_bytes=-1)
    assert limits.current().document_bytes == 64 << 20  # nothing changed by the refused call


def test_check_message_names_file_cap_and_every_way_to_raise_it():
    with pytest.raises(SizeLimitError) as error:
        limits.check("document_bytes", 3 << 30, "song.json.gz", keyword="max_bytes")
    assert str(error.value) == (
        "song.json.gz: 3 GiB exceeds the document_bytes cap of 64 MiB; if the file is genuine, raise the cap "
        "with max_bytes=..., muspy_like.limits.configure(document_bytes=...), the environment variable "
        "MUSPY_LIKE_MAX_DOCUMENT_BYTES"
    )
    with pytest.raises(MusicXMLError, match="a depth of 101 exceeds the document_depth cap of 100"):
        limits.check("document_depth", 101, "x", error=MusicXMLError)
    limits.check("document_bytes", 64 << 20, "exactly at the cap is fine")


def test_read_bounded_allocates_at_most_the_cap():
    stream = io.BytesIO(b"x" * 1000)
    assert limits.read_bounded(io.BytesIO(b"x" * 1000), "document_bytes", "a", cap=1000) == b"x" * 1000
    with pytest.raises(SizeLimitError, match="a: the decompressed data exceeds the document_bytes cap of 999 bytes"):
        limits.read_bounded(stream, "document_bytes", "a", cap=999)
    assert stream.tell() == 1000  # read cap + 1 bytes, no more


def test_archive_cap_is_proportionate():
    assert limits.archive_cap(1_000_000) == 100_000_000  # ratio 100 without a published size
    assert limits.archive_cap(1_000_000, published_bytes=8_000_000) == 10_000_000  # 1.25 x the published size
    with limits.override(archive_ratio=5):
        assert limits.archive_cap(1_000_000) == 5_000_000


def test_compressed_score_members_are_capped(tmp_path):
    import zipfile

    from muspy_like.io.musicxml import read_musicxml

    score = tmp_path / "bomb.mxl"
    with zipfile.ZipFile(score, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("score.xml", b"<score-partwise>" + b" " * (3 << 20) + b"</score-partwise>")
    with limits.override(score_member_bytes=1 << 20), pytest.raises(MusicXMLError) as error:
        read_musicxml(score)
    assert str(error.value).startswith(f"{score}: score.xml: 3 MiB exceeds the score_member_bytes cap of 1 MiB")
    assert "MUSPY_LIKE_MAX_SCORE_MEMBER_BYTES" in str(error.value)
