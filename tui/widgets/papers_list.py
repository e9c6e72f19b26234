"""How one paper is drawn as a row of a list (the list itself is
:mod:`tui.widgets.paper_list`)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content

from ..core.papers import Paper
from .render import highlighted, one_line, plain


@dataclass(frozen=True)
class RowState:
    bookmarked: bool = False
    note: bool = False
    read: bool = False


def row_content(title: str, spans, where: str, state: RowState, extra: str = "") -> Content:
    badges = Content.assemble(
        ("★" if state.bookmarked else " ", "bold $warning" if state.bookmarked else ""),
        ("✎" if state.note else " ", "bold $accent" if state.note else ""),
        ("●" if not state.read else " ", "$primary" if not state.read else ""),
        " ",
    )
    first = Content.assemble(badges, highlighted(one_line(title), spans, "" if state.read else "bold"))
    second = Content.assemble("    ", plain(where, "dim"))
    if extra:
        second = Content.assemble(second, "  ", plain(one_line(extra)[:200], "italic dim"))
    return Content("\n").join([first, second])


def where_text(paper: Paper | None, fallback_labels: tuple[str, ...] = ()) -> str:
    if paper is None:
        return " · ".join(fallback_labels) or "not in the current digests"
    parts = [a.describe() for a in reversed(paper.appearances)]
    more = f"  (+{len(parts) - 1} more)" if len(parts) > 1 else ""
    return parts[0] + more
