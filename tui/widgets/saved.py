"""The Saved searches pane: each with its hit count; enter runs one in the
Search pane, W turns its watch on or off, x deletes it."""

from __future__ import annotations

from textual import on, work
from textual.binding import Binding
from textual.content import Content
from textual.worker import get_current_worker

from .. import messages
from ..core.text import plural
from .confirm import ConfirmDialog
from .dialogs import LineDialog
from .paper_list import LibraryChange, PaperList
from .render import one_line, plain


class SavedSearches(PaperList):
    HOLDS_PAPERS = False
    EMPTY = ("No saved searches yet — type a query in the Search pane (1), then ctrl+s keeps it here; "
             "W then makes it a watch that tags new papers.")
    BINDINGS = [
        Binding("W", "toggle_watch", "Watch", id="toggle_watch"),
        Binding("x", "delete", "Delete", id="delete_saved"),
    ]

    def __init__(self, reader=None, **kwargs) -> None:
        super().__init__(reader, **kwargs)
        self.counts: dict[str, int] = {}

    def searches(self) -> list:
        try:
            return self.reader.saved_searches()
        except Exception as e:
            self.notify(f"Saved searches unavailable: {e}", severity="warning", markup=False)
            return []

    def reload(self) -> None:
        if not self.reader.has_library:
            return
        searches = self.searches()
        self.set_rows([(x.name, self._row(x, self.counts.get(x.name))) for x in searches], len(searches),
                      keep=self.current_id)
        watched = sum(1 for x in searches if x.watch)
        self.set_status(plural(len(searches), "saved search", "saved searches")
                        + (f" · {watched} watched" if watched else ""))
        if searches and self.reader.has_index:
            self.count([(x.name, x.query) for x in searches])

    def library_changed(self, change: LibraryChange, shown: bool) -> None:
        """Another process's change (a saved search, tags that ``tag:`` counts):
        read again when on screen (shown again later, the pane reads anyway)."""
        if change.elsewhere and shown:
            self.reload()

    @staticmethod
    def _row(x, count: int | None) -> Content:
        hits = "…" if count is None else plural(count, "paper")
        title = Content.assemble(plain(x.name, "bold"), "  ", plain(hits, "dim"),
                                 ("  ◉ watch" if x.watch else "", "bold $accent"))
        return Content("\n").join([title, Content.assemble("    ", plain(one_line(x.query), "dim"))])

    @work(thread=True, exclusive=True, group="saved-counts", exit_on_error=False)
    def count(self, searches: list[tuple[str, str]]) -> None:
        worker = get_current_worker()
        counts = {}
        for name, query in searches:
            if worker.is_cancelled:
                return
            result = self.reader.search(query, limit=1)
            if result is None:
                return
            counts[name] = result.total
        self.post_message(self.Counted(counts))

    @on(PaperList.Counted)
    def _counted(self, event: PaperList.Counted) -> None:
        event.stop()
        self.counts = self.reader.saved_counts = event.counts
        for x in self.searches():
            if x.name in self.counts:
                self.update_row(x.name, self._row(x, self.counts[x.name]))
        self.post_message(messages.ShowDetails(self))

    def details(self) -> Content:
        x = self.reader.saved_search(self.current_id) if self.current_id else None
        if x is None:
            return self.empty_text() if not self.ids else Content.styled("No saved search selected.", "dim")
        count = self.counts.get(x.name)
        lines = [plain(x.name, "bold"), plain(x.query),
                 plain(f"{plural(count, 'paper')} {'matches' if count == 1 else 'match'} now" if count is not None
                       else "counting…", "dim"),
                 plain(f"saved {x.created_at[:16].replace('T', ' ')} UTC", "dim"), Content("")]
        if x.watch:
            lines.append(plain(f"Watch on: papers of newly added digests that match are tagged {x.tag} "
                               "and announced at start.", "$accent"))
        else:
            lines.append(plain("Watch off: W turns it on (new papers that match get tagged and announced).", "dim"))
        lines += [Content(""), Content.styled("enter runs it · W watch on/off · x deletes", "dim")]
        return Content("\n").join(lines)

    def save(self, query: str) -> None:
        """Ask for a name and keep ``query`` under it (ctrl+s in the search box)."""
        if not self.reader.has_library:
            self.notify("The library is unavailable", severity="error", timeout=5)
            return
        query = query.strip()
        if not query:
            self.notify("Type a query first, then ctrl+s saves it", severity="warning", timeout=4)
            return

        def done(name: str | None) -> None:
            if not name or not name.strip():
                return
            saved = self.reader.save_search(name, query, self.notify)
            if saved is not None:
                self.notify(f"Saved search {saved.name}: {query} — W in the Saved pane (5) makes it a watch",
                            markup=False, timeout=5)
                self.reload()

        self.app.push_screen(LineDialog("Save search — " + one_line(query)[:80], query[:64], "a name for this search",
                                        "Saved searches are in pane 5 and the palette."), done)

    def chosen(self, key: str) -> None:
        x = self.reader.saved_search(key)
        if x is not None:
            self.post_message(messages.RunSaved(x.name, x.query))

    def _selected_search(self):
        name = self.current_id
        return self.reader.saved_search(name) if name else None

    def action_toggle_watch(self) -> None:
        x = self._selected_search()
        if x is None:
            return
        if self.reader.set_watch(x.name, not x.watch, self.notify):
            self.notify(f"Watch {'on' if not x.watch else 'off'}: {x.name}", markup=False, timeout=3)
            self.reload()

    def action_delete(self) -> None:
        """``x``: delete the saved search, once the user said yes."""
        x = self._selected_search()
        if x is None:
            return

        def answered(yes: bool | None) -> None:
            if yes and self.reader.delete_search(x.name, self.notify):
                self.notify(f"Deleted saved search {x.name}", markup=False, timeout=3)
                self.reload()

        self.app.push_screen(ConfirmDialog(f"Delete the saved search {x.name}?",
                                           x.query + (" · its watch stops" if x.watch else "")), answered)
