"""F in the real reader: the new days of a stand-in Daily Papers API on
127.0.0.1 (named by PAPERS_API_URL) are fetched and their papers listed."""

from __future__ import annotations

import time
from datetime import timedelta

from helpers import StandIn, day_items
from tui.core.fetch import utc_today


def test_F_fetches_from_the_api_and_lists_the_new_papers(term, tmp_path):
    api = StandIn()
    try:
        today = utc_today()
        days = [(today - timedelta(days=n)).isoformat() for n in (2, 1, 0)]
        for day in days:
            api.days[day] = day_items(day, 5)
        t = term(env={"PAPERS_API_URL": api.base_url})
        t.wait_for("285 papers, newest digest first")
        t.to_list()  # the reader starts in the search box
        t0 = time.monotonic()
        t.keys("F")
        screen = t.wait_for("300 papers, newest digest first")
        took = time.monotonic() - t0
        assert f"Marsupial Routing Study {days[-1]} Number" in screen  # today's papers on top
        t.wait_for("Fetched 3 days from 127.0.0.1")
        assert {r["query"]["date"] for r in api.requests} == set(days)
        t.keys("/")
        t.type("marsupial routing")
        t.wait_for("15 papers match")
        t.quit()
        print(f"F: 3 days, 15 papers fetched and listed in {took:.2f} s")
    finally:
        api.server.shutdown()
        api.server.server_close()
