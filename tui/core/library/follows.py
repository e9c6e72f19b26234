"""The authors the user follows, by the key of their name (:func:`name_key`:
casefolded, without accents, spacing and punctuation made one space), so
that ``jose garcia`` follows "José García". Written in the same kind of
transaction as the papers' state but bump no generation: whether a paper is
by a followed author is worked out when it is searched or listed
(``tui.core.following``), never stored per paper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from ..text import fold, strip_control
from .db import Database
from .rules import now_iso

MAX_NAME_CHARS = 200
_SEPARATORS_RE = re.compile(r"[\s.,;:'\"`()\[\]{}_\-‐-―]+")


def name_key(name: str) -> str:
    """``"José  García"`` -> ``"jose garcia"``: casefolded, accents dropped,
    spaces and punctuation between the words made one space."""
    return _SEPARATORS_RE.sub(" ", fold(strip_control(name or ""))).strip()


def clean_name(name: str) -> str:
    """A name as shown: control characters, quotes and extra spaces removed;
    ``ValueError`` for one with no letters or too long."""
    text = re.sub(r"\s+", " ", strip_control(name or "").replace('"', "")).strip()
    if not name_key(text):
        raise ValueError(f"{name!r} is not a name")
    if len(text) > MAX_NAME_CHARS:
        raise ValueError(f"a name of more than {MAX_NAME_CHARS} characters")
    return text


@dataclass(frozen=True)
class Follow:
    name: str          # as shown (the spelling the papers use, when one was known)
    followed_at: str   # ISO-8601 UTC

    @property
    def key(self) -> str:
        return name_key(self.name)

    def as_json(self) -> dict:
        return {"name": self.name, "followed_at": self.followed_at}

    @classmethod
    def from_json(cls, d: Any, where: str = "follows") -> "Follow":
        if not isinstance(d, dict) or not isinstance(d.get("name"), str) or not isinstance(d.get("followed_at"), str):
            raise ValueError(f"{where}: expected {{\"name\": text, \"followed_at\": time}}")
        try:
            return cls(clean_name(d["name"]), d["followed_at"])
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from None


class FollowStore:
    """Followed authors, in ``db``."""

    def __init__(self, db: Database):
        self.db = db

    def all(self) -> list[Follow]:
        """Every followed author, by name."""
        rows = self.db.read("SELECT name, followed_at FROM follows ORDER BY key")
        return [Follow(n, t) for n, t in rows]

    def keys(self) -> set[str]:
        return {k for (k,) in self.db.read("SELECT key FROM follows")}

    def follow(self, name: str) -> tuple[Follow, bool]:
        """Follow ``name`` (as :func:`clean_name` has it); (the follow, whether
        it is new). Following a name already followed keeps the first."""
        name = clean_name(name)
        key = name_key(name)
        with self.db.batch():
            rows = self.db.execute("SELECT name, followed_at FROM follows WHERE key=?", (key,)).fetchall()
            if rows:
                return Follow(*rows[0]), False
            now = now_iso()
            self.db.execute("INSERT INTO follows (key, name, followed_at) VALUES (?,?,?)", (key, name, now))
            return Follow(name, now), True

    def unfollow(self, name: str) -> Follow | None:
        """Stop following ``name`` (any case, any accents); the follow that
        ended, or None when it was not followed."""
        key = name_key(name)
        with self.db.batch():
            rows = self.db.execute("SELECT name, followed_at FROM follows WHERE key=?", (key,)).fetchall()
            if not rows:
                return None
            self.db.execute("DELETE FROM follows WHERE key=?", (key,))
            return Follow(*rows[0])

    def merge(self, follows: Iterable[Follow]) -> list[str]:
        """Add the follows not yet followed (inside the caller's transaction:
        an import); the names added."""
        added = []
        for f in follows:
            if not self.db.execute("SELECT 1 FROM follows WHERE key=?", (f.key,)).fetchall():
                self.db.execute("INSERT INTO follows (key, name, followed_at) VALUES (?,?,?)",
                                (f.key, f.name, f.followed_at))
                added.append(f.name)
        return added
