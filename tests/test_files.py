"""Atomic output: one rule for destinations, errors that name the caller's path, no leftovers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from muspy_like.errors import OutputPathError
from muspy_like.files import atomic_write, atomic_write_bytes, check_output_file, prepare_output_folder


def test_missing_parent_folder_is_refused_and_named(tmp_path):
    target = tmp_path / "nodir" / "out.mid"
    with pytest.raises(OutputPathError, match="the folder .*nodir does not exist") as caught:
        atomic_write_bytes(target, b"x")
    assert str(target) in str(caught.value)
    assert not (tmp_path / "nodir").exists()


def test_parent_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(OutputPathError, match="is a file, not a folder"):
        atomic_write_bytes(tmp_path / "file" / "deeper" / "out.mid", b"x")


def test_existing_folder_as_target_is_refused_without_touching_it(tmp_path):
    (tmp_path / "out.mid").mkdir()
    with pytest.raises(OutputPathError, match="it is a folder"):
        atomic_write_bytes(tmp_path / "out.mid", b"x")
    assert (tmp_path / "out.mid").is_dir()
    assert os.listdir(tmp_path) == ["out.mid"]


def test_output_path_error_is_also_an_os_error(tmp_path):
    with pytest.raises(OSError):
        check_output_file(tmp_path / "missing" / "x.json")


def test_failed_writer_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(target, "w") as handle:
            handle.write("new, half")
            raise RuntimeError("the producer failed")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_errors_of_the_producer_pass_through_unchanged(tmp_path):
    with pytest.raises(FileNotFoundError):
        with atomic_write(tmp_path / "out.txt", "w"):
            open(tmp_path / "no-such-input.txt").close()


def test_killed_writer_leftovers_are_removed_by_the_next_write(tmp_path):
    target = tmp_path / "out.bin"
    script = textwrap.dedent(
        f"""
        import os, signal
        from muspy_like.files import atomic_write
        with atomic_write({str(target)!r}) as handle:
            handle.write(b"partial")
            handle.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    completed = subprocess.run([sys.executable, "-c", script])
    assert completed.returncode == -signal.SIGKILL
    leftovers = [name for name in os.listdir(tmp_path) if name.endswith(".part")]
    assert len(leftovers) == 1 and not target.exists()
    atomic_write_bytes(target, b"complete")
    assert os.listdir(tmp_path) == ["out.bin"]
    assert target.read_bytes() == b"complete"


def test_a_running_writers_temporary_file_is_left_alone(tmp_path):
    target = tmp_path / "out.bin"
    with atomic_write(target) as handle:
        handle.write(b"first")
        atomic_write_bytes(target, b"second")  # another write to the same target meanwhile
        assert any(name.endswith(".part") for name in os.listdir(tmp_path))
    assert target.read_bytes() == b"first"


def test_output_folders_are_created_with_their_parents(tmp_path):
    folder = prepare_output_folder(tmp_path / "a" / "b")
    assert folder.is_dir()
    (tmp_path / "plain").write_text("")
    with pytest.raises(OutputPathError, match="plain is a file"):
        prepare_output_folder(tmp_path / "plain" / "sub")


def test_a_folder_is_listed_for_leftovers_once_per_process(tmp_path, monkeypatch):
    import muspy_like.files as files

    listed = []
    real_scandir = os.scandir
    monkeypatch.setattr(files.os, "scandir", lambda folder: listed.append(folder) or real_scandir(folder))
    for index in range(20):
        atomic_write_bytes(tmp_path / f"piece{index}.bin", b"x", durable=False)
    assert len(listed) == 1  # listing at each of n writes would cost n squared over a dataset cache
    assert len(os.listdir(tmp_path)) == 20


def test_only_our_temporary_file_names_are_removed(tmp_path):
    dead_pid = 2**22 + 12345  # above Linux's largest pid: no such process
    ours = f".out.bin.{dead_pid}.0123abcd.part"
    foreign = [".notes.part", f".out.bin.{dead_pid}.part", "out.bin.part"]
    for name in [ours, *foreign]:
        (tmp_path / name).write_bytes(b"")
    atomic_write_bytes(tmp_path / "out.bin", b"complete")
    assert sorted(os.listdir(tmp_path)) == sorted(["out.bin", *foreign])
