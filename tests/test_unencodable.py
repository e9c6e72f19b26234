"""Text that cannot be written as UTF-8 never stops a command.

A JSON digest may hold an escaped lone surrogate (``"\\ud800"``, which
Python's JSON parser accepts), and a query or an argument bytes that are not
UTF-8 (they reach Python as lone surrogates too). Such a character becomes
U+FFFD, the replacement character, at the door; nothing downstream (the
catalog, the index, export, the terminal) meets it; and a query holding one
is the user's input, never damage to the index.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tui.core.index import Index
from tui.core.paths import Paths

ROOT = Path(__file__).resolve().parent.parent


def papers(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PAPERS_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, env=env, timeout=120)


def _digest(path: Path) -> Path:
    item = {"paper": {"id": "2508.00001", "title": "Lone SURROGATE Study", "summary": "An abstract with BAD inside.",
                      "authors": [{"name": "Ada SURROGATE Lovelace"}], "upvotes": 3,
                      "publishedAt": "2025-08-07T00:00:00.000Z", "ai_summary": "A summary SURROGATE.",
                      "ai_keywords": ["kSURROGATE"]},
            "title": "Lone SURROGATE Study", "numComments": 1}
    text = json.dumps([item]).replace("SURROGATE", "\\ud800").replace("BAD", "\\udcff")
    path.write_text(text, encoding="ascii")
    return path


def test_a_json_digest_with_a_lone_surrogate_is_added_searched_and_exported(tmp_path):
    home = tmp_path / "home"
    added = papers(home, "add", str(_digest(tmp_path / "lone.json")))
    assert added.returncode == 0, added.stderr.decode()
    assert b"Traceback" not in added.stderr
    found = papers(home, "search", "lone surrogate study", "--json")
    assert found.returncode == 0, found.stderr.decode()
    hit = json.loads(found.stdout)[0]
    assert hit["title"] == "Lone \ufffd Study" and hit["authors"] == ["Ada \ufffd Lovelace"]
    assert "\ufffd" in hit["abstract"] and hit["ai_keywords"] == ["k\ufffd"]
    for fmt in ("json", "bibtex", "md", "csv"):
        out = papers(home, "export", "--format", fmt)
        assert out.returncode == 0 and b"Traceback" not in out.stderr, (fmt, out.stderr.decode())
    listed = papers(home, "digests")
    assert listed.returncode == 0 and b"Traceback" not in listed.stderr


def test_a_query_with_a_lone_surrogate_is_searched_not_taken_for_damage(tmp_path):
    paths = Paths.default(tmp_path / "home")
    ix, _ = Index.open(paths)
    try:
        for q in ("x\udcff", "\ud800", '"a \ud800 b"', "tag:\udcff", "title:\udcff transformer"):
            res = ix.search(q)
            assert "\ud800" not in res.query and "\udcff" not in res.query
        assert not (paths.index / "damaged").exists()
    finally:
        ix.close()
    ix, report = Index.open(paths)
    assert not report.rebuilt
    ix.close()


def test_text_that_cannot_be_encoded_is_never_damage(tmp_path, monkeypatch):
    """Even past the door (a caller handing the index such text directly), an
    error of encoding is the caller's, not damage that rebuilds the index."""
    import pytest

    import tui.core.index.search.query as query

    paths = Paths.default(tmp_path / "home")
    ix, _ = Index.open(paths)
    monkeypatch.setattr(query, "strip_control", lambda text: text)  # the door left open
    with pytest.raises(UnicodeEncodeError):
        ix.search("x\udcff")
    ix.close()
    assert not (paths.index / "damaged").exists()


def test_titles_without_letters_or_digits_are_papers_of_their_own():
    """Titles of emoji or punctuation only all had the id of the empty key and
    merged into one paper; their ids differ when their texts do."""
    from tui.core.papers import paper_id

    ids = {t: paper_id(t) for t in ("🙂🙂🙂", "!!!", "…", "🚀 🚀", "?!")}
    assert len(set(ids.values())) == len(ids)
    assert paper_id("🚀🚀") == paper_id("🚀 🚀")  # spacing, as for any title, is not identity
    assert paper_id("Swin Transformer: Hierarchical") == paper_id("swin transformer - hierarchical")


def test_one_paper_cannot_cost_more_than_any_real_paper_does(tmp_path):
    """A 1 MB title is refused, a huge abstract or author list is cut, each
    with a problem naming the entry; the rest of the digest loads."""
    import time

    from tui.core.digest import MAX_ABSTRACT_CHARS, MAX_AUTHORS, parse_text

    items = [{"paper": {"id": "2508.00001", "title": "T" * 1_000_000, "summary": "An abstract."}},
             {"paper": {"id": "2508.00002", "title": "A Fine Title", "summary": "Words. " * 300_000,
                        "authors": [{"name": "N" * 1000}] * (MAX_AUTHORS + 10)}},
             {"paper": {"id": "2508.00003", "title": "Another Title", "summary": "Short."}}]
    t0 = time.perf_counter()
    d = parse_text(json.dumps(items), tmp_path / "big.json")
    assert time.perf_counter() - t0 < 10
    assert [e.title for e in d.entries] == ["A Fine Title", "Another Title"]
    first = d.entries[0]
    assert len(first.abstract) == MAX_ABSTRACT_CHARS and len(first.authors) == MAX_AUTHORS
    assert all(len(a) <= 300 for a in first.authors)
    said = " ".join(p.message for p in d.problems)
    assert "entry 1: a title of 1,000,000 characters" in said and "cut at 20,000" in said
    text = ("Aug 7\n\nA Title\n\n" + "An abstract that goes on. " * 50_000 + "\n\n"
            "A Normal Title\n\nAn abstract here. More text. And more.\n")
    d = parse_text(text, tmp_path / "dump.txt")
    assert [e.title for e in d.entries] == ["A Title", "A Normal Title"]
    assert len(d.entries[0].abstract) == MAX_ABSTRACT_CHARS
    assert any("an abstract of 1,299,999 characters; cut at 20,000" in p.message for p in d.problems)
