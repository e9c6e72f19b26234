"""Mutes: queries whose papers leave every list, feed, triage; a bookmarked
paper is never hidden; a mute that does not parse is refused with the
parser's message; mutes travel with the library's export; and the bad
inputs (10,000 mutes, every paper muted) give sensible answers."""

from __future__ import annotations

import json
import time

import pytest

from helpers import SIZE, palette, ready, screen_text, search, settle
from tui.app import PapersApp
from tui.cli import main
from tui.core.index import Index
from tui.core.library import ImportFormatError, InvalidMute, Library
from tui.core.mutes import hidden, mute, offered, visible
from tui.core.paths import Paths


def ids_of(index, query: str, **kw) -> list[str]:
    return [h.id for h in index.search(query, limit=1000, **kw).hits]


def test_a_mute_hides_what_it_matches_from_search_and_a_bookmark_stays(opened):
    index, library = opened
    before = ids_of(index, "transformer")
    matched = set(ids_of(index, '"vision transformer"'))
    assert matched and set(before) & matched
    done = mute(library, index, '"vision transformer"')
    assert done.added and done.hides == len(matched)
    queries = library.mutes.queries()
    after = ids_of(index, "transformer", mutes=queries)
    assert after == [pid for pid in before if pid not in matched]  # the order of the rest unchanged
    assert index.search("transformer", mutes=queries).total == len(after)
    # a bookmarked paper is never hidden
    keep = sorted(matched)[0]
    library.set_bookmark(keep, True)
    index.catch_up(library)
    assert keep in ids_of(index, "transformer", mutes=queries)
    assert keep not in hidden(library, index) and len(hidden(library, index)) == len(matched) - 1
    # every sort order and the empty query leave them out too
    for sort in ("newest", "upvotes"):
        got = ids_of(index, "transformer", sort=sort, mutes=queries)
        assert not (set(got) & (matched - {keep})) and keep in got
    everything = index.search("", limit=1000, mutes=queries)
    assert everything.total == index.count() - (len(matched) - 1)


def test_mute_syntax_words_tag_author_phrase_and_refusals(opened):
    index, library = opened
    a = ids_of(index, "quantization")[0]
    library.add_tags(a, ["noise"])
    index.catch_up(library)
    assert set(index.muted(["tag:noise"])) == {a}
    assert index.check_mute("quantization") == len(ids_of(index, "quantization"))
    for bad, said in (("NOT NOT x", "does not parse"), ("the", "nothing to match"), ("*former", "starts with *")):
        with pytest.raises(InvalidMute, match=said):
            mute(library, index, bad)
    with pytest.raises(InvalidMute):
        mute(library, index, "   ")
    assert library.mutes.all() == []  # nothing refused was kept
    # no typo tolerance: a mute means what it says
    assert index.check_mute("transformr") == 0


def test_all_papers_muted_and_ten_thousand_mutes(opened):
    index, library = opened
    mute(library, index, "*")
    queries = library.mutes.queries()
    assert index.search("transformer", mutes=queries).total == 0
    assert index.search("", mutes=queries).total == 0
    assert len(hidden(library, index)) == index.count()
    library.mutes.remove("1")
    with library.batch():
        for n in range(10_000):
            library.db.execute("INSERT INTO mutes VALUES (?, ?)", (f"word{n}", f"2026-01-01T00:00:{n:06d}"))
    queries = library.mutes.queries()
    assert len(queries) == 10_000
    t0 = time.process_time()
    result = index.search("transformer", mutes=queries)
    took = time.process_time() - t0
    assert result.total == index.search("transformer").total  # none of them matches a paper
    assert took < 10, took
    t0 = time.process_time()
    index.search("attention", mutes=queries)  # the hidden set is kept until the index changes
    assert time.process_time() - t0 < 1


def test_unmute_by_number_or_query_and_the_list_order(opened):
    index, library = opened
    for q in ("diffusion", "author:smith", '"language model"'):
        mute(library, index, q)
    assert mute(library, index, "diffusion").added is False
    assert [m.query for m in library.mutes.all()] == ["diffusion", "author:smith", '"language model"']
    assert library.mutes.remove("2").query == "author:smith"
    assert library.mutes.remove('"language model"').query == '"language model"'
    assert library.mutes.remove("7") is None and library.mutes.remove("nothing") is None
    assert library.mutes.queries() == ("diffusion",)


def test_mutes_are_exported_and_imported_with_the_library(opened, tmp_path):
    index, library = opened
    mute(library, index, "diffusion")
    mute(library, index, "tag:old")
    doc = library.transfer.export_json()
    assert [m["query"] for m in doc["mutes"]] == ["diffusion", "tag:old"]
    other = Library.open(Paths.default(tmp_path / "other"))
    try:
        report = other.transfer.import_json(json.dumps(doc))
        assert report.mutes_added == ("diffusion", "tag:old") and "mutes: 2 added" in report.summary()
        assert other.mutes.all() == library.mutes.all()
        assert other.transfer.import_json(json.dumps(doc)).mutes_added == ()  # twice: nothing new
        for bad in ({"mutes": {}}, {"mutes": [{"query": ""}]}, {"mutes": [{"query": "a"}, {"query": "a"}]}):
            with pytest.raises(ImportFormatError):
                other.transfer.import_json(json.dumps({**doc, **bad}))
    finally:
        other.close()
    assert "mutes" not in {k for k, v in library.transfer.export_json(what="bookmarks").items() if v}


def test_offered_mute_and_visible():
    assert offered(["diffusion", "sampler", "c++", "score", "extra"]) == "diffusion sampler score"
    assert visible(["a", "b", "c"], {"b": "x"}) == ["a", "c"]


# --- from the command line ----------------------------------------------------------------

def test_papers_mute_list_unmute_and_search_include_muted(bundled_index, capsys):
    home = str(bundled_index.data.parent)
    run = lambda *argv: (main(["--data-dir", home, *argv]), *capsys.readouterr())  # noqa: E731
    code, out, err = run("search", "diffusion", "--json", "--limit", "100")
    everything = [h["id"] for h in json.loads(out)]
    code, out, err = run("mute", "diffusion")
    assert code == 0 and out.startswith("muted (1): diffusion") and f"hides {len(everything)} papers" in out
    code, out, err = run("search", "diffusion", "--json")
    assert code == 0 and json.loads(out) == []
    code, out, err = run("search", "diffusion", "--json", "--limit", "100", "--include-muted")
    assert [h["id"] for h in json.loads(out)] == everything
    code, out, err = run("mute", "NOT", "NOT", "x")
    assert code == 2 and "does not parse" in err and out == ""
    code, out, err = run("mute", "--list")
    assert out.splitlines() == [f"  1. diffusion  hides {len(everything)} papers"]
    code, out, err = run("mute", "--list", "--json")
    assert [m["query"] for m in json.loads(out)] == ["diffusion"]
    code, out, err = run("unmute", "5")
    assert code == 2 and "1–1" in err
    code, out, err = run("unmute", "diffusion")
    assert code == 0 and out == "unmuted: diffusion\n"
    code, out, err = run("mute", "--list")
    assert out.startswith("no mutes")


# --- in the reader ---------------------------------------------------------------------------

async def test_reader_hides_muted_papers_shows_them_dimmed_on_request_and_mutes_with_x(bundled_index):
    paths = bundled_index
    index, _ = Index.open(paths)
    muted = set(ids_of(index, "diffusion"))
    index.close()
    with Library.open(paths) as lib:
        lib.mutes.add("diffusion")
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        results = app.query_one("#results")
        await search(app, pilot, "diffusion model")
        assert not set(results.ids) & muted
        await palette(pilot, "show or hide muted")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.reader.show_muted and set(results.ids) & muted
        assert "muted: diffusion" in screen_text(app)
        await palette(pilot, "show or hide muted")
        await pilot.press("enter")
        await settle(app, pilot)
        assert not app.reader.show_muted and not set(results.ids) & muted
        # X on a paper: its key terms offered, kept on enter, the list drawn again
        await search(app, pilot, "quantization")
        first = results.current_id
        await pilot.press("enter", "X")
        await settle(app, pilot)
        assert app.screen.__class__.__name__ == "LineDialog"
        offered_query = app.screen.query_one("#line-input").value
        assert offered_query.strip()
        await pilot.press("enter")
        await settle(app, pilot)
        assert offered_query in app.library.mutes.queries()
        assert first not in results.ids
        # triage leaves muted papers out, as the digest feeds do
        name = app.reader.digests()[0].name
        every = app.reader.digest_ids(name)
        hidden_now = set(app.reader.muted())
        assert app.reader.visible(every) == [pid for pid in every if pid not in hidden_now]
        page = app.reader.feed_page(name, 0, 1000)[0]
        assert [h.id for h in page.hits] == app.reader.visible(every)
        assert page.total == len(app.reader.visible(every))


def test_a_one_word_mute_is_the_query_the_parser_makes(opened):
    index, _ = opened
    s = index.searching
    words = ["diffusion", "Transformer", "the", "GPT4", "naïve", "über", "x", "2024", "AND", "ViT", "co2"]
    words += [t for t in s.vocabulary.starting("abstract", "q")[:40]]
    for word in words:
        simple = s.one_word(word)
        if simple is None:
            continue  # left to the parser
        assert simple == s.parser.parse(word), word
    assert s.one_word("AND") is None and s.one_word("two words") is None and s.one_word("tag:x") is None


def test_mute_list_counts_each_mute_whole_when_two_overlap(bundled_index, capsys):
    home = str(bundled_index.data.parent)
    run = lambda *argv: (main(["--data-dir", home, *argv]), *capsys.readouterr())  # noqa: E731
    found = {q: {h["id"] for h in json.loads(run("search", q, "--json", "--limit", "300")[1])}
             for q in ("diffusion", "generation")}
    both = found["diffusion"] & found["generation"]
    assert both and found["generation"] - both  # they overlap, and the second hides more
    run("mute", "diffusion")
    run("mute", "generation")
    code, out, err = run("mute", "--list")
    assert out.splitlines() == [f"  1. diffusion  hides {len(found['diffusion'])} papers",
                                f"  2. generation  hides {len(found['generation'])} papers",
                                f"in all {len(found['diffusion'] | found['generation'])} papers hidden "
                                "(a bookmarked paper never)"]
    hides = {m["query"]: m["hides"] for m in json.loads(run("mute", "--list", "--json")[1])}
    assert hides == {q: len(ids) for q, ids in found.items()}
