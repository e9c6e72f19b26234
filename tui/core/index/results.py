"""What a search returns (:class:`SearchResult`, a page of :class:`Hit`),
defined apart from the query pipeline so that a page can be made from the
catalog alone (see :mod:`.listing`), without importing Whoosh."""

from __future__ import annotations

from dataclasses import dataclass

#: (start, end) character offsets to highlight
Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    title: str
    title_spans: Spans
    fragment: str = ""
    fragment_spans: Spans = ()


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    hits: tuple[Hit, ...]
    offset: int = 0
    terms: frozenset[str] = frozenset()  # analysed terms to highlight
    suggestion: str | None = None  # "did you mean"
    notes: tuple[str, ...] = ()  # e.g. "query shortened", "typo tolerance used"
    elapsed_ms: float = 0.0
