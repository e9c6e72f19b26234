"""A full disk: "disk full" named as such, reads keep working, nothing good is
deleted, nothing partial or temporary stays behind. On a small tmpfs (root can
mount one; the tests skip where mounting is refused)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import text_digest
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
            # unbuffered: a buffered file kept the bytes that found no room and
            # failed again when closed, whenever the last write did not fit whole
            with open(self.filler, "ab", buffering=0) as f:
                for size in (65536, 4096, 1):
                    try:
                        while True:
                            f.write(b"\0" * size)
                    except OSError:
                        pass
            assert os.statvfs(mnt).f_bavail == 0

        def free(self) -> None:
            self.filler.unlink(missing_ok=True)

        def leave(self, room: int) -> None:
            """Fill the disk but for about ``room`` bytes."""
            self.free()
            st = os.statvfs(mnt)
            self.filler.write_bytes(b"\0" * max(0, st.f_bavail * st.f_frsize - room))

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


def papers(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return subprocess.run([sys.executable, "-m", "tui", "--data-dir", str(home), *args],
                          capture_output=True, text=True, timeout=300, env=env)


def _says_disk_full(done: subprocess.CompletedProcess, lines: int = 1) -> None:
    """Exit 2, no traceback, at most ``lines`` lines, the last naming the full disk."""
    assert done.returncode == 2, (done.returncode, done.stderr)
    said = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr and 1 <= len(said) <= lines, done.stderr
    assert all(line.startswith("papers: ") for line in said), said
    assert "disk full" in said[-1] or "disk is full" in said[-1], said


def _leftovers(home: Path) -> list[str]:
    """Temporary or unfinished files: what a failed write must not leave."""
    names = [p for p in home.rglob("*") if p.is_file() or p.is_dir()]
    return sorted(str(p.relative_to(home)) for p in names
                  if p.name.endswith((".tmp", ".pst", ".trm", ".fdt")) or p.name in ("updating", "damaged")
                  or ".tmp" in p.name)


def test_building_on_a_full_disk_says_disk_full_and_leaves_nothing_behind(small_disk):
    home = small_disk.path / "home"
    small_disk.leave(1024 * 1024)  # room to start, not to build the index (~1.6 MB)
    done = papers(home, "search", "transformer")
    _says_disk_full(done)
    assert _leftovers(home) == []
    small_disk.free()
    done = papers(home, "search", "transformer")
    assert done.returncode == 0 and "Transformer" in done.stdout, done.stderr


def test_a_full_disk_keeps_the_index_and_its_reads(small_disk):
    """A good index and library, then the disk fills: reads answer (read-only),
    a write says "disk full", nothing is deleted; freed, all works again."""
    home = small_disk.path / "home"
    assert papers(home, "bookmark", PAPER).returncode == 0
    search = papers(home, "search", "swin", "--json")
    assert search.returncode == 0
    other = json.loads(search.stdout)[1]["id"]
    index_files = sorted(p.name for p in Paths.default(home).index.rglob("*") if p.is_file())
    small_disk.fill()
    for command in (("search", "swin", "--json"), ("bookmarks", "--json"), ("export", "--format", "json"),
                    ("digests",)):
        done = papers(home, *command)
        assert done.returncode == 0 and "Traceback" not in done.stderr, (command, done.stderr)
        assert "disk is full" in done.stderr or "disk full" in done.stderr, (command, done.stderr)
    assert papers(home, "search", "swin", "--json").stdout == search.stdout
    # a change: the library's and the index's notices, then the refusal
    _says_disk_full(papers(home, "bookmark", other), lines=3)
    # the reader's way in: Index.open on the full disk never deletes the index
    from tui.core.index import Index
    ix, report = Index.open(Paths.default(home))
    assert report.readonly and not report.rebuilt and ix.count() == 285
    ix.close()
    kept = {p.name for p in Paths.default(home).index.rglob("*") if p.is_file()}
    assert set(index_files) <= kept  # nothing deleted (SQLite may have made its -wal and -shm)
    small_disk.free()
    done = papers(home, "bookmark", other)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert _leftovers(home) == []


async def test_the_reader_on_a_full_disk_shows_the_index_it_has(small_disk):
    """It used to take the catalog it could not open for a corrupt one, delete
    the good index and fail to build another."""
    from tui.app import PapersApp

    home = small_disk.path / "home"
    assert papers(home, "bookmark", PAPER).returncode == 0
    index_files = {p.name for p in Paths.default(home).index.rglob("*") if p.is_file()}
    small_disk.fill()
    app = PapersApp(Paths.default(home), watch_interval=0, dwell=0)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        for _ in range(400):
            await pilot.pause(0.05)
            if app.index is not None and app.search_settled:
                break
        await app.workers.wait_for_complete()
        messages = [n.message for n in app._notifications]
        assert app.index is not None and app.index.readonly and app.index.count() == 285
        assert any("disk full" in m or "disk is full" in m for m in messages), messages
        assert len(app.main.results.ids) > 0
    assert index_files <= {p.name for p in Paths.default(home).index.rglob("*") if p.is_file()}


def test_writing_a_file_on_a_full_disk_says_disk_full(small_disk, tmp_path):
    """papers export -o FILE and papers add onto a full disk: "disk full", one
    line, exit 2, and no temporary file left beside the target."""
    home = tmp_path / "home"  # the library and index are on a disk with room
    assert papers(home, "bookmark", PAPER).returncode == 0
    small_disk.fill()
    out = small_disk.path / "out"
    out.mkdir()
    _says_disk_full(papers(home, "export", "--format", "json", "-o", str(out / "library.json")))
    assert list(out.iterdir()) == []
    full_home = small_disk.path / "home"
    small_disk.free()
    assert papers(full_home, "digests").returncode == 0
    small_disk.fill()
    digest = tmp_path / "mine.txt"
    digest.write_text(text_digest(["Quokka Counting With Transformers"]))
    done = papers(full_home, "add", str(digest))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "disk full" in done.stderr.strip().splitlines()[-1], done.stderr
    assert [p for p in Paths.default(full_home).digests.iterdir()] == []
