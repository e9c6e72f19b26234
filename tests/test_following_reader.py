"""Following authors in the reader: the Following feed in the Digests pane
(papers by followed authors, newest first, with unread counts, opened as a
feed), and ``a`` on a paper (or the palette) listing its authors to follow or
unfollow, the feed listing again when a follow changes; new papers by followed
authors announced at start and after F."""

from __future__ import annotations

from helpers import SIZE, SWIN, api_digest, details, palette, ready, screen_text, search, settle
from tui.app import PapersApp
from tui.core.following import FEED
from tui.core.library import Library
from tui.core.papers import paper_id
from tui.widgets.follow_dialog import FollowDialog

GARCIA = ["José García", "Ada Lovelace"]
OLD = "Quokka Burrows Under Old Moons"
NEW = "Quokka Burrows Under New Moons"
OTHER = "Wombat Tunnels Without Garcia"


def with_authors(paths) -> dict[str, str]:
    """Two papers by José García (one a digest newer), one by Ada Lovelace
    and Alan Turing alone; their ids by title."""
    paths.digests.mkdir(parents=True, exist_ok=True)
    (paths.digests / "2024-08-01.json").write_text(api_digest([
        {"id": "2408.00001", "title": OLD, "authors": GARCIA, "publishedAt": "2024-08-01T12:00:00.000Z"}]))
    (paths.digests / "2024-08-07.json").write_text(api_digest([
        {"id": "2408.00002", "title": OTHER, "publishedAt": "2024-08-07T12:00:00.000Z"},
        {"id": "2408.00003", "title": NEW, "authors": ["Jose Garcia", "Grace Hopper"],
         "publishedAt": "2024-08-07T12:00:00.000Z"}]))
    return {t: paper_id(t) for t in (OLD, OTHER, NEW)}


def follow(paths, name: str) -> None:
    library = Library.open(paths)
    try:
        library.follows.follow(name)
    finally:
        library.close()


def row(pane, key: str) -> str:
    return str(pane.get_option_at_index(pane.ids.index(key)).prompt)


def said(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_the_following_feed_lists_followed_authors_papers_newest_first_with_unread(paths, bundled_index):
    ids = with_authors(paths)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        digests = app.query_one("#digests")
        assert FEED not in digests.ids  # nobody followed: no feed
        assert app.reader.set_followed("jose garcia", True, app.notify)
        await pilot.press("1", "4")  # shown again: the pane lists again
        await settle(app, pilot)
        assert digests.ids[0] == FEED and digests.ids[1:] == list(app.reader.digest_order().names)
        assert "Following" in row(digests, FEED) and "2 papers · 2 unread" in row(digests, FEED), row(digests, FEED)
        assert "papers by jose garcia" in row(digests, FEED)
        assert "Following" in screen_text(app)
        await pilot.press("g", "enter")  # the selection stayed on the digest it was on
        await settle(app, pilot)
        results = app.main.results
        assert app.main.current is results and results.feed == FEED
        assert results.ids == [ids[NEW], ids[OLD]]  # newest first; Ada and Alan's paper left out
        assert "Following: 2 papers by the authors you follow, newest first" in str(
            app.query_one("#status").render())
        await pilot.press("s")  # sorted for you, as a digest's feed is
        await settle(app, pilot)
        assert "This feed best for you first · s: next order" in said(app), said(app)
        assert "by the authors you follow, best for you first" in str(app.query_one("#status").render())
        await pilot.press("s")  # back to newest first
        await settle(app, pilot)
        assert results.ids == [ids[NEW], ids[OLD]]
        await pilot.press("r")  # the newest one read
        await settle(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        assert "2 papers · 1 unread" in row(digests, FEED), row(digests, FEED)
        await pilot.press("g")
        await settle(app, pilot)
        assert "2 papers, 1 unread" in details(app), details(app)  # the details say the new counts
        await pilot.press("T")  # triaged like a digest
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "TriageScreen" and app.screen.ids == [ids[NEW], ids[OLD]]
        assert "Following" in str(app.screen.query_one("#triage-head").render())
        await pilot.press("a")  # the same key in triage: the paper's authors
        await pilot.pause(0.2)
        assert isinstance(app.screen, FollowDialog) and app.screen.authors == ["Jose Garcia", "Grace Hopper"]


async def test_a_lists_the_authors_to_follow_or_unfollow_and_the_feed_follows(paths, bundled_index):
    ids = with_authors(paths)
    follow(paths, "José García")
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await palette(pilot, "following feed")  # the palette goes to it too
        await pilot.press("enter")
        await settle(app, pilot)
        results = app.main.results
        assert results.ids == [ids[NEW], ids[OLD]]
        await pilot.press("a")  # NEW: Jose Garcia (followed as José García) and Grace Hopper
        await pilot.pause(0.2)
        dialog = app.screen
        assert isinstance(dialog, FollowDialog)
        lines = [str(dialog.query_one("#follow-options").get_option_at_index(i).prompt) for i in range(2)]
        assert lines == ["✓ Jose Garcia  followed", "  Grace Hopper"], lines
        await pilot.press("down", "enter")  # follow Grace Hopper
        await pilot.press("up", "space")  # stop following José García
        await pilot.pause(0.1)
        lines = [str(dialog.query_one("#follow-options").get_option_at_index(i).prompt) for i in range(2)]
        assert lines == ["  Jose Garcia", "✓ Grace Hopper  followed"], lines
        assert app.library.follows.keys() == {"grace hopper"}
        assert "Following Grace Hopper" in said(app) and "No longer following Jose Garcia" in said(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is app.main
        assert results.feed == FEED and results.ids == [ids[NEW]]  # the feed listed again
        await pilot.press("4")
        await settle(app, pilot)
        assert "1 paper" in row(app.query_one("#digests"), FEED) and "Grace Hopper" in row(app.query_one("#digests"), FEED)


async def test_a_paper_without_authors_says_so_and_the_palette_offers_the_same(paths, bundled_index):
    ids = with_authors(paths)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, SWIN)
        await pilot.press("escape", "a")
        await pilot.pause(0.2)
        assert app.screen is app.main
        assert any("names no authors" in m for m in said(app)), said(app)
        await search(app, pilot, "wombat tunnels")
        await pilot.press("escape")
        assert app.main.results.current_id == ids[OTHER]
        await palette(pilot, "follow or unfollow")
        await pilot.press("enter")
        await pilot.pause(0.3)
        dialog = app.screen
        assert isinstance(dialog, FollowDialog) and dialog.authors == ["Ada Lovelace", "Alan Turing"]
        await pilot.press("enter", "escape")
        await settle(app, pilot)
        assert app.library.follows.keys() == {"ada lovelace"}
        await search(app, pilot, "is:followed")
        assert sorted(app.main.results.ids) == sorted([ids[OTHER], ids[OLD]])  # Ada Lovelace wrote both


async def test_new_papers_by_followed_authors_are_announced_at_start_and_after_F(paths, bundled_index, api,
                                                                                 monkeypatch):
    import json
    from datetime import timedelta

    from helpers import item
    from tui.core.fetch import utc_today
    from tui.widgets.fetcher import Fetcher

    hopper = [{"_id": "h", "name": "Grace Hopper", "hidden": False}]
    paths.digests.mkdir(parents=True, exist_ok=True)
    (paths.digests / "daily_papers_2025-08-01.json").write_text(json.dumps(
        [item("2025-08-01", 1, authors=hopper), item("2025-08-01", 2)]), encoding="utf-8")
    follow(paths, "Grace Hopper")
    today = utc_today()
    for n in (2, 1, 0):
        day = (today - timedelta(days=n)).isoformat()
        api.days[day] = [item(day, 1), item(day, 2, authors=hopper) if n == 1 else item(day, 2)]
    monkeypatch.setenv("PAPERS_API_URL", api.base_url)
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        # the digest that came between two starts
        assert "Following Grace Hopper: 1 new paper" in said(app), said(app)
        await pilot.press("F")
        fetcher = app.query_one(Fetcher)
        for _ in range(600):
            await pilot.pause(0.05)
            if not fetcher.running:
                break
        await settle(app, pilot)
        done = [m for m in said(app) if m.startswith("Fetched ")]
        assert len(done) == 1 and "Following Grace Hopper: 1 new paper" in done[0].splitlines(), done


async def test_a_follow_or_a_mute_made_in_another_window_shows_within_5_s(paths, bundled_index):
    """Follows and mutes bump no generation (that counts changes to papers):
    the reader sees another process's change by the file's version."""
    import time

    ids = with_authors(paths)
    app = PapersApp(paths, watch_interval=1.0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        digests = app.query_one("#digests")
        assert FEED not in digests.ids
        follow(paths, "jose garcia")  # papers follow, in another terminal
        t0 = time.monotonic()
        while time.monotonic() - t0 < 5 and FEED not in digests.ids:
            await pilot.pause(0.1)
        assert FEED in digests.ids
        await pilot.press("1")
        await search(app, pilot, "quokka burrows")
        assert ids[OLD] in app.main.results.ids
        with Library.open(paths) as lib:  # papers mute, in another terminal
            lib.mutes.add('"old moons"')
        t0 = time.monotonic()
        while time.monotonic() - t0 < 5 and ids[OLD] in app.main.results.ids:
            await pilot.pause(0.1)
        assert ids[OLD] not in app.main.results.ids and ids[NEW] in app.main.results.ids
