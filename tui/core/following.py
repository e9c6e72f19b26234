"""Following the people behind the papers: which papers are by a followed
author, ``is:followed`` in a search, the Following feed, and the new papers
by followed authors that an opening announces (as watches are).

The followed names are the library's (:class:`~.library.follows.FollowStore`,
matched by :func:`~.library.follows.name_key`: no case, no accents). Nothing
is stored per paper: a paper is by a followed author when one of its authors'
keys is followed, worked out when it is searched or listed, so following
someone needs no re-indexing and reindex keeps nothing to lose.

* :func:`by_followed` -- the followed authors of a paper.
* :func:`followed_query` -- a query for the papers of some names:
  ``(author:"jose garcia" OR ...)``; :func:`expand_followed` puts it in place
  of ``is:followed`` in a user's query (the index does, when it is given the
  names).
* :func:`known_spelling` -- the spelling the papers use for a name typed
  without accents (``jose garcia`` -> ``José García``).
* :func:`followed_papers` -- the Following feed: papers by followed authors,
  newest first.
* :func:`announce` -- of the papers a sync brought in, those by followed
  authors, by name.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable, Sequence

from .library.follows import name_key

if TYPE_CHECKING:  # pragma: no cover
    from .index import Index
    from .library import Library
    from .papers import Paper

FEED_LIMIT = 500   # papers the Following feed lists at most
#: the Following feed's name where a digest's name goes (in the Digests pane,
#: a feed in the Search pane, triage): a slash, which no digest file's name has
FEED = "/following"
FEED_LABEL = "Following"
_IS_FOLLOWED_RE = re.compile(r"(?<![\w:])is_?:followed\b", re.IGNORECASE)


def by_followed(paper: "Paper", keys: set[str]) -> list[str]:
    """The authors of ``paper`` whose name is followed, as the paper spells them."""
    if not keys:
        return []
    return [a for a in paper.authors if name_key(a) in keys]


def followed_query(names: Iterable[str]) -> str:
    """``(author:"w1 w2" OR author:"w3")`` for ``names``; ``""`` for none."""
    words = sorted({name_key(n) for n in names} - {""})
    if not words:
        return ""
    return "(" + " OR ".join(f'author:"{w}"' for w in words) + ")"


def expand_followed(query: str, names: Sequence[str]) -> str:
    """``query`` with each ``is:followed`` replaced by :func:`followed_query`
    of ``names`` (left as it is, matching nothing, when none is followed)."""
    if "followed" not in query.lower() or not names:
        return query
    found = followed_query(names)
    return _IS_FOLLOWED_RE.sub(lambda m: found, query) if found else query


def known_spelling(index: "Index", name: str) -> str | None:
    """The spelling of ``name`` the papers use (accents and case as written
    there), or None when no paper has an author of that name."""
    key = name_key(name)
    query = followed_query([name])
    if not query:
        return None
    res = index.search(query, limit=50)
    for p in index.get_many([h.id for h in res.hits]).values():
        for a in p.authors:
            if name_key(a) == key:
                return a
    return None


def followed_papers(index: "Index", library: "Library", limit: int = FEED_LIMIT) -> list[str]:
    """Ids of the papers by followed authors, newest first (the Following feed)."""
    keys = library.follows.keys()
    query = followed_query(keys)
    if not query:
        return []
    res = index.search(query, limit=min(limit * 2, 1000), sort="newest")
    papers = index.get_many([h.id for h in res.hits])
    out = [h.id for h in res.hits if h.id in papers and by_followed(papers[h.id], keys)]
    return out[:limit]


def announce(index: "Index", library: "Library", new_ids: Iterable[str]) -> list[tuple[str, list[str]]]:
    """Of ``new_ids`` (papers a sync brought in), those by followed authors:
    ``[(name as followed, [paper ids]), ...]``, by name."""
    follows = {f.key: f.name for f in library.follows.all()}
    new = list(dict.fromkeys(new_ids))
    if not follows or not new:
        return []
    found: dict[str, list[str]] = {}
    papers = index.get_many(new)
    for pid in new:
        p = papers.get(pid)
        if p is None:
            continue
        for a in p.authors:
            k = name_key(a)
            if k in follows and pid not in found.get(k, []):
                found.setdefault(k, []).append(pid)
    return [(follows[k], ids) for k, ids in sorted(found.items(), key=lambda kv: follows[kv[0]].casefold())]
