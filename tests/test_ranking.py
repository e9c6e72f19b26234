"""The fast ranking answers as the exact one does.

:func:`tui.core.index.search.reference.reference_search` ranks a query with Whoosh's
own BM25F over every posting of every match (ties newest first); the search
ranks it from bounds and scores only what can enter the page
(:mod:`tui.core.index.search.rank`). Both must give the same papers in the same
order: on the bundled papers (with every query taken through the bounds) and
on a corpus big enough to take every shortcut (20,000 synthetic papers of
``papers bench`` beside the bundled ones).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.bench.relevance import load
from tui.bench.targets import QUERIES
from tui.core.index import Index
from tui.core.index.search.reference import reference_search
from tui.core.paths import Paths, digest_sources

DATA = Path(__file__).parent / "data"
# the bench's made-up method names and date label, as words of the bundled corpus
FILL = {"name": "itransformer", "name2": "autoformer", "label": "mar 11"}
MORE = ["vision-language", '"vision language"', "in-context", "pre-training", "state-of-the-art", "c++", "&",
        "tag:reading-group vision", "is:unread transformer", "transformer NOT vision", "swin OR megatron",
        "(diffusion OR gan) AND image", "a*", "model", "the", '"large language models"', "difusion~2",
        "lanugage modles", "NOT vision", "title:transformer abstract:ablation", "note:ablation"]


def queries(fill: dict) -> list[str]:
    out = [q.format(**fill) if "{" in q else q for _, q, _, _ in QUERIES]
    out += [q for q, _ in load()]
    out += [line.split("\t")[0] for line in (DATA / "relevance.tsv").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return list(dict.fromkeys(out + MORE))


def disagreements(index: Index, qs: list[str], k: int) -> list[str]:
    out = []
    for q in qs:
        fast = [h.id for h in index.search(q, limit=k).hits]
        exact = [h.id for h in reference_search(index, q, limit=k).hits]
        if fast != exact:
            out.append(q)
    return out


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    ix, _ = Index.open(Paths.default(tmp_path_factory.mktemp("home")))
    yield ix
    ix.close()


@pytest.mark.parametrize("score_all", [None, 0])
def test_the_bundled_papers_are_ranked_as_whoosh_ranks_them(bundled, monkeypatch, score_all):
    import tui.core.index as index_module

    if score_all is not None:  # every query through the bounds, as a big corpus takes it
        monkeypatch.setattr(index_module.search.rank, "SCORE_ALL", score_all)
    assert disagreements(bundled, queries(FILL), 50) == []


def test_scores_are_whoosh_scores(bundled):
    for q in ("vision transformer", '"large language models"', "transformer NOT vision", "is:unread transformer"):
        fast = bundled.search(q, limit=20).hits
        exact = {h.id: h.score for h in reference_search(bundled, q, limit=1000).hits}
        assert fast and all(abs(h.score - exact[h.id]) < 1e-9 for h in fast), q


@pytest.mark.slow
def test_a_year_sized_corpus_is_ranked_as_whoosh_ranks_it(tmp_path):
    """At least 98 % of the queries give the same ten papers in the same
    order (here: all); where one does not, the sought paper of a known-item
    query ranks no lower than the exact ranking puts it."""
    from tui.bench import synth

    paths = Paths.default(tmp_path / "home")
    paths.digests.mkdir(parents=True)
    for d in synth.corpus(20_000, 0):
        synth.write_digest(paths.digests, d)
    index, _ = Index.open(paths, sources=digest_sources(paths, bundled=True))
    try:
        fill = {"name": synth.method_name(10_000, 0), "name2": synth.method_name(19_999, 0),
                "label": synth.digest(100, 0, count=1).label.lower()}
        qs = queries(fill)
        differ = disagreements(index, qs, 10)
        assert len(differ) <= 0.02 * len(qs), differ
        for q, title in load():
            if q in differ:
                fast = [h.title for h in index.search(q, limit=10).hits]
                exact = [h.title for h in reference_search(index, q, limit=10).hits]
                if title in exact:
                    assert title in fast and fast.index(title) <= exact.index(title), q
        assert disagreements(index, qs[:60], 200) == []  # the reader's whole first page too
    finally:
        index.close()


def test_a_search_told_to_stop_gives_up_without_calling_it_damage(bundled, monkeypatch):
    import tui.core.index as index_module
    from tui.core.index import SearchStopped

    monkeypatch.setattr(index_module.search.rank, "SCORE_ALL", 0)  # ranked in steps, as a big corpus is
    asked = []

    def stop():
        asked.append(1)
        return True

    with pytest.raises(SearchStopped):
        bundled.search("vision transformer", limit=50, stop=stop)
    assert asked
    assert not (bundled.folder / "damaged").exists()
    kept = bundled.search("vision transformer", limit=50, stop=lambda: False)
    assert [h.id for h in kept.hits] == [h.id for h in bundled.search("vision transformer", limit=50).hits]
