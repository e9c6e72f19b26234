"""Following authors from the command line: ``papers follow``/``unfollow``
(no case, no accents), ``author:`` and ``is:followed`` in search, new papers
by followed authors announced after a fetch, follows kept through reindex and
carried by export and import."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from helpers import item
from tui.cli import main
from tui.core.following import by_followed, expand_followed, followed_query
from tui.core.library import Library
from tui.core.library.follows import name_key
from tui.core.papers import Paper
from tui.core.paths import Paths


def day(ago: int) -> str:
    return (datetime.now(timezone.utc).date() - timedelta(days=ago)).isoformat()


GARCIA = [{"_id": "g", "name": "José García"}, {"_id": "l", "name": "Ada Lovelace"}]


def run(capsys, home, *argv):
    code = main(["--data-dir", home, *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def home(tmp_path, api, monkeypatch, capsys) -> str:
    """A home with one fetched day: paper 1 by José García, papers 2 and 3 not."""
    monkeypatch.setenv("PAPERS_API_URL", api.base_url)
    api.days[day(1)] = [item(day(1), 1, authors=GARCIA), item(day(1), 2), item(day(1), 3)]
    home = str(tmp_path / "home")
    code, out, err = run(capsys, home, "fetch", "--date", day(1))
    assert code == 0, err
    return home


def titles(capsys, home, query: str) -> list[str]:
    code, out, err = run(capsys, home, "search", query, "--json", "--limit", "50")
    assert code == 0, err
    return [h["title"] for h in json.loads(out)]


def test_follow_matches_without_case_or_accents_and_search_finds_the_papers(home, capsys):
    mine = f"Marsupial Routing Study {day(1)} Number 1"
    assert titles(capsys, home, "is:followed") == []
    code, out, err = run(capsys, home, "follow", "jose", "GARCIA")
    assert (code, out) == (0, "following José García (1 paper)\n"), err
    assert run(capsys, home, "follow", "José García")[1] == "already following José García (1 paper)\n"
    assert titles(capsys, home, "is:followed") == [mine]
    assert titles(capsys, home, "is:followed marsupial") == [mine]
    assert mine not in titles(capsys, home, "marsupial NOT is:followed")
    assert titles(capsys, home, 'author:"jose garcia"') == [mine]
    assert titles(capsys, home, "author:garcía") == [mine]
    code, out, err = run(capsys, home, "follow", "--list")
    assert out.startswith("José García  (1 paper, since ")
    code, out, err = run(capsys, home, "follow", "--list", "--json")
    assert [(f["name"], f["papers"]) for f in json.loads(out)] == [("José García", 1)]
    assert run(capsys, home, "unfollow", "JOSÉ garcia")[:2] == (0, "no longer following José García\n")
    assert titles(capsys, home, "is:followed") == []
    code, out, err = run(capsys, home, "unfollow", "nobody here")
    assert code == 2 and err == "papers: not following 'nobody here' (papers follow --list lists who you follow)\n"


def test_a_name_no_paper_has_yet_is_followed_as_typed(home, capsys):
    assert run(capsys, home, "follow", "Grace Hopper")[1] == "following Grace Hopper (no paper yet)\n"
    code, out, err = run(capsys, home, "follow", "...")
    assert code == 2 and err.startswith("papers: '...' is not a name")


def test_new_papers_by_followed_authors_are_announced_after_a_fetch(home, capsys, api):
    run(capsys, home, "follow", "jose garcia")
    run(capsys, home, "follow", "Alan Turing")
    api.days[day(0)] = [item(day(0), 1, authors=GARCIA), item(day(0), 2)]
    code, out, err = run(capsys, home, "fetch", "--date", day(0))
    assert code == 0
    ids = {h["title"]: h["id"] for h in json.loads(run(capsys, home, "search", "marsupial", "--json",
                                                          "--limit", "50")[1])}
    new1, new2 = ids[f"Marsupial Routing Study {day(0)} Number 1"], ids[f"Marsupial Routing Study {day(0)} Number 2"]
    lines = [line for line in err.splitlines() if "following" in line]
    assert lines == [f"papers: following Alan Turing: 1 new paper ({new2})",
                     f"papers: following José García: 1 new paper ({new1})"]
    # the next command announces nothing again
    assert "following" not in run(capsys, home, "search", "marsupial")[2]


def test_follows_are_kept_through_reindex_and_go_with_export_and_import(home, capsys, tmp_path):
    run(capsys, home, "follow", "jose garcia")
    assert run(capsys, home, "reindex")[0] == 0
    assert len(titles(capsys, home, "is:followed")) == 1
    export = tmp_path / "lib.json"
    assert run(capsys, home, "export", "--format", "json", "-o", str(export))[0] == 0
    doc = json.loads(export.read_text())
    assert [f["name"] for f in doc["follows"]] == ["José García"]
    other = str(tmp_path / "other")
    code, out, err = run(capsys, other, "import", str(export))
    assert code == 0 and "followed authors: 1 added" in out + err
    with Library.open(Paths.default(other)) as lib:
        assert [f.name for f in lib.follows.all()] == ["José García"]
    code, out, err = run(capsys, other, "import", str(export))  # again: nothing new
    assert "followed authors" not in out + err
    bad = dict(doc, follows=[{"name": 3}])
    export.write_text(json.dumps(bad))
    code, out, err = run(capsys, other, "import", str(export))
    assert code == 2 and "follows[0]" in err


def test_names_fold_and_queries_expand():
    assert name_key("  José   GARCÍA-López ") == "jose garcia lopez"
    assert name_key("Łukasz Kaiser") == name_key("łukasz kaiser")
    assert followed_query(["José García", "jose garcia", "Ada"]) == '(author:"ada" OR author:"jose garcia")'
    assert expand_followed("is:followed diffusion", ["Ada"]) == '(author:"ada") diffusion'
    assert expand_followed("IS:followed", ["Ada"]) == '(author:"ada")'
    assert expand_followed("note:is:followed", ["Ada"]) == "note:is:followed"
    assert expand_followed("is:followed", []) == "is:followed"
    p = Paper(id="0" * 12, title="t", abstract="a", authors=("José García", "Ada Lovelace"))
    assert by_followed(p, {"jose garcia"}) == ["José García"] and by_followed(p, set()) == []
