"""Pilot tests of the reader with the Daily Papers API: the community's
signals in the details pane, F fetching from a stand-in API on 127.0.0.1,
fetching at start, and the sort of the Search pane."""

from __future__ import annotations

import json

from test_app import SIZE, SWIN, ready, search, settle
from test_fetch import item
from tui.app import PapersApp
from tui.core.papers import paper_id
from tui.widgets.details import AI_SUMMARY_HEADING

HOSTILE = "[bold]x[/bold] [@click=app.quit] \x1b[31mred\x1b[0m [/]"


def details(app) -> str:
    return str(app.query_one("#details-body").render())


def details_spans(app):
    return app.query_one("#details-body").visual.spans


def write_day(paths, day: str, items: list) -> None:
    paths.digests.mkdir(parents=True, exist_ok=True)
    (paths.digests / f"daily_papers_{day}.json").write_text(json.dumps(items), encoding="utf-8")


# --- the details pane ---------------------------------------------------------------------

async def test_details_show_the_signals_as_plain_text_and_links(paths):
    title = "Quokka Routing With Hostile Summaries"
    write_day(paths, "2025-08-08", [item("2025-08-08", 7, title=title, upvotes=42, ai_summary=HOSTILE,
                                          ai_keywords=["[b]routing[/b]", "quokkas"])])
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "quokka routing hostile")
        assert app.query_one("#results").current_id == paper_id(title)
        body = details(app)
        assert "Upvotes  42  ·  Comments  1" in body
        assert "Code  https://github.com/lab/repo-7  ★ 21" in body
        assert "Project  https://lab.example.org/p7" in body
        assert "Keywords  [b]routing[/b], quokkas" in body
        # the summary is there, marked as machine-written, every character as it came
        assert f"{AI_SUMMARY_HEADING}\n[bold]x[/bold] [@click=app.quit] red [/]" in body
        assert "\x1b" not in body
        links = {s.style.link for s in details_spans(app) if not isinstance(s.style, str) and s.style.link}
        assert links == {"https://github.com/lab/repo-7", "https://lab.example.org/p7"}
        # nothing of the summary became an action: a click on it leaves the app running
        await pilot.click("#details-body", offset=(2, body.split("\n").index(HOSTILE.replace(
            "\x1b[31m", "").replace("\x1b[0m", ""))))
        await settle(app, pilot)
        assert app.is_running


async def test_details_of_a_text_dump_paper_stay_compact(paths):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "shifted windows")
        assert app.query_one("#results").current_id == paper_id(SWIN)
        lines = details(app).split("\n")
        for absent in ("Upvotes", "Comments", "Code  ", "Project  ", "Keywords", "AI summary"):
            assert not any(line.startswith(absent) for line in lines)
        # title, where it appeared, unread, a blank line, then the abstract
        assert lines[1].startswith("Sample digest 2") and lines[2] == "● unread" and lines[3] == ""
