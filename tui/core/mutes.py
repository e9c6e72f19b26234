"""Mutes: the papers the user never wants to see. The library keeps the
queries (:class:`~.library.mute_store.MuteStore`); the index says which papers
each matches (:meth:`~.index.Index.muted`, parsed as written, no typo
tolerance). A muted paper leaves every list, feed, triage and the for-you
ranking; a bookmarked paper is never hidden; a search shows them when asked
(``--include-muted``, the reader's toggle, which dims them and names the rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

from .library import InvalidMute, Mute

if TYPE_CHECKING:  # pragma: no cover
    from .index import Index
    from .library import Library


@dataclass(frozen=True)
class Muted:
    """A mute added: the rule, whether it is new, how many papers it hides now."""

    mute: Mute
    added: bool
    hides: int


def mute(library: "Library", index: "Index | None", query: str) -> Muted:
    """Mute ``query``: refused (:class:`InvalidMute`, with the parser's
    message) unless it parses; stored; how many papers it now hides."""
    from .library.mute_store import clean_mute

    query = clean_mute(query)
    matches = 0
    if index is not None:
        try:
            matches = index.check_mute(query)
        except ValueError as e:
            raise InvalidMute(f"cannot mute {query!r}: {e}") from None
    m, added = library.mutes.add(query)
    hides = len(index.muted([m.query])) if index is not None and matches else 0
    return Muted(m, added, hides)


def hidden(library: "Library | None", index: "Index | None") -> dict[str, str]:
    """``{paper id: the mute that hides it}`` now (bookmarked papers never)."""
    if library is None or index is None:
        return {}
    queries = library.mutes.queries()
    if not queries:
        return {}
    found = index.muted(queries)
    if found:  # the library is the authority on bookmarks (the index may lag a change)
        marked = {r.id for r in library.records(list(found)).values() if r.bookmarked_at}
        for pid in marked:
            found.pop(pid, None)
    return found


def visible(ids: Iterable[str], muted: dict[str, str] | set[str]) -> list[str]:
    """``ids`` without the muted ones, in order."""
    return [pid for pid in ids if pid not in muted]


def offered(terms: Sequence[str], most: int = 3) -> str:
    """The mute offered for a paper ("mute papers like this"): its first key
    terms, all of them required, so that it hides papers like it rather than
    every paper with one of its words. The user edits it before it is kept."""
    return " ".join([t for t in terms if t and t.isalnum()][:most])
