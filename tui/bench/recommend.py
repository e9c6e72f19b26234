"""For you, measured (:mod:`tui.core.foryou`): how good, and how fast.

How good, on the bundled papers (the issue's measure): for each of three
topics, most papers with the topic in their title are kept (bookmarked) and
ten papers of other topics skipped in triage; of the top 10 the ranking then
offers, how many are of the topic (judged by words of their titles and
abstracts, :data:`TOPICS`), beside "Papers like your bookmarks"
(:func:`~tui.core.related.more_like`) on the same decisions.

How fast, at the bench's scale: the papers of one synthetic topic kept and
ten others skipped; the first training (nothing read yet), training again
after one more decision, and ranking the newest digest (a day), the last
seven days and the whole unread set, each the median of a few rounds.
"""

from __future__ import annotations

import random
import re
import shutil
import statistics
import time
from pathlib import Path

TOPICS = {  # judged by words of the title and abstract
    "compression": r"quantiz|prun|compress|distill|low-bit|binar|sparsi",
    "in-context learning": r"in-context",
    "privacy and attacks": r"privacy|private|adversarial|attack|secure|encrypt|leak",
}
ROUNDS = 5


def decide(index, library, keep=(), skip=(), read=()) -> None:
    """Keep (bookmark and read), skip (read, skipped in triage) or read papers; the index caught up."""
    papers = index.get_many([*keep, *skip, *read])
    with library.batch():
        for pid in keep:
            library.set_bookmark(pid, True, papers.get(pid))
            library.set_read(pid, True, papers.get(pid))
        for pid in skip:
            library.set_read(pid, True, papers.get(pid))
            library.visits.record_skip(pid)
        for pid in read:
            library.set_read(pid, True, papers.get(pid))
    index.catch_up(library)


def undo(index, library, ids) -> None:
    """The decisions on ``ids`` taken back (bookmark, read mark, skip)."""
    with library.batch():
        for pid in ids:
            library.set_bookmark(pid, False)
            library.set_read(pid, False)
            library.visits.clear_skip(pid)
    index.catch_up(library)


def topic_setup(index, rx: str, seed: int = 1):
    """Most papers with the topic in their title to keep, ten without it to
    skip, and whether a paper is of the topic."""
    papers = index.get_many(index.ids())
    text = {pid: (p.title + " " + p.abstract).lower() for pid, p in papers.items()}
    members = sorted(pid for pid, p in papers.items() if re.search(rx, p.title.lower()))
    rng = random.Random(seed)
    rng.shuffle(members)
    keep = members[: max(3, int(len(members) * 0.7))]
    skip = rng.sample(sorted(pid for pid in papers if not re.search(rx, text[pid])), 10)
    return keep, skip, (lambda pid: bool(re.search(rx, text.get(pid, ""))))


def quality(work: Path) -> dict:
    """The three topics on the bundled papers (an index of them built in ``work``)."""
    from ..core import foryou
    from ..core.index import Index
    from ..core.library import Library
    from ..core.paths import Paths, digest_sources
    from ..core.related import more_like

    shutil.rmtree(work, ignore_errors=True)
    paths = Paths.default(work)
    out = {}
    index, _ = Index.open(paths, sources=digest_sources(paths, bundled=True))
    library = Library.open(paths)
    try:
        for name, rx in TOPICS.items():
            keep, skip, of = topic_setup(index, rx)
            decide(index, library, keep, skip)
            ranking = foryou.rank(index, library, days=None, limit=10)
            like = more_like(index, keep, "your bookmarks", limit=10).hits[:10]
            out[name] = {"kept": len(keep), "skipped": len(skip), "for_you": sum(of(p.id) for p in ranking.picks),
                         "like_bookmarks": sum(of(h.id) for h in like), "trained_ms": round(ranking.trained_ms, 1)}
            undo(index, library, keep + skip)
    finally:
        library.close()
        index.close()
        shutil.rmtree(work, ignore_errors=True)
    return out


def speed(index, library) -> dict:
    """Training and ranking at the index's scale; the decisions made are taken back after."""
    from ..core import foryou

    kept = [h.id for h in index.search("quantization", limit=30).hits]
    skipped = [h.id for h in index.search("video", limit=40).hits if h.id not in kept][:10]
    extra = [h.id for h in index.search("pruning", limit=50).hits if h.id not in kept + skipped][:1]
    if not kept or not extra:
        return {"skipped": "too few papers about quantization and pruning"}
    decide(index, library, kept, skipped)
    try:
        t0 = time.perf_counter()
        model = foryou.train(index, library)
        first_train = time.perf_counter() - t0
        t0 = time.perf_counter()
        first = foryou.rank(index, library, days=1, limit=20, model=model)
        first_rank = time.perf_counter() - t0
        decide(index, library, extra)
        t0 = time.perf_counter()
        model = foryou.train(index, library)
        retrain = time.perf_counter() - t0
        out = {"kept": len(model.positives), "negatives": model.negatives, "terms": len(model.levels),
               "first_train_ms": round(first_train * 1000, 1), "first_rank_ms": round(first_rank * 1000, 1),
               "retrain_ms": round(retrain * 1000, 1)}
        for name, days in (("day", 1), ("week", 7), ("all", None)):
            runs, total = [], 0
            for _ in range(ROUNDS):
                t0 = time.perf_counter()
                ranking = foryou.rank(index, library, days=days, limit=20, model=model)
                runs.append((time.perf_counter() - t0) * 1000)
                total = ranking.total
            out[name] = {"papers": total, "ms": round(statistics.median(runs), 1), "max_ms": round(max(runs), 1)}
        out["day"]["first_ms"] = out["first_rank_ms"]
        out["learned"] = first.learned
        return out
    finally:
        undo(index, library, kept + skipped + extra)


def rows(row, out: dict, T: dict) -> None:
    """The report's rows of the for-you figures."""
    fy = out.get("for_you")
    if not fy:
        return
    if "error" in fy:
        row("for you", f"ERROR: {fy['error']}")
        return
    s = fy.get("speed", {})
    if s and "skipped" in s:
        row("for you at this scale", s["skipped"])
    elif s:
        row(f"for you: trained on {s['kept']} kept, {s['negatives']} others ({s['terms']} terms)",
            f"{s['first_train_ms']:.0f} ms first, {s['retrain_ms']:.0f} ms after one more decision")
        for name, what in (("day", "newest digest"), ("week", "last 7 days"), ("all", "whole unread set")):
            r = s[name]
            row(f"  ranked: {what} ({r['papers']:,} papers)", f"{r['ms']:.1f} ms median, {r['max_ms']:.1f} max",
                f"≤ {T['search_p50_ms']:.0f} ms median, ≤ {T['search_max_ms']:.0f} max",
                r["ms"] <= T["search_p50_ms"] and r["max_ms"] <= T["search_max_ms"])
    q = fy.get("quality", {})
    for topic, r in q.items():
        row(f"  for you on the bundled papers: {topic}",
            f"{r['for_you']}/10 of the topic; like bookmarks {r['like_bookmarks']}/10",
            "≥ 7/10, ≥ like bookmarks", r["for_you"] >= 7 and r["for_you"] >= r["like_bookmarks"])
