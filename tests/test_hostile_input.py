"""What a user, a file or a server hands the command line, and what it
prints back: text that cannot be encoded, arguments that are not UTF-8,
names with control characters, notes beyond any real one, state files of
unexpected shapes, inputs without a bound, and the modes of what papers
creates. Each is refused in one line or cleaned; none ends in a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from helpers import item
from tui.core import fetch as F

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2025, 8, 10, 15, 30, tzinfo=timezone.utc)


def papers(home: Path, *args, stdin: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``papers ARGS`` in a child process; ``args`` may be bytes (what a shell
    passes on, UTF-8 or not)."""
    env = {**os.environ, "PAPERS_HOME": str(home), "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    argv = [os.fsencode(sys.executable), b"-m", b"tui", *(a if isinstance(a, bytes) else a.encode() for a in args)]
    return subprocess.run(argv, capture_output=True, env=env, input=stdin, timeout=timeout)


def one_line_error(r: subprocess.CompletedProcess, *words: str) -> str:
    """The command failed with exit 2 and one line on stderr naming ``words``."""
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 2, (r.returncode, err)
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


# --- 1: text that cannot be encoded, at every door ------------------------------------------

def test_an_api_item_with_a_lone_surrogate_is_saved_and_later_days_fetched(paths, api):
    bad = item("2025-08-07", 1, title="Lone \ud800 Fetched")
    api.days["2025-08-07"] = [bad, item("2025-08-07", 2)]
    api.days["2025-08-08"] = [item("2025-08-08", 1)]
    report = F.fetch(paths, [date(2025, 8, 7), date(2025, 8, 8)], base_url=api.base_url,
                     sleep=lambda s: None, clock=lambda: NOW)
    assert {d.day.isoformat(): d.status for d in report.days} == {"2025-08-07": "new", "2025-08-08": "new"}
    from tui.core.digest import parse_file

    d = parse_file(paths.digests / F.day_file_name(date(2025, 8, 7)))
    assert [e.title for e in d.entries][0] == "Lone \ufffd Fetched"

