"""Pilot tests of the reading screen (``f``): a cached full text shown at once
with its table of contents, a jump to a section, ``/`` find with every match
highlighted and ``n``/``N``, the position kept per paper; a text downloaded
from the stand-in site while a loading line shows; a paper without one shows
the reason and the link; Markdown is never taken as Textual markup."""

from __future__ import annotations

import time

from helpers import SIZE, SWIN, ready, screen_text, search, settle
from tui.app import PapersApp
from tui.core import fulltext as FT
from tui.core.papers import paper_id
from tui.screens.reading import ReadingScreen
from tui.widgets.reading_text import CURRENT, MATCH

SECTIONS = ["1 Introduction", "2 Related Work", "3 Method", "4 Experiments", "5 Conclusion"]


def long_text() -> str:
    parts = ["# Swin Transformer\n"]
    for n, title in enumerate(SECTIONS):
        parts.append(f"## {title}\n")
        for p in range(12):
            word = " The quokkaflow trick helps." if (n, p) in ((0, 1), (2, 3), (4, 5)) else ""
            parts.append(f"Paragraph {p} of section {n}: windows shift across layers of the "
                         f"hierarchical backbone, [bold]not markup[/] and [@click=app.quit]no action[/].{word}\n")
    return "\n".join(parts)


def cache(paths, pid: str, text: str) -> None:
    path = FT.cache_path(paths, pid)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


async def open_reading(app, pilot, title: str = SWIN) -> ReadingScreen:
    await ready(app, pilot)
    await search(app, pilot, title)
    await pilot.press("enter", "f")
    for _ in range(100):
        await pilot.pause(0.05)
        screen = app.screen
        if isinstance(screen, ReadingScreen) and (screen.complete or screen.failed):
            break
    await pilot.pause(0.1)
    assert isinstance(app.screen, ReadingScreen)
    return app.screen


def painted(block) -> list:
    """The styles of the content a block shows now."""
    return [span.style for span in block.visual._spans] if hasattr(block.visual, "_spans") else []


async def test_a_cached_text_opens_with_contents_jumps_and_finds(paths, bundled_index):
    swin = paper_id(SWIN)
    cache(paths, swin, long_text())
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_reading(app, pilot)
        assert screen.loaded and screen.complete and not screen.failed
        assert screen.painted_after is not None
        text = screen_text(app)
        assert "Swin Transformer" in text and "[bold]not markup[/]" in text and "no action" in text
        toc = screen.query_one("#reading-contents").table_of_contents
        assert [name for _, name, _ in toc] == ["Swin Transformer", *SECTIONS]
        body = screen.text
        assert body.scroll_y == 0
        # the table of contents: a jump to "3 Method"
        block_id = next(b for _, name, b in toc if name == "3 Method")
        screen.jump_to(block_id)
        await pilot.pause(0.2)
        assert body.scroll_y > 0
        assert "3 Method" in screen_text(app) and "Paragraph 11 of section 4" not in screen_text(app)
        method_y = body.scroll_y
        # find: every match highlighted, n and N step through them
        await pilot.press("slash", *"quokkaflow", "enter")
        await pilot.pause(0.2)
        assert len(body.matches) == 3 and body.current == 1  # the first at or below the view: in 3 Method
        assert "2 of 3 matches for “quokkaflow”" in screen_text(app)
        lit = [b for b, _, _ in body.matches]
        for i, block in enumerate(lit):
            styles = painted(block)
            assert (CURRENT if i == body.current else MATCH) in styles
        await pilot.press("n")
        await pilot.pause(0.1)
        assert body.current == 2 and "Paragraph 5 of section 4" in screen_text(app)
        assert "3 of 3 matches" in screen_text(app)
        assert CURRENT in painted(lit[2]) and CURRENT not in painted(lit[1]) and MATCH in painted(lit[1])
        await pilot.press("n")  # round the end
        await pilot.pause(0.1)
        assert body.current == 0 and "Paragraph 1 of section 0" in screen_text(app)
        await pilot.press("N", "N")
        await pilot.pause(0.1)
        assert body.current == 1
        await pilot.press("slash", *"no such word", "enter")
        await pilot.pause(0.1)
        assert body.matches == [] and "No match for “no such word”" in screen_text(app)
        assert all(MATCH not in painted(b) and CURRENT not in painted(b) for b in lit)
        # paging keys of the details pane
        screen.jump_to(block_id)
        await pilot.pause(0.1)
        before = body.scroll_y
        await pilot.press("ctrl+d")
        await pilot.pause(0.1)
        assert body.scroll_y > before
        await pilot.press("ctrl+u")
        await pilot.pause(0.1)
        assert body.scroll_y == before == method_y
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, ReadingScreen)
        assert FT.reading_position(paths, swin) == method_y
        # back again: where it was left
        await pilot.press("f")
        for _ in range(60):
            await pilot.pause(0.05)
            if isinstance(app.screen, ReadingScreen) and app.screen.complete:
                break
        await pilot.pause(0.2)
        assert app.screen.text.scroll_y == method_y
        assert "3 Method" in screen_text(app)


def hold_downloads(monkeypatch) -> list:
    """Full-text downloads wait until something is put in the list returned."""
    gate: list = []
    real = FT.download

    def held(*args, **kwargs):
        while not gate:
            time.sleep(0.02)
        return real(*args, **kwargs)

    monkeypatch.setattr(FT, "download", held)
    return gate


async def test_the_text_is_downloaded_with_a_loading_line(paths, bundled_index, api, monkeypatch):
    monkeypatch.setenv("PAPERS_API_URL", api.base_url)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        # a paper with an arXiv id: none is bundled, so one is made up for this paper
        pid = paper_id(SWIN)
        paper = app.reader.paper(pid)
        from dataclasses import replace

        api.texts["2103.14030"] = [(200, {"Content-Type": "text/markdown"}, b"# Shifted\n\nWindows shift.\n")]
        slow = replace(paper, arxiv_id="2103.14030")
        gate = hold_downloads(monkeypatch)
        app.push_screen(ReadingScreen(app.reader, slow))
        await pilot.pause(0.2)
        assert "Loading the full text of “Swin Transformer" in screen_text(app)
        gate.append(1)
        for _ in range(100):
            await pilot.pause(0.05)
            if app.screen.complete:
                break
        assert "Windows shift." in screen_text(app)
        assert FT.cached_text(paths, pid) == "# Shifted\n\nWindows shift.\n"


async def test_a_paper_without_a_full_text_shows_the_reason_and_the_link(paths, bundled_index, api, monkeypatch):
    monkeypatch.setenv("PAPERS_API_URL", api.base_url)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_reading(app, pilot)
        assert screen.failed.startswith("no full text: the paper has no arXiv id")
        text = screen_text(app)
        assert "no full text: the paper has no arXiv id" in text
        assert "huggingface.co/papers?q=Swin" in text
        assert api.requests == []
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, ReadingScreen)


async def test_garbage_collection_waits_for_the_paint_and_always_resumes(paths, bundled_index, api, monkeypatch):
    """A full collection falling inside an opening took 0.17-0.4 s of it: the
    screen pauses the collector until its text is painted, and resumes it
    then, when there is no text, and when it is left while downloading."""
    import gc

    seen = []
    real_painted = ReadingScreen._painted

    def painted(self):
        seen.append(gc.isenabled())
        real_painted(self)

    monkeypatch.setattr(ReadingScreen, "_painted", painted)
    monkeypatch.setenv("PAPERS_API_URL", api.base_url)
    assert gc.isenabled()
    cache(paths, paper_id(SWIN), long_text())
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_reading(app, pilot)
        assert screen.complete and seen == [False] and gc.isenabled()
        await pilot.press("escape")
        await settle(app, pilot)
        title = "Shifted Windows Revisited Once More"  # no cached text, no arXiv id: it fails
        paper = app.reader.paper(paper_id(SWIN))
        from dataclasses import replace

        app.push_screen(ReadingScreen(app.reader, replace(paper, id="0" * 12, title=title)))
        await settle(app, pilot)
        assert app.screen.failed and gc.isenabled()
        await pilot.press("escape")
        await settle(app, pilot)
        gate = hold_downloads(monkeypatch)
        app.push_screen(ReadingScreen(app.reader, replace(paper, id="1" * 12, arxiv_id="2103.14030")))
        await pilot.pause(0.2)
        assert not gc.isenabled()  # downloading, nothing painted yet
        await pilot.press("escape")  # left before the text came
        await settle(app, pilot)
        gate.append(1)
        assert not isinstance(app.screen, ReadingScreen) and gc.isenabled()
    assert gc.isenabled()
