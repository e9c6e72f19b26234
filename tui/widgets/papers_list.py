"""A list of papers that holds one page at a time and asks for more as the
cursor nears its end, so a query with 50k hits shows its first page at once and
the widget never holds an unbounded number of rows."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..core.papers import Paper
from .render import ListRow, OneLineRow, highlighted, one_line, plain

PAGE = 200


@dataclass(frozen=True)
class RowState:
    bookmarked: bool = False
    note: bool = False
    read: bool = False


BADGE_CELLS = 4


def title_line(title: str, spans, state: RowState) -> Content:
    """Badges (bookmarked, has a note, unread) in 4 cells, then the title:
    bold while unread, the query's matches (``spans``) underlined."""
    badges = Content.assemble(
        ("★" if state.bookmarked else " ", "bold $warning" if state.bookmarked else ""),
        ("✎" if state.note else " ", "bold $accent" if state.note else ""),
        ("●" if not state.read else " ", "$primary" if not state.read else ""),
        " ",
    )
    return Content.assemble(badges, highlighted(one_line(title), spans, "" if state.read else "bold"))


def row_content(title: str, spans, where: str, state: RowState, extra: str = "") -> Content:
    """A paper on 2-3 lines: badges and title (wrapped under the title), then
    where it appeared and ``extra`` (a note, shared terms)."""
    second = Content.assemble(" " * BADGE_CELLS, plain(where, "dim"))
    if extra:
        second = Content.assemble(second, "  ", plain(one_line(extra)[:200], "italic dim"))
    return ListRow(Content("\n").join([title_line(title, spans, state), second]), indent=BADGE_CELLS)


def compact_row(title: str, spans, where: str, state: RowState, extra: str = "") -> Content:
    """A paper on one line: badges, title, and ``where`` at the right (made for
    :func:`digest_label`; :func:`where_text` works too), the title cut with an
    ellipsis to fit the list's width (laid out when drawn). Takes the same
    arguments as :func:`row_content`, so a list can switch between the two;
    ``extra`` has no room on one line and is not shown."""
    return OneLineRow(title_line(title, spans, state), plain(one_line(where), "dim"), indent=BADGE_CELLS)


def where_text(paper: Paper | None, fallback_labels: tuple[str, ...] = ()) -> str:
    if paper is None:
        return " · ".join(fallback_labels) or "not in the current digests"
    parts = [a.describe() for a in reversed(paper.appearances)]
    more = f"  (+{len(parts) - 1} more)" if len(parts) > 1 else ""
    return parts[0] + more


def digest_label(paper: Paper | None, fallback_labels: tuple[str, ...] = ()) -> str:
    """The newest digest a paper is in, short (``Aug 7``, ``Aug 7 +2`` when it is
    in two more), for a one-line row; ``fallback_labels`` (oldest first) stand
    in for a paper that is no longer in the digests."""
    labels = list(reversed(paper.labels if paper is not None else fallback_labels))
    if not labels:
        return "not in the digests" if paper is None else ""
    return labels[0] + (f" +{len(labels) - 1}" if len(labels) > 1 else "")


class PaperList(OptionList):
    """Rows of papers, keyed by paper id, loaded a page at a time."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="down"),
        Binding("k", "cursor_up", "Up", show=False, id="up"),
        Binding("g", "first", "Top", show=False, id="top"),
        Binding("G", "last", "Bottom", show=False, id="bottom"),
    ]

    class NeedMore(Message):
        """The cursor is near the last loaded row and more rows exist."""

        def __init__(self, paper_list: "PaperList", offset: int) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.offset = offset

        @property
        def control(self) -> "PaperList":
            return self.paper_list

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("markup", False)
        super().__init__(*args, **kwargs)
        self.total = 0
        self.ids: list[str] = []
        self._asked_for = -1

    def set_rows(self, rows: list[tuple[str, Content]], total: int, keep: str | None = None) -> None:
        seen: set[str] = set()
        rows = [r for r in rows if not (r[0] in seen or seen.add(r[0]))]
        self.total = total
        self.ids = [pid for pid, _ in rows]
        self._asked_for = -1
        self.set_options([Option(content, id=pid) for pid, content in rows])
        if rows:
            index = self.ids.index(keep) if keep in self.ids else 0
            self.highlighted = index

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

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        if highlighted is not None and len(self.ids) < self.total and highlighted >= len(self.ids) - 20:
            if self._asked_for != len(self.ids):
                self._asked_for = len(self.ids)
                self.post_message(self.NeedMore(self, len(self.ids)))
