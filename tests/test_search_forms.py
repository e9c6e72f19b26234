"""Search on every query shape: hyphenated words in all their written forms,
queries of symbols, "did you mean" beside field values."""

from __future__ import annotations

import pytest

from conftest import text_digest
from tui.core.index import Index
from tui.core.paths import Paths, digest_sources


def ids(index, q: str) -> set[str]:
    return {h.id for h in index.search(q, limit=1000).hits}


def titles(index, q: str) -> set[str]:
    return {h.title for h in index.search(q, limit=1000).hits}


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    ix, _ = Index.open(Paths.default(tmp_path_factory.mktemp("home")))
    yield ix
    ix.close()


def small_index(tmp_path, digest: str, name: str = "a.txt") -> Index:
    """An index of one digest (without the bundled ones)."""
    paths = Paths.default(tmp_path / "home")
    paths.digests.mkdir(parents=True)
    (paths.digests / name).write_text(digest, encoding="utf-8")
    ix, report = Index.open(paths, sources=digest_sources(paths, bundled=False))
    assert not report.errors
    return ix


# --- hyphenated words ---------------------------------------------------------------

FORMS = ["Scalable Pre-Training of Robot Policies", "Scalable Pretraining for Warehouse Robots",
         "Pre Training Robots at Scale", "Training Robots Before Deployment"]


@pytest.fixture
def forms(tmp_path):
    ix = small_index(tmp_path, text_digest(FORMS))
    yield ix
    ix.close()


@pytest.mark.parametrize("q", ["pre-training", "title:pre-training", "Pre-Training", "pre‐training",
                               "pre-train", "pre-train*", "pre-treining~1", "title:pre-trainin~2"])
def test_hyphenated_word_finds_all_three_written_forms(forms, q):
    assert titles(forms, q) == set(FORMS[:3]), q


def test_phrase_runs_on_past_a_hyphenated_word(forms):
    """The joined word of a compound shares its first part's position: a phrase
    of the parts goes on matching after it, written either way."""
    assert titles(forms, '"pre training robot"') == {FORMS[0], FORMS[2]}
    assert titles(forms, '"pre-training robot"') == {FORMS[0], FORMS[2]}
    assert titles(forms, '"scalable pre training"') == {FORMS[0]}
    assert titles(forms, '"scalable pretraining"') == {FORMS[0], FORMS[1]}
    assert titles(forms, '"scalable pre-training"') == {FORMS[0], FORMS[1]}


@pytest.mark.parametrize("compound", ["vision-language", "in-context", "pre-training", "state-of-the-art",
                                      "fine-tuning", "self-supervised"])
def test_hyphenated_query_word_on_the_bundled_corpus(bundled, compound):
    spaced = compound.replace("-", " ")
    joined = compound.replace("-", "")
    found = ids(bundled, compound + " ")  # the space: no prefix matching of the last word
    assert ids(bundled, f'"{spaced}"') <= found
    assert ids(bundled, joined + " ") <= found
    assert found == ids(bundled, f'"{spaced}"') | ids(bundled, joined + " ")
    assert ids(bundled, f'"{compound}"') == ids(bundled, f'"{spaced}"') | ids(bundled, f'"{joined}"')
    assert ids(bundled, f"title:{compound}") == (ids(bundled, f'title:"{spaced}"')
                                                 | ids(bundled, f"title:{joined}"))


def test_vision_language_as_the_phrase_finds(bundled):
    assert ids(bundled, "vision-language") >= ids(bundled, '"vision language"')
    assert len(ids(bundled, "vision-language")) >= 10
    assert len(ids(bundled, "in-context ")) >= 46
    assert ids(bundled, '"vision language model"') == ids(bundled, '"vision-language model"') != set()


# --- "did you mean" -----------------------------------------------------------------

@pytest.mark.parametrize("q", ["tag:later-stuff", "tag:watch:diff-robots", "note:ablatoin", 'note:"to dp"',
                               "digest:agu", "author:lovelce", "authors:(lovelce turng)", "is:unred",
                               "has:nte", "tags:stuf"])
def test_no_suggestion_for_field_values(bundled, q):
    assert bundled.search(q).suggestion is None


def test_suggestion_keeps_the_fields_of_the_query(bundled):
    assert bundled.search("tag:later-stuff arithmetc").suggestion == "tag:later-stuff arithmetic"
    assert bundled.search("title:transfomers").suggestion == "title:transformers"
    assert bundled.search("arithmetc small transfomers").suggestion == "arithmetic small transformers"


def test_stop_words_are_never_corrected(bundled):
    res = bundled.search("Swin Transformer V2: Scaling Up Capacity and Resolution")
    assert res.total == 1 and res.suggestion is None  # not "… Capacity any Resolution"
    assert bundled.search("the arithmetc of transfomers").suggestion == "the arithmetic of transformers"


# --- symbols ------------------------------------------------------------------------

SYMBOLS = ["Alfie: Image Generation With No $$$", "R&D for Household Robots", "C++ Kernels for Attention",
           "Attention in C and Rust", "Pruning 50% of the Weights", "Hashing #Tags at Scale",
           "Pricing Models in € and £", "Costs of $5 Robots", "Plain Robots"]


@pytest.fixture
def symbolic(tmp_path):
    ix = small_index(tmp_path, text_digest(SYMBOLS))
    yield ix
    ix.close()


@pytest.mark.parametrize("q, found", [
    ("&", ["R&D for Household Robots"]),
    ("$$$", ["Alfie: Image Generation With No $$$"]),
    ("$", ["Alfie: Image Generation With No $$$", "Costs of $5 Robots"]),
    ("€", ["Pricing Models in € and £"]),
    ("£ €", ["Pricing Models in € and £"]),
    ("#", ["Hashing #Tags at Scale"]),
    ("%", ["Pruning 50% of the Weights"]),
    ("+", ["C++ Kernels for Attention"]),
    ("++", ["C++ Kernels for Attention"]),
    ('"&"', ["R&D for Household Robots"]),
])
def test_a_query_of_symbols_finds_the_titles_that_have_them(symbolic, q, found):
    res = symbolic.search(q)
    assert sorted(h.title for h in res.hits) == sorted(found)
    assert res.total == len(found)
    assert any("as written" in n for n in res.notes)


@pytest.mark.parametrize("q, first", [
    ("c++", "C++ Kernels for Attention"),
    ("C++ attention", "C++ Kernels for Attention"),
    ("r&d", "R&D for Household Robots"),
    ("(R&D)", "R&D for Household Robots"),
    ("R&D robots", "R&D for Household Robots"),
    ("50%", "Pruning 50% of the Weights"),
    ("$5 robots", "Costs of $5 Robots"),
])
def test_a_word_with_symbols_ranks_the_titles_that_have_it_as_written_first(symbolic, monkeypatch, q, first):
    import tui.core.index as index_module

    assert symbolic.search(q).hits[0].title == first
    assert symbolic.search(q + " ").hits[0].title == first
    monkeypatch.setattr(index_module.query, "COST_MAX", 0)  # answered from bitsets
    assert symbolic.search(q).hits[0].title == first


def test_symbols_a_title_does_not_have_find_nothing(symbolic):
    assert symbolic.search("@").total == 0
    assert symbolic.search("& %").total == 0


# --- the community's signals: has:code, upvotes:, sort, AI keywords ---------------------

def signals_digest(papers: list[dict]) -> str:
    """An API digest; each paper's keys beside id, title and summary are the
    API's (upvotes, githubRepo, ai_keywords ...)."""
    out = []
    for i, p in enumerate(papers):
        paper = {"id": f"2408.{i + 1:05d}", "title": p["title"],
                 "summary": p.get("summary", f"We study {p['title'].lower()} in depth."),
                 "authors": [{"name": "Ada Lovelace"}], "publishedAt": "2024-08-07T12:00:00.000Z",
                 **{k: v for k, v in p.items() if k not in ("title", "summary", "numComments")}}
        out.append({"paper": paper, "title": p["title"], "numComments": p.get("numComments", 0)})
    import json
    return json.dumps(out)


SIGNAL_PAPERS = [
    {"title": "Robots That Fold Laundry", "upvotes": 120, "githubRepo": "https://github.com/a/fold"},
    {"title": "Robots That Cook Dinner", "upvotes": 50,
     "summary": "Robots cook. Code: https://gitlab.com/b/cook and more."},
    {"title": "Robots That Sweep Floors", "upvotes": 10,
     "summary": "Robots sweep. See https://example.org/sweep for videos."},
    {"title": "Robots That Paint Walls", "upvotes": 49, "ai_keywords": ["mural synthesis", "wall painting"]},
    {"title": "Robots That Climb Stairs"},  # upvotes unknown
]


@pytest.fixture(scope="module")
def signals(tmp_path_factory):
    ix = small_index(tmp_path_factory.mktemp("signals"), signals_digest(SIGNAL_PAPERS), "api.json")
    yield ix
    ix.close()


def test_has_code_finds_a_repository_or_a_code_url_in_the_abstract(signals):
    assert titles(signals, "has:code") == {"Robots That Fold Laundry", "Robots That Cook Dinner"}
    assert titles(signals, "robots NOT has:code") == {"Robots That Sweep Floors", "Robots That Paint Walls",
                                                       "Robots That Climb Stairs"}
