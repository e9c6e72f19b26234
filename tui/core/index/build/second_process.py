"""The helper process of a big first build: a second Python process that
indexes part of the papers into segments of its own (see :class:`SecondProcess`).
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Callable

from .analysis import WORDS
from .bulk import BulkWriter
from ..catalog import ParsedDigest, parse_digest
from .schema import IndexError_, _storage


class SecondProcess:
    """A second process that indexes part of a big first build into segments of
    its own, which the writer holding the lock then commits with its own
    (Python indexes on one core; this uses the second).

    A plain ``python -c`` child, talking pickles over its stdin and stdout:
    multiprocessing would re-run the parent's main script in the child, which
    is unsafe for a script without a ``__main__`` guard, and forking a process
    with threads (the reader builds from a worker thread) is unsafe too.

    Chunks go to it while it has fewer than three queued, so it never waits
    for this process, which also parses, merges and writes the catalog. If it
    fails, its chunks are indexed in this process.

    Before the papers can be merged, every digest must be parsed: meanwhile
    it parses digests too (:meth:`parse`), from the last one back while this
    process parses from the first, and hands back their catalog rows."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.chunks: list[list[str]] = []  # ids sent, to redo here if it fails
        self.papers_done = 0
        self.failed: str | None = None
        self._acked = 0
        self.parsed: dict[int, ParsedDigest] = {}  # digests it parsed, by the number they were sent with
        self._parsing = 0  # sent and not parsed yet
        self._outbox: queue.Queue = queue.Queue()
        self._inbox: queue.Queue = queue.Queue()
        threading.Thread(target=self._write, daemon=True, name="papers-index-helper-out").start()
        threading.Thread(target=self._read, daemon=True, name="papers-index-helper-in").start()

    @classmethod
    def start(cls, folder: Path) -> "SecondProcess | None":
        if getattr(sys, "frozen", False) or _cpus() < 2:
            return None
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([p for p in sys.path if p] + [env.get("PYTHONPATH", "")])
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", f"from {__name__} import second_process_main; second_process_main()", str(folder)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        except OSError:
            return None
        return cls(proc)

    def _write(self) -> None:
        try:
            while True:
                item = self._outbox.get()
                pickle.dump(item, self.proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                self.proc.stdin.flush()
                if item is None:
                    return
        except (OSError, ValueError):
            pass  # it has ended; _read says so

    def _read(self) -> None:
        try:
            while True:
                msg = pickle.load(self.proc.stdout)
                self._inbox.put(msg)
                if msg[0] not in ("done", "parsed"):
                    return
        except Exception:
            self._inbox.put(("error", "the helper process ended unexpectedly"))

    def _take(self, timeout: float | None = None):
        try:
            msg = self._inbox.get(timeout=timeout) if timeout else self._inbox.get_nowait()
        except queue.Empty:
            return None
        if msg[0] == "done":
            self._acked += 1
            self.papers_done += msg[1]
        elif msg[0] == "parsed":
            self._parsing -= 1
            self.parsed[msg[1]] = msg[2]
        elif msg[0] == "error":
            self.failed = msg[1]
            self.stop()
        return msg

    def wants_more(self) -> bool:
        while self.failed is None and self._take():
            pass
        return self.failed is None and len(self.chunks) - self._acked < 3

    def parsing(self) -> int:
        """Digests sent to parse and not handed back yet."""
        while self.failed is None and self._take():
            pass
        return self._parsing if self.failed is None else 0

    def parse(self, number: int, path: Path, name: str) -> None:
        self._parsing += 1
        self._outbox.put(("parse", number, str(path), name))

    def take_parsed(self, number: int) -> ParsedDigest | None:
        """The rows of digest ``number`` (sent to :meth:`parse`) once parsed;
        None if the helper failed."""
        while number not in self.parsed and self.failed is None:
            self._take(timeout=0.5)
        return self.parsed.pop(number, None)

    def send(self, ids: list[str], docs: list[dict]) -> None:
        self.chunks.append(ids)
        self._outbox.put(docs)

    def finish(self, tell: Callable[[], None]) -> tuple[list, dict[str, int]]:
        """Its segments and the vocabulary of what it indexed (``WORDS.surface``
        of the words it counted), once it has indexed everything."""
        self._outbox.put(None)
        while self.failed is None:
            msg = self._take(timeout=0.5)
            if msg is None:
                continue
            tell()
            if msg[0] == "segments":
                self.proc.wait()
                return msg[1], msg[2]
        raise IndexError_(f"the index helper failed ({self.failed})")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def second_process_main() -> None:
    """The helper process: index the documents it is sent; answer with segments."""
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the channel
    try:
        ix = _storage(sys.argv[1]).open_index()
        writer = BulkWriter(ix, _lk=False)  # the parent holds the lock
        writer.words = Counter()
        while (item := pickle.load(inp)) is not None:
            if isinstance(item, tuple):  # ("parse", number, path, name)
                _, number, path, name = item
                pickle.dump(("parsed", number, parse_digest(Path(path), name)), out,
                            protocol=pickle.HIGHEST_PROTOCOL)
                out.flush()
                continue
            for d in item:
                writer.add_document(**d)
            pickle.dump(("done", len(item)), out)
            out.flush()
        segments = writer.finish_segments()
        pickle.dump(("segments", segments, WORDS.surface(writer.words)), out, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as e:
        pickle.dump(("error", f"{type(e).__name__}: {e}"), out)
    out.flush()


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def parse_in_order(todo: list, helper: SecondProcess | None, progress: Callable | None = None):
    """Each digest of ``todo`` with its catalog rows, in order. With a helper
    process it parses from the last digest back (two ahead at most) while
    this process parses from the first, until they meet."""
    n = len(todo)
    lo, hi = 0, n
    while lo < hi:
        while helper is not None and hi - lo > 1 and helper.parsing() < 2 and helper.failed is None:
            hi -= 1
            helper.parse(hi, todo[hi][0].path, todo[hi][0].name)
        if progress:
            progress(lo, n, f"parsing {todo[lo][0].path.name}")
        yield todo[lo], parse_digest(todo[lo][0].path, todo[lo][0].name)
        lo += 1
    for i in range(hi, n):
        if progress:
            progress(i, n, f"parsing {todo[i][0].path.name}")
        d = helper.take_parsed(i) if helper is not None else None
        yield todo[i], d if d is not None else parse_digest(todo[i][0].path, todo[i][0].name)
