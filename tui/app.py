"""The Textual reader.

Start-up paints the main screen first; the index (and with it Whoosh) is opened
in a thread worker that reports progress. Searches run in an exclusive thread
worker, debounced, and only the newest result is shown. Every change to the
library is written at once and then re-indexed for that one paper in a worker.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
import threading
import webbrowser
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.content import Content
from textual.message import Message
from textual.widgets import ContentSwitcher, Input, OptionList, ProgressBar, Static, Tabs
from textual.worker import Worker, WorkerState, get_current_worker

from .commands import GoToProvider
from .core.config import load_config
from .core.fsio import atomic_write
from .core.links import is_web_url
from .core.paths import Paths
from .core.session import Session
from .keymap import check_keymap
from .shutdown import exit_cleanly_on_signals
from .screens.triage import LATER_TAG, TriageScreen
from .screens.dialogs import CopyMenu, ErrorScreen, HelpScreen, LineDialog, NoteEditor, TagsDialog, TextDialog
from .screens.main import PANES, MainScreen
from .widgets.details import DetailsPane, details_content
from .widgets.papers_list import PAGE, PaperList, RowState, row_content, where_text
from .widgets.render import one_line, plain

SEARCH_DEBOUNCE = 0.12
PAPER_ACTIONS = frozenset({"bookmark", "tags", "note", "edit_note", "copy_link", "copy_menu", "open_link",
                           "toggle_read", "more_like"})


@dataclass
class SearchPage:
    seq: int
    query: str
    offset: int
    result: object  # tui.core.index.SearchResult
    papers: dict
    shared: dict | None = None  # "more like this": paper id -> the key terms it shares
    about: str = ""


class PapersApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "papers"
    COMMANDS = App.COMMANDS | {GoToProvider}
    # Focus moves are bound with priority: the app resolves them in its own key
    # loop, before it forwards the next key, so nothing typed right after "/",
    # enter or esc lands in the wrong widget.
    BINDINGS = [
        Binding("slash", "focus_search", "Search", priority=True, id="search"),
        Binding("enter", "leave_search", "Results", show=False, priority=True, id="search_done"),
        Binding("escape", "leave_search", "List", show=False, priority=True, id="search_leave"),
        Binding("ctrl+q", "quit", "Quit", show=False, id="force_quit"),
    ]

    class IndexProgress(Message):
        def __init__(self, done: int, total: int, text: str) -> None:
            super().__init__()
            self.done, self.total, self.text = done, total, text

    class IndexReady(Message):
        """The index is open: ``opened`` (tui.core.session.Opened) says what the
        opening did, ``imported`` what the watched folders brought."""
        def __init__(self, opened, imported) -> None:
            super().__init__()
            self.opened, self.imported = opened, imported
            self.index, self.report = opened.index, opened.report

    class SearchDone(Message):
        def __init__(self, page: SearchPage) -> None:
            super().__init__()
            self.page = page

    DWELL = 2.0  # seconds a paper's details stay open before it counts as read

    def __init__(self, paths: Paths, *, watch_interval: float = 5.0, dwell: float | None = None):
        super().__init__()
        self.dwell = self.DWELL if dwell is None else dwell  # 0: never mark read by itself
        self._dwell_timer = None
        self._dwell_kept_unread: set[str] = set()  # the user said unread while viewing: leave it
        self.paths = paths
        self.config = load_config(paths.config_file)
        self.session = Session(paths, self.config, reader=True)
        self.index = None
        self.library = None
        self.index_lock = threading.Lock()
        self.query_text = ""
        self.feed: str | None = None  # a digest shown like a feed, instead of a query
        self.search_seq = 0
        self.shown_seq = 0  # the newest search whose first page is on screen
        self._select_after: str | None = None
        self.last_result = None
        self.last_shared: dict = {}
        self.shown_about = ""  # the results list is a computed list, not a query or a feed
        self.new_digests: list[str] = []  # digests added since the previous start
        self.unread_counts: dict[str, int] = {}
        self.bookmark_sort = "added"
        self._search_timer = None
        self._search_pending = False
        self._generation = 0
        self.watch_interval = watch_interval
        self._damage_rebuilds = 0
        self.show_timings = True

    # --- start-up -----------------------------------------------------------------
    def get_default_screen(self) -> MainScreen:
        self.main = MainScreen()
        return self.main

    def on_mount(self) -> None:
        state = self._load_state()
        if state.get("theme") in self.available_themes:
            self.theme = state["theme"]
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        exit_cleanly_on_signals(self)  # SIGHUP/SIGTERM: save the note, restore the terminal
        keymap, problems = check_keymap(self.config.keys, self.keymap_scopes(), self.config.source)
        self.config.problems += problems
        if keymap:
            self.set_keymap(keymap)
        for problem in self.config.problems:
            self.notify(problem, severity="warning", markup=False, timeout=8)

    def start(self) -> None:
        """Called by the main screen once it is mounted: the library, then the index."""
        self._open_library()
        self.refresh_library_panes()
        self.set_status("Opening the index…")
        self.open_index()
        if self.watch_interval:
            self.set_interval(self.watch_interval, self._watch_library)

    def _open_library(self) -> None:
        from .core.library import LibraryError

        try:
            self.library = self.session.open_library()
        except LibraryError as e:
            self.library = None
            self.notify(f"Library unavailable: {e}", severity="error", markup=False, timeout=15)
            return
        for n in self.library.notices:
            self.notify(n, severity="warning", markup=False, timeout=15)
        self._generation = self.library.generation()

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def open_index(self, rebuild: bool = False) -> None:
        """Digests dropped into the watched folders (papers watch DIR) are
        imported, the index opened and synced, watches run, and the digests new
        since the last start remembered for "what's new"."""
        def progress(done: int, total: int, text: str) -> None:
            self.post_message(self.IndexProgress(done, total, text))

        with self.index_lock:
            if self.index is not None:
                self.index.close()
                self.index = None
            imported = self.session.import_watched()
            opened = self.session.open_index(progress, rebuild)  # the sources as they are after the import
        self.post_message(self.IndexReady(opened, imported))

    def on_papers_app_index_progress(self, event: IndexProgress) -> None:
        if not self.main.is_attached:  # shutting down
            return
        bar = self.main.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=max(event.total, 1), progress=event.done)
        self.set_status(f"Indexing: {event.text}")

    def on_papers_app_index_ready(self, event: IndexReady) -> None:
        if not self.main.is_attached:  # shutting down
            return
        self.index = event.index
        report = event.report
        self.main.query_one("#progress", ProgressBar).display = False
        for n in report.notices:
            self.notify(n, severity="warning", markup=False, timeout=10)
        for err in report.errors:
            self.notify(f"Skipped {err}", severity="warning", markup=False, timeout=15)
        if report.wrote:
            self.set_status(f"Indexed {report.papers_written} papers in {report.seconds:.1f} s")
        opened, imported = event.opened, event.imported
        notices = list(imported.problems)
        if imported.summary:
            notices.append(f"Imported {imported.summary}")
        if opened.watches_error:
            notices.append(f"Watches and what's new not updated: {opened.watches_error}")
        for n in notices:
            self.notify(n, severity="warning", markup=False, timeout=10)
        for name, ids in opened.watches:
            self.notify(f"Watch {name}: {len(ids)} new paper{'s' if len(ids) != 1 else ''}, tagged watch:{name}",
                        markup=False, timeout=10)
        if opened.new_digests:
            self.new_digests = list(opened.new_digests)
            n = len(self.new_digests)
            self.notify(f"{n} new digest{'s' if n != 1 else ''} since you last opened papers — N shows what's new",
                        markup=False, timeout=10)
        self.refresh_digests()
        self.refresh_library_panes()
        self.refresh_saved()
        self.start_search(self.query_text, immediate=True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            if event.worker.group != "index" and self._rebuild_damaged(error):
                return
            what = {"index": "Opening the index", "search": "Searching"}.get(event.worker.group, "A background task")
            self.push_screen(ErrorScreen(f"{what} failed", f"{type(error).__name__}: {error}"))
            if event.worker.group == "index":
                self.set_status("The index could not be opened; the library panes still work.")

    def _rebuild_damaged(self, error: BaseException) -> bool:
        """A read met a damaged index: say so in one line and rebuild it (at
        most twice a session, so an index that cannot be mended is reported)."""
        from .core.index.recovery import IndexDamaged

        if not isinstance(error, IndexDamaged) or self._damage_rebuilds >= 2:
            return False
        self._damage_rebuilds += 1
        self.notify(f"{error}; rebuilding it", severity="warning", markup=False, timeout=8)
        self.open_index(rebuild=True)
        return True

    # --- status ---------------------------------------------------------------------
    def set_status(self, text: str) -> None:
        try:
            self.main.query_one("#status", Static).update(plain(text))
        except Exception:
            pass

    # --- search ---------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        self.feed = None
        self.start_search(event.value)

    def start_search(self, query: str, immediate: bool = False) -> None:
        self.query_text = query
        self._search_pending = True
        if self._search_timer is not None:
            self._search_timer.stop()
        if immediate:
            self._fire_search()
        else:
            self._search_timer = self.set_timer(SEARCH_DEBOUNCE, self._fire_search)

    @property
    def search_settled(self) -> bool:
        """No search waiting to start or to be shown (for tests and the bench)."""
        return self.index is not None and self.shown_seq == self.search_seq and not self._search_pending

    def _fire_search(self) -> None:
        self._search_pending = False
        if self.index is None:
            return
        self.search_seq += 1
        self.set_status("Searching…" if self.query_text.strip() else "Loading…")
        self.run_search(self.search_seq, self.query_text, 0, self.feed)

    # --- more like this ------------------------------------------------------------------
    def action_more_like(self) -> None:
        """``m``: papers that share the key terms of the selected one."""
        pid = self._selected_pid()
        if pid is None or self.index is None:
            return
        paper = self.get_paper(pid)
        if paper is None:
            self.notify("This paper is not in the current digests", severity="warning", timeout=3)
            return
        self.show_related([pid], f"papers like “{one_line(paper.title)[:70]}”")

    def action_like_bookmarks(self) -> None:
        """``M``: papers like the bookmarks (those with the tag in the filter, if any)."""
        if self.library is None or self.index is None:
            return
        tag = self.main.query_one("#bookmark-filter", Input).value.strip() or None
        try:
            ids = [r.id for r in self.library.bookmarks(tag=tag)]
        except Exception as e:
            self.notify(str(e), severity="warning", markup=False)
            return
        if not ids:
            self.notify("No bookmarks" + (f" tagged {tag}" if tag else "") + " to start from", timeout=3)
            return
        self.show_related(ids, "papers like your bookmarks" + (f" tagged {tag}" if tag else ""))

    def show_related(self, ids: list[str], about: str) -> None:
        def compute(index):
            from .core.related import more_like

            rel = more_like(index, ids, about)
            note = ("key terms: " + ", ".join(rel.terms[:8])) if rel.terms else "no key terms found"
            return rel.hits, rel.shared, (note,)

        self.show_computed(about, compute)

    def action_whats_new(self) -> None:
        """``N``: the papers of the digests added since papers was last opened."""
        if self.index is None:
            return
        known = {d.name for d in self.index.digests()}
        names = [n for n in self.new_digests if n in known]
        if not names:
            self.notify("Nothing new since you last opened papers: digests that arrive between two "
                        "starts show here", timeout=5)
            return

        def compute(index):
            from .core.index import Hit

            ids = list(dict.fromkeys(pid for n in names for pid in index.digest_page(n)))
            titles = index.titles(ids)
            counts = self.library.unread_counts({n: index.digest_page(n) for n in names}) \
                if self.library else {}
            unread = sum(counts.values())
            return tuple(Hit(pid, 0.0, titles.get(pid, ""), ()) for pid in ids), None, (f"{unread} unread",)

        self.show_computed(f"papers new since you last opened papers, from {len(names)} "
                           f"digest{'s' if len(names) != 1 else ''}", compute)

    def show_computed(self, about: str, compute) -> None:
        """Show a list that is not a query (more like this, what's new):
        ``compute(index)`` gives (hits, shared terms by id or None, notes)."""
        self.feed = None
        search = self.main.query_one("#search", Input)
        with search.prevent(Input.Changed):
            search.value = ""
        self.query_text = ""
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_pending = False
        self.search_seq += 1
        self.show_pane("results")
        self.set_status(f"Finding {about}…")
        self.run_computed(self.search_seq, about, compute)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_computed(self, seq: int, about: str, compute) -> None:
        from .core.index import SearchResult

        index = self.index
        if index is None:
            return
        with self.index_lock:
            hits, shared, notes = compute(index)
            papers = index.get_many([h.id for h in hits])
        result = SearchResult(about, len(hits), tuple(hits), 0, notes=tuple(notes))
        if not get_current_worker().is_cancelled:
            self.post_message(self.SearchDone(SearchPage(seq, "", 0, result, papers, shared, about)))

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, seq: int, query: str, offset: int, feed: str | None = None) -> None:
        worker = get_current_worker()
        index = self.index
        if index is None:
            return
        with self.index_lock:
            if feed is not None:
                from .core.index import SearchResult, Hit

                ids = index.digest_page(feed, offset, PAGE)
                papers = index.get_many(ids)
                total = next((d.entries for d in index.digests() if d.name == feed), len(ids))
                hits = tuple(Hit(pid, 0.0, papers[pid].title, ()) for pid in ids if pid in papers)
                result = SearchResult(f"digest {feed}", total, hits, offset)
            else:
                result = index.search(query, limit=PAGE, offset=offset)
                papers = index.get_many([h.id for h in result.hits])
        if not worker.is_cancelled:
            self.post_message(self.SearchDone(SearchPage(seq, query, offset, result, papers)))

    def on_papers_app_search_done(self, event: SearchDone) -> None:
        if not self.main.is_attached:  # shutting down
            return
        page = event.page
        if page.seq != self.search_seq:
            return  # a newer search is under way
        res = page.result
        records = self.library.records([h.id for h in res.hits]) if self.library else {}
        shared = page.shared or {}
        rows = [(h.id, self._row(page.papers.get(h.id), records.get(h.id), h.title, h.title_spans,
                                 extra=("shares: " + ", ".join(shared[h.id])) if shared.get(h.id) else ""))
                for h in res.hits]
        results = self.main.query_one("#results", PaperList)
        if page.offset == 0:
            self.shown_seq = page.seq
            self.last_result = res
            self.last_shared = shared
            self.shown_about = page.about
            keep = self._select_after or results.current_id
            self._select_after = None
            results.set_rows(rows, res.total, keep=keep)
            self.show_details()
        else:
            results.add_rows(rows)
        self._status_for(res, page.about)

    def _status_for(self, res, about: str = "") -> None:
        shown = len(self.main.query_one("#results", PaperList).ids)
        if about:
            text = f"{res.total} {about}" if res.total else f"Nothing found: {about}"
        elif self.feed:
            info = next((d for d in self.index.digests() if d.name == self.feed), None)
            label = (info.label or info.name) if info else self.feed
            text = f"Digest {label}: {res.total} papers"
        elif not res.query.strip():
            text = f"{res.total} papers, newest digest first"
        elif res.total == 0:
            text = f"No papers match {one_line(res.query)!r}"
        else:
            text = f"{res.total} papers match"
        if shown < res.total:
            text += f" · showing {shown} (more load as you scroll)"
        if res.suggestion:
            text += f" · did you mean: {res.suggestion}"
        for n in res.notes:
            text += f" · {n}"
        if res.elapsed_ms and self.show_timings:
            text += f" · {res.elapsed_ms:.0f} ms"
        self.set_status(text)

    @on(PaperList.NeedMore, "#results")
    def _more_results(self, event: PaperList.NeedMore) -> None:
        self.run_search(self.search_seq, self.query_text, event.offset, self.feed)

    # --- rows and details ---------------------------------------------------------------
    def _row(self, paper, record, title: str = "", spans=(), extra: str = "") -> Content:
        state = RowState(
            bookmarked=bool(record and record.bookmarked),
            note=bool(record and record.note),
            read=bool(record and record.read),
        )
        if paper is None and record is not None:
            labels = record.snapshot.labels if record.snapshot else ()
            return row_content(record.title or title or record.id, (), where_text(None, labels), state)
        return row_content(paper.title if paper else title, spans, where_text(paper), state, extra=extra)

    def current_list(self) -> PaperList:
        pane = self.main.query_one("#panes", ContentSwitcher).current or "results"
        return self.main.query_one("#bookmark-list" if pane == "bookmarks" else f"#{pane}", PaperList)

    def current_paper_id(self) -> str | None:
        if isinstance(self.screen, TriageScreen):
            return self.screen.viewing_id()
        lst = self.current_list()
        if lst.id in ("digests", "saved"):
            return None
        return lst.current_id

    def get_paper(self, pid: str):
        if self.index is None:
            return None
        return self.index.get(pid)

    def show_details(self) -> None:
        pid = self.current_paper_id()
        details = self.main.query_one("#details", DetailsPane)
        if pid is None:
            lst = self.current_list()
            if lst.id == "digests" and lst.current_id and self.index is not None:
                details.show(self._digest_details(lst.current_id.removeprefix("d:")))
            elif lst.id == "saved" and lst.current_id:
                details.show(self._saved_details(lst.current_id.removeprefix("s:")))
            else:
                details.show(Content.styled("No paper selected.", "dim"))
            return
        paper = self.get_paper(pid)
        record = self.library.get(pid) if self.library else None
        spans_for = None
        terms = self.last_result.terms if self.last_result is not None and lst_is_results(self) else frozenset()
        if terms:
            from .core.index import highlight_spans

            spans_for = lambda text: highlight_spans(text, terms)  # noqa: E731
        details.show(details_content(paper, record, spans_for))

    def _digest_details(self, name: str) -> Content:
        info = next((d for d in self.index.digests() if d.name == name), None)
        if info is None:
            return Content("")
        lines = [plain(info.label or info.name, "bold"), plain(f"{info.name} · {info.origin} · {info.format or '-'}", "dim"),
                 plain(f"{info.entries} papers · {len(info.problems)} parse problems")]
        if info.error:
            lines.append(plain(f"Skipped: {info.error}", "$error"))
        for p in info.problems[:20]:
            lines.append(plain(p, "dim"))
        order = self.digest_order()
        pos, total = order.position(name)
        lines.append(plain(f"Digest {pos} of {total}, newest first · {order.why}", "dim"))
        lines.append(Content(""))
        lines.append(Content.styled("enter opens it as a feed in the Search pane · [ ] step through digests", "dim"))
        return Content("\n").join(lines)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        try:
            if isinstance(event.option_list, PaperList) and event.option_list is self.current_list():
                self.show_details()
        except NoMatches:  # the screen is being torn down
            pass

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if not isinstance(event.option_list, PaperList):
            return
        if event.option_list.id == "digests":
            self.open_feed(event.option.id.removeprefix("d:"))
        elif event.option_list.id == "saved":
            self.run_saved(event.option.id.removeprefix("s:"))
        else:
            self.screen.set_focus(self.main.query_one("#details", DetailsPane))
            pid = self.current_paper_id()
            if pid is not None:
                self.start_dwell(pid)

    # --- read after a dwell -------------------------------------------------------------
    def start_dwell(self, pid: str) -> None:
        """The paper's details are open: after ``dwell`` seconds it is read."""
        if self._dwell_timer is not None:
            self._dwell_timer.stop()
            self._dwell_timer = None
        if self.dwell > 0 and self.library is not None and not self.library.readonly:
            self._dwell_timer = self.set_timer(self.dwell, lambda: self._dwell_done(pid))

    def _dwell_done(self, pid: str) -> None:
        self._dwell_timer = None
        if pid in self._dwell_kept_unread or self.library is None:
            return
        viewing = self.screen.viewing_id() if hasattr(self.screen, "viewing_id") else (
            self.current_paper_id() if self.focused is self.main.query_one("#details", DetailsPane) else None)
        if viewing != pid:
            return
        rec = self.library.get(pid)
        if rec is not None and rec.read:
            return
        if self._write(lambda: self.library.set_read(pid, True, self.get_paper(pid))):
            self._changed(pid)

    def search_now(self, query: str, limit: int = 8):
        """A synchronous search (from a thread): for the command palette."""
        index = self.index
        if index is None:
            return None
        with self.index_lock:
            return index.search(query, limit=limit)

    def go_to_paper(self, pid: str) -> None:
        """Show one paper: its exact title as the query, the paper selected."""
        paper = self.get_paper(pid)
        if paper is None:
            return
        self.feed = None
        self._select_after = pid
        search = self.main.query_one("#search", Input)
        with search.prevent(Input.Changed):
            search.value = paper.title
        self.show_pane("results")
        self.start_search(paper.title, immediate=True)

    def open_feed(self, name: str) -> None:
        self.feed = name
        search = self.main.query_one("#search", Input)
        with search.prevent(Input.Changed):
            search.value = ""
        self.query_text = ""
        self.show_pane("results")
        self.start_search("", immediate=True)
        self.feed = name
        self.main.query_one("#results", PaperList).focus()

    def refresh_rows(self, pid: str) -> None:
        paper = self.get_paper(pid)
        record = self.library.get(pid) if self.library else None
        spans = ()
        if self.last_result is not None:
            for h in self.last_result.hits:
                if h.id == pid:
                    spans = h.title_spans
        for lst in self.main.query(PaperList):
            if lst.id not in ("digests", "saved") and pid in lst.ids:
                shared = self.last_shared.get(pid) if lst.id == "results" else None
                lst.update_row(pid, self._row(paper, record, spans=spans if lst.id == "results" else (),
                                              extra=("shares: " + ", ".join(shared)) if shared else ""))
        self.show_details()

    # --- panes --------------------------------------------------------------------
    def show_pane(self, pane: str) -> None:
        if pane not in PANES:
            return
        self.main.query_one("#panes", ContentSwitcher).current = pane
        tabs = self.main.query_one("#tabs", Tabs)
        if tabs.active != f"tab-{pane}":
            tabs.active = f"tab-{pane}"
        if pane == "bookmarks":
            self.refresh_bookmarks()
        elif pane == "notes":
            self.refresh_notes()
        elif pane == "digests":
            self.refresh_digests()
        elif pane == "saved":
            self.refresh_saved()
        self.refresh_bindings()  # the footer shows the keys of this pane
        self.focus_current_list()
        self.show_details()

    def focus_current_list(self) -> None:
        self.main.set_focus(self.current_list())  # at once, not deferred: see MainScreen

    def refresh_library_panes(self) -> None:
        self.refresh_bookmarks()
        self.refresh_notes()
        if self.main.query_one("#panes", ContentSwitcher).current == "digests":
            self.refresh_digests()

    def _library_rows(self, records) -> list:
        papers = self.index.get_many([r.id for r in records]) if self.index else {}
        return [(r.id, self._row(papers.get(r.id), r, r.title)) for r in records]

    def refresh_bookmarks(self) -> None:
        if self.library is None:
            return
        tag = self.main.query_one("#bookmark-filter", Input).value.strip() or None
        try:
            records = self.library.bookmarks(tag=tag, sort=self.bookmark_sort)
        except Exception as e:  # a bad tag filter
            self.notify(str(e), severity="warning", markup=False)
            records = []
        lst = self.main.query_one("#bookmark-list", PaperList)
        lst.set_rows(self._library_rows(records), len(records), keep=lst.current_id)

    def refresh_notes(self) -> None:
        if self.library is None:
            return
        records = self.library.notes()
        papers = self.index.get_many([r.id for r in records]) if self.index else {}
        rows = []
        for r in records:
            p = papers.get(r.id)
            state = RowState(r.bookmarked, True, r.read)
            rows.append((r.id, row_content(p.title if p else r.title or r.id, (), where_text(p, r.snapshot.labels if r.snapshot else ()), state, extra=r.note or "")))
        lst = self.main.query_one("#notes", PaperList)
        lst.set_rows(rows, len(rows), keep=lst.current_id)

    def digest_order(self):
        from .core.navigation import digest_order

        return digest_order(self.index.digests() if self.index is not None else [])

    def action_step_digest(self, delta: int) -> None:
        """``[`` / ``]``: the newer / older digest — in the Digests pane the
        highlight moves; elsewhere the digest opens as a feed."""
        if self.index is None:
            return
        order = self.digest_order()
        pane = self.main.query_one("#panes", ContentSwitcher).current
        digests = self.main.query_one("#digests", PaperList)
        if pane == "digests":
            current = (digests.current_id or "").removeprefix("d:") or None
        else:
            current = self.feed
        target = order.step(current, delta)
        if target is None:
            self.notify(f"No {'newer' if delta < 0 else 'older'} digest ({order.why})", timeout=3)
            return
        pos, total = order.position(target)
        if pane == "digests":
            digests.highlighted = digests.ids.index(f"d:{target}")
        else:
            self.open_feed(target)
        self.notify(f"Digest {pos}/{total} · {order.why}", timeout=3)

    # --- saved searches -------------------------------------------------------------------
    def action_save_search(self) -> None:
        """``ctrl+s``: keep the query in the search box under a name."""
        if self.library is None:
            self.notify("The library is unavailable", severity="error", timeout=5)
            return
        query = self.main.query_one("#search", Input).value.strip()
        if not query:
            self.notify("Type a query first, then ctrl+s saves it", severity="warning", timeout=4)
            return

        def done(name: str | None) -> None:
            if not name or not name.strip():
                return
            saved = []
            if self._write(lambda: saved.append(self.library.save_search(name, query))):
                self.notify(f"Saved search {saved[0].name}: {query} — W in the Saved pane (5) makes it a watch",
                            markup=False, timeout=5)
                self.refresh_saved()

        self.push_screen(LineDialog("Save search — " + one_line(query)[:80], query[:64],
                                    "a name for this search", "Saved searches are in pane 5 and the palette."),
                         done)

    def refresh_saved(self) -> None:
        if self.library is None:
            return
        try:
            searches = self.library.saved_searches()
        except Exception as e:
            self.notify(f"Saved searches unavailable: {e}", severity="warning", markup=False)
            return
        counts = getattr(self, "saved_counts", {})
        rows = [(f"s:{x.name}", self._saved_row(x, counts.get(x.name))) for x in searches]
        lst = self.main.query_one("#saved", PaperList)
        lst.set_rows(rows, len(rows), keep=lst.current_id)
        if searches and self.index is not None:
            self.count_saved([(x.name, x.query) for x in searches])

    @staticmethod
    def _saved_row(x, count: int | None) -> Content:
        hits = "…" if count is None else f"{count} paper{'s' if count != 1 else ''}"
        title = Content.assemble(plain(x.name, "bold"), "  ", plain(hits, "dim"),
                                 ("  ◉ watch" if x.watch else "", "bold $accent"))
        return Content("\n").join([title, Content.assemble("    ", plain(one_line(x.query), "dim"))])

    @work(thread=True, exclusive=True, group="saved-counts", exit_on_error=False)
    def count_saved(self, searches: list[tuple[str, str]]) -> None:
        index = self.index
        if index is None:
            return
        counts = {}
        for name, query in searches:
            with self.index_lock:
                counts[name] = index.search(query, limit=1).total
        self.call_from_thread(self._saved_counted, counts)

    def _saved_counted(self, counts: dict) -> None:
        self.saved_counts = counts
        if self.library is None:
            return
        lst = self.main.query_one("#saved", PaperList)
        for x in self.library.saved_searches():
            if x.name in counts:
                lst.update_row(f"s:{x.name}", self._saved_row(x, counts[x.name]))
        if self.main.query_one("#panes", ContentSwitcher).current == "saved":
            self.show_details()

    def _saved_details(self, name: str) -> Content:
        x = self.library.saved_search(name) if self.library else None
        if x is None:
            return Content("")
        count = getattr(self, "saved_counts", {}).get(x.name)
        lines = [plain(x.name, "bold"), plain(x.query),
                 plain(f"{count} papers match now" if count is not None else "counting…", "dim"),
                 plain(f"saved {x.created_at[:16].replace('T', ' ')} UTC", "dim"), Content("")]
        if x.watch:
            lines.append(plain(f"Watch on: papers of newly added digests that match are tagged {x.tag} "
                               "and announced at start.", "$accent"))
        else:
            lines.append(plain("Watch off: W turns it on (new papers that match get tagged and announced).", "dim"))
        lines += [Content(""), Content.styled("enter runs it · W watch on/off · x deletes", "dim")]
        return Content("\n").join(lines)

    def _saved_selected(self) -> str | None:
        lst = self.main.query_one("#saved", PaperList)
        return lst.current_id.removeprefix("s:") if lst.current_id else None

    def run_saved(self, name: str) -> None:
        x = self.library.saved_search(name) if self.library else None
        if x is None:
            return
        self.feed = None
        search = self.main.query_one("#search", Input)
        with search.prevent(Input.Changed):
            search.value = x.query
        self.show_pane("results")
        self.start_search(x.query, immediate=True)

    def action_toggle_watch(self) -> None:
        name = self._saved_selected()
        if name is None or self.library is None:
            return
        x = self.library.saved_search(name)
        if x is None:
            return
        if self._write(lambda: self.library.set_watch(name, not x.watch)):
            self.notify(f"Watch {'on' if not x.watch else 'off'}: {name}", markup=False, timeout=3)
            self.refresh_saved()
            self.show_details()

    def action_delete_saved(self) -> None:
        name = self._saved_selected()
        if name is None or self.library is None:
            return
        if self._write(lambda: self.library.delete_search(name)):
            self.notify(f"Deleted saved search {name}", markup=False, timeout=3)
            self.refresh_saved()
            self.show_details()

    # --- triage ---------------------------------------------------------------------------
    def action_triage(self) -> None:
        """Triage the highlighted digest (Digests pane), the open feed, or the newest."""
        if self.index is None:
            return
        pane = self.main.query_one("#panes", ContentSwitcher).current
        digests = self.main.query_one("#digests", PaperList)
        name = (digests.current_id or "").removeprefix("d:") if pane == "digests" else self.feed
        name = name or self.digest_order().step(None, 1)
        if name:
            self.open_triage(name)

    def open_triage(self, name: str, replace: bool = False) -> None:
        info = next((d for d in self.index.digests() if d.name == name), None)
        if info is None:
            return
        ids = self.index.digest_page(name)
        start = 0
        saved = self._triage_saved(name)
        if saved is not None:
            if saved.paper_id in ids:
                start = ids.index(saved.paper_id)
            elif saved.index is not None:  # the paper left a changed digest: its place
                start = max(0, min(saved.index, len(ids)))
        screen = TriageScreen(name, info.label or info.name, ids, start)
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen, lambda _: self.focus_current_list())
        if start:
            self.notify("Resumed where you stopped" if start < len(ids) else "This digest was triaged already",
                        timeout=3)

    def triage_step_digest(self, screen: TriageScreen, delta: int) -> None:
        order = self.digest_order()
        target = order.step(screen.digest, delta)
        if target is None:
            self.notify(f"No {'newer' if delta < 0 else 'older'} digest ({order.why})", timeout=3)
            return
        self.open_triage(target, replace=True)

    def triage_change(self, pid: str, kind: str) -> bool:
        """keep: bookmark (and read); skip: read; later: tag ``later``."""
        if self.library is None:
            self.notify("The library is unavailable", severity="error", timeout=5)
            return False
        paper = self.get_paper(pid)

        def change() -> None:
            with self.library.batch():
                if kind == "keep":
                    self.library.set_bookmark(pid, True, paper)
                    self.library.set_read(pid, True, paper)
                elif kind == "skip":
                    self.library.set_read(pid, True, paper)
                elif kind == "later":
                    self.library.add_tags(pid, [LATER_TAG], paper)

        if not self._write(change):
            return False
        self._changed(pid)
        return True

    def _triage_saved(self, name: str):
        from .core.library import LibraryError

        if self.library is None:
            return None
        try:
            return self.library.triage_position(name)
        except (LibraryError, ValueError):
            return None

    def save_triage_position(self, name: str, pid: str | None, pos: int) -> None:
        """``pid`` None: past the last paper (the digest is done)."""
        if self.library is None or self.library.readonly:
            return
        from .core.library import LibraryError

        try:
            if pid is None:
                self.library.set_triage_position(name, pos)
            else:
                self.library.set_triage_position(name, pid, index=pos)
        except (LibraryError, ValueError) as e:
            self.notify(f"Triage position not saved: {e}", severity="warning", markup=False, timeout=5)

    def refresh_digests(self) -> None:
        if self.index is None:
            return
        by_name = {d.name: d for d in self.index.digests()}
        infos = [by_name[n] for n in self.digest_order().names]
        rows = [(f"d:{d.name}", self._digest_row(d)) for d in infos]
        lst = self.main.query_one("#digests", PaperList)
        lst.set_rows(rows, len(rows), keep=lst.current_id)
        if self.library is not None:
            self.count_unread([d.name for d in infos])

    def _digest_row(self, d) -> Content:
        unread = self.unread_counts.get(d.name)
        title = Content.assemble(
            ("NEW " if d.name in self.new_digests else "", "bold $accent"), plain(d.label or d.name, "bold"), "  ",
            plain(f"{d.entries} papers", "dim"),
            (f" · {unread} unread" if unread else (" · all read" if unread == 0 and d.entries else ""), "$primary"))
        sub = plain(f"    {d.name} · {d.origin}" + (f" · SKIPPED: {d.error}" if d.error else "")
                    + (f" · {len(d.problems)} problems" if d.problems else ""), "dim")
        return Content("\n").join([title, sub])

    @work(thread=True, exclusive=True, group="unread-counts", exit_on_error=False)
    def count_unread(self, names: list[str]) -> None:
        index, library = self.index, self.library
        if index is None or library is None:
            return
        with self.index_lock:
            ids = {n: index.digest_page(n) for n in names}
        counts = library.unread_counts(ids)
        self.call_from_thread(self._unread_counted, counts)

    def _unread_counted(self, counts: dict) -> None:
        self.unread_counts = counts
        if self.index is None:
            return
        lst = self.main.query_one("#digests", PaperList)
        for d in self.index.digests():
            if f"d:{d.name}" in lst.ids:
                lst.update_row(f"d:{d.name}", self._digest_row(d))

    @on(Input.Changed, "#bookmark-filter")
    def _bookmark_filter(self) -> None:
        self.refresh_bookmarks()

    @on(Input.Submitted, "#bookmark-filter")
    def _bookmark_filter_done(self) -> None:
        self.main.query_one("#bookmark-list", PaperList).focus()

    def action_sort_bookmarks(self) -> None:
        self.bookmark_sort = "title" if self.bookmark_sort == "added" else "added"
        self.refresh_bookmarks()
        self.notify(f"Bookmarks sorted by {'title' if self.bookmark_sort == 'title' else 'date added'}", timeout=2)

    # --- library actions ------------------------------------------------------------
    def _selected_pid(self) -> str | None:
        """The paper the keys act on; tells the user when there is none."""
        pid = self.current_paper_id()
        if pid is None:
            self.notify("Select a paper first", severity="warning", timeout=3)
        return pid

    def _target(self) -> tuple[str, object] | None:
        pid = self._selected_pid()
        if pid is None:
            return None
        if self.library is None:
            self.notify("The library is unavailable", severity="error", timeout=5)
            return None
        return pid, self.get_paper(pid)

    def _title_of(self, pid: str, paper) -> str:
        if paper is not None:
            return paper.title
        rec = self.library.get(pid) if self.library else None
        return rec.title if rec else pid

    def _write(self, change) -> bool:
        """Run one library change; a refusal (read-only, full disk, busy) is a
        notification, not a crash."""
        from .core.library import LibraryError

        try:
            change()
            return True
        except LibraryError as e:
            self.notify(f"Not saved: {e}", severity="error", markup=False, timeout=10)
            return False

    def _changed(self, pid: str) -> None:
        self.refresh_rows(pid)
        self.refresh_library_panes()
        self.reindex_paper(pid)

    @work(thread=True, group="library-index", exit_on_error=False)
    def reindex_paper(self, pid: str) -> None:
        index = self.index
        if index is None or self.library is None:
            return
        with self.index_lock:
            index.catch_up(self.library)  # this change, and any another window made

    def action_bookmark(self) -> None:
        target = self._target()
        if target is None:
            return
        pid, paper = target
        result = []
        if not self._write(lambda: result.append(self.library.toggle_bookmark(pid, paper))):
            return
        self._changed(pid)
        title = one_line(self._title_of(pid, paper))
        self.notify(("Bookmarked: " if result[0] else "Bookmark removed: ") + title[:80], markup=False, timeout=3)

    def action_toggle_read(self) -> None:
        target = self._target()
        if target is None:
            return
        pid, paper = target
        rec = self.library.get(pid)
        read = not (rec and rec.read)
        if not self._write(lambda: self.library.set_read(pid, read, paper)):
            return
        if read:
            self._dwell_kept_unread.discard(pid)
        else:
            self._dwell_kept_unread.add(pid)
        self._changed(pid)
        self.notify("Marked read" if read else "Marked unread", timeout=2)

    def action_tags(self) -> None:
        target = self._target()
        if target is None:
            return
        pid, paper = target
        rec = self.library.get(pid)
        current = list(rec.tags) if rec else []

        def done(value: str | None) -> None:
            if value is None:
                return
            wanted = [t for t in (x.strip() for x in value.split(",")) if t]
            from .core.library import normalize_tag

            try:
                wanted_norm = list(dict.fromkeys(normalize_tag(t) for t in wanted))
            except ValueError as e:
                self.notify(f"Tags not saved: {e}", severity="error", markup=False)
                return
            removed = [t for t in current if t not in wanted_norm]
            added = [t for t in wanted_norm if t not in current]

            def change() -> None:
                with self.library.batch():
                    if removed:
                        self.library.remove_tags(pid, removed)
                    if added:
                        self.library.add_tags(pid, added, paper)

            if not self._write(change):
                return
            self._changed(pid)
            self.notify("Tags: " + (", ".join(wanted_norm) or "none"), markup=False, timeout=3)

        self.push_screen(TagsDialog(self._title_of(pid, paper), current, list(self.library.tags())), done)

    def action_note(self) -> None:
        target = self._target()
        if target is None:
            return
        pid, paper = target
        rec = self.library.get(pid)

        def save(text: str) -> None:
            self.library.set_note(pid, text, paper)
            self._changed(pid)

        def closed(unsaved: str | None) -> None:
            self.focus_current_list()
            if isinstance(self.screen, TriageScreen):
                self.screen.show()
            if unsaved is not None:  # the library refused it: never drop what was typed
                self.push_screen(TextDialog("The note could not be saved — copy it from here", unsaved))

        self.push_screen(NoteEditor(one_line(self._title_of(pid, paper)), (rec.note or "") if rec else "", save), closed)

    def action_edit_note(self) -> None:
        target = self._target()
        if target is None:
            return
        pid, paper = target
        rec = self.library.get(pid)
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        with tempfile.NamedTemporaryFile("w", suffix=".md", prefix="papers-note-", delete=False, encoding="utf-8") as f:
            f.write((rec.note or "") if rec else "")
            tmp = f.name
        try:
            try:
                with self.suspend():
                    code = subprocess.call([*shlex.split(editor), tmp])
            except Exception as e:  # no terminal to hand over (headless, some Windows consoles)
                self.notify(f"Cannot run the editor here: {e}", severity="error", markup=False)
                return
            if code != 0:
                self.notify(f"{editor} exited with {code}; note unchanged", severity="warning", markup=False)
                return
            text = Path(tmp).read_text(encoding="utf-8")
            if text != ((rec.note or "") if rec else ""):
                if not self._write(lambda: self.library.set_note(pid, text, paper)):
                    self.push_screen(TextDialog("The note could not be saved — copy it from here", text))
                    return
                self._changed(pid)
                self.notify("Note saved", timeout=2)
        finally:
            try:
                os.unlink(tmp)
            except OSError:
                pass

    # --- clipboard and browser ------------------------------------------------------------
    def _link_of(self, pid: str, paper) -> str | None:
        if paper is not None:
            return paper.primary_link
        rec = self.library.get(pid) if self.library else None
        return rec.snapshot.link if rec and rec.snapshot else None

    def action_copy_link(self) -> None:
        pid = self._selected_pid()
        if pid is None:
            return
        link = self._link_of(pid, self.get_paper(pid))
        if link:
            self.copy_text("link", link)

    def action_copy_menu(self) -> None:
        pid = self._selected_pid()
        if pid is None:
            return
        paper = self.get_paper(pid)
        if paper is None:
            link = self._link_of(pid, None)
            if link:
                self.copy_text("link", link)
            return
        rec = self.library.get(pid) if self.library else None

        choices = [
            ("title", paper.title, paper.title),
            ("Markdown link", f"[{paper.title}]({paper.primary_link})", f"[{paper.title}]({paper.primary_link})"),
            ("BibTeX entry", "@misc{…}", bibtex_entry(paper, rec)),
            ("abstract", paper.abstract, paper.abstract),
        ]
        for link in paper.links:
            choices.append((link.label, link.url, link.url))

        def done(choice) -> None:
            if choice:
                self.copy_text(choice[0], choice[1])

        self.push_screen(CopyMenu(choices), done)

    def copy_text(self, what: str, text: str) -> None:
        self.copy_to_clipboard(text)  # OSC 52: the terminal, also over SSH
        self._copy_local(what, text)

    @work(thread=True, group="clipboard", exit_on_error=False)
    def _copy_local(self, what: str, text: str) -> None:
        from .core.clipboard import copy_local

        result = copy_local(text)
        self.call_from_thread(self._copied, what, text, result)

    def _copied(self, what: str, text: str, result) -> None:
        preview = one_line(text)[:60] + ("…" if len(one_line(text)) > 60 else "")
        if result.ok:
            self.notify(f"Copied {what}: {preview}\nvia {result.route} and the terminal (OSC 52)", markup=False, timeout=4)
        else:
            self.notify(f"Sent {what} to the terminal clipboard (OSC 52): {preview}\n"
                        f"No system clipboard tool works here ({result.detail}).", markup=False,
                        severity="warning", timeout=6)
            self.push_screen(TextDialog(f"Copy the {what} from here", text))

    def action_open_link(self) -> None:
        pid = self._selected_pid()
        if pid is None:
            return
        link = self._link_of(pid, self.get_paper(pid))
        if not link or not is_web_url(link):
            self.notify("This paper has no web link to open", severity="warning", timeout=3)
            return
        self._open_browser(link)

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_browser(self, url: str) -> None:
        try:
            ok = webbrowser.open(url, new=2)
        except Exception:
            ok = False
        msg = f"Opened {url}" if ok else f"No browser found to open {url}; copy it with y"
        self.call_from_thread(self.notify, msg, markup=False, severity="information" if ok else "warning", timeout=4)

    def _typing(self) -> bool:
        from textual.widgets import TextArea

        return isinstance(self.focused, (Input, TextArea)) or self.screen is not getattr(self, "main", None)

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "focus_search":
            return not self._typing()
        if action == "leave_search":
            return self.screen is getattr(self, "main", None) and self.focused is not None \
                and self.focused.id == "search"
        if action in PAPER_ACTIONS and self.screen is getattr(self, "main", None):
            try:  # no paper in these panes: the keys are hidden from the footer
                return self.main.query_one("#panes", ContentSwitcher).current not in ("digests", "saved")
            except Exception:
                return True
        pane_actions = {"sort_bookmarks": "bookmarks", "toggle_watch": "saved", "delete_saved": "saved"}
        if action in pane_actions:
            try:
                return self.main.query_one("#panes", ContentSwitcher).current == pane_actions[action]
            except Exception:
                return False
        return True

    def action_focus_search(self) -> None:
        search = self.main.query_one("#search", Input)
        self.main.set_focus(search)
        # select the query now, so typing replaces it (select-on-focus would run
        # later and swallow a character typed in between)
        search.select_all()

    def action_leave_search(self) -> None:
        if self.main.query_one("#panes", ContentSwitcher).current != "results":
            self.show_pane("results")
        self.focus_current_list()

    # --- other actions --------------------------------------------------------------------
    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.binding_groups()))

    def keymap_scopes(self) -> list[list[type]]:
        """The bindings active at the same time, by class (see tui.keymap)."""
        app = type(self)
        return [[app, MainScreen, PaperList], [app, MainScreen, DetailsPane], [app, TriageScreen],
                *([app, dialog] for dialog in (HelpScreen, NoteEditor, LineDialog, CopyMenu, TextDialog,
                                               ErrorScreen, TagsDialog))]

    def binding_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        groups = []
        keymap = self._keymap if hasattr(self, "_keymap") else {}
        for title, bindings in (("Reader", [*self.BINDINGS[:1], *MainScreen.BINDINGS]), ("Lists", PaperList.BINDINGS),
                                ("Details", DetailsPane.BINDINGS), ("Triage (T)", TriageScreen.BINDINGS),
                                ("App", self.BINDINGS[3:])):
            rows = []
            for b in bindings:
                keys = keymap.get(b.id, b.key) if b.id else b.key
                rows.append((self._pretty_keys(keys), b.description))
            groups.append((title, rows))
        groups.append(("Lists (also)", [("↑ ↓ home end", "move"), ("enter", "details / open digest"),
                                        ("ctrl+p", "command palette")]))
        return groups

    @staticmethod
    def _pretty_keys(keys: str) -> str:
        names = {"slash": "/", "question_mark": "?", "escape": "esc"}
        return " ".join(names.get(k.strip(), k.strip()) for k in keys.split(","))

    def action_refresh(self) -> None:
        self._sync_from_others(force=True)

    def _watch_library(self) -> None:
        self._sync_from_others()

    def _sync_from_others(self, force: bool = False) -> None:
        """Pick up changes another papers process made to the library."""
        if self.library is None:
            return
        gen = self.library.generation()
        if gen == self._generation and not force:
            return
        self._generation = gen
        self.catch_up_index()
        self.refresh_library_panes()
        if self.shown_about:  # a computed list (more like this, what's new): redraw its badges only
            self.refresh_result_rows()
        else:
            self.start_search(self.query_text, immediate=True)

    def refresh_result_rows(self) -> None:
        results = self.main.query_one("#results", PaperList)
        if self.library is None or self.index is None or not results.ids:
            return
        records = self.library.records(results.ids)
        papers = self.index.get_many(list(results.ids))
        for pid in results.ids:
            shared = self.last_shared.get(pid)
            results.update_row(pid, self._row(papers.get(pid), records.get(pid),
                                              extra=("shares: " + ", ".join(shared)) if shared else ""))

    @work(thread=True, group="library-index", exit_on_error=False)
    def catch_up_index(self) -> None:
        index = self.index
        if index is None or self.library is None:
            return
        with self.index_lock:
            index.refresh()
            index.catch_up(self.library)

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        for b in MainScreen.BINDINGS:
            if b.action.startswith("app.") or b.action.startswith("pane("):
                action = b.action.removeprefix("app.")
                yield SystemCommand(b.description, f"{b.description} ({self._pretty_keys(b.key)})",
                                    (lambda a=b.action: self.screen.run_action(a)) if not b.action.startswith("app.")
                                    else (lambda a=action: self.run_action(a)))

    # --- state -----------------------------------------------------------------------
    def _load_state(self) -> dict:
        try:
            return json.loads(self.paths.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _save_state(self, **changes) -> None:
        state = self._load_state()
        state.update(changes)
        try:
            self.paths.state_file.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.paths.state_file, json.dumps(state, indent=2))
        except OSError as e:
            self.notify(f"Cannot save settings: {e}", severity="warning", markup=False)

    def _theme_changed(self, theme) -> None:
        self._save_state(theme=theme.name)

    def on_unmount(self) -> None:
        if self.index is not None:
            with self.index_lock:
                self.index.close()
        if self.library is not None:
            self.library.close()


def bibtex_entry(paper, record) -> str:
    """One paper as a BibTeX ``@misc`` entry, as the library export writes it."""
    from .core.export import Item, to_bibtex
    from .core.library import Record

    item = Item(record or Record(paper.id), paper.title, paper.primary_link, paper.arxiv_id,
                tuple(paper.authors), tuple(paper.labels))
    return "".join(line for line in to_bibtex([item]).splitlines(keepends=True)
                   if not line.startswith("%")).strip() + "\n"


def lst_is_results(app: PapersApp) -> bool:
    return app.current_list().id == "results"


def run(paths: Paths) -> int:
    app = PapersApp(paths)
    app.run()
    return app.return_code or 0
