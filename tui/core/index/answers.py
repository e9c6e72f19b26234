"""What the index returns: a search's page (:class:`SearchResult` of
:class:`Hit`) and what a sync did (:class:`SyncReport`), and what it needs
of the library (:class:`LibrarySource`). Defined apart from the query
pipeline and the store so that a page can be made from the catalog alone
(see :mod:`.listing`), without importing Whoosh."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence

from ..papers import LibraryState

#: (start, end) character offsets to highlight
Spans = tuple[tuple[int, int], ...]


class IndexReplaced(Exception):
    """The index was rebuilt by another process since it was opened: nothing
    was written; open it anew (the library keeps the change to catch up)."""


class SearchStopped(Exception):
    """A search given up because its caller said so (a newer query typed)."""


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


class LibrarySource(Protocol):
    """What the index needs of the user's library (tui.core.library.Library)."""

    def index_state(self, ids: Sequence[str]) -> dict[str, LibraryState]: ...

    def generation(self) -> int: ...

    def changed_since(self, generation: int) -> list[str]: ...


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per bad digest
    papers_written: int = 0
    rebuilt: bool = False
    readonly: bool = False
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def wrote(self) -> bool:
        return bool(self.papers_written or self.added or self.changed or self.removed or self.rebuilt)
