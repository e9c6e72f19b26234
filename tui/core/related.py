"""More like this: papers that share the key terms of one paper, or of a set
of papers (the bookmarks, or those with a tag).

Key terms are the words of the titles and abstracts that are frequent there and
rare in the corpus (Whoosh's Bo1 model over the index's own statistics). Each
hit carries the key terms it shares, in words as they were written, so the
reader can say why a paper is shown."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from .index import TEXT_ANALYZER, Hit, Index

NUM_TERMS = 14
LIMIT = 50
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


@dataclass(frozen=True)
class Related:
    about: str                      # "Swin Transformer: …" or "your bookmarks tagged vision"
    terms: tuple[str, ...]          # the key terms searched, as written
    hits: tuple[Hit, ...]
    shared: dict[str, tuple[str, ...]] = field(default_factory=dict)  # paper id -> shared key terms


def _surface_forms(text: str) -> dict[str, str]:
    """Analysed term -> the first word of ``text`` that gives it."""
    out: dict[str, str] = {}
    for word in _WORD.findall(text):
        for token in TEXT_ANALYZER(word):
            out.setdefault(token.text, word.lower())
    return out


def more_like(index: Index, source_ids: Sequence[str], about: str, limit: int = LIMIT) -> Related:
    """Papers like the papers ``source_ids`` (which are left out of the answer)."""
    papers = index.get_many(list(source_ids)[:200])
    text = "\n".join(f"{p.title}\n{p.title}\n{p.abstract}" for p in papers.values())
    if not text.strip():
        return Related(about, (), ())
    weighted, found = index.similar(text, list(source_ids), limit, NUM_TERMS)
    if not weighted:
        return Related(about, (), ())
    forms = _surface_forms(text)
    hits, shared = [], {}
    for pid, score, matched in found:
        words = []
        for term in matched:
            word = forms.get(term)
            if word and word not in words:
                words.append(word)
        hits.append((pid, score))
        shared[pid] = tuple(words)
    titles = index.titles([pid for pid, _ in hits])
    terms = tuple(dict.fromkeys(forms.get(t, t) for t, _ in weighted))
    return Related(about, terms, tuple(Hit(pid, score, titles.get(pid, ""), ()) for pid, score in hits), shared)
