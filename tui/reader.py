"""What the screens and panes of the reader share: the session's library and
index, the lock the index is used under, and the few facts of this run (the
digests new since the last start, the papers the user kept unread).

No Textual here: panes read through this object and say what happened with
messages. It is the panes' one way to the index and the library: what a
pane's thread worker asks of the index (a page of results, a digest's page,
papers like these, what's new, unread counts) is answered here under ``lock``,
so a search or a count never runs while the index is being reopened or caught
up; a pane never takes the lock or holds the index itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable

from .core.config import Config
from .core.following import FEED
from .core.notices import Fetched
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
        self.compact = False  # the paper lists show one line per paper
        self.show_muted = False  # the lists show muted papers too, dimmed, with the rule
        self._muted: tuple[tuple, dict[str, str]] | None = None  # (what it was computed from, pid -> mute)
        self.follows_changed = 0  # follows changed in this window (the Following feed lists again)
        self._generation: tuple[int, int] = (0, 0)  # (papers changed, the file changed by others)
        self._digests_seen: dict[str, int] | None = None  # digest -> entries, at the last look

    # -- opening ------------------------------------------------------------------------
    def open_library(self) -> list[str]:
        """Open the library; its notices (a broken file moved aside, …) are
        returned. Raises ``LibraryError``."""
        if self.session is None:
            return []
        self.library = self.session.open_library()
        self._generation = (self.library.generation(), self.library.outside_version())
        return list(self.library.notices)

    def open_index(self, progress, rebuild: bool = False) -> tuple[Opened, Imported]:
        """(In a thread.) The watched folders imported, the index opened and
        synced, the watches run, what's new recorded. The index in use (if
        any) stays open, unsearched, until :meth:`use_index` replaces it."""
        with self.lock:
            imported = self.session.import_watched()
            opened = self.session.open_index(progress, rebuild)  # the sources as they are after the import
        return opened, imported

    def preview(self, limit: int, offset: int = 0):
        """(In a thread.) ``limit`` papers from ``offset``, newest first, and
        the papers themselves, from the catalog the last opening left -- before
        the index is open (no Whoosh, no sync); None when there is none."""
        if self.paths is None:
            return None
        from .core.index.listing import Listing

        listing = Listing.open(self.paths.index)
        if listing is None:
            return None
        try:
            result = listing.newest_page(offset, limit)
            if not result.hits:  # nothing yet (a first build under way): nothing to show
                return None
            return result, listing.get_many(h.id for h in result.hits)
        except Exception:  # a damaged catalog: nothing to show; the opening reports and rebuilds it
            return None
        finally:
            listing.close()

    def use_index(self, index) -> None:
        """The index just opened takes the place of the one in use, which is
        closed (under the lock: no search is using it)."""
        with self.lock:
            old, self.index = self.index, index
            if old is not None and old is not index:
                old.close()
            self._digests_seen = {d.name: d.entries for d in index.digests()} if index is not None else None

    def fetch(self, progress, should_stop, sleep=None) -> "Fetched":
        """(In a thread.) The days :func:`~tui.core.fetch.plan` plans are
        fetched from the Daily Papers API into the digests folder; when files
        were written, the index is opened again the way it is at start (sync,
        watches, what's new). ``progress(done, total, text)`` hears of both
        steps; ``should_stop()`` (the worker cancelled) ends the fetch between
        pages and skips the sync."""
        from .core.fetch import api_url, fetch, plan

        try:
            base_url = api_url(self.config)
            days = plan(self.paths)
        except ValueError as e:
            return Fetched(error=str(e))
        report = fetch(self.paths, days, base_url=base_url, sleep=sleep, should_stop=should_stop,
                       progress=lambda done, total, text: progress(done, total, f"Fetching {text}…"))
        out = Fetched(report)
        if report.changed and not should_stop():
            try:
                out.opened, out.imported = self.open_index(lambda d, t, text: progress(d, t, f"Indexing: {text}"))
            except Exception as e:  # the digests are saved; the next start indexes them
                out.error = f"the new digests are saved but could not be indexed: {type(e).__name__}: {e}"
        if self.config.fetch_full_text == "bookmarked" and not should_stop():
            out.texts = self._fetch_texts(base_url, progress, should_stop, sleep)
        return out

    def _fetch_texts(self, base_url: str, progress, should_stop, sleep):
        """(In a thread.) As ``papers fetch`` with ``[fetch] full_text =
        "bookmarked"``: the full texts of the bookmarked papers not cached
        yet, politely, then indexed."""
        from .core.fulltext import fetch_texts, site_url

        if self.library is None or self.index is None:
            return None
        with self.lock:
            ids = [r.id for r in self.library.bookmarks()]
            papers = [p for p in self.papers(ids).values() if p.arxiv_id]
        report = fetch_texts(self.paths, papers, site=site_url(self.config), api=base_url, sleep=sleep,
                             should_stop=should_stop, progress=lambda d, t, text: progress(d, t, f"Fetching {text}…"))
        self.index_texts(report.fetched)
        return report

    def index_texts(self, ids) -> None:
        """(In a thread.) Texts just downloaded: their papers are indexed
        again with them, through the library's log so that another window
        picks them up too."""
        if not ids or not self.writable:
            return
        try:
            with self.library.batch() as tx:
                tx.changed.update(ids)
            self.catch_up()
        except Exception:  # the texts are saved; the next opening or reindex takes them in
            pass

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
        """The paper ids of a digest in its order (all from ``offset`` when
        ``limit`` < 0); of the Following feed (``following.FEED``) too."""
        if name == FEED:  # a search of the index: under the lock, as a pane's searches are
            with self.lock:
                return self._digest_ids(name, offset, limit)
        return self._digest_ids(name, offset, limit)

    def _digest_ids(self, name: str, offset: int = 0, limit: int = -1) -> list[str]:
        """:meth:`digest_ids`, the lock held by the caller."""
        if name == FEED:
            ids = self._following()
            return ids[offset:] if limit < 0 else ids[offset:offset + limit]
        return self.index.digest_page(name, offset, limit) if self.index is not None else []

    def digest_members(self, names) -> dict[str, list[str]]:
        """``{digest: its paper ids in order}`` for these digests (and the
        Following feed; call it under :attr:`lock`)."""
        names = list(names)
        out = self.index.digest_members([n for n in names if n != FEED]) if self.index is not None else {}
        if FEED in names:
            out[FEED] = self._following()
        return out

    # -- following authors --------------------------------------------------------------
    def _following(self) -> list[str]:
        """The Following feed: ids of the papers by followed authors, newest
        first (the caller holds :attr:`lock`)."""
        if self.index is None or self.library is None:
            return []
        from .core.following import followed_papers

        return followed_papers(self.index, self.library)

    def followed_names(self) -> list[str]:
        """The followed authors' names, by name (none without a library)."""
        return [f.name for f in self.library.follows.all()] if self.library is not None else []

    def followed_keys(self) -> set[str]:
        """The keys of the followed names (``follows.name_key``)."""
        return self.library.follows.keys() if self.library is not None else set()

    def set_followed(self, name: str, on: bool, notify: Notify) -> bool:
        """Follow ``name`` or stop following it; False when the library refused
        (said with ``notify``). ``follows_changed`` counts the changes made here."""
        def change() -> None:
            try:
                self.library.follows.follow(name) if on else self.library.follows.unfollow(name)
            except ValueError as e:  # no letters in it, or too long to be a name
                from .core.library import LibraryError

                raise LibraryError(str(e)) from None

        if not self.write(change, notify):
            return False
        self.follows_changed += 1
        return True

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

    @property
    def has_index(self) -> bool:
        """An index is open (searches and digests can be asked for)."""
        return self.index is not None

    # -- the index from a worker ------------------------------------------------------------
    # The index is read under the lock: :meth:`use_index` may have replaced it meanwhile.
    def search(self, query: str, limit: int, offset: int = 0):
        with self.lock:
            index = self.index
            return index.search(query, limit=limit, offset=offset) if index is not None else None

    def search_page(self, query: str, offset: int, limit: int, sort: str = "relevance",
                    cancelled: Callable[[], bool] = lambda: False):
        """(In a thread.) A page of ``query``'s results and their papers:
        ``(result, papers)``; None when ``cancelled()`` says a newer key made it
        stale: while it waited for the lock, while it ranked (the index asks
        between chunks of scoring and gives up, so the lock is free for the
        newer search at once) or once it searched."""
        from .core.index import SearchStopped

        with self.lock:
            index = self.index
            if index is None or cancelled():
                return None
            mutes = () if self.show_muted else self.mutes()
            if self.show_muted:
                self.muted()  # the rows name the rule of each muted paper
            order = self._for_you()[0] if sort == "for-you" else None
            try:
                result = index.search(query, limit=limit, offset=offset, sort=sort, stop=cancelled, mutes=mutes,
                                      order=order)
            except SearchStopped:
                return None
            if cancelled():
                return None
            return result, self.papers(h.id for h in result.hits)

    def feed_page(self, name: str, offset: int, limit: int, cancelled: Callable[[], bool] = lambda: False,
                  sort: str = "digest"):
        """(In a thread.) A page of the digest ``name`` in its order (or
        ``for-you``), as a result: ``(result, papers)``; None when
        ``cancelled()``. Muted papers are left out (unless :attr:`show_muted`)."""
        from .core.index import Hit, SearchResult

        with self.lock:
            if self.index is None or cancelled():
                return None
            hidden = self._hidden()
            if sort == "for-you":
                every = self.for_you_ids([pid for pid in self._digest_ids(name) if pid not in hidden])
                ids, total = every[offset:offset + limit], len(every)
            elif hidden or name == FEED:
                every = [pid for pid in self._digest_ids(name) if pid not in hidden]
                ids, total = every[offset:offset + limit], len(every)
            else:
                ids, total = self._digest_ids(name, offset, limit), None
            papers = self.papers(ids)
            info = self.digest(name)
            hits = tuple(Hit(pid, 0.0, papers[pid].title, ()) for pid in ids if pid in papers)
            if total is None:
                total = info.entries if info else len(ids)
            result = SearchResult(f"digest {name}", total, hits, offset)
        return result, papers

    # -- for you -----------------------------------------------------------------------------
    def _for_you(self):
        """The for-you order (keys for the index's sorted searches) and the
        line that says how it was learned (under :attr:`lock`)."""
        from .core.foryou import order_of

        return order_of(self.index, self.library)

    def for_you_ids(self, ids: list[str]) -> list[str]:
        """``ids`` best first for you (under :attr:`lock`)."""
        from .core.foryou import order

        return order(self.index, self.library, ids) if self.library is not None else ids

    def for_you_said(self, ids) -> tuple[str, dict[str, str]]:
        """(In a thread.) How the for-you order was learned, in one line, and
        why each of ``ids`` ranks where it does: ``quantization, pruning ·
        like “…”`` (worked out here, under the lock, as the index's reads are)."""
        from .core.foryou import explain, train

        with self.lock:
            if self.index is None or self.library is None:
                return "", {}
            note = self._for_you()[1]
            model = train(self.index, self.library)  # the one the order was ranked with: kept
            if model.empty:
                return note, {}
            why = explain(self.index, model, list(ids))
            titles = self.index.titles([like for _, like in why.values() if like])
        lines = {pid: " · ".join(([", ".join(words)] if words else [])
                                 + ([f"like “{titles.get(like, '')}”"] if like else []))
                 for pid, (words, like) in why.items()}
        return note, {pid: line for pid, line in lines.items() if line}

    # -- mutes ------------------------------------------------------------------------------
    def muted(self) -> dict[str, str]:
        """``{paper id: the mute that hides it}``, computed again when the
        mutes, the library or the index changed (call it under :attr:`lock`,
        or from a worker)."""
        from .core.mutes import hidden

        if self.library is None or self.index is None:
            return {}
        key = (self.library.mutes.queries(), id(self.index), self.library.generation())
        if self._muted is None or self._muted[0] != key:
            self._muted = (key, hidden(self.library, self.index))
        return self._muted[1]

    def _hidden(self) -> dict[str, str]:
        """What the lists leave out now: the muted papers, unless shown."""
        muted = self.muted()
        return {} if self.show_muted else muted

    def muted_rule(self, pid: str) -> str | None:
        """The mute that hides ``pid`` as last computed (for drawing a row)."""
        return self._muted[1].get(pid) if self._muted is not None else None

    def visible(self, ids) -> list[str]:
        """(In a thread, under the lock.) ``ids`` less the muted papers (unless shown)."""
        hidden = self._hidden()
        return [pid for pid in ids if pid not in hidden]

    def mutes(self) -> tuple[str, ...]:
        return self.library.mutes.queries() if self.library is not None else ()

    def mute(self, query: str):
        """(In a thread.) Mute ``query`` (see :func:`tui.core.mutes.mute`)."""
        from .core.mutes import mute

        with self.lock:
            done = mute(self.library, self.index, query)
            self._muted = None
        return done

    def related(self, ids: list[str], about: str):
        """(In a thread.) The papers that share the key terms of ``ids``:
        ``(result, papers, the terms each shares)``; None with no index."""
        from .core.related import more_like

        with self.lock:
            if self.index is None:
                return None
            rel = more_like(self.index, ids, about)
            note = ("key terms: " + ", ".join(rel.terms[:8])) if rel.terms else "no key terms found"
            shown = set(self.visible(h.id for h in rel.hits))
            hits = [h for h in rel.hits if h.id in shown]
            papers = self.papers(h.id for h in hits)
        return _computed(about, hits, (note,)), papers, rel.shared

    def whats_new(self, names: list[str], about: str):
        """(In a thread.) The papers of the digests ``names`` (those added since
        papers was last opened), with how many are unread: ``(result, papers,
        None)``; None with no index."""
        from .core.index import Hit

        with self.lock:
            if self.index is None:
                return None
            pages = self.digest_members(names)
            ids = self.visible(dict.fromkeys(pid for n in names for pid in pages[n]))
            titles = self.titles(ids)
            unread = sum(self.library.visits.unread_counts(pages).values()) if self.library else 0
            hits = tuple(Hit(pid, 0.0, titles.get(pid, ""), ()) for pid in ids)
            papers = self.papers(h.id for h in hits)
        return _computed(about, hits, (f"{unread} unread",)), papers, None

    def unread_counts(self, names: list[str]) -> dict[str, int] | None:
        """(In a thread.) ``{digest: its papers not marked read}`` for these
        digests; None without an index or a library."""
        if self.index is None or self.library is None:
            return None
        with self.lock:
            ids = self.digest_members(names)
        return self.library.visits.unread_counts(ids)

    def matched_in(self, paper, terms) -> list[str]:
        """Where a search's ``terms`` are in ``paper``: title, abstract, or its
        full text's section (tui.core.fulltext.matched_in)."""
        index = self.index
        if index is None or self.paths is None or not terms:
            return []
        from .core.fulltext import matched_in

        return matched_in(self.paths, index, paper, terms, index.highlights(paper.title, terms))

    def catch_up(self, refresh: bool = False) -> None:
        """The index takes in the library's changes (this window's and any
        other's). An index another process rebuilt takes no write: the change
        stays in the library, and the reader opens the new index (see
        :meth:`index_news`), which catches up as it opens."""
        from .core.index import IndexReplaced

        with self.lock:
            index = self.index
            if index is None or self.library is None:
                return
            if refresh:
                index.refresh()
            try:
                index.catch_up(self.library)
            except IndexReplaced:
                pass

    def index_news(self) -> "IndexNews":
        """(In a thread.) What another papers process did to the index since
        the last look: rebuilt it (``papers reindex``: open it anew), or added,
        changed or removed digests (``papers fetch``, ``papers add``; the
        searches then see them)."""
        with self.lock:
            index = self.index
            if index is None:
                return IndexNews()
            if index.replaced():
                return IndexNews(replaced=True)
            seen = {d.name: d.entries for d in index.digests()}
            if self._digests_seen is None:  # the first look: what the opening brought
                self._digests_seen = seen
                return IndexNews()
            if seen == self._digests_seen:
                return IndexNews()
            index.refresh()
            new = [name for name in seen if name not in self._digests_seen]
            self._digests_seen = seen
        return IndexNews(changed=True, new=new)

    # -- the library ------------------------------------------------------------------------
    @property
    def has_library(self) -> bool:
        """The library is open (it may still be read-only: :attr:`writable`)."""
        return self.library is not None

    @property
    def writable(self) -> bool:
        return self.library is not None and not self.library.readonly

    def bookmarks(self, sort: str = "added") -> list:
        """The bookmarked papers' records (none without a library)."""
        return self.library.bookmarks(sort=sort) if self.library is not None else []

    def notes(self) -> list:
        """The records of the papers with a note (none without a library)."""
        return self.library.notes() if self.library is not None else []

    def saved_searches(self) -> list:
        """Every saved search, by name (none without a library)."""
        return self.library.saved.all() if self.library is not None else []

    def saved_search(self, name: str):
        """The saved search of that name, or None."""
        return self.library.saved.get(name) if self.library is not None else None

    def save_search(self, name: str, query: str, notify: Notify):
        """Keep ``query`` as the saved search ``name``; the search as stored,
        or None when the library refused (said with ``notify``)."""
        saved = []
        return saved[0] if self.write(lambda: saved.append(self.library.saved.save(name, query)), notify) else None

    def set_watch(self, name: str, on: bool, notify: Notify) -> bool:
        """Turn the watch of a saved search on or off; False when refused."""
        return self.write(lambda: self.library.saved.set_watch(name, on), notify)

    def delete_search(self, name: str, notify: Notify) -> bool:
        """Forget a saved search; False when refused."""
        return self.write(lambda: self.library.saved.delete(name), notify)

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

    def set_tags(self, pid: str, current: list[str], wanted: list[str], paper, notify: Notify) -> bool:
        """The paper's tags made ``wanted`` (they were ``current``), in one
        change; False when the library refused (said with ``notify``)."""
        removed = [t for t in current if t not in wanted]
        added = [t for t in wanted if t not in current]
        library = self.library

        def change() -> None:
            with library.batch():
                if removed:
                    library.remove_tags(pid, removed)
                if added:
                    library.add_tags(pid, added, paper)

        return self.write(change, notify)

    def changed_elsewhere(self, force: bool = False) -> bool:
        """Did another papers process change the library since the last look?"""
        if self.library is None:
            return False
        # the generation counts changes to papers; mutes, follows and saved
        # searches made in another window change only the file's version
        gen = (self.library.generation(), self.library.outside_version())
        if gen == self._generation and not force:
            return False
        self._generation = gen
        return True


@dataclass(frozen=True)
class IndexNews:
    """What :meth:`Reader.index_news` found: the index rebuilt by another
    process, or its digests changed (``new``: the digests not seen before)."""

    replaced: bool = False
    changed: bool = False
    new: list[str] = field(default_factory=list)


def _computed(about: str, hits, notes: tuple[str, ...]):
    """A computed list (more like this, what's new) as a search result."""
    from .core.index import SearchResult

    return SearchResult(about, len(hits), tuple(hits), 0, notes=notes)
