"""What the library holds, as frozen values: a paper's :class:`Snapshot` and
:class:`Record`, a :class:`SavedSearch`, a :class:`TriagePosition`, and the
:class:`ImportReport` of an import. ``from_json`` validates and normalises
what an export file says, naming the first bad field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..papers import LibraryState
from ..text import strip_control
from .rules import (
    WATCH_TAG_PREFIX, InvalidSavedSearch, InvalidTag, NoteTooLong, _check_id, _clean_note, clean_query,
    normalize_search_name, normalize_tag, now_iso, parse_time,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..papers import Paper


@dataclass(frozen=True)
class Snapshot:
    """What the library remembers of a paper, for when its digest is gone."""

    title: str
    link: str | None = None
    arxiv_id: str | None = None
    labels: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # one form however it was made (from a Paper, an import, the file):
        # no control characters, each field on one line, empty optional -> None
        line = lambda v: " ".join(strip_control(v).split())  # noqa: E731
        object.__setattr__(self, "title", line(self.title or ""))
        object.__setattr__(self, "link", line(self.link or "") or None)
        object.__setattr__(self, "arxiv_id", line(self.arxiv_id or "") or None)
        object.__setattr__(self, "labels", tuple(line(x) for x in self.labels))
        object.__setattr__(self, "authors", tuple(line(x) for x in self.authors))

    @classmethod
    def of(cls, paper: "Paper") -> "Snapshot":
        return cls(
            title=paper.title, link=paper.primary_link, arxiv_id=paper.arxiv_id,
            labels=tuple(dict.fromkeys(paper.labels)), authors=tuple(paper.authors))

    def as_json(self) -> dict:
        return {"title": self.title, "link": self.link, "arxiv_id": self.arxiv_id,
                "labels": list(self.labels), "authors": list(self.authors)}

    @classmethod
    def from_json(cls, d: Any, where: str = "snapshot") -> "Snapshot":
        if not isinstance(d, dict):
            raise ValueError(f"{where}: not an object")
        return cls(
            title=_text_field(d.get("title"), f"{where}.title", single_line=True) or "",
            link=_opt_text(d.get("link"), f"{where}.link"),
            arxiv_id=_opt_text(d.get("arxiv_id"), f"{where}.arxiv_id"),
            labels=_text_list(d.get("labels", []), f"{where}.labels"),
            authors=_text_list(d.get("authors", []), f"{where}.authors"),
        )


@dataclass(frozen=True)
class Record:
    """Everything the library holds about one paper."""

    id: str
    bookmarked_at: str | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    note_created: str | None = None
    note_updated: str | None = None
    read_at: str | None = None
    snapshot: Snapshot | None = None

    @property
    def bookmarked(self) -> bool:
        return self.bookmarked_at is not None

    @property
    def read(self) -> bool:
        return self.read_at is not None

    @property
    def title(self) -> str:
        return self.snapshot.title if self.snapshot else ""

    @property
    def has_state(self) -> bool:
        return bool(self.bookmarked_at or self.tags or self.note or self.read_at)

    def state(self) -> LibraryState:
        return LibraryState(tags=self.tags, note=self.note or "", bookmarked=self.bookmarked,
                            read=self.read)

    def json_fields(self) -> dict:
        return {"bookmarked": self.bookmarked, "tags": list(self.tags), "note": self.note,
                "read": self.read}

    def as_json(self) -> dict:
        return {
            "id": self.id, "bookmarked_at": self.bookmarked_at, "tags": list(self.tags),
            "note": self.note, "note_created": self.note_created, "note_updated": self.note_updated,
            "read_at": self.read_at, "snapshot": self.snapshot.as_json() if self.snapshot else None,
        }

    @classmethod
    def from_json(cls, d: Any, where: str = "record") -> "Record":
        """A record from an export, validated and normalised; ``ValueError`` names the field."""
        if not isinstance(d, dict):
            raise ValueError(f"{where}: not an object")
        try:
            pid = _check_id(d.get("id"))
        except ValueError:
            raise ValueError(f"{where}.id: not a paper id") from None
        raw_tags = d.get("tags", [])
        if not isinstance(raw_tags, list):
            raise ValueError(f"{where}.tags: not a list")
        tags = set()
        for i, t in enumerate(raw_tags):
            try:
                tags.add(normalize_tag(strip_control(t) if isinstance(t, str) else t))
            except InvalidTag as e:
                raise ValueError(f"{where}.tags[{i}]: {e}") from None
        note = d.get("note")
        if note is not None and not isinstance(note, str):
            raise ValueError(f"{where}.note: not text")
        try:
            note = _clean_note(note) if note is not None else None
        except NoteTooLong as e:
            raise ValueError(f"{where}.note: {str(e).removesuffix('; nothing was saved')}") from None
        note_created = _opt_time(d.get("note_created"), f"{where}.note_created")
        note_updated = _opt_time(d.get("note_updated"), f"{where}.note_updated")
        if note is not None and not note.strip():
            note = None
        if note is None:
            note_created = note_updated = None
        else:
            note_updated = note_updated or note_created or now_iso()
            note_created = note_created or note_updated
        snap = d.get("snapshot")
        return cls(
            id=pid,
            bookmarked_at=_opt_time(d.get("bookmarked_at"), f"{where}.bookmarked_at"),
            tags=tuple(sorted(tags)),
            note=note, note_created=note_created, note_updated=note_updated,
            read_at=_opt_time(d.get("read_at"), f"{where}.read_at"),
            snapshot=Snapshot.from_json(snap, f"{where}.snapshot") if snap is not None else None,
        )


def _text_field(v: Any, where: str, single_line: bool = False) -> str | None:
    if v is None:
        return None
    if not isinstance(v, str):
        raise ValueError(f"{where}: not text")
    v = strip_control(v)
    return " ".join(v.split()) if single_line else v


def _opt_text(v: Any, where: str) -> str | None:
    v = _text_field(v, where, single_line=True)
    return v or None


def _text_list(v: Any, where: str) -> tuple[str, ...]:
    if not isinstance(v, list):
        raise ValueError(f"{where}: not a list")
    return tuple(_text_field(x, f"{where}[{i}]", single_line=True) or "" for i, x in enumerate(v))


def _opt_time(v: Any, where: str) -> str | None:
    if v is None:
        return None
    try:
        return parse_time(v)
    except (ValueError, TypeError):
        raise ValueError(f"{where}: not an ISO-8601 time: {str(v)[:40]!r}") from None


@dataclass(frozen=True)
class ImportReport:
    """What :meth:`Transfer.import_json` did, by paper id."""

    added: tuple[str, ...] = ()
    merged: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    notes_replaced: tuple[str, ...] = ()  # the imported note was newer
    notes_kept: tuple[str, ...] = ()      # the library's note was newer (or as new)
    # saved searches, by name
    searches_added: tuple[str, ...] = ()
    searches_updated: tuple[str, ...] = ()   # the imported one was edited later
    searches_unchanged: tuple[str, ...] = ()  # the same, or the library's was edited later
    mutes_added: tuple[str, ...] = ()  # mutes by query (those held already are left as they are)
    follows_added: tuple[str, ...] = ()  # followed authors, by name (those already followed stay)

    @property
    def changed(self) -> tuple[str, ...]:
        return self.added + self.merged

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.merged)} merged",
                 f"{len(self.unchanged)} unchanged"]
        if self.notes_replaced or self.notes_kept:
            parts.append(f"note conflicts: {len(self.notes_replaced)} took the imported (newer) note, "
                         f"{len(self.notes_kept)} kept the library's (newer)")
        if self.searches_added or self.searches_updated or self.searches_unchanged:
            parts.append(f"saved searches: {len(self.searches_added)} added, "
                         f"{len(self.searches_updated)} updated, {len(self.searches_unchanged)} unchanged")
        if self.mutes_added:
            parts.append(f"mutes: {len(self.mutes_added)} added")
        if self.follows_added:
            parts.append(f"followed authors: {len(self.follows_added)} added")
        return ", ".join(parts)


@dataclass(frozen=True)
class SavedSearch:
    """A named query. With ``watch`` on, new papers that match it are tagged
    :attr:`tag` when digests are added (``tui.core.search_watches.apply_watches``).
    ``checked_at`` is when a watch last looked at new papers (this machine
    only: it is not exported)."""

    name: str
    query: str
    watch: bool = False
    created_at: str = ""
    updated_at: str = ""
    checked_at: str | None = None

    @property
    def tag(self) -> str:
        return WATCH_TAG_PREFIX + self.name

    def as_json(self) -> dict:
        return {"name": self.name, "query": self.query, "watch": self.watch,
                "created_at": self.created_at, "updated_at": self.updated_at}

    @classmethod
    def from_json(cls, d: Any, where: str = "saved search") -> "SavedSearch":
        """From an export, validated; ``ValueError`` names the field."""
        if not isinstance(d, dict):
            raise ValueError(f"{where}: not an object")
        try:
            name = normalize_search_name(d.get("name"))
        except InvalidSavedSearch as e:
            raise ValueError(f"{where}.name: {e}") from None
        try:
            query = clean_query(d.get("query"))
        except InvalidSavedSearch as e:
            raise ValueError(f"{where}.query: {e}") from None
        watch = d.get("watch", False)
        if not isinstance(watch, bool):
            raise ValueError(f"{where}.watch: not true or false")
        created = _opt_time(d.get("created_at"), f"{where}.created_at")
        updated = _opt_time(d.get("updated_at"), f"{where}.updated_at")
        updated = updated or created or now_iso()
        return cls(name, query, watch, created or updated, updated)


@dataclass(frozen=True)
class TriagePosition:
    """Where triage of a digest was left: the paper (by id) and/or its place
    in the digest (0-based), so a caller can fall back to the place when the
    paper is gone from a changed digest."""

    digest: str
    paper_id: str | None
    index: int | None
    updated_at: str
