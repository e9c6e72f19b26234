"""Papers merged from digest entries: the community signals of the API kept
end to end (entries, merge, JSON, links, catalog rows)."""

from __future__ import annotations

import json
import zlib

from helpers import abstract
from tui.core.index.catalog import _entry_from_row, _entry_to_row
from tui.core.digest import Digest, Entry, parse_text
from tui.core.papers import Appearance, Paper, merge_digests, merge_entries, paper_id

TITLE = "Quokka Attention: Marsupial Transformers at Scale"


def entry(**kw) -> Entry:
    base = dict(position=1, title=TITLE, abstract=abstract("quokkas"))
    return Entry(**{**base, **kw})


def merged(*entries: Entry) -> Paper:
    items = [(e, Appearance(f"d{i}", None, e.position, 1)) for i, e in enumerate(entries)]
    return merge_entries(paper_id(TITLE), items)


def test_newest_api_entry_signals_win_each_kept_when_newer_lacks_it():
    old = entry(arxiv_id="2408.01234", upvotes=90, comments=9, github="https://github.com/a/old",
                github_stars=5, project_page="https://old.example", ai_summary="old", ai_keywords=("x",))
    new = entry(arxiv_id="2408.01234", upvotes=12, comments=2, github="https://github.com/a/new")
    p = merged(entry(), old, new, entry())  # text dumps around them
    assert (p.upvotes, p.comments, p.github, p.github_stars) == (12, 2, "https://github.com/a/new", None)
    assert (p.project_page, p.ai_summary, p.ai_keywords) == ("https://old.example", "old", ("x",))


def test_text_dump_paper_keeps_its_id_and_gains_the_signals():
    text = f"Aug 7\n\n{TITLE}\n\n{abstract('quokkas')}\n\nWombat Routing\n\n{abstract('wombats')}\n"
    api = json.dumps([{"paper": {"id": "2408.01234", "title": TITLE.lower(), "summary": abstract("q"),
                                 "upvotes": "1.5k", "githubRepo": "https://github.com/lab/quokka",
                                 "githubStars": 40, "projectPage": "https://quokka.example",
                                 "ai_summary": "Quokkas attend.", "ai_keywords": ["quokka"]},
                       "publishedAt": "2024-08-08T10:00:00Z", "numComments": 3}])
    papers = merge_digests([parse_text(text, "monday.txt"), parse_text(api, "tuesday.json")])
    p = next(p for p in papers if p.id == paper_id(TITLE))
    assert [a.digest for a in p.appearances] == ["monday", "tuesday"]
    assert (p.arxiv_id, p.upvotes, p.comments, p.github_stars) == ("2408.01234", 1500, 3, 40)
    d = p.as_json()
    assert d["id"] == paper_id(TITLE)
    assert d["github"] == {"url": "https://github.com/lab/quokka", "stars": 40}
    assert (d["project_page"], d["ai_summary"], d["ai_keywords"]) == ("https://quokka.example", "Quokkas attend.", ["quokka"])
    other = next(p for p in papers if p.id != paper_id(TITLE)).as_json()
    assert {k: other[k] for k in ("upvotes", "comments", "github", "project_page", "ai_summary", "ai_keywords")} \
        == dict.fromkeys(("upvotes", "comments", "github", "project_page", "ai_summary", "ai_keywords"))


def test_repository_and_project_page_follow_the_hf_and_arxiv_pages():
    p = merged(entry(arxiv_id="2408.01234", github="https://github.com/lab/quokka",
                     project_page="https://quokka.example/",
                     abstract="Code: https://github.com/lab/quokka.git and https://www.quokka.example "
                              "and https://data.example/set."))
    assert [(link.kind, link.url) for link in p.links] == [
        ("hf", "https://huggingface.co/papers/2408.01234"),
        ("arxiv", "https://arxiv.org/abs/2408.01234"),
        ("code", "https://github.com/lab/quokka"),
        ("project", "https://quokka.example/"),
        ("project", "https://data.example/set"),
    ]
    assert p.links[2].label == "GitHub repository"
    assert p.primary_link == "https://huggingface.co/papers/2408.01234"


def test_catalog_rows_keep_the_signals():
    # the catalog stores entries (a paper is merged from them when read)
    e = entry(arxiv_id="2408.01234", upvotes=3, comments=0, github="https://github.com/a/b",
              github_stars=0, project_page="https://p.example", ai_summary="s", ai_keywords=())
    assert _entry_from_row(e.position, _entry_to_row(e)) == e
    assert merged(_entry_from_row(e.position, _entry_to_row(e))) == merged(e)
    bare = entry()
    row = json.loads(zlib.decompress(_entry_to_row(bare)))
    assert not any(isinstance(v, dict) for v in row) and _entry_from_row(1, _entry_to_row(bare)) == bare
    # a row without signals reads as unknown
    old = zlib.compress(json.dumps([TITLE, "", None, [], None, None, 0]).encode())
    assert _entry_from_row(1, old).github is None


def test_digest_of_text_only_is_unchanged():
    d = Digest("n", "n.txt", None, "text", (entry(),))
    (p,) = merge_digests([d])
    assert p.as_json()["links"][0]["kind"] == "hf-search"
