"""For you: a ranking learned from the user's decisions. How good it must be
(the issue's measure: most papers of one topic kept, ten others skipped, at
least 7 of the top 10 of that topic, as good as or better than "Papers like
your bookmarks" on each of three topics and better over the three), that the
index's order over every paper equals the model's scores computed the
straightforward way, and the answers with no decisions, only negatives,
everything muted; the command line and the search order."""

from __future__ import annotations

import json
import re

import pytest

from tui.cli import main
from tui.bench.recommend import TOPICS, decide, topic_setup
from tui.core import foryou
from tui.core.index import Index
from tui.core.index.search.linear import scores
from tui.core.library import Library
from tui.core.related import more_like

def test_for_you_finds_the_topic_kept_and_beats_papers_like_your_bookmarks(bundled_index):
    ours, theirs = {}, {}
    for name, rx in TOPICS.items():
        index, _ = Index.open(bundled_index)
        library = Library.open(bundled_index)
        try:
            keep, skip, of = topic_setup(index, rx)
            decide(index, library, keep, skip)
            ranking = foryou.rank(index, library, days=None, limit=10)
            assert ranking.learned and len(ranking.picks) == 10
            assert not {p.id for p in ranking.picks} & set(keep + skip)  # decided papers are not offered
            ours[name] = sum(of(p.id) for p in ranking.picks)
            theirs[name] = sum(of(h.id) for h in more_like(index, keep, "your bookmarks", limit=10).hits[:10])
        finally:
            with library.batch():  # the next topic starts from no decisions
                for r in library.all_records():
                    library.set_bookmark(r.id, False)
                    library.set_read(r.id, False)
                    library.visits.clear_skip(r.id)
            index.catch_up(library)
            library.close()
            index.close()
    print("for you", ours, "like bookmarks", theirs)
    assert all(n >= 7 for n in ours.values()), ours
    assert all(ours[t] >= theirs[t] for t in TOPICS), (ours, theirs)
    assert sum(ours.values()) > sum(theirs.values()), (ours, theirs)


def test_the_index_order_is_the_models_scores_over_every_paper(opened):
    index, library = opened
    keep, skip, _ = topic_setup(index, TOPICS["privacy and attacks"])
    decide(index, library, keep, skip, read=keep[:0])
    model = foryou.train(index, library)
    assert not model.empty and any(q < 0 for q in model.levels.values())  # learned against the skips too
    feats = foryou.Features.of(index)
    ids = index.ids()
    reference = foryou.reference_scores(model, feats, ids)
    fast = scores(feats.sets, model.linear)
    assert len(reference) == len(ids) == 285
    for pid in ids:
        assert fast[feats.docnum(pid)] == pytest.approx(reference[pid], abs=1e-12)
    # the ranking is the reference's order, ties newest first
    ranking = foryou.rank(index, library, days=None, limit=300)
    expected = sorted((pid for pid in ids if pid not in set(keep + skip)),
                      key=lambda pid: (-reference[pid], -feats.sets.keys[feats.docnum(pid)]))
    assert [p.id for p in ranking.picks] == expected
    # a search sorted for you: the matches in the same order
    order, note = foryou.order_of(index, library)
    res = index.search("transformer", limit=1000, sort="for-you", order=order)
    got = [h.id for h in res.hits]
    assert sorted(got, key=lambda pid: (-reference[pid], -feats.sets.keys[feats.docnum(pid)])) == got
    assert len(got) == res.total > 50 and note.startswith("for you: learned from")


def test_no_decisions_only_negatives_and_everything_muted(opened):
    index, library = opened
    ranking = foryou.rank(index, library, days=None, limit=5)
    assert not ranking.learned and "no decisions yet" in ranking.note and ranking.total == 285
    by_votes = [h.id for h in index.search("", limit=5, sort="upvotes").hits]
    assert [p.id for p in ranking.picks] == by_votes
    skipped = index.ids()[:10]
    decide(index, library, skip=skipped)
    ranking = foryou.rank(index, library, days=None, limit=5)
    assert not ranking.learned and "only papers you skipped or left" in ranking.note
    assert ranking.total == 275 and not {p.id for p in ranking.picks} & set(skipped)
    keep = index.ids()[10:14]
    decide(index, library, keep=keep)
    library.mutes.add("*")  # every paper muted
    ranking = foryou.rank(index, library, days=None, limit=5, mutes=library.mutes.queries())
    assert ranking.learned and ranking.total == 0 and ranking.picks == ()


def test_a_kept_paper_outweighs_its_skip_and_a_day_is_the_newest_digests(opened):
    index, library = opened
    pid = index.ids()[0]
    decide(index, library, skip=[pid])
    assert foryou.decisions(library).skipped == (pid,)
    decide(index, library, keep=[pid])
    dec = foryou.decisions(library)
    assert dec.positives == (pid,) and dec.skipped == ()
    # the bundled digests' labels carry no year: a day is a digest, newest first
    ranking = foryou.rank(index, library, days=1, limit=500)
    assert "the newest 1 digest (their labels carry no year)" in ranking.note
    from tui.core.navigation import digest_order

    first = digest_order(index.digests()).names[0]
    members = set(index.digest_members([first])[first])
    assert {p.id for p in ranking.picks} <= members and ranking.total == len(members - {pid})


def test_papers_for_you_and_search_sorted_for_you(bundled_index, capsys):
    assert main(["--data-dir", str(bundled_index.data.parent), "for-you", "--all", "--limit", "3"]) == 0
    out, err = capsys.readouterr()
    assert out.count("\n") == 6 and "no decisions yet" in err and "of 285 papers" in err
    index, _ = Index.open(bundled_index)
    library = Library.open(bundled_index)
    keep, skip, of = topic_setup(index, TOPICS["compression"])
    decide(index, library, keep, skip)
    library.close()
    index.close()
    assert main(["--data-dir", str(bundled_index.data.parent), "for-you", "--all", "--limit", "5", "--json"]) == 0
    out, err = capsys.readouterr()
    hits = json.loads(out)
    assert len(hits) == 5 and all(h["why"]["terms"] for h in hits)
    assert all(h["why"]["like"] in keep for h in hits) and "learned from" in err
    assert sum(of(h["id"]) for h in hits) >= 4
    assert any(re.search(TOPICS["compression"], " ".join(h["why"]["terms"])) for h in hits)
    assert main(["--data-dir", str(bundled_index.data.parent), "for-you", "--limit", "3"]) == 0
    out, err = capsys.readouterr()
    assert out.count("why: ") == 3 and "the newest 4 digests" in err  # the bundled four, fewer than 7
    assert main(["--data-dir", str(bundled_index.data.parent), "search", "model", "--sort", "for-you",
                 "--limit", "3"]) == 0
    out, err = capsys.readouterr()
    assert "why: " in out and "note: for you: learned from" in err
    assert main(["--data-dir", str(bundled_index.data.parent), "for-you", "--days", "0"]) == 2
    assert "--days 1 or more" in capsys.readouterr().err


# --- in the reader ------------------------------------------------------------------------------

async def test_the_reader_sorts_results_a_feed_and_triage_for_you(bundled_index):
    from helpers import SIZE, details, ready, settle, status
    from tui.app import PapersApp
    from tui.core.navigation import digest_order

    index, _ = Index.open(bundled_index)
    library = Library.open(bundled_index)
    keep, skip, of = topic_setup(index, TOPICS["compression"])
    decide(index, library, keep, skip)
    expected = [p.id for p in foryou.rank(index, library, days=None, limit=10).picks]
    newest = digest_order(index.digests()).names[0]
    members = index.digest_members([newest])[newest]
    feed_expected = foryou.order(index, library, members)
    library.close()
    index.close()
    app = PapersApp(bundled_index, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        results = app.main.results
        await pilot.press("s", "s", "s")  # relevance → newest → upvotes → for you
        await settle(app, pilot, rounds=8)
        assert results.sort == "for-you"
        assert "best for you first" in status(app) and "learned from 11 papers you kept" in status(app)
        # all papers for you: the kept ones too (a search shows every match), the rest in the ranking's order
        shown = [pid for pid in results.ids if pid not in set(keep + skip)][:10]
        assert shown == expected
        results.highlighted = results.ids.index(expected[0])
        await settle(app, pilot)
        assert "For you" in details(app) and "like “" in details(app)
        # a digest's feed: s steps between its own order and for you
        app.main.results.open_feed(newest)
        await settle(app, pilot, rounds=8)
        assert results.ids[:5] == members[:5]
        await pilot.press("s")
        await settle(app, pilot, rounds=8)
        assert results.feed_sort == "for-you" and results.ids == feed_expected
        assert "best for you first" in status(app)
        # triage from this feed: those decided first, then the rest best first, from the first undecided
        await pilot.press("T")
        await pilot.pause(0.3)
        screen = app.screen
        assert type(screen).__name__ == "TriageScreen" and "for you" in screen.label
        undecided = [pid for pid in feed_expected if pid not in set(keep + skip)]
        assert screen.ids[screen.pos:] == undecided and screen.viewing_id() == undecided[0]


def test_days_are_counted_back_from_the_newest_dated_digest(paths, capsys):
    from helpers import day_items

    from helpers import item

    paths.digests.mkdir(parents=True, exist_ok=True)
    for day in ("2025-08-01", "2025-08-07", "2025-08-08"):
        items = day_items(day, 4) + [item(day, 9, title=f"Wombat Burrows {day}", ai_keywords=["tunnelling"])]
        (paths.digests / f"{day}.json").write_text(json.dumps(items))
    home = str(paths.data.parent)
    assert main(["--data-dir", home, "for-you", "--days", "2", "--json", "--limit", "50"]) == 0
    out, err = capsys.readouterr()
    days = sorted({h["digests"][0]["digest"] for h in json.loads(out)})
    assert days == ["2025-08-07", "2025-08-08"] and "the papers of 2025-08-07 to 2025-08-08" in err
    assert main(["--data-dir", home, "for-you", "--days", "30", "--json", "--limit", "50"]) == 0
    assert len(json.loads(capsys.readouterr()[0])) == 15
    # the API's keywords are indexed with the abstract: the model's features have them too
    index, _ = Index.open(paths)
    library = Library.open(paths)
    wombats = [h.id for h in index.search("wombat", limit=5).hits]
    decide(index, library, keep=wombats[:2])
    model = foryou.train(index, library)
    assert model.levels.get("tunnel", 0) > 0
    feats = foryou.Features.of(index)
    reference = foryou.reference_scores(model, feats, index.ids())
    fast = scores(feats.sets, model.linear)
    assert all(fast[feats.docnum(pid)] == pytest.approx(s, abs=1e-12) for pid, s in reference.items())
    library.close()
    index.close()
