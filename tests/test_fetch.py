"""papers fetch against a stand-in Daily Papers API on 127.0.0.1 (never the
real network): paging, retries, rate limits, bad answers, and the files it
may and may not write."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from helpers import OSC52, Drip, day_items, item, json_head
from tui import __version__
from tui.core import fetch as F
from tui.core import fetch_http as H
from tui.core.config import load_config
from tui.core.digest import parse_file
from tui.core.fsio import sha256_file

NOW = datetime(2025, 8, 10, 15, 30, tzinfo=timezone.utc)
TODAY = NOW.date()


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def run(paths, api, days, **kw):
    kw.setdefault("sleep", Sleeps())
    kw.setdefault("clock", lambda: NOW)
    return F.fetch(paths, [date.fromisoformat(d) for d in days], base_url=api.base_url, **kw)


def saved(paths, day: str) -> list:
    return json.loads((paths.digests / F.day_file_name(date.fromisoformat(day))).read_text())


def statuses(report) -> dict[str, str]:
    return {d.day.isoformat(): d.status for d in report.days}


# --- fetching days ------------------------------------------------------------------------

def test_several_days_each_saved_as_returned(paths, api):
    for day, n in (("2025-08-07", 5), ("2025-08-08", 7), ("2025-08-09", 3)):
        api.days[day] = day_items(day, n)
    report = run(paths, api, ["2025-08-09", "2025-08-07", "2025-08-08"])
    assert [d.day.isoformat() for d in report.days] == ["2025-08-07", "2025-08-08", "2025-08-09"]
    assert statuses(report) == dict.fromkeys(["2025-08-07", "2025-08-08", "2025-08-09"], "new")
    assert report.papers == {"2025-08-07": 5, "2025-08-08": 7, "2025-08-09": 3}
    assert report.ok and report.changed and len(report.written) == 3
    for day in api.days:
        assert saved(paths, day) == api.days[day]  # the API's items, as returned
        d = parse_file(paths.digests / F.day_file_name(date.fromisoformat(day)))
        assert d.label == day and d.problems == ()
    state = json.loads(paths.fetch_state.read_text())
    rec = state["days"]["2025-08-08"]
    assert rec["file"] == "daily_papers_2025-08-08.json" and rec["papers"] == 7
    assert rec["sha256"] == sha256_file(paths.digests / rec["file"])
    assert {r["agent"] for r in api.requests} == {f"papers-tui/{__version__}"}
    assert all(r["path"] == "/api/daily_papers" and r["query"]["limit"] == str(F.PAGE_SIZE) for r in api.requests)
    assert report.lines()[-1] == report.summary()
    assert "3 new" in report.summary() and "15 papers" in report.summary()


def test_a_day_of_one_paper_is_counted_in_the_singular(paths, api):
    api.days["2025-08-08"] = day_items("2025-08-08", 1)
    report = run(paths, api, ["2025-08-08"], page_size=1)
    host = api.base_url.split("/")[2]
    assert report.lines() == ["2025-08-08: 1 paper, written to daily_papers_2025-08-08.json",
                              f"1 day from {host}: 1 new; 1 paper; fetched 2025-08-08"]


def test_a_day_of_several_pages_is_read_until_an_empty_page(paths, api):
    api.days["2025-08-08"] = day_items("2025-08-08", 25)
    pages = []
    report = run(paths, api, ["2025-08-08"], page_size=10, progress=lambda d, t, m: pages.append((d, t, m)))
    assert api.pages_asked("2025-08-08") == [0, 1, 2, 3]
    assert report.days[0].pages == 4 and report.days[0].papers == 25
    assert saved(paths, "2025-08-08") == api.days["2025-08-08"]
    assert pages[0] == (0, 1, "2025-08-08: page 1, 0 papers so far")
    assert (0, 1, "2025-08-08: page 3, 20 papers so far") in pages and pages[-1] == (1, 1, "done")


def test_a_paper_repeated_by_the_next_page_is_kept_once(paths, api):
    items = day_items("2025-08-08", 4)
    api.days["2025-08-08"] = items[:3] + items[2:]  # the list moved while it was paged
    run(paths, api, ["2025-08-08"], page_size=3)
    assert saved(paths, "2025-08-08") == items


def test_an_empty_day_writes_nothing_and_says_so(paths, api):
    report = run(paths, api, ["2025-08-09"])
    assert statuses(report) == {"2025-08-09": "empty"}
    assert report.days[0].line() == "2025-08-09: no papers; nothing written"
    assert not paths.digests.exists() and not report.changed and report.ok


def test_429_with_retry_after_is_waited_out(paths, api):
    api.days["2025-08-08"] = day_items("2025-08-08", 3)
    api.script["2025-08-08"] = [(429, {"Retry-After": "1"}, b'{"error": "slow down"}')]
    sleeps = Sleeps()
    report = run(paths, api, ["2025-08-08"], sleep=sleeps)
    assert sleeps == [1.0]
    assert statuses(report) == {"2025-08-08": "new"} and report.retry_at is None


def test_429_asking_for_more_than_a_minute_stops_and_says_when(paths, api):
    for day in ("2025-08-07", "2025-08-08", "2025-08-09"):
        api.days[day] = day_items(day, 2)
    when = (NOW + timedelta(minutes=5)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    api.script["2025-08-08"] = [(429, {"Retry-After": when}, b"")]
    sleeps = Sleeps()
    report = run(paths, api, ["2025-08-07", "2025-08-08", "2025-08-09"], sleep=sleeps)
    assert sleeps == []
    assert statuses(report) == {"2025-08-07": "new", "2025-08-08": "failed", "2025-08-09": "skipped"}
    assert report.stopped == "rate limited" and report.retry_after == 300
    assert report.retry_at == NOW + timedelta(minutes=5)
    assert "fetch again after 15:35 UTC (in 5 min)" in report.retry_hint()
    assert report.retry_hint() in report.lines()
    assert (paths.digests / "daily_papers_2025-08-07.json").exists()  # what was fetched is kept
    assert not (paths.digests / "daily_papers_2025-08-08.json").exists()
    assert api.pages_asked("2025-08-09") == []


def test_the_waits_of_a_run_are_capped_and_the_run_says_so(paths, api):
    """Retry-After: 60 again and again made one run wait 3 minutes, then fail."""
    for day in ("2025-08-08", "2025-08-09"):
        api.days[day] = day_items(day, 2)
    api.script["2025-08-08"] = [(429, {"Retry-After": "60"}, b"")] * 4
    sleeps = Sleeps()
    report = run(paths, api, ["2025-08-08", "2025-08-09"], sleep=sleeps)
    assert sum(sleeps) <= H.MAX_RUN_WAIT == 60
    assert statuses(report) == {"2025-08-08": "failed", "2025-08-09": "skipped"}
    host = api.base_url.split("/")[2]
    assert report.days[0].line() == (f"2025-08-08: failed: rate limited by {host}; this run has waited 60 s in all, "
                                     "the most one run waits (60 s)")
    assert report.stopped == "rate limited" and "fetch again after 15:31 UTC" in report.retry_hint()


def test_backoffs_count_in_the_waits_of_a_run(paths, api, monkeypatch):
    monkeypatch.setattr(H, "MAX_RUN_WAIT", 5.0)
    for day in ("2025-08-07", "2025-08-08", "2025-08-09"):
        api.days[day] = day_items(day, 1)
        api.script[day] = [(503, {}, b"")] * 4
    sleeps = Sleeps()
    report = run(paths, api, ["2025-08-07", "2025-08-08", "2025-08-09"], sleep=sleeps)
    assert sleeps == [1.0, 2.0, 1.0, 1.0]  # each next wait (4 s, 2 s, 2 s) would pass the 5 s of the run
    host = api.base_url.split("/")[2]
    assert [d.line() for d in report.days] == [
        f"2025-08-0{d}: failed: {host} answered HTTP 503 Service Unavailable; not tried again: this run has "
        f"waited {w} s in all, the most one run waits (5 s)" for d, w in ((7, 3), (8, 4), (9, 5))]


def test_ratelimit_header_gives_the_wait(paths, api):
    api.days["2025-08-08"] = day_items("2025-08-08", 1)
    api.script["2025-08-08"] = [(429, {"RateLimit": '"api";r=0;t=7'}, b"")]
    sleeps = Sleeps()
    assert statuses(run(paths, api, ["2025-08-08"], sleep=sleeps)) == {"2025-08-08": "new"}
    assert sleeps == [7.0]


def test_server_errors_are_retried_with_backoff(paths, api):
    api.days["2025-08-08"] = day_items("2025-08-08", 2)
    api.script["2025-08-08"] = [(503, {}, b"busy"), (502, {}, b"bad gateway")]
    sleeps = Sleeps()
    report = run(paths, api, ["2025-08-08"], sleep=sleeps)
    assert sleeps == [1.0, 2.0] and statuses(report) == {"2025-08-08": "new"}


def test_server_errors_beyond_the_retries_fail_that_day_only(paths, api):
    api.days["2025-08-08"] = day_items("2025-08-08", 2)
    api.days["2025-08-09"] = day_items("2025-08-09", 2)
    api.script["2025-08-08"] = [(500, {}, b"")] * 4
    sleeps = Sleeps()
    report = run(paths, api, ["2025-08-08", "2025-08-09"], sleep=sleeps)
    assert sleeps == [1.0, 2.0, 4.0]
    assert statuses(report) == {"2025-08-08": "failed", "2025-08-09": "new"}
    host = api.base_url.split("/")[2]
    assert report.failed[0].line() == f"2025-08-08: failed: {host} answered HTTP 500 Internal Server Error"
    assert not report.ok and report.changed


def test_a_cut_connection_is_retried(paths, api):
    api.days["2025-08-08"] = day_items("2025-08-08", 2)
    api.script["2025-08-08"] = ["reset"]
    sleeps = Sleeps()
    report = run(paths, api, ["2025-08-08"], sleep=sleeps)
    assert statuses(report) == {"2025-08-08": "new"} and sleeps == [1.0]


def test_html_with_status_200_fails_that_day(paths, api):
    api.days["2025-08-09"] = day_items("2025-08-09", 2)
    page = b"<!doctype html><html><body>We'll be right back</body></html>"
    api.script["2025-08-08"] = [(200, {"Content-Type": "text/html; charset=utf-8"}, page)]
    report = run(paths, api, ["2025-08-08", "2025-08-09"])
    assert statuses(report) == {"2025-08-08": "failed", "2025-08-09": "new"}
    assert "answered with a web page (text/html), not JSON" in report.failed[0].reason
    # the same page labelled as JSON
    api.script["2025-08-08"] = [(200, {}, page)]
    assert "web page" in run(paths, api, ["2025-08-08"]).failed[0].reason


@pytest.mark.parametrize("body, words", [
    (b'{"error": "Invalid date \\u001b[31m"}', "JSON of another shape (dict, not a list of papers): Invalid date"),
    (b'[{"paper": {"id": "2508.00001"', "not JSON (Expecting"),
    (b"\xff\xfe[]", "not UTF-8"),
    (b'[1, 2, "three"]', "holds no usable paper"),
])
def test_bodies_that_are_not_a_list_of_papers_fail_that_day(paths, api, body, words):
    api.script["2025-08-08"] = [(200, {}, body)]
    report = run(paths, api, ["2025-08-08"])
    assert report.failed[0].day == date(2025, 8, 8) and words in report.failed[0].reason
    assert "\x1b" not in report.failed[0].line() and "\n" not in report.failed[0].line()
    assert not paths.digests.exists() or not any(paths.digests.iterdir())


def test_a_day_stops_at_the_size_a_digest_may_have_and_writes_nothing(paths, api, monkeypatch):
    """The limit is the one the index refuses digests above (lowered here to 300 KB)."""
    from tui.core import digest

    api.days["2025-08-08"] = day_items("2025-08-08", 2)
    run(paths, api, ["2025-08-08"])
    path = paths.digests / "daily_papers_2025-08-08.json"
    before = path.read_bytes()
    monkeypatch.setattr(digest, "MAX_BYTES", 300 * 1024)
    big = [item("2025-08-08", n, summary="long " * 10_000) for n in range(1, 9)]  # 100 KB each
    api.days["2025-08-08"] = big
    api.days["2025-08-09"] = day_items("2025-08-09", 2)
    asked = len(api.requests)
    report = run(paths, api, ["2025-08-08", "2025-08-09"], page_size=2)
    assert report.days[0].line() == ("2025-08-08: failed: its pages hold more than 300 KB, the most one digest "
                                     "may hold; nothing written")
    assert [r["query"]["p"] for r in api.requests[asked:] if r["query"]["date"] == "2025-08-08"] == ["0", "1"]
    assert statuses(report)["2025-08-09"] == "new"
    assert path.read_bytes() == before  # the digest of an earlier fetch is kept as it was
    # what is written is held to the same limit (the saved file is indented)
    monkeypatch.setattr(digest, "MAX_BYTES", len(json.dumps(big[:2])) + 10)
    api.days["2025-08-08"] = big[:2]
    report = run(paths, api, ["2025-08-08"], page_size=2)
    assert report.days[0].status == "failed" and "the most one digest may hold; nothing written" in report.days[0].reason
    assert path.read_bytes() == before


def test_a_redirect_to_another_host_is_not_followed(paths, api):
    port = api.base_url.split(":")[2].split("/")[0]
    api.days["2025-08-08"] = day_items("2025-08-08", 2)
    elsewhere = f"http://localhost:{port}/api/daily_papers?date=2025-08-08&p=0&limit=100"
    api.script["2025-08-08"] = [(302, {"Location": elsewhere}, b"")]
    report = run(paths, api, ["2025-08-08"])
    host = api.base_url.split("/")[2]
    assert report.days[0].line() == (f"2025-08-08: failed: {host} redirected to localhost:{port}, another host; "
                                     "not followed")
    assert len(api.requests) == 1 and not paths.digests.exists()


def test_a_redirect_on_the_same_host_is_followed_and_errors_name_where_it_led(paths, api):
    api.days["2025-08-08"] = day_items("2025-08-08", 2)
    moved = api.base_url + "/daily_papers?limit=100&p=0&date=2025-08-08"
    api.script["2025-08-08"] = [(301, {"Location": moved}, b"")]
    report = run(paths, api, ["2025-08-08"])
    assert statuses(report) == {"2025-08-08": "new"} and saved(paths, "2025-08-08") == api.days["2025-08-08"]
    # to https on the same host: followed, and a failure there names that host (nothing listens on 443)
    api.script["2025-08-09"] = [(302, {"Location": "https://127.0.0.1/api/daily_papers?date=2025-08-09"}, b"")]
    report = run(paths, api, ["2025-08-09"])
    assert report.days[0].reason.startswith("cannot reach 127.0.0.1: "), report.days[0].reason


@pytest.mark.parametrize("location", [f"http://ev{OSC52}il.example/x", "http://[::1/x", "http://127.0.0.1:99999/x"])
def test_a_redirect_to_an_address_that_cannot_be_read_fails_that_day(paths, api, location):
    api.days["2025-08-09"] = day_items("2025-08-09", 1)
    api.script["2025-08-08"] = [(302, {"Location": location}, b"")]
    report = run(paths, api, ["2025-08-08", "2025-08-09"])
    host = api.base_url.split("/")[2]
    assert report.days[0].line() == (f"2025-08-08: failed: {host} redirected to an address that cannot be read; "
                                     "not followed")
    assert statuses(report)["2025-08-09"] == "new"


@pytest.mark.parametrize("start, to, ok", [
    ("https://hf.co/api/x", "https://hf.co/api/y", True),
    ("https://hf.co/api/x", "https://HF.co:443/y", True),
    ("https://hf.co/api/x", "http://hf.co/api/y", False),       # never down to http
    ("http://hf.co/api/x", "https://hf.co/api/y", True),        # up to https
    ("http://hf.co:8080/api/x", "http://hf.co:8080/y", True),
    ("http://hf.co:8080/api/x", "http://hf.co:9090/y", False),  # another port is another server
    ("https://hf.co/api/x", "https://evil.example/y", False),
    ("https://hf.co/api/x", "https://hf.co.evil.example/y", False),
    ("https://hf.co/api/x", "https://user@hf.co/y", False),
    ("https://hf.co/api/x", "ftp://hf.co/y", False),
    ("https://hf.co/api/x", "file:///etc/passwd", False),
])
def test_which_redirects_are_followed(start, to, ok):
    assert H.redirect_allowed(start, to) is ok


def test_what_a_hostile_server_says_reaches_the_lines_without_control_characters(paths, drip):
    server = drip(f"HTTP/2{OSC52} 200 OK\r\nContent-Length: 2\r\n\r\n[]".encode(), every=0)
    report = F.fetch(paths, [date(2025, 8, 8)], base_url=server.url, sleep=Sleeps(), clock=lambda: NOW)
    assert report.days[0].line() == f"2025-08-08: failed: cannot reach {server.host}: HTTP/2"
    assert report.days[0].reason == f"cannot reach {server.host}: HTTP/2"  # as the reader shows it
    assert not any(c in line for line in report.lines() for c in "\x1b\x07\n")


def test_a_data_folder_named_with_control_characters_is_printed_without_them(tmp_path, api):
    from tui.core.paths import Paths

    paths = Paths.default(tmp_path / f"home{OSC52}\nnext")
    api.days["2025-08-08"] = day_items("2025-08-08", 1)
    paths.data.mkdir(parents=True)
    paths.fetch_state.write_text("{not json")
    report = run(paths, api, ["2025-08-08"])
    assert "could not be read" in report.problems[0]
    assert all("\x1b" not in line and "\x07" not in line and "\n" not in line for line in report.lines())


def test_a_client_error_fails_that_day(paths, api):
    api.script["2025-08-08"] = [(400, {}, b'{"error": "Invalid date"}')]
    report = run(paths, api, ["2025-08-08"])
    assert report.failed[0].reason.endswith("answered HTTP 400 Bad Request")


def test_connection_refused_names_the_host_and_each_day_fails(paths, refused_port):
    port = refused_port
    sleeps = Sleeps()
    report = F.fetch(paths, [date(2025, 8, 8), date(2025, 8, 9)], base_url=f"http://127.0.0.1:{port}/api",
                     sleep=sleeps, clock=lambda: NOW)
    assert statuses(report) == {"2025-08-08": "failed", "2025-08-09": "failed"}
    for d in report.failed:
        assert d.reason.startswith(f"cannot reach 127.0.0.1:{port}: ") and "refused" in d.reason.lower()
    assert sleeps == [] and not report.changed


def test_a_silent_server_times_out(paths, monkeypatch):
    monkeypatch.setattr(H, "TIMEOUT", 0.3)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts, never answers
    port = listener.getsockname()[1]
    try:
        report = F.fetch(paths, [date(2025, 8, 8)], base_url=f"http://127.0.0.1:{port}",
                         sleep=Sleeps(), clock=lambda: NOW)
    finally:
        listener.close()
    assert report.failed[0].reason == f"127.0.0.1:{port} did not answer within 0.3 s"


@pytest.fixture
def drip():
    made = []

    def make(*args, **kw) -> Drip:
        made.append(Drip(*args, **kw))
        return made[-1]

    yield make
    for d in made:
        d.close()


@pytest.mark.parametrize("where", ["head", "body"])
def test_a_server_that_drips_bytes_meets_the_deadline_of_a_request(paths, drip, monkeypatch, where):
    monkeypatch.setattr(H, "REQUEST_DEADLINE", 1.0)
    body = json.dumps(day_items("2025-08-08", 3)).encode()
    server = drip(json_head(len(body)) + (b"" if where == "body" else body), body if where == "body" else b"")
    t0 = time.monotonic()
    report = F.fetch(paths, [date(2025, 8, 8), date(2025, 8, 9)], base_url=server.url, sleep=Sleeps(),
                     clock=lambda: NOW)
    took = time.monotonic() - t0
    assert took < 2.0, took  # the deadline of one request, not the drip (8 s)
    assert statuses(report) == {"2025-08-08": "failed", "2025-08-09": "skipped"}
    assert report.days[0].line() == (f"2025-08-08: failed: {server.host} sent page 1 too slowly "
                                     "(more than 1 s, the most one request may take)")
    assert report.days[1].line() == f"2025-08-09: not fetched: {server.host} is too slow; fetch again later"
    assert report.stopped == "too slow" and server.connections == 1  # no retry, no next day
    assert not paths.digests.exists()


def test_a_day_has_a_deadline_of_its_own(paths, api, monkeypatch):
    monkeypatch.setattr(H, "DAY_DEADLINE", 1.0)
    api.days["2025-08-08"] = day_items("2025-08-08", 20)
    answer = api.answer
    api.answer = lambda h: (time.sleep(0.3), answer(h))
    t0 = time.monotonic()
    report = run(paths, api, ["2025-08-08"], page_size=2)
    assert time.monotonic() - t0 < 2.0
    assert report.days[0].line().startswith(
        "2025-08-08: failed: the day took more than 1 s (the most one day may take); stopped at page ")
    assert len(api.pages_asked("2025-08-08")) <= 5 and not paths.digests.exists()


def test_a_stop_asked_during_a_blocked_read_ends_it_within_a_second(paths, drip):
    body = json.dumps(day_items("2025-08-08", 3)).encode()
    server = drip(json_head(len(body)), body)
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    t0 = time.monotonic()
    report = F.fetch(paths, [date(2025, 8, 8)], base_url=server.url, sleep=Sleeps(), clock=lambda: NOW,
                     should_stop=stop.is_set)
    assert time.monotonic() - t0 < 1.5
    assert report.stopped == "cancelled" and statuses(report) == {"2025-08-08": "skipped"}


def test_a_stop_asked_while_connecting_ends_it_within_a_second(paths):
    """A listener whose backlog is full: the connection is neither taken nor refused."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    first = socket.create_connection(("127.0.0.1", port))  # fills the backlog
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    t0 = time.monotonic()
    try:
        report = F.fetch(paths, [date(2025, 8, 8)], base_url=f"http://127.0.0.1:{port}/api", sleep=Sleeps(),
                         clock=lambda: NOW, should_stop=stop.is_set)
    finally:
        first.close()
        listener.close()
    assert time.monotonic() - t0 < 1.5
    assert report.stopped == "cancelled" and statuses(report) == {"2025-08-08": "skipped"}


# --- what may be written --------------------------------------------------------------------------

def test_refetch_replaces_its_own_file_only_when_it_changed(paths, api):
    api.days["2025-08-08"] = day_items("2025-08-08", 3)
    run(paths, api, ["2025-08-08"])
    path = paths.digests / "daily_papers_2025-08-08.json"
    os.utime(path, ns=(1, 1))
    again = run(paths, api, ["2025-08-08"])
    assert statuses(again) == {"2025-08-08": "unchanged"} and not again.changed
    assert path.stat().st_mtime_ns == 1  # not touched
    api.days["2025-08-08"][1]["paper"]["upvotes"] = 41  # upvotes move all day
    report = run(paths, api, ["2025-08-08"])
    assert statuses(report) == {"2025-08-08": "updated"} and report.changed
    assert saved(paths, "2025-08-08")[1]["paper"]["upvotes"] == 41
    assert sorted(p.name for p in paths.digests.iterdir()) == ["daily_papers_2025-08-08.json"]
    assert json.loads(paths.fetch_state.read_text())["days"]["2025-08-08"]["sha256"] == sha256_file(path)


def test_a_file_fetch_did_not_write_is_never_overwritten(paths, api):
    api.days["2025-08-08"] = day_items("2025-08-08", 3)
    paths.digests.mkdir(parents=True)
    mine = paths.digests / "daily_papers_2025-08-08.json"
    mine.write_text("[]  my own notes\n")
    report = run(paths, api, ["2025-08-08"])
    assert statuses(report) == {"2025-08-08": "kept"} and not report.ok
    assert "daily_papers_2025-08-08.json was not written by papers fetch" in report.days[0].line()
    assert mine.read_text() == "[]  my own notes\n"
    # nor a file fetch wrote that the user changed since
    mine.unlink()
    run(paths, api, ["2025-08-08"])
    mine.write_text(mine.read_text().replace("Marsupial", "Edited"))
    edited = mine.read_bytes()
    api.days["2025-08-08"][0]["paper"]["upvotes"] = 99
    assert statuses(run(paths, api, ["2025-08-08"])) == {"2025-08-08": "kept"}
    assert mine.read_bytes() == edited


@pytest.mark.parametrize("how", ["second page not JSON", "cancelled after the first page", "deadline of the day"])
def test_a_day_that_fails_after_its_first_page_leaves_its_digest_as_it_was(paths, api, monkeypatch, how):
    api.days["2025-08-08"] = day_items("2025-08-08", 4)
    run(paths, api, ["2025-08-08"], page_size=2)
    path = paths.digests / "daily_papers_2025-08-08.json"
    before = path.read_bytes()
    api.days["2025-08-08"] = [item("2025-08-08", n, upvotes=99) for n in range(1, 6)]
    kw = {}
    if how == "second page not JSON":
        first = json.dumps(api.days["2025-08-08"][:2]).encode()
        api.script["2025-08-08"] = [(200, {}, first), (200, {"Content-Type": "text/html"}, b"<html>")]
    elif how == "cancelled after the first page":
        kw["should_stop"] = lambda: len(api.requests) > 3
    else:
        monkeypatch.setattr(H, "DAY_DEADLINE", 0.5)
        answer = api.answer
        api.answer = lambda h: (time.sleep(0.3), answer(h))
    report = run(paths, api, ["2025-08-08"], page_size=2, **kw)
    assert report.days[0].status in ("failed", "skipped") and len(api.requests) > 3
    assert path.read_bytes() == before and sorted(p.name for p in paths.digests.iterdir()) == [path.name]


def test_same_name_in_another_case_or_suffix_is_left_alone(paths, api):
    api.days["2025-08-08"] = day_items("2025-08-08", 1)
    paths.digests.mkdir(parents=True)
    (paths.digests / "Daily_Papers_2025-08-08.txt").write_text("x")
    report = run(paths, api, ["2025-08-08"])
    assert statuses(report) == {"2025-08-08": "kept"} and report.days[0].file == "Daily_Papers_2025-08-08.txt"
    assert sorted(p.name for p in paths.digests.iterdir()) == ["Daily_Papers_2025-08-08.txt"]


def test_odd_item_in_a_page_is_reported_and_the_rest_kept(paths, api):
    items = day_items("2025-08-08", 5)
    items[2] = {"paper": "not an object", "title": "Odd"}
    items[3]["paper"]["upvotes"] = "1.2k"
    items[3]["paper"]["authors"] = None
    api.days["2025-08-08"] = items
    report = run(paths, api, ["2025-08-08"])
    day = report.days[0]
    assert day.status == "new" and day.papers == 4
    assert day.problems == ("daily_papers_2025-08-08.json:3: entry 3: paper is not an object; skipped",)
    assert report.lines()[1] == "  " + day.problems[0]
    assert saved(paths, "2025-08-08") == items  # the file holds the answer as returned
    d = parse_file(paths.digests / "daily_papers_2025-08-08.json")
    assert [e.line for e in d.entries] == [1, 2, 4, 5]
    assert d.entries[2].upvotes == 1200 and d.entries[2].authors == ()


def test_dry_run_fetches_and_writes_nothing(paths, api):
    api.days["2025-08-08"] = day_items("2025-08-08", 2)
    report = run(paths, api, ["2025-08-08"], dry_run=True)
    assert statuses(report) == {"2025-08-08": "new"} and not report.changed
    assert report.days[0].line(dry_run=True) == "2025-08-08: 2 papers, would be written to daily_papers_2025-08-08.json"
    assert "dry run: nothing written" in report.summary()
    assert not paths.data.exists()


def test_a_second_fetch_at_the_same_time_waits_its_turn(paths, api):
    from tui.core.fsio import FileLock

    paths.data.mkdir(parents=True)
    lock = FileLock(paths.data / ".fetch.lock")
    assert lock.acquire()
    try:
        report = run(paths, api, ["2025-08-08"])
    finally:
        lock.release()
    assert report.stopped == "busy" and statuses(report) == {"2025-08-08": "skipped"}
    assert report.problems == ["another papers process is fetching now; try again when it has finished"]
    assert api.requests == []


def test_cancelled_between_pages(paths, api):
    for day in ("2025-08-07", "2025-08-08"):
        api.days[day] = day_items(day, 3)
    # asked between pages and during each read: stop once the first day is saved
    first = paths.digests / "daily_papers_2025-08-07.json"
    report = run(paths, api, ["2025-08-07", "2025-08-08"], page_size=2, should_stop=first.exists)
    assert statuses(report) == {"2025-08-07": "new", "2025-08-08": "skipped"}
    assert report.stopped == "cancelled" and report.skipped[0].reason == "the fetch was cancelled"


def test_a_day_that_failed_is_remembered_and_tried_again_until_it_succeeds(paths, api):
    for day in ("2025-08-07", "2025-08-08", "2025-08-09"):
        api.days[day] = day_items(day, 2)
    api.script["2025-08-08"] = [(200, {"Content-Type": "text/html"}, b"<html>back soon</html>")]
    report = run(paths, api, ["2025-08-07", "2025-08-08", "2025-08-09"])
    assert statuses(report) == {"2025-08-07": "new", "2025-08-08": "failed", "2025-08-09": "new"}
    assert report.summary().endswith("; 4 papers; fetched 2025-08-07, 2025-08-09; failed 2025-08-08")
    state = json.loads(paths.fetch_state.read_text())
    assert state["failed"] == {"2025-08-08": {"reason": report.failed[0].reason, "at": "2025-08-10T15:30:00Z"}}
    assert [(f.day, f.reason) for f in F.failed_days(paths)] == [(date(2025, 8, 8), report.failed[0].reason)]
    # the next plain fetch asks for it again, beside the newest day and today
    plan = F.plan(paths, today=TODAY)
    assert plan.days == [date(2025, 8, 8), date(2025, 8, 9), TODAY] and plan.retried == (date(2025, 8, 8),)
    assert F.plan(paths, date="2025-08-09", today=TODAY).days == [date(2025, 8, 9)]  # not with options
    api.script["2025-08-08"] = [(200, {"Content-Type": "text/html"}, b"<html>back soon</html>")]
    again = F.fetch(paths, plan, base_url=api.base_url, sleep=Sleeps(), clock=lambda: NOW)
    assert again.lines()[0] == "1 day that failed before is tried again: 2025-08-08"
    assert [f.day for f in F.failed_days(paths)] == [date(2025, 8, 8)]
    # a dry run lists it and keeps it; a run where it works forgets it
    dry = F.fetch(paths, plan, base_url=api.base_url, sleep=Sleeps(), clock=lambda: NOW, dry_run=True)
    assert dry.lines()[0] == "1 day that failed before is tried again: 2025-08-08" and dry.days[0].status == "new"
    assert [f.day for f in F.failed_days(paths)] == [date(2025, 8, 8)]
    done = F.fetch(paths, plan, base_url=api.base_url, sleep=Sleeps(), clock=lambda: NOW)
    assert statuses(done)["2025-08-08"] == "new" and F.failed_days(paths) == []
    assert json.loads(paths.fetch_state.read_text())["failed"] == {}
    assert F.plan(paths, today=TODAY).retried == ()


def test_days_a_stopped_run_left_are_remembered_but_not_when_it_was_cancelled(paths, api):
    for day in ("2025-08-07", "2025-08-08", "2025-08-09"):
        api.days[day] = day_items(day, 1)
    api.script["2025-08-08"] = [(429, {"Retry-After": "3600"}, b"")]
    run(paths, api, ["2025-08-07", "2025-08-08", "2025-08-09"])
    assert [f.day.isoformat() for f in F.failed_days(paths)] == ["2025-08-08", "2025-08-09"]
    cancelled = run(paths, api, ["2025-08-08", "2025-08-09", "2025-08-10"], should_stop=lambda: True)
    assert cancelled.stopped == "cancelled"
    assert [f.day.isoformat() for f in F.failed_days(paths)] == ["2025-08-08", "2025-08-09"]


def test_a_record_of_failed_days_of_another_shape_is_ignored_and_the_rest_kept(paths, api):
    api.days["2025-08-08"] = day_items("2025-08-08", 1)
    run(paths, api, ["2025-08-08"])
    state = json.loads(paths.fetch_state.read_text())
    state["failed"] = {"2025-08-09": "not an object", "someday": {"reason": "x"}, "2025-08-07": {"reason": 7}}
    paths.fetch_state.write_text(json.dumps(state))
    assert [(f.day, f.reason) for f in F.failed_days(paths)] == [(date(2025, 8, 7), "")]
    api.days["2025-08-08"][0]["paper"]["upvotes"] = 30
    assert statuses(run(paths, api, ["2025-08-08"])) == {"2025-08-08": "updated"}  # the record of files holds


def test_broken_state_file_is_moved_aside_and_files_left_alone(paths, api):
    api.days["2025-08-08"] = day_items("2025-08-08", 1)
    run(paths, api, ["2025-08-08"])
    paths.fetch_state.write_text("{not json")
    api.days["2025-08-08"][0]["paper"]["upvotes"] = 30
    report = run(paths, api, ["2025-08-08"])
    assert statuses(report) == {"2025-08-08": "kept"}
    assert "could not be read" in report.problems[0] and "moved to fetched.json.broken-" in report.problems[0]


def test_a_day_is_labelled_with_the_day_asked_for_not_its_items_dates(paths, api):
    from tui.core.index import Index
    from tui.core.navigation import digest_order

    future = [item("2025-08-08", n, publishedAt="2031-02-03T00:00:00.000Z") for n in (1, 2, 3)]
    for it in future:
        it["publishedAt"] = "2031-02-03T00:00:00.000Z"  # the day on Daily Papers, as the API says
    api.days["2025-08-08"] = future
    api.days["2025-08-09"] = day_items("2025-08-09", 2)
    run(paths, api, ["2025-08-08", "2025-08-09"])
    assert parse_file(paths.digests / "daily_papers_2025-08-08.json").label == "2025-08-08"
    ix, _ = Index.open(paths)
    try:
        labels = {d.name: d.label for d in ix.digests()}
        assert labels["daily_papers_2025-08-08"] == "2025-08-08"
        assert digest_order(ix.digests()).names[:2] == ("daily_papers_2025-08-09", "daily_papers_2025-08-08")
    finally:
        ix.close()


def test_a_paper_of_a_bundled_text_dump_gains_the_api_signals(paths, api):
    from tui.core.index import Index
    from tui.core.papers import paper_id

    title = "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows"
    pid = paper_id(title)
    api.days["2025-08-08"] = [item("2025-08-08", 1, id="2103.14030", title=title.upper(), upvotes=120,
                                   githubRepo="https://github.com/microsoft/Swin-Transformer")]
    assert statuses(run(paths, api, ["2025-08-08"])) == {"2025-08-08": "new"}
    ix, _ = Index.open(paths)
    try:
        p = ix.get(pid)
        assert p.arxiv_id == "2103.14030" and p.upvotes == 120 and p.comments == 1
        assert [a.digest for a in p.appearances] == ["001_eb4508a80e02266c", "daily_papers_2025-08-08"]
        assert p.appearances[-1].label == "2025-08-08"
        assert [link.kind for link in p.links[:4]] == ["hf", "arxiv", "code", "project"]
        assert p.links[2].url == "https://github.com/microsoft/Swin-Transformer"
        d = p.as_json()
        assert d["github"] == {"url": "https://github.com/microsoft/Swin-Transformer", "stars": 3}
        assert d["ai_keywords"] == ["routing", "marsupials"] and d["project_page"] == "https://lab.example.org/p1"
    finally:
        ix.close()


# --- which days, from where --------------------------------------------------------------------------

def test_plan_days(paths, api):
    assert F.plan_days(paths, today=TODAY) == [TODAY - timedelta(days=2), TODAY - timedelta(days=1), TODAY]
    assert F.plan_days(paths, date="2025-08-01", today=TODAY) == [date(2025, 8, 1)]
    assert F.plan_days(paths, date="yesterday", today=TODAY) == [date(2025, 8, 9)]
    assert F.plan_days(paths, since="2025-08-07", today=TODAY) == [date(2025, 8, d) for d in (7, 8, 9, 10)]
    assert F.plan_days(paths, since="2025-08-01", until="2025-08-02", today=TODAY) == [date(2025, 8, 1), date(2025, 8, 2)]
    api.days["2025-08-06"] = day_items("2025-08-06", 1)
    run(paths, api, ["2025-08-05", "2025-08-06"])  # 08-05 empty, 08-06 written
    # the newest day fetched again (its list grows while it is current), then each day up to today
    assert F.plan_days(paths, today=TODAY) == [date(2025, 8, d) for d in (6, 7, 8, 9, 10)]
    assert F.fetched_days(paths) == [date(2025, 8, 5), date(2025, 8, 6)]


def test_after_more_than_a_year_without_a_fetch_the_last_366_days_are_planned_and_the_rest_named(paths, api):
    api.days["2024-01-05"] = day_items("2024-01-05", 1)
    run(paths, api, ["2024-01-05"])
    plan = F.plan(paths, today=TODAY)
    assert plan.days == [TODAY - timedelta(days=n) for n in range(365, -1, -1)]
    assert plan.left_out == (date(2024, 1, 5), date(2024, 8, 9))
    assert F.plan_days(paths, today=TODAY) == plan.days
    asked = len(api.requests)
    report = F.fetch(paths, plan, base_url=api.base_url, sleep=Sleeps(), clock=lambda: NOW)
    assert len(report.days) == 366 and {r["query"]["date"] for r in api.requests[asked:]} == {
        d.isoformat() for d in plan.days}
    assert report.problems == ["the last fetch was 2024-01-05, more than 366 days ago: 2024-01-05 to 2024-08-09 "
                               "(218 days) not fetched; fetch them with --since and --until, 366 days at a time"]
    assert report.problems[0] in report.lines() and not report.failed and not report.skipped


@pytest.mark.parametrize("kw, words", [
    ({"date": "2025-13-01"}, "--date '2025-13-01': not a day"),
    ({"date": "08/07/2025"}, "--date '08/07/2025': not a day"),
    ({"date": "2025-08-11"}, "--date 2025-08-11: in the future (today is 2025-08-10, UTC)"),
    ({"since": "2025-08-09", "until": "2025-08-01"}, "--since 2025-08-09 is after --until 2025-08-01"),
    ({"until": "2025-08-01"}, "--until goes with --since"),
    ({"date": "2025-08-01", "since": "2025-08-01"}, "--date cannot be combined"),
    ({"since": "2023-01-01"}, "fetch at most 366 at a time"),
])
def test_plan_days_refuses_with_one_line(paths, kw, words):
    with pytest.raises(ValueError) as err:
        F.plan_days(paths, today=TODAY, **kw)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_the_default_api_is_hugging_face_and_can_be_moved(paths, monkeypatch):
    monkeypatch.delenv("PAPERS_API_URL", raising=False)
    assert F.DEFAULT_API_URL == "https://huggingface.co/api"
    assert F.api_url() == "https://huggingface.co/api"
    paths.config.mkdir(parents=True)
    paths.config_file.write_text('[fetch]\napi_url = "http://mirror.example/api/"\non_start = true\n')
    cfg = load_config(paths.config_file)
    assert cfg.fetch_on_start is True and cfg.problems == []
    assert F.api_url(cfg) == "http://mirror.example/api"
    assert F.api_url(cfg, {"PAPERS_API_URL": "http://127.0.0.1:9/api"}) == "http://127.0.0.1:9/api"
    with pytest.raises(ValueError, match="PAPERS_API_URL='ftp://x': not an http"):
        F.api_url(cfg, {"PAPERS_API_URL": "ftp://x"})
    paths.config_file.write_text('[fetch]\napi_url = "javascript:alert(1)"\non_start = "yes"\n')
    cfg = load_config(paths.config_file)
    assert cfg.fetch_api_url is None and cfg.fetch_on_start is False and len(cfg.problems) == 2
    assert F.api_url(cfg, {}) == "https://huggingface.co/api"


def test_fetch_without_base_url_would_use_the_environment(paths, api, monkeypatch):
    """The default base comes from PAPERS_API_URL (here the stand-in)."""
    monkeypatch.setenv("PAPERS_API_URL", api.base_url)
    api.days[TODAY.isoformat()] = day_items(TODAY.isoformat(), 1)
    report = F.fetch(paths, sleep=Sleeps(), clock=lambda: NOW)
    assert report.base_url == api.base_url
    assert [d.day for d in report.days] == [TODAY - timedelta(days=2), TODAY - timedelta(days=1), TODAY]
    assert [d.status for d in report.days] == ["empty", "empty", "new"]


def test_offline_names_the_host_of_the_base_url(paths, monkeypatch):
    """No network here: the request fails as it does when the name does not resolve."""
    import urllib.error

    def offline(self, url):
        assert url.startswith("https://huggingface.co/api/daily_papers?date=2025-08-0")  # never sent
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    monkeypatch.delenv("PAPERS_API_URL", raising=False)
    monkeypatch.setattr(H.Client, "_open", offline)
    report = F.fetch(paths, [date(2025, 8, 8), date(2025, 8, 9)], sleep=Sleeps(), clock=lambda: NOW)
    assert [d.line() for d in report.days] == [
        f"2025-08-{d}: failed: cannot reach huggingface.co: Temporary failure in name resolution "
        "(offline, or no such host?)" for d in ("08", "09")]


def test_fetch_imports_neither_textual_nor_whoosh():
    import subprocess
    import sys

    code = ("import sys, tui.core.fetch\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'whoosh')]\n"
            "assert not bad, bad\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
