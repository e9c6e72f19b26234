"""Pilot tests of the reader with the Daily Papers API: the community's
signals in the details pane, F fetching from a stand-in API on 127.0.0.1,
fetching at start, and the sort of the Search pane."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import timedelta

import pytest

from helpers import SIZE, SWIN, Drip, day_items, details, item, json_head, palette, ready, search, settle, status
from tui.app import PapersApp
from tui.core.fetch import utc_today
from tui.core.library import Library
from tui.core.papers import paper_id
from tui.widgets.details import AI_SUMMARY_HEADING
from tui.widgets.fetcher import Fetcher

HOSTILE = "[bold]x[/bold] [@click=app.quit] \x1b[31mred\x1b[0m [/]"


def details_spans(app):
    return app.query_one("#details-body").visual.spans


def write_day(paths, day: str, items: list) -> None:
    paths.digests.mkdir(parents=True, exist_ok=True)
    (paths.digests / f"daily_papers_{day}.json").write_text(json.dumps(items), encoding="utf-8")


# --- the details pane ---------------------------------------------------------------------

async def test_details_show_the_signals_as_plain_text_and_links(paths, bundled_index):
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
        assert "GitHub  ★ 21  https://github.com/lab/repo-7" in body
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


async def test_details_of_a_text_dump_paper_stay_compact(paths, bundled_index):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "shifted windows")
        assert app.query_one("#results").current_id == paper_id(SWIN)
        lines = details(app).split("\n")
        for absent in ("Upvotes", "Comments", "GitHub  ", "Project  ", "Keywords", "AI summary"):
            assert not any(line.startswith(absent) for line in lines)
        # title, where it appeared, unread, a blank line, then the abstract
        assert lines[1].startswith("Sample digest 2") and lines[2] == "● unread" and lines[3] == ""


# --- F: fetching ---------------------------------------------------------------------------

@pytest.fixture
def daily_api(api, monkeypatch):
    """The stand-in API, named by PAPERS_API_URL, serving 4 papers on each of
    the 3 days a first fetch asks for (today and the 2 days before, UTC)."""
    today = utc_today()
    api.days_asked = [(today - timedelta(days=n)).isoformat() for n in (2, 1, 0)]
    for day in api.days_asked:
        api.days[day] = day_items(day, 4)
    monkeypatch.setenv("PAPERS_API_URL", api.base_url)
    return api


def slow(api, seconds: float) -> None:
    """Each answer of the stand-in comes ``seconds`` late."""
    answer = api.answer

    def late(h):
        time.sleep(seconds)
        answer(h)

    api.answer = late


def fetched_titles(api) -> dict[str, str]:
    return {paper_id(i["paper"]["title"]): i["paper"]["title"] for d in api.days_asked for i in api.days[d]}


def notices(app) -> list:
    return list(app._notifications)


async def fetched(app, pilot, press: bool = True):
    """Press F (unless the fetch was started otherwise) and wait for its end."""
    fetcher = app.query_one(Fetcher)
    if press:
        await pilot.press("F")
    for _ in range(600):
        await pilot.pause(0.05)
        if not fetcher.running:
            break
    await settle(app, pilot)
    for _ in range(400):
        if app.search_settled:
            break
        await pilot.pause(0.05)
    await settle(app, pilot)


async def test_F_fetches_and_the_new_papers_are_in_the_list_whats_new_and_digests(paths, bundled_index, daily_api):
    slow(daily_api, 0.15)
    new = fetched_titles(daily_api)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        results = app.query_one("#results")
        assert results.total == 285
        await pilot.press("F")
        for _ in range(100):  # progress in the status line while it runs
            await pilot.pause(0.05)
            if status(app).startswith("Fetching "):
                break
        # a day asked so far (on a loaded machine the first may be done before the status is read)
        assert re.match(rf"Fetching ({'|'.join(map(str, daily_api.days_asked))}): page \d", status(app))
        await pilot.press("F")  # the key says a fetch is running
        assert any(n.message.startswith("A fetch is already running: Fetching ") for n in notices(app))
        await fetched(app, pilot, press=False)
        # one notification says what came
        done = [n for n in notices(app) if n.message.startswith("Fetched ")]
        assert len(done) == 1 and done[0].severity == "information"
        assert "3 days from 127.0.0.1" in done[0].message and "3 new; 12 papers" in done[0].message
        assert "N shows what's new" in done[0].message
        # the list has them at once (newest digest first: today's papers on top)
        assert results.total == 285 + 12
        assert set(results.ids[:12]) == set(new)
        assert "297 papers" in status(app)
        await search(app, pilot, "marsupial routing")
        assert set(results.ids) == set(new)
        # what's new lists them
        await pilot.press("escape", "N")
        await settle(app, pilot)
        assert set(results.ids) == set(new) and "12 unread" in status(app)
        # the Digests pane shows the days, marked NEW
        await pilot.press("4")
        await settle(app, pilot)
        digests = app.query_one("#digests")
        names = [f"daily_papers_{d}" for d in reversed(daily_api.days_asked)]
        assert digests.ids[:3] == names
        assert all(str(digests.get_option(n).prompt).startswith("NEW ") for n in names)


async def test_a_bookmark_survives_a_fetch_that_changes_upvotes(paths, bundled_index, daily_api):
    today = daily_api.days_asked[-1]
    title = daily_api.days[today][2]["paper"]["title"]
    pid = paper_id(title)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await fetched(app, pilot)
        await search(app, pilot, title)
        results = app.query_one("#results")
        assert results.current_id == pid and "Upvotes  3  ·  Comments  0" in details(app)
        await pilot.press("enter", "b")
        await settle(app, pilot)
        daily_api.days[today][2]["paper"]["upvotes"] = 99
        daily_api.days[today][2]["numComments"] = 12
        asked = len(daily_api.requests)
        await fetched(app, pilot)
        assert {r["query"]["date"] for r in daily_api.requests[asked:]} == {today}  # the days before are done
        done = [n for n in notices(app) if n.message.startswith("Fetched ")]
        assert "1 day from" in done[-1].message and "1 updated" in done[-1].message
        assert results.current_id == pid
        assert "Upvotes  99  ·  Comments  12" in details(app) and "★ bookmarked" in details(app)
        assert app.library.get(pid).bookmarked
        assert str(results.get_option(pid).prompt).startswith("★")


async def test_watches_tag_the_fetched_papers(paths, bundled_index, daily_api):
    with Library.open(paths) as lib:
        lib.saved.save("marsupials", "marsupial routing", watch=True)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await fetched(app, pilot)
        done = [n for n in notices(app) if n.message.startswith("Fetched ")]
        assert "Watch marsupials: 12 new papers, tagged watch:marsupials" in done[0].message
        assert all("watch:marsupials" in app.library.get(pid).tags for pid in fetched_titles(daily_api))
        await search(app, pilot, "tag:watch:marsupials")
        assert app.query_one("#results").total == 12


async def test_offline_is_one_warning_and_the_reader_goes_on(paths, bundled_index, monkeypatch, refused_port):
    port = refused_port
    monkeypatch.setenv("PAPERS_API_URL", f"http://127.0.0.1:{port}/api")
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        before = len(notices(app))
        await fetched(app, pilot)
        said = notices(app)[before:]
        assert len(said) == 1 and said[0].severity == "warning"
        assert "\n" not in said[0].message
        assert re.fullmatch(rf"Not fetched: [-\d]+, [-\d]+, [-\d]+: cannot reach 127.0.0.1:{port}: .+", said[0].message)
        assert app.screen is app.main  # no modal
        await search(app, pilot, "shifted windows")
        assert app.query_one("#results").current_id == paper_id(SWIN)
        assert not (paths.digests).exists() or not list(paths.digests.glob("daily_papers_*"))


async def test_the_palette_command_fetches(paths, bundled_index, daily_api):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await palette(pilot, "fetch new papers")
        await pilot.press("enter")
        await fetched(app, pilot, press=False)
        assert app.query_one("#results").total == 297


def fetch_returned(app) -> threading.Event:
    """Set when the reader's fetch returns (in its thread)."""
    returned = threading.Event()
    fetch = app.reader.fetch

    def watched_fetch(*args):
        try:
            return fetch(*args)
        finally:
            returned.set()

    app.reader.fetch = watched_fetch
    return returned


async def test_quitting_cancels_a_fetch(paths, bundled_index, daily_api):
    slow(daily_api, 0.4)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    returned = fetch_returned(app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("F")
        await pilot.pause(0.5)
        worker = app.query_one(Fetcher).worker
        assert app.query_one(Fetcher).running
    assert worker.is_cancelled
    assert returned.wait(2.0)  # the page under way is the last one asked for
    time.sleep(0.5)  # the stand-in logs a request after its delay: the one abandoned in flight too
    asked = len(daily_api.requests)
    time.sleep(0.5)
    assert len(daily_api.requests) == asked <= 2  # of the 6 pages of 3 days


async def test_quitting_abandons_a_fetch_blocked_on_a_server_that_drips_bytes(paths, bundled_index, monkeypatch):
    """1 byte every 0.2 s: a read never times out, yet quitting ends the fetch
    within a second (the process would otherwise wait for its thread)."""
    body = json.dumps(day_items(utc_today().isoformat(), 3)).encode()
    server = Drip(json_head(len(body)), body, limit=10.0)
    monkeypatch.setenv("PAPERS_API_URL", server.url)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    returned = fetch_returned(app)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await ready(app, pilot)
            await pilot.press("F")
            for _ in range(100):
                await pilot.pause(0.05)
                if server.connections:
                    break
            await pilot.pause(0.3)  # the read is blocked in the body
            assert app.query_one(Fetcher).running and not returned.is_set()
            t0 = time.monotonic()
        assert returned.wait(1.5), "the fetch went on after quitting"
        assert time.monotonic() - t0 < 1.5
    finally:
        server.close()
    assert server.connections == 1


# --- [fetch] on_start ------------------------------------------------------------------------

def fetch_on_start(paths) -> None:
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text("[fetch]\non_start = true\n", encoding="utf-8")


async def test_on_start_fetches_in_the_background(paths, bundled_index, daily_api):
    fetch_on_start(paths)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await fetched(app, pilot, press=False)
        assert app.query_one("#results").total == 297
        assert set(app.query_one("#results").ids[:12]) == set(fetched_titles(daily_api))
        assert any(n.message.startswith("Fetched 3 days") for n in notices(app))


async def test_no_fetch_at_start_by_default(paths, bundled_index, daily_api):
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.pause(0.5)
        assert daily_api.requests == [] and not app.query_one(Fetcher).running


async def test_on_start_offline_is_one_quiet_notice(paths, bundled_index, monkeypatch):
    fetch_on_start(paths)
    monkeypatch.setenv("PAPERS_API_URL", "http://127.0.0.1:9/api")  # discard: nobody answers
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await fetched(app, pilot, press=False)
        said = [n for n in notices(app) if "127.0.0.1:9" in n.message]
        assert len(said) == 1 and said[0].severity == "information" and "\n" not in said[0].message
        assert said[0].message.startswith("Not fetched: ")
        assert app.screen is app.main and app.query_one("#results").total == 285


# --- s: the sort of the Search pane ----------------------------------------------------------

async def test_s_cycles_the_sort_of_the_results_and_keeps_it(paths, bundled_index):
    votes = {("2025-08-08", 1): 5, ("2025-08-08", 2): 90, ("2025-08-09", 1): 30, ("2025-08-09", 2): 1}
    for day in ("2025-08-08", "2025-08-09"):
        write_day(paths, day, [item(day, n, upvotes=votes[day, n], publishedAt=f"{day}T09:00:00.000Z")
                               for n in (1, 2)])
    pid = {key: paper_id(f"Marsupial Routing Study {key[0]} Number {key[1]}") for key in votes}
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        results = app.query_one("#results")
        await search(app, pilot, "marsupial routing study")
        assert results.total == 4 and status(app).startswith("4 papers match ·")  # relevance: not named
        await pilot.press("enter", "s")
        await settle(app, pilot)
        assert status(app).startswith("4 papers match, newest first")
        assert set(results.ids[:2]) == {pid["2025-08-09", 1], pid["2025-08-09", 2]}
        assert any(n.message.startswith("Sorted newest first") for n in notices(app))
        await pilot.press("s")
        await settle(app, pilot)
        assert status(app).startswith("4 papers match, most upvoted first")
        assert results.ids == [pid["2025-08-08", 2], pid["2025-08-09", 1], pid["2025-08-08", 1],
                               pid["2025-08-09", 2]]
        assert results.current_id == results.ids[0]
        # the sort stays for the next query, and for all papers
        await search(app, pilot, "marsupial")
        assert results.ids[0] == pid["2025-08-08", 2] and "most upvoted first" in status(app)
        await search(app, pilot, "")
        assert results.ids[0] == pid["2025-08-08", 2] and status(app).startswith("289 papers, most upvoted first")
        await pilot.press("enter", "s")  # for you: nothing decided yet, so by upvotes, and it says so
        await settle(app, pilot)
        assert status(app).startswith("289 papers, best for you first") and "no decisions yet" in status(app)
        assert results.ids[0] == pid["2025-08-08", 2]
        await pilot.press("s")  # back to relevance
        await settle(app, pilot)
        assert status(app).startswith("289 papers, newest digest first")
        await search(app, pilot, "marsupial routing study")
        assert "first" not in status(app)


async def test_F_fetches_the_bookmarked_papers_full_texts_when_the_config_says_so(paths, bundled_index, daily_api):
    from tui.core import fulltext as FT

    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text('[fetch]\nfull_text = "bookmarked"\n')
    today = daily_api.days_asked[-1]
    paper = daily_api.days[today][1]["paper"]
    pid = paper_id(paper["title"])
    daily_api.texts[paper["id"]] = b"# A Full Text\n\n## 2 Method\n\nThe quolltrack estimator.\n"
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await fetched(app, pilot)  # nothing bookmarked yet: no full text asked for
        assert not [r for r in daily_api.requests if r["path"].startswith("/papers/")]
        with Library.open(paths) as lib:  # bookmarked in another window
            lib.set_bookmark(pid, True)
        await fetched(app, pilot)
        assert [r["path"] for r in daily_api.requests if r["path"].startswith("/papers/")] == \
            [f"/papers/{paper['id']}.md"]
        assert FT.cached_text(paths, pid) is not None
        done = [n.message for n in notices(app) if n.message.startswith("Fetched ")]
        assert "Bookmarked papers: 1 full text downloaded" in done[-1], done[-1]
        await search(app, pilot, "quolltrack")  # indexed with its text
        assert app.query_one("#results").ids == [pid]
