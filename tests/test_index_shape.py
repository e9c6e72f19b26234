"""What searches return does not depend on how the index stores things.

``data/index_answers.json`` holds, for the bundled corpus, the answers of a
list of queries (total, the ids of the page in order, highlight terms,
suggestion, notes), every paper as the catalog gives it back, the listing
order and each digest's page. The storage of the index (catalog tables,
Whoosh fields, the build's process split) may change; these answers may not.

A deliberate change of ranking re-records the file:
``PAPERS_RECORD=1 python -m pytest tests/test_index_shape.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from tui.core.index import Index
from tui.core.paths import Paths

FIXTURE = Path(__file__).parent / "data" / "index_answers.json"

QUERIES = [
    "", "transformer", "vision transformer", "large language models", "shifted windows",
    "Transformer in Transformer", "swin", "swin v2", "megatro", "kmax-deeplab", "kmax deeplab",
    "poincaré", "Poincare", "arithmetc small transfomers", "trasnformer", "lanugage modles",
    '"vision transformer"', '"large language models"', '"state of the art"', '"pre-training"',
    "pre-training", "pre training", "title:transformer", "title:swin", "abstract:ablation",
    "author:turing", "digest:aug", 'digest:"mar 11"', "is:unread", "is:bookmarked", "has:note",
    "has:arxiv", "has:none", "tag:reading-group", "transformer AND vision", "transformer NOT vision",
    "swin OR megatron", "(diffusion OR gan) AND image", "transfor*", "transfor", "quant*", "a*",
    "trasnformer~1", "difusion~2", "*former", "*", "NOT NOT transformer", "title:(((", "a" * 300,
    "language model training", "model", "efficient attention long context inference",
    "diffusion models for image generation", "self-supervised speech representation",
    "segment anything", "zzzzqqq", "vision transf", "large langu", "note:ablation",
    "is:unread transformer", "is:read", "has:tags", "tag:reading-group vision",
]


def _relevance_queries() -> list[str]:
    rows = []
    for line in (Path(__file__).parent / "data" / "relevance.tsv").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t")[0])
    return rows


def _paper_digest(p) -> str:
    return hashlib.sha256(json.dumps(p.as_json(), sort_keys=True).encode("utf-8")).hexdigest()[:16]


def _answers(index: Index) -> dict:
    out: dict = {"queries": {}, "pages": {}}
    for q in dict.fromkeys(QUERIES + _relevance_queries()):
        res = index.search(q, limit=50)
        out["queries"][q[:80]] = {
            "total": res.total, "ids": [h.id for h in res.hits],
            "title_spans": [[list(s) for s in h.title_spans] for h in res.hits[:5]],
            "terms": sorted(res.terms), "suggestion": res.suggestion, "notes": list(res.notes),
        }
    second = index.search("transformer", limit=20, offset=20)
    out["queries"]["transformer @20"] = {"total": second.total, "ids": [h.id for h in second.hits]}
    ids = index.ids()
    out["papers"] = {pid: _paper_digest(p) for pid, p in sorted(index.get_many(ids).items())}
    out["order"] = [h.id for h in index.search("", limit=1000).hits]
    for d in index.digests():
        out["pages"][d.name] = index.digest_page(d.name)
    out["counts"] = {"papers": index.count(), "entries": index.entry_count()}
    return out


def _seed(library, ids: list[str]) -> None:
    """Bookmarks, tags, notes and read marks on a few papers, for is:, tag:, has:, note:."""
    with library.batch():
        for i, pid in enumerate(ids):
            if i % 17 == 3:
                library.set_bookmark(pid, True)
                library.add_tags(pid, ["reading-group"])
            if i % 29 == 5:
                library.set_note(pid, "ablation worth repeating on our data")
            if i % 7 == 1:
                library.set_read(pid, True)


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    from tui.core import index as index_module
    from tui.core.library import Library

    paths = Paths.default(tmp_path_factory.mktemp("home"))
    index, _ = Index.open(paths)
    ids = sorted(index.ids())
    index.close()
    library = Library.open(paths)
    _seed(library, ids)
    index, _ = Index.open(paths, library=library)
    try:
        out = _answers(index)
        # the same queries answered from bitsets, as a big index answers them
        saved = index_module.search.rank.SCORE_ALL
        index_module.search.rank.SCORE_ALL = 0
        try:
            out["costly"] = {q: got for q, got in _answers(index)["queries"].items()}
        finally:
            index_module.search.rank.SCORE_ALL = saved
        yield out
    finally:
        index.close()
        library.close()


def test_answers_are_those_recorded(answers):
    if os.environ.get("PAPERS_RECORD"):
        FIXTURE.write_text(json.dumps(answers, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        pytest.skip("recorded")
    want = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert answers["counts"] == want["counts"]
    assert answers["papers"] == want["papers"]
    assert answers["order"] == want["order"]
    assert answers["pages"] == want["pages"]
    assert answers["queries"].keys() == want["queries"].keys()
    for q, got in answers["queries"].items():
        assert got == want["queries"][q], q
    assert answers["costly"].keys() == want["costly"].keys()
    for q, got in answers["costly"].items():
        assert got == want["costly"][q], q
