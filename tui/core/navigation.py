"""The order digests are stepped through with ``[`` and ``]``, newest first.

A digest's own date is known only when its label carries a year (API digests
are labelled ``2024-08-07``; a Daily Papers dump says ``Aug 7``). When every
digest has such a date they are ordered by it; otherwise by the time each file
was first imported (its catalog rank), and the reason is given, since ordering
``Aug 7`` against ``Mar 11`` without a year would be a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import date
from typing import Protocol, Sequence

from .digest import _iso_label


class DigestLike(Protocol):
    name: str
    label: str | None
    rank: str


@lru_cache(maxsize=4096)
def label_date(label: str | None) -> date | None:
    """The date of a label that carries a year (``2024-08-07``, ``Aug 7, 2024``), else None
    (kept: a label without a year fails seven formats, 30 µs, and a year of
    digests has hundreds of labels)."""
    iso = _iso_label(label.strip()) if label else None
    return date.fromisoformat(iso) if iso else None


@dataclass(frozen=True)
class DigestOrder:
    names: tuple[str, ...]  # newest first
    by: str                 # "label date" or "import time"
    why: str                # one line, for the user

    def step(self, current: str | None, delta: int) -> str | None:
        """The digest ``delta`` places after ``current`` (positive: older);
        from nowhere, the newest. None past either end."""
        if not self.names:
            return None
        if current not in self.names:
            return self.names[0]
        i = self.names.index(current) + delta
        return self.names[i] if 0 <= i < len(self.names) else None

    def position(self, name: str) -> tuple[int, int]:
        return self.names.index(name) + 1, len(self.names)


def digest_order(digests: Sequence[DigestLike]) -> DigestOrder:
    if not digests:
        return DigestOrder((), "import time", "no digests")
    dates = {d.name: label_date(d.label) for d in digests}
    if all(dates.values()):
        ordered = sorted(digests, key=lambda d: (dates[d.name], d.rank), reverse=True)
        return DigestOrder(tuple(d.name for d in ordered), "label date", "ordered by the date in each label")
    undated = next(d for d in digests if dates[d.name] is None)
    ordered = sorted(digests, key=lambda d: d.rank, reverse=True)
    shown = undated.label or undated.name
    why = (f"ordered by import time: the label {shown!r} has no year" if undated.label
           else f"ordered by import time: {shown!r} has no date label")
    return DigestOrder(tuple(d.name for d in ordered), "import time", why)
