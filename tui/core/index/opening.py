"""Opening the index: the write lock taken, the index opened as it is, or
rebuilt when its format changed, it was damaged or it is missing, then synced
with the digest files and the library; read-only when another process holds
the lock or the disk is full (see :mod:`.recovery`). :class:`Opening` is the
part of :class:`~.store.Index` that opens it.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path
from typing import Callable, Self

from whoosh import index as wi

from ..digest import PARSER_VERSION
from ..fsio import FileLock, disk_full
from ..paths import Paths, Source, digest_sources
from .catalog import Catalog
from .recovery import (UPDATING, DiskFull, clear_damage, damage_found, damage_line, full_disk, is_damage,
                       record_generations, recover)
from .results import LibrarySource, SyncReport
from .schema import SCHEMA_VERSION, IndexError_, _storage, make_schema

LOCK_WAIT = 3.0

Progress = Callable[[int, int, str], None]


class Opening:
    """How :class:`~.store.Index` is opened (see the module's docstring)."""

    # -- opening --------------------------------------------------------------
    @classmethod
    def open(
        cls,
        paths: Paths,
        sources: list[Source] | Callable[[], list[Source]] | None = None,
        progress: Progress | None = None,
        library: LibrarySource | None = None,
        rebuild: bool = False,
        lock_wait: float = LOCK_WAIT,
    ) -> tuple[Self, SyncReport]:
        """Open the index in ``paths.index`` and bring it up to date with the
        digest files and with the library (tags, notes, flags changed since the
        index last saw it, for instance by another papers process).

        ``sources`` is best given as a function that lists them: it is called
        once the write lock is held, so a process that waited for another one
        sees the digest files that one added."""
        t0 = time.perf_counter()
        folder = paths.index
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise IndexError_(f"cannot create the index folder {folder}: {e.strerror or e}") from None
        report = SyncReport()
        lock = FileLock(folder / "write.lock")
        try:
            locked = lock.acquire(lock_wait)
        except OSError as e:
            raise IndexError_(f"cannot lock the index in {folder}: {e.strerror or e}") from None
        try:
            if not locked:
                index = cls._open_readonly(folder, report)
            else:
                def listed() -> list[Source]:
                    return (digest_sources(paths) if sources is None
                            else sources() if callable(sources) else sources)
                try:
                    index = cls._open_synced(folder, report, rebuild, listed, progress, library)
                except Exception as e:
                    if full_disk(e, folder):  # show it as it was, if there is one
                        index = cls._open_readonly(folder, report, full=True)
                    elif rebuild or not is_damage(e):
                        raise
                    else:  # damage the opening met: rebuild now
                        report.notices.append(f"{damage_line(e)}; rebuilding it")
                        index = cls._open_synced(folder, report, True, listed, progress, library)
        finally:
            lock.release()
        report.seconds = time.perf_counter() - t0
        return index, report

    @classmethod
    def _open_synced(cls, folder: Path, report: SyncReport, rebuild: bool, sources: Callable[[], list[Source]],
                     progress: Progress | None, library: LibrarySource | None) -> Self:
        index = cls._open_writable(folder, report, rebuild)
        try:
            index.sync(sources(), report, progress, library)
            if library is not None:
                index.catch_up(library, report)
        except Exception:
            index.close()
            raise
        return index

    @classmethod
    def _open_readonly(cls, folder: Path, report: SyncReport, full: bool = False) -> Self:
        """The index as it is, never written: another process holds the write
        lock, or (``full``) the disk is full."""
        try:
            catalog = Catalog(folder / "catalog.sqlite3", readonly=True)
            ix = _storage(folder / "whoosh").open_index()
            if full and not catalog.digests():  # nothing to show
                raise DiskFull(folder)
        except Exception as e:
            if full:
                raise DiskFull(folder) from None
            raise IndexError_(
                f"the index in {folder} is being built by another papers process; try again "
                f"when it has finished ({type(e).__name__})") from None
        report.readonly = True
        report.notices.append(
            f"disk full: the index in {folder} is shown as it was, not updated; free some space" if full
            else "another papers process is updating the index; showing it read-only as it is")
        return cls(folder, catalog, ix, readonly=True)

    @classmethod
    def _open_writable(cls, folder: Path, report: SyncReport, rebuild: bool) -> Self:
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
                    return cls(folder, catalog, ix, readonly=False)
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
                report.notices.append(f"the index could not be read ({type(e).__name__}); rebuilding it")
                rebuild = True
        if disk_full(folder) and (wdir.exists() or cpath.exists()):
            raise DiskFull(folder)  # never delete an index there is no room to build again
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
        return cls(folder, catalog, ix, readonly=False)
