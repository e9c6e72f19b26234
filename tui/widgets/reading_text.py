"""A paper's full text, rendered with Textual's Markdown widgets, scrolled
with the paging keys of the details pane, and searched: :meth:`ReadingText.find`
highlights every match of a word in the rendered text, :meth:`ReadingText.step`
moves to the next or previous one.

The text is untrusted: the Markdown widgets turn it into ``Content`` (never
Textual markup), and what is found is highlighted on that content.
"""

from __future__ import annotations

import asyncio
import re

from textual import work
from textual.binding import Binding
from textual.color import Color
from textual.containers import VerticalScroll
from textual.content import Content
from textual.style import Style
from typing import TYPE_CHECKING

from .paging import paging_bindings

if TYPE_CHECKING:  # pragma: no cover
    from textual.widgets.markdown import MarkdownBlock

# Textual's Markdown widgets (and markdown-it) are imported when a text is
# first shown, not when the reader starts.

MATCH = Style(background=Color(250, 220, 80), foreground=Color(0, 0, 0))
CURRENT = Style(background=Color(255, 140, 0), foreground=Color(0, 0, 0), bold=True)


class ReadingText(VerticalScroll, can_focus=True):
    """The scrolling body of the reading screen."""

    BINDINGS = [
        Binding("j,down", "scroll_down", "Scroll down", show=False),
        Binding("k,up", "scroll_up", "Scroll up", show=False),
        Binding("g,home", "scroll_home", "Top", show=False),
        Binding("G,end", "scroll_end", "Bottom", show=False),
        *paging_bindings("scroll_by"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.matches: "list[tuple[MarkdownBlock, int, int]]" = []
        self.current = -1
        self.term = ""
        self.complete = False  # the whole text is mounted (its first part paints before)
        self._rest: list[str] = []
        self._lit: "set[MarkdownBlock]" = set()
        from textual.widgets import Markdown

        self.document = Markdown(open_links=False, id="reading-markdown")

    def compose(self):
        yield self.document

    async def load(self, markdown: str) -> None:
        """Show the first part of ``markdown`` (a screen or two); the caller
        appends the rest with :meth:`append_rest` once that is painted."""
        from ..core.fulltext import parts

        self.clear_find()
        self.complete = False
        first, *self._rest = parts(markdown)
        await self.document.update(first)

    @work(exclusive=True, group="reading-append", exit_on_error=False)
    async def append_rest(self, complete=None) -> None:
        """Append the parts :meth:`load` left; then ``complete()``."""
        rest, self._rest = self._rest, []
        for part in rest:
            await self.document.append(part)
            await asyncio.sleep(0)  # keys and paints between parts
        self.complete = True
        if complete is not None:
            complete()

    def action_scroll_by(self, pages: float) -> None:
        self.scroll_to(y=self.scroll_y + pages * max(1, self.scrollable_content_region.height - 1), animate=False)

    # -- find ----------------------------------------------------------------------------------
    def blocks(self) -> "list[MarkdownBlock]":
        """The blocks that hold text, in reading order."""
        from textual.widgets.markdown import MarkdownBlock

        return [b for b in self.document.query(MarkdownBlock) if b._content.plain]

    def find(self, term: str) -> int:
        """Highlight every match of ``term`` (no case); the first match at or
        below the top of the view becomes the current one. The number of matches."""
        self.clear_find()
        self.term = term.strip()
        if not self.term:
            return 0
        pattern = re.compile(re.escape(self.term), re.IGNORECASE)
        for block in self.blocks():
            for m in pattern.finditer(block._content.plain):
                self.matches.append((block, m.start(), m.end()))
        if self.matches:
            top = self.scroll_y
            below = [i for i, (b, _, _) in enumerate(self.matches) if b.virtual_region.y >= top]
            self._go(below[0] if below else 0)
        return len(self.matches)

    def step(self, delta: int) -> int:
        """Move to the next (1) or previous (-1) match, round the ends; its
        number from 1 (0: no matches)."""
        if not self.matches:
            return 0
        self._go((self.current + delta) % len(self.matches))
        return self.current + 1

    def clear_find(self) -> None:
        for block in self._lit:
            block.update(block._content)
        self._lit.clear()
        self.matches, self.current, self.term = [], -1, ""

    def _go(self, n: int) -> None:
        before = self.match_block()
        self.current = n
        block = self.matches[n][0]
        self._paint({block, before} if before is not None else {b for b, _, _ in self.matches})
        self.scroll_to_center(block, animate=False)

    def _paint(self, blocks: "set[MarkdownBlock]") -> None:
        """Draw the matches of ``blocks`` (the current one apart)."""
        by_block: "dict[MarkdownBlock, list[tuple[int, int, int]]]" = {}
        for i, (b, s, e) in enumerate(self.matches):
            if b in blocks:
                by_block.setdefault(b, []).append((i, s, e))
        for block, spans in by_block.items():
            content: Content = block._content
            for i, s, e in spans:
                content = content.stylize(CURRENT if i == self.current else MATCH, s, e)
            block.update(content)
            self._lit.add(block)

    def match_block(self) -> "MarkdownBlock | None":
        return self.matches[self.current][0] if self.current >= 0 else None
