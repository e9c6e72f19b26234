"""A full disk: "disk full" named as such, reads keep working, nothing good is
deleted, nothing partial or temporary stays behind. On a small tmpfs (root can
mount one; the tests skip where mounting is refused)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tui.core.library import Library, LibraryError
from tui.core.paths import Paths

PAPER = "0733e56f40a0"


@pytest.fixture
def small_disk(tmp_path):
    """A folder on a tmpfs of 8 MB, and ``fill()`` / ``free()`` for it."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root): " + done.stderr.strip())

    class Disk:
        path = mnt
        filler = mnt / "filler"

        def fill(self) -> None:
            with open(self.filler, "ab") as f:
                try:
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
                except OSError:
                    pass
            assert os.statvfs(mnt).f_bavail == 0

        def free(self) -> None:
            self.filler.unlink(missing_ok=True)

    try:
        yield Disk()
    finally:
        if subprocess.run(["umount", str(mnt)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_library_on_a_full_disk_is_read_and_says_disk_full(small_disk):
    paths = Paths.default(small_disk.path / "home")
    with Library.open(paths) as lib:
        lib.set_bookmark(PAPER, True)
    small_disk.fill()
    with Library.open(paths) as lib:  # no -shm can be made: read-only
        assert lib.readonly
        assert len(lib.notices) == 1 and "disk is full" in lib.notices[0], lib.notices
        assert [r.id for r in lib.bookmarks()] == [PAPER]
        with pytest.raises(LibraryError, match="disk is full"):
            lib.set_bookmark("aaaaaaaaaaaa", True)
    small_disk.free()
    with Library.open(paths) as lib:
        assert not lib.readonly and not lib.notices
        lib.set_bookmark("aaaaaaaaaaaa", True)
        assert len(lib.bookmarks()) == 2
    assert sorted(p.name for p in paths.data.iterdir()) == ["library.sqlite3"]
