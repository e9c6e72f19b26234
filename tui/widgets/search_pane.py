"""The Search pane: the results of a query, a digest shown as a feed, or a
computed list (more like this, what's new), paged.

Searches run in an exclusive thread worker, debounced, and only the newest
result is shown; a later page is asked for as the cursor nears the end."""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual import on, work
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.worker import get_current_worker

from ..core.following import FEED, FEED_LABEL
from ..core.text import plural
from .paper_list import PAGE, LibraryChange, PaperList, how_to_add_digests
from .render import one_line, plain
from .rows import sort_value

SEARCH_DEBOUNCE = 0.12
#: rows of a first page drawn at once (a screenful and then some); the rest of
#: the page is drawn once they are painted: fewer rows to make and lay out
#: between a key and its results
FIRST_ROWS = 50
#: the orders ``s`` steps through (Index.search's ``sort``), and how the status line names them
SORTS = ("relevance", "newest", "upvotes", "for-you")
SORT_NAMES = {"relevance": "by relevance", "newest": "newest first", "upvotes": "most upvoted first",
              "for-you": "best for you first", "digest": "in the digest's order"}
#: the orders ``s`` steps through in a digest's feed
FEED_SORTS = ("digest", "for-you")


@dataclass
class SearchPage:
    seq: int
    query: str
    offset: int
    result: object  # tui.core.index.SearchResult
    papers: dict
    shared: dict | None = None  # "more like this": paper id -> the key terms it shares
    about: str = ""
    preview: bool = False  # the newest papers from the catalog, before the index is open
    note: str = ""  # how the for-you order was learned


class Results(PaperList):
    """Bound to the search box by the main screen, which passes it each query."""

    BINDINGS = [Binding("escape", "all_papers", "All papers", id="all_papers"),
                Binding("s", "cycle_sort", "Sort: relevance, newest, upvotes, for you (a feed: its order, for you)",
                        show=False, id="sort_results")]

    class SearchDone(Message):
        def __init__(self, page: SearchPage) -> None:
            super().__init__()
            self.page = page

    class Shown(Message):
        """A first page is on screen and no newer search is waiting."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    def __init__(self, reader=None, **kwargs) -> None:
        super().__init__(reader, **kwargs)
        self.query_text = ""
        self.feed: str | None = None  # a digest shown like a feed, instead of a query
        self.about = ""  # a computed list (more like this, what's new), not a query or a feed
        self.sort = "relevance"  # the order of a query's results and of all papers (kept while papers runs)
        self.feed_sort = "digest"  # the order of a digest's feed
        self.sort_note = ""  # how the for-you order was learned (the status says it)
        self.why_lines: dict[str, str] = {}  # sorted for you: why a paper shown in the details ranks there
        self.seq = 0
        self.shown_seq = 0  # the newest search whose first page is on screen
        self.last_result = None
        self.last_shared: dict = {}
        self._select_after: str | None = None
        self._keep = False  # the same list again: the selection stays
        self._timer = None
        self._pending = False
        self._last_key = 0.0  # when the query last changed (time.monotonic)
        self._rest: SearchPage | None = None  # a first page whose rest is still to be drawn
        self._follows_seen = 0  # the reader's follows_changed when last looked at

    # -- what the screen asks for ----------------------------------------------------------
    def search(self, query: str, immediate: bool = False, select: str | None = None) -> None:
        """Show the papers matching ``query`` (debounced unless ``immediate``),
        the top hit (or ``select``) selected."""
        self.feed = None
        self._select_after = select
        self._keep = False
        self._start(query, immediate)

    def open_feed(self, name: str) -> None:
        """Show the papers of one digest in its order."""
        self.feed = name
        self._select_after = None
        self._keep = False
        self._start("", immediate=True)

    def empty_text(self) -> Content:
        if self.reader.has_index and not self.reader.digests():
            return plain(how_to_add_digests(self.reader), "italic")
        return Content("")

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "all_papers":  # only a feed or a computed list has a way back
            return bool(self.feed or self.about)
        return True

    def action_all_papers(self) -> None:
        """esc in a digest feed or a computed list: back to all papers."""
        self.feed = None
        self.about = ""
        self.search("", immediate=True)
        self.screen.refresh_bindings()

    def action_cycle_sort(self) -> None:
        """``s``: the next order (relevance → newest → upvotes → for you; in a
        digest's feed, its own order → for you); the list is sorted again
        from its top."""
        if self.feed and not self.about:
            self.feed_sort = FEED_SORTS[(FEED_SORTS.index(self.feed_sort) + 1) % len(FEED_SORTS)]
            self.notify(f"{'This feed' if self.feed == FEED else 'This digest'} {SORT_NAMES[self.feed_sort]} "
                        "· s: next order", timeout=3)
            self._keep = False
            self._start("", immediate=True)
            return
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        if self.about:
            self.notify(f"Searches are now sorted {SORT_NAMES[self.sort]} (this list keeps its order; "
                        "esc: all papers)", timeout=4)
            return
        self.notify(f"Sorted {SORT_NAMES[self.sort]} · s: next order", timeout=3)
        self._keep = False
        self._start(self.query_text, immediate=True)

    def reload(self) -> None:
        """The same query again (the index or the library changed)."""
        if self.about:  # a computed list: redraw its badges only
            self.refresh_badges()
        else:
            self._keep = True
            self._start(self.query_text, immediate=True)

    def shown(self) -> None:
        pass

    def library_changed(self, change: LibraryChange, shown: bool) -> None:
        """Another process's change may change what the query finds: the same
        query again; one paper's change here: its row; else every row's badges."""
        pid = change.paper_id
        if change.elsewhere or self.follows_moved():
            self.reload()
        elif pid is None:
            self.refresh_badges()
        elif pid in self.ids:
            paper, record = self.reader.paper(pid), self.reader.record(pid)
            self.update_row(pid, self._row(pid, paper, record))

    def follows_moved(self) -> bool:
        """Follows changed in this window since the list was made, and it
        depends on them (the Following feed, an ``is:followed`` query)."""
        seen, self._follows_seen = self._follows_seen, self.reader.follows_changed
        return seen != self._follows_seen and (self.feed == FEED or "followed" in self.query_text.lower())

    @property
    def settled(self) -> bool:
        """No search waiting to start or to be shown (for tests and the bench)."""
        return self.reader.has_index and self.shown_seq == self.seq and not self._pending

    def _start(self, query: str, immediate: bool) -> None:
        """Search for ``query``: at once on the first key, and after a pause of
        :data:`SEARCH_DEBOUNCE` only while keys keep coming (each restarts it)."""
        self.query_text = query
        self._pending = True
        now = time.monotonic()
        typing = now - self._last_key < SEARCH_DEBOUNCE
        self._last_key = now
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if immediate or not typing:
            self._fire()
        else:
            self._timer = self.set_timer(SEARCH_DEBOUNCE, self._fire)

    def _fire(self) -> None:
        self._pending = False
        if not self.reader.has_index:
            return
        self.seq += 1
        self.set_status("Searching…" if self.query_text.strip() else "Loading…")
        self.run_search(self.seq, self.query_text, 0, self.feed, self.feed_sort if self.feed else self.sort)

    # -- computed lists ----------------------------------------------------------------------
    def show_related(self, ids: list[str], about: str) -> None:
        """Papers that share the key terms of ``ids``."""
        self.show_computed(about, lambda: self.reader.related(ids, about))

    def whats_new(self) -> bool:
        """The papers of the digests added since papers was last opened."""
        known = {d.name for d in self.reader.digests()}
        names = [n for n in self.reader.new_digests if n in known]
        if not names:
            return False
        about = f"papers new since you last opened papers, from {plural(len(names), 'digest')}"
        self.show_computed(about, lambda: self.reader.whats_new(names, about))
        return True

    def show_computed(self, about: str, compute) -> None:
        """Show a list that is not a query: ``compute()`` (in a thread) gives
        (result, papers, shared terms by id or None), or None."""
        self.feed = None
        self.query_text = ""
        self._keep = False
        if self._timer is not None:
            self._timer.stop()
        self._pending = False
        self.seq += 1
        self.set_status(f"Finding {about}…")
        self.run_computed(self.seq, about, compute)

    # -- start-up ---------------------------------------------------------------------------
    def load_preview(self) -> None:
        """(In a thread: the index opening's, before it opens the index.) The
        newest papers from the catalog, posted as a preview page while the
        index is not open yet."""
        seq = self.seq
        # a screenful first, the rest of the first page after it
        for offset, limit in ((0, FIRST_ROWS), (FIRST_ROWS, PAGE - FIRST_ROWS)):
            found = self.reader.preview(limit, offset)
            if found is None or self.reader.has_index:
                return
            result, papers = found
            self.post_message(self.SearchDone(SearchPage(seq, "", offset, result, papers, preview=True)))

    # -- workers ----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_computed(self, seq: int, about: str, compute) -> None:
        if not self.reader.has_index:
            return
        found = compute()
        if found is None:
            return
        result, papers, shared = found
        if not get_current_worker().is_cancelled:
            self.post_message(self.SearchDone(SearchPage(seq, "", 0, result, papers, shared, about)))

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, seq: int, query: str, offset: int, feed: str | None = None,
                   sort: str = "relevance") -> None:
        worker = get_current_worker()
        if not self.reader.has_index:
            return

        def stale() -> bool:  # a newer key made it stale while it waited
            return worker.is_cancelled

        if feed is not None:
            page = self.reader.feed_page(feed, offset, PAGE, stale, sort)
        else:
            page = self.reader.search_page(query, offset, PAGE, sort, stale)
        if page is not None and not worker.is_cancelled:
            result, papers = page
            note = self.reader.for_you_said(())[0] if sort == "for-you" else ""
            self.post_message(self.SearchDone(SearchPage(seq, query, offset, result, papers, note=note)))

    @work(thread=True, group="for-you-why", exit_on_error=False)
    def explain(self, pid: str) -> None:
        """(In a thread.) Why ``pid`` ranks where it does for you, under the
        reader's lock as the index's reads are; its details drawn again."""
        line = self.reader.for_you_said([pid])[1].get(pid, "")
        if line:
            self.app.call_from_thread(self._explained, pid, line)

    def _explained(self, pid: str, line: str) -> None:
        self.why_lines[pid] = line
        if self.current_id == pid and hasattr(self.screen, "show_details"):
            self.screen.show_details()

    @on(SearchDone)
    def _search_done(self, event: SearchDone) -> None:
        event.stop()
        page = event.page
        if page.seq != self.seq:
            return  # a newer search is under way
        if page.preview and (self.reader.has_index or self._pending or self.query_text or self.feed):
            return  # the index opened first, or a search waits for it
        res = page.result
        shared = page.shared or {}
        if page.offset == 0:
            self.shown_seq = page.seq
            self.sort_note = page.note
            self.why_lines = {}
            self.last_result = res
            self.last_shared = shared
            self.about = page.about
            keep = self._select_after or (self.current_id if self._keep else None)
            self._select_after = None
            hits, rest = res.hits, ()
            if len(hits) > FIRST_ROWS and keep not in {h.id for h in hits[FIRST_ROWS:]}:
                # a screenful first; the rest of the page once it is painted
                hits, rest = hits[:FIRST_ROWS], hits[FIRST_ROWS:]
            self.set_rows(self._rows(page, hits), res.total, keep=keep)
            self._rest = page if rest else None
            if rest:
                self.call_after_refresh(self._add_rest, page, rest)
        else:
            self.add_rows(self._rows(page, res.hits))
        self._status_for(res, page.about)
        self.screen.refresh_bindings()
        if page.offset == 0 and (self.settled or page.preview):
            self.post_message(self.Shown(self.query_text))

    def _rows(self, page: SearchPage, hits) -> list[tuple[str, Content]]:
        records = self.reader.records(h.id for h in hits)
        shared = page.shared or {}
        return [(h.id, self.paper_row(page.papers.get(h.id), records.get(h.id), h.title, h.title_spans,
                                      extra=("shares: " + ", ".join(shared[h.id])) if shared.get(h.id) else ""))
                for h in hits]

    def _add_rest(self, page: SearchPage, hits) -> None:
        if self.last_result is page.result:  # still the list on screen
            self.add_rows(self._rows(page, hits))
            self._status_for(page.result, page.about)
        if self._rest is page:
            self._rest = None

    @property
    def drawing(self) -> bool:
        """The rest of a first page is still to be drawn (see FIRST_ROWS)."""
        return self._rest is not None

    @on(PaperList.NeedMore)
    def _more(self, event: PaperList.NeedMore) -> None:
        event.stop()
        self.run_search(self.seq, self.query_text, event.offset, self.feed,
                        self.feed_sort if self.feed else self.sort)

    # -- rows, details, status ------------------------------------------------------------------
    def paper_row(self, paper, record, title: str = "", spans=(), extra: str = "") -> Content:
        """A row that shows what the results are sorted by (the upvotes), not
        in a digest's feed or a computed list, which keep their own order."""
        sort = self.sort if not (self.feed or self.about) else "relevance"
        return super().paper_row(paper, record, title, spans, extra, value=sort_value(paper, sort))

    def _row(self, pid: str, paper, record, spans=None) -> Content:
        if spans is None:
            spans = next((h.title_spans for h in self.last_result.hits if h.id == pid), ()) \
                if self.last_result is not None else ()
        shared = self.last_shared.get(pid)
        return self.paper_row(paper, record, spans=spans, extra=("shares: " + ", ".join(shared)) if shared else "")

    def refresh_badges(self) -> None:
        """Draw every row again in place: its badges, the list's density."""
        if not self.ids:
            return
        records = self.reader.records(self.ids)
        papers = self.reader.papers(self.ids)
        spans = {h.id: h.title_spans for h in self.last_result.hits} if self.last_result is not None else {}
        for pid in self.ids:
            self.update_row(pid, self._row(pid, papers.get(pid), records.get(pid), spans.get(pid, ())))

    def redraw(self) -> None:
        self.refresh_badges()

    def spans_for(self):
        terms = self.last_result.terms if self.last_result is not None else frozenset()
        if not terms:
            return None
        from ..core.index import highlight_spans

        return lambda text: highlight_spans(text, terms)

    def paper_extra(self, pid: str) -> list[tuple[str, str]]:
        """A hit found only in its full text says which section (``full text, §3 Method``)."""
        lines = super().paper_extra(pid)
        terms = self.last_result.terms if self.last_result is not None else frozenset()
        paper = self.reader.paper(pid) if terms else None
        where = self.reader.matched_in(paper, terms) if paper is not None else []
        if where and where[0].startswith("full text"):
            lines.insert(0, ("Found in", where[0]))
        if (self.feed_sort if self.feed else self.sort) == "for-you" and not self.about:
            if pid not in self.why_lines:  # worked out in a worker; the details are drawn again then
                self.why_lines[pid] = ""
                self.explain(pid)
            elif self.why_lines[pid]:
                lines.insert(0, ("For you", self.why_lines[pid]))
        return lines

    def _status_for(self, res, about: str = "") -> None:
        shown = len(self.ids)
        if about:
            text = counted(res.total, about) if res.total else f"Nothing found: {about}"
        elif self.feed == FEED:
            text = (f"{FEED_LABEL}: {plural(res.total, 'paper')} by the authors you follow, "
                    + (SORT_NAMES[self.feed_sort] if self.feed_sort != "digest" else "newest first") + " · esc: all papers")
        elif self.feed:
            info = self.reader.digest(self.feed)
            label = (info.label or info.name) if info else self.feed
            text = f"Digest {label}: {plural(res.total, 'paper')}" + (
                f", {SORT_NAMES[self.feed_sort]}" if self.feed_sort != "digest" else "") + " · esc: all papers"
        elif not res.query.strip():
            text = f"{plural(res.total, 'paper')}, " + (SORT_NAMES[self.sort] if self.sort in ("upvotes", "for-you")
                                                        else "newest digest first")
        elif res.total == 0:
            text = f"No papers match {one_line(res.query)!r}"
        else:
            text = (f"{plural(res.total, 'paper')} {'matches' if res.total == 1 else 'match'}"
                    + (f", {SORT_NAMES[self.sort]}" if self.sort != "relevance" else ""))
        if shown < res.total:
            text += f" · showing {shown} (more load as you scroll)"
        if self.sort_note and not about and (self.feed_sort if self.feed else self.sort) == "for-you":
            text += f" · {self.sort_note.removeprefix('for you: ')}"
        if res.suggestion:
            text += f" · did you mean: {res.suggestion}"
        for n in res.notes:
            text += f" · {n}"
        if res.elapsed_ms and self.reader.show_timings:
            text += f" · {res.elapsed_ms:.0f} ms"
        self.set_status(text)


def counted(n: int, about: str) -> str:
    """A computed list's count: ``about`` speaks of "papers …" (papers like
    this one, papers new since …), said of one paper as "1 paper …"."""
    noun, _, rest = about.partition(" ")
    return f"{plural(n, 'paper')} {rest}" if noun == "papers" else f"{n} {about}"
