"""How one paper is drawn as a row of a list (the list itself is
:mod:`tui.widgets.paper_list`): :func:`paper_row` from a paper and its record."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content

from ..core.papers import Paper
from .render import ListRow, OneLineRow, highlighted, one_line, plain


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
        second = Content.assemble(second, "  ", plain(one_line(extra[:400])[:200], "italic dim"))
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


def paper_row(paper, record, title: str = "", spans=(), extra: str = "", compact: bool = False) -> Content:
    """One paper's row: badges, title (query terms marked), where it appeared
    and ``extra`` (a note, shared terms); ``compact``: all on one line, where
    it appeared said short and no ``extra``."""
    state = RowState(bookmarked=bool(record and record.bookmarked), note=bool(record and record.note),
                     read=bool(record and record.read))
    labels = record.snapshot.labels if record is not None and record.snapshot else ()
    if paper is None and record is not None:
        title, spans = record.title or title or record.id, ()
    else:
        title = paper.title if paper else title
    if compact:
        return compact_row(title, spans, digest_label(paper, labels), state)
    return row_content(title, spans, where_text(paper, labels), state, extra=extra)
