"""The main screen: the search box, the five panes (Search, Bookmarks, Notes,
Digests, Saved searches), the details pane, a status line and the footer.

It opens the library and then the index (in a thread worker, with progress),
routes what a pane posts (:mod:`tui.messages`) to the pane that shows it, and
keeps the details pane and the status line on the current pane. The panes own
their keys; the keys bound here work in every pane."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Input, Tabs, TextArea

from .. import messages
from ..core.text import plural
from ..reader import Reader
from ..widgets.bookmarks import Bookmarks
from ..widgets.chrome import KeyFooter, PaneTabs, StatusLine
from ..widgets.details import DetailsPane
from ..widgets.digests import Digests
from ..widgets.fetcher import Fetcher
from ..widgets.handoff import Handoff
from ..widgets.loader import Loader
from ..widgets.notes import Notes
from ..widgets.paper_list import PaperList
from ..widgets.search_pane import Results
from ..widgets.saved import SavedSearches
from ..widgets.search_input import SearchInput
from .layout import PANES, PaneLayout
from .paper_screen import PaperScreen, paper_bindings
from .triage import TriageScreen

#: each pane's tab labels, from the longest (the tabs take the longest that fits)
PANE_LABELS = {"results": ("1 Search", "1 Srch", "1"), "bookmarks": ("2 Bookmarks", "2 Mark", "2"),
               "notes": ("3 Notes", "3 Note", "3"), "digests": ("4 Digests", "4 Dgst", "4"),
               "saved": ("5 Saved", "5 Svd", "5")}


class MainScreen(PaneLayout, PaperScreen, inherit_bindings=False):  # the footer's order is set here
    # Focus moves are bound with priority: the app resolves them in its own key
    # loop, before it forwards the next key, so nothing typed right after "/",
    # enter, esc or a pane's number lands in the wrong widget. (While typing,
    # check_action turns "/" and the numbers off: they are text there.)
    BINDINGS = [
        *Screen.BINDINGS,
        Binding("enter", "leave_search", "Results", priority=True, id="search_done"),
        Binding("escape", "leave_search", "List", priority=True, id="search_leave"),
        Binding("escape", "back", "List", id="back"),
        *paper_bindings(shown={"bookmark", "tags", "note", "copy_link", "toggle_read"}, without={"more_like"}),
        Binding("T", "triage", "Triage", id="triage"),
        *paper_bindings(shown={"more_like"}, only={"more_like"}),
        Binding("C", "toggle_compact", "Compact", id="compact"),
        Binding("v", "toggle_details", "Details", id="toggle_details"),
        Binding("N", "whats_new", "What's new", show=False, id="whats_new"),
        Binding("M", "like_bookmarks", "Like bookmarks", show=False, id="like_bookmarks"),
        Binding("F", "fetch", "Fetch new papers", show=False, id="fetch"),
        Binding("left_square_bracket", "step_digest(-1)", "Newer digest", show=False, id="digest_newer"),
        Binding("right_square_bracket", "step_digest(1)", "Older digest", show=False, id="digest_older"),
        Binding("1", "pane('results')", "Search", show=False, priority=True, id="pane_search"),
        Binding("2", "pane('bookmarks')", "Bookmarks", show=False, priority=True, id="pane_bookmarks"),
        Binding("3", "pane('notes')", "Notes", show=False, priority=True, id="pane_notes"),
        Binding("4", "pane('digests')", "Digests", show=False, priority=True, id="pane_digests"),
        Binding("5", "pane('saved')", "Saved searches", show=False, priority=True, id="pane_saved"),
        Binding("ctrl+s", "save_search", "Save search", show=False, id="save_search"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="refresh"),
        Binding("question_mark", "app.help", "Help", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
        Binding("slash", "focus_search", "Search", priority=True, id="search"),
    ]

    class Started(Message):
        """The screen is mounted (and, with a library, has started opening it)."""

    def __init__(self, reader: Reader | None = None, watch_interval: float = 0) -> None:
        super().__init__(reader or Reader(None))
        self.watch_interval = watch_interval

    def compose(self) -> ComposeResult:
        reader = self.reader
        yield SearchInput(select_on_focus=False, placeholder="Search papers — words, \"phrases\", title:…, tag:…, "
                          "is:unread   (/ to focus)", id="search")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield PaneTabs({f"tab-{p}": PANE_LABELS[p] for p in PANES}, id="tabs")
                with ContentSwitcher(initial="results", id="panes"):
                    yield Results(reader, id="results")
                    yield Bookmarks(reader, id="bookmarks")
                    yield Notes(reader, id="notes")
                    yield Digests(reader, id="digests")
                    yield SavedSearches(reader, id="saved")
            yield DetailsPane(reader.dwell, id="details")
        yield Loader(reader, self.watch_interval)
        yield Handoff()
        yield StatusLine(id="statusbar")
        yield KeyFooter()

    # -- start-up, the index, fetching (the Loader) ------------------------------------------------
    def on_mount(self) -> None:
        self.query_one(StatusLine).stop()
        self.query_one("#results", PaperList).focus()
        if self.reader.session is not None:
            loader = self.query_one(Loader)
            loader.open_library()
            for pane in self.panes():
                if pane.id in ("bookmark-list", "notes"):
                    pane.reload()
            self.set_status("Opening the index…")
            self.open_index()  # shows the newest papers from the catalog first
            loader.watch_library()
        self.post_message(self.Started())

    def open_index(self, rebuild: bool = False) -> None:
        """Open the index (again, to rebuild it), the newest papers shown first."""
        self.query_one(Loader).open_index(rebuild, self.results.load_preview)

    @on(Loader.Progress)
    @on(Fetcher.Progress)
    def _progress(self, event: Loader.Progress | Fetcher.Progress) -> None:
        self.query_one(StatusLine).progress(event.done, event.total, event.text)

    @on(Loader.IndexReady)
    def _index_ready(self, event: Loader.IndexReady) -> None:
        self._show_index(event.opened)
        self.query_one(Loader).fetch_on_start()

    @on(Fetcher.Done)
    def _fetch_done(self, event: Fetcher.Done) -> None:
        self.query_one(StatusLine).stop()
        self._show_status(self.current)
        if event.fetched.opened is not None:
            self._show_index(event.fetched.opened)

    def _show_index(self, opened) -> None:
        """An opening of the index (at start, after a fetch), taken in by the
        loader: the panes show what it brought."""
        self.query_one(StatusLine).stop()
        report = opened.report
        if report.wrote:
            self.set_status(f"Indexed {plural(report.papers_written, 'paper')} in {report.seconds:.1f} s")
        for name in ("digests", "bookmarks", "notes", "saved", "results"):
            self.pane(name).reload()

    @on(Loader.Failed)
    def _index_failed(self) -> None:
        self.set_status("The index could not be opened; the library panes still work.")

    @on(Loader.LibraryChanged)
    def _changed_elsewhere(self) -> None:
        for pane in self.panes():
            if pane.id in ("bookmark-list", "notes") or (pane.id == "digests" and pane is self.current):
                pane.library_changed()
        self.results.library_changed()

    def action_fetch(self) -> None:
        """``F``: fetch the new days of the Daily Papers API and take them in."""
        self.query_one(Loader).fetch()

    # -- what the panes say ----------------------------------------------------------------------
    @on(messages.ShowDetails)
    def _pane_details(self, event: messages.ShowDetails) -> None:
        if event.pane is self.current:
            self.show_details()

    @on(messages.Status)
    def _pane_status(self, event: messages.Status) -> None:
        if event.pane is self.current:
            self._show_status(event.pane)

    @on(messages.OpenDetails)
    def _open_details(self, event: messages.OpenDetails) -> None:
        self.read_details()

    @on(messages.OpenDigest)
    def _open_digest(self, event: messages.OpenDigest) -> None:
        self._set_query("")
        self.results.open_feed(event.name)
        self.show_pane("results")

    @on(messages.RunSaved)
    def _run_saved(self, event: messages.RunSaved) -> None:
        self._set_query(event.query)
        self.show_pane("results")
        self.results.search(event.query, immediate=True)

    @on(messages.GoToPaper)
    def _go_to_paper(self, event: messages.GoToPaper) -> None:
        paper = self.reader.paper(event.paper_id)
        if paper is None:
            return
        self._set_query(paper.title)
        self.show_pane("results")
        self.results.search(paper.title, immediate=True, select=event.paper_id)

    @on(messages.MoreLike)
    def _more_like(self, event: messages.MoreLike) -> None:
        self._set_query("")
        self.show_pane("results")
        self.results.show_related(list(event.paper_ids), event.about)

    @on(messages.Triage)
    def _triage(self, event: messages.Triage) -> None:
        name = event.name or self.reader.digest_order().step(None, 1)
        if not name or self.reader.index is None:
            return
        screen = TriageScreen(self.reader, name)
        self.app.push_screen(screen, self._triage_done)

    def _triage_done(self, result: Message | None) -> None:
        self._refresh_library()
        self.focus_list()
        if result is not None:
            self.post_message(result)

    @on(messages.FindPaper)
    def _find_paper(self) -> None:
        from textual.command import CommandPalette

        from ..providers import PaperTitles

        self.app.push_screen(CommandPalette(providers=[PaperTitles], placeholder="Words of the paper's title…"))

    @on(messages.Command)
    async def _command(self, event: messages.Command) -> None:
        await self.run_action(event.action)

    # -- the per-paper keys (PaperScreen) ----------------------------------------------------------
    def current_paper_id(self) -> str | None:
        return self.current.current_paper_id

    def holds_papers(self) -> bool:
        return self.current.HOLDS_PAPERS

    def paper_changed(self, pid: str) -> None:
        for pane in self.panes():
            if pane.id in ("results", "bookmark-list", "notes") or (pane.id == "digests" and pane is self.current):
                pane.paper_changed(pid)
        self.show_details()

    def dialog_closed(self) -> None:
        if not self.has_class("-reading"):
            self.focus_list()

    def _refresh_library(self) -> None:
        self.results.refresh_badges()
        for pane in self.panes():
            if pane.id in ("bookmark-list", "notes"):
                pane.reload()
        self.show_details()

    # -- the search box ----------------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        self.results.search(event.value)

    def _set_query(self, text: str) -> None:
        search = self.query_one("#search", Input)
        with search.prevent(Input.Changed):
            search.value = text

    def search(self, query: str) -> None:
        """Show ``query``'s results as if it had been typed (for the bench)."""
        self._set_query(query)
        self.results.search(query, immediate=True)

    def _filter(self) -> SearchInput | None:
        """The current pane's own filter, if it has one."""
        box = self.query_one("#panes", ContentSwitcher).get_child_by_id(self.current_name)
        return next(iter(box.query(SearchInput)), None)

    def _typing(self) -> bool:
        return isinstance(self.focused, (Input, TextArea)) or self.app.screen is not self

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("focus_search", "pane"):
            return not self._typing()
        if action == "leave_search":
            return self.app.screen is self and isinstance(self.focused, SearchInput)
        if action == "back":  # esc: back to the list from the details (or a dialog's leftovers)
            return self.focused is not self.current
        if action == "toggle_compact":  # the lists of papers only
            return self.holds_papers()
        return super().check_action(action, parameters)

    def action_focus_search(self) -> None:
        """``/``: the current pane's filter, or else the search box."""
        search = self._filter() or self.query_one("#search", Input)
        self.set_focus(search)
        # select the query now, so typing replaces it (select-on-focus would run
        # later and swallow a character typed in between)
        search.select_all()

    def action_leave_search(self) -> None:
        """enter / esc in the search box: to the results; in a filter: to its list."""
        if self.focused is not self._filter() and self.current_name != "results":
            self.show_pane("results")
        self.focus_list()

    # -- keys of every pane ----------------------------------------------------------------------------
    @on(Tabs.TabActivated)
    def _tab(self, event: Tabs.TabActivated) -> None:
        pane = (event.tab.id or "tab-results").removeprefix("tab-")
        if self.current_name != pane:
            self.show_pane(pane)

    def action_triage(self) -> None:
        """Triage the open feed, or the newest digest."""
        self.post_message(messages.Triage(self.results.feed))

    def action_whats_new(self) -> None:
        """``N``: the papers of the digests added since papers was last opened."""
        if self.reader.index is None:
            return
        if not self.results.whats_new():
            self.notify("Nothing new since you last opened papers: digests that arrive between two "
                        "starts show here", timeout=5)
            return
        self._set_query("")
        self.show_pane("results")

    def action_sort_results(self) -> None:
        """The palette's sort: the Search pane's next order."""
        self.show_pane("results")
        self.results.action_cycle_sort()

    def action_like_bookmarks(self) -> None:
        """``M``: papers like the bookmarks (those the Bookmarks filter lets through)."""
        if self.reader.library is None or self.reader.index is None:
            return
        bookmarks = self.pane("bookmarks")
        words = bookmarks.filter.strip()
        ids = [r.id for r in bookmarks.matching()]
        if not ids:
            self.notify("No bookmarks" + (f" matching “{words}”" if words else "") + " to start from", timeout=3)
            return
        self.post_message(messages.MoreLike(tuple(ids), "papers like your bookmarks"
                                            + (f" matching “{words}”" if words else "")))

    def action_step_digest(self, delta: int) -> None:
        """``[`` / ``]``: open the newer / older digest as a feed."""
        if self.reader.index is None:
            return
        target, say = self.reader.step_digest(self.results.feed, delta)
        if target is not None:
            self.post_message(messages.OpenDigest(target))
        self.notify(say, timeout=3)

    def action_save_search(self) -> None:
        """``ctrl+s``: keep the query in the search box under a name."""
        self.pane("saved").save(self.query_one("#search", Input).value)

    def action_refresh(self) -> None:
        self.query_one(Loader).sync_from_others(force=True)
