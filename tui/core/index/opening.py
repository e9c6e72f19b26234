"""Opening the index: the write lock taken, the index opened as it is, or
rebuilt when its format changed, it was damaged or it is missing, then synced
with the digest files and the library; read-only when another process holds
the lock or the disk is full (see :mod:`.build.recovery`). :class:`Opening`
is one opening: what it was asked for, the report it fills; it makes the
:class:`~.front.Index` it returns.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Callable

from whoosh import index as wi

from ..digest import PARSER_VERSION
from ..fsio import FileLock, disk_full
from ..paths import Paths, Source, digest_sources
from .catalog import Catalog
from .build.recovery import (UPDATING, DiskFull, clear_damage, damage_found, damage_line, full_disk, is_damage,
                       record_generations, recover)
from .answers import LibrarySource, SyncReport
from .build.writer import LOCK_WAIT, Progress
from .build.schema import SCHEMA_VERSION, IndexError_, _storage, make_schema



_UNWRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS}


class NotWritable(Exception):
    """The index's folder cannot be written: it is shown as it is."""


def _can_write(*folders: Path) -> bool:
    """Whether a file can be made and removed in each of ``folders`` that
    exists (tried for real: permission bits say nothing to root, and nothing
    of a read-only file system)."""
    for folder in folders:
        if not folder.is_dir():
            continue
        probe = folder / f".papers-probe-{os.getpid()}"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as e:
            if e.errno in _UNWRITABLE:
                return False
            raise
    return True


class Opening:
    """One opening of the index in ``paths.index`` (see the module's notes):
    ``make(folder, catalog, ix, readonly)`` makes the index it returns, which
    it brings up to date with the digest files (``sources``: best a function
    that lists them, called once the write lock is held, so that a process
    that waited for another one sees the digest files that one added) and
    with the ``library`` (tags, notes, flags changed since the index last saw
    them, for instance by another papers process)."""

    def __init__(self, paths: Paths, make: Callable, sources: list[Source] | Callable[[], list[Source]] | None = None,
                 progress: Progress | None = None, library: LibrarySource | None = None,
                 lock_wait: float = LOCK_WAIT):
        self.paths = paths
        self.folder = paths.index
        self.make = make
        self.sources = sources
        self.progress = progress
        self.library = library
        self.lock_wait = lock_wait
        self.report = SyncReport()

    def listed(self) -> list[Source]:
        sources = self.sources
        return digest_sources(self.paths) if sources is None else sources() if callable(sources) else sources

    def open(self, rebuild: bool = False):
        """The index, opened (rebuilt when asked, or when it must be), and the report."""
        t0 = time.perf_counter()
        folder = self.folder
        report = self.report
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise IndexError_(f"cannot create the index folder {folder}: {e.strerror or e}") from None
        lock = FileLock(folder / "write.lock")
        try:
            locked = lock.acquire(self.lock_wait)
        except OSError as e:
            if e.errno not in _UNWRITABLE:
                raise IndexError_(f"cannot lock the index in {folder}: {e.strerror or e}") from None
            index = self._readonly(why="unwritable")  # nothing to lock against: nothing is written
            report.seconds = time.perf_counter() - t0
            return index, report
        try:
            if not locked:
                index = self._readonly()
            else:
                try:
                    index = self._synced(rebuild)
                except NotWritable:
                    index = self._readonly(why="unwritable")
                except Exception as e:
                    if full_disk(e, folder):  # show it as it was, if there is one
                        index = self._readonly(why="full")
                    elif rebuild or not is_damage(e):
                        raise
                    else:  # damage the opening met: rebuild now
                        report.notices.append(f"{damage_line(e)}; rebuilding it")
                        index = self._synced(True)
        finally:
            lock.release()
        report.seconds = time.perf_counter() - t0
        return index, report

    def _synced(self, rebuild: bool):
        from ..fulltext import CachedTexts

        index = self._writable(rebuild)
        index.writing.text_of = CachedTexts(self.paths)  # full texts are indexed too
        report, library = self.report, self.library
        try:
            index.writing.sync(self.listed(), report, self.progress, library)  # under this opening's lock
            if library is not None:
                index.writing.catch_up(library, report)
        except Exception:
            index.close()
            raise
        return index

    def _readonly(self, why: str = "locked"):
        """The index as it is, never written: another process holds the write
        lock (``locked``), the disk is ``full``, or the index's folder cannot
        be written (``unwritable``: its permissions, a read-only file system)."""
        folder, report = self.folder, self.report
        full = why == "full"
        try:
            catalog = Catalog(folder / "catalog.sqlite3", readonly=True)
            ix = _storage(folder / "whoosh").open_index()
            if full and not catalog.digests():  # nothing to show
                raise DiskFull(folder)
        except Exception as e:
            if full:
                raise DiskFull(folder) from None
            if why == "unwritable":
                raise IndexError_(f"the index in {folder} cannot be written (permissions or a read-only "
                                  f"file system) and has nothing to show ({type(e).__name__})") from None
            raise IndexError_(
                f"the index in {folder} is being built by another papers process; try again "
                f"when it has finished ({type(e).__name__})") from None
        report.readonly = True
        report.notices.append(
            f"disk full: the index in {folder} is shown as it was, not updated; free some space" if full
            else f"the index in {folder} cannot be written (permissions or a read-only file system); "
                 "showing it as it is, not updated" if why == "unwritable"
            else "another papers process is updating the index; showing it read-only as it is")
        return self.make(folder, catalog, ix, readonly=True)

    def _writable(self, rebuild: bool):
        folder, report = self.folder, self.report
        wdir = folder / "whoosh"
        cpath = folder / "catalog.sqlite3"
        damage = damage_found(folder)
        if damage and not rebuild:  # a read met damage since the last opening
            report.notices.append(f"{damage}; rebuilding it")
            rebuild = True
        if not rebuild and wdir.is_dir() and (not cpath.is_file() or cpath.stat().st_size == 0):
            report.notices.append(f"the index could not be read (its catalog {cpath.name} is "
                                  f"{'empty' if cpath.is_file() else 'missing'}); rebuilding it")
            rebuild = True
        if not rebuild:
            try:
                catalog = Catalog(cpath)
                versions = (catalog.meta("parser_version"), catalog.meta("schema_version"))
                ix = _storage(wdir).open_index()
                ix.doc_count()
                if versions != (str(PARSER_VERSION), str(SCHEMA_VERSION)):
                    catalog.close()
                    report.notices.append("the index format changed; rebuilding it")
                    rebuild = True
                elif recover(folder, catalog, ix, report.notices):
                    return self.make(folder, catalog, ix, readonly=False)
                else:
                    catalog.close()
                    rebuild = True
            except wi.EmptyIndexError:
                if cpath.exists() and catalog.meta("schema_version"):
                    report.notices.append("the index was missing; rebuilding it")
                rebuild = True
            except Exception as e:  # corrupt or truncated files of any kind
                if full_disk(e, folder):  # not damage: keep it
                    raise DiskFull(folder) from None
                if not _can_write(folder, wdir):  # not damage either: SQLite cannot make its journal there
                    raise NotWritable(folder) from None
                report.notices.append(f"the index could not be read ({type(e).__name__}); rebuilding it")
                rebuild = True
        if disk_full(folder) and (wdir.exists() or cpath.exists()):
            raise DiskFull(folder)  # never delete an index there is no room to build again
        if (wdir.exists() or cpath.exists()) and not _can_write(folder, wdir):
            raise NotWritable(folder)  # never delete an index that cannot be written again
        report.rebuilt = True
        for p in (wdir, cpath, folder / "catalog.sqlite3-wal", folder / "catalog.sqlite3-shm"):
            try:
                shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)
            except OSError as e:
                raise IndexError_(f"cannot clear the old index {p}: {e.strerror or e}") from None
        try:
            wdir.mkdir(parents=True, exist_ok=True)
            ix = _storage(wdir).create_index(make_schema())
            catalog = Catalog(cpath)
            catalog.set_meta("parser_version", str(PARSER_VERSION))
            catalog.set_meta("schema_version", str(SCHEMA_VERSION))
            record_generations(catalog, ix.latest_generation())
            (folder / UPDATING).unlink(missing_ok=True)  # what it was updating is gone
            clear_damage(folder)
        except (OSError, sqlite3.Error) as e:
            if full_disk(e, folder):
                raise DiskFull(folder) from None
            raise IndexError_(f"cannot write the index in {folder}: {getattr(e, 'strerror', None) or e}") from None
        return self.make(folder, catalog, ix, readonly=False)
