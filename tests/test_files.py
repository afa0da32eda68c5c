"""Atomic writes: the mode kept or taken from the umask, private on request, and nothing
left behind when the write fails."""

from __future__ import annotations

import os

import pytest

from revmech.engine.files import write_atomically


def test_modes(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomically(str(tmp_path / "new.txt"), "a\r\nb")
        write_atomically(str(tmp_path / "private.bin"), b"x", private=True)
    finally:
        os.umask(old)
    assert (tmp_path / "new.txt").read_bytes() == b"a\r\nb"
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "private.bin").stat().st_mode & 0o777 == 0o600
    kept = tmp_path / "kept.txt"
    kept.write_text("old")
    kept.chmod(0o604)
    write_atomically(str(kept), "new", fsync=True)
    assert kept.read_text() == "new" and kept.stat().st_mode & 0o777 == 0o604


def test_failures_leave_nothing_behind(tmp_path):
    target = tmp_path / "folder"
    target.mkdir()  # renaming a file over a folder fails
    with pytest.raises(OSError):
        write_atomically(str(target), "x")
    with pytest.raises(ValueError, match="write"):
        write_atomically(str(target), "x", error=lambda e, where: ValueError(
            "folder" if where else "write"))
    with pytest.raises(ValueError, match="folder"):
        write_atomically(str(tmp_path / "no" / "x"), "x", error=lambda e, where: ValueError(
            "folder" if where else "write"))
    assert [p.name for p in tmp_path.iterdir()] == ["folder"]
    assert list(target.iterdir()) == []
