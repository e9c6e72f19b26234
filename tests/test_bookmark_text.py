"""A bookmark made in the reader fetches the paper's full text in the
background when ``[fetch] full_text = "bookmarked"`` (from a stand-in site on
127.0.0.1): the key is not held up, the text is cached and searched, a
failure is one quiet notification, and nothing is asked for a text already
cached, a paper without an arXiv id, or with the setting off."""

from __future__ import annotations

import time

from helpers import SIZE, SWIN, api_digest, ready, search, settle
from tui.app import PapersApp
from tui.core import fulltext as FT
from tui.core.papers import paper_id

TITLE = "Quokka Burrows Under Old Moons"
ARXIV = "2408.00001"
TEXT = b"# Quokka Burrows\n\n## 3 Method\n\nThe wombatflux estimator digs deeper.\n"


def setup(paths, api, monkeypatch, setting: str | None = "bookmarked") -> str:
    monkeypatch.setenv("PAPERS_API_URL", api.base_url)
    paths.digests.mkdir(parents=True, exist_ok=True)
    (paths.digests / "2024-08-07.json").write_text(api_digest([{"id": ARXIV, "title": TITLE}]))
    if setting is not None:
        paths.config_file.parent.mkdir(parents=True, exist_ok=True)
        paths.config_file.write_text(f'[fetch]\nfull_text = "{setting}"\n')
    return paper_id(TITLE)


def text_requests(api) -> list[str]:
    return [r["path"] for r in api.requests if r["path"].startswith("/papers/")]


def said(app) -> list[str]:
    return [n.message for n in app._notifications]


async def bookmark(app, pilot, title: str) -> None:
    await search(app, pilot, title)
    await pilot.press("escape", "b")


async def downloads_done(app, pilot) -> None:
    for _ in range(200):
        await pilot.pause(0.05)
        if not [w for w in app.workers if w.group == "bookmark-text" and not w.is_finished]:
            break
    await settle(app, pilot)


async def test_a_bookmark_fetches_the_full_text_in_the_background_and_it_is_searched(paths, bundled_index, api,
                                                                                     monkeypatch):
    pid = setup(paths, api, monkeypatch)
    api.texts[ARXIV] = TEXT
    answer = api.answer

    def late(h):  # the site is slow: the bookmark must not wait for it
        if h.path.startswith("/papers/"):
            time.sleep(1.0)
        answer(h)

    api.answer = late
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await search(app, pilot, "quokka burrows")
        started = time.monotonic()
        await pilot.press("escape", "b")
        await pilot.pause(0.05)
        assert app.library.get(pid).bookmarked and any(m.startswith("Bookmarked: Quokka") for m in said(app))
        assert time.monotonic() - started < 0.9  # not held up by the download
        assert FT.cached_text(paths, pid) is None
        await downloads_done(app, pilot)
        assert text_requests(api) == [f"/papers/{ARXIV}.md"]
        assert FT.cached_text(paths, pid) == TEXT.decode()
        assert not [m for m in said(app) if "not fetched" in m]
        await search(app, pilot, "wombatflux")  # indexed with its text
        assert app.query_one("#results").ids == [pid]
        await pilot.press("b", "b")  # unbookmarked and bookmarked again: cached, nothing asked
        await downloads_done(app, pilot)
        assert text_requests(api) == [f"/papers/{ARXIV}.md"]


async def test_a_failed_download_is_one_quiet_notification(paths, bundled_index, api, monkeypatch):
    pid = setup(paths, api, monkeypatch)  # the site has no text for it: 404
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await bookmark(app, pilot, "quokka burrows")
        await downloads_done(app, pilot)
        failed = [n for n in app._notifications if "not fetched" in n.message]
        assert len(failed) == 1 and failed[0].severity == "information", said(app)
        assert failed[0].message.startswith(f"Full text of “{TITLE}” not fetched: no full text:")
        assert "HTTP 404" in failed[0].message
        assert app.library.get(pid).bookmarked and FT.cached_text(paths, pid) is None
        assert not FT.cache_path(paths, pid).parent.exists() or not list(FT.cache_path(paths, pid).parent.iterdir())


async def test_nothing_is_fetched_with_the_setting_off_or_without_an_arxiv_id(paths, bundled_index, api,
                                                                             monkeypatch):
    pid = setup(paths, api, monkeypatch, setting=None)  # the default: "none"
    api.texts[ARXIV] = TEXT
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await bookmark(app, pilot, "quokka burrows")
        await downloads_done(app, pilot)
        assert app.library.get(pid).bookmarked and text_requests(api) == []
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text('[fetch]\nfull_text = "bookmarked"\n')
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await bookmark(app, pilot, SWIN)  # a paper of a text digest: no arXiv id
        await downloads_done(app, pilot)
        assert app.library.get(paper_id(SWIN)).bookmarked and text_requests(api) == []
        assert not [m for m in said(app) if "not fetched" in m]


async def test_keeping_a_paper_in_triage_fetches_its_full_text_too(paths, bundled_index, api, monkeypatch):
    pid = setup(paths, api, monkeypatch)
    api.texts[ARXIV] = TEXT
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        digests = app.query_one("#digests")
        digests.highlighted = digests.ids.index("2024-08-07")
        await pilot.press("T")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "TriageScreen" and app.screen.viewing_id() == pid
        await pilot.press("b")
        await downloads_done(app, pilot)
        assert app.library.get(pid).bookmarked and FT.cached_text(paths, pid) == TEXT.decode()
