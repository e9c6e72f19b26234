"""The Paper model and the merge of digest entries into papers.

The same paper appears in many digests; entries are merged by
:func:`tui.core.text.title_key`. A paper's id is::

    sha256(title_key(title).encode("utf-8")).hexdigest()[:12]

12 hex digits, the same on every machine and run. Bookmarks, tags and notes
hang on it, so it must never change: the key function is versioned with the
parser, and a change to it would need a migration of the library.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Iterable

from .digest import SIGNALS, Digest, Entry
from .links import Link, paper_links
from .text import title_key


@dataclass(frozen=True)
class LibraryState:
    """What the user's library knows of one paper, as the index needs it."""

    tags: tuple[str, ...] = ()
    note: str = ""
    bookmarked: bool = False
    read: bool = False


def paper_id(title: str) -> str:
    """The stable id of the paper with this title."""
    return hashlib.sha256(title_key(title).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Appearance:
    digest: str
    label: str | None
    position: int
    total: int

    def describe(self) -> str:
        """``Aug 7 · 3 of 100``; the digest name stands in for a missing label."""
        return f"{self.label or self.digest} · {self.position} of {self.total}"

    def as_json(self) -> dict:
        return {"digest": self.digest, "label": self.label, "position": self.position, "total": self.total}

    @classmethod
    def from_json(cls, d: dict) -> "Appearance":
        return cls(d["digest"], d.get("label"), d["position"], d["total"])


@dataclass(frozen=True)
class Paper:
    id: str
    title: str
    abstract: str
    arxiv_id: str | None = None
    authors: tuple[str, ...] = ()
    upvotes: int | None = None
    published: str | None = None
    appearances: tuple[Appearance, ...] = field(default=())
    # the community's signals, from the newest API digest that has each (None: unknown)
    comments: int | None = None
    github: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] | None = None

    @property
    def links(self) -> list[Link]:
        return paper_links(self.title, self.abstract, self.arxiv_id, self.github, self.project_page)

    @property
    def primary_link(self) -> str:
        return self.links[0].url

    @property
    def labels(self) -> list[str]:
        return [a.label or a.digest for a in self.appearances]

    def as_json(self) -> dict:
        return {
            "id": self.id, "title": self.title, "abstract": self.abstract,
            "arxiv_id": self.arxiv_id, "authors": list(self.authors), "upvotes": self.upvotes,
            "published": self.published,
            "comments": self.comments,
            "github": {"url": self.github, "stars": self.github_stars} if self.github else None,
            "project_page": self.project_page, "ai_summary": self.ai_summary,
            "ai_keywords": list(self.ai_keywords) if self.ai_keywords is not None else None,
            "digests": [a.as_json() for a in self.appearances],
            "links": [link.as_json() for link in self.links],
        }


def merge_entries(pid: str, items: Iterable[tuple[Entry, Appearance]]) -> Paper | None:
    """One paper from all its entries (in corpus order, oldest digest first).

    The title and abstract of an entry with an arXiv id (an API digest) win over
    a text dump's; otherwise the first title and the longest abstract. arXiv id
    and authors are kept when any source had them. Each community signal
    (upvotes, comments, GitHub repository with its stars, project page, AI
    summary and keywords) comes from the newest entry that has it: the newest
    API digest's counts win, since they only grow while a paper is current.
    """
    items = list(items)
    if not items:
        return None
    entries = [e for e, _ in items]
    rich = [e for e in entries if e.arxiv_id]
    title_src = rich[0] if rich else entries[0]
    abstract = max((e.abstract for e in (rich or entries)), key=len)
    if not abstract:
        abstract = max((e.abstract for e in entries), key=len)
    authors = max((e.authors for e in entries), key=len)
    published = next((e.published for e in rich if e.published), None) or next(
        (e.published for e in entries if e.published), None)
    return Paper(
        id=pid, title=title_src.title, abstract=abstract,
        arxiv_id=rich[0].arxiv_id if rich else None, authors=tuple(authors),
        upvotes=_newest(entries, "upvotes"), published=published,
        appearances=tuple(a for _, a in items), **_signals(entries),
    )


def _newest(entries: list[Entry], name: str):
    return next((v for e in reversed(entries) if (v := getattr(e, name)) is not None), None)


def _signals(entries: list[Entry]) -> dict:
    """The signals of the newest entries that have them; the stars go with the
    repository they belong to."""
    out = {name: _newest(entries, name) for name in SIGNALS}
    repo = next((e for e in reversed(entries) if e.github), None)
    out["github_stars"] = repo.github_stars if repo else None
    return out


def merge_digests(digests: Iterable[Digest]) -> list[Paper]:
    """All papers of these digests (given oldest first), in order of first appearance."""
    groups: dict[str, list[tuple[Entry, Appearance]]] = {}
    for d in digests:
        total = len(d.entries)
        for e in d.entries:
            groups.setdefault(paper_id(e.title), []).append(
                (e, Appearance(d.name, d.label, e.position, total)))
    return [p for pid, items in groups.items() if (p := merge_entries(pid, items))]
