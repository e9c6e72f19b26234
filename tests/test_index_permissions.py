"""An index folder that cannot be written is shown as it is, never deleted.

The folder is made read-only for real, with a read-only bind mount (root
only: file modes say nothing to root; the tests skip where mounting is
refused). Its Whoosh folder can be mounted writable inside it, as a folder
whose mode lets the user write in it would be: that is how an index used to
be emptied, the opening taking the catalog's refusal for damage and clearing
the segments before failing on the catalog.
"""

from __future__ import annotations

import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from tui.core.index import Index
from tui.core.paths import Paths


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip("cannot make a read-only mount here (needs root): " + done.stderr.strip())


@contextmanager
def read_only(folder: Path, writable: Path | None = None):
    """``folder`` on a read-only mount (``writable`` inside it left writable)."""
    _mount("--bind", str(folder), str(folder))
    mounted = [folder]
    try:
        if writable is not None:
            _mount("--bind", str(writable), str(writable))
            mounted.append(writable)
        _mount("-o", "remount,ro,bind", str(folder))
        yield
    finally:
        for m in reversed(mounted):
            if subprocess.run(["umount", str(m)], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", str(m)], capture_output=True)


@pytest.fixture
def built(tmp_path) -> Paths:
    paths = Paths.default(tmp_path / "home")
    ix, _ = Index.open(paths)
    ix.close()
    return paths


def _segments(paths: Paths) -> set[str]:
    return {p.name for p in (paths.index / "whoosh").iterdir()}


def test_a_read_only_index_folder_answers_read_only(built):
    before = _segments(built)
    with read_only(built.index):
        ix, report = Index.open(built)
        try:
            assert report.readonly and not report.rebuilt
            assert any("cannot be written" in n for n in report.notices)
            assert ix.search("shifted windows").hits[0].title.startswith("Swin Transformer")
        finally:
            ix.close()
    assert _segments(built) == before
    ix, report = Index.open(built)  # permissions back: nothing to rebuild
    assert not report.readonly and not report.rebuilt and ix.count() == 285
    ix.close()


def test_an_index_folder_that_cannot_be_written_is_never_emptied(built, monkeypatch):
    """The lock file can be taken (it is writable), the folder cannot be
    written (SQLite cannot make its journal there), the Whoosh folder can:
    the opening shows the index read-only and deletes nothing."""
    from tui.core import fsio

    monkeypatch.setattr(fsio.FileLock, "acquire", lambda self, wait=None: True)
    monkeypatch.setattr(fsio.FileLock, "release", lambda self: None)
    before = _segments(built)
    assert any(name.endswith(".seg") for name in before)
    with read_only(built.index, writable=built.index / "whoosh"):
        ix, report = Index.open(built)
        try:
            assert report.readonly and not report.rebuilt, report.notices
            assert ix.search("shifted windows").total == 2
        finally:
            ix.close()
        assert _segments(built) == before
    monkeypatch.undo()
    ix, report = Index.open(built)
    assert not report.rebuilt and ix.count() == 285
    ix.close()
    shutil.rmtree(built.index.parent.parent, ignore_errors=True)


# --- an index rebuilt under an open one ---------------------------------------------

class _Flags:
    """A library of one bookmark, changed when asked."""

    def __init__(self, pid: str):
        self.pid, self.gen = pid, 0

    def index_state(self, ids):
        from tui.core.papers import LibraryState

        return {pid: LibraryState(bookmarked=True) for pid in ids if pid == self.pid}

    def generation(self):
        return self.gen

    def changed_since(self, generation):
        return [self.pid]


def test_an_index_rebuilt_by_another_process_is_not_written_by_the_old_one(built):
    """A reader keeps its index open while ``papers reindex`` rebuilds it: the
    reader's next change is not written into the new index under the old
    catalog (which made the next command find the two disagreeing and rebuild
    everything), it says the index was replaced, and the next opening finds
    an index in agreement."""
    from tui.core.index import IndexReplaced

    reader, _ = Index.open(built)
    pid = reader.search("shifted windows").hits[0].id
    again, report = Index.open(built, rebuild=True)  # papers reindex
    again.close()
    assert report.rebuilt and reader.replaced()
    lib = _Flags(pid)
    lib.gen = 1
    with pytest.raises(IndexReplaced):
        reader.catch_up(lib)
    reader.close()
    fresh, report = Index.open(built, library=lib)
    try:
        assert not report.rebuilt and not any("cut off" in n for n in report.notices), report.notices
        assert fresh.search("is:bookmarked").hits[0].id == pid  # caught up by the new opening
    finally:
        fresh.close()


def test_a_change_waits_while_another_process_writes(built):
    from tui.core.fsio import FileLock

    ix, _ = Index.open(built)
    pid = ix.search("shifted windows").hits[0].id
    lib = _Flags(pid)
    lib.gen = 1
    lock = FileLock(built.index / "write.lock")
    assert lock.acquire(1)  # another process writing
    try:
        assert ix.catch_up(lib) == 0 and ix.search("is:bookmarked").total == 0
    finally:
        lock.release()
    assert ix.catch_up(lib) == 1 and ix.search("is:bookmarked").hits[0].id == pid
    ix.close()
