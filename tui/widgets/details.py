"""The details pane: everything about one paper, built as Content (never markup)."""

from __future__ import annotations

from textual.content import Content
from textual.style import Style
from textual.widgets import Static

from .. import messages
from ..core.links import web_url
from ..core.papers import Paper
from ..core.library.rules import shown_note
from ..core.text import strip_control
from .paging import Pager
from .render import highlighted, plain

#: the heading over the API's summary: machine-written, and said so
AI_SUMMARY_HEADING = "AI summary (machine-written)"


def details_content(paper: Paper | None, record, spans_for=None, snapshot_title: str = "",
                    extra: "list[tuple[str, str]] | tuple" = ()) -> Content:
    """``spans_for(text)`` gives the query-term spans of a text (or None);
    ``extra`` are more (label, text) lines under the paper's signals: where a
    search found it in its full text, its linked models, datasets, Spaces."""
    spans_for = spans_for or (lambda text: ())
    if paper is None and record is None:
        return Content.styled("No paper selected.", "dim")
    parts: list[Content] = []
    if paper is None:  # known only from the library's snapshot (its digest is gone)
        snap = record.snapshot
        parts.append(plain(snap.title if snap else snapshot_title or record.id, "bold"))
        parts.append(plain("This paper is not in the current digests; shown from your library.", "italic dim"))
        if snap and snap.labels:
            parts.append(plain("Seen in: " + " · ".join(snap.labels), "dim"))
        if snap and snap.link:
            parts.append(Content.assemble(("Link  ", "bold"), plain(snap.link, "underline")))
    else:
        parts.append(highlighted(paper.title, spans_for(paper.title), "bold"))
        where = "  ·  ".join(a.describe() for a in reversed(paper.appearances))
        parts.append(plain(where, "dim"))
        meta = []
        if paper.authors:
            shown = ", ".join(paper.authors[:12]) + (f" and {len(paper.authors) - 12} more" if len(paper.authors) > 12 else "")
            meta.append(Content.assemble(("Authors  ", "bold"), plain(shown)))
        if paper.arxiv_id:
            meta.append(Content.assemble(("arXiv  ", "bold"), plain(paper.arxiv_id)))
        parts.extend(meta)
        parts.extend(signal_lines(paper))
        for label, text in extra:
            parts.append(Content.assemble((f"{label}  ", "bold"), plain(text, "$accent")))
    if record is not None:
        flags = []
        if record.bookmarked:
            flags.append(("★ bookmarked", "bold $warning"))
        flags.append(("read" if record.read else "● unread", "dim" if record.read else "$primary"))
        line = Content.assemble(*[x for f in flags for x in (f, "   ")])
        if record.tags:
            line = Content.assemble(line, ("Tags  ", "bold"), plain(", ".join(record.tags), "$accent"))
        parts.append(line)
    else:
        parts.append(Content.styled("● unread", "$primary"))
    if paper is not None:
        parts.append(Content(""))
        parts.append(highlighted(paper.abstract or "(no abstract)", spans_for(paper.abstract or "")))
        if paper.ai_summary:
            parts.append(Content(""))
            parts.append(Content.styled(AI_SUMMARY_HEADING, "dim italic"))
            parts.append(plain(paper.ai_summary, "italic"))
        parts.append(Content(""))
        parts.append(Content.styled("Links", "bold"))
        for i, link in enumerate(paper.links, 1):
            parts.append(Content.assemble(f" {i}. ", plain(link.label, "dim"), "  ", plain(link.url, "underline")))
    if record is not None and record.note:
        parts.append(Content(""))
        when = (record.note_updated or "")[:16].replace("T", " ")
        parts.append(Content.assemble(("Note", "bold"), (f"  (edited {when} UTC)" if when else "", "dim")))
        parts.append(plain(shown_note(record.note)))  # an older note past the limit: its start
    return Content("\n").join(parts)


def signal_lines(paper: Paper) -> list[Content]:
    """The community's signals (Daily Papers API): upvotes and comments, the
    GitHub repository with its stars and the project page (as terminal links),
    the AI keywords. None of them for a paper known only from a text dump."""
    lines: list[Content] = []
    counts = [(label, n) for label, n in (("Upvotes", paper.upvotes), ("Comments", paper.comments)) if n is not None]
    if counts:
        lines.append(Content("  ·  ").join(Content.assemble((f"{label}  ", "bold"), str(n)) for label, n in counts))
    if paper.github:  # the stars first: a long URL wraps, they stay on the line
        stars = f"★ {paper.github_stars}  " if paper.github_stars is not None else ""
        lines.append(Content.assemble(("GitHub  ", "bold"), (stars, "$warning"), link(paper.github)))
    if paper.project_page:
        lines.append(Content.assemble(("Project  ", "bold"), link(paper.project_page)))
    if paper.ai_keywords:
        lines.append(Content.assemble(("Keywords  ", "bold"), plain(", ".join(paper.ai_keywords), "$accent")))
    return lines


def link(url: str) -> Content:
    """A URL drawn as a terminal hyperlink (the text is the URL itself)."""
    text = strip_control(url)
    return Content.styled(text, Style(underline=True, link=text) if web_url(text) else "underline")


class DetailsPane(Pager):
    """Scrollable details of the selected paper; focus it with enter to scroll
    (the keys of :class:`~tui.widgets.paging.Pager`).

    A paper whose details stay focused for ``dwell`` seconds counts as read:
    the pane posts :class:`~tui.messages.Dwelled` (0: never)."""

    can_focus = True

    def __init__(self, dwell: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.dwell = dwell
        self.paper_id: str | None = None
        self._timer = None

    def compose(self):
        yield Static(Content.styled("Loading…", "dim"), id="details-body", markup=False)

    def show(self, content: Content, paper_id: str | None = None) -> None:
        """Show ``content``: the details of ``paper_id`` (None: not a paper).
        Another paper starts at the top; the same paper drawn again (marked
        read, bookmarked, tagged, a fetch, a refresh) keeps the reader's place."""
        other = paper_id != self.paper_id or paper_id is None
        if other:
            self._stop()
        self.paper_id = paper_id
        self.query_one("#details-body", Static).update(content)
        if other:
            self.scroll_home(animate=False, immediate=True)

    def on_focus(self) -> None:
        self._stop()
        pid = self.paper_id
        if self.dwell > 0 and pid is not None:
            self._timer = self.set_timer(self.dwell, lambda: self._dwelled(pid))

    def on_blur(self) -> None:
        self._stop()

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _dwelled(self, pid: str) -> None:
        self._timer = None
        if self.has_focus and self.paper_id == pid:
            self.post_message(messages.Dwelled(pid))
