"""The reading screen: a paper's full text in the terminal (``f`` on a
paper, or the palette).

The text comes from the cache of :mod:`tui.core.fulltext` at once, or is
downloaded in a thread worker while a loading line says so; a paper without
one shows the reason and its link. The Markdown is rendered by Textual's
Markdown widgets (:class:`~tui.widgets.reading_text.ReadingText`) beside a
table of contents (``c`` shows or hides it, enter on a heading jumps there);
``/`` finds words with every match highlighted, ``n``/``N`` step through
them; the paging keys are those of the details pane. Where the reader was in
each paper is kept and restored.
"""

from __future__ import annotations

import gc
import time

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from ..core.links import is_web_url
from ..reader import Reader
from ..widgets.reading_text import ReadingText
from ..widgets.render import one_line


class ReadingScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "leave", "Back", id="reading_leave"),
        Binding("slash", "find", "Find", id="reading_find"),
        Binding("n", "step(1)", "Next match", id="reading_next"),
        Binding("N", "step(-1)", "Previous match", id="reading_previous"),
        Binding("c", "toggle_contents", "Contents", id="reading_contents"),
        Binding("tab", "switch", "Contents/text", show=False, id="reading_switch"),
    ]

    def __init__(self, reader: Reader, paper) -> None:
        super().__init__()
        self.reader = reader
        self.paper = paper
        self.loaded = False      # the text's first part is painted (for tests and the bench)
        self.complete = False    # the whole text is there, at the position kept
        self.failed: str = ""    # why there is no text to show
        self.opened_at = time.perf_counter()
        # no garbage collection until the text is painted: a full collection
        # walks the whole heap (the index, the lists) and took 0.17-0.4 s of an
        # opening when it fell inside one; it runs after the paint instead
        self._gc_paused = gc.isenabled()
        gc.disable()
        self.painted_after: float | None = None  # seconds from the screen's start to the text painted

    def compose(self):
        yield Static(Content.styled(one_line(self.paper.title), "bold"), id="reading-title", markup=False)
        self.text = ReadingText(id="reading-text")
        from textual.widgets.markdown import MarkdownTableOfContents

        with Horizontal(id="reading-main"):
            yield MarkdownTableOfContents(self.text.document, id="reading-contents")
            yield self.text
        yield Input(placeholder="Find in the text (enter: find, esc: close)", id="reading-find")
        yield Static(Content(""), id="reading-status", markup=False)
        yield Footer()

    async def on_mount(self) -> None:
        from ..core.fulltext import cached_text

        self.query_one("#reading-find").display = False
        self.text.focus()
        paths = self.reader.paths
        cached = cached_text(paths, self.paper.id) if paths is not None else None
        if cached is not None:
            await self._show(cached)
            return
        self.status(f"Loading the full text of “{one_line(self.paper.title)[:60]}”…")
        self.download()

    @work(thread=True, exclusive=True, exit_on_error=False, group="full-text")
    def download(self) -> None:
        from textual.worker import get_current_worker

        from ..core.fulltext import FullTextError, full_text, site_url

        worker = get_current_worker()
        try:
            site = site_url(self.reader.config)
            text = full_text(self.reader.paths, self.paper, site=site, should_stop=lambda: worker.is_cancelled)
        except (FullTextError, ValueError) as e:
            line = e.line() if isinstance(e, FullTextError) else str(e)
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, line)
            return
        if not text.cached:
            self.reader.index_texts([self.paper.id])
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, text.markdown)

    def _resume_gc(self) -> None:
        if self._gc_paused:
            self._gc_paused = False
            gc.enable()

    def on_unmount(self) -> None:
        self._resume_gc()

    def _failed(self, line: str) -> None:
        self._resume_gc()
        self.failed = line
        self.status(line, "red")
        self.query_one("#reading-contents").display = False
        self.text.display = False
        self.query_one("#reading-title", Static).update(
            Content.assemble((one_line(self.paper.title), "bold"), "\n\n", (line, "")))

    async def _show(self, markdown: str) -> None:
        await self.text.load(markdown)
        self.call_after_refresh(self._painted)
        self.status(f"{len(markdown.split()):,} words · / find · c contents · esc back")

    def _painted(self) -> None:
        """The first part is on the screen: the rest follows, then the position."""
        self.loaded = True
        self.painted_after = time.perf_counter() - self.opened_at
        self._resume_gc()
        from ..core.fulltext import reading_position

        line = reading_position(self.reader.paths, self.paper.id) if self.reader.paths else 0
        self.text.append_rest(lambda: self.call_after_refresh(self._restore, line))

    def _restore(self, line: float) -> None:
        """The whole text is there: back where the reader left it."""
        if line:
            self.text.scroll_to(y=line, animate=False, immediate=True)
        self.complete = True

    def status(self, text: str, style: str = "dim") -> None:
        self.query_one("#reading-status", Static).update(Content.styled(text, style))

    # -- keys -------------------------------------------------------------------------------------
    def action_leave(self) -> None:
        find = self.query_one("#reading-find", Input)
        if find.display and find.has_focus:
            find.display = False
            self.text.focus()
            return
        self.workers.cancel_group(self, "full-text")
        if self.complete and self.reader.paths is not None:
            from ..core.fulltext import remember_position

            remember_position(self.reader.paths, self.paper.id, self.text.scroll_y)
        self.dismiss(None)

    def action_find(self) -> None:
        if not self.loaded:
            return
        find = self.query_one("#reading-find", Input)
        find.display = True
        find.focus()

    @on(Input.Submitted, "#reading-find")
    def _find(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.display = False
        self.text.focus()
        n = self.text.find(event.value)
        term = one_line(event.value.strip())[:40]
        if not term:
            self.status("")
        elif n:
            self.status(f"{self.text.current + 1} of {n} matches for “{term}” · n next · N previous" if n > 1
                        else f"1 match for “{term}”")
        else:
            self.status(f"No match for “{term}”", "yellow")

    def action_step(self, delta: int) -> None:
        n = self.text.step(delta)
        if n:
            term = one_line(self.text.term)[:40]
            self.status(f"{n} of {len(self.text.matches)} matches for “{term}” · n next · N previous")

    def action_toggle_contents(self) -> None:
        contents = self.query_one("#reading-contents")
        contents.display = not contents.display
        if not contents.display:
            self.text.focus()

    def action_switch(self) -> None:
        contents = self.query_one("#reading-contents")
        if self.text.has_focus and contents.display:
            contents.query_one("Tree").focus()
        else:
            self.text.focus()

    # Textual's Markdown messages, by name (the widgets are imported on first use)
    def on_markdown_table_of_contents_updated(self, event) -> None:
        event.stop()
        self.query_one("#reading-contents").table_of_contents = event.table_of_contents

    def on_markdown_table_of_contents_selected(self, event) -> None:
        event.stop()
        self.jump_to(event.block_id)

    def jump_to(self, block_id: str) -> None:
        """Scroll the text to the block of a heading (an id of the table of contents)."""
        self.text.scroll_to_widget(self.text.query_one(f"#{block_id}"), top=True, animate=False)
        self.text.focus()

    def on_markdown_link_clicked(self, event) -> None:
        event.stop()
        href = event.href
        if href.startswith("#"):
            self.text.document.goto_anchor(href[1:])
        elif is_web_url(href):
            self.app.open_url(href)


def open_for(screen, pid: str | None) -> None:
    """The reading screen of paper ``pid`` pushed over ``screen`` (a
    PaperScreen), or a warning when the paper is not in the digests."""
    if pid is None:
        return
    paper = screen.reader.paper(pid)
    if paper is None:
        screen.notify("This paper is not in the current digests", severity="warning", timeout=3)
        return
    screen.app.push_screen(ReadingScreen(screen.reader, paper))
