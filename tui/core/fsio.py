"""File-system safety, in one place: everything of ``papers`` that writes a file
goes through here.

* :func:`atomic_write` -- a file holds its old content or the new, whatever
  happens (temporary file beside it, fsync, rename, fsync of the folder);
* :func:`write_new` -- the same, but never over an existing file
  (``FileExistsError``, also when the name appears meanwhile);
* :class:`FileLock` / :func:`file_lock` -- an advisory lock (flock) between
  ``papers`` processes, waiting for ever or up to a given time;
* :func:`sha256_file` -- a file's content hash, read in chunks;
* :func:`read_state` -- a small JSON state file of papers' own, read through
  a check of its shape; one that cannot be read is set aside with one line
  and the caller starts afresh (as the catalog and the library are);
* :func:`disk_full` / :func:`is_disk_full` -- whether a failure was the disk
  being full (an ``ENOSPC``, or an error SQLite calls "disk I/O error" on a
  file system with no space left).

Temporary files are named ``.<name>.<pid>-<n>.tmp`` in the target's folder and
are removed on every failure. Files are created 0600 (:data:`FILE_MODE`)
whatever the umask, as the library and the data folders (0700) are: a
library, its notes and its exports are the user's alone.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import json
import os
import stat
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

T = TypeVar("T")

_SEQ = itertools.count()
FILE_MODE = 0o600  # what papers writes is read by its user alone (the umask may take more away)


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new name in ``folder`` durable (best effort: some file
    systems cannot open or sync a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _temp_copy(path: Path, data: bytes) -> Path:
    """``data`` written and synced to a new temporary file beside ``path``."""
    tmp = path.parent / f".{path.name}.{os.getpid()}-{next(_SEQ)}.tmp"
    try:
        # the user's alone (0600), whatever the umask: a library export, a note, a digest
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE), "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def _bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def atomic_write(path: Path, data: bytes | str) -> None:
    """Replace ``path`` with ``data`` (str is written as UTF-8, newlines as
    given): the file holds the old content or the new, never a part."""
    path = Path(path)
    tmp = _temp_copy(path, _bytes(data))
    try:
        os.replace(tmp, path)
    finally:
        _unlink(tmp)
    fsync_folder(path.parent)


def write_new(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` whole or not at all; ``FileExistsError`` if
    ``path`` exists (also when it appears meanwhile): never overwrites."""
    path = Path(path)
    tmp = _temp_copy(path, _bytes(data))
    try:
        try:
            os.link(tmp, path)  # fails if path exists
        except FileExistsError:
            raise
        except OSError:  # no hard links on this file system
            if path.exists():
                raise FileExistsError(str(path)) from None
            os.rename(tmp, path)
    finally:
        _unlink(tmp)
    fsync_folder(path.parent)


FULL_BELOW = 256 * 1024  # bytes free under which a failed write is put down to a full disk


def disk_full(path: Path) -> bool:
    """Whether the file system holding ``path`` (or its nearest existing
    folder) has next to no space left for this user."""
    path = Path(path)
    for folder in (path, *path.parents):
        try:
            st = os.statvfs(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except (OSError, AttributeError):  # no statvfs (Windows), or unreadable
            return False
        return st.f_bavail * st.f_frsize < FULL_BELOW
    return False


def is_disk_full(error: BaseException, path: Path | None = None) -> bool:
    """Whether ``error`` (an OSError, or any error while writing under
    ``path``) comes from a full disk."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return path is not None and disk_full(path)


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of a file's bytes; ``OSError`` if it cannot be read."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


#: what a state file of an unexpected shape raises, read or checked: not UTF-8 or
#: not JSON (ValueError), nested too deep (RecursionError), a list where an
#: object was meant or a field missing (TypeError, KeyError, AttributeError,
#: IndexError)
SHAPE_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError)
MAX_STATE_BYTES = 16 * 1024 * 1024  # papers' own state files are kilobytes; more is not one of them


def read_state(path: Path, shape: Callable[[Any], T], problems: list[str], afresh: str,
               set_aside: bool = True) -> T | None:
    """A small JSON state file of papers' own (``state.json``, ``fetched.json``,
    ``watched-origins.json``, the config's last good record), as ``shape(doc)``
    makes it, or None.

    ``shape`` returns what the caller keeps, or raises one of
    :data:`SHAPE_ERRORS` for a document it does not expect. A missing file is
    None and nothing said. A file that is not UTF-8 JSON, is nested too deep,
    is larger than any state file or that ``shape`` refuses is moved aside to
    ``<name>.broken-<UTC time>`` (unless ``set_aside`` is false, as in a dry
    run) and one line goes to ``problems``, ending with ``afresh`` (what the
    caller does instead); a file that cannot be read (permissions) is said
    and left where it is. Never raises for the file's content or an OSError."""
    path = Path(path)
    try:  # opened without waiting: a FIFO put in its place must not hold every command
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as f:
            regular = stat.S_ISREG(os.fstat(f.fileno()).st_mode)
            data = f.read(MAX_STATE_BYTES + 1) if regular else b""
    except FileNotFoundError:
        return None
    except OSError as e:
        problems.append(_one_line(f"{path} could not be read ({e.strerror or e}); {afresh}"))
        return None
    try:
        if not regular:
            raise ValueError("not a regular file")
        if len(data) > MAX_STATE_BYTES:
            raise ValueError(f"larger than {MAX_STATE_BYTES // (1024 * 1024)} MB")
        return shape(json.loads(data.decode("utf-8")))
    except SHAPE_ERRORS as e:
        reason = str(e).splitlines()[0][:80] if str(e) else type(e).__name__
        if isinstance(e, RecursionError):
            reason = "nested too deep"
        elif isinstance(e, KeyError):
            reason = f"no {reason}"
        note = ""
        if set_aside:
            try:
                note = f"; moved to {move_aside(path).name}"
            except OSError:
                pass
        problems.append(_one_line(f"{path} could not be read ({reason}){note}; {afresh}"))
        return None


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file; ``OSError`` (``EINVAL``, "not a regular
    file") for a FIFO, a device or a socket, which would block or never end.
    Opened without waiting, so a FIFO is refused at once."""
    with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a pipe, a device or a socket)", str(path))
        return f.read()


def move_aside(path: Path) -> Path:
    """Rename ``path`` to ``<name>.broken-<UTC time>`` (``-2``, ``-3`` … when
    taken), never over an existing file; the new path."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for n in itertools.count(1):
        dest = path.with_name(f"{path.name}.broken-{stamp}" + (f"-{n}" if n > 1 else ""))
        if dest.exists():
            continue
        try:
            os.link(path, dest)  # fails if dest appeared meanwhile: never overwrites
        except FileExistsError:
            continue
        except OSError:  # no hard links on this file system
            os.rename(path, dest)
            return dest
        os.unlink(path)
        return dest
    raise AssertionError("unreachable")  # pragma: no cover


def _one_line(text: str) -> str:
    from .text import one_line

    return one_line(text)


class FileLock:
    """An exclusive advisory lock (flock) on a lock file, held between
    :meth:`acquire` and :meth:`release`. Where flock does not exist (Windows)
    it always succeeds and locks nothing."""

    POLL = 0.05

    def __init__(self, path: Path):
        self.path = Path(path)
        self.fd: int | None = None

    def acquire(self, wait: float | None = None) -> bool:
        """Take the lock: ``wait=None`` waits for as long as it takes, a number
        waits at most that many seconds and returns False when it could not."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            if wait is None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            else:
                deadline = time.monotonic() + wait
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except OSError as e:
                        if e.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                            raise
                    if time.monotonic() >= deadline:
                        os.close(fd)
                        return False
                    time.sleep(self.POLL)
        except BaseException:
            try:
                os.close(fd)
            except OSError:
                pass
            raise
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is None:
            return
        import fcntl

        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)
            self.fd = None


@contextmanager
def file_lock(path: Path, wait: float | None = None) -> Iterator[None]:
    """``with file_lock(path):`` -- a short critical section between papers
    processes. With ``wait``, ``TimeoutError`` when the lock stays taken."""
    lock = FileLock(path)
    if not lock.acquire(wait):
        raise TimeoutError(f"{path} is locked by another papers process")
    try:
        yield
    finally:
        lock.release()
