"""The reading screen in a real terminal: a fetched paper read with f (its
full text downloaded from a stand-in site on 127.0.0.1), a word of it found
with /, and then the same word found by the search, which says where."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta

from helpers import StandIn, item
from tui.core.fetch import utc_today

TEXT = b"""# Marsupial Routing

## 1 Introduction
Kangaroos hop; wombats dig.

## 3 Method
The quokkaflow algorithm routes every pouch.
"""


def test_read_a_paper_then_find_a_word_of_its_full_text_by_search(term, tmp_path):
    api = StandIn()
    try:
        day = (utc_today() - timedelta(days=1)).isoformat()
        api.days[day] = [item(day, n) for n in (1, 2, 3)]
        arxiv = f"2508.{int(day[-2:]):02d}002"
        api.texts[arxiv] = TEXT
        home = tmp_path / "home"
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        env["PAPERS_API_URL"] = api.base_url
        done = subprocess.run([sys.executable, "-m", "tui", "--data-dir", str(home), "fetch", "--date", day],
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        t = term(home, env={"PAPERS_API_URL": api.base_url})
        t.wait_for("288 papers, newest digest first")
        t.search("quokkaflow", re.compile(r"No papers match|Nothing found|0 papers"))  # not in any abstract
        t.keys("C-u")
        t.type(f"Routing Study {day} Number 2")
        t.wait_for(re.compile(r"1 paper match"))
        t.keys("Enter")
        t.keys("f")
        t.wait_for("3 Method")
        t.wait_for("words · / find")
        t.keys("/")
        t.type("quokkaflow")
        t.keys("Enter")
        t.wait_for("1 match for “quokkaflow”")
        t.keys("Escape")
        t.wait_for("1 Search")  # back on the main screen
        t.keys("/")
        t.keys("C-u")
        t.type("quokkaflow")
        t.wait_for(re.compile(r"1 paper match"))
        t.keys("Enter")
        screen = t.wait_for("full text, §3 Method")
        assert f"Routing Study {day} Number 2" in screen
        assert api.text_requests() == [f"/papers/{arxiv}.md"]
        t.quit()
    finally:
        api.server.shutdown()
        api.server.server_close()
