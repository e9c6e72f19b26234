"""Following authors in the reader: the Following feed in the Digests pane
(papers by followed authors, newest first, with unread counts, opened as a
feed)."""

from __future__ import annotations

from helpers import SIZE, api_digest, details, ready, screen_text, settle
from tui.app import PapersApp
from tui.core.following import FEED
from tui.core.library import Library
from tui.core.papers import paper_id

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
