"""The main screen: the search box, the five panes (Search, Bookmarks, Notes,
Digests, Saved searches: :class:`~tui.widgets.panes.Panes`), the details pane,
a status line and the footer.

It opens the library and then the index (in a thread worker, with progress),
routes what a pane posts (:mod:`tui.messages`) to the pane that shows it, and
keeps the details pane and the status line on the current pane. The panes own
their keys; the keys bound here work in every pane.

Wide (80 columns or more), the list and the details pane stand side by
side; ``v`` hides the details and the list takes the width. Narrower, the
details pane hides behind the list: ``v`` or enter shows it in the list's
place, ``v`` or esc goes back. The screen has the class ``-narrow`` or
``-wide`` by its width, ``-reading`` while the details stand in the list's
place, and ``-details-hidden`` when ``v`` put them away. The footer keeps
help and quit (and, narrow, ``v`` and esc) at any width; ``C`` makes every
paper list one line per paper."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import CommandPalette
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Tabs, TextArea

from .. import messages
from ..core.text import plural
from ..providers import PaperTitles
from ..reader import Reader
from ..widgets.chrome import KeyFooter, StatusLine
from ..widgets.details import DetailsPane
from ..widgets.fetcher import Fetcher
from ..widgets.handoff import Handoff
from ..widgets.loader import Loader
from ..widgets.paper_list import LibraryChange, PaperList
from ..widgets.panes import Panes
from ..widgets.search_input import SearchInput
from ..widgets.search_pane import Results
from .paper_screen import PaperScreen, paper_bindings
from .triage import TriageScreen

#: narrower than this, the details pane hides behind the list
NARROW = 80


class MainScreen(PaperScreen, inherit_bindings=False):  # the footer's order is set here
    # Focus moves are bound with priority: the app resolves them in its own key
    # loop, before it forwards the next key, so nothing typed right after "/",
    # enter, esc or a pane's number lands in the wrong widget. (While typing,
    # check_action turns "/" and the numbers off: they are text there.)
    BINDINGS = [
        *Screen.BINDINGS,
        Binding("enter", "leave_search", "Results", priority=True, id="search_done"),
        Binding("escape", "leave_search", "List", priority=True, id="search_leave"),
        Binding("down,up,tab", "leave_search", "List", show=False, priority=True, id="search_to_list"),
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
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]

    class Started(Message):
        """The screen is mounted (and, with a library, has started opening it)."""

    def __init__(self, reader: Reader | None = None, watch_interval: float = 0) -> None:
        super().__init__(reader or Reader(None))
        self.watch_interval = watch_interval

    def compose(self) -> ComposeResult:
        reader = self.reader
        yield SearchInput(select_on_focus=False, placeholder="Search papers — words, \"phrases\", title:…, tag:…, "
                          "is:unread   (↓ or esc: the list, where ? shows every key)", id="search")
        with Horizontal(id="body"):
            yield Panes(reader, id="left")
            yield DetailsPane(reader.dwell, id="details")
        yield Loader(reader, self.watch_interval)
        yield Handoff()
        yield StatusLine(id="statusbar")
        yield KeyFooter()

    # -- the panes ------------------------------------------------------------------------------
    @property
    def panes(self) -> Panes:
        return self.query_one(Panes)

    @property
    def results(self) -> Results:
        return self.panes.search

    @property
    def current(self) -> PaperList:
        return self.panes.current

    @property
    def current_name(self) -> str:
        return self.panes.current_name

    def show_pane(self, name: str) -> None:
        pane = self.panes.show(name)
        if pane is None:
            return
        self.refresh_bindings()  # the footer shows the keys of this pane
        self.focus_list()
        self._show_status(pane)
        self.show_details()

    def show_details(self) -> None:
        pane = self.current
        self.query_one(DetailsPane).show(pane.details(), pane.current_paper_id)

    def _show_status(self, pane: PaperList) -> None:
        if pane.status_text:
            self.set_status(pane.status_text)

    def set_status(self, text: str) -> None:
        self.query_one(StatusLine).say(text)

    def action_pane(self, pane: str) -> None:
        self.show_pane(pane)

    # -- start-up, the index, fetching (the Loader) ------------------------------------------------
    def on_mount(self) -> None:
        self.query_one(StatusLine).stop()
        self.set_focus(self.query_one("#search", Input))  # typing searches; ↓ tab enter esc: the list
        if self.reader.session is not None:
            loader = self.query_one(Loader)
            loader.open_library()
            self.panes.library_changed(LibraryChange())
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
        self.panes.index_changed()

    @on(Loader.Failed)
    def _index_failed(self) -> None:
        self.set_status("The index could not be opened; the library panes still work.")

    @on(Loader.LibraryChanged)
    def _changed_elsewhere(self) -> None:
        self.panes.library_changed(LibraryChange(elsewhere=True))
        self.show_details()

    @on(Loader.IndexChanged)
    def _index_changed_elsewhere(self) -> None:
        """New digests from another process: every pane reads its rows again."""
        self.panes.index_changed()
        self.show_details()

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
        self.query_one("#search", SearchInput).show_quietly("")
        self.results.open_feed(event.name)
        self.show_pane(Panes.SEARCH)

    @on(messages.RunSaved)
    def _run_saved(self, event: messages.RunSaved) -> None:
        self._to_search(event.query)
        self.results.search(event.query, immediate=True)

    @on(messages.GoToPaper)
    def _go_to_paper(self, event: messages.GoToPaper) -> None:
        paper = self.reader.paper(event.paper_id)
        if paper is None:
            return
        self._to_search(paper.title)
        self.results.search(paper.title, immediate=True, select=event.paper_id)

    @on(messages.MoreLike)
    def _more_like(self, event: messages.MoreLike) -> None:
        self._to_search("")
        self.results.show_related(list(event.paper_ids), event.about)

    @on(messages.Triage)
    def _triage(self, event: messages.Triage) -> None:
        name = event.name or self.reader.digest_order().step(None, 1)
        if not name or not self.reader.has_index:
            return
        screen = TriageScreen(self.reader, name, self.results.feed_sort)
        self.app.push_screen(screen, self._triage_done)

    def _triage_done(self, result: Message | None) -> None:
        self.panes.library_changed(LibraryChange())
        self.show_details()
        self.focus_list()
        if result is not None:
            self.post_message(result)

    @on(messages.FindPaper)
    def _find_paper(self) -> None:
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
        self.panes.library_changed(LibraryChange(pid))
        self.show_details()

    def dialog_closed(self) -> None:  # a note or tags opened from the details: back to reading them
        if not self.has_class("-reading") and not isinstance(self.focused, DetailsPane):
            self.focus_list()

    # -- the search box ----------------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        self.results.search(event.value)

    def _to_search(self, query: str) -> None:
        """The Search pane shown, ``query`` in the box (it runs no search)."""
        self.query_one("#search", SearchInput).show_quietly(query)
        self.show_pane(Panes.SEARCH)

    def check_action(self, action: str, parameters) -> bool | None:
        typing = isinstance(self.focused, (Input, TextArea)) or self.app.screen is not self
        if action == "focus_search":  # in the search box too: "/" starts the query anew
            return not typing or (self.app.screen is self and self.focused is self.query_one("#search"))
        if action == "pane":
            return not typing
        if action == "leave_search":
            return self.app.screen is self and isinstance(self.focused, SearchInput)
        if action == "back":  # esc: back to the list from the details (or a dialog's leftovers)
            return self.focused is not self.current
        if action == "toggle_compact":  # the lists of papers only
            return self.holds_papers()
        return super().check_action(action, parameters)

    def action_focus_search(self) -> None:
        """``/``: the current pane's filter, or else the search box (in the
        search box: its query selected, so that typing replaces it)."""
        box = self.query_one("#search", Input)
        search = box if self.focused is box else self.panes.filter() or box
        self.set_focus(search)
        # select the query now, so typing replaces it (select-on-focus would run
        # later and swallow a character typed in between)
        search.select_all()

    def action_leave_search(self) -> None:
        """enter / esc in the search box: to the results; in a filter: to its list."""
        if self.focused is not self.panes.filter() and self.current is not self.results:
            self.show_pane(Panes.SEARCH)
        self.focus_list()

    # -- keys of every pane ----------------------------------------------------------------------------
    @on(Tabs.TabActivated)
    def _tab(self, event: Tabs.TabActivated) -> None:
        pane = Panes.name_of(event.tab)
        if self.current_name != pane:
            self.show_pane(pane)

    def action_triage(self) -> None:
        """Triage the open feed, or the newest digest."""
        self.post_message(messages.Triage(self.results.feed))

    def action_whats_new(self) -> None:
        """``N``: the papers of the digests added since papers was last opened."""
        if not self.reader.has_index:
            return
        if not self.results.whats_new():
            self.notify("Nothing new since you last opened papers: digests that arrive between two "
                        "starts show here", timeout=5)
            return
        self._to_search("")

    def action_sort_results(self) -> None:
        """The palette's sort: the Search pane's next order."""
        self.show_pane(Panes.SEARCH)
        self.results.action_cycle_sort()

    def action_like_bookmarks(self) -> None:
        """``M``: papers like the bookmarks (those the Bookmarks filter lets through)."""
        if not self.reader.has_library or not self.reader.has_index:
            return
        self.panes.bookmarks.more_like_these()

    def action_step_digest(self, delta: int) -> None:
        """``[`` / ``]``: open the newer / older digest as a feed."""
        if not self.reader.has_index:
            return
        target, say = self.reader.step_digest(self.results.feed, delta)
        if target is not None:
            self.post_message(messages.OpenDigest(target))
        self.notify(say, timeout=3)

    def action_save_search(self) -> None:
        """``ctrl+s``: keep the query in the search box under a name."""
        self.panes.saved.save(self.query_one("#search", Input).value)

    def mutes_changed(self) -> None:
        self.results.reload()

    def action_refresh(self) -> None:
        self.query_one(Loader).sync_from_others(force=True)

    # -- at each width ---------------------------------------------------------------------------
    def focus_list(self) -> None:
        self.remove_class("-reading")  # narrow: the list, not the details, fills the screen
        self.set_focus(self.current)  # at once, not deferred: the next key goes to the list

    def read_details(self) -> None:
        """The details pane, shown (in the list's place when narrow) and focused."""
        self.remove_class("-details-hidden")
        self.set_class(self.has_class("-narrow"), "-reading")
        self.set_focus(self.query_one(DetailsPane))

    def footer_keep(self) -> tuple[str, ...]:
        """The keys the footer shows at any width (most important first)."""
        keep = ("app.help", "app.quit")
        return keep + ("toggle_details", "back") if self.has_class("-narrow") else keep

    def action_back(self) -> None:
        self.focus_list()

    def action_toggle_details(self) -> None:
        """``v``: narrow, the details in the list's place and back; wide, the
        details pane hidden (the list takes the width) or shown."""
        if self.has_class("-narrow"):
            self.focus_list() if self.has_class("-reading") else self.read_details()
        elif self.has_class("-details-hidden"):
            self.remove_class("-details-hidden")
        else:
            self.add_class("-details-hidden")
            self.focus_list()

    def action_toggle_compact(self) -> None:
        """``C``: one line per paper in every paper list, or the full rows;
        remembered for the next start."""
        self.reader.compact = not self.reader.compact
        self.panes.redraw()
        self.app.remember(compact=self.reader.compact)
