"""The library's SQLite file: connecting (WAL, ``synchronous=FULL``, a busy
timeout), checking and upgrading it, the read-only fallback, moving a broken
file aside, one-line errors for SQLite failures, the transaction machinery
(:meth:`Database.batch`) and the change log with its generation.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence, TypeVar

from ..fsio import disk_full, file_lock
from .migrations import MIGRATIONS, SCHEMA_VERSION
from .rules import LibraryError, _one_line

if TYPE_CHECKING:  # pragma: no cover
    from ..paths import Paths

BUSY_TIMEOUT_MS = 15_000
_D = TypeVar("_D", bound="Database")


# --- errors ------------------------------------------------------------------

class _Broken(Exception):
    """The file is not a readable library (internal: it gets moved aside)."""


def _code(e: sqlite3.Error) -> str:
    return getattr(e, "sqlite_errorname", "") or ""


def _is_corrupt(e: sqlite3.Error) -> bool:
    name, msg = _code(e), str(e).lower()
    return (name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
            or "not a database" in msg or "malformed" in msg or "encrypted" in msg)


def _is_busy(e: sqlite3.Error) -> bool:
    name, msg = _code(e), str(e).lower()
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in msg or "busy" in msg


def _explain(e: sqlite3.Error, path: Path, doing: str) -> LibraryError:
    """A one-line LibraryError for an SQLite failure that is not corruption."""
    name, msg = _code(e), str(e).lower()
    folder = path.parent
    if (name.startswith("SQLITE_FULL") or "disk is full" in msg
            or (name.startswith("SQLITE_IOERR") or "disk i/o" in msg) and disk_full(folder)):
        why = "the disk is full"
    elif name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in msg or "busy" in msg:
        why = (f"another papers process has held it for over {BUSY_TIMEOUT_MS // 1000} s; "
               "close it or try again")
    elif (name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH"))
          or "readonly" in msg or "read-only" in msg or "unable to open" in msg):
        if path.is_dir():
            why = "that path is a folder"
        elif not os.access(folder, os.W_OK):
            why = f"the folder {folder} is read-only"
        elif path.exists() and not os.access(path, os.W_OK):
            why = "the file is read-only"
        else:
            why = f"it cannot be opened for writing ({e})"
    elif name.startswith("SQLITE_IOERR") or "disk i/o" in msg:
        why = f"the disk reported an I/O error ({e})"
    else:
        why = str(e)
    return LibraryError(_one_line(f"cannot {doing} the library {path}: {why}"))


def _move_aside(path: Path) -> Path:
    """Rename ``path`` (and its -wal / -shm) to ``<name>.broken-<UTC time>``,
    never replacing an existing file."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    n = 1
    while True:
        dest = path.with_name(f"{path.name}.broken-{stamp}" + (f"-{n}" if n > 1 else ""))
        if not any(Path(str(dest) + s).exists() for s in ("", "-wal", "-shm")):
            try:
                os.link(path, dest)  # fails if dest exists: never overwrites
            except FileExistsError:
                n += 1
                continue
            except OSError:  # no hard links here: fall back to a checked rename
                if dest.exists():
                    n += 1
                    continue
                os.rename(path, dest)
            else:
                os.unlink(path)
            for s in ("-wal", "-shm"):
                side = Path(str(path) + s)
                if side.exists():
                    os.rename(side, Path(str(dest) + s))
            return dest
        n += 1


# --- the database ----------------------------------------------------------------

@dataclass
class Transaction:
    """The transaction :meth:`Database.batch` holds open: the papers it
    changed, and once committed the generation it wrote."""

    changed: set[str] = field(default_factory=set)
    generation: int | None = None


def chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class Database:
    """The library's SQLite file: opening it (creating, upgrading, moving a
    broken file aside, or read-only), one connection shared under a lock,
    transactions (:meth:`batch`), and the generation and change log that
    every change of a paper writes."""

    LOG_KEEP = 50_000     # change-log generations kept
    PRUNE_EVERY = 1_000   # prune the log when the generation is a multiple of this

    def __init__(self, path: Path, db: sqlite3.Connection, notices: list[str] | None = None):
        self.path = path
        self._db = db
        self._lock = threading.RLock()
        self._tx: Transaction | None = None
        self.notices: list[str] = notices or []
        self.readonly = False  # opened read-only: every change raises LibraryError
        self.readonly_why = ""  # why, for that error

    # -- opening ----------------------------------------------------------------
    @classmethod
    def open(cls: type[_D], paths: "Paths") -> _D:
        """Open (creating, upgrading or replacing a broken file as needed) the
        library of ``paths``. Raises :class:`LibraryError`."""
        path = paths.library
        try:
            paths.data.mkdir(mode=0o700, parents=True, exist_ok=True)  # private, whatever the umask
        except OSError as e:
            raise LibraryError(_one_line(
                f"cannot create the data folder {paths.data}: {e.strerror or e}")) from None
        notices: list[str] = []
        try:
            db = cls._connect(path)
        except LibraryError as e:
            full = path.is_file() and disk_full(path)
            if not full and (not path.is_file() or os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
                raise
            # A read-only folder or file, or a full disk: show the library as it
            # is, refuse changes.
            until = " until space is freed" if full else ""
            lib = cls(path, cls._connect_readonly(path, e), [
                _one_line(f"{e}; the library is shown read-only and changes cannot be saved{until}")])
            lib.readonly = True
            lib.readonly_why = "the disk is full" if full else "its folder or file cannot be written"
            return lib
        except _Broken as broken:
            lock = path.with_name(path.name + ".lock")
            try:
                with file_lock(lock):
                    try:  # another process may have replaced it meanwhile
                        db = cls._connect(path)
                    except _Broken:
                        moved = _move_aside(path)
                        notices.append(_one_line(
                            f"the library {path} could not be read ({broken}); it was moved to "
                            f"{moved.name} and a new, empty library was started"))
                        db = cls._connect(path)
            except OSError as e:
                raise LibraryError(_one_line(
                    f"the library {path} could not be read ({broken}) and cannot be moved aside: "
                    f"{e.strerror or e}")) from None
            except _Broken as again:  # pragma: no cover - a fresh file that is broken at once
                raise LibraryError(_one_line(f"cannot create a new library at {path}: {again}")) from None
        return cls(path, db, notices)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        """Connect, check and migrate; raises _Broken or LibraryError."""
        if path.is_dir():
            raise LibraryError(_one_line(f"cannot open the library {path}: that path is a folder"))
        try:  # a new library is the user's alone (0600), whatever the umask; SQLite gives -wal/-shm its mode
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError:  # there already, or the folder cannot be written: SQLite says what it finds
            pass
        try:
            db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                 check_same_thread=False)
        except sqlite3.Error as e:
            raise _explain(e, path, "open") from None
        try:
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # Switching to WAL (and WAL recovery) can answer "locked" at once,
            # without waiting: retry the idempotent set-up until the timeout.
            deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
            while True:
                try:
                    Database._setup(db, path)
                    break
                except sqlite3.OperationalError as e:
                    if not _is_busy(e) or time.monotonic() > deadline:
                        raise
                    time.sleep(random.uniform(0.005, 0.03))
        except sqlite3.Error as e:
            db.close()
            if _is_corrupt(e):
                raise _Broken(_one_line(str(e))) from None
            raise _explain(e, path, "open") from None
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _connect_readonly(path: Path, why: LibraryError) -> sqlite3.Connection:
        """A connection that never writes. Plain read-only first, which also
        reads changes still in the -wal file; where that cannot work (no -shm
        can be made in a read-only folder) ``immutable``, which reads the main
        file alone."""
        uri = path.resolve().as_uri()
        last: Exception | None = None
        for mode in ("mode=ro", "mode=ro&immutable=1"):
            try:
                db = sqlite3.connect(f"{uri}?{mode}", uri=True, check_same_thread=False, isolation_level=None)
            except sqlite3.Error as e:
                last = e
                continue
            try:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.Error as e:
                db.close()
                last = e
                continue
            if version != SCHEMA_VERSION:
                db.close()
                raise LibraryError(_one_line(
                    f"{why}; it is in format {version} and cannot be upgraded read-only"))
            return db
        raise LibraryError(_one_line(f"{why}; reading it read-only failed too: {last}")) from None

    @staticmethod
    def _setup(db: sqlite3.Connection, path: Path) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise LibraryError(_one_line(
                f"the library {path} was written by a newer version of papers (format {version}; "
                f"this version reads up to {SCHEMA_VERSION}); upgrade papers"))
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise LibraryError(_one_line(
                f"cannot open the library {path}: the file system does not allow a WAL journal"))
        db.execute("PRAGMA synchronous=FULL")
        check = db.execute("PRAGMA quick_check").fetchall()
        if [r[0] for r in check] != ["ok"]:
            raise _Broken(_one_line(f"integrity check: {check[0][0]}"))
        Database._migrate(db, path)

    @staticmethod
    def _migrate(db: sqlite3.Connection, path: Path) -> None:
        if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]  # again, under the lock
            if version == 0:
                tables = {r[0] for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")}
                if tables:
                    raise _Broken("an SQLite file that is not a papers library")
            elif version < SCHEMA_VERSION:
                tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                if not {"bookmarks", "tags", "notes", "reads"} <= tables:
                    raise _Broken(f"format {version} without the library's tables")
            while version < SCHEMA_VERSION:
                version += 1
                MIGRATIONS[version](db)
                db.execute(f"PRAGMA user_version={version}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None  # type: ignore[assignment]

    def __enter__(self: _D) -> _D:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------
    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            if self._db is None:
                raise LibraryError(f"the library {self.path} is closed")
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as e:
                raise _explain(e, self.path, "read") from None

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One consistent view of the file for several SELECTs."""
        with self._lock:
            if self._db is None:
                raise LibraryError(f"the library {self.path} is closed")
            if self._db.in_transaction:
                yield
                return
            try:
                self._db.execute("BEGIN")
            except sqlite3.Error as e:
                raise _explain(e, self.path, "read") from None
            try:
                yield
            finally:
                if self._db.in_transaction:
                    self._db.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """One statement, in the transaction :meth:`batch` holds open."""
        with self._lock:
            return self._db.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> sqlite3.Cursor:
        """One statement for each of ``rows``, in the transaction :meth:`batch` holds open."""
        with self._lock:
            return self._db.executemany(sql, rows)

    @contextmanager
    def batch(self) -> Iterator[Transaction]:
        """One transaction for several changes (all or nothing, one generation)::

            with library.batch() as tx:
                library.set_bookmark(pid, True)
                library.add_tags(pid, ["to-read"])
            tx.generation  # the generation of the change, None if nothing changed

        Calls nest: a change made inside joins the open transaction.
        """
        with self._lock:
            if self._db is None:
                raise LibraryError(f"the library {self.path} is closed")
            if self._tx is not None:  # nested: join the open transaction
                yield self._tx
                return
            if self.readonly:
                raise LibraryError(_one_line(
                    f"cannot change the library {self.path}: it is open read-only ({self.readonly_why})"))
            tx = Transaction()
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise _explain(e, self.path, "write") from None
            self._tx = tx
            try:
                yield tx
                if tx.changed:
                    tx.generation = self._log(tx.changed)
                self._db.execute("COMMIT")
            except BaseException as e:
                try:
                    self._db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                if isinstance(e, sqlite3.Error):
                    raise _explain(e, self.path, "write") from None
                raise
            finally:
                self._tx = None

    def _log(self, ids: set[str]) -> int:
        db = self._db
        gen = int(db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()[0]) + 1
        db.execute("UPDATE meta SET value=? WHERE key='generation'", (str(gen),))
        db.executemany("INSERT OR IGNORE INTO changes VALUES (?, ?)", ((gen, i) for i in ids))
        db.executemany("INSERT OR IGNORE INTO papers (id) VALUES (?)", ((i,) for i in ids))
        if gen % self.PRUNE_EVERY == 0 and gen > self.LOG_KEEP:
            floor = gen - self.LOG_KEEP
            db.execute("DELETE FROM changes WHERE generation <= ?", (floor,))
            db.execute("UPDATE meta SET value=? WHERE key='log_floor' AND CAST(value AS INTEGER) < ?",
                       (str(floor), floor))
        return gen

    # -- generation and change log -----------------------------------------------
    def outside_version(self) -> int:
        """Changes whenever another connection (another process) commits any
        change to the file: mutes, follows and saved searches too, which
        bump no generation (SQLite's ``data_version``)."""
        return int(self.read("PRAGMA data_version")[0][0])

    def generation(self) -> int:
        """Bumped by every committed change, by any process; never goes down."""
        return int(self.read("SELECT value FROM meta WHERE key='generation'")[0][0])

    def changed_since(self, generation: int) -> list[str]:
        """Ids of the papers changed after ``generation``; every id the library
        ever held when the log no longer reaches back that far (or when
        ``generation`` is from another library, newer than this one's)."""
        with self.reading():
            floor = int(self.read("SELECT value FROM meta WHERE key='log_floor'")[0][0])
            if generation < floor or generation > self.generation():
                return self.touched_ids()
            return [r[0] for r in self.read(
                "SELECT DISTINCT paper_id FROM changes WHERE generation > ? ORDER BY paper_id",
                (int(generation),))]

    def touched_ids(self) -> list[str]:
        """Every paper id the library has held, with or without state now."""
        return [r[0] for r in self.read("SELECT id FROM papers ORDER BY id")]

    def integrity_check(self) -> str:
        """``ok``, or SQLite's first complaint."""
        return self.read("PRAGMA integrity_check")[0][0]
