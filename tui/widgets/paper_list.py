"""The paged list every pane is built on.

A :class:`PaperList` holds one page of rows at a time and asks for more as the
cursor nears its end, so a query with 50k hits shows its first page at once and
the widget never holds an unbounded number of rows. Each pane subclasses it and
owns its keys, its rows, what it says when it is empty, its status line and the
details of what it selects; it posts :mod:`tui.messages` and never touches
another pane.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from .. import messages
from ..reader import Reader
from .details import details_content
from .paging import paging_bindings
from .render import plain
from .rows import paper_row

PAGE = 200


@dataclass(frozen=True)
class LibraryChange:
    """What changed in the library, as the panes hear it
    (:meth:`PaperList.library_changed`): ``paper_id``, one paper's state,
    changed in this window (a per-paper key); ``elsewhere``, another papers
    process changed it (the index has caught up); neither, anything may have
    changed here (the library was just opened, a triage ended)."""

    paper_id: str | None = None
    elsewhere: bool = False


def how_to_add_digests(reader: Reader) -> str:
    """What an empty reader says: where digests come from."""
    folder = reader.paths.digests if reader.paths is not None else "the digests folder"
    return ("No digests yet. Add one with  papers add FILE  (a Daily Papers page saved as text, or its "
            f"JSON), drop files into {folder}, or download the latest with  papers fetch.")


class PaperList(OptionList):
    """Rows keyed by id, loaded a page at a time; a pane of the main screen."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="down"),
        Binding("k", "cursor_up", "Up", show=False, id="up"),
        Binding("g", "first", "Top", show=False, id="top"),
        Binding("G", "last", "Bottom", show=False, id="bottom"),
        *paging_bindings("move_by"),
    ]

    #: the rows are papers (the per-paper keys act on the highlighted one)
    HOLDS_PAPERS = True
    #: shown in the list when it has no rows: what would fill it
    EMPTY = ""

    class NeedMore(Message):
        """The cursor is near the last loaded row and more rows exist."""

        def __init__(self, paper_list: "PaperList", offset: int) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.offset = offset

        @property
        def control(self) -> "PaperList":
            return self.paper_list

    class Counted(Message):
        """Counts a pane's worker made (unread papers, hits of saved searches)."""

        def __init__(self, counts: dict) -> None:
            super().__init__()
            self.counts = counts

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.post_message(messages.WorkerFailed(event.worker))

    def __init__(self, reader: Reader | None = None, **kwargs) -> None:
        kwargs.setdefault("markup", False)
        super().__init__(**kwargs)
        self.reader = reader or Reader(None)
        self.total = 0
        self.ids: list[str] = []
        self.status_text = ""
        self._asked_for = -1

    # -- rows ---------------------------------------------------------------------------
    def set_rows(self, rows: list[tuple[str, Content]], total: int, keep: str | None = None) -> None:
        seen: set[str] = set()
        rows = [r for r in rows if not (r[0] in seen or seen.add(r[0]))]
        self.total = total
        self.ids = [pid for pid, _ in rows]
        self._asked_for = -1
        if rows:
            self.set_options([Option(content, id=pid) for pid, content in rows])
            self.highlighted = self.ids.index(keep) if keep in self.ids else 0
        else:
            empty = self.empty_text()
            self.set_options([Option(empty, disabled=True)] if empty.plain else [])
        self.post_message(messages.ShowDetails(self))

    def add_rows(self, rows: list[tuple[str, Content]]) -> None:
        have = set(self.ids)
        fresh = [(pid, c) for pid, c in rows if not (pid in have or have.add(pid))]
        self.ids.extend(pid for pid, _ in fresh)
        self.add_options([Option(content, id=pid) for pid, content in fresh])

    def update_row(self, pid: str, content: Content) -> None:
        if pid in self.ids:
            self.replace_option_prompt(pid, content)

    @property
    def current_id(self) -> str | None:
        if self.highlighted is None or not self.ids or self.highlighted >= len(self.ids):
            return None
        return self.ids[self.highlighted]

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        """The scrollbar takes cells from the rows: measure them again for
        the width left, or a row that wraps once more loses its last line."""
        self._clear_caches()

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        self.post_message(messages.ShowDetails(self))
        if highlighted is not None and len(self.ids) < self.total and highlighted >= len(self.ids) - 20:
            if self._asked_for != len(self.ids):
                self._asked_for = len(self.ids)
                self.post_message(self.NeedMore(self, len(self.ids)))

    def action_move_by(self, pages: float) -> None:
        """ctrl+d / ctrl+u, ctrl+f / space / ctrl+b: the highlight moves by
        half a page or a page of lines, as in less and vim."""
        if not self.ids:
            return
        if self.highlighted is None:
            self.highlighted = 0
            return
        self._update_lines()
        step = int(pages * self.scrollable_content_region.height) or (1 if pages > 0 else -1)
        line = max(0, min(self._index_to_line[self.highlighted] + step, len(self._lines) - 1))
        self.highlighted = self._lines[line][0]

    # -- what the screen asks of a pane -------------------------------------------------------
    def empty_text(self) -> Content:
        return plain(self.EMPTY, "dim italic")

    def set_status(self, text: str) -> None:
        self.status_text = text
        self.post_message(messages.Status(self, text))

    @property
    def current_paper_id(self) -> str | None:
        return self.current_id if self.HOLDS_PAPERS else None

    def details(self) -> Content:
        pid = self.current_paper_id
        if pid is None:
            empty = self.empty_text()
            return empty if not self.ids and empty.plain else Content.styled("No paper selected.", "dim")
        return details_content(self.reader.paper(pid), self.reader.record(pid), self.spans_for(),
                               extra=self.paper_extra(pid))

    def paper_extra(self, pid: str) -> list[tuple[str, str]]:
        """More lines of the details: what the site links to the paper (cached by ``papers text``)."""
        if self.reader.paths is None:
            return []
        from ..core.fulltext import cached_linked

        linked = cached_linked(self.reader.paths, pid)
        return [tuple(line.split("  ", 1)) for line in linked.lines()] if linked else []

    def spans_for(self):
        """``spans_for(text)``: the spans of query terms in a text (None: no marks)."""
        return None

    def reload(self) -> None:
        """Read the rows again (the library or the index changed)."""

    def shown(self) -> None:
        """The pane became the current one."""
        self.reload()

    def library_changed(self, change: LibraryChange, shown: bool) -> None:
        """The library changed (``shown``: this pane is the one on screen):
        the pane redraws what it shows of it. A list of the library's papers
        (bookmarks, notes) reads its rows again."""
        self.reload()

    @property
    def one_line(self) -> bool:
        """One line per paper (``C``, the same in every list)."""
        return self.reader.compact

    def paper_row(self, paper, record, title: str = "", spans=(), extra: str = "", value: str = "") -> Content:
        """A paper's row as this list draws it now (:func:`paper_row`), with
        ``value`` (what the list is sorted by) before where it appeared; a muted
        paper shown on request is dimmed and names its rule."""
        reader = self.reader
        pid = paper.id if paper is not None else record.id if record is not None else None
        rule = reader.muted_rule(pid) if reader is not None and reader.show_muted and pid else None
        return paper_row(paper, record, title, spans, extra, compact=self.one_line, value=value, muted=rule)

    def redraw(self) -> None:
        """Draw the rows again (one line or full), the same paper highlighted."""
        self.reload()

    def library_rows(self, records, extra=lambda record: "") -> list[tuple[str, Content]]:
        papers = self.reader.papers(r.id for r in records)
        return [(r.id, self.paper_row(papers.get(r.id), r, r.title, extra=extra(r))) for r in records]

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.chosen(event.option.id)

    def chosen(self, key: str) -> None:
        """Enter on a row: a paper's details open."""
        self.post_message(messages.OpenDetails(key))
