"""``papers fetch`` from the command line, in this process (``tui.cli.main``)
and as a real process, against the stand-in Daily Papers API of conftest.py on
127.0.0.1 (never the real network): days fetched then searchable, a re-fetch
after a bookmark, a rate limit waited out, an HTML page, a server gone away,
a paper also in a bundled text dump, bad options, a dry run, the progress bar."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from helpers import SWIN, day_items, item
from tui.cli import main
from tui.core.paths import Paths


def day(ago: int) -> str:
    """A day ``ago`` days before today (UTC, as the API counts days)."""
    return (datetime.now(timezone.utc).date() - timedelta(days=ago)).isoformat()


def file_of(d: str) -> str:
    return f"daily_papers_{d}.json"


@pytest.fixture
def home(tmp_path) -> str:
    return str(tmp_path / "home")


@pytest.fixture
def served(api, monkeypatch):
    """The stand-in, with PAPERS_API_URL pointing at it."""
    monkeypatch.setenv("PAPERS_API_URL", api.base_url)
    return api


def host(api) -> str:
    return api.base_url.split("/")[2]


def run(capsys, home, *argv):
    code = main(["--data-dir", home, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def papers(*argv, home: str, url: str, **kw) -> subprocess.CompletedProcess:
    """``papers ARGV`` as a process of its own."""
    env = {**os.environ, "PAPERS_API_URL": url}
    return subprocess.run([sys.executable, "-m", "tui", "--data-dir", home, *argv], env=env,
                          capture_output=True, text=True, timeout=120, **kw)


def search(capsys, home, query: str) -> list[dict]:
    code, out, err = run(capsys, home, "search", query, "--json", "--limit", "100")
    assert code == 0, err
    return json.loads(out)


def digest_files(home: str) -> list[str]:
    folder = Paths.default(home).digests
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_fetched_days_are_saved_indexed_and_searchable(api, home, capsys):
    for ago, n in ((2, 5), (1, 7), (0, 3)):
        api.days[day(ago)] = day_items(day(ago), n)
    assert run(capsys, home, "digests")[0] == 0  # the bundled digests indexed before
    res = papers("fetch", "--since", day(2), home=home, url=api.base_url)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        f"{day(2)}: 5 papers, written to {file_of(day(2))}",
        f"{day(1)}: 7 papers, written to {file_of(day(1))}",
        f"{day(0)}: 3 papers, written to {file_of(day(0))}",
        f"3 days from {host(api)}: 3 new; 15 papers",
        "15 papers indexed; 300 papers in all",
    ]
    assert "Traceback" not in res.stderr and "\r" not in res.stderr  # no progress bar off a terminal
    assert digest_files(home) == [file_of(day(ago)) for ago in (2, 1, 0)]
    hits = search(capsys, home, "marsupial routing study")
    assert len(hits) == 15
    one = next(h for h in hits if h["title"] == f"Marsupial Routing Study {day(1)} Number 4")
    assert one["upvotes"] == 4 and one["comments"] == 1 and one["ai_keywords"] == ["routing", "marsupials"]
    assert one["github"] == {"url": "https://github.com/lab/repo-4", "stars": 12}
    assert one["project_page"] == "https://lab.example.org/p4" and one["ai_summary"] == "A summary of paper 4."
    assert [d["label"] for d in one["digests"]] == [day(1)]
    code, out, err = run(capsys, home, "digests", "--json")
    labels = {d["name"]: d["label"] for d in json.loads(out)["digests"]}
    assert labels[f"daily_papers_{day(0)}"] == day(0)


def test_refetch_keeps_the_bookmark_and_updates_the_upvotes(served, home, capsys):
    d = day(1)
    served.days[d] = day_items(d, 4)
    run(capsys, home, "saved", "add", "marsupials", "marsupial", "--watch")
    assert run(capsys, home, "digests")[0] == 0  # watches look at papers new to an index built before
    code, out, err = run(capsys, home, "fetch", "--date", d)
    assert code == 0 and f"{d}: 4 papers, written to {file_of(d)}" in out
    assert "papers: watch marsupials: 4 new papers tagged watch:marsupials" in err  # announced
    title = f"Marsupial Routing Study {d} Number 2"
    pid = next(h["id"] for h in search(capsys, home, "marsupial") if h["title"] == title)
    assert run(capsys, home, "bookmark", pid)[0] == 0
    served.days[d] = [item(d, 2, upvotes=99), *day_items(d, 5)[2:], item(d, 1)]  # the day moved on
    code, out, err = run(capsys, home, "fetch", "--date", d)
    assert code == 0, err
    assert out.splitlines()[:2] == [f"{d}: 5 papers, {file_of(d)} updated", f"1 day from {host(served)}: 1 updated; 5 papers"]
    hit = next(h for h in search(capsys, home, "marsupial") if h["id"] == pid)
    assert hit["upvotes"] == 99 and hit["bookmarked"] is True
    assert [x["label"] for x in hit["digests"]] == [d]  # one digest for the day
    assert digest_files(home) == [file_of(d)]
    code, out, err = run(capsys, home, "fetch", "--date", d)
    assert code == 0 and out.splitlines() == [f"{d}: 5 papers, unchanged", f"1 day from {host(served)}: 1 unchanged; 5 papers"]


def test_a_rate_limit_is_waited_out(served, home, capsys):
    d = day(0)
    served.days[d] = day_items(d, 3)
    served.script[d] = [(429, {"Retry-After": "1"}, b'{"error": "slow down"}')]
    t0 = time.monotonic()
    code, out, err = run(capsys, home, "fetch", "--date", d)
    assert code == 0 and f"{d}: 3 papers, written to {file_of(d)}" in out, err
    assert time.monotonic() - t0 >= 1.0 and served.pages_asked(d) == [0, 0, 1]
    assert len(search(capsys, home, "marsupial")) == 3


def test_a_long_rate_limit_stops_the_run_and_says_when_to_retry(served, home, capsys):
    for ago in (1, 0):
        served.days[day(ago)] = day_items(day(ago), 2)
    served.script[day(1)] = [(429, {"Retry-After": "3600"}, b"")]
    code, out, err = run(capsys, home, "fetch", "--since", day(1))
    lines = err.splitlines()
    assert code == 2 and lines[:2] == [f"papers: {day(1)}: failed: rate limited by {host(served)}",
                                       f"papers: {day(0)}: not fetched: rate limited; fetch again after "
                                       f"{lines[1].rsplit(' ', 2)[-2]} UTC"], err
    assert lines[2].startswith(f"papers: rate limited by {host(served)}: fetch again after ") and len(lines) == 3
    assert out == f"2 days from {host(served)}: 1 failed, 1 skipped; 0 papers\n" and digest_files(home) == []


def test_an_html_page_fails_that_day_only(api, home, capsys):
    for ago in (2, 1, 0):
        api.days[day(ago)] = day_items(day(ago), 2)
    api.script[day(1)] = [(200, {"Content-Type": "text/html; charset=utf-8"},
                           b"<!doctype html><html><body>We'll be right back</body></html>")]
    res = papers("fetch", "--since", day(2), home=home, url=api.base_url)
    assert res.returncode == 2
    assert res.stderr.splitlines() == [
        f"papers: {day(1)}: failed: {host(api)} answered with a web page (text/html), not JSON"]
    assert f"3 days from {host(api)}: 2 new, 1 failed; 4 papers" in res.stdout
    assert digest_files(home) == [file_of(day(2)), file_of(day(0))]
    assert len(search(capsys, home, "marsupial")) == 4  # the days that worked are indexed


def test_a_server_gone_away_fails_the_rest_and_keeps_what_was_saved(api, home, capsys):
    for ago in (2, 1, 0):
        api.days[day(ago)] = day_items(day(ago), 2)
    api.script[day(1)] = ["down"]  # answers its first page, then refuses connections
    res = papers("fetch", "--since", day(2), home=home, url=api.base_url)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.splitlines() == [f"papers: {d}: failed: cannot reach {host(api)}: Connection refused"
                                       for d in (day(1), day(0))]
    assert digest_files(home) == [file_of(day(2))]
    assert [h["title"] for h in search(capsys, home, "marsupial")] != []
    # offline from the start: one line per day, nothing written, no traceback
    again = papers("fetch", "--since", day(1), home=home, url=api.base_url)
    assert again.returncode == 2 and len(again.stderr.splitlines()) == 2 and "Traceback" not in again.stderr
    assert again.stdout == f"2 days from {host(api)}: 2 failed; 0 papers\n"
    assert digest_files(home) == [file_of(day(2))]


def test_a_paper_also_in_a_bundled_text_dump_is_one_paper(served, home, capsys):
    before = [h for h in search(capsys, home, "shifted windows") if h["title"] == SWIN]
    assert len(before) == 1 and before[0]["upvotes"] is None
    d = day(0)
    served.days[d] = [item(d, 1, title=SWIN, upvotes=321), item(d, 2)]
    code, out, err = run(capsys, home, "fetch", "--date", d)
    assert code == 0, err
    after = [h for h in search(capsys, home, "shifted windows") if h["title"] == SWIN]
    assert len(after) == 1 and after[0]["id"] == before[0]["id"]
    assert [x["label"] for x in after[0]["digests"]] == ["Sample digest 2", d]
    assert after[0]["upvotes"] == 321 and after[0]["arxiv_id"] == f"2508.{int(d[-2:]):02d}001"


@pytest.mark.parametrize("argv, env, said", [
    (("--date", "2024-13-01"), None, "--date '2024-13-01': not a day"),
    (("--until", "2024-08-01"), None, "--until goes with --since"),
    (("--date", "2024-08-01", "--since", "2024-07-01"), None, "--date cannot be combined"),
    (("--since", "2099-01-01"), None, "--since 2099-01-01: in the future"),
    ((), "ftp://example.org/api", "PAPERS_API_URL='ftp://example.org/api': not an http(s) URL"),
])
def test_a_bad_option_is_one_line_and_exit_2(capsys, home, monkeypatch, argv, env, said):
    monkeypatch.setenv("PAPERS_API_URL", env or "http://127.0.0.1:9/api")
    code, out, err = run(capsys, home, "fetch", *argv)
    lines = err.splitlines()
    assert code == 2 and out == "" and len(lines) == 1 and lines[0].startswith(f"papers: {said}"), err
    assert not Paths.default(home).data.exists()


def test_a_dry_run_writes_and_indexes_nothing(served, home, capsys):
    served.days[day(1)] = day_items(day(1), 2)
    code, out, err = run(capsys, home, "fetch", "--since", day(1), "--dry-run")
    assert code == 0, err
    assert out.splitlines() == [f"{day(1)}: 2 papers, would be written to {file_of(day(1))}",
                                f"{day(0)}: no papers; nothing written",
                                f"2 days from {host(served)}: 1 new, 1 empty; 2 papers (dry run: nothing written)"]
    paths = Paths.default(home)
    assert not paths.data.exists() and not paths.index.exists()


def test_the_api_url_from_config(api, home, capsys, monkeypatch):
    monkeypatch.delenv("PAPERS_API_URL", raising=False)
    paths = Paths.default(home)
    paths.config.mkdir(parents=True)
    paths.config_file.write_text(f'[fetch]\napi_url = "{api.base_url}"\n')
    api.days[day(0)] = day_items(day(0), 1)
    code, out, err = run(capsys, home, "fetch", "--date", "today")
    assert code == 0 and out.splitlines()[0] == f"{day(0)}: 1 paper, written to {file_of(day(0))}", err


def test_progress_on_a_terminal(api, home):
    """Days and pages on a progress bar when stderr is a terminal."""
    api.days[day(0)] = day_items(day(0), 3)
    leader, follower = pty.openpty()
    try:
        res = subprocess.run([sys.executable, "-m", "tui", "--data-dir", home, "fetch", "--date", day(0)],
                             env={**os.environ, "PAPERS_API_URL": api.base_url}, stdout=subprocess.PIPE,
                             stderr=follower, stdin=subprocess.DEVNULL, text=True, timeout=120)
    finally:
        os.close(follower)
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    os.close(leader)
    assert res.returncode == 0
    text = screen.decode()
    assert f"{day(0)}: page 1, 0 papers so far" in text and "] done" in text
