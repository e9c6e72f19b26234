"""A paper's full text: Hugging Face's Markdown of it, downloaded once and
read from ``<data>/fulltext/<paper id>.md`` ever after (offline included).

``GET {site}/papers/{arxiv_id}.md`` answers the paper's full text as Markdown
(built from arXiv's HTML), 404 when the site has not indexed it. The site is
the API's address without its ``/api`` (:func:`site_url`), so that a stand-in
API on 127.0.0.1 serves both.

Using it (the command line; the reader the same, in a thread worker)::

    from tui.core.fulltext import FullTextError, full_text, site_url

    try:
        text = full_text(paths, paper, site=site_url(config))   # cached, or downloaded
    except FullTextError as e:
        print(e.reason, e.link)            # one line, and where to read it instead
    text.markdown, text.cached, text.path, text.sections

* :func:`cached_text` -- the cached Markdown of a paper, or None (no request).
* :func:`full_text` -- the cached text, else downloaded (``refresh=True``:
  downloaded again; a failure then keeps the old copy and raises).
* :func:`sections` -- the headings of a Markdown text (not those inside fenced
  code), with their line numbers: the reading screen's contents, and where a
  search hit in the full text lies (:func:`section_of`).

Safety: the download goes through :class:`tui.core.fetch_http.Client` (the
User-Agent, deadlines, retries and ``Retry-After`` of ``papers fetch``,
redirects on the same host only). A body larger than :data:`MAX_BYTES`,
bytes that are not UTF-8 text (NUL bytes, an undecodable sequence), an HTML
page (whatever its status) or an empty answer is one line of
:class:`FullTextError`, and nothing is written. What is kept is the text with
control characters removed (an ESC never reaches a terminal), written
atomically: the cache holds a whole text or nothing.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable
from urllib.parse import quote

from .fsio import atomic_write
from .links import web_url

if TYPE_CHECKING:  # pragma: no cover
    from .config import Config
    from .papers import Paper
    from .paths import Paths

MAX_BYTES = 8 * 1024 * 1024  # the largest full text kept (the longest papers' Markdown is a few MB)
FOLDER = "fulltext"
DEFAULT_SITE_URL = "https://huggingface.co"
_ID_RE = re.compile(r"[0-9a-f]{12}")
# control characters but tab and newline (a carriage return goes with its line end)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class FullTextError(Exception):
    """No full text to show; ``reason`` is one line, ``link`` where to read
    the paper instead (its Hugging Face or arXiv page, or a search)."""

    def __init__(self, reason: str, link: str = ""):
        super().__init__(reason)
        self.reason, self.link = reason, link

    def line(self) -> str:
        """The reason and the link, in one line."""
        return f"{self.reason}; read it at {self.link}" if self.link else self.reason


@dataclass(frozen=True)
class Section:
    level: int   # 1 for ``#``, up to 6
    title: str   # the heading's text, without the #s
    line: int    # its line number in the text, from 0


@dataclass(frozen=True)
class FullText:
    paper_id: str
    arxiv_id: str
    markdown: str
    path: Path
    cached: bool  # read from the cache, no request made
    sections: tuple[Section, ...] = field(default=())

    def as_json(self) -> dict:
        return {"id": self.paper_id, "arxiv_id": self.arxiv_id, "path": str(self.path), "cached": self.cached,
                "chars": len(self.markdown),
                "sections": [{"level": s.level, "title": s.title, "line": s.line} for s in self.sections],
                "markdown": self.markdown}


# --- where ------------------------------------------------------------------------------------

def site_url(config: "Config | None" = None, environ: dict | None = None) -> str:
    """The site's address, without a trailing slash: ``PAPERS_API_URL`` without
    its ``/api``, else ``[fetch] site_url``, else ``[fetch] api_url`` without
    its ``/api``, else :data:`DEFAULT_SITE_URL`. ``ValueError`` as
    :func:`tui.core.fetch.api_url`."""
    from .fetch import ENV_API_URL, api_url

    environ = os.environ if environ is None else environ
    if (environ.get(ENV_API_URL) or "").strip():
        return _without_api(api_url(config, environ))
    if config is not None and config.fetch_site_url:
        return config.fetch_site_url.rstrip("/")
    if config is not None and config.fetch_api_url:
        return _without_api(config.fetch_api_url)
    return DEFAULT_SITE_URL


def _without_api(url: str) -> str:
    url = url.rstrip("/")
    return url[: -len("/api")] if url.endswith("/api") else url


def folder(paths: "Paths") -> Path:
    return paths.data / FOLDER


def cache_path(paths: "Paths", paper_id: str) -> Path:
    """``<data>/fulltext/<paper id>.md``; ``ValueError`` for an id that is not one."""
    if not _ID_RE.fullmatch(paper_id or ""):
        raise ValueError(f"{paper_id!r} is not a paper id")
    return folder(paths) / f"{paper_id}.md"


def cached_ids(paths: "Paths") -> list[str]:
    """The ids of the papers whose full text is cached."""
    try:
        names = os.listdir(folder(paths))
    except OSError:
        return []
    return sorted(n[:-3] for n in names if n.endswith(".md") and _ID_RE.fullmatch(n[:-3]))


def cached_text(paths: "Paths", paper_id: str) -> str | None:
    """The cached full text of a paper, or None (not cached, or unreadable)."""
    try:
        return clean(cache_path(paths, paper_id).read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        return None


def text_link(paper: "Paper") -> str:
    """Where to read the paper in a browser: its Hugging Face page, else a
    Hugging Face search for its title."""
    links = paper.links
    best = next((link for kind in ("hf", "hf-search") for link in links if link.kind == kind), None)
    return (best or links[0]).url if links else ""


# --- reading the text ---------------------------------------------------------------------------

def clean(text: str) -> str:
    """The text without control characters (tab and newline kept; CRLF and CR
    become newlines): shown as text, never as terminal escapes."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_RE.sub("", text)


_HEADING_RE = re.compile(r" {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})")


def sections(markdown: str) -> tuple[Section, ...]:
    """The ATX headings of ``markdown`` outside fenced code blocks."""
    out: list[Section] = []
    fence = ""
    for n, line in enumerate(markdown.split("\n")):
        if "#" not in line and "`" not in line and "~" not in line:
            continue
        m = _FENCE_RE.match(line)
        if m:
            mark = m.group(1)
            if not fence:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence) and not line.strip(" `~"):
                fence = ""
            continue
        if fence:
            continue
        m = _HEADING_RE.match(line)
        if m and m.group(2):
            title = re.sub(r"\s+", " ", m.group(2)).strip()
            out.append(Section(len(m.group(1)), title[:200], n))
    return tuple(out)


FIRST_PART = 3_000   # characters shown first (a screen or so), the rest appended after
NEXT_PARTS = 20_000  # characters appended at a time


def _line_offsets(text: str) -> list[int]:
    """The offset where each line of ``text`` starts."""
    offsets, at = [], 0
    for line in text.split("\n"):
        offsets.append(at)
        at += len(line) + 1
    return offsets


def parts(markdown: str, first: int = FIRST_PART, size: int = NEXT_PARTS) -> list[str]:
    """``markdown`` cut before headings (never inside a fenced block) into
    parts of at least ``first`` characters, then ``size``: the reading screen
    paints the first at once and appends the others. Joined, they are the text."""
    cuts = [0]
    offsets = _line_offsets(markdown)
    for s in sections(markdown):
        where = offsets[s.line]
        if where - cuts[-1] >= (first if len(cuts) == 1 else size):
            cuts.append(where)
    cuts.append(len(markdown))
    return [markdown[a:b] for a, b in zip(cuts, cuts[1:]) if b > a] or [markdown]


def section_of(markdown: str, offset: int, heads: tuple[Section, ...] | None = None) -> Section | None:
    """The section holding character ``offset`` of ``markdown`` (the last
    heading before it), or None before the first heading."""
    line = markdown.count("\n", 0, max(0, offset))
    found = None
    for s in heads if heads is not None else sections(markdown):
        if s.line > line:
            break
        found = s
    return found


def section_label(section: Section | None) -> str:
    """``§3 Method`` for a numbered heading, ``§ Introduction`` otherwise;
    ``""`` for none."""
    if section is None:
        return ""
    return f"§{section.title}" if section.title[:1].isdigit() else f"§ {section.title}"


# --- downloading ----------------------------------------------------------------------------------

def full_text(paths: "Paths", paper: "Paper", *, site: str, refresh: bool = False,
              should_stop: Callable[[], bool] | None = None, sleep: Callable[[float], None] | None = None,
              clock: Callable[[], datetime] | None = None) -> FullText:
    """The paper's full text: cached, else downloaded from ``site`` and cached
    (``refresh``: downloaded again). :class:`FullTextError` when there is none
    to show (no arXiv id, the site has none, a failed download and no copy)."""
    path = cache_path(paths, paper.id)
    link = text_link(paper)
    if not refresh:
        text = cached_text(paths, paper.id)
        if text is not None:
            return FullText(paper.id, paper.arxiv_id or "", text, path, True, sections(text))
    if not paper.arxiv_id:
        raise FullTextError("no full text: the paper has no arXiv id (it came from a text digest)", link)
    text = download(site, paper.arxiv_id, should_stop=should_stop, sleep=sleep, clock=clock, link=link)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text)
    except OSError as e:
        raise FullTextError(f"cannot write {path}: {e.strerror or e}", link) from None
    return FullText(paper.id, paper.arxiv_id, text, path, False, sections(text))


class _Count:
    requests = 0


def download(site: str, arxiv_id: str, *, should_stop=None, sleep=None, clock=None, link: str = "") -> str:
    """The Markdown ``site`` serves for ``arxiv_id``, checked and cleaned;
    :class:`FullTextError` with one line otherwise. Nothing is written."""
    from .fetch_http import Client, DayFailed, RateLimited, Refused, Stopped

    site = site.strip().rstrip("/")
    if not web_url(site):
        raise FullTextError(f"{site[:80]!r}: not an http(s) URL", link)
    client = Client(site, _Count(), clock or (lambda: datetime.now(timezone.utc)), sleep or time.sleep, 1,
                    should_stop)
    client.start_day()
    url = f"{site}/papers/{quote(arxiv_id, safe='')}.md"
    try:
        headers, body = client.get(url, "the full text", MAX_BYTES, "text/markdown, text/plain;q=0.9")
    except Refused as e:
        if e.status in (404, 410):
            raise FullTextError(f"no full text: {client.where} has none for arXiv {arxiv_id} "
                                f"(HTTP {e.status})", link) from None
        raise FullTextError(f"no full text: {e}", link) from None
    except RateLimited as e:
        raise FullTextError(f"no full text: {e.reason}; try again in {e.wait:.0f} s", link) from None
    except DayFailed as e:
        raise FullTextError(f"no full text: {e}", link) from None
    except Stopped:
        raise FullTextError("no full text: the download was cancelled", link) from None
    return checked(body, headers, client.where, link)


def checked(body: bytes, headers, host: str, link: str = "") -> str:
    """The text of a 200 answer, read defensively; :class:`FullTextError` for
    a body too large, binary or not UTF-8, an HTML page, or empty."""
    if len(body) > MAX_BYTES:
        raise FullTextError(f"no full text: {host} answered more than {MAX_BYTES // 2 ** 20} MB", link)
    ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    head = body[:512].lstrip().lower()
    if ctype in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype html", b"<html")):
        raise FullTextError(f"no full text: {host} answered with a web page, not Markdown", link)
    if b"\x00" in body:
        raise FullTextError(f"no full text: {host} answered with binary data, not Markdown", link)
    if ctype and not (ctype.startswith("text/") or ctype in ("application/octet-stream", "application/markdown")):
        raise FullTextError(f"no full text: {host} answered with {ctype[:40]}, not Markdown", link)
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FullTextError(f"no full text: {host} answered with bytes that are not UTF-8", link) from None
    text = clean(text)
    if not text.strip():
        raise FullTextError(f"no full text: {host} answered an empty text", link)
    return text if text.endswith("\n") else text + "\n"


# --- where the reader was ------------------------------------------------------------------------

POSITIONS_FILE = "positions.json"
MAX_POSITIONS = 500  # papers whose reading position is kept (the most recent)


def positions_path(paths: "Paths") -> Path:
    return folder(paths) / POSITIONS_FILE


def reading_position(paths: "Paths", paper_id: str) -> float:
    """The line the reading screen was left at for ``paper_id`` (0: the top)."""
    import json

    try:
        doc = json.loads(positions_path(paths).read_text(encoding="utf-8"))
        value = doc.get(paper_id, {}).get("line", 0) if isinstance(doc, dict) else 0
    except (OSError, ValueError, AttributeError):
        return 0.0
    return float(value) if isinstance(value, (int, float)) and value >= 0 else 0.0


def remember_position(paths: "Paths", paper_id: str, line: float) -> None:
    """Keep where the reading screen was left for ``paper_id`` (the most
    recent :data:`MAX_POSITIONS` papers); written atomically, errors ignored
    (a position is a convenience)."""
    import json

    path = positions_path(paths)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc = doc if isinstance(doc, dict) else {}
    except (OSError, ValueError):
        doc = {}
    doc.pop(paper_id, None)
    doc[paper_id] = {"line": round(max(0.0, float(line)), 1),
                     "at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    doc = dict(list(doc.items())[-MAX_POSITIONS:])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(doc, indent=0))
    except OSError:
        pass


class CachedTexts:
    """``texts(paper_id)``: the cached full text of a paper, ``""`` for none;
    what the index writes in its ``text`` field. The folder is listed again
    only when it changed (a download, a removal)."""

    def __init__(self, paths: "Paths"):
        self.paths = paths
        self._stamp: int | None = None
        self._ids: set[str] = set()

    def ids(self) -> set[str]:
        try:
            stamp = os.stat(folder(self.paths)).st_mtime_ns
        except OSError:
            return set()
        if stamp != self._stamp:
            self._ids, self._stamp = set(cached_ids(self.paths)), stamp
        return self._ids

    def __call__(self, paper_id: str) -> str:
        if paper_id not in self.ids():
            return ""
        return cached_text(self.paths, paper_id) or ""


# --- where a search found a paper -----------------------------------------------------------------

def matched_in(paths: "Paths", index, paper: "Paper", terms, title_spans) -> list[str]:
    """Where ``terms`` (a search's analysed words) are in ``paper``: ``title``,
    ``abstract``, and when neither, ``full text, §3 Method`` (the section of
    the first match in its cached full text)."""
    terms = frozenset(terms)
    where = ["title"] if title_spans else []
    if terms and index.highlights(paper.abstract, terms):
        where.append("abstract")
    if where or not terms:
        return where
    text = cached_text(paths, paper.id)
    found = first_match(text, terms, index.highlights) if text else None
    if found is not None:
        label = section_label(section_of(text, found))
        where.append(f"full text, {label}" if label else "full text")
    return where


def first_match(text: str, terms, highlights) -> int | None:
    """The offset of the first of ``terms`` in ``text`` (``highlights(text,
    terms)`` gives spans), looked for a section at a time: a long text is
    read only up to its first match."""
    offsets = _line_offsets(text)
    cuts = sorted({0, *(offsets[s.line] for s in sections(text))}) + [len(text)]
    for a, b in zip(cuts, cuts[1:]):
        spans = highlights(text[a:b], terms)
        if spans:
            return a + spans[0][0]
    return None


# --- the paper's details: linked models, datasets, Spaces -------------------------------------------

DETAILS_MAX_BYTES = 2 * 1024 * 1024
SHOWN_LINKED = 5  # names kept of each kind
_LINKED = (("models", "linkedModels", "numTotalModels"), ("datasets", "linkedDatasets", "numTotalDatasets"),
           ("spaces", "linkedSpaces", "numTotalSpaces"))


@dataclass(frozen=True)
class Linked:
    """What the site links to a paper, by kind: ``{"models": (count, (names…)), …}``."""

    kinds: dict

    def as_json(self) -> dict:
        """``linked_models``, ``linked_datasets``, ``linked_spaces`` for ``search --json``."""
        return {f"linked_{k}": {"count": n, "names": list(names)} for k, (n, names) in self.kinds.items()}

    def lines(self) -> list[str]:
        """``Models  12: org/a, org/b, …`` for each kind the paper has."""
        out = []
        for k, (n, names) in self.kinds.items():
            if n:
                more = ", …" if n > len(names) else ""
                out.append(f"{k.capitalize()}  {n}: {', '.join(names)}{more}")
        return out


def details_path(paths: "Paths", paper_id: str) -> Path:
    return cache_path(paths, paper_id).with_suffix(".json")


def parse_linked(data) -> Linked:
    """The linked models, datasets and Spaces of the site's paper details (its
    JSON object), read defensively: names are cleaned, counts non-negative."""
    kinds = {}
    for kind, list_key, count_key in _LINKED:
        items = data.get(list_key) if isinstance(data, dict) else None
        items = items if isinstance(items, list) else []
        names = []
        for it in items:
            name = it.get("id") if isinstance(it, dict) else it if isinstance(it, str) else None
            if isinstance(name, str) and clean(name).strip():
                names.append(clean(name).strip()[:100])
        count = data.get(count_key) if isinstance(data, dict) else None
        count = count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else len(names)
        kinds[kind] = (max(count, len(names)), tuple(names[:SHOWN_LINKED]))
    return Linked(kinds)


def cached_linked(paths: "Paths", paper_id: str) -> Linked | None:
    """The paper's cached details, or None."""
    import json

    try:
        return parse_linked(json.loads(details_path(paths, paper_id).read_text(encoding="utf-8")))
    except (OSError, ValueError, RecursionError):
        return None


def fetch_linked(paths: "Paths", paper: "Paper", api: str, *, sleep=None, clock=None) -> Linked:
    """Download the paper's details (``GET {api}/papers/{arxiv_id}``) and keep
    what is linked to it in ``<data>/fulltext/ID.json``; :class:`FullTextError`
    when they cannot be had (the full text does not depend on them)."""
    import json

    from .fetch_http import Client, DayFailed, RateLimited, Stopped

    if not paper.arxiv_id:
        raise FullTextError("no details: the paper has no arXiv id")
    client = Client(api.rstrip("/"), _Count(), clock or (lambda: datetime.now(timezone.utc)), sleep or time.sleep, 1)
    client.start_day()
    try:
        headers, body = client.get(f"{api.rstrip('/')}/papers/{quote(paper.arxiv_id, safe='')}", "the paper's details",
                                   DETAILS_MAX_BYTES)
        if len(body) > DETAILS_MAX_BYTES:
            raise DayFailed(f"{client.where} answered more than {DETAILS_MAX_BYTES // 2 ** 20} MB of details")
        data = json.loads(body.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError
    except (DayFailed, RateLimited, Stopped) as e:
        raise FullTextError(f"no details: {getattr(e, 'reason', None) or e}") from None
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise FullTextError("no details: the answer is not a JSON object") from None
    linked = parse_linked(data)
    keep = {list_key: [{"id": n} for n in linked.kinds[k][1]] for k, list_key, _ in _LINKED}
    keep.update({count_key: linked.kinds[k][0] for k, _, count_key in _LINKED})
    try:
        path = details_path(paths, paper.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(keep, ensure_ascii=False))
    except OSError as e:
        raise FullTextError(f"cannot write {details_path(paths, paper.id)}: {e.strerror or e}") from None
    return linked


# --- papers fetch --full-text ----------------------------------------------------------------------

MIN_INTERVAL = 0.5  # seconds between two downloads: at most 2 requests a second


@dataclass
class TextsReport:
    fetched: list[str] = field(default_factory=list)   # paper ids downloaded now
    cached: int = 0                                      # already there (a run that stopped resumes)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (paper id, one-line reason)

    def summary(self) -> str:
        from .text import plural

        parts = [f"{plural(len(self.fetched), 'full text')} downloaded"]
        if self.cached:
            parts.append(f"{self.cached} already cached")
        if self.failed:
            parts.append(f"{len(self.failed)} without one")
        return "; ".join(parts)


def fetch_texts(paths: "Paths", papers: "list[Paper]", *, site: str, api: str | None = None, progress=None,
                should_stop=None, sleep=None, clock=None) -> TextsReport:
    """Download the full texts (and details) of ``papers`` not cached yet,
    politely (:data:`MIN_INTERVAL` between requests); ``progress(done, total,
    message)``. Stopping keeps what was downloaded: the next run resumes."""
    sleep = sleep or time.sleep
    report = TextsReport()
    todo = []
    for p in papers:
        if cached_text(paths, p.id) is not None:
            report.cached += 1
        else:
            todo.append(p)
    last = None
    for n, p in enumerate(todo):
        if should_stop and should_stop():
            break
        if progress:
            progress(n, len(todo), f"full text {n + 1}/{len(todo)}: {p.arxiv_id or p.id}")
        if last is not None:
            wait = MIN_INTERVAL - (time.monotonic() - last)
            if wait > 0:
                sleep(wait)
        last = time.monotonic()
        try:
            full_text(paths, p, site=site, should_stop=should_stop, sleep=sleep, clock=clock)
        except FullTextError as e:
            report.failed.append((p.id, e.reason))
            continue
        report.fetched.append(p.id)
        if api:
            try:
                sleep(MIN_INTERVAL)
                fetch_linked(paths, p, api, sleep=sleep, clock=clock)
            except FullTextError:
                pass  # the details are a bonus
    if progress:
        progress(len(todo), len(todo), "done")
    return report
