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
