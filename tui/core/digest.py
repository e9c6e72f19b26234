"""Digest files -> :class:`Digest` (entries in page order, plus problems).

Two formats, chosen by content (the extension only breaks ties):

* the text dump of the Daily Papers page: boilerplate at the top, an optional
  date label (``Aug 7``), then title and abstract lines, with or without blank
  lines between them;
* the JSON of the Daily Papers API: a list of ``{"paper": {...}}`` entries, or a
  flat list of ``{"title", "summary"|"abstract", "id"?}`` objects.

An API entry also carries the community's signals, kept on :class:`Entry`:
upvotes, number of comments, GitHub repository and its stars, project page,
AI summary and AI keywords. API text is untrusted: it is cleaned like any
other text, numbers are read leniently (``17``, ``"17"``, ``"1.2k"``), URLs
are kept only when they are http(s) (the repository only on github.com), and
an odd entry (``paper`` not an object, no title) is skipped and reported as a
problem of the digest with its position, never failing the whole file.

A file that cannot be read as a digest raises :class:`DigestError`, whose
message is one line naming the file. Lines that cannot be placed with
confidence are reported as :class:`Problem` (file:line + message), never
silently mis-paired.

A digest's label is its date label; a day saved by ``papers fetch``
(``daily_papers_YYYY-MM-DD``) is labelled with that day, the day asked for,
whatever dates its items carry; a sample digest shipped with the program
that has none is labelled by its place among them (``Sample digest 2``), so
no front end shows its file name (``001_eb4508a80e02266c``) in its place.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from .links import github_repo_url, web_url
from .paths import BUNDLED_DIGESTS, DIGEST_SUFFIXES
from .text import clean, strip_control

#: Bumped whenever parsing changes what a file yields (forces a re-index).
PARSER_VERSION = 8

MAX_BYTES = 64 * 1024 * 1024


class DigestError(Exception):
    """A file that is not a usable digest. ``str(err)`` is one line naming the file."""

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based line in the file (entry number for JSON)
    message: str

    def format(self, path: Path | str) -> str:
        return f"{path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Entry:
    position: int  # 1-based, page order
    title: str
    abstract: str
    arxiv_id: str | None = None
    authors: tuple[str, ...] = ()
    upvotes: int | None = None
    published: str | None = None  # ISO date when the source knows it
    line: int = 0
    # the community's signals (API digests only; None when unknown)
    comments: int | None = None
    github: str | None = None  # an https://github.com/... repository
    github_stars: int | None = None
    project_page: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] | None = None

    def as_json(self) -> dict:
        return {
            "position": self.position, "title": self.title, "abstract": self.abstract,
            "arxiv_id": self.arxiv_id, "authors": list(self.authors),
            "upvotes": self.upvotes, "published": self.published, "line": self.line,
            **signals_json(self),
        }

    @classmethod
    def from_json(cls, d: dict) -> "Entry":
        return cls(
            position=d["position"], title=d["title"], abstract=d["abstract"],
            arxiv_id=d.get("arxiv_id"), authors=tuple(d.get("authors") or ()),
            upvotes=d.get("upvotes"), published=d.get("published"), line=d.get("line", 0),
            **signals_kwargs(d),
        )


#: The signals beside ``upvotes`` that an entry and a paper carry, by attribute name.
SIGNALS = ("comments", "github", "github_stars", "project_page", "ai_summary", "ai_keywords")


def signals_json(obj) -> dict:
    """The known :data:`SIGNALS` of an Entry or Paper as JSON values, for
    storage (an unknown one is left out)."""
    out = {name: v for name in SIGNALS if (v := getattr(obj, name)) is not None}
    if "ai_keywords" in out:
        out["ai_keywords"] = list(out["ai_keywords"])
    return out


def signals_kwargs(d: dict) -> dict:
    """Keyword arguments for Entry or Paper from what :func:`signals_json` stored."""
    out = {name: d.get(name) for name in SIGNALS}
    if out["ai_keywords"] is not None:
        out["ai_keywords"] = tuple(out["ai_keywords"])
    return out


@dataclass(frozen=True)
class Digest:
    name: str
    path: Path
    label: str | None
    format: str  # "text" or "json"
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...] = field(default=())

    @property
    def date(self) -> str | None:
        """ISO date when the label carries a year (API digests), else None."""
        if self.label and re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.label):
            return self.label
        return None


# --- reading -----------------------------------------------------------------

def read_text(path: Path) -> str:
    """Bytes of a digest file as text, or DigestError for empty/binary/non-UTF-8,
    too large, or not a regular file (a FIFO or a device would block or never
    end): at most :data:`MAX_BYTES` and one more byte are read."""
    try:
        if path.is_dir():
            raise DigestError(path, "is a directory, not a digest file")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO opens without waiting
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise DigestError(path, "is not a regular file (a pipe, a device or a socket); "
                                        "give a digest file, or - for stdin")
            if st.st_size > MAX_BYTES:
                raise DigestError(path, f"too large for a digest ({st.st_size // (1024 * 1024)} MB)")
            data = f.read(MAX_BYTES + 1)  # it may have grown since
        if len(data) > MAX_BYTES:
            raise DigestError(path, f"too large for a digest (more than {MAX_BYTES // (1024 * 1024)} MB)")
    except DigestError:
        raise
    except FileNotFoundError:
        raise DigestError(path, "no such file") from None
    except OSError as e:
        raise DigestError(path, f"cannot be read ({e.strerror or e})") from None
    return decode(path, data)


def decode(path: Path, data: bytes) -> str:
    if not data.strip():
        raise DigestError(path, "is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DigestError(path, "is UTF-16; save it as UTF-8")
    if b"\x00" in data[:8192]:
        raise DigestError(path, "is a binary file, not a text or JSON digest")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DigestError(
            path, f"is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start})"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DigestError(path, "is empty")
    return text


def parse_file(path: Path | str, name: str | None = None) -> Digest:
    """Parse one digest file (either format)."""
    path = Path(path)
    return parse_text(read_text(path), path, name)


def parse_text(text: str, path: Path | str, name: str | None = None) -> Digest:
    """Parse already-decoded digest content; ``path`` is used for naming and errors."""
    path = Path(path)
    digest = _parse(text, path, name or path.stem)
    if digest.label is None and (label := sample_label(path)):
        digest = replace(digest, label=label)
    return digest


def sample_label(path: Path) -> str | None:
    """``Sample digest N`` for the N-th sample digest shipped with the program
    (in name order, as they are indexed); None for any other file."""
    try:
        path = path.resolve()
        if path.parent != BUNDLED_DIGESTS:
            return None
        names = sorted(p.name for p in BUNDLED_DIGESTS.iterdir() if p.suffix.lower() in DIGEST_SUFFIXES)
    except OSError:
        return None
    return f"Sample digest {names.index(path.name) + 1}" if path.name in names else None


def _parse(text: str, path: Path, name: str) -> Digest:
    stripped = text.lstrip("\ufeff \t\n")
    if stripped[:1] in "[{":
        try:
            data = json.loads(stripped)
        except (json.JSONDecodeError, RecursionError) as e:
            if path.suffix.lower() == ".json" or stripped[:2] in ("[{", "[\n", "{\""):
                msg = getattr(e, "msg", "too deeply nested")
                where = f" at line {e.lineno} column {e.colno}" if hasattr(e, "lineno") else ""
                raise DigestError(path, f"invalid JSON: {msg}{where}") from None
        else:
            return _parse_json(data, path, name)
    elif path.suffix.lower() == ".json":
        raise DigestError(path, "invalid JSON: expected a list of papers")
    return _parse_dump(text, path, name)


# --- JSON (Daily Papers API) ---------------------------------------------------

_ARXIV_RE = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$")


def _str(v) -> str:
    return v if isinstance(v, str) else ""


def _first(key: str, *objs: dict):
    """The value of ``key`` in the first object that has it (not None)."""
    return next((o[key] for o in objs if o.get(key) is not None), None)


def _shown(v) -> str:
    return repr(v)[:40]


_COUNT_RE = re.compile(r"(\d{1,12}(?:\.\d{1,6})?)\s*([kKmM]?)")
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:,\d{3})+")
MAX_COUNT = 10**12
# What one paper may hold: no real paper comes near (the longest titles run to
# ~300 characters, abstracts to ~4,000, author lists to a few thousand names),
# and a digest that goes past them would make every list and search slow.
MAX_TITLE_CHARS = 1000
MAX_ABSTRACT_CHARS = 20_000
MAX_AUTHORS = 5000
MAX_AUTHOR_CHARS = 300
MAX_SUMMARY_CHARS = 5000
MAX_KEYWORDS = 50
MAX_KEYWORD_CHARS = 100


def _count(v) -> int:
    """A non-negative count read leniently: ``17``, ``17.0``, ``"17"``,
    ``"1,234"``, ``"1.2k"``, ``"3M"``; ValueError for anything else."""
    if isinstance(v, bool):
        raise ValueError
    if isinstance(v, int):
        n = v
    elif isinstance(v, float) and v == v and v not in (float("inf"), float("-inf")):
        n = int(v)
    elif isinstance(v, str):
        text = v.strip()
        if _THOUSANDS_RE.fullmatch(text):
            text = text.replace(",", "")
        m = _COUNT_RE.fullmatch(text)
        if not m:
            raise ValueError
        n = round(float(m.group(1)) * {"": 1, "k": 1000, "m": 1000_000}[m.group(2).lower()])
    else:
        raise ValueError
    if not 0 <= n <= MAX_COUNT:
        raise ValueError
    return n


class _Fields:
    """Reads the optional fields of API entry ``i``; what it cannot use is
    left out and reported as a problem of the digest."""

    def __init__(self, i: int, problems: list[Problem], *objs: dict):
        self.i, self.problems, self.objs = i, problems, objs

    def _bad(self, key: str, v, what: str) -> None:
        self.problems.append(Problem(self.i, f"entry {self.i}: {key} {_shown(v)} is not {what}; ignored"))

    def count(self, key: str) -> int | None:
        v = _first(key, *self.objs)
        if v is None:
            return None
        try:
            return _count(v)
        except ValueError:
            self._bad(key, v, "a count")
            return None

    def url(self, key: str, check, what: str) -> str | None:
        v = _first(key, *self.objs)
        if v is None or v == "":
            return None
        url = check(v) if isinstance(v, str) else None
        if url is None:
            self._bad(key, v, what)
        return url

    def _typed(self, key: str, kind: type, what: str):
        """The value of ``key`` if it is a ``kind`` (else reported), or None."""
        v = _first(key, *self.objs)
        if v is not None and not isinstance(v, kind):
            self._bad(key, v, what)
            return None
        return v

    def text(self, key: str) -> str | None:
        v = self._typed(key, str, "text")
        return (clean(v)[:MAX_SUMMARY_CHARS] or None) if v is not None else None

    def words(self, key: str) -> tuple[str, ...] | None:
        v = self._typed(key, list, "a list of words")
        if v is None:
            return None
        seen: dict[str, str] = {}
        for w in v:
            word = clean(w)[:MAX_KEYWORD_CHARS] if isinstance(w, str) else ""
            if word and word.casefold() not in seen:
                seen[word.casefold()] = word
        return tuple(seen.values())[:MAX_KEYWORDS]

    def authors(self, key: str) -> tuple[str, ...]:
        v = self._typed(key, list, "a list of authors") or ()
        if len(v) > MAX_AUTHORS:
            self.problems.append(Problem(self.i, f"entry {self.i}: {len(v):,} authors; the first {MAX_AUTHORS:,} kept"))
            v = v[:MAX_AUTHORS]
        names = [clean(a.get("name") if isinstance(a, dict) else a if isinstance(a, str) else "") for a in v]
        if any(len(n) > MAX_AUTHOR_CHARS for n in names):
            self.problems.append(Problem(self.i, f"entry {self.i}: an author's name of more than "
                                                 f"{MAX_AUTHOR_CHARS} characters; cut there"))
            names = [n[:MAX_AUTHOR_CHARS] for n in names]
        return tuple(n for n in names if n)


def _iso_day(v) -> str | None:
    m = re.match(r"(\d{4}-\d{2}-\d{2})", _str(v).strip())
    return m.group(1) if m else None


def _parse_json(data, path: Path, name: str) -> Digest:
    if isinstance(data, dict):
        for key in ("papers", "items", "data", "results"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            if "title" in data or "paper" in data:
                data = [data]
            else:
                raise DigestError(path, "JSON is an object without a list of papers")
    if not isinstance(data, list):
        raise DigestError(path, "JSON is not a list of papers")
    entries: list[Entry] = []
    problems: list[Problem] = []
    days: dict[str, int] = {}
    for i, item in enumerate(data, 1):
        entry = _json_entry(i, item, problems, len(entries) + 1)
        if entry is None:
            continue
        entries.append(entry)
        # the day it was on Daily Papers (the item's date) names the digest,
        # else the paper's own date
        day = (_iso_day(item.get("publishedAt")) if "paper" in item else None) or entry.published
        if day:
            days[day] = days.get(day, 0) + 1
    if not entries:
        raise DigestError(path, "has no papers (no entry with a title)")
    label = _fetched_day(name) or (max(days, key=lambda d: (days[d], d)) if days else None)
    return Digest(name, path, label, "json", tuple(entries), tuple(problems))


_FETCHED_RE = re.compile(r"daily_papers_(\d{4}-\d{2}-\d{2})", re.IGNORECASE)


def _fetched_day(name: str) -> str | None:
    """The day of a digest named as ``papers fetch`` saves a day, else None."""
    m = _FETCHED_RE.fullmatch(name)
    try:
        return datetime.strptime(m.group(1), "%Y-%m-%d").date().isoformat() if m else None
    except ValueError:
        return None


def _json_entry(i: int, item, problems: list[Problem], position: int) -> Entry | None:
    """Entry ``i`` of an API digest, or None (skipped, with a problem)."""
    if not isinstance(item, dict):
        problems.append(Problem(i, f"entry {i} is not an object; skipped"))
        return None
    if "paper" in item and not isinstance(item["paper"], dict):
        problems.append(Problem(i, f"entry {i}: paper is not an object; skipped"))
        return None
    paper = item.get("paper", item)
    title = clean(_str(paper.get("title")) or _str(item.get("title")))
    abstract = clean(
        _str(paper.get("summary")) or _str(paper.get("abstract"))
        or _str(item.get("summary")) or _str(item.get("abstract")),
        keep_newlines=True,
    )
    if not title:
        problems.append(Problem(i, f"entry {i} has no title; skipped"))
        return None
    if len(title) > MAX_TITLE_CHARS:
        problems.append(Problem(i, f"entry {i}: a title of {len(title):,} characters (at most "
                                   f"{MAX_TITLE_CHARS:,}); skipped"))
        return None
    if len(abstract) > MAX_ABSTRACT_CHARS:
        problems.append(Problem(i, f"entry {i}: an abstract of {len(abstract):,} characters; cut at "
                                   f"{MAX_ABSTRACT_CHARS:,}"))
        abstract = abstract[:MAX_ABSTRACT_CHARS]
    arxiv = strip_control(_str(paper.get("id")) or _str(item.get("id"))).strip()
    if arxiv and not _ARXIV_RE.match(arxiv):
        problems.append(Problem(i, f"entry {i}: id {arxiv[:40]!r} is not an arXiv id; ignored"))
        arxiv = ""
    if not abstract:
        problems.append(Problem(i, f"entry {i} ({title[:50]!r}) has no abstract"))
    f = _Fields(i, problems, paper, item)
    github = f.url("githubRepo", github_repo_url, "a GitHub repository URL")
    return Entry(
        position=position, title=title, abstract=abstract, arxiv_id=arxiv or None,
        authors=f.authors("authors"), upvotes=f.count("upvotes"),
        published=_iso_day(paper.get("publishedAt")) or _iso_day(item.get("publishedAt")), line=i,
        comments=_Fields(i, problems, item, paper).count("numComments"),
        github=github, github_stars=f.count("githubStars") if github else None,
        project_page=f.url("projectPage", web_url, "an http(s) URL"),
        ai_summary=f.text("ai_summary"), ai_keywords=f.words("ai_keywords"),
    )


# --- text dump ---------------------------------------------------------------

_BOILERPLATE = {
    "new", "subscribe", "daily papers", "get trending papers in your email inbox!",
    "get trending papers in your email inbox once a day!", "trending papers",
    "subscribe to daily papers",
}
_BOILER_PREFIX_RE = re.compile(
    r"^(?i:subscribe|daily papers|get trending papers in your email inbox(?: once a day)?!)"
    r"(?=[A-Z0-9\"'(\[])"
)
_BYLINE_RE = re.compile(r"^by\s?ak(?:\s+and\b.*)?$", re.IGNORECASE)
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_DATE_RE = re.compile(
    r"^(?:(?:" + _MONTHS + r")[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?"
    r"|\d{1,2}\s+(?:" + _MONTHS + r")[a-z]*\.?(?:\s+\d{4})?"
    r"|\d{4}-\d{2}-\d{2})$",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"[.!?](?:\s|$)")


def _is_boilerplate(line: str) -> bool:
    low = line.casefold()
    return low in _BOILERPLATE or bool(_BYLINE_RE.match(line))


def _is_date(line: str) -> bool:
    return len(line) <= 24 and bool(_DATE_RE.match(line))


def _abstract_like(line: str) -> bool:
    """Reads like an abstract: long, or several sentences."""
    if len(line) >= 260:
        return True
    sentences = len(_SENTENCE_END_RE.findall(line))
    return (
        sentences >= 3
        or (len(line) >= 160 and sentences >= 2)
        or (len(line) >= 120 and sentences >= 1 and line.rstrip()[-1:] in ".!?)")
    )


def _continues(prev_abstract: str, line: str) -> bool:
    """``line`` is confidently a further paragraph of ``prev_abstract``."""
    return line[:1].islower() or prev_abstract.rstrip()[-1:] not in ".!?)\"'"


def _parse_dump(text: str, path: Path, name: str) -> Digest:
    raw_lines = text.split("\n")
    lines: list[tuple[int, str]] = []
    label: str | None = None
    in_header = True
    for number, raw in enumerate(raw_lines, 1):
        line = clean(raw)
        if not line:
            continue
        if in_header:
            stripped = _BOILER_PREFIX_RE.sub("", line).strip()
            if stripped != line:
                line = stripped
            elif _is_boilerplate(line):
                continue
        if _is_date(line):
            if label is None:
                label = line
            continue
        if in_header and _is_boilerplate(line):
            continue
        in_header = False
        lines.append((number, line))

    if not lines:
        raise DigestError(path, "has no papers (only boilerplate)" if label or raw_lines else "has no papers")

    entries: list[tuple[int, str, list[str]]] = []  # line, title, abstract paragraphs
    problems: list[Problem] = []
    pending: tuple[int, str] | None = None  # a title waiting for its abstract

    for i, (number, line) in enumerate(lines):
        nxt = lines[i + 1][1] if i + 1 < len(lines) else None
        if pending is None:
            if _abstract_like(line):
                if entries and _continues(" ".join(entries[-1][2]), line):
                    entries[-1][2].append(line)
                else:
                    problems.append(Problem(
                        number, f"expected a title, found abstract-like text "
                        f"({len(line)} chars: {line[:40]!r}…); skipped"))
                continue
            pending = (number, line)
            continue
        # a title is pending: is this line its abstract?
        if _abstract_like(line):
            entries.append((pending[0], pending[1], [line]))
            pending = None
            continue
        if nxt is not None and _abstract_like(nxt):
            # this line is the next title; the pending title has no abstract
            problems.append(Problem(
                pending[0], f"title without abstract: {pending[1][:60]!r}; skipped"))
            pending = (number, line)
            continue
        if _SENTENCE_END_RE.search(line) and line.rstrip()[-1:] in ".!?":
            entries.append((pending[0], pending[1], [line]))  # a short abstract
            pending = None
            continue
        problems.append(Problem(
            pending[0], f"title without abstract: {pending[1][:60]!r}; skipped"))
        pending = (number, line)
    if pending is not None:
        problems.append(Problem(
            pending[0], f"title without abstract at the end of the file: {pending[1][:60]!r}; skipped"))

    kept = []  # (a title is a line shorter than an abstract-like one: never past MAX_TITLE_CHARS)
    for number, title, paras in entries:
        abstract = "\n".join(paras)
        if len(abstract) > MAX_ABSTRACT_CHARS:
            problems.append(Problem(number, f"an abstract of {len(abstract):,} characters; cut at "
                                            f"{MAX_ABSTRACT_CHARS:,}"))
            paras = [abstract[:MAX_ABSTRACT_CHARS]]
        kept.append((number, title, paras))
    entries = kept
    if not entries:
        raise DigestError(path, "has no papers (no title followed by an abstract)")
    published = _iso_label(label)
    result = tuple(
        Entry(position=k, title=title, abstract="\n".join(paras), line=number, published=published)
        for k, (number, title, paras) in enumerate(entries, 1)
    )
    return Digest(name, path, label, "text", result, tuple(problems))


def _iso_label(label: str | None) -> str | None:
    """ISO date for a label that carries a year; ``Aug 7`` has none."""
    if not label:
        return None
    for fmt in ("%Y-%m-%d", "%b %d, %Y", "%b %d %Y", "%B %d, %Y", "%B %d %Y", "%d %b %Y", "%d %B %Y"):
        try:
            return datetime.strptime(label, fmt).date().isoformat()
        except ValueError:
            pass
    return None
