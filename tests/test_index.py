import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import api_digest, text_digest
from tui.core.index import Index, SCHEMA_VERSION
from tui.core.papers import paper_id
from tui.core.paths import Paths, digest_sources


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".lock")}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    ix, report = Index.open(Paths.default(tmp_path_factory.mktemp("home")))
    yield ix
    ix.close()


def test_bundled_corpus_counts(index):
    assert index.count() == 285
    assert index.catalog.entry_count() == 359
    assert len(index.digests()) == 4


def test_index_answers_what_callers_ask_of_its_catalog(index):
    """Papers, titles, digest pages, ids and entries, asked of the index."""
    catalog = index.catalog
    name = index.digests()[-1].name
    page = index.digest_page(name)
    assert page and page == catalog.digest_paper_ids(name)
    assert index.digest_page(name, 1, 2) == page[1:3] == catalog.digest_page(name, 1, 2)
    assert index.get_many(page) == catalog.get_many(page) and set(index.get_many(page)) == set(page)
    assert index.titles(page) == catalog.titles(page) and index.titles(["nope"]) == {}
    assert index.get(page[0]) == catalog.get(page[0]) and index.get("nope") is None
    assert index.ids() == list(catalog.all_ids()) and len(index.ids()) == index.count()
    prefix = page[0][:2]
    assert page[0] in index.ids(prefix) and all(pid.startswith(prefix) for pid in index.ids(prefix))
    assert index.ids(prefix) == [pid for pid in catalog.all_ids() if pid.startswith(prefix)]
    assert index.entry_count() == catalog.entry_count() == 359


def test_digest_members_are_each_digests_page_in_one_call(index):
    """What the Digests pane counts unread papers from: every digest's ids in
    its order, asked at once (a page per digest was a query each, ~1,000 at a
    year of digests, holding the index while the first search waited)."""
    names = [d.name for d in index.digests()]
    members = index.digest_members(names + ["no such digest"])
    assert {n: members[n] for n in names} == {n: index.digest_page(n) for n in names}
    assert members["no such digest"] == []
    assert sum(len(v) for v in members.values()) == index.entry_count()
    assert index.digest_members([]) == {}


def test_second_open_writes_nothing(paths):
    ix, r1 = Index.open(paths)
    ix.close()
    assert r1.rebuilt and r1.papers_written == 285
    before = snapshot(paths.index)
    ix, r2 = Index.open(paths)
    ix.search("transformer")
    ix.close()
    assert not r2.wrote and r2.papers_written == 0
    assert snapshot(paths.index) == before


def test_added_changed_removed_digest_touches_only_its_papers(paths):
    ix, _ = Index.open(paths)
    ix.close()
    paths.digests.mkdir(parents=True)
    mine = paths.digests / "mine.txt"
    mine.write_text(text_digest(["My New Paper About Quokkas", "Another Paper On Wombats"]))
    ix, r = Index.open(paths)
    assert r.added == ["mine"] and r.papers_written == 2
    assert ix.count() == 287
    assert ix.search("quokkas").hits[0].title == "My New Paper About Quokkas"
    ix.close()
    # change: one paper replaced
    mine.write_text(text_digest(["My New Paper About Quokkas", "A Third Paper On Numbats"]))
    ix, r = Index.open(paths)
    assert r.changed == ["mine"] and r.papers_written == 2  # one updated, one new (one deleted)
    assert ix.search("wombats").total == 0 and ix.search("numbats").total == 1
    ix.close()
    mine.unlink()
    ix, r = Index.open(paths)
    assert r.removed == ["mine"]
    assert ix.count() == 285 and ix.search("quokkas").total == 0
    ix.close()


def test_did_you_mean_follows_added_and_removed_digests(paths):
    paths.digests.mkdir(parents=True)
    mine = paths.digests / "mine.txt"
    mine.write_text(text_digest(["Counting Quokkas From Space"]))
    ix, _ = Index.open(paths)
    assert ix.catalog.has_word("quokkas") and ix.search("quokkas").total == 1
    assert ix.search("quokkaz").suggestion == "quokkas"
    ix.close()
    mine.write_text(text_digest(["Counting Wombats From Space"]))
    ix, _ = Index.open(paths)
    assert not ix.catalog.has_word("quokkas") and ix.catalog.has_word("wombats")
    assert ix.search("quokkaz").suggestion != "quokkas"
    ix.close()


def test_touch_without_change_rewrites_no_paper(paths):
    ix, _ = Index.open(paths)
    ix.close()
    paths.digests.mkdir(parents=True)
    mine = paths.digests / "mine.txt"
    mine.write_text(text_digest(["Paper About Quokkas"]))
    Index.open(paths)[0].close()
    os.utime(mine, ns=(time.time_ns(), time.time_ns()))
    ix, r = Index.open(paths)
    assert r.papers_written == 0 and not r.changed
    ix.close()


def test_same_paper_in_text_and_api_digest_keeps_its_id(paths):
    title = "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows"
    pid = paper_id(title)
    ix, _ = Index.open(paths)
    before = ix.get(pid)
    assert before.arxiv_id is None
    ix.close()
    paths.digests.mkdir(parents=True)
    (paths.digests / "api.json").write_text(api_digest([{"id": "2103.14030", "title": title, "upvotes": 99}]))
    ix, _ = Index.open(paths)
    after = ix.get(pid)
    assert after.arxiv_id == "2103.14030" and after.upvotes == 99
    assert after.authors == ("Ada Lovelace", "Alan Turing")
    assert [a.digest for a in after.appearances] == ["001_eb4508a80e02266c", "api"]
    assert after.links[0].url == "https://huggingface.co/papers/2103.14030"
    assert after.links[1].url == "https://arxiv.org/abs/2103.14030"
    assert ix.search("author:lovelace").hits[0].id == pid
    ix.close()


def test_bad_digest_is_skipped_and_others_load(paths):
    paths.digests.mkdir(parents=True)
    (paths.digests / "broken.json").write_text('[{"paper": ')
    (paths.digests / "good.txt").write_text(text_digest(["Good Paper On Quokkas"]))
    ix, r = Index.open(paths)
    assert len(r.errors) == 1 and "broken.json" in r.errors[0] and "invalid JSON" in r.errors[0]
    assert ix.count() == 286
    ix.close()
    ix, r = Index.open(paths)  # still reported on the next start, without re-parsing
    assert len(r.errors) == 1 and not r.wrote
    ix.close()


@pytest.mark.parametrize("damage", ["delete", "truncate", "garbage"])
def test_corrupt_index_is_rebuilt_with_notice(paths, damage):
    Index.open(paths)[0].close()
    wdir = paths.index / "whoosh"
    if damage == "delete":
        shutil.rmtree(wdir)
    else:
        for f in wdir.iterdir():
            if f.suffix in (".seg", ".toc"):
                f.write_bytes(b"" if damage == "truncate" else os.urandom(200))
    ix, r = Index.open(paths)
    assert r.rebuilt and r.notices
    assert ix.count() == 285 and ix.search("shifted windows").total >= 1
    ix.close()


def test_version_change_rebuilds(paths):
    ix, _ = Index.open(paths)
    ix.catalog.set_meta("schema_version", str(SCHEMA_VERSION - 1))
    ix.close()
    ix, r = Index.open(paths)
    assert r.rebuilt and ix.count() == 285
    ix.close()


def test_second_writer_waits_then_reads_only(paths, tmp_path):
    Index.open(paths)[0].close()
    (paths.digests).mkdir(parents=True)
    (paths.digests / "new.txt").write_text(text_digest(["Paper About Quokkas"]))
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(paths.index / 'write.lock')!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(30)\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        ix, r = Index.open(paths, lock_wait=0.5)
        assert time.monotonic() - t0 >= 0.5
        assert r.readonly and any("read-only" in n for n in r.notices)
        assert ix.count() == 285 and ix.search("shifted windows").total >= 1
        ix.close()
    finally:
        holder.kill()
        holder.wait()
    ix, r = Index.open(paths)
    assert r.added == ["new"] and ix.count() == 286
    ix.close()


@pytest.mark.parametrize("helper", ["works", "fails"])
def test_big_build_shares_work_with_a_helper_process(paths, tmp_path, monkeypatch, helper):
    import tui.core.index as index_module

    serial, _ = Index.open(Paths.default(tmp_path / "serial"))
    monkeypatch.setattr(index_module.build.writer, "PARALLEL_MIN", 0)
    monkeypatch.setattr(index_module.build.writer, "CHUNK", 20)
    if helper == "fails":
        monkeypatch.setattr(sys, "executable", "/bin/false")
    ix, r = Index.open(paths)
    assert r.papers_written == 285 and ix.count() == 285
    assert bool(r.notices) == (helper == "fails")
    if helper == "works":
        assert len(ix.ix._segments()) > 1  # its own and the helper's
    for q in ["transformer", "shifted windows", '"vision transformer"', "title:swin", "arithmetc", "digest:aug"]:
        a, b = serial.search(q, limit=300), ix.search(q, limit=300)
        assert a.total == b.total and {h.id for h in a.hits} == {h.id for h in b.hits}, q
    assert ix.search("swin").hits[0].title.startswith("Swin Transformer")
    assert ix.catalog.has_word("quantization") and ix.search("arithmetc small transfomers").suggestion
    serial.close()
    ix.close()


# --- search ---------------------------------------------------------------------

def titles(res):
    return [h.title for h in res.hits]


def test_search_ranks_and_highlights(index):
    res = index.search("shifted windows")
    assert res.hits[0].title == "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows"
    spans = res.hits[0].title_spans
    assert [res.hits[0].title[a:b] for a, b in spans] == ["Shifted", "Windows"]


def test_exact_title_ranks_first(index):
    res = index.search("Transformer in Transformer")
    assert res.hits[0].title == "Transformer in Transformer"


def test_accents_hyphens_and_partial_words(index):
    assert index.search("Poincare").total >= 1
    assert index.search("poincaré").total == index.search("Poincare").total
    assert titles(index.search("kmax deeplab"))[0].startswith("kMaX-DeepLab")
    assert titles(index.search("kmax-deeplab"))[0].startswith("kMaX-DeepLab")
    assert titles(index.search("megatro"))[0].startswith("Megatron-LM")
    assert titles(index.search("swin"))[0].startswith("Swin Transformer")


def test_typos_are_tolerated_and_suggested(index):
    res = index.search("arithmetc small transfomers")
    assert res.hits[0].title == "Teaching Arithmetic to Small Transformers"
    assert res.suggestion == "arithmetic small transformers"
    assert any("typo" in n for n in res.notes)


def test_query_syntax(index):
    assert all("Swin" in t for t in titles(index.search("title:swin")))
    assert index.search("title:swin").total == 2
    phrase = index.search('"vision transformer"')
    assert phrase.total > 10
    assert index.search("digest:aug").total == 100
    assert index.search('digest:"mar 11"').total == 75
    both = index.search("transformer AND vision").total
    neither = index.search("transformer NOT vision").total
    assert both + neither == index.search("transformer").total
    swin = {h.id for h in index.search("swin", limit=100).hits}
    megatron = {h.id for h in index.search("megatron", limit=100).hits}
    assert index.search("swin OR megatron").total == len(swin | megatron) > len(swin)
    assert index.search("transfor*").total > 100
    assert index.search("trasnformer~1").total > 100


BROAD_QUERIES = ["transformer", "vision transformer", "transformer NOT vision", "swin OR megatron",
                 "title:transformer", "transfor", "trasnformer", "language model training", "digest:aug",
                 "(diffusion OR gan) AND image", "is:unread", "model", "a*"]


@pytest.mark.parametrize("q", BROAD_QUERIES)
def test_costly_queries_find_the_same_papers_from_bitsets(index, monkeypatch, q):
    import tui.core.index as index_module

    ranked = index.search(q, limit=1000)
    monkeypatch.setattr(index_module.search.rank, "SCORE_ALL", 0)  # every query is "costly"
    broad = index.search(q, limit=1000)
    assert broad.total == ranked.total
    assert {h.id for h in broad.hits} == {h.id for h in ranked.hits}
    if broad.total > 1:
        page = index.search(q, limit=2, offset=1)
        assert [h.id for h in page.hits] == [h.id for h in broad.hits[1:3]]


def test_term_bitsets_stored_by_segments_agree_with_postings(index, tmp_path, monkeypatch):
    import tui.core.index as index_module

    monkeypatch.setattr(index_module.build.bulk, "BITS_MIN_DF", 3)
    ix, _ = Index.open(Paths.default(tmp_path / "bits"))
    sets = ix.searching.docsets
    assert sets._segment_bits(0)  # the segment stored bitsets
    monkeypatch.setattr(index_module.search.rank, "SCORE_ALL", 0)
    for q in BROAD_QUERIES:
        assert ix.search(q, limit=5).total == index.search(q, limit=5).total, q
    for fieldname, term in [("abstract", "model"), ("title", "transform"), ("is_", "unread")]:
        stored = sets.term(fieldname, term)
        for seg in sets._segs:  # from the postings instead
            seg["bits"], seg["terms"] = {}, {}
        sets._cache.clear()
        assert sets.term(fieldname, term) == stored and stored
        for seg in sets._segs:
            seg["bits"], seg["terms"] = None, {}
    ix.close()


def test_segment_cache_survives_a_library_change(paths, monkeypatch):
    import tui.core.index as index_module

    from tui.core.papers import LibraryState

    class OneBookmark:
        gen = 0

        def index_state(self, ids):
            return {pid: LibraryState(bookmarked=True) for pid in ids}

        def generation(self):
            return self.gen

        def changed_since(self, generation):
            return [pid]

    monkeypatch.setattr(index_module.search.rank, "SCORE_ALL", 0)
    ix, _ = Index.open(paths)
    pid = ix.search("swin").hits[0].id
    before = ix.search("transformer", limit=1000)
    reads = []
    real = index_module.search.docsets._postings_read
    monkeypatch.setattr(index_module.search.docsets, "_postings_read", lambda *a: reads.append(a) or real(*a))
    lib = OneBookmark()
    lib.gen = 1
    ix.catch_up(lib)  # re-indexes one paper: a new segment, one deletion
    after = ix.search("transformer", limit=1000)
    assert after.total == before.total and {h.id for h in after.hits} == {h.id for h in before.hits}
    assert len({id(r) for r, *_ in reads}) == 1  # only the new segment's postings were read
    assert ix.search("is:bookmarked").hits[0].id == pid
    ix.close()


def test_phrases_are_checked_through_the_new_searcher_after_a_library_change(paths, monkeypatch):
    """What is kept per segment across searchers (where a term's postings
    blocks lie) holds no file of the searcher that read it: after a change
    closes that searcher, phrases are still checked, and pages are still
    those of the exact ranking."""
    import tui.core.index as index_module

    from tui.core.papers import LibraryState

    class Bookmarks:
        gen = 0
        ids: list[str] = []

        def index_state(self, ids):
            return {pid: LibraryState(bookmarked=True) for pid in ids}

        def generation(self):
            return self.gen

        def changed_since(self, generation):
            return self.ids

    monkeypatch.setattr(index_module.search.rank, "SCORE_ALL", 0)
    ix, _ = Index.open(paths)
    from tui.core.index.search.reference import reference_search

    queries = ['"vision transformer"', "vision transformer", '"large language models"', "shifted windows"]
    for q in queries:  # the blocks of their words are read, and kept
        assert [h.id for h in ix.search(q, limit=50).hits] == [h.id for h in reference_search(ix, q, 50).hits]
    lib = Bookmarks()
    lib.ids, lib.gen = [ix.search("swin").hits[0].id], 1
    ix.catch_up(lib)  # a new searcher; the old one, and its files, closed
    for q in queries:
        assert [h.id for h in ix.search(q, limit=50).hits] == [h.id for h in reference_search(ix, q, 50).hits], q
    ix.close()


def test_costly_query_ranked_from_bitsets_as_whoosh_ranks_it(index, monkeypatch):
    import tui.core.index as index_module

    cheap = {q: [h.id for h in index.search(q, limit=10).hits]
             for q in ("vision transformer ", "language model training", "in-context learning", "efficient attention")}
    monkeypatch.setattr(index_module.search.rank, "SCORE_ALL", 0)
    assert index.search("Transformer in Transformer").hits[0].title == "Transformer in Transformer"
    from tui.core.index import TEXT_ANALYZER

    res = index.search("vision transformer ", limit=1000)  # the space: no prefix matching

    def in_title(h):
        words = {t.text for t in TEXT_ANALYZER(h.title)}
        return sum(w in words for w in ("vision", "transform"))
    counts = [in_title(h) for h in res.hits]
    assert counts[0] == 2 and counts[-1] == 0
    assert max(i for i, n in enumerate(counts) if n == 2) < min(i for i, n in enumerate(counts) if n == 0)
    scores = [h.score for h in res.hits]
    assert scores == sorted(scores, reverse=True)
    for q, top in cheap.items():  # much as Whoosh ranks it
        assert len(set(top) & {h.id for h in index.search(q, limit=10).hits}) >= 8, q


def test_costly_phrase_checks_the_newest_candidates(index, monkeypatch):
    import tui.core.index as index_module

    exact = index.search('"vision transformer"', limit=1000)
    monkeypatch.setattr(index_module.search.rank, "SCORE_ALL", 0)
    all_checked = index.search('"vision transformer"', limit=1000)
    assert all_checked.total == exact.total and {h.id for h in all_checked.hits} == {h.id for h in exact.hits}
    monkeypatch.setattr(index_module.search.searcher, "SAMPLE_MIN", 1)
    sampled = index.search('"vision transformer"', limit=3)
    assert len(sampled.hits) == 3 and {h.id for h in sampled.hits} <= {h.id for h in exact.hits}
    assert sampled.total > 3 and any("about" in n for n in sampled.notes)


def test_empty_query_lists_all_newest_digest_first(index):
    res = index.search("", limit=3)
    assert res.total == 285
    first = index.get(res.hits[0].id)
    assert first.appearances[-1].digest.startswith("003") and first.appearances[-1].position == 1
    page2 = index.search("", limit=3, offset=3)
    assert not set(h.id for h in res.hits) & set(h.id for h in page2.hits)


def test_paging(index):
    one = index.search("transformer", limit=10)
    two = index.search("transformer", limit=10, offset=10)
    assert one.total == two.total > 20
    assert not {h.id for h in one.hits} & {h.id for h in two.hits}


@pytest.mark.parametrize("q", [
    "NOT NOT x", "<>", "*", "*former", "?", "a~9", "x" * 5000, "(((", ")", "title:", ":", '"', "AND",
    "OR OR", "NOT", "[/]", "[CLS]", "\x1b[31m", "\x00", "title:(", "a:b:c", "{x TO}", "[a TO", "^2",
    "tag:", "is:", "🙂", "中文", "~", "\\", "*?*?*", "transformer^", "title:*",
])
def test_pathological_queries_answer_quickly(index, q):
    t0 = time.perf_counter()
    res = index.search(q)
    assert time.perf_counter() - t0 < 1.0
    assert res.total >= 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_no_query_string_raises(index, q):
    res = index.search(q, limit=5)
    assert res.total >= len(res.hits)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["transformer", "AND", "OR", "NOT", "(", ")", '"', "*", "~2", "title:",
                                 "abstract:", "digest:", "^3", "[", "]", "TO", "x", "-", "+", "vision"]),
                max_size=8))
def test_no_syntax_soup_raises(index, parts):
    index.search(" ".join(parts), limit=5)
    index.search("".join(parts), limit=5)


# --- relevance --------------------------------------------------------------------

def relevance_set():
    rows = []
    for line in (Path(__file__).parent / "data" / "relevance.tsv").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            q, title = line.split("\t")
            rows.append((q, title))
    return rows


def test_relevance_mrr(index):
    rows = relevance_set()
    known = {p.title for p in index.catalog.iter_papers()}
    total = 0.0
    misses = []
    for q, title in rows:
        assert title in known, title
        ranked = titles(index.search(q, limit=10))
        rank = ranked.index(title) + 1 if title in ranked else None
        total += 1 / rank if rank else 0
        if rank != 1:
            misses.append((q, rank))
    mrr = total / len(rows)
    print(f"MRR {mrr:.3f} over {len(rows)} queries; misses: {misses}")
    assert mrr >= 0.9, misses


def test_digest_sources_order(paths):
    paths.digests.mkdir(parents=True)
    a = paths.digests / "b.txt"
    b = paths.digests / "a.txt"
    a.write_text("x")
    os.utime(a, ns=(1, 1_000_000_000))
    b.write_text("x")
    os.utime(b, ns=(1, 2_000_000_000))
    names = [s.name for s in digest_sources(paths)]
    assert names[:4] == [p.stem for p in sorted(Path(digest_sources(paths)[0].path).parent.glob("*.txt"))]
    assert names[4:] == ["b", "a"]


# --- the bulk writer ----------------------------------------------------------------

def _docs():
    from tui.core.digest import parse_file
    from tui.core.index import _doc
    from tui.core.papers import merge_digests
    from tui.core.paths import BUNDLED_DIGESTS

    papers = merge_digests(parse_file(p) for p in sorted(BUNDLED_DIGESTS.glob("*.txt")))
    docs = [_doc(p, None, {}) for p in papers]
    docs[3]["note"] = "Pre-training the poincaré ablation, run-s twice"
    docs[4]["tag"] = "reading-group,x"
    return docs


def _segment_files(ix):
    """Each segment's files by extension, bytes."""
    out = []
    for seg in ix._segments():
        cs = seg.open_compound_file(ix.storage) if seg.is_compound() else ix.storage
        files = {}
        for name in cs.list():
            if seg.segment_id() in name:
                with cs.open_file(name) as f:
                    files[name.replace(seg.segment_id(), "")] = f.read()
        out.append(files)
    return out


def _postings(ix):
    with ix.reader() as r:
        out = {}
        for fieldname in r.indexed_field_names():
            for tbytes in r.lexicon(fieldname):
                ti = r.term_info(fieldname, tbytes)
                m = r.postings(fieldname, tbytes)
                rows = []
                blocks = hasattr(m, "block_max_weight")  # one segment
                while m.is_active():
                    rows.append((m.id(), m.weight(), m.value()) + (
                        (m.block_max_weight(), m.block_min_length(), m.block_max_length()) if blocks else ()))
                    m.next()
                out[fieldname, tbytes] = (rows, ti.weight(), ti.doc_frequency(), ti.min_length(),
                                          ti.max_length(), ti.max_weight())
        stored = list(r.all_stored_fields())
        lengths = [[r.doc_field_length(d, f) or 0 for f in ("title", "abstract", "note")] for d in range(r.doc_count_all())]
    return out, stored, lengths


def test_bulk_writer_writes_what_whoosh_writes(tmp_path, monkeypatch):
    from whoosh import index as wi
    from whoosh.writing import SegmentWriter

    from tui.core.index import BulkWriter, make_schema

    docs = _docs()
    built = {}
    for name, writer_class in (("whoosh", SegmentWriter), ("bulk", BulkWriter)):
        (tmp_path / name).mkdir()
        ix = wi.create_in(str(tmp_path / name), make_schema())
        w = writer_class(ix)
        for d in docs:
            w.add_document(**d)
        w.commit()
        built[name] = ix
    # lengths and stored fields byte for byte; postings, their blocks' statistics and
    # the terms' the same (the bytes differ: shared position values pickle shorter)
    files = [_segment_files(built[name])[0] for name in ("bulk", "whoosh")]
    assert {k: v for k, v in files[0].items() if k.endswith(".col")} == {
        k: v for k, v in files[1].items() if k.endswith(".col")}
    fresh = _postings(built["bulk"])
    assert fresh == _postings(built["whoosh"])
    # a build split into several segments holds the same postings, stored fields, lengths
    monkeypatch.setattr(BulkWriter, "SEGMENT_POSTINGS", 2000)
    (tmp_path / "split").mkdir()
    ix = wi.create_in(str(tmp_path / "split"), make_schema())
    w = BulkWriter(ix)
    for d in docs:
        w.add_document(**d)
    w.commit()
    assert len(ix._segments()) > 5
    split = _postings(ix)
    assert {k: [r[:3] for r in v[0]] for k, v in split[0].items()} == {
        k: [r[:3] for r in v[0]] for k, v in fresh[0].items()}
    assert split[1:] == fresh[1:]
    # updates (delete + add in new segments, then a merge) read the same
    for name, writer_class in (("whoosh", SegmentWriter), ("bulk", BulkWriter)):
        for d in docs[:7]:
            w = writer_class(built[name])
            w.update_document(**{**d, "note": "changed"})
            w.commit(merge=False)
        w = writer_class(built[name])
        w.commit(optimize=True)
    assert _postings(built["bulk"]) == _postings(built["whoosh"])


def test_word_cache_matches_the_analyzer():
    from collections import Counter, defaultdict

    from tui.core.index import SURFACE_ANALYZER, TEXT_ANALYZER, WORDS, highlight_spans

    samples = [d["abstract"] for d in _docs()[:40]] + [
        "the Pre-Training of run-s", "İstanbul — ÆON straße ﬁne", "a-the-of x", "", "the", "and-or 2023-24"]
    for text in samples:
        ref = defaultdict(list)
        for t in TEXT_ANALYZER(text, positions=True, mode="index"):
            ref[t.text.encode()].append(t.pos)
        assert WORDS.positions(text) == (dict(ref), sum(map(len, ref.values())))
        terms = set(ref and {k.decode() for k in list(ref)[::2]})
        slow = tuple((t.startchar, t.endchar) for t in TEXT_ANALYZER(text, chars=True, mode="index")
                     if t.text in terms)
        assert highlight_spans(text, terms) == slow
        found = Counter()
        WORDS.found(text, found)
        assert WORDS.surface(found) == Counter(t.text for t in SURFACE_ANALYZER(text, mode="index"))


def test_word_cache_reads_pieces_of_text_as_the_analyzer_reads_words():
    """The cache reads a text a piece (between white space) at a time and
    remembers pieces of one term or none: texts of compounds, stop words,
    punctuation and odd white space, read with a cold and a warm cache, give
    the analyzer's terms, positions, lengths and surface words."""
    import random
    from collections import Counter, defaultdict

    from tui.core.index import SURFACE_ANALYZER, TEXT_ANALYZER
    from tui.core.index.build.analysis import _WordCache

    words = ["the", "a", "of", "model", "Models", "learn-ing", "pre-training", "state-of-the-art", "and-or",
             "of-the", "the-model", "x", "İstanbul", "straße", "ﬁne", "BERT", "2023-24", "—", "(", ")", ",", ".",
             "e.g.,", "LLMs/VLMs", "a-b-c", "run-s", "_", "x²", "in", "to", "it's", "ÆON"]
    between = [" ", "  ", "\n", "\t", "\u00a0", "", "-", "/", ", "]
    rnd = random.Random(7)
    cache = _WordCache()
    for case in range(500):
        text = "".join(rnd.choice(words) + rnd.choice(between) for _ in range(rnd.randint(0, 25)))
        if case % 2:
            cache = _WordCache()
        ref = defaultdict(list)
        for t in TEXT_ANALYZER(text, positions=True, mode="index"):
            ref[t.text.encode()].append(t.pos)
        expected = (dict(ref), sum(map(len, ref.values())))
        assert cache.positions(text) == expected, text
        assert cache.positions(text) == expected, text
        found = Counter()
        cache.found(text, found)
        assert cache.surface(found) == Counter(t.text for t in SURFACE_ANALYZER(text, mode="index")), text


def test_word_cache_entries_are_the_analyzers():
    """A word of one token is analysed by the cache itself (the filters without
    their generators): each entry equals what the analyzer makes of the word."""
    from tui.core.index import SURFACE_ANALYZER, TEXT_ANALYZER, CompoundTokenizer
    from tui.core.index.build.analysis import _WordCache
    from tui.core.paths import BUNDLED_DIGESTS

    def analysed(word):
        tokens = [(t.text.encode("utf-8"), t.pos) for t in TEXT_ANALYZER(word, positions=True, mode="index")]
        first = tokens[0][1] if tokens else 0
        rel = [pos - first for _, pos in tokens]
        return (len(CompoundTokenizer._SPLIT.split(word)), first, tuple(term for term, _ in tokens),
                tuple(t.text for t in SURFACE_ANALYZER(word, mode="index")),
                None if rel == list(range(len(rel))) else tuple(rel))

    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(BUNDLED_DIGESTS.glob("*.txt")))
    text += " İstanbul ÆON ÜBER straße ẞ ﬁne ﬀ x² ½ Ⅻ 𝐀𝐁 ǅemal ΣΑΣ Σίσυφος __init__ _ THE The a I'm 5th"
    words = set(CompoundTokenizer._RE.findall(text))
    assert len(words) > 5000
    cache = _WordCache()
    assert {w: cache.entry(w) for w in words} == {w: analysed(w) for w in words}
