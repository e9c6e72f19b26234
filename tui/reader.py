"""What the screens and panes of the reader share: the session's library and
index, the lock the index is used under, and the few facts of this run (the
digests new since the last start, the papers the user kept unread).

No Textual here: panes read through this object and say what happened with
messages. Every use of the index from a thread worker takes ``lock``; a search
or a count never runs while the index is being reopened or caught up.
"""

from __future__ import annotations

import threading
from typing import Callable

from .core.config import Config
from .core.paths import Paths
from .core.session import Imported, Opened, Session

Notify = Callable[..., None]


class Reader:
    DWELL = 2.0  # seconds a paper's details stay open before it counts as read

    def __init__(self, paths: Paths | None, config: Config | None = None, *, dwell: float | None = None):
        self.paths = paths
        self.config = config or Config()
        self.session = Session(paths, self.config, reader=True) if paths is not None else None
        self.lock = threading.Lock()
        self.library = None
        self.index = None
        self.dwell = self.DWELL if dwell is None else dwell  # 0: never mark read by itself
        self.kept_unread: set[str] = set()  # the user said unread while viewing: leave it
        self.new_digests: list[str] = []  # digests added since the previous start
        self.saved_counts: dict[str, int] = {}  # saved search -> papers it finds, once counted
        self.show_timings = True
        self._generation = 0

    # -- opening ------------------------------------------------------------------------
    def open_library(self) -> list[str]:
        """Open the library; its notices (a broken file moved aside, …) are
        returned. Raises ``LibraryError``."""
        if self.session is None:
            return []
        self.library = self.session.open_library()
        self._generation = self.library.generation()
        return list(self.library.notices)

    def open_index(self, progress, rebuild: bool = False) -> tuple[Opened, Imported]:
        """(In a thread.) The watched folders imported, the index opened and
        synced, the watches run, what's new recorded."""
        with self.lock:
            if self.index is not None:
                self.index.close()
                self.index = None
            imported = self.session.import_watched()
            opened = self.session.open_index(progress, rebuild)  # the sources as they are after the import
        return opened, imported

    def preview(self, limit: int):
        """(In a thread.) The first ``limit`` papers, newest first, and the
        papers themselves, from the catalog the last opening left -- before
        the index is open (no Whoosh, no sync); None when there is none."""
        if self.paths is None:
            return None
        from .core.index.listing import Listing

        listing = Listing.open(self.paths.index)
        if listing is None:
            return None
        try:
            result = listing.newest_page(0, limit)
            if not result.hits:  # nothing yet (a first build under way): nothing to show
                return None
            return result, listing.get_many(h.id for h in result.hits)
        finally:
            listing.close()

    def close(self) -> None:
        if self.index is not None:
            with self.lock:
                self.index.close()
        if self.library is not None:
            self.library.close()

    # -- papers and digests ---------------------------------------------------------------
    def paper(self, pid: str):
        return self.index.get(pid) if self.index is not None else None

    def papers(self, ids) -> dict:
        return self.index.get_many(list(ids)) if self.index is not None else {}

    def titles(self, ids) -> dict:
        return self.index.titles(list(ids)) if self.index is not None else {}

    def digest_ids(self, name: str, offset: int = 0, limit: int = -1) -> list[str]:
        """The paper ids of a digest in its order (all from ``offset`` when ``limit`` < 0)."""
        return self.index.digest_page(name, offset, limit) if self.index is not None else []

    def digests(self) -> list:
        return list(self.index.digests()) if self.index is not None else []

    def digest(self, name: str):
        return next((d for d in self.digests() if d.name == name), None)

    def digest_order(self):
        from .core.navigation import digest_order

        return digest_order(self.digests())

    def step_digest(self, current: str | None, delta: int) -> tuple[str | None, str]:
        """The newer (-1) / older (+1) digest than ``current``, and what to say."""
        order = self.digest_order()
        target = order.step(current, delta)
        if target is None:
            return None, f"No {'newer' if delta < 0 else 'older'} digest ({order.why})"
        pos, total = order.position(target)
        return target, f"Digest {pos}/{total} · {order.why}"

    def record(self, pid: str):
        return self.library.get(pid) if self.library is not None else None

    def records(self, ids) -> dict:
        return self.library.records(list(ids)) if self.library is not None else {}

    def title_of(self, pid: str, paper=None) -> str:
        paper = paper or self.paper(pid)
        if paper is not None:
            return paper.title
        rec = self.record(pid)
        return rec.title if rec and rec.title else pid

    def link_of(self, pid: str, paper=None) -> str | None:
        paper = paper or self.paper(pid)
        if paper is not None:
            return paper.primary_link
        rec = self.record(pid)
        return rec.snapshot.link if rec and rec.snapshot else None

    # -- the index from a worker ------------------------------------------------------------
    def search(self, query: str, limit: int, offset: int = 0):
        index = self.index
        if index is None:
            return None
        with self.lock:
            return index.search(query, limit=limit, offset=offset)

    def catch_up(self, refresh: bool = False) -> None:
        """The index takes in the library's changes (this window's and any other's)."""
        index = self.index
        if index is None or self.library is None:
            return
        with self.lock:
            if refresh:
                index.refresh()
            index.catch_up(self.library)

    # -- the library ------------------------------------------------------------------------
    @property
    def writable(self) -> bool:
        return self.library is not None and not self.library.readonly

    def write(self, change: Callable[[], object], notify: Notify) -> bool:
        """Run one library change; a refusal (none open, read-only, full disk,
        busy) is a notification, not a crash."""
        from .core.library import LibraryError

        if self.library is None:
            notify("The library is unavailable", severity="error", timeout=5)
            return False
        try:
            change()
            return True
        except LibraryError as e:
            notify(f"Not saved: {e}", severity="error", markup=False, timeout=10)
            return False

    def changed_elsewhere(self, force: bool = False) -> bool:
        """Did another papers process change the library since the last look?"""
        if self.library is None:
            return False
        gen = self.library.generation()
        if gen == self._generation and not force:
            return False
        self._generation = gen
        return True


def opening_notices(opened: Opened, imported: Imported) -> list[tuple[str, str, float]]:
    """What the reader says once the index is open: (text, severity, seconds)."""
    report = opened.report
    out = [(n, "warning", 10) for n in report.notices]
    out += [(f"Skipped {err}", "warning", 15) for err in report.errors]
    out += [(p, "warning", 10) for p in imported.problems]
    if imported.summary:
        out.append((f"Imported {imported.summary}", "warning", 10))
    if opened.watches_error:
        out.append((f"Watches and what's new not updated: {opened.watches_error}", "warning", 10))
    for name, ids in opened.watches:
        out.append((f"Watch {name}: {len(ids)} new paper{'s' if len(ids) != 1 else ''}, tagged watch:{name}",
                    "information", 10))
    if opened.new_digests:
        n = len(opened.new_digests)
        out.append((f"{n} new digest{'s' if n != 1 else ''} since you last opened papers — N shows what's new",
                    "information", 10))
    return out
