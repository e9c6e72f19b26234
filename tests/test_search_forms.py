"""Search on every query shape: hyphenated words in all their written forms,
queries of symbols, "did you mean" beside field values."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import text_digest
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


def test_two_words_find_the_word_they_make_together(tmp_path):
    ix = small_index(tmp_path, text_digest(["DeBERTaV3 for Robots", "Scalable Pretraining of Robots",
                                            "Fine Tuning Robots", "Robots in Context"]))
    try:
        assert titles(ix, "deberta v3") == {"DeBERTaV3 for Robots"}
        assert titles(ix, "pre training") == {"Scalable Pretraining of Robots"}
        assert titles(ix, "finetuning") == set()  # one word is not split into two
        assert titles(ix, "robots context") == {"Robots in Context"}
    finally:
        ix.close()


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
    monkeypatch.setattr(index_module.search.rank, "SCORE_ALL", 0)  # answered from bitsets
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


@pytest.mark.parametrize("q, found", [
    ("upvotes:>=50", {"Robots That Fold Laundry", "Robots That Cook Dinner"}),
    ("upvotes:>50", {"Robots That Fold Laundry"}),
    ("upvotes:50", {"Robots That Cook Dinner"}),
    ("upvotes:<50", {"Robots That Sweep Floors", "Robots That Paint Walls"}),
    ("upvotes:<=10", {"Robots That Sweep Floors"}),
    ("upvotes:10..50", {"Robots That Sweep Floors", "Robots That Paint Walls", "Robots That Cook Dinner"}),
    ("upvotes:49..", {"Robots That Fold Laundry", "Robots That Cook Dinner", "Robots That Paint Walls"}),
    ("upvotes:..10", {"Robots That Sweep Floors"}),
    ("UPVOTES:>=100", {"Robots That Fold Laundry"}),
    ("robots upvotes:>=50", {"Robots That Fold Laundry", "Robots That Cook Dinner"}),
    ("dinner OR upvotes:>100", {"Robots That Fold Laundry", "Robots That Cook Dinner"}),
    ("robots NOT upvotes:<50", {"Robots That Fold Laundry", "Robots That Cook Dinner", "Robots That Climb Stairs"}),
    ("(upvotes:>=50) has:code", {"Robots That Fold Laundry", "Robots That Cook Dinner"}),
    ("upvotes:>=50 upvotes:<100", {"Robots That Cook Dinner"}),
    ("upvotes:50..10", set()),
])
def test_upvotes_ranges(signals, monkeypatch, q, found):
    import tui.core.index as index_module

    assert titles(signals, q) == found, q
    assert signals.search(q).total == len(found)
    monkeypatch.setattr(index_module.search.rank, "SCORE_ALL", 0)  # answered from bitsets
    assert titles(signals, q) == found, q


@pytest.mark.parametrize("q", ["upvotes:lots", "upvotes:>10..20", "robots upvotes:"])
def test_an_upvotes_without_a_range_says_how_to_write_one(signals, q):
    assert any("upvotes: takes a number" in n for n in signals.search(q).notes)


def test_sort_by_upvotes_then_newest(signals):
    by_votes = [h.title for h in signals.search("robots", sort="upvotes").hits]
    assert by_votes == ["Robots That Fold Laundry", "Robots That Cook Dinner", "Robots That Paint Walls",
                        "Robots That Sweep Floors", "Robots That Climb Stairs"]  # unknown upvotes last
    assert [h.title for h in signals.search("", sort="upvotes", limit=2, offset=1).hits] == by_votes[1:3]
    assert [h.title for h in signals.search('"robots that"', sort="upvotes").hits] == by_votes
    assert [h.title for h in signals.search("upvotes:>=10", sort="upvotes").hits] == by_votes[:4]


def test_sort_newest_first(signals, bundled):
    newest = [h.id for h in bundled.search("", limit=300).hits]
    for q in ("transformer", '"vision transformer"', "title:swin OR megatron", "vision-language"):
        res = bundled.search(q, sort="newest", limit=300)
        assert res.total == bundled.search(q, limit=300).total
        got = [newest.index(h.id) for h in res.hits]
        assert got == sorted(got) and {h.id for h in res.hits} == {h.id for h in bundled.search(q, limit=300).hits}
    # an upvotes range alone has nothing to rank by: newest first
    assert [h.title for h in signals.search("upvotes:>=0").hits] == [
        h.title for h in signals.search("upvotes:>=0", sort="newest").hits]


def test_sort_must_be_known(signals):
    with pytest.raises(ValueError, match="relevance, newest, upvotes"):
        signals.search("robots", sort="stars")


def test_search_command_sorts(tmp_path, capsys):
    import json

    from tui.cli import main

    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("[app]\nbundled = false\n")
    (home / "data" / "digests").mkdir(parents=True)
    (home / "data" / "digests" / "api.json").write_text(signals_digest(SIGNAL_PAPERS))
    assert main(["--data-dir", str(home), "search", "robots", "--sort", "upvotes", "--json"]) == 0
    got = [(d["title"], d["upvotes"]) for d in json.loads(capsys.readouterr().out)]
    assert [v for _, v in got] == [120, 50, 49, 10, None]
    assert main(["--data-dir", str(home), "search", "has:code", "upvotes:>=100"]) == 0
    assert "Robots That Fold Laundry" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        main(["--data-dir", str(home), "search", "robots", "--sort", "stars"])
    assert e.value.code == 2


def test_ai_keywords_are_words_of_the_paper_weighed_below_the_title(tmp_path):
    ix = small_index(tmp_path, signals_digest([
        {"title": "Robots That Paint Walls", "ai_keywords": ["mural synthesis", "wall-painting"]},
        {"title": "Mural Synthesis at Scale"},
        {"title": "Robots That Stack Boxes"},
    ]), "api.json")
    try:
        assert [h.title for h in ix.search("mural synthesis").hits] == [
            "Mural Synthesis at Scale", "Robots That Paint Walls"]
        assert titles(ix, "wall-painting") == {"Robots That Paint Walls"}
        assert titles(ix, '"mural synthesis" robots') == {"Robots That Paint Walls"}
    finally:
        ix.close()


# --- relevance ----------------------------------------------------------------------

def test_known_items_rank_first_on_the_bundled_corpus(bundled):
    """The known-item set (tui/bench/known_items.tsv, measured at scale by the
    bench) and the relevance set, on the bundled papers alone."""
    from pathlib import Path

    from tui.bench.relevance import KNOWN_ITEMS, load, measure

    known = {p.title for p in bundled.catalog.iter_papers()}
    assert len(load(KNOWN_ITEMS)) >= 120 and all(title in known for _, title in load(KNOWN_ITEMS))
    for path in (KNOWN_ITEMS, Path(__file__).parent / "data" / "relevance.tsv"):
        got = measure(bundled, queries=path)
        assert got["papers"]["mrr"] >= 0.95, (path.name, got["papers"]["misses"])
        assert 0 < got["fts5"]["mrr"] <= 1


def _osa_reference(a: str, b: str) -> int:
    """Optimal string alignment distance by the textbook dynamic programme."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


@settings(max_examples=2000, deadline=None)
@given(st.text("abcdé", max_size=9), st.text("abcdé", max_size=9), st.integers(0, 3))
def test_edit_distance_is_the_optimal_string_alignment(a, b, limit):
    from tui.core.index import edit_distance

    want = _osa_reference(a, b)
    assert edit_distance(a, b, limit) == (want if want <= limit else limit + 1)


@pytest.mark.parametrize("q", ["segmentaton~1", "transfo*", "*former", "note:abla*", "note:ablaton~1",
                               "note:*lation", "vision transf"])
def test_prefixes_wildcards_and_fuzzy_words_are_expanded_from_the_vocabulary_in_every_text_field(bundled, q):
    """A plain word is looked for in the note too: its prefix, wildcard and
    fuzzy forms are expanded from the vocabulary in memory for the note as for
    title and abstract, never left to Whoosh's walk over the term file (about
    200 ms a word at 100,000 papers)."""
    from whoosh import query as wq

    from tui.core.index.search.rewrite import rewrite

    searching = bundled.searching
    rewritten, _ = rewrite(searching.parser.parse(q), searching.vocabulary, [])
    left = [(type(n).__name__, n.fieldname) for n in rewritten.leaves()
            if isinstance(n, (wq.FuzzyTerm, wq.Prefix, wq.Wildcard)) or type(n).__name__ == "Regex"]
    assert left == [], q
