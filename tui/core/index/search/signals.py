"""The community's signals in queries: ``upvotes:`` ranges and the orders a
search can be sorted in.

``upvotes:50`` (exactly), ``upvotes:>50``, ``upvotes:>=50``, ``upvotes:<10``,
``upvotes:<=10`` and ``upvotes:10..50`` (both ends included; ``10..`` and
``..50`` leave one open) become a :class:`~.docsets.ColumnRange` of the
``votes`` column wherever they stand in a query (``transformer
upvotes:>=50``, ``NOT upvotes:<5``). Papers whose upvotes are unknown (text
digests) are in no range.
"""

from __future__ import annotations

import re

from whoosh import query as wq
from whoosh.qparser import TaggingPlugin, syntax

from ..build.schema import MAX_VOTES, VOTES
from .leaves import ColumnRange

SORTS = ("relevance", "newest", "upvotes", "for-you")  # for-you: an order the caller gives (tui.core.foryou)

_RANGE_RE = re.compile(r"(?:(?P<op>[<>]=?|=)?(?P<low>\d{1,10})(?P<dots>\.\.(?P<high>\d{1,10})?)?"
                       r"|\.\.(?P<upto>\d{1,10}))$")
_FIELD_RE = re.compile(r"(?i)(?<![\w:])upvotes:([^\s)]*)")


def check_sort(sort: str) -> None:
    """A ValueError unless ``sort`` is one of :data:`SORTS` (a caller's mistake,
    never damage to the index)."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")


def parse_range(spec: str) -> tuple[int, int] | None:
    """``>=50`` -> (50, MAX_VOTES); ``10..50`` -> (10, 50); None if not a range."""
    m = _RANGE_RE.match(spec)
    if not m:
        return None
    if m.group("upto"):
        return 0, min(int(m.group("upto")), MAX_VOTES)
    n = min(int(m.group("low")), MAX_VOTES)
    if m.group("dots"):
        if m.group("op"):
            return None
        return n, min(int(m.group("high")), MAX_VOTES) if m.group("high") else MAX_VOTES
    op = m.group("op") or "="
    return {"=": (n, n), ">": (n + 1, MAX_VOTES), ">=": (n, MAX_VOTES),
            "<": (0, n - 1), "<=": (0, n)}[op]


def range_note(text: str) -> str | None:
    """A note for an ``upvotes:`` that is not followed by a range."""
    if "upvotes:" in text.lower() and any(parse_range(spec) is None for spec in _FIELD_RE.findall(text)):
        return "upvotes: takes a number or a range: upvotes:50, upvotes:>=50, upvotes:<10, upvotes:10..50"
    return None


class UpvotesPlugin(TaggingPlugin):
    """``upvotes:<range>`` in the query parser, before field names are read."""

    priority = -1

    def __init__(self):
        TaggingPlugin.__init__(self, r"(?i)upvotes:(?P<spec>[<>=.\d]+)(?=$|[\s)])")

    def create(self, parser, match):
        bounds = parse_range(match.group("spec"))
        return _RangeNode(match.group(0), bounds)


class _RangeNode(syntax.SyntaxNode):
    def __init__(self, original: str, bounds: tuple[int, int] | None):
        self.original = original
        self.bounds = bounds

    def r(self):
        return self.original

    def query(self, parser):
        if self.bounds is None or self.bounds[0] > self.bounds[1]:
            return wq.NullQuery
        return ColumnRange(VOTES, *self.bounds)
