"""What searches return on the bundled corpus, recorded: a change made for
speed must not change any result. Every query of the relevance set, the
bench's query mix and a few broad and odd ones are run, once ranked as usual
and once with every query taken as costly (the path big corpora take), and
their totals, first 50 ids and suggestions compared with the recording in
``data/search_results.json``.

A change that is meant to change results records them again::

    PAPERS_RECORD_RESULTS=1 python -m pytest tests/test_search_results.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tui.bench.targets import QUERIES
from tui.core.index import Index
from tui.core.paths import Paths

DATA = Path(__file__).parent / "data"
RECORDING = DATA / "search_results.json"
LIMIT = 50
# The bench's made-up method names and date label, as words of the bundled corpus.
FILL = {"name": "itransformer", "name2": "autoformer", "label": "mar 11"}
MORE = [
    "vision-language", '"vision language"', "vision language", "in-context", '"in context"',
    "pre-training", "pretraining", "pre training", "self-supervised", "title:vision-language",
    "vision-lang", "in-contxt learning", "multi-modal~1", "state-of-the-art", "&", "%", "#", "+", "$",
    "c++", "tag:later-stuff", "is:unread transformer", "transformer NOT vision", "swin OR megatron",
    "(diffusion OR gan) AND image", "a*", "model", "language model training", "the", "of the",
    '"large language models"', '"state of the art"', "difusion~2", "trasnformer~", "lanugage modles",
]


def queries() -> list[str]:
    out: list[str] = []
    for line in (DATA / "relevance.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            out.append(line.split("\t")[0])
    out += [q.format(**FILL) if "{" in q else q for _, q, _, _ in QUERIES]
    out += MORE
    return list(dict.fromkeys(out))


def results(index: Index) -> dict:
    out = {}
    for q in queries():
        res = index.search(q, limit=LIMIT)
        out[q[:300]] = {"total": res.total, "ids": [h.id for h in res.hits], "suggestion": res.suggestion}
    return out


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    ix, _ = Index.open(Paths.default(tmp_path_factory.mktemp("home")))
    yield ix
    ix.close()


def test_results_are_as_recorded(index, monkeypatch):
    import tui.core.index as index_module

    now = {"ranked": results(index)}
    monkeypatch.setattr(index_module.search.rank, "SCORE_ALL", 0)  # every query is "costly"
    now["costly"] = results(index)
    if os.environ.get("PAPERS_RECORD_RESULTS"):
        RECORDING.write_text(json.dumps(now, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        pytest.skip("results recorded")
    recorded = json.loads(RECORDING.read_text(encoding="utf-8"))
    for mode in ("ranked", "costly"):
        assert set(now[mode]) == set(recorded[mode]), "the query list changed: record again"
        diff = [q for q in recorded[mode] if now[mode][q] != recorded[mode][q]]
        assert not diff, f"{mode}: {len(diff)} queries changed, e.g. {diff[:5]}"
