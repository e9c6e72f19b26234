"""Keeping the index and its catalog in agreement through interruptions,
damage and a full disk.

* **Interrupted writes.** Whoosh and the catalog commit one after the other.
  The catalog records, in the transaction that commits the papers, the Whoosh
  generation it agrees with (meta ``whoosh_generation``; a catch-up, which
  only re-applies library state and is harmless to redo, records the
  generation before and the one after). A writer marks the index folder
  (``updating``) before it writes and clears the mark once both have
  committed. A writer that opens the index and finds the mark says so; if the
  Whoosh generation is not one the catalog agrees with, a write was cut off
  between the two commits (each paper would be indexed twice, or missing) and
  the index is rebuilt. Segment files no generation lists -- what a killed or
  failed write left -- are removed when a writer opens the index, and at once
  when a write fails.
* **Damaged files.** A read error (a garbled segment, a malformed catalog
  page) while searching or listing raises :class:`IndexDamaged`, one line,
  and marks the folder (``damaged``): the next writable opening rebuilds,
  which re-applies the library's state. Met while opening and syncing, it
  rebuilds at once. What counts as damage (:func:`is_damage`): SQLite's
  "malformed" errors, and errors raised inside Whoosh or the index's own
  readers -- never a full or read-only disk, a lock, or the library's errors.
* **A full disk** is never taken for damage: a write that fails for lack of
  space removes what it wrote and raises :class:`DiskFull`; an index is never
  deleted to be rebuilt when there is no room to build it; :meth:`Index.open`
  then shows the index read-only as it was.
* ``PAPERS_KILL_AT=<point>`` (or ``<point>:INT``) makes the process kill
  itself (or interrupt itself, as ctrl-C does) at a named point of a write:
  how the tests interrupt a build exactly where they want.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from whoosh.index import TOC

from ...fsio import disk_full, is_disk_full
from ..answers import SearchStopped
from .schema import IndexError_

GENERATION_KEY = "whoosh_generation"
UPDATING = "updating"  # in the index folder while a write is under way
DAMAGED = "damaged"    # in the index folder: a read failed; rebuild at the next opening
KILL_ENV = "PAPERS_KILL_AT"


class IndexDamaged(IndexError_):
    """The index or its catalog could not be read; it is rebuilt at the next
    opening. The message is one line."""


class DiskFull(IndexError_):
    """The disk holding the index is full; nothing was changed or deleted."""

    def __init__(self, folder: Path):
        super().__init__(f"disk full: cannot write the index in {folder}; free some space and try again")


def full_disk(error: BaseException, folder: Path) -> bool:
    """Whether ``error`` (an OSError, an SQLite error) comes from a full disk."""
    if isinstance(error, DiskFull):
        return True
    if isinstance(error, sqlite3.Error):
        msg = str(error).lower()
        return "full" in msg or ("disk i/o" in msg or "unable to open" in msg) and disk_full(folder)
    return isinstance(error, OSError) and is_disk_full(error, folder)


def kill_point(name: str) -> None:
    """A test hook: ``PAPERS_KILL_AT=name`` ends the process here with SIGKILL,
    ``name:INT`` interrupts it as ctrl-C does."""
    want = os.environ.get(KILL_ENV)
    if want and want.partition(":")[0] == name:
        os.kill(os.getpid(), signal.SIGINT if want.endswith(":INT") else signal.SIGKILL)


# --- interrupted writes ---------------------------------------------------------------

def agreed_generations(catalog) -> set[int] | None:
    """The Whoosh generations the catalog agrees with (None: an index made
    before they were recorded, which agrees with any)."""
    value = catalog.meta(GENERATION_KEY)
    if value is None:
        return None
    try:
        return {int(g) for g in value.split(",")}
    except ValueError:
        return set()


def record_generations(catalog, *generations: int) -> None:
    catalog.set_meta(GENERATION_KEY, ",".join(str(g) for g in sorted(set(generations))))


def begin_update(folder: Path) -> None:
    """Mark ``folder`` before a write: the mark stays if the process is
    killed; :func:`end_update` clears it once the write has ended either way."""
    try:
        (folder / UPDATING).touch()
    except OSError as e:
        if is_disk_full(e, folder):
            raise DiskFull(folder) from None
        raise IndexError_(f"cannot write the index in {folder}: {e.strerror or e}") from None


def end_update(folder: Path) -> None:
    try:
        (folder / UPDATING).unlink(missing_ok=True)
    except OSError:
        pass


def was_interrupted(folder: Path) -> bool:
    return (folder / UPDATING).exists()


def recover(folder: Path, catalog, ix, notices: list[str]) -> bool:
    """Check an index a writer has just opened (holding the lock): False if
    Whoosh and the catalog disagree, which only a rebuild mends; otherwise
    what an interrupted write left is removed and True returned. Writes
    nothing when nothing was interrupted."""
    generation = ix.latest_generation()
    agreed = agreed_generations(catalog)
    if agreed is not None and generation not in agreed:
        notices.append("the last update of the index was cut off between its two commits "
                       "(the index and its catalog disagree); rebuilding it")
        return False
    removed = remove_unfinished(ix)
    if was_interrupted(folder) or removed:
        files = f"{removed} unfinished file{'s were' if removed != 1 else ' was'}"
        left = f"its {files} removed and " if removed else ""
        notices.append(f"the last update of the index was interrupted; {left}it is done again")
        (folder / UPDATING).unlink(missing_ok=True)
    if agreed != {generation}:
        record_generations(catalog, generation)
    return True


def remove_unfinished(ix) -> int:
    """Remove what no generation lists from the Whoosh folder of ``ix``: the
    segment files, table-of-contents files and temporary folders of a write
    that was killed or failed. Only a writer (holding the lock) may call this.
    Returns how many were removed."""
    storage = ix.storage
    name = ix.indexname
    keep_toc = TOC._filename(name, ix.latest_generation())
    segments = {s.segment_id() for s in ix._segments()}
    seg_re = TOC._segment_pattern(name)
    removed = 0
    for fn in list(storage):
        m = seg_re.match(fn)
        stale = (m is not None and m.group(1) not in segments
                 or fn.startswith(f"_{name}_") and fn != keep_toc)
        if stale:
            try:
                storage.delete_file(fn)
                removed += 1
            except OSError:
                pass
    temp = Path(storage.folder) / f"{name}.tmp"
    if temp.is_dir():
        shutil.rmtree(temp, ignore_errors=True)
        removed += 1
    return removed


# --- damaged files ---------------------------------------------------------------------

# the code that reads the files: Whoosh's, and this package's
_READERS = (f"{os.sep}whoosh{os.sep}", f"{os.sep}core{os.sep}index{os.sep}")
_NOT_DAMAGE = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT}


def is_damage(error: BaseException) -> bool:
    """Whether ``error`` says the index's files hold something they should not."""
    if isinstance(error, sqlite3.DatabaseError):
        msg = str(error).lower()
        return (not isinstance(error, sqlite3.OperationalError)
                or "malformed" in msg or "not a database" in msg)
    if not isinstance(error, Exception) or isinstance(error, IndexError_):
        return False
    if isinstance(error, UnicodeEncodeError):  # text given to the index, never what its files hold
        return False
    if isinstance(error, OSError) and error.errno in _NOT_DAMAGE:
        return False
    tb = error.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if any(part in name for part in _READERS) and not name.endswith(f"{os.sep}front.py"):
            return True
        tb = tb.tb_next
    return False


def damage_line(error: BaseException) -> str:
    first = (str(error).splitlines() or [""])[0][:80]
    return f"the index could not be read ({type(error).__name__}{': ' + first if first else ''})"


@contextmanager
def reading(folder: Path) -> Iterator[None]:
    """Damage met while reading becomes :class:`IndexDamaged` (one line), and
    ``folder`` is marked to be rebuilt at the next opening."""
    try:
        yield
    except SearchStopped:
        raise
    except Exception as e:
        if not is_damage(e):
            raise
        line = damage_line(e)
        mark_damaged(folder, line)
        raise IndexDamaged(line) from e


def mark_damaged(folder: Path, line: str) -> None:
    try:
        (folder / DAMAGED).write_text(line + "\n", encoding="utf-8")
    except OSError:  # a read-only or full disk: the next reader meets the damage again
        pass


def damage_found(folder: Path) -> str | None:
    """The line of the damage a read met, if the index is marked; else None."""
    try:
        return (folder / DAMAGED).read_text(encoding="utf-8").strip() or "the index could not be read"
    except FileNotFoundError:
        return None
    except OSError as e:
        return f"the index could not be read ({e.strerror or e})"


def clear_damage(folder: Path) -> None:
    try:
        (folder / DAMAGED).unlink(missing_ok=True)
    except OSError:
        pass
